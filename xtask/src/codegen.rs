//! `cargo xtask codegen [--check]`: reads the spec, runs the generator, writes or checks outputs.
//!
//! [`write_or_check`] is the one helper through which every generated file is written: it
//! compares the new text with what is on disk and either writes it or, with `--check`, records a
//! unified diff. Generation itself is the pure library `cyberark-codegen`.

use crate::util::root;
use cyberark_codegen::emit::{self, Output};
use std::fs;
use std::path::Path;

/// The curated spec, relative to the repository root.
pub const SPEC: &str = "spec/identity.yaml";

/// The generator's snapshot fixtures, relative to the repository root.
const SNAPSHOTS: &str = "codegen/tests/snapshots";

/// The Python module of the `general` fixture's classes, built into the extension only with the
/// bindings crate's feature `general-fixture` (which `cargo xtask test python` turns on).
pub const GENERAL_FIXTURE_MODULE: &str = "cyberark_identity._general_fixture";

/// The stub tree holding the `general` fixture module's stubs, relative to the repository root:
/// put on `MYPYPATH` by the Python checks, and kept out of the package so the wheel never
/// describes a module it does not have.
pub const GENERAL_FIXTURE_STUBS: &str = "codegen/tests/snapshots/general/stubs";

/// Whether to write outputs or only compare them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    /// Write every stale file.
    Write,
    /// Write nothing; fail with a diff if anything is stale.
    Check,
}

pub fn run(args: &[String]) -> Result<(), String> {
    let mode = match args {
        [] => Mode::Write,
        [flag] if flag == "--check" => Mode::Check,
        _ => {
            return Err(format!(
                "usage: cargo xtask codegen [--check] (got {args:?})"
            ));
        }
    };
    let root = root()?;
    let stale = generate(&root, mode)?;
    match (mode, stale.is_empty()) {
        (Mode::Check, false) => Err(format!(
            "{} generated file(s) are stale; run `cargo xtask codegen` and commit the result:\n{}",
            stale.len(),
            stale.join("\n")
        )),
        (Mode::Check, true) => {
            eprintln!("generated files are up to date");
            Ok(())
        }
        (Mode::Write, _) => {
            eprintln!("wrote {} file(s)", stale.len());
            eprintln!("{}", crate::spec_diff::summary(&root));
            Ok(())
        }
    }
}

/// Generates every output under `root`; returns the diffs (check) or paths (write) of stale files.
pub fn generate(root: &Path, mode: Mode) -> Result<Vec<String>, String> {
    // Every spec of `spec/specs.yaml` (by default `spec/identity.yaml` alone, with its overlays)
    // gets the outputs its entry names: the primary one all of them at the default layout.
    let work = crate::specs::Source::WorkTree(root.to_path_buf());
    let mut outputs = Vec::new();
    for entry in crate::specs::entries(&work)? {
        let (api, warnings) = crate::specs::load(&work, &entry)?
            .ok_or_else(|| format!("cannot read {}: no such file", entry.spec))?;
        for warning in &warnings {
            eprintln!("warning: {warning}");
        }
        outputs.extend(emit::generate(&api, &entry.layout()).map_err(|e| e.to_string())?);
    }
    for output in &mut outputs {
        normalise(output)?;
    }
    outputs.extend(snapshot_outputs(root)?);
    let mut stale = Vec::new();
    for output in &outputs {
        if let Some(report) = write_or_check(root, output, mode)? {
            stale.push(report);
        }
    }
    stale.extend(orphans(root, &outputs, mode)?);
    Ok(stale)
}

