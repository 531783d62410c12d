//! The soak: many calls through one client, with resident memory read after a warm-up and at the
//! end, and a burst at 64 in flight in each language with every failure counted.
//!
//! A soak answers "does the client leak or fail under sustained use", not "how fast is it", so its
//! rows have bounds rather than ratios, and a failed call or growth past the bound is a missed
//! target in the report, never an abort of the harness.

use crate::calls::{Call, Clients, Party};
use crate::measure::human;
use crate::report::{Report, Row};
use crate::run::Mode;
use crate::sandbox::SandboxProcess;
use std::path::Path;
use std::process::{Command, Stdio};

/// Calls per client in a full soak, as issue 11 asks.
const FULL_SOAK_CALLS: u64 = 100_000;

/// Calls at 64 in flight in the burst, as issue 11 asks.
const FULL_BURST_CALLS: u64 = 10_000;

/// Calls in flight in the burst and in the `AsyncClient` soak.
const IN_FLIGHT: usize = 64;

/// The bound on resident-memory growth between the reading after the warm-up and the end, in MiB.
///
/// Why 10 MiB: after the warm-up the connection pool, the runtime's threads and the interpreter's
/// caches are at their working size, so what is left to grow is a leak or allocator
/// fragmentation. A leak of 100 bytes per call over 100,000 calls is 9.5 MiB, so any per-call leak
/// of that size or more fails the row, while allocator noise (a few hundred KiB of arenas that
/// glibc does not hand back) stays well under it. A percentage of the starting RSS would make the
/// bound depend on how large the interpreter happens to be, which says nothing about the client.
const GROWTH_BOUND_MIB: f64 = 10.0;

/// How many calls each part of the soak makes in `mode`.
#[derive(Debug, Clone, Copy)]
struct Counts {
    /// Calls per Python client in the memory soak.
    soak: u64,
    /// Calls before the first memory reading.
    warmup: u64,
    /// Calls at 64 in flight in the error-counting burst.
    burst: u64,
}

impl Counts {
    fn of(mode: Mode) -> Counts {
        match mode {
            // Proves the soak runs; numbers from it mean nothing.
            Mode::Smoke => Counts {
                soak: 300,
                warmup: 100,
                burst: 256,
            },
            // A fifth of the soak keeps `--quick` within minutes; the row says so.
            Mode::Quick => Counts {
                soak: 20_000,
                warmup: 1_000,
                burst: FULL_BURST_CALLS,
            },
            Mode::Full => Counts {
                soak: FULL_SOAK_CALLS,
                warmup: 1_000,
                burst: FULL_BURST_CALLS,
            },
        }
    }
}

/// " (--quick: 20,000 of 100,000)" when `mode` scales `n` down from `full`, else nothing.
fn scaled(mode: Mode, n: u64, full: u64) -> String {
    if n == full {
        String::new()
    } else {
        format!(
            " ({}: {} of {})",
            mode.flag().trim(),
            thousands(n),
            thousands(full)
        )
    }
}

