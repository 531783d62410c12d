//! Auth, realistic flows and error envelopes over raw HTTP.

mod common;

use common::{demo, fails, ok, post, token};
use identity_sandbox::{Sandbox, Seed};
use serde_json::{Value, json};
use std::time::Duration;

#[tokio::test]
async fn no_token_is_401_text_html() {
    let (sb, http) = demo().await;
    let r = http
        .post(format!("{}/CDirectoryService/GetUsers", sb.url()))
        .send()
        .await
        .expect("request");
    assert_eq!(r.status(), 401);
    assert!(
        r.headers()["content-type"]
            .to_str()
            .expect("ascii")
            .starts_with("text/html")
    );
    assert!(
        r.text()
            .await
            .expect("body")
            .contains("You do not have access to this content")
    );
    let r = http
        .post(format!("{}/CDirectoryService/GetUsers", sb.url()))
        .bearer_auth("not-a-token")
        .send()
        .await
        .expect("request");
    assert_eq!(r.status(), 401);
}

#[tokio::test]
async fn wrong_client_secret_is_invalid_client() {
    let (sb, http) = demo().await;
    let r = http
        .post(format!("{}/oauth2/token/{}", sb.url(), sb.app_id()))
        .form(&[
            ("grant_type", "client_credentials"),
            ("client_id", sb.client_id()),
            ("client_secret", "wrong"),
        ])
        .send()
        .await
        .expect("request");
    assert_eq!(r.status(), 401);
    let v: Value = r.json().await.expect("json");
    assert_eq!(v["error"], "invalid_client");
    let r = http
        .post(format!("{}/oauth2/token/{}", sb.url(), sb.app_id()))
        .form(&[
            ("grant_type", "client_credentials"),
            ("client_id", sb.client_id()),
            ("client_secret", sb.client_secret()),
        ])
        .send()
        .await
        .expect("request");
    assert_eq!(r.status(), 200);
}

#[tokio::test]
async fn tokens_expire() {
    let sb = Sandbox::builder()
        .token_ttl(Duration::from_millis(300))
        .start()
        .await
        .expect("starts");
    let http = reqwest::Client::new();
    let t = token(&sb, &http).await;
    ok(
        &sb,
        &http,
        &t,
        "/CDirectoryService/GetUserAttributes",
        json!({}),
    )
    .await;
    tokio::time::sleep(Duration::from_millis(400)).await;
    let (status, _) = post(
        &sb,
        &http,
        &t,
        "/CDirectoryService/GetUserAttributes",
        json!({}),
    )
    .await;
    assert_eq!(status, 401);
}

#[tokio::test]
async fn password_and_otp_login() {
    let (sb, http) = demo().await;
    let start = ok(
        &sb,
        &http,
        "",
        "/Security/StartAuthentication",
        json!({"User": sb.mfa_username(), "Version": "1.0"}),
    )
    .await;
    let session = start["SessionId"].as_str().expect("session").to_owned();
    let challenges = start["Challenges"].as_array().expect("challenges");
    assert_eq!(challenges.len(), 2);
    let up = challenges[0]["Mechanisms"][0]["MechanismId"]
        .as_str()
        .expect("up")
        .to_owned();
    let email = challenges[1]["Mechanisms"][0]["MechanismId"]
        .as_str()
        .expect("email")
        .to_owned();
    assert_eq!(challenges[1]["Mechanisms"][0]["Name"], "EMAIL");
    let step = ok(&sb, &http, "", "/Security/AdvanceAuthentication",
        json!({"SessionId": session, "MechanismId": up, "Action": "Answer", "Answer": sb.mfa_password()})).await;
    assert_eq!(step["Summary"], "StartNextChallenge");
    let done = ok(
        &sb,
        &http,
        "",
        "/Security/AdvanceAuthentication",
        json!({"SessionId": session, "MechanismId": email, "Action": "Answer", "Answer": "123456"}),
    )
    .await;
    assert_eq!(done["Summary"], "LoginSuccess");
    let t = done["Token"].as_str().expect("token").to_owned();
    let me = ok(
        &sb,
        &http,
        &t,
        "/CDirectoryService/GetUserAttributes",
        json!({}),
    )
    .await;
    assert_eq!(me["Name"], sb.mfa_username());
    // Logout ends the token.
    ok(&sb, &http, &t, "/Security/Logout", json!({})).await;
    let (status, _) = post(
        &sb,
        &http,
        &t,
        "/CDirectoryService/GetUserAttributes",
        json!({}),
    )
    .await;
    assert_eq!(status, 401);
}

