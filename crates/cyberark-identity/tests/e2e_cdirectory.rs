//! CDirectoryService end to end: every operation against the sandbox, checked against its state.

mod common;

use std::time::SystemTime;

use common::{
    ARGUMENT, INVALID_OPERATION, NOT_FOUND, client, expect_api, last_request, ordinary_user,
    ordinary_users, sandbox,
};
use cyberark_identity::{
    CDirectoryServiceChangeUserRequest, CDirectoryServiceChangeUserStateRequest,
    CDirectoryServiceExemptUserFromMfaRequest, CDirectoryServiceGetUserByNameRequest,
    CDirectoryServiceGetUserRequest, CDirectoryServiceGetUsersFromCsvFileRequest,
    CDirectoryServiceGetUsersRequest, CDirectoryServiceSetUserPictureRequest,
    CDirectoryServiceSetUserStateRequest, CDirectoryServiceSubmitUploadedFileRequest, FilePart,
    QueryArgs,
};

#[tokio::test]
async fn get_user_and_get_user_by_name_read_the_directory() {
    let sb = sandbox().await;
    let client = client(&sb);
    let (id, name) = ordinary_user(&sb);
    let state = sb.state();
    let stored = state.user(&id).unwrap();

    let user = client
        .cdirectory_service()
        .get_user(CDirectoryServiceGetUserRequest::new(id.as_str()))
        .await
        .expect("GetUser");
    assert_eq!(user.uuid.as_deref(), Some(id.as_str()));
    assert_eq!(user.name.as_deref(), Some(name.as_str()));
    assert_eq!(user.display_name, stored.display_name);
    assert_eq!(user.mail, stored.mail);
    assert_eq!(user.state.as_deref(), Some(stored.state.as_str()));
    assert_eq!(user.version, Some(stored.version.to_string()));

    let by_name = client
        .cdirectory_service()
        .get_user_by_name(CDirectoryServiceGetUserByNameRequest::new().username(name.as_str()))
        .await
        .expect("GetUserByName");
    assert_eq!(by_name.uuid.as_deref(), Some(id.as_str()));
    assert_eq!(
        common::json_body(&last_request(&sb, "CDirectoryService_GetUserByName"))["username"],
        name.as_str(),
        "the lowercase wire name"
    );

    // Without a name, GetUserByName answers the caller (the confidential client).
    let me = client
        .cdirectory_service()
        .get_user_by_name(CDirectoryServiceGetUserByNameRequest::new())
        .await
        .expect("GetUserByName for the caller");
    assert!(
        me.name
            .as_deref()
            .is_some_and(|n| n.eq_ignore_ascii_case(sb.client_id()))
    );
    assert_eq!(me.oauth_client, Some(true));

    expect_api(
        client
            .cdirectory_service()
            .get_user(CDirectoryServiceGetUserRequest::new(
                "00000000-0000-0000-0000-000000000000",
            ))
            .await,
        "CDirectoryService_GetUser",
        NOT_FOUND,
        "does not exist",
    );
    expect_api(
        client
            .cdirectory_service()
            .get_user_by_name(
                CDirectoryServiceGetUserByNameRequest::new().username("nobody@sandbox.example"),
            )
            .await,
        "CDirectoryService_GetUserByName",
        NOT_FOUND,
        "nobody@sandbox.example",
    );
}

#[tokio::test]
async fn get_users_pages_with_args() {
    let sb = sandbox().await;
    let client = client(&sb);
    let state = sb.state();
    let table = client
        .cdirectory_service()
        .get_users(
            CDirectoryServiceGetUsersRequest::new()
                .args(QueryArgs::new().page_number(2).page_size(5)),
        )
        .await
        .expect("GetUsers");
    assert_eq!(table.full_count, Some(state.users.len() as i32));
    let rows = table.results.unwrap_or_default();
    assert_eq!(rows.len(), 5);
    assert_eq!(table.count, Some(5));
    let expected: Vec<&str> = state.users[5..10].iter().map(|u| u.id.as_str()).collect();
    let got: Vec<String> = rows
        .iter()
        .map(|r| r.row.as_ref().and_then(|row| row.uuid.clone()).unwrap())
        .collect();
    assert_eq!(got, expected, "page 2 holds users 6 to 10 in listing order");
    assert!(
        table
            .columns
            .unwrap_or_default()
            .iter()
            .any(|c| c.name.as_deref() == Some("Uuid"))
    );

    expect_api(
        client
            .cdirectory_service()
            .get_users(CDirectoryServiceGetUsersRequest::new().args(QueryArgs::new().page_size(0)))
            .await,
        "CDirectoryService_GetUsers",
        ARGUMENT,
        "PageSize",
    );
}

