//! A tour of the CyberArk Vault client: the jobs PAM engineers automate most.
//!
//! `cargo xtask demo` runs it against the local sandbox, which it starts in-process when
//! `CYBERARK_PVWA_URL` is not set. To run it against a real PVWA (PAM Self-Hosted), set
//! `CYBERARK_PVWA_URL` (e.g. `https://pvwa.example.com/PasswordVault`), `CYBERARK_VAULT_USERNAME`,
//! `CYBERARK_VAULT_PASSWORD` and optionally `CYBERARK_VAULT_METHOD` (`CyberArk`, the default,
//! `LDAP` or `RADIUS`), plus `CYBERARK_TOUR_SAFE` and `CYBERARK_TOUR_PLATFORM` (a safe the user
//! may manage and a platform allowed in it), then `cargo run -p cyberark-vault --example tour`.
//! The tour changes the Vault: it onboards an account, adds a safe member, rotates the password
//! and deletes the account again; it terminates a live session only on the sandbox or when
//! `CYBERARK_TOUR_TERMINATE=1`. Privilege Cloud is not covered by this tour yet: it signs in
//! through Identity rather than the Vault's own logon.

use std::collections::BTreeMap;
use std::io::Write;
use std::time::Duration;

use cyberark_vault::{
    Account, AccountCreate, AccountsAddRequest, AccountsChangeRequest, AccountsDeleteRequest,
    AccountsGetRequest, AccountsListRequest, AccountsRetrievePasswordRequest, Client,
    LiveSessionsListRequest, LiveSessionsTerminateRequest, RecordingsListRequest,
    RecordingsPlayRequest, RetrieveRequest, SafeMemberCreate, SafeMemberCreateMemberType,
    SafeMemberPermissions, SafeMembersAddRequest, SafeMembersDeleteRequest, Secret,
    VaultAuthMethod,
};
use futures::{StreamExt, TryStreamExt};
use identity_sandbox::{Sandbox, Seed, vault_credentials};

/// The member the tour grants (and later removes): a name with a dot and an `@`, as directory
/// users have.
const MEMBER: &str = "tour.auditor@example.com";

/// How long the tour waits for the CPM to rotate the password. A real CPM works through a queue,
/// so this is generous; the sandbox's CPM takes 300 ms.
const CPM_WAIT: Duration = Duration::from_secs(300);

struct Target {
    url: String,
    method: VaultAuthMethod,
    username: String,
    password: Secret,
    safe: String,
    platform: String,
    terminate: bool,
}

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    // The sandbox handle lives until the end of main, which keeps the sandbox running.
    let (target, _sandbox) = match std::env::var("CYBERARK_PVWA_URL") {
        Ok(url) => (
            Target {
                url,
                method: match std::env::var("CYBERARK_VAULT_METHOD").as_deref() {
                    Err(_) | Ok("CyberArk") => VaultAuthMethod::CyberArk,
                    Ok("LDAP") => VaultAuthMethod::Ldap,
                    Ok("RADIUS") => VaultAuthMethod::Radius,
                    Ok(other) => {
                        return Err(format!(
                            "CYBERARK_VAULT_METHOD is {other:?}; use CyberArk, LDAP or RADIUS"
                        )
                        .into());
                    }
                },
                username: env("CYBERARK_VAULT_USERNAME")?,
                password: Secret::new(env("CYBERARK_VAULT_PASSWORD")?),
                safe: env("CYBERARK_TOUR_SAFE")?,
                platform: env("CYBERARK_TOUR_PLATFORM")?,
                terminate: std::env::var("CYBERARK_TOUR_TERMINATE").as_deref() == Ok("1"),
            },
            None,
        ),
        Err(_) => {
            let sandbox = Sandbox::builder().seed(Seed::Demo).start().await?;
            println!(
                "CYBERARK_PVWA_URL is not set: started the sandbox Vault at {}",
                sandbox.vault_url()
            );
            (
                Target {
                    url: sandbox.vault_url(),
                    method: VaultAuthMethod::CyberArk,
                    username: vault_credentials::ADMIN_USERNAME.to_owned(),
                    password: Secret::new(vault_credentials::ADMIN_PASSWORD),
                    safe: "Linux-Root".to_owned(),
                    platform: "UnixSSH".to_owned(),
                    terminate: true,
                },
                Some(sandbox),
            )
        }
    };
    let client = Client::builder(&target.url)
        .vault_logon(target.method, &target.username, target.password.clone())
        .concurrent_session(true)
        .build()?;
    let result = tour(&client, &target).await;
    // End the Vault session whatever happened, so it does not count against the user's limit.
    client.logoff().await?;
    println!("9. logged off");
    result
}

