//! Role Management end to end (`spec/vendor/RoleManagement.yaml` with `spec/roles-overlays/`):
//! every operation against the sandbox, checked against its state, with the failures a tenant
//! answers.

mod common;

use common::{
    ARGUMENT, INVALID_OPERATION, NOT_FOUND, assert_all_routed, client, expect_api, fast_retry,
    last_request, ordinary_users, sandbox,
};
use cyberark_identity::roles::{
    RolesAddUsersAndGroupsToRoleRequest, RolesAssignSuperRightsRequest, RolesDeleteRolesRequest,
    RolesGetAssignedAdministrativeRightsRequest, RolesGetRoleAppsRequest,
    RolesGetRoleMembersRequest, RolesGetRoleRequest, RolesRemoveUsersAndGroupsFromRoleRequest,
    RolesSetDynamicRoleScriptRequest, RolesStoreRoleRequest, RolesTestDynamicRoleScriptRequest,
    RolesUnAssignSuperRightsRequest, RolesUpdateRoleGroups, RolesUpdateRoleRequest,
    RolesUpdateRoleUsers,
};

const MISSING_ROLE: &str = "00000000_0000_0000_0000_00000000dead";
const ROLE_MANAGEMENT: &str = "/lib/rights/roleman.json";

#[tokio::test]
async fn store_get_update_and_delete_a_role() {
    let sb = sandbox().await;
    let client = client(&sb);
    let roles = client.roles();
    let users = ordinary_users(&sb, 2);

    let key = roles
        .store_role(
            RolesStoreRoleRequest::new("Auditors of EMEA")
                .description("Read-only auditors")
                .users(vec![users[0].1.clone()]),
        )
        .await
        .expect("StoreRole");
    let id = key.row_key.expect("StoreRole answers _RowKey");
    let body: serde_json::Value =
        serde_json::from_str(&last_request(&sb, "Roles_StoreRole").body).expect("a JSON body");
    assert_eq!(body["Users"], serde_json::json!([users[0].1]), "{body}");
    let stored = sb.state().role(&id).cloned().expect("stored");
    assert_eq!(stored.name, "Auditors of EMEA");
    assert_eq!(stored.users, [users[0].0.clone()], "names resolve to UUIDs");

    let role = roles
        .get_role(RolesGetRoleRequest::new(id.as_str()))
        .await
        .expect("GetRole");
    assert_eq!(role.uuid.as_deref(), Some(id.as_str()));
    assert_eq!(role.name.as_deref(), Some("Auditors of EMEA"));
    assert_eq!(role.description.as_deref(), Some("Read-only auditors"));
    assert_eq!(role.role_type.as_deref(), Some("PrincipalList"));
    assert_eq!(role.read_only, Some(false));
    let directory = role.directory_service_uuid.as_ref().expect("a directory");
    assert!(
        directory.value().is_some(),
        "a format: uuid field is typed: {directory:?}"
    );
    assert_eq!(role.principals, Some(vec![users[0].0.clone()]));
    let suppressed = roles
        .get_role(RolesGetRoleRequest::new("auditors of emea").suppress_principals_list("true"))
        .await
        .expect("GetRole by name, case-insensitive");
    assert_eq!(suppressed.principals, None);

    roles
        .update_role(
            RolesUpdateRoleRequest::new(id.as_str())
                .new_name("EMEA Auditors")
                .description("Auditors, EMEA")
                .users(
                    RolesUpdateRoleUsers::new()
                        .add(vec![users[1].0.clone()])
                        .delete(vec![users[0].0.clone()]),
                ),
        )
        .await
        .expect("UpdateRole");
    let stored = sb.state().role(&id).cloned().unwrap();
    assert_eq!(stored.name, "EMEA Auditors");
    assert_eq!(stored.description.as_deref(), Some("Auditors, EMEA"));
    assert_eq!(stored.users, [users[1].0.clone()]);

    roles
        .delete_roles(RolesDeleteRolesRequest::new(vec![id.clone()]))
        .await
        .expect("DeleteRoles");
    assert!(sb.state().role(&id).is_none());
    assert_all_routed(&sb);
}

