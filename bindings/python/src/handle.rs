//! What a `Client` or `AsyncClient` (and each of its API-group objects) holds: a handle on one
//! core object that owns the Rust client, knows whether it was closed, and rebuilds it in a
//! forked child.
//!
//! Every call asks the handle for the Rust client ([`ClientHandle::get`]), which is where the
//! lifecycle rules live:
//! - a closed client raises `IdentityError` saying so;
//! - in a forked child, the parent's Rust client (whose connections and runtime stayed in the
//!   parent) is left alone and a new one is built from the same arguments, so a client created
//!   before the fork works in the child (the prefork pattern of gunicorn and multiprocessing);
//! - a call from inside the client's own `mfa` callback is refused.
//!
//! The core is a Python object so that the garbage collector sees the references it holds (the
//! constructor's options and the `mfa` callback) through every object that shares it.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};

use cyberark_runtime::Client;
use pyo3::prelude::*;
use pyo3::types::PyDict;
use pyo3::{PyTraverseError, PyVisit};

use crate::client::Build;
use crate::errors::identity_error;
use crate::lifecycle::{forked_since, process_id};
use crate::mfa::{CallbackSlot, check_reentry};
use crate::wait::lock;

/// Ids of cores, for the re-entry check of the `mfa` callback.
static NEXT_ID: AtomicU64 = AtomicU64::new(1);

/// The Rust client of one Python client, and its state.
struct State {
    /// The process the Rust client was built in.
    pid: u32,
    /// `None` once closed.
    client: Option<Client>,
    /// Whether closing logs off the session the client opened (see [`crate::client::Built`]).
    logs_off: bool,
}

/// The object every handle of one Python client shares.
#[pyclass(frozen, module = "cyberark_identity._native", name = "_ClientCore")]
pub struct ClientCore {
    id: u64,
    /// How this API's client is built from the constructor's arguments (each API has its own
    /// sign-in keywords), to rebuild it after a fork.
    build: Build,
    /// The tenant as given, to rebuild the client after a fork.
    tenant: String,
    /// The tenant's URL, for `repr()` and messages.
    url: String,
    /// The constructor's keyword arguments without `mfa`, to rebuild the client after a fork.
    options: Mutex<Option<Py<PyDict>>>,
    mfa: Option<Arc<CallbackSlot>>,
    state: Mutex<State>,
}

#[pymethods]
impl ClientCore {
    fn __traverse__(&self, visit: PyVisit<'_>) -> Result<(), PyTraverseError> {
        // try_lock: the collector may run while this thread holds the lock (rebuilding the
        // client allocates); skipping a visit only keeps objects alive, which is safe.
        if let Ok(options) = self.options.try_lock()
            && let Some(options) = options.as_ref()
        {
            visit.call(options)?;
        }
        if let Some(slot) = &self.mfa {
            slot.traverse(&visit)?;
        }
        Ok(())
    }

    fn __clear__(&self) {
        self.close_now();
    }
}

impl ClientCore {
    /// Takes the Rust client out (it is dropped by the caller, ideally without the GIL).
    fn take_client(&self) -> (Option<Client>, u32) {
        let mut state = lock(&self.state);
        (state.client.take(), state.pid)
    }

    /// Drops the Python objects the core holds.
    fn clear_objects(&self) {
        lock(&self.options).take();
        if let Some(slot) = &self.mfa {
            slot.clear();
        }
    }

    fn close_now(&self) {
        let (client, pid) = self.take_client();
        release(client, pid);
        self.clear_objects();
    }
}

impl Drop for ClientCore {
    fn drop(&mut self) {
        let state = self
            .state
            .get_mut()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        let pid = state.pid;
        release(state.client.take(), pid);
    }
}

/// Drops a Rust client, unless it was built in another process: a client inherited through
/// `fork()` belongs to the parent's runtime, and dropping it in the child could wait on a lock
/// one of the parent's threads held at the fork. It is leaked instead.
fn release(client: Option<Client>, pid: u32) {
    if let Some(client) = client {
        if forked_since(pid) {
            std::mem::forget(client);
        } else {
            drop(client);
        }
    }
}

