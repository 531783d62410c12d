//! Bearer tokens and interactive login sessions.

use crate::ids;
use std::collections::HashMap;
use std::time::{Duration, Instant};

/// An issued token.
#[derive(Debug, Clone)]
pub struct TokenInfo {
    /// UUID of the user the token belongs to.
    pub user: String,
    /// When it stops being accepted.
    pub expires: Instant,
}

/// Kind of a login mechanism.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MechKind {
    /// Password (`UP`).
    Password,
    /// One-time code sent by e-mail (`EMAIL`).
    EmailCode,
}

/// One mechanism of a login package.
#[derive(Debug, Clone)]
pub struct Mech {
    /// MechanismId.
    pub id: String,
    /// What it checks.
    pub kind: MechKind,
}

/// An interactive login in progress.
#[derive(Debug, Clone)]
pub struct LoginSession {
    /// UUID of the user, or `None` for an unknown login name (which can never succeed, but
    /// gets a package like everyone else so names cannot be probed).
    pub user: Option<String>,
    /// Challenges in order; each is satisfied by one of its mechanisms.
    pub challenges: Vec<Vec<Mech>>,
    /// Index of the challenge to answer next.
    pub next: usize,
    /// Whether the current challenge's out-of-band mechanism was started.
    pub oob_started: bool,
    /// Whether the user "clicked the link" of the started out-of-band mechanism (the admin
    /// hook [`AuthState::approve_oob`]), so the next `Poll` completes it.
    pub oob_approved: bool,
    /// Whether StartAuthentication asked for a platform token (`PlatformTokenResponse`), so
    /// LoginSuccess carries a platform JWT and a refresh token.
    pub platform_token: bool,
    /// When the package stops being accepted.
    pub expires: Instant,
}

/// How long a login package stays valid.
pub const SESSION_TTL: Duration = Duration::from_secs(300);

/// Tokens and sessions of one sandbox.
#[derive(Debug, Default)]
pub struct AuthState {
    tokens: HashMap<String, TokenInfo>,
    /// Login sessions by SessionId.
    pub sessions: HashMap<String, LoginSession>,
    /// Refresh tokens: the user (UUID) each one signs in again as. A refresh token is used
    /// once: redeeming it issues a new one, as the tenant rotates them.
    refresh: HashMap<String, String>,
    /// Authorization codes waiting to be exchanged at `/oauth2/token/{app_id}`.
    codes: HashMap<String, AuthorizationCode>,
}

/// An authorization code the (simulated) authorize endpoint handed to a client application.
#[derive(Debug, Clone)]
pub struct AuthorizationCode {
    /// UUID of the user who authorized it.
    pub user: String,
    /// The redirect URI it was issued for; the exchange must name the same one.
    pub redirect_uri: String,
    /// The PKCE `code_challenge` (S256 of the verifier), if the client used PKCE.
    pub code_challenge: Option<String>,
    /// When it stops being accepted.
    pub expires: Instant,
}

/// What a platform token says about the tenant, as the claims CyberArk's SDKs read.
#[derive(Debug, Clone)]
pub struct PlatformClaims<'a> {
    /// The user's login name (`unique_name`).
    pub unique_name: &'a str,
    /// The tenant's id (`tenant_id`).
    pub tenant_id: &'a str,
    /// The tenant's subdomain (`subdomain`), as in `<subdomain>.cyberark.cloud`.
    pub subdomain: &'a str,
    /// The platform's domain (`platform_domain`).
    pub platform_domain: &'a str,
}

/// How long an authorization code may wait to be exchanged.
pub const CODE_TTL: Duration = Duration::from_secs(120);

impl AuthState {
    /// Issues a JWT-shaped bearer token for a user.
    pub fn issue(&mut self, user: &str, ttl: Duration) -> String {
        self.issue_with_claims(user, ttl, None)
    }

