//! The OAuth 2.0 client-credentials grant: `/oauth2/platformtoken` and `/oauth2/token/{app_id}`.

use std::time::Duration;

use futures::future::BoxFuture;
use serde::{Deserialize, Serialize};
use serde_json::Value;
use tracing::Instrument;

use super::token_cache::CachedToken;
use super::{SIGN_IN, SignIn};
use crate::envelope;
use crate::error::Error;
use crate::operation::{AuthMode, Convention, Encoder, Method, Operation};
use crate::secret::Secret;
use crate::send::{Sender, call_span};
use crate::transport::Credential;

/// Client credentials for an OAuth token endpoint.
#[derive(Debug, Clone)]
pub(crate) struct OAuthCredentials {
    /// `None` for `/oauth2/platformtoken`; the application id for `/oauth2/token/{app_id}`.
    pub(crate) app_id: Option<String>,
    pub(crate) client_id: String,
    pub(crate) client_secret: Secret,
    pub(crate) scope: Option<String>,
}

/// The OAuth 2.0 client-credentials grant as a sign-in scheme.
#[derive(Debug)]
pub(crate) struct ClientCredentials(pub(crate) OAuthCredentials);

impl SignIn for ClientCredentials {
    fn secrets(&self) -> Vec<Secret> {
        vec![self.0.client_secret.clone()]
    }

    fn sign_in<'a>(&'a self, sender: &'a Sender) -> BoxFuture<'a, Result<CachedToken, Error>> {
        Box::pin(fetch_token(sender, &self.0))
    }
}

/// The ISPSS service-user token endpoint (research notes part B §2.2).
static PLATFORM_TOKEN: Operation = Operation {
    id: "OAuth2_PlatformToken",
    tag: "OAuth2",
    name: "PlatformToken",
    method: Method::Post,
    path: "/oauth2/platformtoken",
    convention: Convention::OAuth,
    auth: AuthMode::None,
    idempotent: true,
};

/// The OAuth2 client app token endpoint (research notes part B §2.3).
static APP_TOKEN: Operation = Operation {
    id: "OAuth2_Token",
    tag: "OAuth2",
    name: "Token",
    method: Method::Post,
    path: "/oauth2/token/{app_id}",
    convention: Convention::OAuth,
    auth: AuthMode::None,
    idempotent: true,
};

#[derive(Serialize)]
struct TokenForm<'a> {
    grant_type: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    client_id: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    client_secret: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    scope: Option<&'a str>,
}

#[derive(Deserialize)]
struct TokenResponse {
    access_token: Secret,
    #[serde(default)]
    expires_in: Option<Value>,
}

/// Fetches a token with the client-credentials grant.
///
/// `/oauth2/platformtoken` takes the credentials as form fields. `/oauth2/token/{app_id}` takes
/// them as HTTP Basic, as the client-credentials page of CyberArk's docs and the official
/// definition's `basicAuth` scheme say, and as the SDKs do; the form then carries only
/// `grant_type` and `scope` (RFC 6749 §2.3.1 forbids sending them both ways).
async fn fetch_token(
    sender: &Sender,
    credentials: &OAuthCredentials,
) -> Result<CachedToken, Error> {
    let operation = SIGN_IN;
    let (op, form, credential) = match &credentials.app_id {
        None => (
            &PLATFORM_TOKEN,
            TokenForm {
                grant_type: "client_credentials",
                client_id: Some(&credentials.client_id),
                client_secret: Some(credentials.client_secret.expose()),
                scope: credentials.scope.as_deref(),
            },
            Credential::None,
        ),
        Some(_) => (
            &APP_TOKEN,
            TokenForm {
                grant_type: "client_credentials",
                client_id: None,
                client_secret: None,
                scope: credentials.scope.as_deref(),
            },
            Credential::Basic(
                credentials.client_id.clone(),
                credentials.client_secret.clone(),
            ),
        ),
    };
    let mut encoder = Encoder::new(op);
    if let Some(app_id) = &credentials.app_id {
        encoder.path_param("app_id", app_id);
    }
    encoder.form(&form)?;
    let encoded = encoder.finish()?;
    let base = sender.base_url();
    // One retry budget for the whole sign-in, whichever call is waiting for it.
    let mut state = sender.retry_state(None);
    let response = sender
        .execute(&encoded, &base, credential, &mut state)
        .instrument(call_span(op.id))
        .await?;
    if matches!(response.status, 400 | 401 | 403) {
        let reason = envelope::refusal_reason(&response.body)
            .unwrap_or_else(|| "no reason given".to_owned());
        let reason = crate::redact::scrub(&reason, &[&credentials.client_secret]);
        return Err(Error::Auth {
            operation,
            message: format!(
                "the tenant refused the client credentials at {}: {reason}",
                op.path.replace(
                    "{app_id}",
                    credentials.app_id.as_deref().unwrap_or_default()
                )
            ),
            status: Some(response.status),
        });
    }
    let token: Value = envelope::decode(op, response.status, &response.body)?;
    // Some definitions wrap the token in `Result`; every client reads it at the top level, so
    // accept both.
    let token = match token.get("Result") {
        Some(result) if token.get("access_token").is_none() => result.clone(),
        _ => token,
    };
    let token: TokenResponse = serde_json::from_value(token).map_err(|e| Error::Decode {
        operation: op.id,
        path: ".".to_owned(),
        message: e.to_string(),
        excerpt: crate::redact::excerpt(&response.body),
        status: response.status,
    })?;
    // A lifetime that is not a whole number of seconds is treated as unknown; an absurd one
    // is capped by `CachedToken::new`.
    let lifetime = token.expires_in.as_ref().and_then(|v| match v {
        Value::Number(n) => n.as_u64(),
        Value::String(s) => s.trim().parse().ok(),
        _ => None,
    });
    Ok(CachedToken::new(
        token.access_token,
        lifetime.map(Duration::from_secs),
    ))
}
