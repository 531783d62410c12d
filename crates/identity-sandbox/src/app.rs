//! The shared state behind every request: configuration, tenant data, tokens, faults, log.

use crate::auth::AuthState;
use crate::faults::Faults;
use crate::log::RequestLog;
use crate::state::Tenant;
use std::sync::{Mutex, RwLock, RwLockReadGuard, RwLockWriteGuard};
use std::time::Duration;

/// The data a sandbox starts with.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum Seed {
    /// Only the accounts needed to sign in (admin, MFA user, OAuth client).
    #[default]
    Empty,
    /// A small company: a dozen users (some with risk level `High`, a management chain), an
    /// organization, extensible attribute columns with values, roles and SCIM groups.
    Demo,
}

/// Fixed credentials and settings of one sandbox.
#[derive(Debug, Clone)]
pub struct Config {
    /// Lifetime of issued tokens.
    pub token_ttl: Duration,
    /// The OTP every EMAIL mechanism accepts.
    pub otp_code: String,
    /// Confidential client login name.
    pub client_id: String,
    /// Confidential client password.
    pub client_secret: String,
    /// Application id accepted by `/oauth2/token/{app_id}`.
    pub app_id: String,
    /// Password-only user.
    pub admin_username: String,
    /// Its password.
    pub admin_password: String,
    /// Password + OTP user.
    pub mfa_username: String,
    /// Its password.
    pub mfa_password: String,
}

/// Everything a request handler can reach.
#[derive(Debug)]
pub struct App {
    /// Settings.
    pub config: Config,
    /// Tenant data. A std lock: it is never held across an await.
    pub tenant: RwLock<Tenant>,
    /// Tokens and login sessions.
    pub auth: Mutex<AuthState>,
    /// Injected faults.
    pub faults: Faults,
    /// Request log.
    pub log: RequestLog,
    /// The Vault's data (`/PasswordVault/`). A std lock: it is never held across an await.
    pub vault: Mutex<crate::vault::state::Vault>,
    /// The discovery pod and the tenant's pod, when the sandbox plays both
    /// ([`crate::SandboxBuilder::discovery`]).
    pub pods: std::sync::OnceLock<crate::routes::discovery::Pods>,
}

impl App {
    /// Reads the tenant, recovering from a poisoned lock (no handler panics by design, and the
    /// data stays consistent because writes are complete before a guard drops).
    pub fn read(&self) -> RwLockReadGuard<'_, Tenant> {
        self.tenant.read().unwrap_or_else(|e| e.into_inner())
    }

    /// Writes the tenant.
    pub fn write(&self) -> RwLockWriteGuard<'_, Tenant> {
        self.tenant.write().unwrap_or_else(|e| e.into_inner())
    }

    /// Locks the Vault, first completing the CPM tasks whose time has come.
    pub fn vault(&self) -> std::sync::MutexGuard<'_, crate::vault::state::Vault> {
        let mut vault = crate::faults::lock(&self.vault);
        vault.settle();
        vault
    }

    /// Locks the auth state.
    pub fn auth(&self) -> std::sync::MutexGuard<'_, AuthState> {
        crate::faults::lock(&self.auth)
    }
}
