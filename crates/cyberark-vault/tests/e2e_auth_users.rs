//! Sign-in (CyberArk, LDAP, RADIUS; one re-logon on 401; logoff), the version probe and vault
//! users end to end, with the failures of the area (refused logon, unknown user 404, missing
//! authorization 403 `PASWS041E`, conflicting add 409).

mod common;

use common::*;
use cyberark_vault::{
    AuthLogoffRequest, AuthLogonMethod, AuthLogonRequest, Client, Error, LogonRequest,
    ResetPasswordRequest, SafesListRequest, ServerGetVersionRequest, UserPersonalDetails,
    UsersActivateRequest, UsersAddRequest, UsersDeleteRequest, UsersGetRequest, UsersListRequest,
    UsersResetPasswordRequest, UsersUpdateRequest, VaultAuthMethod, VaultUserCreate,
    VaultUserUpdate,
};
use identity_sandbox::vault_credentials as creds;

#[tokio::test]
async fn every_method_logs_on_and_the_token_goes_without_bearer() {
    let sandbox = sandbox().await;
    for (method, username, password) in [
        (
            VaultAuthMethod::CyberArk,
            creds::ADMIN_USERNAME,
            creds::ADMIN_PASSWORD,
        ),
        (
            VaultAuthMethod::Ldap,
            creds::LDAP_USERNAME,
            creds::LDAP_PASSWORD,
        ),
        (
            VaultAuthMethod::Radius,
            creds::RADIUS_USERNAME,
            creds::RADIUS_PASSWORD,
        ),
    ] {
        let client = client_as(&sandbox, method, username, password);
        client
            .safes()
            .list(SafesListRequest::new())
            .await
            .unwrap_or_else(|e| panic!("{method:?}: {e}"));
        client.logoff().await.unwrap();
    }
    let logons = sandbox
        .requests()
        .into_iter()
        .filter(|r| r.operation.as_deref() == Some("Auth_Logon"))
        .map(|r| r.path)
        .collect::<Vec<_>>();
    assert_eq!(
        logons,
        [
            "/PasswordVault/API/Auth/CyberArk/Logon",
            "/PasswordVault/API/Auth/LDAP/Logon",
            "/PasswordVault/API/Auth/RADIUS/Logon"
        ]
    );
    // The session token went as the whole Authorization value, never with `Bearer`.
    assert!(sandbox.requests().iter().all(|r| {
        r.headers.iter().all(|(name, value)| {
            !name.eq_ignore_ascii_case("authorization") || !value.starts_with("Bearer")
        })
    }));
    assert_eq!(count(&sandbox, "Auth_Logoff"), 3);

    // The LDAP user cannot use the CyberArk method: an authentication error with the Vault's
    // code, and the password nowhere in it.
    let wrong = client_as(
        &sandbox,
        VaultAuthMethod::CyberArk,
        creds::LDAP_USERNAME,
        creds::LDAP_PASSWORD,
    );
    let error = wrong
        .safes()
        .list(SafesListRequest::new())
        .await
        .unwrap_err();
    assert!(
        matches!(
            error,
            Error::Auth {
                status: Some(403),
                ..
            }
        ),
        "{error:?}"
    );
    let shown = format!("{error} {error:?}");
    assert!(!shown.contains(creds::LDAP_PASSWORD), "{shown}");
    assert!(shown.contains("Safes_List"), "{shown}");

    // The generated Logon answers the token as a secret.
    let token = client_as(&sandbox, VaultAuthMethod::CyberArk, "x", "y")
        .auth()
        .logon(AuthLogonRequest::new(
            AuthLogonMethod::CyberArk,
            LogonRequest::new(creds::ADMIN_USERNAME, creds::ADMIN_PASSWORD)
                .concurrent_session(true),
        ))
        .await
        .unwrap();
    assert!(!token.is_empty());
    assert!(!format!("{token:?}").contains(token.expose()));
    let server = wrong
        .server()
        .get_version(ServerGetVersionRequest::new())
        .await
        .unwrap();
    assert!(!server.external_version.is_empty());
    assert_all_routed(&sandbox);
}

#[tokio::test]
async fn an_ended_session_logs_on_again_once_and_logoff_ends_it() {
    let sandbox = sandbox().await;
    let client = admin(&sandbox);
    client.safes().list(SafesListRequest::new()).await.unwrap();
    // Ending the session behind the client's back: the next call gets a 401, logs on again
    // once, and succeeds.
    let result = client
        .auth()
        .logoff(AuthLogoffRequest::new())
        .await
        .unwrap();
    assert_eq!(result.logoff_url.as_deref(), Some(""));
    client.safes().list(SafesListRequest::new()).await.unwrap();
    assert_eq!(count(&sandbox, "Auth_Logon"), 2);
    assert_eq!(
        sandbox
            .requests()
            .iter()
            .filter(|r| r.operation.as_deref() == Some("Safes_List") && r.status == 401)
            .count(),
        1
    );
    // `logoff` ends the session; a call after it logs on anew; a second logoff sends nothing.
    client.logoff().await.unwrap();
    client.logoff().await.unwrap();
    assert_eq!(count(&sandbox, "Auth_Logoff"), 2);
    client.safes().list(SafesListRequest::new()).await.unwrap();
    assert_eq!(count(&sandbox, "Auth_Logon"), 3);
    // A client with a fixed token has no Vault session to end.
    let fixed: Client = Client::builder(sandbox.vault_url())
        .bearer_token("platform-token")
        .build()
        .unwrap();
    assert!(matches!(fixed.logoff().await, Err(Error::Config { .. })));
    assert_all_routed(&sandbox);
}

