//! Sign-in (the three methods, Logoff, expiry, both token kinds), vault users, faults and the log.

use super::{assert_error, logon, start};
use identity_sandbox::{Sandbox, vault_credentials as creds};
use reqwest::{Client, Method};
use serde_json::{Value, json};
use std::time::Duration;

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
