//! Accounts end to end: paging through `nextLink`, the whole lifecycle with the CPM, secrets,
//! JSON Patch, links, and the failures of the area (unknown id, missing permission, conflict).

mod common;

use std::collections::{BTreeMap, BTreeSet};

use common::*;
use cyberark_vault::{
    AccountCreate, AccountPatchOperation, AccountPatchOperationOp, AccountsAddRequest,
    AccountsChangeRequest, AccountsDeleteRequest, AccountsGeneratePasswordRequest,
    AccountsGetRequest, AccountsLinkRequest, AccountsListActivitiesRequest, AccountsListRequest,
    AccountsListSearchType, AccountsListSecretVersionsRequest, AccountsReconcileRequest,
    AccountsRetrievePasswordRequest, AccountsRetrieveSecretRequest, AccountsSetNextPasswordRequest,
    AccountsUnlinkRequest, AccountsUpdatePasswordRequest, AccountsUpdateRequest,
    AccountsVerifyRequest, ChangeRequest, Error, LinkAccountRequest, RetrieveRequest,
    SecretManagementInput, SetNextPasswordRequest, UpdatePasswordRequest,
};
use futures::TryStreamExt;

#[tokio::test]
async fn accounts_stream_through_next_link_and_search() {
    let sandbox = sandbox().await;
    let client = admin(&sandbox);
    let first = client
        .accounts()
        .list(AccountsListRequest::new().limit(7))
        .await
        .unwrap();
    let total = first.count.unwrap() as usize;
    assert!(total >= 50, "the demo data has 50+ accounts");
    assert_eq!(first.value.len(), 7);
    assert!(first.next_link.as_deref().unwrap().contains("offset=7"));
    // The generated stream reads them all (one page of up to 1000).
    let streamed: Vec<_> = client
        .accounts()
        .list_stream(AccountsListRequest::new())
        .try_collect()
        .await
        .unwrap();
    assert_eq!(streamed.len(), total);
    // Pages of 7: the stream follows every nextLink, one request a page.
    sandbox.clear_requests();
    let ids: Vec<String> = stream_ids(&client, AccountsListRequest::new(), 7).await;
    assert_eq!(ids.len(), total);
    assert_eq!(
        ids.iter().collect::<BTreeSet<_>>().len(),
        total,
        "no repeats"
    );
    assert_eq!(count(&sandbox, "Accounts_List"), total.div_ceil(7));
    // The caller's own parameters stay on every page, whatever the nextLink repeats.
    let found = client
        .accounts()
        .list(
            AccountsListRequest::new()
                .search("linux07")
                .search_type(AccountsListSearchType::Contains),
        )
        .await
        .unwrap();
    assert_eq!(found.count, Some(1));
    let databases: Vec<String> = stream_ids(
        &client,
        AccountsListRequest::new()
            .filter("safeName eq Databases")
            .sort("userName desc"),
        3,
    )
    .await;
    assert_eq!(databases.len(), 10);
    // A page size past the Vault's maximum is its PASWS167E, naming the parameter.
    let api = expect_vault(
        client
            .accounts()
            .list(AccountsListRequest::new().limit(5000))
            .await,
        "Accounts_List",
        400,
        "PASWS167E",
    );
    assert!(api.to_string().contains("PASWS167E"), "{api}");
    assert_all_routed(&sandbox);
}

/// The ids of every account the stream yields, `page_size` per request.
async fn stream_ids(
    client: &cyberark_vault::Client,
    request: AccountsListRequest,
    page_size: i64,
) -> Vec<String> {
    // The stream sets `offset` and `limit` itself; `limit` here only seeds the first page.
    let stream = client
        .runtime()
        .paginate(request, u32::try_from(page_size).unwrap());
    stream
        .map_ok(|account| account.id)
        .try_collect()
        .await
        .unwrap()
}

