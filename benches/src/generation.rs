//! Generation cost: our generator against progenitor, on the curated spec and on synthetic specs
//! of growing size.
//!
//! Each generator runs in a child process of its own (this binary re-executed with `child gen`),
//! so the peak resident set it reports (`VmHWM`) belongs to that generator alone.

use crate::measure::peak_rss_kib;
use std::fmt::Write as _;
use std::time::Instant;

/// Which generator a child runs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Generator {
    /// `cyberark_codegen::load` then `emit::generate`: every output of the spec.
    Ours,
    /// `cyberark_codegen::load` then the Rust emitter alone: like for like with progenitor.
    OursRust,
    /// `progenitor::Generator::generate_tokens`, then prettyplease, as `cargo progenitor` does.
    Progenitor,
}

impl Generator {
    /// The name used on the command line and in reports.
    pub fn name(self) -> &'static str {
        match self {
            Generator::Ours => "ours",
            Generator::OursRust => "ours-rust",
            Generator::Progenitor => "progenitor",
        }
    }

    /// Parses [`Generator::name`].
    pub fn parse(name: &str) -> Result<Generator, String> {
        match name {
            "ours" => Ok(Generator::Ours),
            "ours-rust" => Ok(Generator::OursRust),
            "progenitor" => Ok(Generator::Progenitor),
            other => Err(format!("unknown generator {other:?}")),
        }
    }
}

/// Generates a client from `source` once; returns the size of the output in bytes.
pub fn generate_once(generator: Generator, source: &str) -> Result<usize, String> {
    match generator {
        Generator::Ours => {
            let api =
                cyberark_codegen::load::load(source, "bench spec").map_err(|e| e.to_string())?;
            let outputs = cyberark_codegen::emit::generate(&api, &Default::default())
                .map_err(|e| e.to_string())?;
            Ok(outputs.iter().map(|o| o.contents.len()).sum())
        }
        Generator::OursRust => {
            let api =
                cyberark_codegen::load::load(source, "bench spec").map_err(|e| e.to_string())?;
            let layout = cyberark_codegen::emit::Layout::default();
            let outputs = cyberark_codegen::emit::rust::emit(&api, &layout.rust_dir)
                .map_err(|e| e.to_string())?;
            Ok(outputs.iter().map(|o| o.contents.len()).sum())
        }
        Generator::Progenitor => progenitor_source(source).map(|s| s.len()),
    }
}

/// Progenitor's client for `source`, formatted: what a progenitor user writes to disk.
pub fn progenitor_source(source: &str) -> Result<String, String> {
    let spec: openapiv3::OpenAPI =
        serde_yaml_ng::from_str(source).map_err(|e| format!("progenitor input: {e}"))?;
    let mut generator = progenitor::Generator::new(&progenitor::GenerationSettings::default());
    let tokens = generator
        .generate_tokens(&spec)
        .map_err(|e| format!("progenitor: {e}"))?;
    let file: syn_progenitor::File =
        syn_progenitor::parse2(tokens).map_err(|e| format!("progenitor output: {e}"))?;
    Ok(prettyplease_progenitor::unparse(&file))
}

/// The curated spec made acceptable to progenitor 0.15, which rejects `multipart/form-data` and
/// `application/scim+json` ("unexpected content type") and panics on the OAuth token endpoints
/// (a form request whose answers have two types): operations that use any content type other
/// than JSON in their own request or responses are removed. Returns the edited spec and the removed operations.
pub fn progenitor_compatible(source: &str) -> Result<(String, Vec<String>), String> {
    use serde_yaml_ng::Value;
    let mut doc: Value = serde_yaml_ng::from_str(source).map_err(|e| format!("spec: {e}"))?;
    let mut removed = Vec::new();
    if let Some(paths) = doc.get_mut("paths").and_then(Value::as_mapping_mut) {
        for (path, item) in paths.iter_mut() {
            let Some(item) = item.as_mapping_mut() else {
                continue;
            };
            let methods: Vec<Value> = item.keys().cloned().collect();
            for method in methods {
                if item.get(&method).is_some_and(uses_other_content) {
                    item.remove(&method);
                    removed.push(format!(
                        "{} {}",
                        method.as_str().unwrap_or("?").to_uppercase(),
                        path.as_str().unwrap_or("?")
                    ));
                }
            }
        }
        paths.retain(|_, item| item.as_mapping().is_none_or(|m| !m.is_empty()));
    }
    let text = serde_yaml_ng::to_string(&doc).map_err(|e| format!("spec: {e}"))?;
    Ok((text, removed))
}

