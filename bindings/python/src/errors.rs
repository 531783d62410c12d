//! The one mapping from the Rust client's [`Error`] to the exceptions of
//! `cyberark_identity.errors`.
//!
//! The exception classes are defined in Python (so users can read, subclass and pickle them);
//! this module looks them up by name and fills their attributes. `_raise_test_error` lets the
//! Python tests run every branch of the mapping, variant by variant.

use std::time::Duration;

use cyberark_runtime::{ApiError, Error};
use pyo3::exceptions::PyValueError;
use pyo3::prelude::*;
use pyo3::types::PyDict;

/// The module defining the exception classes.
const ERRORS_MODULE: &str = "cyberark_identity.errors";

/// Maps a client error to the matching Python exception, with its attributes set.
///
/// Every variant's message is the Rust `Display` text, which never holds a secret.
pub fn to_py_err(error: Error) -> PyErr {
    Python::attach(|py| match build(py, &error) {
        Ok(err) => err,
        // The errors module failed to import or a class is missing: still raise something that
        // says what happened rather than losing the original error.
        Err(lookup) => pyo3::exceptions::PyRuntimeError::new_err(format!(
            "{error} (and mapping it failed: {lookup})"
        )),
    })
}

/// An `InvalidRequestError` with the given message, for arguments that do not convert.
pub fn invalid_request(message: String) -> PyErr {
    Python::attach(
        |py| match instantiate(py, "InvalidRequestError", &message, |_| Ok(())) {
            Ok(err) => err,
            Err(_) => PyValueError::new_err(message),
        },
    )
}

/// An `IdentityError` (the base class) with the given message, for misuse of a client such as
/// a call after `close()`.
pub fn identity_error(message: String) -> PyErr {
    Python::attach(
        |py| match instantiate(py, "IdentityError", &message, |_| Ok(())) {
            Ok(err) => err,
            Err(_) => pyo3::exceptions::PyRuntimeError::new_err(message),
        },
    )
}

fn build(py: Python<'_>, error: &Error) -> PyResult<PyErr> {
    let message = error.to_string();
    let operation = error.operation();
    match error {
        Error::Api(api) => instantiate(py, "ApiError", &message, |kw| api_fields(kw, api)),
        Error::Auth { status, .. } => instantiate(py, "AuthenticationError", &message, |kw| {
            kw.set_item("operation", operation)?;
            kw.set_item("status", status)
        }),
        Error::RateLimited {
            retry_after,
            attempts,
            ..
        } => instantiate(py, "RateLimitError", &message, |kw| {
            kw.set_item("operation", operation)?;
            kw.set_item("retry_after", retry_after.map(|d| d.as_secs_f64()))?;
            kw.set_item("attempts", attempts)
        }),
        Error::Transport { .. } => instantiate(py, "TransportError", &message, |kw| {
            kw.set_item("operation", operation)
        }),
        Error::Timeout { elapsed, .. } => instantiate(py, "TimeoutError", &message, |kw| {
            kw.set_item("operation", operation)?;
            kw.set_item("elapsed", elapsed.as_secs_f64())
        }),
        Error::Decode {
            path,
            status,
            excerpt,
            ..
        } => instantiate(py, "DecodeError", &message, |kw| {
            kw.set_item("operation", operation)?;
            kw.set_item("path", path)?;
            kw.set_item("status", status)?;
            kw.set_item("excerpt", excerpt)
        }),
        Error::InvalidRequest { .. } => instantiate(py, "InvalidRequestError", &message, |kw| {
            kw.set_item("operation", operation)
        }),
        Error::Config { .. } => instantiate(py, "ConfigurationError", &message, |_| Ok(())),
        Error::Paging { .. } => instantiate(py, "PagingError", &message, |kw| {
            kw.set_item("operation", operation)
        }),
        // The Rust error is non-exhaustive: a variant added later still maps to the base class.
        _ => instantiate(py, "IdentityError", &message, |kw| {
            kw.set_item("operation", operation)
        }),
    }
}

fn api_fields(kw: &Bound<'_, PyDict>, api: &ApiError) -> PyResult<()> {
    kw.set_item("operation", api.operation)?;
    kw.set_item("status", api.status)?;
    kw.set_item("api_message", &api.message)?;
    kw.set_item("message_id", &api.message_id)?;
    kw.set_item("error_id", &api.error_id)?;
    kw.set_item("error_code", &api.error_code)?;
    kw.set_item("is_soft_error", api.is_soft_error)?;
    kw.set_item("exception", &api.exception)?;
    // The Vault's `Details`: one dict per entry, with the entry's own code and message.
    let details = pyo3::types::PyList::empty(kw.py());
    for detail in &api.details {
        let entry = PyDict::new(kw.py());
        entry.set_item("error_code", &detail.error_code)?;
        entry.set_item("message", &detail.message)?;
        entry.set_item("parameter_name", &detail.parameter_name)?;
        details.append(entry)?;
    }
    kw.set_item("details", details)
}

/// Instantiates `cyberark_identity.errors.<class>(message, **kwargs)` as a `PyErr`.
fn instantiate(
    py: Python<'_>,
    class: &str,
    message: &str,
    fill: impl FnOnce(&Bound<'_, PyDict>) -> PyResult<()>,
) -> PyResult<PyErr> {
    let class = py.import(ERRORS_MODULE)?.getattr(class)?;
    let kwargs = PyDict::new(py);
    fill(&kwargs)?;
    let instance = class.call((message,), Some(&kwargs))?;
    Ok(PyErr::from_value(instance))
}

/// Raises the Python exception mapped from one made-up `Error` of each variant, so the tests can
/// check the mapping of every variant without provoking each failure for real.
#[pyfunction]
#[pyo3(name = "_raise_test_error")]
pub fn raise_test_error(variant: &str) -> PyResult<()> {
    let error = match variant {
        "api" => Error::from(ApiError {
            message: Some("Role exists".to_owned()),
            message_id: Some("_I18N_Roles.Exists".to_owned()),
            error_id: Some("abc:def".to_owned()),
            error_code: Some("1409".to_owned()),
            is_soft_error: true,
            exception: Some("System.Exception".to_owned()),
            ..ApiError::new("Org_Create", 200)
        }),
        "auth" => Error::Auth {
            operation: "Org_Create",
            message: "bad secret".to_owned(),
            status: Some(401),
        },
        "rate_limited" => Error::RateLimited {
            operation: "Org_Create",
            retry_after: Some(Duration::from_millis(1500)),
            attempts: 4,
        },
        "transport" => Error::Transport {
            operation: "Org_Create",
            source: Box::new(std::io::Error::new(
                std::io::ErrorKind::ConnectionRefused,
                "connection refused",
            )),
        },
        "timeout" => Error::Timeout {
            operation: "Org_Create",
            elapsed: Duration::from_secs(2),
        },
        "decode" => Error::Decode {
            operation: "CDirectoryService_GetUser",
            path: "Result.Uuid".to_owned(),
            message: "invalid type".to_owned(),
            excerpt: "{\"success\":true}".to_owned(),
            status: 200,
        },
        "invalid_request" => Error::InvalidRequest {
            operation: "Scim_GetUser",
            message: "no id".to_owned(),
        },
        "config" => Error::Config {
            message: "no tenant URL".to_owned(),
        },
        "paging" => Error::Paging {
            operation: "CDirectoryService_GetUsers",
            message: "page 2 repeats page 1".to_owned(),
        },
        other => return Err(PyValueError::new_err(format!("unknown variant {other:?}"))),
    };
    Err(to_py_err(error))
}
