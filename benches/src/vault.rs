//! The Vault rows (issue 10): listing accounts through `nextLink` paging against raw reqwest
//! following `nextLink` by hand, the memory of streaming them, and a recording download's peak
//! memory against its size.
//!
//! Throughput is measured in this process with the two parties alternating, like the Identity
//! calls; memory is measured in child processes of their own, so each peak (`VmHWM`) belongs to
//! the one thing measured.

use crate::measure::{Summary, human, peak_rss_kib};
use crate::report::{Report, Row};
use crate::run::{Mode, child_json};
use crate::sandbox::SandboxProcess;
use cyberark_vault::{AccountsListRequest, RecordingsPlayRequest, VaultAuthMethod};
use futures::StreamExt;
use std::io::Write;
use std::path::Path;
use std::process::Command;
use std::time::Instant;

/// Accounts listed in a full or `--quick` run, as issue 10 asks.
const FULL_ACCOUNTS: usize = 10_000;

/// The recording's size in a full or `--quick` run.
const FULL_RECORDING: usize = 200 * 1024 * 1024;

/// Accounts per page: the Vault's largest `limit`, so a page is as large as it gets.
const PAGE: u32 = 1_000;

/// After how many accounts the streaming child takes its early peak reading.
const EARLY_READING: usize = 2_000;

/// The synthetic recording's session id (`identity-sandbox --vault-recording-bytes`).
const RECORDING_ID: &str = "98_1";

/// What the Vault part creates in `mode`: (accounts, recording bytes).
fn sizes(mode: Mode) -> (usize, usize) {
    match mode {
        // The smoke run uses dev builds; it proves the rows run, so it keeps them small.
        Mode::Smoke => (2_500, 8 * 1024 * 1024),
        Mode::Quick | Mode::Full => (FULL_ACCOUNTS, FULL_RECORDING),
    }
}

/// The sandbox arguments that add the bulk Vault data for `mode`.
pub fn sandbox_args(mode: Mode) -> Vec<String> {
    let (accounts, bytes) = sizes(mode);
    vec![
        "--vault-accounts".into(),
        accounts.to_string(),
        "--vault-recording-bytes".into(),
        bytes.to_string(),
    ]
}

/// A Vault client signed in with the Vault's own logon.
fn client(vault_url: &str, user: &str, password: &str) -> Result<cyberark_vault::Client, String> {
    cyberark_vault::Client::builder(vault_url)
        .vault_logon(VaultAuthMethod::CyberArk, user, password)
        .concurrent_session(true)
        .build()
        .map_err(|e| format!("building the Vault client: {e}"))
}

/// Lists every account with the generated stream; returns (accounts, 0).
async fn list_ours(client: &cyberark_vault::Client, page: u32) -> Result<(usize, usize), String> {
    let mut stream = client
        .accounts()
        .list_stream(AccountsListRequest::new().limit(page));
    let mut n = 0;
    while let Some(account) = stream.next().await {
        account.map_err(|e| format!("cyberark_vault list: {e}"))?;
        n += 1;
    }
    Ok((n, 0))
}

/// Raw reqwest + `serde_json::Value`, signed in and following `nextLink` by hand.
struct Raw {
    http: reqwest::Client,
    /// `http://127.0.0.1:<port>/PasswordVault/`.
    base: reqwest::Url,
    token: String,
}

impl Raw {
    async fn connect(vault_url: &str, user: &str, password: &str) -> Result<Raw, String> {
        let http = crate::calls::raw_http()?;
        let base = reqwest::Url::parse(&format!("{}/", vault_url.trim_end_matches('/')))
            .map_err(|e| format!("Vault URL: {e}"))?;
        let logon = base
            .join("API/Auth/CyberArk/Logon")
            .map_err(|e| e.to_string())?;
        let response = http
            .post(logon)
            .json(&serde_json::json!({
                "username": user, "password": password, "concurrentSession": true
            }))
            .send()
            .await
            .map_err(|e| format!("raw logon: {e}"))?;
        if !response.status().is_success() {
            return Err(format!("raw logon: HTTP {}", response.status()));
        }
        let token: String = response
            .json()
            .await
            .map_err(|e| format!("raw logon body: {e}"))?;
        Ok(Raw { http, base, token })
    }

