//! `cargo xtask bench [--quick] [--smoke]`: builds the harness and what it measures (release),
//! then runs it.
//!
//! The harness and its heavy dependencies (progenitor, the baselines) live in the `benches/`
//! workspace member, so xtask itself stays light. `--quick` prints every ratio in a few minutes
//! (compile cost skipped); `--smoke` runs one cheap iteration of each part to prove the harness
//! works and writes its table under `<target>/bench/` instead of `BENCHMARKS.md`. `--soak` runs
//! only the soak (issue 11) and prints its rows without writing any report.

use crate::python;
use crate::util::{build, run as run_cmd};
use std::process::Command;

/// How the harness learns which sandbox binary cargo built (`benches/src/paths.rs`).
const SANDBOX_ENV: &str = "CYBERARK_BENCH_SANDBOX";

/// The Python package's manifest, built into `.venv` for the Python measurements.
const PYTHON_MANIFEST: &str = "bindings/python/Cargo.toml";

/// Builds everything in release and runs the harness with `args` (`--quick`, `--smoke`).
pub fn run(args: &[String]) -> Result<(), String> {
    let mut flags = Vec::new();
    let mut soak_only = false;
    for arg in args {
        match arg.as_str() {
            "--quick" | "--smoke" => flags.push(arg.clone()),
            "--soak" => soak_only = true,
            other => {
                return Err(format!(
                    "usage: cargo xtask bench [--quick] [--smoke] [--soak] (unknown argument {other:?})"
                ));
            }
        }
    }
    // A smoke run proves the harness works, not how fast anything is: it uses the dev profile
    // (whose dependencies `cargo xtask test` has already built) and the Python package already in
    // `.venv`, which keeps CI from compiling everything a second time in release mode.
    let smoke = flags.iter().any(|f| f == "--smoke");
    let mut build_args = vec!["-p", "cyberark-benches", "-p", "identity-sandbox"];
    if !smoke {
        build_args.push("--release");
    }
    // Cargo says where it put both binaries, wherever the target directory is.
    let built = build(&build_args)?;
    if !smoke {
        // The Python part measures the release build, as users get it from a wheel. Without a
        // Python package the harness reports that part as not measured rather than failing.
        if let Err(e) = build_python() {
            eprintln!(
                "warning: the Python package could not be built ({e}); Python parts will be reported missing"
            );
        }
    }
    let mut cmd = Command::new(built.get("cyberark-bench")?);
    cmd.arg(if soak_only { "soak" } else { "run" })
        .args(&flags)
        .env(SANDBOX_ENV, built.get("identity-sandbox")?);
    run_cmd(&mut cmd)
}

/// Installs the pinned baselines (requests, httpx, pydantic) and a release build of the package.
fn build_python() -> Result<(), String> {
    python::ensure()?;
    let venv = python::venv()?;
    let path = std::env::var("PATH").unwrap_or_default();
    let mut cmd = Command::new(python::bin("maturin")?);
    cmd.args(["develop", "--release", "--manifest-path", PYTHON_MANIFEST])
        // maturin refuses to install without `VIRTUAL_ENV`.
        .env("VIRTUAL_ENV", &venv)
        .env("PATH", format!("{}:{path}", venv.join("bin").display()));
    run_cmd(&mut cmd)
}
