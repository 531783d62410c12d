//! Conversion of OpenAPI 3.0 Schema Objects into JSON Schema (draft 2020-12).
//!
//! OpenAPI 3.0 schemas are a dialect of JSON Schema draft 4/5 with their own keywords, so a JSON
//! Schema validator cannot read them as they are. The differences that matter for validating
//! examples are handled here:
//!
//! - `nullable: true` allows `null`: a `type` becomes a type array, an `enum` gains `null`, and a
//!   `$ref` or a composition (`allOf`, `anyOf`, `oneOf`, `not`) is wrapped in
//!   `anyOf: [<schema>, {type: null}]` because adding `null` to its type would not let `null`
//!   through the subschemas.
//! - `#/components/schemas/X` references become `#/$defs/X`, and [`json_schema_for`] puts every
//!   converted component schema under `$defs` of the root, so the result is self-contained.
//! - Siblings of `$ref` are ignored, as OpenAPI 3.0 says (only `nullable` is honoured, because
//!   curated specs use it to say a referenced object may be `null`).
//! - OpenAPI-only keywords (`x-*`, `example`, `discriminator`, `xml`, `externalDocs`,
//!   `deprecated`, `readOnly`, `writeOnly`) are dropped, and so is `format: binary`, which
//!   describes bytes that JSON examples cannot hold.
//! - Draft 4 boolean `exclusiveMinimum`/`exclusiveMaximum` become the numeric form.

use serde_json::{Map, Value, json};

/// The JSON Schema dialect the converted schemas are written in.
pub const DIALECT: &str = "https://json-schema.org/draft/2020-12/schema";

const COMPONENT_SCHEMAS: &str = "#/components/schemas/";
const DEFS: &str = "#/$defs/";

/// Keywords that exist only in OpenAPI and would mean nothing (or something else) to a JSON
/// Schema validator.
const OPENAPI_ONLY: [&str; 8] = [
    "example",
    "discriminator",
    "xml",
    "externalDocs",
    "deprecated",
    "readOnly",
    "writeOnly",
    "nullable",
];

/// Keywords whose value is one subschema.
const ONE_SCHEMA: [&str; 3] = ["items", "not", "additionalProperties"];
/// Keywords whose value is a list of subschemas.
const SCHEMA_LISTS: [&str; 3] = ["allOf", "anyOf", "oneOf"];
/// Keywords that, beside `nullable`, would reject `null` even when the type allows it.
const COMPOSITIONS: [&str; 4] = ["allOf", "anyOf", "oneOf", "not"];

/// Converts one OpenAPI 3.0 Schema Object into a JSON Schema 2020-12 schema.
///
/// References to `#/components/schemas/X` are rewritten to `#/$defs/X`; use [`json_schema_for`]
/// to get a schema whose `$defs` hold those targets.
pub fn to_json_schema(schema: &Value) -> Value {
    let Value::Object(object) = schema else {
        // Booleans are valid JSON Schemas already; anything else is not a schema, and leaving it
        // alone lets the validator's own schema check report it.
        return schema.clone();
    };
    let nullable = object.get("nullable") == Some(&Value::Bool(true));

    if let Some(reference) = object.get("$ref") {
        let target = match reference {
            Value::String(r) => Value::String(rewrite_ref(r)),
            other => other.clone(),
        };
        let converted = json!({ "$ref": target });
        return if nullable {
            json!({ "anyOf": [converted, { "type": "null" }] })
        } else {
            converted
        };
    }

    let mut out = Map::new();
    for (key, value) in object {
        if key.starts_with("x-") || OPENAPI_ONLY.contains(&key.as_str()) {
            continue;
        }
        let converted = match key.as_str() {
            "format" if value == "binary" => continue,
            "properties" => match value {
                Value::Object(properties) => Value::Object(
                    properties
                        .iter()
                        .map(|(name, property)| (name.clone(), to_json_schema(property)))
                        .collect(),
                ),
                other => other.clone(),
            },
            k if ONE_SCHEMA.contains(&k) => to_json_schema(value),
            k if SCHEMA_LISTS.contains(&k) => match value {
                Value::Array(items) => Value::Array(items.iter().map(to_json_schema).collect()),
                other => other.clone(),
            },
            _ => value.clone(),
        };
        out.insert(key.clone(), converted);
    }
    exclusive_bound(&mut out, "exclusiveMinimum", "minimum");
    exclusive_bound(&mut out, "exclusiveMaximum", "maximum");

    if !nullable {
        return Value::Object(out);
    }
    if COMPOSITIONS.iter().any(|k| out.contains_key(*k)) {
        return json!({ "anyOf": [Value::Object(out), { "type": "null" }] });
    }
    if let Some(Value::String(ty)) = out.get("type") {
        let types = json!([ty, "null"]);
        out.insert("type".to_owned(), types);
    }
    // Written without a let-chain so the crate keeps building on the workspace's MSRV (1.85).
    match out.get_mut("enum") {
        Some(Value::Array(values)) if !values.contains(&Value::Null) => values.push(Value::Null),
        _ => {}
    }
    Value::Object(out)
}

