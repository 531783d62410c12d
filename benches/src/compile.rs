//! Compile cost: a cold `cargo build --release` of our client crates against a crate progenitor
//! generates from the same spec, both with every dependency already built.
//!
//! Both crates live in one throwaway workspace under `<target>/bench/compile/` (so they share one
//! lockfile, hence the same versions of every shared dependency, and one target directory that
//! no other build touches, even when `CARGO_TARGET_DIR` is set for the project). Generated progenitor code is written there and never committed.

use crate::generation::{progenitor_compatible, progenitor_source};
use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::Instant;

/// The measured packages of one side: cleaned, then rebuilt while the clock runs.
#[derive(Debug, Clone, Copy)]
pub struct Side {
    /// Name in reports.
    pub name: &'static str,
    /// The package built (its own dependencies in `cleaned` are rebuilt too).
    pub package: &'static str,
    /// Packages whose artifacts are removed before each build: the generated crate and the
    /// support crate it needs (our runtime, progenitor-client), which users compile as well.
    pub cleaned: &'static [&'static str],
}

/// Our side: the generated client and its runtime.
pub const OURS: Side = Side {
    name: "cyberark-identity + cyberark-runtime",
    package: "cyberark-identity",
    cleaned: &["cyberark-identity", "cyberark-runtime"],
};

/// Progenitor's side: the generated client and progenitor-client.
pub const PROGENITOR: Side = Side {
    name: "progenitor crate + progenitor-client",
    package: "identity-progenitor",
    cleaned: &["identity-progenitor", "progenitor-client"],
};

/// Writes the throwaway workspace under `scratch` and returns its directory.
pub fn prepare(root: &Path, scratch: &Path) -> Result<PathBuf, String> {
    let dir = scratch.join("compile");
    let crate_dir = dir.join("identity-progenitor");
    fs::create_dir_all(crate_dir.join("src"))
        .map_err(|e| format!("{}: {e}", crate_dir.display()))?;
    let spec = fs::read_to_string(root.join("spec/identity.yaml"))
        .map_err(|e| format!("cannot read spec/identity.yaml: {e}"))?;
    let (compatible, _) = progenitor_compatible(&spec)?;
    let source = progenitor_source(&compatible)?;
    let mut deps = String::new();
    // Only the crates the generated code names, so neither side pays for unused dependencies.
    if source.contains("chrono::") {
        deps.push_str("chrono = { version = \"0.4\", default-features = false, features = [\"serde\", \"std\"] }\n");
    }
    if source.contains("uuid::") {
        deps.push_str("uuid = { version = \"1\", features = [\"serde\"] }\n");
    }
    if source.contains("regress::") {
        deps.push_str("regress = \"0.12\"\n");
    }
    write_if_changed(
        &dir.join("Cargo.toml"),
        "# Written by `cargo xtask bench`; not part of the project.\n[workspace]\nresolver = \"3\"\nmembers = [\"identity-progenitor\", \"ours\"]\n",
    )?;
    // A member depending on our client puts it in the same dependency graph and lockfile.
    fs::create_dir_all(dir.join("ours/src")).map_err(|e| format!("{}: {e}", dir.display()))?;
    write_if_changed(
        &dir.join("ours/Cargo.toml"),
        &format!(
            "[package]\nname = \"ours\"\nversion = \"0.1.0\"\nedition = \"2024\"\npublish = false\n\n\
             [dependencies]\ncyberark-identity = {{ path = \"{}\" }}\n",
            root.join("crates/cyberark-identity").display()
        ),
    )?;
    write_if_changed(&dir.join("ours/src/lib.rs"), "pub use cyberark_identity;\n")?;
    write_if_changed(
        &crate_dir.join("Cargo.toml"),
        &format!(
            "[package]\nname = \"identity-progenitor\"\nversion = \"0.1.0\"\nedition = \"2024\"\npublish = false\n\n\
             [dependencies]\n\
             progenitor-client = \"0.15.1\"\n\
             reqwest = {{ version = \"0.13.4\", default-features = false, features = [\"json\", \"query\", \"stream\"] }}\n\
             serde = {{ version = \"1\", features = [\"derive\"] }}\nserde_json = \"1\"\nserde_urlencoded = \"0.7\"\nfutures = \"0.3\"\nbytes = \"1\"\n{deps}"
        ),
    )?;
    write_if_changed(
        &crate_dir.join("src/lib.rs"),
        &format!("#![allow(warnings, clippy::all)]\n{source}"),
    )?;
    Ok(dir)
}

/// Builds everything once so the measured builds find every dependency compiled.
pub fn warm(dir: &Path) -> Result<(), String> {
    cargo(dir, &["build", "--release", "--workspace"], true)
}

/// Cleans one side's packages and times their rebuild, in seconds.
pub fn measure(dir: &Path, side: &Side) -> Result<f64, String> {
    let mut clean = vec!["clean", "--release"];
    for package in side.cleaned {
        clean.extend(["-p", package]);
    }
    cargo(dir, &clean, false)?;
    let start = Instant::now();
    cargo(dir, &["build", "--release", "-p", side.package], false)?;
    Ok(start.elapsed().as_secs_f64())
}

fn cargo(dir: &Path, args: &[&str], show: bool) -> Result<(), String> {
    let mut cmd = Command::new(std::env::var("CARGO").unwrap_or_else(|_| "cargo".to_owned()));
    // The throwaway workspace builds into its own target directory: an inherited
    // `CARGO_TARGET_DIR` would make it clean and rebuild the project's own artifacts.
    cmd.args(args)
        .current_dir(dir)
        .env("CARGO_TARGET_DIR", dir.join("target"))
        .stdout(Stdio::null());
    if !show {
        cmd.stderr(Stdio::null());
    }
    let status = cmd.status().map_err(|e| format!("cannot run cargo: {e}"))?;
    if status.success() {
        Ok(())
    } else {
        Err(format!(
            "`cargo {}` in {} failed ({status})",
            args.join(" "),
            dir.display()
        ))
    }
}

/// Writes a file only when its text changes, so cargo's fingerprints stay valid between runs.
fn write_if_changed(path: &Path, text: &str) -> Result<(), String> {
    if fs::read_to_string(path).ok().as_deref() == Some(text) {
        return Ok(());
    }
    fs::write(path, text).map_err(|e| format!("cannot write {}: {e}", path.display()))
}
