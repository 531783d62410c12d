//! Downloads: answers whose body reaches the caller as a stream of chunks, never held whole.
//!
//! The Vault's recordings and exports can be far larger than memory should hold, so an operation
//! whose success answer is bytes (`application/octet-stream`, `application/pdf`, …) is sent
//! here instead of through [`Client::send`](crate::Client::send). Everything up to the status line
//! works as for any call: token, 401 refresh, 429 and (for idempotent operations) 502/503/504 and
//! connection retries, client-side limits. A failure status reads a bounded excerpt of the body
//! for the error; a success hands the body over as a [`ByteStream`]. Once the stream has begun
//! nothing is retried, because part of the body has already been given to the caller.
//!
//! The retry loop mirrors `call::Inner::execute`, which reads whole bodies; keeping this one
//! apart leaves the common path untouched.

use std::fmt;
use std::pin::Pin;
use std::task::{Context, Poll};
use std::time::{Duration, SystemTime};

use bytes::Bytes;
use futures::Stream;
use futures::stream::BoxStream;
use tokio::time::Instant;
use tracing::Instrument;

use crate::call::{Inner, call_span};
use crate::error::Error;
use crate::operation::{AuthMode, Encoded, Request};
use crate::retry::{Decision, Outcome, RetryState, parse_retry_after};
use crate::transport::{Credential, HttpResponse, TransportError};

/// The most of a failure's body read for its error; the rest is dropped unread.
const ERROR_BODY_LIMIT: usize = 64 * 1024;

/// A response whose body is still arriving.
pub(crate) struct StreamingResponse {
    pub(crate) status: u16,
    pub(crate) headers: http::HeaderMap,
    pub(crate) body: BoxStream<'static, Result<Bytes, TransportError>>,
}

impl StreamingResponse {
    /// A response already read whole, as one chunk (for transports that cannot stream).
    pub(crate) fn whole(response: HttpResponse) -> Self {
        let body = response.body;
        StreamingResponse {
            status: response.status,
            headers: response.headers,
            body: Box::pin(futures::stream::iter(
                (!body.is_empty()).then_some(Ok(body)),
            )),
        }
    }

    /// A reqwest response, its body read chunk by chunk as the caller polls.
    pub(crate) fn from_reqwest(response: reqwest::Response) -> Self {
        let status = response.status().as_u16();
        let headers = response.headers().clone();
        let body = futures::stream::unfold(Some(response), |state| async move {
            let mut response = state?;
            match response.chunk().await {
                Ok(Some(chunk)) => Some((Ok(chunk), Some(response))),
                Ok(None) => None,
                Err(e) => Some((Err(crate::transport::map_reqwest_error(e)), None)),
            }
        });
        StreamingResponse {
            status,
            headers,
            body: Box::pin(body),
        }
    }

    /// Reads at most `limit` bytes of the body, for an error report.
    async fn excerpt(mut self, limit: usize) -> Bytes {
        use futures::StreamExt;
        let mut out = Vec::new();
        while out.len() < limit {
            match self.body.next().await {
                Some(Ok(chunk)) => {
                    let room = limit - out.len();
                    out.extend_from_slice(&chunk[..chunk.len().min(room)]);
                }
                Some(Err(_)) | None => break,
            }
        }
        Bytes::from(out)
    }
}

/// The body of a download, chunk by chunk as it arrives. Dropping it closes the connection.
pub struct ByteStream {
    operation: &'static str,
    content_type: Option<String>,
    content_length: Option<u64>,
    body: BoxStream<'static, Result<Bytes, TransportError>>,
}

impl ByteStream {
    /// The answer's `Content-Type`, as the API sent it.
    pub fn content_type(&self) -> Option<&str> {
        self.content_type.as_deref()
    }

    /// The answer's `Content-Length`, when the API declared one.
    pub fn content_length(&self) -> Option<u64> {
        self.content_length
    }
}

impl fmt::Debug for ByteStream {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ByteStream")
            .field("operation", &self.operation)
            .field("content_type", &self.content_type)
            .field("content_length", &self.content_length)
            .finish_non_exhaustive()
    }
}

impl Stream for ByteStream {
    type Item = Result<Bytes, Error>;

    fn poll_next(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        let operation = self.operation;
        self.body.as_mut().poll_next(cx).map(|item| {
            item.map(|chunk| {
                chunk.map_err(|e| match e {
                    TransportError::Connection(source) => Error::Transport { operation, source },
                    TransportError::Timeout => Error::Timeout {
                        operation,
                        elapsed: Duration::ZERO,
                    },
                    TransportError::Invalid(message) => Error::invalid(operation, message),
                })
            })
        })
    }
}

impl crate::Client {
    /// Sends a request whose success answer is bytes and returns the body as a stream.
    pub async fn download<R: Request>(&self, request: &R) -> Result<ByteStream, Error> {
        let encoded = crate::operation::encode(request)?;
        self.inner.download(&encoded).await
    }
}

impl Inner {
    /// A whole download call up to its status line, under the overall deadline.
    pub(crate) async fn download(&self, encoded: &Encoded) -> Result<ByteStream, Error> {
        let operation = encoded.operation.id;
        let call = self
            .download_with_refresh(encoded)
            .instrument(call_span(operation));
        match self.deadline {
            Some(deadline) => {
                tokio::time::timeout(deadline, call)
                    .await
                    .unwrap_or(Err(Error::Timeout {
                        operation,
                        elapsed: deadline,
                    }))
            }
            None => call.await,
        }
    }