/// Converts `schema` and attaches every schema of `components/schemas` of `document` (converted)
/// under `$defs`, giving one self-contained JSON Schema a validator can compile.
///
/// References that do not resolve inside the result (a missing component, another file) are
/// replaced by the schema that accepts everything: the reference check reports them, and a
/// validator that refused to compile would hide every other problem of the example.
pub fn json_schema_for(schema: &Value, document: &Value) -> Value {
    bundle(schema, &component_defs(document))
}

/// The converted `components/schemas` of `document`, keyed by name, as [`bundle`] takes them.
/// Computing them once lets many schemas of one document share the work.
pub fn component_defs(document: &Value) -> Map<String, Value> {
    let defs: Map<String, Value> = document
        .pointer("/components/schemas")
        .and_then(Value::as_object)
        .map(|schemas| {
            schemas
                .iter()
                .map(|(name, s)| (name.clone(), to_json_schema(s)))
                .collect()
        })
        .unwrap_or_default();
    let mut root = json!({ "$defs": defs });
    let snapshot = root.clone();
    neutralize_dangling(&mut root, &snapshot);
    match root {
        Value::Object(mut object) => match object.remove("$defs") {
            Some(Value::Object(defs)) => defs,
            _ => Map::new(),
        },
        _ => Map::new(),
    }
}

/// Converts `schema` and roots it beside `defs` (from [`component_defs`]) so that its
/// `#/$defs/X` references resolve.
pub fn bundle(schema: &Value, defs: &Map<String, Value>) -> Value {
    let mut root = Map::new();
    root.insert("$schema".to_owned(), Value::String(DIALECT.to_owned()));
    root.insert("$defs".to_owned(), Value::Object(defs.clone()));
    let mut root = Value::Object(root);
    let mut converted = to_json_schema(schema);
    neutralize_dangling(&mut converted, &root);
    // The schema itself goes under `allOf` so that none of its keywords can clash with `$defs`
    // or `$schema`; `allOf` reports its subschema's errors unchanged.
    if let Value::Object(object) = &mut root {
        object.insert("allOf".to_owned(), json!([converted]));
    }
    root
}

