//! The client handle and its builder.

use std::fmt;
use std::marker::PhantomData;
use std::sync::Arc;
use std::time::Duration;

use http::HeaderValue;

use crate::auth::{
    Auth, ClientCredentials, LOGOFF, LoginCredentials, MfaHandler, OAuthCredentials, SignIn,
    UserLogin, VaultAuthMethod, VaultCredentials, VaultLogon,
};
use crate::call::Inner;
use crate::error::Error;
use crate::limit::Limits;
use crate::operation::{self, Request};
use crate::paging::{ItemStream, PagedRequest};
use crate::retry::{DEFAULT_RETRY_QUOTA, RetryPolicy};
use crate::secret::Secret;
use crate::send::{Sender, SenderConfig};
use crate::tenant::parse_tenant_url;
use crate::transport::{ReqwestTransport, Transport};

/// The per-request timeout used when the builder sets none.
const DEFAULT_TIMEOUT: Duration = Duration::from_secs(60);

/// A connection to one tenant. Cheap to clone: clones share the connection pool, the token and
/// the limits.
#[derive(Clone)]
pub struct Client {
    pub(crate) inner: Arc<Inner>,
}

impl fmt::Debug for Client {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Client")
            .field("tenant_url", &self.tenant_url().as_str())
            .finish_non_exhaustive()
    }
}

impl Client {
    /// Starts configuring a client for `tenant`, e.g. `abc1234.id.cyberark.cloud`.
    pub fn builder(tenant: impl Into<String>) -> ClientBuilder<Client> {
        ClientBuilder::new(tenant)
    }

    /// Sends one request and returns its output, or the error that stopped it.
    pub async fn send<R: Request>(&self, request: &R) -> Result<R::Output, Error> {
        let encoded = operation::encode(request)?;
        self.inner.send_encoded(&encoded).await
    }

    /// Streams the items of a pageable list, fetching `page_size` items per request, one page at
    /// a time.
    pub fn paginate<R: PagedRequest>(&self, request: R, page_size: u32) -> ItemStream<R::Item> {
        let client = self.clone();
        ItemStream::new(R::OPERATION.id, R::STYLE, page_size, move |cursor| {
            let client = client.clone();
            let mut request = request.clone();
            request.set_page(cursor);
            Box::pin(async move { client.send(&request).await.map(R::into_page) })
        })
    }

    /// Ends the Vault session opened by [`ClientBuilder::vault_logon`] (`POST /API/Auth/Logoff`)
    /// and forgets its token; a later call logs on again. Without an open session it sends
    /// nothing, and a Vault that already ended the session (401) is not an error. A client built
    /// with other credentials gets [`Error::Config`]: there is no Vault session to end.
    pub async fn logoff(&self) -> Result<(), Error> {
        let Some(token) = self.inner.auth.end_session()? else {
            return Ok(());
        };
        let encoded = operation::Encoder::new(&LOGOFF).finish()?;
        let call = async {
            let mut state = self.inner.sender.retry_state(self.inner.deadline);
            let base = self.inner.base_url();
            let response = self
                .inner
                .sender
                .execute(&encoded, &base, token.credential.clone(), &mut state)
                .await?;
            if response.status == 401 {
                return Ok(());
            }
            crate::answer::decode::<serde_json::Value>(
                &LOGOFF,
                crate::answer::Answer::Json,
                response.status,
                &response.body,
            )
            .map(drop)
        };
        self.inner.finish(LOGOFF.id, call).await
    }

    /// The tenant URL calls go to (after a `PodFqdn` redirect during sign-in, the pod it named).
    pub fn tenant_url(&self) -> url::Url {
        self.inner.base_url()
    }
}

/// Which credential setter was called, for the conflict check in `build`.
#[derive(Clone)]
enum CredentialChoice {
    Bearer(Secret),
    ClientCredentials(String, Secret),
    OAuthApp(String, String, Secret),
    UserLogin(String, Secret),
    VaultLogon(VaultAuthMethod, String, Secret),
}

impl CredentialChoice {
    fn name(&self) -> &'static str {
        match self {
            CredentialChoice::Bearer(_) => "bearer_token",
            CredentialChoice::ClientCredentials(..) => "client_credentials",
            CredentialChoice::OAuthApp(..) => "oauth_app",
            CredentialChoice::UserLogin(..) => "user_login",
            CredentialChoice::VaultLogon(..) => "vault_logon",
        }
    }
}

