//! Authentication end to end: both OAuth2 token endpoints, interactive login with and without a
//! second factor, token expiry and refresh, refused credentials, a static bearer token, and the
//! generated Authentication operations called directly.

mod common;

use std::sync::{Arc, Mutex};
use std::time::Duration;

use common::{client, count, fast_retry, header, last_request, requests_of, sandbox};
use cyberark_identity::{
    AdvanceAuthenticationResultSummary, AuthenticationAdvanceAuthenticationRequest,
    AuthenticationLogoutRequest, AuthenticationPlatformTokenRequest,
    AuthenticationRefreshPlatformTokenRequest, AuthenticationStartAuthenticationRequest,
    AuthenticationTokenRequest, Client, Error, MfaAnswer, MfaChallenge, OrgListAllRequest,
};
use identity_sandbox::{Sandbox, Seed};

/// Any cheap authenticated call.
async fn probe(client: &Client) -> Result<(), Error> {
    client
        .org()
        .list_all(OrgListAllRequest::new())
        .await
        .map(drop)
}

/// The form fields of a logged form body.
fn form(body: &str) -> Vec<(String, String)> {
    body.split('&')
        .filter(|p| !p.is_empty())
        .map(|pair| {
            let (k, v) = pair.split_once('=').unwrap_or((pair, ""));
            (k.to_owned(), v.to_owned())
        })
        .collect()
}

fn field<'a>(fields: &'a [(String, String)], name: &str) -> Option<&'a str> {
    fields
        .iter()
        .find(|(k, _)| k == name)
        .map(|(_, v)| v.as_str())
}

#[tokio::test]
async fn client_credentials_use_the_platform_token_endpoint_with_a_form_body() {
    let sb = sandbox().await;
    let client = client(&sb);
    probe(&client)
        .await
        .expect("an authenticated call succeeds");
    probe(&client)
        .await
        .expect("a second call reuses the token");

    let tokens = requests_of(&sb, "Authentication_PlatformToken");
    assert_eq!(tokens.len(), 1, "the token is fetched once and cached");
    let token = &tokens[0];
    assert_eq!(token.method, "POST");
    assert_eq!(token.path, "/oauth2/platformtoken");
    assert_eq!(token.status, 200);
    assert!(
        header(token, "content-type")
            .is_some_and(|ct| ct.starts_with("application/x-www-form-urlencoded")),
        "{token:?}"
    );
    let fields = form(&token.body);
    assert_eq!(field(&fields, "grant_type"), Some("client_credentials"));
    assert_eq!(
        field(&fields, "client_id")
            .map(|id| id.replace("%40", "@"))
            .as_deref(),
        Some(sb.client_id())
    );
    assert!(
        field(&fields, "client_secret").is_some(),
        "the secret travels in the form body"
    );
    assert!(
        !token.body.contains(sb.client_secret()),
        "the log redacts the secret"
    );
    assert!(
        header(token, "authorization").is_none(),
        "no Basic credentials at platformtoken"
    );

    let calls = requests_of(&sb, "Org_ListAll");
    assert_eq!(calls.len(), 2);
    for call in &calls {
        assert_eq!(call.status, 200);
        assert!(
            header(call, "authorization").is_some(),
            "a bearer token is sent"
        );
        assert_eq!(header(call, "x-idap-native-client"), Some("true"));
    }
}

#[tokio::test]
async fn oauth_app_uses_the_app_token_endpoint() {
    let sb = sandbox().await;
    let client = Client::builder(sb.url())
        .oauth_app(sb.app_id(), sb.client_id(), sb.client_secret())
        .retry(fast_retry())
        .build()
        .unwrap();
    probe(&client)
        .await
        .expect("a call with an app token succeeds");

    assert_eq!(count(&sb, "Authentication_PlatformToken"), 0);
    let token = last_request(&sb, "Authentication_Token");
    assert_eq!(token.path, format!("/oauth2/token/{}", sb.app_id()));
    assert_eq!(token.status, 200, "{token:?}");
    // The runtime sends the client's credentials as HTTP Basic here; the spec documents them in
    // the form body. The sandbox accepts both (the form variant is the generated call below).
    assert!(header(&token, "authorization").is_some(), "{token:?}");
    assert_eq!(
        field(&form(&token.body), "grant_type"),
        Some("client_credentials")
    );
    assert!(
        field(&form(&token.body), "client_secret").is_none(),
        "the secret travels only in the Authorization header: {token:?}"
    );
    assert_eq!(count(&sb, "Org_ListAll"), 1);
}

