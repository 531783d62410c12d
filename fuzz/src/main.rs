//! `cyberark-fuzz`: property-based fuzzing of everything that reads untrusted text, in a
//! time-boxed loop, on the stable toolchain (cargo-fuzz needs nightly, which CI does not have).
//!
//! Usage: `cyberark-fuzz --seconds N [TARGET…]`, normally through `cargo xtask fuzz`. Each target
//! runs for N seconds; a panic is reported with the (shrunk) input and fails the run, and a stack
//! overflow or hang kills the process, which fails it too. Inputs start from a corpus seeded from
//! the specs' examples and the test fixtures (`corpus`), mutated byte-wise and structurally, plus
//! generated JSON.

mod corpus;
mod targets;

use std::process::ExitCode;
use std::time::{Duration, Instant};

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let mut seconds = 10u64;
    let mut wanted = Vec::new();
    let mut iter = args.iter();
    while let Some(arg) = iter.next() {
        match arg.as_str() {
            "--seconds" => match iter.next().and_then(|s| s.parse().ok()) {
                Some(n) => seconds = n,
                None => return usage("--seconds needs a whole number"),
            },
            name if targets::NAMES.contains(&name) => wanted.push(name.to_owned()),
            other => return usage(&format!("unknown argument {other:?}")),
        }
    }
    if wanted.is_empty() {
        wanted = targets::NAMES.iter().map(|s| (*s).to_owned()).collect();
    }
    quiet_parser_panics();
    let corpus = match corpus::Corpus::load() {
        Ok(corpus) => corpus,
        Err(message) => {
            eprintln!("error: {message}");
            return ExitCode::FAILURE;
        }
    };
    let mut failed = false;
    for name in &wanted {
        let started = Instant::now();
        let outcome = targets::run(name, &corpus, Duration::from_secs(seconds));
        let elapsed = started.elapsed().as_secs_f64();
        match outcome {
            Ok(cases) => println!("fuzz {name}: {cases} cases in {elapsed:.0} s, no failure"),
            Err(report) => {
                println!("fuzz {name}: FAILED after {elapsed:.0} s\n{report}");
                failed = true;
            }
        }
    }
    if failed {
        ExitCode::FAILURE
    } else {
        ExitCode::SUCCESS
    }
}

fn usage(problem: &str) -> ExitCode {
    eprintln!(
        "error: {problem}\nusage: cyberark-fuzz --seconds N [{}]",
        targets::NAMES.join("|")
    );
    ExitCode::FAILURE
}

/// Keeps stderr readable: the spec loader runs the OpenAPI parser on a thread named
/// `spec-parser` and turns its panics (it panics on some malformed documents) into errors, so a
/// panic there is expected here, thousands of times. Panics anywhere else are printed as usual.
fn quiet_parser_panics() {
    let default = std::panic::take_hook();
    std::panic::set_hook(Box::new(move |info| {
        if std::thread::current().name() != Some("spec-parser") {
            default(info);
        }
    }));
}
