//! Building the Rust client from the keyword arguments of `Client(...)` and `AsyncClient(...)`,
//! and the bridge that lets a Python callable answer MFA challenges.

use std::sync::Arc;
use std::time::Duration;

use cyberark_identity::Client;
use cyberark_runtime::{Error, MfaAnswer, MfaChallenge, MfaHandler, RetryPolicy, Secret};
use futures::future::BoxFuture;
use pyo3::exceptions::PyTypeError;
use pyo3::prelude::*;
use pyo3::types::PyDict;

use crate::errors::{invalid_request, to_py_err};
use crate::runtime::{FromPy, tokio};

/// The keyword arguments `Client` and `AsyncClient` take, in the order the stubs list them.
pub const OPTIONS: &[&str] = &[
    "client_id",
    "client_secret",
    "app_id",
    "scope",
    "token",
    "username",
    "password",
    "mfa",
    "max_attempts",
    "timeout",
    "deadline",
    "rate_limit",
    "max_in_flight",
    "max_response_bytes",
];

/// The User-Agent suffix that tells the tenant's logs a call came through the Python package.
const USER_AGENT_SUFFIX: &str = "python";

/// Builds a client from a tenant and the constructor's keyword arguments.
///
/// Credentials mirror the Rust builder: `client_id` + `client_secret` (with `app_id` for
/// `/oauth2/token/{app_id}`), `token`, or `username` + `password` (with an optional `mfa`
/// callback). Durations are seconds as `float`.
pub fn build(tenant: &str, options: Option<&Bound<'_, PyDict>>) -> PyResult<Client> {
    let get = |key: &str| -> PyResult<Option<Bound<'_, PyAny>>> {
        match options {
            Some(dict) => Ok(dict.get_item(key)?.filter(|v| !v.is_none())),
            None => Ok(None),
        }
    };
    if let Some(dict) = options {
        for key in dict.keys() {
            let key: String = key.extract()?;
            if !OPTIONS.contains(&key.as_str()) {
                return Err(PyTypeError::new_err(format!(
                    "Client() got an unexpected keyword argument {key:?}"
                )));
            }
        }
    }
    let string = |key: &str| -> PyResult<Option<String>> {
        get(key)?.map(|v| String::from_py(&v, key)).transpose()
    };
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
    if let Some(callback) = get("mfa")? {
        if !callback.is_callable() {
            return Err(invalid_request(
                "argument `mfa`: expected a callable".to_owned(),
            ));
        }
        builder = builder.mfa_handler(PyMfaHandler {
            callback: Arc::new(callback.unbind()),
        });
    }
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
    // The HTTP client may spawn onto the ambient runtime, so build inside the shared one.
    let _guard = tokio().enter();
    builder.build().map_err(to_py_err)
}

fn config(message: &str) -> PyErr {
    to_py_err(Error::Config {
        message: message.to_owned(),
    })
}

/// One MFA mechanism the tenant offers, as shown to the `mfa` callback.
#[pyclass(frozen, module = "cyberark_identity._native", name = "MfaChallenge")]
pub struct PyMfaChallenge(MfaChallenge);

#[pymethods]
impl PyMfaChallenge {
    /// The mechanism's name: `OTP`, `EMAIL`, `SMS`, `OATH`, `SQ`, `U2F`, `PF`, …
    #[getter]
    fn mechanism(&self) -> &str {
        &self.0.mechanism
    }

    /// The mechanism's `AnswerType`: `Text`, `StartTextOob`, `StartOob`, …
    #[getter]
    fn answer_type(&self) -> &str {
        &self.0.answer_type
    }

    /// The text to show the user.
    #[getter]
    fn prompt(&self) -> &str {
        &self.0.prompt
    }

    /// The mechanism's `MechanismId`.
    #[getter]
    fn mechanism_id(&self) -> &str {
        &self.0.mechanism_id
    }

    /// The user logging in.
    #[getter]
    fn user(&self) -> &str {
        &self.0.user
    }

    /// Whether the mechanism is out of band, so the callback may return `None` to wait.
    #[getter]
    fn can_poll(&self) -> bool {
        self.0.can_poll()
    }

    fn __repr__(&self) -> String {
        format!(
            "MfaChallenge(mechanism={:?}, answer_type={:?}, user={:?})",
            self.0.mechanism, self.0.answer_type, self.0.user
        )
    }
}

/// Answers MFA challenges by calling a Python callable: a `str` is the code, `None` waits for an
/// out-of-band approval, an exception cancels the login.
struct PyMfaHandler {
    callback: Arc<Py<PyAny>>,
}

impl MfaHandler for PyMfaHandler {
    fn answer<'a>(
        &'a self,
        challenge: &'a MfaChallenge,
    ) -> BoxFuture<'a, Result<MfaAnswer, Error>> {
        let callback = Arc::clone(&self.callback);
        let challenge = challenge.clone();
        Box::pin(async move {
            // The callback may block (it may prompt a user), so it runs off the async workers.
            let answer = tokio::task::spawn_blocking(move || {
                Python::attach(|py| -> PyResult<Option<String>> {
                    let result = callback.call1(py, (PyMfaChallenge(challenge),))?;
                    result.extract::<Option<String>>(py)
                })
            })
            .await;
            Ok(match answer {
                Ok(Ok(Some(code))) => MfaAnswer::Text(Secret::from(code)),
                Ok(Ok(None)) => MfaAnswer::Poll,
                Ok(Err(error)) => {
                    tracing::warn!(target: "cyberark_runtime", "the mfa callback failed, cancelling the login: {error}");
                    MfaAnswer::Cancel
                }
                Err(_) => MfaAnswer::Cancel,
            })
        })
    }
}
