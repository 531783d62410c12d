//! The whole send path against a scripted transport under a paused clock: retries, limits,
//! timeouts, 401 handling, headers and URLs.

use std::sync::Arc;
use std::time::{Duration, SystemTime};

use crate::test_support::*;
use crate::transport::{Credential, TransportError};
use crate::{Client, Error, RetryPolicy};

fn client(transport: Arc<FakeTransport>) -> Client {
    Client::builder("http://127.0.0.1:1")
        .bearer_token("tok")
        .transport(transport)
        .build()
        .unwrap()
}

fn secs(list: &[f64]) -> Vec<Duration> {
    list.iter().map(|s| Duration::from_secs_f64(*s)).collect()
}

#[tokio::test(start_paused = true)]
async fn retry_after_seconds_is_honoured_on_a_non_idempotent_operation() {
    let fake = FakeTransport::scripted(vec![
        with_header(reply(429, ""), "retry-after", "2"),
        with_header(reply(429, ""), "retry-after", "2"),
        envelope(r#"{"ID":"o1"}"#),
    ]);
    let out = client(fake.clone()).send(&create()).await.unwrap();
    assert_eq!(out["ID"], "o1");
    assert_eq!(fake.send_times(), secs(&[0.0, 2.0, 4.0]));
}

#[tokio::test(start_paused = true)]
async fn retry_after_http_date_is_honoured() {
    // HTTP dates have one-second resolution, so the wait is between 4 and 5 seconds.
    let date = httpdate::fmt_http_date(SystemTime::now() + Duration::from_secs(5));
    let fake = FakeTransport::scripted(vec![
        with_header(reply(429, ""), "retry-after", &date),
        envelope("null"),
    ]);
    client(fake.clone()).send(&create()).await.unwrap();
    let gap = fake.send_times()[1];
    assert!(
        gap >= Duration::from_secs(4) && gap <= Duration::from_secs(5),
        "{gap:?}"
    );
}

#[tokio::test(start_paused = true)]
async fn non_idempotent_operation_is_not_retried_on_503() {
    let fake = FakeTransport::scripted(vec![reply(503, "busy"), envelope("null")]);
    let error = client(fake.clone()).send(&create()).await.unwrap_err();
    assert_eq!(error.status(), Some(503));
    assert_eq!(
        error.to_string(),
        "Org_Create failed: the tenant answered HTTP 503: busy"
    );
    assert_eq!(fake.send_times().len(), 1);
}

#[tokio::test(start_paused = true)]
async fn idempotent_operation_backs_off_on_503_within_jitter_bounds() {
    let fake = FakeTransport::scripted(vec![
        reply(503, ""),
        reply(502, ""),
        reply(504, ""),
        envelope("{}"),
    ]);
    client(fake.clone()).send(&get()).await.unwrap();
    let times = fake.send_times();
    assert_eq!(times.len(), 4);
    let ceilings = [200, 400, 800];
    for (i, ceiling) in ceilings.iter().enumerate() {
        let gap = times[i + 1] - times[i];
        assert!(
            gap <= Duration::from_millis(*ceiling),
            "gap {i} was {gap:?}"
        );
    }
}

#[tokio::test(start_paused = true)]
async fn gives_up_after_max_attempts_with_rate_limited() {
    let fake = FakeTransport::new(|_| Ok(with_header(reply(429, ""), "retry-after", "1")));
    let error = client(fake.clone()).send(&create()).await.unwrap_err();
    match error {
        Error::RateLimited {
            operation,
            retry_after,
            attempts,
        } => {
            assert_eq!(operation, "Org_Create");
            assert_eq!(retry_after, Some(Duration::from_secs(1)));
            assert_eq!(attempts, 4);
        }
        other => panic!("unexpected {other:?}"),
    }
    assert_eq!(fake.send_times(), secs(&[0.0, 1.0, 2.0, 3.0]));
}

#[tokio::test(start_paused = true)]
async fn total_budget_stops_retries() {
    let fake = FakeTransport::new(|_| Ok(with_header(reply(429, ""), "retry-after", "3")));
    let client = Client::builder("http://127.0.0.1:1")
        .bearer_token("tok")
        .retry(RetryPolicy {
            max_attempts: 10,
            total_budget: Duration::from_secs(5),
            ..RetryPolicy::default()
        })
        .transport(fake.clone())
        .build()
        .map(|c: Client| c)
        .unwrap();
    let error = client.send(&create()).await.unwrap_err();
    assert!(
        matches!(error, Error::RateLimited { attempts: 2, .. }),
        "{error:?}"
    );
    assert_eq!(fake.send_times(), secs(&[0.0, 3.0]));
}

#[tokio::test(start_paused = true)]
async fn connection_errors_are_retried_only_when_idempotent() {
    let refused = || {
        FakeTransport::new(|_| {
            Err(TransportError::Connection(Box::new(std::io::Error::new(
                std::io::ErrorKind::ConnectionRefused,
                "connection refused",
            ))))
        })
    };
    let fake = refused();
    let error = client(fake.clone()).send(&get()).await.unwrap_err();
    assert_eq!(
        error.to_string(),
        "Org_Get failed: could not reach the tenant: connection refused"
    );
    assert_eq!(fake.send_times().len(), 4);

    let fake = refused();
    client(fake.clone()).send(&create()).await.unwrap_err();
    assert_eq!(fake.send_times().len(), 1);
}

#[tokio::test(start_paused = true)]
async fn per_request_timeout_and_overall_deadline() {
    let slow = FakeTransport::with_latency(Duration::from_secs(30), |_| Ok(envelope("null")));
    let client = Client::builder("http://127.0.0.1:1")
        .bearer_token("tok")
        .timeout(Duration::from_secs(5))
        .retry(RetryPolicy::none())
        .transport(slow.clone())
        .build()
        .map(|c: Client| c)
        .unwrap();
    let error = client.send(&get()).await.unwrap_err();
    assert_eq!(error.to_string(), "Org_Get failed: no answer within 5s");
    assert!(error.is_retryable());

    let slow = FakeTransport::with_latency(Duration::from_secs(4), |_| Ok(reply(503, "")));
    let client: Client = Client::builder("http://127.0.0.1:1")
        .bearer_token("tok")
        .timeout(Duration::from_secs(5))
        .deadline(Duration::from_secs(10))
        .transport(slow.clone())
        .build()
        .unwrap();
    let error = client.send(&get()).await.unwrap_err();
    assert!(matches!(error, Error::Timeout { elapsed, .. } if elapsed == Duration::from_secs(10)));
}

#[tokio::test(start_paused = true)]
async fn requests_carry_the_standard_headers_and_an_encoded_url() {
    let fake = FakeTransport::scripted(vec![envelope("{}"), envelope("{}")]);
    let client: Client = Client::builder("http://127.0.0.1:1/prefix")
        .bearer_token("tok")
        .user_agent_suffix("python/3.12")
        .transport(fake.clone())
        .build()
        .unwrap();
    client.send(&get()).await.unwrap();
    client.send(&create()).await.unwrap();
    let request = fake.request(0);
    assert_eq!(
        request.url.as_str(),
        "http://127.0.0.1:1/prefix/Org/Get/o%2F1?verbose=true"
    );
    let header = |name: &str| {
        request
            .headers
            .iter()
            .find(|(n, _)| n.as_str() == name)
            .map(|(_, v)| v.to_str().unwrap().to_owned())
    };
    assert_eq!(header("x-idap-native-client").as_deref(), Some("true"));
    assert_eq!(
        header("user-agent"),
        Some(format!(
            "cyberark-identity-rust/{} python/3.12",
            env!("CARGO_PKG_VERSION")
        ))
    );
    assert!(matches!(request.credential, Credential::Bearer(ref t) if t.expose() == "tok"));
    assert_eq!(body_text(&fake.request(1)), r#"{"Name":"acme"}"#);
}

#[tokio::test(start_paused = true)]
async fn a_static_token_refused_with_html_is_an_auth_error() {
    // Published definitions declare 401 as text/html (research notes part A §1.3).
    let fake = FakeTransport::scripted(vec![reply(
        401,
        "<html>You do not have access to this content.</html>",
    )]);
    let error = client(fake.clone()).send(&create()).await.unwrap_err();
    assert_eq!(
        error.to_string(),
        "Org_Create failed: authentication failed: the tenant refused the bearer token: <html>You do not have access to this content.</html> (HTTP 401)"
    );
    assert_eq!(fake.send_times().len(), 1);
}

#[tokio::test(start_paused = true)]
async fn missing_or_conflicting_credentials_are_configuration_errors() {
    let fake = FakeTransport::scripted(vec![]);
    let client: Client = Client::builder("http://127.0.0.1:1")
        .transport(fake.clone())
        .build()
        .unwrap();
    let error = client.send(&create()).await.unwrap_err();
    assert!(matches!(error, Error::Config { .. }));
    assert!(fake.send_times().is_empty());

    let error = Client::builder("abc.id.cyberark.cloud")
        .bearer_token("a")
        .client_credentials("id", "secret")
        .build()
        .unwrap_err();
    assert_eq!(
        error.to_string(),
        "invalid client configuration: more than one kind of credentials was set (bearer_token, client_credentials); choose one"
    );
    assert!(!format!("{error:?}").contains("secret"));
    let error = Client::builder("abc.id.cyberark.cloud")
        .bearer_token("a")
        .scope("all")
        .build()
        .unwrap_err();
    assert!(matches!(error, Error::Config { .. }));
    let error = Client::builder("http://abc.id.cyberark.cloud")
        .build()
        .unwrap_err();
    assert!(matches!(error, Error::Config { .. }));
}

#[tokio::test(start_paused = true)]
async fn rate_limit_spaces_calls() {
    let fake = FakeTransport::new(|_| Ok(envelope("null")));
    let client: Client = Client::builder("http://127.0.0.1:1")
        .bearer_token("tok")
        .rate_limit(2.0)
        .max_in_flight(1)
        .transport(fake.clone())
        .build()
        .unwrap();
    for _ in 0..3 {
        client.send(&create()).await.unwrap();
    }
    assert_eq!(fake.send_times(), secs(&[0.0, 0.5, 1.0]));
}

#[test]
fn client_and_futures_can_cross_threads() {
    fn assert_send_sync<T: Send + Sync + Clone>(_: &T) {}
    fn assert_send<T: Send>(_: &T) {}
    let fake = FakeTransport::scripted(vec![]);
    let client = client(fake);
    assert_send_sync(&client);
    let request = create();
    // Bindings spawn calls onto a shared runtime, so the call future must be `Send`.
    assert_send(&client.send(&request));
}

#[tokio::test(start_paused = true)]
async fn abandoned_waits_for_the_rate_limit_leave_no_slots_booked() {
    // 1 request/s, calls with 2 s deadlines offered at 2/s for 30 s: about one call a second
    // must get through, all the way to the end.
    let fake = FakeTransport::new(|_| Ok(envelope("null")));
    let client: Client = Client::builder("http://127.0.0.1:1")
        .bearer_token("tok")
        .rate_limit(1.0)
        .deadline(Duration::from_secs(2))
        .transport(fake.clone())
        .build()
        .unwrap();
    let mut calls = Vec::new();
    for _ in 0..60 {
        let client = client.clone();
        calls.push(tokio::spawn(async move { client.send(&create()).await }));
        tokio::time::sleep(Duration::from_millis(500)).await;
    }
    let mut succeeded = 0;
    for call in calls {
        if call.await.unwrap().is_ok() {
            succeeded += 1;
        }
    }
    assert!(succeeded >= 29, "{succeeded} of 60 calls succeeded");
    assert!(*fake.send_times().last().unwrap() >= Duration::from_secs(29));
}

#[test]
fn nonsense_limits_are_configuration_errors() {
    for rate in [0.0, -2.0, 1e-19, 1e-30, f64::NAN, f64::INFINITY] {
        let error = Client::builder("http://127.0.0.1:1")
            .rate_limit(rate)
            .build()
            .map(|c: Client| c)
            .unwrap_err();
        assert!(matches!(error, Error::Config { .. }), "{rate}");
        assert!(error.to_string().contains("rate_limit"), "{error}");
    }
    let error = Client::builder("http://127.0.0.1:1")
        .max_in_flight(0)
        .build()
        .map(|c: Client| c)
        .unwrap_err();
    assert!(error.to_string().contains("max_in_flight"), "{error}");
}

#[tokio::test(start_paused = true)]
async fn a_retry_wait_past_the_deadline_gives_up_at_once() {
    let fake = FakeTransport::new(|_| Ok(with_header(reply(429, ""), "retry-after", "30")));
    let client: Client = Client::builder("http://127.0.0.1:1")
        .bearer_token("tok")
        .deadline(Duration::from_secs(5))
        .transport(fake.clone())
        .build()
        .unwrap();
    let started = tokio::time::Instant::now();
    let error = client.send(&create()).await.unwrap_err();
    assert!(
        matches!(error, Error::RateLimited { attempts: 1, retry_after: Some(after), .. } if after == Duration::from_secs(30)),
        "{error:?}"
    );
    assert_eq!(started.elapsed(), Duration::ZERO);
}

#[tokio::test(start_paused = true)]
async fn retry_after_on_503_is_honoured_and_capped() {
    let fake = FakeTransport::scripted(vec![
        with_header(reply(503, ""), "retry-after", "7"),
        with_header(reply(503, ""), "retry-after", "120"),
        envelope("{}"),
    ]);
    let client: Client = Client::builder("http://127.0.0.1:1")
        .bearer_token("tok")
        .retry(RetryPolicy {
            max_retry_after: Duration::from_secs(20),
            ..RetryPolicy::default()
        })
        .transport(fake.clone())
        .build()
        .unwrap();
    client.send(&get()).await.unwrap();
    // 120 s is shortened to the 20 s cap: the client retries earlier than the tenant asked.
    assert_eq!(fake.send_times(), secs(&[0.0, 7.0, 27.0]));
}

#[tokio::test(start_paused = true)]
async fn one_retry_budget_covers_the_token_fetch_and_the_call() {
    let fake = FakeTransport::scripted(vec![
        with_header(reply(503, ""), "retry-after", "25"),
        with_header(reply(503, ""), "retry-after", "25"),
        reply(200, r#"{"access_token":"t","expires_in":900}"#),
        with_header(reply(429, ""), "retry-after", "20"),
        envelope("{}"),
    ]);
    let client: Client = Client::builder("http://127.0.0.1:1")
        .client_credentials("svc", "s3cr3t")
        .transport(fake.clone())
        .build()
        .unwrap();
    let error = client.send(&get()).await.unwrap_err();
    // 50 s went to the token; a 20 s wait would pass the 60 s budget of the call.
    assert!(
        matches!(error, Error::RateLimited { attempts: 1, .. }),
        "{error:?}"
    );
    assert_eq!(fake.send_times(), secs(&[0.0, 25.0, 50.0, 50.0]));
}

#[tokio::test(start_paused = true)]
async fn a_timeout_reports_how_long_the_attempt_waited() {
    // The transport's connect timeout (10 s) fires before the client's 60 s timeout.
    let fake =
        FakeTransport::with_latency(Duration::from_secs(10), |_| Err(TransportError::Timeout));
    let client: Client = Client::builder("http://127.0.0.1:1")
        .bearer_token("tok")
        .retry(RetryPolicy::none())
        .transport(fake)
        .build()
        .unwrap();
    let error = client.send(&get()).await.unwrap_err();
    assert_eq!(error.to_string(), "Org_Get failed: no answer within 10s");
}

#[tokio::test(start_paused = true)]
async fn a_client_wide_retry_quota_stops_retries_during_an_outage() {
    let outage = || FakeTransport::new(|_| Ok(reply(503, "down")));
    let fake = outage();
    let client = client(fake.clone());
    for _ in 0..200 {
        client.send(&get()).await.unwrap_err();
    }
    // 500 / 5 per retry: 100 retries in all (33 calls with three, one with one), then every
    // call fails after its first attempt.
    assert_eq!(fake.send_times().len(), 300);

    let fake = outage();
    let client: Client = Client::builder("http://127.0.0.1:1")
        .bearer_token("tok")
        .retry_quota(None)
        .transport(fake.clone())
        .build()
        .unwrap();
    for _ in 0..200 {
        client.send(&get()).await.unwrap_err();
    }
    assert_eq!(fake.send_times().len(), 800);
}

/// Issue 17, finding 15: a bearer token echoed in a 401 body ended up in `Error::Auth`.
#[tokio::test(start_paused = true)]
async fn an_echoed_token_is_scrubbed_from_errors() {
    let token = "eyJhbGciOiJSUzI1NiJ9.c2VjcmV0.c2ln";
    let fake = FakeTransport::scripted(vec![
        reply(401, &format!("<html>Bearer {token} was refused</html>")),
        reply(
            200,
            &format!(r#"{{"success":false,"Message":"token {token} lacks a right"}}"#),
        ),
    ]);
    let client: Client = Client::builder("http://127.0.0.1:1")
        .bearer_token(token)
        .transport(fake.clone())
        .build()
        .unwrap();
    for _ in 0..2 {
        let error = client.send(&create()).await.unwrap_err();
        let shown = format!("{error} {error:?}");
        assert!(!shown.contains("c2VjcmV0"), "{shown}");
        assert!(shown.contains("***"), "{shown}");
    }
}
