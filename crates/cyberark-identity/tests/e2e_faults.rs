//! Faults end to end: rate limits with `Retry-After` in both forms, the retry budget, 5xx on
//! idempotent and non-idempotent operations, per-request timeouts and deadlines on held
//! requests, malformed and truncated bodies, dropped connections.

mod common;

use std::time::{Duration, SystemTime};

use common::{client, count, fast_retry, requests_of, sandbox};
use cyberark_identity::{
    Client, Error, OrgCreateRequest, OrgDeleteRequest, OrgGetRequest, OrgListAllRequest,
    RetryPolicy, ScimListGroupsRequest,
};
use identity_sandbox::{Fault, RetryAfter, SandboxHandle};

fn statuses(sb: &SandboxHandle, operation: &str) -> Vec<u16> {
    requests_of(sb, operation)
        .iter()
        .map(|r| r.status)
        .collect()
}

/// A client with a short per-request timeout and the given retry policy.
fn impatient(sb: &SandboxHandle, timeout: Duration, retry: RetryPolicy) -> Client {
    Client::builder(sb.url())
        .client_credentials(sb.client_id(), sb.client_secret())
        .timeout(timeout)
        .retry(retry)
        .build()
        .unwrap()
}

fn demo_org_id(sb: &SandboxHandle) -> String {
    sb.state()
        .org("Engineering")
        .expect("the demo org")
        .id
        .clone()
}

#[tokio::test]
async fn rate_limits_with_retry_after_seconds_are_retried() {
    let sb = sandbox().await;
    let client = client(&sb);
    sb.faults()
        .inject("Org_ListAll", Fault::RateLimited(RetryAfter::Seconds(1)), 1);
    client
        .org()
        .list_all(OrgListAllRequest::new())
        .await
        .expect("retried after the wait");
    assert_eq!(statuses(&sb, "Org_ListAll"), [429, 200]);
}

#[tokio::test]
async fn rate_limits_with_retry_after_as_an_http_date_are_retried() {
    let sb = sandbox().await;
    let client = client(&sb);
    let at = SystemTime::now() + Duration::from_secs(1);
    sb.faults().inject(
        "Org_Create",
        Fault::RateLimited(RetryAfter::HttpDate(at)),
        1,
    );
    // A 429 means the tenant did not process the request, so even a create is resent.
    let created = client
        .org()
        .create(OrgCreateRequest::new("Rate Limited Org"))
        .await
        .expect("retried after the date");
    assert_eq!(statuses(&sb, "Org_Create"), [429, 200]);
    let state = sb.state();
    let org = state.org("Rate Limited Org").expect("created once");
    assert_eq!(Some(&org.id), created.id.as_ref());
    assert_eq!(
        state
            .orgs
            .iter()
            .filter(|o| o.name == "Rate Limited Org")
            .count(),
        1
    );
}

#[tokio::test]
async fn rate_limits_without_retry_after_use_the_backoff() {
    let sb = sandbox().await;
    let client = client(&sb);
    sb.faults()
        .inject("Org_ListAll", Fault::RateLimited(RetryAfter::None), 2);
    client
        .org()
        .list_all(OrgListAllRequest::new())
        .await
        .unwrap();
    assert_eq!(statuses(&sb, "Org_ListAll"), [429, 429, 200]);
}

#[tokio::test]
async fn rate_limiting_past_the_attempt_budget_is_an_error() {
    let sb = sandbox().await;
    let client = impatient(
        &sb,
        Duration::from_secs(10),
        RetryPolicy {
            max_attempts: 3,
            ..fast_retry()
        },
    );
    sb.faults().inject(
        "Org_ListAll",
        Fault::RateLimited(RetryAfter::Seconds(0)),
        10,
    );
    let error = client
        .org()
        .list_all(OrgListAllRequest::new())
        .await
        .expect_err("still limited after three attempts");
    match &error {
        Error::RateLimited {
            operation,
            attempts,
            retry_after,
        } => {
            assert_eq!(*operation, "Org_ListAll");
            assert_eq!(*attempts, 3);
            assert_eq!(*retry_after, Some(Duration::ZERO));
        }
        other => panic!("expected Error::RateLimited, got {other:?}"),
    }
    assert_eq!(error.status(), Some(429));
    assert!(error.is_retryable());
    assert_eq!(statuses(&sb, "Org_ListAll"), [429, 429, 429]);
    sb.faults().clear();
    client
        .org()
        .list_all(OrgListAllRequest::new())
        .await
        .unwrap();
}

