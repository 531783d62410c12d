//! The request log: what clients sent, with secrets redacted, for assertions in tests.

use crate::faults::lock;
use serde_json::Value;
use std::collections::VecDeque;
use std::sync::Mutex;

/// How many requests the log keeps; older entries are dropped so long benchmarks stay bounded.
pub const LOG_CAPACITY: usize = 10_000;

/// What replaces a secret in the log.
const REDACTED: &str = "***";

/// Headers whose values are secrets.
const SECRET_HEADERS: &[&str] = &[
    "authorization",
    "cookie",
    "set-cookie",
    "proxy-authorization",
];

/// JSON and form fields whose values are secrets (compared case-insensitively).
const SECRET_FIELDS: &[&str] = &[
    "password",
    "client_secret",
    "answer",
    "access_token",
    "refresh_token",
    "token",
    "auth",
    "secret",
    "otp",
    "code",
];

/// One request the sandbox received.
#[derive(Debug, Clone, serde::Serialize)]
pub struct LoggedRequest {
    /// The operationId the request was routed to; `None` for a route the spec does not have.
    pub operation: Option<String>,
    /// HTTP method.
    pub method: String,
    /// Path, without the query string.
    pub path: String,
    /// Raw query string, if any.
    pub query: Option<String>,
    /// Request headers in arrival order, with secret values (authorization, cookie) redacted.
    pub headers: Vec<(String, String)>,
    /// The body as text with secret JSON or form fields redacted; binary bodies are summarised.
    pub body: String,
    /// HTTP status of the answer: 0 when there was none (the connection was dropped by a fault,
    /// or the client went away before the answer).
    pub status: u16,
}

/// A bounded log of requests, oldest first.
#[derive(Debug, Default)]
pub struct RequestLog {
    entries: Mutex<VecDeque<LoggedRequest>>,
}

impl RequestLog {
    /// Appends an entry, dropping the oldest one when full.
    pub fn push(&self, entry: LoggedRequest) {
        let mut entries = lock(&self.entries);
        if entries.len() >= LOG_CAPACITY {
            entries.pop_front();
        }
        entries.push_back(entry);
    }

    /// A copy of every entry, oldest first.
    pub fn snapshot(&self) -> Vec<LoggedRequest> {
        lock(&self.entries).iter().cloned().collect()
    }

    /// Forgets every entry.
    pub fn clear(&self) {
        lock(&self.entries).clear();
    }
}

/// Whether a header carries a secret.
pub fn is_secret_header(name: &str) -> bool {
    SECRET_HEADERS.iter().any(|h| h.eq_ignore_ascii_case(name))
}

/// The header value as logged.
///
/// `Authorization` keeps its scheme (`Bearer ***`, `Basic ***`), so a test can tell how a
/// client authenticated without the log holding the credentials.
pub fn header_for_log(name: &str, value: &str) -> String {
    if name.eq_ignore_ascii_case("authorization")
        && let Some((scheme, _)) = value.trim().split_once(' ')
        && ["bearer", "basic"].contains(&scheme.to_ascii_lowercase().as_str())
    {
        format!("{scheme} {REDACTED}")
    } else if is_secret_header(name) {
        REDACTED.to_owned()
    } else {
        value.to_owned()
    }
}

/// Parts of a field name that make it a secret wherever they appear, so that a new secret field
/// (`newPassword`, `OldPassword`, `client_secret_jwt`) is redacted without being listed.
const SECRET_NAME_PARTS: &[&str] = &["password", "secret"];

fn is_secret_field(name: &str) -> bool {
    let lower = name.to_ascii_lowercase();
    SECRET_FIELDS.iter().any(|f| f.eq_ignore_ascii_case(name))
        || SECRET_NAME_PARTS.iter().any(|part| lower.contains(part))
}

/// The body as logged: JSON and form bodies with secret fields replaced, other text as is,
/// binary and multipart bodies summarised by size.
pub fn body_for_log(content_type: &str, body: &[u8]) -> String {
    if body.is_empty() {
        return String::new();
    }
    let ct = content_type.to_ascii_lowercase();
    if ct.starts_with("multipart/") {
        return format!("<multipart body, {} bytes>", body.len());
    }
    if ct.starts_with("application/x-www-form-urlencoded") {
        return redact_form(body);
    }
    if let Ok(mut value) = serde_json::from_slice::<Value>(body) {
        redact_json(&mut value);
        return value.to_string();
    }
    match std::str::from_utf8(body) {
        // A body that is neither JSON nor a form may still be a form sent with a wrong type.
        Ok(text) if text.contains('=') && !text.contains('{') => redact_form(body),
        Ok(text) => text.to_owned(),
        Err(_) => format!("<binary body, {} bytes>", body.len()),
    }
}

fn redact_form(body: &[u8]) -> String {
    let pairs: Vec<(String, String)> = serde_urlencoded::from_bytes(body).unwrap_or_default();
    let redacted: Vec<(String, String)> = pairs
        .into_iter()
        .map(|(k, v)| {
            let v = if is_secret_field(&k) {
                REDACTED.to_owned()
            } else {
                v
            };
            (k, v)
        })
        .collect();
    serde_urlencoded::to_string(&redacted).unwrap_or_else(|_| "<unreadable form body>".to_owned())
}

/// Replaces every secret field of a JSON value, at any depth.
pub fn redact_json(value: &mut Value) {
    match value {
        Value::Object(map) => {
            for (k, v) in map.iter_mut() {
                if is_secret_field(k) && !v.is_null() {
                    *v = Value::String(REDACTED.to_owned());
                } else {
                    redact_json(v);
                }
            }
        }
        Value::Array(items) => items.iter_mut().for_each(redact_json),
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn json_secrets_are_redacted() {
        let body = br#"{"User":"a","Answer":"pw","MultipleOperations":[{"Answer":"x"}]}"#;
        let logged = body_for_log("application/json", body);
        assert!(!logged.contains("pw"));
        assert!(!logged.contains("\"x\""));
        assert!(logged.contains("\"User\":\"a\""));
    }

    #[test]
    fn fields_named_like_passwords_are_redacted_without_being_listed() {
        let body =
            br#"{"ID":"u1","newPassword":"n3w","OldPassword":"0ld","ClientSecretValue":"cs"}"#;
        let logged = body_for_log("application/json", body);
        for secret in ["n3w", "0ld", "\"cs\""] {
            assert!(!logged.contains(secret), "{secret} in {logged}");
        }
        assert!(logged.contains("\"ID\":\"u1\""));
    }

    #[test]
    fn form_secrets_are_redacted() {
        let logged = body_for_log(
            "application/x-www-form-urlencoded",
            b"grant_type=client_credentials&client_id=c&client_secret=s3cr3t",
        );
        assert!(!logged.contains("s3cr3t"));
        assert!(logged.contains("client_id=c"));
    }
}
