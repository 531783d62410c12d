//! Lenient request input: JSON bodies and query strings read the way the tenant binds them.
//!
//! The tenant's .NET binder matches names case-insensitively and converts scalars between
//! strings, numbers and booleans; anything it cannot convert is a handled failure
//! (`success: false`), never a framework rejection. These helpers do the same.

use crate::envelope::{ApiError, ErrorKind};
use serde_json::{Map, Value};

/// A parsed JSON object body.
#[derive(Debug, Default)]
pub struct Body {
    map: Map<String, Value>,
}

impl Body {
    /// Parses a body that must be a JSON object; an empty body counts as `{}`.
    pub fn parse(bytes: &[u8]) -> Result<Self, ApiError> {
        if bytes.iter().all(u8::is_ascii_whitespace) {
            return Ok(Self::default());
        }
        match serde_json::from_slice::<Value>(bytes) {
            Ok(Value::Object(map)) => Ok(Self { map }),
            Ok(Value::Null) => Ok(Self::default()),
            Ok(other) => Err(ApiError::new(
                ErrorKind::Json,
                format!(
                    "Cannot deserialize the current JSON {} into an object.",
                    json_kind(&other)
                ),
            )),
            Err(e) => Err(ApiError::new(
                ErrorKind::Json,
                format!("Unexpected character encountered while parsing value: {e}"),
            )),
        }
    }

    /// Wraps an already parsed object (a nested `Args`, for example).
    pub fn from_map(map: Map<String, Value>) -> Self {
        Self { map }
    }

    /// The raw value of a key, matched case-insensitively.
    pub fn get(&self, key: &str) -> Option<&Value> {
        self.map.get(key).or_else(|| {
            self.map
                .iter()
                .find(|(k, _)| k.eq_ignore_ascii_case(key))
                .map(|(_, v)| v)
        })
    }

    /// The entries of the body.
    pub fn entries(&self) -> impl Iterator<Item = (&String, &Value)> {
        self.map.iter()
    }

    /// An optional string; numbers and booleans are converted, null and absence are `None`.
    pub fn str_opt(&self, key: &str) -> Result<Option<String>, ApiError> {
        match self.get(key) {
            None | Some(Value::Null) => Ok(None),
            Some(v) => scalar_string(key, v).map(Some),
        }
    }

    /// A required, non-empty string.
    pub fn str_req(&self, key: &str) -> Result<String, ApiError> {
        match self.str_opt(key)? {
            Some(s) if !s.trim().is_empty() => Ok(s),
            _ => Err(ApiError::missing(key)),
        }
    }

    /// An optional boolean; the strings `true`/`false` (any case) are accepted.
    pub fn bool_opt(&self, key: &str) -> Result<Option<bool>, ApiError> {
        match self.get(key) {
            None | Some(Value::Null) => Ok(None),
            Some(v) => to_bool(v)
                .map(Some)
                .ok_or_else(|| conversion(key, v, "System.Boolean")),
        }
    }

    /// An optional integer; numeric strings are accepted.
    pub fn int_opt(&self, key: &str) -> Result<Option<i64>, ApiError> {
        match self.get(key) {
            None | Some(Value::Null) => Ok(None),
            Some(Value::Number(n)) => n
                .as_i64()
                .map(Some)
                .ok_or_else(|| conversion(key, &Value::Number(n.clone()), "System.Int32")),
            Some(Value::String(s)) => s
                .trim()
                .parse()
                .map(Some)
                .map_err(|_| conversion(key, &Value::String(s.clone()), "System.Int32")),
            Some(v) => Err(conversion(key, v, "System.Int32")),
        }
    }

    /// An optional array; absent and null are `None`.
    pub fn array_opt(&self, key: &str) -> Result<Option<&Vec<Value>>, ApiError> {
        match self.get(key) {
            None | Some(Value::Null) => Ok(None),
            Some(Value::Array(items)) => Ok(Some(items)),
            Some(v) => Err(conversion(key, v, "System.Collections.Generic.List")),
        }
    }

    /// An optional array of strings.
    pub fn string_list_opt(&self, key: &str) -> Result<Option<Vec<String>>, ApiError> {
        let Some(items) = self.array_opt(key)? else {
            return Ok(None);
        };
        items
            .iter()
            .map(|v| scalar_string(key, v))
            .collect::<Result<Vec<_>, _>>()
            .map(Some)
    }

