//! `cargo xtask test [STEP…]`: every test the project has, in the order that fails fastest.
//!
//! With step names, only those steps run (`cargo xtask test python`), which is how a developer
//! reruns the part they are working on; CI always runs them all.

use crate::codegen::{self, Mode};
use crate::util::{cargo, root, run as run_cmd};
use crate::{bench, conformance, fuzz, publish, pytests, python};
use std::process::Command;

/// One step: its name on the command line, what it checks, and how.
struct Step {
    name: &'static str,
    what: &'static str,
    run: fn() -> Result<(), String>,
}

/// Every step, in order.
const STEPS: &[Step] = &[
    Step {
        name: "codegen",
        what: "generated files are up to date",
        run: codegen_check,
    },
    Step {
        name: "fmt",
        what: "rustfmt",
        run: fmt,
    },
    Step {
        name: "deny",
        what: "dependencies: licences, banned and duplicate crates, sources (cargo-deny, offline)",
        run: deny,
    },
    Step {
        name: "clippy",
        what: "clippy",
        run: clippy,
    },
    Step {
        name: "cargo",
        what: "cargo tests (unit, snapshot, spec checks, spec-diff, end-to-end)",
        run: cargo_tests,
    },
    Step {
        name: "spec",
        what: "openapi-spec-validator",
        run: spec_validator,
    },
    Step {
        name: "conformance",
        what: "sandbox conformance (schemathesis)",
        run: conformance::run,
    },
    Step {
        name: "python",
        what: "Python package (pytest, stubtest, mypy, wheel)",
        run: pytests::run,
    },
    Step {
        name: "publish",
        what: "what a release ships: cargo publish --dry-run of every published crate, a fresh project built on the packaged crates, the manylinux_2_28 abi3 wheel and the sdist each installed into a fresh venv, all calling the sandbox",
        run: publish::run_checks,
    },
    Step {
        name: "fuzz",
        what: "a short fuzz run of every target (cargo xtask fuzz)",
        run: fuzz_smoke,
    },
    Step {
        name: "bench",
        what: "the benchmark harness still runs (smoke, one iteration)",
        run: bench_smoke,
    },
];

pub fn run(args: &[String]) -> Result<(), String> {
    for arg in args {
        if !STEPS.iter().any(|s| s.name == arg) {
            let names: Vec<&str> = STEPS.iter().map(|s| s.name).collect();
            return Err(format!(
                "unknown test step {arg:?}; the steps are {}",
                names.join(", ")
            ));
        }
    }
    for step in STEPS
        .iter()
        .filter(|s| args.is_empty() || args.iter().any(|a| a == s.name))
    {
        eprintln!("\n==> {} ({})", step.what, step.name);
        (step.run)().map_err(|e| format!("{}: {e}", step.what))?;
    }
    eprintln!("\nall tests passed");
    Ok(())
}

fn codegen_check() -> Result<(), String> {
    let stale = codegen::generate(&root()?, Mode::Check)?;
    if stale.is_empty() {
        Ok(())
    } else {
        Err(format!(
            "stale generated files; run `cargo xtask codegen`:\n{}",
            stale.join("\n")
        ))
    }
}

fn fmt() -> Result<(), String> {
    run_cmd(cargo().args(["fmt", "--all", "--check"]))
}

/// Checks the dependency graph against `deny.toml`. Only the offline checks run: the advisories
/// check needs the RustSec database from the network (`deny.toml` says how a maintainer runs it).
/// cargo-deny comes from `.venv` (pinned in `xtask/requirements.txt`) as a prebuilt binary,
/// because compiling it costs a clean CI machine minutes.
fn deny() -> Result<(), String> {
    python::ensure()?;
    run_cmd(Command::new(python::bin("cargo-deny")?).args([
        "--offline",
        "--locked",
        "check",
        "licenses",
        "bans",
        "sources",
    ]))
}

fn clippy() -> Result<(), String> {
    run_cmd(cargo().args([
        "clippy",
        "--workspace",
        "--all-targets",
        "--",
        "-D",
        "warnings",
    ]))
}

fn cargo_tests() -> Result<(), String> {
    // The spec-diff proof (`codegen/tests/spec_diff_python.rs`) runs scripts and mypy from `.venv`.
    python::ensure()?;
    run_cmd(cargo().args(["test", "--workspace"]))
}

fn spec_validator() -> Result<(), String> {
    python::ensure()?;
    run_cmd(Command::new(python::bin("openapi-spec-validator")?).arg(codegen::SPEC))?;
    // Role Management as the generator reads it: the overlays must leave a valid document
    // (a comma in a YAML flow mapping once split a description into a stray key).
    let roles = conformance::overlaid_roles_spec()?;
    run_cmd(Command::new(python::bin("openapi-spec-validator")?).arg(roles))
}

fn fuzz_smoke() -> Result<(), String> {
    fuzz::fuzz(fuzz::TEST_SECONDS, &[])
}

fn bench_smoke() -> Result<(), String> {
    bench::run(&["--quick".to_owned(), "--smoke".to_owned()])
}