/// Configures a [`Client`].
///
/// Generic over the client type it builds so that generated crates can wrap `Client`
/// (`C: From<Client>`) and still offer `MyClient::builder(…).build()`.
pub struct ClientBuilder<C = Client> {
    tenant: String,
    credentials: Vec<CredentialChoice>,
    scope: Option<String>,
    mfa: Option<Arc<dyn MfaHandler>>,
    retry: RetryPolicy,
    timeout: Option<Duration>,
    deadline: Option<Duration>,
    rate_limit: Option<f64>,
    max_in_flight: Option<usize>,
    max_response_bytes: usize,
    retry_quota: Option<u32>,
    sign_in_hosts: Vec<String>,
    concurrent_session: Option<bool>,
    user_agent_suffix: Option<String>,
    transport: Option<Arc<dyn Transport>>,
    _client: PhantomData<fn() -> C>,
}

impl<C> fmt::Debug for ClientBuilder<C> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let credentials: Vec<&str> = self
            .credentials
            .iter()
            .map(CredentialChoice::name)
            .collect();
        f.debug_struct("ClientBuilder")
            .field("tenant", &self.tenant)
            .field("credentials", &credentials)
            .field("retry", &self.retry)
            .field("timeout", &self.timeout)
            .field("deadline", &self.deadline)
            .finish_non_exhaustive()
    }
}

impl<C: From<Client>> ClientBuilder<C> {
    /// Starts configuring a client for `tenant`.
    pub fn new(tenant: impl Into<String>) -> Self {
        ClientBuilder {
            tenant: tenant.into(),
            credentials: Vec::new(),
            scope: None,
            mfa: None,
            retry: RetryPolicy::default(),
            timeout: Some(DEFAULT_TIMEOUT),
            deadline: None,
            rate_limit: None,
            max_in_flight: None,
            max_response_bytes: crate::bounds::DEFAULT_MAX_RESPONSE_BYTES,
            retry_quota: Some(DEFAULT_RETRY_QUOTA),
            sign_in_hosts: Vec::new(),
            concurrent_session: None,
            user_agent_suffix: None,
            transport: None,
            _client: PhantomData,
        }
    }

    /// Sends this fixed token. It cannot be refreshed, so a 401 fails the call.
    pub fn bearer_token(mut self, token: impl Into<Secret>) -> Self {
        self.credentials
            .push(CredentialChoice::Bearer(token.into()));
        self
    }

    /// Fetches tokens from `/oauth2/platformtoken` with a service user's name and password.
    pub fn client_credentials(
        mut self,
        client_id: impl Into<String>,
        client_secret: impl Into<Secret>,
    ) -> Self {
        self.credentials.push(CredentialChoice::ClientCredentials(
            client_id.into(),
            client_secret.into(),
        ));
        self
    }

    /// Fetches tokens from `/oauth2/token/{app_id}` of an OAuth2 client app, authenticating with
    /// HTTP Basic.
    pub fn oauth_app(
        mut self,
        app_id: impl Into<String>,
        client_id: impl Into<String>,
        client_secret: impl Into<Secret>,
    ) -> Self {
        self.credentials.push(CredentialChoice::OAuthApp(
            app_id.into(),
            client_id.into(),
            client_secret.into(),
        ));
        self
    }

    /// The `scope` sent with client credentials (`all`, `api`, or an app's scope).
    pub fn scope(mut self, scope: impl Into<String>) -> Self {
        self.scope = Some(scope.into());
        self
    }

    /// Logs in as a user through `StartAuthentication` / `AdvanceAuthentication`.
    pub fn user_login(mut self, username: impl Into<String>, password: impl Into<Secret>) -> Self {
        self.credentials.push(CredentialChoice::UserLogin(
            username.into(),
            password.into(),
        ));
        self
    }

    /// Logs on to the Vault (PAM Self-Hosted) with `POST /API/Auth/{method}/Logon` and sends the
    /// session token it answers as `Authorization`, without `Bearer`. A 401 logs on again once;
    /// [`Client::logoff`] ends the session. The tenant URL is the PVWA's, e.g.
    /// `https://pvwa.example.com/PasswordVault`.
    pub fn vault_logon(
        mut self,
        method: VaultAuthMethod,
        username: impl Into<String>,
        password: impl Into<Secret>,
    ) -> Self {
        self.credentials.push(CredentialChoice::VaultLogon(
            method,
            username.into(),
            password.into(),
        ));
        self
    }

