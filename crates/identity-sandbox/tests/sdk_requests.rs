//! Requests exactly as CyberArk's official Python SDK sends them, replayed against the sandbox.
//!
//! Written by us from reading `ark-sdk-python` 2.1.4 (PyPI), one request per Identity operation
//! its services call that `spec/identity.yaml` describes; each case names the SDK method it
//! comes from. The SDK sends every call with `Content-Type: application/json`,
//! `X-IDAP-NATIVE-CLIENT: true` and a bearer token (`ArkIdentityBaseService.__init__`), to the
//! tenant's Identity URL (`_url_prefix` is empty there; the `api/idadmin/` gateway prefix is the
//! base-URL work of another change). The sandbox must accept each request, and its answer must
//! validate against the operation's `200` response schema in the spec, converted to JSON Schema
//! by the generator's own converter, with the values the SDK reads present.

mod common;

use common::{demo, token};
use identity_sandbox::SandboxHandle;
use serde_json::{Value, json};

/// The spec as JSON.
fn spec() -> Value {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../../spec/identity.yaml");
    let text = std::fs::read_to_string(path).expect("spec/identity.yaml is readable");
    serde_yaml_ng::from_str(&text).expect("spec/identity.yaml is YAML")
}

/// Checks `answer` against the `200` JSON schema of `method path` in the spec.
fn assert_matches_spec(spec: &Value, method: &str, path: &str, answer: &Value) {
    let errors = spec_errors(spec, method, path, answer);
    assert!(
        errors.is_empty(),
        "{method} {path}: the answer does not match the spec: {errors:#?}\n{answer:#}"
    );
}

/// What is wrong with `answer` by the `200` JSON schema of `method path` in the spec.
fn spec_errors(spec: &Value, method: &str, path: &str, answer: &Value) -> Vec<String> {
    let pointer = format!(
        "/paths/{}/{}/responses/200/content/application~1json/schema",
        path.replace('~', "~0").replace('/', "~1"),
        method.to_ascii_lowercase()
    );
    let schema = spec
        .pointer(&pointer)
        .unwrap_or_else(|| panic!("the spec has no 200 JSON schema at {pointer}"));
    let bundled = cyberark_codegen::check::convert::json_schema_for(schema, spec);
    let validator = jsonschema::options()
        .with_draft(jsonschema::Draft::Draft202012)
        .build(&bundled)
        .expect("the response schema compiles");
    validator
        .iter_errors(answer)
        .map(|e| format!("{} at {}", e, e.instance_path().as_str()))
        .collect()
}

#[test]
fn the_spec_check_catches_a_wrong_answer() {
    let spec = spec();
    let wrong = json!({"success": true, "Result": {"Results": [{"Row": 5}]}});
    assert!(!spec_errors(&spec, "POST", "/Redrock/query", &wrong).is_empty());
    let wrong = json!({"success": true, "Result": 7});
    assert!(!spec_errors(&spec, "POST", "/CDirectoryService/CreateUser", &wrong).is_empty());
}

/// Sends one request the way the SDK's `requests` session does and returns the JSON answer.
async fn send(
    sb: &SandboxHandle,
    http: &reqwest::Client,
    token: &str,
    method: &str,
    path: &str,
    body: Option<Value>,
) -> Value {
    let url = format!("{}{path}", sb.url());
    let request = match method {
        "GET" => http.get(url),
        _ => http.post(url),
    }
    .bearer_auth(token)
    .header("Content-Type", "application/json")
    .header("X-IDAP-NATIVE-CLIENT", "true");
    let request = match body {
        Some(body) => request.body(body.to_string()),
        None => request,
    };
    let response = request.send().await.expect("the request is sent");
    assert_eq!(response.status(), 200, "{method} {path}");
    let text = response.text().await.expect("a body");
    serde_json::from_str(&text)
        .unwrap_or_else(|e| panic!("{method} {path}: not JSON ({e}): {text}"))
}

/// One replayed call: sent, answered `success: true`, and valid against the spec.
async fn replay(
    sb: &SandboxHandle,
    http: &reqwest::Client,
    token: &str,
    spec: &Value,
    (method, path, body): (&str, &str, Option<Value>),
) -> Value {
    let answer = send(sb, http, token, method, path, body).await;
    assert_eq!(answer["success"], true, "{method} {path}: {answer:#}");
    assert_matches_spec(spec, method, path, &answer);
    answer
}