/// The generator's snapshot fixtures: each `codegen/tests/snapshots/<name>/spec.yaml` has its
/// generated Rust client beside it in `expected/`, which the `codegen-snapshots` crate compiles.
/// Generating them here, through the same helper, makes `--check` the snapshot test.
fn snapshot_outputs(root: &Path) -> Result<Vec<Output>, String> {
    let dir = root.join(SNAPSHOTS);
    let mut names: Vec<String> = fs::read_dir(&dir)
        .map_err(|e| format!("cannot list {}: {e}", dir.display()))?
        .flatten()
        .filter(|e| e.path().join("spec.yaml").is_file())
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    let mut outputs = Vec::new();
    for name in names {
        let spec = format!("{SNAPSHOTS}/{name}/spec.yaml");
        let source =
            fs::read_to_string(root.join(&spec)).map_err(|e| format!("cannot read {spec}: {e}"))?;
        // Fixtures written in the vendor's style, and ordinary OpenAPI descriptions (`general`),
        // are loaded the way a dropped-in definition is.
        let options = cyberark_codegen::load::LoadOptions {
            tolerant: name.starts_with("vendor_") || name.starts_with("general"),
        };
        let (api, _) = cyberark_codegen::load::load_with(&source, &spec, options)
            .map_err(|e| e.to_string())?;
        let mut files = emit::rust::emit(&api, &format!("{SNAPSHOTS}/{name}/expected"))
            .map_err(|e| e.to_string())?;
        // The general fixture also gets its Python layer, which the bindings crate compiles
        // (with its Rust client, `general_fixture_client`) in its tests and, with the feature
        // `general-fixture`, into the extension as `cyberark_identity._general_fixture`, so every
        // feature it exercises (unions, recursion, downloads, ...) is proven to generate pyo3
        // code that builds, passes stubtest and round-trips on the wire from Python. Its stubs
        // sit in a stub tree of their own (on `MYPYPATH` for those checks), never in the package.
        if name == "general" {
            let target = emit::PythonLayout {
                rust_path: "crate::general_fixture_client".to_owned(),
                dir: format!("{SNAPSHOTS}/{name}/python"),
                module: GENERAL_FIXTURE_MODULE.to_owned(),
                stubs: format!("{GENERAL_FIXTURE_STUBS}/cyberark_identity/_general_fixture.pyi"),
                sign_in: emit::SignIn::Identity,
                primary: false,
            };
            files.extend(emit::python::emit(&api, &target).map_err(|e| e.to_string())?);
            files.push(emit::stubs::emit(&api, &target).map_err(|e| e.to_string())?);
        }
        for file in &mut files {
            normalise(file)?;
        }
        outputs.extend(files);
    }
    Ok(outputs)
}

/// Brings a generated file into the project's style, so `cargo fmt --check` holds for generated
/// code too: Rust files go through `rustfmt` (prettyplease's layout differs in details).
fn normalise(output: &mut Output) -> Result<(), String> {
    if !output.path.ends_with(".rs") {
        return Ok(());
    }
    let mut child = std::process::Command::new("rustfmt")
        .args(["--edition", "2024", "--emit", "stdout", "--quiet"])
        .current_dir(root()?)
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .map_err(|e| format!("cannot start rustfmt: {e}"))?;
    let mut stdin = child.stdin.take().ok_or("rustfmt has no stdin")?;
    let text = output.contents.clone();
    // Write from a thread so a large file cannot deadlock against rustfmt's full stdout pipe.
    let writer = std::thread::spawn(move || {
        use std::io::Write;
        stdin.write_all(text.as_bytes())
    });
    let result = child
        .wait_with_output()
        .map_err(|e| format!("rustfmt failed on {}: {e}", output.path))?;
    writer
        .join()
        .map_err(|_| "the rustfmt writer thread panicked".to_owned())?
        .map_err(|e| format!("cannot feed rustfmt: {e}"))?;
    if !result.status.success() {
        return Err(format!(
            "rustfmt rejected the generated {}: {}",
            output.path,
            String::from_utf8_lossy(&result.stderr)
        ));
    }
    output.contents = String::from_utf8(result.stdout)
        .map_err(|e| format!("rustfmt wrote non-UTF-8 for {}: {e}", output.path))?;
    Ok(())
}