#[tokio::test]
async fn generated_token_operations_issue_tokens_a_bearer_client_can_use() {
    let sb = sandbox().await;
    let anonymous = Client::builder(sb.url()).build().unwrap();

    let platform = anonymous
        .authentication()
        .platform_token(
            AuthenticationPlatformTokenRequest::new("client_credentials")
                .client_id(sb.client_id())
                .client_secret(sb.client_secret()),
        )
        .await
        .expect("PlatformToken issues a token");
    assert!(!platform.access_token.expose().is_empty());
    assert!(
        platform.token_type.eq_ignore_ascii_case("bearer"),
        "{platform:?}"
    );
    assert!(platform.expires_in.is_some_and(|s| s > 0), "{platform:?}");
    assert!(
        !format!("{platform:?}").contains(platform.access_token.expose()),
        "Debug hides the token"
    );

    let app = anonymous
        .authentication()
        .token(
            AuthenticationTokenRequest::new(sb.app_id(), "client_credentials")
                .client_id(sb.client_id())
                .client_secret(sb.client_secret()),
        )
        .await
        .expect("Token issues a token with form-body credentials");
    assert!(!app.access_token.expose().is_empty());
    assert_ne!(app.access_token, platform.access_token);
    let logged = last_request(&sb, "Authentication_Token");
    assert!(
        header(&logged, "authorization").is_none(),
        "the generated call sends the form body"
    );
    assert!(field(&form(&logged.body), "client_secret").is_some());

    // A static bearer token: sent as is, never refreshed.
    for token in [platform.access_token.expose(), app.access_token.expose()] {
        let bearer = Client::builder(sb.url())
            .bearer_token(token)
            .build()
            .unwrap();
        probe(&bearer).await.expect("the issued token is accepted");
    }
    assert_eq!(count(&sb, "Org_ListAll"), 2);
    assert_eq!(count(&sb, "Authentication_PlatformToken"), 1);
    assert_eq!(count(&sb, "Authentication_Token"), 1);
}

#[tokio::test]
async fn a_bad_secret_is_an_auth_error_without_the_secret() {
    let sb = sandbox().await;
    let secret = "definitely-not-the-secret";
    let bad = Client::builder(sb.url())
        .client_credentials(sb.client_id(), secret)
        .retry(fast_retry())
        .build()
        .unwrap();
    let error = probe(&bad).await.expect_err("a bad secret is refused");
    match &error {
        Error::Auth {
            operation, status, ..
        } => {
            assert_eq!(*operation, "Org_ListAll");
            assert!(matches!(status, Some(400 | 401)), "{error:?}");
        }
        other => panic!("expected Error::Auth, got {other:?}"),
    }
    assert!(!format!("{error} {error:?}").contains(secret));
    assert_eq!(
        count(&sb, "Authentication_PlatformToken"),
        1,
        "a refusal is not retried"
    );
    assert_eq!(
        count(&sb, "Org_ListAll"),
        0,
        "no call goes out without a token"
    );

    // The same refusal through the generated operation is an OAuth API error.
    let anonymous = Client::builder(sb.url()).build().unwrap();
    let error = anonymous
        .authentication()
        .platform_token(
            AuthenticationPlatformTokenRequest::new("client_credentials")
                .client_id(sb.client_id())
                .client_secret(secret),
        )
        .await
        .expect_err("a bad secret is refused");
    let api = common::api_error(&error);
    assert_eq!(api.operation, "Authentication_PlatformToken");
    assert!(matches!(api.status, 400 | 401), "{api:?}");
    assert_eq!(api.error_code.as_deref(), Some("invalid_client"), "{api:?}");

    // An unknown app id at the app endpoint.
    let unknown_app = Client::builder(sb.url())
        .oauth_app("no-such-app", sb.client_id(), sb.client_secret())
        .build()
        .unwrap();
    let error = probe(&unknown_app)
        .await
        .expect_err("an unknown app is refused");
    assert!(
        matches!(
            error,
            Error::Auth {
                status: Some(400 | 401),
                ..
            }
        ),
        "{error:?}"
    );
}

