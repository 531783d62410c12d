//! Every example in the document must validate against the schema beside it.
//!
//! The examples are the spec's evidence of what the tenant really sends, and the sandbox and
//! the docs reuse them, so one that contradicts its schema means one of the two is wrong.

use serde_json::Value;

use serde_json::Map;

use super::convert::{bundle, component_defs};
use super::document::{join, resolve};
use super::sites::{Holder, SchemaSite};
use super::{Finding, Rule};

/// Validation messages quote the offending value; a long one is cut so a finding stays one line.
const MAX_MESSAGE: usize = 240;

/// Checks the `example` and `examples` of every holder and the `example` of every schema.
pub(crate) fn check(
    document: &Value,
    holders: &[Holder<'_>],
    schemas: &[SchemaSite<'_>],
    out: &mut Vec<Finding>,
) {
    let defs = component_defs(document);
    for holder in holders {
        let Some(schema) = holder.value.get("schema") else {
            continue;
        };
        let mut cases = Vec::new();
        if let Some(example) = holder.value.get("example") {
            cases.push(Case {
                label: "example".to_owned(),
                pointer: join(&holder.pointer, "example"),
                value: example,
            });
        }
        if let Some(examples) = holder.value.get("examples").and_then(Value::as_object) {
            for (name, example) in examples {
                if let Some(case) = named_case(document, &holder.pointer, name, example) {
                    cases.push(case);
                }
            }
        }
        if cases.is_empty() {
            continue;
        }
        let schema_pointer = join(&holder.pointer, "schema");
        validate(
            &defs,
            schema,
            &schema_pointer,
            &cases,
            holder.operation.as_deref(),
            out,
        );
    }
    for site in schemas {
        if let Some(example) = site.value.get("example") {
            let case = Case {
                label: "schema example".to_owned(),
                pointer: join(&site.pointer, "example"),
                value: example,
            };
            validate(
                &defs,
                site.value,
                &site.pointer,
                &[case],
                site.operation.as_deref(),
                out,
            );
        }
    }
}

/// One example to validate: how to name it, where its value is, and the value.
struct Case<'a> {
    label: String,
    pointer: String,
    value: &'a Value,
}

/// A named example, read through its `$ref` (into `components/examples`) when it has one. An
/// example given by `externalValue` has nothing to validate here.
fn named_case<'a>(
    document: &'a Value,
    holder: &str,
    name: &str,
    example: &'a Value,
) -> Option<Case<'a>> {
    match example.get("$ref").and_then(Value::as_str) {
        Some(reference) => {
            let target = resolve(document, reference).ok()?;
            let value = target.get("value")?;
            Some(Case {
                label: format!("example {name:?} ({reference})"),
                pointer: format!("{}/value", reference.trim_start_matches('#')),
                value,
            })
        }
        None => Some(Case {
            label: format!("example {name:?}"),
            pointer: join(&join(&join(holder, "examples"), name), "value"),
            value: example.get("value")?,
        }),
    }
}

fn validate(
    defs: &Map<String, Value>,
    schema: &Value,
    schema_pointer: &str,
    cases: &[Case<'_>],
    operation: Option<&str>,
    out: &mut Vec<Finding>,
) {
    let root = bundle(schema, defs);
    let validator = match jsonschema::options()
        .with_draft(jsonschema::Draft::Draft202012)
        .should_validate_formats(true)
        .build(&root)
    {
        Ok(validator) => validator,
        Err(error) => {
            let finding = Finding::new(
                Rule::Schema,
                schema_pointer,
                format!(
                    "the schema cannot be compiled to validate its examples: {}",
                    shorten(&error.to_string())
                ),
            );
            out.push(finding.with_operation(operation));
            return;
        }
    };
    for case in cases {
        for error in validator.iter_errors(case.value) {
            let at = error.instance_path().as_str();
            let place = if at.is_empty() {
                String::new()
            } else {
                format!(" at {at}")
            };
            let finding = Finding::new(
                Rule::Example,
                format!("{}{at}", case.pointer),
                format!(
                    "{} does not match its schema{place}: {}",
                    case.label,
                    shorten(&error.to_string())
                ),
            );
            out.push(finding.with_operation(operation));
        }
    }
}

fn shorten(message: &str) -> String {
    match message.char_indices().nth(MAX_MESSAGE) {
        Some((end, _)) => format!("{}…", &message[..end]),
        None => message.to_owned(),
    }
}
