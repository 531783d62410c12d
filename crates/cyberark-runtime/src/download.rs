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
//! The retry loop is the sender's own (`Sender::execute_streaming`); only what follows the
//! status line differs from a call that reads its answer whole.

use std::fmt;
use std::pin::Pin;
use std::task::{Context, Poll};
use std::time::Duration;

use bytes::Bytes;
use futures::Stream;
use futures::stream::BoxStream;
use tracing::Instrument;

use crate::call::Inner;
use crate::error::Error;
use crate::operation::{AuthMode, Encoded, Request};
use crate::retry::RetryState;
use crate::send::call_span;
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
                    TransportError::TooLarge {
                        status,
                        limit,
                        excerpt,
                    } => crate::bounds::too_large_error(operation, status, limit, excerpt),
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

    /// Sends a request of an operation that answers JSON or bytes as the `Accept` header asks
    /// (the Vault's live-session Monitor: settings as JSON or an RDP file), asking for
    /// `media_type`, and returns the body as a stream.
    pub async fn download_as<R: Request>(
        &self,
        request: &R,
        media_type: &'static str,
    ) -> Result<ByteStream, Error> {
        let mut encoded = crate::operation::encode(request)?;
        // The media type comes from the spec through generated code; one a header cannot carry
        // is refused here rather than sent mangled.
        if http::HeaderValue::from_str(media_type).is_err() {
            return Err(Error::invalid(
                R::OPERATION.id,
                format!("the media type {media_type:?} cannot be sent as Accept"),
            ));
        }
        encoded.answer = crate::answer::Answer::Bytes;
        encoded.accept = Some(media_type);
        self.inner.download(&encoded).await
    }
}

impl Inner {
    /// A whole download call up to its status line, under the overall deadline and with one
    /// retry budget for all of it, as [`Inner::send_encoded`] runs any other call.
    pub(crate) async fn download(&self, encoded: &Encoded) -> Result<ByteStream, Error> {
        let operation = encoded.operation.id;
        let mut state = self.sender.retry_state(self.deadline);
        let call = self
            .download_with_refresh(encoded, &mut state)
            .instrument(call_span(operation));
        self.finish(operation, call).await
    }

    /// Sends with the current token; on a 401 signs in again as a call does, once.
    async fn download_with_refresh(
        &self,
        encoded: &Encoded,
        state: &mut RetryState,
    ) -> Result<ByteStream, Error> {
        let op = encoded.operation;
        let mut signed_in_again = false;
        loop {
            let token = match op.auth {
                AuthMode::Bearer => Some(self.auth.token(op.id, state).await?),
                AuthMode::None => None,
            };
            // Read after the token: a sign-in may just have moved the client to another host.
            let base = self.base_url();
            let credential = token
                .as_ref()
                .map_or(Credential::None, |t| t.credential.clone());
            let response = self
                .sender
                .execute_streaming(encoded, &base, credential, state)
                .await?;
            let status = response.status;
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
            if let (401, Some(token)) = (status, &token) {
                self.after_401(op.id, token, &mut signed_in_again, &body)?;
                continue;
            }
            return Err(crate::envelope::api_error(op.id, status, &body).into());
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
