//! The sandbox's answers against the generated types: every typed answer decodes with no field
//! left over in the `extra` maps (the sandbox sends exactly what the spec names), and where the
//! spec leaves an answer open, the fields it does not name are kept rather than dropped.

mod common;

use std::collections::BTreeMap;

use common::{client, ordinary_user, sandbox};
use cyberark_identity::{
    AuthenticationAdvanceAuthenticationRequest, AuthenticationPlatformTokenRequest,
    AuthenticationStartAuthenticationRequest, CDirectoryServiceGetUserRequest,
    CDirectoryServiceGetUsersRequest, Client, CoreGetUserSettingsRequest, ExtDataGetSchemaRequest,
    JsonValue, OrgGetAdministratorsRequest, ScimCreateUserRequest, ScimEmail,
    ScimListGroupsRequest, ScimPhoneNumber, ScimUser, UserMgmtGetUserAttributesRequest,
    UserMgmtGetUserInfoRequest, UserMgmtGetUsersRolesAndAdministrativeRightsRequest,
};

type Extra = BTreeMap<String, JsonValue>;

/// Collects the names of non-empty `extra` maps.
#[derive(Default)]
struct Leftovers(Vec<String>);

impl Leftovers {
    fn check(&mut self, what: &str, extra: &Extra) {
        if !extra.is_empty() {
            self.0
                .push(format!("{what}: {:?}", extra.keys().collect::<Vec<_>>()));
        }
    }
}

