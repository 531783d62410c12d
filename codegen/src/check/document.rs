//! The raw document: YAML parsing into JSON values, JSON pointers, and the list of operations.
//!
//! The checks work on `serde_json::Value` rather than on `openapiv3` types so that they can
//! report exactly where a problem sits (a JSON pointer into the file) even when the document is
//! too broken for a typed model to load.

use serde_json::{Map, Number, Value};

/// The HTTP methods an OpenAPI 3.0 path item may hold, in the order findings are reported.
pub(crate) const METHODS: [&str; 8] = [
    "get", "put", "post", "delete", "options", "head", "patch", "trace",
];

/// Parses YAML (or JSON, which is YAML) into a JSON value.
///
/// YAML allows what JSON does not, so the conversion is checked: mapping keys that are numbers
/// or booleans (an unquoted `200:` status code is the usual case) become their string form, as
/// every OpenAPI tool reads them, while non-scalar keys and non-finite numbers are errors. The
/// error carries the JSON pointer of the offending node and a message.
pub(crate) fn parse_yaml(source: &str) -> Result<Value, (String, String)> {
    let yaml: serde_yaml_ng::Value =
        serde_yaml_ng::from_str(source).map_err(|e| (String::new(), e.to_string()))?;
    to_json(yaml, "")
}

fn to_json(yaml: serde_yaml_ng::Value, pointer: &str) -> Result<Value, (String, String)> {
    use serde_yaml_ng::Value as Y;
    Ok(match yaml {
        Y::Null => Value::Null,
        Y::Bool(b) => Value::Bool(b),
        Y::Number(n) => Value::Number(yaml_number(&n).ok_or_else(|| {
            (
                pointer.to_owned(),
                format!("the number {n} cannot be represented in JSON"),
            )
        })?),
        Y::String(s) => Value::String(s),
        Y::Sequence(items) => Value::Array(
            items
                .into_iter()
                .enumerate()
                .map(|(i, item)| to_json(item, &join(pointer, &i.to_string())))
                .collect::<Result<_, _>>()?,
        ),
        Y::Mapping(mapping) => {
            let mut object = Map::new();
            for (key, value) in mapping {
                let key = match key {
                    Y::String(s) => s,
                    Y::Number(n) => n.to_string(),
                    Y::Bool(b) => b.to_string(),
                    other => {
                        return Err((
                            pointer.to_owned(),
                            format!("mapping key {other:?} is not a string"),
                        ));
                    }
                };
                let child = to_json(value, &join(pointer, &key))?;
                object.insert(key, child);
            }
            Value::Object(object)
        }
        // A YAML tag has no meaning in OpenAPI; the tagged value is what a JSON reader sees.
        Y::Tagged(tagged) => to_json(tagged.value, pointer)?,
    })
}

fn yaml_number(n: &serde_yaml_ng::Number) -> Option<Number> {
    if let Some(i) = n.as_i64() {
        Some(Number::from(i))
    } else if let Some(u) = n.as_u64() {
        Some(Number::from(u))
    } else {
        n.as_f64().and_then(Number::from_f64)
    }
}

/// Escapes one reference token of a JSON pointer (RFC 6901): `~` becomes `~0`, `/` becomes `~1`.
pub(crate) fn escape(token: &str) -> String {
    token.replace('~', "~0").replace('/', "~1")
}

/// Appends one (unescaped) token to a JSON pointer.
pub(crate) fn join(pointer: &str, token: &str) -> String {
    format!("{pointer}/{}", escape(token))
}

/// Why a `$ref` does not resolve.
#[derive(Debug, PartialEq, Eq)]
pub(crate) enum RefError {
    /// The reference names another document (or is not a fragment at all).
    NotLocal,
    /// The fragment is not a JSON pointer into this document.
    Missing,
}

/// Resolves a local reference (`#/components/schemas/X`) against the document.
///
/// The fragment is a URI fragment, so percent-escapes are decoded before it is read as a JSON
/// pointer; `~0` and `~1` are then handled by `Value::pointer`.
pub(crate) fn resolve<'a>(document: &'a Value, reference: &str) -> Result<&'a Value, RefError> {
    let fragment = reference.strip_prefix('#').ok_or(RefError::NotLocal)?;
    let pointer = percent_decode(fragment).ok_or(RefError::Missing)?;
    if !pointer.is_empty() && !pointer.starts_with('/') {
        return Err(RefError::Missing);
    }
    document.pointer(&pointer).ok_or(RefError::Missing)
}

/// Follows `$ref`s (at most a few hops, so a cycle cannot hang the checks) to the object they
/// name; anything that does not resolve gives `None`, since the reference check reports it.
pub(crate) fn deref<'a>(document: &'a Value, mut value: &'a Value) -> Option<&'a Value> {
    for _ in 0..8 {
        match value.get("$ref") {
            Some(Value::String(reference)) => value = resolve(document, reference).ok()?,
            Some(_) => return None,
            None => return Some(value),
        }
    }
    None
}

fn percent_decode(text: &str) -> Option<String> {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' {
            let hex = text.get(i + 1..i + 3)?;
            out.push(u8::from_str_radix(hex, 16).ok()?);
            i += 3;
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    String::from_utf8(out).ok()
}

/// One operation of the document, with where it sits.
pub(crate) struct Operation<'a> {
    /// The JSON pointer of the operation object, e.g. `/paths/~1Org~1Create/post`.
    pub pointer: String,
    /// The operation object.
    pub value: &'a Value,
    /// The `operationId`, when it is a non-empty string.
    pub id: Option<&'a str>,
}

/// Every operation under `paths`, in document order.
pub(crate) fn operations(document: &Value) -> Vec<Operation<'_>> {
    let mut out = Vec::new();
    let Some(paths) = document.get("paths").and_then(Value::as_object) else {
        return out;
    };
    for (path, item) in paths {
        for method in METHODS {
            if let Some(value) = item.get(method) {
                out.push(Operation {
                    pointer: join(&join("/paths", path), method),
                    value,
                    id: value
                        .get("operationId")
                        .and_then(Value::as_str)
                        .filter(|id| !id.trim().is_empty()),
                });
            }
        }
    }
    out
}

/// The id of the operation a pointer lies in, if any: findings inside an operation name it.
pub(crate) fn operation_at<'a>(operations: &'a [Operation<'_>], pointer: &str) -> Option<&'a str> {
    operations
        .iter()
        .find(|op| {
            pointer == op.pointer
                || pointer
                    .strip_prefix(op.pointer.as_str())
                    .is_some_and(|rest| rest.starts_with('/'))
        })
        .and_then(|op| op.id)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn numeric_keys_become_strings() {
        let value = parse_yaml("responses:\n  200: {description: ok}\n").unwrap();
        assert_eq!(value, json!({"responses": {"200": {"description": "ok"}}}));
    }

    #[test]
    fn resolves_escaped_and_percent_encoded_pointers() {
        let doc = json!({"paths": {"/a/{id}": {"x": 1}}});
        assert_eq!(resolve(&doc, "#/paths/~1a~1%7Bid%7D/x"), Ok(&json!(1)));
        assert_eq!(resolve(&doc, "#/paths/nope"), Err(RefError::Missing));
        assert_eq!(resolve(&doc, "other.yaml#/x"), Err(RefError::NotLocal));
    }
}
