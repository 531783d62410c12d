//! Helpers shared by the HTTP tests: a client, a token, JSON calls.

#![allow(dead_code)]

use identity_sandbox::{Sandbox, SandboxHandle, Seed};
use serde_json::Value;

/// A started demo sandbox and a plain HTTP client.
pub async fn demo() -> (SandboxHandle, reqwest::Client) {
    let sandbox = Sandbox::builder()
        .seed(Seed::Demo)
        .start()
        .await
        .expect("sandbox starts");
    (sandbox, reqwest::Client::new())
}

/// A client-credentials token.
pub async fn token(sb: &SandboxHandle, http: &reqwest::Client) -> String {
    let response = http
        .post(format!("{}/oauth2/platformtoken", sb.url()))
        .form(&[
            ("grant_type", "client_credentials"),
            ("client_id", sb.client_id()),
            ("client_secret", sb.client_secret()),
        ])
        .send()
        .await
        .expect("token request");
    assert_eq!(response.status(), 200);
    let body: Value = response.json().await.expect("token json");
    body["access_token"]
        .as_str()
        .expect("access_token")
        .to_owned()
}

/// POSTs JSON with a bearer token; returns the status and the JSON body.
pub async fn post(
    sb: &SandboxHandle,
    http: &reqwest::Client,
    token: &str,
    path: &str,
    body: Value,
) -> (u16, Value) {
    let response = http
        .post(format!("{}{path}", sb.url()))
        .bearer_auth(token)
        .json(&body)
        .send()
        .await
        .expect("request");
    let status = response.status().as_u16();
    let text = response.text().await.expect("body");
    (
        status,
        serde_json::from_str(&text).unwrap_or(Value::String(text)),
    )
}

/// POSTs and asserts a successful envelope; returns `Result`.
pub async fn ok(
    sb: &SandboxHandle,
    http: &reqwest::Client,
    token: &str,
    path: &str,
    body: Value,
) -> Value {
    let (status, v) = post(sb, http, token, path, body).await;
    assert_eq!(status, 200, "{path}: {v}");
    assert_eq!(v["success"], true, "{path}: {v}");
    v["Result"].clone()
}

/// POSTs and asserts a failure envelope; returns it.
pub async fn fails(
    sb: &SandboxHandle,
    http: &reqwest::Client,
    token: &str,
    path: &str,
    body: Value,
) -> Value {
    let (status, v) = post(sb, http, token, path, body).await;
    assert_eq!(status, 200, "{path}: {v}");
    assert_eq!(v["success"], false, "{path}: {v}");
    v
}
