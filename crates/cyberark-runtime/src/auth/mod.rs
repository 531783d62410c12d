//! Sign-in and the token: what the client sends as `Authorization`.
//!
//! This is a layer between the call path and the sender: a call asks [`Auth`] for a token, and
//! a sign-in scheme ([`SignIn`]) sends its own requests through the [`Sender`], never through
//! the call path. Another scheme (a Vault logon, say) is one more `SignIn` implementation.

mod grant;
mod login;
mod mfa;
mod oauth;
mod platform_refresh;
mod token_cache;
mod vault;

pub(crate) use grant::UserGrant;
pub use grant::{OAuthGrant, Pkce};
pub use mfa::{MfaAnswer, MfaChallenge, MfaHandler, mfa_handler_fn};
pub use oauth::ClientAuth;

use std::fmt;
use std::sync::Arc;
use std::time::Duration;

use futures::future::BoxFuture;
use http::HeaderValue;

use crate::error::Error;
use crate::retry::RetryState;
use crate::secret::Secret;
use crate::send::Sender;
use crate::transport::Credential;
pub(crate) use login::{LoginCredentials, UserLogin};
pub(crate) use oauth::{ClientCredentials, OAuthCredentials};
pub(crate) use token_cache::CachedToken;
use token_cache::{Refusal, TokenCache};
pub use vault::VaultAuthMethod;
pub(crate) use vault::{LOGOFF, VaultCredentials, VaultLogon};

/// The label sign-in errors carry until they are handed to a call, which puts its own
/// operation in their place.
pub(crate) const SIGN_IN: &str = "sign-in";

/// One way of obtaining a token: OAuth client credentials, a user login, later a Vault logon.
pub(crate) trait SignIn: Send + Sync + fmt::Debug {
    /// Signs in through `sender` and returns the token with its lifetime.
    ///
    /// It runs as its own task, shared by every call waiting for a token, so it must not depend
    /// on any one call: it keeps its own retry bookkeeping.
    fn sign_in<'a>(&'a self, sender: &'a Sender) -> BoxFuture<'a, Result<CachedToken, Error>>;

    /// How calls present the token; a bearer token unless the scheme says otherwise.
    fn credential(&self, token: &Secret) -> Credential {
        Credential::Bearer(token.clone())
    }

    /// The secrets this scheme was configured with (a client secret, a password), so errors can
    /// be scrubbed of them wherever the tenant echoes them back.
    fn secrets(&self) -> Vec<Secret> {
        Vec::new()
    }

    /// This scheme bound to the call that is starting a sign-in (see
    /// [`MfaHandler::for_caller`]), or `None` to use it as is.
    fn for_caller(&self) -> Option<Arc<dyn SignIn>> {
        None
    }

    /// Whether the scheme opens a session that [`Auth::end_session`] can close (a Vault logon).
    fn has_session(&self) -> bool {
        false
    }

    /// Whether signing in waits for a person (a password prompt, an MFA push). A call then waits
    /// for it as long as its deadline allows rather than only its retry budget.
    fn is_interactive(&self) -> bool {
        false
    }

    /// The refresh token the last sign-in brought, if the scheme keeps one (an OAuth user
    /// grant, a login with a platform token).
    fn refresh_token(&self) -> Option<Secret> {
        None
    }
}

/// The token source of a client with credentials, for another client to send the same token:
/// on Privilege Cloud the Vault accepts the Identity platform token, so one sign-in serves
/// both clients.
///
/// The clients share one token cache: the second one never signs in itself; when it needs a
/// token the first one's scheme signs in (through the first client's host, limits and retry
/// budget), and when the Vault refuses the token with a 401, the shared token is dropped and
/// fetched again once, as for the first client's own calls. Get it with
/// [`Client::token_source`](crate::Client::token_source) and give it to
/// [`ClientBuilder::token_source`](crate::ClientBuilder::token_source).
#[derive(Clone)]
pub struct TokenSource(Source);

#[derive(Clone)]
enum Source {
    Fixed(Secret),
    Session {
        scheme: Arc<dyn SignIn>,
        sender: Arc<Sender>,
        cache: Arc<TokenCache>,
    },
}

