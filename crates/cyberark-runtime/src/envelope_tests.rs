//! Envelope, SCIM and OAuth decoding against the documented examples.

use serde::Deserialize;

use super::*;
use crate::operation::{AuthMode, Method};
use crate::secret::Secret;

static GET_USER: Operation = Operation {
    id: "CDirectoryService_GetUser",
    tag: "CDirectoryService",
    name: "GetUser",
    method: Method::Post,
    path: "/CDirectoryService/GetUser",
    convention: Convention::Envelope,
    auth: AuthMode::Bearer,
    idempotent: true,
};

static SCIM_DELETE: Operation = Operation {
    id: "Scim_DeleteGroup",
    tag: "Scim",
    name: "DeleteGroup",
    method: Method::Delete,
    path: "/scim/Groups/{id}",
    convention: Convention::Scim,
    auth: AuthMode::Bearer,
    idempotent: true,
};

static TOKEN: Operation = Operation {
    id: "OAuth2_Token",
    tag: "OAuth2",
    name: "Token",
    method: Method::Post,
    path: "/oauth2/token/{app_id}",
    convention: Convention::OAuth,
    auth: AuthMode::None,
    idempotent: true,
};

#[derive(Debug, Deserialize, PartialEq)]
#[serde(rename_all = "PascalCase")]
struct CloudUser {
    uuid: String,
    name: String,
    in_everybody_role: bool,
}

/// The GetUser success example: research notes part A §2.1 (S10, `Manage User Data/Get user details.bru`).
const GET_USER_SUCCESS: &str = r#"{
  "success": true,
  "Result": {
    "Uuid": "3639c48b-9b0c-4017-ba10-bf5fb70cfb3d",
    "State": "None",
    "LastModifiedDate": "/Date(1712846865880)/",
    "DisplayName": "Bru User (API Testing)",
    "Version": "1",
    "Mail": "example@example.com",
    "Name": "bru.user@example.com",
    "ReportsTo": "Unassigned",
    "CreateDate": "/Date(1712846804359)/",
    "MobileNumber": "1238675309",
    "Alias": "example.com",
    "InEverybodyRole": true,
    "LastPasswordChangeDate": "/Date(1712846804359)/",
    "OauthClient": false
  },
  "Message": null,
  "MessageID": null,
  "Exception": null,
  "ErrorID": null,
  "ErrorCode": null,
  "IsSoftError": false,
  "InnerExceptions": null
}"#;

/// A captured failure: research notes part A §1.3 (S10, `Register tenant URL.bru`, "200 OK - Error").
const INVALID_OPERATION: &str = r#"{
  "success": false,
  "Result": null,
  "Message": "Operation is not valid due to the current state of the object.",
  "MessageID": "_I18N_System.InvalidOperationException",
  "Exception": "System.InvalidOperationException: Operation is not valid due to the current state of the object.\r\n   at CyberArkIdentity.Cloud.Core.TenantCnames.TenantCnamesController.<>c__DisplayClass7_0.<Register>b__0()",
  "ErrorID": "30bb5ff7-6eee-49e3-86a9-d0dae1781a51:c75618df52c14d63abddbe910a93f342",
  "ErrorCode": null,
  "IsSoftError": false,
  "InnerExceptions": null
}"#;

/// The official "already exists" example: research notes part A §1.3 (S15, `api/RoleManagement.yaml`,
/// `/Roles/StoreRole` 200 examples). The official example puts descriptions in MessageID/ErrorID.
const ROLE_EXISTS: &str = r#"{
  "success": false,
  "Result": null,
  "Message": "Role with name testrole already exists.",
  "MessageID": "The message ID is a unique identifier for the failure response.",
  "Exception": "There is no additional diagnostic information available.",
  "ErrorID": "The error ID is a unique identifier for a particular error scenario, enabling users to trace the problem back to the source.",
  "ErrorCode": "1409",
  "IsSoftError": false,
  "InnerExceptions": null
}"#;

#[test]
fn get_user_success_example_decodes() {
    let user: CloudUser = decode(&GET_USER, 200, GET_USER_SUCCESS.as_bytes()).unwrap();
    assert_eq!(
        user,
        CloudUser {
            uuid: "3639c48b-9b0c-4017-ba10-bf5fb70cfb3d".to_owned(),
            name: "bru.user@example.com".to_owned(),
            in_everybody_role: true,
        }
    );
}

