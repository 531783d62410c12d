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
}

impl AuthState {
    /// Issues a JWT-shaped bearer token for a user.
    pub fn issue(&mut self, user: &str, ttl: Duration) -> String {
        let now = Instant::now();
        if self.tokens.len() > 4096 {
            // Expired tokens are only dropped lazily; purge them when the table grows.
            self.tokens.retain(|_, t| t.expires > now);
            self.sessions.retain(|_, s| s.expires > now);
        }
        let exp = ids::now_ms() / 1000 + ttl.as_secs() as i64;
        let header = ids::base64url(br#"{"alg":"RS256","typ":"JWT","kid":"sandbox"}"#);
        let payload = ids::base64url(
            format!(
                r#"{{"sub":"{user}","iss":"identity-sandbox","exp":{exp},"jti":"{}"}}"#,
                ids::random_hex(8)
            )
            .as_bytes(),
        );
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

    /// Ends one token (Logout).
    pub fn revoke(&mut self, token: &str) {
        self.tokens.remove(token);
    }

    /// Ends every token of a user (cloud lock, state change, removal).
    pub fn revoke_user(&mut self, user: &str) {
        self.tokens.retain(|_, t| t.user != user);
    }
}
