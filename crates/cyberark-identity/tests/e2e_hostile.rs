//! A hostile server: every misbehaviour the sandbox's fault injection can script (deep nesting,
//! huge and slow bodies, wrong content types, invalid UTF-8, duplicate keys, out-of-range
//! numbers, HTML, redirects) ends in a typed error in bounded time and memory, and the same
//! client works for the next call. Dot-segment path parameters are refused before sending.

mod common;

use std::time::Duration;

use common::{client, count, fast_retry, sandbox};
use cyberark_identity::{Client, Error, OrgListAllRequest, RetryPolicy, ScimDeleteGroupRequest};
use identity_sandbox::{Fault, Hostile, SandboxHandle};

const OP: &str = "Org_ListAll";

/// A client with a small answer limit and no retries, so each hostile answer is seen once.
fn wary(sb: &SandboxHandle) -> Client {
    Client::builder(sb.url())
        .client_credentials(sb.client_id(), sb.client_secret())
        .retry(RetryPolicy {
            max_attempts: 1,
            ..fast_retry()
        })
        .timeout(Duration::from_secs(2))
        .max_response_bytes(1024 * 1024)
        .build()
        .unwrap()
}

async fn list(client: &Client) -> Result<(), Error> {
    client
        .org()
        .list_all(OrgListAllRequest::new())
        .await
        .map(drop)
}

/// Injects `hostile` once, returns what the call gave, and checks that the next call works.
async fn answer(sb: &SandboxHandle, client: &Client, hostile: Hostile) -> Error {
    sb.faults().inject(OP, Fault::Hostile(hostile.clone()), 1);
    let error = list(client)
        .await
        .expect_err("a hostile answer fails the call");
    list(client)
        .await
        .unwrap_or_else(|e| panic!("the call after {hostile:?} failed: {e:?}"));
    error
}

fn decode_message(error: &Error) -> &str {
    match error {
        Error::Decode {
            message, operation, ..
        } => {
            assert_eq!(*operation, OP);
            message
        }
        other => panic!("expected a decode error, got {other:?}"),
    }
}

#[tokio::test]
async fn deep_nesting_is_a_decode_error() {
    let sb = sandbox().await;
    let client = wary(&sb);
    let error = answer(&sb, &client, Hostile::DeepNesting { depth: 100_000 }).await;
    assert!(
        decode_message(&error).contains("deeper than 128 levels"),
        "{error}"
    );
}

#[tokio::test]
async fn a_body_past_the_limit_stops_the_read() {
    let sb = sandbox().await;
    let client = wary(&sb);
    let error = answer(
        &sb,
        &client,
        Hostile::HugeBody {
            bytes: 300 * 1024 * 1024,
        },
    )
    .await;
    assert!(
        decode_message(&error).contains("larger than the client's limit of 1048576 bytes"),
        "{error}"
    );
    // The excerpt is the start of what was read, not the whole body.
    assert!(error.to_string().len() < 1000);
}

#[tokio::test]
async fn a_slow_drip_ends_at_the_timeout() {
    let sb = sandbox().await;
    let client = Client::builder(sb.url())
        .client_credentials(sb.client_id(), sb.client_secret())
        .retry(RetryPolicy {
            max_attempts: 1,
            ..fast_retry()
        })
        .timeout(Duration::from_secs(1))
        .build()
        .unwrap();
    let drip = Hostile::SlowDrip {
        interval: Duration::from_millis(500),
    };
    let error = answer(&sb, &client, drip.clone()).await;
    assert!(
        matches!(error, Error::Timeout { operation: OP, .. }),
        "{error:?}"
    );

    // The overall deadline ends it too, even with a patient per-request timeout.
    let client = Client::builder(sb.url())
        .client_credentials(sb.client_id(), sb.client_secret())
        .timeout(Duration::from_secs(600))
        .deadline(Duration::from_secs(2))
        .build()
        .unwrap();
    list(&client).await.unwrap();
    let error = answer(&sb, &client, drip).await;
    assert!(
        matches!(error, Error::Timeout { operation: OP, .. }),
        "{error:?}"
    );
}

#[tokio::test]
async fn malformed_answers_are_decode_errors() {
    let sb = sandbox().await;
    let client = wary(&sb);
    for hostile in [
        Hostile::WrongContentType,
        Hostile::InvalidUtf8,
        Hostile::DuplicateKeys,
        Hostile::OutOfRange,
        Hostile::Html,
    ] {
        let error = answer(&sb, &client, hostile.clone()).await;
        let message = decode_message(&error);
        assert!(!message.is_empty(), "{hostile:?}");
        // A sign-in page's password field is no secret, but the excerpt is redacted all the same.
        assert!(!error.to_string().contains("\n"), "{hostile:?}: {error}");
    }
}

#[tokio::test]
async fn redirects_are_not_followed() {
    let sb = sandbox().await;
    let client = wary(&sb);
    // A listener standing for "another host": the client must never connect to it.
    let elsewhere = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    elsewhere.set_nonblocking(true).unwrap();
    let location = format!("http://{}/stolen", elsewhere.local_addr().unwrap());
    let error = answer(&sb, &client, Hostile::Redirect { location }).await;
    match &error {
        Error::Api(api) => assert_eq!(api.status, 307),
        other => panic!("expected the 307 as an API error, got {other:?}"),
    }
    assert!(
        matches!(elsewhere.accept(), Err(e) if e.kind() == std::io::ErrorKind::WouldBlock),
        "the client followed the redirect"
    );
}

/// Issue 11: `delete_group("..")`, `(".")` and `("")` sent `DELETE /scim/Groups`, the collection.
#[tokio::test]
async fn dot_segment_path_parameters_are_refused_before_sending() {
    let sb = sandbox().await;
    let client = client(&sb);
    for id in ["..", ".", ""] {
        let error = client
            .scim()
            .delete_group(ScimDeleteGroupRequest::new(id))
            .await
            .expect_err("refused");
        assert!(
            matches!(error, Error::InvalidRequest { ref message, .. } if message.contains("`id`")),
            "{id:?}: {error:?}"
        );
    }
    assert_eq!(
        sb.requests()
            .iter()
            .filter(|r| r.method == "DELETE")
            .count(),
        0
    );
    assert_eq!(count(&sb, "Scim_DeleteGroup"), 0);
}