#[tokio::test]
async fn change_user_updates_the_stored_user() {
    let sb = sandbox().await;
    let client = client(&sb);
    let users = ordinary_users(&sb, 2);
    let (id, _) = &users[0];
    let (manager_id, manager_name) = &users[1];
    let version = sb.state().user(id).unwrap().version;

    client
        .cdirectory_service()
        .change_user(
            CDirectoryServiceChangeUserRequest::new(id.as_str())
                .display_name("Renamed Person")
                .mail("renamed@sandbox.example")
                .description("Changed by the e2e tests")
                .reports_to(manager_name.as_str()),
        )
        .await
        .expect("ChangeUser");
    let state = sb.state();
    let user = state.user(id).unwrap();
    assert_eq!(user.display_name.as_deref(), Some("Renamed Person"));
    assert_eq!(user.mail.as_deref(), Some("renamed@sandbox.example"));
    assert_eq!(
        user.description.as_deref(),
        Some("Changed by the e2e tests")
    );
    assert_eq!(user.reports_to.as_ref(), Some(manager_id));
    assert!(user.version > version, "the record version moves on");

    // Renaming onto an existing login name is refused, and nothing changes.
    let taken = sb.admin_username().to_owned();
    let api = expect_api(
        client
            .cdirectory_service()
            .change_user(
                CDirectoryServiceChangeUserRequest::new(id.as_str())
                    .name(taken.as_str())
                    .display_name("Should Not Stick"),
            )
            .await,
        "CDirectoryService_ChangeUser",
        INVALID_OPERATION,
        "already in use",
    );
    assert_eq!(api.error_code.as_deref(), Some("1409"));
    assert_eq!(
        sb.state().user(id).unwrap().display_name.as_deref(),
        Some("Renamed Person")
    );
}

#[tokio::test]
async fn user_states_change_and_are_validated() {
    let sb = sandbox().await;
    let client = client(&sb);
    let (id, _) = ordinary_user(&sb);

    client
        .cdirectory_service()
        .set_user_state(CDirectoryServiceSetUserStateRequest::new(
            id.as_str(),
            "Locked",
        ))
        .await
        .expect("SetUserState");
    assert_eq!(sb.state().user(&id).unwrap().state, "Locked");

    client
        .cdirectory_service()
        .change_user_state(CDirectoryServiceChangeUserStateRequest::new(
            id.as_str(),
            false,
        ))
        .await
        .expect("ChangeUserState disables");
    assert!(sb.state().user(&id).unwrap().state.contains("Disabled"));
    assert!(
        !sb.state()
            .scim_users
            .iter()
            .find(|u| u.uuid == id)
            .unwrap()
            .active
    );

    client
        .cdirectory_service()
        .change_user_state(CDirectoryServiceChangeUserStateRequest::new(
            id.as_str(),
            true,
        ))
        .await
        .expect("ChangeUserState enables");
    assert_eq!(sb.state().user(&id).unwrap().state, "None");
    let body = common::json_body(&last_request(&sb, "CDirectoryService_ChangeUserState"));
    assert_eq!(body["uuid"], id.as_str());
    assert_eq!(body["state"], true);

    expect_api(
        client
            .cdirectory_service()
            .set_user_state(CDirectoryServiceSetUserStateRequest::new(
                id.as_str(),
                "Asleep",
            ))
            .await,
        "CDirectoryService_SetUserState",
        ARGUMENT,
        "Asleep",
    );
    assert_eq!(sb.state().user(&id).unwrap().state, "None");
    let me = sb.state().user(sb.client_id()).unwrap().id.clone();
    expect_api(
        client
            .cdirectory_service()
            .change_user_state(CDirectoryServiceChangeUserStateRequest::new(
                me.as_str(),
                false,
            ))
            .await,
        "CDirectoryService_ChangeUserState",
        INVALID_OPERATION,
        "own state",
    );
}

