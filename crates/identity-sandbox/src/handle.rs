//! The handle of a running sandbox: its URL and credentials, faults, log and state.

use crate::app::App;
use crate::faults::Faults;
use crate::log::LoggedRequest;
use crate::state::{Channel, Invitation as StoredInvitation};
use crate::view::{StateView, snapshot};
use std::sync::{Arc, Mutex};
use tokio::sync::watch;
use tokio::task::JoinHandle;

/// A running sandbox. Clones share it; the server stops when the last clone is dropped or when
/// [`SandboxHandle::shutdown`] is called.
#[derive(Debug, Clone)]
pub struct SandboxHandle {
    inner: Arc<Inner>,
}

#[derive(Debug)]
struct Inner {
    app: Arc<App>,
    url: String,
    ca_pem: Option<String>,
    stop: watch::Sender<bool>,
    task: Mutex<Option<JoinHandle<()>>>,
}

impl Drop for Inner {
    fn drop(&mut self) {
        self.stop.send_replace(true);
    }
}

/// An invitation, login e-mail or SMS the sandbox pretended to send.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Invitation {
    /// UUID of the user.
    pub user_id: String,
    /// Login name of the user.
    pub user_name: String,
    /// Address or number it went to, when the user has one.
    pub address: Option<String>,
    /// `"email"` or `"sms"`.
    pub channel: &'static str,
    /// The operationId that sent it.
    pub source: String,
    /// Role the user was added to (InviteUsers with `Role`).
    pub role: Option<String>,
}

impl From<&StoredInvitation> for Invitation {
    fn from(i: &StoredInvitation) -> Self {
        Self {
            user_id: i.user_id.clone(),
            user_name: i.user_name.clone(),
            address: i.address.clone(),
            channel: match i.channel {
                Channel::Email => "email",
                Channel::Sms => "sms",
            },
            source: i.source.clone(),
            role: i.role.clone(),
        }
    }
}

impl SandboxHandle {
    pub(crate) fn new(
        app: Arc<App>,
        url: String,
        ca_pem: Option<String>,
        stop: watch::Sender<bool>,
        task: JoinHandle<()>,
    ) -> Self {
        Self {
            inner: Arc::new(Inner {
                app,
                url,
                ca_pem,
                stop,
                task: Mutex::new(Some(task)),
            }),
        }
    }

    /// Base URL, `http://127.0.0.1:PORT` (`https://` with TLS).
    pub fn url(&self) -> String {
        self.inner.url.clone()
    }

    /// With [`crate::SandboxBuilder::tls`], the PEM of the self-signed certificate the server
    /// presents: add it as a trusted root (it is its own CA).
    pub fn ca_pem(&self) -> Option<&str> {
        self.inner.ca_pem.as_deref()
    }

    /// With [`crate::SandboxBuilder::discovery`], the URL of the discovery pod
    /// (`http://127.0.0.1:PORT`, another port than [`SandboxHandle::url`]).
    pub fn discovery_url(&self) -> Option<String> {
        let pods = self.inner.app.pods.get()?;
        let scheme = self.inner.url.split("://").next().unwrap_or("http");
        Some(format!("{scheme}://{}", pods.discovery))
    }

    /// Approves the out-of-band mechanism (the e-mailed link) that a login of `user` (login
    /// name or UUID) has started, as the user clicking the link would: the client's next
    /// `Poll` completes it. Returns how many logins in progress were approved (0 if none had
    /// started one).
    pub fn approve_oob(&self, user: &str) -> usize {
        let Some(uuid) = self.inner.app.read().users.resolve(user) else {
            return 0;
        };
        self.inner.app.auth().approve_oob(&uuid)
    }

    /// Issues an authorization code for `user` (login name or UUID), as the tenant's authorize
    /// endpoint does once the user signed in and consented; `code_challenge` is the PKCE S256
    /// challenge of the client's verifier. `None` for an unknown user.
    pub fn authorization_code(
        &self,
        user: &str,
        redirect_uri: &str,
        code_challenge: Option<&str>,
    ) -> Option<String> {
        let uuid = self.inner.app.read().users.resolve(user)?;
        Some(
            self.inner
                .app
                .auth()
                .issue_code(crate::auth::AuthorizationCode {
                    user: uuid,
                    redirect_uri: redirect_uri.to_owned(),
                    code_challenge: code_challenge.map(str::to_owned),
                    expires: std::time::Instant::now() + crate::auth::CODE_TTL,
                }),
        )
    }

