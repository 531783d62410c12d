//! The OAuth grants made for a user at `/oauth2/token/{app_id}`: `authorization_code` (with
//! PKCE, RFC 7636) and `refresh_token`, with the field names of CyberArk's published auth
//! definition, and the PKCE pair a client makes before sending the user to the authorize page.

use std::sync::Mutex;

use base64::Engine as _;
use futures::future::BoxFuture;
use rand::RngExt as _;
use url::Url;

use super::oauth::{ClientAuth, Grant, TokenRequest, request_token};
use super::token_cache::CachedToken;
use super::{SIGN_IN, SignIn};
use crate::error::Error;
use crate::secret::Secret;
use crate::send::Sender;

/// A user's OAuth grant at an OAuth2 client application (`/oauth2/token/{app_id}`): an
/// authorization code to exchange, or a refresh token from an earlier exchange.
///
/// The client exchanges the code on its first call and keeps the refresh token the tenant
/// answers with; later sign-ins (expiry, a 401) redeem that refresh token, and the one they
/// get back replaces it ([`Client::refresh_token`](crate::Client::refresh_token) hands out the
/// current one, to be stored for the next run). Codes, verifiers, secrets and refresh tokens
/// print as `***`.
#[derive(Debug, Clone)]
pub struct OAuthGrant {
    pub(crate) app_id: String,
    pub(crate) client_id: String,
    pub(crate) client_secret: Option<Secret>,
    pub(crate) client_auth: Option<ClientAuth>,
    pub(crate) scope: Option<String>,
    pub(crate) start: GrantStart,
}

/// What the first sign-in of an [`OAuthGrant`] redeems.
#[derive(Debug, Clone)]
pub(crate) enum GrantStart {
    Code {
        code: Secret,
        redirect_uri: String,
        code_verifier: Option<Secret>,
    },
    Refresh(Secret),
}

impl OAuthGrant {
    /// The `authorization_code` grant: `code` is what the authorize endpoint sent to
    /// `redirect_uri` (which must be the same here), for the application `app_id` and the
    /// client `client_id`. Add the PKCE verifier with [`OAuthGrant::code_verifier`], and a
    /// confidential client's secret with [`OAuthGrant::client_secret`]; a client without a
    /// secret must use PKCE.
    pub fn authorization_code(
        app_id: impl Into<String>,
        client_id: impl Into<String>,
        code: impl Into<Secret>,
        redirect_uri: impl Into<String>,
    ) -> Self {
        OAuthGrant {
            app_id: app_id.into(),
            client_id: client_id.into(),
            client_secret: None,
            client_auth: None,
            scope: None,
            start: GrantStart::Code {
                code: code.into(),
                redirect_uri: redirect_uri.into(),
                code_verifier: None,
            },
        }
    }

    /// The `refresh_token` grant: signs in with a refresh token kept from an earlier grant.
    pub fn refresh_token(
        app_id: impl Into<String>,
        client_id: impl Into<String>,
        refresh_token: impl Into<Secret>,
    ) -> Self {
        OAuthGrant {
            app_id: app_id.into(),
            client_id: client_id.into(),
            client_secret: None,
            client_auth: None,
            scope: None,
            start: GrantStart::Refresh(refresh_token.into()),
        }
    }

    /// The PKCE `code_verifier` whose S256 hash was the authorization request's
    /// `code_challenge` (see [`Pkce`]). Only meaningful with an authorization code.
    pub fn code_verifier(mut self, verifier: impl Into<Secret>) -> Self {
        if let GrantStart::Code { code_verifier, .. } = &mut self.start {
            *code_verifier = Some(verifier.into());
        }
        self
    }

    /// A confidential client's secret; without one the client is public and sends only its id.
    pub fn client_secret(mut self, secret: impl Into<Secret>) -> Self {
        self.client_secret = Some(secret.into());
        self
    }

    /// How the id and secret are sent (default [`ClientAuth::Basic`]).
    pub fn client_auth(mut self, how: ClientAuth) -> Self {
        self.client_auth = Some(how);
        self
    }

    /// The `scope` to ask for, when the application needs one.
    pub fn scope(mut self, scope: impl Into<String>) -> Self {
        self.scope = Some(scope.into());
        self
    }

    /// Checks what the tenant would refuse anyway, so the mistake is named before anything is sent.
    pub(crate) fn validate(&self) -> Result<(), Error> {
        let empty = |what: &str| Error::config(format!("the OAuth grant's {what} is empty"));
        if self.app_id.trim().is_empty() {
            return Err(empty("app_id"));
        }
        if self.client_id.trim().is_empty() {
            return Err(empty("client_id"));
        }
        match &self.start {
            GrantStart::Code {
                code,
                redirect_uri,
                code_verifier,
            } => {
                if code.is_empty() {
                    return Err(empty("authorization code"));
                }
                if redirect_uri.trim().is_empty() {
                    return Err(empty("redirect_uri"));
                }
                if code_verifier.is_none() && self.client_secret.is_none() {
                    return Err(Error::config(
                        "an authorization code without a client secret needs the PKCE code_verifier (a public client must use PKCE)",
                    ));
                }
            }
            GrantStart::Refresh(refresh) if refresh.is_empty() => {
                return Err(empty("refresh token"));
            }
            GrantStart::Refresh(_) => {}
        }
        Ok(())
    }
}

