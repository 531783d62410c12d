//! A scripted transport and sample operations for the client tests.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use bytes::Bytes;
use futures::future::BoxFuture;
use serde::Serialize;
use tokio::time::Instant;

use crate::error::Error;
use crate::operation::{AuthMode, Body, Convention, Encoder, Method, Operation, Request};
use crate::transport::{HttpRequest, HttpResponse, Transport, TransportError};

type Handler = dyn Fn(&HttpRequest) -> Result<HttpResponse, TransportError> + Send + Sync;
type Latency = dyn Fn(&HttpRequest) -> Duration + Send + Sync;

/// A transport that answers from a closure and records every request with its send time.
pub(crate) struct FakeTransport {
    handler: Box<Handler>,
    latency: Box<Latency>,
    pub(crate) requests: Mutex<Vec<(Instant, HttpRequest)>>,
}

impl std::fmt::Debug for FakeTransport {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("FakeTransport")
    }
}

impl FakeTransport {
    pub(crate) fn new(
        handler: impl Fn(&HttpRequest) -> Result<HttpResponse, TransportError> + Send + Sync + 'static,
    ) -> Arc<Self> {
        Self::with_latency(Duration::ZERO, handler)
    }

    pub(crate) fn with_latency(
        latency: Duration,
        handler: impl Fn(&HttpRequest) -> Result<HttpResponse, TransportError> + Send + Sync + 'static,
    ) -> Arc<Self> {
        Self::with_latency_by(move |_| latency, handler)
    }

    /// Answers each request after the latency `latency` gives for it.
    pub(crate) fn with_latency_by(
        latency: impl Fn(&HttpRequest) -> Duration + Send + Sync + 'static,
        handler: impl Fn(&HttpRequest) -> Result<HttpResponse, TransportError> + Send + Sync + 'static,
    ) -> Arc<Self> {
        Arc::new(FakeTransport {
            handler: Box::new(handler),
            latency: Box::new(latency),
            requests: Mutex::new(Vec::new()),
        })
    }

    /// How many requests went to `path`.
    pub(crate) fn count(&self, path: &str) -> usize {
        self.paths().iter().filter(|p| *p == path).count()
    }

    /// Answers with `responses` in order, then with 500.
    pub(crate) fn scripted(responses: Vec<HttpResponse>) -> Arc<Self> {
        let queue = Mutex::new(std::collections::VecDeque::from(responses));
        Self::new(move |_| {
            Ok(queue
                .lock()
                .unwrap()
                .pop_front()
                .unwrap_or_else(|| reply(500, "script exhausted")))
        })
    }

    /// Seconds since the first request at which each request was sent.
    pub(crate) fn send_times(&self) -> Vec<Duration> {
        let requests = self.requests.lock().unwrap();
        let first = requests.first().map(|(t, _)| *t);
        requests
            .iter()
            .map(|(t, _)| t.duration_since(first.unwrap()))
            .collect()
    }

    pub(crate) fn paths(&self) -> Vec<String> {
        self.requests
            .lock()
            .unwrap()
            .iter()
            .map(|(_, r)| r.url.path().to_owned())
            .collect()
    }

    pub(crate) fn request(&self, index: usize) -> HttpRequest {
        self.requests.lock().unwrap()[index].1.clone()
    }
}

impl Transport for FakeTransport {
    fn send<'a>(
        &'a self,
        request: &'a HttpRequest,
    ) -> BoxFuture<'a, Result<HttpResponse, TransportError>> {
        Box::pin(async move {
            self.requests
                .lock()
                .unwrap()
                .push((Instant::now(), request.clone()));
            let latency = (self.latency)(request);
            if !latency.is_zero() {
                tokio::time::sleep(latency).await;
            }
            (self.handler)(request)
        })
    }
}

/// A response with a status and a body.
pub(crate) fn reply(status: u16, body: &str) -> HttpResponse {
    HttpResponse {
        status,
        headers: http::HeaderMap::new(),
        body: Bytes::from(body.to_owned()),
    }
}

/// A response with one header added.
pub(crate) fn with_header(
    mut response: HttpResponse,
    name: &'static str,
    value: &str,
) -> HttpResponse {
    response
        .headers
        .insert(name, http::HeaderValue::from_str(value).unwrap());
    response
}

/// A successful envelope around `result`.
pub(crate) fn envelope(result: &str) -> HttpResponse {
    reply(
        200,
        &format!(
            r#"{{"success":true,"Result":{result},"Message":null,"MessageID":null,"Exception":null,"ErrorID":null,"ErrorCode":null,"IsSoftError":false,"InnerExceptions":null}}"#
        ),
    )
}

/// The text of a request's byte body.
pub(crate) fn body_text(request: &HttpRequest) -> String {
    match &request.body {
        Body::Bytes { bytes, .. } => String::from_utf8(bytes.to_vec()).unwrap(),
        other => panic!("no byte body: {other:?}"),
    }
}

pub(crate) static ORG_CREATE: Operation = Operation {
    id: "Org_Create",
    tag: "Org",
    name: "Create",
    method: Method::Post,
    path: "/Org/Create",
    convention: Convention::Envelope,
    auth: AuthMode::Bearer,
    idempotent: false,
};

pub(crate) static ORG_GET: Operation = Operation {
    id: "Org_Get",
    tag: "Org",
    name: "Get",
    method: Method::Post,
    path: "/Org/Get/{id}",
    convention: Convention::Envelope,
    auth: AuthMode::Bearer,
    idempotent: true,
};

/// A non-idempotent request with a JSON body.
#[derive(Serialize, Clone, Debug)]
pub(crate) struct CreateOrg {
    #[serde(rename = "Name")]
    pub(crate) name: String,
}

impl Request for CreateOrg {
    type Output = serde_json::Value;
    const OPERATION: &'static Operation = &ORG_CREATE;
    fn encode(&self, encoder: &mut Encoder) -> Result<(), Error> {
        encoder.json(self)
    }
}

/// An idempotent request with a path parameter and a query parameter.
#[derive(Clone, Debug)]
pub(crate) struct GetOrg {
    pub(crate) id: String,
}

impl Request for GetOrg {
    type Output = serde_json::Value;
    const OPERATION: &'static Operation = &ORG_GET;
    fn encode(&self, encoder: &mut Encoder) -> Result<(), Error> {
        encoder.path_param("id", &self.id);
        encoder.query("verbose", &true);
        Ok(())
    }
}

pub(crate) fn create() -> CreateOrg {
    CreateOrg {
        name: "acme".to_owned(),
    }
}

pub(crate) fn get() -> GetOrg {
    GetOrg {
        id: "o/1".to_owned(),
    }
}

pub(crate) static VAULT_GET: Operation = Operation {
    id: "Things_Get",
    tag: "Things",
    name: "Get",
    method: Method::Get,
    path: "/API/Things",
    convention: Convention::Vault,
    auth: AuthMode::Bearer,
    idempotent: true,
};

/// A Vault read with no parameters, answering any JSON.
#[derive(Clone, Debug)]
pub(crate) struct VaultGet;

impl Request for VaultGet {
    type Output = serde_json::Value;
    const OPERATION: &'static Operation = &VAULT_GET;
    fn encode(&self, _encoder: &mut Encoder) -> Result<(), Error> {
        Ok(())
    }
}

pub(crate) fn vault_get() -> VaultGet {
    VaultGet
}
