//! Every example in the document must validate against the schema beside it.
//!
//! The examples are the spec's evidence of what the tenant really sends, and the sandbox and
//! the docs reuse them, so one that contradicts its schema means one of the two is wrong.

use serde_json::{Map, Value};

use super::convert::{bundle, bundle_all, component_defs};
use super::document::{join, resolve};
use super::formats::options;
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
    let mut jobs = Vec::new();
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
        if !cases.is_empty() {
            jobs.push(Job {
                schema,
                schema_pointer: join(&holder.pointer, "schema"),
                cases,
                operation: holder.operation.as_deref(),
            });
        }
    }
    for site in schemas {
        if let Some(example) = site.value.get("example") {
            jobs.push(Job {
                schema: site.value,
                schema_pointer: site.pointer.clone(),
                cases: vec![Case {
                    label: "schema example".to_owned(),
                    pointer: join(&site.pointer, "example"),
                    value: example,
                }],
                operation: site.operation.as_deref(),
            });
        }
    }
    if jobs.is_empty() {
        return;
    }

    let defs = component_defs(document);
    let all: Vec<&Value> = jobs.iter().map(|job| job.schema).collect();
    let (root, pointers) = bundle_all(&all, &defs);
    // `build_map` leaves out the subschemas it cannot compile rather than failing, so a
    // missing entry is treated like a failed build.
    let map = options().build_map(&root).ok();
    let validators: Option<Vec<&jsonschema::Validator>> = map
        .as_ref()
        .and_then(|map| pointers.iter().map(|p| map.get(p)).collect());
    match validators {
        Some(validators) => {
            for (job, validator) in jobs.iter().zip(validators) {
                report_errors(validator, job, out);
            }
        }
        // Some schema does not compile. A broken component would fail every schema that uses
        // it, so components are compiled alone first (their references stripped) and reported
        // once each; only when they are all sound is each example's schema compiled alone.
        None => {
            let mut broken = false;
            let components = document
                .pointer("/components/schemas")
                .and_then(Value::as_object);
            for (name, schema) in components.into_iter().flatten() {
                if let Err(error) = options().build(&bundle(schema, &Map::new())) {
                    broken = true;
                    out.push(compile_finding(&join("/components/schemas", name), &error));
                }
            }
            if !broken {
                for job in &jobs {
                    validate_alone(&defs, job, out);
                }
            }
        }
    }
}

/// A schema that the validator cannot compile, located as precisely as the error allows.
fn compile_finding(schema_pointer: &str, error: &jsonschema::ValidationError<'_>) -> Finding {
    // The compiled root holds the converted schema at `/allOf/0`; the rest of the path follows
    // the OpenAPI schema's own structure closely enough to lead a reader to the keyword.
    let path = error.instance_path().as_str();
    let inner = path.strip_prefix("/allOf/0").unwrap_or(path);
    let place = if inner.is_empty() {
        String::new()
    } else {
        format!(" (at {inner})")
    };
    Finding::new(
        Rule::Schema,
        schema_pointer,
        format!(
            "the schema cannot be compiled to validate examples{place}: {}",
            shorten(&error.to_string())
        ),
    )
}

/// The schema beside some examples, and those examples.
struct Job<'a> {
    schema: &'a Value,
    schema_pointer: String,
    cases: Vec<Case<'a>>,
    operation: Option<&'a str>,
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

fn validate_alone(defs: &Map<String, Value>, job: &Job<'_>, out: &mut Vec<Finding>) {
    match options().build(&bundle(job.schema, defs)) {
        Ok(validator) => report_errors(&validator, job, out),
        Err(error) => {
            out.push(compile_finding(&job.schema_pointer, &error).with_operation(job.operation));
        }
    }
}

fn report_errors(validator: &jsonschema::Validator, job: &Job<'_>, out: &mut Vec<Finding>) {
    for case in &job.cases {
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
            out.push(finding.with_operation(job.operation));
        }
    }
}

fn shorten(message: &str) -> String {
    match message.char_indices().nth(MAX_MESSAGE) {
        Some((end, _)) => format!("{}…", &message[..end]),
        None => message.to_owned(),
    }
}
