//! Sign-in as CyberArk's SDKs do it, end to end against the sandbox: client credentials as HTTP
//! Basic or form fields, the authorization-code (PKCE) and refresh-token grants, the platform
//! token and sharing it with a Vault client, the platform gateway base URL, discovery through
//! `pod0`, and out-of-band e-mail MFA completed by the test.

mod common;

use std::time::Duration;

use common::{fast_retry, header, last_request, requests_of, sandbox};
use cyberark_identity::{AuthenticationLogoutRequest, Client, Error, MfaAnswer, OrgListAllRequest};
use cyberark_runtime::{
    AuthMode, ClientAuth, Convention, Encoder, Method, OAuthGrant, Operation, Pkce, Request,
};
use identity_sandbox::{Sandbox, SandboxHandle, Seed};

/// Any cheap authenticated call.
async fn probe(client: &Client) -> Result<(), Error> {
    client
        .org()
        .list_all(OrgListAllRequest::new())
        .await
        .map(drop)
}

fn form_field(body: &str, name: &str) -> Option<String> {
    body.split('&').find_map(|pair| {
        let (k, v) = pair.split_once('=')?;
        (k == name).then(|| v.to_owned())
    })
}

/// The claims of a JWT, unverified.
fn claims(token: &str) -> serde_json::Value {
    use base64::Engine as _;
    let payload = token.split('.').nth(1).expect("a JWT has three parts");
    let bytes = base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(payload)
        .expect("base64url");
    serde_json::from_slice(&bytes).expect("JSON claims")
}

#[tokio::test]
async fn client_credentials_go_as_basic_or_form_as_chosen() {
    let sb = sandbox().await;
    // Defaults: form fields for /oauth2/platformtoken, HTTP Basic for /oauth2/token/{app_id}.
    let cases = [
        (None, None, "Authentication_PlatformToken", false),
        (
            Some(ClientAuth::Basic),
            None,
            "Authentication_PlatformToken",
            true,
        ),
        (None, Some(sb.app_id()), "Authentication_Token", true),
        (
            Some(ClientAuth::Form),
            Some(sb.app_id()),
            "Authentication_Token",
            false,
        ),
    ];
    for (how, app, operation, basic) in cases {
        sb.clear_requests();
        let mut builder = Client::builder(sb.url()).retry(fast_retry());
        builder = match app {
            Some(app) => builder.oauth_app(app, sb.client_id(), sb.client_secret()),
            None => builder.client_credentials(sb.client_id(), sb.client_secret()),
        };
        if let Some(how) = how {
            builder = builder.client_auth(how);
        }
        let client = builder.build().unwrap();
        probe(&client)
            .await
            .unwrap_or_else(|e| panic!("{how:?} {operation}: {e}"));
        let request = last_request(&sb, operation);
        let authorization = header(&request, "authorization");
        let body = request.body.clone();
        assert_eq!(
            authorization.is_some_and(|a| a.starts_with("Basic ")),
            basic,
            "{how:?} {operation}: {authorization:?}"
        );
        // Never both ways at once (RFC 6749 §2.3.1).
        assert_eq!(form_field(&body, "client_id").is_some(), !basic, "{body}");
        assert_eq!(
            form_field(&body, "grant_type").as_deref(),
            Some("client_credentials")
        );
    }
    let refused = Client::builder(sb.url())
        .bearer_token("t")
        .client_auth(ClientAuth::Form)
        .build()
        .unwrap_err();
    assert!(refused.to_string().contains("client_auth"), "{refused}");
}

