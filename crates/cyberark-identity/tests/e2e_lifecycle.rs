//! User lifecycle and lookups as CyberArk's official SDKs use them, end to end against the
//! sandbox: CreateUser, DeleteUser, DeleteUsers, ResetUserPassword, GetDirectoryServices (GET
//! and POST), GetCdsAliasesForTenant and Redrock queries with bound values.

mod common;

use std::time::Duration;

use common::{
    ARGUMENT, INVALID_OPERATION, NOT_FOUND, client, expect_api, fast_retry, json_body,
    last_request, ordinary_users, sandbox,
};
use cyberark_identity::redrock::Query;
use cyberark_identity::{
    CDirectoryServiceCreateUserRequest, CDirectoryServiceDeleteUserRequest,
    CDirectoryServiceDeleteUsersRequest, Client, CoreGetCdsAliasesForTenantRequest,
    CoreGetDirectoryServicesPostRequest, CoreGetDirectoryServicesRequest, Error, QueryArgs,
    QueryTable, RedrockQueryRequest, UserMgmtResetUserPasswordRequest,
};
use futures::TryStreamExt;
use identity_sandbox::SandboxHandle;

/// A client signed in as `username` with `password` through StartAuthentication.
fn user_client(sb: &SandboxHandle, username: &str, password: &str) -> Client {
    Client::builder(sb.url())
        .user_login(username, password.to_owned())
        .retry(fast_retry())
        .timeout(Duration::from_secs(10))
        .build()
        .expect("the client builds")
}

/// The rows of a query table, as maps.
fn rows(table: &QueryTable) -> Vec<serde_json::Map<String, serde_json::Value>> {
    table
        .results
        .as_deref()
        .unwrap_or_default()
        .iter()
        .map(|r| r.row.clone().unwrap_or_default().into_iter().collect())
        .collect()
}

async fn run(client: &Client, query: &Query) -> Result<QueryTable, Error> {
    client
        .redrock()
        .query(RedrockQueryRequest::from_query(query)?)
        .await
}

#[tokio::test]
async fn create_reset_password_and_delete_a_user() {
    let sb = sandbox().await;
    let client = client(&sb);
    let suffix = client
        .core()
        .get_cds_aliases_for_tenant(CoreGetCdsAliasesForTenantRequest::new())
        .await
        .expect("GetCdsAliasesForTenant");
    // The official SDK takes the suffix from the first entity's key.
    let alias = suffix.results.as_deref().unwrap()[0]
        .entities
        .as_deref()
        .unwrap()[0]
        .key
        .clone()
        .expect("the alias is the entity key");
    assert_eq!(alias, "sandbox.example");

    let name = format!("it_user@{alias}");
    let uuid = client
        .cdirectory_service()
        .create_user(
            CDirectoryServiceCreateUserRequest::new(name.as_str())
                .display_name("IT User")
                .mail("it_user@example.com")
                .password("First-Passw0rd!")
                .in_sys_admin_role(false)
                .send_email_invite(true),
        )
        .await
        .expect("CreateUser answers the new UUID");
    let state = sb.state();
    let stored = state.user(&uuid).expect("the user exists");
    assert_eq!(stored.name, name);
    assert_eq!(stored.display_name.as_deref(), Some("IT User"));
    assert_eq!(stored.mail.as_deref(), Some("it_user@example.com"));
    let invited = sb.invitations();
    assert!(
        invited
            .iter()
            .any(|i| i.user_id == uuid && i.source == "CDirectoryService_CreateUser"),
        "SendEmailInvite sent an invitation: {invited:?}"
    );
    // The password travelled in the body (it signs in below), and the request log redacts it.
    let body = json_body(&last_request(&sb, "CDirectoryService_CreateUser"));
    assert_eq!(body["Password"], "***");
    assert_eq!(body["InSysAdminRole"], false);

    expect_api(
        client
            .cdirectory_service()
            .create_user(CDirectoryServiceCreateUserRequest::new(name.to_uppercase()))
            .await,
        "CDirectoryService_CreateUser",
        INVALID_OPERATION,
        "already in use",
    );
    expect_api(
        client
            .cdirectory_service()
            .create_user(CDirectoryServiceCreateUserRequest::new("no-suffix"))
            .await,
        "CDirectoryService_CreateUser",
        ARGUMENT,
        "user@suffix",
    );

    // The new user signs in with its password; after a reset only the new one works.
    user_client(&sb, &name, "First-Passw0rd!")
        .core()
        .get_cds_aliases_for_tenant(CoreGetCdsAliasesForTenantRequest::new())
        .await
        .expect("the first password signs in");
    client
        .user_mgmt()
        .reset_user_password(UserMgmtResetUserPasswordRequest::new(
            uuid.as_str(),
            "Second-Passw0rd!",
        ))
        .await
        .expect("ResetUserPassword");
    let reset = last_request(&sb, "UserMgmt_ResetUserPassword");
    assert_eq!(json_body(&reset)["newPassword"], "***");
    let old = user_client(&sb, &name, "First-Passw0rd!")
        .core()
        .get_cds_aliases_for_tenant(CoreGetCdsAliasesForTenantRequest::new())
        .await
        .expect_err("the old password no longer signs in");
    assert!(matches!(old, Error::Auth { .. }), "{old:?}");
    user_client(&sb, &name, "Second-Passw0rd!")
        .core()
        .get_cds_aliases_for_tenant(CoreGetCdsAliasesForTenantRequest::new())
        .await
        .expect("the new password signs in");
    expect_api(
        client
            .user_mgmt()
            .reset_user_password(UserMgmtResetUserPasswordRequest::new("nobody", "x"))
            .await,
        "UserMgmt_ResetUserPassword",
        NOT_FOUND,
        "does not exist",
    );

    // DeleteUser takes the login name as the official SDK may send it.
    client
        .cdirectory_service()
        .delete_user(CDirectoryServiceDeleteUserRequest::new(name.as_str()))
        .await
        .expect("DeleteUser");
    assert!(sb.state().user(&uuid).is_none());
    expect_api(
        client
            .cdirectory_service()
            .delete_user(CDirectoryServiceDeleteUserRequest::new(uuid.as_str()))
            .await,
        "CDirectoryService_DeleteUser",
        NOT_FOUND,
        "does not exist",
    );
}