impl fmt::Debug for TokenSource {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let kind = match &self.0 {
            Source::Fixed(_) => "fixed token",
            Source::Session { .. } => "sign-in",
        };
        f.debug_tuple("TokenSource").field(&kind).finish()
    }
}

/// How the client authenticates its calls.
#[derive(Debug)]
pub(crate) enum Auth {
    /// No credentials: operations that need a token fail with a configuration error.
    None,
    /// A fixed token from the caller; it cannot be refreshed, so a 401 fails the call.
    Fixed(Secret),
    /// Tokens obtained by a sign-in scheme and cached.
    Session(Session),
}

/// A sign-in scheme, the sender it signs in through, and the token it produced.
#[derive(Debug)]
pub(crate) struct Session {
    scheme: Arc<dyn SignIn>,
    sender: Arc<Sender>,
    cache: Arc<TokenCache>,
    /// The last token handed to a call, so errors can be scrubbed of it (`known_secrets`).
    last_token: std::sync::Mutex<Option<Secret>>,
}

/// The token a call sends, and how.
#[derive(Debug, Clone)]
pub(crate) struct Token {
    secret: Secret,
    /// Whether this token can be replaced by signing in again.
    refreshable: bool,
    pub(crate) credential: Credential,
}

impl Token {
    /// The token's value.
    pub(crate) fn secret(&self) -> &Secret {
        &self.secret
    }

    /// The credential to send, leaving [`Credential::None`] in its place (the token itself stays
    /// for deciding what a 401 to it means).
    pub(crate) fn take_credential(&mut self) -> Credential {
        std::mem::replace(&mut self.credential, Credential::None)
    }
}

/// What a call does after the tenant answered 401 to `token`.
#[derive(Debug)]
pub(crate) enum After401 {
    /// The token was probably stale and has been dropped: fetch another and send again.
    SignInAgain,
    /// The token is good; the call itself is refused. Report this message.
    Report(String),
}

impl Auth {
    /// Signs in with `scheme` through `sender`.
    pub(crate) fn session(scheme: Arc<dyn SignIn>, sender: Arc<Sender>) -> Self {
        Auth::Session(Session {
            scheme,
            sender,
            cache: Arc::new(TokenCache::default()),
            last_token: std::sync::Mutex::new(None),
        })
    }

    /// Uses the token source of another client.
    pub(crate) fn shared(source: TokenSource) -> Self {
        match source.0 {
            Source::Fixed(token) => Auth::Fixed(token),
            Source::Session {
                scheme,
                sender,
                cache,
            } => Auth::Session(Session {
                scheme,
                sender,
                cache,
                last_token: std::sync::Mutex::new(None),
            }),
        }
    }

    /// This client's token source, for another client to share; `None` without credentials.
    pub(crate) fn source(&self) -> Option<TokenSource> {
        match self {
            Auth::None => None,
            Auth::Fixed(token) => Some(TokenSource(Source::Fixed(token.clone()))),
            Auth::Session(session) => Some(TokenSource(Source::Session {
                scheme: session.scheme.clone(),
                sender: session.sender.clone(),
                cache: session.cache.clone(),
            })),
        }
    }

    /// The refresh token the sign-in scheme holds, if any.
    pub(crate) fn refresh_token(&self) -> Option<Secret> {
        match self {
            Auth::Session(session) => session.scheme.refresh_token(),
            _ => None,
        }
    }

    /// Every secret value the client knows, for scrubbing errors: the configured client secret,
    /// password or static token, and the last token handed to a call.
    pub(crate) fn known_secrets(&self) -> Vec<Secret> {
        match self {
            Auth::None => Vec::new(),
            Auth::Fixed(token) => vec![token.clone()],
            Auth::Session(session) => {
                let mut secrets = session.scheme.secrets();
                let last = session.last_token.lock().unwrap_or_else(|e| e.into_inner());
                secrets.extend(last.iter().cloned());
                secrets
            }
        }
    }

