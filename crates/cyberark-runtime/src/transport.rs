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
    /// `Authorization: <token>` with no scheme: the Vault's session token.
    Raw(Secret),
}

/// One HTTP request, fully resolved.
///
/// `Debug` leaves out the query string (whose values may be secret) and the headers' values.
#[derive(Clone)]
pub(crate) struct HttpRequest {
    pub(crate) method: http::Method,
    pub(crate) url: Url,
    pub(crate) headers: Vec<(HeaderName, HeaderValue)>,
    pub(crate) credential: Credential,
    pub(crate) body: Body,
}

impl fmt::Debug for HttpRequest {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let headers: Vec<&str> = self.headers.iter().map(|(name, _)| name.as_str()).collect();
        f.debug_struct("HttpRequest")
            .field("method", &self.method)
            .field("path", &self.url.path())
            .field("headers", &headers)
            .field("credential", &self.credential)
            .field("body", &self.body)
            .finish()
    }
}

/// One HTTP response with its whole body read.
///
/// `Debug` shows the body's size only: a token answer is a secret.
#[derive(Clone)]
pub(crate) struct HttpResponse {
    pub(crate) status: u16,
    pub(crate) headers: http::HeaderMap,
    pub(crate) body: Bytes,
}

impl fmt::Debug for HttpResponse {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("HttpResponse")
            .field("status", &self.status)
            .field("body_bytes", &self.body.len())
            .finish_non_exhaustive()
    }
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
    /// The answer's body was larger than the client's limit; reading stopped there and the
    /// connection was dropped.
    TooLarge {
        /// The HTTP status of the answer.
        status: u16,
        /// The limit, in bytes.
        limit: usize,
        /// A redacted excerpt of the first bytes read.
        excerpt: String,
    },
}

/// Sends one request. The real implementation is reqwest; tests substitute a scripted fake so
/// the retry, auth and decoding logic runs without a network and under a paused clock.
pub(crate) trait Transport: Send + Sync + fmt::Debug {
    /// Sends the request and reads the whole response body. The request is borrowed, so a
    /// retried call sends the same request again without copying it.
    fn send<'a>(
        &'a self,
        request: &'a HttpRequest,
    ) -> BoxFuture<'a, Result<HttpResponse, TransportError>>;

    /// Sends the request and hands the body over as it arrives, for downloads that must not be
    /// held whole. Transports that cannot stream (the scripted test fakes) answer with the whole
    /// body as one chunk.
    fn send_streaming<'a>(
        &'a self,
        request: &'a HttpRequest,
    ) -> BoxFuture<'a, Result<crate::download::StreamingResponse, TransportError>> {
        Box::pin(async move {
            let response = self.send(request).await?;
            Ok(crate::download::StreamingResponse::whole(response))
        })
    }
}

/// The reqwest transport: one connection pool, rustls, no redirects, and a bound on how much of
/// an answer is read.
#[derive(Debug)]
pub(crate) struct ReqwestTransport {
    client: reqwest::Client,
    max_response_bytes: usize,
}

impl ReqwestTransport {
    /// Builds the connection pool.
    ///
    /// Redirects are not followed: an Identity API call never legitimately redirects, and
    /// following one could carry the request (and its body) somewhere unexpected. The 3xx
    /// reaches the caller as an API error instead, so credentials never go to another host.
    ///
    /// No answer body is read past `max_response_bytes`.
    pub(crate) fn new(max_response_bytes: usize) -> Result<Self, Error> {
        let client = reqwest::Client::builder()
            .use_rustls_tls()
            .redirect(reqwest::redirect::Policy::none())
            .connect_timeout(Duration::from_secs(10))
            .build()
            .map_err(|e| Error::config(format!("the HTTP client could not be built: {e}")))?;
        Ok(ReqwestTransport {
            client,
            max_response_bytes,
        })
    }
}

