//! The Vault's own sign-in (PAM Self-Hosted): `POST /API/Auth/{method}/Logon` with a user name
//! and password, answered by a bare JSON string that is sent back unchanged as `Authorization`
//! (no `Bearer`), and `POST /API/Auth/Logoff` to end the session.

use futures::future::BoxFuture;
use serde::Serialize;
use tracing::Instrument;

use super::token_cache::CachedToken;
use super::{SIGN_IN, SignIn};
use crate::envelope;
use crate::error::Error;
use crate::operation::{AuthMode, Convention, Encoder, Method, Operation};
use crate::secret::Secret;
use crate::send::{Sender, call_span};
use crate::transport::Credential;

/// The Vault's authentication methods a client can sign in with by user name and password.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum VaultAuthMethod {
    /// Users defined in the Vault itself (`/API/Auth/CyberArk/Logon`).
    CyberArk,
    /// Directory users (`/API/Auth/LDAP/Logon`).
    Ldap,
    /// RADIUS (`/API/Auth/RADIUS/Logon`); for a challenge, append the one-time code to the
    /// password as the RADIUS server's configuration says.
    Radius,
}

impl VaultAuthMethod {
    /// The method as the Logon path spells it.
    pub fn as_str(self) -> &'static str {
        match self {
            VaultAuthMethod::CyberArk => "CyberArk",
            VaultAuthMethod::Ldap => "LDAP",
            VaultAuthMethod::Radius => "RADIUS",
        }
    }
}

/// What a Vault logon sends.
#[derive(Debug, Clone)]
pub(crate) struct VaultCredentials {
    pub(crate) method: VaultAuthMethod,
    pub(crate) username: String,
    pub(crate) password: Secret,
    /// `concurrentSession`: let this user hold several sessions at once (up to 300), so a
    /// second client or a script does not end the first one's session.
    pub(crate) concurrent_session: bool,
}

/// The Vault logon as a sign-in scheme.
#[derive(Debug)]
pub(crate) struct VaultLogon(pub(crate) VaultCredentials);

/// `Auth_Logon` as the runtime sends it (the generated operation is the same request).
static LOGON: Operation = Operation {
    id: "Auth_Logon",
    tag: "Auth",
    name: "Logon",
    method: Method::Post,
    path: "/API/Auth/{method}/Logon",
    convention: Convention::Vault,
    auth: AuthMode::None,
    // Each logon opens a Vault session; a resend after a lost answer would open a second one,
    // which the session's own expiry cleans up, so the sign-in is safe to retry.
    idempotent: true,
};

/// `Auth_Logoff`, sent with the session token.
pub(crate) static LOGOFF: Operation = Operation {
    id: "Auth_Logoff",
    tag: "Auth",
    name: "Logoff",
    method: Method::Post,
    path: "/API/Auth/Logoff",
    convention: Convention::Vault,
    auth: AuthMode::Bearer,
    idempotent: true,
};

#[derive(Serialize)]
struct LogonBody<'a> {
    username: &'a str,
    password: &'a str,
    #[serde(rename = "concurrentSession")]
    concurrent_session: bool,
}

impl SignIn for VaultLogon {
    fn sign_in<'a>(&'a self, sender: &'a Sender) -> BoxFuture<'a, Result<CachedToken, Error>> {
        Box::pin(logon(sender, &self.0))
    }

    /// The Vault takes its session token as the whole `Authorization` value.
    fn credential(&self, token: &Secret) -> Credential {
        Credential::Raw(token.clone())
    }

    fn secrets(&self) -> Vec<Secret> {
        vec![self.0.password.clone()]
    }

    fn has_session(&self) -> bool {
        true
    }
}

