//! One call from start to finish: token, attempts with retries, a 401, decoding, tracing.
//!
//! The call path sits on top of the sign-in layer (`auth`) and the sender (`send`); neither of
//! them knows about it.

use std::sync::Arc;
use std::time::Duration;

use serde::de::DeserializeOwned;
use tracing::Instrument;
use url::Url;

use std::future::Future;

use crate::auth::{After401, Auth, Token};
use crate::envelope;
use crate::error::Error;
use crate::operation::{AuthMode, Encoded};
use crate::retry::RetryState;
use crate::send::{Sender, call_span};
use crate::transport::{Credential, HttpResponse};

/// The shared state behind a [`Client`](crate::Client).
#[derive(Debug)]
pub(crate) struct Inner {
    pub(crate) sender: Arc<Sender>,
    pub(crate) auth: Auth,
    pub(crate) deadline: Option<Duration>,
}

impl Inner {
    /// The URL calls are sent to: the tenant, or where the last sign-in was redirected.
    pub(crate) fn base_url(&self) -> Url {
        self.sender.base_url()
    }

    /// Runs a whole call under the overall deadline, with one retry budget for all of it, and
    /// decodes its answer.
    ///
    /// Only this shim is generic: the sending (sign-in, retries, the 401 loop, the deadline) is
    /// one non-generic future, [`Inner::send_answered`], compiled once for every operation
    /// instead of once per output type, and the answer is decoded after it returns.
    pub(crate) async fn send_encoded<T: DeserializeOwned>(
        &self,
        encoded: &Encoded,
    ) -> Result<T, Error> {
        let response = self.send_answered(encoded).await?;
        crate::answer::decode(
            encoded.operation,
            encoded.answer,
            response.status,
            &response.body,
        )
        .map_err(|error| self.scrub(error))
    }

    /// Sends a call and returns the answer that ends it (a success or a failure status the
    /// decoder reads), or the error that stopped it.
    async fn send_answered(&self, encoded: &Encoded) -> Result<HttpResponse, Error> {
        let operation = encoded.operation.id;
        let mut state = self.sender.retry_state(self.deadline);
        let call = self
            .send_with_refresh(encoded, &mut state)
            .instrument(call_span(operation));
        self.finish(operation, call).await
    }

    /// Runs one call under the client's overall deadline and scrubs its error: every kind of call
    /// (an answer read whole, a download) ends here, so none can outlive the deadline or carry
    /// a secret the tenant echoed back (a refused token in a 401 body, say).
    pub(crate) async fn finish<T>(
        &self,
        operation: &'static str,
        call: impl Future<Output = Result<T, Error>>,
    ) -> Result<T, Error> {
        let result = match self.deadline {
            Some(deadline) => {
                tokio::time::timeout(deadline, call)
                    .await
                    .unwrap_or(Err(Error::Timeout {
                        operation,
                        elapsed: deadline,
                    }))
            }
            None => call.await,
        };
        result.map_err(|error| self.scrub(error))
    }

    /// Removes every secret the client knows from an error (a refused token the tenant echoed
    /// back in a body excerpt, say).
    fn scrub(&self, error: Error) -> Error {
        let secrets = self.auth.known_secrets();
        error.scrub_secrets(&secrets.iter().collect::<Vec<_>>())
    }

    /// What a 401 to `token` leads to: `Ok` to sign in again and resend (at most once per call,
    /// tracked by `signed_in_again`), or the authorization error to report.
    pub(crate) fn after_401(
        &self,
        operation: &'static str,
        token: &Token,
        signed_in_again: &mut bool,
        body: &[u8],
    ) -> Result<(), Error> {
        let reason = envelope::refusal_reason(body).unwrap_or_else(|| "no reason given".to_owned());
        match self.auth.refused(token, *signed_in_again, &reason) {
            After401::SignInAgain => {
                *signed_in_again = true;
                Ok(())
            }
            After401::Report(message) => Err(Error::Auth {
                operation,
                message,
                status: Some(401),
            }),
        }
    }

    /// Sends with the current token; on a 401, unless signing in again recently did not help,
    /// signs in once and sends again.
    async fn send_with_refresh(
        &self,
        encoded: &Encoded,
        state: &mut RetryState,
    ) -> Result<HttpResponse, Error> {
        let op = encoded.operation;
        let mut signed_in_again = false;
        loop {
            let mut token = match op.auth {
                AuthMode::Bearer => Some(self.auth.token(op.id, state).await?),
                AuthMode::None => None,
            };
            // Read after the token: a sign-in may just have moved the client to another host.
            let base = self.base_url();
            // Moved out, not copied: what a 401 needs of the token is its secret.
            let credential = token
                .as_mut()
                .map_or(Credential::None, |t| t.take_credential());
            let response = self
                .sender
                .execute(encoded, &base, credential, state)
                .await?;
            if let (401, Some(token)) = (response.status, &token) {
                self.after_401(op.id, token, &mut signed_in_again, &response.body)?;
                continue;
            }
            return Ok(response);
        }
    }
}

#[cfg(test)]
#[path = "call_tests.rs"]
mod tests;