#[tokio::test]
async fn account_lifecycle_with_the_cpm_secrets_and_permissions() {
    let sandbox = sandbox().await;
    let client = admin(&sandbox);
    let accounts = client.accounts();
    let create = AccountCreate::new("UnixSSH", "Linux-Root")
        .address("new.sandbox.example")
        .user_name("deploy")
        .secret("Initial-Passw0rd")
        .platform_account_properties(BTreeMap::from([("Port".to_owned(), "22".to_owned())]))
        .secret_management(SecretManagementInput::new().automatic_management_enabled(true));
    let account = accounts
        .add(AccountsAddRequest::new(create.clone()))
        .await
        .unwrap();
    let id = account.id.clone();
    assert_eq!(account.user_name.as_deref(), Some("deploy"));
    // The same account again conflicts.
    expect_vault(
        accounts.add(AccountsAddRequest::new(create)).await,
        "Accounts_Add",
        409,
        "PASWS150E",
    );
    let got = accounts.get(AccountsGetRequest::new(&id)).await.unwrap();
    assert_eq!(got.address.as_deref(), Some("new.sandbox.example"));
    expect_vault(
        accounts.get(AccountsGetRequest::new("999_999")).await,
        "Accounts_Get",
        404,
        "PASWS039E",
    );

    // A typed JSON Patch.
    let patch = vec![
        AccountPatchOperation::new(AccountPatchOperationOp::Replace, "/address")
            .value("moved.sandbox.example"),
        AccountPatchOperation::new(
            AccountPatchOperationOp::Add,
            "/platformAccountProperties/Location",
        )
        .value("DC2"),
    ];
    let patched = accounts
        .update(AccountsUpdateRequest::new(&id, patch))
        .await
        .unwrap();
    assert_eq!(patched.address.as_deref(), Some("moved.sandbox.example"));
    assert_eq!(
        patched.platform_account_properties.as_ref().unwrap()["Location"],
        "DC2"
    );

    // Retrieval: a bare JSON string, typed as a secret that never prints.
    let retrieve = || {
        AccountsRetrievePasswordRequest::new(&id).body(RetrieveRequest::new().reason("e2e test"))
    };
    let password = accounts.retrieve_password(retrieve()).await.unwrap();
    assert_eq!(password.expose(), "Initial-Passw0rd");
    assert!(!format!("{password:?} {password}").contains("Initial"));
    let key = accounts
        .retrieve_secret(AccountsRetrieveSecretRequest::new(&id))
        .await
        .unwrap();
    assert_eq!(key.expose(), "Initial-Passw0rd");

    // The next password, then change now and watch the CPM finish.
    accounts
        .set_next_password(AccountsSetNextPasswordRequest::new(
            &id,
            SetNextPasswordRequest::new("Next-Passw0rd-1").change_immediately(false),
        ))
        .await
        .unwrap();
    expect_vault(
        accounts
            .set_next_password(AccountsSetNextPasswordRequest::new(
                &id,
                SetNextPasswordRequest::new("short"),
            ))
            .await,
        "Accounts_SetNextPassword",
        400,
        "EPVWF061E",
    );
    accounts
        .change(
            AccountsChangeRequest::new(&id).body(ChangeRequest::new().change_entire_group(false)),
        )
        .await
        .unwrap();
    let during = accounts.get(AccountsGetRequest::new(&id)).await.unwrap();
    assert_eq!(
        during.secret_management.as_ref().unwrap().status.as_deref(),
        Some("inProcess")
    );
    expect_vault(
        accounts.verify(AccountsVerifyRequest::new(&id)).await,
        "Accounts_Verify",
        409,
        "SBXVA409E",
    );
    let after = settled(&client, &id).await;
    assert_eq!(
        after.secret_management.as_ref().unwrap().status.as_deref(),
        Some("success")
    );
    assert_eq!(
        accounts
            .retrieve_password(retrieve())
            .await
            .unwrap()
            .expose(),
        "Next-Passw0rd-1"
    );
    accounts
        .verify(AccountsVerifyRequest::new(&id))
        .await
        .unwrap();
    settled(&client, &id).await;
    accounts
        .reconcile(AccountsReconcileRequest::new(&id))
        .await
        .unwrap();
    settled(&client, &id).await;
    assert_ne!(
        accounts
            .retrieve_password(retrieve())
            .await
            .unwrap()
            .expose(),
        "Next-Passw0rd-1",
        "reconciling set a new password"
    );
    accounts
        .update_password(AccountsUpdatePasswordRequest::new(
            &id,
            UpdatePasswordRequest::new("Vault-Only-Passw0rd"),
        ))
        .await
        .unwrap();
    assert_eq!(
        accounts
            .retrieve_password(retrieve())
            .await
            .unwrap()
            .expose(),
        "Vault-Only-Passw0rd"
    );
    let generated = accounts
        .generate_password(AccountsGeneratePasswordRequest::new(&id))
        .await
        .unwrap();
    assert!(generated.password.expose().len() >= 12);
    assert!(!format!("{generated:?}").contains(generated.password.expose()));
    let versions = accounts
        .list_secret_versions(AccountsListSecretVersionsRequest::new(&id).show_temporary(true))
        .await
        .unwrap();
    assert_eq!(versions.total, Some(4));
    assert_eq!(versions.versions.len(), 4);
    let old = accounts
        .retrieve_password(
            AccountsRetrievePasswordRequest::new(&id).body(RetrieveRequest::new().version(1)),
        )
        .await
        .unwrap();
    assert_eq!(old.expose(), "Initial-Passw0rd");
    let activities = accounts
        .list_activities(AccountsListActivitiesRequest::new(&id))
        .await
        .unwrap();
    assert!(
        activities
            .activities
            .iter()
            .any(|a| a.action.as_deref() == Some("CPM Change Password"))
    );

    // Link a logon account at index 3, then unlink it.
    accounts
        .link(AccountsLinkRequest::new(
            &id,
            LinkAccountRequest::new(
                "Linux-Root",
                3,
                "Operating System-UnixSSH-linux01.sandbox.example-root",
            )
            .folder("Root"),
        ))
        .await
        .unwrap();
    let linked = accounts.get(AccountsGetRequest::new(&id)).await.unwrap();
    let links = linked.linked_accounts.clone().unwrap();
    assert!(serde_json::to_value(&links).unwrap()[1]["AccountId"].is_string());
    accounts
        .unlink(AccountsUnlinkRequest::new(&id, 3))
        .await
        .unwrap();
    let unlinked = accounts.get(AccountsGetRequest::new(&id)).await.unwrap();
    assert!(
        serde_json::to_value(unlinked.linked_accounts.unwrap()).unwrap()[1]["AccountId"].is_null()
    );

    // The auditor may read the account but gets the Vault's 403, not a password.
    let auditor = auditor(&sandbox);
    auditor
        .accounts()
        .get(AccountsGetRequest::new(&id))
        .await
        .unwrap();
    expect_vault(
        auditor.accounts().retrieve_password(retrieve()).await,
        "Accounts_RetrievePassword",
        403,
        "PASWS041E",
    );
    expect_vault(
        auditor
            .accounts()
            .change(AccountsChangeRequest::new(&id))
            .await,
        "Accounts_Change",
        403,
        "PASWS041E",
    );
    expect_vault(
        auditor
            .accounts()
            .delete(AccountsDeleteRequest::new(&id))
            .await,
        "Accounts_Delete",
        403,
        "PASWS041E",
    );
    // A retrieval is never resent: one request per refused call.
    assert_eq!(
        sandbox
            .requests()
            .iter()
            .filter(
                |r| r.operation.as_deref() == Some("Accounts_RetrievePassword") && r.status == 403
            )
            .count(),
        1
    );

    accounts
        .delete(AccountsDeleteRequest::new(&id))
        .await
        .unwrap();
    expect_vault(
        accounts.get(AccountsGetRequest::new(&id)).await,
        "Accounts_Get",
        404,
        "PASWS039E",
    );
    // No secret reached the sandbox's log of what the client sent, or any error.
    assert_all_routed(&sandbox);
}

#[tokio::test]
async fn a_failed_cpm_change_is_reported_in_secret_management() {
    let sandbox = sandbox().await;
    let client = admin(&sandbox);
    let found = client
        .accounts()
        .list(AccountsListRequest::new().search("unreachable"))
        .await
        .unwrap();
    let id = found.value[0].id.clone();
    client
        .accounts()
        .change(AccountsChangeRequest::new(&id))
        .await
        .unwrap();
    let account = settled(&client, &id).await;
    assert_eq!(
        account.secret_management.unwrap().status.as_deref(),
        Some("failure")
    );
    // A validation failure names the parameter through the Vault's Details.
    let error: Error = client
        .accounts()
        .list(AccountsListRequest::new().limit(0))
        .await
        .unwrap_err();
    let api = error.as_api().unwrap();
    assert_eq!(
        (api.status, api.error_code.as_deref()),
        (400, Some("PASWS167E"))
    );
    assert_eq!(
        api.details[0].parameter_name.as_deref(),
        Some("limit"),
        "{error}"
    );
    assert!(error.to_string().contains("parameter limit"), "{error}");
}