#[tokio::test]
async fn a_bad_static_bearer_token_is_an_auth_error() {
    let sb = sandbox().await;
    let bearer = Client::builder(sb.url())
        .bearer_token("not-a-token")
        .build()
        .unwrap();
    let error = probe(&bearer)
        .await
        .expect_err("an unknown token is refused");
    assert!(
        matches!(
            error,
            Error::Auth {
                status: Some(401),
                operation: "Org_ListAll",
                ..
            }
        ),
        "{error:?}"
    );
    assert_eq!(
        count(&sb, "Org_ListAll"),
        1,
        "a static token cannot be refreshed"
    );
    let anonymous = Client::builder(sb.url()).build().unwrap();
    assert!(matches!(probe(&anonymous).await, Err(Error::Config { .. })));
}

#[tokio::test]
async fn user_login_with_a_password() {
    let sb = sandbox().await;
    let client = Client::builder(sb.url())
        .user_login(sb.admin_username(), sb.admin_password())
        .retry(fast_retry())
        .build()
        .unwrap();
    probe(&client)
        .await
        .expect("the admin signs in with a password");
    let start = last_request(&sb, "Authentication_StartAuthentication");
    assert_eq!(start.status, 200);
    let advances = requests_of(&sb, "Authentication_AdvanceAuthentication");
    assert_eq!(advances.len(), 1, "one password step: {advances:?}");
    assert!(
        !advances[0].body.contains(sb.admin_password()),
        "the log redacts the answer"
    );
    let body = common::json_body(&advances[0]);
    assert_eq!(body["Action"], "Answer");
    assert_eq!(count(&sb, "Org_ListAll"), 1);

    // A wrong password is an auth error that does not leak the password.
    let wrong = "Wr0ng-Passw0rd!";
    let bad = Client::builder(sb.url())
        .user_login(sb.admin_username(), wrong)
        .build()
        .unwrap();
    let error = probe(&bad).await.expect_err("a wrong password is refused");
    assert!(matches!(error, Error::Auth { .. }), "{error:?}");
    assert!(!format!("{error} {error:?}").contains(wrong));
}

#[tokio::test]
async fn user_login_with_password_and_otp_through_the_mfa_handler() {
    let sb = Sandbox::builder()
        .seed(Seed::Demo)
        .otp_code("424242")
        .start()
        .await
        .unwrap();
    let seen: Arc<Mutex<Vec<MfaChallenge>>> = Arc::default();
    let record = seen.clone();
    let client = Client::builder(sb.url())
        .user_login(sb.mfa_username(), sb.mfa_password())
        .mfa_handler(move |challenge: &MfaChallenge| {
            record.lock().unwrap().push(challenge.clone());
            MfaAnswer::Text("424242".into())
        })
        .retry(fast_retry())
        .build()
        .unwrap();
    probe(&client)
        .await
        .expect("the MFA user signs in with the OTP");

    let seen = seen.lock().unwrap().clone();
    assert_eq!(seen.len(), 1, "one second factor: {seen:?}");
    assert_eq!(seen[0].mechanism, "EMAIL");
    assert!(seen[0].user.eq_ignore_ascii_case(sb.mfa_username()));
    assert!(!seen[0].mechanism_id.is_empty());
    let advances = requests_of(&sb, "Authentication_AdvanceAuthentication");
    assert!(advances.len() >= 2, "password, then the code: {advances:?}");
    assert!(advances.iter().all(|a| a.status == 200));
    assert!(
        advances.iter().all(|a| !a.body.contains("424242")),
        "the log redacts the OTP"
    );

    // A wrong code, and no handler at all, are auth errors.
    let wrong = Client::builder(sb.url())
        .user_login(sb.mfa_username(), sb.mfa_password())
        .mfa_handler(|_: &MfaChallenge| MfaAnswer::Text("000000".into()))
        .build()
        .unwrap();
    let error = probe(&wrong).await.expect_err("a wrong code is refused");
    assert!(matches!(error, Error::Auth { .. }), "{error:?}");
    let without = Client::builder(sb.url())
        .user_login(sb.mfa_username(), sb.mfa_password())
        .build()
        .unwrap();
    let error = probe(&without).await.expect_err("no handler, no login");
    match error {
        Error::Auth { message, .. } => assert!(message.contains("MFA handler"), "{message}"),
        other => panic!("expected Error::Auth, got {other:?}"),
    }
    let cancelled = Client::builder(sb.url())
        .user_login(sb.mfa_username(), sb.mfa_password())
        .mfa_handler(|_: &MfaChallenge| MfaAnswer::Cancel)
        .build()
        .unwrap();
    assert!(matches!(probe(&cancelled).await, Err(Error::Auth { .. })));
    common::assert_all_routed(&sb);
}

