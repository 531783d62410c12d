//! Keeps the end-to-end suites complete: every operation of every spec `spec/specs.yaml` lists
//! has a generated method, and each such method is called, with its request type built, by at
//! least one `tests/e2e_*.rs` test of the crate its client lives in. A new operation in any spec
//! fails `cargo test` here until it is covered; a new spec is covered by adding its entry.
//!
//! One check for every API, rather than one copy per client crate, so that the rules (what
//! counts as a call, which methods are alternatives of another) cannot drift between APIs.

use crate::specs::{self, Source};
use std::fs;
use std::path::{Path, PathBuf};

/// The methods that stream the bytes of an operation whose main method answers JSON (the Vault's
/// live-session Monitor); they are alternatives of that method, not operations of their own.
const ALTERNATIVE_SUFFIX: &str = "_download";

/// What the check found for one spec.
#[derive(Debug)]
pub struct Coverage {
    /// The spec file, relative to the repository root.
    pub spec: String,
    /// The crate whose `tests/e2e_*.rs` must call its operations.
    pub crate_dir: PathBuf,
    /// Operations in the spec (after overlays).
    pub operations: usize,
    /// Generated operation methods, alternatives not counted.
    pub methods: usize,
    /// `file: method(RequestType)` of every method no e2e test calls.
    pub missing: Vec<String>,
}

/// Checks every spec of the checkout at `root`.
pub fn check(root: &Path) -> Result<Vec<Coverage>, String> {
    let source = Source::WorkTree(root.to_path_buf());
    let mut found = Vec::new();
    for entry in specs::entries(&source)? {
        let (api, _) = specs::load(&source, &entry)?
            .ok_or_else(|| format!("{} is listed in {} but missing", entry.spec, specs::CONFIG))?;
        let rust_dir = root.join(entry.layout().rust_dir);
        let crate_dir = crate_of(&rust_dir)?;
        let tests = e2e_tests(&crate_dir)?;
        let mut methods = 0;
        let mut missing = Vec::new();
        for path in rust_files(&rust_dir)? {
            let text = read(&path)?;
            let file = path.file_name().unwrap_or_default().to_string_lossy();
            for (method, request) in operations(&text) {
                if !method.ends_with(ALTERNATIVE_SUFFIX) {
                    methods += 1;
                }
                let called = tests.contains(&format!(".{method}("));
                let built = request
                    .as_ref()
                    .is_none_or(|ty| tests.contains(ty.as_str()));
                if !(called && built) {
                    missing.push(format!("{file}: {method}({})", request.unwrap_or_default()));
                }
            }
        }
        found.push(Coverage {
            spec: entry.spec.clone(),
            crate_dir,
            operations: api.operations.len(),
            methods,
            missing,
        });
    }
    Ok(found)
}

/// The nearest directory at or above `dir` with a `Cargo.toml`: the crate the client is part of.
fn crate_of(dir: &Path) -> Result<PathBuf, String> {
    dir.ancestors()
        .find(|d| d.join("Cargo.toml").is_file())
        .map(Path::to_path_buf)
        .ok_or_else(|| format!("{} is in no crate", dir.display()))
}

/// The text of every `tests/e2e_*.rs` of the crate, concatenated.
fn e2e_tests(crate_dir: &Path) -> Result<String, String> {
    let mut tests = String::new();
    for path in rust_files(&crate_dir.join("tests"))? {
        let name = path.file_name().unwrap_or_default().to_string_lossy();
        if name.starts_with("e2e_") {
            tests.push_str(&read(&path)?);
        }
    }
    Ok(tests)
}

/// The `.rs` files directly in `dir`, in name order.
fn rust_files(dir: &Path) -> Result<Vec<PathBuf>, String> {
    let entries = fs::read_dir(dir).map_err(|e| format!("cannot list {}: {e}", dir.display()))?;
    let mut files: Vec<PathBuf> = entries
        .flatten()
        .map(|e| e.path())
        .filter(|p| p.is_file() && p.extension().is_some_and(|x| x == "rs"))
        .collect();
    files.sort();
    Ok(files)
}

fn read(path: &Path) -> Result<String, String> {
    fs::read_to_string(path).map_err(|e| format!("cannot read {}: {e}", path.display()))
}