    /// Lists every account page by page; returns (accounts, bytes of all pages).
    async fn list(&self) -> Result<(usize, usize), String> {
        let mut url = self
            .base
            .join(&format!("API/Accounts?limit={PAGE}"))
            .map_err(|e| e.to_string())?;
        let (mut n, mut bytes) = (0, 0);
        loop {
            let response = self
                .http
                .get(url.clone())
                .header("Authorization", &self.token)
                .send()
                .await
                .map_err(|e| format!("raw list: {e}"))?;
            if !response.status().is_success() {
                return Err(format!("raw list: HTTP {}", response.status()));
            }
            let body = response
                .bytes()
                .await
                .map_err(|e| format!("raw list: {e}"))?;
            bytes += body.len();
            let page: serde_json::Value =
                serde_json::from_slice(&body).map_err(|e| format!("raw list page: {e}"))?;
            n += page["value"].as_array().map_or(0, Vec::len);
            match page["nextLink"].as_str() {
                Some(next) => url = self.base.join(next).map_err(|e| e.to_string())?,
                None => return Ok((n, bytes)),
            }
        }
    }
}

/// The Vault rows: throughput, streaming memory and download memory. Answers the size of all
/// pages' JSON, the bound of the streaming rows.
pub fn vault_part(
    runtime: &tokio::runtime::Runtime,
    sandbox: &SandboxProcess,
    mode: Mode,
    report: &mut Report,
) -> Result<usize, String> {
    let (accounts, recording) = sizes(mode);
    let vault_url = format!("{}/PasswordVault", sandbox.url);
    let (user, password) = (&sandbox.vault_username, &sandbox.vault_password);
    let ours = client(&vault_url, user, password)?;
    let raw = runtime.block_on(Raw::connect(&vault_url, user, password))?;
    // Both parties must see every account (the demo's and the bulk ones) before being timed.
    let (expected, page_bytes) = runtime.block_on(raw.list())?;
    let (seen, _) = runtime.block_on(list_ours(&ours, PAGE))?;
    if seen != expected || expected < accounts {
        return Err(format!(
            "Vault list: cyberark_vault saw {seen} accounts, raw reqwest {expected}, expected at least {accounts}"
        ));
    }
    let (mut ours_rate, mut raw_rate) = (Vec::new(), Vec::new());
    for _ in 0..mode.runs() {
        for (rates, is_ours) in [(&mut ours_rate, true), (&mut raw_rate, false)] {
            let start = Instant::now();
            let (n, _) = if is_ours {
                runtime.block_on(list_ours(&ours, PAGE))?
            } else {
                runtime.block_on(raw.list())?
            };
            rates.push(n as f64 / start.elapsed().as_secs_f64());
        }
    }
    let (o, r) = (
        Summary::of(&ours_rate).ok_or("no Vault samples")?,
        Summary::of(&raw_rate).ok_or("no Vault samples")?,
    );
    report.push(Row::ratio(
        &format!(
            "Rust: list {expected} Vault accounts through nextLink ({PAGE} a page), cyberark_vault vs raw reqwest"
        ),
        format!("ours {o} accounts/s, raw reqwest + serde_json {r} accounts/s"),
        o.median / r.median,
        "≥ 0.9×",
        0.9,
    ));

    let exe = std::env::current_exe().map_err(|e| format!("current_exe: {e}"))?;
    let stream = child_json(Command::new(&exe).args([
        "child",
        "vault-stream",
        &vault_url,
        user,
        password,
        &PAGE.to_string(),
    ]))?;
    let growth_mib = kib_growth(&stream) / 1024.0;
    let early_mib = (stream["early_kib"].as_f64().unwrap_or(f64::NAN)
        - stream["start_kib"].as_f64().unwrap_or(f64::NAN))
        / 1024.0;
    let pages_mib = page_bytes as f64 / (1024.0 * 1024.0);
    // Holding every account would take at least the JSON of all pages (typed accounts are larger
    // than their JSON), so peak growth below that size shows the stream does not keep them.
    report.push(Row::at_most(
        &format!("Rust: peak RSS growth streaming {expected} Vault accounts one at a time (MiB)"),
        format!(
            "{} MiB above the signed-in client's RSS ({} MiB after the first {EARLY_READING}); all pages together are {} MiB of JSON; {} accounts in {:.2} s",
            human(growth_mib),
            human(early_mib),
            human(pages_mib),
            stream["items"].as_u64().unwrap_or(0),
            stream["secs"].as_f64().unwrap_or(f64::NAN)
        ),
        growth_mib,
        "< all pages' JSON",
        pages_mib,
    ));

    let file =
        std::env::temp_dir().join(format!("cyberark-bench-recording-{}", std::process::id()));
    let download = child_json(Command::new(&exe).args([
        "child",
        "vault-download",
        &vault_url,
        user,
        password,
        &file.display().to_string(),
    ]));
    let _ = std::fs::remove_file(&file);
    let download = download?;
    let written = download["bytes"].as_u64().unwrap_or(0);
    if written != recording as u64 {
        return Err(format!(
            "Vault download wrote {written} bytes, the recording has {recording}"
        ));
    }
    let growth_mib = kib_growth(&download) / 1024.0;
    let size_mib = recording as f64 / (1024.0 * 1024.0);
    report.push(Row::at_most(
        &format!(
            "Rust: peak RSS growth downloading a {} MiB recording to a file (MiB)",
            human(size_mib)
        ),
        format!(
            "{} MiB above the signed-in client's RSS for {} MiB written in {:.2} s",
            human(growth_mib),
            human(size_mib),
            download["secs"].as_f64().unwrap_or(f64::NAN)
        ),
        growth_mib,
        "≤ 5% of its size",
        size_mib * 0.05,
    ));
    Ok(page_bytes)
}

