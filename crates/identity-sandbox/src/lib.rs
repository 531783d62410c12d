//! A local, stateful stand-in for a CyberArk Identity tenant, for tests and demos.
//!
//! The sandbox serves every operation of `spec/identity.yaml` on 127.0.0.1 with real
//! semantics over in-memory data: users created through SCIM or a CSV import can be read,
//! changed, locked and removed; organizations keep their members; tokens expire. Failures look
//! like a tenant's (`success: false` envelopes, RFC 7644 and RFC 6749 errors, `401 text/html`),
//! and faults (5xx, 429 with `Retry-After`, delays, dropped connections, truncated or malformed
//! bodies, held requests) can be injected per operation.
//!
//! ```no_run
//! # async fn demo() -> std::io::Result<()> {
//! use identity_sandbox::{Fault, Sandbox, Seed};
//! let sandbox = Sandbox::builder().seed(Seed::Demo).start().await?;
//! sandbox.faults().inject("Org_Create", Fault::Status(503), 1);
//! println!("{} {} {}", sandbox.url(), sandbox.client_id(), sandbox.client_secret());
//! sandbox.shutdown().await;
//! # Ok(()) }
//! ```
//!
//! The same process serves the Vault API of PAM Self-Hosted / Privilege Cloud
//! (`spec/vault.yaml`) under `/PasswordVault/`, as a PVWA does, so a PVWA tool works given only
//! the host and port ([`SandboxHandle::vault_url`]). Logon accepts the CyberArk, LDAP and RADIUS
//! methods ([`vault_credentials`]) and answers a session token for `Authorization` without
//! `Bearer`; the Identity platform token works as `Bearer`. Safe permissions are enforced per
//! member, CPM tasks finish after [`SandboxBuilder::cpm_delay`], and faults, holds and the request
//! log work by the Vault's operationIds ([`vault_operation_ids`]) exactly as for Identity.
//!
//! The same controls are available over HTTP under the reserved prefix `/__sandbox/` for
//! clients written in other languages (all JSON; none of them needs a token):
//!
//! | request | effect |
//! | --- | --- |
//! | `POST /__sandbox/faults` `{operation, fault: {kind, status, body, retry_after_seconds, retry_after_date, delay_ms}, times}` | inject a fault; `kind` is `status`, `rate_limited`, `delay`, `drop`, `truncated`, `malformed` or `answer` (this `status` and JSON `body`, with `Retry-After` if `retry_after_seconds` is given) |
//! | `DELETE /__sandbox/faults` | clear faults and release holds |
//! | `POST /__sandbox/hold` `{operation}` → `{hold_id}` | hold the next request of an operation |
//! | `GET /__sandbox/hold/{hold_id}` → `{arrived, released}` | poll a hold |
//! | `POST /__sandbox/release` `{hold_id}` | release it |
//! | `GET` / `DELETE /__sandbox/requests` | read / clear the request log |
//! | `POST /__sandbox/users` `{count}` | bulk-create synthetic users |
//! | `GET /__sandbox/invitations` | invitations sent |
//! | `GET /__sandbox/credentials` | the demo credentials |
//! | `POST /__sandbox/token` `{user}` → `{access_token}` | a token for any user, without logging in |
//! | `POST /__sandbox/oob/approve` `{user}` → `{approved}` | "click the link" of the e-mail a login of `user` started (`StartOOB`), so its next `Poll` succeeds |
//! | `POST /__sandbox/authorize` `{user, redirect_uri, code_challenge?}` → `{code}` | an authorization code, as the authorize endpoint gives after the user signed in |
//!
//! Sign-in works as CyberArk's SDKs expect of a tenant: paths match without regard to case and
//! also under the platform gateway's prefix `/api/idadmin`; the token endpoints take the client's
//! credentials as HTTP Basic or form fields; `/oauth2/token/{app_id}` also takes the
//! `authorization_code` (PKCE) and `refresh_token` grants; `PlatformTokenResponse: true` on
//! StartAuthentication yields a platform JWT (`tenant_id`, `subdomain`, `platform_domain`,
//! `unique_name`, `iat`) and a `RefreshToken`; the e-mail mechanism is `StartTextOob`; and
//! [`SandboxBuilder::discovery`] adds a `pod0` that answers `PodFqdn`.

//! Layout, with the arrows running one way: the shared core (`app` state and configuration,
//! `server`, `faults` and holds, `log`, `envelope::Reply`, `ids`) knows neither API's routes;
//! the Identity API is `routes/`, `state/`, `seed`, `auth`, `input` and `view`; the Vault is
//! `vault/` (its own state, seed, CPM and routes). `builder` and `handle` sit on top and wire
//! the two APIs into one process.

#![deny(missing_docs)]

mod app;
mod auth;
mod builder;
mod envelope;
mod faults;
mod handle;
mod ids;
mod input;
mod log;
mod redrock;
mod routes;
mod seed;
mod server;
mod state;
mod tls;
mod vault;
mod view;

pub use builder::{Sandbox, SandboxBuilder, Seed};
pub use faults::{Fault, Faults, Hold, Hostile, RetryAfter};
pub use handle::{Invitation, SandboxHandle};
pub use log::LoggedRequest;
pub use view::{
    ExtColumnView, OrgView, RoleView, ScimGroupView, ScimUserView, StateView, UserView,
};

/// The operationId of every Identity operation the sandbox serves (all 59 of `spec/identity.yaml`
/// and the 13 of Role Management, `spec/vendor/RoleManagement.yaml`), for
/// tests that check each one is exercised and for fault injection.
pub fn operation_ids() -> Vec<&'static str> {
    routes::operation_ids().collect()
}

/// The operationId of every Vault operation the sandbox serves (all 58 of `spec/vault.yaml`),
/// under `/PasswordVault/`.
pub fn vault_operation_ids() -> Vec<&'static str> {
    vault::operation_ids().collect()
}

/// The fixed Vault credentials (self-hosted Logon), also printed by the binary.
pub mod vault_credentials {
    pub use crate::vault::seed::{
        ADMIN_PASSWORD, ADMIN_USERNAME, AUDITOR_PASSWORD, AUDITOR_USERNAME, LDAP_PASSWORD,
        LDAP_USERNAME, RADIUS_PASSWORD, RADIUS_USERNAME,
    };
}

/// The fixed demo credentials, also printed by the binary.
pub mod credentials {
    pub use crate::seed::{
        ADMIN_PASSWORD, ADMIN_USERNAME, APP_ID, CLIENT_ID, CLIENT_SECRET, MFA_PASSWORD,
        MFA_USERNAME, SUFFIX, TENANT_ID,
    };
}
