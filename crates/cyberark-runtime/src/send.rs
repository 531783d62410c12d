//! The bottom layer of every call: one request, sent through the transport under the client's
//! limits, retried under the call's [`RetryState`], to the tenant's current URL.
//!
//! Sign-in (`auth/`) and the call path (`call.rs`) both send through here; nothing here knows
//! about tokens, so the layers depend on each other in one direction only:
//! `call` → `auth` → `send` → `transport`.

use std::sync::{Arc, PoisonError, RwLock};
use std::time::{Duration, SystemTime};

use http::header::{ACCEPT, HeaderName, HeaderValue, USER_AGENT};
use tokio::time::Instant;
use tracing::{Span, field};
use url::Url;

use futures::future::BoxFuture;

use crate::download::StreamingResponse;
use crate::error::Error;
use crate::limit::Limits;
use crate::operation::Encoded;
use crate::retry::{Decision, Outcome, Reason, RetryPolicy, RetryQuota, RetryState};
use crate::transport::{Credential, HttpRequest, HttpResponse, Transport, TransportError};

/// The span of one call (or one token request). Fields are filled in as attempts complete.
pub(crate) fn call_span(operation: &'static str) -> Span {
    tracing::info_span!(
        "cyberark.call",
        operation,
        attempt = field::Empty,
        status = field::Empty,
        latency_ms = field::Empty,
    )
}

/// Sends requests for one client: the transport, the tenant URL, limits and retry settings.
#[derive(Debug)]
pub(crate) struct Sender {
    /// Where calls go. A sign-in may move it (a `PodFqdn` redirect), as often as the tenant says.
    tenant: RwLock<Url>,
    transport: Arc<dyn Transport>,
    retry: RetryPolicy,
    quota: Option<Arc<RetryQuota>>,
    timeout: Option<Duration>,
    limits: Limits,
    user_agent: HeaderValue,
}

/// Everything a [`Sender`] is made of.
pub(crate) struct SenderConfig {
    pub(crate) tenant: Url,
    pub(crate) transport: Arc<dyn Transport>,
    pub(crate) retry: RetryPolicy,
    /// The client-wide retry quota; `None` leaves retries bounded by the policy alone.
    pub(crate) quota: Option<u32>,
    pub(crate) timeout: Option<Duration>,
    pub(crate) limits: Limits,
    pub(crate) user_agent: HeaderValue,
}

impl Sender {
    pub(crate) fn new(config: SenderConfig) -> Self {
        Sender {
            tenant: RwLock::new(config.tenant),
            transport: config.transport,
            retry: config.retry,
            quota: config
                .quota
                .map(|capacity| Arc::new(RetryQuota::new(capacity))),
            timeout: config.timeout,
            limits: config.limits,
            user_agent: config.user_agent,
        }
    }

    /// The URL calls are sent to now.
    pub(crate) fn base_url(&self) -> Url {
        self.tenant
            .read()
            .unwrap_or_else(PoisonError::into_inner)
            .clone()
    }

    /// Sends every later call to `url` (after a `PodFqdn` redirect during sign-in).
    pub(crate) fn move_to(&self, url: Url) {
        let mut tenant = self.tenant.write().unwrap_or_else(PoisonError::into_inner);
        if *tenant != url {
            tracing::debug!(tenant = %url, "calls now go to the pod the sign-in was sent to");
            *tenant = url;
        }
    }

    /// Fresh retry bookkeeping for one call (or one sign-in) under the client's policy.
    pub(crate) fn retry_state(&self, deadline: Option<Duration>) -> RetryState {
        RetryState::new(&self.retry, deadline, self.quota.clone())
    }

    /// Sends one request, retrying 429 always and 502/503/504, timeouts and connection errors
    /// when the operation is idempotent, within `state` (the call's attempts, budget and
    /// deadline). Returns the first response that is not retried.
    pub(crate) async fn execute(
        &self,
        encoded: &Encoded,
        base: &Url,
        credential: Credential,
        state: &mut RetryState,
    ) -> Result<HttpResponse, Error> {
        let request = self.http_request(encoded, base, credential);
        self.exchange(encoded, request, state, |transport, request| {
            transport.send(request)
        })
        .await
    }

    /// Sends a download as [`Sender::execute`] sends any request, but hands the body over
    /// unread once a status arrives that is not retried.
    pub(crate) async fn execute_streaming(
        &self,
        encoded: &Encoded,
        base: &Url,
        credential: Credential,
        state: &mut RetryState,
    ) -> Result<StreamingResponse, Error> {
        let mut request = self.http_request(encoded, base, credential);
        // Ask for whatever the API sends (the JSON `Accept` of other calls would refuse it),
        // unless the call asks for one binary type of an operation that answers several.
        for (name, value) in &mut request.headers {
            if *name == ACCEPT {
                *value = HeaderValue::from_static(encoded.accept.unwrap_or("*/*"));
            }
        }
        self.exchange(encoded, request, state, |transport, request| {
            transport.send_streaming(request)
        })
        .await
    }