#[tokio::test]
async fn generated_login_operations_and_logout() {
    let sb = sandbox().await;
    let anonymous = Client::builder(sb.url()).build().unwrap();
    let auth = anonymous.authentication();
    let start = auth
        .start_authentication(AuthenticationStartAuthenticationRequest::new(
            sb.admin_username(),
            "1.0",
        ))
        .await
        .expect("StartAuthentication answers a package");
    let session = start.session_id.clone().expect("a SessionId");
    let challenges = start.challenges.clone().unwrap_or_default();
    assert!(!challenges.is_empty(), "{start:?}");
    let mechanisms = challenges[0].mechanisms.clone().unwrap_or_default();
    let up = mechanisms
        .iter()
        .find(|m| m.name.as_ref().is_some_and(|n| n.as_str() == "UP"))
        .expect("the first challenge offers the password");
    let mechanism_id = up.mechanism_id.clone().expect("a MechanismId");

    // A wrong password is `success: false`, a typed API error.
    let error = auth
        .advance_authentication(
            AuthenticationAdvanceAuthenticationRequest::new(session.as_str())
                .mechanism_id(mechanism_id.as_str())
                .action("Answer")
                .answer("wrong password"),
        )
        .await
        .expect_err("a wrong password is refused");
    let api = common::api_error(&error);
    assert_eq!(api.operation, "Authentication_AdvanceAuthentication");
    assert!(api.message.is_some(), "{api:?}");

    // Start again (a failed answer may end the session) and answer correctly.
    let start = auth
        .start_authentication(AuthenticationStartAuthenticationRequest::new(
            sb.admin_username(),
            "1.0",
        ))
        .await
        .unwrap();
    let session = start.session_id.clone().unwrap();
    let mechanism_id = start.challenges.unwrap()[0].mechanisms.clone().unwrap()[0]
        .mechanism_id
        .clone()
        .unwrap();
    let done = auth
        .advance_authentication(
            AuthenticationAdvanceAuthenticationRequest::new(session.as_str())
                .mechanism_id(mechanism_id.as_str())
                .action("Answer")
                .answer(sb.admin_password()),
        )
        .await
        .expect("the right password logs in");
    assert_eq!(
        done.summary,
        Some(AdvanceAuthenticationResultSummary::LoginSuccess)
    );
    let token = done
        .token
        .clone()
        .or(done.auth.clone())
        .expect("LoginSuccess carries a token");
    assert!(
        !format!("{done:?}").contains(token.expose()),
        "Debug hides the token"
    );

    // The token works until Logout revokes it.
    let bearer = Client::builder(sb.url())
        .bearer_token(token.clone())
        .build()
        .unwrap();
    probe(&bearer).await.expect("the login token is accepted");
    bearer
        .authentication()
        .logout(AuthenticationLogoutRequest::new())
        .await
        .expect("Logout succeeds");
    assert_eq!(last_request(&sb, "Authentication_Logout").status, 200);
    let error = probe(&bearer).await.expect_err("the token is revoked");
    assert!(
        matches!(
            error,
            Error::Auth {
                status: Some(401),
                ..
            }
        ),
        "{error:?}"
    );
    common::assert_all_routed(&sb);
}