/// Privilege Cloud: the Vault takes the Identity platform token as `Authorization: Bearer`, so a
/// Vault client built with that token (here fetched by hand; the Identity sign-in is the seam
/// for doing it inside the client) calls the Vault with no Vault logon at all.
#[tokio::test]
async fn a_platform_token_is_sent_as_bearer_without_a_vault_logon() {
    let sandbox = sandbox().await;
    let form = [
        ("grant_type", "client_credentials"),
        ("client_id", sandbox.client_id()),
        ("client_secret", sandbox.client_secret()),
    ];
    let answer: serde_json::Value = reqwest::Client::new()
        .post(format!("{}/oauth2/platformtoken", sandbox.url()))
        .form(&form)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let token = answer["access_token"].as_str().unwrap().to_owned();
    let client: Client = Client::builder(sandbox.vault_url())
        .bearer_token(token)
        .build()
        .unwrap();
    let safes = client.safes().list(SafesListRequest::new()).await.unwrap();
    assert!(safes.count.unwrap() >= 4);
    assert_eq!(count(&sandbox, "Auth_Logon"), 0);
    assert!(
        sandbox
            .requests()
            .iter()
            .filter(|r| r.operation.as_deref() == Some("Safes_List"))
            .all(|r| r.status == 200)
    );
}

#[tokio::test]
async fn vault_users_lifecycle_and_permissions() {
    let sandbox = sandbox().await;
    let client = admin(&sandbox);
    let users = client.users();
    let list = users
        .list(UsersListRequest::new().search("admin"))
        .await
        .unwrap();
    assert!(list.total.unwrap() >= 1);
    let create = VaultUserCreate::new("new.user")
        .initial_password("Initial-Passw0rd")
        .vault_authorization(vec!["AuditUsers".to_owned()])
        .personal_details(
            UserPersonalDetails::new()
                .first_name("New")
                .last_name("User"),
        );
    let user = users
        .add(UsersAddRequest::new(create.clone()))
        .await
        .unwrap();
    let id = user.id;
    expect_vault(
        users.add(UsersAddRequest::new(create)).await,
        "Users_Add",
        409,
        "ITATS013E",
    );
    let got = users.get(UsersGetRequest::new(id)).await.unwrap();
    assert_eq!(
        got.personal_details.as_ref().unwrap().first_name.as_deref(),
        Some("New")
    );
    let updated = users
        .update(UsersUpdateRequest::new(
            id,
            VaultUserUpdate::new("new.user")
                .description("Updated")
                .personal_details(
                    UserPersonalDetails::new()
                        .first_name("New")
                        .last_name("User"),
                ),
        ))
        .await
        .unwrap();
    assert_eq!(updated.description.as_deref(), Some("Updated"));
    users
        .reset_password(UsersResetPasswordRequest::new(
            id,
            ResetPasswordRequest::new("Reset-Passw0rd-2").id(id),
        ))
        .await
        .unwrap();
    expect_vault(
        users
            .reset_password(UsersResetPasswordRequest::new(
                id,
                ResetPasswordRequest::new("Reset-Passw0rd-2").id(id),
            ))
            .await,
        "Users_ResetPassword",
        400,
        "EPVWF061E",
    );
    // The new password works; five failures suspend the user until Activate.
    let new_user = client_as(
        &sandbox,
        VaultAuthMethod::CyberArk,
        "new.user",
        "Reset-Passw0rd-2",
    );
    new_user
        .safes()
        .list(SafesListRequest::new())
        .await
        .unwrap();
    for _ in 0..5 {
        let wrong = client_as(&sandbox, VaultAuthMethod::CyberArk, "new.user", "wrong");
        assert!(wrong.safes().list(SafesListRequest::new()).await.is_err());
    }
    assert_eq!(
        users.get(UsersGetRequest::new(id)).await.unwrap().suspended,
        Some(true)
    );
    users.activate(UsersActivateRequest::new(id)).await.unwrap();
    assert_eq!(
        users.get(UsersGetRequest::new(id)).await.unwrap().suspended,
        Some(false)
    );
    // The auditor lacks AddUpdateUsers.
    expect_vault(
        auditor(&sandbox)
            .users()
            .delete(UsersDeleteRequest::new(id))
            .await,
        "Users_Delete",
        403,
        "PASWS041E",
    );
    users.delete(UsersDeleteRequest::new(id)).await.unwrap();
    expect_vault(
        users.get(UsersGetRequest::new(id)).await,
        "Users_Get",
        404,
        "SBXVA404E",
    );
    assert_all_routed(&sandbox);
}
