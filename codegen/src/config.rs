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
//!   # A vendor definition dropped in as published: a Rust module of its own, loaded tolerantly.
//!   - spec: spec/vendor/roles.yaml
//!     rust_dir: crates/cyberark-identity/src/roles
//!     overlays: spec/vendor/roles-overlays
//!     tolerant: true
//! ```

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
    let mut dirs = std::collections::BTreeSet::new();
    for entry in &file.specs {
        if let Some(dir) = &entry.rust_dir
            && !dirs.insert(dir)
        {
            return Err(format!("{origin}: two specs write to {dir}"));
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
}