#[tokio::test]
async fn server_errors_on_a_create_are_not_retried() {
    let sb = sandbox().await;
    let client = client(&sb);
    let before = sb.state().orgs.len();
    for status in [500, 503] {
        sb.clear_requests();
        sb.faults().inject("Org_Create", Fault::Status(status), 1);
        let error = client
            .org()
            .create(OrgCreateRequest::new(format!("Not Created {status}")))
            .await
            .expect_err("the fault is reported");
        let api = common::api_error(&error);
        assert_eq!(api.operation, "Org_Create");
        assert_eq!(api.status, status);
        assert_eq!(statuses(&sb, "Org_Create"), [status], "exactly one request");
    }
    assert_eq!(sb.state().orgs.len(), before, "nothing was created");
}

#[tokio::test]
async fn unavailable_on_an_idempotent_read_is_retried() {
    let sb = sandbox().await;
    let client = client(&sb);
    let org_id = demo_org_id(&sb);
    sb.faults().inject("Org_Get", Fault::Status(503), 2);
    sb.faults().inject("Org_Get", Fault::Status(502), 1);
    let org = client
        .org()
        .get(OrgGetRequest::new(org_id.as_str()))
        .await
        .expect("the fourth attempt succeeds");
    assert!(org.to_string().contains("Engineering"), "{org}");
    assert_eq!(statuses(&sb, "Org_Get"), [503, 503, 502, 200]);

    // Past the attempt budget the last 503 is reported as an API error.
    sb.clear_requests();
    sb.faults().inject("Org_Get", Fault::Status(503), 4);
    let error = client
        .org()
        .get(OrgGetRequest::new(org_id.as_str()))
        .await
        .expect_err("four 503s exhaust the budget");
    assert_eq!(common::api_error(&error).status, 503);
    assert!(error.is_retryable());
    assert_eq!(count(&sb, "Org_Get"), 4);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_held_request_hits_the_per_request_timeout() {
    let sb = sandbox().await;
    let client = impatient(&sb, Duration::from_millis(300), RetryPolicy::none());
    // Fetch the token first, so only the held call is subject to the hold.
    client
        .org()
        .list_all(OrgListAllRequest::new())
        .await
        .unwrap();
    let hold = sb.faults().hold("Org_ListAll");
    let call = tokio::spawn({
        let client = client.clone();
        async move { client.org().list_all(OrgListAllRequest::new()).await }
    });
    hold.arrived().await;
    let error = call.await.unwrap().expect_err("the held call times out");
    match &error {
        Error::Timeout { operation, elapsed } => {
            assert_eq!(*operation, "Org_ListAll");
            assert_eq!(*elapsed, Duration::from_millis(300));
        }
        other => panic!("expected Error::Timeout, got {other:?}"),
    }
    assert!(error.is_retryable());
    hold.release();
    client
        .org()
        .list_all(OrgListAllRequest::new())
        .await
        .expect("the client works after the hold is released");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_held_request_hits_the_overall_deadline() {
    let sb = sandbox().await;
    let client = Client::builder(sb.url())
        .client_credentials(sb.client_id(), sb.client_secret())
        .deadline(Duration::from_millis(400))
        .build()
        .unwrap();
    let hold = sb.faults().hold("Authentication_PlatformToken");
    let call = tokio::spawn({
        let client = client.clone();
        async move { client.org().list_all(OrgListAllRequest::new()).await }
    });
    hold.arrived().await;
    let error = call.await.unwrap().expect_err("the deadline passes");
    assert!(
        matches!(
            error,
            Error::Timeout {
                operation: "Org_ListAll",
                ..
            }
        ),
        "{error:?}"
    );
    hold.release();
    client
        .org()
        .list_all(OrgListAllRequest::new())
        .await
        .unwrap();
}

#[tokio::test]
async fn a_malformed_envelope_is_a_decode_error() {
    let sb = sandbox().await;
    let client = client(&sb);
    sb.faults().inject("Org_ListAll", Fault::MalformedJson, 1);
    let error = client
        .org()
        .list_all(OrgListAllRequest::new())
        .await
        .expect_err("the body is not JSON");
    match &error {
        Error::Decode {
            operation,
            path,
            status,
            excerpt,
            ..
        } => {
            assert_eq!(*operation, "Org_ListAll");
            assert_eq!(*status, 200);
            assert_eq!(path, "Result", "the path names where the envelope broke");
            assert!(excerpt.starts_with("{\"success\""), "{excerpt}");
        }
        other => panic!("expected Error::Decode, got {other:?}"),
    }
    assert!(!error.is_retryable());
    assert_eq!(
        count(&sb, "Org_ListAll"),
        1,
        "a decode error is not retried"
    );
}

#[tokio::test]
async fn a_malformed_scim_answer_names_the_json_path() {
    let sb = sandbox().await;
    let client = client(&sb);
    sb.faults()
        .inject("SCIM_ListGroups", Fault::MalformedJson, 1);
    let error = client
        .scim()
        .list_groups(ScimListGroupsRequest::new())
        .await
        .expect_err("the body is cut in half");
    match &error {
        Error::Decode {
            operation, path, ..
        } => {
            assert_eq!(*operation, "SCIM_ListGroups");
            assert!(
                path.starts_with("Resources[") && path.contains("members["),
                "the path points into the list where the body broke off: {path}"
            );
        }
        other => panic!("expected Error::Decode, got {other:?}"),
    }
}

#[tokio::test]
async fn a_truncated_body_fails_a_create_and_is_retried_on_a_read() {
    let sb = sandbox().await;
    let client = client(&sb);
    sb.faults().inject("Org_Create", Fault::TruncatedBody, 1);
    let error = client
        .org()
        .create(OrgCreateRequest::new("Half An Answer"))
        .await
        .expect_err("the answer is cut short");
    // The body ends before its Content-Length: at the HTTP level the answer did not arrive, so
    // the runtime reports a transport failure (hyper's IncompleteBody), not a decode error of a
    // complete answer. That is also what lets an idempotent read be resent below.
    assert!(
        matches!(
            error,
            Error::Transport {
                operation: "Org_Create",
                ..
            }
        ),
        "{error:?}"
    );
    assert_eq!(count(&sb, "Org_Create"), 1, "a create is not resent");
    assert!(
        sb.state().org("Half An Answer").is_some(),
        "the tenant processed the request before the answer broke"
    );

    sb.faults().inject("Org_ListAll", Fault::TruncatedBody, 1);
    let result = client.org().list_all(OrgListAllRequest::new()).await;
    assert!(result.is_ok(), "an idempotent read is resent: {result:?}");
    assert_eq!(count(&sb, "Org_ListAll"), 2);
}

#[tokio::test]
async fn a_dropped_connection_on_a_read_is_retried() {
    let sb = sandbox().await;
    let client = client(&sb);
    sb.faults().inject("Org_ListAll", Fault::DropConnection, 2);
    client
        .org()
        .list_all(OrgListAllRequest::new())
        .await
        .expect("the third attempt succeeds");
    assert_eq!(statuses(&sb, "Org_ListAll"), [0, 0, 200]);

    sb.faults().inject("Org_Create", Fault::DropConnection, 1);
    let error = client
        .org()
        .create(OrgCreateRequest::new("Dropped"))
        .await
        .expect_err("a create is not resent");
    assert!(
        matches!(
            error,
            Error::Transport {
                operation: "Org_Create",
                ..
            }
        ),
        "{error:?}"
    );
    assert!(error.is_retryable());
    assert_eq!(statuses(&sb, "Org_Create"), [0]);
    assert!(sb.state().org("Dropped").is_none());
}

#[tokio::test]
async fn a_delayed_answer_within_the_timeout_succeeds() {
    let sb = sandbox().await;
    let client = client(&sb);
    sb.faults()
        .inject("Org_ListAll", Fault::Delay(Duration::from_millis(50)), 1);
    client
        .org()
        .list_all(OrgListAllRequest::new())
        .await
        .unwrap();
    assert_eq!(statuses(&sb, "Org_ListAll"), [200]);
}

#[tokio::test]
async fn faults_on_the_token_endpoint_are_retried_too() {
    let sb = sandbox().await;
    let client = client(&sb);
    sb.faults().inject(
        "Authentication_PlatformToken",
        Fault::RateLimited(RetryAfter::Seconds(0)),
        1,
    );
    sb.faults()
        .inject("Authentication_PlatformToken", Fault::Status(503), 1);
    sb.faults()
        .inject("Authentication_PlatformToken", Fault::DropConnection, 1);
    client
        .org()
        .list_all(OrgListAllRequest::new())
        .await
        .unwrap();
    assert_eq!(
        statuses(&sb, "Authentication_PlatformToken"),
        [429, 503, 0, 200]
    );
    assert_eq!(statuses(&sb, "Org_ListAll"), [200]);
}

#[tokio::test]
async fn a_second_401_after_a_fresh_token_is_an_auth_error() {
    let sb = sandbox().await;
    let client = client(&sb);
    sb.faults().inject("Org_ListAll", Fault::Status(401), 2);
    let error = client
        .org()
        .list_all(OrgListAllRequest::new())
        .await
        .expect_err("the fresh token is refused too");
    match &error {
        Error::Auth {
            operation,
            status,
            message,
        } => {
            assert_eq!(*operation, "Org_ListAll");
            assert_eq!(*status, Some(401));
            assert!(message.contains("freshly fetched"), "{message}");
        }
        other => panic!("expected Error::Auth, got {other:?}"),
    }
    let log: Vec<(String, u16)> = sb
        .requests()
        .into_iter()
        .map(|r| (r.operation.unwrap_or_default(), r.status))
        .collect();
    assert_eq!(
        log,
        [
            ("Authentication_PlatformToken".to_owned(), 200),
            ("Org_ListAll".to_owned(), 401),
            ("Authentication_PlatformToken".to_owned(), 200),
            ("Org_ListAll".to_owned(), 401),
        ],
        "one refresh, then the refusal is reported"
    );
    client
        .org()
        .list_all(OrgListAllRequest::new())
        .await
        .unwrap();
}

#[tokio::test]
async fn a_delete_whose_answer_is_lost_is_resent_and_finds_nothing() {
    let sb = sandbox().await;
    let client = client(&sb);
    let id = client
        .org()
        .create(OrgCreateRequest::new("Short Lived"))
        .await
        .unwrap()
        .id
        .unwrap();
    // Org_Delete is idempotent in the spec, so after a truncated answer the client resends it.
    // The first request was processed, so the resend finds no organization: the tenant answers
    // "does not exist", and a caller must read that as "already deleted".
    sb.faults().inject("Org_Delete", Fault::TruncatedBody, 1);
    let result = client
        .org()
        .delete(OrgDeleteRequest::new(id.as_str()))
        .await;
    assert_eq!(statuses(&sb, "Org_Delete"), [200, 200]);
    common::expect_api(result, "Org_Delete", common::NOT_FOUND, "does not exist");
    assert!(sb.state().org(&id).is_none());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn client_side_limits_still_deliver_every_call() {
    let sb = sandbox().await;
    let client = Client::builder(sb.url())
        .client_credentials(sb.client_id(), sb.client_secret())
        .rate_limit(200.0)
        .max_in_flight(2)
        .build()
        .unwrap();
    let calls: Vec<_> = (0..12)
        .map(|_| {
            let client = client.clone();
            tokio::spawn(async move { client.org().list_all(OrgListAllRequest::new()).await })
        })
        .collect();
    for call in calls {
        call.await.unwrap().expect("every call is delivered");
    }
    assert_eq!(statuses(&sb, "Org_ListAll"), [200; 12]);
}
