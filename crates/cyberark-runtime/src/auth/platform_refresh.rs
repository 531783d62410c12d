//! `POST /OAuth2/RefreshPlatformToken`: a new platform token for the refresh token of a login,
//! so an expired platform token is replaced without signing in again (no password, no MFA).
//!
//! The exchange is the one CyberArk's Python SDK makes (`ArkIdentity.refresh_auth_identity`):
//! both tokens travel as cookies named after the tenant, `refreshToken-<tenant_id>` and
//! `idToken-<tenant_id>` (the tenant id is the platform token's `tenant_id` claim), without a
//! body, and a `200` answer sets the same two cookies to the new pair. Anything else (another
//! status, a missing cookie) means the refresh token is spent or unknown, and the caller signs
//! in again from scratch.

use std::time::Duration;

use base64::Engine as _;
use tracing::Instrument;

use super::SIGN_IN;
use super::token_cache::CachedToken;
use crate::error::Error;
use crate::operation::{AuthMode, Convention, Encoder, Method, Operation};
use crate::secret::Secret;
use crate::send::{Sender, call_span};
use crate::transport::Credential;

static REFRESH_PLATFORM_TOKEN: Operation = Operation {
    id: "Authentication_RefreshPlatformToken",
    tag: "Authentication",
    name: "RefreshPlatformToken",
    method: Method::Post,
    path: "/OAuth2/RefreshPlatformToken",
    convention: Convention::Envelope,
    auth: AuthMode::None,
    // A refresh token is used once: a resend after a lost answer would present a spent token.
    idempotent: false,
};

/// The platform token and refresh token a refresh brought.
pub(crate) struct Refreshed {
    pub(crate) token: CachedToken,
    pub(crate) refresh: Secret,
}

/// Redeems `refresh` (with the platform token `token` it came with) for a new pair.
pub(crate) async fn refresh_platform_token(
    sender: &Sender,
    token: &Secret,
    refresh: &Secret,
) -> Result<Refreshed, Error> {
    let claims = claims(token.expose())
        .ok_or_else(|| failed("the platform token is not a JWT with a `tenant_id` claim"))?;
    let tenant = claims
        .get("tenant_id")
        .and_then(serde_json::Value::as_str)
        .filter(|t| is_cookie_name_part(t))
        .ok_or_else(|| failed("the platform token has no usable `tenant_id` claim"))?
        .to_owned();
    let id_cookie = format!("idToken-{tenant}");
    let refresh_cookie = format!("refreshToken-{tenant}");
    let cookies = Secret::from(format!(
        "{refresh_cookie}={}; {id_cookie}={}",
        refresh.expose(),
        token.expose()
    ));
    let mut encoder = Encoder::new(&REFRESH_PLATFORM_TOKEN);
    encoder.header("cookie", &cookies);
    let encoded = encoder.finish()?;
    let mut state = sender.retry_state(None);
    let response = sender
        .execute(&encoded, &sender.base_url(), Credential::None, &mut state)
        .instrument(call_span(REFRESH_PLATFORM_TOKEN.id))
        .await?;
    if response.status != 200 {
        return Err(Error::Auth {
            operation: SIGN_IN,
            message: "RefreshPlatformToken refused the refresh token".to_owned(),
            status: Some(response.status),
        });
    }
    let set = |name: &str| {
        response
            .headers
            .get_all(http::header::SET_COOKIE)
            .iter()
            .filter_map(|v| v.to_str().ok())
            .find_map(|cookie| cookie_value(cookie, name))
            .filter(|v| !v.is_empty())
            .map(Secret::from)
    };
    let (Some(new_token), Some(new_refresh)) = (set(&id_cookie), set(&refresh_cookie)) else {
        return Err(failed(
            "RefreshPlatformToken answered without the new token cookies",
        ));
    };
    let lifetime = claims_lifetime(new_token.expose());
    Ok(Refreshed {
        token: CachedToken::new(new_token, lifetime),
        refresh: new_refresh,
    })
}

fn failed(message: &str) -> Error {
    Error::Auth {
        operation: SIGN_IN,
        message: message.to_owned(),
        status: None,
    }
}

/// The claims of a JWT, read without checking its signature (the client only needs to know
/// where to send it and how long it lasts; the tenant checks it).
fn claims(jwt: &str) -> Option<serde_json::Map<String, serde_json::Value>> {
    let payload = jwt.split('.').nth(1)?;
    let bytes = base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(payload.trim_end_matches('='))
        .ok()?;
    match serde_json::from_slice(&bytes).ok()? {
        serde_json::Value::Object(map) => Some(map),
        _ => None,
    }
}

/// The lifetime a JWT states (`exp - iat`), when it states one.
fn claims_lifetime(jwt: &str) -> Option<Duration> {
    let claims = claims(jwt)?;
    let exp = claims.get("exp")?.as_i64()?;
    let iat = claims.get("iat")?.as_i64()?;
    u64::try_from(exp.checked_sub(iat)?)
        .ok()
        .map(Duration::from_secs)
}

/// Whether text may be part of a cookie name (RFC 6265 `token` characters), so a hostile
/// `tenant_id` claim cannot add cookies or header lines.
fn is_cookie_name_part(text: &str) -> bool {
    !text.is_empty()
        && text.len() <= 128
        && text
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"!#$%&'*+-.^_`|~".contains(&b))
}

/// The value of cookie `name` in one `Set-Cookie` header, `name=value; attributes`.
fn cookie_value(header: &str, name: &str) -> Option<String> {
    let pair = header.split(';').next()?.trim();
    let (key, value) = pair.split_once('=')?;
    (key.trim() == name).then(|| value.trim().trim_matches('"').to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn jwt(claims: &serde_json::Value) -> String {
        let b64 = |v: &[u8]| base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(v);
        format!(
            "{}.{}.sig",
            b64(br#"{"alg":"none"}"#),
            b64(claims.to_string().as_bytes())
        )
    }

    #[test]
    fn claims_and_lifetime_are_read_from_the_payload() {
        let token = jwt(&serde_json::json!({"tenant_id": "ABC1234", "iat": 100, "exp": 1900}));
        assert_eq!(
            claims(&token).unwrap()["tenant_id"],
            serde_json::json!("ABC1234")
        );
        assert_eq!(claims_lifetime(&token), Some(Duration::from_secs(1800)));
        assert_eq!(claims_lifetime(&jwt(&serde_json::json!({"exp": 5}))), None);
        assert!(claims("opaque-session-token").is_none());
        assert!(claims("a.!!!.c").is_none());
    }

    #[test]
    fn cookies_are_found_by_exact_name() {
        let header = "idToken-T1=abc.def; path=/; secure; HttpOnly";
        assert_eq!(
            cookie_value(header, "idToken-T1").as_deref(),
            Some("abc.def")
        );
        assert_eq!(cookie_value(header, "idToken-T"), None);
        assert_eq!(
            cookie_value("refreshToken-T1=\"r\"", "refreshToken-T1").as_deref(),
            Some("r")
        );
    }

    #[test]
    fn a_hostile_tenant_id_cannot_shape_the_cookie_header() {
        assert!(is_cookie_name_part("ABC1234_x-y"));
        for hostile in ["", "a=b", "a; b", "a\r\nX: y", "a b", "ü"] {
            assert!(!is_cookie_name_part(hostile), "{hostile:?}");
        }
    }
}
