//! The HTTP server: accepts connections itself (so a fault can drop one without answering),
//! routes each request to its operation, applies holds and faults, checks the bearer token and
//! logs the exchange.

use crate::app::App;
use crate::envelope::Reply;
use crate::faults::{Fault, RetryAfter};
use crate::log::{LoggedRequest, body_for_log, header_for_log};
use crate::routes::{self, Ctx, Route};
use axum::body::Body;
use bytes::Bytes;
use futures::StreamExt;
use hyper::body::Incoming;
use hyper::server::conn::http1;
use hyper::service::service_fn;
use hyper::{Request, Response};
use hyper_util::rt::TokioIo;
use std::convert::Infallible;
use std::sync::Arc;
use std::time::Duration;
use tokio::net::TcpListener;
use tokio::sync::{Notify, watch};

/// Largest request body the sandbox reads (CSV imports and pictures included).
const BODY_LIMIT: usize = 64 * 1024 * 1024;

/// Accepts connections until `shutdown` turns true; with `tls`, each one is wrapped in TLS
/// first (a failed handshake just closes that connection).
pub async fn serve(
    listener: TcpListener,
    app: Arc<App>,
    shutdown: watch::Receiver<bool>,
    tls: Option<crate::tls::Tls>,
) {
    let stop = stopped(shutdown.clone());
    tokio::pin!(stop);
    loop {
        tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok((stream, _)) => {
                    let _ = stream.set_nodelay(true);
                    let (app, shutdown) = (app.clone(), shutdown.clone());
                    match &tls {
                        None => {
                            tokio::spawn(connection(stream, app, shutdown));
                        }
                        Some(tls) => {
                            let acceptor = tls.acceptor.clone();
                            tokio::spawn(async move {
                                if let Ok(stream) = acceptor.accept(stream).await {
                                    connection(stream, app, shutdown).await;
                                }
                            });
                        }
                    }
                }
                // Accept errors (file descriptor exhaustion, aborted handshakes) are transient;
                // back off briefly instead of spinning.
                Err(_) => tokio::time::sleep(Duration::from_millis(5)).await,
            },
            _ = &mut stop => break,
        }
    }
}

async fn connection<S>(stream: S, app: Arc<App>, shutdown: watch::Receiver<bool>)
where
    S: tokio::io::AsyncRead + tokio::io::AsyncWrite + Unpin + Send + 'static,
{
    let killer = Arc::new(Notify::new());
    let service_killer = killer.clone();
    let service = service_fn(move |req: Request<Incoming>| {
        let app = app.clone();
        let killer = service_killer.clone();
        async move { Ok::<_, Infallible>(dispatch(app, killer, req).await) }
    });
    let conn = http1::Builder::new().serve_connection(TokioIo::new(stream), service);
    // Dropping the connection future closes the socket at once, with no answer written: that is
    // how `Fault::DropConnection` and shutdown end a connection.
    tokio::select! {
        _ = conn => {}
        _ = killer.notified() => {}
        _ = stopped(shutdown) => {}
    }
}

/// Resolves once the stop flag turns true (or its sender is gone).
async fn stopped(mut rx: watch::Receiver<bool>) {
    // The guard `wait_for` returns is not `Send`; drop it before this future completes.
    let _ = rx.wait_for(|stop| *stop).await.is_ok();
}