    async fn download_with_refresh(&self, encoded: &Encoded) -> Result<ByteStream, Error> {
        let op = encoded.operation;
        let mut refreshed = false;
        loop {
            let token = match op.auth {
                AuthMode::Bearer => Some(self.auth.token(self, op.id).await?),
                AuthMode::None => None,
            };
            let base = self.base_url().clone();
            let credential = token.clone().map_or(Credential::None, Credential::Bearer);
            let response = self.execute_streaming(encoded, &base, credential).await?;
            let status = response.status;
            if let (401, Some(token)) = (status, &token)
                && self.auth.can_refresh()
                && !refreshed
            {
                self.auth.invalidate(token).await;
                refreshed = true;
                continue;
            }
            if (200..300).contains(&status) {
                let header = |name: http::HeaderName| {
                    response
                        .headers
                        .get(name)
                        .and_then(|v| v.to_str().ok())
                        .map(str::to_owned)
                };
                return Ok(ByteStream {
                    operation: op.id,
                    content_type: header(http::header::CONTENT_TYPE),
                    content_length: header(http::header::CONTENT_LENGTH)
                        .and_then(|v| v.parse().ok()),
                    body: response.body,
                });
            }
            let body = response.excerpt(ERROR_BODY_LIMIT).await;
            if status == 401 {
                return Err(Error::Auth {
                    operation: op.id,
                    message: format!(
                        "the tenant refused the bearer token: {}",
                        crate::envelope::refusal_reason(&body)
                            .unwrap_or_else(|| "no reason given".to_owned())
                    ),
                    status: Some(401),
                });
            }
            return Err(crate::envelope::api_error(op.id, status, &body).into());
        }
    }

    /// Sends one request, retrying as [`Inner::execute`] does, until a status arrives that is
    /// not retried; the body is left unread.
    async fn execute_streaming(
        &self,
        encoded: &Encoded,
        base: &url::Url,
        credential: Credential,
    ) -> Result<StreamingResponse, Error> {
        let op = encoded.operation;
        let mut request = self.http_request(encoded, base, credential);
        // Ask for whatever the API sends; the JSON `Accept` of other calls would refuse it.
        for (name, value) in &mut request.headers {
            if *name == http::header::ACCEPT {
                *value = http::HeaderValue::from_static("*/*");
            }
        }
        let mut state = RetryState::new(&self.retry, op.idempotent);
        let started = Instant::now();
        loop {
            state.start_attempt();
            let permit = self.limits.acquire().await;
            let exchange = self.transport.send_streaming(request.clone());
            let result = match self.timeout {
                Some(limit) => tokio::time::timeout(limit, exchange)
                    .await
                    .unwrap_or(Err(TransportError::Timeout)),
                None => exchange.await,
            };
            drop(permit);
            let (outcome, failure) = match result {
                Ok(response) => match response.status {
                    429 => {
                        let retry_after = response
                            .headers
                            .get(http::header::RETRY_AFTER)
                            .and_then(|v| v.to_str().ok())
                            .and_then(|v| parse_retry_after(v, SystemTime::now()));
                        (Outcome::RateLimited(retry_after), Ok(response))
                    }
                    502..=504 => (Outcome::Unavailable, Ok(response)),
                    _ => return Ok(response),
                },
                Err(TransportError::Invalid(message)) => {
                    return Err(Error::invalid(op.id, message));
                }
                Err(error) => (Outcome::Connection, Err(error)),
            };
            match state.decide(outcome, started.elapsed()) {
                Decision::Retry(delay) => tokio::time::sleep(delay).await,
                Decision::GiveUp => {
                    return match (failure, outcome) {
                        (Ok(_), Outcome::RateLimited(retry_after)) => Err(Error::RateLimited {
                            operation: op.id,
                            retry_after,
                            attempts: state.attempts(),
                        }),
                        (Ok(response), _) => Ok(response),
                        (Err(TransportError::Connection(source)), _) => Err(Error::Transport {
                            operation: op.id,
                            source,
                        }),
                        (Err(_), _) => Err(Error::Timeout {
                            operation: op.id,
                            elapsed: self.timeout.unwrap_or_default(),
                        }),
                    };
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use futures::StreamExt;

    use crate::test_support::*;
    use crate::{Client, Error};

    fn client(transport: Arc<FakeTransport>) -> Client {
        Client::builder("http://127.0.0.1:1")
            .bearer_token("tok")
            .transport(transport)
            .build()
            .unwrap()
    }

    async fn collect(mut stream: super::ByteStream) -> Vec<u8> {
        let mut out = Vec::new();
        while let Some(chunk) = stream.next().await {
            out.extend_from_slice(&chunk.unwrap());
        }
        out
    }

    #[tokio::test(start_paused = true)]
    async fn an_idempotent_download_is_retried_then_streamed() {
        let fake = FakeTransport::scripted(vec![
            reply(503, "busy"),
            with_header(
                reply(200, "%PDF-1.7 bytes"),
                "content-type",
                "application/pdf",
            ),
        ]);
        let stream = client(fake.clone()).download(&get()).await.unwrap();
        assert_eq!(stream.content_type(), Some("application/pdf"));
        assert_eq!(collect(stream).await, b"%PDF-1.7 bytes");
        assert_eq!(fake.paths().len(), 2);
        let accept = fake
            .request(1)
            .headers
            .iter()
            .find(|(n, _)| n == http::header::ACCEPT)
            .map(|(_, v)| v.clone());
        assert_eq!(accept.as_ref().and_then(|v| v.to_str().ok()), Some("*/*"));
    }

    #[tokio::test(start_paused = true)]
    async fn a_failed_download_is_an_api_error_and_not_retried_when_not_idempotent() {
        let fake = FakeTransport::scripted(vec![reply(503, r#"{"Message":"down"}"#)]);
        let error = client(fake.clone()).download(&create()).await.unwrap_err();
        assert!(
            matches!(&error, Error::Api(api) if api.status == 503),
            "{error}"
        );
        assert_eq!(fake.paths().len(), 1);
    }
}
