//! The one error type every call returns.

use std::fmt;
use std::time::Duration;

/// Everything that can go wrong with a call to the tenant.
///
/// Every variant that belongs to a call names the operation (its `operationId`), so a log line or
/// a bug report says which request failed without a backtrace. No variant ever carries a secret:
/// body excerpts are redacted before they are stored.
#[non_exhaustive]
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// The tenant handled the request and refused it: an envelope with `success: false`, an
    /// RFC 7644 SCIM error, an OAuth error, or an unexpected HTTP status.
    #[error("{0}")]
    Api(Box<ApiError>),

    /// Authentication failed: bad credentials, an MFA failure, or a 401 that a fresh token did
    /// not cure.
    #[error("{operation} failed: authentication failed: {message}{}", status_suffix(.status))]
    Auth {
        /// The operation that needed the credentials.
        operation: &'static str,
        /// What the tenant (or the client) said.
        message: String,
        /// The HTTP status, when the failure came from one.
        status: Option<u16>,
    },

    /// The tenant kept answering 429 until the retry budget ran out.
    #[error(
        "{operation} failed: the tenant was still rate limiting after {attempts} {}{}",
        plural(.attempts),
        retry_after_suffix(.retry_after)
    )]
    RateLimited {
        /// The operation that was throttled.
        operation: &'static str,
        /// The wait the tenant last asked for, if it sent `Retry-After`.
        retry_after: Option<Duration>,
        /// How many attempts were made.
        attempts: u32,
    },

    /// The request did not reach the tenant, or its answer did not arrive (DNS, TLS, connection).
    #[error("{operation} failed: could not reach the tenant: {}", chain(.source.as_ref()))]
    Transport {
        /// The operation being sent.
        operation: &'static str,
        /// The underlying I/O or HTTP error.
        source: Box<dyn std::error::Error + Send + Sync>,
    },

    /// The per-request timeout or the overall deadline passed.
    #[error("{operation} failed: no answer within {elapsed:?}")]
    Timeout {
        /// The operation that timed out.
        operation: &'static str,
        /// How long the client waited.
        elapsed: Duration,
    },

    /// The answer did not have the shape the spec promises.
    #[error(
        "{operation} failed: could not decode the answer (HTTP {status}) at `{path}`: {message}; the body starts with: {excerpt}"
    )]
    Decode {
        /// The operation whose answer did not decode.
        operation: &'static str,
        /// The JSON path of the failure, e.g. `Result.Results[3].Row.Name`.
        path: String,
        /// What serde said.
        message: String,
        /// At most 200 characters of the body, with secrets blanked.
        excerpt: String,
        /// The HTTP status of the answer.
        status: u16,
    },

    /// The request could not be built (a missing path parameter, a body that failed to encode).
    #[error("{operation} failed: invalid request: {message}")]
    InvalidRequest {
        /// The operation being built.
        operation: &'static str,
        /// What is wrong with it.
        message: String,
    },

    /// The pages of a list contradict each other or the total the tenant reported (a page
    /// shorter than the total implies, more items than the total, the same page twice), so
    /// reading on would skip or repeat items, or never end.
    #[error("{operation} failed: the pages the tenant sent do not add up: {message}")]
    Paging {
        /// The list operation.
        operation: &'static str,
        /// What contradicted what.
        message: String,
    },

    /// The client is configured wrongly (a bad tenant URL, missing or conflicting credentials).
    #[error("invalid client configuration: {message}")]
    Config {
        /// What is wrong.
        message: String,
    },
}

impl Error {
    /// Returns `true` when sending the same request again later might succeed.
    ///
    /// The client has already retried where that was safe; this tells a caller whether a retry of
    /// its own (later, or after fixing nothing) makes sense.
    pub fn is_retryable(&self) -> bool {
        match self {
            Error::RateLimited { .. } | Error::Transport { .. } | Error::Timeout { .. } => true,
            Error::Api(api) => matches!(api.status, 429 | 502 | 503 | 504),
            Error::Auth { .. }
            | Error::Decode { .. }
            | Error::Paging { .. }
            | Error::InvalidRequest { .. }
            | Error::Config { .. } => false,
        }
    }