/// The Python rows: `cyberark_vault` against `requests` listing every account, then the peak
/// memory of streaming them and of downloading the recording, each in a process of its own.
pub fn python_part(
    python: &Path,
    sandbox: &SandboxProcess,
    page_bytes: usize,
    mode: Mode,
    report: &mut Report,
) -> Result<(), String> {
    if !python.exists() {
        return Err(format!(
            "{} does not exist (run through `cargo xtask bench`)",
            python.display()
        ));
    }
    let (_, recording) = sizes(mode);
    let script = crate::run::root()?.join("benches/python/bench_vault.py");
    let vault_url = format!("{}/PasswordVault", sandbox.url);
    let run = |extra: &[&str]| {
        child_json(
            Command::new(python)
                .arg(&script)
                .args(["--vault-url", &vault_url])
                .args(["--username", &sandbox.vault_username])
                .args(["--password", &sandbox.vault_password])
                .args(extra),
        )
    };
    let runs = mode.runs().to_string();
    let list = run(&["--mode", "list", "--runs", &runs])?;
    let rates = |key: &str| -> Result<Summary, String> {
        let samples: Vec<f64> = list[key]
            .as_array()
            .map(|a| a.iter().filter_map(serde_json::Value::as_f64).collect())
            .unwrap_or_default();
        Summary::of(&samples).ok_or_else(|| format!("no Python {key} samples"))
    };
    let (o, r) = (rates("ours")?, rates("requests")?);
    let accounts = list["accounts"].as_u64().unwrap_or(0);
    report.push(Row::ratio(
        &format!(
            "Python: list {accounts} Vault accounts through nextLink ({PAGE} a page), cyberark_vault iterator vs requests"
        ),
        format!("ours {o} accounts/s, requests + json {r} accounts/s"),
        o.median / r.median,
        "≥ 1.0×",
        1.0,
    ));
    let stream = run(&["--mode", "stream"])?;
    let growth_mib = kib_growth(&stream) / 1024.0;
    let pages_mib = page_bytes as f64 / (1024.0 * 1024.0);
    report.push(Row::at_most(
        &format!("Python: peak RSS growth streaming {accounts} Vault accounts with list_iter (MiB)"),
        format!(
            "{} MiB above the signed-in client's RSS; all pages together are {} MiB of JSON; {} accounts in {:.2} s",
            human(growth_mib),
            human(pages_mib),
            stream["items"].as_u64().unwrap_or(0),
            stream["secs"].as_f64().unwrap_or(f64::NAN)
        ),
        growth_mib,
        "< all pages' JSON",
        pages_mib,
    ));
    let file = std::env::temp_dir().join(format!(
        "cyberark-bench-recording-py-{}",
        std::process::id()
    ));
    let download = run(&["--mode", "download", "--file", &file.display().to_string()]);
    let _ = std::fs::remove_file(&file);
    let download = download?;
    let written = download["bytes"].as_u64().unwrap_or(0);
    if written != recording as u64 {
        return Err(format!(
            "Python download wrote {written} bytes, the recording has {recording}"
        ));
    }
    let growth_mib = kib_growth(&download) / 1024.0;
    let size_mib = recording as f64 / (1024.0 * 1024.0);
    report.push(Row::at_most(
        &format!(
            "Python: peak RSS growth downloading a {} MiB recording to a file (MiB)",
            human(size_mib)
        ),
        format!(
            "{} MiB above the signed-in client's RSS for {} MiB written in {:.2} s",
            human(growth_mib),
            human(size_mib),
            download["secs"].as_f64().unwrap_or(f64::NAN)
        ),
        growth_mib,
        "≤ 5% of its size",
        size_mib * 0.05,
    ));
    Ok(())
}