impl ReqwestTransport {
    /// The reqwest request for one exchange: headers, credentials and body.
    fn builder(&self, request: &HttpRequest) -> Result<reqwest::RequestBuilder, TransportError> {
        let mut headers = http::HeaderMap::with_capacity(request.headers.len() + 2);
        for (name, value) in &request.headers {
            headers.append(name.clone(), value.clone());
        }
        let mut builder = self
            .client
            .request(request.method.clone(), request.url.clone())
            .headers(headers);
        match &request.credential {
            Credential::None => {}
            Credential::Bearer(token) => {
                let mut value = bearer_value(token).map_err(|_| {
                    TransportError::Invalid(
                        "the bearer token contains characters not allowed in a header".to_owned(),
                    )
                })?;
                value.set_sensitive(true);
                builder = builder.header(AUTHORIZATION, value);
            }
            Credential::Basic(id, secret) => {
                builder = builder.basic_auth(id, Some(secret.expose()));
            }
            Credential::Raw(token) => {
                let mut value = HeaderValue::from_str(token.expose()).map_err(|_| {
                    TransportError::Invalid(
                        "the session token contains characters not allowed in a header".to_owned(),
                    )
                })?;
                value.set_sensitive(true);
                builder = builder.header(AUTHORIZATION, value);
            }
        }
        builder = match &request.body {
            Body::Empty => builder,
            Body::Bytes {
                content_type,
                bytes,
            } => builder
                .header(CONTENT_TYPE, *content_type)
                .body(bytes.clone()),
            // A form is consumed when sent, so each attempt builds its own from the parts.
            Body::Multipart(parts) => builder.multipart(multipart_form(parts.clone())?),
        };
        Ok(builder)
    }
}

impl Transport for ReqwestTransport {
    fn send_streaming<'a>(
        &'a self,
        request: &'a HttpRequest,
    ) -> BoxFuture<'a, Result<crate::download::StreamingResponse, TransportError>> {
        Box::pin(async move {
            let response = self
                .builder(request)?
                .send()
                .await
                .map_err(map_reqwest_error)?;
            Ok(crate::download::StreamingResponse::from_reqwest(response))
        })
    }

    fn send<'a>(
        &'a self,
        request: &'a HttpRequest,
    ) -> BoxFuture<'a, Result<HttpResponse, TransportError>> {
        Box::pin(async move {
            let mut response = self
                .builder(request)?
                .send()
                .await
                .map_err(map_reqwest_error)?;
            let status = response.status().as_u16();
            // Taken, not copied: the body is read through the response, which needs no headers.
            let headers = std::mem::take(response.headers_mut());
            let body = read_bounded(response, status, self.max_response_bytes).await?;
            Ok(HttpResponse {
                status,
                headers,
                body,
            })
        })
    }
}

/// Reads a whole answer body, but never more than `limit` bytes of it.
///
/// A `Content-Length` above the limit is refused before reading anything; otherwise the body is
/// read chunk by chunk and reading stops at the first chunk that crosses the limit. Dropping the
/// response then closes the connection (an unfinished body is never returned to the pool), so a
/// hostile or broken server costs at most `limit` bytes of memory.
async fn read_bounded(
    mut response: reqwest::Response,
    status: u16,
    limit: usize,
) -> Result<Bytes, TransportError> {
    let too_large = |head: &[u8]| TransportError::TooLarge {
        status,
        limit,
        excerpt: crate::redact::excerpt(head),
    };
    // The body's own size hint (from `Content-Length`), so it works after the headers are taken.
    let announced = response.content_length().unwrap_or(0);
    if usize::try_from(announced).map_or(true, |n| n > limit) {
        return Err(too_large(&[]));
    }
    // Trust an announced length only as a capacity hint, and only up to a modest size.
    let capacity = usize::try_from(announced).unwrap_or(0).min(1 << 20);
    // A small answer usually arrives as one chunk, which is returned as it is; the buffer is
    // made only when a second chunk comes.
    let mut first: Option<Bytes> = None;
    let mut body = bytes::BytesMut::new();
    while let Some(chunk) = response.chunk().await.map_err(map_reqwest_error)? {
        let held = first.as_ref().map_or(0, Bytes::len) + body.len();
        if held + chunk.len() > limit {
            let head = first.as_deref().unwrap_or(&body[..]);
            return Err(too_large(&head[..head.len().min(4096)]));
        }
        match first.take() {
            None if body.is_empty() => first = Some(chunk),
            earlier => {
                if let Some(earlier) = earlier {
                    body.reserve(capacity.max(earlier.len() + chunk.len()));
                    body.extend_from_slice(&earlier);
                }
                body.extend_from_slice(&chunk);
            }
        }
    }
    Ok(first.unwrap_or_else(|| body.freeze()))
}

/// `Bearer <token>` as a header value, built in one buffer.
fn bearer_value(token: &Secret) -> Result<HeaderValue, http::header::InvalidHeaderValue> {
    let token = token.expose().as_bytes();
    let mut value = Vec::with_capacity(7 + token.len());
    value.extend_from_slice(b"Bearer ");
    value.extend_from_slice(token);
    HeaderValue::from_maybe_shared(Bytes::from(value))
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
