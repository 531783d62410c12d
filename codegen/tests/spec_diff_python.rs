//! The spec-diff classification proven by running user code: the Python half of every case of
//! `spec_diff/cases.rs`, and the Rust half of the cases whose break compiles.
//!
//! Building a wheel per case would cost minutes each, so the generated pyo3 layers of the base
//! spec (`old`) and of every edited spec (`new_<case>`) are compiled side by side into ONE
//! extension module, `spec_diff_compat`, each with its own copy of the generated Rust client, on
//! top of the bindings crate's hand-written runtime (the same code the real wheel runs). Each
//! case's script then runs against `old` and against its `new_<case>` (see
//! `spec_diff/harness.py`), and `mypy --strict` checks every script against the generated stubs
//! of its side. A script must pass against the old package; against the new one it must fail
//! (raise, or fail mypy) exactly when the case is major for Python. The same module runs the
//! `run()` of the Rust cases proven by running ([`cases::Proof::Run`]).
//!
//! The tools come from the project's `.venv` (`cargo xtask test` creates it before this step).

#[path = "spec_diff/cases.rs"]
#[allow(dead_code)]
mod cases;

use cases::{Case, Proof};
use cyberark_codegen::diff::Bump;
use cyberark_codegen::ir::Api;
use cyberark_codegen::load::load;
use std::collections::{BTreeMap, BTreeSet};
use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::OnceLock;

const BASE: &str = include_str!("spec_diff/base.yaml");
const HARNESS: &str = include_str!("spec_diff/harness.py");

/// The bindings crate's hand-written modules the generated layer names as `crate::…`.
const BINDINGS_MODULES: &[&str] = &[
    "runtime", "handle", "wait", "model", "client", "paging", "errors",
];

struct Paths {
    root: PathBuf,
    target: PathBuf,
    dir: PathBuf,
}

