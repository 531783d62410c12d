//! Sign-in as CyberArk's SDKs do it, over raw HTTP: client credentials as HTTP Basic or form
//! fields, the `authorization_code` (PKCE) and `refresh_token` grants, platform tokens from
//! StartAuthentication, out-of-band e-mail completed through the admin hook, paths in any case,
//! the platform gateway prefix and the discovery pod.

mod common;

use base64::Engine as _;
use common::{demo, ok};
use identity_sandbox::{Sandbox, Seed};
use serde_json::{Value, json};

fn b64url_decode(text: &str) -> Value {
    let bytes = base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(text)
        .expect("base64url");
    serde_json::from_slice(&bytes).expect("JSON claims")
}

fn s256(verifier: &str) -> String {
    let digest = ring::digest::digest(&ring::digest::SHA256, verifier.as_bytes());
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(digest.as_ref())
}

async fn form(
    http: &reqwest::Client,
    url: String,
    basic: Option<(&str, &str)>,
    fields: &[(&str, &str)],
) -> (u16, Value) {
    let mut request = http.post(url).form(fields);
    if let Some((id, secret)) = basic {
        request = request.basic_auth(id, Some(secret));
    }
    let response = request.send().await.expect("request");
    let status = response.status().as_u16();
    (status, response.json().await.expect("json"))
}

/// Both endpoints take the client's credentials as HTTP Basic (what CyberArk's SDK sends) or as
/// form fields, but not both at once.
#[tokio::test]
async fn client_credentials_as_basic_or_form() {
    let (sb, http) = demo().await;
    let (id, secret) = (sb.client_id(), sb.client_secret());
    for path in [
        "/oauth2/platformtoken".to_owned(),
        format!("/Oauth2/Token/{}", sb.app_id()),
    ] {
        let url = format!("{}{path}", sb.url());
        let grant = [("grant_type", "client_credentials"), ("scope", "api")];
        let (status, basic) = form(&http, url.clone(), Some((id, secret)), &grant).await;
        assert_eq!(status, 200, "{path}: {basic}");
        assert!(basic["access_token"].is_string());
        let fields = [
            ("grant_type", "client_credentials"),
            ("client_id", id),
            ("client_secret", secret),
        ];
        let (status, in_form) = form(&http, url.clone(), None, &fields).await;
        assert_eq!(status, 200, "{path}: {in_form}");
        let (status, both) = form(&http, url.clone(), Some((id, secret)), &fields).await;
        assert_eq!(status, 400, "{path}: {both}");
        assert_eq!(both["error"], "invalid_request");
        let (status, wrong) = form(&http, url, Some((id, "wrong")), &grant).await;
        assert_eq!(status, 401, "{path}: {wrong}");
        assert_eq!(wrong["error"], "invalid_client");
    }
}

/// The authorization-code grant with PKCE: the code is exchanged once, only with the verifier
/// that hashes to its challenge, and gives a refresh token that is itself good for one refresh.
#[tokio::test]
async fn authorization_code_with_pkce_then_refresh() {
    let (sb, http) = demo().await;
    let url = format!("{}/OAuth2/Token/{}", sb.url(), sb.app_id());
    let verifier = "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk";
    let redirect = "http://127.0.0.1/callback";
    let code = sb
        .authorization_code(sb.admin_username(), redirect, Some(&s256(verifier)))
        .expect("known user");
    let exchange = |code: String, verifier: &'static str| {
        let url = url.clone();
        let http = http.clone();
        async move {
            form(
                &http,
                url,
                None,
                &[
                    ("grant_type", "authorization_code"),
                    ("client_id", "sandbox-public-client"),
                    ("code", &code),
                    ("redirect_uri", redirect),
                    ("code_verifier", verifier),
                ],
            )
            .await
        }
    };
    let (status, wrong) =
        exchange(code.clone(), "not-the-verifier-at-all-0123456789-abcdefgh").await;
    assert_eq!(
        (status, wrong["error"].as_str()),
        (400, Some("invalid_grant"))
    );
    // A refused exchange used the code up, as tenants do.
    let (status, _) = exchange(code, verifier).await;
    assert_eq!(status, 400);
    let code = sb
        .authorization_code(sb.admin_username(), redirect, Some(&s256(verifier)))
        .expect("known user");
    let (status, tokens) = exchange(code.clone(), verifier).await;
    assert_eq!(status, 200, "{tokens}");
    let access = tokens["access_token"].as_str().expect("access_token");
    let refresh = tokens["refresh_token"]
        .as_str()
        .expect("refresh_token")
        .to_owned();
    let me = ok(
        &sb,
        &http,
        access,
        "/CDirectoryService/GetUserAttributes",
        json!({}),
    )
    .await;
    assert!(me.is_object());
    let (status, _) = exchange(code, verifier).await;
    assert_eq!(status, 400, "a code is good for one exchange");

    let refresh_form = |refresh: String| {
        let (url, http) = (url.clone(), http.clone());
        async move {
            form(
                &http,
                url,
                None,
                &[
                    ("grant_type", "refresh_token"),
                    ("client_id", "sandbox-public-client"),
                    ("refresh_token", &refresh),
                ],
            )
            .await
        }
    };
    let (status, refreshed) = refresh_form(refresh.clone()).await;
    assert_eq!(status, 200, "{refreshed}");
    assert_ne!(refreshed["refresh_token"].as_str(), Some(refresh.as_str()));
    let (status, reused) = refresh_form(refresh).await;
    assert_eq!(
        (status, reused["error"].as_str()),
        (400, Some("invalid_grant"))
    );
    // A public client without PKCE gets nothing.
    let code = sb
        .authorization_code(sb.admin_username(), redirect, None)
        .expect("known user");
    let (status, refused) = form(
        &http,
        url,
        None,
        &[
            ("grant_type", "authorization_code"),
            ("client_id", "sandbox-public-client"),
            ("code", &code),
            ("redirect_uri", redirect),
        ],
    )
    .await;
    assert_eq!(
        (status, refused["error"].as_str()),
        (400, Some("invalid_request"))
    );
}

