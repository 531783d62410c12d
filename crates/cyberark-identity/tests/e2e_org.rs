//! Org end to end: every operation against the sandbox, checked against its state, and two
//! clients sharing one tenant.

mod common;

use common::{
    ARGUMENT, INVALID_OPERATION, NOT_FOUND, client, expect_api, last_request, ordinary_users,
    sandbox,
};
use cyberark_identity::{
    JsonValue, OrgAdministratorGrant, OrgChangeMemberShipRequest, OrgCreateRequest,
    OrgDeleteRequest, OrgGetAdministratorsRequest, OrgGetPermissionRequest, OrgGetRequest,
    OrgGetRolesRequest, OrgListAllRequest, OrgMember, OrgPermissionGrant, OrgPermissionRevoke,
    OrgUpdateAdministratorsRequest, OrgUpdatePermissionRequest, OrgUpdateRequest,
};

const MISSING_ORG: &str = "00000000-0000-0000-0000-00000000dead";

#[tokio::test]
async fn create_get_update_list_and_delete() {
    let sb = sandbox().await;
    let client = client(&sb);
    let org = client.org();

    let created = org
        .create(OrgCreateRequest::new("Finance").description("Money people"))
        .await
        .expect("Create");
    let id = created.id.expect("Create answers the new ID");
    let state = sb.state();
    let stored = state.org(&id).expect("stored");
    assert_eq!(stored.name, "Finance");
    assert_eq!(stored.description.as_deref(), Some("Money people"));
    assert!(stored.members.is_empty());

    let got = org.get(OrgGetRequest::new(id.as_str())).await.expect("Get");
    assert_eq!(got["ID"], id.as_str());
    assert_eq!(got["Name"], "Finance");
    assert_eq!(got["Description"], "Money people");

    org.update(OrgUpdateRequest::new(id.as_str()).name("Finance & Legal"))
        .await
        .expect("Update");
    let stored = sb.state().org(&id).cloned().unwrap();
    assert_eq!(stored.name, "Finance & Legal");
    assert_eq!(
        stored.description.as_deref(),
        Some("Money people"),
        "absent means unchanged"
    );

    let all = org
        .list_all(OrgListAllRequest::new())
        .await
        .expect("ListAll");
    let names: Vec<&str> = all
        .as_array()
        .expect("a list of organizations")
        .iter()
        .filter_map(|o| o["Name"].as_str())
        .collect();
    let expected: Vec<String> = sb.state().orgs.iter().map(|o| o.name.clone()).collect();
    assert_eq!(names, expected);
    assert!(names.contains(&"Finance & Legal") && names.contains(&"Engineering"));
    let with_format = org
        .list_all(OrgListAllRequest::new().format("json"))
        .await
        .expect("ListAll with format");
    assert_eq!(with_format, all);
    assert_eq!(
        last_request(&sb, "Org_ListAll").query.as_deref(),
        Some("format=json")
    );

    org.delete(OrgDeleteRequest::new(id.as_str()))
        .await
        .expect("Delete");
    assert!(sb.state().org(&id).is_none());

    // Failure paths: an unknown id, a duplicate name, a missing name.
    expect_api(
        org.get(OrgGetRequest::new(id.as_str())).await,
        "Org_Get",
        NOT_FOUND,
        "does not exist",
    );
    expect_api(
        org.delete(OrgDeleteRequest::new(MISSING_ORG)).await,
        "Org_Delete",
        NOT_FOUND,
        MISSING_ORG,
    );
    let api = expect_api(
        org.create(OrgCreateRequest::new("Engineering")).await,
        "Org_Create",
        INVALID_OPERATION,
        "already exists",
    );
    assert_eq!(api.error_code.as_deref(), Some("1409"));
    assert_eq!(
        sb.state()
            .orgs
            .iter()
            .filter(|o| o.name == "Engineering")
            .count(),
        1
    );
    expect_api(
        org.update(OrgUpdateRequest::new(MISSING_ORG).description("x"))
            .await,
        "Org_Update",
        NOT_FOUND,
        MISSING_ORG,
    );
    expect_api(
        org.update(OrgUpdateRequest::new(sb.state().orgs[0].id.as_str()).name(""))
            .await,
        "Org_Update",
        ARGUMENT,
        "Name",
    );
    common::assert_all_routed(&sb);
}

