//! UserMgmt end to end: every operation against the sandbox, checked against its state, its
//! invitations and its request log.

mod common;

use common::{
    ARGUMENT, INVALID_OPERATION, NOT_FOUND, client, expect_api, last_request, ordinary_user,
    ordinary_users, sandbox,
};
use cyberark_identity::{
    Error, InviteEntity, InviteEntityType, OrgListAllRequest, UserMgmtChangeUserAttributesRequest,
    UserMgmtGetUserAttributesRequest, UserMgmtGetUserHierarchyRequest, UserMgmtGetUserInfoRequest,
    UserMgmtGetUserRiskLevelRequest, UserMgmtGetUsersRolesAndAdministrativeRightsRequest,
    UserMgmtInviteUsersRequest, UserMgmtIsUserCloudLockedRequest,
    UserMgmtIsUserLockedOutByPolicyRequest, UserMgmtRemoveUsersRequest,
    UserMgmtSendLoginEmailsRequest, UserMgmtSendSmsInviteRequest, UserMgmtSetCloudLockRequest,
};

#[tokio::test]
async fn attributes_info_and_risk_level() {
    let sb = sandbox().await;
    let client = client(&sb);
    let (id, name) = ordinary_user(&sb);
    let um = client.user_mgmt();

    let attributes = um
        .get_user_attributes(UserMgmtGetUserAttributesRequest::new(name.as_str()))
        .await
        .expect("GetUserAttributes by login name");
    let state = sb.state();
    let stored = state.user(&id).unwrap();
    assert_eq!(attributes.uuid.as_deref(), Some(id.as_str()));
    assert_eq!(attributes.mobile_number, stored.mobile);
    assert_eq!(attributes.state.as_deref(), Some(stored.state.as_str()));

    um.change_user_attributes(
        UserMgmtChangeUserAttributesRequest::new(id.as_str())
            .mobile_number("+1 555 0777")
            .org_path("Engineering/Platform"),
    )
    .await
    .expect("ChangeUserAttributes");
    assert_eq!(
        sb.state().user(&id).unwrap().mobile.as_deref(),
        Some("+1 555 0777")
    );
    let attributes = um
        .get_user_attributes(UserMgmtGetUserAttributesRequest::new(id.as_str()))
        .await
        .unwrap();
    assert_eq!(attributes.mobile_number.as_deref(), Some("+1 555 0777"));
    assert_eq!(attributes.org_path.as_deref(), Some("Engineering/Platform"));

    let info = um
        .get_user_info(UserMgmtGetUserInfoRequest::new(id.as_str()))
        .await
        .expect("GetUserInfo");
    assert_eq!(info.name.as_deref(), Some(name.as_str()));
    assert_eq!(
        last_request(&sb, "UserMgmt_GetUserInfo").query.as_deref(),
        Some(format!("ID={id}").as_str())
    );

    let risk = um
        .get_user_risk_level(UserMgmtGetUserRiskLevelRequest::new(id.as_str()))
        .await
        .expect("GetUserRiskLevel");
    assert_eq!(risk["RiskLevel"], stored.risk_level.as_str());

    // Failure paths: unknown users and an unknown directory service.
    expect_api(
        um.get_user_attributes(UserMgmtGetUserAttributesRequest::new(
            "nobody@sandbox.example",
        ))
        .await,
        "UserMgmt_GetUserAttributes",
        NOT_FOUND,
        "nobody@sandbox.example",
    );
    expect_api(
        um.get_user_attributes(
            UserMgmtGetUserAttributesRequest::new(id.as_str())
                .directory_service_uuid("11111111-2222-3333-4444-555555555555"),
        )
        .await,
        "UserMgmt_GetUserAttributes",
        NOT_FOUND,
        "Directory service",
    );
    expect_api(
        um.change_user_attributes(
            UserMgmtChangeUserAttributesRequest::new(id.as_str()).cma_redirected_user_uuid("ghost"),
        )
        .await,
        "UserMgmt_ChangeUserAttributes",
        NOT_FOUND,
        "ghost",
    );
    expect_api(
        um.get_user_info(UserMgmtGetUserInfoRequest::new("ghost"))
            .await,
        "UserMgmt_GetUserInfo",
        NOT_FOUND,
        "ghost",
    );
    expect_api(
        um.get_user_risk_level(UserMgmtGetUserRiskLevelRequest::new("ghost"))
            .await,
        "UserMgmt_GetUserRiskLevel",
        NOT_FOUND,
        "ghost",
    );
}

