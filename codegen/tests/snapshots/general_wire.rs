//! The `general` fixture's client against a scripted server on 127.0.0.1: one test per answer
//! shape, each checking what went out on the wire and what came back typed.

use crate::general::*;
use cyberark_runtime::{Error, RetryPolicy};
use std::time::Duration;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpListener;
use tokio::task::JoinHandle;

/// One scripted answer: status, content type and body.
type Answer = (u16, &'static str, String);

/// What the server received: the request head (request line and headers) and the body.
#[derive(Debug)]
struct Received {
    head: String,
    body: String,
}

impl Received {
    /// The request line, e.g. `GET /nodes/1?ids=1&ids=2 HTTP/1.1`.
    fn line(&self) -> &str {
        self.head.lines().next().unwrap_or_default()
    }

    /// A header's value, by name in any case.
    fn header(&self, name: &str) -> Option<&str> {
        self.head.lines().skip(1).find_map(|l| {
            let (n, v) = l.split_once(':')?;
            n.eq_ignore_ascii_case(name).then(|| v.trim())
        })
    }
}

/// Serves the answers in order, one connection each, and returns what it received.
async fn serve(answers: Vec<Answer>) -> (Client, JoinHandle<Vec<Received>>) {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let address = listener.local_addr().unwrap();
    let server = tokio::spawn(async move {
        let mut received = Vec::new();
        for (status, content_type, body) in answers {
            let (mut socket, _) = listener.accept().await.unwrap();
            let mut data = Vec::new();
            let mut buf = [0u8; 4096];
            // Read the head, then as much body as Content-Length says.
            let (head, rest) = loop {
                let n = socket.read(&mut buf).await.unwrap();
                data.extend_from_slice(&buf[..n]);
                if let Some(end) = data.windows(4).position(|w| w == b"\r\n\r\n") {
                    let head = String::from_utf8_lossy(&data[..end]).into_owned();
                    break (head, data[end + 4..].to_vec());
                }
                assert!(n > 0, "the client closed before sending a whole head");
            };
            let length: usize = head
                .lines()
                .find_map(|l| {
                    let (n, v) = l.split_once(':')?;
                    n.eq_ignore_ascii_case("content-length")
                        .then(|| v.trim().parse().ok())?
                })
                .unwrap_or(0);
            let mut body_bytes = rest;
            while body_bytes.len() < length {
                let n = socket.read(&mut buf).await.unwrap();
                assert!(n > 0, "the client closed before sending the whole body");
                body_bytes.extend_from_slice(&buf[..n]);
            }
            received.push(Received {
                head,
                body: String::from_utf8_lossy(&body_bytes).into_owned(),
            });
            let reason = if status < 300 { "OK" } else { "Failed" };
            let answer = format!(
                "HTTP/1.1 {status} {reason}\r\ncontent-type: {content_type}\r\ncontent-length: {}\r\nconnection: close\r\n\r\n{body}",
                body.len()
            );
            socket.write_all(answer.as_bytes()).await.unwrap();
            socket.shutdown().await.unwrap();
        }
        received
    });
    let retry = RetryPolicy {
        initial_backoff: Duration::from_millis(1),
        max_backoff: Duration::from_millis(1),
        ..RetryPolicy::default()
    };
    let client: Client = Client::builder(format!("http://{address}"))
        .bearer_token("t0ken")
        .retry(retry)
        .build()
        .unwrap();
    (client, server)
}

fn json(status: u16, body: serde_json::Value) -> Answer {
    (status, "application/json", body.to_string())
}

/// Array, map and header parameters travel in the spec's styles; a recursive answer decodes.
#[tokio::test]
async fn parameters_of_every_style_and_a_recursive_answer() {
    let (client, server) = serve(vec![json(
        200,
        serde_json::json!({"id": "n2", "name": "leaf", "created": "2024-05-31T12:30:00.000Z", "born": "2024-02-29",
                           "tree": "09B9A9B0-6CE8-465F-AB03-65766D33B05E",
                           "parent": {"id": "n1", "name": "root", "parent": null, "created": "/Date(1700000000000)/",
                                      "tree": "sysadmin"},
                           "children": [{"name": "c"}], "labels": {"k": "v"}, "new_key": 1}),
    )])
    .await;
    let filter = std::collections::BTreeMap::from([("name".to_owned(), "a b".to_owned())]);
    let node = client
        .nodes()
        .get(
            NodesGetRequest::new("n2")
                .ids(vec![1i64, 2])
                .tags(vec!["x".to_owned(), "y".to_owned()])
                .filter(filter)
                .x_request_id("r-1")
                .x_trace(vec!["a".to_owned(), "b".to_owned()]),
        )
        .await
        .unwrap();
    let parent = node.parent.as_deref().expect("the parent is decoded");
    assert_eq!(parent.name, "root");
    // Dates are typed where they parse, and kept exactly as sent where they do not.
    let created = node.created.as_ref().expect("created");
    assert_eq!(
        created.at().map(|t| t.unix_timestamp()),
        Some(1_717_158_600)
    );
    assert_eq!(created.as_str(), "2024-05-31T12:30:00.000Z");
    assert_eq!(
        node.born
            .as_ref()
            .and_then(|d| d.day())
            .map(|d| d.ordinal()),
        Some(60)
    );
    // A .NET date is an instant too, and its text is kept for sending back.
    let dotnet = parent.created.as_ref().expect("the parent's created");
    assert_eq!(
        (dotnet.at().map(|t| t.unix_timestamp()), dotnet.as_str()),
        (Some(1_700_000_000), "/Date(1700000000000)/")
    );
    assert_eq!(
        serde_json::to_value(parent).unwrap()["created"],
        serde_json::json!("/Date(1700000000000)/")
    );
    // A uuid is typed where it is one, and its text travels back exactly, case and all.
    let tree = node.tree.as_ref().expect("tree");
    assert_eq!(
        tree.value().map(|u| u.as_u128()),
        Some(0x09B9A9B0_6CE8_465F_AB03_65766D33B05E)
    );
    assert_eq!(
        serde_json::to_value(&node).unwrap()["tree"],
        "09B9A9B0-6CE8-465F-AB03-65766D33B05E"
    );
    let not_a_uuid = parent.tree.as_ref().expect("the parent's tree");
    assert_eq!(
        (not_a_uuid.value(), not_a_uuid.as_str()),
        (None, "sysadmin")
    );
    assert_eq!(node.children.as_ref().map(Vec::len), Some(1));
    assert_eq!(node.extra.get("new_key"), Some(&serde_json::json!(1)));
    let received = server.await.unwrap();
    assert_eq!(
        received[0].line(),
        "GET /nodes/n2?ids=1&ids=2&tags=x%2Cy&filter%5Bname%5D=a+b HTTP/1.1"
    );
    assert_eq!(received[0].header("x-request-id"), Some("r-1"));
    assert_eq!(received[0].header("x-trace"), Some("a,b"));
    assert_eq!(received[0].header("accept"), Some("application/json"));
}

/// A plain JSON answer is typed, and a failure comes with its real status.
#[tokio::test]
async fn plain_json_answers_and_real_status_codes() {
    let (client, server) = serve(vec![
        json(200, serde_json::json!({"extra_flag": true})),
        json(200, serde_json::json!({"id": "b", "note": "merged"})),
        json(404, serde_json::json!({"message": "no flags here"})),
    ])
    .await;
    let flags = client
        .shapes()
        .flags(ShapesFlagsRequest::new())
        .await
        .unwrap();
    assert_eq!(flags.extra_flag, Some(true));
    let merged = client
        .shapes()
        .merged(ShapesMergedRequest::new())
        .await
        .unwrap();
    assert_eq!(
        (merged.id.as_str(), merged.note.as_deref()),
        ("b", Some("merged"))
    );
    let error = client
        .shapes()
        .flags(ShapesFlagsRequest::new())
        .await
        .unwrap_err();
    assert_eq!(error.status(), Some(404), "{error}");
    server.await.unwrap();
}

/// Two success codes with different schemas decode into one enum, arm by shape.
#[tokio::test]
async fn several_success_codes_become_one_enum() {
    let (client, server) = serve(vec![
        json(202, serde_json::json!({"location": "/queue/7"})),
        json(200, serde_json::json!({"id": "n9", "name": "old"})),
    ])
    .await;
    // `Node` is the whole body and an answer: its readOnly `id` (here and in a child) is kept
    // in the value the caller holds but never sent.
    let request = NodesCreateRequest::new(
        Node::new("new")
            .passphrase("p")
            .id("ignored")
            .children(vec![Node::new("kid").id("ignored too")]),
    );
    assert_eq!(request.body.id.as_deref(), Some("ignored"));
    let pending = client.nodes().create(request.clone()).await.unwrap();
    assert!(
        matches!(&pending, NodesCreateResponse::Status202(p) if p.location == "/queue/7"),
        "{pending:?}"
    );
    let existing = client.nodes().create(request).await.unwrap();
    assert!(
        matches!(&existing, NodesCreateResponse::Status200(n) if n.name == "old"),
        "{existing:?}"
    );
    let received = server.await.unwrap();
    let sent: serde_json::Value = serde_json::from_str(&received[0].body).unwrap();
    assert_eq!(sent["name"], "new");
    assert_eq!(sent["passphrase"], "p");
    assert_eq!(sent.get("id"), None, "readOnly is not sent: {sent}");
    assert_eq!(sent["children"][0]["name"], "kid");
    assert_eq!(
        sent["children"][0].get("id"),
        None,
        "nor in a nested value: {sent}"
    );
}

/// A discriminated union picks its arm by the tag and keeps an unknown one as JSON; an untagged
/// one takes the first arm that fits.
#[tokio::test]
async fn unions_decode_by_tag_or_by_shape() {
    let (client, server) = serve(vec![
        json(200, serde_json::json!({"petType": "cat", "lives": 9})),
        json(200, serde_json::json!({"petType": "bird", "wings": 2})),
        json(200, serde_json::json!("a name")),
        json(200, serde_json::json!({"score": 0.5})),
    ])
    .await;
    let pets = client.shapes();
    let cat = pets.pet(ShapesPetRequest::new("1")).await.unwrap();
    assert!(matches!(&cat, Pet::Cat(c) if c.lives == Some(9)), "{cat:?}");
    let bird = pets.pet(ShapesPetRequest::new("2")).await.unwrap();
    assert_eq!(
        bird,
        Pet::Unknown(serde_json::json!({"petType": "bird", "wings": 2}))
    );
    assert_eq!(
        serde_json::to_value(&cat).unwrap(),
        serde_json::json!({"petType": "cat", "lives": 9})
    );
    let name = pets.search(ShapesSearchRequest::new("q")).await.unwrap();
    assert_eq!(name, ShapesSearchResponse::String("a name".to_owned()));
    let found = pets.search(ShapesSearchRequest::new("q")).await.unwrap();
    assert!(
        matches!(&found, ShapesSearchResponse::Match(m) if m.score == 0.5),
        "{found:?}"
    );
    server.await.unwrap();
}

/// A text answer is the body as a string, asked for with a text `Accept`.
#[tokio::test]
async fn text_answers_are_strings() {
    let (client, server) = serve(vec![(
        200,
        "text/plain",
        "# Read me\n{not json}".to_owned(),
    )])
    .await;
    let text = client
        .shapes()
        .readme(ShapesReadmeRequest::new())
        .await
        .unwrap();
    assert_eq!(text, "# Read me\n{not json}");
    let received = server.await.unwrap();
    assert!(
        received[0]
            .header("accept")
            .unwrap_or_default()
            .starts_with("text/plain")
    );
}

/// Enum values that are keywords or collide after case folding round-trip exactly.
#[tokio::test]
async fn awkward_enum_values_round_trip_on_the_wire() {
    let (client, server) = serve(vec![json(200, serde_json::json!("A"))]).await;
    let kind = client
        .shapes()
        .set_kind(ShapesSetKindRequest::new(Kind::Self2))
        .await
        .unwrap();
    assert_eq!(kind, Kind::A2);
    let received = server.await.unwrap();
    assert_eq!(received[0].body, r#"{"kind":"Self"}"#);
    for (value, wire) in [
        (Kind::None, "None"),
        (Kind::Type, "type"),
        (Kind::Class, "class"),
        (Kind::A, "a"),
        (Kind::Unknown2, "Unknown"),
    ] {
        assert_eq!(value.as_str(), wire);
    }
}

/// A GET, PUT or DELETE is idempotent unless the spec says otherwise, so a 503 is retried; a
/// POST is not. A 204 decodes as `()`.
#[tokio::test]
async fn idempotency_follows_the_method() {
    let (client, server) = serve(vec![
        (503, "text/plain", "busy".to_owned()),
        (204, "text/plain", String::new()),
        (503, "text/plain", "busy".to_owned()),
    ])
    .await;
    client
        .nodes()
        .delete(NodesDeleteRequest::new("n1"))
        .await
        .unwrap();
    #[allow(deprecated)]
    let error = client
        .shapes()
        .legacy(ShapesLegacyRequest::new())
        .await
        .unwrap_err();
    assert!(
        matches!(&error, Error::Api(api) if api.status == 503),
        "{error}"
    );
    let received = server.await.unwrap();
    assert!(received[0].line().starts_with("DELETE /nodes/n1 "));
    assert!(received[1].line().starts_with("DELETE /nodes/n1 "));
    assert!(received[2].line().starts_with("POST /legacy "));
}

/// A byte answer arrives as a stream: the first chunk reaches the caller while the server still
/// holds the rest back, so the body is never held whole.
#[tokio::test]
async fn byte_answers_stream() {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let address = listener.local_addr().unwrap();
    let (first_seen, wait_for_first) = tokio::sync::oneshot::channel::<()>();
    let first = vec![b'a'; 1000];
    let rest = vec![b'b'; 3000];
    let (first_sent, rest_sent) = (first.clone(), rest.clone());
    let server = tokio::spawn(async move {
        let (mut socket, _) = listener.accept().await.unwrap();
        let mut head = Vec::new();
        let mut buf = [0u8; 4096];
        while !head.windows(4).any(|w| w == b"\r\n\r\n") {
            let n = socket.read(&mut buf).await.unwrap();
            assert!(n > 0, "the client closed before sending a whole head");
            head.extend_from_slice(&buf[..n]);
        }
        let length = first_sent.len() + rest_sent.len();
        let answer = format!(
            "HTTP/1.1 200 OK\r\ncontent-type: application/octet-stream\r\ncontent-length: {length}\r\nconnection: close\r\n\r\n"
        );
        socket.write_all(answer.as_bytes()).await.unwrap();
        socket.write_all(&first_sent).await.unwrap();
        socket.flush().await.unwrap();
        // The rest is sent only once the client has handed the first bytes to its caller.
        wait_for_first.await.unwrap();
        socket.write_all(&rest_sent).await.unwrap();
        socket.shutdown().await.unwrap();
        String::from_utf8_lossy(&head).into_owned()
    });
    let client: Client = Client::builder(format!("http://{address}"))
        .bearer_token("t0ken")
        .build()
        .unwrap();
    let mut stream = client
        .shapes()
        .recording(ShapesRecordingRequest::new("r1"))
        .await
        .unwrap();
    assert_eq!(stream.content_type(), Some("application/octet-stream"));
    assert_eq!(stream.content_length(), Some(4000));
    let mut received = Vec::new();
    let mut first_seen = Some(first_seen);
    use cyberark_runtime::Stream as _;
    while let Some(chunk) =
        std::future::poll_fn(|cx| std::pin::Pin::new(&mut stream).poll_next(cx)).await
    {
        received.extend_from_slice(&chunk.unwrap());
        if let Some(signal) = first_seen.take() {
            signal.send(()).unwrap();
        }
    }
    let mut expected = first;
    expected.extend_from_slice(&rest);
    assert_eq!(received, expected);
    let head = server.await.unwrap();
    assert!(head.starts_with("GET /recordings/r1 HTTP/1.1"), "{head}");
    assert!(head.to_ascii_lowercase().contains("accept: */*"), "{head}");
}
