//! Python bindings of the CyberArk Identity client: the native module `cyberark_identity._native`.
//!
//! `generated/` holds the classes generated from the spec (one file per tag, plus the shared
//! models and the `Client`/`AsyncClient` classes); the other modules are the hand-written
//! runtime they call into: conversions ([`runtime`]) and conversions of JSON data that hold
//! for any input ([`values`]), the field cache and pickling of the object classes ([`model`]),
//! the process-wide tokio runtime, fork and exit ([`lifecycle`]), blocking waits, signals and
//! panics ([`wait`]), awaitables ([`aio`]), the one error mapping ([`errors`]), client
//! construction ([`client`]) and lifecycle ([`handle`]), the `mfa` callback ([`mfa`]), page
//! iterators ([`paging`]), the `tracing` → `logging` bridge ([`logging`]) and the in-process
//! sandbox ([`sandbox`]).

pub mod aio;
pub mod client;
pub mod dates;
pub mod download;
pub mod errors;
#[allow(missing_docs)]
pub mod generated;
/// Role Management's generated classes, the native module `cyberark_identity.roles._native`.
#[allow(missing_docs)]
pub mod generated_roles;
/// The Vault's generated classes, the native module `cyberark_vault._native`.
#[allow(missing_docs)]
pub mod generated_vault;
pub mod handle;
pub mod lifecycle;
pub mod logging;
pub mod mfa;
pub mod model;
pub mod paging;
pub mod redrock;
pub mod runtime;
#[cfg(feature = "sandbox")]
pub mod sandbox;
pub mod values;
pub mod vault;
pub mod wait;

/// The Rust client of the generator's `general` fixture (ordinary OpenAPI 3.0: unions,
/// recursion, maps, downloads, ...), which its pyo3 layer below wraps. It is compiled from the
/// snapshot's files rather than depended on, so the published crate graph never names the
/// fixture crate.
#[cfg(any(test, feature = "general-fixture"))]
#[allow(missing_docs, dead_code, unreachable_pub, deprecated)]
#[path = "../../../codegen/tests/snapshots/general/expected/mod.rs"]
mod general_fixture_client;

/// The pyo3 layer of the `general` fixture, compiled here so that what the generator writes for
/// each of its features is proven to build against this crate's runtime; with the feature
/// `general-fixture` it is the module `cyberark_identity._general_fixture`, which the Python
/// tests call over the wire and stubtest holds against its stubs. The published wheel is built
/// without it.
#[cfg(any(test, feature = "general-fixture"))]
#[allow(missing_docs, dead_code, unreachable_pub, deprecated)]
#[path = "../../../codegen/tests/snapshots/general/python/mod.rs"]
mod general_fixture;

use pyo3::prelude::*;

/// The native module; the public API is re-exported by the `cyberark_identity` package.
#[pymodule]
#[pyo3(name = "_native")]
fn native(module: &Bound<'_, PyModule>) -> PyResult<()> {
    lifecycle::install(module)?;
    logging::install();
    generated::register(module)?;
    submodule(module, "cyberark_vault._native", generated_vault::register)?;
    submodule(
        module,
        "cyberark_identity.roles._native",
        generated_roles::register,
    )?;
    #[cfg(feature = "general-fixture")]
    submodule(
        module,
        "cyberark_identity._general_fixture",
        general_fixture::register,
    )?;
    module.add_class::<mfa::PyMfaChallenge>()?;
    module.add_class::<paging::PageIterator>()?;
    module.add_class::<paging::AsyncPageIterator>()?;
    #[cfg(feature = "sandbox")]
    sandbox::register(module)?;
    module.add_function(wrap_pyfunction!(errors::raise_test_error, module)?)?;
    module.add_function(wrap_pyfunction!(aio::inbox_waiting, module)?)?;
    module.add_function(wrap_pyfunction!(redrock::redrock_script, module)?)?;
    Ok(())
}

/// Adds the classes of a further API (its own `Client`, `AsyncClient`, ...) to a module of their
/// own, `name`, so they never collide with another API's, and makes it importable under that
/// name: the API's package (`cyberark_vault`) imports the extension first, then `name`.
fn submodule(
    parent: &Bound<'_, PyModule>,
    name: &str,
    register: fn(&Bound<'_, PyModule>) -> PyResult<()>,
) -> PyResult<()> {
    let py = parent.py();
    let module = PyModule::new(py, name)?;
    register(&module)?;
    py.import("sys")?
        .getattr("modules")?
        .set_item(name, &module)?;
    Ok(())
}
