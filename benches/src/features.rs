//! `cyberark-bench features <spec>`: what progenitor makes of each operation of a spec, for the
//! feature table in FINDINGS.md (issue 19 compares our generator with progenitor on the
//! `general` snapshot fixture).
//!
//! Each operation is given to progenitor alone, with only the component schemas it reaches, so
//! one panic does not hide what it does with the others; then the whole spec is tried once. For every
//! operation the signature of the generated method is printed, or why there is none.
//!
//! [`table`] is the comparison every benchmark run puts in its report (smoke runs included): one
//! row per feature of the `general` fixture, each cell decided from what our generator and
//! progenitor generate in that run, and an error if ours stops handling one.

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

/// The `general` fixture, relative to the repository root.
pub const FIXTURE: &str = "codegen/tests/snapshots/general/spec.yaml";

/// One feature of the `general` fixture, and how generated code shows whether a generator
/// handles it.
struct Feature {
    /// What the feature is, and where the fixture uses it.
    name: &'static str,
    /// The fixture operation exercising it.
    operation: &'static str,
    /// Parameters of that operation removed before progenitor sees it, so that one it refuses
    /// (the deepObject `filter`) does not hide how it handles this feature.
    without: &'static [&'static str],
    /// Texts (whitespace ignored) our generated Rust client contains when the feature is handled.
    ours: &'static [&'static str],
    /// Texts progenitor's code for the operation contains when it handles the feature.
    theirs: &'static [&'static str],
}

