//! Accounts: paging and search, the whole lifecycle with CPM actions, permissions.

use super::{assert_error, logon, start};
use identity_sandbox::vault_credentials as creds;
use reqwest::Method;
use serde_json::json;
use std::collections::BTreeSet;

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