async fn tour(client: &Client, target: &Target) -> Result<(), Box<dyn std::error::Error>> {
    // 1. Sign in happens on the first call; the token goes in `Authorization` without `Bearer`.
    let accounts = client.accounts();
    let account = accounts
        .add(AccountsAddRequest::new(
            AccountCreate::new(&target.platform, &target.safe)
                .address("tour.sandbox.example")
                .user_name("tour_svc")
                .secret("Tour-Initial-Passw0rd!")
                .platform_account_properties(BTreeMap::from([(
                    "Port".to_owned(),
                    "22".to_owned(),
                )])),
        ))
        .await?;
    let id = account.id.clone();
    println!(
        "1. logged on to {} ({:?}) and onboarded account {id} into safe {} on platform {}",
        target.url, target.method, target.safe, target.platform
    );

    // 2. Grant a member of the safe the right to use and retrieve accounts.
    client
        .safe_members()
        .add(SafeMembersAddRequest::new(
            &target.safe,
            SafeMemberCreate::new(MEMBER)
                .member_type(SafeMemberCreateMemberType::User)
                .permissions(
                    SafeMemberPermissions::new()
                        .list_accounts(true)
                        .use_accounts(true)
                        .retrieve_accounts(true),
                ),
        ))
        .await?;
    println!(
        "2. granted {MEMBER} list, use and retrieve on {}",
        target.safe
    );

    // 3. Retrieve the password with a reason: an audited access, answered as a secret.
    let retrieve = || {
        AccountsRetrievePasswordRequest::new(&id)
            .body(RetrieveRequest::new().reason("Vault tour: break-glass check"))
    };
    let before = accounts.retrieve_password(retrieve()).await?;
    println!("3. retrieved the password with a reason: {before:?} (secrets never print)");

    // 4. Rotate it now and wait for the CPM to finish.
    accounts.change(AccountsChangeRequest::new(&id)).await?;
    let rotated = wait_for_cpm(client, &id).await?;
    let status = rotated
        .secret_management
        .as_ref()
        .and_then(|s| s.status.clone())
        .unwrap_or_default();
    println!("4. asked the CPM to change it; secretManagement.status is now {status:?}");

    // 5. Retrieve again and see a new value.
    let after = accounts.retrieve_password(retrieve()).await?;
    println!(
        "5. retrieved again: the password {}",
        if after.expose() == before.expose() {
            "did not change"
        } else {
            "changed"
        }
    );

    // 6. Live sessions: list them and terminate the riskiest.
    let sessions: Vec<_> = client
        .live_sessions()
        .list_stream(LiveSessionsListRequest::new())
        .try_collect()
        .await?;
    let riskiest = sessions.iter().max_by(|a, b| {
        a.risk_score
            .unwrap_or(0.0)
            .total_cmp(&b.risk_score.unwrap_or(0.0))
    });
    match riskiest {
        Some(session) if target.terminate => {
            let id = session
                .session_guid
                .clone()
                .unwrap_or_else(|| session.session_id.clone());
            client
                .live_sessions()
                .terminate(LiveSessionsTerminateRequest::new(&id))
                .await?;
            println!(
                "6. {} live sessions; terminated the riskiest ({}, risk {:?}, user {:?})",
                sessions.len(),
                id,
                session.risk_score,
                session.user
            );
        }
        Some(session) => println!(
            "6. {} live sessions; the riskiest is {} (set CYBERARK_TOUR_TERMINATE=1 to terminate it)",
            sessions.len(),
            session.session_id
        ),
        None => println!("6. no live sessions"),
    }

    // 7. Download a recording for an audit, streamed to a file chunk by chunk.
    let recordings: Vec<_> = client
        .recordings()
        .list_stream(RecordingsListRequest::new())
        .try_collect()
        .await?;
    if let Some(recording) = recordings.first() {
        let path = std::env::temp_dir().join("cyberark-vault-tour-recording.bin");
        let mut file = std::fs::File::create(&path)?;
        let mut stream = client
            .recordings()
            .play(RecordingsPlayRequest::new(&recording.session_id))
            .await?;
        let mut size = 0usize;
        while let Some(chunk) = stream.next().await {
            let chunk = chunk?;
            size += chunk.len();
            file.write_all(&chunk)?;
        }
        println!(
            "7. downloaded recording {} ({size} bytes) to {}",
            recording.session_id,
            path.display()
        );
    } else {
        println!("7. no recordings to download");
    }

    // 8. Export the account inventory to CSV, every page through nextLink.
    let path = std::env::temp_dir().join("cyberark-vault-tour-accounts.csv");
    let mut csv = std::io::BufWriter::new(std::fs::File::create(&path)?);
    writeln!(
        csv,
        "id,name,safeName,platformId,userName,address,cpmStatus"
    )?;
    let mut stream = accounts.list_stream(AccountsListRequest::new());
    let mut rows = 0;
    while let Some(account) = stream.try_next().await? {
        let status = account
            .secret_management
            .as_ref()
            .and_then(|s| s.status.clone());
        let cells = [
            Some(account.id),
            account.name,
            account.safe_name,
            account.platform_id,
            account.user_name,
            account.address,
            status,
        ];
        let line: Vec<String> = cells
            .iter()
            .map(|c| csv_cell(c.as_deref().unwrap_or("")))
            .collect();
        writeln!(csv, "{}", line.join(","))?;
        rows += 1;
    }
    csv.flush()?;
    println!("8. exported {rows} accounts to {}", path.display());

    // Clean up what the tour added.
    client
        .safe_members()
        .delete(SafeMembersDeleteRequest::new(&target.safe, MEMBER))
        .await?;
    accounts.delete(AccountsDeleteRequest::new(&id)).await?;
    println!(
        "   removed {MEMBER} from {} and deleted account {id}",
        target.safe
    );
    Ok(())
}