/// `PlatformTokenResponse: true` gets a platform JWT with the claims CyberArk's SDKs read, and a
/// refresh token; without it, `Token` and `Auth` are the session token.
#[tokio::test]
async fn start_authentication_answers_a_platform_token() {
    let (sb, http) = demo().await;
    let login = |platform: bool| {
        let (sb, http) = (sb.clone(), http.clone());
        async move {
            let start = ok(&sb, &http, "", "/Security/StartAuthentication",
                json!({"User": sb.admin_username(), "Version": "1.0", "PlatformTokenResponse": platform, "MfaRequestor": "DeviceAgent"})).await;
            let up = start["Challenges"][0]["Mechanisms"][0]["MechanismId"].clone();
            ok(&sb, &http, "", "/Security/AdvanceAuthentication",
                json!({"SessionId": start["SessionId"], "MechanismId": up, "Action": "Answer", "Answer": sb.admin_password()})).await
        }
    };
    let done = login(true).await;
    assert_eq!(done["Summary"], "LoginSuccess");
    let token = done["Token"].as_str().expect("Token");
    assert_ne!(done["Auth"], done["Token"]);
    assert!(done["RefreshToken"].as_str().is_some_and(|r| !r.is_empty()));
    let claims = b64url_decode(token.split('.').nth(1).expect("a JWT"));
    assert_eq!(claims["unique_name"], sb.admin_username());
    assert_eq!(claims["tenant_id"], "SBX0001");
    assert_eq!(claims["subdomain"], "sandbox");
    assert_eq!(claims["platform_domain"], "cyberark.cloud");
    assert!(
        claims["iat"]
            .as_i64()
            .is_some_and(|iat| iat > 1_700_000_000)
    );
    assert!(claims["exp"].as_i64() > claims["iat"].as_i64());
    // Both tokens are bearer tokens of the tenant.
    ok(
        &sb,
        &http,
        token,
        "/CDirectoryService/GetUserAttributes",
        json!({}),
    )
    .await;
    ok(
        &sb,
        &http,
        done["Auth"].as_str().expect("Auth"),
        "/CDirectoryService/GetUserAttributes",
        json!({}),
    )
    .await;

    let plain = login(false).await;
    assert_eq!(plain["Token"], plain["Auth"]);
    assert!(plain.get("RefreshToken").is_none());
}

