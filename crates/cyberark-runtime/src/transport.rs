//! Moving bytes: one HTTP exchange, without retries, auth decisions or decoding.

use std::fmt;
use std::time::Duration;

use bytes::Bytes;
use futures::future::BoxFuture;
use http::header::{AUTHORIZATION, CONTENT_TYPE, HeaderName, HeaderValue};
use url::Url;

use crate::error::Error;
use crate::operation::{Body, MultipartPart};
use crate::secret::Secret;

/// The credentials attached to one exchange.
#[derive(Clone, Debug)]
pub(crate) enum Credential {
    /// No `Authorization` header.
    None,
    /// `Authorization: Bearer <token>`.
    Bearer(Secret),
    /// `Authorization: Basic base64(id:secret)`, for the OAuth app token endpoint.
    Basic(String, Secret),
}

/// One HTTP request, fully resolved.
#[derive(Clone, Debug)]
pub(crate) struct HttpRequest {
    pub(crate) method: http::Method,
    pub(crate) url: Url,
    pub(crate) headers: Vec<(HeaderName, HeaderValue)>,
    pub(crate) credential: Credential,
    pub(crate) body: Body,
}

/// One HTTP response with its whole body read.
#[derive(Clone, Debug)]
pub(crate) struct HttpResponse {
    pub(crate) status: u16,
    pub(crate) headers: http::HeaderMap,
    pub(crate) body: Bytes,
}

/// Why an exchange produced no response.
#[derive(Debug)]
pub(crate) enum TransportError {
    /// The transport's own timeout fired.
    Timeout,
    /// DNS, TCP, TLS or HTTP protocol failure.
    Connection(Box<dyn std::error::Error + Send + Sync>),
    /// The request could not be built (for example a malformed part content type).
    Invalid(String),
}

/// Sends one request. The real implementation is reqwest; tests substitute a scripted fake so
/// the retry, auth and decoding logic runs without a network and under a paused clock.
pub(crate) trait Transport: Send + Sync + fmt::Debug {
    /// Sends the request and reads the whole response body.
    fn send(&self, request: HttpRequest) -> BoxFuture<'_, Result<HttpResponse, TransportError>>;

    /// Sends the request and hands the body over as it arrives, for downloads that must not be
    /// held whole. Transports that cannot stream (the scripted test fakes) answer with the whole
    /// body as one chunk.
    fn send_streaming(
        &self,
        request: HttpRequest,
    ) -> BoxFuture<'_, Result<crate::download::StreamingResponse, TransportError>> {
        Box::pin(async move {
            let response = self.send(request).await?;
            Ok(crate::download::StreamingResponse::whole(response))
        })
    }
}

/// The reqwest transport: one connection pool, rustls, and no redirects.
#[derive(Debug)]
pub(crate) struct ReqwestTransport {
    client: reqwest::Client,
}

impl ReqwestTransport {
    /// Builds the connection pool.
    ///
    /// Redirects are not followed: an Identity API call never legitimately redirects, and
    /// following one could carry the request (and its body) somewhere unexpected. The 3xx
    /// reaches the caller as an API error instead.
    pub(crate) fn new() -> Result<Self, Error> {
        let client = reqwest::Client::builder()
            .use_rustls_tls()
            .redirect(reqwest::redirect::Policy::none())
            .connect_timeout(Duration::from_secs(10))
            .build()
            .map_err(|e| Error::config(format!("the HTTP client could not be built: {e}")))?;
        Ok(ReqwestTransport { client })
    }
}

impl ReqwestTransport {
    /// The reqwest request for one exchange: headers, credentials and body.
    fn builder(&self, request: HttpRequest) -> Result<reqwest::RequestBuilder, TransportError> {
        let mut builder = self.client.request(request.method, request.url);
        for (name, value) in request.headers {
            builder = builder.header(name, value);
        }
        match &request.credential {
            Credential::None => {}
            Credential::Bearer(token) => {
                let mut value = HeaderValue::from_str(&format!("Bearer {}", token.expose()))
                    .map_err(|_| {
                        TransportError::Invalid(
                            "the bearer token contains characters not allowed in a header"
                                .to_owned(),
                        )
                    })?;
                value.set_sensitive(true);
                builder = builder.header(AUTHORIZATION, value);
            }
            Credential::Basic(id, secret) => {
                builder = builder.basic_auth(id, Some(secret.expose()));
            }
        }
        builder = match request.body {
            Body::Empty => builder,
            Body::Bytes {
                content_type,
                bytes,
            } => builder.header(CONTENT_TYPE, content_type).body(bytes),
            Body::Multipart(parts) => builder.multipart(multipart_form(parts)?),
        };
        Ok(builder)
    }
}

impl Transport for ReqwestTransport {
    fn send_streaming(
        &self,
        request: HttpRequest,
    ) -> BoxFuture<'_, Result<crate::download::StreamingResponse, TransportError>> {
        Box::pin(async move {
            let response = self
                .builder(request)?
                .send()
                .await
                .map_err(map_reqwest_error)?;
            Ok(crate::download::StreamingResponse::from_reqwest(response))
        })
    }

    fn send(&self, request: HttpRequest) -> BoxFuture<'_, Result<HttpResponse, TransportError>> {
        Box::pin(async move {
            let response = self
                .builder(request)?
                .send()
                .await
                .map_err(map_reqwest_error)?;
            let status = response.status().as_u16();
            let headers = response.headers().clone();
            let body = response.bytes().await.map_err(map_reqwest_error)?;
            Ok(HttpResponse {
                status,
                headers,
                body,
            })
        })
    }
}

/// Builds a multipart form; called per attempt because a form is consumed when sent.
fn multipart_form(parts: Vec<MultipartPart>) -> Result<reqwest::multipart::Form, TransportError> {
    let mut form = reqwest::multipart::Form::new();
    for part in parts {
        form = match part {
            MultipartPart::Text { name, value } => form.text(name, value),
            MultipartPart::File { name, file } => {
                let length = file.bytes.len() as u64;
                let mut part = reqwest::multipart::Part::stream_with_length(file.bytes, length)
                    .file_name(file.file_name);
                part = part
                    .mime_str(
                        file.content_type
                            .as_deref()
                            .unwrap_or("application/octet-stream"),
                    )
                    .map_err(|e| {
                        TransportError::Invalid(format!(
                            "the part `{name}` has a bad content type: {e}"
                        ))
                    })?;
                form.part(name, part)
            }
        };
    }
    Ok(form)
}

pub(crate) fn map_reqwest_error(error: reqwest::Error) -> TransportError {
    if error.is_timeout() {
        TransportError::Timeout
    } else {
        // The URL is dropped because a query string may carry a parameter the caller considers
        // sensitive, and errors end up in logs.
        TransportError::Connection(Box::new(error.without_url()))
    }
}