/// Converts each of `schemas` and roots them all beside `defs`, each under a `$defs` entry of
/// its own, so that one compiled validator map serves them all; compiling the shared `$defs`
/// once instead of once per schema is what keeps the checks fast. Returns the root and, for each
/// schema, the URI-fragment pointer (`#/$defs/...`) of its entry.
pub fn bundle_all(schemas: &[&Value], defs: &Map<String, Value>) -> (Value, Vec<String>) {
    let mut all = defs.clone();
    let mut pointers = Vec::with_capacity(schemas.len());
    let mut names = Vec::with_capacity(schemas.len());
    for i in 0..schemas.len() {
        // The names only need to differ from the components' names (and contain nothing a
        // JSON pointer would escape).
        let mut name = format!("openapi-site-{i}");
        while defs.contains_key(&name) {
            name.push('_');
        }
        pointers.push(format!("{DEFS}{name}"));
        names.push(name);
    }
    let mut root = json!({ "$schema": DIALECT, "$defs": all.clone() });
    let converted: Vec<Value> = schemas.iter().map(|s| to_json_schema(s)).collect();
    for (name, mut schema) in names.into_iter().zip(converted) {
        neutralize_dangling(&mut schema, &root);
        all.insert(name, schema);
    }
    if let Value::Object(object) = &mut root {
        object.insert("$defs".to_owned(), Value::Object(all));
    }
    (root, pointers)
}

fn rewrite_ref(reference: &str) -> String {
    match reference.strip_prefix(COMPONENT_SCHEMAS) {
        Some(name) => format!("{DEFS}{name}"),
        None => reference.to_owned(),
    }
}

/// OpenAPI 3.0 (like JSON Schema draft 4) writes `exclusiveMinimum: true` beside `minimum`;
/// newer drafts write the bound itself as `exclusiveMinimum`.
fn exclusive_bound(schema: &mut Map<String, Value>, exclusive: &str, inclusive: &str) {
    match schema.get(exclusive) {
        Some(Value::Bool(true)) => {
            if let Some(bound) = schema.remove(inclusive) {
                schema.insert(exclusive.to_owned(), bound);
            } else {
                schema.remove(exclusive);
            }
        }
        Some(Value::Bool(false)) => {
            schema.remove(exclusive);
        }
        _ => {}
    }
}

