//! The Vault under `/PasswordVault/`, driven over HTTP as a PVWA client would: every operation
//! once with its state checked, plus a failure per area (unknown id, missing permission,
//! conflicting add).

use identity_sandbox::{Sandbox, SandboxHandle, Seed, vault_credentials as creds};
use reqwest::{Client, Method};
use serde_json::{Value, json};
use std::collections::BTreeSet;
use std::time::Duration;

struct Vault {
    sb: SandboxHandle,
    http: Client,
    token: String,
}

async fn start() -> Vault {
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

async fn logon(
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
    async fn call_as(
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

    async fn call(&self, method: Method, path: &str, body: Option<Value>) -> (u16, Value) {
        let token = self.token.clone();
        self.call_as(&token, method, path, body).await
    }

    async fn get(&self, path: &str) -> (u16, Value) {
        self.call(Method::GET, path, None).await
    }

    /// Polls the account until its CPM task finished, and returns it.
    async fn settled(&self, id: &str) -> Value {
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

fn assert_error(result: &(u16, Value), status: u16, code: &str) {
    assert_eq!(result.0, status, "{:?}", result.1);
    assert_eq!(result.1["ErrorCode"], code, "{:?}", result.1);
    assert!(
        result.1["ErrorMessage"]
            .as_str()
            .is_some_and(|m| !m.is_empty())
    );
}

#[tokio::test]
async fn sign_in_methods_version_probe_logoff_and_token_checks() {
    let v = start().await;
    let (status, server) = v
        .call_as("", Method::GET, "/WebServices/PIMServices.svc/Server", None)
        .await;
    assert_eq!(status, 200);
    assert!(server["ExternalVersion"].is_string());
    // LDAP and RADIUS users sign in with their own methods only.
    assert!(
        logon(
            &v.sb,
            &v.http,
            "ldap",
            creds::LDAP_USERNAME,
            creds::LDAP_PASSWORD
        )
        .await
        .is_ok()
    );
    assert!(
        logon(
            &v.sb,
            &v.http,
            "RADIUS",
            creds::RADIUS_USERNAME,
            creds::RADIUS_PASSWORD
        )
        .await
        .is_ok()
    );
    let wrong = logon(
        &v.sb,
        &v.http,
        "CyberArk",
        creds::LDAP_USERNAME,
        creds::LDAP_PASSWORD,
    )
    .await;
    assert_eq!(wrong.unwrap_err().0, 403);
    let bad = logon(&v.sb, &v.http, "CyberArk", creds::ADMIN_USERNAME, "nope")
        .await
        .unwrap_err();
    assert_eq!(bad.0, 403);
    assert_eq!(bad.1["ErrorCode"], "ITATS004E");
    // Bearer is not how a session token is sent; without a token there is a 401 body.
    let bearer = format!("Bearer {}", v.token);
    assert_error(
        &v.call_as(&bearer, Method::GET, "/API/Safes", None).await,
        401,
        "PASWS006E",
    );
    assert_error(
        &v.call_as("", Method::GET, "/API/Accounts", None).await,
        401,
        "PASWS006E",
    );
    // The Identity platform token works as Bearer (Privilege Cloud).
    let form = [
        ("grant_type", "client_credentials"),
        ("client_id", v.sb.client_id()),
        ("client_secret", v.sb.client_secret()),
    ];
    let platform: Value = v
        .http
        .post(format!("{}/oauth2/platformtoken", v.sb.url()))
        .form(&form)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let bearer = format!("Bearer {}", platform["access_token"].as_str().unwrap());
    let (status, safes) = v.call_as(&bearer, Method::GET, "/API/Safes", None).await;
    assert_eq!(status, 200);
    assert!(safes["count"].as_u64().unwrap() >= 4);
    // Logoff ends the session.
    let token = logon(
        &v.sb,
        &v.http,
        "CyberArk",
        creds::ADMIN_USERNAME,
        creds::ADMIN_PASSWORD,
    )
    .await
    .unwrap();
    let (status, body) = v
        .call_as(&token, Method::POST, "/API/Auth/Logoff", None)
        .await;
    assert_eq!((status, body), (200, json!({"LogoffUrl": ""})));
    assert_error(
        &v.call_as(&token, Method::GET, "/API/Accounts", None).await,
        401,
        "PASWS006E",
    );
}

#[tokio::test]
async fn expired_session_tokens_are_refused() {
    let sb = Sandbox::builder()
        .token_ttl(Duration::from_millis(1))
        .start()
        .await
        .unwrap();
    let http = Client::new();
    let token = logon(
        &sb,
        &http,
        "CyberArk",
        creds::ADMIN_USERNAME,
        creds::ADMIN_PASSWORD,
    )
    .await
    .unwrap();
    tokio::time::sleep(Duration::from_millis(20)).await;
    let r = http
        .get(format!("{}/API/Safes", sb.vault_url()))
        .header("Authorization", token)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 401);
}

#[tokio::test]
async fn accounts_page_through_next_link_and_search() {
    let v = start().await;
    let mut seen = Vec::new();
    let mut path = "/API/Accounts?limit=20".to_owned();
    loop {
        let (status, page) = v.get(&path).await;
        assert_eq!(status, 200);
        assert!(page["count"].as_u64().unwrap() >= 50);
        seen.extend(
            page["value"]
                .as_array()
                .unwrap()
                .iter()
                .map(|a| a["id"].as_str().unwrap().to_owned()),
        );
        match page["nextLink"].as_str() {
            Some(next) => {
                path = format!(
                    "/{}",
                    next.trim_start_matches("api/")
                        .replace("Accounts", "API/Accounts")
                )
            }
            None => break,
        }
    }
    let unique: BTreeSet<_> = seen.iter().collect();
    assert_eq!(unique.len(), seen.len());
    assert!(seen.len() >= 50);
    let (_, found) = v
        .get("/API/Accounts?search=linux07&searchType=contains")
        .await;
    assert_eq!(found["count"], 1);
    let (_, db) = v
        .get("/API/Accounts?filter=safeName%20eq%20Databases&sort=userName%20desc")
        .await;
    assert_eq!(db["count"], 10);
    assert_eq!(db["value"][0]["userName"], "svc_app10");
    assert_error(&v.get("/API/Accounts?limit=5000").await, 400, "PASWS167E");
}

#[tokio::test]
async fn account_lifecycle_with_cpm_and_permissions() {
    let v = start().await;
    let body = json!({"platformId": "UnixSSH", "safeName": "Linux-Root", "address": "new.sandbox.example", "userName": "deploy",
        "secret": "Initial-Passw0rd", "platformAccountProperties": {"Port": "22"},
        "secretManagement": {"automaticManagementEnabled": true}});
    let (status, account) = v
        .call(Method::POST, "/API/Accounts", Some(body.clone()))
        .await;
    assert_eq!(status, 201, "{account}");
    let id = account["id"].as_str().unwrap().to_owned();
    assert!(account.get("secret").is_none());
    assert_error(
        &v.call(Method::POST, "/API/Accounts", Some(body)).await,
        409,
        "PASWS150E",
    );
    let (status, got) = v.get(&format!("/API/Accounts/{id}")).await;
    assert_eq!((status, got["userName"].as_str()), (200, Some("deploy")));
    assert_error(&v.get("/API/Accounts/999_999").await, 404, "PASWS039E");

    let patch = json!([{"op": "replace", "path": "/address", "value": "moved.sandbox.example"},
                       {"op": "add", "path": "/platformAccountProperties/Location", "value": "DC2"},
                       {"op": "replace", "path": "/secretManagement/automaticManagementEnabled", "value": "true"}]);
    let (status, patched) = v
        .call(Method::PATCH, &format!("/API/Accounts/{id}"), Some(patch))
        .await;
    assert_eq!(status, 200, "{patched}");
    assert_eq!(patched["address"], "moved.sandbox.example");
    assert_eq!(patched["platformAccountProperties"]["Location"], "DC2");
    let bad_patch =
        json!([{"op": "replace", "path": "/platformAccountProperties/Nope", "value": "x"}]);
    assert_error(
        &v.call(
            Method::PATCH,
            &format!("/API/Accounts/{id}"),
            Some(bad_patch),
        )
        .await,
        400,
        "PASWS167E",
    );

    let retrieve = format!("/API/Accounts/{id}/Password/Retrieve");
    let (status, secret) = v
        .call(Method::POST, &retrieve, Some(json!({"reason": "test"})))
        .await;
    assert_eq!((status, secret), (200, json!("Initial-Passw0rd")));
    let (status, key) = v
        .call(
            Method::POST,
            &format!("/API/Accounts/{id}/Secret/Retrieve"),
            Some(json!({"ActionType": "download"})),
        )
        .await;
    assert_eq!((status, key), (200, json!("Initial-Passw0rd")));

    // Set the next password, change now, watch the CPM, then read the new value.
    let (status, _) = v
        .call(
            Method::POST,
            &format!("/API/Accounts/{id}/SetNextPassword"),
            Some(json!({"ChangeImmediately": false, "NewCredentials": "Next-Passw0rd-1"})),
        )
        .await;
    assert_eq!(status, 200);
    assert_error(
        &v.call(
            Method::POST,
            &format!("/API/Accounts/{id}/SetNextPassword"),
            Some(json!({"NewCredentials": "short"})),
        )
        .await,
        400,
        "EPVWF061E",
    );
    let (status, body) = v
        .call(
            Method::POST,
            &format!("/API/Accounts/{id}/Change"),
            Some(json!({"ChangeEntireGroup": false})),
        )
        .await;
    assert_eq!((status, body), (200, json!("")));
    let (_, during) = v.get(&format!("/API/Accounts/{id}")).await;
    assert_eq!(during["secretManagement"]["status"], "inProcess");
    assert_error(
        &v.call(Method::POST, &format!("/API/Accounts/{id}/Verify"), None)
            .await,
        409,
        "SBXVA409E",
    );
    let after = v.settled(&id).await;
    assert_eq!(after["secretManagement"]["status"], "success");
    assert_eq!(
        v.call(Method::POST, &retrieve, None).await.1,
        json!("Next-Passw0rd-1")
    );
    for action in ["Verify", "Reconcile"] {
        assert_eq!(
            v.call(Method::POST, &format!("/API/Accounts/{id}/{action}"), None)
                .await
                .0,
            200
        );
        let done = v.settled(&id).await;
        assert_eq!(done["secretManagement"]["status"], "success");
    }
    let reconciled = v.call(Method::POST, &retrieve, None).await.1;
    assert_ne!(reconciled, json!("Next-Passw0rd-1"));

    let (status, _) = v
        .call(
            Method::POST,
            &format!("/API/Accounts/{id}/Password/Update"),
            Some(json!({"NewCredentials": "Vault-Only-Passw0rd"})),
        )
        .await;
    assert_eq!(status, 200);
    assert_eq!(
        v.call(Method::POST, &retrieve, None).await.1,
        json!("Vault-Only-Passw0rd")
    );
    let (_, generated) = v
        .call(
            Method::POST,
            &format!("/API/Accounts/{id}/Secret/Generate"),
            None,
        )
        .await;
    assert!(
        generated["Password"]
            .as_str()
            .is_some_and(|p| p.len() >= 12)
    );
    let (_, versions) = v
        .get(&format!(
            "/API/Accounts/{id}/Secret/Versions?showTemporary=true"
        ))
        .await;
    assert_eq!(versions["Total"], 4);
    assert_eq!(versions["Versions"].as_array().unwrap().len(), 4);
    let (status, old) = v
        .call(Method::POST, &retrieve, Some(json!({"Version": 1})))
        .await;
    assert_eq!((status, old), (200, json!("Initial-Passw0rd")));
    let (_, activities) = v.get(&format!("/API/Accounts/{id}/Activities")).await;
    assert!(
        activities["Activities"]
            .as_array()
            .unwrap()
            .iter()
            .any(|a| a["Action"] == "CPM Change Password")
    );

    let link = json!({"safe": "Linux-Root", "extraPasswordIndex": 3, "name": "Operating System-UnixSSH-linux01.sandbox.example-root", "folder": "Root"});
    assert_eq!(
        v.call(
            Method::POST,
            &format!("/API/Accounts/{id}/LinkAccount"),
            Some(link)
        )
        .await
        .0,
        200
    );
    let (_, linked) = v.get(&format!("/API/Accounts/{id}")).await;
    assert!(linked["LinkedAccounts"][1]["AccountId"].is_string());
    assert_eq!(
        v.call(
            Method::DELETE,
            &format!("/API/Accounts/{id}/LinkAccount/3"),
            None
        )
        .await
        .0,
        200
    );
    let (_, unlinked) = v.get(&format!("/API/Accounts/{id}")).await;
    assert!(unlinked["LinkedAccounts"][1]["AccountId"].is_null());

    // The auditor may list but not retrieve: the Vault's 403, not a password.
    let auditor = logon(
        &v.sb,
        &v.http,
        "CyberArk",
        creds::AUDITOR_USERNAME,
        creds::AUDITOR_PASSWORD,
    )
    .await
    .unwrap();
    assert_eq!(
        v.call_as(&auditor, Method::GET, &format!("/API/Accounts/{id}"), None)
            .await
            .0,
        200
    );
    assert_error(
        &v.call_as(&auditor, Method::POST, &retrieve, None).await,
        403,
        "PASWS041E",
    );
    assert_error(
        &v.call_as(
            &auditor,
            Method::POST,
            &format!("/API/Accounts/{id}/Change"),
            None,
        )
        .await,
        403,
        "PASWS041E",
    );
    assert_error(
        &v.call_as(
            &auditor,
            Method::DELETE,
            &format!("/API/Accounts/{id}"),
            None,
        )
        .await,
        403,
        "PASWS041E",
    );

    assert_eq!(
        v.call(Method::DELETE, &format!("/API/Accounts/{id}"), None)
            .await
            .0,
        204
    );
    assert_error(
        &v.get(&format!("/API/Accounts/{id}")).await,
        404,
        "PASWS039E",
    );
}

#[tokio::test]
async fn a_failing_cpm_task_reports_failure() {
    let v = start().await;
    let (_, found) = v.get("/API/Accounts?search=unreachable").await;
    let id = found["value"][0]["id"].as_str().unwrap().to_owned();
    assert_eq!(
        v.call(Method::POST, &format!("/API/Accounts/{id}/Change"), None)
            .await
            .0,
        200
    );
    assert_eq!(
        v.settled(&id).await["secretManagement"]["status"],
        "failure"
    );
}

#[tokio::test]
async fn safes_and_members_with_dotted_names() {
    let v = start().await;
    let (status, list) = v.get("/API/Safes?limit=2").await;
    assert_eq!(status, 200);
    assert_eq!(list["value"].as_array().unwrap().len(), 2);
    assert!(list["nextLink"].as_str().unwrap().starts_with("api/Safes?"));
    let add = json!({"safeName": "Team-Safe", "description": "A team", "numberOfDaysRetention": 7, "managingCPM": "PasswordManager"});
    let (status, safe) = v.call(Method::POST, "/API/Safes", Some(add.clone())).await;
    assert_eq!(status, 201, "{safe}");
    assert_eq!(safe["safeUrlId"], "Team-Safe");
    assert_error(
        &v.call(Method::POST, "/API/Safes", Some(add)).await,
        409,
        "SFWS0002E",
    );
    assert_error(
        &v.call(
            Method::POST,
            "/API/Safes",
            Some(json!({"safeName": "bad.name"})),
        )
        .await,
        400,
        "PASWS167E",
    );
    let (status, got) = v.get("/API/Safes/Team-Safe?includeAccounts=true").await;
    assert_eq!(
        (status, got["accounts"].as_array().map(Vec::len)),
        (200, Some(0))
    );
    let update =
        json!({"safeName": "Team-Safe", "description": "Changed", "numberOfVersionsRetention": 5});
    let (status, updated) = v
        .call(Method::PUT, "/API/Safes/Team-Safe", Some(update))
        .await;
    assert_eq!(
        (
            status,
            updated["description"].as_str(),
            updated["numberOfDaysRetention"].is_null()
        ),
        (200, Some("Changed"), true)
    );
    let (status, allowed) = v.get("/API/Platforms/UnixSSH/Safes").await;
    assert_eq!(status, 200);
    assert!(
        allowed["value"]
            .as_array()
            .unwrap()
            .iter()
            .any(|s| s["safeName"] == "Team-Safe")
    );

    let member = json!({"memberName": "john.doe@example.com", "memberType": "user", "searchIn": "Vault",
                        "permissions": {"listAccounts": true, "useAccounts": true}});
    let (status, added) = v
        .call(
            Method::POST,
            "/API/Safes/Team-Safe/Members",
            Some(member.clone()),
        )
        .await;
    assert_eq!(
        (status, added["memberType"].as_str()),
        (201, Some("User")),
        "{added}"
    );
    assert_error(
        &v.call(Method::POST, "/API/Safes/Team-Safe/Members", Some(member))
            .await,
        409,
        "SFWS0012E",
    );
    let (status, got) = v
        .get("/API/Safes/Team-Safe/Members/john.doe@example.com/")
        .await;
    assert_eq!(
        (status, got["permissions"]["listAccounts"].as_bool()),
        (200, Some(true))
    );
    let (status, members) = v
        .get("/API/Safes/Team-Safe/Members?filter=memberType%20eq%20user")
        .await;
    assert_eq!((status, members["count"].as_u64()), (200, Some(1)));
    let update = json!({"permissions": {"listAccounts": true, "retrieveAccounts": true}, "membershipExpirationDate": null});
    let (status, changed) = v
        .call(
            Method::PUT,
            "/API/Safes/Team-Safe/Members/john.doe@example.com/",
            Some(update),
        )
        .await;
    assert_eq!(
        (status, changed["permissions"]["retrieveAccounts"].as_bool()),
        (200, Some(true))
    );
    assert_eq!(
        v.call(
            Method::DELETE,
            "/API/Safes/Team-Safe/Members/john.doe@example.com/",
            None
        )
        .await
        .0,
        204
    );
    assert_error(
        &v.get("/API/Safes/Team-Safe/Members/john.doe@example.com/")
            .await,
        404,
        "SBXVA404E",
    );

    // The auditor may view members but not manage them, and cannot add safes.
    let auditor = logon(
        &v.sb,
        &v.http,
        "CyberArk",
        creds::AUDITOR_USERNAME,
        creds::AUDITOR_PASSWORD,
    )
    .await
    .unwrap();
    assert_eq!(
        v.call_as(&auditor, Method::GET, "/API/Safes/Linux-Root/Members", None)
            .await
            .0,
        200
    );
    let grant = json!({"memberName": "someone", "permissions": {"manageSafe": true}});
    assert_error(
        &v.call_as(
            &auditor,
            Method::POST,
            "/API/Safes/Linux-Root/Members",
            Some(grant),
        )
        .await,
        403,
        "PASWS041E",
    );
    assert_error(
        &v.call_as(
            &auditor,
            Method::POST,
            "/API/Safes",
            Some(json!({"safeName": "Mine"})),
        )
        .await,
        403,
        "PASWS041E",
    );
    assert_error(
        &v.call_as(&auditor, Method::GET, "/API/Safes/Team-Safe", None)
            .await,
        404,
        "SBXVA404E",
    );

    assert_eq!(
        v.call(Method::DELETE, "/API/Safes/Team-Safe", None).await.0,
        204
    );
    assert_error(&v.get("/API/Safes/Team-Safe").await, 404, "SBXVA404E");
}

#[tokio::test]
async fn platforms_list_details_and_kinds() {
    let v = start().await;
    let (status, list) = v
        .get("/API/Platforms?Active=true&PlatformType=Regular")
        .await;
    assert_eq!(status, 200);
    assert_eq!(list["Total"], 4);
    let (status, details) = v.get("/API/Platforms/WinDomain").await;
    assert_eq!(
        (status, details["Details"]["PolicyID"].as_str()),
        (200, Some("WinDomain"))
    );
    assert_error(
        &v.get("/API/Platforms/NoSuchPlatform").await,
        404,
        "SBXVA404E",
    );
    for (path, id) in [
        ("Targets", "UnixSSH"),
        ("Dependents", "WinServiceDependent"),
        ("Groups", "SharedAdminGroup"),
        ("RotationalGroups", "DualAccountRotation"),
    ] {
        let (status, kind) = v.get(&format!("/API/Platforms/{path}")).await;
        assert_eq!(status, 200);
        assert!(
            kind["Platforms"]
                .as_array()
                .unwrap()
                .iter()
                .any(|p| p["PlatformID"] == id),
            "{path}: {kind}"
        );
    }
    let onboard = json!({"platformId": "SharedAdminGroup", "safeName": "Linux-Root", "userName": "x", "address": "y"});
    assert_error(
        &v.call(Method::POST, "/API/Accounts", Some(onboard)).await,
        400,
        "PASWS167E",
    );
}

#[tokio::test]
async fn live_sessions_and_recordings() {
    let v = start().await;
    let (status, live) = v.get("/API/LiveSessions?Limit=2&Offset=0").await;
    assert_eq!(status, 200);
    assert_eq!(live["Total"], 3);
    assert_eq!(live["LiveSessions"].as_array().unwrap().len(), 2);
    let (_, rest) = v.get("/API/LiveSessions?Limit=2&Offset=2").await;
    assert_eq!(rest["LiveSessions"].as_array().unwrap().len(), 1);
    let (_, risky) = v.get("/API/LiveSessions?Sort=-RiskScore").await;
    let session = risky["LiveSessions"][0].clone();
    assert_eq!(session["RiskScore"], 85);
    let id = session["SessionID"].as_str().unwrap().to_owned();
    let guid = session["SessionGuid"].as_str().unwrap().to_owned();
    let (status, one) = v.get(&format!("/API/LiveSessions/{id}")).await;
    assert_eq!(
        (status, one["LiveSessions"][0]["SessionID"].as_str()),
        (200, Some(id.as_str()))
    );
    assert_eq!(
        v.get(&format!("/API/LiveSessions/{id}/activities")).await.1["Total"],
        2
    );
    assert_eq!(
        v.get(&format!("/API/LiveSessions/{id}/properties")).await.1["SessionGuid"],
        json!(guid)
    );
    let monitor = v
        .http
        .get(format!(
            "{}/API/LiveSessions/{id}/Monitor",
            v.sb.vault_url()
        ))
        .header("Authorization", &v.token)
        .header("Accept", "application/json")
        .send()
        .await
        .unwrap();
    assert_eq!(monitor.headers()["ConnectionMethod"], "RDPFile");
    let settings: Value = monitor.json().await.unwrap();
    assert!(settings["full address"].is_string());
    let (status, rdp) = v.get(&format!("/API/LiveSessions/{id}/Monitor")).await;
    assert_eq!(status, 200);
    assert!(rdp.as_str().unwrap().contains("full address:s:"));

    let auditor = logon(
        &v.sb,
        &v.http,
        "CyberArk",
        creds::LDAP_USERNAME,
        creds::LDAP_PASSWORD,
    )
    .await;
    assert!(
        auditor.is_err(),
        "the LDAP user cannot use the CyberArk method"
    );
    let ldap = logon(
        &v.sb,
        &v.http,
        "LDAP",
        creds::LDAP_USERNAME,
        creds::LDAP_PASSWORD,
    )
    .await
    .unwrap();
    assert_error(
        &v.call_as(
            &ldap,
            Method::POST,
            &format!("/API/LiveSessions/{guid}/Terminate"),
            None,
        )
        .await,
        404,
        "SBXVA404E",
    );

    assert_eq!(
        v.call(
            Method::POST,
            &format!("/API/LiveSessions/{guid}/Suspend"),
            None
        )
        .await
        .0,
        200
    );
    let (_, props) = v.get(&format!("/API/LiveSessions/{id}/properties")).await;
    assert_eq!(props["RawProperties"]["PSMStatus"], "Suspended");
    assert_eq!(
        v.call(
            Method::POST,
            &format!("/API/LiveSessions/{guid}/Resume"),
            None
        )
        .await
        .0,
        200
    );
    assert_error(
        &v.call(
            Method::POST,
            &format!("/API/LiveSessions/{guid}/Resume"),
            None,
        )
        .await,
        409,
        "SBXVA409E",
    );
    assert_eq!(
        v.call(
            Method::POST,
            &format!("/API/LiveSessions/{guid}/Terminate"),
            None
        )
        .await
        .0,
        200
    );
    assert_eq!(v.get("/API/LiveSessions").await.1["Total"], 2);
    assert_error(
        &v.get(&format!("/API/LiveSessions/{id}")).await,
        404,
        "SBXVA404E",
    );

    // The terminated session is now a recording with bytes to play back.
    let (status, recordings) = v.get("/API/Recordings?Limit=100").await;
    assert_eq!(status, 200);
    assert_eq!(recordings["Total"], 7);
    let (_, rec) = v.get(&format!("/API/Recordings/{id}")).await;
    assert_eq!(rec["Recordings"][0]["IsLive"], false);
    assert_eq!(
        v.get(&format!("/API/Recordings/{id}/activities")).await.0,
        200
    );
    let size = v.get(&format!("/API/Recordings/{id}/properties")).await.1["VideoSize"]
        .as_u64()
        .unwrap();
    assert_eq!(
        v.get(&format!("/API/Recordings/{id}/valid")).await.1,
        json!({"IsValid": true})
    );
    let play = v
        .http
        .post(format!("{}/API/Recordings/{id}/Play", v.sb.vault_url()))
        .header("Authorization", &v.token)
        .send()
        .await
        .unwrap();
    assert_eq!(play.headers()["content-type"], "application/octet-stream");
    let bytes = play.bytes().await.unwrap();
    assert_eq!(bytes.len() as u64, size);
    assert!(bytes.starts_with(b"SANDBOXREC1"));
    assert_error(&v.get("/API/Recordings/0_0").await, 404, "SBXVA404E");
}

#[tokio::test]
async fn vault_users() {
    let v = start().await;
    let (status, list) = v.get("/API/Users?search=admin").await;
    assert_eq!(status, 200);
    assert!(list["Total"].as_u64().unwrap() >= 1);
    let add = json!({"username": "new.user", "initialPassword": "Initial-Passw0rd", "vaultAuthorization": ["AuditUsers"],
                     "personalDetails": {"firstName": "New", "lastName": "User"}});
    let (status, user) = v.call(Method::POST, "/API/Users", Some(add.clone())).await;
    assert_eq!(status, 201, "{user}");
    assert!(user.get("initialPassword").is_none());
    let id = user["id"].as_i64().unwrap();
    assert_error(
        &v.call(Method::POST, "/API/Users", Some(add)).await,
        409,
        "ITATS013E",
    );
    let (status, got) = v.get(&format!("/API/Users/{id}")).await;
    assert_eq!(
        (status, got["personalDetails"]["firstName"].as_str()),
        (200, Some("New"))
    );
    let mut put = got.clone();
    put["description"] = json!("Updated");
    let (status, updated) = v
        .call(Method::PUT, &format!("/API/Users/{id}"), Some(put))
        .await;
    assert_eq!(
        (status, updated["description"].as_str()),
        (200, Some("Updated"))
    );
    assert!(
        logon(&v.sb, &v.http, "CyberArk", "new.user", "Initial-Passw0rd")
            .await
            .is_ok()
    );
    let reset = json!({"id": id, "newPassword": "Reset-Passw0rd-2"});
    assert_eq!(
        v.call(
            Method::POST,
            &format!("/API/Users/{id}/ResetPassword"),
            Some(reset.clone())
        )
        .await
        .0,
        200
    );
    assert_error(
        &v.call(
            Method::POST,
            &format!("/API/Users/{id}/ResetPassword"),
            Some(reset),
        )
        .await,
        400,
        "EPVWF061E",
    );
    assert!(
        logon(&v.sb, &v.http, "CyberArk", "new.user", "Reset-Passw0rd-2")
            .await
            .is_ok()
    );
    // Five failed logons suspend the user; even the right password is refused until Activate.
    for _ in 0..5 {
        let failed = logon(&v.sb, &v.http, "CyberArk", "new.user", "wrong").await;
        assert_eq!(failed.unwrap_err().0, 403);
    }
    let suspended = logon(&v.sb, &v.http, "CyberArk", "new.user", "Reset-Passw0rd-2")
        .await
        .unwrap_err();
    assert_eq!(
        (suspended.0, suspended.1["ErrorCode"].as_str()),
        (403, Some("ITATS006E"))
    );
    assert_eq!(
        v.get(&format!("/API/Users/{id}")).await.1["suspended"],
        true
    );
    assert_eq!(
        v.call(Method::POST, &format!("/API/Users/{id}/Activate"), None)
            .await
            .0,
        200
    );
    assert!(
        logon(&v.sb, &v.http, "CyberArk", "new.user", "Reset-Passw0rd-2")
            .await
            .is_ok()
    );
    // A user without AddUpdateUsers cannot delete.
    let auditor = logon(
        &v.sb,
        &v.http,
        "CyberArk",
        creds::AUDITOR_USERNAME,
        creds::AUDITOR_PASSWORD,
    )
    .await
    .unwrap();
    assert_error(
        &v.call_as(&auditor, Method::DELETE, &format!("/API/Users/{id}"), None)
            .await,
        403,
        "PASWS041E",
    );
    assert_eq!(
        v.call(Method::DELETE, &format!("/API/Users/{id}"), None)
            .await
            .0,
        204
    );
    assert_error(&v.get(&format!("/API/Users/{id}")).await, 404, "SBXVA404E");
}

#[tokio::test]
async fn faults_holds_and_the_log_work_for_the_vault() {
    let v = start().await;
    v.sb.faults()
        .inject("Safes_List", identity_sandbox::Fault::Status(503), 1);
    assert_eq!(v.get("/API/Safes").await.0, 503);
    assert_eq!(v.get("/API/Safes").await.0, 200);
    // Injected failures carry the Vault's error body; a 429 also its Retry-After.
    v.sb.faults().inject(
        "Accounts_List",
        identity_sandbox::Fault::RateLimited(identity_sandbox::RetryAfter::Seconds(2)),
        1,
    );
    let limited = v
        .http
        .get(format!("{}/API/Accounts", v.sb.vault_url()))
        .header("Authorization", &v.token)
        .send()
        .await
        .unwrap();
    assert_eq!(limited.status(), 429);
    assert_eq!(limited.headers()["retry-after"], "2");
    let body: Value = limited.json().await.unwrap();
    assert_eq!(body["ErrorCode"], "SBXVA429E");
    v.sb.faults()
        .inject("Safes_Get", identity_sandbox::Fault::Status(500), 1);
    assert_error(&v.get("/API/Safes/Linux-Root").await, 500, "CAWS00001E");
    let logged = v.sb.requests();
    assert!(
        logged
            .iter()
            .filter(|r| r.operation.as_deref() == Some("Safes_List"))
            .count()
            >= 2
    );
    // Session tokens never reach the log.
    assert!(
        logged
            .iter()
            .all(|r| r.headers.iter().all(|(_, value)| !value.contains(&v.token)))
    );
    let (status, body) = v.get("/API/NoSuchThing").await;
    assert_eq!(
        (status, body["ErrorCode"].as_str()),
        (404, Some("SBXVA404E"))
    );
    assert_eq!(v.call(Method::DELETE, "/API/Safes", None).await.0, 405);
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
