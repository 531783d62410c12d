//! `cargo xtask`: the project's task runner.
//!
//! Every command a developer or CI runs is here, so there is exactly one way to do each job:
//! `codegen [--check]`, `test`, `demo`, `bench [--quick] [--soak]`, `spec-diff`. The commands shell out to
//! cargo, Python and friends; all file I/O of generation happens in [`codegen`].

mod bench;
mod codegen;
mod conformance;
mod demo;
// Only a test: `cargo test` runs the check over every spec.
#[cfg(test)]
mod e2e_coverage;
mod fuzz;
mod publish;
mod pytests;
mod python;
mod release;
mod sandbox_process;
mod spec_diff;
mod specs;
mod test;
mod util;

use std::process::ExitCode;

const USAGE: &str = "\
usage: cargo xtask <command>

commands:
  demo                regenerate, build, and run the Rust and Python tours against the sandbox tenant
                      (or against CYBERARK_TENANT with CYBERARK_CLIENT_ID and CYBERARK_CLIENT_SECRET)
  codegen [--check]   regenerate every generated file (with --check: fail, with a diff, if any is stale)
  spec-diff [--base REV] [--format text|json|markdown] [--allow-breaking]
                      what the working tree's spec changes against REV (default HEAD), classified for
                      the Rust crate and the Python package; fails on a breaking change unless allowed
  release --dry-run [--base TAG] [--code PACKAGE=LEVEL]… [--no-verify]
                      the next version of each published crate and of the Python package, from the
                      spec diff since the last release tag and the stated hand-written changes; writes
                      the versions and a CHANGELOG.md entry and runs `cargo publish --dry-run`
  fuzz [--seconds N] [TARGET…]
                      property-based fuzzing (spec overlay decode redact), N seconds per target
  bench [--quick] [--soak]
                      measure generation, compile cost, calls and memory against progenitor, raw reqwest,
                      requests, httpx and pydantic, and soak; writes BENCHMARKS.md (--quick: under 3
                      minutes; --soak: only the soak, printed, no file written)
  test [STEP…]        run every test (or only the named steps: codegen fmt deny clippy cargo spec
                      conformance python publish fuzz bench): codegen check, fmt, dependency checks (cargo-deny:
                      licences, bans, sources), clippy, cargo tests, spec validation, sandbox
                      conformance (schemathesis), Python tests, a release dry run (crates, wheel, sdist installed and called), a short fuzz run, benchmark smoke run
";

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let result = match args.first().map(String::as_str) {
        Some("-h" | "--help" | "help") | None => {
            print!("{USAGE}");
            Ok(())
        }
        Some(command) => announce().and_then(|()| dispatch(command, &args[1..])),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            eprintln!("error: {message}");
            ExitCode::FAILURE
        }
    }
}

/// Says, as the first line, which checkout and target directory this run works on: with several
/// checkouts sharing one target directory, a maintainer sees at once which one xtask acts on.
fn announce() -> Result<(), String> {
    let workspace = util::workspace()?;
    eprintln!(
        "xtask: checkout {}, target directory {}",
        workspace.root.display(),
        workspace.target_dir.display()
    );
    Ok(())
}

fn dispatch(command: &str, args: &[String]) -> Result<(), String> {
    match command {
        "codegen" => codegen::run(args),
        "test" => test::run(args),
        "demo" => demo::run_demo(args),
        "bench" => bench::run(args),
        "spec-diff" => spec_diff::run(args),
        "release" => release::run(args),
        "fuzz" => fuzz::run_command(args),
        other => Err(format!("unknown command {other:?}\n\n{USAGE}")),
    }
}
