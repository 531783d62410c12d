//! `cyberark-bench run`: every measurement, in order, and the report.

use crate::calls::{Call, Clients, Party, Sample};
use crate::compile;
use crate::generation::{self, Generator, Style};
use crate::measure::{Summary, human};
use crate::paths::sandbox_binary;
use crate::report::{Report, Row};
use crate::sandbox::SandboxProcess;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::Duration;

/// How much to measure.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    /// One cheap iteration of each part, to prove the harness runs (no compile cost, no 5,000-op spec).
    Smoke,
    /// Every ratio with few runs; compile cost skipped.
    Quick,
    /// Everything, with more runs.
    Full,
}

impl Mode {
    /// Runs per party in alternating comparisons.
    pub fn runs(self) -> usize {
        match self {
            Mode::Smoke => 1,
            Mode::Quick => 3,
            Mode::Full => 5,
        }
    }

    /// Length of one timed call run.
    fn call_window(self) -> Duration {
        match self {
            Mode::Smoke => Duration::from_millis(300),
            Mode::Quick => Duration::from_secs(1),
            Mode::Full => Duration::from_secs(3),
        }
    }

    /// Operation counts of the synthetic specs.
    fn scales(self) -> &'static [usize] {
        match self {
            Mode::Smoke => &[100],
            Mode::Quick => &[100, 1_000],
            Mode::Full => &[100, 1_000, 5_000],
        }
    }

    /// The flag that selects the mode, for the report's command line.
    pub fn flag(self) -> &'static str {
        match self {
            Mode::Smoke => " --smoke",
            Mode::Quick => " --quick",
            Mode::Full => "",
        }
    }
}

/// The repository root of the checkout the harness runs in, as cargo reports it.
pub fn root() -> Result<PathBuf, String> {
    crate::paths::workspace().map(|w| w.root)
}

/// Runs every measurement and writes the report.
pub fn run(mode: Mode) -> Result<(), String> {
    let crate::paths::Workspace { root, target_dir } = crate::paths::workspace()?;
    let scratch = target_dir.join("bench");
    std::fs::create_dir_all(&scratch).map_err(|e| format!("{}: {e}", scratch.display()))?;
    let mut report = Report::new(mode);

    eprintln!("== generation");
    generation_part(&root, &scratch, mode, &mut report)?;
    eprintln!("== features of the general fixture: ours and progenitor's");
    report.section(crate::features::table(&root)?);
    if mode == Mode::Full {
        eprintln!("== compile cost");
        compile_part(&root, &scratch, 3, &mut report)?;
    } else {
        report.missing("compile cost: skipped in --quick/--smoke (run `cargo xtask bench`)");
    }

    let sandbox = SandboxProcess::start(&sandbox_binary()?)?;
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .map_err(|e| format!("tokio: {e}"))?;
    let http = crate::calls::raw_http()?;
    // 5,000 users beyond the demo seed, so the large call's page is full.
    runtime.block_on(sandbox.add_users(&http, crate::calls::LARGE_ROWS))?;
    eprintln!("== Rust calls (sandbox pid {})", sandbox.pid());
    let clients = runtime.block_on(Clients::connect(&sandbox))?;
    let rust_async_64 = rust_calls_part(&runtime, &clients, &sandbox, &http, mode, &mut report)?;

    eprintln!("== Python calls");
    let python = root.join(".venv/bin/python");
    let user_id = runtime.block_on(first_user(&clients))?;
    match python_calls_part(
        &python,
        &sandbox,
        &user_id,
        mode,
        rust_async_64,
        &mut report,
    ) {
        Ok(()) => {}
        Err(e) => report.missing(&format!("Python calls: {e}")),
    }

    eprintln!("== soak");
    runtime.block_on(sandbox.clear_log(&http))?;
    crate::soak::soak_part(
        &runtime,
        &clients,
        &python,
        &sandbox,
        &user_id,
        mode,
        &mut report,
    );

    eprintln!("== memory: streaming 100,000 users");
    runtime.block_on(sandbox.add_users(&http, 100_000 - crate::calls::LARGE_ROWS))?;
    runtime.block_on(sandbox.clear_log(&http))?;
    memory_part(&python, &sandbox, &mut report)?;
    drop(sandbox);

    eprintln!("== Vault: nextLink paging and a recording download");
    let vault_args = crate::vault::sandbox_args(mode);
    let vault_args: Vec<&str> = vault_args.iter().map(String::as_str).collect();
    let vault_sandbox = SandboxProcess::start_with(&sandbox_binary()?, &vault_args)?;
    let page_bytes = crate::vault::vault_part(&runtime, &vault_sandbox, mode, &mut report)?;
    if let Err(e) =
        crate::vault::python_part(&python, &vault_sandbox, page_bytes, mode, &mut report)
    {
        report.missing(&format!("Python Vault rows: {e}"));
    }
    drop(vault_sandbox);

    report.finish(&root, &scratch)
}

