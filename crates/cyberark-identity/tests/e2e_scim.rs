//! SCIM end to end: users (sharing the Cloud Directory store) and groups, with RFC 7644 errors.

mod common;

use common::{client, last_request, sandbox};
use cyberark_identity::{
    ScimCreateUserRequest, ScimDeleteGroupRequest, ScimEmail, ScimListGroupsRequest, ScimName,
    ScimPhoneNumber, ScimReplaceUserRequest, ScimUser,
};

const USER_SCHEMA: &str = "urn:ietf:params:scim:schemas:core:2.0:User";

fn new_user(user_name: &str) -> ScimUser {
    ScimUser::new(vec![USER_SCHEMA.to_owned()], user_name)
        .external_id("hr-4711")
        .name(ScimName::new().given_name("Sam").family_name("Scim"))
        .password("Scim-Passw0rd!")
        .emails(vec![
            ScimEmail::new()
                .value("sam.scim@sandbox.example")
                .r#type("work")
                .primary(true),
        ])
        .phone_numbers(vec![
            ScimPhoneNumber::new().value("+1 555 0333").r#type("mobile"),
        ])
}

#[tokio::test]
async fn create_and_replace_users() {
    let sb = sandbox().await;
    let client = client(&sb);
    let before = sb.state().users.len();

    let created = client
        .scim()
        .create_user(ScimCreateUserRequest::new(new_user(
            "sam.scim@sandbox.example",
        )))
        .await
        .expect("CreateUser");
    let scim_id = created.id.clone().expect("the new user's id");
    assert_eq!(created.user_name, "sam.scim@sandbox.example");
    assert_eq!(created.active, Some(true));
    assert!(created.password.is_none(), "the password is never returned");
    let request = last_request(&sb, "SCIM_CreateUser");
    assert_eq!(request.status, 201);
    let content_type = request
        .headers
        .iter()
        .find(|(name, _)| name.eq_ignore_ascii_case("content-type"))
        .map(|(_, value)| value.as_str());
    assert_eq!(
        content_type,
        Some("application/scim+json"),
        "SCIM bodies go out with the media type the spec declares"
    );
    assert!(
        !request.body.contains("Scim-Passw0rd!"),
        "the log redacts the password"
    );

    let state = sb.state();
    assert_eq!(
        state.users.len(),
        before + 1,
        "a SCIM user is a directory user"
    );
    let scim = state.scim_users.iter().find(|u| u.id == scim_id).unwrap();
    assert_eq!(scim.external_id.as_deref(), Some("hr-4711"));
    let user = state.user("sam.scim@sandbox.example").unwrap();
    assert_eq!(user.id, scim.uuid);
    assert_eq!(user.display_name.as_deref(), Some("Sam Scim"));
    assert_eq!(user.mail.as_deref(), Some("sam.scim@sandbox.example"));
    assert_eq!(user.mobile.as_deref(), Some("+1 555 0333"));

    let replaced = client
        .scim()
        .replace_user(ScimReplaceUserRequest::new(
            scim_id.as_str(),
            ScimUser::new(vec![USER_SCHEMA.to_owned()], "sam.renamed@sandbox.example")
                .display_name("Sam Renamed")
                .active(false),
        ))
        .await
        .expect("ReplaceUser");
    assert_eq!(replaced.id.as_deref(), Some(scim_id.as_str()));
    assert_eq!(replaced.display_name.as_deref(), Some("Sam Renamed"));
    assert_eq!(replaced.active, Some(false));
    let state = sb.state();
    let user = state.user(&scim.uuid).unwrap();
    assert_eq!(user.name, "sam.renamed@sandbox.example");
    assert!(user.state.contains("Disabled"));
    assert_eq!(user.mail, None, "a replace drops what the body leaves out");
    assert!(
        !state
            .scim_users
            .iter()
            .find(|u| u.id == scim_id)
            .unwrap()
            .active
    );

    // RFC 7644 errors: a duplicate userName (409), an unknown id (404), a missing password (400).
    let error = client
        .scim()
        .create_user(ScimCreateUserRequest::new(new_user(sb.admin_username())))
        .await
        .expect_err("the userName is taken");
    let api = common::api_error(&error);
    assert_eq!(api.operation, "SCIM_CreateUser");
    assert_eq!(api.status, 409);
    assert_eq!(api.error_code.as_deref(), Some("uniqueness"));
    assert!(
        api.message
            .as_deref()
            .is_some_and(|m| m.contains("already in use")),
        "{api:?}"
    );

    let error = client
        .scim()
        .replace_user(ScimReplaceUserRequest::new(
            "999999",
            ScimUser::new(vec![USER_SCHEMA.to_owned()], "ghost@sandbox.example"),
        ))
        .await
        .expect_err("no such user");
    let api = common::api_error(&error);
    assert_eq!((api.operation, api.status), ("SCIM_ReplaceUser", 404));
    assert!(
        api.message.as_deref().is_some_and(|m| m.contains("999999")),
        "{api:?}"
    );

    let error = client
        .scim()
        .create_user(ScimCreateUserRequest::new(ScimUser::new(
            vec![USER_SCHEMA.to_owned()],
            "no.password@sandbox.example",
        )))
        .await
        .expect_err("a create needs a password");
    let api = common::api_error(&error);
    assert_eq!(api.status, 400);
    assert_eq!(api.error_code.as_deref(), Some("invalidValue"));
    assert!(sb.state().user("no.password@sandbox.example").is_none());
    common::assert_all_routed(&sb);
}