#[tokio::test]
async fn a_revoked_token_is_replaced_after_a_401() {
    let sb = sandbox().await;
    let client = client(&sb);
    probe(&client).await.unwrap();
    // Logout revokes the client's own cached token behind its back.
    client
        .authentication()
        .logout(AuthenticationLogoutRequest::new())
        .await
        .unwrap();
    sb.clear_requests();
    probe(&client)
        .await
        .expect("the client fetches a fresh token after the 401");
    let log: Vec<(Option<String>, u16)> = sb
        .requests()
        .into_iter()
        .map(|r| (r.operation, r.status))
        .collect();
    assert_eq!(
        log,
        vec![
            (Some("Org_ListAll".to_owned()), 401),
            (Some("Authentication_PlatformToken".to_owned()), 200),
            (Some("Org_ListAll".to_owned()), 200),
        ]
    );
}

#[tokio::test]
async fn an_expired_token_is_refreshed_before_the_call() {
    let sb = Sandbox::builder()
        .seed(Seed::Demo)
        .token_ttl(Duration::from_secs(1))
        .start()
        .await
        .unwrap();
    let client = client(&sb);
    probe(&client).await.unwrap();
    assert_eq!(count(&sb, "Authentication_PlatformToken"), 1);
    // Not synchronisation: the token has to outlive its lifetime for this test to mean anything.
    tokio::time::sleep(Duration::from_millis(1100)).await;
    probe(&client)
        .await
        .expect("the call succeeds with a fresh token");
    assert_eq!(
        count(&sb, "Authentication_PlatformToken"),
        2,
        "a new token was fetched: {:?}",
        sb.requests()
    );
    assert!(
        requests_of(&sb, "Org_ListAll")
            .iter()
            .all(|r| r.status == 200),
        "the client refreshed before the tenant had to refuse the old token"
    );
}

#[tokio::test]
async fn an_expired_platform_token_is_refreshed_without_signing_in_again() {
    let sb = Sandbox::builder()
        .seed(Seed::Demo)
        .token_ttl(Duration::from_secs(1))
        .start()
        .await
        .unwrap();
    let client = Client::builder(sb.url())
        .user_login(sb.admin_username(), sb.admin_password())
        .retry(fast_retry())
        .build()
        .unwrap();
    probe(&client).await.unwrap();
    let first_token = client.runtime().platform_token().await.unwrap();
    let first_refresh = client
        .runtime()
        .refresh_token()
        .expect("a refresh token with the login");
    // Not synchronisation: the token has to outlive its lifetime for this test to mean anything.
    tokio::time::sleep(Duration::from_millis(1100)).await;
    probe(&client)
        .await
        .expect("the client refreshes its token");
    // One login, then the refresh token was redeemed instead of the password.
    assert_eq!(count(&sb, "Authentication_StartAuthentication"), 1);
    assert_eq!(count(&sb, "Authentication_AdvanceAuthentication"), 1);
    let refreshes = requests_of(&sb, "Authentication_RefreshPlatformToken");
    assert_eq!(refreshes.len(), 1, "{:?}", sb.requests());
    assert_eq!(refreshes[0].status, 200);
    // Both tokens travel as the tenant's cookies (redacted in the sandbox's log), no body.
    assert!(
        header(&refreshes[0], "cookie").is_some(),
        "{:?}",
        refreshes[0]
    );
    assert!(header(&refreshes[0], "authorization").is_none());
    // The pair rotated.
    let second_refresh = client
        .runtime()
        .refresh_token()
        .expect("a new refresh token");
    assert_ne!(second_refresh.expose(), first_refresh.expose());
    assert_ne!(
        client.runtime().platform_token().await.unwrap().expose(),
        first_token.expose()
    );
    let statuses: Vec<u16> = requests_of(&sb, "Org_ListAll")
        .iter()
        .map(|r| r.status)
        .collect();
    assert_eq!(statuses.last(), Some(&200));
    common::assert_all_routed(&sb);
}

