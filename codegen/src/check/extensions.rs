//! The project's vendor extensions (`spec/README.md`): known names, in the right places, with
//! values the generator can act on.

use std::collections::BTreeSet;

use serde_json::Value;

use super::document::{Operation, join};
use super::scan::Extension;
use super::sites::SchemaSite;
use super::{Finding, Rule};

/// Every `x-cyberark-*` extension the generator reads, and what kind of object carries it.
const KNOWN: [(&str, Place); 6] = [
    ("x-cyberark-convention", Place::OperationOrRoot),
    ("x-cyberark-idempotent", Place::Operation),
    ("x-cyberark-paging", Place::Operation),
    ("x-cyberark-secret", Place::Schema),
    ("x-cyberark-null-clears", Place::Schema),
    ("x-cyberark-handle", Place::Tag),
];

#[derive(Clone, Copy, PartialEq, Eq)]
enum Place {
    Operation,
    /// An operation, or the document's root as the default of every operation.
    OperationOrRoot,
    Schema,
    Tag,
}

impl Place {
    fn describe(self) -> &'static str {
        match self {
            Place::Operation => "an operation",
            Place::OperationOrRoot => "an operation or the document's root",
            Place::Schema => "a schema",
            Place::Tag => "a top-level tag",
        }
    }
}

/// Checks the names and places of all extensions, then the schema extensions' meaning:
/// `x-cyberark-secret` only on strings, `x-cyberark-null-clears` only on properties.
pub(crate) fn check(
    extensions: &[Extension<'_>],
    operations: &[Operation<'_>],
    schemas: &[SchemaSite<'_>],
    out: &mut Vec<Finding>,
) {
    let operation_pointers: BTreeSet<&str> =
        operations.iter().map(|op| op.pointer.as_str()).collect();
    let schema_pointers: BTreeSet<&str> = schemas.iter().map(|s| s.pointer.as_str()).collect();
    for extension in extensions {
        let pointer = join(&extension.parent, extension.name);
        let Some((_, place)) = KNOWN.iter().find(|(name, _)| *name == extension.name) else {
            let names: Vec<&str> = KNOWN.iter().map(|(name, _)| *name).collect();
            out.push(Finding::new(
                Rule::Extension,
                pointer,
                format!(
                    "unknown vendor extension `{}`; the generator reads {}",
                    extension.name,
                    names.join(", ")
                ),
            ));
            continue;
        };
        let parent = extension.parent.as_str();
        let placed = match place {
            Place::Operation => operation_pointers.contains(parent),
            Place::OperationOrRoot => parent.is_empty() || operation_pointers.contains(parent),
            Place::Schema => schema_pointers.contains(parent),
            Place::Tag => parent
                .strip_prefix("/tags/")
                .is_some_and(|i| i.parse::<usize>().is_ok()),
        };
        if !placed {
            out.push(Finding::new(
                Rule::Extension,
                pointer,
                format!(
                    "`{}` belongs on {}; the generator ignores it here",
                    extension.name,
                    place.describe()
                ),
            ));
        }
    }
    for site in schemas {
        check_schema(site, out);
    }
}

fn check_schema(site: &SchemaSite<'_>, out: &mut Vec<Finding>) {
    if let Some(secret) = site.value.get("x-cyberark-secret") {
        let pointer = join(&site.pointer, "x-cyberark-secret");
        if !secret.is_boolean() {
            out.push(Finding::new(
                Rule::Secret,
                &pointer,
                format!("`x-cyberark-secret` must be true or false, found {secret}"),
            ));
        }
        match site.value.get("type") {
            Some(Value::String(ty)) if ty == "string" => {}
            Some(ty) => out.push(Finding::new(
                Rule::Secret,
                pointer,
                format!("`x-cyberark-secret` marks string values, but this schema has type {ty}"),
            )),
            None => out.push(Finding::new(
                Rule::Secret,
                pointer,
                "`x-cyberark-secret` marks string values; this schema must say `type: string`",
            )),
        }
    }
    if let Some(clears) = site.value.get("x-cyberark-null-clears") {
        let pointer = join(&site.pointer, "x-cyberark-null-clears");
        if !clears.is_boolean() {
            out.push(Finding::new(
                Rule::NullClears,
                &pointer,
                format!("`x-cyberark-null-clears` must be true or false, found {clears}"),
            ));
        }
        if !site.is_property {
            out.push(Finding::new(
                Rule::NullClears,
                pointer,
                "`x-cyberark-null-clears` describes an object's property; this schema is not one",
            ));
        }
    }
}