/// The SDK's `DirectorySearchArgs().model_dump(by_alias=True)`: what it sends as `Args`,
/// including `Direction: ""` and the client-side `Ascending`.
fn sdk_args() -> Value {
    json!({
        "PageNumber": 1, "PageSize": 100000, "Limit": 100000, "SortBy": "",
        "Caching": -1, "Direction": "", "Ascending": true
    })
}

#[tokio::test]
async fn the_official_python_sdk_s_identity_requests_are_accepted_and_answered_as_specified() {
    let (sb, http) = demo().await;
    let token = token(&sb, &http).await;
    let spec = spec();
    let (sb, http, token, spec) = (&sb, &http, token.as_str(), &spec);

    // ArkIdentityDirectoriesService.list_directories: `self._client.get(url, data={})`, no body.
    let answer = replay(
        sb,
        http,
        token,
        spec,
        ("GET", "/Core/GetDirectoryServices", None),
    )
    .await;
    let rows = answer["Result"]["Results"].as_array().expect("Results");
    assert!(
        rows.iter()
            .any(|r| r["Row"]["Service"] == "CDS" && r["Row"]["directoryServiceUuid"].is_string()),
        "{answer:#}"
    );

    // ArkIdentityDirectoriesService.tenant_default_suffix: `self._client.post(url)`, no body.
    let answer = replay(
        sb,
        http,
        token,
        spec,
        ("POST", "/Core/GetCdsAliasesForTenant", None),
    )
    .await;
    let suffix = answer["Result"]["Results"][0]["Entities"][0]["Key"]
        .as_str()
        .expect("the SDK reads Results[].Entities[0].Key")
        .to_owned();

    // ArkIdentityUsersService.create_user: flags as the strings 'true'/'false', and
    // `MobileNumber: None` sent as null.
    let username = format!("it_user@{suffix}");
    let answer = replay(
        sb,
        http,
        token,
        spec,
        (
            "POST",
            "/CDirectoryService/CreateUser",
            Some(json!({
                "DisplayName": "IT User",
                "Name": username,
                "Mail": "it_user@example.com",
                "Password": "CoolPassword1!",
                "MobileNumber": null,
                "InEverybodyRole": "true",
                "InSysAdminRole": "false",
                "ForcePasswordChangeNext": "false",
                "SendEmailInvite": "false",
                "SendSmsInvite": "false",
            })),
        ),
    )
    .await;
    let user_id = answer["Result"]
        .as_str()
        .expect("the SDK reads Result as the id")
        .to_owned();
    let state = sb.state();
    let stored = state.user(&user_id).expect("created");
    assert_eq!(stored.name, username);
    assert!(
        !sb.invitations().iter().any(|i| i.user_id == user_id),
        "SendEmailInvite 'false' sent nothing"
    );

    // ArkIdentityUsersService.user_id_by_name: the value pasted between quotes.
    let answer = replay(
        sb,
        http,
        token,
        spec,
        (
            "POST",
            "/Redrock/query",
            Some(json!({"Script": format!("Select ID, Username from User WHERE Username='{username}'")})),
        ),
    )
    .await;
    assert_eq!(
        answer["Result"]["Results"][0]["Row"]["ID"],
        user_id.as_str()
    );

    // ArkIdentityUsersService.user_by_name and user_by_id.
    for script in [
        format!(
            "Select ID, Username, DisplayName, Email, MobileNumber, LastLogin from User WHERE Username='{username}'"
        ),
        format!(
            "Select ID, Username, DisplayName, Email, MobileNumber, LastLogin from User WHERE ID='{user_id}'"
        ),
    ] {
        let answer = replay(
            sb,
            http,
            token,
            spec,
            ("POST", "/Redrock/query", Some(json!({"Script": script}))),
        )
        .await;
        let row = &answer["Result"]["Results"][0]["Row"];
        for column in [
            "ID",
            "Username",
            "DisplayName",
            "Email",
            "MobileNumber",
            "LastLogin",
        ] {
            assert!(row.get(column).is_some(), "{column} in {row}");
        }
        assert_eq!(row["DisplayName"], "IT User");
    }

    // ArkIdentityConnectorsService.list_connectors and connector.
    let answer = replay(
        sb,
        http,
        token,
        spec,
        (
            "POST",
            "/Redrock/query",
            Some(json!({"Script": "Select * from Proxy"})),
        ),
    )
    .await;
    let connector = answer["Result"]["Results"][0]["Row"].clone();
    // The SDK's ArkIdentityConnectorInfo requires these columns.
    for column in [
        "DnsHostName",
        "Forest",
        "ID",
        "MachineName",
        "Name",
        "Online",
        "Version",
    ] {
        assert!(connector.get(column).is_some(), "{column} in {connector}");
    }
    let id = connector["ID"].as_str().expect("an ID");
    let answer = replay(
        sb,
        http,
        token,
        spec,
        (
            "POST",
            "/Redrock/query",
            Some(json!({"Script": format!("Select * from Proxy WHERE ID='{id}'")})),
        ),
    )
    .await;
    assert_eq!(answer["Result"]["Results"][0]["Row"]["ID"], id);

    // The SDK's `Args` (from DirectoryServiceQuery, where it sends them) on the operations of
    // the spec that page: `Direction: ""` is taken, as tenants take it.
    for (path, body) in [
        (
            "/Redrock/query",
            json!({"Script": "Select ID from User", "Args": sdk_args()}),
        ),
        ("/CDirectoryService/GetUsers", json!({"Args": sdk_args()})),
    ] {
        replay(sb, http, token, spec, ("POST", path, Some(body))).await;
    }

    // ArkIdentityUsersService.update_user: `ID` last, only the fields given.
    replay(
        sb,
        http,
        token,
        spec,
        (
            "POST",
            "/CDirectoryService/ChangeUser",
            Some(json!({"DisplayName": "IT User 2", "Mail": "it2@example.com", "ID": user_id})),
        ),
    )
    .await;
    assert_eq!(
        sb.state()
            .user(&user_id)
            .and_then(|u| u.display_name.clone())
            .as_deref(),
        Some("IT User 2")
    );

    // ArkIdentityUsersService.reset_user_password.
    replay(
        sb,
        http,
        token,
        spec,
        (
            "POST",
            "/UserMgmt/ResetUserPassword",
            Some(json!({"ID": user_id, "newPassword": "EvenCooler-Passw0rd"})),
        ),
    )
    .await;

    // ArkIdentityUsersService.delete_user: `{'ID': user_id or username}`, here the name.
    replay(
        sb,
        http,
        token,
        spec,
        (
            "POST",
            "/CDirectoryService/DeleteUser",
            Some(json!({"ID": username})),
        ),
    )
    .await;
    assert!(sb.state().user(&user_id).is_none());
}

/// ArkIdentityUsersService.delete_users sends `{'Users': [ids]}` with the list nested once more
/// (`[delete_users.user_ids]`, research notes part B §4.1 call it a bug). The sandbox refuses it
/// with a failure envelope that names `Users`, valid against the spec, and deletes nothing.
#[tokio::test]
async fn the_sdk_s_nested_remove_users_body_is_a_typed_failure() {
    let (sb, http) = demo().await;
    let token = token(&sb, &http).await;
    let spec = spec();
    let victim = sb
        .state()
        .users
        .iter()
        .find(|u| !u.service_user && !u.name.starts_with("admin"))
        .map(|u| u.id.clone())
        .expect("a demo user");
    let before = sb.state().users.len();
    let answer = send(
        &sb,
        &http,
        &token,
        "POST",
        "/UserMgmt/RemoveUsers",
        Some(json!({"Users": [[victim]]})),
    )
    .await;
    assert_eq!(answer["success"], false, "{answer:#}");
    assert!(
        answer["Message"]
            .as_str()
            .unwrap_or_default()
            .contains("Users"),
        "{answer:#}"
    );
    assert_matches_spec(&spec, "POST", "/UserMgmt/RemoveUsers", &answer);
    assert_eq!(sb.state().users.len(), before);
}
