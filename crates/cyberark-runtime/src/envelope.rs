//! Turning an HTTP answer into the operation's output or a typed error, per convention.

use serde::de::DeserializeOwned;
use serde::{Deserialize, Deserializer};
use serde_json::Value;
use serde_json::value::RawValue;

use crate::bounds;
use crate::error::{ApiError, Error, ErrorDetail};
use crate::json_path;
use crate::operation::{Convention, Operation};
use crate::redact;

/// The Identity envelope, with `Result` kept raw until the caller's type is known.
#[derive(Deserialize)]
struct Envelope<'a> {
    success: Option<bool>,
    #[serde(rename = "Result", borrow, default)]
    result: Option<&'a RawValue>,
}

/// The failure fields the envelope, SCIM and OAuth errors may carry; decoded leniently because a
/// failure report must never itself fail to decode.
#[derive(Deserialize, Default)]
struct ErrorFields {
    #[serde(rename = "Message", default, deserialize_with = "lenient")]
    message: Option<String>,
    #[serde(rename = "MessageID", default, deserialize_with = "lenient")]
    message_id: Option<String>,
    #[serde(rename = "Exception", default, deserialize_with = "lenient")]
    exception: Option<String>,
    #[serde(rename = "ErrorID", default, deserialize_with = "lenient")]
    error_id: Option<String>,
    #[serde(rename = "ErrorCode", default, deserialize_with = "lenient")]
    error_code: Option<String>,
    #[serde(rename = "IsSoftError", default, deserialize_with = "lenient")]
    is_soft_error: Option<String>,
    // RFC 7644 §3.12.
    #[serde(rename = "scimType", default, deserialize_with = "lenient")]
    scim_type: Option<String>,
    #[serde(default, deserialize_with = "lenient")]
    detail: Option<String>,
    // RFC 6749 §5.2.
    #[serde(default, deserialize_with = "lenient")]
    error: Option<String>,
    #[serde(default, deserialize_with = "lenient")]
    error_description: Option<String>,
}

/// Reads any JSON value as optional text: strings as they are, `null` as `None`, and anything
/// else (a numeric `ErrorCode`, say) as its JSON text.
fn lenient<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Option<String>, D::Error> {
    Ok(match Option::<Value>::deserialize(deserializer)? {
        None | Some(Value::Null) => None,
        Some(Value::String(text)) => Some(text),
        Some(other) => Some(other.to_string()),
    })
}

/// Decodes an answer for `operation` according to its convention.
///
/// The caller has already dealt with 401 (token refresh) and 429 (retries); every other status
/// arrives here. Only the last step, reading the output type from its JSON, is generic: finding
/// that JSON (unwrapping the envelope, reading a failure) and describing a decode failure are
/// compiled once for every output type.
pub(crate) fn decode<T: DeserializeOwned>(
    operation: &'static Operation,
    status: u16,
    body: &[u8],
) -> Result<T, Error> {
    let output = locate(operation, status, body)?;
    serde_json::from_slice::<T>(output.json).map_err(|e| output.failure(body, &e))
}

/// Where an answer's output is: its JSON (the whole body, or the envelope's `Result`) and what
/// a decode failure must say about it.
struct Output<'a> {
    operation: &'static str,
    status: u16,
    json: &'a [u8],
    /// The JSON path of `json` in the body, when it is not the body itself.
    prefix: Option<&'static str>,
}

impl Output<'_> {
    /// The decode error for `error`, raised while reading this output from `json`: the JSON path
    /// of the failure (found from the error's position, see `json_path`) and an excerpt of the
    /// whole `body`.
    fn failure(&self, body: &[u8], error: &serde_json::Error) -> Error {
        Error::Decode {
            operation: self.operation,
            path: join_path(
                self.prefix,
                &json_path::error_path(self.json, error, usize::MAX),
            ),
            // serde_json stops at its recursion limit with a terse "recursion limit exceeded";
            // say what the limit is about. The scan runs only on this failure path.
            message: if bounds::too_deep(self.json) {
                bounds::too_deep_message()
            } else {
                strip_position(error)
            },
            excerpt: redact::excerpt(body),
            status: self.status,
        }
    }
}