/// Runs the soak alone against a fresh sandbox and prints its rows; writes no report file, so a
/// soak-only run never replaces the full table in `BENCHMARKS.md`.
pub fn soak_only(mode: Mode) -> Result<(), String> {
    let root = root()?;
    let sandbox = SandboxProcess::start(&sandbox_binary()?)?;
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .map_err(|e| format!("tokio: {e}"))?;
    let http = crate::calls::raw_http()?;
    // `Clients::connect` checks the large call too, which needs a full page of users.
    runtime.block_on(sandbox.add_users(&http, crate::calls::LARGE_ROWS))?;
    let clients = runtime.block_on(Clients::connect(&sandbox))?;
    let user_id = runtime.block_on(first_user(&clients))?;
    runtime.block_on(sandbox.clear_log(&http))?;
    let mut report = Report::new(mode);
    eprintln!("== soak (sandbox pid {})", sandbox.pid());
    crate::soak::soak_part(
        &runtime,
        &clients,
        &root.join(".venv/bin/python"),
        &sandbox,
        &user_id,
        mode,
        &mut report,
    );
    report.print();
    Ok(())
}

/// Runs the Vault rows alone against a fresh sandbox and prints them; writes no report file.
pub fn vault_only(mode: Mode) -> Result<(), String> {
    let vault_args = crate::vault::sandbox_args(mode);
    let vault_args: Vec<&str> = vault_args.iter().map(String::as_str).collect();
    let sandbox = SandboxProcess::start_with(&sandbox_binary()?, &vault_args)?;
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .map_err(|e| format!("tokio: {e}"))?;
    let mut report = Report::new(mode);
    eprintln!("== Vault (sandbox pid {})", sandbox.pid());
    let page_bytes = crate::vault::vault_part(&runtime, &sandbox, mode, &mut report)?;
    let python = root()?.join(".venv/bin/python");
    if let Err(e) = crate::vault::python_part(&python, &sandbox, page_bytes, mode, &mut report) {
        report.missing(&format!("Python Vault rows: {e}"));
    }
    report.print();
    Ok(())
}

/// Runs one party's calls alone against a fresh sandbox, for `perf record`.
pub fn profile(party: &str, call: &str, concurrency: &str, secs: &str) -> Result<(), String> {
    let party = match party {
        "ours" => Party::Ours,
        "baseline" => Party::Baseline,
        other => return Err(format!("unknown party {other:?}")),
    };
    let call = match call {
        "small" => Call::Small,
        "large" => Call::Large,
        other => return Err(format!("unknown call {other:?}")),
    };
    let concurrency: usize = concurrency
        .parse()
        .map_err(|e| format!("concurrency: {e}"))?;
    let secs: f64 = secs.parse().map_err(|e| format!("seconds: {e}"))?;
    let sandbox = SandboxProcess::start(&sandbox_binary()?)?;
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .map_err(|e| format!("tokio: {e}"))?;
    let http = crate::calls::raw_http()?;
    runtime.block_on(sandbox.add_users(&http, crate::calls::LARGE_ROWS))?;
    let clients = runtime.block_on(Clients::connect(&sandbox))?;
    let sample = runtime.block_on(clients.run(
        party,
        call,
        concurrency,
        Duration::from_secs_f64(secs),
        &sandbox,
    ))?;
    println!(
        "{:.0} req/s, {:.1} µs client CPU/call, sandbox {:.2} cores",
        sample.rps(),
        sample.cpu_us_per_call(),
        sample.sandbox_cores()
    );
    Ok(())
}

