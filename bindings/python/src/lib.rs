//! Python bindings of the CyberArk Identity client: the native module `cyberark_identity._native`.
//!
//! `generated/` holds the classes generated from the spec (one file per tag, plus the shared
//! models and the `Client`/`AsyncClient` classes); the other modules are the hand-written
//! runtime they call into: conversions and the shared tokio runtime ([`runtime`]), conversions
//! of JSON data that hold for any input ([`values`]), the field cache and pickling of the object
//! classes ([`model`]), the one error mapping ([`errors`]), client construction and MFA
//! ([`client`]), page iterators ([`paging`]), the `tracing` → `logging` bridge ([`logging`]) and
//! the in-process sandbox ([`sandbox`]).

pub mod client;
pub mod errors;
#[allow(missing_docs)]
pub mod generated;
pub mod logging;
pub mod model;
pub mod paging;
pub mod runtime;
#[cfg(feature = "sandbox")]
pub mod sandbox;
pub mod values;

use pyo3::prelude::*;

/// The native module; the public API is re-exported by the `cyberark_identity` package.
#[pymodule]
#[pyo3(name = "_native")]
fn native(module: &Bound<'_, PyModule>) -> PyResult<()> {
    runtime::init_async()?;
    logging::install();
    generated::register(module)?;
    module.add_class::<client::PyMfaChallenge>()?;
    module.add_class::<paging::PageIterator>()?;
    module.add_class::<paging::AsyncPageIterator>()?;
    #[cfg(feature = "sandbox")]
    sandbox::register(module)?;
    module.add_function(wrap_pyfunction!(errors::raise_test_error, module)?)?;
    Ok(())
}