#[tokio::test]
async fn hierarchy_follows_the_management_chain() {
    let sb = sandbox().await;
    let client = client(&sb);
    let state = sb.state();
    let carol = state.user("carol.eng@sandbox.example").unwrap();
    let bob = state.user("bob.cto@sandbox.example").unwrap();
    let alice = state.user("alice.ceo@sandbox.example").unwrap();
    assert_eq!(carol.reports_to.as_ref(), Some(&bob.id));

    let hierarchy = client
        .user_mgmt()
        .get_user_hierarchy(UserMgmtGetUserHierarchyRequest::new().id(carol.id.as_str()))
        .await
        .expect("GetUserHierarchy");
    let managers: Vec<&str> = hierarchy["Managers"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|m| m["Uuid"].as_str())
        .collect();
    assert_eq!(managers, [bob.id.as_str(), alice.id.as_str()]);
    let reports: Vec<&str> = hierarchy["DirectReports"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|m| m["Uuid"].as_str())
        .collect();
    let expected: Vec<&str> = state
        .users
        .iter()
        .filter(|u| u.reports_to.as_ref() == Some(&carol.id))
        .map(|u| u.id.as_str())
        .collect();
    assert_eq!(reports, expected);
    assert!(!expected.is_empty());

    // Without an ID it answers for the caller, who reports to nobody.
    let mine = client
        .user_mgmt()
        .get_user_hierarchy(UserMgmtGetUserHierarchyRequest::new())
        .await
        .unwrap();
    assert!(
        mine["User"]["Name"]
            .as_str()
            .is_some_and(|n| n.eq_ignore_ascii_case(sb.client_id()))
    );
    assert_eq!(last_request(&sb, "UserMgmt_GetUserHierarchy").query, None);
    expect_api(
        client
            .user_mgmt()
            .get_user_hierarchy(UserMgmtGetUserHierarchyRequest::new().id("ghost"))
            .await,
        "UserMgmt_GetUserHierarchy",
        NOT_FOUND,
        "ghost",
    );
}

#[tokio::test]
async fn roles_and_administrative_rights() {
    let sb = sandbox().await;
    let client = client(&sb);
    let erin = sb
        .state()
        .user("erin.ops@sandbox.example")
        .unwrap()
        .id
        .clone();
    let table = client
        .user_mgmt()
        .get_users_roles_and_administrative_rights(
            UserMgmtGetUsersRolesAndAdministrativeRightsRequest::new().id(erin.as_str()),
        )
        .await
        .expect("GetUsersRolesAndAdministrativeRights");
    let rows: Vec<_> = table
        .results
        .unwrap_or_default()
        .into_iter()
        .filter_map(|r| r.row)
        .collect();
    let names: Vec<&str> = rows.iter().filter_map(|r| r.role_name.as_deref()).collect();
    assert_eq!(names, ["Everybody", "Help Desk"]);
    let rights: Vec<String> = rows[1]
        .administrative_rights
        .clone()
        .unwrap_or_default()
        .into_iter()
        .filter_map(|r| r.description)
        .collect();
    assert!(
        rights.contains(&"Admin Portal Login".to_owned()),
        "{rights:?}"
    );
    let request = last_request(&sb, "UserMgmt_GetUsersRolesAndAdministrativeRights");
    assert_eq!(
        request.query.as_deref(),
        Some(format!("ID={erin}").as_str())
    );

    expect_api(
        client
            .user_mgmt()
            .get_users_roles_and_administrative_rights(
                UserMgmtGetUsersRolesAndAdministrativeRightsRequest::new().id("ghost"),
            )
            .await,
        "UserMgmt_GetUsersRolesAndAdministrativeRights",
        NOT_FOUND,
        "ghost",
    );
}