fn generation_part(
    root: &Path,
    scratch: &Path,
    mode: Mode,
    report: &mut Report,
) -> Result<(), String> {
    let spec = std::fs::read_to_string(root.join("spec/identity.yaml"))
        .map_err(|e| format!("cannot read spec/identity.yaml: {e}"))?;
    let (compatible, removed) = generation::progenitor_compatible(&spec)?;
    let compatible_path = scratch.join("identity-progenitor-compatible.yaml");
    std::fs::write(&compatible_path, compatible).map_err(|e| e.to_string())?;
    report.note(&format!(
        "progenitor 0.15.1 rejects `multipart/form-data` and `application/scim+json` (\"unexpected content type\") \
         and panics on the OAuth token endpoints, so both generators are given `spec/identity.yaml` minus the {} \
         operations using other content than JSON ({}); it accepts the envelope `allOf`.",
        removed.len(),
        removed.join(", ")
    ));
    let iterations = if mode == Mode::Smoke { 1 } else { 3 };
    let (ours, ours_mem) = gen_runs(Generator::Ours, &compatible_path, mode.runs(), iterations)?;
    let (rust_only, _) = gen_runs(
        Generator::OursRust,
        &compatible_path,
        mode.runs(),
        iterations,
    )?;
    let (theirs, theirs_mem) = gen_runs(
        Generator::Progenitor,
        &compatible_path,
        mode.runs(),
        iterations,
    )?;
    report.push(Row::ratio(
        "generate: curated spec, every output (Rust, pyo3, .pyi, docs) vs progenitor's client",
        format!("ours {} ms, progenitor {} ms", ms(&ours), ms(&theirs)),
        theirs.median / ours.median,
        "≥ 1.0× (faster)",
        1.0,
    ));
    report.push(Row::info(
        "generate: curated spec, Rust client only vs progenitor",
        format!(
            "ours {} ms ({:.2}× progenitor's speed)",
            ms(&rust_only),
            theirs.median / rust_only.median
        ),
    ));
    report.push(Row::info(
        "generate: peak RSS, curated spec",
        format!(
            "ours {} MiB, progenitor {} MiB",
            human(ours_mem / 1024.0),
            human(theirs_mem / 1024.0)
        ),
    ));
    let mut per_op_first: Option<(f64, f64)> = None;
    for &n in mode.scales() {
        let path = scratch.join(format!("synthetic-{n}.yaml"));
        std::fs::write(&path, generation::synthesise(n, Style::Identity))
            .map_err(|e| e.to_string())?;
        let (runs, iterations) = if n >= 1_000 {
            (mode.runs().min(2), 1)
        } else {
            (mode.runs(), iterations)
        };
        let (ours, ours_mem) = gen_runs(Generator::Ours, &path, runs, iterations)?;
        let (theirs, theirs_mem) = gen_runs(Generator::Progenitor, &path, runs, iterations)?;
        report.push(Row::ratio(
            &format!("generate: synthetic {n} operations, vs progenitor"),
            format!(
                "ours {} ms ({} MiB), progenitor {} ms ({} MiB)",
                ms(&ours),
                human(ours_mem / 1024.0),
                ms(&theirs),
                human(theirs_mem / 1024.0)
            ),
            theirs.median / ours.median,
            "≥ 1.0× (faster)",
            1.0,
        ));
        let per_op = (ours.median / n as f64, theirs.median / n as f64);
        match per_op_first {
            None => per_op_first = Some(per_op),
            Some((ours0, theirs0)) if n == *mode.scales().last().unwrap_or(&n) => {
                report.push(Row::at_most(
                    &format!("generate: growth, time per operation at {n} ÷ at 100 (1.0 = linear)"),
                    format!(
                        "ours {:.2}, progenitor {:.2}",
                        per_op.0 / ours0,
                        per_op.1 / theirs0
                    ),
                    per_op.0 / ours0,
                    "≤ 1.5 (close to linear)",
                    1.5,
                ));
            }
            Some(_) => {}
        }
    }
    Ok(())
}