/// Whether any `content` map under `value` names a type progenitor does not take.
fn uses_other_content(value: &serde_yaml_ng::Value) -> bool {
    use serde_yaml_ng::Value;
    match value {
        Value::Mapping(map) => map.iter().any(|(k, v)| {
            let other = k.as_str() == Some("content")
                && v.as_mapping().is_some_and(|content| {
                    content
                        .keys()
                        .any(|t| t.as_str() != Some("application/json"))
                });
            other || uses_other_content(v)
        }),
        Value::Sequence(items) => items.iter().any(uses_other_content),
        _ => false,
    }
}

/// The child process: generates `iterations` times and prints one JSON line with the wall time
/// of each iteration and the process's peak resident set.
pub fn child(generator: Generator, spec_path: &str, iterations: usize) -> Result<(), String> {
    let source =
        std::fs::read_to_string(spec_path).map_err(|e| format!("cannot read {spec_path}: {e}"))?;
    let mut secs = Vec::with_capacity(iterations);
    let mut bytes = 0;
    for _ in 0..iterations {
        let start = Instant::now();
        bytes = generate_once(generator, &source)?;
        secs.push(start.elapsed().as_secs_f64());
    }
    let line = serde_json::json!({
        "secs": secs,
        "peak_kib": peak_rss_kib(),
        "output_bytes": bytes,
    });
    println!("{line}");
    Ok(())
}

/// The style of a synthetic spec.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Style {
    /// Like `spec/identity.yaml`: every response is the envelope `allOf` with a typed `Result`.
    Identity,
    /// The same operations and types with the envelope written out as one plain object per
    /// operation (no `allOf`), for generators that reject or mishandle the envelope composition.
    Plain,
}