#[tokio::test]
async fn authorization_code_with_pkce_then_refresh_tokens() {
    let sb = sandbox().await;
    let pkce = Pkce::new();
    let redirect = "http://127.0.0.1:8765/callback";
    let url = pkce
        .authorize_url(
            &sb.url(),
            sb.app_id(),
            "public-app",
            redirect,
            "openid",
            "s1",
        )
        .unwrap();
    assert!(
        url.as_str()
            .starts_with(&format!("{}/OAuth2/Authorize/", sb.url()))
    );
    // The sandbox plays the user signing in at `url` and the redirect bringing the code.
    let code = sb
        .authorization_code(sb.admin_username(), redirect, Some(pkce.challenge()))
        .unwrap();
    let client = Client::builder(sb.url())
        .oauth_grant(
            OAuthGrant::authorization_code(sb.app_id(), "public-app", code.as_str(), redirect)
                .code_verifier(pkce.verifier().clone()),
        )
        .retry(fast_retry())
        .build()
        .unwrap();
    assert!(
        !format!("{client:?}").contains(&code),
        "Debug hides the code"
    );
    assert!(client.runtime().refresh_token().is_none());
    probe(&client).await.expect("the code is exchanged");
    let exchange = last_request(&sb, "Authentication_Token");
    let body = exchange.body.clone();
    assert_eq!(
        form_field(&body, "grant_type").as_deref(),
        Some("authorization_code")
    );
    assert_eq!(
        form_field(&body, "client_id").as_deref(),
        Some("public-app")
    );
    assert!(
        header(&exchange, "authorization").is_none(),
        "a public client has no Basic"
    );
    let first_refresh = client.runtime().refresh_token().expect("a refresh token");

    // The token is revoked: the next call signs in again with the refresh token, not the code
    // (which the tenant would refuse the second time).
    client
        .authentication()
        .logout(AuthenticationLogoutRequest::new())
        .await
        .unwrap();
    probe(&client)
        .await
        .expect("the refresh token signs in again");
    let refresh = last_request(&sb, "Authentication_Token");
    let body = refresh.body.clone();
    assert_eq!(
        form_field(&body, "grant_type").as_deref(),
        Some("refresh_token")
    );
    let second_refresh = client.runtime().refresh_token().expect("rotated");
    assert_ne!(
        second_refresh, first_refresh,
        "the tenant rotates refresh tokens"
    );

    // A later run starts from the stored refresh token, with a confidential client's secret in
    // HTTP Basic this time.
    let later = Client::builder(sb.url())
        .oauth_grant(
            OAuthGrant::refresh_token(sb.app_id(), sb.client_id(), second_refresh.clone())
                .client_secret(sb.client_secret()),
        )
        .build()
        .unwrap();
    probe(&later)
        .await
        .expect("the stored refresh token signs in");
    let request = last_request(&sb, "Authentication_Token");
    assert!(header(&request, "authorization").is_some_and(|a| a.starts_with("Basic ")));

    // The used refresh token is refused, and the error does not carry it.
    let stale = Client::builder(sb.url())
        .oauth_grant(OAuthGrant::refresh_token(
            sb.app_id(),
            "public-app",
            second_refresh.clone(),
        ))
        .build()
        .unwrap();
    let error = probe(&stale).await.unwrap_err();
    assert!(matches!(error, Error::Auth { .. }), "{error:?}");
    assert!(error.to_string().contains("refresh token"), "{error}");
    assert!(!error.to_string().contains(second_refresh.expose()));
}