#[tokio::test]
async fn invitations_and_login_messages_are_recorded() {
    let sb = sandbox().await;
    let client = client(&sb);
    let users = ordinary_users(&sb, 2);
    let group = sb
        .state()
        .scim_groups
        .iter()
        .find(|g| g.display_name == "Vault Admins")
        .unwrap()
        .clone();

    let entities = vec![
        InviteEntity::new(InviteEntityType::User, users[0].0.as_str()).name(users[0].1.as_str()),
        InviteEntity::new(InviteEntityType::Group, group.id.as_str()),
    ];
    client
        .user_mgmt()
        .invite_users(
            UserMgmtInviteUsersRequest::new(entities, true)
                .sms_invite(true)
                .role("Help Desk"),
        )
        .await
        .expect("InviteUsers");
    let invited: Vec<_> = sb
        .invitations()
        .into_iter()
        .filter(|i| i.source == "UserMgmt_InviteUsers")
        .collect();
    let people = 1 + group.members.len();
    assert_eq!(
        invited.len(),
        2 * people,
        "an e-mail and an SMS each: {invited:?}"
    );
    assert!(
        invited
            .iter()
            .all(|i| i.role.as_deref() == Some("Help Desk"))
    );
    let user0 = sb.state().user(&users[0].0).unwrap().clone();
    assert!(
        invited
            .iter()
            .any(|i| i.user_id == user0.id && i.channel == "email" && i.address == user0.mail)
    );
    assert!(
        invited
            .iter()
            .any(|i| i.user_id == user0.id && i.channel == "sms" && i.address == user0.mobile)
    );

    client
        .user_mgmt()
        .send_login_emails(UserMgmtSendLoginEmailsRequest::new(vec![
            users[1].0.clone(),
        ]))
        .await
        .expect("SendLoginEmails");
    let emails: Vec<_> = sb
        .invitations()
        .into_iter()
        .filter(|i| i.source == "UserMgmt_SendLoginEmails")
        .collect();
    assert_eq!(emails.len(), 1);
    assert_eq!(emails[0].user_id, users[1].0);
    assert_eq!(emails[0].channel, "email");

    client
        .user_mgmt()
        .send_sms_invite(UserMgmtSendSmsInviteRequest::new(users[1].0.as_str()))
        .await
        .expect("SendSmsInvite");
    let sms: Vec<_> = sb
        .invitations()
        .into_iter()
        .filter(|i| i.source == "UserMgmt_SendSmsInvite")
        .collect();
    assert_eq!(sms.len(), 1);
    assert_eq!(sms[0].address, sb.state().user(&users[1].0).unwrap().mobile);

    // Failure paths: an unknown role, an unknown user, a user without a mobile number.
    let before = sb.invitations().len();
    expect_api(
        client
            .user_mgmt()
            .invite_users(
                UserMgmtInviteUsersRequest::new(
                    vec![InviteEntity::new(
                        InviteEntityType::User,
                        users[0].0.as_str(),
                    )],
                    true,
                )
                .role("No Such Role"),
            )
            .await,
        "UserMgmt_InviteUsers",
        NOT_FOUND,
        "No Such Role",
    );
    expect_api(
        client
            .user_mgmt()
            .send_login_emails(UserMgmtSendLoginEmailsRequest::new(vec![
                "ghost".to_owned(),
            ]))
            .await,
        "UserMgmt_SendLoginEmails",
        NOT_FOUND,
        "ghost",
    );
    let client_uuid = sb.state().user(sb.client_id()).unwrap().id.clone();
    expect_api(
        client
            .user_mgmt()
            .send_sms_invite(UserMgmtSendSmsInviteRequest::new(client_uuid.as_str()))
            .await,
        "UserMgmt_SendSmsInvite",
        INVALID_OPERATION,
        "no mobile number",
    );
    assert_eq!(sb.invitations().len(), before, "failures send nothing");
    common::assert_all_routed(&sb);
}

#[tokio::test]
async fn cloud_locks_and_policy_lockouts() {
    let sb = sandbox().await;
    let client = client(&sb);
    let (id, name) = ordinary_user(&sb);
    let um = client.user_mgmt();
    assert!(
        !um.is_user_cloud_locked(UserMgmtIsUserCloudLockedRequest::new(id.as_str()))
            .await
            .expect("IsUserCloudLocked")
    );

    um.set_cloud_lock(UserMgmtSetCloudLockRequest::new(id.as_str(), true))
        .await
        .expect("SetCloudLock");
    assert!(sb.state().user(&id).unwrap().cloud_locked);
    assert_eq!(
        last_request(&sb, "UserMgmt_SetCloudLock").query.as_deref(),
        Some(format!("user={id}&lockUser=true").as_str())
    );
    assert!(
        um.is_user_cloud_locked(UserMgmtIsUserCloudLockedRequest::new(name.as_str()))
            .await
            .unwrap()
    );
    um.set_cloud_lock(UserMgmtSetCloudLockRequest::new(id.as_str(), false))
        .await
        .unwrap();
    assert!(!sb.state().user(&id).unwrap().cloud_locked);

    // The demo contractor is locked by policy; the caller is not.
    let mallory = sb
        .state()
        .user("mallory.contractor@sandbox.example")
        .unwrap()
        .id
        .clone();
    assert!(
        um.is_user_locked_out_by_policy(
            UserMgmtIsUserLockedOutByPolicyRequest::new().user(mallory.as_str())
        )
        .await
        .expect("IsUserLockedOutByPolicy")
    );
    assert!(
        !um.is_user_locked_out_by_policy(UserMgmtIsUserLockedOutByPolicyRequest::new())
            .await
            .unwrap()
    );

    // Failure paths: locking oneself, an unknown user.
    let me = sb.state().user(sb.client_id()).unwrap().id.clone();
    expect_api(
        um.set_cloud_lock(UserMgmtSetCloudLockRequest::new(me.as_str(), true))
            .await,
        "UserMgmt_SetCloudLock",
        INVALID_OPERATION,
        "your own account",
    );
    expect_api(
        um.is_user_cloud_locked(UserMgmtIsUserCloudLockedRequest::new("ghost"))
            .await,
        "UserMgmt_IsUserCloudLocked",
        NOT_FOUND,
        "ghost",
    );
    expect_api(
        um.is_user_locked_out_by_policy(
            UserMgmtIsUserLockedOutByPolicyRequest::new().user("ghost"),
        )
        .await,
        "UserMgmt_IsUserLockedOutByPolicy",
        NOT_FOUND,
        "ghost",
    );
}