/// Alternates child processes of one generator with `iterations` each; returns the time summary
/// and the largest peak RSS (KiB).
fn gen_runs(
    generator: Generator,
    spec: &Path,
    runs: usize,
    iterations: usize,
) -> Result<(Summary, f64), String> {
    let exe = std::env::current_exe().map_err(|e| format!("current_exe: {e}"))?;
    let mut secs = Vec::new();
    let mut peak: f64 = 0.0;
    for _ in 0..runs {
        let output = Command::new(&exe)
            .args(["child", "gen", generator.name()])
            .arg(spec)
            .arg(iterations.to_string())
            .stderr(Stdio::inherit())
            .output()
            .map_err(|e| format!("cannot start the generation child: {e}"))?;
        if !output.status.success() {
            return Err(format!("{} failed on {}", generator.name(), spec.display()));
        }
        let line: serde_json::Value = serde_json::from_slice(&output.stdout)
            .map_err(|e| format!("{} child output: {e}", generator.name()))?;
        secs.extend(
            line["secs"]
                .as_array()
                .into_iter()
                .flatten()
                .filter_map(serde_json::Value::as_f64),
        );
        peak = peak.max(line["peak_kib"].as_f64().unwrap_or(0.0));
    }
    let summary = Summary::of(&secs).ok_or("no generation samples")?;
    eprintln!(
        "   {} {}: {summary} s, peak {peak} KiB",
        generator.name(),
        spec.display()
    );
    Ok((summary, peak))
}

fn ms(s: &Summary) -> String {
    let scaled = Summary {
        median: s.median * 1e3,
        min: s.min * 1e3,
        max: s.max * 1e3,
        n: s.n,
    };
    scaled.to_string()
}

/// The compile-cost row alone with `runs` alternating pairs, printed (no report is written):
/// for measuring a change to the generated client's compile time without the rest of the run.
pub fn compile_only(runs: usize) -> Result<(), String> {
    let crate::paths::Workspace { root, target_dir } = crate::paths::workspace()?;
    let scratch = target_dir.join("bench");
    std::fs::create_dir_all(&scratch).map_err(|e| format!("{}: {e}", scratch.display()))?;
    let mut report = Report::new(Mode::Full);
    compile_part(&root, &scratch, runs.max(1), &mut report)?;
    report.print();
    Ok(())
}

fn compile_part(
    root: &Path,
    scratch: &Path,
    runs: usize,
    report: &mut Report,
) -> Result<(), String> {
    let dir = compile::prepare(root, scratch)?;
    compile::warm(&dir)?;
    let (mut ours, mut theirs) = (Vec::new(), Vec::new());
    for run in 0..runs {
        let order = if run % 2 == 0 {
            [true, false]
        } else {
            [false, true]
        };
        for is_ours in order {
            let side = if is_ours {
                &compile::OURS
            } else {
                &compile::PROGENITOR
            };
            let secs = compile::measure(&dir, side)?;
            eprintln!("   {}: {secs:.1} s", side.name);
            if is_ours {
                ours.push(secs)
            } else {
                theirs.push(secs)
            }
        }
    }
    let ours = Summary::of(&ours).ok_or("no compile samples")?;
    let theirs = Summary::of(&theirs).ok_or("no compile samples")?;
    report.push(Row::ratio(
        "compile: cold `cargo build --release`, warm dependencies",
        format!(
            "{} {} s, {} {} s",
            compile::OURS.name,
            ours,
            compile::PROGENITOR.name,
            theirs
        ),
        theirs.median / ours.median,
        "≥ 1.0× (no slower)",
        1.0,
    ));
    Ok(())
}

