//! The seed corpus: every `example` / `examples` value in the specs (answers the tenant really
//! sends), the specs and overlays themselves, and the codegen fixtures.

use std::path::{Path, PathBuf};

use serde_json::Value;

/// Seeds for each kind of input.
pub struct Corpus {
    /// JSON bodies: the specs' examples, serialised.
    pub bodies: Vec<Vec<u8>>,
    /// Spec texts (YAML).
    pub specs: Vec<String>,
    /// Overlay texts (YAML).
    pub overlays: Vec<String>,
}

impl Corpus {
    /// Reads the seeds from the repository.
    pub fn load() -> Result<Self, String> {
        let root = root();
        let mut specs = Vec::new();
        let mut overlays = Vec::new();
        for path in yaml_files(&root.join("spec"))?
            .into_iter()
            .chain(yaml_files(&root.join("codegen/tests/snapshots"))?)
        {
            let text = std::fs::read_to_string(&path)
                .map_err(|e| format!("cannot read {}: {e}", path.display()))?;
            if text.contains("\noverlay:") || text.starts_with("overlay:") {
                overlays.push(text);
            } else if text.contains("openapi:") {
                specs.push(text);
            }
        }
        let mut bodies = Vec::new();
        for spec in &specs {
            if let Ok(doc) = serde_yaml_ng::from_str::<Value>(spec) {
                collect_examples(&doc, &mut bodies);
            }
        }
        // A few shapes the examples may lack.
        for extra in [
            r#"{"success":false,"Result":null,"Message":"m","MessageID":"id","ErrorID":"e","ErrorCode":1,"IsSoftError":true,"Exception":"x"}"#,
            r#"{"schemas":["urn:ietf:params:scim:api:messages:2.0:Error"],"status":"404","scimType":"noTarget","detail":"d"}"#,
            r#"{"error":"invalid_client","error_description":"bad secret"}"#,
            r#"{"access_token":"a","token_type":"Bearer","expires_in":3600,"refresh_token":"r"}"#,
            r#"{"success":true,"Result":{"Count":1,"Columns":[{"Name":"Uuid"}],"FullCount":1,"Results":[{"Row":{"Uuid":"u","Token":"t"},"Entities":[]}]}}"#,
        ] {
            bodies.push(extra.as_bytes().to_vec());
        }
        if specs.is_empty() || bodies.is_empty() {
            return Err("the seed corpus is empty: run from the repository".to_owned());
        }
        Ok(Corpus {
            bodies,
            specs,
            overlays,
        })
    }
}

/// The repository root: this crate's parent directory.
fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .map_or_else(|| PathBuf::from("."), Path::to_path_buf)
}

fn yaml_files(dir: &Path) -> Result<Vec<PathBuf>, String> {
    let mut found = Vec::new();
    let mut pending = vec![dir.to_path_buf()];
    while let Some(dir) = pending.pop() {
        let entries =
            std::fs::read_dir(&dir).map_err(|e| format!("cannot list {}: {e}", dir.display()))?;
        for entry in entries.flatten() {
            let path = entry.path();
            if path.is_dir() {
                pending.push(path);
            } else if path
                .extension()
                .is_some_and(|e| e == "yaml" || e == "yml" || e == "json")
            {
                found.push(path);
            }
        }
    }
    found.sort();
    Ok(found)
}

/// Collects every `example` value and every `examples.*.value`, serialised, without recursion.
fn collect_examples(doc: &Value, out: &mut Vec<Vec<u8>>) {
    let mut stack = vec![doc];
    while let Some(value) = stack.pop() {
        match value {
            Value::Object(map) => {
                for (key, inner) in map {
                    match key.as_str() {
                        "example" => out.push(inner.to_string().into_bytes()),
                        "examples" => {
                            if let Some(examples) = inner.as_object() {
                                for example in examples.values() {
                                    if let Some(v) = example.get("value") {
                                        out.push(v.to_string().into_bytes());
                                    }
                                }
                            }
                        }
                        _ => {}
                    }
                    stack.push(inner);
                }
            }
            Value::Array(items) => stack.extend(items),
            _ => {}
        }
    }
}
