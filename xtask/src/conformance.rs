//! `conformance`: the sandbox tenant checked against `spec/identity.yaml` by schemathesis.
//!
//! Builds and starts `identity-sandbox --seed demo` on a free port, takes the administrator
//! token it prints (`--print-token`, so xtask needs no HTTP client), runs schemathesis from
//! `.venv` with a fixed seed and a bounded number of examples, and stops the sandbox afterwards,
//! whether the run passed or not.
//!
//! Two checks are excluded, both because the spec cannot express what the service enforces:
//! - `negative_data_rejection` expects a 4xx for schema-violating input, but the Identity API
//!   answers handled failures with HTTP 200 and `success: false` (spec/README.md, envelope
//!   convention), so every envelope operation would "accept" invalid data by design.
//! - `positive_data_acceptance` expects a 2xx for schema-valid input, but RFC 7644 rules the
//!   schema leaves out make the SCIM server answer 400: a `filter` must follow the filter
//!   grammar, `schemas` must contain the core User URI, `password` is required on create.
//!
//! `Authentication_Logout` ends the session of the token it is called with, so it runs in a
//! second pass after everything else.
//!
//! Role Management (`spec/vendor/RoleManagement.yaml`) is checked as the generator reads it:
//! the vendor definition with `spec/roles-overlays/` applied, written under the target
//! directory, with the same exclusions as the Identity spec (it follows the envelope convention).
//!
//! The same sandbox process serves the Vault under `/PasswordVault/`; [`run_vault`] checks it
//! against `spec/vault.yaml` with the Vault session token the binary prints (`VAULT_TOKEN=`).
//! The Vault uses real status codes, so `negative_data_rejection` stays on there; only
//! `positive_data_acceptance` is excluded, because schema-valid input the Vault's rules reject
//! (an unknown id in the path, a safe name with a forbidden character, a password against the
//! policy, a second add of the same object) is answered 4xx by design, as the real Vault does.

use crate::python;
use crate::sandbox_process::{self, Guard};
use crate::util::{build, root, run as run_cmd};
use std::path::Path;
use std::process::Command;

/// Examples per operation and phase; enough to cover every schema branch, small enough for CI.
const MAX_EXAMPLES: &str = "25";
/// Fixed seed so a failure reproduces.
const SEED: &str = "20240601";
/// Checks the spec cannot satisfy (see the module documentation).
const EXCLUDED_CHECKS: &str = "negative_data_rejection,positive_data_acceptance";
/// Checks the Vault spec cannot satisfy (see the module documentation).
const VAULT_EXCLUDED_CHECKS: &str = "positive_data_acceptance";
/// Seeded ids for the Vault's path parameters, so the operations behind them are reached.
const VAULT_CONFIG: &str = "xtask/schemathesis-vault.toml";

/// What the started sandbox printed: its URLs and tokens.
struct Started {
    url: String,
    token: String,
    vault_url: String,
    vault_token: String,
}

/// Starts the sandbox and returns it with its URLs and administrator tokens.
fn start(binary: &Path) -> Result<(Guard, Started), String> {
    let (guard, mut values) = sandbox_process::start(binary)?;
    let mut take = |key: &str| {
        values
            .remove(key)
            .ok_or_else(|| format!("the sandbox printed no {key}= line"))
    };
    let started = Started {
        url: take("URL")?,
        token: take("TOKEN")?,
        vault_url: take("VAULT_URL")?,
        vault_token: take("VAULT_TOKEN")?,
    };
    Ok((guard, started))
}

fn schemathesis(url: &str, token: &str, operations: &[&str]) -> Result<Command, String> {
    schemathesis_for(
        None,
        "spec/identity.yaml",
        url,
        &format!("Authorization: Bearer {token}"),
        EXCLUDED_CHECKS,
        operations,
    )
}

