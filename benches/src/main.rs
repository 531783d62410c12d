//! `cyberark-bench`: the benchmark harness behind `cargo xtask bench`.
//!
//! `cyberark-bench run [--quick|--smoke]` measures and reports; the `child` subcommands are the
//! processes it starts so that each measured party has a process (and a peak RSS, and a CPU
//! account) of its own.

mod calls;
mod compile;
mod features;
mod generation;
mod measure;
mod paths;
mod report;
mod run;
mod sandbox;
mod soak;
mod vault;

use std::process::ExitCode;

const USAGE: &str = "usage: cyberark-bench run [--quick|--smoke]
       cyberark-bench soak [--quick|--smoke]   (the soak alone; prints, writes no report)
       cyberark-bench vault [--quick|--smoke]   (the Vault rows alone; prints, writes no report)
       cyberark-bench compile [<runs>]   (the compile-cost row alone, alternating; prints, writes no report)
       cyberark-bench synth <operations> <out.yaml>
       cyberark-bench features <spec>   (what progenitor generates for each operation)
       cyberark-bench child gen <ours|ours-rust|progenitor> <spec> <iterations>
       cyberark-bench child stream <url> <client-id> <client-secret>
       cyberark-bench child vault-stream <vault-url> <user> <password> <page-size>
       cyberark-bench child vault-download <vault-url> <user> <password> <file>
       cyberark-bench profile <ours|baseline> <small|large> <concurrency> <seconds>   (one party alone, to run under perf)";

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    match dispatch(&args) {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            eprintln!("error: {message}");
            ExitCode::FAILURE
        }
    }
}

fn dispatch(args: &[String]) -> Result<(), String> {
    let strs: Vec<&str> = args.iter().map(String::as_str).collect();
    match strs.as_slice() {
        ["run"] => run::run(run::Mode::Full),
        ["run", "--quick"] => run::run(run::Mode::Quick),
        ["run", "--smoke"] | ["run", "--quick", "--smoke"] | ["run", "--smoke", "--quick"] => {
            run::run(run::Mode::Smoke)
        }
        ["soak"] => run::soak_only(run::Mode::Full),
        ["soak", "--quick"] => run::soak_only(run::Mode::Quick),
        ["soak", "--smoke"] | ["soak", "--quick", "--smoke"] | ["soak", "--smoke", "--quick"] => {
            run::soak_only(run::Mode::Smoke)
        }
        ["compile"] => run::compile_only(3),
        ["compile", runs] => run::compile_only(runs.parse().map_err(|e| format!("runs: {e}"))?),
        ["vault"] => run::vault_only(run::Mode::Full),
        ["vault", "--quick"] => run::vault_only(run::Mode::Quick),
        ["vault", "--smoke"] => run::vault_only(run::Mode::Smoke),
        ["child", "gen", generator, spec, iterations] => generation::child(
            generation::Generator::parse(generator)?,
            spec,
            iterations.parse().map_err(|e| format!("iterations: {e}"))?,
        ),
        ["child", "stream", url, id, secret] => calls::stream_child(url, id, secret),
        ["child", "vault-stream", url, user, password, page] => {
            vault::stream_child(url, user, password, page)
        }
        ["child", "vault-download", url, user, password, file] => {
            vault::download_child(url, user, password, file)
        }
        ["profile", party, call, concurrency, secs] => run::profile(party, call, concurrency, secs),
        ["features", spec] => features::features(spec),
        ["synth", n, out] => {
            let n: usize = n.parse().map_err(|e| format!("operations: {e}"))?;
            std::fs::write(out, generation::synthesise(n, generation::Style::Identity))
                .map_err(|e| format!("cannot write {out}: {e}"))
        }
        _ => Err(USAGE.to_owned()),
    }
}
