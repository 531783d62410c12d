//! Reading Vault requests (query strings and JSON bodies, with names matched case-insensitively
//! as the PVWA does) and the Vault's error answer.

use crate::envelope::Reply;
use serde_json::{Map, Value, json};

/// A Vault error: status, `ErrorCode`, `ErrorMessage` and optional `Details`.
#[derive(Debug, Clone)]
pub struct VaultError {
    /// HTTP status.
    pub status: u16,
    /// `ErrorCode`.
    pub code: &'static str,
    /// `ErrorMessage`.
    pub message: String,
    /// `Details` (parameter name, message), for `PASWS167E`.
    pub details: Vec<(String, String)>,
}

impl VaultError {
    /// An error without details.
    pub fn new(status: u16, code: &'static str, message: impl Into<String>) -> Self {
        Self {
            status,
            code,
            message: message.into(),
            details: Vec::new(),
        }
    }

    /// 400 `PASWS167E` naming one invalid parameter (`PASWS011E` when it is missing).
    pub fn invalid(parameter: &str, message: impl Into<String>) -> Self {
        Self {
            details: vec![(parameter.to_owned(), message.into())],
            ..Self::new(400, "PASWS167E", "There are some invalid parameters")
        }
    }

    /// 400 for a missing mandatory parameter.
    pub fn missing(parameter: &str) -> Self {
        Self::invalid(
            parameter,
            format!("Missing mandatory parameter [{parameter}]."),
        )
    }

    /// 401: no, an invalid or an expired token.
    pub fn unauthorized() -> Self {
        Self::new(
            401,
            "PASWS006E",
            "The session token is missing, invalid or expired.",
        )
    }

    /// 403: the caller lacks a permission.
    pub fn forbidden(what: impl Into<String>) -> Self {
        Self::new(
            403,
            "PASWS041E",
            format!(
                "You are not authorized to perform this action: {}.",
                what.into()
            ),
        )
    }

    /// 404 of an account.
    pub fn account_not_found(id: &str) -> Self {
        Self::new(404, "PASWS039E", format!("Account [{id}] was not found."))
    }

    /// 404 of anything else (a sandbox code; the real codes are not documented).
    pub fn not_found(kind: &str, id: &str) -> Self {
        Self::new(404, "SBXVA404E", format!("{kind} [{id}] was not found."))
    }

    /// 409 of an object that exists (a sandbox code unless the caller picks a documented one).
    pub fn conflict(code: &'static str, message: impl Into<String>) -> Self {
        Self::new(409, code, message)
    }

    /// The HTTP answer.
    pub fn reply(&self) -> Reply {
        let mut body = json!({"ErrorCode": self.code, "ErrorMessage": self.message});
        if !self.details.is_empty()
            && let Some(map) = body.as_object_mut()
        {
            let details: Vec<Value> = self
                .details
                .iter()
                .map(|(p, m)| {
                    json!({"ErrorCode": if m.starts_with("Missing") { "PASWS011E" } else { "PASWS168E" },
                           "ErrorMessage": m, "ParameterName": p})
                })
                .collect();
            map.insert("Details".into(), Value::Array(details));
        }
        Reply::json(self.status, &body)
    }
}

