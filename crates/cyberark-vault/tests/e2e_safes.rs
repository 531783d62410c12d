//! Safes, safe members (names with dots and `@`) and platforms end to end, with the failures of
//! each area: unknown id (404), missing permission (403 `PASWS041E`), conflicting add (409).

mod common;

use common::*;
use cyberark_vault::{
    AccountCreate, AccountsAddRequest, PlatformsGetRequest, PlatformsListDependentsRequest,
    PlatformsListGroupsRequest, PlatformsListRequest, PlatformsListRotationalGroupsRequest,
    PlatformsListTargetsRequest, SafeCreate, SafeMemberCreate, SafeMemberCreateMemberType,
    SafeMemberPermissions, SafeMemberUpdate, SafeMembersAddRequest, SafeMembersDeleteRequest,
    SafeMembersGetRequest, SafeMembersListRequest, SafeMembersUpdateRequest, SafeUpdate,
    SafesAddRequest, SafesDeleteRequest, SafesGetRequest, SafesListForPlatformRequest,
    SafesListRequest, SafesUpdateRequest,
};
use futures::TryStreamExt;

#[tokio::test]
async fn safes_and_members_with_dotted_names() {
    let sandbox = sandbox().await;
    let client = admin(&sandbox);
    let safes = client.safes();
    let page = safes.list(SafesListRequest::new().limit(2)).await.unwrap();
    assert_eq!(page.value.len(), 2);
    assert!(page.next_link.is_some());
    let before: Vec<_> = safes
        .list_stream(SafesListRequest::new())
        .try_collect()
        .await
        .unwrap();
    assert_eq!(Some(before.len() as i64), page.count);

    let create = SafeCreate::new("Team-Safe")
        .description("A team")
        .number_of_days_retention(7)
        .managing_cpm("PasswordManager");
    let safe = safes
        .add(SafesAddRequest::new(create.clone()))
        .await
        .unwrap();
    assert_eq!(safe.safe_url_id.as_deref(), Some("Team-Safe"));
    expect_vault(
        safes.add(SafesAddRequest::new(create)).await,
        "Safes_Add",
        409,
        "SFWS0002E",
    );
    let got = safes
        .get(SafesGetRequest::new("Team-Safe").include_accounts(true))
        .await
        .unwrap();
    assert_eq!(got.accounts.map(|a| a.len()), Some(0));
    let updated = safes
        .update(SafesUpdateRequest::new(
            "Team-Safe",
            SafeUpdate::new("Team-Safe")
                .description("Changed")
                .number_of_versions_retention(5),
        ))
        .await
        .unwrap();
    assert_eq!(updated.description.as_deref(), Some("Changed"));
    assert_eq!(updated.number_of_versions_retention, Some(5));
    let allowed = safes
        .list_for_platform(SafesListForPlatformRequest::new("UnixSSH"))
        .await
        .unwrap();
    assert!(allowed.value.iter().any(|s| s.safe_name == "Team-Safe"));
    let after: Vec<_> = safes
        .list_stream(SafesListRequest::new())
        .try_collect()
        .await
        .unwrap();
    assert_eq!(after.len(), before.len() + 1);

    // A member whose name has dots and `@`.
    let members = client.safe_members();
    let name = "john.doe@example.com";
    let member = SafeMemberCreate::new(name)
        .member_type(SafeMemberCreateMemberType::User)
        .search_in("Vault")
        .permissions(
            SafeMemberPermissions::new()
                .list_accounts(true)
                .use_accounts(true),
        );
    let added = members
        .add(SafeMembersAddRequest::new("Team-Safe", member.clone()))
        .await
        .unwrap();
    assert_eq!(added.member_name, name);
    expect_vault(
        members
            .add(SafeMembersAddRequest::new("Team-Safe", member))
            .await,
        "SafeMembers_Add",
        409,
        "SFWS0012E",
    );
    let got = members
        .get(SafeMembersGetRequest::new("Team-Safe", name))
        .await
        .unwrap();
    assert_eq!(got.permissions.unwrap().list_accounts, Some(true));
    let listed = members
        .list(SafeMembersListRequest::new("Team-Safe").filter("memberType eq user"))
        .await
        .unwrap();
    assert_eq!(listed.count, Some(1));
    let streamed: Vec<_> = members
        .list_stream(SafeMembersListRequest::new("Team-Safe"))
        .try_collect()
        .await
        .unwrap();
    assert!(streamed.iter().any(|m| m.member_name == name));
    let changed = members
        .update(SafeMembersUpdateRequest::new(
            "Team-Safe",
            name,
            SafeMemberUpdate::new().permissions(
                SafeMemberPermissions::new()
                    .list_accounts(true)
                    .retrieve_accounts(true),
            ),
        ))
        .await
        .unwrap();
    assert_eq!(changed.permissions.unwrap().retrieve_accounts, Some(true));
    members
        .delete(SafeMembersDeleteRequest::new("Team-Safe", name))
        .await
        .unwrap();
    expect_vault(
        members
            .get(SafeMembersGetRequest::new("Team-Safe", name))
            .await,
        "SafeMembers_Get",
        404,
        "SBXVA404E",
    );

    // The auditor may view members but not manage them, and cannot add safes.
    let auditor = auditor(&sandbox);
    auditor
        .safe_members()
        .list(SafeMembersListRequest::new("Linux-Root"))
        .await
        .unwrap();
    expect_vault(
        auditor
            .safe_members()
            .add(SafeMembersAddRequest::new(
                "Linux-Root",
                SafeMemberCreate::new("someone")
                    .permissions(SafeMemberPermissions::new().manage_safe(true)),
            ))
            .await,
        "SafeMembers_Add",
        403,
        "PASWS041E",
    );
    expect_vault(
        auditor
            .safes()
            .add(SafesAddRequest::new(SafeCreate::new("Mine")))
            .await,
        "Safes_Add",
        403,
        "PASWS041E",
    );

    safes
        .delete(SafesDeleteRequest::new("Team-Safe"))
        .await
        .unwrap();
    expect_vault(
        safes.get(SafesGetRequest::new("Team-Safe")).await,
        "Safes_Get",
        404,
        "SBXVA404E",
    );
    assert_all_routed(&sandbox);
}