/// The e-mail mechanism is `StartTextOob` as on real tenants: started, then polled until the
/// admin hook "clicks the link".
#[tokio::test]
async fn out_of_band_email_completes_through_the_admin_hook() {
    let (sb, http) = demo().await;
    let start = ok(
        &sb,
        &http,
        "",
        "/Security/StartAuthentication",
        json!({"User": sb.mfa_username(), "Version": "1.0"}),
    )
    .await;
    let session = start["SessionId"].clone();
    let email = &start["Challenges"][1]["Mechanisms"][0];
    assert_eq!(email["AnswerType"], "StartTextOob");
    assert_eq!(
        start["Challenges"][0]["Mechanisms"][0]["AnswerType"],
        "Text"
    );
    let up = start["Challenges"][0]["Mechanisms"][0]["MechanismId"].clone();
    let advance = |mechanism: Value, action: &'static str, answer: Option<&str>| {
        let (sb, http, session) = (sb.clone(), http.clone(), session.clone());
        let answer = answer.map(str::to_owned);
        async move {
            ok(&sb, &http, "", "/Security/AdvanceAuthentication",
                json!({"SessionId": session, "MechanismId": mechanism, "Action": action, "Answer": answer})).await
        }
    };
    let step = advance(up, "Answer", Some(sb.mfa_password())).await;
    assert_eq!(step["Summary"], "StartNextChallenge");
    assert_eq!(sb.approve_oob(sb.mfa_username()), 0, "nothing started yet");
    let mech = email["MechanismId"].clone();
    assert_eq!(
        advance(mech.clone(), "StartOOB", None).await["Summary"],
        "OobPending"
    );
    assert_eq!(
        advance(mech.clone(), "Poll", None).await["Summary"],
        "OobPending"
    );
    // The hook over HTTP, as a test suite in another language would click it.
    let clicked: Value = http
        .post(format!("{}/__sandbox/oob/approve", sb.url()))
        .json(&json!({"user": sb.mfa_username()}))
        .send()
        .await
        .expect("admin hook")
        .json()
        .await
        .expect("json");
    assert_eq!(clicked["approved"], 1);
    let done = advance(mech, "Poll", None).await;
    assert_eq!(done["Summary"], "LoginSuccess");
    assert!(done["Token"].is_string());
}

/// Tenants match paths without regard to case and serve the platform gateway's prefix.
#[tokio::test]
async fn paths_in_any_case_and_under_the_gateway() {
    let (sb, http) = demo().await;
    for path in [
        "/oauth2/platformtoken",
        "/OAuth2/PlatformToken",
        "/api/idadmin/oauth2/platformtoken",
        "/api/idadmin/OAuth2/platformtoken",
    ] {
        let (status, body) = form(
            &http,
            format!("{}{path}", sb.url()),
            Some((sb.client_id(), sb.client_secret())),
            &[("grant_type", "client_credentials")],
        )
        .await;
        assert_eq!(status, 200, "{path}: {body}");
    }
    let token = common::token(&sb, &http).await;
    for path in [
        "/api/idadmin/CDirectoryService/GetUserAttributes",
        "/cdirectoryservice/getuserattributes",
        "/API/IDADMIN/CDIRECTORYSERVICE/GETUSERATTRIBUTES",
    ] {
        let (status, v) = common::post(&sb, &http, &token, path, json!({})).await;
        assert_eq!((status, &v["success"]), (200, &json!(true)), "{path}: {v}");
    }
    let (status, _) = common::post(
        &sb,
        &http,
        &token,
        "/api/CDirectoryService/GetUserAttributes",
        json!({}),
    )
    .await;
    assert_eq!(status, 404);
}

/// The discovery pod names the tenant's pod for a login of the tenant, as CyberArk's `pod0`
/// does for `@suffix` and for a full login name; it refuses a suffix it does not serve.
#[tokio::test]
async fn the_discovery_pod_answers_pod_fqdn() {
    let sb = Sandbox::builder()
        .seed(Seed::Demo)
        .discovery(true)
        .start()
        .await
        .expect("sandbox starts");
    let http = reqwest::Client::new();
    let pod0 = sb.discovery_url().expect("a discovery pod");
    assert_ne!(pod0, sb.url());
    let tenant_host = sb.url().trim_start_matches("http://").to_owned();
    for user in [
        sb.admin_username().to_owned(),
        "@sandbox.example".to_owned(),
    ] {
        let v: Value = http
            .post(format!("{pod0}/Security/StartAuthentication"))
            .json(&json!({"User": user, "Version": "1.0", "PlatformTokenResponse": true, "MfaRequestor": "DeviceAgent"}))
            .send().await.expect("request").json().await.expect("json");
        assert_eq!(v["success"], true, "{v}");
        assert_eq!(v["Result"]["PodFqdn"], tenant_host.as_str());
        assert!(v["Result"].get("SessionId").is_none());
    }
    let v: Value = http
        .post(format!("{pod0}/Security/StartAuthentication"))
        .json(&json!({"User": "someone@other.example", "Version": "1.0"}))
        .send()
        .await
        .expect("request")
        .json()
        .await
        .expect("json");
    assert_eq!(v["success"], false, "{v}");
    // The tenant's own pod starts the login.
    let start = ok(
        &sb,
        &http,
        "",
        "/Security/StartAuthentication",
        json!({"User": sb.admin_username(), "Version": "1.0"}),
    )
    .await;
    assert!(start["SessionId"].is_string());
    assert!(
        Sandbox::builder()
            .start()
            .await
            .expect("starts")
            .discovery_url()
            .is_none()
    );
}