/// Finds the output's JSON in an answer according to the operation's convention, or the error
/// the answer stands for.
fn locate<'a>(
    operation: &'static Operation,
    status: u16,
    body: &'a [u8],
) -> Result<Output<'a>, Error> {
    let ok = (200..300).contains(&status);
    match operation.convention {
        Convention::Envelope => locate_in_envelope(operation.id, status, body),
        Convention::Scim | Convention::OAuth | Convention::Plain | Convention::Vault if ok => {
            // 204 No Content (a SCIM delete) decodes from `null`, so an output of `()` works.
            let json = if body.iter().all(u8::is_ascii_whitespace) {
                b"null".as_slice()
            } else {
                body
            };
            Ok(Output {
                operation: operation.id,
                status,
                json,
                prefix: None,
            })
        }
        Convention::Scim | Convention::OAuth | Convention::Plain | Convention::Vault => {
            Err(api_error(operation.id, status, body).into())
        }
    }
}

fn locate_in_envelope<'a>(
    operation: &'static str,
    status: u16,
    body: &'a [u8],
) -> Result<Output<'a>, Error> {
    let ok = (200..300).contains(&status);
    let not_an_envelope = |path: String, e: &serde_json::Error| Error::Decode {
        operation,
        path,
        message: if bounds::too_deep(body) {
            bounds::too_deep_message()
        } else {
            format!(
                "the answer is not an Identity envelope: {}",
                strip_position(e)
            )
        },
        excerpt: redact::excerpt(body),
        status,
    };
    let envelope = match serde_json::from_slice::<Envelope<'_>>(body) {
        Ok(envelope) => envelope,
        Err(_) if !ok => return Err(api_error(operation, status, body).into()),
        // Say where a cut-off or malformed body broke (`Result`, `Message`, …). The envelope
        // reads `Result` raw, so the path stops at the envelope's own fields.
        Err(e) => return Err(not_an_envelope(json_path::error_path(body, &e, 1), &e)),
    };
    match envelope.success {
        Some(true) if ok => Ok(Output {
            operation,
            status,
            json: envelope.result.map_or("null", RawValue::get).as_bytes(),
            prefix: Some("Result"),
        }),
        // The failure fields are read in a second pass, only on this rare path, so the common
        // path does not pay for them.
        Some(_) => Err(api_error(operation, status, body).into()),
        None if !ok => Err(api_error(operation, status, body).into()),
        None => Err(Error::Decode {
            operation,
            path: "success".to_owned(),
            message: "the answer is not an Identity envelope: the field `success` is missing"
                .to_owned(),
            excerpt: redact::excerpt(body),
            status,
        }),
    }
}

/// Joins a prefix such as `Result` with a JSON path such as `Results[3].Row.Name` (or `.`, the
/// name of the value itself).
fn join_path(prefix: Option<&str>, path: &str) -> String {
    match (prefix, path) {
        (None, path) => path.to_owned(),
        (Some(prefix), ".") => prefix.to_owned(),
        (Some(prefix), path) if path.starts_with('[') => format!("{prefix}{path}"),
        (Some(prefix), path) => format!("{prefix}.{path}"),
    }
}

/// Drops serde_json's "at line 1 column 42": the position is relative to `Result`, not to the
/// body, so it would mislead; the JSON path says where the problem is.
fn strip_position(error: &serde_json::Error) -> String {
    let text = error.to_string();
    match text.rfind(" at line ") {
        Some(cut) => text[..cut].to_owned(),
        None => text,
    }
}

/// Builds the API error for a failed answer of any convention: the envelope's fields, a SCIM
/// error, an OAuth error, a Vault error, or (for anything else, such as an HTML error page) a
/// body excerpt.
pub(crate) fn api_error(operation: &'static str, status: u16, body: &[u8]) -> ApiError {
    let fields = serde_json::from_slice::<ErrorFields>(body).unwrap_or_default();
    api_error_from_fields(operation, status, fields, body)
}

