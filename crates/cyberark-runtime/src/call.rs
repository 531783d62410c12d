//! One call from start to finish: token, attempts with retries, 401 refresh, decoding, tracing.

use std::sync::{Arc, OnceLock};
use std::time::{Duration, SystemTime};

use http::header::{ACCEPT, HeaderName, HeaderValue, USER_AGENT};
use serde::de::DeserializeOwned;
use tokio::time::Instant;
use tracing::{Instrument, Span, field};
use url::Url;

use crate::auth::Auth;
use crate::envelope;
use crate::error::Error;
use crate::limit::Limits;
use crate::operation::{AuthMode, Encoded};
use crate::retry::{Decision, Outcome, RetryPolicy, RetryState, parse_retry_after};
use crate::transport::{Credential, HttpRequest, HttpResponse, Transport, TransportError};

/// The shared state behind a [`Client`](crate::Client).
#[derive(Debug)]
pub(crate) struct Inner {
    pub(crate) tenant: Url,
    /// The tenant a `PodFqdn` redirect pointed to; once set, every call goes there.
    pub(crate) redirected: OnceLock<Url>,
    pub(crate) transport: Arc<dyn Transport>,
    pub(crate) auth: Auth,
    pub(crate) retry: RetryPolicy,
    pub(crate) timeout: Option<Duration>,
    pub(crate) deadline: Option<Duration>,
    pub(crate) limits: Limits,
    pub(crate) user_agent: HeaderValue,
}

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

impl Inner {
    /// The URL calls are sent to: the tenant, or where StartAuthentication redirected.
    pub(crate) fn base_url(&self) -> &Url {
        self.redirected.get().unwrap_or(&self.tenant)
    }

    /// Makes a `PodFqdn` redirect permanent for this client. Only the first redirect is kept: a
    /// tenant does not move twice within one client's life, and a fixed URL keeps `tenant_url()`
    /// a plain reference.
    pub(crate) fn adopt_tenant(&self, url: Url) {
        if url != self.tenant {
            let _ = self.redirected.set(url);
        }
    }

    /// Runs a whole call under the overall deadline.
    pub(crate) async fn send_encoded<T: DeserializeOwned>(
        &self,
        encoded: &Encoded,
    ) -> Result<T, Error> {
        let operation = encoded.operation.id;
        let span = call_span(operation);
        let call = self.send_with_refresh(encoded).instrument(span);
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

    /// Sends with the current token; on a 401, once, replaces the token and sends again.
    async fn send_with_refresh<T: DeserializeOwned>(&self, encoded: &Encoded) -> Result<T, Error> {
        let op = encoded.operation;
        let mut refreshed = false;
        loop {
            let token = match op.auth {
                AuthMode::Bearer => Some(self.auth.token(self, op.id).await?),
                AuthMode::None => None,
            };
            // Read after the token: a login may just have moved the client to another host.
            let base = self.base_url().clone();
            let credential = token.clone().map_or(Credential::None, Credential::Bearer);
            let response = self.execute(encoded, &base, credential).await?;
            if let (401, Some(token)) = (response.status, &token) {
                if self.auth.can_refresh() && !refreshed {
                    tracing::debug!("the tenant refused the token; fetching a fresh one");
                    self.auth.invalidate(token).await;
                    refreshed = true;
                    continue;
                }
                let reason = envelope::refusal_reason(&response.body)
                    .unwrap_or_else(|| "no reason given".to_owned());
                let message = if refreshed {
                    format!("the tenant refused a freshly fetched token: {reason}")
                } else {
                    format!("the tenant refused the bearer token: {reason}")
                };
                return Err(Error::Auth {
                    operation: op.id,
                    message,
                    status: Some(401),
                });
            }
            return crate::answer::decode(op, encoded.answer, response.status, &response.body);
        }
    }

    /// Sends one request, retrying 429 always and 502/503/504, timeouts and connection errors
    /// when the operation is idempotent. Returns the first response that is not retried.
    pub(crate) async fn execute(
        &self,
        encoded: &Encoded,
        base: &Url,
        credential: Credential,
    ) -> Result<HttpResponse, Error> {
        let op = encoded.operation;
        let request = self.http_request(encoded, base, credential);
        let mut state = RetryState::new(&self.retry, op.idempotent);
        let started = Instant::now();
        let span = Span::current();
        loop {
            let attempt = state.start_attempt();
            let permit = self.limits.acquire().await;
            let sent_at = Instant::now();
            let exchange = self.transport.send(request.clone());
            let result = match self.timeout {
                Some(limit) => tokio::time::timeout(limit, exchange)
                    .await
                    .unwrap_or(Err(TransportError::Timeout)),
                None => exchange.await,
            };
            drop(permit);
            let latency_ms = u64::try_from(sent_at.elapsed().as_millis()).unwrap_or(u64::MAX);
            span.record("attempt", attempt);
            span.record("latency_ms", latency_ms);
            // Split the result into an answer to return now, or a failure with its outcome.
            let (outcome, failure) = match result {
                Ok(response) => {
                    span.record("status", response.status);
                    match response.status {
                        429 => (Outcome::RateLimited(retry_after(&response)), Ok(response)),
                        502..=504 => (Outcome::Unavailable, Ok(response)),
                        status => {
                            tracing::debug!(attempt, status, latency_ms, "answered");
                            return Ok(response);
                        }
                    }
                }
                Err(TransportError::Invalid(message)) => {
                    return Err(Error::invalid(op.id, message));
                }
                Err(error) => (Outcome::Connection, Err(error)),
            };
            let decision = state.decide(outcome, started.elapsed());
            tracing::debug!(attempt, ?outcome, ?decision, latency_ms, "attempt failed");
            match decision {
                Decision::Retry(delay) => tokio::time::sleep(delay).await,
                Decision::GiveUp => {
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
                        (Err(_), _) => Err(Error::Timeout {
                            operation: op.id,
                            elapsed: self.timeout.unwrap_or_default(),
                        }),
                    };
                }
            }
        }
    }

    pub(crate) fn http_request(
        &self,
        encoded: &Encoded,
        base: &Url,
        credential: Credential,
    ) -> HttpRequest {
        let mut url = base.clone();
        if let Ok(mut segments) = url.path_segments_mut() {
            segments.pop_if_empty();
            for segment in &encoded.segments {
                segments.push(segment);
            }
        }
        if !encoded.query.is_empty() || !encoded.deep_query.is_empty() {
            let mut pairs = url.query_pairs_mut();
            for (name, value) in &encoded.query {
                pairs.append_pair(name, value);
            }
            for (name, value) in &encoded.deep_query {
                pairs.append_pair(name, value);
            }
        }
        let mut headers = vec![
            (
                HeaderName::from_static("x-idap-native-client"),
                HeaderValue::from_static("true"),
            ),
            (USER_AGENT, self.user_agent.clone()),
            (ACCEPT, HeaderValue::from_static(encoded.answer.accept())),
        ];
        for (name, value) in &encoded.headers {
            // Generated header names come from the spec and are valid; a value with control
            // characters is dropped rather than sent mangled.
            if let (Ok(name), Ok(mut value)) = (
                HeaderName::from_bytes(name.as_bytes()),
                HeaderValue::from_str(value),
            ) {
                value.set_sensitive(true);
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

fn retry_after(response: &HttpResponse) -> Option<Duration> {
    let value = response
        .headers
        .get(http::header::RETRY_AFTER)?
        .to_str()
        .ok()?;
    parse_retry_after(value, SystemTime::now())
}

#[cfg(test)]
#[path = "call_tests.rs"]
mod tests;
