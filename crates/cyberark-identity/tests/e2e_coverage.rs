//! Keeps the end-to-end suite complete: every operation of every generated handle is called by
//! at least one `e2e_*.rs` test. A new operation in the spec fails this test until it is covered.

use std::fs;
use std::path::PathBuf;

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

#[test]
fn every_generated_operation_is_called_end_to_end() {
    // `cargo test` sets `CARGO_MANIFEST_DIR` at run time: the checkout under test, even when the
    // binary was compiled for another checkout sharing the target directory.
    let root = PathBuf::from(std::env::var_os("CARGO_MANIFEST_DIR").expect("run by cargo test"));
    let mut tests = String::new();
    for entry in fs::read_dir(root.join("tests")).unwrap() {
        let path = entry.unwrap().path();
        let name = path.file_name().unwrap().to_string_lossy().into_owned();
        if name.starts_with("e2e_") && name.ends_with(".rs") && name != "e2e_coverage.rs" {
            tests.push_str(&fs::read_to_string(&path).unwrap());
        }
    }
    let mut total = 0;
    let mut missing = Vec::new();
    // The primary spec's handles, and the further specs' modules (Role Management).
    let handles = ["src/generated", "src/roles"].into_iter().flat_map(|dir| {
        fs::read_dir(root.join(dir))
            .unwrap()
            .map(|entry| entry.unwrap().path())
    });
    for path in handles {
        let source = fs::read_to_string(&path).unwrap();
        for (method, request) in operations(&source) {
            total += 1;
            let called = tests.contains(&format!(".{method}("));
            let built = request
                .as_ref()
                .is_none_or(|ty| tests.contains(ty.as_str()));
            if !(called && built) {
                missing.push(format!(
                    "{}: {method}({})",
                    path.file_name().unwrap().to_string_lossy(),
                    request.unwrap_or_default()
                ));
            }
        }
    }
    assert_eq!(
        total,
        60 + 13,
        "spec/identity.yaml has 60 operations, Role Management 13"
    );
    assert!(
        missing.is_empty(),
        "operations without an e2e test: {missing:#?}"
    );
}