/// `100000` as `100,000`.
fn thousands(n: u64) -> String {
    let digits = n.to_string();
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

/// The Rust burst, then the Python soak and burst; a Python failure is reported as not measured.
pub fn soak_part(
    runtime: &tokio::runtime::Runtime,
    clients: &Clients,
    python: &Path,
    sandbox: &SandboxProcess,
    user_id: &str,
    mode: Mode,
    report: &mut Report,
) {
    let counts = Counts::of(mode);
    let tally = runtime.block_on(clients.count(Party::Ours, Call::Small, IN_FLIGHT, counts.burst));
    let mut detail = format!(
        "{} errors in {} calls, {:.0} req/s",
        tally.errors,
        thousands(tally.calls),
        tally.calls as f64 / tally.wall.as_secs_f64()
    );
    if let Some(first) = &tally.first_error {
        detail.push_str(&format!("; first: {first}"));
    }
    report.push(Row::at_most(
        &format!(
            "Rust Client GetUser ×{IN_FLIGHT}: errors in {} calls{}",
            thousands(counts.burst),
            scaled(mode, counts.burst, FULL_BURST_CALLS)
        ),
        detail,
        tally.errors as f64,
        "0 errors",
        0.0,
    ));
    match python_soak(python, sandbox, user_id, counts) {
        Ok(json) => push_python(report, mode, counts, &json),
        Err(e) => report.missing(&format!("Python soak: {e}")),
    }
}

/// Runs `bench_calls.py --soak` and returns its JSON line.
fn python_soak(
    python: &Path,
    sandbox: &SandboxProcess,
    user_id: &str,
    counts: Counts,
) -> Result<serde_json::Value, String> {
    if !python.exists() {
        return Err(format!(
            "{} does not exist (run through `cargo xtask bench`)",
            python.display()
        ));
    }
    let script = crate::run::root()?.join("benches/python/bench_calls.py");
    let output = Command::new(python)
        .arg(&script)
        .args([
            "--url",
            &sandbox.url,
            "--client-id",
            &sandbox.client_id,
            "--client-secret",
            &sandbox.client_secret,
            "--user-id",
            user_id,
            "--sandbox-pid",
            &sandbox.pid().to_string(),
        ])
        .args([
            "--soak",
            &counts.soak.to_string(),
            "--warmup",
            &counts.warmup.to_string(),
            "--burst",
            &counts.burst.to_string(),
        ])
        .stderr(Stdio::inherit())
        .output()
        .map_err(|e| format!("cannot run {}: {e}", script.display()))?;
    if !output.status.success() {
        return Err(format!("{} failed ({})", script.display(), output.status));
    }
    serde_json::from_slice(&output.stdout).map_err(|e| format!("Python soak output: {e}"))
}

/// The total of a `{"ErrorType": count}` object and its text, e.g. `0` or `3 (TimeoutError 3)`.
fn errors(json: &serde_json::Value) -> (u64, String) {
    let Some(map) = json.as_object() else {
        // A missing tally is not evidence of zero errors.
        return (u64::MAX, "no error tally".to_owned());
    };
    let total: u64 = map.values().filter_map(serde_json::Value::as_u64).sum();
    if total == 0 {
        return (0, "0".to_owned());
    }
    let kinds: Vec<String> = map.iter().map(|(k, v)| format!("{k} {v}")).collect();
    (total, format!("{total} ({})", kinds.join(", ")))
}

fn push_python(report: &mut Report, mode: Mode, counts: Counts, json: &serde_json::Value) {
    for (key, name) in [
        ("sync", "Python Client".to_owned()),
        ("async", format!("Python AsyncClient ×{IN_FLIGHT}")),
    ] {
        let run = &json[key];
        let start = run["start_kib"].as_f64().unwrap_or(f64::NAN) / 1024.0;
        let end = run["end_kib"].as_f64().unwrap_or(f64::NAN) / 1024.0;
        let growth = end - start;
        let calls = run["calls"].as_u64().unwrap_or(0);
        let measured = calls.saturating_sub(counts.warmup).max(1) as f64;
        let (error_count, error_text) = errors(&run["errors"]);
        report.push(Row::judged(
            &format!(
                "{name} soak: RSS growth (MiB) over {} GetUser calls{}",
                thousands(counts.soak),
                scaled(mode, counts.soak, FULL_SOAK_CALLS)
            ),
            format!(
                "RSS after {} warm-up calls {} MiB, at the end {} MiB ({} bytes/call); errors {error_text}; {:.1} s",
                thousands(counts.warmup),
                human(start),
                human(end),
                human(growth * 1024.0 * 1024.0 / measured),
                run["secs"].as_f64().unwrap_or(0.0)
            ),
            growth,
            &format!("≤ {GROWTH_BOUND_MIB:.0} MiB, 0 errors"),
            // NaN (a missing reading) compares false, so it is a miss too.
            growth <= GROWTH_BOUND_MIB && error_count == 0,
        ));
    }
    let burst = &json["burst"];
    let (error_count, error_text) = errors(&burst["errors"]);
    let calls = burst["calls"].as_u64().unwrap_or(0);
    report.push(Row::judged(
        &format!(
            "Python AsyncClient GetUser ×{IN_FLIGHT}: errors in {} calls{}",
            thousands(counts.burst),
            scaled(mode, counts.burst, FULL_BURST_CALLS)
        ),
        format!(
            "errors {error_text} in {} calls, {:.0} req/s",
            thousands(calls),
            calls as f64 / burst["secs"].as_f64().unwrap_or(f64::NAN)
        ),
        error_count as f64,
        "0 errors",
        error_count == 0 && calls == counts.burst,
    ));
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn thousands_groups_digits() {
        assert_eq!(thousands(0), "0");
        assert_eq!(thousands(999), "999");
        assert_eq!(thousands(1_000), "1,000");
        assert_eq!(thousands(100_000), "100,000");
        assert_eq!(thousands(1_234_567), "1,234,567");
    }

    #[test]
    fn error_tally_counts_every_kind_and_distrusts_a_missing_one() {
        assert_eq!(errors(&serde_json::json!({})), (0, "0".to_owned()));
        let (n, text) = errors(&serde_json::json!({"TimeoutError": 2, "IdentityError": 1}));
        assert_eq!(n, 3);
        assert!(text.contains("TimeoutError 2") && text.contains("IdentityError 1"));
        assert_eq!(errors(&serde_json::Value::Null).0, u64::MAX);
    }

    #[test]
    fn scaled_names_the_mode_only_when_counts_shrink() {
        assert_eq!(scaled(Mode::Full, 100_000, 100_000), "");
        assert_eq!(
            scaled(Mode::Quick, 20_000, 100_000),
            " (--quick: 20,000 of 100,000)"
        );
    }
}