#[tokio::test]
async fn typed_answers_carry_only_the_fields_the_spec_names() {
    let sb = sandbox().await;
    let c = client(&sb);
    let (id, name) = ordinary_user(&sb);
    let mut left = Leftovers::default();

    let user = c
        .cdirectory_service()
        .get_user(CDirectoryServiceGetUserRequest::new(id.as_str()))
        .await
        .unwrap();
    left.check("CloudUser", &user.extra);
    left.check(
        "UserAttributes (CDirectoryService)",
        &c.cdirectory_service()
            .get_user_attributes(Default::default())
            .await
            .unwrap()
            .extra,
    );
    left.check(
        "TechSupportUser",
        &c.cdirectory_service()
            .get_tech_support_user(Default::default())
            .await
            .unwrap()
            .extra,
    );
    let table = c
        .cdirectory_service()
        .get_users(CDirectoryServiceGetUsersRequest::new())
        .await
        .unwrap();
    left.check("UserQueryTable", &table.extra);
    let row = &table.results.as_ref().unwrap()[0];
    left.check("UserQueryRow", &row.extra);
    left.check("UserRow", &row.row.as_ref().unwrap().extra);
    left.check("QueryEntity", &row.entities.as_ref().unwrap()[0].extra);
    for column in table.columns.as_ref().unwrap() {
        left.check("QueryColumn", &column.extra);
    }

    let schema = c
        .ext_data()
        .get_schema(ExtDataGetSchemaRequest::new("users"))
        .await
        .unwrap();
    left.check("ExtSchema", &schema.extra);
    for column in schema.columns.as_ref().unwrap() {
        left.check("ExtSchemaColumn", &column.extra);
    }

    left.check(
        "UserAttributes (UserMgmt)",
        &c.user_mgmt()
            .get_user_attributes(UserMgmtGetUserAttributesRequest::new(name.as_str()))
            .await
            .unwrap()
            .extra,
    );
    let roles = c
        .user_mgmt()
        .get_users_roles_and_administrative_rights(
            UserMgmtGetUsersRolesAndAdministrativeRightsRequest::new(),
        )
        .await
        .unwrap();
    left.check("UserRoleQueryTable", &roles.extra);
    for r in roles.results.as_ref().unwrap() {
        left.check("UserRoleQueryRow", &r.extra);
        left.check("UserRoleRow", &r.row.as_ref().unwrap().extra);
    }

    let org = sb.state().org("Engineering").unwrap().id.clone();
    let admins = c
        .org()
        .get_administrators(OrgGetAdministratorsRequest::new(org.as_str()))
        .await
        .unwrap();
    left.check("OrgAdministratorQueryTable", &admins.extra);
    left.check(
        "OrgAdministratorQueryRow",
        &admins.results.as_ref().unwrap()[0].extra,
    );

    let settings = c
        .core()
        .get_user_settings(CoreGetUserSettingsRequest::new(id.as_str()))
        .await
        .unwrap();
    left.check("UserSettingsQueryTable", &settings.extra);
    left.check(
        "UserSettingsQueryRow",
        &settings.results.as_ref().unwrap()[0].extra,
    );

    let groups = c
        .scim()
        .list_groups(ScimListGroupsRequest::new())
        .await
        .unwrap();
    left.check("ScimListResponse", &groups.extra);
    for g in groups.resources.as_ref().unwrap() {
        left.check("ScimGroup", &g.extra);
        left.check("ScimMeta (group)", &g.meta.as_ref().unwrap().extra);
        for m in g.members.as_ref().unwrap() {
            left.check("ScimGroupMember", &m.extra);
        }
    }
    let scim_user = c
        .scim()
        .create_user(ScimCreateUserRequest::new(
            ScimUser::new(
                vec!["urn:ietf:params:scim:schemas:core:2.0:User".to_owned()],
                "shape.check@sandbox.example",
            )
            .password("Shape-Passw0rd!")
            .emails(vec![
                ScimEmail::new()
                    .value("shape@sandbox.example")
                    .r#type("work"),
            ])
            .phone_numbers(vec![
                ScimPhoneNumber::new().value("+1 555 0444").r#type("mobile"),
            ]),
        ))
        .await
        .unwrap();
    left.check("ScimUser", &scim_user.extra);
    left.check("ScimEmail", &scim_user.emails.as_ref().unwrap()[0].extra);
    left.check(
        "ScimPhoneNumber",
        &scim_user.phone_numbers.as_ref().unwrap()[0].extra,
    );
    left.check("ScimMeta (user)", &scim_user.meta.as_ref().unwrap().extra);

    let anonymous = Client::builder(sb.url()).build().unwrap();
    let auth = anonymous.authentication();
    left.check(
        "OAuthTokenResponse",
        &auth
            .platform_token(
                AuthenticationPlatformTokenRequest::new("client_credentials")
                    .client_id(sb.client_id())
                    .client_secret(sb.client_secret()),
            )
            .await
            .unwrap()
            .extra,
    );
    let start = auth
        .start_authentication(AuthenticationStartAuthenticationRequest::new(
            sb.mfa_username(),
            "1.0",
        ))
        .await
        .unwrap();
    left.check("StartAuthenticationResult", &start.extra);
    left.check("ClientHints", &start.client_hints.as_ref().unwrap().extra);
    for challenge in start.challenges.as_ref().unwrap() {
        left.check("AuthenticationChallenge", &challenge.extra);
        for m in challenge.mechanisms.as_ref().unwrap() {
            left.check("Mechanism", &m.extra);
        }
    }
    let start = auth
        .start_authentication(AuthenticationStartAuthenticationRequest::new(
            sb.admin_username(),
            "1.0",
        ))
        .await
        .unwrap();
    let mechanism = start.challenges.unwrap()[0].mechanisms.clone().unwrap()[0]
        .mechanism_id
        .clone()
        .unwrap();
    let done = auth
        .advance_authentication(
            AuthenticationAdvanceAuthenticationRequest::new(start.session_id.unwrap())
                .mechanism_id(mechanism)
                .action("Answer")
                .answer(sb.admin_password()),
        )
        .await
        .unwrap();
    left.check("AdvanceAuthenticationResult", &done.extra);

    assert!(
        left.0.is_empty(),
        "fields the spec does not name: {:#?}",
        left.0
    );
}

#[tokio::test]
async fn fields_the_spec_leaves_open_are_kept() {
    let sb = sandbox().await;
    let c = client(&sb);
    let (id, name) = ordinary_user(&sb);
    // The spec documents only `Name` for GetUserInfo; the sandbox sends more, and nothing is lost.
    let info = c
        .user_mgmt()
        .get_user_info(UserMgmtGetUserInfoRequest::new(id.as_str()))
        .await
        .unwrap();
    assert_eq!(info.name.as_deref(), Some(name.as_str()));
    assert_eq!(info.extra.get("Uuid"), Some(&JsonValue::from(id.as_str())));
    assert!(info.extra.contains_key("DisplayName"), "{info:?}");
}
