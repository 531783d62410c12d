//! Credentials and the bearer token: what the client sends as `Authorization`.

mod login;
mod mfa;
mod oauth;
mod token_cache;

pub use mfa::{MfaAnswer, MfaChallenge, MfaHandler, mfa_handler_fn};

use std::sync::Arc;

use crate::call::Inner;
use crate::error::Error;
use crate::secret::Secret;
use token_cache::TokenCache;

/// Client credentials for an OAuth token endpoint.
#[derive(Debug, Clone)]
pub(crate) struct OAuthCredentials {
    /// `None` for `/oauth2/platformtoken`; the application id for `/oauth2/token/{app_id}`.
    pub(crate) app_id: Option<String>,
    pub(crate) client_id: String,
    pub(crate) client_secret: Secret,
    pub(crate) scope: Option<String>,
}

/// A user name and password, plus the handler for any further factor.
#[derive(Clone)]
pub(crate) struct LoginCredentials {
    pub(crate) username: String,
    pub(crate) password: Secret,
    pub(crate) mfa: Option<Arc<dyn MfaHandler>>,
}

impl std::fmt::Debug for LoginCredentials {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("LoginCredentials")
            .field("username", &self.username)
            .field("password", &self.password)
            .field("mfa", &self.mfa.as_ref().map(|_| "MfaHandler"))
            .finish()
    }
}

/// How the client obtains its bearer token.
#[derive(Debug, Clone)]
pub(crate) enum Credentials {
    /// None configured: operations that need a token fail with a configuration error.
    None,
    /// A fixed token from the caller; it cannot be refreshed.
    Bearer(Secret),
    /// The OAuth client-credentials grant.
    OAuth(OAuthCredentials),
    /// The interactive `StartAuthentication` / `AdvanceAuthentication` flow.
    Login(LoginCredentials),
}

/// The credentials and the token they produced.
#[derive(Debug)]
pub(crate) struct Auth {
    credentials: Credentials,
    cache: TokenCache,
    /// The last token handed to a call, so errors can be scrubbed of it (`known_secrets`).
    last_token: std::sync::Mutex<Option<Secret>>,
}

impl Auth {
    pub(crate) fn new(credentials: Credentials) -> Self {
        Auth {
            credentials,
            cache: TokenCache::default(),
            last_token: std::sync::Mutex::new(None),
        }
    }

    /// Every secret value the client knows, for scrubbing errors: the configured client secret,
    /// password or static token, and the last token handed to a call.
    pub(crate) fn known_secrets(&self) -> Vec<Secret> {
        let mut secrets = match &self.credentials {
            Credentials::None => Vec::new(),
            Credentials::Bearer(token) => vec![token.clone()],
            Credentials::OAuth(oauth) => vec![oauth.client_secret.clone()],
            Credentials::Login(login) => vec![login.password.clone()],
        };
        let last = self.last_token.lock().unwrap_or_else(|e| e.into_inner());
        secrets.extend(last.iter().cloned());
        secrets
    }

    /// Remembers the token a call is about to send.
    fn remember(&self, token: Secret) -> Secret {
        *self.last_token.lock().unwrap_or_else(|e| e.into_inner()) = Some(token.clone());
        token
    }

    /// The bearer token for a call of `operation`, fetching one if needed.
    pub(crate) async fn token(
        &self,
        inner: &Inner,
        operation: &'static str,
    ) -> Result<Secret, Error> {
        let token = match &self.credentials {
            Credentials::None => Err(Error::config(format!(
                "{operation} needs a bearer token, but the client has no credentials; set bearer_token, client_credentials, oauth_app or user_login on the builder"
            ))),
            Credentials::Bearer(token) => Ok(token.clone()),
            Credentials::OAuth(oauth) => {
                self.cache
                    .get(|| oauth::fetch_token(inner, oauth, operation))
                    .await
            }
            Credentials::Login(login) => {
                self.cache
                    .get(|| login::login(inner, login, operation))
                    .await
            }
        }?;
        Ok(self.remember(token))
    }

    /// Whether a refused token can be replaced by fetching a new one.
    pub(crate) fn can_refresh(&self) -> bool {
        matches!(
            self.credentials,
            Credentials::OAuth(_) | Credentials::Login(_)
        )
    }

    /// Forgets a token the tenant refused.
    pub(crate) async fn invalidate(&self, stale: &Secret) {
        self.cache.invalidate(stale).await;
    }
}

#[cfg(test)]
mod tests;