/// The Vault's error fields (`ErrorCode`, `ErrorMessage`, `Details`), read from a JSON object
/// whatever their casing: the sources disagree (`pvwa-api.md` §13.5, `errorCode` in some
/// Privilege Cloud answers), and a failure report must never itself fail to decode.
#[derive(Default)]
struct VaultFields {
    code: Option<String>,
    message: Option<String>,
    details: Vec<ErrorDetail>,
}

impl VaultFields {
    fn read(body: &[u8]) -> Self {
        // Only an object can carry them; anything else (an HTML page, a bare string) has none.
        if body.iter().find(|b| !b.is_ascii_whitespace()) != Some(&b'{') {
            return VaultFields::default();
        }
        match serde_json::from_slice::<Value>(body) {
            Ok(Value::Object(map)) => VaultFields {
                code: text_field(&map, "ErrorCode"),
                message: text_field(&map, "ErrorMessage"),
                details: match field(&map, "Details") {
                    Some(Value::Array(items)) => items
                        .iter()
                        .filter_map(Value::as_object)
                        .map(|item| ErrorDetail {
                            error_code: text_field(item, "ErrorCode"),
                            message: text_field(item, "ErrorMessage"),
                            parameter_name: text_field(item, "ParameterName"),
                        })
                        .collect(),
                    // A single object where a list was expected: keep it rather than lose it.
                    Some(Value::Object(item)) => vec![ErrorDetail {
                        error_code: text_field(item, "ErrorCode"),
                        message: text_field(item, "ErrorMessage"),
                        parameter_name: text_field(item, "ParameterName"),
                    }],
                    _ => Vec::new(),
                },
            },
            _ => VaultFields::default(),
        }
    }
}

/// The value of `name` in `map`, matching the key without regard to ASCII case.
fn field<'a>(map: &'a serde_json::Map<String, Value>, name: &str) -> Option<&'a Value> {
    map.get(name).or_else(|| {
        map.iter()
            .find(|(key, _)| key.eq_ignore_ascii_case(name))
            .map(|(_, value)| value)
    })
}

/// A field read leniently as text: strings as they are, `null` as absent, anything else as its
/// JSON text.
fn text_field(map: &serde_json::Map<String, Value>, name: &str) -> Option<String> {
    match field(map, name)? {
        Value::Null => None,
        Value::String(text) => Some(text.clone()),
        other => Some(other.to_string()),
    }
}

fn api_error_from_fields(
    operation: &'static str,
    status: u16,
    fields: ErrorFields,
    body: &[u8],
) -> ApiError {
    let vault = VaultFields::read(body);
    let message = fields
        .message
        .or(vault.message)
        .or(fields.detail)
        .or(fields.error_description)
        .or_else(|| {
            let excerpt = redact::excerpt(body);
            (!excerpt.is_empty()).then_some(excerpt)
        });
    ApiError {
        operation,
        status,
        message,
        message_id: fields.message_id,
        error_id: fields.error_id,
        error_code: fields
            .error_code
            .or(vault.code)
            .or(fields.scim_type)
            .or(fields.error),
        details: vault.details,
        is_soft_error: fields
            .is_soft_error
            .is_some_and(|s| s.eq_ignore_ascii_case("true")),
        exception: fields.exception,
    }
}

/// A human-readable reason from a refusal body (envelope `Message`, OAuth
/// `error: error_description`, SCIM `detail`), or a redacted excerpt.
pub(crate) fn refusal_reason(body: &[u8]) -> Option<String> {
    let fields = serde_json::from_slice::<ErrorFields>(body).unwrap_or_default();
    match (fields.error, fields.error_description) {
        (Some(error), Some(description)) => return Some(format!("{error}: {description}")),
        (Some(error), None) => return Some(error),
        (None, Some(description)) => return Some(description),
        (None, None) => {}
    }
    fields
        .message
        .or_else(|| VaultFields::read(body).message)
        .or(fields.detail)
        .or_else(|| {
            let excerpt = redact::excerpt(body);
            (!excerpt.is_empty()).then_some(excerpt)
        })
}

#[cfg(test)]
#[path = "envelope_tests.rs"]
mod tests;