    /// Issues a platform token for a user: a JWT-shaped bearer token carrying the claims
    /// CyberArk's SDKs read (`tenant_id`, `subdomain`, `platform_domain`, `unique_name`, `iat`),
    /// with a refresh token that signs the same user in again.
    pub fn issue_platform(
        &mut self,
        user: &str,
        ttl: Duration,
        claims: &PlatformClaims<'_>,
    ) -> (String, String) {
        let token = self.issue_with_claims(user, ttl, Some(claims));
        (token, self.issue_refresh(user))
    }

    /// Issues a refresh token for a user.
    pub fn issue_refresh(&mut self, user: &str) -> String {
        let refresh = ids::opaque(32);
        self.refresh.insert(refresh.clone(), user.to_owned());
        refresh
    }

    /// Forgets every refresh token issued so far; returns how many there were.
    pub fn expire_refresh_tokens(&mut self) -> usize {
        let count = self.refresh.len();
        self.refresh.clear();
        count
    }

    /// Redeems a refresh token: the user it was issued to, once.
    pub fn redeem_refresh(&mut self, refresh: &str) -> Option<String> {
        self.refresh.remove(refresh)
    }

    /// Stores an authorization code and returns it.
    pub fn issue_code(&mut self, code: AuthorizationCode) -> String {
        let value = ids::opaque(24);
        self.codes.insert(value.clone(), code);
        value
    }

    /// Takes an authorization code out (it is good for one exchange), if it has not expired.
    pub fn redeem_code(&mut self, code: &str) -> Option<AuthorizationCode> {
        self.codes
            .remove(code)
            .filter(|c| c.expires > Instant::now())
    }

    fn issue_with_claims(
        &mut self,
        user: &str,
        ttl: Duration,
        claims: Option<&PlatformClaims<'_>>,
    ) -> String {
        let now = Instant::now();
        if self.tokens.len() > 4096 {
            // Expired tokens are only dropped lazily; purge them when the table grows.
            self.tokens.retain(|_, t| t.expires > now);
            self.sessions.retain(|_, s| s.expires > now);
            self.codes.retain(|_, c| c.expires > now);
        }
        let iat = ids::now_ms() / 1000;
        let exp = iat + ttl.as_secs() as i64;
        let header = ids::base64url(br#"{"alg":"RS256","typ":"JWT","kid":"sandbox"}"#);
        let mut payload = serde_json::json!({
            "sub": user, "iss": "identity-sandbox", "iat": iat, "exp": exp, "jti": ids::random_hex(8),
        });
        if let Some(c) = claims {
            payload["unique_name"] = c.unique_name.into();
            payload["tenant_id"] = c.tenant_id.into();
            payload["subdomain"] = c.subdomain.into();
            payload["platform_domain"] = c.platform_domain.into();
        }
        let payload = ids::base64url(payload.to_string().as_bytes());
        let token = format!("{header}.{payload}.{}", ids::opaque(32));
        self.tokens.insert(
            token.clone(),
            TokenInfo {
                user: user.to_owned(),
                expires: now + ttl,
            },
        );
        token
    }

    /// The user of a valid, unexpired token.
    pub fn validate(&mut self, token: &str) -> Option<String> {
        let info = self.tokens.get(token)?;
        if info.expires <= Instant::now() {
            self.tokens.remove(token);
            return None;
        }
        Some(info.user.clone())
    }

    /// Approves the started out-of-band mechanism of every login of `user` (a UUID) in
    /// progress, as a click on the e-mailed link would; returns how many were approved.
    pub fn approve_oob(&mut self, user: &str) -> usize {
        let now = Instant::now();
        let mut approved = 0;
        for session in self.sessions.values_mut() {
            if session.user.as_deref() == Some(user) && session.oob_started && session.expires > now
            {
                session.oob_approved = true;
                approved += 1;
            }
        }
        approved
    }

    /// Ends one token (Logout).
    pub fn revoke(&mut self, token: &str) {
        self.tokens.remove(token);
    }

    /// Ends every token of a user (cloud lock, state change, removal).
    pub fn revoke_user(&mut self, user: &str) {
        self.tokens.retain(|_, t| t.user != user);
    }
}
