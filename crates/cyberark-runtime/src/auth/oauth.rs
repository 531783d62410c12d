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
    /// How the id and secret are sent; `None` for the endpoint's default.
    pub(crate) client_auth: Option<ClientAuth>,
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

/// How an OAuth client presents its id and secret to a token endpoint (RFC 6749 §2.3.1).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum ClientAuth {
    /// `Authorization: Basic base64(client_id:client_secret)`, what CyberArk's SDKs send and
    /// what every OAuth server must accept.
    Basic,
    /// `client_id` and `client_secret` as form fields beside the grant.
    Form,
}

impl ClientAuth {
    /// The default for an endpoint: form fields for `/oauth2/platformtoken`, the way CyberArk
    /// documents its service users, and HTTP Basic for `/oauth2/token/{app_id}`, as CyberArk's
    /// published definition (`basicAuth`) and its SDKs do. The tenant accepts either on both.
    pub(crate) fn default_for(app_id: Option<&str>) -> Self {
        if app_id.is_some() {
            ClientAuth::Basic
        } else {
            ClientAuth::Form
        }
    }
}

/// The grant of one token request.
#[derive(Debug, Clone, Copy)]
pub(super) enum Grant<'a> {
    /// `client_credentials`.
    ClientCredentials,
    /// `authorization_code`, with the PKCE verifier if the authorization request had a challenge.
    AuthorizationCode {
        code: &'a Secret,
        redirect_uri: &'a str,
        code_verifier: Option<&'a Secret>,
    },
    /// `refresh_token`.
    RefreshToken(&'a Secret),
}

/// One request to a token endpoint.
#[derive(Debug, Clone, Copy)]
pub(super) struct TokenRequest<'a> {
    /// `None` for `/oauth2/platformtoken`.
    pub(super) app_id: Option<&'a str>,
    pub(super) client_id: &'a str,
    /// `None` for a public client, which sends its id in the form and authenticates no further.
    pub(super) client_secret: Option<&'a Secret>,
    pub(super) client_auth: ClientAuth,
    pub(super) scope: Option<&'a str>,
    pub(super) grant: Grant<'a>,
}

/// What a token endpoint answered.
pub(super) struct Issued {
    pub(super) token: CachedToken,
    pub(super) refresh_token: Option<Secret>,
}

/// The form of a token request, with the field names of CyberArk's published auth definition.
#[derive(Serialize)]
struct TokenForm<'a> {
    grant_type: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    client_id: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    client_secret: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    scope: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    code: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    redirect_uri: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    code_verifier: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    refresh_token: Option<&'a str>,
}

#[derive(Deserialize)]
struct TokenResponse {
    access_token: Secret,
    #[serde(default)]
    expires_in: Option<Value>,
    #[serde(default)]
    refresh_token: Option<Secret>,
}

/// Fetches a token with the client-credentials grant.
async fn fetch_token(
    sender: &Sender,
    credentials: &OAuthCredentials,
) -> Result<CachedToken, Error> {
    let request = TokenRequest {
        app_id: credentials.app_id.as_deref(),
        client_id: &credentials.client_id,
        client_secret: Some(&credentials.client_secret),
        client_auth: credentials
            .client_auth
            .unwrap_or_else(|| ClientAuth::default_for(credentials.app_id.as_deref())),
        scope: credentials.scope.as_deref(),
        grant: Grant::ClientCredentials,
    };
    Ok(request_token(sender, &request).await?.token)
}

/// Sends one token request and reads the answer.
///
/// With [`ClientAuth::Basic`] the form carries only the grant: RFC 6749 §2.3.1 forbids sending
/// the credentials both ways. A public client (no secret) names itself with `client_id` in the
/// form, which is all it can do.
pub(super) async fn request_token(
    sender: &Sender,
    request: &TokenRequest<'_>,
) -> Result<Issued, Error> {
    let operation = SIGN_IN;
    let op = match request.app_id {
        None => &PLATFORM_TOKEN,
        Some(_) => &APP_TOKEN,
    };
    let (client_id, client_secret, credential) = match (request.client_secret, request.client_auth)
    {
        (Some(secret), ClientAuth::Basic) => (
            None,
            None,
            Credential::Basic(request.client_id.to_owned(), secret.clone()),
        ),
        (secret, _) => (
            Some(request.client_id),
            secret.map(Secret::expose),
            Credential::None,
        ),
    };
    let mut form = TokenForm {
        grant_type: "client_credentials",
        client_id,
        client_secret,
        scope: request.scope,
        code: None,
        redirect_uri: None,
        code_verifier: None,
        refresh_token: None,
    };
    let what = match request.grant {
        Grant::ClientCredentials => "the client credentials",
        Grant::AuthorizationCode {
            code,
            redirect_uri,
            code_verifier,
        } => {
            form.grant_type = "authorization_code";
            form.code = Some(code.expose());
            form.redirect_uri = Some(redirect_uri);
            form.code_verifier = code_verifier.map(Secret::expose);
            "the authorization code"
        }
        Grant::RefreshToken(refresh) => {
            form.grant_type = "refresh_token";
            form.refresh_token = Some(refresh.expose());
            "the refresh token"
        }
    };
    let mut encoder = Encoder::new(op);
    if let Some(app_id) = request.app_id {
        encoder.path_param("app_id", &app_id);
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
    let secrets: Vec<&Secret> = [
        request.client_secret,
        match request.grant {
            Grant::AuthorizationCode { code, .. } => Some(code),
            Grant::RefreshToken(refresh) => Some(refresh),
            Grant::ClientCredentials => None,
        },
        match request.grant {
            Grant::AuthorizationCode { code_verifier, .. } => code_verifier,
            _ => None,
        },
    ]
    .into_iter()
    .flatten()
    .collect();
    if matches!(response.status, 400 | 401 | 403) {
        let reason = envelope::refusal_reason(&response.body)
            .unwrap_or_else(|| "no reason given".to_owned());
        let reason = crate::redact::scrub(&reason, &secrets);
        return Err(Error::Auth {
            operation,
            message: format!(
                "the tenant refused {what} at {}: {reason}",
                op.path
                    .replace("{app_id}", request.app_id.unwrap_or_default())
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
    Ok(Issued {
        token: CachedToken::new(token.access_token, lifetime.map(Duration::from_secs)),
        refresh_token: token.refresh_token.filter(|r| !r.is_empty()),
    })
}