    /// The HTTP status the failure came with, if any.
    pub fn status(&self) -> Option<u16> {
        match self {
            Error::Api(api) => Some(api.status),
            Error::Auth { status, .. } => *status,
            Error::RateLimited { .. } => Some(429),
            Error::Decode { status, .. } => Some(*status),
            Error::Transport { .. }
            | Error::Timeout { .. }
            | Error::Paging { .. }
            | Error::InvalidRequest { .. }
            | Error::Config { .. } => None,
        }
    }

    /// The `operationId` of the call that failed, if the failure belongs to one.
    pub fn operation(&self) -> Option<&'static str> {
        match self {
            Error::Api(api) => Some(api.operation),
            Error::Auth { operation, .. }
            | Error::RateLimited { operation, .. }
            | Error::Transport { operation, .. }
            | Error::Timeout { operation, .. }
            | Error::Decode { operation, .. }
            | Error::Paging { operation, .. }
            | Error::InvalidRequest { operation, .. } => Some(operation),
            Error::Config { .. } => None,
        }
    }

    /// The API error, when this is one.
    pub fn as_api(&self) -> Option<&ApiError> {
        match self {
            Error::Api(api) => Some(api),
            _ => None,
        }
    }

    /// A copy of a shared sign-in failure for one waiting call of `operation`.
    ///
    /// Sign-in errors name the sign-in; the copy names the call instead, as the caller expects.
    /// A transport error's source cannot be cloned, so the copy keeps its text.
    pub(crate) fn for_caller(&self, operation: &'static str) -> Error {
        match self {
            Error::Api(api) => Error::Api(api.clone()),
            Error::Auth {
                message, status, ..
            } => Error::Auth {
                operation,
                message: message.clone(),
                status: *status,
            },
            Error::RateLimited {
                operation: own,
                retry_after,
                attempts,
            } => Error::RateLimited {
                operation: own,
                retry_after: *retry_after,
                attempts: *attempts,
            },
            Error::Transport {
                operation: own,
                source,
            } => Error::Transport {
                operation: own,
                source: Box::new(SharedSource(chain(source.as_ref()))),
            },
            Error::Timeout {
                operation: own,
                elapsed,
            } => Error::Timeout {
                operation: own,
                elapsed: *elapsed,
            },
            Error::Decode {
                operation: own,
                path,
                message,
                excerpt,
                status,
            } => Error::Decode {
                operation: own,
                path: path.clone(),
                message: message.clone(),
                excerpt: excerpt.clone(),
                status: *status,
            },
            Error::InvalidRequest {
                operation: own,
                message,
            } => Error::InvalidRequest {
                operation: own,
                message: message.clone(),
            },
            Error::Paging {
                operation: own,
                message,
            } => Error::Paging {
                operation: own,
                message: message.clone(),
            },
            Error::Config { message } => Error::Config {
                message: message.clone(),
            },
        }
    }

    /// Shorthand for a configuration error.
    pub(crate) fn config(message: impl Into<String>) -> Self {
        Error::Config {
            message: message.into(),
        }
    }

    /// Shorthand for an invalid-request error.
    pub(crate) fn invalid(operation: &'static str, message: impl Into<String>) -> Self {
        Error::InvalidRequest {
            operation,
            message: message.into(),
        }
    }
}

impl From<ApiError> for Error {
    fn from(api: ApiError) -> Self {
        Error::Api(Box::new(api))
    }
}