/// Writes one generated file, or in check mode returns its diff when it is stale.
pub fn write_or_check(root: &Path, output: &Output, mode: Mode) -> Result<Option<String>, String> {
    let path = root.join(&output.path);
    let current = fs::read_to_string(&path).ok();
    if current.as_deref() == Some(output.contents.as_str()) {
        return Ok(None);
    }
    match mode {
        Mode::Check => {
            let old = current.unwrap_or_default();
            let diff = similar::TextDiff::from_lines(&old, &output.contents)
                .unified_diff()
                .context_radius(3)
                .header(&format!("a/{}", output.path), &format!("b/{}", output.path))
                .to_string();
            Ok(Some(diff))
        }
        Mode::Write => {
            if let Some(dir) = path.parent() {
                fs::create_dir_all(dir)
                    .map_err(|e| format!("cannot create {}: {e}", dir.display()))?;
            }
            fs::write(&path, &output.contents)
                .map_err(|e| format!("cannot write {}: {e}", path.display()))?;
            Ok(Some(output.path.clone()))
        }
    }
}

/// Generated files left over from a previous spec (a removed tag): removed, or reported.
fn orphans(root: &Path, outputs: &[Output], mode: Mode) -> Result<Vec<String>, String> {
    let mut found = Vec::new();
    let dirs: std::collections::BTreeSet<&str> = outputs
        .iter()
        .filter_map(|o| o.path.rsplit_once('/').map(|(d, _)| d))
        .collect();
    for dir in dirs {
        let Ok(entries) = fs::read_dir(root.join(dir)) else {
            continue;
        };
        for entry in entries.flatten() {
            let rel = format!("{dir}/{}", entry.file_name().to_string_lossy());
            if outputs.iter().any(|o| o.path == rel) {
                continue;
            }
            let text = fs::read_to_string(entry.path()).unwrap_or_default();
            if !text.contains(emit::HEADER) {
                continue;
            }
            match mode {
                Mode::Check => found.push(format!(
                    "{rel} is generated but no longer produced by the spec"
                )),
                Mode::Write => {
                    fs::remove_file(entry.path())
                        .map_err(|e| format!("cannot remove {rel}: {e}"))?;
                    found.push(rel);
                }
            }
        }
    }
    Ok(found)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Plain `cargo test` catches drift too: the committed generated files match the spec.
    #[test]
    fn generated_files_are_up_to_date() {
        let stale = generate(&root().expect("cargo locates the workspace"), Mode::Check)
            .expect("generation runs");
        assert!(
            stale.is_empty(),
            "stale generated files; run `cargo xtask codegen`:\n{}",
            stale.join("\n")
        );
    }

    #[test]
    fn check_mode_reports_a_diff_and_writes_nothing() {
        let dir = std::env::temp_dir().join(format!("xtask-codegen-{}", std::process::id()));
        let out = Output {
            path: "gen/a.rs".into(),
            contents: "// new\nfn a() {}\n".into(),
        };
        fs::create_dir_all(dir.join("gen")).unwrap();
        fs::write(dir.join("gen/a.rs"), "// old\nfn a() {}\n").unwrap();
        let diff = write_or_check(&dir, &out, Mode::Check)
            .unwrap()
            .expect("stale");
        assert!(
            diff.contains("-// old") && diff.contains("+// new"),
            "{diff}"
        );
        assert_eq!(
            fs::read_to_string(dir.join("gen/a.rs")).unwrap(),
            "// old\nfn a() {}\n"
        );
        assert_eq!(
            write_or_check(&dir, &out, Mode::Write).unwrap().as_deref(),
            Some("gen/a.rs")
        );
        assert_eq!(write_or_check(&dir, &out, Mode::Check).unwrap(), None);
        fs::remove_dir_all(&dir).unwrap();
    }
}
