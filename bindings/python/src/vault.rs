//! The sign-in of `cyberark_vault.Client(...)` and `AsyncClient(...)`: a Vault logon
//! (`username`, `password`, `method`, `concurrent_session`) on PAM Self-Hosted, or a `token`
//! (the Identity platform token) on Privilege Cloud. The other options are those of every API
//! ([`crate::client::common_options`]).

use std::sync::Arc;

use cyberark_runtime::{Secret, VaultAuthMethod};
use pyo3::prelude::*;
use pyo3::types::PyDict;

use crate::client::{Built, check_keywords, common_options, config, get, string};
use crate::errors::{invalid_request, to_py_err};
use crate::lifecycle::tokio;
use crate::mfa::CallbackSlot;
use crate::runtime::FromPy;

/// The sign-in keywords of a Vault `Client`, in the order the stubs list them.
pub const SIGN_IN: &[&str] = &[
    "method",
    "username",
    "password",
    "token",
    "concurrent_session",
];

/// The User-Agent suffix that tells the Vault's logs a call came through the Python package.
const USER_AGENT_SUFFIX: &str = "python";

/// Builds a Vault client from the constructor's keyword arguments. A client that logged on
/// logs off when it is closed; one given a `token` has no session of its own to end.
pub fn build(
    tenant: &str,
    options: Option<&Bound<'_, PyDict>>,
    mfa: Option<&Arc<CallbackSlot>>,
) -> PyResult<Built> {
    // The Vault has no MFA callback; `mfa` is not among its keywords, so it cannot be set.
    debug_assert!(mfa.is_none());
    check_keywords(options, SIGN_IN)?;
    let method = string(options, "method")?
        .map(|m| parse_method(&m))
        .transpose()?;
    let mut builder = cyberark_vault::Client::builder(tenant).user_agent_suffix(USER_AGENT_SUFFIX);
    let credentials = (
        string(options, "username")?,
        string(options, "password")?,
        string(options, "token")?,
    );
    let logs_off = match credentials {
        (Some(username), Some(password), None) => {
            let method = method.unwrap_or(VaultAuthMethod::CyberArk);
            builder = builder.vault_logon(method, username, Secret::from(password));
            true
        }
        (None, None, Some(token)) => {
            if method.is_some() {
                return Err(config(
                    "method applies to a logon with username and password, not to token",
                ));
            }
            builder = builder.bearer_token(Secret::from(token));
            false
        }
        (None, None, None) => {
            if method.is_some() {
                return Err(config("method needs username and password"));
            }
            false
        }
        (_, _, Some(_)) => {
            return Err(config(
                "give either username and password (a Vault logon) or token (a platform token), not both",
            ));
        }
        _ => return Err(config("username and password go together")),
    };
    if let Some(concurrent) = get(options, "concurrent_session")?
        .map(|v| bool::from_py(&v, "concurrent_session"))
        .transpose()?
    {
        // The builder refuses it without a Vault logon.
        builder = builder.concurrent_session(concurrent);
    }
    builder = common_options(builder, options)?;
    // The HTTP client may spawn onto the ambient runtime, so build inside the shared one.
    let _guard = tokio().enter();
    let client = builder.build().map_err(to_py_err)?;
    Ok(Built {
        client: client.runtime().clone(),
        logs_off,
    })
}

/// The logon method as given (`CyberArk`, `LDAP`, `RADIUS`, in any case).
fn parse_method(text: &str) -> PyResult<VaultAuthMethod> {
    match text.to_ascii_lowercase().as_str() {
        "cyberark" => Ok(VaultAuthMethod::CyberArk),
        "ldap" => Ok(VaultAuthMethod::Ldap),
        "radius" => Ok(VaultAuthMethod::Radius),
        _ => Err(invalid_request(format!(
            "argument `method`: {text:?} is not a Vault logon method; expected CyberArk, LDAP or RADIUS"
        ))),
    }
}