#[tokio::test]
async fn a_user_login_offers_the_platform_token_and_a_refresh_token() {
    let sb = sandbox().await;
    let client = Client::builder(sb.url())
        .user_login(sb.admin_username(), sb.admin_password())
        .build()
        .unwrap();
    let token = client.runtime().platform_token().await.expect("signs in");
    let start = last_request(&sb, "Authentication_StartAuthentication");
    assert!(start.body.contains(r#""PlatformTokenResponse":true"#));
    let claims = claims(token.expose());
    assert_eq!(claims["unique_name"], sb.admin_username());
    for claim in ["tenant_id", "subdomain", "platform_domain"] {
        assert!(claims[claim].is_string(), "{claim}: {claims}");
    }
    assert!(claims["iat"].is_i64());
    assert!(client.runtime().refresh_token().is_some());
    probe(&client).await.unwrap();
    let call = last_request(&sb, "Org_ListAll");
    assert!(
        header(&call, "authorization").is_some_and(|a| a.starts_with("Bearer ")),
        "calls send the platform token as a bearer token"
    );
}

/// `GET /PasswordVault/API/Safes`, written by hand: the Vault's own client is built elsewhere;
/// this checks the runtime's seam, a second client sending the Identity client's token.
struct ListSafes;

static LIST_SAFES: Operation = Operation {
    id: "Safes_List",
    tag: "Safes",
    name: "List",
    method: Method::Get,
    path: "/API/Safes",
    convention: Convention::Plain,
    auth: AuthMode::Bearer,
    idempotent: true,
};

impl Request for ListSafes {
    type Output = serde_json::Value;
    const OPERATION: &'static Operation = &LIST_SAFES;
    fn encode(&self, _: &mut Encoder) -> Result<(), Error> {
        Ok(())
    }
}

async fn vault_client_sharing(sb: &SandboxHandle, identity: &Client) -> cyberark_runtime::Client {
    cyberark_runtime::Client::builder(sb.vault_url())
        .token_source(identity.runtime().token_source().expect("has credentials"))
        .retry(fast_retry())
        .build()
        .unwrap()
}

#[tokio::test]
async fn one_sign_in_serves_the_identity_and_the_vault_client() {
    for login in [true, false] {
        let sb = sandbox().await;
        let builder = Client::builder(sb.url());
        let identity = if login {
            builder.user_login(sb.admin_username(), sb.admin_password())
        } else {
            builder.client_credentials(sb.client_id(), sb.client_secret())
        }
        .build()
        .unwrap();
        let vault = vault_client_sharing(&sb, &identity).await;
        // The Vault client's first call signs in through the Identity client.
        let safes = vault
            .send(&ListSafes)
            .await
            .expect("the Vault accepts the platform token");
        assert!(safes.is_object(), "{safes}");
        probe(&identity).await.unwrap();
        let sign_ins = requests_of(&sb, "Authentication_PlatformToken").len()
            + requests_of(&sb, "Authentication_StartAuthentication").len();
        assert_eq!(sign_ins, 1, "one sign-in for both clients");
        let vault_call = sb
            .requests()
            .into_iter()
            .rev()
            .find(|r| r.operation.as_deref() == Some("Safes_List"))
            .expect("logged");
        assert!(header(&vault_call, "authorization").is_some_and(|a| a.starts_with("Bearer ")));

        // The Identity side's token is revoked: the Vault's 401 makes the shared source sign
        // in once more, and both clients go on with the new token.
        identity
            .authentication()
            .logout(AuthenticationLogoutRequest::new())
            .await
            .unwrap();
        vault
            .send(&ListSafes)
            .await
            .expect("signs in again after a 401");
        probe(&identity).await.unwrap();
        // A user login's second sign-in redeems its refresh token instead of the password.
        let sign_ins = requests_of(&sb, "Authentication_PlatformToken").len()
            + requests_of(&sb, "Authentication_StartAuthentication").len()
            + requests_of(&sb, "Authentication_RefreshPlatformToken").len();
        assert_eq!(sign_ins, 2, "login={login}");
    }
}

#[tokio::test]
async fn the_platform_gateway_base_url_works() {
    let sb = sandbox().await;
    let gateway = format!("{}/api/idadmin", sb.url());
    for client in [
        Client::builder(&gateway)
            .client_credentials(sb.client_id(), sb.client_secret())
            .build()
            .unwrap(),
        Client::builder(format!("{gateway}/"))
            .user_login(sb.admin_username(), sb.admin_password())
            .build()
            .unwrap(),
    ] {
        sb.clear_requests();
        probe(&client)
            .await
            .expect("calls work under the gateway prefix");
        let requests = sb.requests();
        assert!(requests.len() >= 2, "{requests:?}");
        for request in requests {
            assert!(
                request.path.starts_with("/api/idadmin/"),
                "{}",
                request.path
            );
            assert!(request.status == 200, "{} {}", request.path, request.status);
        }
    }
}

#[tokio::test]
async fn a_user_who_knows_only_their_login_name_is_sent_to_their_pod() {
    let sb = Sandbox::builder()
        .seed(Seed::Demo)
        .discovery(true)
        .start()
        .await
        .unwrap();
    let pod0 = sb.discovery_url().unwrap();
    let client = Client::builder(&pod0)
        .user_login(sb.admin_username(), sb.admin_password())
        .build()
        .unwrap();
    probe(&client)
        .await
        .expect("follows PodFqdn to the tenant's pod");
    assert_eq!(
        client.runtime().tenant_url().as_str(),
        format!("{}/", sb.url())
    );
    let starts = requests_of(&sb, "Authentication_StartAuthentication");
    assert_eq!(starts.len(), 2, "pod0, then the tenant's pod");
    let org = last_request(&sb, "Org_ListAll");
    assert!(header(&org, "host").is_some_and(|h| sb.url().ends_with(h)));
}

#[tokio::test]
async fn out_of_band_email_is_approved_by_the_test() {
    let sb = sandbox().await;
    let hook = sb.clone();
    let user = sb.mfa_username().to_owned();
    let client = Client::builder(sb.url())
        .user_login(sb.mfa_username(), sb.mfa_password())
        .mfa_handler(cyberark_runtime::mfa_handler_fn(move |challenge| {
            assert_eq!(challenge.answer_type, "StartTextOob");
            // The e-mail was sent when the mechanism was started: click its link, then wait.
            assert_eq!(hook.approve_oob(&user), 1);
            MfaAnswer::Poll
        }))
        .timeout(Duration::from_secs(10))
        .build()
        .unwrap();
    probe(&client)
        .await
        .expect("the approved e-mail completes the login");
    let polls = requests_of(&sb, "Authentication_AdvanceAuthentication")
        .into_iter()
        .filter(|r| r.body.contains(r#""Action":"Poll""#))
        .count();
    assert!(polls >= 1);
}