async fn dispatch(app: Arc<App>, killer: Arc<Notify>, req: Request<Incoming>) -> Response<Body> {
    let (parts, body) = req.into_parts();
    let method = parts.method.as_str().to_owned();
    let path = parts.uri.path().to_owned();
    let raw_query = parts.uri.query().map(str::to_owned);
    let content_type = parts
        .headers
        .get(hyper::header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .to_owned();
    let body = match axum::body::to_bytes(Body::new(body), BODY_LIMIT).await {
        Ok(bytes) => bytes,
        Err(_) => {
            return to_response(
                Reply::new(
                    413,
                    "text/plain; charset=utf-8",
                    "request body too large or unreadable",
                ),
                None,
            );
        }
    };

    if let Some(rest) = path.strip_prefix("/__sandbox/") {
        let reply = routes::admin::handle(&app, &method, rest, &body).await;
        return to_response(reply, None);
    }

    let resolved = if is_vault(&path) {
        match crate::vault::resolve(&parts.method, &path) {
            crate::vault::Resolved::Op(route) => Resolved::Vault(route),
            crate::vault::Resolved::WrongMethod(allow) => Resolved::VaultWrongMethod(allow),
            crate::vault::Resolved::NotFound => Resolved::VaultNotFound,
        }
    } else {
        match routes::resolve(&parts.method, &path) {
            routes::Resolved::Op(route) => Resolved::Identity(route),
            routes::Resolved::WrongMethod(allow) => Resolved::IdentityWrongMethod(allow),
            routes::Resolved::NotFound => Resolved::IdentityNotFound,
        }
    };
    let mut entry = LoggedRequest {
        operation: resolved.op().map(str::to_owned),
        method: method.clone(),
        path: path.clone(),
        query: raw_query.clone(),
        headers: parts
            .headers
            .iter()
            .map(|(k, v)| {
                (
                    k.as_str().to_owned(),
                    header_for_log(k.as_str(), &String::from_utf8_lossy(v.as_bytes())),
                )
            })
            .collect(),
        body: body_for_log(&content_type, &body),
        status: 0,
    };
    // Until it is answered, the request is logged with status 0 if the client goes away.
    let mut unanswered = Unanswered {
        app: &app,
        entry: Some(entry.clone()),
    };

    let (reply, post_fault) = match resolved {
        Resolved::IdentityNotFound => (
            Reply::new(
                404,
                "text/plain; charset=utf-8",
                format!("identity-sandbox: no route for {method} {path} (not an operation of spec/identity.yaml)"),
            ),
            None,
        ),
        Resolved::IdentityWrongMethod(allow) => (
            Reply::new(
                405,
                "text/plain; charset=utf-8",
                format!("identity-sandbox: {method} is not allowed on {path}; spec/identity.yaml allows {allow}"),
            )
            .header("allow", allow),
            None,
        ),
        Resolved::VaultNotFound => (crate::vault::not_found(&method, &path), None),
        Resolved::VaultWrongMethod(allow) => {
            (crate::vault::wrong_method(&method, &path, &allow), None)
        }
        Resolved::Identity(_) | Resolved::Vault(_) => {
            let op = resolved.op().unwrap_or_default();
            if let Some(hold) = app.faults.take_hold(op) {
                hold.park().await;
            }
            let mut post_fault = None;
            let mut early = None;
            match app.faults.take(op) {
                Some(Fault::Delay(d)) => tokio::time::sleep(d).await,
                // The Vault answers every failure with its error body, injected ones too.
                Some(Fault::Status(status)) => {
                    early = Some(if matches!(resolved, Resolved::Vault(_)) {
                        crate::vault::fault_reply(status)
                    } else {
                        status_reply(status)
                    })
                }
                Some(Fault::RateLimited(retry)) => {
                    let reply = if matches!(resolved, Resolved::Vault(_)) {
                        crate::vault::fault_reply(429)
                    } else {
                        Reply::new(429, "text/plain; charset=utf-8", "Too Many Requests")
                    };
                    early = Some(with_retry_after(reply, &retry));
                }
                Some(Fault::Answer {
                    status,
                    body,
                    retry_after,
                }) => {
                    let reply = Reply::new(status, crate::envelope::JSON, body);
                    early = Some(match retry_after {
                        Some(s) => reply.header("retry-after", s.to_string()),
                        None => reply,
                    });
                }
                Some(Fault::Hostile(hostile)) => {
                    unanswered.entry = None;
                    entry.status = hostile.status();
                    app.log.push(entry);
                    return hostile.response();
                }
                Some(Fault::DropConnection) => {
                    unanswered.entry = None;
                    app.log.push(entry);
                    killer.notify_one();
                    return futures::future::pending().await;
                }
                Some(other) => post_fault = Some(other),
                None => {}
            }
            match (early, resolved) {
                (Some(reply), _) => (reply, None),
                (None, Resolved::Vault(route)) => (
                    crate::vault::call(&app, route, raw_query.as_deref(), &parts.headers, body)
                        .await,
                    post_fault,
                ),
                (None, Resolved::Identity(route)) => {
                    let ctx = Ctx::new(&app, route, raw_query.as_deref(), &parts.headers, content_type, body);
                    (routes::call(ctx).await, post_fault)
                }
                // The outer match only lets operations through.
                (None, _) => (status_reply(500), None),
            }
        }
    };
    entry.status = reply.status;
    tracing::debug!(method = %entry.method, path = %entry.path, status = entry.status, "sandbox request");
    unanswered.entry = None;
    app.log.push(entry);
    to_response(reply, post_fault)
}

/// Logs a request the client abandoned (its connection closed before the answer, so the
/// server dropped the handler) with status 0, so tests can see that a cancelled call really
/// went away on the wire.
struct Unanswered<'a> {
    app: &'a App,
    entry: Option<LoggedRequest>,
}