    /// Sends `concurrentSession` with a Vault logon: `true` lets the user hold several
    /// sessions at once (up to 300), so this client does not end the session of another. The
    /// Vault's default is `false`.
    pub fn concurrent_session(mut self, concurrent: bool) -> Self {
        self.concurrent_session = Some(concurrent);
        self
    }

    /// Answers the factors after the password during a user login.
    pub fn mfa_handler(mut self, handler: impl MfaHandler + 'static) -> Self {
        self.mfa = Some(Arc::new(handler));
        self
    }

    /// How failed attempts are retried; [`RetryPolicy::default`] unless set.
    pub fn retry(mut self, policy: RetryPolicy) -> Self {
        self.retry = policy;
        self
    }

    /// The longest one attempt may take, answer body included (default 60 s).
    pub fn timeout(mut self, per_request: Duration) -> Self {
        self.timeout = Some(per_request);
        self
    }

    /// The longest one call may take, across all its attempts, waits and token fetches.
    ///
    /// A retry whose wait would end past the deadline is not attempted: the call fails at once
    /// with the last failure (for a 429, [`Error::RateLimited`] with the wait the tenant asked
    /// for). A sign-in the call was waiting for goes on in the background for the next call.
    pub fn deadline(mut self, overall: Duration) -> Self {
        self.deadline = Some(overall);
        self
    }

    /// Sends at most this many requests per second, spaced evenly (no bursts), token requests
    /// included. `build` refuses a rate that is not finite or is below one request a day.
    pub fn rate_limit(mut self, requests_per_second: f64) -> Self {
        self.rate_limit = Some(requests_per_second);
        self
    }

    /// Keeps at most `n` requests in flight at once; `build` refuses 0.
    pub fn max_in_flight(mut self, n: usize) -> Self {
        self.max_in_flight = Some(n);
        self
    }

    /// The size of the retry quota all calls of this client share (default 500).
    ///
    /// Each retry takes 5 from it (10 after a timeout or connection failure); a call that
    /// succeeds returns what its retries took, or 1 if it needed none. While the tenant keeps
    /// failing, the quota empties and calls stop retrying, so a client does not multiply the
    /// load of an outage. `None` turns the quota off: retries are then bounded by the
    /// [`RetryPolicy`] of each call alone.
    pub fn retry_quota(mut self, capacity: Option<u32>) -> Self {
        self.retry_quota = capacity;
        self
    }

    /// Lets a `PodFqdn` redirect during a user login go to `host` (exactly) or, written
    /// `*.example.com`, to any host under `example.com`.
    ///
    /// The password follows such a redirect, so by default it is followed only to https hosts
    /// under CyberArk's domains (`cyberark.cloud`, `idaptive.app`, `cyberark.com`) or to the
    /// tenant's own host.
    pub fn allow_sign_in_host(mut self, host: impl Into<String>) -> Self {
        self.sign_in_hosts.push(host.into());
        self
    }

    /// The largest answer body the client reads, in bytes (default
    /// [`DEFAULT_MAX_RESPONSE_BYTES`](crate::DEFAULT_MAX_RESPONSE_BYTES), 64 MiB). Past it the
    /// client stops reading, drops the connection and fails the call with
    /// [`Error::Decode`](crate::Error::Decode).
    pub fn max_response_bytes(mut self, limit: usize) -> Self {
        self.max_response_bytes = limit;
        self
    }

    /// Appends text to the `User-Agent`, e.g. `python/3.12` for the Python package.
    pub fn user_agent_suffix(mut self, suffix: impl Into<String>) -> Self {
        self.user_agent_suffix = Some(suffix.into());
        self
    }

    /// Replaces the HTTP transport; tests use it to script the tenant's answers.
    #[cfg(test)]
    pub(crate) fn transport(mut self, transport: Arc<dyn Transport>) -> Self {
        self.transport = Some(transport);
        self
    }

