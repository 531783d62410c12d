//! `config`: the list of specs `cargo xtask codegen` generates from (`spec/specs.yaml`).
//!
//! A maintainer adds another CyberArk API group by adding an entry, without touching the
//! generator. Without the file, the project generates from `spec/identity.yaml` alone.
//!
//! ```yaml
//! specs:
//!   # The curated spec: every output (Rust client, pyo3 layer, stubs, docs), loaded strictly.
//!   - spec: spec/identity.yaml
//!     overlays: spec/overlays
//!   # A further API: its own Rust crate, and a native submodule of the one Python extension
//!   # (its own `Client`, `AsyncClient` and classes), stubs and operation table.
//!   - spec: spec/vault.yaml
//!     rust_dir: crates/cyberark-vault/src/generated
//!     python:
//!       rust_path: cyberark_vault
//!       dir: bindings/python/src/generated_vault
//!       module: cyberark_vault._native
//!       stubs: bindings/python/python/cyberark_vault/_native.pyi
//!       sign_in: vault
//!     docs: docs/vault-operations.md
//!   # A vendor definition dropped in as published: a Rust module of its own, loaded tolerantly.
//!   - spec: spec/vendor/roles.yaml
//!     rust_dir: crates/cyberark-identity/src/roles
//!     overlays: spec/vendor/roles-overlays
//!     tolerant: true
//! ```
//!
//! The primary spec (no `rust_dir`) gets every output at [`Layout::default`]. A further spec gets
//! the outputs its entry names: `python` (the pyo3 layer, in a native submodule of its own, and
//! its stubs) and `docs` (its operation table); without them, a Rust module only.

use crate::emit::{Layout, PythonLayout, SignIn};
use serde::Deserialize;

/// One spec the generator reads.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SpecEntry {
    /// The spec file, relative to the repository root.
    pub spec: String,
    /// Where its Rust client goes. `None` marks the primary spec, which gets every output at the
    /// default layout; other specs get a Rust client module only.
    #[serde(default)]
    pub rust_dir: Option<String>,
    /// A directory of overlays applied to the spec at load, in file-name order.
    #[serde(default)]
    pub overlays: Option<String>,
    /// Load it tolerantly (see [`crate::load::LoadOptions`]).
    #[serde(default)]
    pub tolerant: bool,
    /// Where its Python layer goes; `None` on a further spec means no Python layer.
    #[serde(default)]
    pub python: Option<PythonEntry>,
    /// Its operation table (Markdown); `None` on a further spec means none.
    #[serde(default)]
    pub docs: Option<String>,
}

/// The Python outputs of one spec: a native submodule of the one extension module, its pyo3
/// layer and its type stubs.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PythonEntry {
    /// The Rust path of the client's generated items (`cyberark_vault`, or
    /// `cyberark_identity::roles` for a module inside a crate).
    pub rust_path: String,
    /// The directory of the generated pyo3 modules.
    pub dir: String,
    /// The Python module the classes belong to (`cyberark_vault._native`).
    pub module: String,
    /// The stub file of that module.
    pub stubs: String,
    /// How `Client(...)` signs in: the keyword arguments it takes.
    pub sign_in: SignIn,
}

impl SpecEntry {
    /// Where this spec's outputs go.
    pub fn layout(&self) -> Layout {
        let Some(rust_dir) = &self.rust_dir else {
            let mut layout = Layout::default();
            if let Some(python) = &self.python {
                layout.python = Some(python.layout(true));
            }
            if let Some(docs) = &self.docs {
                layout.operations_doc = Some(docs.clone());
            }
            return layout;
        };
        Layout {
            rust_dir: rust_dir.clone(),
            python: self.python.as_ref().map(|p| p.layout(false)),
            operations_doc: self.docs.clone(),
        }
    }
}

