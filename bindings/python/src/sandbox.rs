//! `cyberark_identity.testing.Sandbox`: the sandbox tenant, started in-process on 127.0.0.1 on
//! the shared tokio runtime, with its fault injection, holds and request log.

use std::sync::Mutex;
use std::time::Duration;

use identity_sandbox::{
    Fault, Hostile, RetryAfter, Sandbox, SandboxHandle, Seed, vault_credentials,
};
use pyo3::exceptions::{PyRuntimeError, PyValueError};
use pyo3::prelude::*;
use pyo3::types::PyTuple;

use crate::runtime::tokio;

/// Adds the sandbox classes to the module.
pub fn register(module: &Bound<'_, PyModule>) -> PyResult<()> {
    module.add_class::<PySandbox>()?;
    module.add_class::<PyHold>()?;
    module.add_class::<PyLoggedRequest>()?;
    Ok(())
}

/// The sandbox tenant, serving on 127.0.0.1 from this process until `shutdown()` (or the end
/// of a `with` block).
#[pyclass(frozen, module = "cyberark_identity._native", name = "Sandbox")]
pub struct PySandbox {
    handle: Mutex<Option<SandboxHandle>>,
}

impl PySandbox {
    /// Runs `f` on the running sandbox, or fails once it has been shut down.
    fn with<T>(&self, f: impl FnOnce(&SandboxHandle) -> T) -> PyResult<T> {
        let guard = self
            .handle
            .lock()
            .map_err(|_| PyRuntimeError::new_err("the sandbox is poisoned"))?;
        match guard.as_ref() {
            Some(handle) => Ok(f(handle)),
            None => Err(PyRuntimeError::new_err("the sandbox has been shut down")),
        }
    }
}

fn seconds(value: f64, name: &str) -> PyResult<Duration> {
    Duration::try_from_secs_f64(value)
        .map_err(|_| PyValueError::new_err(format!("{name}: {value} is not a number of seconds")))
}

#[pymethods]
impl PySandbox {
    /// Starts a sandbox; `seed` is `"demo"` (users, roles, an MFA user) or `"empty"`.
    #[new]
    #[pyo3(signature = (*, seed = "demo", token_ttl = None, port = 0, otp_code = None))]
    fn new(
        py: Python<'_>,
        seed: &str,
        token_ttl: Option<f64>,
        port: u16,
        otp_code: Option<String>,
    ) -> PyResult<Self> {
        let seed = match seed {
            "demo" => Seed::Demo,
            "empty" => Seed::Empty,
            other => {
                return Err(PyValueError::new_err(format!(
                    "seed must be \"demo\" or \"empty\", not {other:?}"
                )));
            }
        };
        let mut builder = Sandbox::builder().seed(seed).port(port);
        if let Some(ttl) = token_ttl {
            builder = builder.token_ttl(seconds(ttl, "token_ttl")?);
        }
        if let Some(code) = otp_code {
            builder = builder.otp_code(code);
        }
        let handle = py
            .detach(|| tokio().block_on(builder.start()))
            .map_err(|e| PyRuntimeError::new_err(format!("cannot start the sandbox: {e}")))?;
        Ok(PySandbox {
            handle: Mutex::new(Some(handle)),
        })
    }

    /// The base URL to give `Client`.
    #[getter]
    fn url(&self) -> PyResult<String> {
        self.with(|h| h.url())
    }

    /// The OAuth client id of the seeded confidential client.
    #[getter]
    fn client_id(&self) -> PyResult<String> {
        self.with(|h| h.client_id().to_owned())
    }

    /// The OAuth client secret of the seeded confidential client.
    #[getter]
    fn client_secret(&self) -> PyResult<String> {
        self.with(|h| h.client_secret().to_owned())
    }

    /// The application id for `/oauth2/token/{app_id}`.
    #[getter]
    fn app_id(&self) -> PyResult<String> {
        self.with(|h| h.app_id().to_owned())
    }

    /// Login name of the administrator.
    #[getter]
    fn admin_username(&self) -> PyResult<String> {
        self.with(|h| h.admin_username().to_owned())
    }

    /// The administrator's password.
    #[getter]
    fn admin_password(&self) -> PyResult<String> {
        self.with(|h| h.admin_password().to_owned())
    }