/// Measures the four Rust cases; returns our small-call throughput at 64 in flight.
fn rust_calls_part(
    runtime: &tokio::runtime::Runtime,
    clients: &Clients,
    sandbox: &SandboxProcess,
    http: &reqwest::Client,
    mode: Mode,
    report: &mut Report,
) -> Result<f64, String> {
    let mut ours_small_64 = 0.0;
    for call in [Call::Small, Call::Large] {
        for concurrency in [1usize, 64] {
            let window = if call == Call::Large {
                mode.call_window() * 2
            } else {
                mode.call_window()
            };
            let (mut ours, mut base): (Vec<Sample>, Vec<Sample>) = (Vec::new(), Vec::new());
            for run in 0..mode.runs() {
                let order = if run % 2 == 0 {
                    [Party::Ours, Party::Baseline]
                } else {
                    [Party::Baseline, Party::Ours]
                };
                for party in order {
                    runtime.block_on(sandbox.clear_log(http))?;
                    let sample =
                        runtime.block_on(clients.run(party, call, concurrency, window, sandbox))?;
                    match party {
                        Party::Ours => ours.push(sample),
                        Party::Baseline => base.push(sample),
                    }
                }
            }
            let rps = |s: &[Sample]| Summary::of(&s.iter().map(Sample::rps).collect::<Vec<_>>());
            let cpu = |s: &[Sample]| {
                Summary::of(&s.iter().map(Sample::cpu_us_per_call).collect::<Vec<_>>())
            };
            let cores = |s: &[Sample]| {
                Summary::of(&s.iter().map(Sample::sandbox_cores).collect::<Vec<_>>())
            };
            let (Some(o), Some(b), Some(oc), Some(bc), Some(os), Some(bs)) = (
                rps(&ours),
                rps(&base),
                cpu(&ours),
                cpu(&base),
                cores(&ours),
                cores(&base),
            ) else {
                return Err("no call samples".to_owned());
            };
            if call == Call::Small && concurrency == 64 {
                ours_small_64 = o.median;
            }
            report.push(Row::ratio(
                &format!("Rust {} ×{concurrency}: throughput vs reqwest + serde_json::Value", call.name()),
                format!(
                    "ours {o} req/s, baseline {b} req/s; client CPU/call ours {} µs, baseline {} µs; sandbox busy {:.2} / {:.2} cores",
                    human(oc.median),
                    human(bc.median),
                    os.median,
                    bs.median
                ),
                o.median / b.median,
                "≥ 0.9×",
                0.9,
            ));
        }
    }
    Ok(ours_small_64)
}

async fn first_user(clients: &Clients) -> Result<String, String> {
    let table = clients
        .ours()
        .cdirectory_service()
        .get_users(
            cyberark_identity::CDirectoryServiceGetUsersRequest::new().args(
                cyberark_identity::QueryArgs::new()
                    .page_number(1)
                    .page_size(1),
            ),
        )
        .await
        .map_err(|e| e.to_string())?;
    table
        .results
        .and_then(|rows| rows.into_iter().next())
        .and_then(|row| row.row)
        .and_then(|row| row.uuid)
        .ok_or_else(|| "GetUsers returned no user".to_owned())
}