/// (method name, request type) of every `pub async fn` of a generated handle file.
fn operations(source: &str) -> Vec<(String, Option<String>)> {
    let mut found = Vec::new();
    for (at, _) in source.match_indices("pub async fn ") {
        let rest = &source[at + "pub async fn ".len()..];
        let Some(open) = rest.find('(') else { continue };
        let name = rest[..open].to_owned();
        let signature = &rest[open..rest.find("->").unwrap_or(rest.len())];
        let request = signature.split("request:").nth(1).map(|ty| {
            ty.trim()
                .trim_end_matches([',', ')', ' ', '\n'])
                .trim()
                .to_owned()
        });
        found.push((name, request));
    }
    found
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_operation_of_every_spec_is_called_end_to_end() {
        let root = crate::util::root().expect("the checkout");
        let coverage = check(&root).unwrap();
        // The three APIs of `spec/specs.yaml` are all checked, in the crates their clients live in.
        let checked: Vec<(&str, PathBuf)> = coverage
            .iter()
            .map(|c| {
                let dir = c.crate_dir.strip_prefix(&root).unwrap_or(&c.crate_dir);
                (c.spec.as_str(), dir.to_path_buf())
            })
            .collect();
        assert_eq!(
            checked,
            [
                (
                    "spec/identity.yaml",
                    PathBuf::from("crates/cyberark-identity")
                ),
                ("spec/vault.yaml", PathBuf::from("crates/cyberark-vault")),
                (
                    "spec/vendor/RoleManagement.yaml",
                    PathBuf::from("crates/cyberark-identity")
                ),
            ]
        );
        for c in &coverage {
            assert!(c.operations > 0, "{} has operations", c.spec);
            assert_eq!(
                c.methods, c.operations,
                "every operation of {} has one generated method",
                c.spec
            );
            assert!(
                c.missing.is_empty(),
                "operations of {} without an e2e test in {}/tests: {:#?}",
                c.spec,
                c.crate_dir.display(),
                c.missing
            );
        }
    }

    /// A checkout whose one operation no e2e test calls is reported, and one that calls it
    /// but never builds its request type is reported too.
    #[test]
    fn an_operation_without_an_e2e_call_is_reported() {
        let root = crate::util::root().expect("the checkout");
        let tree = std::env::temp_dir().join(format!("xtask-e2e-coverage-{}", std::process::id()));
        let _ = fs::remove_dir_all(&tree);
        let krate = tree.join("crates/cyberark-identity");
        fs::create_dir_all(tree.join("spec")).unwrap();
        fs::create_dir_all(krate.join("tests")).unwrap();
        // Without `spec/specs.yaml`, the checkout has one spec: `spec/identity.yaml`.
        fs::copy(
            root.join("codegen/tests/snapshots/evolve_v1/spec.yaml"),
            tree.join("spec/identity.yaml"),
        )
        .unwrap();
        let generated = krate.join("src/generated");
        fs::create_dir_all(&generated).unwrap();
        fs::copy(
            root.join("codegen/tests/snapshots/evolve_v1/expected/org.rs"),
            generated.join("org.rs"),
        )
        .unwrap();
        fs::write(krate.join("Cargo.toml"), "").unwrap();
        let cases = [
            ("", 1),
            ("client.org().create(todo!())", 1),
            ("client.org().create(OrgCreateRequest::new(\"x\"))", 0),
        ];
        for (test, missing) in cases {
            fs::write(krate.join("tests/e2e_org.rs"), test).unwrap();
            let coverage = check(&tree).unwrap();
            assert_eq!(coverage.len(), 1);
            assert_eq!((coverage[0].operations, coverage[0].methods), (1, 1));
            assert_eq!(coverage[0].missing.len(), missing, "{test}: {coverage:?}");
        }
        fs::remove_dir_all(&tree).unwrap();
    }

    #[test]
    fn a_method_and_its_request_type_are_read_from_a_signature() {
        let source = "pub async fn create(\n        &self,\n        request: OrgCreateRequest,\n    ) -> Result<Org> {}\n\
                      pub async fn logoff(&self) -> Result<()> {}";
        assert_eq!(
            operations(source),
            [
                ("create".to_owned(), Some("OrgCreateRequest".to_owned())),
                ("logoff".to_owned(), None)
            ]
        );
    }
}