#[tokio::test]
async fn exempt_user_from_mfa_sets_an_exemption_window() {
    let sb = sandbox().await;
    let client = client(&sb);
    let (id, _) = ordinary_user(&sb);
    assert!(sb.state().user(&id).unwrap().mfa_exempt_until.is_none());
    client
        .cdirectory_service()
        .exempt_user_from_mfa(
            CDirectoryServiceExemptUserFromMfaRequest::new(id.as_str()).timespan(15),
        )
        .await
        .expect("ExemptUserFromMfa");
    let until = sb
        .state()
        .user(&id)
        .unwrap()
        .mfa_exempt_until
        .expect("an exemption");
    let minutes = until.duration_since(SystemTime::now()).unwrap().as_secs() / 60;
    assert!((13..=15).contains(&minutes), "{minutes} minutes");
    let request = last_request(&sb, "CDirectoryService_ExemptUserFromMfa");
    assert_eq!(
        request.query.as_deref(),
        Some(format!("ID={id}&timespan=15").as_str())
    );
    assert!(
        request.body.is_empty(),
        "the inputs travel in the query string"
    );

    expect_api(
        client
            .cdirectory_service()
            .exempt_user_from_mfa(
                CDirectoryServiceExemptUserFromMfaRequest::new(id.as_str()).timespan(0),
            )
            .await,
        "CDirectoryService_ExemptUserFromMfa",
        ARGUMENT,
        "timespan",
    );
}

#[tokio::test]
async fn tech_support_user_and_own_attributes() {
    let sb = sandbox().await;
    let client = client(&sb);
    let tech = client
        .cdirectory_service()
        .get_tech_support_user(cyberark_identity::CDirectoryServiceGetTechSupportUserRequest::new())
        .await
        .expect("GetTechSupportUser");
    assert!(
        tech.name
            .as_deref()
            .is_some_and(|n| n.starts_with("techsupport")),
        "{tech:?}"
    );
    assert!(
        tech.uuid.is_some() && tech.password_exp.is_some(),
        "{tech:?}"
    );
    assert!(
        sb.state()
            .users
            .iter()
            .all(|u| Some(&u.id) != tech.uuid.as_ref()),
        "the tech support user is not a listed user"
    );

    let me = client
        .cdirectory_service()
        .get_user_attributes(cyberark_identity::CDirectoryServiceGetUserAttributesRequest::new())
        .await
        .expect("GetUserAttributes");
    let state = sb.state();
    let stored = state.user(sb.client_id()).unwrap();
    assert_eq!(me.uuid.as_ref(), Some(&stored.id));
    assert_eq!(me.display_name, stored.display_name);
    assert_eq!(me.oauth_client, Some(true));
    assert_eq!(me.subject_to_cloud_locks, Some(false), "a service user");
}

#[tokio::test]
async fn set_user_picture_stores_the_file() {
    let sb = sandbox().await;
    let client = client(&sb);
    let (id, _) = ordinary_user(&sb);
    let png = b"\x89PNG\r\n\x1a\nnot really an image".to_vec();
    let uri = client
        .cdirectory_service()
        .set_user_picture(CDirectoryServiceSetUserPictureRequest::new(
            id.as_str(),
            FilePart::new("me.png", png.clone()).content_type("image/png"),
        ))
        .await
        .expect("SetUserPicture");
    assert!(!uri.is_empty());
    assert_eq!(
        sb.state().user(&id).unwrap().picture.as_deref(),
        Some(png.as_slice())
    );
    let user = client
        .cdirectory_service()
        .get_user(CDirectoryServiceGetUserRequest::new(id.as_str()))
        .await
        .unwrap();
    assert_eq!(user.picture_uri.as_deref(), Some(uri.as_str()));

    expect_api(
        client
            .cdirectory_service()
            .set_user_picture(CDirectoryServiceSetUserPictureRequest::new(
                id.as_str(),
                FilePart::new("empty.png", Vec::new()),
            ))
            .await,
        "CDirectoryService_SetUserPicture",
        ARGUMENT,
        "empty",
    );
    common::assert_all_routed(&sb);
}