fn python_calls_part(
    python: &Path,
    sandbox: &SandboxProcess,
    user_id: &str,
    mode: Mode,
    rust_async_64: f64,
    report: &mut Report,
) -> Result<(), String> {
    if !python.exists() {
        return Err(format!(
            "{} does not exist (run through `cargo xtask bench`)",
            python.display()
        ));
    }
    let script = root()?.join("benches/python/bench_calls.py");
    let output = Command::new(python)
        .arg(&script)
        .args([
            "--url",
            &sandbox.url,
            "--client-id",
            &sandbox.client_id,
            "--client-secret",
            &sandbox.client_secret,
        ])
        .args([
            "--user-id",
            user_id,
            "--sandbox-pid",
            &sandbox.pid().to_string(),
        ])
        .args([
            "--seconds",
            &mode.call_window().as_secs_f64().to_string(),
            "--runs",
            &mode.runs().to_string(),
        ])
        .stderr(Stdio::inherit())
        .output()
        .map_err(|e| format!("cannot run {}: {e}", script.display()))?;
    if !output.status.success() {
        return Err(format!("{} failed ({})", script.display(), output.status));
    }
    let results: serde_json::Value =
        serde_json::from_slice(&output.stdout).map_err(|e| format!("Python bench output: {e}"))?;
    let stat = |case: &str, party: &str, key: &str| -> Result<Summary, String> {
        let samples: Vec<f64> = results[case][party]
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(|s| s[key].as_f64())
            .collect();
        Summary::of(&samples).ok_or_else(|| format!("no Python samples for {case}/{party}"))
    };
    let detail = |case: &str, parties: &[&str]| -> Result<String, String> {
        let mut parts = Vec::new();
        for party in parties {
            let rps = stat(case, party, "rps")?;
            let cpu = stat(case, party, "cpu_us")?;
            parts.push(format!(
                "{party} {rps} req/s, {} µs CPU/call",
                human(cpu.median)
            ));
        }
        let cores = stat(case, parties[0], "sandbox_cores")?;
        Ok(format!(
            "{}; sandbox busy {:.2} cores",
            parts.join("; "),
            cores.median
        ))
    };
    let small = |p: &str| stat("small", p, "rps").map(|s| s.median);
    let large = |p: &str| stat("large", p, "rps").map(|s| s.median);
    report.push(Row::ratio(
        "Python GetUser: Client vs requests + json",
        detail("small", &["ours", "requests", "httpx"])?,
        small("ours")? / small("requests")?,
        "≥ 1.5×",
        1.5,
    ));
    report.push(Row::info(
        "Python GetUser: Client vs httpx",
        format!("{:.2}×", small("ours")? / small("httpx")?),
    ));
    report.push(Row::ratio(
        "Python GetUsers (5,000 rows): Client vs json.loads + pydantic v2 models",
        detail("large", &["ours", "pydantic", "requests"])?,
        large("ours")? / large("pydantic")?,
        "≥ 2×",
        2.0,
    ));
    let async_ours = stat("async_small_64", "ours", "rps")?;
    let async_httpx = stat("async_small_64", "httpx", "rps")?;
    report.push(Row::ratio(
        "Python AsyncClient GetUser ×64 vs the Rust client ×64",
        format!(
            "AsyncClient {async_ours} req/s, httpx.AsyncClient {async_httpx} req/s, Rust {} req/s",
            human(rust_async_64)
        ),
        async_ours.median / rust_async_64,
        "≥ 0.8×",
        0.8,
    ));
    report.push(Row::info(
        "Python AsyncClient GetUser ×64 vs httpx.AsyncClient",
        format!("{:.2}×", async_ours.median / async_httpx.median),
    ));
    Ok(())
}

fn memory_part(python: &Path, sandbox: &SandboxProcess, report: &mut Report) -> Result<(), String> {
    let exe = std::env::current_exe().map_err(|e| format!("current_exe: {e}"))?;
    let rust = child_json(Command::new(&exe).args([
        "child",
        "stream",
        &sandbox.url,
        &sandbox.client_id,
        &sandbox.client_secret,
    ]))?;
    push_memory(report, "Rust", &rust);
    let script = root()?.join("benches/python/bench_calls.py");
    let mut py = Command::new(python);
    py.arg(&script)
        .args([
            "--url",
            &sandbox.url,
            "--client-id",
            &sandbox.client_id,
            "--client-secret",
            &sandbox.client_secret,
        ])
        .args([
            "--user-id",
            "-",
            "--sandbox-pid",
            &sandbox.pid().to_string(),
            "--stream",
        ]);
    match child_json(&mut py) {
        Ok(json) => push_memory(report, "Python", &json),
        Err(e) => report.missing(&format!("Python streaming memory: {e}")),
    }
    Ok(())
}

fn push_memory(report: &mut Report, language: &str, json: &serde_json::Value) {
    let mib = json["peak_kib"].as_f64().unwrap_or(f64::NAN) / 1024.0;
    let items = json["items"].as_u64().unwrap_or(0);
    report.push(Row::at_most(
        &format!("{language}: peak RSS streaming 100,000 users through the pager"),
        format!(
            "{} MiB for {items} users in {:.1} s",
            human(mib),
            json["secs"].as_f64().unwrap_or(0.0)
        ),
        mib,
        "< 64 MiB",
        64.0,
    ));
}

pub fn child_json(cmd: &mut Command) -> Result<serde_json::Value, String> {
    let output = cmd
        .stderr(Stdio::inherit())
        .output()
        .map_err(|e| format!("cannot start a child: {e}"))?;
    if !output.status.success() {
        return Err(format!("child failed ({})", output.status));
    }
    serde_json::from_slice(&output.stdout).map_err(|e| format!("child output: {e}"))
}