/// Peak minus starting resident memory of a child's JSON, in KiB (NaN when either is missing).
fn kib_growth(json: &serde_json::Value) -> f64 {
    json["peak_kib"].as_f64().unwrap_or(f64::NAN) - json["start_kib"].as_f64().unwrap_or(f64::NAN)
}

/// `child vault-stream`: signs in, reads RSS, then streams every account one at a time and
/// prints `{"start_kib", "peak_kib", "items", "secs"}`.
pub fn stream_child(vault_url: &str, user: &str, password: &str, page: &str) -> Result<(), String> {
    let page: u32 = page.parse().map_err(|e| format!("page size: {e}"))?;
    let runtime = child_runtime()?;
    let client = client(vault_url, user, password)?;
    runtime.block_on(async {
        // One request signs in and fills the pool, so the baseline holds the client's working set.
        sign_in(&client).await?;
        let start_kib = peak_rss_kib().ok_or("no VmHWM")?;
        let started = Instant::now();
        let mut stream = client
            .accounts()
            .list_stream(AccountsListRequest::new().limit(page));
        let (mut items, mut early_kib) = (0usize, None);
        while let Some(account) = stream.next().await {
            account.map_err(|e| format!("cyberark_vault list: {e}"))?;
            items += 1;
            // A reading after the first fifth: if the client held every account, the peak would
            // keep growing after it in proportion to what is read.
            if items == EARLY_READING {
                early_kib = peak_rss_kib();
            }
        }
        print_json(serde_json::json!({
            "start_kib": start_kib,
            "early_kib": early_kib,
            "peak_kib": peak_rss_kib().ok_or("no VmHWM")?,
            "items": items,
            "secs": started.elapsed().as_secs_f64(),
        }))
    })
}

/// `child vault-download`: signs in, reads RSS, then streams the recording into `file` chunk by
/// chunk and prints `{"start_kib", "peak_kib", "bytes", "secs"}`.
pub fn download_child(
    vault_url: &str,
    user: &str,
    password: &str,
    file: &str,
) -> Result<(), String> {
    let runtime = child_runtime()?;
    let client = client(vault_url, user, password)?;
    runtime.block_on(async {
        sign_in(&client).await?;
        let start_kib = peak_rss_kib().ok_or("no VmHWM")?;
        let started = Instant::now();
        let mut out = std::io::BufWriter::new(
            std::fs::File::create(Path::new(file)).map_err(|e| format!("{file}: {e}"))?,
        );
        let mut body = client
            .recordings()
            .play(RecordingsPlayRequest::new(RECORDING_ID))
            .await
            .map_err(|e| format!("recording download: {e}"))?;
        let mut bytes = 0u64;
        while let Some(chunk) = body.next().await {
            let chunk = chunk.map_err(|e| format!("recording download: {e}"))?;
            bytes += chunk.len() as u64;
            out.write_all(&chunk).map_err(|e| format!("{file}: {e}"))?;
        }
        out.flush().map_err(|e| format!("{file}: {e}"))?;
        print_json(serde_json::json!({
            "start_kib": start_kib,
            "peak_kib": peak_rss_kib().ok_or("no VmHWM")?,
            "bytes": bytes,
            "secs": started.elapsed().as_secs_f64(),
        }))
    })
}

/// One small call, so that sign-in and the connection are done before the first reading.
async fn sign_in(client: &cyberark_vault::Client) -> Result<(), String> {
    client
        .accounts()
        .list(AccountsListRequest::new().limit(1))
        .await
        .map(|_| ())
        .map_err(|e| format!("Vault sign-in: {e}"))
}

fn child_runtime() -> Result<tokio::runtime::Runtime, String> {
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .map_err(|e| format!("tokio: {e}"))
}

fn print_json(value: serde_json::Value) -> Result<(), String> {
    println!("{value}");
    Ok(())
}