#[tokio::test]
async fn role_failures_arrive_as_api_errors() {
    let sb = sandbox().await;
    let client = client(&sb);
    let roles = client.roles();
    roles
        .store_role(RolesStoreRoleRequest::new("Twice"))
        .await
        .expect("StoreRole");
    let api = expect_api(
        roles.store_role(RolesStoreRoleRequest::new("twice")).await,
        "Roles_StoreRole",
        INVALID_OPERATION,
        "already exists",
    );
    assert_eq!(api.error_code.as_deref(), Some("1409"));
    expect_api(
        roles.store_role(RolesStoreRoleRequest::new("")).await,
        "Roles_StoreRole",
        ARGUMENT,
        "Name",
    );
    expect_api(
        roles
            .store_role(RolesStoreRoleRequest::new("Ghosts").users(vec!["nobody@nowhere".into()]))
            .await,
        "Roles_StoreRole",
        NOT_FOUND,
        "nobody@nowhere",
    );
    assert!(
        sb.state().role("Ghosts").is_none(),
        "a failed StoreRole stores nothing"
    );
    expect_api(
        roles.get_role(RolesGetRoleRequest::new(MISSING_ROLE)).await,
        "Roles_GetRole",
        NOT_FOUND,
        MISSING_ROLE,
    );
    expect_api(
        roles
            .update_role(RolesUpdateRoleRequest::new("sysadmin").new_name("Root"))
            .await,
        "Roles_UpdateRole",
        INVALID_OPERATION,
        "built in",
    );
    expect_api(
        roles
            .delete_roles(RolesDeleteRolesRequest::new(vec![
                "Twice".into(),
                MISSING_ROLE.into(),
            ]))
            .await,
        "Roles_DeleteRoles",
        NOT_FOUND,
        MISSING_ROLE,
    );
    assert!(
        sb.state().role("Twice").is_some(),
        "DeleteRoles is all or nothing"
    );
    expect_api(
        roles
            .delete_roles(RolesDeleteRolesRequest::new(vec!["sysadmin".into()]))
            .await,
        "Roles_DeleteRoles",
        INVALID_OPERATION,
        "built in",
    );
}

