//! The Vault under `/PasswordVault/`, driven over HTTP as a PVWA client would: every operation
//! once with its state checked, plus a failure per area (unknown id, missing permission,
//! conflicting add). One test binary; a module per area.

mod access;
mod accounts;
mod psm;
mod safes;

use identity_sandbox::{Sandbox, SandboxHandle, Seed, vault_credentials as creds};
use reqwest::{Client, Method};
use serde_json::{Value, json};
use std::time::Duration;

pub struct Vault {
    pub sb: SandboxHandle,
    pub http: Client,
    pub token: String,
}

pub async fn start() -> Vault {
    let sb = Sandbox::builder()
        .seed(Seed::Demo)
        .cpm_delay(Duration::from_millis(50))
        .start()
        .await
        .expect("sandbox starts");
    let http = Client::new();
    let token = logon(
        &sb,
        &http,
        "CyberArk",
        creds::ADMIN_USERNAME,
        creds::ADMIN_PASSWORD,
    )
    .await
    .expect("administrator logs on");
    Vault { sb, http, token }
}

pub async fn logon(
    sb: &SandboxHandle,
    http: &Client,
    method: &str,
    user: &str,
    password: &str,
) -> Result<String, (u16, Value)> {
    let r = http
        .post(format!("{}/API/Auth/{method}/Logon", sb.vault_url()))
        .json(&json!({"username": user, "password": password, "concurrentSession": true}))
        .send()
        .await
        .expect("logon request");
    let status = r.status().as_u16();
    let body: Value = r.json().await.expect("logon answers JSON");
    match body {
        Value::String(token) if status == 200 => Ok(token),
        other => Err((status, other)),
    }
}

impl Vault {
    /// Calls `path` (under the Vault URL) as `token`; returns status and body (JSON when it is).
    pub async fn call_as(
        &self,
        token: &str,
        method: Method,
        path: &str,
        body: Option<Value>,
    ) -> (u16, Value) {
        let mut req = self
            .http
            .request(method, format!("{}{path}", self.sb.vault_url()))
            .header("Authorization", token);
        if let Some(b) = body {
            req = req.json(&b);
        }
        let r = req.send().await.expect("request");
        let status = r.status().as_u16();
        let text = r.text().await.expect("body");
        (
            status,
            serde_json::from_str(&text).unwrap_or(Value::String(text)),
        )
    }

    pub async fn call(&self, method: Method, path: &str, body: Option<Value>) -> (u16, Value) {
        let token = self.token.clone();
        self.call_as(&token, method, path, body).await
    }

    pub async fn get(&self, path: &str) -> (u16, Value) {
        self.call(Method::GET, path, None).await
    }

    /// Polls the account until its CPM task finished, and returns it.
    pub async fn settled(&self, id: &str) -> Value {
        for _ in 0..200 {
            let (status, account) = self.get(&format!("/API/Accounts/{id}")).await;
            assert_eq!(status, 200);
            if account["secretManagement"]["status"] != "inProcess" {
                return account;
            }
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
        panic!("the CPM never finished on {id}");
    }
}

pub fn assert_error(result: &(u16, Value), status: u16, code: &str) {
    assert_eq!(result.0, status, "{:?}", result.1);
    assert_eq!(result.1["ErrorCode"], code, "{:?}", result.1);
    assert!(
        result.1["ErrorMessage"]
            .as_str()
            .is_some_and(|m| !m.is_empty())
    );
}

/// The sandbox's Vault routes and the spec name the same 58 operations.
#[tokio::test]
async fn every_vault_operation_is_served() {
    assert_eq!(identity_sandbox::vault_operation_ids().len(), 58);
    let spec = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../spec/vault.yaml"
    ))
    .unwrap();
    for op in identity_sandbox::vault_operation_ids() {
        assert!(
            spec.contains(&format!("operationId: {op}\n")),
            "{op} is not in spec/vault.yaml"
        );
    }
    assert_eq!(spec.matches("operationId: ").count(), 58);
}
