//! One walk over the whole document for what can sit anywhere: `$ref`s and vendor extensions.
//!
//! The walk knows just enough of OpenAPI's shape to tell keywords from names: under
//! `properties`, `schemas`, `paths`, `responses` and the other maps keyed by user-chosen names, a
//! key such as `example` or `x-cyberark-secret` is a name, not a keyword. Literal data (`example`,
//! `default`, `enum`, an Example Object's `value`, extension values) is never searched for
//! `$ref`s, since a `$ref` key there is data.

use serde_json::Value;

use super::document::{RefError, join, resolve};
use super::{Finding, Rule};

/// Keywords whose object value is a map from user-chosen names to OpenAPI objects.
const NAME_MAPS: [&str; 16] = [
    "properties",
    "schemas",
    "responses",
    "parameters",
    "examples",
    "requestBodies",
    "headers",
    "securitySchemes",
    "links",
    "callbacks",
    "paths",
    "content",
    "encoding",
    "variables",
    "mapping",
    "scopes",
];

/// Keywords whose value is data, not OpenAPI structure.
const LITERALS: [&str; 4] = ["example", "default", "enum", "value"];

/// A vendor extension found in the document.
pub(crate) struct Extension<'a> {
    /// The pointer of the object that carries the extension.
    pub parent: String,
    /// The extension's name, e.g. `x-cyberark-secret`.
    pub name: &'a str,
}

/// What the walk found.
pub(crate) struct Scan<'a> {
    /// Findings about `$ref`s (external, dangling or malformed).
    pub findings: Vec<Finding>,
    /// Every `x-cyberark-*` extension, in document order.
    pub extensions: Vec<Extension<'a>>,
}

/// Walks `document`, checking every `$ref` and collecting the project's vendor extensions.
pub(crate) fn scan(document: &Value) -> Scan<'_> {
    let mut scan = Scan {
        findings: Vec::new(),
        extensions: Vec::new(),
    };
    walk(document, document, "", false, &mut scan);
    scan
}

fn walk<'a>(document: &Value, value: &'a Value, pointer: &str, names: bool, scan: &mut Scan<'a>) {
    match value {
        Value::Object(object) if names => {
            for (name, child) in object {
                walk(document, child, &join(pointer, name), false, scan);
            }
        }
        Value::Object(object) => {
            if let Some(reference) = object.get("$ref") {
                check_ref(document, reference, &join(pointer, "$ref"), scan);
            }
            for (key, child) in object {
                if key.starts_with("x-cyberark-") {
                    scan.extensions.push(Extension {
                        parent: pointer.to_owned(),
                        name: key,
                    });
                }
                if key == "$ref" || key.starts_with("x-") || LITERALS.contains(&key.as_str()) {
                    continue;
                }
                let child_names = child.is_object() && NAME_MAPS.contains(&key.as_str());
                walk(document, child, &join(pointer, key), child_names, scan);
            }
        }
        Value::Array(items) => {
            for (i, item) in items.iter().enumerate() {
                walk(document, item, &join(pointer, &i.to_string()), false, scan);
            }
        }
        _ => {}
    }
}

fn check_ref(document: &Value, reference: &Value, pointer: &str, scan: &mut Scan<'_>) {
    let Value::String(target) = reference else {
        scan.findings.push(Finding::new(
            Rule::DanglingRef,
            pointer,
            format!("`$ref` must be a string, found {reference}"),
        ));
        return;
    };
    match resolve(document, target) {
        Ok(_) => {}
        Err(RefError::NotLocal) => scan.findings.push(Finding::new(
            Rule::ExternalRef,
            pointer,
            format!(
                "`$ref` {target:?} is not local; the spec must be one self-contained file (use `#/...`)"
            ),
        )),
        Err(RefError::Missing) => scan.findings.push(Finding::new(
            Rule::DanglingRef,
            pointer,
            format!("`$ref` target {target} does not exist"),
        )),
    }
}