/// A spec of `operations` operations in the Identity style: `POST`, JSON request objects,
/// the envelope response, `x-cyberark-idempotent`; ten tags; every operation has its own
/// request and result types so the type count grows with the operation count.
pub fn synthesise(operations: usize, style: Style) -> String {
    let mut s = String::with_capacity(operations * 1200);
    s.push_str(
        "openapi: 3.0.3\ninfo:\n  title: Synthetic Identity-style API\n  version: 0.1.0\n\
         servers:\n  - url: 'https://example.id.cyberark.cloud'\ntags:\n",
    );
    let tags = 10.min(operations.max(1));
    for t in 0..tags {
        let _ = writeln!(
            s,
            "  - name: Area{t}\n    description: Synthetic group {t}."
        );
    }
    s.push_str("paths:\n");
    for i in 0..operations {
        let tag = i % tags;
        let _ = write!(
            s,
            "  /Area{tag}/Operation{i}:\n    post:\n      operationId: Area{tag}_Operation{i}\n      \
             tags: [Area{tag}]\n      summary: Synthetic operation {i}\n      description: Does thing {i}.\n      \
             x-cyberark-idempotent: {idem}\n      requestBody:\n        required: true\n        content:\n          \
             application/json:\n            schema:\n              $ref: '#/components/schemas/Operation{i}Request'\n      \
             responses:\n        '200':\n          description: Identity envelope.\n          content:\n            \
             application/json:\n              schema:\n",
            idem = i % 3 != 0,
        );
        match style {
            Style::Identity => {
                let _ = write!(
                    s,
                    "                allOf:\n                  - $ref: '#/components/schemas/Envelope'\n                  \
                     - type: object\n                    properties:\n                      Result:\n                        \
                     $ref: '#/components/schemas/Operation{i}Result'\n"
                );
            }
            Style::Plain => {
                let _ = writeln!(
                    s,
                    "                $ref: '#/components/schemas/Operation{i}Envelope'"
                );
            }
        }
    }
    s.push_str("components:\n  schemas:\n");
    s.push_str(
        "    Envelope:\n      type: object\n      description: The Identity response envelope.\n      properties:\n",
    );
    s.push_str(ENVELOPE_FIELDS);
    s.push_str("        Result:\n          nullable: true\n          description: The payload.\n");
    s.push_str("      required: [success]\n");
    for i in 0..operations {
        let _ = write!(
            s,
            "    Operation{i}Request:\n      type: object\n      description: Input of operation {i}.\n      properties:\n        \
             ID:\n          type: string\n          description: Identifier.\n        Name:\n          type: string\n          \
             description: Name.\n        Count:\n          type: integer\n          format: int32\n          description: How many.\n        \
             Enabled:\n          type: boolean\n          description: Whether enabled.\n      required: [ID]\n    \
             Operation{i}Result:\n      type: object\n      description: Output of operation {i}.\n      properties:\n        \
             Uuid:\n          type: string\n          description: UUID.\n        DisplayName:\n          type: string\n          \
             nullable: true\n          description: Display name.\n        Tags:\n          type: array\n          description: Tags.\n          \
             items:\n            type: string\n        Size:\n          type: integer\n          format: int64\n          description: Size.\n"
        );
        if style == Style::Plain {
            let _ = write!(
                s,
                "    Operation{i}Envelope:\n      type: object\n      description: The envelope of operation {i}.\n      properties:\n{ENVELOPE_FIELDS}        \
                 Result:\n          $ref: '#/components/schemas/Operation{i}Result'\n      required: [success]\n"
            );
        }
    }
    s
}

/// The envelope's fields other than `Result`, indented for a `properties:` block.
const ENVELOPE_FIELDS: &str = "        success:\n          type: boolean\n          description: True on success.\n        \
Message:\n          type: string\n          nullable: true\n          description: Failure message.\n        \
MessageID:\n          type: string\n          nullable: true\n          description: Message id.\n        \
Exception:\n          type: string\n          nullable: true\n          description: Exception text.\n        \
ErrorID:\n          type: string\n          nullable: true\n          description: Trace id.\n        \
ErrorCode:\n          type: string\n          nullable: true\n          description: Error code.\n        \
IsSoftError:\n          type: boolean\n          description: UI warning.\n";

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn synthetic_specs_load_in_both_generators() {
        for style in [Style::Identity, Style::Plain] {
            let spec = synthesise(12, style);
            generate_once(Generator::Ours, &spec).expect("ours accepts the synthetic spec");
        }
        generate_once(Generator::Progenitor, &synthesise(12, Style::Plain))
            .expect("progenitor accepts the plain synthetic spec");
    }

    #[test]
    fn progenitor_takes_the_compatible_curated_spec() {
        // `cargo test` sets `CARGO_MANIFEST_DIR` at run time: the checkout under test, not the
        // one that compiled this binary into a shared target directory.
        let manifest_dir = std::env::var_os("CARGO_MANIFEST_DIR").expect("run by cargo test");
        let spec = std::path::Path::new(&manifest_dir).join("../spec/identity.yaml");
        let source = std::fs::read_to_string(spec).expect("the curated spec is readable");
        let (compatible, removed) = progenitor_compatible(&source).expect("spec parses");
        assert!(!removed.is_empty());
        progenitor_source(&compatible).expect("progenitor accepts it");
    }
}
