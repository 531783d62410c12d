//! The public interface as generated code uses it, over real HTTP to a tiny server on 127.0.0.1.
//!
//! This checks what the scripted-transport unit tests cannot: the bytes reqwest puts on the wire
//! (headers, bearer, multipart), and that `string_enum!` and the traits work from another crate.

use std::sync::{Arc, Mutex};

use cyberark_runtime::{
    AuthMode, Client, Convention, Encoder, Error, FilePart, Method, Nullable, Operation, Page,
    PageCursor, PagedRequest, PagingStyle, Request,
};
use futures::TryStreamExt;
use serde::{Deserialize, Serialize};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpListener;

cyberark_runtime::string_enum! {
    /// The kind of a directory object.
    pub enum Kind {
        /// A user.
        User = "User",
        /// A role.
        Role = "Role",
    }
}

static ORG_CREATE: Operation = Operation {
    id: "Org_Create",
    tag: "Org",
    name: "Create",
    method: Method::Post,
    path: "/Org/Create",
    convention: Convention::Envelope,
    auth: AuthMode::Bearer,
    idempotent: false,
};

#[derive(Serialize)]
struct CreateOrg {
    #[serde(rename = "Name")]
    name: String,
    #[serde(rename = "Kind")]
    kind: Kind,
    #[serde(
        rename = "Description",
        default,
        skip_serializing_if = "Nullable::is_absent"
    )]
    description: Nullable<String>,
}

#[derive(Deserialize, Debug)]
struct Created {
    #[serde(rename = "ID")]
    id: String,
    #[serde(rename = "Kind")]
    kind: Kind,
}

impl Request for CreateOrg {
    type Output = Created;
    const OPERATION: &'static Operation = &ORG_CREATE;
    fn encode(&self, encoder: &mut Encoder) -> Result<(), Error> {
        encoder.json(self)
    }
}

static SET_PICTURE: Operation = Operation {
    id: "CDirectoryService_SetUserPicture",
    tag: "CDirectoryService",
    name: "SetUserPicture",
    method: Method::Post,
    path: "/CDirectoryService/SetUserPicture",
    convention: Convention::Envelope,
    auth: AuthMode::Bearer,
    idempotent: true,
};

struct SetPicture {
    id: String,
    file: FilePart,
}

impl Request for SetPicture {
    type Output = ();
    const OPERATION: &'static Operation = &SET_PICTURE;
    fn encode(&self, encoder: &mut Encoder) -> Result<(), Error> {
        encoder.query("ID", &self.id);
        encoder.multipart_text("note", &"hello");
        encoder.multipart_file("file", &self.file);
        Ok(())
    }
}

static QUERY: Operation = Operation {
    id: "Redrock_Query",
    tag: "Redrock",
    name: "Query",
    method: Method::Post,
    path: "/Redrock/Query",
    convention: Convention::Envelope,
    auth: AuthMode::Bearer,
    idempotent: true,
};

#[derive(Serialize, Clone, Default)]
struct Args {
    #[serde(rename = "PageNumber", skip_serializing_if = "Option::is_none")]
    page_number: Option<u32>,
    #[serde(rename = "PageSize", skip_serializing_if = "Option::is_none")]
    page_size: Option<u32>,
}

#[derive(Serialize, Clone)]
struct Query {
    #[serde(rename = "Script")]
    script: String,
    #[serde(rename = "Args")]
    args: Args,
}

#[derive(Deserialize)]
struct Table {
    #[serde(rename = "FullCount")]
    full_count: Option<u64>,
    #[serde(rename = "Results")]
    results: Vec<Row>,
}

#[derive(Deserialize, Debug, Clone, PartialEq)]
struct Row {
    #[serde(rename = "Row")]
    row: serde_json::Value,
}

impl Request for Query {
    type Output = Table;
    const OPERATION: &'static Operation = &QUERY;
    fn encode(&self, encoder: &mut Encoder) -> Result<(), Error> {
        encoder.json(self)
    }
}

impl PagedRequest for Query {
    type Item = Row;
    const STYLE: PagingStyle = PagingStyle::Redrock;
    fn set_page(&mut self, page: PageCursor) {
        if let PageCursor::Redrock {
            page_number,
            page_size,
        } = page
        {
            self.args.page_number = Some(page_number);
            self.args.page_size = Some(page_size);
        }
    }
    fn into_page(output: Table) -> Page<Row> {
        Page {
            items: output.results,
            total: output.full_count,
            next_link: None,
        }
    }
}