#[tokio::test]
async fn membership_changes_are_deltas() {
    let sb = sandbox().await;
    let client = client(&sb);
    let users = ordinary_users(&sb, 3);
    let id = client
        .org()
        .create(OrgCreateRequest::new("Members"))
        .await
        .unwrap()
        .id
        .unwrap();
    let add: Vec<OrgMember> = users
        .iter()
        .map(|(uuid, _)| OrgMember::new(uuid.as_str(), "User"))
        .chain([OrgMember::new("helpdesk_role", "Role")])
        .collect();
    client
        .org()
        .change_member_ship(OrgChangeMemberShipRequest::new(id.as_str()).add(add))
        .await
        .expect("ChangeMemberShip adds");
    let members = sb.state().org(&id).unwrap().members.clone();
    assert_eq!(members.len(), 4);
    assert!(members.contains(&(users[0].0.clone(), "User".to_owned())));
    assert!(members.contains(&("helpdesk_role".to_owned(), "Role".to_owned())));
    let body = common::json_body(&last_request(&sb, "Org_ChangeMemberShip"));
    assert_eq!(
        body["Add"][0]["ID"],
        users[0].0.as_str(),
        "members are keyed `ID`"
    );

    client
        .org()
        .change_member_ship(
            OrgChangeMemberShipRequest::new(id.as_str())
                .remove(vec![OrgMember::new(users[1].0.as_str(), "User")]),
        )
        .await
        .expect("ChangeMemberShip removes");
    let members = sb.state().org(&id).unwrap().members.clone();
    assert_eq!(members.len(), 3);
    assert!(!members.iter().any(|(m, _)| *m == users[1].0));

    // Adding a member twice or removing a non-member is refused, as the deltas are not idempotent.
    expect_api(
        client
            .org()
            .change_member_ship(
                OrgChangeMemberShipRequest::new(id.as_str())
                    .add(vec![OrgMember::new(users[0].0.as_str(), "User")]),
            )
            .await,
        "Org_ChangeMemberShip",
        INVALID_OPERATION,
        "already a member",
    );
    expect_api(
        client
            .org()
            .change_member_ship(
                OrgChangeMemberShipRequest::new(id.as_str())
                    .add(vec![OrgMember::new("no-such-user", "User")]),
            )
            .await,
        "Org_ChangeMemberShip",
        NOT_FOUND,
        "no-such-user",
    );
    assert_eq!(sb.state().org(&id).unwrap().members.len(), 3);

    // GetRoles lists the role added as a member, with the demo org's own role list.
    let roles = client
        .org()
        .get_roles(OrgGetRolesRequest::new(id.as_str()))
        .await
        .expect("GetRoles");
    let names: Vec<&str> = roles
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|r| r["Name"].as_str())
        .collect();
    assert_eq!(names, ["Help Desk"]);
    expect_api(
        client
            .org()
            .get_roles(OrgGetRolesRequest::new(MISSING_ORG))
            .await,
        "Org_GetRoles",
        NOT_FOUND,
        MISSING_ORG,
    );
}

#[tokio::test]
async fn administrators_are_granted_and_revoked() {
    let sb = sandbox().await;
    let client = client(&sb);
    let engineering = sb.state().org("Engineering").unwrap().clone();
    let users = ordinary_users(&sb, 2);
    let newcomer = users
        .iter()
        .find(|(uuid, _)| !engineering.administrators.contains(uuid))
        .unwrap()
        .clone();

    let table = client
        .org()
        .get_administrators(OrgGetAdministratorsRequest::new(engineering.id.as_str()))
        .await
        .expect("GetAdministrators");
    let ids: Vec<String> = table
        .results
        .unwrap_or_default()
        .iter()
        .filter_map(|r| r.row.as_ref()?.get("ID")?.as_str().map(str::to_owned))
        .collect();
    assert_eq!(ids, engineering.administrators);

    client
        .org()
        .update_administrators(
            OrgUpdateAdministratorsRequest::new(engineering.id.as_str())
                .grant(vec![OrgAdministratorGrant::new(newcomer.0.as_str())])
                .revoke(engineering.administrators.clone()),
        )
        .await
        .expect("UpdateAdministrators");
    let admins = sb
        .state()
        .org(&engineering.id)
        .unwrap()
        .administrators
        .clone();
    assert_eq!(admins, vec![newcomer.0.clone()]);
    let body = common::json_body(&last_request(&sb, "Org_UpdateAdministrators"));
    assert_eq!(
        body["Grant"][0]["Id"],
        newcomer.0.as_str(),
        "grants are keyed `Id`"
    );

    let table = client
        .org()
        .get_administrators(OrgGetAdministratorsRequest::new(engineering.id.as_str()))
        .await
        .unwrap();
    assert_eq!(table.full_count, Some(1));
    let row = table.results.unwrap()[0].row.clone().unwrap();
    assert_eq!(row.get("Name"), Some(&JsonValue::from(newcomer.1.as_str())));

    expect_api(
        client
            .org()
            .update_administrators(
                OrgUpdateAdministratorsRequest::new(engineering.id.as_str())
                    .grant(vec![OrgAdministratorGrant::new(newcomer.0.as_str())]),
            )
            .await,
        "Org_UpdateAdministrators",
        INVALID_OPERATION,
        "already an administrator",
    );
    expect_api(
        client
            .org()
            .get_administrators(OrgGetAdministratorsRequest::new(MISSING_ORG))
            .await,
        "Org_GetAdministrators",
        NOT_FOUND,
        MISSING_ORG,
    );
}