fn paths() -> Paths {
    let manifest_dir =
        PathBuf::from(std::env::var_os("CARGO_MANIFEST_DIR").expect("run by cargo test"));
    let root = manifest_dir
        .parent()
        .expect("codegen sits in the workspace")
        .to_path_buf();
    let target = std::env::var_os("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| root.join("target"));
    let dir = target.join("spec-diff-python");
    Paths { root, target, dir }
}

/// The project's Python, with mypy; `cargo xtask test` creates `.venv` before the cargo step.
fn python(root: &Path) -> PathBuf {
    let python = root.join(".venv/bin/python");
    assert!(
        python.exists(),
        "{} is missing: run `cargo xtask test` (or `cargo xtask test python`) once to create .venv",
        python.display()
    );
    python
}

/// Every side: `old` for the base spec, `new_<case>` for each edited spec, with its API.
fn sides() -> Vec<(String, Api)> {
    let mut sides = vec![(
        "old".to_owned(),
        load(BASE, "base.yaml").expect("the base spec loads"),
    )];
    for case in cases::cases() {
        let api = load(&cases::edited(BASE, &case), case.name).expect("the edited spec loads");
        sides.push((format!("new_{}", case.name), api));
    }
    sides
}

fn side_of(case: &Case, new: bool) -> String {
    if new {
        format!("new_{}", case.name)
    } else {
        "old".to_owned()
    }
}

fn write(path: &Path, contents: &str) {
    fs::create_dir_all(path.parent().expect("a parent")).expect("create dir");
    fs::write(path, contents).unwrap_or_else(|e| panic!("write {}: {e}", path.display()));
}

/// The generated pyo3 layer, pointed at this side's Rust client and at the bindings crate.
fn rewire(code: &str, side: &str) -> String {
    let mut code = tighten(code)
        .replace(
            "use ::cyberark_identity as",
            &format!("use crate::{side}::client as"),
        )
        .replace("::cyberark_identity::", &format!("crate::{side}::client::"));
    for module in BINDINGS_MODULES {
        code = code.replace(
            &format!("crate::{module}::"),
            &format!("::cyberark_identity_python::{module}::"),
        );
    }
    code
}

/// The Identity layout of the pyo3 layer, its files and stubs written relative to `dir`.
fn layout(dir: &str) -> cyberark_codegen::emit::PythonLayout {
    let mut layout = cyberark_codegen::emit::Layout::default()
        .python
        .expect("the primary spec has a Python layer");
    layout.dir = dir.to_owned();
    layout.stubs = dir.to_owned();
    layout
}

/// Removes the space prettyplease leaves between `crate` and `::` inside macro arguments.
fn tighten(code: &str) -> String {
    let mut out = String::with_capacity(code.len());
    let mut rest = code;
    while let Some(at) = rest.find("crate") {
        out.push_str(&rest[..at + "crate".len()]);
        rest = &rest[at + "crate".len()..];
        let trimmed = rest.trim_start();
        if trimmed.starts_with("::") {
            rest = trimmed;
        }
    }
    out.push_str(rest);
    out
}

/// Writes the scripts (`scripts/user_<case>_<side>.py`) and the stubs (`stubs/`).
fn write_python_sources(dir: &Path, sides: &[(String, Api)]) {
    let scripts = dir.join("scripts");
    let stubs = dir.join("stubs/spec_diff_compat");
    let _ = fs::remove_dir_all(&scripts);
    let _ = fs::remove_dir_all(&stubs);
    for (side, api) in sides {
        let stub =
            cyberark_codegen::emit::stubs::emit(api, &layout("stub")).expect("emit the stubs");
        write(&stubs.join(format!("{side}.pyi")), &stub.contents);
    }
    write(
        &stubs.join("__init__.pyi"),
        "def rust_runs() -> list[tuple[str, bool]]: ...\n",
    );
    for case in cases::cases() {
        for new in [false, true] {
            let side = side_of(&case, new);
            write(
                &scripts.join(format!("user_{}_{side}.py", case.name)),
                &format!(
                    "from spec_diff_compat import {side} as api\n\n{}",
                    case.py.trim_start()
                ),
            );
        }
    }
}

/// Builds `spec_diff_compat` and returns the directory holding it, once for all tests (a
/// failure is kept too, so a second test does not build again).
fn built() -> &'static PathBuf {
    static BUILT: OnceLock<Result<PathBuf, String>> = OnceLock::new();
    match BUILT.get_or_init(build) {
        Ok(dir) => dir,
        Err(e) => panic!("{e}"),
    }
}

