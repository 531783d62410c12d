//! Shared helpers of the end-to-end tests: start a sandbox tenant on 127.0.0.1, build clients
//! against it, and read its request log.
//!
//! Every test file compiles this module on its own and uses a different part of it.
#![allow(dead_code)]

use std::time::Duration;

use cyberark_identity::{
    ApiError, CDirectoryServiceGetUsersRequest, Client, Error, RetryPolicy, UserRow,
};
use futures::TryStreamExt;
use identity_sandbox::{LoggedRequest, Sandbox, SandboxHandle, Seed};

/// `MessageID` of an argument failure (missing or malformed input).
pub const ARGUMENT: &str = "_I18N_System.ArgumentException";
/// `MessageID` of a failure on an object that does not exist.
pub const NOT_FOUND: &str = "_I18N_System.Collections.Generic.KeyNotFoundException";
/// `MessageID` of a refused state change (duplicates, conflicts).
pub const INVALID_OPERATION: &str = "_I18N_System.InvalidOperationException";

/// A sandbox with the demo data.
pub async fn sandbox() -> SandboxHandle {
    Sandbox::builder()
        .seed(Seed::Demo)
        .start()
        .await
        .expect("the sandbox starts on 127.0.0.1")
}

/// A retry policy that retries like the default one but backs off in milliseconds, so tests
/// that exercise retries stay fast.
pub fn fast_retry() -> RetryPolicy {
    RetryPolicy {
        initial_backoff: Duration::from_millis(5),
        max_backoff: Duration::from_millis(20),
        ..RetryPolicy::default()
    }
}

/// A client that logs in with the sandbox's confidential client at `/oauth2/platformtoken`.
pub fn client(sandbox: &SandboxHandle) -> Client {
    Client::builder(sandbox.url())
        .client_credentials(sandbox.client_id(), sandbox.client_secret())
        .retry(fast_retry())
        .timeout(Duration::from_secs(10))
        .build()
        .expect("the client builds")
}

/// The API error inside `error`, or a panic naming what came instead.
pub fn api_error(error: &Error) -> &ApiError {
    match error.as_api() {
        Some(api) => api,
        None => panic!("expected Error::Api, got {error:?}"),
    }
}

/// Checks that `result` failed with an envelope `success: false` for `operation`, carrying
/// `message_id` and a message that contains `message_part`.
#[track_caller]
pub fn expect_api<T: std::fmt::Debug>(
    result: Result<T, Error>,
    operation: &str,
    message_id: &str,
    message_part: &str,
) -> ApiError {
    let error = match result {
        Ok(value) => panic!("{operation}: expected a failure, got Ok({value:?})"),
        Err(error) => error,
    };
    let api = api_error(&error).clone();
    assert_eq!(api.operation, operation, "{error}");
    assert_eq!(
        api.status, 200,
        "an envelope failure arrives as HTTP 200: {error}"
    );
    assert_eq!(api.message_id.as_deref(), Some(message_id), "{error}");
    let message = api.message.clone().unwrap_or_default();
    assert!(
        message.contains(message_part),
        "{operation}: the message {message:?} does not contain {message_part:?}"
    );
    assert!(
        api.error_id.is_some(),
        "the tenant's ErrorID is kept: {error}"
    );
    api
}

/// Checks that every request the sandbox received was an operation of the spec: a client that
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

/// The requests the sandbox logged for one operation.
pub fn requests_of(sandbox: &SandboxHandle, operation: &str) -> Vec<LoggedRequest> {
    sandbox
        .requests()
        .into_iter()
        .filter(|r| r.operation.as_deref() == Some(operation))
        .collect()
}

/// How many requests the sandbox logged for one operation.
pub fn count(sandbox: &SandboxHandle, operation: &str) -> usize {
    requests_of(sandbox, operation).len()
}

/// The last request the sandbox logged for one operation.
pub fn last_request(sandbox: &SandboxHandle, operation: &str) -> LoggedRequest {
    requests_of(sandbox, operation)
        .pop()
        .unwrap_or_else(|| panic!("the sandbox logged no {operation} request"))
}

/// The value of a header of a logged request (names compared case-insensitively).
pub fn header<'a>(request: &'a LoggedRequest, name: &str) -> Option<&'a str> {
    request
        .headers
        .iter()
        .find(|(k, _)| k.eq_ignore_ascii_case(name))
        .map(|(_, v)| v.as_str())
}

/// The JSON body of a logged request.
pub fn json_body(request: &LoggedRequest) -> serde_json::Value {
    serde_json::from_str(&request.body)
        .unwrap_or_else(|e| panic!("the logged body {:?} is not JSON: {e}", request.body))
}

/// Every user row the client lists, through the generated stream.
pub async fn all_users(client: &Client) -> Vec<UserRow> {
    client
        .cdirectory_service()
        .get_users_stream(CDirectoryServiceGetUsersRequest::new())
        .map_ok(|row| row.row.unwrap_or_default())
        .try_collect()
        .await
        .expect("GetUsers streams")
}

/// A demo user that is neither the admin, the MFA user nor the confidential client: the one
/// tests may change freely. Returns (UUID, login name).
pub fn ordinary_user(sandbox: &SandboxHandle) -> (String, String) {
    ordinary_users(sandbox, 1).remove(0)
}

/// `n` distinct ordinary demo users, as (UUID, login name).
pub fn ordinary_users(sandbox: &SandboxHandle, n: usize) -> Vec<(String, String)> {
    let reserved = [
        sandbox.admin_username().to_ascii_lowercase(),
        sandbox.mfa_username().to_ascii_lowercase(),
        sandbox.client_id().to_ascii_lowercase(),
    ];
    let users: Vec<(String, String)> = sandbox
        .state()
        .users
        .iter()
        .filter(|u| !reserved.contains(&u.name.to_ascii_lowercase()))
        .filter(|u| !u.service_user && !u.oauth_client)
        .map(|u| (u.id.clone(), u.name.clone()))
        .take(n)
        .collect();
    assert_eq!(users.len(), n, "the demo seed has {n} ordinary users");
    users
}
