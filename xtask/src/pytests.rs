//! The Python package's checks: build it into `.venv`, run pytest, stubtest and `mypy --strict`,
//! then build the abi3 wheel, install it into a fresh venv and run the tour from there.
//!
//! Builds use the dev profile: the tests exercise behaviour, not speed, and a release build of
//! the whole dependency tree would cost the 2-core CI machine many minutes.

use crate::python;
use crate::util::{describe, root, run as run_cmd, target_dir};
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
    // Every native module a spec of `spec/specs.yaml` generates is held against its stubs.
    let source = crate::specs::Source::WorkTree(root()?);
    let modules: Vec<String> = crate::specs::entries(&source)?
        .iter()
        .filter_map(|entry| entry.layout().python.map(|p| p.module))
        .collect();
    run_in(
        Command::new(python::bin("python")?)
            .args(["-m", "mypy.stubtest"])
            .args(&modules),
        &package,
    )?;
    run_in(
        Command::new(python::bin("mypy")?)
            .arg("--strict")
            .args(TOURS)
            .arg("tests"),
        &package,
    )?;
    wheel_smoke_test()
}

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
                .starts_with("cyberark_identity-")
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
            name.starts_with("cyberark_identity-") && name.ends_with(".whl")
        })
        .ok_or_else(|| format!("maturin built no wheel into {}", dir.display()))
}

/// Points maturin at the virtual environment (it refuses to install without `VIRTUAL_ENV`).
fn with_venv<'a>(cmd: &'a mut Command, venv: &Path) -> &'a mut Command {
    let path = std::env::var("PATH").unwrap_or_default();
    cmd.env("VIRTUAL_ENV", venv)
        .env("PATH", format!("{}:{path}", venv.join("bin").display()))
}

/// Runs a command in `dir` (pytest and mypy read their paths relative to the package), echoing
/// it like `util::run`, which always uses the repository root.
fn run_in(cmd: &mut Command, dir: &Path) -> Result<(), String> {
    cmd.current_dir(dir);
    eprintln!("$ (cd {}) {}", dir.display(), describe(cmd));
    let status = cmd
        .status()
        .map_err(|e| format!("could not start `{}`: {e}", describe(cmd)))?;
    if status.success() {
        Ok(())
    } else {
        Err(format!("`{}` failed ({status})", describe(cmd)))
    }
}
