//! `cargo xtask fuzz [--seconds N] [TARGET…]`: property-based fuzzing on the stable toolchain.
//!
//! The targets live in the `cyberark-fuzz` crate (`fuzz/`): the spec loader, overlays, every
//! response decoder, and redaction with excerpts. Each runs for N seconds (default 60); a crash
//! fails the command with the input that caused it, which then becomes a regression test.
//! `cargo xtask test` runs every target briefly (the `fuzz` step).

use crate::util::{cargo, run};

/// Seconds per target when `--seconds` is not given.
const DEFAULT_SECONDS: u64 = 60;

/// Seconds per target in `cargo xtask test`: a smoke run that the targets still work.
pub const TEST_SECONDS: u64 = 5;

/// Parses the arguments and runs the fuzzer.
pub fn run_command(args: &[String]) -> Result<(), String> {
    let mut seconds = DEFAULT_SECONDS;
    let mut targets = Vec::new();
    let mut iter = args.iter();
    while let Some(arg) = iter.next() {
        if arg == "--seconds" {
            seconds = iter
                .next()
                .and_then(|s| s.parse().ok())
                .ok_or("--seconds needs a whole number of seconds")?;
        } else {
            targets.push(arg.clone());
        }
    }
    fuzz(seconds, &targets)
}

/// Runs the given targets (all when empty) for `seconds` each.
pub fn fuzz(seconds: u64, targets: &[String]) -> Result<(), String> {
    let mut cmd = cargo();
    cmd.args(["run", "--quiet", "-p", "cyberark-fuzz", "--", "--seconds"])
        .arg(seconds.to_string())
        .args(targets);
    run(&mut cmd)
}
