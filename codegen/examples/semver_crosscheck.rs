//! Cross-checks `spec-diff`'s Rust verdicts with `cargo-semver-checks` on the spec-diff table.
//!
//! For every case of `codegen/tests/spec_diff/cases.rs` it emits the old and the new client as
//! two crates (both at version 1.0.0, so a minor release is what is being checked), runs
//! `cargo semver-checks --release-type minor` on the pair, and prints one Markdown row per case:
//! what `spec-diff` says for Rust, whether cargo-semver-checks finds a change a minor release may
//! not make (and which lints), and whether the two agree. `docs/releasing.md` records the result
//! and explains every disagreement.
//!
//! Needs `cargo-semver-checks` on `PATH` (`cargo install cargo-semver-checks --locked`, which
//! compiles for a long while; that is why this is not a test step). Run it with
//! `cargo run -p cyberark-codegen --example semver_crosscheck`.

// The table's user code and expected verdicts serve the tests; only its edits are used here.
#[allow(dead_code)]
#[path = "../tests/spec_diff/cases.rs"]
mod cases;

use cyberark_codegen::diff::{Bump, diff};
use cyberark_codegen::load::load;
use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;

const BASE: &str = include_str!("../tests/spec_diff/base.yaml");

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let codegen = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    let root = codegen
        .parent()
        .ok_or("codegen sits in the workspace")?
        .to_path_buf();
    let target = std::env::var_os("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| root.join("target"));
    let work = target.join("semver-crosscheck");
    let only: Option<String> = std::env::args().nth(1);
    let old = load(BASE, "base.yaml")?;
    println!("| case | spec-diff (Rust) | cargo-semver-checks | lints | agree |");
    println!("| --- | --- | --- | --- | --- |");
    let (mut agree, mut total) = (0, 0);
    for case in cases::cases() {
        if only.as_deref().is_some_and(|o| o != case.name) {
            continue;
        }
        let new = load(&cases::edited(BASE, &case), case.name)?;
        let ours = diff(&old, &new).rust_bump();
        let dir = work.join(case.name);
        let _ = fs::remove_dir_all(&dir);
        write_crate(&dir.join("old"), &old, &root)?;
        write_crate(&dir.join("new"), &new, &root)?;
        let out = Command::new("cargo")
            .args([
                "semver-checks",
                "--release-type",
                "minor",
                "--baseline-root",
            ])
            .arg(dir.join("old"))
            .arg("--manifest-path")
            .arg(dir.join("new").join("Cargo.toml"))
            // One target directory for every case, so the runtime and its dependencies build once.
            .env("CARGO_TARGET_DIR", work.join("target"))
            .output()?;
        let text = format!(
            "{}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
        let lints: Vec<String> = text
            .lines()
            .filter_map(|l| l.trim().strip_prefix("--- failure "))
            .filter_map(|l| l.split(':').next())
            .map(str::to_owned)
            .collect();
        let theirs_major = !out.status.success();
        if theirs_major && lints.is_empty() {
            return Err(format!("{}: cargo-semver-checks failed:\n{text}", case.name).into());
        }
        let same = (ours == Bump::Major) == theirs_major;
        total += 1;
        agree += usize::from(same);
        println!(
            "| `{}` | {} | {} | {} | {} |",
            case.name,
            ours,
            if theirs_major { "major" } else { "not major" },
            if lints.is_empty() {
                "-".to_owned()
            } else {
                lints.join(", ")
            },
            if same { "yes" } else { "**no**" }
        );
    }
    println!("\n{agree} of {total} cases agree on whether the change is breaking.");
    Ok(())
}

/// One generated client as a crate of its own, depending on the workspace's runtime.
fn write_crate(
    dir: &Path,
    api: &cyberark_codegen::ir::Api,
    root: &Path,
) -> Result<(), Box<dyn std::error::Error>> {
    let src = dir.join("src");
    fs::create_dir_all(&src)?;
    let mut lib = String::from("#![allow(warnings)]\npub use generated::*;\nmod generated;\n");
    for output in cyberark_codegen::emit::rust::emit(api, "src/generated")? {
        let path = dir.join(&output.path);
        fs::create_dir_all(path.parent().ok_or("a parent")?)?;
        fs::write(&path, output.contents)?;
    }
    lib.push_str("pub use cyberark_runtime::Error;\n");
    fs::write(src.join("lib.rs"), lib)?;
    fs::write(
        dir.join("Cargo.toml"),
        format!(
            "[package]\nname = \"spec-diff-case\"\nversion = \"1.0.0\"\nedition = \"2024\"\npublish = false\n\n[dependencies]\ncyberark-runtime = {{ path = {:?} }}\nserde = {{ version = \"1\", features = [\"derive\"] }}\n\n[workspace]\n",
            root.join("crates/cyberark-runtime").display().to_string()
        ),
    )?;
    fs::copy(root.join("Cargo.lock"), dir.join("Cargo.lock"))?;
    Ok(())
}