async fn logon(sender: &Sender, credentials: &VaultCredentials) -> Result<CachedToken, Error> {
    let mut encoder = Encoder::new(&LOGON);
    encoder.path_param("method", &credentials.method.as_str());
    encoder.json(&LogonBody {
        username: &credentials.username,
        password: credentials.password.expose(),
        concurrent_session: credentials.concurrent_session,
    })?;
    let encoded = encoder.finish()?;
    let base = sender.base_url();
    let mut state = sender.retry_state(None);
    let response = sender
        .execute(&encoded, &base, Credential::None, &mut state)
        .instrument(call_span(LOGON.id))
        .await?;
    if matches!(response.status, 400..=499) {
        let error = envelope::api_error(LOGON.id, response.status, &response.body);
        let reason = match (&error.error_code, &error.message) {
            (Some(code), Some(message)) => format!("{message} ({code})"),
            (None, Some(message)) => message.clone(),
            (Some(code), None) => code.clone(),
            (None, None) => "no reason given".to_owned(),
        };
        let reason = crate::redact::scrub(&reason, &[&credentials.password]);
        return Err(Error::Auth {
            operation: SIGN_IN,
            message: format!(
                "the Vault refused the {} logon of {}: {reason}",
                credentials.method.as_str(),
                credentials.username
            ),
            status: Some(response.status),
        });
    }
    // The token is a bare JSON string; it has no stated lifetime, so it is kept until the Vault
    // refuses it (its idle timeout), and a 401 then logs on again once.
    let token: Secret = envelope::decode(&LOGON, response.status, &response.body)?;
    Ok(CachedToken::new(token, None))
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;
    use std::sync::atomic::{AtomicU32, Ordering};

    use crate::test_support::*;
    use crate::transport::Credential;
    use crate::{Client, Error, VaultAuthMethod};

    fn raw(fake: &FakeTransport, index: usize) -> Option<String> {
        match fake.request(index).credential {
            Credential::Raw(token) => Some(token.expose().to_owned()),
            _ => None,
        }
    }

    fn vault_client(fake: Arc<FakeTransport>, method: VaultAuthMethod) -> Client {
        Client::builder("http://127.0.0.1:1/PasswordVault")
            .vault_logon(method, "admin", "Cyberark1!")
            .transport(fake)
            .build()
            .unwrap()
    }

    #[tokio::test(start_paused = true)]
    async fn logon_sends_the_token_raw_and_logs_on_again_once_on_401() {
        let logons = Arc::new(AtomicU32::new(0));
        let counter = logons.clone();
        let fake = FakeTransport::new(move |request| match request.url.path() {
            "/PasswordVault/API/Auth/LDAP/Logon" => {
                let n = counter.fetch_add(1, Ordering::SeqCst) + 1;
                Ok(reply(200, &format!("\"session-{n}\"")))
            }
            _ => match &request.credential {
                Credential::Raw(t) if t.expose() == "session-1" => Ok(reply(
                    401,
                    r#"{"ErrorCode":"PASWS013E","ErrorMessage":"Session expired"}"#,
                )),
                _ => Ok(reply(200, r#"{"ok":true}"#)),
            },
        });
        let client = vault_client(fake.clone(), VaultAuthMethod::Ldap);
        let out = client.send(&vault_get()).await.unwrap();
        assert_eq!(out["ok"], true);
        assert_eq!(
            fake.paths(),
            [
                "/PasswordVault/API/Auth/LDAP/Logon",
                "/PasswordVault/API/Things",
                "/PasswordVault/API/Auth/LDAP/Logon",
                "/PasswordVault/API/Things",
            ]
        );
        assert_eq!(
            body_text(&fake.request(0)),
            r#"{"username":"admin","password":"Cyberark1!","concurrentSession":false}"#
        );
        assert!(matches!(fake.request(0).credential, Credential::None));
        assert_eq!(raw(&fake, 1).as_deref(), Some("session-1"));
        assert_eq!(raw(&fake, 3).as_deref(), Some("session-2"));
        // Logoff ends the session with the current token and forgets it.
        client.logoff().await.unwrap();
        assert_eq!(
            fake.paths().last().unwrap(),
            "/PasswordVault/API/Auth/Logoff"
        );
        assert_eq!(raw(&fake, 4).as_deref(), Some("session-2"));
        // A second logoff has no session to end and sends nothing.
        client.logoff().await.unwrap();
        assert_eq!(fake.paths().len(), 5);
        assert_eq!(logons.load(Ordering::SeqCst), 2);
    }

    #[tokio::test(start_paused = true)]
    async fn a_refused_logon_is_an_auth_error_without_the_password() {
        let fake = FakeTransport::new(|_| {
            Ok(reply(
                403,
                r#"{"ErrorCode":"ITATS004E","ErrorMessage":"Authentication failure for Cyberark1!"}"#,
            ))
        });
        let client = vault_client(fake.clone(), VaultAuthMethod::CyberArk);
        let error = client.send(&vault_get()).await.unwrap_err();
        let shown = format!("{error} {error:?}");
        assert!(
            matches!(
                error,
                Error::Auth {
                    status: Some(403),
                    ..
                }
            ),
            "{shown}"
        );
        assert!(shown.contains("ITATS004E"), "{shown}");
        assert!(shown.contains("CyberArk logon of admin"), "{shown}");
        assert!(!shown.contains("Cyberark1!"), "{shown}");
        assert_eq!(fake.paths(), ["/PasswordVault/API/Auth/CyberArk/Logon"]);
    }

    #[tokio::test(start_paused = true)]
    async fn logoff_without_vault_logon_is_a_configuration_error() {
        let fake = FakeTransport::new(|_| Ok(reply(200, "")));
        let client: Client = Client::builder("http://127.0.0.1:1")
            .bearer_token("t")
            .transport(fake.clone())
            .build()
            .unwrap();
        let error = client.logoff().await.unwrap_err();
        assert!(matches!(error, Error::Config { .. }), "{error:?}");
        assert!(fake.paths().is_empty());
    }
}