/// Serves HTTP/1.1 on 127.0.0.1, one request per connection, recording each raw request.
async fn serve(answer: fn(&str) -> String) -> (String, Arc<Mutex<Vec<String>>>) {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    let log = Arc::new(Mutex::new(Vec::new()));
    let record = log.clone();
    tokio::spawn(async move {
        loop {
            let Ok((mut socket, _)) = listener.accept().await else {
                return;
            };
            let mut raw = Vec::new();
            let mut buf = [0u8; 4096];
            // Read the head, then as many body bytes as Content-Length announces.
            loop {
                let n = socket.read(&mut buf).await.unwrap();
                if n == 0 {
                    break;
                }
                raw.extend_from_slice(&buf[..n]);
                let text = String::from_utf8_lossy(&raw).to_string();
                if let Some(end) = text.find("\r\n\r\n") {
                    let length = text[..end]
                        .lines()
                        .find_map(|l| {
                            let (name, value) = l.split_once(':')?;
                            name.eq_ignore_ascii_case("content-length")
                                .then(|| value.trim().parse::<usize>().ok())?
                        })
                        .unwrap_or(0);
                    if raw.len() >= end + 4 + length {
                        break;
                    }
                }
            }
            let text = String::from_utf8_lossy(&raw).to_string();
            let body = answer(&text);
            record.lock().unwrap().push(text);
            let response = format!(
                "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
                body.len()
            );
            socket.write_all(response.as_bytes()).await.unwrap();
            socket.shutdown().await.ok();
        }
    });
    (url, log)
}

