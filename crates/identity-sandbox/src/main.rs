//! `identity-sandbox`: run a sandbox tenant until Ctrl-C.

use clap::{Parser, ValueEnum};
use identity_sandbox::{Sandbox, Seed};
use std::io::Write;
use std::time::Duration;

/// A local, stateful stand-in for a CyberArk Identity tenant.
#[derive(Debug, Parser)]
#[command(name = "identity-sandbox", version)]
struct Args {
    /// Port on 127.0.0.1 (0 picks a free one).
    #[arg(long, default_value_t = 0)]
    port: u16,
    /// Initial data.
    #[arg(long, value_enum, default_value_t = SeedArg::Empty)]
    seed: SeedArg,
    /// Lifetime of issued tokens, in seconds.
    #[arg(long, default_value_t = 3600)]
    token_ttl_secs: u64,
    /// The code the EMAIL login mechanism accepts.
    #[arg(long, default_value = "123456")]
    otp_code: String,
    /// Serve https with a self-signed certificate generated at start; its PEM is written to a
    /// file named by the `CA_FILE=` line, for clients to trust.
    #[arg(long)]
    tls: bool,
    /// Also print a ready bearer token for the administrator (`TOKEN=<token>` line) and a Vault
    /// session token for the Vault administrator (`VAULT_TOKEN=<token>`), for scripts.
    #[arg(long)]
    print_token: bool,
    /// Synthetic Vault accounts to add in the `Bulk-Accounts` safe, for benchmarks.
    #[arg(long, default_value_t = 0)]
    vault_accounts: usize,
    /// The size in bytes of one extra Vault recording (session `98_1`), for benchmarks.
    #[arg(long)]
    vault_recording_bytes: Option<usize>,
}

#[derive(Debug, Clone, Copy, ValueEnum)]
enum SeedArg {
    /// Only the sign-in accounts.
    Empty,
    /// A dozen users, an organization, extensible attributes, roles and SCIM groups.
    Demo,
}

#[tokio::main]
async fn main() -> std::process::ExitCode {
    let args = Args::parse();
    let seed = match args.seed {
        SeedArg::Empty => Seed::Empty,
        SeedArg::Demo => Seed::Demo,
    };
    let mut builder = Sandbox::builder().vault_accounts(args.vault_accounts);
    if let Some(bytes) = args.vault_recording_bytes {
        builder = builder.vault_recording(bytes);
    }
    let sandbox = match builder
        .seed(seed)
        .port(args.port)
        .token_ttl(Duration::from_secs(args.token_ttl_secs))
        .otp_code(args.otp_code)
        .tls(args.tls)
        .start()
        .await
    {
        Ok(sandbox) => sandbox,
        Err(e) => {
            eprintln!(
                "identity-sandbox: cannot listen on 127.0.0.1:{}: {e}",
                args.port
            );
            return std::process::ExitCode::FAILURE;
        }
    };
    // Machine-readable `KEY=value` lines on stdout, `URL=` last: once it is printed the sandbox
    // is listening. Write errors are ignored, so a reader that stops early (a script that only
    // wanted the URL) cannot kill the server with a broken pipe.
    let mut lines = vec![
        format!("CLIENT_ID={}", sandbox.client_id()),
        format!("CLIENT_SECRET={}", sandbox.client_secret()),
        format!("APP_ID={}", sandbox.app_id()),
        format!("ADMIN_USERNAME={}", sandbox.admin_username()),
        format!("ADMIN_PASSWORD={}", sandbox.admin_password()),
        format!("MFA_USERNAME={}", sandbox.mfa_username()),
        format!("MFA_PASSWORD={}", sandbox.mfa_password()),
        format!("OTP_CODE={}", sandbox.otp_code()),
        format!("VAULT_URL={}", sandbox.vault_url()),
        format!(
            "VAULT_USERNAME={}",
            identity_sandbox::vault_credentials::ADMIN_USERNAME
        ),
        format!(
            "VAULT_PASSWORD={}",
            identity_sandbox::vault_credentials::ADMIN_PASSWORD
        ),
        format!(
            "VAULT_LDAP_USERNAME={}",
            identity_sandbox::vault_credentials::LDAP_USERNAME
        ),
        format!(
            "VAULT_LDAP_PASSWORD={}",
            identity_sandbox::vault_credentials::LDAP_PASSWORD
        ),
        format!(
            "VAULT_RADIUS_USERNAME={}",
            identity_sandbox::vault_credentials::RADIUS_USERNAME
        ),
        format!(
            "VAULT_RADIUS_PASSWORD={}",
            identity_sandbox::vault_credentials::RADIUS_PASSWORD
        ),
    ];
    if args.print_token
        && let Some(token) = sandbox.token_for(sandbox.admin_username())
    {
        lines.push(format!("TOKEN={token}"));
    }
    if args.print_token
        && let Some(token) =
            sandbox.vault_token_for(identity_sandbox::vault_credentials::ADMIN_USERNAME)
    {
        lines.push(format!("VAULT_TOKEN={token}"));
    }
    let mut ca_file = None;
    if let Some(pem) = sandbox.ca_pem() {
        let path =
            std::env::temp_dir().join(format!("identity-sandbox-{}-ca.pem", std::process::id()));
        if let Err(e) = std::fs::write(&path, pem) {
            eprintln!(
                "identity-sandbox: cannot write the CA file {}: {e}",
                path.display()
            );
            return std::process::ExitCode::FAILURE;
        }
        lines.push(format!("CA_FILE={}", path.display()));
        ca_file = Some(path);
    }
    lines.push(format!("URL={}", sandbox.url()));
    let mut out = std::io::stdout().lock();
    for line in lines {
        let _ = writeln!(out, "{line}");
    }
    let _ = out.flush();
    drop(out);
    let _ = writeln!(
        std::io::stderr(),
        "identity-sandbox listening on {} (Ctrl-C to stop)",
        sandbox.url()
    );
    let _ = tokio::signal::ctrl_c().await;
    sandbox.shutdown().await;
    // The certificate is only good for this run; leave no stale CA file behind.
    if let Some(path) = ca_file {
        let _ = std::fs::remove_file(path);
    }
    std::process::ExitCode::SUCCESS
}