    /// Login name of the user who signs in with a password and then an e-mailed code.
    #[getter]
    fn mfa_username(&self) -> PyResult<String> {
        self.with(|h| h.mfa_username().to_owned())
    }

    /// The MFA user's password.
    #[getter]
    fn mfa_password(&self) -> PyResult<String> {
        self.with(|h| h.mfa_password().to_owned())
    }

    /// Base URL of the Vault the sandbox also serves, `http://127.0.0.1:PORT/PasswordVault`
    /// (as a PVWA's), to give `cyberark_vault.Client`.
    #[getter]
    fn vault_url(&self) -> PyResult<String> {
        self.with(|h| h.vault_url())
    }

    /// The Vault administrator's user name (CyberArk logon).
    #[getter]
    fn vault_admin_username(&self) -> PyResult<String> {
        Ok(vault_credentials::ADMIN_USERNAME.to_owned())
    }

    /// The Vault administrator's password.
    #[getter]
    fn vault_admin_password(&self) -> PyResult<String> {
        Ok(vault_credentials::ADMIN_PASSWORD.to_owned())
    }

    /// A Vault user who may list and audit but holds few safe permissions (CyberArk logon).
    #[getter]
    fn vault_auditor_username(&self) -> PyResult<String> {
        Ok(vault_credentials::AUDITOR_USERNAME.to_owned())
    }

    /// The auditor's password.
    #[getter]
    fn vault_auditor_password(&self) -> PyResult<String> {
        Ok(vault_credentials::AUDITOR_PASSWORD.to_owned())
    }

    /// A directory user who logs on with `method="LDAP"`.
    #[getter]
    fn vault_ldap_username(&self) -> PyResult<String> {
        Ok(vault_credentials::LDAP_USERNAME.to_owned())
    }

    /// The LDAP user's password.
    #[getter]
    fn vault_ldap_password(&self) -> PyResult<String> {
        Ok(vault_credentials::LDAP_PASSWORD.to_owned())
    }

    /// The code the EMAIL mechanism accepts.
    #[getter]
    fn otp_code(&self) -> PyResult<String> {
        self.with(|h| h.otp_code().to_owned())
    }

    /// Makes the next `times` requests of `operation` (an operationId) fail with `fault`:
    /// `"status"` (with `status=`), `"rate_limited"` (with optional `retry_after=` seconds),
    /// `"delay"` (with `delay=` seconds), `"drop_connection"`, `"truncated_body"`,
    /// `"malformed_json"`, or a hostile answer: `"deep_nesting"`, `"huge_body"`, `"slow_drip"`,
    /// `"wrong_content_type"`, `"invalid_utf8"`, `"duplicate_keys"`, `"out_of_range"`, `"html"`
    /// or `"redirect"`.
    #[pyo3(signature = (operation, fault, *, times = 1, status = None, retry_after = None, delay = None))]
    fn inject(
        &self,
        operation: &str,
        fault: &str,
        times: usize,
        status: Option<u16>,
        retry_after: Option<f64>,
        delay: Option<f64>,
    ) -> PyResult<()> {
        let fault = match fault {
            "status" => Fault::Status(
                status.ok_or_else(|| PyValueError::new_err("the status fault needs status="))?,
            ),
            "rate_limited" => Fault::RateLimited(match retry_after {
                None => RetryAfter::None,
                Some(s) => RetryAfter::Seconds(seconds(s, "retry_after")?.as_secs()),
            }),
            "delay" => Fault::Delay(seconds(
                delay.ok_or_else(|| PyValueError::new_err("the delay fault needs delay="))?,
                "delay",
            )?),
            "drop_connection" => Fault::DropConnection,
            "truncated_body" => Fault::TruncatedBody,
            "malformed_json" => Fault::MalformedJson,
            other => match Hostile::by_name(other) {
                Some(hostile) => Fault::Hostile(hostile),
                None => return Err(PyValueError::new_err(format!("unknown fault {other:?}"))),
            },
        };
        self.with(|h| h.faults().inject(operation, fault, times))
    }

    /// Parks the next request of `operation` until the returned hold is released.
    fn hold(&self, operation: &str) -> PyResult<PyHold> {
        self.with(|h| PyHold(h.faults().hold(operation)))
    }