#[tokio::test]
async fn a_refused_refresh_token_falls_back_to_signing_in_again() {
    let sb = Sandbox::builder()
        .seed(Seed::Demo)
        .token_ttl(Duration::from_secs(1))
        .start()
        .await
        .unwrap();
    let client = Client::builder(sb.url())
        .user_login(sb.admin_username(), sb.admin_password())
        .retry(fast_retry())
        .build()
        .unwrap();
    probe(&client).await.unwrap();
    assert_eq!(sb.expire_refresh_tokens(), 1);
    tokio::time::sleep(Duration::from_millis(1100)).await;
    probe(&client).await.expect("the client signs in again");
    let refreshes = requests_of(&sb, "Authentication_RefreshPlatformToken");
    assert_eq!(
        refreshes.iter().map(|r| r.status).collect::<Vec<_>>(),
        vec![401]
    );
    assert_eq!(count(&sb, "Authentication_StartAuthentication"), 2);
    assert!(
        client.runtime().refresh_token().is_some(),
        "the new login's refresh token"
    );
}

#[tokio::test]
async fn the_refresh_token_never_shows_in_debug_or_errors() {
    let sb = sandbox().await;
    let client = Client::builder(sb.url())
        .user_login(sb.admin_username(), sb.admin_password())
        .retry(fast_retry())
        .build()
        .unwrap();
    probe(&client).await.unwrap();
    let refresh = client.runtime().refresh_token().expect("a refresh token");
    assert!(!refresh.expose().is_empty());
    let token = client.runtime().platform_token().await.unwrap();
    for shown in [
        format!("{client:?}"),
        format!("{refresh:?}"),
        format!("{refresh}"),
        format!("{:?}", client.runtime().token_source()),
    ] {
        assert!(!shown.contains(refresh.expose()), "{shown}");
        assert!(!shown.contains(token.expose()), "{shown}");
    }
    // A sign-in that fails after a refused refresh names neither token.
    client
        .authentication()
        .logout(AuthenticationLogoutRequest::new())
        .await
        .unwrap();
    sb.expire_refresh_tokens();
    sb.faults().inject(
        "Authentication_StartAuthentication",
        identity_sandbox::Fault::Status(403),
        10,
    );
    let error = probe(&client).await.expect_err("the sign-in fails");
    assert_eq!(
        requests_of(&sb, "Authentication_RefreshPlatformToken")
            .iter()
            .map(|r| r.status)
            .collect::<Vec<_>>(),
        vec![401]
    );
    for shown in [format!("{error}"), format!("{error:?}")] {
        assert!(!shown.contains(refresh.expose()), "{shown}");
        assert!(!shown.contains(token.expose()), "{shown}");
    }
    let logged = format!("{:?}", sb.requests());
    assert!(
        !logged.contains(refresh.expose()),
        "the sandbox log redacts cookies"
    );
}

#[tokio::test]
async fn generated_mfa_login_step_by_step() {
    let sb = sandbox().await;
    let anonymous = Client::builder(sb.url()).build().unwrap();
    let auth = anonymous.authentication();
    let start = auth
        .start_authentication(AuthenticationStartAuthenticationRequest::new(
            sb.mfa_username(),
            "1.0",
        ))
        .await
        .unwrap();
    let session = start.session_id.clone().unwrap();
    let challenges = start.challenges.unwrap();
    assert_eq!(challenges.len(), 2, "a password, then an e-mailed code");
    let mechanism = |i: usize| challenges[i].mechanisms.clone().unwrap()[0].clone();
    let (password, email) = (mechanism(0), mechanism(1));
    assert_eq!(email.name.as_ref().map(|n| n.as_str()), Some("EMAIL"));

    let next = auth
        .advance_authentication(
            AuthenticationAdvanceAuthenticationRequest::new(session.as_str())
                .mechanism_id(password.mechanism_id.clone().unwrap())
                .action("Answer")
                .answer(sb.mfa_password()),
        )
        .await
        .unwrap();
    assert_eq!(
        next.summary,
        Some(AdvanceAuthenticationResultSummary::StartNextChallenge)
    );
    let pending = auth
        .advance_authentication(
            AuthenticationAdvanceAuthenticationRequest::new(session.as_str())
                .mechanism_id(email.mechanism_id.clone().unwrap())
                .action("StartOOB"),
        )
        .await
        .unwrap();
    assert_eq!(
        pending.summary,
        Some(AdvanceAuthenticationResultSummary::OobPending)
    );
    let done = auth
        .advance_authentication(
            AuthenticationAdvanceAuthenticationRequest::new(session.as_str())
                .mechanism_id(email.mechanism_id.clone().unwrap())
                .action("Answer")
                .answer(sb.otp_code()),
        )
        .await
        .unwrap();
    assert_eq!(
        done.summary,
        Some(AdvanceAuthenticationResultSummary::LoginSuccess)
    );
    assert!(
        done.user
            .as_deref()
            .is_some_and(|u| u.eq_ignore_ascii_case(sb.mfa_username()))
    );
    assert_eq!(
        done.token_lifetime,
        Some(3600),
        "the sandbox's default token lifetime"
    );
    common::assert_all_routed(&sb);
}

