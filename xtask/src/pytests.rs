//! The Python package's checks: build it into `.venv`, run pytest, stubtest and `mypy --strict`,
//! then build the abi3 wheel, install it into a fresh venv and run the tour from there.
//!
//! Builds use the dev profile: the tests exercise behaviour, not speed, and a release build of
//! the whole dependency tree would cost the 2-core CI machine many minutes.

use crate::codegen::{GENERAL_FIXTURE_MODULE, GENERAL_FIXTURE_STUBS};
use crate::python;
use crate::util::{root, run as run_cmd, target_dir};
use std::path::{Path, PathBuf};
use std::process::Command;

/// The package's directory, relative to the repository root.
const PACKAGE: &str = "bindings/python";

/// Where `maturin build` puts wheels, relative to cargo's target directory.
const WHEELS: &str = "wheels";

/// The throwaway venv the built wheel is installed into, relative to cargo's target directory.
const FRESH_VENV: &str = "python-wheel-venv";

/// Runs every check of the Python package.
pub fn run() -> Result<(), String> {
    develop()?;
    let package = root()?.join(PACKAGE);
    run_in(
        Command::new(python::bin("python")?).args([
            "-m",
            "pytest",
            "-W",
            "error",
            "--timeout",
            "120",
            "-q",
            "tests",
        ]),
        &package,
    )?;
    // Every native module a spec of `spec/specs.yaml` generates is held against its stubs, and
    // so is the generator's `general` fixture, whose stubs mypy finds on `MYPYPATH`.
    let source = crate::specs::Source::WorkTree(root()?);
    let mut modules: Vec<String> = crate::specs::entries(&source)?
        .iter()
        .filter_map(|entry| entry.layout().python.map(|p| p.module))
        .collect();
    modules.push(GENERAL_FIXTURE_MODULE.to_owned());
    let stubs = root()?.join(GENERAL_FIXTURE_STUBS);
    run_in(
        Command::new(python::bin("python")?)
            .args(["-m", "mypy.stubtest"])
            .args(&modules)
            .env("MYPYPATH", &stubs),
        &package,
    )?;
    run_in(
        // `python -m mypy` rather than the `mypy` script: a venv copied from another checkout
        // keeps scripts whose first line names that checkout's interpreter and packages.
        Command::new(python::bin("python")?)
            .args(["-m", "mypy", "--strict"])
            .args(TOURS)
            .arg("tests")
            .env("MYPYPATH", &stubs),
        &package,
    )?;
    wheel_smoke_test()
}

/// The features of the build the checks above run against: the `general` fixture built into the
/// extension (the wheel is built without it), plus the features `pyproject.toml` sets, which
/// maturin ignores once `--features` is given on its command line.
const DEVELOP_FEATURES: &str = "general-fixture,pyo3/extension-module";

/// The Python tours, relative to the package: Identity's and the Vault's.
const TOURS: &[&str] = &["examples/tour.py", "examples/vault_tour.py"];

/// Runs the tours from `.venv` (for `cargo xtask demo`).
pub fn run_tour() -> Result<(), String> {
    develop()?;
    for tour in TOURS {
        run_cmd(Command::new(python::bin("python")?).arg(format!("{PACKAGE}/{tour}")))?;
    }
    Ok(())
}

/// Builds the package in the dev profile and installs it, editable, into `.venv`.
fn develop() -> Result<(), String> {
    python::ensure()?;
    let mut cmd = Command::new(python::bin("maturin")?);
    cmd.args([
        "develop",
        "--features",
        DEVELOP_FEATURES,
        "--manifest-path",
        &format!("{PACKAGE}/Cargo.toml"),
    ]);
    run_cmd(with_venv(&mut cmd, &python::venv()?))
}

/// Builds the abi3 wheel, installs it into a fresh venv and runs the tour with it, so the wheel
/// is known to carry everything the package needs.
fn wheel_smoke_test() -> Result<(), String> {
    let wheels = target_dir()?.join(WHEELS);
    // Old wheels would make "the wheel" ambiguous; the directory holds nothing else of ours.
    if let Ok(entries) = std::fs::read_dir(&wheels) {
        for entry in entries.flatten() {
            if entry
                .file_name()
                .to_string_lossy()
                .starts_with("cyberark_clients-")
            {
                let _ = std::fs::remove_file(entry.path());
            }
        }
    }
    let mut build = Command::new(python::bin("maturin")?);
    build
        .args([
            "build",
            "--profile",
            "dev",
            "--manifest-path",
            &format!("{PACKAGE}/Cargo.toml"),
            "--out",
        ])
        .arg(&wheels);
    run_cmd(with_venv(&mut build, &python::venv()?))?;
    let wheel = find_wheel(&wheels)?;
    let fresh = target_dir()?.join(FRESH_VENV);
    if fresh.exists() {
        std::fs::remove_dir_all(&fresh)
            .map_err(|e| format!("cannot remove {}: {e}", fresh.display()))?;
    }
    run_cmd(
        Command::new(python::bin("python")?)
            .args(["-m", "venv"])
            .arg(&fresh),
    )?;
    let fresh_python = fresh.join("bin").join("python");
    run_cmd(
        Command::new(&fresh_python)
            .args([
                "-m",
                "pip",
                "install",
                "--quiet",
                "--disable-pip-version-check",
                "--no-deps",
            ])
            .arg(&wheel),
    )?;
    // The test fixture stays out of the published wheel.
    run_in(
        Command::new(&fresh_python).args([
            "-c",
            &format!(
                "import importlib, cyberark_identity\n\
                 try:\n    importlib.import_module({GENERAL_FIXTURE_MODULE:?})\n\
                 except ImportError:\n    pass\n\
                 else:\n    raise SystemExit('the wheel contains the test fixture {GENERAL_FIXTURE_MODULE}')"
            ),
        ]),
        &fresh,
    )?;
    // Run from the venv's directory so the source tree cannot shadow the installed package; the
    // Vault tour proves the wheel carries the second package too.
    for tour in TOURS {
        run_in(
            Command::new(&fresh_python).arg(root()?.join(PACKAGE).join(tour)),
            &fresh,
        )?;
    }
    Ok(())
}

fn find_wheel(dir: &Path) -> Result<PathBuf, String> {
    let entries =
        std::fs::read_dir(dir).map_err(|e| format!("cannot read {}: {e}", dir.display()))?;
    entries
        .flatten()
        .map(|e| e.path())
        .find(|p| {
            let name = p
                .file_name()
                .map(|n| n.to_string_lossy().into_owned())
                .unwrap_or_default();
            name.starts_with("cyberark_clients-") && name.ends_with(".whl")
        })
        .ok_or_else(|| format!("maturin built no wheel into {}", dir.display()))
}

/// Points maturin at the virtual environment (it refuses to install without `VIRTUAL_ENV`).
fn with_venv<'a>(cmd: &'a mut Command, venv: &Path) -> &'a mut Command {
    let path = std::env::var("PATH").unwrap_or_default();
    cmd.env("VIRTUAL_ENV", venv)
        .env("PATH", format!("{}:{path}", venv.join("bin").display()))
}

/// Runs a command in `dir`: pytest and mypy read their paths relative to the package.
fn run_in(cmd: &mut Command, dir: &Path) -> Result<(), String> {
    run_cmd(cmd.current_dir(dir))
}