/// Polls the account until the CPM is no longer working on it.
async fn wait_for_cpm(client: &Client, id: &str) -> Result<Account, Box<dyn std::error::Error>> {
    let start = std::time::Instant::now();
    loop {
        let account = client.accounts().get(AccountsGetRequest::new(id)).await?;
        let status = account
            .secret_management
            .as_ref()
            .and_then(|s| s.status.as_deref());
        if status != Some("inProcess") {
            return Ok(account);
        }
        if start.elapsed() > CPM_WAIT {
            return Err(format!("the CPM did not finish on {id} within {CPM_WAIT:?}").into());
        }
        tokio::time::sleep(Duration::from_millis(250)).await;
    }
}

/// One CSV cell (RFC 4180): quoted when it holds a comma, quote or line break. A leading `=`,
/// `+`, `-` or `@` is prefixed with `'` so a spreadsheet does not run it as a formula.
fn csv_cell(value: &str) -> String {
    let value = if value.starts_with(['=', '+', '-', '@']) {
        format!("'{value}")
    } else {
        value.to_owned()
    };
    if value.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", value.replace('"', "\"\""))
    } else {
        value
    }
}

fn env(name: &str) -> Result<String, String> {
    std::env::var(name).map_err(|_| format!("{name} is not set"))
}
