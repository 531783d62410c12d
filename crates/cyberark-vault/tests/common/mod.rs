//! Shared helpers of the Vault end-to-end tests: a sandbox serving the Vault under
//! `/PasswordVault/` on 127.0.0.1, clients signed in with the Vault's own logon, and checks of
//! the Vault's error codes.
//!
//! Every test file compiles this module on its own and uses a different part of it.
#![allow(dead_code)]

use std::time::Duration;

use cyberark_vault::{
    Account, AccountsGetRequest, ApiError, Client, Error, RetryPolicy, VaultAuthMethod,
};
use identity_sandbox::{Sandbox, SandboxHandle, Seed, vault_credentials as creds};

/// A sandbox with the demo data whose CPM finishes its tasks after 50 ms.
pub async fn sandbox() -> SandboxHandle {
    Sandbox::builder()
        .seed(Seed::Demo)
        .cpm_delay(Duration::from_millis(50))
        .start()
        .await
        .expect("the sandbox starts on 127.0.0.1")
}

/// Retries like the default policy but backs off in milliseconds, so tests stay fast.
pub fn fast_retry() -> RetryPolicy {
    RetryPolicy {
        initial_backoff: Duration::from_millis(5),
        max_backoff: Duration::from_millis(20),
        ..RetryPolicy::default()
    }
}

/// A client that logs on to the sandbox's Vault as `username` with `method`.
pub fn client_as(
    sandbox: &SandboxHandle,
    method: VaultAuthMethod,
    username: &str,
    password: &str,
) -> Client {
    Client::builder(sandbox.vault_url())
        .vault_logon(method, username, password)
        .concurrent_session(true)
        .retry(fast_retry())
        .timeout(Duration::from_secs(10))
        .build()
        .expect("the client builds")
}

/// The Vault administrator (every permission on every seeded safe).
pub fn admin(sandbox: &SandboxHandle) -> Client {
    client_as(
        sandbox,
        VaultAuthMethod::CyberArk,
        creds::ADMIN_USERNAME,
        creds::ADMIN_PASSWORD,
    )
}

/// The auditor: may list and view, but not retrieve, change or manage.
pub fn auditor(sandbox: &SandboxHandle) -> Client {
    client_as(
        sandbox,
        VaultAuthMethod::CyberArk,
        creds::AUDITOR_USERNAME,
        creds::AUDITOR_PASSWORD,
    )
}

/// Checks that `result` failed with the Vault's `status` and `code` for `operation`, with a
/// message, and returns the error.
#[track_caller]
pub fn expect_vault<T: std::fmt::Debug>(
    result: Result<T, Error>,
    operation: &str,
    status: u16,
    code: &str,
) -> ApiError {
    let error = match result {
        Ok(value) => panic!("{operation}: expected a failure, got Ok({value:?})"),
        Err(error) => error,
    };
    let api = match error.as_api() {
        Some(api) => api.clone(),
        None => panic!("{operation}: expected Error::Api, got {error:?}"),
    };
    assert_eq!(api.operation, operation, "{error}");
    assert_eq!(api.status, status, "{error}");
    assert_eq!(api.error_code.as_deref(), Some(code), "{error}");
    assert!(
        api.message.as_deref().is_some_and(|m| !m.is_empty()),
        "the Vault's ErrorMessage is kept: {error}"
    );
    api
}

/// Checks that every request the sandbox received was an operation of a spec: a client that
/// builds a wrong path or method gets a 404/405 from the sandbox, which this makes loud.
#[track_caller]
pub fn assert_all_routed(sandbox: &SandboxHandle) {
    let stray: Vec<String> = sandbox
        .requests()
        .into_iter()
        .filter(|r| r.operation.is_none())
        .map(|r| format!("{} {} -> {}", r.method, r.path, r.status))
        .collect();
    assert!(stray.is_empty(), "requests outside the spec: {stray:?}");
}

/// How many requests the sandbox logged for one operation.
pub fn count(sandbox: &SandboxHandle, operation: &str) -> usize {
    sandbox
        .requests()
        .into_iter()
        .filter(|r| r.operation.as_deref() == Some(operation))
        .count()
}

/// Polls the account until its CPM task finished (`secretManagement.status` is no longer
/// `inProcess`), and returns it.
pub async fn settled(client: &Client, id: &str) -> Account {
    for _ in 0..250 {
        let account = client
            .accounts()
            .get(AccountsGetRequest::new(id))
            .await
            .expect("the account is readable");
        let status = account
            .secret_management
            .as_ref()
            .and_then(|s| s.status.as_deref());
        if status != Some("inProcess") {
            return account;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    panic!("the CPM never finished on {id}");
}