    /// An optional nested object.
    pub fn object_opt(&self, key: &str) -> Result<Option<&Map<String, Value>>, ApiError> {
        match self.get(key) {
            None | Some(Value::Null) => Ok(None),
            Some(Value::Object(m)) => Ok(Some(m)),
            Some(v) => Err(conversion(key, v, "System.Collections.Generic.Dictionary")),
        }
    }
}

/// Reads a field of a nested object the same lenient way (case-insensitive names).
pub fn field<'a>(map: &'a Map<String, Value>, key: &str) -> Option<&'a Value> {
    map.get(key).or_else(|| {
        map.iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(key))
            .map(|(_, v)| v)
    })
}

/// A nested string field (null and absence are `None`).
pub fn field_str(map: &Map<String, Value>, key: &str) -> Result<Option<String>, ApiError> {
    match field(map, key) {
        None | Some(Value::Null) => Ok(None),
        Some(v) => scalar_string(key, v).map(Some),
    }
}

/// A scalar as a string, the way the binder converts it.
pub fn scalar_string(key: &str, v: &Value) -> Result<String, ApiError> {
    match v {
        Value::String(s) => Ok(s.clone()),
        Value::Number(n) => Ok(n.to_string()),
        Value::Bool(b) => Ok(if *b { "True" } else { "False" }.to_owned()),
        other => Err(conversion(key, other, "System.String")),
    }
}

/// A JSON value as a boolean, accepting `"true"`/`"false"` strings.
pub fn to_bool(v: &Value) -> Option<bool> {
    match v {
        Value::Bool(b) => Some(*b),
        Value::String(s) => parse_bool(s),
        _ => None,
    }
}

/// `true`/`false` in any case.
pub fn parse_bool(s: &str) -> Option<bool> {
    match s.trim().to_ascii_lowercase().as_str() {
        "true" => Some(true),
        "false" => Some(false),
        _ => None,
    }
}

fn json_kind(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "boolean",
        Value::Number(_) => "number",
        Value::String(_) => "string",
        Value::Array(_) => "array",
        Value::Object(_) => "object",
    }
}

fn conversion(key: &str, v: &Value, target: &str) -> ApiError {
    ApiError::invalid(format!(
        "Error converting value {} to type '{target}'. Path '{key}'.",
        short(v)
    ))
}

fn short(v: &Value) -> String {
    let text = v.to_string();
    if text.len() > 60 {
        let mut end = 60;
        while !text.is_char_boundary(end) {
            end -= 1;
        }
        format!("{}...", &text[..end])
    } else {
        text
    }
}

/// The parsed query string.
#[derive(Debug, Default)]
pub struct Query {
    pairs: Vec<(String, String)>,
}

impl Query {
    /// Parses a raw query string; undecodable input yields no parameters.
    pub fn parse(raw: Option<&str>) -> Self {
        let pairs = raw
            .and_then(|q| serde_urlencoded::from_str(q).ok())
            .unwrap_or_default();
        Self { pairs }
    }

    /// A parameter, matched case-insensitively (the tenant binds `lockuser` and `lockUser` alike).
    pub fn get(&self, key: &str) -> Option<&str> {
        self.pairs
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(key))
            .map(|(_, v)| v.as_str())
    }

    /// A required, non-empty parameter.
    pub fn req(&self, key: &str) -> Result<&str, ApiError> {
        match self.get(key) {
            Some(v) if !v.trim().is_empty() => Ok(v),
            _ => Err(ApiError::missing(key)),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lenient_body() {
        let b = Body::parse(br#"{"id":"x","Flag":"True","N":"5"}"#).expect("parses");
        assert_eq!(b.str_req("ID").expect("id"), "x");
        assert_eq!(b.bool_opt("flag").expect("flag"), Some(true));
        assert_eq!(b.int_opt("n").expect("n"), Some(5));
        assert!(b.str_req("Missing").is_err());
    }

    #[test]
    fn bad_bodies_are_errors() {
        assert!(Body::parse(b"{not json").is_err());
        assert!(Body::parse(b"[1,2]").is_err());
        assert!(Body::parse(b"").is_ok());
        let b = Body::parse(br#"{"ID":{"a":1}}"#).expect("parses");
        assert!(b.str_opt("ID").is_err());
    }
}