#[tokio::test]
async fn a_cloud_lock_ends_the_sessions_of_the_locked_user() {
    let sb = sandbox().await;
    let admin = client(&sb);
    let user = cyberark_identity::Client::builder(sb.url())
        .user_login(sb.admin_username(), sb.admin_password())
        .build()
        .unwrap();
    user.org().list_all(OrgListAllRequest::new()).await.unwrap();
    let admin_id = sb.state().user(sb.admin_username()).unwrap().id.clone();
    admin
        .user_mgmt()
        .set_cloud_lock(UserMgmtSetCloudLockRequest::new(admin_id.as_str(), true))
        .await
        .unwrap();
    let error = user
        .org()
        .list_all(OrgListAllRequest::new())
        .await
        .expect_err("a locked user cannot sign in again");
    assert!(matches!(error, Error::Auth { .. }), "{error:?}");
}

#[tokio::test]
async fn remove_users_deletes_them_everywhere() {
    let sb = sandbox().await;
    let client = client(&sb);
    let state = sb.state();
    let carol = state.user("carol.eng@sandbox.example").unwrap().clone();
    let engineering = state.org("Engineering").unwrap().clone();
    assert!(engineering.members.iter().any(|(m, _)| *m == carol.id));
    let count = state.users.len();

    client
        .user_mgmt()
        .remove_users(UserMgmtRemoveUsersRequest::new(vec![carol.id.clone()]))
        .await
        .expect("RemoveUsers");
    let state = sb.state();
    assert_eq!(state.users.len(), count - 1);
    assert!(state.user(&carol.id).is_none());
    assert!(state.scim_users.iter().all(|u| u.uuid != carol.id));
    assert!(
        !state
            .org("Engineering")
            .unwrap()
            .members
            .iter()
            .any(|(m, _)| *m == carol.id)
    );
    assert!(
        state
            .users
            .iter()
            .all(|u| u.reports_to.as_ref() != Some(&carol.id))
    );
    assert_eq!(
        common::json_body(&last_request(&sb, "UserMgmt_RemoveUsers"))["Users"][0],
        carol.id.as_str()
    );

    // A resend skips the unknown id, as the operation is idempotent.
    client
        .user_mgmt()
        .remove_users(UserMgmtRemoveUsersRequest::new(vec![carol.id.clone()]))
        .await
        .expect("a resend succeeds");
    assert_eq!(sb.state().users.len(), count - 1);

    let me = state.user(sb.client_id()).unwrap().id.clone();
    expect_api(
        client
            .user_mgmt()
            .remove_users(UserMgmtRemoveUsersRequest::new(vec![me]))
            .await,
        "UserMgmt_RemoveUsers",
        INVALID_OPERATION,
        "own account",
    );
    expect_api(
        client
            .user_mgmt()
            .set_cloud_lock(UserMgmtSetCloudLockRequest::new(carol.id.as_str(), true))
            .await,
        "UserMgmt_SetCloudLock",
        NOT_FOUND,
        carol.id.as_str(),
    );
    expect_api(
        client
            .user_mgmt()
            .invite_users(UserMgmtInviteUsersRequest::new(
                vec![InviteEntity::new(InviteEntityType::User, "")],
                true,
            ))
            .await,
        "UserMgmt_InviteUsers",
        ARGUMENT,
        "Entities.Guid",
    );
    common::assert_all_routed(&sb);
}