/// A refusal from the tenant, with everything it said about why.
///
/// The Identity envelope's fields map one to one; the Vault's `ErrorCode` and `ErrorMessage`
/// go into [`error_code`](Self::error_code) and [`message`](Self::message), its `Details` into
/// [`details`](Self::details). SCIM errors put `scimType` into
/// [`error_code`](Self::error_code) and `detail` into [`message`](Self::message); OAuth errors put
/// `error` into `error_code` and `error_description` into `message`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ApiError {
    /// The `operationId` of the call.
    pub operation: &'static str,
    /// The HTTP status (200 for an envelope with `success: false`).
    pub status: u16,
    /// `Message`, SCIM `detail`, OAuth `error_description`, or an excerpt of an unexpected body.
    pub message: Option<String>,
    /// `MessageID`, e.g. `_I18N_System.InvalidOperationException`.
    pub message_id: Option<String>,
    /// `ErrorID`, the tenant's trace id for the failure.
    pub error_id: Option<String>,
    /// `ErrorCode`, SCIM `scimType` or OAuth `error`.
    pub error_code: Option<String>,
    /// `IsSoftError`: the tenant calls this a warning rather than an exception.
    pub is_soft_error: bool,
    /// `Exception`, the tenant's exception text (may hold a .NET stack trace).
    pub exception: Option<String>,
    /// The Vault's `Details`: one entry per invalid parameter of a `PASWS167E`, say. Empty for
    /// the other conventions.
    pub details: Vec<ErrorDetail>,
}

/// One entry of the Vault's error `Details`.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct ErrorDetail {
    /// `ErrorCode`, e.g. `PASWS011E` (may be empty: the Vault sends `""` for some).
    pub error_code: Option<String>,
    /// `ErrorMessage`, e.g. `Missing mandatory parameter [userName].`.
    pub message: Option<String>,
    /// `ParameterName`: the request parameter the entry is about.
    pub parameter_name: Option<String>,
}

impl ApiError {
    /// An error with only an operation and a status; the other fields start empty.
    pub fn new(operation: &'static str, status: u16) -> Self {
        ApiError {
            operation,
            status,
            message: None,
            message_id: None,
            error_id: None,
            error_code: None,
            is_soft_error: false,
            exception: None,
            details: Vec::new(),
        }
    }
}

impl fmt::Display for ApiError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.status == 200 {
            write!(
                f,
                "{} failed: the tenant answered success=false",
                self.operation
            )?;
        } else {
            write!(
                f,
                "{} failed: the tenant answered HTTP {}",
                self.operation, self.status
            )?;
        }
        match &self.message {
            Some(message) if !message.is_empty() => write!(f, ": {message}")?,
            _ => f.write_str(" without a message")?,
        }
        let ids: Vec<String> = [
            ("MessageID", &self.message_id),
            ("ErrorID", &self.error_id),
            ("ErrorCode", &self.error_code),
        ]
        .into_iter()
        .filter_map(|(label, value)| value.as_ref().map(|v| format!("{label} {v}")))
        .collect();
        if !ids.is_empty() {
            write!(f, " ({})", ids.join(", "))?;
        }
        // The Vault's details name the parameter that was wrong, which the top-level message
        // (`There are some invalid parameters`) does not.
        for detail in &self.details {
            let mut parts = Vec::new();
            if let Some(name) = detail.parameter_name.as_deref().filter(|n| !n.is_empty()) {
                parts.push(format!("parameter {name}"));
            }
            if let Some(message) = detail.message.as_deref().filter(|m| !m.is_empty()) {
                parts.push(message.to_owned());
            }
            if let Some(code) = detail.error_code.as_deref().filter(|c| !c.is_empty()) {
                parts.push(format!("ErrorCode {code}"));
            }
            if !parts.is_empty() {
                write!(f, "; {}", parts.join(": "))?;
            }
        }
        Ok(())
    }
}

impl std::error::Error for ApiError {}

fn status_suffix(status: &Option<u16>) -> String {
    status.map_or_else(String::new, |s| format!(" (HTTP {s})"))
}

fn retry_after_suffix(retry_after: &Option<Duration>) -> String {
    retry_after.map_or_else(String::new, |d| format!("; it last asked to wait {d:?}"))
}

fn plural(attempts: &u32) -> &'static str {
    if *attempts == 1 {
        "attempt"
    } else {
        "attempts"
    }
}