fn build() -> Result<PathBuf, String> {
    {
        let Paths { root, target, dir } = paths();
        let sides = sides();
        let src = dir.join("src");
        let _ = fs::remove_dir_all(&src);
        let mut lib = String::from(
            "#![allow(warnings)]\nuse ::pyo3::prelude::*;\n\n\
             #[pymodule]\nfn spec_diff_compat(m: &Bound<'_, PyModule>) -> PyResult<()> {\n\
             ::cyberark_identity_python::lifecycle::install(m)?;\n\
             m.add_function(wrap_pyfunction!(rust_runs, m)?)?;\n",
        );
        let mut mods = String::new();
        for (side, api) in &sides {
            for output in cyberark_codegen::emit::rust::emit(api, "client").expect("emit Rust") {
                write(&src.join(side).join(&output.path), &output.contents);
            }
            for output in
                cyberark_codegen::emit::python::emit(api, &layout("py")).expect("emit pyo3")
            {
                write(
                    &src.join(side).join(&output.path),
                    &rewire(&output.contents, side),
                );
            }
            let mut side_mod = String::from("pub mod client;\npub mod py;\n");
            for case in cases::cases().iter().filter(|c| c.proof == Proof::Run) {
                let name = format!("user_{}", case.name);
                if *side == "old" || *side == format!("new_{}", case.name) {
                    write(
                        &src.join(side).join(format!("{name}.rs")),
                        &format!("use super::client as api;\n{}\n", case.code),
                    );
                    side_mod.push_str(&format!("pub mod {name};\n"));
                }
            }
            write(&src.join(side).join("mod.rs"), &side_mod);
            mods.push_str(&format!("pub mod {side};\n"));
            lib.push_str(&format!(
                "{{ let sub = PyModule::new(m.py(), {side:?})?; {side}::py::register(&sub)?; m.add({side:?}, sub)?; }}\n"
            ));
        }
        lib.push_str("Ok(())\n}\n\n");
        lib.push_str(&mods);
        lib.push_str(
            "\n/// The `run()` of every Rust case proven by running, as `(\"<case> <side>\", result)`.\n\
             #[pyfunction]\nfn rust_runs() -> Vec<(String, bool)> {\nvec![\n",
        );
        for case in cases::cases().iter().filter(|c| c.proof == Proof::Run) {
            for new in [false, true] {
                let side = side_of(case, new);
                lib.push_str(&format!(
                    "({:?}.to_owned(), {side}::user_{}::run()),\n",
                    format!("{} {side}", case.name),
                    case.name
                ));
            }
        }
        lib.push_str("]\n}\n");
        write(&src.join("lib.rs"), &lib);
        // Its own [workspace] keeps the crate out of the project's; the project's profile, lock
        // file and feature set make cargo reuse what `cargo test --workspace` already built.
        let dep = |p: &str| root.join(p).display().to_string();
        write(
            &dir.join("Cargo.toml"),
            &format!(
                "[package]\nname = \"spec-diff-compat\"\nversion = \"0.0.0\"\nedition = \"2024\"\npublish = false\n\n\
                 [lib]\nname = \"spec_diff_compat\"\ncrate-type = [\"cdylib\"]\n\n\
                 [dependencies]\ncyberark-runtime = {{ path = {:?} }}\ncyberark-identity-python = {{ path = {:?} }}\n\
                 pyo3 = {{ version = \"0.30.1\", features = [\"abi3-py39\"] }}\n\
                 serde = {{ version = \"1\", features = [\"derive\"] }}\nserde_json = \"1\"\n\n\
                 [workspace]\n\n[profile.dev]\ndebug = \"line-tables-only\"\n\n[profile.dev.package.\"*\"]\ndebug = false\n",
                dep("crates/cyberark-runtime"),
                dep("bindings/python"),
            ),
        );
        fs::copy(root.join("Cargo.lock"), dir.join("Cargo.lock")).expect("copy Cargo.lock");
        let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".to_owned());
        let out = Command::new(cargo)
            .args(["build", "--offline", "--lib", "--manifest-path"])
            .arg(dir.join("Cargo.toml"))
            .env("CARGO_TARGET_DIR", &target)
            .output()
            .expect("run cargo build");
        if !out.status.success() {
            return Err(format!(
                "the generated layers do not build (the crate is {}):\n{}",
                dir.display(),
                String::from_utf8_lossy(&out.stderr)
            ));
        }
        let build = dir.join("build");
        let _ = fs::remove_dir_all(&build);
        fs::create_dir_all(&build).expect("create the build dir");
        fs::copy(
            target.join("debug/libspec_diff_compat.so"),
            build.join("spec_diff_compat.so"),
        )
        .expect("copy the extension module");
        write_python_sources(&dir, &sides);
        Ok(build)
    }
}

/// Runs every script against its side; `None` for a pass, else the failure.
fn outcomes() -> &'static BTreeMap<String, serde_json::Value> {
    static OUTCOMES: OnceLock<Result<BTreeMap<String, serde_json::Value>, String>> =
        OnceLock::new();
    let outcomes = OUTCOMES.get_or_init(|| {
        let build = built();
        let Paths { root, dir, .. } = paths();
        let harness = dir.join("harness.py");
        write(&harness, HARNESS);
        let out_file = dir.join("outcomes.json");
        let out = Command::new(python(&root))
            .arg(&harness)
            .arg(build)
            .arg(dir.join("scripts"))
            .arg(root.join("bindings/python/python"))
            .arg(&out_file)
            .output()
            .expect("run the harness");
        if !out.status.success() {
            return Err(format!(
                "the harness failed:\n{}\n{}",
                String::from_utf8_lossy(&out.stdout),
                String::from_utf8_lossy(&out.stderr)
            ));
        }
        let text = fs::read_to_string(&out_file).map_err(|e| format!("no outcomes: {e}"))?;
        serde_json::from_str(&text).map_err(|e| format!("the outcomes are not JSON: {e}"))
    });
    match outcomes {
        Ok(outcomes) => outcomes,
        Err(e) => panic!("{e}"),
    }
}