/// A schemathesis run of `spec` against `url`; `config` is a `schemathesis.toml` to apply.
fn schemathesis_for(
    config: Option<&str>,
    spec: &str,
    url: &str,
    auth_header: &str,
    excluded: &str,
    operations: &[&str],
) -> Result<Command, String> {
    let mut cmd = Command::new(python::bin("st")?);
    if let Some(config) = config {
        cmd.args(["--config-file", config]);
    }
    cmd.args(["run", spec, "--url", url])
        .arg("-H")
        .arg(auth_header)
        .args(["--checks", "all", "--exclude-checks", excluded])
        .args(["--max-examples", MAX_EXAMPLES, "--seed", SEED])
        .args([
            "--generation-database",
            "none",
            "--request-timeout",
            "30",
            "--no-color",
        ])
        .args(["--phases", "examples,coverage,fuzzing"])
        .args(operations);
    Ok(cmd)
}

/// Runs the conformance check; fails when schemathesis reports any failure.
pub fn run() -> Result<(), String> {
    python::ensure()?;
    let binary =
        build(&["-p", "identity-sandbox", "--bin", "identity-sandbox"])?.get("identity-sandbox")?;
    let (sandbox, started) = start(&binary)?;
    let main = run_cmd(&mut schemathesis(
        &started.url,
        &started.token,
        &["--exclude-operation-id", "Authentication_Logout"],
    )?);
    // Role Management runs before the logout pass, which ends the session of this token.
    let roles = run_roles(&started.url, &started.token);
    let logout = run_cmd(&mut schemathesis(
        &started.url,
        &started.token,
        &["--include-operation-id", "Authentication_Logout"],
    )?);
    let vault = run_vault(&started.vault_url, &started.vault_token);
    drop(sandbox);
    main.and(logout)
        .map_err(|e| {
            format!("schemathesis found responses that do not match spec/identity.yaml: {e}")
        })
        .and(roles)
        .and(vault)
}

/// The Role Management definition, in its spec/specs.yaml entry.
const ROLES_SPEC: &str = "spec/vendor/RoleManagement.yaml";

/// Writes the Role Management definition as the generator reads it (the vendor file with its
/// overlays applied) under the target directory, for the tools that check it; returns its path.
pub fn overlaid_roles_spec() -> Result<String, String> {
    let work = crate::specs::Source::WorkTree(root()?);
    let entry = crate::specs::entries(&work)?
        .into_iter()
        .find(|e| e.spec == ROLES_SPEC)
        .ok_or_else(|| format!("{} does not list {ROLES_SPEC}", crate::specs::CONFIG))?;
    let text = crate::specs::overlaid(&work, &entry)?
        .ok_or_else(|| format!("cannot read {ROLES_SPEC}: no such file"))?;
    let dir = crate::util::target_dir()?.join("xtask");
    std::fs::create_dir_all(&dir).map_err(|e| format!("cannot create {}: {e}", dir.display()))?;
    let spec = dir.join("RoleManagement.overlaid.json");
    std::fs::write(&spec, text).map_err(|e| format!("cannot write {}: {e}", spec.display()))?;
    Ok(spec.to_string_lossy().into_owned())
}

/// Checks the sandbox's Role Management operations against the overlaid vendor definition.
fn run_roles(url: &str, token: &str) -> Result<(), String> {
    let spec = overlaid_roles_spec()?;
    run_cmd(&mut schemathesis_for(
        None,
        &spec,
        url,
        &format!("Authorization: Bearer {token}"),
        EXCLUDED_CHECKS,
        &[],
    )?)
    .map_err(|e| {
        format!(
            "schemathesis found responses that do not match {ROLES_SPEC} (with its overlays): {e}"
        )
    })
}

/// Checks the sandbox's Vault against `spec/vault.yaml`. `Auth_Logoff` ends the session it is
/// called with, so it runs last, in a pass of its own.
fn run_vault(url: &str, token: &str) -> Result<(), String> {
    let header = format!("Authorization: {token}");
    let main = run_cmd(&mut schemathesis_for(
        Some(VAULT_CONFIG),
        "spec/vault.yaml",
        url,
        &header,
        VAULT_EXCLUDED_CHECKS,
        &["--exclude-operation-id", "Auth_Logoff"],
    )?);
    let logoff = run_cmd(&mut schemathesis_for(
        Some(VAULT_CONFIG),
        "spec/vault.yaml",
        url,
        &header,
        VAULT_EXCLUDED_CHECKS,
        &["--include-operation-id", "Auth_Logoff"],
    )?);
    main.and(logoff)
        .map_err(|e| format!("schemathesis found responses that do not match spec/vault.yaml: {e}"))
}