/// Every feature of the fixture. `features_cover_the_fixture` (below) keeps the list complete:
/// every operation of the fixture and every OpenAPI construct it uses has a row.
const FEATURES: &[Feature] = &[
    Feature {
        name: "recursive schema `Node.parent: Node`",
        operation: "Nodes_Get",
        without: &["filter"],
        ours: &["pub parent: ::std::option::Option<::std::boxed::Box<Node>>"],
        theirs: &["Box<Node>"],
    },
    Feature {
        name: "array query parameter, exploded (`ids`, int64 items)",
        operation: "Nodes_Get",
        without: &["filter"],
        ours: &[
            "pub ids: ::std::option::Option<::std::vec::Vec<i64>>",
            "encoder.query_repeated(\"ids\"",
        ],
        theirs: &["Vec<i64>"],
    },
    Feature {
        name: "array query parameter, `explode: false` (`tags`, comma-joined)",
        operation: "Nodes_Get",
        without: &["filter"],
        ours: &["encoder.query(\"tags\""],
        theirs: &["tags"],
    },
    Feature {
        name: "map query parameter, `style: deepObject` (`filter`)",
        operation: "Nodes_Get",
        without: &[],
        ours: &["encoder.query_deep(\"filter\""],
        theirs: &["filter"],
    },
    Feature {
        name: "header parameters, scalar and array (`X-Request-Id`, `X-Trace`)",
        operation: "Nodes_Get",
        without: &["filter"],
        ours: &[
            "encoder.header(\"X-Request-Id\"",
            "encoder.header(\"X-Trace\"",
        ],
        theirs: &["X-Request-Id", "X-Trace"],
    },
    Feature {
        name: "map from `additionalProperties` (`Node.labels`)",
        operation: "Nodes_Get",
        without: &["filter"],
        ours: &["::std::collections::BTreeMap<::std::string::String, ::std::string::String>"],
        theirs: &["HashMap<::std::string::String, ::std::string::String"],
    },
    Feature {
        name: "formats `date-time`, `date`, `uuid` (`Node.created`, `born`, `tree`)",
        operation: "Nodes_Get",
        without: &["filter"],
        ours: &[
            "::cyberark_runtime::DateTime",
            "::cyberark_runtime::Date>",
            "::cyberark_runtime::Uuid",
        ],
        theirs: &["chrono::DateTime", "NaiveDate", "uuid::Uuid"],
    },
    Feature {
        name: "`readOnly` not required nor sent (`Node.id`), `writeOnly` not required back (`Node.passphrase`)",
        operation: "Nodes_Get",
        without: &["filter"],
        ours: &[
            "skip_serializing_if = \"::cyberark_runtime::read_only::skip_option\"",
            "pub id: ::std::option::Option<::std::string::String>",
            "pub passphrase: ::std::option::Option<",
        ],
        theirs: &[
            "pub id: ::std::option::Option<::std::string::String>",
            "pub passphrase: ::std::option::Option<",
        ],
    },
    Feature {
        name: "`default` value (`Node.weight`: ours documents it, progenitor fills it in)",
        operation: "Nodes_Get",
        without: &["filter"],
        ours: &["/// Default: `10`."],
        theirs: &["defaults::default_u64::<i64, 10>"],
    },
    Feature {
        name: "two 2xx codes with different schemas (`Nodes_Create`)",
        operation: "Nodes_Create",
        without: &[],
        ours: &["Status200(Node)", "Status202(Pending)"],
        theirs: &["Pending"],
    },
    Feature {
        name: "204 without a body (`Nodes_Delete`)",
        operation: "Nodes_Delete",
        without: &[],
        ours: &[
            "type Output = (); const OPERATION: &'static ::cyberark_runtime::Operation = \
                 &::cyberark_runtime::Operation { id: \"Nodes_Delete\"",
        ],
        theirs: &["ResponseValue<()>"],
    },
    Feature {
        name: "idempotency from the HTTP method: a DELETE without `x-cyberark-idempotent` retried after a 503",
        operation: "Nodes_Delete",
        without: &[],
        ours: &[
            "type Output = (); const OPERATION: &'static ::cyberark_runtime::Operation = \
                 &::cyberark_runtime::Operation { id: \"Nodes_Delete\", tag: \"Nodes\", name: \"Delete\", \
                 method: ::cyberark_runtime::Method::Delete, path: \"/nodes/{id}\", \
                 convention: ::cyberark_runtime::Convention::Plain, auth: ::cyberark_runtime::AuthMode::Bearer, \
                 idempotent: true",
        ],
        theirs: &["retry"],
    },
    Feature {
        name: "plain JSON object, named schema (`Shapes_Flags`)",
        operation: "Shapes_Flags",
        without: &[],
        ours: &["type Output = Flags;"],
        theirs: &["ResponseValue<types::Flags>"],
    },
    Feature {
        name: "`allOf` of two objects, merged (`Shapes_Merged`)",
        operation: "Shapes_Merged",
        without: &[],
        ours: &[
            "type Output = Merged;",
            "pub note: ::std::option::Option<::std::string::String>",
        ],
        theirs: &["ResponseValue<types::Merged>"],
    },
    Feature {
        name: "`oneOf` with a discriminator (`Shapes_Pet`)",
        operation: "Shapes_Pet",
        without: &[],
        ours: &["pub enum Pet", "Cat(Cat)", "Dog(Dog)", ".get(\"petType\")"],
        theirs: &["pub enum Pet"],
    },
    Feature {
        name: "`anyOf` of a string and an object (`Shapes_Search`)",
        operation: "Shapes_Search",
        without: &[],
        ours: &["pub enum ShapesSearchResponse", "Match(Match)"],
        theirs: &["pub enum"],
    },
    Feature {
        name: "`text/plain` answer (`Shapes_Readme`)",
        operation: "Shapes_Readme",
        without: &[],
        ours: &["type Output = ::std::string::String;"],
        theirs: &["ResponseValue<String>"],
    },
    Feature {
        name: "binary answer, streamed (`Shapes_Recording`)",
        operation: "Shapes_Recording",
        without: &[],
        ours: &[
            "Result<::cyberark_runtime::ByteStream",
            "self.client.download(&request)",
        ],
        theirs: &["ByteStream"],
    },
    Feature {
        name: "enum values `Self`, `None`, `type`, `class`, `a`/`A`, `Unknown` (`Shapes_SetKind`)",
        operation: "Shapes_SetKind",
        without: &[],
        ours: &[
            "Self2 = \"Self\"",
            "None = \"None\"",
            "Type = \"type\"",
            "Class = \"class\"",
            "A2 = \"A\"",
            "Unknown2 = \"Unknown\"",
        ],
        theirs: &["pub enum Kind"],
    },
    Feature {
        name: "`deprecated: true` (`Shapes_Legacy`)",
        operation: "Shapes_Legacy",
        without: &[],
        ours: &["#[deprecated(note = \"Use Shapes_Flags instead.\")]"],
        theirs: &["deprecated"],
    },
];

