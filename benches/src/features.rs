//! `cyberark-bench features <spec>`: what progenitor makes of each operation of a spec, for the
//! feature table in FINDINGS.md (issue 19 compares our generator with progenitor on the
//! `general` snapshot fixture).
//!
//! Each operation is given to progenitor alone, with only the component schemas it reaches, so
//! one panic does not hide what it does with the others; then the whole spec is tried once. For every
//! operation the signature of the generated method is printed, or why there is none.

use std::panic::{AssertUnwindSafe, catch_unwind};

use serde_yaml_ng::Value;

use crate::generation::progenitor_source;

/// Prints, per operation, progenitor's generated method signature or its failure.
pub fn features(spec_path: &str) -> Result<(), String> {
    let source =
        std::fs::read_to_string(spec_path).map_err(|e| format!("cannot read {spec_path}: {e}"))?;
    let doc: Value = serde_yaml_ng::from_str(&source).map_err(|e| format!("spec: {e}"))?;
    let paths = doc
        .get("paths")
        .and_then(Value::as_mapping)
        .ok_or("the spec has no paths")?;
    // Progenitor prints its own panic messages; keep the report readable.
    std::panic::set_hook(Box::new(|_| {}));
    for (path, item) in paths {
        let Some(item) = item.as_mapping() else {
            continue;
        };
        for (method, op) in item {
            let id = op
                .get("operationId")
                .and_then(Value::as_str)
                .unwrap_or("?")
                .to_owned();
            let mut one = doc.clone();
            let mut only = serde_yaml_ng::Mapping::new();
            let mut methods = serde_yaml_ng::Mapping::new();
            methods.insert(method.clone(), op.clone());
            only.insert(path.clone(), Value::Mapping(methods));
            one["paths"] = Value::Mapping(only);
            let reached = reachable(&doc, op);
            if let Some(schemas) = one
                .get_mut("components")
                .and_then(|c| c.get_mut("schemas"))
                .and_then(Value::as_mapping_mut)
            {
                schemas.retain(|name, _| name.as_str().is_some_and(|n| reached.contains(n)));
            }
            let text = serde_yaml_ng::to_string(&one).map_err(|e| format!("spec: {e}"))?;
            println!("{id}: {}", outcome(&text, &id));
            if let Ok(Ok(code)) = catch_unwind(AssertUnwindSafe(|| progenitor_source(&text))) {
                // The facts the feature table needs that a signature does not show.
                let facts = [
                    ("boxes a recursive field", code.contains("Box<Node>")),
                    ("marks it deprecated", code.contains("deprecated")),
                    ("sends headers", code.contains("header_map.append")),
                    ("takes a list", code.contains("Vec<i64>")),
                    ("types date-time", code.contains("chrono::DateTime")),
                    ("types date", code.contains("chrono::naive::NaiveDate")),
                ];
                for (fact, holds) in facts.iter().filter(|(_, holds)| *holds) {
                    println!("    {fact}: {holds}");
                }
            }
        }
    }
    println!(
        "whole spec: {}",
        outcome(&source, "").lines().next().unwrap_or_default()
    );
    let _ = std::panic::take_hook();
    Ok(())
}

/// The names of the component schemas an operation reaches through `$ref`s, transitively.
fn reachable(doc: &Value, op: &Value) -> std::collections::BTreeSet<String> {
    let mut reached = std::collections::BTreeSet::new();
    let mut pending = vec![op.clone()];
    while let Some(value) = pending.pop() {
        match value {
            Value::Mapping(map) => {
                for (key, child) in map {
                    if key.as_str() == Some("$ref")
                        && let Some(name) = child
                            .as_str()
                            .and_then(|r| r.strip_prefix("#/components/schemas/"))
                        && reached.insert(name.to_owned())
                        && let Some(schema) = doc["components"]["schemas"].get(name)
                    {
                        pending.push(schema.clone());
                    }
                    pending.push(child);
                }
            }
            Value::Sequence(items) => pending.extend(items),
            _ => {}
        }
    }
    reached
}

/// What progenitor produced for a spec: the signature of the method for `id` and the
/// definitions of the types it names, or the error or panic that stopped it.
fn outcome(spec: &str, id: &str) -> String {
    match catch_unwind(AssertUnwindSafe(|| progenitor_source(spec))) {
        Err(panic) => {
            let message = panic
                .downcast_ref::<String>()
                .cloned()
                .or_else(|| panic.downcast_ref::<&str>().map(|s| (*s).to_owned()))
                .unwrap_or_default();
            format!("PANIC {}", message.lines().next().unwrap_or_default())
        }
        Ok(Err(e)) => format!("ERROR {e}"),
        Ok(Ok(code)) if id.is_empty() => format!("ok, {} bytes of code", code.len()),
        Ok(Ok(code)) => {
            let name = snake(id);
            let signature: String = code
                .split(&format!("pub async fn {name}"))
                .nth(1)
                .and_then(|rest| rest.split('{').next())
                .map(|s| s.split_whitespace().collect::<Vec<_>>().join(" "))
                .unwrap_or_else(|| "no method".to_owned());
            format!("fn {name}{signature}")
        }
    }
}

/// Progenitor's method name for an operationId: snake case.
fn snake(id: &str) -> String {
    let mut out = String::new();
    for (i, c) in id.chars().enumerate() {
        if c.is_ascii_uppercase() {
            if i > 0 && !out.ends_with('_') {
                out.push('_');
            }
            out.push(c.to_ascii_lowercase());
        } else {
            out.push(c);
        }
    }
    out
}