#[test]
fn invalid_operation_failure_becomes_an_api_error() {
    let error = decode::<CloudUser>(&GET_USER, 200, INVALID_OPERATION.as_bytes()).unwrap_err();
    let api = error.as_api().expect("an API error");
    assert_eq!(api.status, 200);
    assert_eq!(
        api.message_id.as_deref(),
        Some("_I18N_System.InvalidOperationException")
    );
    assert_eq!(
        api.error_id.as_deref(),
        Some("30bb5ff7-6eee-49e3-86a9-d0dae1781a51:c75618df52c14d63abddbe910a93f342")
    );
    assert!(
        api.exception
            .as_deref()
            .unwrap()
            .starts_with("System.InvalidOperationException")
    );
    assert!(!api.is_soft_error);
    assert_eq!(
        error.to_string(),
        "CDirectoryService_GetUser failed: the tenant answered success=false: Operation is not valid due to the current state of the object. (MessageID _I18N_System.InvalidOperationException, ErrorID 30bb5ff7-6eee-49e3-86a9-d0dae1781a51:c75618df52c14d63abddbe910a93f342)"
    );
}

#[test]
fn role_exists_failure_keeps_the_error_code() {
    let error = decode::<()>(&GET_USER, 200, ROLE_EXISTS.as_bytes()).unwrap_err();
    let api = error.as_api().unwrap();
    assert_eq!(api.error_code.as_deref(), Some("1409"));
    assert_eq!(
        api.message.as_deref(),
        Some("Role with name testrole already exists.")
    );
}