/// Code with all whitespace removed, so needles match whatever the line breaks.
fn squeeze(code: &str) -> String {
    code.chars().filter(|c| !c.is_whitespace()).collect()
}

/// The needles of `needles` that `code` (squeezed) lacks.
fn lacking<'a>(code: &str, needles: &[&'a str]) -> Vec<&'a str> {
    needles
        .iter()
        .copied()
        .filter(|n| !code.contains(&squeeze(n)))
        .collect()
}

/// The fixture with only `operation`, its parameters named in `without` removed, and the
/// component schemas it reaches.
fn one_operation(doc: &Value, operation: &str, without: &[&str]) -> Result<String, String> {
    let paths = doc
        .get("paths")
        .and_then(Value::as_mapping)
        .ok_or("the spec has no paths")?;
    for (path, item) in paths {
        let Some(item) = item.as_mapping() else {
            continue;
        };
        for (method, op) in item {
            if op.get("operationId").and_then(Value::as_str) != Some(operation) {
                continue;
            }
            let mut op = op.clone();
            if let Some(params) = op.get_mut("parameters").and_then(Value::as_sequence_mut) {
                params.retain(|p| {
                    p.get("name")
                        .and_then(Value::as_str)
                        .is_none_or(|n| !without.contains(&n))
                });
            }
            let reached = reachable(doc, &op);
            let mut one = doc.clone();
            let mut methods = serde_yaml_ng::Mapping::new();
            methods.insert(method.clone(), op);
            let mut only = serde_yaml_ng::Mapping::new();
            only.insert(path.clone(), Value::Mapping(methods));
            one["paths"] = Value::Mapping(only);
            if let Some(schemas) = one
                .get_mut("components")
                .and_then(|c| c.get_mut("schemas"))
                .and_then(Value::as_mapping_mut)
            {
                schemas.retain(|name, _| name.as_str().is_some_and(|n| reached.contains(n)));
            }
            return serde_yaml_ng::to_string(&one).map_err(|e| format!("spec: {e}"));
        }
    }
    Err(format!("the fixture has no operation {operation}"))
}

/// Progenitor on one operation: its code, or the panic or error that stopped it.
fn progenitor_on(spec: &str) -> Result<String, String> {
    // Progenitor prints its own panic messages; the table says what stopped it.
    let hook = std::panic::take_hook();
    std::panic::set_hook(Box::new(|_| {}));
    let result = catch_unwind(AssertUnwindSafe(|| progenitor_source(spec)));
    std::panic::set_hook(hook);
    match result {
        Ok(Ok(code)) => Ok(code),
        Ok(Err(e)) => Err(format!("error: {}", e.lines().next().unwrap_or_default())),
        Err(panic) => {
            let message = panic
                .downcast_ref::<String>()
                .cloned()
                .or_else(|| panic.downcast_ref::<&str>().map(|s| (*s).to_owned()))
                .unwrap_or_default();
            Err(format!(
                "panic: {}",
                message.lines().next().unwrap_or_default()
            ))
        }
    }
}

