//! Building the Rust client from the keyword arguments of `Client(...)` and `AsyncClient(...)`,
//! checking every option (the `mfa` callback's bridge is in [`crate::mfa`]): the Identity
//! sign-in here, the Vault's in [`crate::vault`], and the options every API shares
//! ([`common_options`]) here.

use std::sync::Arc;
use std::time::Duration;

use cyberark_identity::Client;
use cyberark_runtime::{ClientBuilder, Error, RetryPolicy, Secret};
use pyo3::exceptions::PyTypeError;
use pyo3::prelude::*;
use pyo3::types::PyDict;

use crate::errors::{invalid_request, to_py_err};
use crate::lifecycle::tokio;
use crate::mfa::CallbackSlot;
use crate::runtime::FromPy;

/// The keyword arguments an Identity `Client` and `AsyncClient` take besides
/// [`COMMON_OPTIONS`], in the order the stubs list them.
pub const OPTIONS: &[&str] = &[
    "client_id",
    "client_secret",
    "app_id",
    "scope",
    "token",
    "username",
    "password",
    "mfa",
    "allow_sign_in_host",
];

/// The keyword arguments every API's `Client` takes, in the order the stubs list them.
pub const COMMON_OPTIONS: &[&str] = &[
    "max_attempts",
    "timeout",
    "deadline",
    "rate_limit",
    "max_in_flight",
    "max_response_bytes",
    "retry_quota",
];

/// A client as one API's sign-in built it.
pub struct Built {
    /// The runtime client, the same type for every API.
    pub client: cyberark_runtime::Client,
    /// Whether closing the Python client ends a session it opened (a Vault logon) by logging
    /// off, so sessions do not pile up against the user's limit.
    pub logs_off: bool,
}

/// The slowest `rate_limit` accepted: one call a day.
const MIN_RATE: f64 = 1.0 / 86_400.0;

/// The User-Agent suffix that tells the tenant's logs a call came through the Python package.
const USER_AGENT_SUFFIX: &str = "python";

/// How one API's client is built from `Client(tenant, **options)` and the `mfa` callback (taken
/// out of the options): each API with a Python layer names one such function through its
/// `sign_in` in `spec/specs.yaml`. The handle keeps the runtime client underneath, which is the
/// same type for every API.
pub type Build =
    fn(&str, Option<&Bound<'_, PyDict>>, Option<&Arc<CallbackSlot>>) -> PyResult<Built>;

/// The Identity sign-in ([`build`]), as the runtime client every handle holds.
pub fn identity(
    tenant: &str,
    options: Option<&Bound<'_, PyDict>>,
    mfa: Option<&Arc<CallbackSlot>>,
) -> PyResult<Built> {
    build(tenant, options, mfa).map(|client| Built {
        client: client.runtime().clone(),
        logs_off: false,
    })
}

/// Refuses a keyword argument that is neither one of `sign_in` nor a common option.
pub fn check_keywords(options: Option<&Bound<'_, PyDict>>, sign_in: &[&str]) -> PyResult<()> {
    if let Some(dict) = options {
        for key in dict.keys() {
            let key: String = key.extract()?;
            if !sign_in.contains(&key.as_str()) && !COMMON_OPTIONS.contains(&key.as_str()) {
                return Err(PyTypeError::new_err(format!(
                    "Client() got an unexpected keyword argument {key:?}"
                )));
            }
        }
    }
    Ok(())
}

/// A keyword argument, `None` when absent or given as `None`.
pub fn get<'py>(
    options: Option<&Bound<'py, PyDict>>,
    key: &str,
) -> PyResult<Option<Bound<'py, PyAny>>> {
    match options {
        Some(dict) => Ok(dict.get_item(key)?.filter(|v| !v.is_none())),
        None => Ok(None),
    }
}

/// A keyword argument that must be a string, if given.
pub fn string(options: Option<&Bound<'_, PyDict>>, key: &str) -> PyResult<Option<String>> {
    get(options, key)?
        .map(|v| String::from_py(&v, key))
        .transpose()
}