#[test]
fn numeric_error_codes_and_minimal_envelopes_are_tolerated() {
    let error = decode::<()>(
        &GET_USER,
        200,
        br#"{"success":false,"ErrorCode":1409,"IsSoftError":true}"#,
    )
    .unwrap_err();
    let api = error.as_api().unwrap();
    assert_eq!(api.error_code.as_deref(), Some("1409"));
    assert!(api.is_soft_error);
    // `{"success": true}` with no Result decodes as null, so `()` and `Option<T>` work.
    decode::<()>(&GET_USER, 200, br#"{"success":true}"#).unwrap();
    assert_eq!(
        decode::<Option<u32>>(&GET_USER, 200, br#"{"success":true,"Result":null}"#).unwrap(),
        None
    );
    assert!(decode::<bool>(&GET_USER, 200, br#"{"success":true,"Result":true}"#).unwrap());
}

#[test]
fn decode_errors_name_the_path_inside_result() {
    let body = GET_USER_SUCCESS.replace(
        r#""Uuid": "3639c48b-9b0c-4017-ba10-bf5fb70cfb3d""#,
        r#""Uuid": 5"#,
    );
    match decode::<CloudUser>(&GET_USER, 200, body.as_bytes()).unwrap_err() {
        Error::Decode {
            operation,
            path,
            message,
            excerpt,
            status,
        } => {
            assert_eq!(operation, "CDirectoryService_GetUser");
            assert_eq!(path, "Result.Uuid");
            assert_eq!(message, "invalid type: integer `5`, expected a string");
            assert!(
                excerpt.starts_with(r#"{"success":true,"Result":{"Uuid":5"#),
                "{excerpt}"
            );
            assert!(excerpt.chars().count() <= 201);
            assert_eq!(status, 200);
        }
        other => panic!("unexpected {other:?}"),
    }

    #[derive(Debug, Deserialize)]
    #[allow(dead_code)]
    struct Row {
        #[serde(rename = "Name")]
        name: String,
    }
    #[derive(Debug, Deserialize)]
    #[allow(dead_code)]
    struct Item {
        #[serde(rename = "Row")]
        row: Row,
    }
    #[derive(Debug, Deserialize)]
    #[allow(dead_code)]
    struct Table {
        #[serde(rename = "Results")]
        results: Vec<Item>,
    }
    let body =
        br#"{"success":true,"Result":{"Results":[{"Row":{"Name":"a"}},{"Row":{"Name":null}}]}}"#;
    let error = decode::<Table>(&GET_USER, 200, body).unwrap_err();
    assert!(
        matches!(error, Error::Decode { ref path, .. } if path == "Result.Results[1].Row.Name")
    );
    let error =
        decode::<Vec<u32>>(&GET_USER, 200, br#"{"success":true,"Result":[1,"x"]}"#).unwrap_err();
    assert!(matches!(error, Error::Decode { ref path, .. } if path == "Result[1]"));
    let error = decode::<u32>(&GET_USER, 200, br#"{"success":true,"Result":"x"}"#).unwrap_err();
    assert!(matches!(error, Error::Decode { ref path, .. } if path == "Result"));
}

/// The path of a failure inside `Result` is found from serde_json's position in `Result`'s own
/// bytes, which start partway through a line of the body: nested objects, arrays of objects, a
/// missing field (named by its object) and an answer spread over lines.
#[test]
fn decode_error_paths_inside_result_on_any_line() {
    #[derive(Debug, Deserialize)]
    #[allow(dead_code)]
    struct Member {
        #[serde(rename = "Name")]
        name: String,
        #[serde(rename = "Roles", default)]
        roles: Vec<Vec<u32>>,
    }
    #[derive(Debug, Deserialize)]
    #[allow(dead_code)]
    struct Group {
        #[serde(rename = "Members")]
        members: Vec<Member>,
    }
    let path = |body: &str| match decode::<Group>(&GET_USER, 200, body.as_bytes()).unwrap_err() {
        Error::Decode { path, .. } => path,
        other => panic!("unexpected {other:?}"),
    };
    let body = "{\n  \"success\": true,\n  \"Result\": {\n    \"Members\": [\n      {\"Name\": \"a\"},\n      {\"Name\": \"b\", \"Roles\": [[1, 2], [3, \"x\"]]}\n    ]\n  }\n}";
    assert_eq!(path(body), "Result.Members[1].Roles[1][1]");
    let body = r#"{"success": true, "Result": {"Members": [{"Name": "a"}, {"Roles": []}]}}"#;
    assert_eq!(path(body), "Result.Members[1]");
    let body = r#"{"success": true, "Result": {"Members": {"Name": "a"}}}"#;
    assert_eq!(path(body), "Result.Members");
    let body = r#"{"success": true, "Result": {"Members": [{"Name": "a"}], "Members": []}}"#;
    assert_eq!(path(body), "Result");
    // A cut-off body fails as an envelope, whose `Result` is read whole: the path stops there.
    let body = r#"{"success": true, "Result": {"Members": [{"Name": "a"#;
    assert_eq!(path(body), "Result");
    let body = r#"{"success": true, "Mess"#;
    assert_eq!(path(body), ".");
}

#[test]
fn decode_error_excerpts_are_redacted() {
    let body = br#"{"success":true,"Result":{"Token":"very-secret-token","Uuid":5}}"#;
    let error = decode::<CloudUser>(&GET_USER, 200, body).unwrap_err();
    assert!(!error.to_string().contains("very-secret-token"));
    assert!(error.to_string().contains(r#""Token":"***""#));
}

#[test]
fn non_envelope_bodies() {
    let error = decode::<()>(&GET_USER, 404, b"<html>Not Found</html>").unwrap_err();
    assert_eq!(
        error.to_string(),
        "CDirectoryService_GetUser failed: the tenant answered HTTP 404: <html>Not Found</html>"
    );
    let error = decode::<()>(&GET_USER, 500, b"").unwrap_err();
    assert_eq!(
        error.to_string(),
        "CDirectoryService_GetUser failed: the tenant answered HTTP 500 without a message"
    );
    let error = decode::<()>(&GET_USER, 200, b"not json").unwrap_err();
    assert!(matches!(error, Error::Decode { ref path, .. } if path == "."));
    let error = decode::<()>(&GET_USER, 200, br#"{"Result":1}"#).unwrap_err();
    assert!(matches!(error, Error::Decode { ref path, .. } if path == "success"));
}

/// A malformed or cut-off envelope names where it broke, not only that it broke.
#[test]
fn malformed_envelopes_name_the_path() {
    let error =
        decode::<serde_json::Value>(&GET_USER, 200, br#"{"success": true, "Result": {"Uuid": "#)
            .unwrap_err();
    assert!(
        matches!(error, Error::Decode { ref path, .. } if path == "Result"),
        "{error:?}"
    );
    let error =
        decode::<serde_json::Value>(&GET_USER, 200, br#"{"success": "yes", "Result": null}"#)
            .unwrap_err();
    assert!(
        matches!(error, Error::Decode { ref path, .. } if path == "success"),
        "{error:?}"
    );
    let error = decode::<serde_json::Value>(
        &GET_USER,
        200,
        br#"{"success": true, "Result": null} trailing"#,
    )
    .unwrap_err();
    assert!(
        matches!(error, Error::Decode { ref path, .. } if path == "."),
        "{error:?}"
    );
}

#[test]
fn scim_success_empty_and_error() {
    decode::<()>(&SCIM_DELETE, 204, b"").unwrap();
    let value: serde_json::Value =
        decode(&SCIM_DELETE, 200, br#"{"id":"g1","displayName":"x"}"#).unwrap();
    assert_eq!(value["id"], "g1");
    // RFC 7644 §3.12 error object.
    let body = br#"{"schemas":["urn:ietf:params:scim:api:messages:2.0:Error"],"status":"409","scimType":"uniqueness","detail":"Group already exists"}"#;
    let error = decode::<()>(&SCIM_DELETE, 409, body).unwrap_err();
    let api = error.as_api().unwrap();
    assert_eq!(api.status, 409);
    assert_eq!(api.error_code.as_deref(), Some("uniqueness"));
    assert_eq!(api.message.as_deref(), Some("Group already exists"));
    assert_eq!(
        error.to_string(),
        "Scim_DeleteGroup failed: the tenant answered HTTP 409: Group already exists (ErrorCode uniqueness)"
    );
}

#[test]
fn oauth_success_and_error() {
    #[derive(Deserialize)]
    struct Token {
        access_token: crate::Secret,
        expires_in: u64,
    }
    // Research notes part B §2.2 (test mock in a public Go repo).
    let token: Token = decode(
        &TOKEN,
        200,
        br#"{"access_token": "abc.def.ghi", "token_type": "Bearer", "expires_in": 900}"#,
    )
    .unwrap();
    assert_eq!(token.access_token.expose(), "abc.def.ghi");
    assert_eq!(token.expires_in, 900);
    // Research notes part B §2.3 (S1 `OAuth2Token_400_errors`).
    let error = decode::<()>(
        &TOKEN,
        400,
        br#"{"error": "invalid_client", "error_description": "wrong clientid"}"#,
    )
    .unwrap_err();
    let api = error.as_api().unwrap();
    assert_eq!(api.error_code.as_deref(), Some("invalid_client"));
    assert_eq!(api.message.as_deref(), Some("wrong clientid"));
    assert_eq!(
        refusal_reason(br#"{"error": "invalid_client", "error_description": "wrong clientid"}"#)
            .as_deref(),
        Some("invalid_client: wrong clientid")
    );
}

/// Issue 11: a `Result` of 100,000 nested arrays overflowed the stack while the error's excerpt
/// was redacted (and took quadratic time). It must be a typed decode error naming the depth.
#[test]
fn deeply_nested_answers_are_a_decode_error() {
    let depth = 100_000;
    let body = format!(
        r#"{{"success":true,"Result":{}{}}}"#,
        "[".repeat(depth),
        "]".repeat(depth)
    );
    match decode::<CloudUser>(&GET_USER, 200, body.as_bytes()).unwrap_err() {
        Error::Decode {
            message,
            excerpt,
            path,
            ..
        } => {
            assert!(message.contains("deeper than 128 levels"), "{message}");
            assert!(path.starts_with("Result"), "{path}");
            assert!(excerpt.chars().count() <= 201, "{excerpt}");
        }
        other => panic!("unexpected {other:?}"),
    }
    // Untyped outputs (a `JsonValue` Result) must fail the same way rather than recurse.
    let error = decode::<serde_json::Value>(&GET_USER, 200, body.as_bytes()).unwrap_err();
    assert!(
        matches!(error, Error::Decode { ref message, .. } if message.contains("deeper than 128")),
        "{error:?}"
    );
    // The same for SCIM and OAuth answers and for failed answers.
    let bare = format!("{}{}", "[".repeat(depth), "]".repeat(depth));
    let error = decode::<serde_json::Value>(&SCIM_DELETE, 200, bare.as_bytes()).unwrap_err();
    assert!(matches!(error, Error::Decode { .. }), "{error:?}");
    let error = decode::<()>(&TOKEN, 400, bare.as_bytes()).unwrap_err();
    assert!(matches!(error, Error::Api(_)), "{error:?}");
    let error = decode::<()>(&GET_USER, 500, body.as_bytes()).unwrap_err();
    assert!(matches!(error, Error::Api(_)), "{error:?}");
}

static VAULT_RETRIEVE: Operation = Operation {
    id: "Accounts_RetrievePassword",
    tag: "Accounts",
    name: "RetrievePassword",
    method: Method::Post,
    path: "/API/Accounts/{accountId}/Password/Retrieve",
    convention: Convention::Vault,
    auth: AuthMode::Bearer,
    idempotent: false,
};

fn vault_error(status: u16, body: &str) -> ApiError {
    match decode::<serde_json::Value>(&VAULT_RETRIEVE, status, body.as_bytes()) {
        Err(Error::Api(api)) => *api,
        other => panic!("expected an API error, got {other:?}"),
    }
}

#[test]
fn vault_errors_map_code_message_and_details() {
    // Source: pvwa-api.md §10.1 (S4 `Ad Hoc Connect Using PSM.bru`, 400).
    let api = vault_error(
        400,
        r#"{"Details":[{"ErrorCode":"PASWS011E","ErrorMessage":"Missing mandatory parameter [userName].","ParameterName":"userName"}],"ErrorCode":"PASWS167E","ErrorMessage":"There are some invalid parameters"}"#,
    );
    assert_eq!(api.status, 400);
    assert_eq!(api.operation, "Accounts_RetrievePassword");
    assert_eq!(api.error_code.as_deref(), Some("PASWS167E"));
    assert_eq!(
        api.message.as_deref(),
        Some("There are some invalid parameters")
    );
    assert_eq!(
        api.details,
        [ErrorDetail {
            error_code: Some("PASWS011E".to_owned()),
            message: Some("Missing mandatory parameter [userName].".to_owned()),
            parameter_name: Some("userName".to_owned()),
        }]
    );
    assert_eq!(
        api.to_string(),
        "Accounts_RetrievePassword failed: the tenant answered HTTP 400: There are some invalid parameters (ErrorCode PASWS167E); parameter userName: Missing mandatory parameter [userName].: ErrorCode PASWS011E"
    );
    // The camel-case spelling some Privilege Cloud answers use (§13.5) reads the same.
    let api = vault_error(
        403,
        r#"{"errorCode":"PASWS041E","errorMessage":"You are not authorized to perform this action.","details":{"errorCode":"","errorMessage":"x","parameterName":"limit"}}"#,
    );
    assert_eq!(api.error_code.as_deref(), Some("PASWS041E"));
    assert_eq!(
        api.message.as_deref(),
        Some("You are not authorized to perform this action.")
    );
    assert_eq!(api.details.len(), 1);
    assert_eq!(api.details[0].parameter_name.as_deref(), Some("limit"));
    // An IIS error page or a bare string is kept as an excerpt, never lost.
    let api = vault_error(404, "<html>Not Found</html>");
    assert!(api.message.unwrap().contains("Not Found"));
    assert!(api.details.is_empty());
    let api = vault_error(500, r#"{"ErrorCode":42,"Details":"oops"}"#);
    assert_eq!(api.error_code.as_deref(), Some("42"));
}

#[test]
fn vault_answers_bare_strings_as_secrets_and_empty_bodies_as_unit() {
    let secret: Secret = decode(&VAULT_RETRIEVE, 200, br#""P@ss\"w0rd""#).unwrap();
    assert_eq!(secret.expose(), "P@ss\"w0rd");
    assert!(!format!("{secret:?} {secret}").contains("P@ss"));
    decode::<()>(&VAULT_RETRIEVE, 200, b"").unwrap();
    decode::<()>(&VAULT_RETRIEVE, 204, b"  ").unwrap();
    // A JSON object where a string was promised is a decode error that shows no secret value.
    let error = decode::<Secret>(&VAULT_RETRIEVE, 200, br#"{"password":"hunter2"}"#).unwrap_err();
    assert!(matches!(error, Error::Decode { .. }), "{error:?}");
    assert!(!error.to_string().contains("hunter2"), "{error}");
}

/// Tenants do not always answer a failure with `Result: null`; whatever `Result` holds then,
/// even a value of the wrong type for the operation, the failure is an API error.
#[test]
fn a_failure_with_a_non_null_result_is_still_an_api_error() {
    for result in [r#"false"#, r#""partial""#, r#"{"Uuid": 7}"#, r#"[1, 2]"#] {
        let body = format!(
            r#"{{"success":false,"Result":{result},"Message":"User x does not exist.","MessageID":"_I18N_NotFound","Exception":null,"ErrorID":"e:1","ErrorCode":null,"IsSoftError":false,"InnerExceptions":null}}"#
        );
        let error = decode::<CloudUser>(&GET_USER, 200, body.as_bytes()).unwrap_err();
        let api = error
            .as_api()
            .unwrap_or_else(|| panic!("an API error for {result}: {error}"));
        assert_eq!(api.message.as_deref(), Some("User x does not exist."));
    }
}