#[tokio::test]
async fn an_mfa_exemption_lets_the_user_sign_in_with_the_password_alone() {
    let sb = sandbox().await;
    let admin = client(&sb);
    let mfa_user = sb.state().user(sb.mfa_username()).unwrap().id.clone();
    admin
        .cdirectory_service()
        .exempt_user_from_mfa(
            cyberark_identity::CDirectoryServiceExemptUserFromMfaRequest::new(mfa_user.as_str()),
        )
        .await
        .unwrap();
    let user = Client::builder(sb.url())
        .user_login(sb.mfa_username(), sb.mfa_password())
        .build()
        .unwrap();
    probe(&user)
        .await
        .expect("no second factor and no handler needed while exempt");
    assert_eq!(count(&sb, "Authentication_AdvanceAuthentication"), 1);
}

#[tokio::test]
async fn a_locked_user_cannot_sign_in() {
    let sb = sandbox().await;
    let admin = client(&sb);
    let (id, name) = common::ordinary_user(&sb);
    let password = format!("Demo-{}-Passw0rd!", name.split('@').next().unwrap());
    let user = Client::builder(sb.url())
        .user_login(name.as_str(), password.as_str())
        .build()
        .unwrap();
    probe(&user).await.expect("a demo user signs in");
    admin
        .cdirectory_service()
        .set_user_state(
            cyberark_identity::CDirectoryServiceSetUserStateRequest::new(id.as_str(), "Disabled"),
        )
        .await
        .unwrap();
    let error = probe(&user)
        .await
        .expect_err("disabled: the token is revoked and login refused");
    assert!(matches!(error, Error::Auth { .. }), "{error:?}");
    assert!(!format!("{error:?}").contains(&password));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn concurrent_calls_share_one_token_fetch_and_one_refresh() {
    let sb = sandbox().await;
    let client = client(&sb);
    let calls: Vec<_> = (0..8)
        .map(|_| {
            let client = client.clone();
            tokio::spawn(async move { probe(&client).await })
        })
        .collect();
    for call in calls {
        call.await.unwrap().expect("every call succeeds");
    }
    assert_eq!(count(&sb, "Authentication_PlatformToken"), 1);

    // Revoke the shared token; every concurrent caller sees a 401, but only one refetches.
    client
        .authentication()
        .logout(AuthenticationLogoutRequest::new())
        .await
        .unwrap();
    let calls: Vec<_> = (0..8)
        .map(|_| {
            let client = client.clone();
            tokio::spawn(async move { probe(&client).await })
        })
        .collect();
    for call in calls {
        call.await
            .unwrap()
            .expect("every call succeeds after the refresh");
    }
    assert_eq!(count(&sb, "Authentication_PlatformToken"), 2);
    assert_eq!(
        requests_of(&sb, "Org_ListAll")
            .iter()
            .filter(|r| r.status == 200)
            .count(),
        16
    );
}

#[tokio::test]
async fn refresh_platform_token_without_the_tenant_cookies_is_refused() {
    let sb = sandbox().await;
    let client = client(&sb);
    // The generated call sends no cookies (their names depend on the tenant, so the spec cannot
    // declare them): the tenant refuses it, as it refuses a spent refresh token.
    client
        .authentication()
        .refresh_platform_token(AuthenticationRefreshPlatformTokenRequest::new())
        .await
        .expect_err("no refresh token, no platform token");
    assert_eq!(
        requests_of(&sb, "Authentication_RefreshPlatformToken")
            .iter()
            .map(|r| r.status)
            .collect::<Vec<_>>(),
        vec![401]
    );
}