    /// The token for a call of `operation`, waiting for a sign-in if needed, within the call's
    /// retry budget and deadline.
    pub(crate) async fn token(
        &self,
        operation: &'static str,
        state: &RetryState,
    ) -> Result<Token, Error> {
        match self {
            Auth::None => Err(Error::config(format!(
                "{operation} needs a bearer token, but the client has no credentials; set bearer_token, client_credentials, oauth_app, oauth_grant, user_login or token_source on the builder"
            ))),
            Auth::Fixed(token) => Ok(Token {
                secret: token.clone(),
                refreshable: false,
                credential: Credential::Bearer(token.clone()),
            }),
            Auth::Session(session) => {
                let wait = if session.scheme.is_interactive() {
                    state.deadline_remaining()
                } else {
                    Some(state.remaining())
                };
                let secret = session
                    .cache
                    .get(
                        || {
                            // Runs on the task of the call that starts the sign-in; the scheme
                            // and sender are shared with the sign-in only then, not per call.
                            let scheme = session
                                .scheme
                                .for_caller()
                                .unwrap_or_else(|| session.scheme.clone());
                            let sender = session.sender.clone();
                            Box::pin(async move {
                                let token = scheme.sign_in(&sender).await?;
                                check_token(&token.token)?;
                                Ok(token)
                            })
                        },
                        operation,
                        wait,
                    )
                    .await?;
                {
                    // Most calls use the token the last one used: compared, not copied again.
                    let mut last = session.last_token.lock().unwrap_or_else(|e| e.into_inner());
                    if last.as_ref() != Some(&secret) {
                        *last = Some(secret.clone());
                    }
                }
                Ok(Token {
                    credential: session.scheme.credential(&secret),
                    secret,
                    refreshable: true,
                })
            }
        }
    }

    /// Takes the session token for a logoff: the token the client holds, which it forgets so
    /// the next call logs on again. `Ok(None)` when there is no session to end; an error when
    /// the credentials are not a Vault logon (a fixed token or an Identity token has no
    /// session the Vault could end).
    pub(crate) fn end_session(&self) -> Result<Option<Token>, Error> {
        let Auth::Session(session) = self else {
            return Err(Error::config(
                "logoff ends a Vault session opened by vault_logon; this client was built with other credentials",
            ));
        };
        if !session.scheme.has_session() {
            return Err(Error::config(
                "logoff ends a Vault session opened by vault_logon; this client was built with other credentials",
            ));
        }
        Ok(session.cache.take_current().map(|secret| Token {
            credential: session.scheme.credential(&secret),
            secret,
            refreshable: false,
        }))
    }

    /// Decides what a 401 to `token` means. `after_sign_in` says whether the token was fetched
    /// for this call because the tenant refused the one before.
    pub(crate) fn refused(&self, token: &Token, after_sign_in: bool, reason: &str) -> After401 {
        let Auth::Session(session) = self else {
            return After401::Report(format!("the tenant refused the bearer token: {reason}"));
        };
        if !token.refreshable {
            return After401::Report(format!("the tenant refused the bearer token: {reason}"));
        }
        if after_sign_in {
            // A token signed in for this very call is not expired: the call is refused. Confirm
            // the token so the next refused call does not sign in (and prompt) again.
            session.cache.confirm(&token.secret);
            return After401::Report(format!(
                "the tenant refused a freshly fetched token, so these credentials are not allowed to make this call: {reason}"
            ));
        }
        match session.cache.refused(&token.secret) {
            Refusal::Stale => {
                tracing::debug!("the tenant refused the token; signing in again");
                After401::SignInAgain
            }
            Refusal::Confirmed => After401::Report(format!(
                "the tenant refused this call, and signing in again did not help a moment ago, so these credentials are not allowed to make it: {reason}"
            )),
        }
    }
}

/// Refuses a token the transport could not send, so it is never cached.
fn check_token(token: &Secret) -> Result<(), Error> {
    if token.is_empty() || HeaderValue::from_str(token.expose()).is_err() {
        return Err(Error::Auth {
            operation: SIGN_IN,
            message: "the tenant sent a token that is empty or has characters not allowed in an HTTP header (a control character or non-ASCII text); it was discarded".to_owned(),
            status: None,
        });
    }
    Ok(())
}

/// The time a sign-in failure is shared with later calls before one of them tries again, so
/// that a tenant refusing tokens is not asked again by every waiting call in turn.
pub(crate) const FAILURE_BACKOFF: Duration = Duration::from_secs(2);

#[cfg(test)]
mod tests;