#[tokio::test]
async fn wrong_password_fails_the_package() {
    let (sb, http) = demo().await;
    let start = ok(
        &sb,
        &http,
        "",
        "/Security/StartAuthentication",
        json!({"User": sb.admin_username(), "Version": "1.0"}),
    )
    .await;
    let session = start["SessionId"].as_str().expect("session");
    let up = start["Challenges"][0]["Mechanisms"][0]["MechanismId"]
        .as_str()
        .expect("up");
    let v = fails(
        &sb,
        &http,
        "",
        "/Security/AdvanceAuthentication",
        json!({"SessionId": session, "MechanismId": up, "Action": "Answer", "Answer": "nope"}),
    )
    .await;
    assert_eq!(v["Result"]["Summary"], "Failure");
    // The package is gone: even the right password fails now.
    let v = fails(&sb, &http, "", "/Security/AdvanceAuthentication",
        json!({"SessionId": session, "MechanismId": up, "Action": "Answer", "Answer": sb.admin_password()})).await;
    assert_eq!(v["Result"]["Summary"], "Failure");
}

#[tokio::test]
async fn user_lifecycle_through_scim_and_cdirectory() {
    let (sb, http) = demo().await;
    let t = token(&sb, &http).await;
    let r = http
        .post(format!("{}/scim/Users", sb.url()))
        .bearer_auth(&t)
        .header("content-type", "application/scim+json")
        .body(r#"{"schemas":["urn:ietf:params:scim:schemas:core:2.0:User"],"userName":"new.hire@sandbox.example","password":"Pw-1","displayName":"New Hire"}"#)
        .send()
        .await
        .expect("create");
    assert_eq!(r.status(), 201);
    assert!(
        r.headers()["content-type"]
            .to_str()
            .expect("ascii")
            .starts_with("application/scim+json")
    );
    let scim: Value = r.json().await.expect("json");
    let state = sb.state();
    let user = state.user("new.hire@sandbox.example").expect("created");
    assert_eq!(user.scim_id, scim["id"].as_str().expect("id"));
    let id = user.id.clone();

    // A duplicate is a SCIM 409.
    let r = http
        .post(format!("{}/scim/Users", sb.url()))
        .bearer_auth(&t)
        .header("content-type", "application/scim+json")
        .body(r#"{"schemas":["urn:ietf:params:scim:schemas:core:2.0:User"],"userName":"NEW.HIRE@sandbox.example","password":"x"}"#)
        .send()
        .await
        .expect("dup");
    assert_eq!(r.status(), 409);
    let v: Value = r.json().await.expect("json");
    assert_eq!(v["status"], "409");

    ok(
        &sb,
        &http,
        &t,
        "/CDirectoryService/ChangeUser",
        json!({"ID": id, "Mail": "nh@x.example", "ReportsTo": "bob.cto@sandbox.example"}),
    )
    .await;
    let u = ok(
        &sb,
        &http,
        &t,
        "/CDirectoryService/GetUser",
        json!({"ID": id}),
    )
    .await;
    assert_eq!(u["Mail"], "nh@x.example");
    assert_eq!(u["ReportsTo"], "bob.cto@sandbox.example");
    let by_name = ok(
        &sb,
        &http,
        &t,
        "/CDirectoryService/GetUserByName",
        json!({"username": "NEW.HIRE@sandbox.example"}),
    )
    .await;
    assert_eq!(by_name["Uuid"], id);

    ok(
        &sb,
        &http,
        &t,
        "/CDirectoryService/SetUserState",
        json!({"ID": id, "state": "Locked,Disabled"}),
    )
    .await;
    assert_eq!(
        sb.state().user(&id).expect("user").state,
        "Locked, Disabled"
    );
    let r = http
        .post(format!(
            "{}/UserMgmt/SetCloudLock?user={id}&lockUser=true",
            sb.url()
        ))
        .bearer_auth(&t)
        .send()
        .await
        .expect("lock");
    assert_eq!(r.status(), 200);
    let r = http
        .post(format!("{}/UserMgmt/IsUserCloudLocked?user={id}", sb.url()))
        .bearer_auth(&t)
        .send()
        .await
        .expect("locked?");
    assert_eq!(r.json::<Value>().await.expect("json")["Result"], true);

    let h = http
        .post(format!("{}/UserMgmt/GetUserHierarchy?ID={id}", sb.url()))
        .bearer_auth(&t)
        .send()
        .await
        .expect("hierarchy")
        .json::<Value>()
        .await
        .expect("json");
    assert_eq!(
        h["Result"]["Managers"][0]["Name"],
        "bob.cto@sandbox.example"
    );
    assert_eq!(
        h["Result"]["Managers"][1]["Name"],
        "alice.ceo@sandbox.example"
    );

    ok(
        &sb,
        &http,
        &t,
        "/UserMgmt/RemoveUsers",
        json!({"Users": [id]}),
    )
    .await;
    fails(
        &sb,
        &http,
        &t,
        "/CDirectoryService/GetUser",
        json!({"ID": id}),
    )
    .await;
    // A resend deletes nothing more and succeeds.
    ok(
        &sb,
        &http,
        &t,
        "/UserMgmt/RemoveUsers",
        json!({"Users": [id]}),
    )
    .await;
}

#[tokio::test]
async fn ext_attributes_and_orgs() {
    let (sb, http) = demo().await;
    let t = token(&sb, &http).await;
    let schema = ok(
        &sb,
        &http,
        &t,
        "/ExtData/GetSchema",
        json!({"Table": "users"}),
    )
    .await;
    assert_eq!(schema["Columns"].as_array().expect("columns").len(), 4);
    let carol = sb
        .state()
        .user("carol.eng@sandbox.example")
        .expect("carol")
        .id
        .clone();
    ok(&sb, &http, &t, "/ExtData/SetColumns", json!({"Table": "Users", "ID": carol, "Columns": {"Department": null, "BadgeNumber": "77"}})).await;
    let cols = ok(
        &sb,
        &http,
        &t,
        "/ExtData/GetColumns",
        json!({"Table": "users", "ID": carol}),
    )
    .await;
    assert!(cols.get("Department").is_none());
    assert_eq!(cols["BadgeNumber"], 77);
    let cols = ok(
        &sb,
        &http,
        &t,
        "/ExtData/GetColumns",
        json!({"Table": "users", "ID": carol, "IncludeNulls": true}),
    )
    .await;
    assert_eq!(cols["Department"], Value::Null);
    let v = fails(
        &sb,
        &http,
        &t,
        "/ExtData/SetColumns",
        json!({"Table": "users", "ID": carol, "Columns": {"BadgeNumber": "x"}}),
    )
    .await;
    assert_eq!(v["MessageID"], "_I18N_System.ArgumentException");

    let org = ok(
        &sb,
        &http,
        &t,
        "/Org/Create",
        json!({"Name": "EMEA", "Description": "EMEA region"}),
    )
    .await;
    let org_id = org["ID"].as_str().expect("id").to_owned();
    let dup = fails(&sb, &http, &t, "/Org/Create", json!({"Name": "emea"})).await;
    assert_eq!(dup["ErrorCode"], "1409");
    ok(
        &sb,
        &http,
        &t,
        "/Org/ChangeMemberShip",
        json!({"OrgId": org_id, "Add": [{"ID": carol, "Type": "User"}]}),
    )
    .await;
    fails(
        &sb,
        &http,
        &t,
        "/Org/ChangeMemberShip",
        json!({"OrgId": org_id, "Add": [{"ID": carol, "Type": "User"}]}),
    )
    .await;
    ok(
        &sb,
        &http,
        &t,
        "/Org/UpdateAdministrators",
        json!({"OrgId": org_id, "Grant": [{"Id": carol}]}),
    )
    .await;
    let admins = ok(
        &sb,
        &http,
        &t,
        "/Org/GetAdministrators",
        json!({"OrgId": org_id}),
    )
    .await;
    assert_eq!(
        admins["Results"][0]["Row"]["Name"],
        "carol.eng@sandbox.example"
    );
    let view = sb.state();
    let emea = view.org("EMEA").expect("org");
    assert_eq!(emea.members, vec![(carol.clone(), "User".to_owned())]);
    ok(&sb, &http, &t, "/Org/Delete", json!({"OrgId": org_id})).await;
    fails(&sb, &http, &t, "/Org/Get", json!({"OrgId": org_id})).await;
}

#[tokio::test]
async fn error_envelopes_for_bad_input() {
    let (sb, http) = demo().await;
    let t = token(&sb, &http).await;
    let v = fails(&sb, &http, &t, "/CDirectoryService/GetUser", json!({})).await;
    assert_eq!(v["Message"], "Parameter \"ID\" must be specified.");
    assert_eq!(v["IsSoftError"], false);
    assert_eq!(v["ErrorCode"], Value::Null);
    let id = v["ErrorID"].as_str().expect("error id");
    let (uuid, hex) = id.split_once(':').expect("uuid:hex");
    assert_eq!((uuid.len(), hex.len()), (36, 32));
    // Malformed JSON and wrong types are envelopes too, not framework rejections.
    let r = http
        .post(format!("{}/CDirectoryService/ChangeUser", sb.url()))
        .bearer_auth(&t)
        .header("content-type", "application/json")
        .body("{not json")
        .send()
        .await
        .expect("request");
    assert_eq!(r.status(), 200);
    assert_eq!(r.json::<Value>().await.expect("json")["success"], false);
    let v = fails(
        &sb,
        &http,
        &t,
        "/CDirectoryService/ChangeUserState",
        json!({"uuid": {"a": 1}, "state": true}),
    )
    .await;
    assert!(
        v["Message"]
            .as_str()
            .expect("message")
            .contains("Error converting value")
    );
}

#[tokio::test]
async fn unknown_route_is_a_loud_404() {
    let (sb, http) = demo().await;
    let r = http
        .post(format!("{}/CDirectoryService/GetUserz", sb.url()))
        .send()
        .await
        .expect("request");
    assert_eq!(r.status(), 404);
    let text = r.text().await.expect("body");
    assert!(text.contains("POST /CDirectoryService/GetUserz"), "{text}");
    let r = http
        .get(format!("{}/Org/Create", sb.url()))
        .send()
        .await
        .expect("request");
    assert_eq!(r.status(), 405);
}

#[tokio::test]
async fn csv_import_creates_users_and_invitations() {
    let (sb, http) = demo().await;
    let t = token(&sb, &http).await;
    let csv = "Login Name,Display Name,Email,Mobile Number\nimp.one@sandbox.example,Imp One,imp1@x.example,+1 555 1111\nimp.two@sandbox.example,\"Two, Imp\",imp2@x.example,\n";
    let form = reqwest::multipart::Form::new()
        .text("FileName", "users.csv")
        .part(
            "Icon",
            reqwest::multipart::Part::bytes(csv.as_bytes().to_vec()).file_name("users.csv"),
        );
    let r: Value = http
        .post(format!(
            "{}/CDirectoryService/GetUsersFromCsvFile?importType=ImportBulkUser",
            sb.url()
        ))
        .bearer_auth(&t)
        .multipart(form)
        .send()
        .await
        .expect("upload")
        .json()
        .await
        .expect("json");
    let return_id = r["Result"]["ReturnID"]
        .as_str()
        .expect("ReturnID")
        .to_owned();
    let r: Value = http
        .post(format!("{}/CDirectoryService/SubmitUploadedFile?importType=ImportBulkUser", sb.url()))
        .bearer_auth(&t)
        .json(&json!({"ReturnID": return_id, "AdminEmail": "admin@sandbox.example", "SendEmailInvite": true}))
        .send()
        .await
        .expect("submit")
        .json()
        .await
        .expect("json");
    let inner: Value =
        serde_json::from_str(r["Result"].as_str().expect("string result")).expect("inner envelope");
    assert_eq!(inner["success"], true);
    assert_eq!(
        sb.state()
            .user("imp.two@sandbox.example")
            .expect("imported")
            .display_name
            .as_deref(),
        Some("Two, Imp")
    );
    assert_eq!(
        sb.invitations()
            .iter()
            .filter(|i| i.source == "CDirectoryService_SubmitUploadedFile")
            .count(),
        2
    );
}

#[tokio::test]
async fn two_clients_see_each_others_changes() {
    let sb = Sandbox::builder()
        .seed(Seed::Demo)
        .start()
        .await
        .expect("starts");
    let (a, b) = (reqwest::Client::new(), reqwest::Client::new());
    let (ta, tb) = (token(&sb, &a).await, token(&sb, &b).await);
    ok(&sb, &a, &ta, "/Org/Create", json!({"Name": "Shared"})).await;
    let list = ok(&sb, &b, &tb, "/Org/ListAll", json!({})).await;
    assert!(
        list.as_array()
            .expect("list")
            .iter()
            .any(|o| o["Name"] == "Shared")
    );
}