/// An [`OAuthGrant`] as a sign-in scheme, with what it has left to redeem.
#[derive(Debug)]
pub(crate) struct UserGrant {
    grant: OAuthGrant,
    state: Mutex<GrantState>,
}

#[derive(Debug, Default)]
struct GrantState {
    /// The code, until it has been presented once (a code is good for one exchange).
    code: Option<(Secret, String, Option<Secret>)>,
    /// The latest refresh token.
    refresh: Option<Secret>,
}

impl UserGrant {
    pub(crate) fn new(grant: OAuthGrant) -> Self {
        let state = match &grant.start {
            GrantStart::Code {
                code,
                redirect_uri,
                code_verifier,
            } => GrantState {
                code: Some((code.clone(), redirect_uri.clone(), code_verifier.clone())),
                refresh: None,
            },
            GrantStart::Refresh(refresh) => GrantState {
                code: None,
                refresh: Some(refresh.clone()),
            },
        };
        UserGrant {
            grant,
            state: Mutex::new(state),
        }
    }

    fn state(&self) -> std::sync::MutexGuard<'_, GrantState> {
        self.state.lock().unwrap_or_else(|e| e.into_inner())
    }

    async fn redeem(&self, sender: &Sender) -> Result<CachedToken, Error> {
        // The refresh token if there is one, else the code; either is taken out first, as the
        // tenant honours each once.
        let (refresh, code) = {
            let mut state = self.state();
            match state.refresh.take() {
                Some(refresh) => (Some(refresh), None),
                None => (None, state.code.take()),
            }
        };
        let grant = match (&refresh, &code) {
            (Some(refresh), _) => Grant::RefreshToken(refresh),
            (None, Some((code, redirect_uri, code_verifier))) => Grant::AuthorizationCode {
                code,
                redirect_uri,
                code_verifier: code_verifier.as_ref(),
            },
            (None, None) => {
                return Err(Error::Auth {
                    operation: SIGN_IN,
                    message: "the authorization code was already exchanged and the tenant gave no refresh token (or refused it), so this client cannot sign in again; start a new authorization".to_owned(),
                    status: None,
                });
            }
        };
        let request = TokenRequest {
            app_id: Some(&self.grant.app_id),
            client_id: &self.grant.client_id,
            client_secret: self.grant.client_secret.as_ref(),
            client_auth: self.grant.client_auth.unwrap_or(ClientAuth::Basic),
            scope: self.grant.scope.as_deref(),
            grant,
        };
        let issued = request_token(sender, &request).await;
        match issued {
            Ok(issued) => {
                // The tenant may rotate the refresh token; without a new one the old one is
                // kept, as RFC 6749 §6 allows the server to leave it valid.
                self.state().refresh = issued.refresh_token.or(refresh);
                Ok(issued.token)
            }
            Err(error) => {
                // A refusal (400/401) used the refresh token up; any other failure (a network
                // error, a 5xx) leaves it for the next attempt.
                if !matches!(error, Error::Auth { .. })
                    && let Some(refresh) = refresh
                {
                    self.state().refresh.get_or_insert(refresh);
                }
                Err(error)
            }
        }
    }

    /// The refresh token the grant would redeem next.
    pub(crate) fn current_refresh_token(&self) -> Option<Secret> {
        self.state().refresh.clone()
    }
}

impl SignIn for UserGrant {
    fn sign_in<'a>(&'a self, sender: &'a Sender) -> BoxFuture<'a, Result<CachedToken, Error>> {
        Box::pin(self.redeem(sender))
    }

    fn secrets(&self) -> Vec<Secret> {
        let mut secrets: Vec<Secret> = self.grant.client_secret.iter().cloned().collect();
        match &self.grant.start {
            GrantStart::Code {
                code,
                code_verifier,
                ..
            } => {
                secrets.push(code.clone());
                secrets.extend(code_verifier.iter().cloned());
            }
            GrantStart::Refresh(refresh) => secrets.push(refresh.clone()),
        }
        secrets.extend(self.state().refresh.iter().cloned());
        secrets
    }

    fn refresh_token(&self) -> Option<Secret> {
        self.current_refresh_token()
    }
}

/// A PKCE pair (RFC 7636): a random `code_verifier` the client keeps, and the S256
/// `code_challenge` it sends with the authorization request.
///
/// ```
/// use cyberark_runtime::Pkce;
/// let pkce = Pkce::new();
/// let url = pkce.authorize_url("abc1234.id.cyberark.cloud", "my_app", "my-client", "http://127.0.0.1:8765/callback", "openid profile", "xyz")?;
/// assert!(url.as_str().contains("code_challenge_method=S256"));
/// // Send the user to `url`; the redirect brings `code`. Then exchange it:
/// let grant = cyberark_runtime::OAuthGrant::authorization_code("my_app", "my-client", "code-from-redirect", "http://127.0.0.1:8765/callback")
///     .code_verifier(pkce.verifier().clone());
/// # let _ = grant;
/// # Ok::<(), cyberark_runtime::Error>(())
/// ```
#[derive(Debug, Clone)]
pub struct Pkce {
    verifier: Secret,
    challenge: String,
}