#[tokio::test]
async fn members_are_added_listed_and_removed() {
    let sb = sandbox().await;
    let client = client(&sb);
    let roles = client.roles();
    let users = ordinary_users(&sb, 2);
    let id = roles
        .store_role(RolesStoreRoleRequest::new("On call"))
        .await
        .expect("StoreRole")
        .row_key
        .expect("key");

    roles
        .add_users_and_groups_to_role(
            RolesAddUsersAndGroupsToRoleRequest::new(id.as_str())
                .users(vec![users[0].1.clone(), users[1].0.clone()])
                .groups(vec!["Auditors".into()])
                .roles(vec!["Help Desk".into()]),
        )
        .await
        .expect("AddUsersAndGroupsToRole");
    let members = roles
        .get_role_members(RolesGetRoleMembersRequest::new(id.as_str()))
        .await
        .expect("GetRoleMembers");
    let rows: Vec<(String, String)> = members
        .results
        .unwrap_or_default()
        .into_iter()
        .filter_map(|r| r.row)
        .map(|m| (m.r#type.unwrap_or_default(), m.name.unwrap_or_default()))
        .collect();
    assert_eq!(
        rows,
        [
            ("User".to_owned(), users[0].1.clone()),
            ("User".to_owned(), users[1].1.clone()),
            ("Group".to_owned(), "Auditors".to_owned()),
            ("Role".to_owned(), "Help Desk".to_owned()),
        ]
    );
    assert_eq!(members.full_count, Some(4));
    assert_eq!(
        last_request(&sb, "Roles_GetRoleMembers").query.as_deref(),
        Some(format!("name={id}").as_str()),
        "the role goes in the query, as the definition says"
    );

    roles
        .remove_users_and_groups_from_role(
            RolesRemoveUsersAndGroupsFromRoleRequest::new(id.as_str())
                .users(vec![users[0].0.clone()])
                .groups(vec!["Auditors".into()]),
        )
        .await
        .expect("RemoveUsersAndGroupsFromRole");
    let stored = sb.state().role(&id).cloned().unwrap();
    assert_eq!(stored.users, [users[1].0.clone()]);
    assert!(stored.groups.is_empty());
    assert_eq!(stored.roles, ["helpdesk_role"]);

    // UpdateRole's Groups delta and a group that does not exist.
    expect_api(
        roles
            .update_role(
                RolesUpdateRoleRequest::new(id.as_str())
                    .groups(RolesUpdateRoleGroups::new().add(vec!["No such group".into()])),
            )
            .await,
        "Roles_UpdateRole",
        NOT_FOUND,
        "No such group",
    );
    expect_api(
        roles
            .add_users_and_groups_to_role(
                RolesAddUsersAndGroupsToRoleRequest::new(MISSING_ROLE)
                    .users(vec![users[0].0.clone()]),
            )
            .await,
        "Roles_AddUsersAndGroupsToRole",
        NOT_FOUND,
        MISSING_ROLE,
    );
    expect_api(
        roles
            .get_role_members(RolesGetRoleMembersRequest::new(MISSING_ROLE))
            .await,
        "Roles_GetRoleMembers",
        NOT_FOUND,
        MISSING_ROLE,
    );
    expect_api(
        roles
            .remove_users_and_groups_from_role(
                RolesRemoveUsersAndGroupsFromRoleRequest::new(id.as_str())
                    .roles(vec![MISSING_ROLE.into()]),
            )
            .await,
        "Roles_RemoveUsersAndGroupsFromRole",
        NOT_FOUND,
        MISSING_ROLE,
    );
}

#[tokio::test]
async fn administrative_rights_are_assigned_listed_and_unassigned() {
    let sb = sandbox().await;
    let client = client(&sb);
    let roles = client.roles();
    let id = roles
        .store_role(RolesStoreRoleRequest::new("Role admins"))
        .await
        .expect("StoreRole")
        .row_key
        .expect("key");

    roles
        .assign_super_rights(RolesAssignSuperRightsRequest::new(
            ROLE_MANAGEMENT,
            id.as_str(),
        ))
        .await
        .expect("AssignSuperRights");
    let rights = roles
        .get_assigned_administrative_rights(RolesGetAssignedAdministrativeRightsRequest::new(
            id.as_str(),
        ))
        .await
        .expect("GetAssignedAdministrativeRights");
    let listed: Vec<(Option<String>, Option<String>)> = rights
        .results
        .unwrap_or_default()
        .into_iter()
        .filter_map(|r| r.row)
        .map(|r| (r.path, r.description))
        .collect();
    assert_eq!(
        listed,
        [(
            Some(ROLE_MANAGEMENT.to_owned()),
            Some("Role Management".to_owned())
        )]
    );
    assert_eq!(sb.state().role(&id).unwrap().rights, ["Role Management"]);

    roles
        .un_assign_super_rights(RolesUnAssignSuperRightsRequest::new(
            ROLE_MANAGEMENT,
            id.as_str(),
        ))
        .await
        .expect("UnAssignSuperRights");
    assert!(sb.state().role(&id).unwrap().rights.is_empty());

    expect_api(
        roles
            .assign_super_rights(RolesAssignSuperRightsRequest::new(
                "/lib/rights/made-up.json",
                id.as_str(),
            ))
            .await,
        "Roles_AssignSuperRights",
        ARGUMENT,
        "made-up.json",
    );
    expect_api(
        roles
            .un_assign_super_rights(RolesUnAssignSuperRightsRequest::new(
                ROLE_MANAGEMENT,
                MISSING_ROLE,
            ))
            .await,
        "Roles_UnAssignSuperRights",
        NOT_FOUND,
        MISSING_ROLE,
    );
    expect_api(
        roles
            .get_assigned_administrative_rights(RolesGetAssignedAdministrativeRightsRequest::new(
                MISSING_ROLE,
            ))
            .await,
        "Roles_GetAssignedAdministrativeRights",
        NOT_FOUND,
        MISSING_ROLE,
    );
}

#[tokio::test]
async fn dynamic_role_scripts_are_set_and_tested() {
    let sb = sandbox().await;
    let client = client(&sb);
    let roles = client.roles();
    let user = ordinary_users(&sb, 1).remove(0);
    let id = roles
        .store_role(RolesStoreRoleRequest::new("Everyone in sales").role_type("Script"))
        .await
        .expect("StoreRole")
        .row_key
        .expect("key");

    roles
        .set_dynamic_role_script(RolesSetDynamicRoleScriptRequest::new(
            id.as_str(),
            "return true;",
        ))
        .await
        .expect("SetDynamicRoleScript");
    let stored = sb.state().role(&id).cloned().unwrap();
    assert_eq!(stored.script.as_deref(), Some("return true;"));
    assert_eq!(stored.role_type, "Script");

    let yes = roles
        .test_dynamic_role_script(RolesTestDynamicRoleScriptRequest::new(
            "return true;",
            user.1.as_str(),
        ))
        .await
        .expect("TestDynamicRoleScript");
    assert_eq!((yes.compile_success, yes.result), (Some(true), Some(true)));
    let no = roles
        .test_dynamic_role_script(RolesTestDynamicRoleScriptRequest::new(
            "return  false ;",
            user.0.as_str(),
        ))
        .await
        .expect("TestDynamicRoleScript");
    assert_eq!((no.compile_success, no.result), (Some(true), Some(false)));
    let broken = roles
        .test_dynamic_role_script(RolesTestDynamicRoleScriptRequest::new(
            "return user.Name ==",
            user.1.as_str(),
        ))
        .await
        .expect("a script that does not compile is an answer, not a failure");
    assert_eq!(broken.compile_success, Some(false));
    assert!(broken.errors.is_some_and(|e| !e.is_empty()));

    expect_api(
        roles
            .test_dynamic_role_script(RolesTestDynamicRoleScriptRequest::new(
                "return true;",
                "nobody@nowhere",
            ))
            .await,
        "Roles_TestDynamicRoleScript",
        NOT_FOUND,
        "nobody@nowhere",
    );
    expect_api(
        roles
            .set_dynamic_role_script(RolesSetDynamicRoleScriptRequest::new(
                MISSING_ROLE,
                "return true;",
            ))
            .await,
        "Roles_SetDynamicRoleScript",
        NOT_FOUND,
        MISSING_ROLE,
    );
}

#[tokio::test]
async fn role_apps_are_listed() {
    let sb = sandbox().await;
    let client = client(&sb);
    let apps = client
        .roles()
        .get_role_apps(RolesGetRoleAppsRequest::new("sysadmin"))
        .await
        .expect("GetRoleApps");
    let names: Vec<String> = apps
        .results
        .unwrap_or_default()
        .into_iter()
        .filter_map(|r| r.row.and_then(|a| a.name))
        .collect();
    assert_eq!(names, ["Admin Portal"]);
    expect_api(
        client
            .roles()
            .get_role_apps(RolesGetRoleAppsRequest::new(MISSING_ROLE))
            .await,
        "Roles_GetRoleApps",
        NOT_FOUND,
        MISSING_ROLE,
    );
}

/// The module's own client, built on its own, reaches the same tenant.
#[tokio::test]
async fn the_roles_module_has_a_client_of_its_own() {
    let sb = sandbox().await;
    let roles = cyberark_identity::roles::Client::builder(sb.url())
        .client_credentials(sb.client_id(), sb.client_secret())
        .retry(fast_retry())
        .build()
        .expect("the client builds");
    let role = roles
        .roles()
        .get_role(RolesGetRoleRequest::new("sysadmin"))
        .await
        .expect("GetRole");
    assert_eq!(role.read_only, Some(true));
}
