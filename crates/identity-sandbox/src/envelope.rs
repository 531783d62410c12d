//! Replies: the Identity envelope for success and failure, SCIM and OAuth errors, plain text.

use crate::ids;
use bytes::Bytes;
use serde::Serialize;

/// A complete answer before it becomes an HTTP response.
#[derive(Debug, Clone)]
pub struct Reply {
    /// HTTP status.
    pub status: u16,
    /// `Content-Type` header, if there is a body.
    pub content_type: Option<&'static str>,
    /// Extra headers.
    pub headers: Vec<(&'static str, String)>,
    /// The body.
    pub body: Bytes,
}

/// JSON content type of envelope and OAuth answers.
pub const JSON: &str = "application/json; charset=utf-8";
/// Content type of SCIM answers (RFC 7644 section 3.1).
pub const SCIM_JSON: &str = "application/scim+json; charset=utf-8";

/// The text of the tenant's 401 answer.
pub const UNAUTHORIZED_TEXT: &str = "You do not have access to this content. Please contact your system administrator for assistance.";

impl Reply {
    /// A reply with a body.
    pub fn new(status: u16, content_type: &'static str, body: impl Into<Bytes>) -> Self {
        Self {
            status,
            content_type: Some(content_type),
            headers: Vec::new(),
            body: body.into(),
        }
    }

    /// A reply without a body (204).
    pub fn empty(status: u16) -> Self {
        Self {
            status,
            content_type: None,
            headers: Vec::new(),
            body: Bytes::new(),
        }
    }

    /// Adds a header.
    pub fn header(mut self, name: &'static str, value: impl Into<String>) -> Self {
        self.headers.push((name, value.into()));
        self
    }

    /// The 401 answer of a bearer-authenticated route.
    pub fn unauthorized() -> Self {
        Self::new(401, "text/html; charset=utf-8", UNAUTHORIZED_TEXT)
    }

    /// A JSON body with any status.
    pub fn json(status: u16, value: &impl Serialize) -> Self {
        Self::new(status, JSON, to_vec(value))
    }

    /// A SCIM JSON body with any status.
    pub fn scim(status: u16, value: &impl Serialize) -> Self {
        Self::new(status, SCIM_JSON, to_vec(value))
    }

    /// An RFC 7644 error.
    pub fn scim_error(status: u16, scim_type: Option<&str>, detail: impl Into<String>) -> Self {
        let mut body = serde_json::json!({
            "schemas": ["urn:ietf:params:scim:api:messages:2.0:Error"],
            "status": status.to_string(),
            "detail": detail.into(),
        });
        if let (Some(t), Some(map)) = (scim_type, body.as_object_mut()) {
            map.insert("scimType".to_owned(), t.into());
        }
        Self::scim(status, &body)
    }

    /// An RFC 6749 error.
    pub fn oauth_error(status: u16, error: &str, description: &str) -> Self {
        Self::json(
            status,
            &serde_json::json!({"error": error, "error_description": description}),
        )
    }
}

fn to_vec(value: &impl Serialize) -> Vec<u8> {
    // Serialising the sandbox's own values cannot fail (string keys only); an empty object is a
    // harmless fallback that keeps this path panic-free.
    serde_json::to_vec(value).unwrap_or_else(|_| b"{}".to_vec())
}

/// The tail every successful envelope shares after `Result`.
const OK_TAIL: &[u8] = br#","Message":null,"MessageID":null,"Exception":null,"ErrorID":null,"ErrorCode":null,"IsSoftError":false,"InnerExceptions":null}"#;

/// A successful envelope around `result`, serialised straight into the body.
pub fn ok(result: &impl Serialize) -> Reply {
    let mut body = Vec::with_capacity(256);
    body.extend_from_slice(br#"{"success":true,"Result":"#);
    if serde_json::to_writer(&mut body, result).is_err() {
        body.truncate(br#"{"success":true,"Result":"#.len());
        body.extend_from_slice(b"null");
    }
    body.extend_from_slice(OK_TAIL);
    Reply::new(200, JSON, body)
}

/// A successful envelope with `Result: null`.
pub fn ok_null() -> Reply {
    ok(&serde_json::Value::Null)
}

/// The .NET exception type behind a failure; it names `MessageID` and `Exception`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ErrorKind {
    /// A missing or invalid argument.
    Argument,
    /// The operation is not allowed in the current state (duplicates, self-changes).
    InvalidOperation,
    /// The named object does not exist.
    NotFound,
    /// The body could not be parsed.
    Json,
    /// The caller lacks the rights.
    Unauthorized,
}

impl ErrorKind {
    fn exception_type(self) -> &'static str {
        match self {
            ErrorKind::Argument => "System.ArgumentException",
            ErrorKind::InvalidOperation => "System.InvalidOperationException",
            ErrorKind::NotFound => "System.Collections.Generic.KeyNotFoundException",
            ErrorKind::Json => "Newtonsoft.Json.JsonReaderException",
            ErrorKind::Unauthorized => "System.UnauthorizedAccessException",
        }
    }
}

/// A handled failure, answered as HTTP 200 with `success: false`.
#[derive(Debug, Clone)]
pub struct ApiError {
    /// Kind of failure.
    pub kind: ErrorKind,
    /// Human-readable message.
    pub message: String,
    /// `ErrorCode`, usually none.
    pub code: Option<&'static str>,
}

impl ApiError {
    /// A failure of the given kind.
    pub fn new(kind: ErrorKind, message: impl Into<String>) -> Self {
        Self {
            kind,
            message: message.into(),
            code: None,
        }
    }