/// A Python client's share of its [`ClientCore`].
pub struct ClientHandle(Py<ClientCore>);

impl ClientHandle {
    /// Builds the client from `Client(tenant, **options)` with `build`, the API's sign-in.
    pub fn new(
        py: Python<'_>,
        build: Build,
        tenant: &str,
        options: Option<&Bound<'_, PyDict>>,
    ) -> PyResult<Self> {
        let id = NEXT_ID.fetch_add(1, Ordering::Relaxed);
        let options = match options {
            Some(options) => options.copy()?,
            None => PyDict::new(py),
        };
        let mfa = match options.get_item("mfa")? {
            Some(callback) if !callback.is_none() => {
                if !callback.is_callable() {
                    return Err(crate::errors::invalid_request(
                        "argument `mfa`: expected a callable".to_owned(),
                    ));
                }
                Some(CallbackSlot::new(id, callback.unbind()))
            }
            _ => None,
        };
        if options.contains("mfa")? {
            options.del_item("mfa")?;
        }
        let built = build(tenant, Some(&options), mfa.as_ref())?;
        let client = built.client;
        let core = ClientCore {
            id,
            tenant: tenant.to_owned(),
            build,
            url: client.tenant_url().as_str().to_owned(),
            options: Mutex::new(Some(options.unbind())),
            mfa,
            state: Mutex::new(State {
                pid: process_id(),
                client: Some(client),
                logs_off: built.logs_off,
            }),
        };
        Ok(ClientHandle(Py::new(py, core)?))
    }

    /// Another handle on the same client (for an API-group object).
    pub fn share(&self, py: Python<'_>) -> Self {
        ClientHandle(self.0.clone_ref(py))
    }

    /// The Rust client to make a call with.
    pub fn get(&self, py: Python<'_>) -> PyResult<Client> {
        let core = self.0.get();
        check_reentry(py, core.id)?;
        let mut state = lock(&core.state);
        if forked_since(state.pid) && state.client.is_some() {
            let inherited = state.client.take();
            release(inherited, state.pid);
            let options = lock(&core.options).as_ref().map(|o| o.clone_ref(py));
            let options = options.as_ref().map(|o| o.bind(py));
            let built = (core.build)(&core.tenant, options, core.mfa.as_ref())?;
            state.client = Some(built.client);
            state.logs_off = built.logs_off;
            state.pid = process_id();
        }
        state.client.clone().ok_or_else(|| {
            identity_error(format!(
                "this client of {} is closed; create a new one",
                core.url
            ))
        })
    }

    /// Closes the client: its connections are released once calls in flight end, and every
    /// later call raises `IdentityError`. Closing again does nothing.
    pub fn close(&self, py: Python<'_>) {
        let core = self.0.get();
        let (client, pid) = core.take_client();
        // Closing connections may take a moment; other Python threads run meanwhile.
        py.detach(|| release(client, pid));
        core.clear_objects();
    }

    /// Closes the client as [`ClientHandle::close`] does and, if it opened a session that
    /// closing should end (a Vault logon), hands back the Rust client to log off with: it
    /// shares the connections, which stay open until the logoff is done. Closing a closed
    /// client does nothing and answers `None`.
    pub fn close_for_logoff(&self, py: Python<'_>) -> PyResult<Option<Client>> {
        let core = self.0.get();
        let (open, logs_off) = {
            let state = lock(&core.state);
            (state.client.is_some(), state.logs_off)
        };
        let client = if open && logs_off {
            Some(self.get(py)?)
        } else {
            None
        };
        self.close(py);
        Ok(client)
    }

    /// The tenant URL the client was made for.
    pub fn url(&self) -> &str {
        &self.0.get().url
    }

    /// Reports the core to the garbage collector.
    pub fn traverse(&self, visit: &PyVisit<'_>) -> Result<(), PyTraverseError> {
        visit.call(&self.0)
    }
}