    /// The retry loop both kinds of answer share: `send` makes one attempt.
    async fn exchange<R: Answered>(
        &self,
        encoded: &Encoded,
        request: HttpRequest,
        state: &mut RetryState,
        send: impl for<'t> Fn(
            &'t dyn Transport,
            &'t HttpRequest,
        ) -> BoxFuture<'t, Result<R, TransportError>>,
    ) -> Result<R, Error> {
        let op = encoded.operation;
        let span = Span::current();
        loop {
            let attempt = state.start_attempt();
            let permit = self.limits.acquire().await;
            let sent_at = Instant::now();
            let exchange = send(self.transport.as_ref(), &request);
            // `Some(limit)` when the client's own per-request timeout cut the attempt off.
            let mut cut_off = None;
            let result = match self.timeout {
                Some(limit) => match tokio::time::timeout(limit, exchange).await {
                    Ok(result) => result,
                    Err(_) => {
                        cut_off = Some(limit);
                        Err(TransportError::Timeout)
                    }
                },
                None => exchange.await,
            };
            drop(permit);
            let waited = sent_at.elapsed();
            let latency_ms = u64::try_from(waited.as_millis()).unwrap_or(u64::MAX);
            span.record("attempt", attempt);
            span.record("latency_ms", latency_ms);
            // Split the result into an answer to return now, or a failure with its outcome.
            let (outcome, failure) = match result {
                Ok(response) => {
                    span.record("status", response.status());
                    match response.status() {
                        429 => (Outcome::RateLimited(retry_after(&response)), Ok(response)),
                        502..=504 => (Outcome::Unavailable(retry_after(&response)), Ok(response)),
                        status => {
                            tracing::debug!(attempt, status, latency_ms, "answered");
                            state.succeeded();
                            return Ok(response);
                        }
                    }
                }
                Err(TransportError::Invalid(message)) => {
                    return Err(Error::invalid(op.id, message));
                }
                Err(TransportError::TooLarge {
                    status,
                    limit,
                    excerpt,
                }) => {
                    return Err(crate::bounds::too_large_error(
                        op.id, status, limit, excerpt,
                    ));
                }
                Err(error) => (Outcome::Connection, Err(error)),
            };
            let decision = state.decide(outcome, op.idempotent, state.elapsed());
            tracing::debug!(attempt, ?outcome, ?decision, latency_ms, "attempt failed");
            let reason = match decision {
                Decision::Retry(delay) => {
                    tokio::time::sleep(delay).await;
                    continue;
                }
                Decision::GiveUp(reason) => reason,
            };
            if reason != Reason::NotRetryable {
                tracing::debug!(?reason, "not retrying");
            }
            return match (failure, outcome) {
                (Ok(_), Outcome::RateLimited(retry_after)) => Err(Error::RateLimited {
                    operation: op.id,
                    retry_after,
                    attempts: state.attempts(),
                }),
                // A 5xx that is not retried is reported by the decoder as an API error.
                (Ok(response), _) => Ok(response),
                (Err(TransportError::Connection(source)), _) => Err(Error::Transport {
                    operation: op.id,
                    source,
                }),
                // The transport's connect timeout may fire before the client's own timeout:
                // report the client's timeout when it was that, else how long the attempt
                // actually waited (to the millisecond).
                (Err(_), _) => Err(Error::Timeout {
                    operation: op.id,
                    elapsed: cut_off.unwrap_or_else(|| {
                        Duration::from_millis(u64::try_from(waited.as_millis()).unwrap_or(u64::MAX))
                    }),
                }),
            };
        }
    }

    fn http_request(&self, encoded: &Encoded, base: &Url, credential: Credential) -> HttpRequest {
        let query: Vec<(&str, String)> = encoded
            .query
            .iter()
            .map(|(name, value)| (*name, value.clone()))
            .chain(
                encoded
                    .deep_query
                    .iter()
                    .map(|(name, value)| (name.as_str(), value.clone())),
            )
            .collect();
        let url = crate::params::request_url(base, &encoded.segments, &query);
        let mut headers = vec![
            (
                HeaderName::from_static("x-idap-native-client"),
                HeaderValue::from_static("true"),
            ),
            (USER_AGENT, self.user_agent.clone()),
            (ACCEPT, HeaderValue::from_static(encoded.answer.accept())),
        ];
        for (name, value) in &encoded.headers {
            // Generated header names come from the spec and are valid, and the encoder has
            // already refused values a header cannot carry.
            if let (Ok(name), Ok(value)) = (
                HeaderName::from_bytes(name.as_bytes()),
                crate::params::header_value(name, value),
            ) {
                headers.push((name, value));
            }
        }
        HttpRequest {
            method: encoded.operation.method.as_http(),
            url,
            headers,
            credential,
            body: encoded.body.clone(),
        }
    }
}

/// What the retry loop reads of an answer, whether its body was read whole or still streams.
pub(crate) trait Answered {
    /// The HTTP status.
    fn status(&self) -> u16;
    /// The response headers.
    fn headers(&self) -> &http::HeaderMap;
}

impl Answered for HttpResponse {
    fn status(&self) -> u16 {
        self.status
    }
    fn headers(&self) -> &http::HeaderMap {
        &self.headers
    }
}

impl Answered for StreamingResponse {
    fn status(&self) -> u16 {
        self.status
    }
    fn headers(&self) -> &http::HeaderMap {
        &self.headers
    }
}

fn retry_after(response: &impl Answered) -> Option<Duration> {
    let value = response
        .headers()
        .get(http::header::RETRY_AFTER)?
        .to_str()
        .ok()?;
    crate::retry::parse_retry_after(value, SystemTime::now())
}