impl Drop for Unanswered<'_> {
    fn drop(&mut self) {
        if let Some(entry) = self.entry.take() {
            self.app.log.push(entry);
        }
    }
}

/// Where a request goes: an operation of one of the two APIs, or a routing failure of one.
enum Resolved {
    Identity(Route),
    IdentityWrongMethod(&'static str),
    IdentityNotFound,
    Vault(crate::vault::Route),
    VaultWrongMethod(String),
    VaultNotFound,
}

impl Resolved {
    /// The operationId, for faults, holds and the log.
    fn op(&self) -> Option<&'static str> {
        match self {
            Resolved::Identity(route) => Some(route.op),
            Resolved::Vault(route) => Some(route.op),
            _ => None,
        }
    }
}

/// Whether a path belongs to the Vault application (IIS matches it case-insensitively).
fn is_vault(path: &str) -> bool {
    path.get(..crate::vault::PREFIX.len())
        .is_some_and(|p| p.eq_ignore_ascii_case(crate::vault::PREFIX))
}

fn status_reply(status: u16) -> Reply {
    let reason = hyper::StatusCode::from_u16(status)
        .ok()
        .and_then(|s| s.canonical_reason())
        .unwrap_or("Injected fault");
    Reply::new(
        status,
        "text/plain; charset=utf-8",
        format!("{status} {reason}"),
    )
}

fn with_retry_after(reply: Reply, retry: &RetryAfter) -> Reply {
    match retry {
        RetryAfter::None => reply,
        RetryAfter::Seconds(s) => reply.header("retry-after", s.to_string()),
        RetryAfter::HttpDate(t) => reply.header("retry-after", httpdate::fmt_http_date(*t)),
    }
}

/// Turns a reply into a response, applying a fault that changes the answer after processing.
fn to_response(reply: Reply, post_fault: Option<Fault>) -> Response<Body> {
    let mut builder = Response::builder().status(reply.status);
    if let Some(ct) = reply.content_type {
        builder = builder.header(hyper::header::CONTENT_TYPE, ct);
    }
    for (name, value) in &reply.headers {
        builder = builder.header(*name, value.as_str());
    }
    let body = match post_fault {
        Some(Fault::TruncatedBody) => {
            // Announce the full length, send half, then fail the stream: hyper closes the
            // connection and the client sees a body that ends early.
            let full = reply.body.len().max(2);
            builder = builder.header(hyper::header::CONTENT_LENGTH, full.to_string());
            let half = reply.body.slice(..reply.body.len() / 2);
            let head = futures::stream::iter([Ok::<Bytes, std::io::Error>(half)]);
            let tail = futures::stream::once(async {
                tokio::time::sleep(Duration::from_millis(20)).await;
                Err(std::io::Error::new(
                    std::io::ErrorKind::ConnectionAborted,
                    "injected truncated body",
                ))
            });
            Body::from_stream(head.chain(tail))
        }
        Some(Fault::MalformedJson) => {
            let cut = (reply.body.len() / 2).max(1).min(reply.body.len());
            let mut broken = reply.body.slice(..cut).to_vec();
            if broken.len() < 4 {
                broken = br#"{"success":"#.to_vec();
            }
            // A stray control character guarantees the prefix is not accidentally valid JSON.
            broken.extend_from_slice(b"\x01<");
            Body::from(broken)
        }
        _ => Body::from(reply.body),
    };
    builder.body(body).unwrap_or_else(|_| {
        let mut fallback =
            Response::new(Body::from("identity-sandbox: could not build the response"));
        *fallback.status_mut() = hyper::StatusCode::INTERNAL_SERVER_ERROR;
        fallback
    })
}