    /// `Parameter "X" must be specified.`
    pub fn missing(name: &str) -> Self {
        Self::new(
            ErrorKind::Argument,
            format!("Parameter \"{name}\" must be specified."),
        )
    }

    /// An argument of the wrong type or form.
    pub fn invalid(message: impl Into<String>) -> Self {
        Self::new(ErrorKind::Argument, message)
    }

    /// No user with this id or name.
    pub fn no_user(id: &str) -> Self {
        Self::new(
            ErrorKind::NotFound,
            format!("User {id} does not exist or you do not have access to it."),
        )
    }

    /// Sets `ErrorCode`.
    pub fn code(mut self, code: &'static str) -> Self {
        self.code = Some(code);
        self
    }
}

/// The failure envelope. `with_result` says whether to include `Result: null`: the tenant always
/// sends it, but the spec's response schemas only allow null where `Result` is nullable, so for
/// the other operations the key is left out (as in the spec's own StartAuthentication failure
/// example).
pub fn fail(err: &ApiError, with_result: bool) -> Reply {
    fail_with(err, with_result.then_some(serde_json::Value::Null), true)
}

#[derive(Serialize)]
#[allow(non_snake_case)]
struct Failure<'a> {
    success: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    Result: Option<serde_json::Value>,
    Message: &'a str,
    MessageID: Option<String>,
    Exception: Option<String>,
    ErrorID: String,
    ErrorCode: Option<&'a str>,
    IsSoftError: bool,
    InnerExceptions: Option<()>,
}

/// A failure envelope with a chosen `Result` (absent when `None`); without `details` the
/// `MessageID` and `Exception` are null, as in the tenant's login failures.
pub fn fail_with(err: &ApiError, result: Option<serde_json::Value>, details: bool) -> Reply {
    let ty = err.kind.exception_type();
    let body = Failure {
        success: false,
        Result: result,
        Message: &err.message,
        MessageID: details.then(|| format!("_I18N_{ty}")),
        Exception: details.then(|| {
            format!(
                "{ty}: {}\r\n   at CyberArkIdentity.Cloud.Sandbox.RestHelpers.JsonRest.StandardJsonResult(Func`1 action)",
                err.message
            )
        }),
        ErrorID: ids::error_id(),
        ErrorCode: err.code,
        IsSoftError: false,
        InnerExceptions: None,
    };
    Reply::json(200, &body)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ok_envelope_is_valid_json() {
        let reply = ok(&serde_json::json!({"a": 1}));
        let v: serde_json::Value = serde_json::from_slice(&reply.body).expect("json");
        assert_eq!(v["success"], true);
        assert_eq!(v["Result"]["a"], 1);
        assert_eq!(v["IsSoftError"], false);
    }

    #[test]
    fn fail_envelope_shape() {
        let reply = fail(&ApiError::missing("ID"), true);
        let v: serde_json::Value = serde_json::from_slice(&reply.body).expect("json");
        assert_eq!(v["success"], false);
        assert_eq!(v["MessageID"], "_I18N_System.ArgumentException");
        assert!(
            v["ErrorID"]
                .as_str()
                .is_some_and(|s| s.len() == 36 + 1 + 32)
        );
        assert!(v.get("Result").is_some());
    }
}