    /// Removes every injected fault and releases every hold.
    fn clear_faults(&self) -> PyResult<()> {
        self.with(|h| h.faults().clear())
    }

    /// The requests received so far, oldest first, with secrets redacted.
    fn requests(&self) -> PyResult<Vec<PyLoggedRequest>> {
        self.with(|h| h.requests().into_iter().map(PyLoggedRequest).collect())
    }

    /// Empties the request log.
    fn clear_requests(&self) -> PyResult<()> {
        self.with(|h| h.clear_requests())
    }

    /// Creates `n` synthetic users at once.
    fn add_users(&self, n: usize) -> PyResult<()> {
        self.with(|h| h.add_users(n))
    }

    /// A bearer token for a user named by UUID or login name, bypassing the login flow.
    fn token_for(&self, user: &str) -> PyResult<Option<String>> {
        self.with(|h| h.token_for(user))
    }

    /// Stops the server; later calls fail. Stopping twice is harmless.
    fn shutdown(&self, py: Python<'_>) -> PyResult<()> {
        let handle = self
            .handle
            .lock()
            .map_err(|_| PyRuntimeError::new_err("the sandbox is poisoned"))?
            .take();
        if let Some(handle) = handle {
            py.detach(|| tokio().block_on(handle.shutdown()));
        }
        Ok(())
    }

    fn __enter__(slf: Py<Self>) -> Py<Self> {
        slf
    }

    #[pyo3(signature = (*_args))]
    fn __exit__(&self, py: Python<'_>, _args: &Bound<'_, PyTuple>) -> PyResult<bool> {
        self.shutdown(py)?;
        Ok(false)
    }

    fn __repr__(&self) -> String {
        match self.with(|h| h.url()) {
            Ok(url) => format!("Sandbox({url:?})"),
            Err(_) => "Sandbox(<shut down>)".to_owned(),
        }
    }
}

/// A request of one operation parked in the sandbox until `release()`.
#[pyclass(frozen, module = "cyberark_identity._native", name = "Hold")]
pub struct PyHold(identity_sandbox::Hold);

#[pymethods]
impl PyHold {
    /// Lets the held request (or, if none arrived yet, the next one) go on.
    fn release(&self) {
        self.0.release();
    }

    /// Waits, with the GIL released, until a request is parked on this hold; returns `False`
    /// if `timeout` seconds pass first.
    #[pyo3(signature = (timeout = None))]
    fn wait_arrived(&self, py: Python<'_>, timeout: Option<f64>) -> PyResult<bool> {
        let limit = timeout.map(|t| seconds(t, "timeout")).transpose()?;
        let hold = self.0.clone();
        Ok(py.detach(|| {
            tokio().block_on(async move {
                match limit {
                    Some(limit) => tokio::time::timeout(limit, hold.arrived()).await.is_ok(),
                    None => {
                        hold.arrived().await;
                        true
                    }
                }
            })
        }))
    }
}

/// One request the sandbox received, with secrets redacted.
#[pyclass(frozen, module = "cyberark_identity._native", name = "LoggedRequest")]
pub struct PyLoggedRequest(identity_sandbox::LoggedRequest);

#[pymethods]
impl PyLoggedRequest {
    /// The operationId the request was routed to, or `None` for a route the spec lacks.
    #[getter]
    fn operation(&self) -> Option<&str> {
        self.0.operation.as_deref()
    }

    /// The HTTP method.
    #[getter]
    fn method(&self) -> &str {
        &self.0.method
    }

    /// The path, without the query string.
    #[getter]
    fn path(&self) -> &str {
        &self.0.path
    }

    /// The raw query string, if any.
    #[getter]
    fn query(&self) -> Option<&str> {
        self.0.query.as_deref()
    }

    /// The request headers in arrival order, secrets redacted.
    #[getter]
    fn headers(&self) -> Vec<(String, String)> {
        self.0.headers.clone()
    }

    /// The body as text, secrets redacted.
    #[getter]
    fn body(&self) -> &str {
        &self.0.body
    }

    /// The HTTP status of the answer (0 when the connection was dropped).
    #[getter]
    fn status(&self) -> u16 {
        self.0.status
    }

    fn __repr__(&self) -> String {
        format!(
            "LoggedRequest({} {} -> {})",
            self.0.method, self.0.path, self.0.status
        )
    }
}