impl Pkce {
    /// The challenge method this pair uses, `S256`.
    pub const METHOD: &'static str = "S256";

    /// A fresh pair: the verifier is 32 random bytes in base64url (43 characters).
    pub fn new() -> Self {
        let bytes: [u8; 32] = rand::rng().random();
        Self::from_verifier(base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes))
    }

    /// The pair for a verifier the caller already has.
    pub fn from_verifier(verifier: impl Into<Secret>) -> Self {
        let verifier = verifier.into();
        let challenge = challenge_of(verifier.expose());
        Pkce {
            verifier,
            challenge,
        }
    }

    /// The `code_verifier`, sent with the code exchange ([`OAuthGrant::code_verifier`]).
    pub fn verifier(&self) -> &Secret {
        &self.verifier
    }

    /// The `code_challenge`: base64url of the verifier's SHA-256.
    pub fn challenge(&self) -> &str {
        &self.challenge
    }

    /// The authorize URL of the tenant (`/OAuth2/Authorize/{app_id}`) with this challenge, for
    /// the authorization-code flow (`response_type=code`).
    pub fn authorize_url(
        &self,
        tenant: &str,
        app_id: &str,
        client_id: &str,
        redirect_uri: &str,
        scope: &str,
        state: &str,
    ) -> Result<Url, Error> {
        let mut url = crate::tenant::parse_tenant_url(tenant)?;
        url.path_segments_mut()
            .map_err(|()| Error::config("the tenant URL cannot have a path"))?
            .pop_if_empty()
            .extend(["OAuth2", "Authorize", app_id]);
        url.query_pairs_mut()
            .append_pair("response_type", "code")
            .append_pair("client_id", client_id)
            .append_pair("redirect_uri", redirect_uri)
            .append_pair("scope", scope)
            .append_pair("state", state)
            .append_pair("code_challenge", &self.challenge)
            .append_pair("code_challenge_method", Self::METHOD);
        Ok(url)
    }
}

impl Default for Pkce {
    fn default() -> Self {
        Self::new()
    }
}

/// base64url (no padding) of SHA-256, RFC 7636 §4.2.
fn challenge_of(verifier: &str) -> String {
    let digest = ring::digest::digest(&ring::digest::SHA256, verifier.as_bytes());
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(digest.as_ref())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The example of RFC 7636 appendix B.
    #[test]
    fn the_challenge_is_rfc_7636_s256() {
        let pkce = Pkce::from_verifier("dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk");
        assert_eq!(
            pkce.challenge(),
            "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM"
        );
        assert_eq!(format!("{pkce:?}").matches("dBjft").count(), 0);
    }

    #[test]
    fn fresh_verifiers_are_43_url_safe_characters_and_differ() {
        let (a, b) = (Pkce::new(), Pkce::new());
        assert_eq!(a.verifier().expose().len(), 43);
        assert!(
            a.verifier()
                .expose()
                .bytes()
                .all(|c| c.is_ascii_alphanumeric() || c == b'-' || c == b'_')
        );
        assert_ne!(a.verifier(), b.verifier());
    }

    #[test]
    fn the_authorize_url_carries_the_challenge() {
        let pkce = Pkce::from_verifier("dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk");
        let url = pkce
            .authorize_url(
                "https://abc1234.id.cyberark.cloud/api/idadmin",
                "my app",
                "client",
                "http://127.0.0.1/cb",
                "openid",
                "s1",
            )
            .unwrap();
        assert_eq!(
            url.as_str(),
            "https://abc1234.id.cyberark.cloud/api/idadmin/OAuth2/Authorize/my%20app?response_type=code&client_id=client&redirect_uri=http%3A%2F%2F127.0.0.1%2Fcb&scope=openid&state=s1&code_challenge=E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM&code_challenge_method=S256"
        );
    }

    #[test]
    fn a_public_client_must_use_pkce() {
        let grant = OAuthGrant::authorization_code("app", "client", "code", "http://127.0.0.1/cb");
        let error = grant.validate().unwrap_err();
        assert!(error.to_string().contains("PKCE"), "{error}");
        assert!(grant.clone().code_verifier("v").validate().is_ok());
        assert!(grant.client_secret("s").validate().is_ok());
        assert!(
            OAuthGrant::refresh_token("app", "client", "")
                .validate()
                .is_err()
        );
    }

    #[test]
    fn debug_hides_every_secret() {
        let grant = OAuthGrant::authorization_code("app", "client", "the-code", "http://x/cb")
            .code_verifier("the-verifier")
            .client_secret("the-secret");
        let text = format!("{grant:?} {:?}", UserGrant::new(grant.clone()));
        for secret in ["the-code", "the-verifier", "the-secret"] {
            assert!(!text.contains(secret), "{text}");
        }
    }
}