/// Joins an error and its sources, because transport errors hide the useful part (refused,
/// certificate invalid) a level or two down.
fn chain(error: &(dyn std::error::Error + 'static)) -> String {
    let mut text = error.to_string();
    let mut source = error.source();
    while let Some(inner) = source {
        let inner_text = inner.to_string();
        if !text.contains(&inner_text) {
            text.push_str(": ");
            text.push_str(&inner_text);
        }
        source = inner.source();
    }
    text
}

#[cfg(test)]
mod tests {
    use super::*;

    fn api(status: u16) -> ApiError {
        ApiError {
            message: Some("Role with name testrole already exists.".to_owned()),
            message_id: Some("_I18N_Roles.Exists".to_owned()),
            error_id: Some("abc:def".to_owned()),
            error_code: Some("1409".to_owned()),
            ..ApiError::new("Org_Create", status)
        }
    }

    #[test]
    fn every_variant_reads_like_a_sentence() {
        let io = std::io::Error::new(std::io::ErrorKind::ConnectionRefused, "connection refused");
        let cases: Vec<(Error, &str)> = vec![
            (
                api(200).into(),
                "Org_Create failed: the tenant answered success=false: Role with name testrole already exists. (MessageID _I18N_Roles.Exists, ErrorID abc:def, ErrorCode 1409)",
            ),
            (
                ApiError::new("Scim_GetUser", 404).into(),
                "Scim_GetUser failed: the tenant answered HTTP 404 without a message",
            ),
            (
                Error::Auth {
                    operation: "Org_Create",
                    message: "the tenant refused the bearer token".to_owned(),
                    status: Some(401),
                },
                "Org_Create failed: authentication failed: the tenant refused the bearer token (HTTP 401)",
            ),
            (
                Error::Auth {
                    operation: "Org_Create",
                    message: "no MFA handler".to_owned(),
                    status: None,
                },
                "Org_Create failed: authentication failed: no MFA handler",
            ),
            (
                Error::RateLimited {
                    operation: "Org_Create",
                    retry_after: Some(Duration::from_secs(2)),
                    attempts: 4,
                },
                "Org_Create failed: the tenant was still rate limiting after 4 attempts; it last asked to wait 2s",
            ),
            (
                Error::RateLimited {
                    operation: "Org_Create",
                    retry_after: None,
                    attempts: 1,
                },
                "Org_Create failed: the tenant was still rate limiting after 1 attempt",
            ),
            (
                Error::Transport {
                    operation: "Org_Create",
                    source: Box::new(io),
                },
                "Org_Create failed: could not reach the tenant: connection refused",
            ),
            (
                Error::Timeout {
                    operation: "Org_Create",
                    elapsed: Duration::from_millis(1500),
                },
                "Org_Create failed: no answer within 1.5s",
            ),
            (
                Error::Decode {
                    operation: "CDirectoryService_GetUser",
                    path: "Result.Uuid".to_owned(),
                    message: "invalid type: integer `5`, expected a string".to_owned(),
                    excerpt: r#"{"success":true,"Result":{"Uuid":5}}"#.to_owned(),
                    status: 200,
                },
                r#"CDirectoryService_GetUser failed: could not decode the answer (HTTP 200) at `Result.Uuid`: invalid type: integer `5`, expected a string; the body starts with: {"success":true,"Result":{"Uuid":5}}"#,
            ),
            (
                Error::InvalidRequest {
                    operation: "Scim_GetUser",
                    message: "path parameter `id` has no value".to_owned(),
                },
                "Scim_GetUser failed: invalid request: path parameter `id` has no value",
            ),
            (
                Error::config("no tenant URL"),
                "invalid client configuration: no tenant URL",
            ),
        ];
        for (error, expected) in cases {
            assert_eq!(error.to_string(), expected);
        }
    }

    #[test]
    fn accessors() {
        let e: Error = api(200).into();
        assert_eq!(e.status(), Some(200));
        assert_eq!(e.operation(), Some("Org_Create"));
        assert!(!e.is_retryable());
        assert!(Error::from(ApiError::new("X", 503)).is_retryable());
        let rl = Error::RateLimited {
            operation: "X",
            retry_after: None,
            attempts: 4,
        };
        assert_eq!(rl.status(), Some(429));
        assert!(rl.is_retryable());
        assert_eq!(Error::config("x").operation(), None);
    }
}

/// The text of a transport error shared between the calls that waited for one sign-in.
#[derive(Debug)]
struct SharedSource(String);

impl fmt::Display for SharedSource {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for SharedSource {}