    /// Base URL of the Vault, `http://127.0.0.1:PORT/PasswordVault` (as a PVWA's).
    pub fn vault_url(&self) -> String {
        format!("{}/PasswordVault", self.inner.url)
    }

    /// A Vault session token for a vault user, bypassing Logon. `None` for an unknown user.
    pub fn vault_token_for(&self, user: &str) -> Option<String> {
        let mut vault = self.inner.app.vault();
        let name = vault.user_by_name(user)?.username.clone();
        Some(vault.issue(&name, self.inner.app.config.token_ttl))
    }

    /// Login name of the confidential OAuth client accepted by `/oauth2/platformtoken`.
    pub fn client_id(&self) -> &str {
        &self.inner.app.config.client_id
    }

    /// Password (client secret) of the confidential client.
    pub fn client_secret(&self) -> &str {
        &self.inner.app.config.client_secret
    }

    /// Application id accepted by `/oauth2/token/{app_id}` with the same client.
    pub fn app_id(&self) -> &str {
        &self.inner.app.config.app_id
    }

    /// Login name of the administrator who signs in with a password only.
    pub fn admin_username(&self) -> &str {
        &self.inner.app.config.admin_username
    }

    /// The administrator's password.
    pub fn admin_password(&self) -> &str {
        &self.inner.app.config.admin_password
    }

    /// Login name of the user who signs in with a password and then an e-mailed code.
    pub fn mfa_username(&self) -> &str {
        &self.inner.app.config.mfa_username
    }

    /// The MFA user's password.
    pub fn mfa_password(&self) -> &str {
        &self.inner.app.config.mfa_password
    }

    /// The code the EMAIL mechanism accepts.
    pub fn otp_code(&self) -> &str {
        &self.inner.app.config.otp_code
    }

    /// Fault injection and holds.
    pub fn faults(&self) -> &Faults {
        &self.inner.app.faults
    }

    /// The request log, oldest first (the last 10,000 requests; admin API calls are not logged).
    pub fn requests(&self) -> Vec<LoggedRequest> {
        self.inner.app.log.snapshot()
    }

    /// Empties the request log.
    pub fn clear_requests(&self) {
        self.inner.app.log.clear();
    }

    /// A snapshot of the tenant's data.
    pub fn state(&self) -> StateView {
        snapshot(&self.inner.app.read())
    }

    /// Every invitation, login e-mail and SMS "sent" so far, oldest first.
    pub fn invitations(&self) -> Vec<Invitation> {
        self.inner
            .app
            .read()
            .invitations
            .iter()
            .map(Invitation::from)
            .collect()
    }

    /// Creates `n` synthetic Cloud Directory users at once (`user000001@<suffix>`, ...).
    pub fn add_users(&self, n: usize) {
        crate::seed::add_synthetic_users(&mut self.inner.app.write(), n);
    }

    /// Expires every refresh token issued so far, as the tenant does when their lifetime ends:
    /// redeeming one (at `/oauth2/token/{app_id}` or `/OAuth2/RefreshPlatformToken`) is refused
    /// from now on. Returns how many there were.
    pub fn expire_refresh_tokens(&self) -> usize {
        self.inner.app.auth().expire_refresh_tokens()
    }

    /// Issues a bearer token for a user named by UUID or login name, bypassing the login flow.
    /// Returns `None` when no such user exists.
    pub fn token_for(&self, user: &str) -> Option<String> {
        let uuid = self.inner.app.read().users.resolve(user)?;
        Some(
            self.inner
                .app
                .auth()
                .issue(&uuid, self.inner.app.config.token_ttl),
        )
    }

    /// Stops the server (for every clone) and waits for it to finish accepting.
    pub async fn shutdown(self) {
        self.inner.stop.send_replace(true);
        let task = crate::faults::lock(&self.inner.task).take();
        if let Some(task) = task {
            let _ = task.await;
        }
    }
}