#[tokio::test]
async fn delete_users_removes_all_or_none() {
    let sb = sandbox().await;
    let client = client(&sb);
    let users = ordinary_users(&sb, 2);
    let (a, b) = (&users[0], &users[1]);

    expect_api(
        client
            .cdirectory_service()
            .delete_users(CDirectoryServiceDeleteUsersRequest::new(vec![
                a.0.clone(),
                "missing@sandbox.example".to_owned(),
            ]))
            .await,
        "CDirectoryService_DeleteUsers",
        NOT_FOUND,
        "missing@sandbox.example",
    );
    assert!(sb.state().user(&a.0).is_some(), "nothing was deleted");

    client
        .cdirectory_service()
        .delete_users(CDirectoryServiceDeleteUsersRequest::new(vec![
            a.0.clone(),
            b.1.clone(),
        ]))
        .await
        .expect("DeleteUsers by UUID and by name");
    let state = sb.state();
    assert!(state.user(&a.0).is_none() && state.user(&b.0).is_none());
}

#[tokio::test]
async fn directory_services_by_get_and_by_post() {
    let sb = sandbox().await;
    let client = client(&sb);
    let by_get = client
        .core()
        .get_directory_services(CoreGetDirectoryServicesRequest::new())
        .await
        .expect("GetDirectoryServices (GET)");
    assert_eq!(last_request(&sb, "Core_GetDirectoryServices").method, "GET");
    let by_post = client
        .core()
        .get_directory_services_post(CoreGetDirectoryServicesPostRequest::new())
        .await
        .expect("GetDirectoryServices (POST)");
    assert_eq!(
        last_request(&sb, "Core_GetDirectoryServicesPost").method,
        "POST"
    );
    let services = |t: &cyberark_identity::DirectoryServiceQueryTable| -> Vec<(String, String)> {
        t.results
            .as_deref()
            .unwrap_or_default()
            .iter()
            .filter_map(|r| {
                let row = r.row.as_ref()?;
                Some((row.service.clone()?, row.directory_service_uuid.clone()?))
            })
            .collect()
    };
    assert_eq!(services(&by_get), services(&by_post));
    let kinds: Vec<&str> = services(&by_get)
        .iter()
        .map(|(s, _)| match s.as_str() {
            "CDS" => "CDS",
            "FDS" => "FDS",
            "AdProxy" => "AdProxy",
            _ => "other",
        })
        .collect();
    assert_eq!(kinds, ["CDS", "FDS", "AdProxy"]);
}

