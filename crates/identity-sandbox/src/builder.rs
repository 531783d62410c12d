//! Configuring and starting a sandbox.

pub use crate::app::Seed;
use crate::app::{App, Config};
use crate::faults::Faults;
use crate::handle::SandboxHandle;
use crate::log::RequestLog;
use crate::{seed, server};
use std::sync::{Arc, Mutex, RwLock};
use std::time::Duration;
use tokio::net::TcpListener;
use tokio::sync::watch;

/// The entry point: `Sandbox::builder().seed(Seed::Demo).start().await?`.
#[derive(Debug)]
pub struct Sandbox;

impl Sandbox {
    /// A builder with the defaults: empty seed, 1 h tokens, ephemeral port, OTP `123456`.
    pub fn builder() -> SandboxBuilder {
        SandboxBuilder::default()
    }
}

/// Configures a sandbox before it starts.
#[derive(Debug, Clone)]
pub struct SandboxBuilder {
    seed: Seed,
    token_ttl: Duration,
    port: u16,
    otp_code: String,
    cpm_delay: Duration,
    tls: bool,
    discovery: bool,
    vault_bulk: crate::vault::seed::Bulk,
}

impl Default for SandboxBuilder {
    fn default() -> Self {
        Self {
            seed: Seed::Empty,
            token_ttl: Duration::from_secs(3600),
            port: 0,
            otp_code: "123456".to_owned(),
            cpm_delay: Duration::from_millis(300),
            tls: false,
            discovery: false,
            vault_bulk: crate::vault::seed::Bulk::default(),
        }
    }
}

impl SandboxBuilder {
    /// The initial data (default [`Seed::Empty`]).
    pub fn seed(mut self, seed: Seed) -> Self {
        self.seed = seed;
        self
    }

    /// Lifetime of issued tokens (default one hour).
    pub fn token_ttl(mut self, ttl: Duration) -> Self {
        self.token_ttl = ttl;
        self
    }

    /// Port on 127.0.0.1 (default 0: an ephemeral port).
    pub fn port(mut self, port: u16) -> Self {
        self.port = port;
        self
    }

    /// The code the EMAIL mechanism accepts (default `123456`).
    pub fn otp_code(mut self, code: impl Into<String>) -> Self {
        self.otp_code = code.into();
        self
    }

    /// How long the Vault's CPM takes to change, verify or reconcile a password (default
    /// 300 ms); until then the account's `secretManagement.status` is `inProcess`.
    pub fn cpm_delay(mut self, delay: Duration) -> Self {
        self.cpm_delay = delay;
        self
    }

    /// Serve https with a certificate generated at start (default: plain http). The handle's
    /// [`SandboxHandle::ca_pem`] is the certificate a client must trust.
    pub fn tls(mut self, tls: bool) -> Self {
        self.tls = tls;
        self
    }

    /// Also play CyberArk's discovery pod (`pod0`) on a second port of 127.0.0.1 (default: no).
    /// StartAuthentication there answers a login of this tenant (`name@sandbox.example`, or
    /// just `@sandbox.example`) with `PodFqdn` naming the main port, as a real `pod0` names the
    /// tenant's pod; [`SandboxHandle::discovery_url`] is its URL.
    pub fn discovery(mut self, discovery: bool) -> Self {
        self.discovery = discovery;
        self
    }

    /// Adds `count` synthetic accounts in a safe of their own (`Bulk-Accounts`) on top of the
    /// seed, for measuring `nextLink` paging at scale (default none). The demo data is unchanged.
    pub fn vault_accounts(mut self, count: usize) -> Self {
        self.vault_bulk.accounts = count;
        self
    }

    /// Adds one ended PSM session (id `98_1`) whose recording is `bytes` long, for measuring
    /// a large download (default none). The recording's bytes are produced when it is played.
    pub fn vault_recording(mut self, bytes: usize) -> Self {
        self.vault_bulk.recording_bytes = Some(bytes);
        self
    }

    /// Binds 127.0.0.1 and starts serving on the current tokio runtime.
    pub async fn start(self) -> std::io::Result<SandboxHandle> {
        let tls = if self.tls {
            Some(crate::tls::self_signed().map_err(std::io::Error::other)?)
        } else {
            None
        };
        let listener = TcpListener::bind(("127.0.0.1", self.port)).await?;
        let addr = listener.local_addr()?;
        let config = Config {
            token_ttl: self.token_ttl,
            otp_code: self.otp_code,
            client_id: seed::CLIENT_ID.to_owned(),
            client_secret: seed::CLIENT_SECRET.to_owned(),
            app_id: seed::APP_ID.to_owned(),
            admin_username: seed::ADMIN_USERNAME.to_owned(),
            admin_password: seed::ADMIN_PASSWORD.to_owned(),
            mfa_username: seed::MFA_USERNAME.to_owned(),
            mfa_password: seed::MFA_PASSWORD.to_owned(),
        };
        let tenant = seed::tenant(self.seed);
        // Identity users that administer the Vault when they call it with a platform token,
        // as on a Privilege Cloud tenant.
        let mut vault = crate::vault::seed::vault(
            self.seed,
            self.cpm_delay,
            &[seed::ADMIN_USERNAME, seed::CLIENT_ID],
        );
        crate::vault::seed::bulk(&mut vault, &self.vault_bulk);
        let app = Arc::new(App {
            config,
            tenant: RwLock::new(tenant),
            auth: Mutex::new(Default::default()),
            faults: Faults::default(),
            log: RequestLog::default(),
            vault: Mutex::new(vault),
            pods: Default::default(),
        });
        let (stop_tx, stop_rx) = watch::channel(false);
        let scheme = if tls.is_some() { "https" } else { "http" };
        let ca_pem = tls.as_ref().map(|t| t.ca_pem.clone());
        if self.discovery {
            let pod0 = TcpListener::bind(("127.0.0.1", 0)).await?;
            let pods = crate::routes::discovery::Pods {
                discovery: pod0.local_addr()?.to_string(),
                tenant: addr.to_string(),
            };
            let _ = app.pods.set(pods);
            // The same tenant behind a second port; it stops with the main listener.
            tokio::spawn(server::serve(
                pod0,
                app.clone(),
                stop_rx.clone(),
                tls.clone(),
            ));
        }
        let task = tokio::spawn(server::serve(listener, app.clone(), stop_rx, tls));
        Ok(SandboxHandle::new(
            app,
            format!("{scheme}://{addr}"),
            ca_pem,
            stop_tx,
            task,
        ))
    }
}