#[tokio::test]
async fn list_filter_and_delete_groups() {
    let sb = sandbox().await;
    let client = client(&sb);
    let state = sb.state();

    let list = client
        .scim()
        .list_groups(ScimListGroupsRequest::new())
        .await
        .expect("ListGroups");
    assert_eq!(list.total_results as usize, state.scim_groups.len());
    let groups = list.resources.unwrap_or_default();
    let names: Vec<&str> = groups
        .iter()
        .filter_map(|g| g.display_name.as_deref())
        .collect();
    let expected: Vec<&str> = state
        .scim_groups
        .iter()
        .map(|g| g.display_name.as_str())
        .collect();
    assert_eq!(names, expected);
    let vault = groups
        .iter()
        .find(|g| g.display_name.as_deref() == Some("Vault Admins"))
        .unwrap();
    let stored = state
        .scim_groups
        .iter()
        .find(|g| g.display_name == "Vault Admins")
        .unwrap();
    let members: Vec<(String, String)> = vault
        .members
        .clone()
        .unwrap_or_default()
        .into_iter()
        .map(|m| (m.value.unwrap(), m.display.unwrap()))
        .collect();
    assert_eq!(members, stored.members);

    let filtered = client
        .scim()
        .list_groups(ScimListGroupsRequest::new().filter("displayName eq \"vault admins\""))
        .await
        .expect("a filter");
    assert_eq!(filtered.total_results, 1);
    assert_eq!(
        filtered.resources.unwrap()[0].id.as_deref(),
        Some(stored.id.as_str())
    );
    let query = last_request(&sb, "SCIM_ListGroups").query.unwrap();
    assert!(query.starts_with("filter=displayName"), "{query}");

    client
        .scim()
        .delete_group(ScimDeleteGroupRequest::new(stored.id.as_str()))
        .await
        .expect("DeleteGroup");
    assert_eq!(last_request(&sb, "SCIM_DeleteGroup").status, 204);
    assert!(sb.state().scim_groups.iter().all(|g| g.id != stored.id));

    let error = client
        .scim()
        .delete_group(ScimDeleteGroupRequest::new(stored.id.as_str()))
        .await
        .expect_err("already deleted");
    let api = common::api_error(&error);
    assert_eq!((api.operation, api.status), ("SCIM_DeleteGroup", 404));

    let error = client
        .scim()
        .list_groups(ScimListGroupsRequest::new().filter("displayName resembles \"x\""))
        .await
        .expect_err("an invalid filter");
    let api = common::api_error(&error);
    assert_eq!(api.status, 400);
    assert_eq!(api.error_code.as_deref(), Some("invalidFilter"));
    common::assert_all_routed(&sb);
}
