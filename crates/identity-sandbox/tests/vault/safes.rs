//! Safes, members (dotted names) and platforms.

use super::{assert_error, logon, start};
use identity_sandbox::vault_credentials as creds;
use reqwest::Method;
use serde_json::json;

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
