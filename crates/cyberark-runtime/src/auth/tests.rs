//! Token fetching, refresh on 401 and the login flow, against a scripted tenant.

use std::sync::Arc;
use std::sync::atomic::{AtomicU32, Ordering};
use std::time::Duration;

use crate::test_support::*;
use crate::transport::Credential;
use crate::{Client, Error, MfaAnswer, MfaChallenge, mfa_handler_fn};

fn token_reply(token: &str, expires_in: u64) -> crate::transport::HttpResponse {
    reply(
        200,
        &format!(r#"{{"access_token":"{token}","token_type":"Bearer","expires_in":{expires_in}}}"#),
    )
}

fn bearer(fake: &FakeTransport, index: usize) -> Option<String> {
    match fake.request(index).credential {
        Credential::Bearer(token) => Some(token.expose().to_owned()),
        _ => None,
    }
}

#[tokio::test(start_paused = true)]
async fn client_credentials_fetch_a_token_and_refresh_once_on_401() {
    let fetches = Arc::new(AtomicU32::new(0));
    let counter = fetches.clone();
    let fake = FakeTransport::new(move |request| match request.url.path() {
        "/oauth2/platformtoken" => {
            let n = counter.fetch_add(1, Ordering::SeqCst) + 1;
            Ok(token_reply(&format!("t{n}"), 900))
        }
        _ => match &request.credential {
            Credential::Bearer(t) if t.expose() == "t1" => Ok(reply(401, "")),
            _ => Ok(envelope(r#"{"ok":true}"#)),
        },
    });
    let client: Client = Client::builder("http://127.0.0.1:1")
        .client_credentials("svc@cyberark.cloud.1", "s3cr3t")
        .scope("all")
        .transport(fake.clone())
        .build()
        .unwrap();
    let out = client.send(&create()).await.unwrap();
    assert_eq!(out["ok"], true);
    assert_eq!(
        fake.paths(),
        [
            "/oauth2/platformtoken",
            "/Org/Create",
            "/oauth2/platformtoken",
            "/Org/Create"
        ]
    );
    assert_eq!(
        body_text(&fake.request(0)),
        "grant_type=client_credentials&client_id=svc%40cyberark.cloud.1&client_secret=s3cr3t&scope=all"
    );
    assert!(matches!(fake.request(0).credential, Credential::None));
    assert_eq!(bearer(&fake, 3).as_deref(), Some("t2"));
    // The token is cached: the next call fetches nothing.
    client.send(&create()).await.unwrap();
    assert_eq!(fetches.load(Ordering::SeqCst), 2);
}

#[tokio::test(start_paused = true)]
async fn a_second_401_is_an_auth_error() {
    let fake = FakeTransport::new(|request| match request.url.path() {
        "/oauth2/platformtoken" => Ok(token_reply("t", 900)),
        _ => Ok(reply(
            401,
            "<html>You do not have access to this content.</html>",
        )),
    });
    let client: Client = Client::builder("http://127.0.0.1:1")
        .client_credentials("svc", "s3cr3t")
        .transport(fake.clone())
        .build()
        .unwrap();
    let error = client.send(&create()).await.unwrap_err();
    assert_eq!(
        error.to_string(),
        "Org_Create failed: authentication failed: the tenant refused a freshly fetched token, so these credentials are not allowed to make this call: <html>You do not have access to this content.</html> (HTTP 401)"
    );
    assert_eq!(fake.paths().len(), 4);
}

#[tokio::test(start_paused = true)]
async fn tokens_are_refreshed_ahead_of_expiry() {
    let fetches = Arc::new(AtomicU32::new(0));
    let counter = fetches.clone();
    let fake = FakeTransport::new(move |request| match request.url.path() {
        "/oauth2/platformtoken" => {
            counter.fetch_add(1, Ordering::SeqCst);
            Ok(token_reply("t", 120))
        }
        _ => Ok(envelope("null")),
    });
    let client: Client = Client::builder("http://127.0.0.1:1")
        .client_credentials("svc", "s3cr3t")
        .transport(fake)
        .build()
        .unwrap();
    client.send(&create()).await.unwrap();
    // A 120 s token is replaced 12 s early.
    tokio::time::advance(Duration::from_secs(107)).await;
    client.send(&create()).await.unwrap();
    assert_eq!(fetches.load(Ordering::SeqCst), 1);
    // Past the refresh point the valid token is still used; its successor is fetched in the
    // background.
    tokio::time::advance(Duration::from_secs(2)).await;
    client.send(&create()).await.unwrap();
    tokio::time::sleep(Duration::from_millis(1)).await;
    assert_eq!(fetches.load(Ordering::SeqCst), 2);
}

#[tokio::test(start_paused = true)]
async fn oauth_app_sends_basic_credentials_to_its_token_endpoint() {
    let fake = FakeTransport::new(|request| match request.url.path() {
        "/oauth2/token/my%20app" => Ok(token_reply("t", 900)),
        _ => Ok(envelope("null")),
    });
    let client: Client = Client::builder("http://127.0.0.1:1")
        .oauth_app("my app", "client", "s3cr3t")
        .scope("api")
        .transport(fake.clone())
        .build()
        .unwrap();
    client.send(&create()).await.unwrap();
    let token_request = fake.request(0);
    assert_eq!(token_request.url.path(), "/oauth2/token/my%20app");
    assert!(matches!(
        token_request.credential,
        Credential::Basic(ref id, ref secret) if id == "client" && secret.expose() == "s3cr3t"
    ));
    assert_eq!(
        body_text(&token_request),
        "grant_type=client_credentials&scope=api"
    );
}

#[tokio::test(start_paused = true)]
async fn refused_client_credentials_are_an_auth_error_without_the_secret() {
    let fake = FakeTransport::new(|_| {
        Ok(reply(
            400,
            r#"{"error": "invalid_client", "error_description": "wrong clientid"}"#,
        ))
    });
    let client: Client = Client::builder("http://127.0.0.1:1")
        .client_credentials("svc", "s3cr3t")
        .transport(fake.clone())
        .build()
        .unwrap();
    let error = client.send(&create()).await.unwrap_err();
    assert_eq!(
        error.to_string(),
        "Org_Create failed: authentication failed: the tenant refused the client credentials at /oauth2/platformtoken: invalid_client: wrong clientid (HTTP 400)"
    );
    assert!(!format!("{error:?}").contains("s3cr3t"));
    assert_eq!(fake.paths().len(), 1);
}

/// StartAuthentication, password only: research notes part B §2.4 (S5 `start_auth_pass_only.json`).
const START_PASSWORD_ONLY: &str = r#"{"ClientHints":{"PersistDefault":false,"AllowPersist":false,"AllowForgotPassword":false,"EndpointAuthenticationEnabled":false},"Version":"1.0","SessionId":"8vwknPnxZ0ywsj95Y6-uK1kIr6XbtufC310N6qiE8Lc1","EventDescription":null,"RetryWaitingTime":0,"SecurityImageName":null,"AllowLoginMfaCache":false,"Challenges":[{"Mechanisms":[{"AnswerType":"Text","Name":"UP","PromptMechChosen":"Enter Password","PromptSelectMech":"Password","MechanismId":"Vu71O06uC0K9uyAZjOlT5B50H63ftBR6vZPPHd5R80U1","Enrolled":true}]}],"Summary":"NewPackage","TenantId":"ABC1234"}"#;

/// StartAuthentication, password then e-mail: research notes part B §2.4 (S5 `start_auth_mfa.json`).
const START_MFA: &str = r#"{"Version":"1.0","SessionId":"session_id","Challenges":[{"Mechanisms":[{"AnswerType":"Text","Name":"UP","PromptMechChosen":"Enter Password","PromptSelectMech":"Password","MechanismId":"password_mechanism_id"}]},{"Mechanisms":[{"MaskedEmailAddress":"***@cyberark.com","AnswerType":"StartTextOob","Name":"EMAIL","PromptMechChosen":"Email sent to xxxx@cyberark.com. Click the link or manually enter the code to authenticate.","PromptSelectMech":"Email... @cyberark.com","PartialAddress":"cyberark.com","MechanismId":"email_mechanism_id"}]}],"Summary":"NewPackage","TenantId":"ABD5189"}"#;

/// LoginSuccess: research notes part B §2.5 (S5 `advance_auth_pass_only.json`, shortened).
const LOGIN_SUCCESS: &str = r#"{"AuthLevel":"Normal","DisplayName":"User","Token":"valid-token","Auth":"valid-auth-token","UserId":"some-user-id","Summary":"LoginSuccess"}"#;

fn login_client(fake: Arc<FakeTransport>) -> Client {
    Client::builder("http://127.0.0.1:1")
        .user_login("user@example", "pa55word")
        .transport(fake)
        .build()
        .unwrap()
}

#[tokio::test(start_paused = true)]
async fn password_login_uses_the_token_from_login_success() {
    let fake = FakeTransport::new(|request| match request.url.path() {
        "/Security/StartAuthentication" => Ok(envelope(START_PASSWORD_ONLY)),
        "/Security/AdvanceAuthentication" => Ok(envelope(LOGIN_SUCCESS)),
        _ => Ok(envelope("null")),
    });
    let client = login_client(fake.clone());
    client.send(&create()).await.unwrap();
    assert_eq!(
        body_text(&fake.request(0)),
        r#"{"User":"user@example","Version":"1.0","PlatformTokenResponse":true}"#
    );
    assert_eq!(
        body_text(&fake.request(1)),
        r#"{"SessionId":"8vwknPnxZ0ywsj95Y6-uK1kIr6XbtufC310N6qiE8Lc1","MechanismId":"Vu71O06uC0K9uyAZjOlT5B50H63ftBR6vZPPHd5R80U1","Action":"Answer","Answer":"pa55word"}"#
    );
    assert_eq!(bearer(&fake, 2).as_deref(), Some("valid-token"));
}

#[tokio::test(start_paused = true)]
async fn pod_fqdn_redirect_moves_the_client_to_the_right_tenant() {
    let fake = FakeTransport::new(|request| {
        let host = request.url.host_str().unwrap_or_default().to_owned();
        match (host.as_str(), request.url.path()) {
            ("127.0.0.1", "/Security/StartAuthentication") => {
                Ok(envelope(r#"{"PodFqdn":"127.0.0.2:1"}"#))
            }
            ("127.0.0.2", "/Security/StartAuthentication") => Ok(envelope(START_PASSWORD_ONLY)),
            ("127.0.0.2", "/Security/AdvanceAuthentication") => Ok(envelope(LOGIN_SUCCESS)),
            ("127.0.0.2", _) => Ok(envelope("null")),
            _ => Ok(reply(404, "wrong host")),
        }
    });
    let client = login_client(fake.clone());
    client.send(&create()).await.unwrap();
    assert_eq!(client.tenant_url().as_str(), "http://127.0.0.2:1/");
    assert_eq!(
        fake.request(3).url.as_str(),
        "http://127.0.0.2:1/Org/Create"
    );
}

#[tokio::test(start_paused = true)]
async fn out_of_band_mechanisms_are_started_then_polled_once_a_second() {
    let polls = Arc::new(AtomicU32::new(0));
    let counter = polls.clone();
    let fake = FakeTransport::new(move |request| match request.url.path() {
        "/Security/StartAuthentication" => Ok(envelope(START_MFA)),
        "/Security/AdvanceAuthentication" => {
            let body = body_text(request);
            if body.contains(r#""Action":"Answer""#) {
                Ok(envelope(r#"{"Summary":"StartNextChallenge"}"#))
            } else if body.contains(r#""Action":"StartOOB""#)
                || counter.fetch_add(1, Ordering::SeqCst) < 2
            {
                // StartOOB, and the first two polls, are still pending.
                Ok(envelope(r#"{"Summary":"OobPending"}"#))
            } else {
                Ok(envelope(LOGIN_SUCCESS))
            }
        }
        _ => Ok(envelope("null")),
    });
    let seen = Arc::new(std::sync::Mutex::new(Vec::new()));
    let record = seen.clone();
    let client: Client = Client::builder("http://127.0.0.1:1")
        .user_login("user@example", "pa55word")
        .mfa_handler(mfa_handler_fn(move |challenge| {
            record.lock().unwrap().push(challenge.clone());
            MfaAnswer::Poll
        }))
        .transport(fake.clone())
        .build()
        .unwrap();
    client.send(&create()).await.unwrap();
    let seen = seen.lock().unwrap();
    assert_eq!(
        *seen,
        [MfaChallenge {
            mechanism: "EMAIL".to_owned(),
            answer_type: "StartTextOob".to_owned(),
            prompt: "Email sent to xxxx@cyberark.com. Click the link or manually enter the code to authenticate.".to_owned(),
            mechanism_id: "email_mechanism_id".to_owned(),
            user: "user@example".to_owned(),
        }]
    );
    // Start, answer password, StartOOB, then three polls a second apart, then the call.
    let times = fake.send_times();
    assert_eq!(times.len(), 7);
    assert_eq!(times[4] - times[3], Duration::from_secs(1));
    assert_eq!(times[5] - times[4], Duration::from_secs(1));
    assert_eq!(bearer(&fake, 6).as_deref(), Some("valid-token"));
}

#[tokio::test(start_paused = true)]
async fn typed_codes_are_answered_after_starting_the_mechanism() {
    let fake = FakeTransport::new(|request| match request.url.path() {
        "/Security/StartAuthentication" => Ok(envelope(START_MFA)),
        "/Security/AdvanceAuthentication" => {
            let body = body_text(request);
            if body.contains("password_mechanism_id") {
                Ok(envelope(r#"{"Summary":"StartNextChallenge"}"#))
            } else if body.contains(r#""Action":"StartOOB""#) {
                Ok(envelope(r#"{"Summary":"OobPending"}"#))
            } else if body.contains(r#""Answer":"123456""#) {
                Ok(envelope(LOGIN_SUCCESS))
            } else {
                Ok(reply(400, "unexpected"))
            }
        }
        _ => Ok(envelope("null")),
    });
    let client: Client = Client::builder("http://127.0.0.1:1")
        .user_login("user@example", "pa55word")
        .mfa_handler(|_: &MfaChallenge| MfaAnswer::Text("123456".into()))
        .transport(fake.clone())
        .build()
        .unwrap();
    client.send(&create()).await.unwrap();
    assert_eq!(fake.paths().len(), 5);
}

#[tokio::test(start_paused = true)]
async fn login_failures_are_auth_errors_with_the_tenants_message() {
    // Research notes part B §2.5 (S5 `advance_failure.json`).
    let fake = FakeTransport::new(|request| match request.url.path() {
        "/Security/StartAuthentication" => Ok(envelope(START_PASSWORD_ONLY)),
        _ => Ok(reply(
            200,
            r#"{"success":false,"Result":{"Summary":"Failure"},"Message":"Authentication (login or challenge) has failed. Please try again or contact your system administrator.","ErrorID":"9e3f77bc:68f2"}"#,
        )),
    });
    let error = login_client(fake).send(&create()).await.unwrap_err();
    assert_eq!(
        error.to_string(),
        "Org_Create failed: authentication failed: AdvanceAuthentication refused the login: Authentication (login or challenge) has failed. Please try again or contact your system administrator."
    );
    assert!(!error.to_string().contains("pa55word"));
}

#[tokio::test(start_paused = true)]
async fn a_second_factor_without_a_handler_is_an_auth_error() {
    let fake = FakeTransport::new(|request| match request.url.path() {
        "/Security/StartAuthentication" => Ok(envelope(START_MFA)),
        _ => Ok(envelope(r#"{"Summary":"StartNextChallenge"}"#)),
    });
    let error = login_client(fake).send(&create()).await.unwrap_err();
    assert_eq!(
        error.to_string(),
        "Org_Create failed: authentication failed: the tenant asks for another factor (EMAIL), but no MFA handler is configured"
    );
    assert!(matches!(error, Error::Auth { status: None, .. }));
}

fn oauth_client(fake: Arc<FakeTransport>) -> Client {
    Client::builder("http://127.0.0.1:1")
        .client_credentials("svc", "s3cr3t")
        .transport(fake)
        .build()
        .unwrap()
}

#[tokio::test(start_paused = true)]
async fn absurd_token_lifetimes_mean_no_known_expiry() {
    let fake = FakeTransport::new(|request| match request.url.path() {
        "/oauth2/platformtoken" => Ok(reply(
            200,
            r#"{"access_token":"t","expires_in":18446744073709551615}"#,
        )),
        _ => Ok(envelope("null")),
    });
    let client = oauth_client(fake.clone());
    client.send(&create()).await.unwrap();
    client.send(&create()).await.unwrap();
    assert_eq!(fake.count("/oauth2/platformtoken"), 1);

    for lifetime in ["18446744073709551615", "-1", "0"] {
        let success = format!(
            r#"{{"Token":"valid-token","Summary":"LoginSuccess","TokenLifetime":{lifetime}}}"#
        );
        let fake = FakeTransport::new(move |request| match request.url.path() {
            "/Security/StartAuthentication" => Ok(envelope(START_PASSWORD_ONLY)),
            "/Security/AdvanceAuthentication" => Ok(envelope(&success)),
            _ => Ok(envelope("null")),
        });
        let client = login_client(fake.clone());
        client.send(&create()).await.unwrap();
        tokio::time::advance(Duration::from_secs(86_400)).await;
        client.send(&create()).await.unwrap();
        assert_eq!(fake.count("/Security/StartAuthentication"), 1, "{lifetime}");
    }
}

#[tokio::test(start_paused = true)]
async fn a_slow_sign_in_outlives_the_deadlines_of_the_calls_waiting_for_it() {
    // A 3 s token endpoint and calls with 2 s deadlines: the first call gives up, the sign-in
    // goes on, and every later call uses its token.
    let fake = FakeTransport::with_latency_by(
        |request| match request.url.path() {
            "/oauth2/platformtoken" => Duration::from_secs(3),
            _ => Duration::ZERO,
        },
        |request| match request.url.path() {
            "/oauth2/platformtoken" => Ok(token_reply("t", 900)),
            _ => Ok(envelope("null")),
        },
    );
    let client: Client = Client::builder("http://127.0.0.1:1")
        .client_credentials("svc", "s3cr3t")
        .deadline(Duration::from_secs(2))
        .transport(fake.clone())
        .build()
        .unwrap();
    let mut succeeded = 0;
    for _ in 0..10 {
        if client.send(&create()).await.is_ok() {
            succeeded += 1;
        }
    }
    assert_eq!(succeeded, 9);
    assert_eq!(fake.count("/oauth2/platformtoken"), 1);
}

#[tokio::test(start_paused = true)]
async fn a_failed_sign_in_is_shared_by_every_waiting_call() {
    let fake = FakeTransport::new(|request| match request.url.path() {
        "/oauth2/platformtoken" => Ok(reply(503, "busy")),
        _ => Ok(envelope("null")),
    });
    let client = oauth_client(fake.clone());
    let started = tokio::time::Instant::now();
    let calls: Vec<_> = (0..20)
        .map(|_| {
            let client = client.clone();
            tokio::spawn(async move { client.send(&create()).await })
        })
        .collect();
    for call in calls {
        let error = call.await.unwrap().unwrap_err();
        assert_eq!(error.status(), Some(503), "{error}");
    }
    // One sign-in with its own retries (four attempts), not one per waiting call.
    assert_eq!(fake.count("/oauth2/platformtoken"), 4);
    assert!(started.elapsed() < Duration::from_secs(3));
}

#[tokio::test(start_paused = true)]
async fn a_failed_early_refresh_keeps_using_the_valid_token() {
    let fetches = Arc::new(AtomicU32::new(0));
    let counter = fetches.clone();
    let fake = FakeTransport::new(move |request| match request.url.path() {
        "/oauth2/platformtoken" => {
            if counter.fetch_add(1, Ordering::SeqCst) == 0 {
                Ok(token_reply("t1", 120))
            } else {
                Ok(reply(400, r#"{"error":"invalid_client"}"#))
            }
        }
        _ => Ok(envelope("null")),
    });
    let client = oauth_client(fake.clone());
    client.send(&create()).await.unwrap();
    // Past the refresh point (108 s) but before expiry (120 s).
    tokio::time::advance(Duration::from_secs(110)).await;
    client.send(&create()).await.unwrap();
    tokio::time::sleep(Duration::from_secs(3)).await;
    client.send(&create()).await.unwrap();
    let last = fake.requests.lock().unwrap().len() - 1;
    assert_eq!(bearer(&fake, last).as_deref(), Some("t1"));
    assert!(fetches.load(Ordering::SeqCst) >= 2);
}

#[tokio::test(start_paused = true)]
async fn forbidden_calls_do_not_sign_in_again() {
    let fake = FakeTransport::new(|request| match request.url.path() {
        "/oauth2/platformtoken" => Ok(token_reply("t", 900)),
        "/Org/Create" => Ok(reply(401, "<html>You do not have access.</html>")),
        _ => Ok(envelope("null")),
    });
    let client = oauth_client(fake.clone());
    client.send(&get()).await.unwrap();
    for _ in 0..3 {
        let error = client.send(&create()).await.unwrap_err();
        assert!(matches!(
            error,
            Error::Auth {
                status: Some(401),
                ..
            }
        ));
        assert!(error.to_string().contains("not allowed"), "{error}");
    }
    // The first refusal signs in once more (the token might have been revoked); the fresh
    // token is refused too, so the later refusals are reported without signing in again.
    assert_eq!(fake.count("/oauth2/platformtoken"), 2);
    client.send(&get()).await.unwrap();
    assert_eq!(fake.count("/oauth2/platformtoken"), 2);

    // A minute later a 401 may mean a revoked token again, and is worth one sign-in.
    tokio::time::advance(Duration::from_secs(61)).await;
    client.send(&create()).await.unwrap_err();
    assert_eq!(fake.count("/oauth2/platformtoken"), 3);
}

#[tokio::test(start_paused = true)]
async fn a_revoked_token_that_just_worked_is_replaced() {
    let revoked = Arc::new(std::sync::atomic::AtomicBool::new(false));
    let flag = revoked.clone();
    let fetches = Arc::new(AtomicU32::new(0));
    let counter = fetches.clone();
    let fake = FakeTransport::new(move |request| match request.url.path() {
        "/oauth2/platformtoken" => {
            let n = counter.fetch_add(1, Ordering::SeqCst) + 1;
            Ok(token_reply(&format!("t{n}"), 900))
        }
        _ => match &request.credential {
            Credential::Bearer(t) if t.expose() == "t1" && flag.load(Ordering::SeqCst) => {
                Ok(reply(401, ""))
            }
            _ => Ok(envelope("null")),
        },
    });
    let client = oauth_client(fake.clone());
    client.send(&create()).await.unwrap();
    revoked.store(true, Ordering::SeqCst);
    client.send(&create()).await.unwrap();
    assert_eq!(fetches.load(Ordering::SeqCst), 2);
}

#[tokio::test(start_paused = true)]
async fn a_token_that_cannot_be_sent_is_refused_on_arrival() {
    let fetches = Arc::new(AtomicU32::new(0));
    let counter = fetches.clone();
    let fake = FakeTransport::new(move |request| match request.url.path() {
        "/oauth2/platformtoken" => {
            if counter.fetch_add(1, Ordering::SeqCst) == 0 {
                Ok(reply(
                    200,
                    r#"{"access_token":"bad\u0001token","expires_in":900}"#,
                ))
            } else {
                Ok(token_reply("good", 900))
            }
        }
        _ => Ok(envelope("null")),
    });
    let client = oauth_client(fake.clone());
    let error = client.send(&create()).await.unwrap_err();
    assert!(matches!(error, Error::Auth { .. }), "{error:?}");
    assert!(error.to_string().contains("not allowed in an HTTP header"));
    assert!(!format!("{error:?}").contains("bad\u{1}token"));
    tokio::time::advance(crate::auth::FAILURE_BACKOFF).await;
    client.send(&create()).await.unwrap();
    assert_eq!(fake.count("/Org/Create"), 1);
    let last = fake.requests.lock().unwrap().len() - 1;
    assert_eq!(bearer(&fake, last).as_deref(), Some("good"));
}

#[tokio::test(start_paused = true)]
async fn every_pod_fqdn_redirect_moves_the_calls() {
    let moved = Arc::new(std::sync::atomic::AtomicBool::new(false));
    let flag = moved.clone();
    let fake = FakeTransport::new(move |request| {
        let host = request.url.host_str().unwrap_or_default().to_owned();
        let moved = flag.load(Ordering::SeqCst);
        match (host.as_str(), request.url.path()) {
            ("127.0.0.1", "/Security/StartAuthentication") => {
                Ok(envelope(r#"{"PodFqdn":"127.0.0.2:1"}"#))
            }
            ("127.0.0.2", "/Security/StartAuthentication") if moved => {
                Ok(envelope(r#"{"PodFqdn":"127.0.0.3:1"}"#))
            }
            (_, "/Security/StartAuthentication") => Ok(envelope(START_PASSWORD_ONLY)),
            (_, "/Security/AdvanceAuthentication") => Ok(envelope(LOGIN_SUCCESS)),
            ("127.0.0.2", _) if moved => Ok(reply(401, "")),
            (_, _) => Ok(envelope("null")),
        }
    });
    let client = login_client(fake.clone());
    client.send(&create()).await.unwrap();
    assert_eq!(client.tenant_url().as_str(), "http://127.0.0.2:1/");
    moved.store(true, Ordering::SeqCst);
    tokio::time::advance(Duration::from_secs(120)).await;
    client.send(&create()).await.unwrap();
    assert_eq!(client.tenant_url().as_str(), "http://127.0.0.3:1/");
    let last = fake.requests.lock().unwrap().len() - 1;
    assert_eq!(
        fake.request(last).url.as_str(),
        "http://127.0.0.3:1/Org/Create"
    );
}

#[tokio::test(start_paused = true)]
async fn a_sign_in_redirect_off_cyberark_domains_is_not_followed_unless_allowed() {
    let fake = FakeTransport::new(|request| {
        match (
            request.url.host_str().unwrap_or_default(),
            request.url.path(),
        ) {
            ("abc1234.id.cyberark.cloud", "/Security/StartAuthentication") => {
                Ok(envelope(r#"{"PodFqdn":"login.corp.example"}"#))
            }
            (_, "/Security/StartAuthentication") => Ok(envelope(START_PASSWORD_ONLY)),
            (_, "/Security/AdvanceAuthentication") => Ok(envelope(LOGIN_SUCCESS)),
            _ => Ok(envelope("null")),
        }
    });
    let client: Client = Client::builder("abc1234.id.cyberark.cloud")
        .user_login("user@example", "pa55word")
        .transport(fake.clone())
        .build()
        .unwrap();
    let error = client.send(&create()).await.unwrap_err();
    assert!(matches!(error, Error::Auth { .. }));
    assert!(error.to_string().contains("login.corp.example"), "{error}");
    assert_eq!(fake.paths(), ["/Security/StartAuthentication"]);

    let fake = FakeTransport::new(|request| match request.url.path() {
        "/Security/StartAuthentication" if request.url.host_str() != Some("login.corp.example") => {
            Ok(envelope(r#"{"PodFqdn":"login.corp.example"}"#))
        }
        "/Security/StartAuthentication" => Ok(envelope(START_PASSWORD_ONLY)),
        "/Security/AdvanceAuthentication" => Ok(envelope(LOGIN_SUCCESS)),
        _ => Ok(envelope("null")),
    });
    let client: Client = Client::builder("abc1234.id.cyberark.cloud")
        .user_login("user@example", "pa55word")
        .allow_sign_in_host("login.corp.example")
        .transport(fake.clone())
        .build()
        .unwrap();
    client.send(&create()).await.unwrap();
    assert_eq!(client.tenant_url().as_str(), "https://login.corp.example/");
}

#[tokio::test(start_paused = true)]
async fn polling_survives_a_503_and_the_handler_runs_off_the_runtime() {
    let polls = Arc::new(AtomicU32::new(0));
    let counter = polls.clone();
    let fake = FakeTransport::new(move |request| match request.url.path() {
        "/Security/StartAuthentication" => Ok(envelope(START_MFA)),
        "/Security/AdvanceAuthentication" => {
            let body = body_text(request);
            if body.contains(r#""Action":"Answer""#) {
                Ok(envelope(r#"{"Summary":"StartNextChallenge"}"#))
            } else if body.contains(r#""Action":"StartOOB""#) {
                Ok(envelope(r#"{"Summary":"OobPending"}"#))
            } else if counter.fetch_add(1, Ordering::SeqCst) == 0 {
                Ok(reply(503, "busy"))
            } else {
                Ok(envelope(LOGIN_SUCCESS))
            }
        }
        _ => Ok(envelope("null")),
    });
    let test_thread = std::thread::current().id();
    let handler_thread = Arc::new(std::sync::Mutex::new(None));
    let record = handler_thread.clone();
    let client: Client = Client::builder("http://127.0.0.1:1")
        .user_login("user@example", "pa55word")
        .mfa_handler(mfa_handler_fn(move |_| {
            *record.lock().unwrap() = Some(std::thread::current().id());
            MfaAnswer::Poll
        }))
        .transport(fake.clone())
        .build()
        .unwrap();
    client.send(&create()).await.unwrap();
    assert_eq!(polls.load(Ordering::SeqCst), 2);
    let handler_thread = handler_thread.lock().unwrap().unwrap();
    assert_ne!(handler_thread, test_thread);
}