    /// Checks the configuration and builds the client.
    pub fn build(self) -> Result<C, Error> {
        let tenant = parse_tenant_url(&self.tenant)?;
        if self.credentials.len() > 1 {
            let names: Vec<&str> = self
                .credentials
                .iter()
                .map(CredentialChoice::name)
                .collect();
            return Err(Error::config(format!(
                "more than one kind of credentials was set ({}); choose one",
                names.join(", ")
            )));
        }
        let choice = self.credentials.into_iter().next();
        let choice_token = match &choice {
            Some(CredentialChoice::Bearer(token)) => Some(token.clone()),
            _ => None,
        };
        let is_oauth = matches!(
            choice,
            Some(CredentialChoice::ClientCredentials(..) | CredentialChoice::OAuthApp(..))
        );
        if self.scope.is_some() && !is_oauth {
            return Err(Error::config(
                "a scope was set, but it only applies to client_credentials or oauth_app",
            ));
        }
        let is_login = matches!(choice, Some(CredentialChoice::UserLogin(..)));
        if self.mfa.is_some() && !is_login {
            return Err(Error::config(
                "an MFA handler was set, but it only applies to user_login",
            ));
        }
        let is_vault = matches!(choice, Some(CredentialChoice::VaultLogon(..)));
        if self.concurrent_session.is_some() && !is_vault {
            return Err(Error::config(
                "concurrent_session was set, but it only applies to vault_logon",
            ));
        }
        if !self.sign_in_hosts.is_empty() && !is_login {
            return Err(Error::config(
                "allow_sign_in_host was set, but it only applies to user_login",
            ));
        }
        if let Some(host) = self
            .sign_in_hosts
            .iter()
            .find(|h| h.trim().is_empty() || h.contains(['/', ':', ' ']) || *h == "*.")
        {
            return Err(Error::config(format!(
                "allow_sign_in_host takes a host name such as `login.example.com` or `*.example.com`, not `{host}`"
            )));
        }
        let limits = Limits::new(self.rate_limit, self.max_in_flight)?;
        let mut user_agent = format!("cyberark-identity-rust/{}", env!("CARGO_PKG_VERSION"));
        if let Some(suffix) = self.user_agent_suffix.filter(|s| !s.trim().is_empty()) {
            user_agent.push(' ');
            user_agent.push_str(suffix.trim());
        }
        let user_agent = HeaderValue::from_str(&user_agent).map_err(|_| {
            Error::config("the user agent suffix contains characters not allowed in a header")
        })?;
        let transport: Arc<dyn Transport> = match self.transport {
            Some(transport) => transport,
            None => Arc::new(ReqwestTransport::new(self.max_response_bytes)?),
        };
        let sender = Arc::new(Sender::new(SenderConfig {
            tenant,
            transport,
            retry: self.retry,
            quota: self.retry_quota,
            timeout: self.timeout,
            limits,
            user_agent,
        }));
        let scheme: Option<Arc<dyn SignIn>> = match choice {
            None | Some(CredentialChoice::Bearer(_)) => None,
            Some(CredentialChoice::ClientCredentials(client_id, client_secret)) => {
                Some(Arc::new(ClientCredentials(OAuthCredentials {
                    app_id: None,
                    client_id,
                    client_secret,
                    scope: self.scope,
                })))
            }
            Some(CredentialChoice::OAuthApp(app_id, client_id, client_secret)) => {
                Some(Arc::new(ClientCredentials(OAuthCredentials {
                    app_id: Some(app_id),
                    client_id,
                    client_secret,
                    scope: self.scope,
                })))
            }
            Some(CredentialChoice::UserLogin(username, password)) => {
                Some(Arc::new(UserLogin(LoginCredentials {
                    username,
                    password,
                    mfa: self.mfa,
                    allowed_hosts: self.sign_in_hosts,
                })))
            }
            Some(CredentialChoice::VaultLogon(method, username, password)) => {
                Some(Arc::new(VaultLogon(VaultCredentials {
                    method,
                    username,
                    password,
                    concurrent_session: self.concurrent_session.unwrap_or(false),
                })))
            }
        };
        let auth = match (scheme, choice_token) {
            (Some(scheme), _) => Auth::session(scheme, sender.clone()),
            (None, Some(token)) => Auth::Fixed(token),
            (None, None) => Auth::None,
        };
        let inner = Inner {
            sender,
            auth,
            deadline: self.deadline,
        };
        Ok(C::from(Client {
            inner: Arc::new(inner),
        }))
    }
}