fn neutralize_dangling(value: &mut Value, root: &Value) {
    match value {
        Value::Object(object) => {
            let dangling = match object.get("$ref") {
                Some(Value::String(r)) => {
                    crate::check::document::resolve(root, r).is_err() || !r.starts_with(DEFS)
                }
                Some(_) => true,
                None => false,
            };
            if dangling {
                object.remove("$ref");
            }
            for child in object.values_mut() {
                neutralize_dangling(child, root);
            }
        }
        Value::Array(items) => {
            for item in items {
                neutralize_dangling(item, root);
            }
        }
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn validator(schema: &Value, document: &Value) -> jsonschema::Validator {
        jsonschema::options()
            .with_draft(jsonschema::Draft::Draft202012)
            .should_validate_formats(true)
            .build(&json_schema_for(schema, document))
            .unwrap()
    }

    #[test]
    fn nullable_type_becomes_a_type_array() {
        let converted = to_json_schema(&json!({"type": "string", "nullable": true}));
        assert_eq!(converted, json!({"type": ["string", "null"]}));
        let v = validator(&json!({"type": "string", "nullable": true}), &json!({}));
        assert!(v.is_valid(&json!(null)));
        assert!(v.is_valid(&json!("a")));
        assert!(!v.is_valid(&json!(1)));
    }

    #[test]
    fn without_nullable_null_is_rejected() {
        let v = validator(&json!({"type": "integer"}), &json!({}));
        assert!(!v.is_valid(&json!(null)));
    }

    #[test]
    fn component_refs_point_into_defs() {
        let doc = json!({"components": {"schemas": {
            "Org": {"type": "object", "required": ["Name"], "properties": {"Name": {"type": "string"}}},
        }}});
        let schema = json!({"type": "array", "items": {"$ref": "#/components/schemas/Org"}});
        assert_eq!(
            to_json_schema(&schema),
            json!({"type": "array", "items": {"$ref": "#/$defs/Org"}})
        );
        let v = validator(&schema, &doc);
        assert!(v.is_valid(&json!([{"Name": "a"}])));
        let instance = json!([{"Name": 5}]);
        let errors: Vec<_> = v.iter_errors(&instance).collect();
        assert_eq!(errors.len(), 1);
        assert_eq!(errors[0].instance_path().as_str(), "/0/Name");
    }

    #[test]
    fn nullable_ref_accepts_null_and_ignores_other_siblings() {
        let schema =
            json!({"$ref": "#/components/schemas/Org", "nullable": true, "description": "d"});
        assert_eq!(
            to_json_schema(&schema),
            json!({"anyOf": [{"$ref": "#/$defs/Org"}, {"type": "null"}]})
        );
        let doc = json!({"components": {"schemas": {"Org": {"type": "object"}}}});
        let v = validator(&schema, &doc);
        assert!(v.is_valid(&json!(null)));
        assert!(v.is_valid(&json!({})));
        assert!(!v.is_valid(&json!("org")));
    }

    #[test]
    fn nullable_enum_gains_null() {
        let schema = json!({"type": "string", "enum": ["A", "B"], "nullable": true});
        assert_eq!(
            to_json_schema(&schema),
            json!({"type": ["string", "null"], "enum": ["A", "B", null]})
        );
        let v = validator(&schema, &json!({}));
        assert!(v.is_valid(&json!(null)));
        assert!(!v.is_valid(&json!("C")));
    }

    #[test]
    fn enum_of_null_alone_is_the_empty_result() {
        // The spec's way of saying "Result: null": no type, only `null` allowed.
        let schema = json!({"nullable": true, "enum": [null]});
        assert_eq!(to_json_schema(&schema), json!({"enum": [null]}));
        let v = validator(&schema, &json!({}));
        assert!(v.is_valid(&json!(null)));
        assert!(!v.is_valid(&json!({})));
    }

    #[test]
    fn nullable_composition_is_wrapped() {
        let schema = json!({"nullable": true, "allOf": [{"$ref": "#/components/schemas/Org"}]});
        let doc = json!({"components": {"schemas": {"Org": {"type": "object"}}}});
        let v = validator(&schema, &doc);
        assert!(v.is_valid(&json!(null)));
        assert!(!v.is_valid(&json!(1)));
    }

    #[test]
    fn openapi_keywords_are_dropped_but_property_names_are_kept() {
        let schema = json!({
            "type": "object",
            "x-cyberark-null-clears": true,
            "example": {"example": 1},
            "discriminator": {"propertyName": "kind"},
            "readOnly": true,
            "properties": {
                "example": {"type": "integer", "deprecated": true},
                "x-thing": {"type": "string", "format": "binary", "x-cyberark-secret": true},
            },
        });
        assert_eq!(
            to_json_schema(&schema),
            json!({"type": "object", "properties": {
                "example": {"type": "integer"},
                "x-thing": {"type": "string"},
            }})
        );
    }

    #[test]
    fn boolean_exclusive_bounds_become_numeric() {
        let schema = json!({"type": "integer", "minimum": 0, "exclusiveMinimum": true, "maximum": 9, "exclusiveMaximum": false});
        assert_eq!(
            to_json_schema(&schema),
            json!({"type": "integer", "exclusiveMinimum": 0, "maximum": 9})
        );
    }

    #[test]
    fn dangling_refs_accept_anything_instead_of_failing_to_compile() {
        let schema = json!({"properties": {"a": {"$ref": "#/components/schemas/Missing"}, "b": {"$ref": "other.yaml#/X"}}});
        let v = validator(&schema, &json!({}));
        assert!(v.is_valid(&json!({"a": 1, "b": 2})));
    }

    #[test]
    fn formats_are_checked_except_binary() {
        let v = validator(
            &json!({"type": "string", "format": "date-time"}),
            &json!({}),
        );
        assert!(!v.is_valid(&json!("yesterday")));
        let v = validator(&json!({"type": "string", "format": "binary"}), &json!({}));
        assert!(v.is_valid(&json!("\u{0}\u{1}")));
    }
}