/// The feature table of the `general` fixture: Markdown rows comparing our generator with
/// progenitor, built from what each generates now. Fails when our generator no longer handles a
/// feature of the fixture, so the smoke run catches it.
pub fn table(root: &std::path::Path) -> Result<String, String> {
    let source = std::fs::read_to_string(root.join(FIXTURE))
        .map_err(|e| format!("cannot read {FIXTURE}: {e}"))?;
    let doc: Value = serde_yaml_ng::from_str(&source).map_err(|e| format!("{FIXTURE}: {e}"))?;
    let (api, _) = cyberark_codegen::load::load_with(
        &source,
        FIXTURE,
        cyberark_codegen::load::LoadOptions { tolerant: true },
    )
    .map_err(|e| e.to_string())?;
    let ours: String = cyberark_codegen::emit::rust::emit(&api, "general")
        .map_err(|e| e.to_string())?
        .iter()
        .map(|o| squeeze(&o.contents))
        .collect();
    let whole = match progenitor_on(&source) {
        Ok(code) => format!("generates {} bytes", code.len()),
        Err(e) => e,
    };
    let mut rows = format!(
        "### Features of the `general` fixture: ours and progenitor 0.15.1\n\n\
         `{FIXTURE}` uses every feature below. Each cell says whether the generated code shows the feature \
         (the texts checked are in `benches/src/features.rs`); progenitor is given each operation alone, \
         with the schemas it reaches, and, where noted, without the deepObject `filter` it refuses. On the \
         whole fixture progenitor: {whole}.\n\n\
         | feature | operation | ours | progenitor 0.15.1 |\n| --- | --- | --- | --- |\n"
    );
    let mut failures = Vec::new();
    for feature in FEATURES {
        let lacks = lacking(&ours, feature.ours);
        let ours_cell = if lacks.is_empty() {
            "yes".to_owned()
        } else {
            failures.push(format!("{}: lacks {lacks:?}", feature.name));
            format!("**no** (lacks `{}`)", lacks.join("`, `"))
        };
        let spec = one_operation(&doc, feature.operation, feature.without)?;
        let theirs_cell = match progenitor_on(&spec) {
            Ok(code) => {
                let lacks = lacking(&squeeze(&code), feature.theirs);
                if lacks.is_empty() {
                    "yes".to_owned()
                } else {
                    format!("no (lacks `{}`)", lacks.join("`, `"))
                }
            }
            Err(e) => e.replace('|', "\\|"),
        };
        let without = if feature.without.is_empty() {
            String::new()
        } else {
            format!(" (progenitor: without `{}`)", feature.without.join("`, `"))
        };
        rows.push_str(&format!(
            "| {} | `{}`{without} | {ours_cell} | {theirs_cell} |\n",
            feature.name, feature.operation
        ));
    }
    if failures.is_empty() {
        Ok(rows)
    } else {
        Err(format!(
            "our generator no longer handles features of {FIXTURE}: {failures:#?}"
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every operation of the fixture and every OpenAPI construct it uses has a row, so a
    /// feature added to the fixture must be added to the table too.
    #[test]
    fn features_cover_the_fixture() {
        let root = crate::run::root().unwrap();
        let source = std::fs::read_to_string(root.join(FIXTURE)).unwrap();
        let doc: Value = serde_yaml_ng::from_str(&source).unwrap();
        let mut operations = Vec::new();
        for (_, item) in doc["paths"].as_mapping().unwrap() {
            for (_, op) in item.as_mapping().unwrap() {
                operations.push(op["operationId"].as_str().unwrap().to_owned());
            }
        }
        for operation in &operations {
            assert!(
                FEATURES.iter().any(|f| f.operation == operation),
                "no feature row exercises {operation}"
            );
        }
        let names: String = FEATURES.iter().map(|f| f.name).collect();
        for construct in [
            "readOnly",
            "writeOnly",
            "default",
            "additionalProperties",
            "deepObject",
            "explode",
            "header",
            "deprecated",
            "discriminator",
            "oneOf",
            "anyOf",
            "allOf",
            "text/plain",
            "binary",
            "date-time",
            "date",
            "uuid",
            "int64",
            "enum",
        ] {
            assert!(source.contains(construct), "the fixture uses {construct}");
            let named = match construct {
                "explode" => "`explode: false`",
                "header" => "header parameters",
                "binary" => "binary answer",
                "enum" => "enum values",
                "discriminator" => "with a discriminator",
                other => other,
            };
            assert!(names.contains(named), "no feature row names {construct}");
        }
    }

    /// The table is built, and our generator handles every feature of the fixture.
    #[test]
    fn our_generator_handles_every_feature() {
        let table = table(&crate::run::root().unwrap()).unwrap();
        println!("{table}");
        assert_eq!(table.matches("\n| ").count(), FEATURES.len() + 2, "{table}");
    }
}