#[test]
fn python_scripts_break_exactly_on_major_cases() {
    let outcomes = outcomes();
    let mypy = mypy_failures();
    let mut problems = Vec::new();
    for case in cases::cases() {
        let outcome = |side: &str| -> Option<String> {
            let key = format!("user_{}_{side}", case.name);
            match outcomes.get(&key) {
                Some(serde_json::Value::Null) => None,
                Some(v) => Some(v.as_str().unwrap_or("?").to_owned()),
                None => Some("the script did not run".to_owned()),
            }
        };
        let old = outcome("old");
        let new = outcome(&side_of(&case, true));
        let mypy_old = mypy.get(&format!("user_{}_old.py", case.name));
        let mypy_new = mypy.get(&format!("user_{}_new_{}.py", case.name, case.name));
        if let Some(e) = old {
            problems.push(format!("{}: fails against the old package: {e}", case.name));
        }
        if let Some(e) = mypy_old {
            problems.push(format!(
                "{}: mypy fails against the old stubs: {e}",
                case.name
            ));
        }
        let breaks = new.is_some() || mypy_new.is_some();
        let major = case.python == Bump::Major;
        if major && !breaks {
            problems.push(format!(
                "{}: classified major for Python, but the script passes and mypy is silent",
                case.name
            ));
        }
        if !major && breaks {
            problems.push(format!(
                "{}: classified {} for Python, but the script breaks: {new:?}, mypy {mypy_new:?}",
                case.name, case.python
            ));
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

#[test]
fn rust_run_cases_fail_exactly_when_major() {
    let runs = &outcomes()["rust_runs"];
    let mut problems = Vec::new();
    let table = cases::cases();
    assert!(
        table.iter().any(|c| c.proof == Proof::Run),
        "the table has cases proven by running"
    );
    for case in table.iter().filter(|c| c.proof == Proof::Run) {
        let result = |side: String| runs[format!("{} {side}", case.name)].as_bool();
        if result(side_of(case, false)) != Some(true) {
            problems.push(format!(
                "{}: run() is not true on the old client",
                case.name
            ));
        }
        let new = result(side_of(case, true));
        if new != Some(case.rust != Bump::Major) {
            problems.push(format!(
                "{}: classified {} for Rust, but run() on the new client gives {new:?}",
                case.name, case.rust
            ));
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

/// `mypy --strict` over every script against its side's stubs: the files it reports, with
/// their first error.
fn mypy_failures() -> BTreeMap<String, String> {
    let Paths { root, dir, .. } = paths();
    // The stubs and scripts are written by the build; mypy needs nothing compiled, but running
    // after it keeps one writer of the directory.
    built();
    let out = Command::new(python(&root))
        .args([
            "-m",
            "mypy",
            "--strict",
            "--no-error-summary",
            "--cache-dir",
        ])
        .arg(dir.join("mypy-cache"))
        .arg(dir.join("scripts"))
        .env("MYPYPATH", dir.join("stubs"))
        .output()
        .expect("run mypy");
    let text = String::from_utf8_lossy(&out.stdout);
    let mut failures = BTreeMap::new();
    let mut files = BTreeSet::new();
    for line in text.lines() {
        let Some((path, rest)) = line.split_once(':') else {
            continue;
        };
        if !rest.contains("error:") {
            continue;
        }
        let file = Path::new(path)
            .file_name()
            .map(|f| f.to_string_lossy().into_owned())
            .unwrap_or_default();
        if files.insert(file.clone()) {
            failures.insert(file, rest.trim().to_owned());
        }
    }
    assert!(
        out.status.success() || !failures.is_empty(),
        "mypy failed without naming a file:\n{text}\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    failures
}