impl PythonEntry {
    fn layout(&self, primary: bool) -> PythonLayout {
        PythonLayout {
            rust_path: self.rust_path.clone(),
            dir: self.dir.clone(),
            module: self.module.clone(),
            stubs: self.stubs.clone(),
            sign_in: self.sign_in,
            primary,
        }
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct File {
    specs: Vec<SpecEntry>,
}

/// The specs used when there is no `spec/specs.yaml`: the curated spec with its overlays.
pub fn default_specs() -> Vec<SpecEntry> {
    vec![SpecEntry {
        spec: "spec/identity.yaml".to_owned(),
        rust_dir: None,
        overlays: Some("spec/overlays".to_owned()),
        tolerant: false,
        python: None,
        docs: None,
    }]
}

/// Parses `spec/specs.yaml`; `origin` names it in errors.
pub fn parse_specs(source: &str, origin: &str) -> Result<Vec<SpecEntry>, String> {
    let file: File = serde_yaml_ng::from_str(source).map_err(|e| format!("{origin}: {e}"))?;
    let primaries = file.specs.iter().filter(|s| s.rust_dir.is_none()).count();
    if primaries > 1 {
        return Err(format!(
            "{origin}: {primaries} specs have no rust_dir; only the primary spec may omit it"
        ));
    }
    // Two specs writing one directory or file would overwrite each other's outputs, and two
    // sharing a Python module would register clashing classes.
    let mut taken = std::collections::BTreeSet::new();
    for entry in &file.specs {
        let layout = entry.layout();
        let mut places = vec![layout.rust_dir];
        if let Some(python) = layout.python {
            places.extend([python.dir, python.module, python.stubs]);
        }
        places.extend(layout.operations_doc);
        for place in places {
            if !taken.insert(place.clone()) {
                return Err(format!(
                    "{origin}: two specs write to {place} (spec {})",
                    entry.spec
                ));
            }
        }
    }
    Ok(file.specs)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_entries_and_rejects_clashes() {
        let specs = parse_specs(
            "specs:\n  - spec: spec/identity.yaml\n  - {spec: spec/roles.yaml, rust_dir: out/roles, tolerant: true}\n",
            "specs.yaml",
        )
        .unwrap();
        assert_eq!(specs.len(), 2);
        assert!(specs[1].tolerant && specs[0].rust_dir.is_none());
        let two = parse_specs("specs:\n  - spec: a.yaml\n  - spec: b.yaml\n", "specs.yaml");
        assert!(two.unwrap_err().contains("only the primary"));
        let typo = parse_specs(
            "specs:\n  - spec: a.yaml\n    tolerent: true\n",
            "specs.yaml",
        );
        assert!(typo.unwrap_err().contains("tolerent"));
    }

    #[test]
    fn a_further_spec_names_its_python_module_stubs_and_docs() {
        let specs = parse_specs(
            "specs:\n  - spec: spec/identity.yaml\n  - spec: spec/vault.yaml\n    rust_dir: crates/cyberark-vault/src/generated\n    python: {rust_path: cyberark_vault, dir: b/gv, module: cyberark_vault._native, stubs: v.pyi, sign_in: vault}\n    docs: docs/vault.md\n",
            "specs.yaml",
        )
        .unwrap();
        let layout = specs[1].layout();
        let python = layout.python.expect("a Python layer");
        assert_eq!(python.module, "cyberark_vault._native");
        assert_eq!(python.sign_in, SignIn::Vault);
        assert!(!python.primary);
        assert_eq!(layout.operations_doc.as_deref(), Some("docs/vault.md"));
        assert!(specs[0].layout().python.expect("primary").primary);
        // A Rust-only further spec stays Rust-only.
        let rust_only = parse_specs(
            "specs:\n  - {spec: a.yaml, rust_dir: out/a}\n",
            "specs.yaml",
        )
        .unwrap();
        let layout = rust_only[0].layout();
        assert!(layout.python.is_none() && layout.operations_doc.is_none());
    }

    #[test]
    fn two_specs_sharing_a_python_module_or_doc_are_refused() {
        let clash = parse_specs(
            "specs:\n  - spec: spec/identity.yaml\n  - spec: v.yaml\n    rust_dir: out/v\n    docs: docs/operations.md\n",
            "specs.yaml",
        );
        assert!(
            clash
                .unwrap_err()
                .contains("two specs write to docs/operations.md"),
        );
        let module = parse_specs(
            "specs:\n  - spec: spec/identity.yaml\n  - spec: v.yaml\n    rust_dir: out/v\n    python: {rust_path: v, dir: b/v, module: cyberark_identity._native, stubs: v.pyi, sign_in: identity}\n",
            "specs.yaml",
        );
        assert!(
            module
                .unwrap_err()
                .contains("two specs write to cyberark_identity._native")
        );
        let sign_in = parse_specs(
            "specs:\n  - spec: v.yaml\n    rust_dir: out/v\n    python: {rust_path: v, dir: b/v, module: m, stubs: v.pyi, sign_in: kerberos}\n",
            "specs.yaml",
        );
        assert!(sign_in.unwrap_err().contains("kerberos"));
    }
}
