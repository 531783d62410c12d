//! The spec-diff classification, held against the real generated API.
//!
//! `classifications_match_the_table` checks, in memory, that every edit of the table in
//! `spec_diff/cases.rs` is reported with its expected Rust and Python bumps.
//! `breaking_cases_break_user_code` then proves the Rust half on generated code: it emits the old
//! client (once) and the new client of every case into ONE temporary crate under the target
//! directory, with the case's user code compiled against each, runs `cargo check` once and
//! attributes each error to its case by file. Major cases must fail against the new client only; all others, and the
//! cases whose break compiles (proven by running in `spec_diff_python.rs`), must compile against
//! both. One crate and one `cargo check` keep this affordable on a 2-core machine.

#[path = "spec_diff/cases.rs"]
#[allow(dead_code)]
mod cases;

use cyberark_codegen::diff::{Bump, diff};
use cyberark_codegen::load::load;
use std::collections::BTreeSet;
use std::fs;
use std::path::PathBuf;
use std::process::Command;

const BASE: &str = include_str!("spec_diff/base.yaml");

#[test]
fn classifications_match_the_table() {
    let old = load(BASE, "base.yaml").expect("the base spec loads");
    let table = cases::cases();
    assert!(
        table.len() >= 15,
        "the table covers at least 15 kinds of edits"
    );
    let mut failures = Vec::new();
    for case in &table {
        let text = cases::edited(BASE, case);
        let new = match load(&text, case.name) {
            Ok(api) => api,
            Err(e) => {
                failures.push(format!("{}: the edited spec does not load: {e}", case.name));
                continue;
            }
        };
        let report = diff(&old, &new);
        let found = report.changes.iter().any(|c| c.kind == case.kind);
        if !found || report.rust_bump() != case.rust || report.python_bump() != case.python {
            failures.push(format!(
                "{}: expected {:?} (rust {}, python {}), got rust {}, python {}:\n{}",
                case.name,
                case.kind,
                case.rust,
                case.python,
                report.rust_bump(),
                report.python_bump(),
                report.text()
            ));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
}

#[test]
fn breaking_cases_break_user_code() {
    // `cargo test` sets `CARGO_MANIFEST_DIR` at run time: the checkout under test, even when the
    // binary was compiled for another checkout sharing the target directory.
    let manifest_dir =
        PathBuf::from(std::env::var_os("CARGO_MANIFEST_DIR").expect("run by cargo test"));
    let root = manifest_dir
        .parent()
        .expect("codegen sits in the workspace")
        .to_path_buf();
    let target = std::env::var_os("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| root.join("target"));
    let dir = target.join("spec-diff-compat");
    let src = dir.join("src");
    let _ = fs::remove_dir_all(&src);
    fs::create_dir_all(&src).expect("create the temporary crate");

    let old = load(BASE, "base.yaml").expect("the base spec loads");
    let table = cases::cases();
    let mut lib = String::from("#![allow(warnings)]\n");
    // Every case starts from the base spec, so its client is emitted once, as `old`.
    let emit = |api: &cyberark_codegen::ir::Api, module: &str| {
        for output in cyberark_codegen::emit::rust::emit(api, module).expect("emit") {
            let path = src.join(&output.path);
            fs::create_dir_all(path.parent().expect("a parent")).expect("create dir");
            fs::write(&path, output.contents).expect("write the generated client");
        }
    };
    emit(&old, "old");
    lib.push_str("pub mod old;\n");
    for case in &table {
        let new = load(&cases::edited(BASE, case), case.name).expect("the edited spec loads");
        let new_module = format!("new_{}", case.name);
        emit(&new, &new_module);
        lib.push_str(&format!("pub mod {new_module};\n"));
        for (side, module) in [("old", "old"), ("new", new_module.as_str())] {
            let user = format!("user_{}_{side}", case.name);
            fs::write(
                src.join(format!("{user}.rs")),
                format!("use crate::{module} as api;\n{}\n", case.code),
            )
            .expect("write user code");
            lib.push_str(&format!("pub mod {user};\n"));
        }
    }
    fs::write(src.join("lib.rs"), lib).expect("write lib.rs");
    // Its own [workspace] keeps the crate out of the project's workspace; the project's profile
    // and lock file make cargo reuse the dependencies already built in the same target directory.
    let runtime = root.join("crates/cyberark-runtime");
    fs::write(
        dir.join("Cargo.toml"),
        format!(
            "[package]\nname = \"spec-diff-compat\"\nversion = \"0.0.0\"\nedition = \"2024\"\npublish = false\n\n\
             [dependencies]\ncyberark-runtime = {{ path = {:?} }}\nserde = {{ version = \"1\", features = [\"derive\"] }}\nserde_json = \"1\"\n\n\
             [workspace]\n\n[profile.dev]\ndebug = \"line-tables-only\"\n\n[profile.dev.package.\"*\"]\ndebug = false\n",
            runtime.display().to_string()
        ),
    )
    .expect("write Cargo.toml");
    fs::copy(root.join("Cargo.lock"), dir.join("Cargo.lock")).expect("copy Cargo.lock");

    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".to_owned());
    let out = Command::new(cargo)
        .args([
            "check",
            "--offline",
            "--lib",
            "--message-format=json",
            "--manifest-path",
        ])
        .arg(dir.join("Cargo.toml"))
        .env("CARGO_TARGET_DIR", &target)
        .output()
        .expect("run cargo check");
    let mut failing = BTreeSet::new();
    for line in String::from_utf8_lossy(&out.stdout).lines() {
        let Ok(msg) = serde_json::from_str::<serde_json::Value>(line) else {
            continue;
        };
        if msg["reason"] != "compiler-message" || msg["message"]["level"] != "error" {
            continue;
        }
        for span in msg["message"]["spans"].as_array().into_iter().flatten() {
            if span["is_primary"] == true
                && let Some(file) = span["file_name"].as_str()
            {
                failing.insert(file.to_owned());
            }
        }
    }
    if failing.is_empty() && !out.status.success() {
        panic!(
            "cargo check failed without a compiler error:\n{}",
            String::from_utf8_lossy(&out.stderr)
        );
    }
    let mut problems = Vec::new();
    for file in &failing {
        let user_file = table.iter().any(|c| {
            *file == format!("src/user_{}_old.rs", c.name)
                || *file == format!("src/user_{}_new.rs", c.name)
        });
        if !user_file {
            problems.push(format!(
                "generated code or an unexpected file fails: {file}"
            ));
        }
    }
    for case in &table {
        let old_fails = failing.contains(&format!("src/user_{}_old.rs", case.name));
        let new_fails = failing.contains(&format!("src/user_{}_new.rs", case.name));
        if old_fails {
            problems.push(format!(
                "{}: the user code does not compile against the old client",
                case.name
            ));
        }
        // A run case's break compiles; `spec_diff_python.rs` runs it.
        let breaking = case.rust == Bump::Major && case.proof == cases::Proof::Compile;
        if breaking && !new_fails {
            problems.push(format!(
                "{}: classified major for Rust, but the user code still compiles",
                case.name
            ));
        }
        if !breaking && new_fails {
            problems.push(format!(
                "{}: classified {} for Rust, but the user code breaks",
                case.name, case.rust
            ));
        }
    }
    assert!(
        problems.is_empty(),
        "{}\n\ncargo check's errors are in {failing:?}; the crate is {}",
        problems.join("\n"),
        dir.display()
    );
}