#[tokio::test]
async fn permissions_are_granted_and_revoked() {
    let sb = sandbox().await;
    let client = client(&sb);
    let engineering = sb.state().org("Engineering").unwrap().clone();
    let (user, _) = common::ordinary_user(&sb);

    let before = client
        .org()
        .get_permission(OrgGetPermissionRequest::new(engineering.id.as_str()))
        .await
        .expect("GetPermission");
    let listed: Vec<(String, String)> = before
        .as_array()
        .unwrap()
        .iter()
        .map(|p| {
            (
                p["Right"].as_str().unwrap().to_owned(),
                p["Principal"].as_str().unwrap().to_owned(),
            )
        })
        .collect();
    assert_eq!(listed, engineering.permissions);
    let (old_right, old_principal) = engineering.permissions[0].clone();

    client
        .org()
        .update_permission(
            OrgUpdatePermissionRequest::new(engineering.id.as_str())
                .grant(vec![
                    OrgPermissionGrant::new("Manage", user.as_str()).principal_type("User"),
                ])
                .revoke(vec![OrgPermissionRevoke::new(
                    old_right.as_str(),
                    old_principal.as_str(),
                )]),
        )
        .await
        .expect("UpdatePermission");
    assert_eq!(
        sb.state().org(&engineering.id).unwrap().permissions,
        [("Manage".to_owned(), user.clone())]
    );

    expect_api(
        client
            .org()
            .update_permission(
                OrgUpdatePermissionRequest::new(engineering.id.as_str()).revoke(vec![
                    OrgPermissionRevoke::new(old_right.as_str(), old_principal.as_str()),
                ]),
            )
            .await,
        "Org_UpdatePermission",
        INVALID_OPERATION,
        "does not hold",
    );
    expect_api(
        client
            .org()
            .get_permission(OrgGetPermissionRequest::new(MISSING_ORG))
            .await,
        "Org_GetPermission",
        NOT_FOUND,
        MISSING_ORG,
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_clients_see_each_other_s_changes() {
    let sb = sandbox().await;
    let first = client(&sb);
    let second = cyberark_identity::Client::builder(sb.url())
        .oauth_app(sb.app_id(), sb.client_id(), sb.client_secret())
        .build()
        .unwrap();

    let id = first
        .org()
        .create(OrgCreateRequest::new("Shared"))
        .await
        .unwrap()
        .id
        .unwrap();
    let seen = second
        .org()
        .get(OrgGetRequest::new(id.as_str()))
        .await
        .unwrap();
    assert_eq!(seen["Name"], "Shared");

    second
        .org()
        .update(OrgUpdateRequest::new(id.as_str()).description("Changed by the second client"))
        .await
        .unwrap();
    let seen = first
        .org()
        .get(OrgGetRequest::new(id.as_str()))
        .await
        .unwrap();
    assert_eq!(seen["Description"], "Changed by the second client");

    // Concurrent writers: each client adds a different member at the same time.
    let users = ordinary_users(&sb, 2);
    // The handles are bound first: their methods borrow them, so the futures must not outlive
    // a temporary handle.
    let (first_org, second_org) = (first.org(), second.org());
    let (a, b) = tokio::join!(
        first_org.change_member_ship(
            OrgChangeMemberShipRequest::new(id.as_str())
                .add(vec![OrgMember::new(users[0].0.as_str(), "User")])
        ),
        second_org.change_member_ship(
            OrgChangeMemberShipRequest::new(id.as_str())
                .add(vec![OrgMember::new(users[1].0.as_str(), "User")])
        ),
    );
    a.unwrap();
    b.unwrap();
    assert_eq!(sb.state().org(&id).unwrap().members.len(), 2);

    second
        .org()
        .delete(OrgDeleteRequest::new(id.as_str()))
        .await
        .unwrap();
    expect_api(
        first.org().get(OrgGetRequest::new(id.as_str())).await,
        "Org_Get",
        NOT_FOUND,
        "does not exist",
    );
    // Two clients, two separate token caches.
    assert_eq!(common::count(&sb, "Authentication_PlatformToken"), 1);
    assert_eq!(common::count(&sb, "Authentication_Token"), 1);
    common::assert_all_routed(&sb);
}