/// Decodes `%XX` escapes of a path segment or query value.
pub fn percent_decode(segment: &str) -> String {
    fn hex(b: u8) -> Option<u8> {
        (b as char).to_digit(16).map(|d| d as u8)
    }
    let bytes = segment.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%'
            && i + 3 <= bytes.len()
            && let (Some(hi), Some(lo)) = (hex(bytes[i + 1]), hex(bytes[i + 2]))
        {
            out.push(hi * 16 + lo);
            i += 3;
            continue;
        }
        out.push(bytes[i]);
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// Query parameters, looked up case-insensitively.
#[derive(Debug, Default, Clone)]
pub struct Query(Vec<(String, String)>);

impl Query {
    /// Parses a raw query string.
    pub fn parse(raw: Option<&str>) -> Result<Self, VaultError> {
        let Some(raw) = raw else {
            return Ok(Self::default());
        };
        serde_urlencoded::from_str::<Vec<(String, String)>>(raw)
            .map(Self)
            .map_err(|e| {
                VaultError::invalid("query", format!("The query string is malformed: {e}"))
            })
    }

    /// Fails when a parameter is repeated: the spec gives each one a single value.
    pub fn single(&self) -> Result<(), VaultError> {
        for (i, (k, _)) in self.0.iter().enumerate() {
            if self.0[..i].iter().any(|(p, _)| p.eq_ignore_ascii_case(k)) {
                return Err(VaultError::invalid(
                    k,
                    format!("The parameter {k} is repeated."),
                ));
            }
        }
        Ok(())
    }

    /// A parameter's value.
    pub fn get(&self, name: &str) -> Option<&str> {
        self.0
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    /// An integer parameter within bounds.
    pub fn int(&self, name: &str, min: i64, max: i64) -> Result<Option<i64>, VaultError> {
        let Some(v) = self.get(name) else {
            return Ok(None);
        };
        match v.trim().parse::<i64>() {
            Ok(n) if (min..=max).contains(&n) => Ok(Some(n)),
            _ => Err(VaultError::invalid(
                name,
                format!("The value '{v}' is not valid for {name}."),
            )),
        }
    }

    /// A boolean parameter (`true`/`false`, any case).
    pub fn bool(&self, name: &str) -> Result<Option<bool>, VaultError> {
        match self.get(name).map(str::to_ascii_lowercase).as_deref() {
            None => Ok(None),
            Some("true") => Ok(Some(true)),
            Some("false") => Ok(Some(false)),
            Some(other) => Err(VaultError::invalid(
                name,
                format!("The value '{other}' is not valid for {name}."),
            )),
        }
    }
}

/// The body as JSON; an empty body is `null` (an optional body that was left out).
pub fn parse_body(bytes: &[u8]) -> Result<Value, VaultError> {
    if bytes.iter().all(u8::is_ascii_whitespace) {
        return Ok(Value::Null);
    }
    match serde_json::from_slice(bytes) {
        // A literal `null` is a body of the wrong type, not a missing one.
        Ok(Value::Null) => Err(VaultError::invalid(
            "body",
            "The request body must not be null.",
        )),
        Ok(value) => Ok(value),
        Err(e) => Err(VaultError::invalid(
            "body",
            format!("The request body is not valid JSON: {e}"),
        )),
    }
}

/// The body as an object; a missing body counts as an empty object.
pub fn object(body: &Value) -> Result<Map<String, Value>, VaultError> {
    match body {
        Value::Null => Ok(Map::new()),
        Value::Object(map) => Ok(map.clone()),
        _ => Err(VaultError::invalid(
            "body",
            "The request body must be a JSON object.",
        )),
    }
}

/// A field, matched case-insensitively.
pub fn field<'a>(map: &'a Map<String, Value>, name: &str) -> Option<&'a Value> {
    map.get(name).or_else(|| {
        map.iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v)
    })
}

/// An optional string field (`null` is not a string and is refused, as the spec types it).
pub fn string(map: &Map<String, Value>, name: &str) -> Result<Option<String>, VaultError> {
    match field(map, name) {
        None => Ok(None),
        Some(Value::String(s)) => Ok(Some(s.clone())),
        Some(_) => Err(VaultError::invalid(
            name,
            format!("The value of {name} must be a string."),
        )),
    }
}

/// A mandatory, non-empty string field.
pub fn required(map: &Map<String, Value>, name: &str) -> Result<String, VaultError> {
    match string(map, name)? {
        Some(s) if !s.trim().is_empty() => Ok(s),
        _ => Err(VaultError::missing(name)),
    }
}

/// An optional boolean field; the strings `"true"`/`"false"` are accepted as clients send them.
pub fn boolean(map: &Map<String, Value>, name: &str) -> Result<Option<bool>, VaultError> {
    match field(map, name) {
        None => Ok(None),
        Some(Value::Bool(b)) => Ok(Some(*b)),
        Some(Value::String(s)) if s.eq_ignore_ascii_case("true") => Ok(Some(true)),
        Some(Value::String(s)) if s.eq_ignore_ascii_case("false") => Ok(Some(false)),
        Some(_) => Err(VaultError::invalid(
            name,
            format!("The value of {name} must be a boolean."),
        )),
    }
}

/// An optional integer field.
pub fn integer(map: &Map<String, Value>, name: &str) -> Result<Option<i64>, VaultError> {
    match field(map, name) {
        None => Ok(None),
        Some(v) => v.as_i64().map(Some).ok_or_else(|| {
            VaultError::invalid(name, format!("The value of {name} must be an integer."))
        }),
    }
}