/// Builds a client from a tenant and the constructor's keyword arguments.
///
/// Credentials mirror the Rust builder: `client_id` + `client_secret` (with `app_id` for
/// `/oauth2/token/{app_id}`), `token`, or `username` + `password` (with an optional `mfa`
/// callback, taken out of `options` into `mfa` by the caller). Durations are seconds as `float`.
pub fn build(
    tenant: &str,
    options: Option<&Bound<'_, PyDict>>,
    mfa: Option<&Arc<CallbackSlot>>,
) -> PyResult<Client> {
    check_keywords(options, OPTIONS)?;
    let string = |key: &str| string(options, key);

    let mut builder = Client::builder(tenant).user_agent_suffix(USER_AGENT_SUFFIX);
    let (client_id, client_secret, app_id) = (
        string("client_id")?,
        string("client_secret")?,
        string("app_id")?,
    );
    match (client_id, client_secret, app_id) {
        (Some(id), Some(secret), None) => {
            builder = builder.client_credentials(id, Secret::from(secret))
        }
        (Some(id), Some(secret), Some(app)) => {
            builder = builder.oauth_app(app, id, Secret::from(secret))
        }
        (None, None, None) => {}
        _ => {
            return Err(config(
                "client_id and client_secret go together (app_id needs both)",
            ));
        }
    }
    if let Some(scope) = string("scope")? {
        builder = builder.scope(scope);
    }
    if let Some(token) = string("token")? {
        builder = builder.bearer_token(Secret::from(token));
    }
    match (string("username")?, string("password")?) {
        (Some(user), Some(password)) => builder = builder.user_login(user, Secret::from(password)),
        (None, None) => {}
        _ => return Err(config("username and password go together")),
    }
    if let Some(slot) = mfa {
        builder = builder.mfa_handler(slot.handler());
    }
    builder = common_options(builder, options)?;
    if let Some(hosts) = get(options, "allow_sign_in_host")?
        .map(|v| Vec::<String>::from_py(&v, "allow_sign_in_host"))
        .transpose()?
    {
        // The builder checks each pattern and that a user login is configured.
        for host in hosts {
            builder = builder.allow_sign_in_host(host);
        }
    }
    // The HTTP client may spawn onto the ambient runtime, so build inside the shared one.
    let _guard = tokio().enter();
    builder.build().map_err(to_py_err)
}

/// Applies the options every API's `Client` takes (retries, timeouts, limits) to `builder`.
pub fn common_options<C: From<cyberark_runtime::Client>>(
    mut builder: ClientBuilder<C>,
    options: Option<&Bound<'_, PyDict>>,
) -> PyResult<ClientBuilder<C>> {
    let get = |key: &str| get(options, key);
    let seconds = |key: &str| -> PyResult<Option<Duration>> {
        let Some(value) = get(key)?.map(|v| f64::from_py(&v, key)).transpose()? else {
            return Ok(None);
        };
        Duration::try_from_secs_f64(value).map(Some).map_err(|_| {
            invalid_request(format!(
                "argument `{key}`: {value} is not a number of seconds"
            ))
        })
    };
    if let Some(attempts) = get("max_attempts")?
        .map(|v| i64::from_py(&v, "max_attempts"))
        .transpose()?
    {
        let attempts = u32::try_from(attempts)
            .ok()
            .filter(|n| *n >= 1)
            .ok_or_else(|| {
                invalid_request(format!(
                    "argument `max_attempts`: {attempts} is not at least 1"
                ))
            })?;
        builder = builder.retry(RetryPolicy {
            max_attempts: attempts,
            ..RetryPolicy::default()
        });
    }
    if let Some(timeout) = seconds("timeout")? {
        builder = builder.timeout(timeout);
    }
    if let Some(deadline) = seconds("deadline")? {
        builder = builder.deadline(deadline);
    }
    if let Some(rate) = get("rate_limit")?
        .map(|v| f64::from_py(&v, "rate_limit"))
        .transpose()?
    {
        // The Rust builder reads a rate that is not a positive number as "no limit"; from
        // Python that is a mistake to report. A rate slower than one call a day is one too.
        if !(rate.is_finite() && rate >= MIN_RATE) {
            return Err(invalid_request(format!(
                "argument `rate_limit`: {rate} is not a number of calls per second of at least {MIN_RATE:e} (one a day)"
            )));
        }
        builder = builder.rate_limit(rate);
    }
    if let Some(n) = get("max_in_flight")?
        .map(|v| i64::from_py(&v, "max_in_flight"))
        .transpose()?
    {
        let n = usize::try_from(n).ok().filter(|n| *n >= 1).ok_or_else(|| {
            invalid_request(format!("argument `max_in_flight`: {n} is not at least 1"))
        })?;
        builder = builder.max_in_flight(n);
    }
    if let Some(n) = get("max_response_bytes")?
        .map(|v| i64::from_py(&v, "max_response_bytes"))
        .transpose()?
    {
        let n = usize::try_from(n).ok().filter(|n| *n >= 1).ok_or_else(|| {
            invalid_request(format!(
                "argument `max_response_bytes`: {n} is not at least 1"
            ))
        })?;
        builder = builder.max_response_bytes(n);
    }
    // Unlike the other options, `retry_quota=None` is not "the default": it turns the quota off,
    // as `retry_quota(None)` does in Rust. Leaving the keyword out keeps the default quota.
    if let Some(quota) = options
        .map(|dict| dict.get_item("retry_quota"))
        .transpose()?
        .flatten()
    {
        let capacity = if quota.is_none() {
            None
        } else {
            let n = i64::from_py(&quota, "retry_quota")?;
            Some(u32::try_from(n).map_err(|_| {
                invalid_request(format!(
                    "argument `retry_quota`: {n} is not between 0 and {}",
                    u32::MAX
                ))
            })?)
        };
        builder = builder.retry_quota(capacity);
    }
    Ok(builder)
}

/// A configuration error (`ConfigurationError`) saying `message`.
pub fn config(message: &str) -> PyErr {
    to_py_err(Error::Config {
        message: message.to_owned(),
    })
}
