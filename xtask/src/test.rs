//! `cargo xtask test`: every test the project has, in the order that fails fastest.

use crate::codegen::{self, Mode};
use crate::util::{cargo, root, run as run_cmd};
use crate::{conformance, pytests, python};
use std::process::Command;

pub fn run_all() -> Result<(), String> {
    step("generated files are up to date", || {
        let stale = codegen::generate(&root(), Mode::Check)?;
        if stale.is_empty() {
            Ok(())
        } else {
            Err(format!(
                "stale generated files; run `cargo xtask codegen`:\n{}",
                stale.join("\n")
            ))
        }
    })?;
    step("rustfmt", || {
        run_cmd(cargo().args(["fmt", "--all", "--check"]))
    })?;
    step("clippy", || {
        run_cmd(cargo().args([
            "clippy",
            "--workspace",
            "--all-targets",
            "--",
            "-D",
            "warnings",
        ]))
    })?;
    step("cargo tests", || {
        run_cmd(cargo().args(["test", "--workspace"]))
    })?;
    step("openapi-spec-validator", || {
        python::ensure()?;
        run_cmd(Command::new(python::bin("openapi-spec-validator")).arg(codegen::SPEC))
    })?;
    step("sandbox conformance (schemathesis)", conformance::run)?;
    step("Python package", pytests::run)?;
    eprintln!("\nall tests passed");
    Ok(())
}

pub fn run(args: &[String]) -> Result<(), String> {
    if !args.is_empty() {
        return Err(format!("usage: cargo xtask test (got {args:?})"));
    }
    run_all()
}

fn step(name: &str, f: impl FnOnce() -> Result<(), String>) -> Result<(), String> {
    eprintln!("\n==> {name}");
    f().map_err(|e| format!("{name}: {e}"))
}