#[tokio::test]
async fn csv_import_creates_users_and_sends_invitations() {
    let sb = sandbox().await;
    let client = client(&sb);
    let before = sb.state().users.len();
    let csv = "Login Name,Display Name,Email,Mobile Number,Reports To\n\
               new.hire1@sandbox.example,New Hire One,nh1@sandbox.example,+1 555 0901,alice.ceo@sandbox.example\n\
               new.hire2@sandbox.example,\"Hire, Two\",nh2@sandbox.example,,\n";
    let upload = client
        .cdirectory_service()
        .get_users_from_csv_file(CDirectoryServiceGetUsersFromCsvFileRequest::new(
            "ImportBulkUser",
            "hires.csv",
            FilePart::new("hires.csv", csv.as_bytes().to_vec()).content_type("text/csv"),
        ))
        .await
        .expect("GetUsersFromCsvFile");
    let return_id = upload.return_id.expect("a ReturnID");
    assert_eq!(
        sb.state().users.len(),
        before,
        "nothing is created before the submit"
    );

    let answer = client
        .cdirectory_service()
        .submit_uploaded_file(
            CDirectoryServiceSubmitUploadedFileRequest::new(
                "ImportBulkUser",
                return_id.as_str(),
                "admin@sandbox.example",
            )
            .send_email_invite(true),
        )
        .await
        .expect("SubmitUploadedFile");
    // The answer is a JSON envelope wrapped in a string.
    let inner: serde_json::Value = serde_json::from_str(&answer).expect("a JSON string");
    assert_eq!(inner["success"], true, "{inner}");
    assert_eq!(inner["Result"]["Created"], 2, "{inner}");

    let state = sb.state();
    assert_eq!(state.users.len(), before + 2);
    let one = state.user("new.hire1@sandbox.example").expect("created");
    assert_eq!(one.display_name.as_deref(), Some("New Hire One"));
    assert_eq!(
        one.reports_to.as_ref(),
        Some(&state.user("alice.ceo@sandbox.example").unwrap().id)
    );
    assert_eq!(
        state
            .user("new.hire2@sandbox.example")
            .unwrap()
            .display_name
            .as_deref(),
        Some("Hire, Two")
    );
    let invitations: Vec<_> = sb
        .invitations()
        .into_iter()
        .filter(|i| i.source == "CDirectoryService_SubmitUploadedFile")
        .collect();
    assert_eq!(invitations.len(), 2);
    assert!(invitations.iter().all(|i| i.channel == "email"));
    assert!(
        invitations
            .iter()
            .any(|i| i.address.as_deref() == Some("nh1@sandbox.example"))
    );

    // The upload is used up.
    expect_api(
        client
            .cdirectory_service()
            .submit_uploaded_file(CDirectoryServiceSubmitUploadedFileRequest::new(
                "ImportBulkUser",
                return_id.as_str(),
                "admin@sandbox.example",
            ))
            .await,
        "CDirectoryService_SubmitUploadedFile",
        NOT_FOUND,
        return_id.as_str(),
    );
    // A CSV without the login name column is refused at upload.
    let error = client
        .cdirectory_service()
        .get_users_from_csv_file(CDirectoryServiceGetUsersFromCsvFileRequest::new(
            "ImportBulkUser",
            "bad.csv",
            FilePart::new("bad.csv", b"Display Name\nNobody\n".to_vec()),
        ))
        .await
        .expect_err("no login name column");
    let api = common::api_error(&error);
    assert_eq!(api.operation, "CDirectoryService_GetUsersFromCsvFile");
    assert_eq!(api.message_id.as_deref(), Some(ARGUMENT));
    common::assert_all_routed(&sb);
}
