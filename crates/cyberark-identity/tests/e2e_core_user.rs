//! Core and User end to end: per-user settings and profile updates.

mod common;

use common::{
    ARGUMENT, INVALID_OPERATION, NOT_FOUND, client, expect_api, last_request, ordinary_user,
    sandbox,
};
use cyberark_identity::{CoreGetUserSettingsRequest, JsonValue, UserUpdateProfileRequest};

#[tokio::test]
async fn get_user_settings_reads_the_stored_settings() {
    let sb = sandbox().await;
    let client = client(&sb);
    let (id, _) = ordinary_user(&sb);
    let stored = sb.state().user(&id).unwrap().settings.clone();
    let rows = stored
        .get("Notifications")
        .expect("the demo user has settings");

    let table = client
        .core()
        .get_user_settings(
            CoreGetUserSettingsRequest::new(id.as_str()).settings_type("Notifications"),
        )
        .await
        .expect("GetUserSettings");
    let results = table.results.unwrap_or_default();
    assert_eq!(results.len(), rows.len());
    assert_eq!(table.full_count, Some(rows.len() as i32));
    let row = results[0].row.clone().unwrap_or_default();
    for (key, value) in &rows[0] {
        assert_eq!(row.get(key), Some(value), "{row:?}");
    }
    assert_eq!(
        common::json_body(&last_request(&sb, "Core_GetUserSettings"))["SettingsType"],
        "Notifications"
    );

    let none = client
        .core()
        .get_user_settings(CoreGetUserSettingsRequest::new(id.as_str()).settings_type("NoSuchType"))
        .await
        .unwrap();
    assert!(none.results.unwrap_or_default().is_empty());

    expect_api(
        client
            .core()
            .get_user_settings(CoreGetUserSettingsRequest::new("no-such-user"))
            .await,
        "Core_GetUserSettings",
        NOT_FOUND,
        "no-such-user",
    );
}

#[tokio::test]
async fn update_profile_changes_named_and_additional_attributes() {
    let sb = sandbox().await;
    let client = client(&sb);
    let (id, _) = ordinary_user(&sb);
    client
        .user()
        .update_profile(
            UserUpdateProfileRequest::new(id.as_str())
                .display_name("Profile Updated")
                .mobile_number("+1 555 0999")
                .extra_field("CostCenter", "CC-4242"),
        )
        .await
        .expect("UpdateProfile");
    let state = sb.state();
    let user = state.user(&id).unwrap();
    assert_eq!(user.display_name.as_deref(), Some("Profile Updated"));
    assert_eq!(user.mobile.as_deref(), Some("+1 555 0999"));
    assert_eq!(
        user.ext.get("CostCenter"),
        Some(&JsonValue::from("CC-4242"))
    );
    let body = common::json_body(&last_request(&sb, "User_UpdateProfile"));
    assert_eq!(
        body["CostCenter"], "CC-4242",
        "additional attributes travel at the top level"
    );

    expect_api(
        client
            .user()
            .update_profile(UserUpdateProfileRequest::new(id.as_str()).name("no-at-sign"))
            .await,
        "User_UpdateProfile",
        ARGUMENT,
        "user@suffix",
    );
    expect_api(
        client
            .user()
            .update_profile(UserUpdateProfileRequest::new(id.as_str()).name(sb.admin_username()))
            .await,
        "User_UpdateProfile",
        INVALID_OPERATION,
        "already in use",
    );
    expect_api(
        client
            .user()
            .update_profile(UserUpdateProfileRequest::new("no-such-user").display_name("x"))
            .await,
        "User_UpdateProfile",
        NOT_FOUND,
        "no-such-user",
    );
    assert_eq!(
        sb.state().user(&id).unwrap().display_name.as_deref(),
        Some("Profile Updated"),
        "failed updates change nothing"
    );
    common::assert_all_routed(&sb);
}