#[tokio::test]
async fn platforms_list_details_and_kinds() {
    let sandbox = sandbox().await;
    let client = admin(&sandbox);
    let platforms = client.platforms();
    let list = platforms
        .list(PlatformsListRequest::new().active(true))
        .await
        .unwrap();
    assert!(list.total.unwrap() >= 4, "{list:?}");
    let details = platforms
        .get(PlatformsGetRequest::new("WinDomain"))
        .await
        .unwrap();
    assert_eq!(details.details.unwrap()["PolicyID"], "WinDomain");
    expect_vault(
        platforms
            .get(PlatformsGetRequest::new("NoSuchPlatform"))
            .await,
        "Platforms_Get",
        404,
        "SBXVA404E",
    );
    let targets = platforms
        .list_targets(PlatformsListTargetsRequest::new())
        .await
        .unwrap();
    assert!(targets.platforms.iter().any(|p| p.platform_id == "UnixSSH"));
    let dependents = platforms
        .list_dependents(PlatformsListDependentsRequest::new())
        .await
        .unwrap();
    assert!(
        dependents
            .platforms
            .iter()
            .any(|p| p.platform_id == "WinServiceDependent")
    );
    let groups = platforms
        .list_groups(PlatformsListGroupsRequest::new())
        .await
        .unwrap();
    assert!(
        groups
            .platforms
            .iter()
            .any(|p| p.platform_id == "SharedAdminGroup")
    );
    let rotational = platforms
        .list_rotational_groups(PlatformsListRotationalGroupsRequest::new())
        .await
        .unwrap();
    assert!(
        rotational
            .platforms
            .iter()
            .any(|p| p.platform_id == "DualAccountRotation")
    );
    // A group platform cannot hold accounts: the Vault's PASWS167E.
    expect_vault(
        client
            .accounts()
            .add(AccountsAddRequest::new(
                AccountCreate::new("SharedAdminGroup", "Linux-Root")
                    .user_name("x")
                    .address("y"),
            ))
            .await,
        "Accounts_Add",
        400,
        "PASWS167E",
    );
    assert_all_routed(&sandbox);
}