#[tokio::test]
async fn redrock_queries_bind_hostile_values_as_data() {
    let sb = sandbox().await;
    let client = client(&sb);
    let (id, name) = ordinary_users(&sb, 1).remove(0);

    let found = run(
        &client,
        &Query::new("SELECT ID, Username FROM User WHERE Username = ?").bind(name.as_str()),
    )
    .await
    .expect("a user by name");
    assert_eq!(rows(&found).len(), 1);
    assert_eq!(rows(&found)[0]["ID"], id.as_str());
    assert_eq!(found.full_count, Some(1));

    // A user whose name is full of SQL is found by that exact name, and by nothing else.
    let hostile = "o'brien'; DELETE FROM User; -- \\ \" /* ?@sandbox.example";
    let uuid = client
        .cdirectory_service()
        .create_user(CDirectoryServiceCreateUserRequest::new(hostile))
        .await
        .expect("CreateUser with a hostile name");
    let total_before = sb.state().users.len();
    let found = run(
        &client,
        &Query::new("SELECT ID, Username FROM User WHERE Username = ?").bind(hostile),
    )
    .await
    .expect("the hostile name as data");
    assert_eq!(rows(&found).len(), 1);
    assert_eq!(rows(&found)[0]["ID"], uuid.as_str());
    assert_eq!(rows(&found)[0]["Username"], hostile);
    assert_eq!(sb.state().users.len(), total_before, "nothing was deleted");

    for injection in [
        "x' OR '1'='1",
        "x' OR 1=1 --",
        "'; SELECT * FROM Proxy; --",
        "\\' OR 1=1 --",
        "x' OR ID IS NOT NULL --",
        "%",
    ] {
        let table = run(
            &client,
            &Query::new("SELECT ID FROM User WHERE Username = ?").bind(injection),
        )
        .await
        .unwrap_or_else(|e| panic!("{injection}: {e}"));
        assert!(rows(&table).is_empty(), "{injection} matched {table:?}");
    }
    // What the SDKs do, pasting the value, lets it change the query: the sandbox runs the
    // pasted `OR ID IS NOT NULL` (the comment swallows the closing quote) and answers every
    // user. This is why the clients bind.
    let injection = "x' OR ID IS NOT NULL --";
    let pasted = client
        .redrock()
        .query(RedrockQueryRequest::new(format!(
            "SELECT ID FROM User WHERE Username = '{injection}'"
        )))
        .await
        .expect("a pasted query runs");
    assert_eq!(rows(&pasted).len(), sb.state().users.len());

    // A NUL cannot be written into a script: refused before anything is sent.
    let sent = common::count(&sb, "Redrock_Query");
    let nul = run(
        &client,
        &Query::new("SELECT ID FROM User WHERE Username = ?").bind("a\0b"),
    )
    .await
    .expect_err("a NUL is refused");
    assert!(
        matches!(&nul, Error::InvalidRequest { operation: "Redrock_Query", message } if message.contains("NUL")),
        "{nul:?}"
    );
    assert_eq!(common::count(&sb, "Redrock_Query"), sent);
}

#[tokio::test]
async fn redrock_reads_roles_and_connectors_and_pages() {
    let sb = sandbox().await;
    let client = client(&sb);
    let connectors = client
        .redrock()
        .query(RedrockQueryRequest::new("Select * from Proxy"))
        .await
        .expect("connectors");
    let row = &rows(&connectors)[0];
    for column in [
        "ID",
        "Name",
        "MachineName",
        "DnsHostName",
        "Forest",
        "Online",
        "Version",
    ] {
        assert!(row.contains_key(column), "{column} in {row:?}");
    }
    let roles = run(
        &client,
        &Query::new("SELECT ID, Name AS RoleName FROM Role WHERE Name LIKE ?").bind("System%"),
    )
    .await
    .expect("roles");
    assert_eq!(rows(&roles)[0]["RoleName"], "System Administrator");

    // Paged: the stream reads every user through `Args` pages.
    sb.add_users(1500);
    let total = sb.state().users.len();
    let ids: Vec<_> = client
        .redrock()
        .query_stream(
            RedrockQueryRequest::new("SELECT ID FROM User ORDER BY Username")
                .args(QueryArgs::new().caching(-1)),
        )
        .map_ok(|row| row.row.unwrap_or_default()["ID"].clone())
        .try_collect()
        .await
        .expect("pages");
    assert_eq!(ids.len(), total);
    let unique: std::collections::BTreeSet<String> = ids
        .iter()
        .map(|id| id.as_str().unwrap().to_owned())
        .collect();
    assert_eq!(unique.len(), total, "no user twice");
    let args = json_body(&last_request(&sb, "Redrock_Query"))["Args"].clone();
    assert_eq!(args["PageNumber"], 2, "{args}");

    // What the evaluator cannot run is a typed failure naming the problem.
    for (script, says) in [
        ("SELECT ID FROM Secrets", "no table Secrets"),
        ("SELECT Password FROM User", "invalid column name Password"),
        (
            "SELECT ID FROM User; DELETE FROM User",
            "one SELECT statement",
        ),
        ("SELECT count(*) FROM User", "functions"),
    ] {
        expect_api(
            client
                .redrock()
                .query(RedrockQueryRequest::new(script))
                .await,
            "Redrock_Query",
            ARGUMENT,
            says,
        );
    }
}