fn answer(request: &str) -> String {
    let result = if request.starts_with("POST /Org/Create ") {
        r#"{"ID":"o1","Kind":"Auditor"}"#.to_owned()
    } else if request.starts_with("POST /Redrock/Query ") {
        let page = if request.contains(r#""PageNumber":1"#) {
            r#"[{"Row":{"n":1}},{"Row":{"n":2}}]"#
        } else {
            r#"[{"Row":{"n":3}}]"#
        };
        format!(r#"{{"FullCount":3,"Results":{page}}}"#)
    } else {
        "null".to_owned()
    };
    format!(r#"{{"success":true,"Result":{result}}}"#)
}

fn client(url: &str) -> Client {
    Client::builder(url)
        .bearer_token("tok-123")
        .user_agent_suffix("python/3.12")
        .build()
        .unwrap()
}

#[tokio::test]
async fn json_call_sends_the_standard_headers() {
    let (url, log) = serve(answer).await;
    let created = client(&url)
        .send(&CreateOrg {
            name: "acme".to_owned(),
            kind: Kind::Role,
            description: Nullable::Null,
        })
        .await
        .unwrap();
    assert_eq!(created.id, "o1");
    assert_eq!(created.kind, Kind::Unknown("Auditor".to_owned()));
    let request = log.lock().unwrap()[0].to_lowercase();
    assert!(
        request.starts_with("post /org/create http/1.1\r\n"),
        "{request}"
    );
    for header in [
        "x-idap-native-client: true",
        "authorization: bearer tok-123",
        "content-type: application/json",
        &format!(
            "user-agent: cyberark-identity-rust/{} python/3.12",
            env!("CARGO_PKG_VERSION")
        ),
    ] {
        assert!(request.contains(header), "missing {header} in {request}");
    }
    assert!(request.ends_with(r#"{"name":"acme","kind":"role","description":null}"#));
}

#[tokio::test]
async fn multipart_upload_and_query_parameters() {
    let (url, log) = serve(answer).await;
    client(&url)
        .send(&SetPicture {
            id: "u 1".to_owned(),
            file: FilePart::new("me.png", &b"PNGDATA"[..]).content_type("image/png"),
        })
        .await
        .unwrap();
    let request = log.lock().unwrap()[0].clone();
    assert!(request.starts_with("POST /CDirectoryService/SetUserPicture?ID=u+1 HTTP/1.1"));
    assert!(
        request
            .to_lowercase()
            .contains("content-type: multipart/form-data; boundary=")
    );
    assert!(request.contains("filename=\"me.png\""));
    assert!(request.contains("Content-Type: image/png"));
    assert!(request.contains("PNGDATA"));
    assert!(request.contains("name=\"note\"\r\n\r\nhello"));
}

#[tokio::test]
async fn paginate_streams_every_row() {
    let (url, log) = serve(answer).await;
    let query = Query {
        script: "select * from Role".to_owned(),
        args: Args::default(),
    };
    let rows: Vec<Row> = client(&url).paginate(query, 2).try_collect().await.unwrap();
    let numbers: Vec<i64> = rows.iter().map(|r| r.row["n"].as_i64().unwrap()).collect();
    assert_eq!(numbers, [1, 2, 3]);
    let log = log.lock().unwrap();
    assert_eq!(log.len(), 2);
    assert!(log[1].contains(r#""Args":{"PageNumber":2,"PageSize":2}"#));
}

#[tokio::test]
async fn an_unreachable_tenant_is_a_transport_error() {
    // Bind then drop a listener so the port is (almost certainly) closed.
    let port = TcpListener::bind("127.0.0.1:0")
        .await
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let client: Client = Client::builder(format!("http://127.0.0.1:{port}"))
        .bearer_token("tok-123")
        .retry(cyberark_runtime::RetryPolicy::none())
        .build()
        .unwrap();
    let error = client
        .send(&CreateOrg {
            name: "acme".to_owned(),
            kind: Kind::User,
            description: Nullable::Absent,
        })
        .await
        .unwrap_err();
    assert!(matches!(error, Error::Transport { .. }), "{error:?}");
    assert!(
        error
            .to_string()
            .starts_with("Org_Create failed: could not reach the tenant: ")
    );
    assert!(!error.to_string().contains("tok-123"));
}

/// A token endpoint whose token the real transport cannot put in a header.
fn control_character_token(request: &str) -> String {
    if request.starts_with("POST /oauth2/platformtoken ") {
        r#"{"access_token":"bad\u0001token","token_type":"Bearer","expires_in":900}"#.to_owned()
    } else {
        answer(request)
    }
}

#[tokio::test]
async fn a_token_the_transport_cannot_send_is_refused_when_it_arrives() {
    let (url, log) = serve(control_character_token).await;
    let client: Client = Client::builder(&url)
        .client_credentials("svc", "s3cr3t")
        .build()
        .unwrap();
    // Each call is an authentication error naming the problem, not a request error that would
    // repeat forever with the cached token.
    for _ in 0..2 {
        let request = CreateOrg {
            name: "acme".to_owned(),
            kind: Kind::Role,
            description: Nullable::Absent,
        };
        let error = client.send(&request).await.unwrap_err();
        assert!(
            matches!(error, Error::Auth { .. }),
            "expected an auth error, got {error:?}"
        );
        assert!(error.to_string().contains("not allowed in an HTTP header"));
    }
    let log = log.lock().unwrap();
    assert!(
        log.iter()
            .all(|r| r.starts_with("POST /oauth2/platformtoken "))
    );
}

/// Serves one answer in chunked transfer encoding, one chunk per write with a pause between
/// them, so the client reads the body in several pieces.
async fn serve_chunked(chunks: &'static [&'static str]) -> String {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    tokio::spawn(async move {
        let Ok((mut socket, _)) = listener.accept().await else {
            return;
        };
        let mut raw = Vec::new();
        let mut buf = [0u8; 4096];
        while !String::from_utf8_lossy(&raw).contains("\r\n\r\n") {
            let n = socket.read(&mut buf).await.unwrap();
            if n == 0 {
                return;
            }
            raw.extend_from_slice(&buf[..n]);
        }
        let head = "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n";
        socket.write_all(head.as_bytes()).await.unwrap();
        for chunk in chunks {
            let piece = format!("{:x}\r\n{chunk}\r\n", chunk.len());
            if socket.write_all(piece.as_bytes()).await.is_err() {
                return;
            }
            socket.flush().await.ok();
            tokio::time::sleep(std::time::Duration::from_millis(20)).await;
        }
        socket.write_all(b"0\r\n\r\n").await.ok();
        socket.shutdown().await.ok();
    });
    url
}

const CHUNKS: &[&str] = &[
    r#"{"success":true,"Res"#,
    r#"ult":{"ID":"o1","Kin"#,
    r#"d":"User"}}"#,
];

fn create_org() -> CreateOrg {
    CreateOrg {
        name: "acme".to_owned(),
        kind: Kind::Role,
        description: Nullable::Absent,
    }
}

#[tokio::test]
async fn an_answer_read_in_several_chunks_is_joined_whole() {
    let url = serve_chunked(CHUNKS).await;
    let created = client(&url).send(&create_org()).await.unwrap();
    assert_eq!(created.id, "o1");
    assert_eq!(created.kind, Kind::User);
}

#[tokio::test]
async fn the_size_limit_counts_every_chunk() {
    let url = serve_chunked(CHUNKS).await;
    // The first chunk (20 bytes) fits the limit; the second takes the total past it.
    let client = Client::builder(&url)
        .bearer_token("tok-123")
        .max_response_bytes(30)
        .build()
        .unwrap();
    let error = client.send(&create_org()).await.unwrap_err();
    let Error::Decode {
        message, excerpt, ..
    } = &error
    else {
        panic!("expected a decode error, got {error:?}");
    };
    assert!(message.contains("limit of 30 bytes"), "{message}");
    assert!(excerpt.contains("success"), "{excerpt}");
}
