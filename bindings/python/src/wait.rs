//! Waiting for the Rust client from Python: a blocking wait that still answers Ctrl-C, the
//! caller of each call (so the `mfa` callback can run where the caller runs), and the guard
//! that keeps a Rust panic from crossing into Python.

use std::any::Any;
use std::cell::Cell;
use std::future::Future;
use std::panic::AssertUnwindSafe;
use std::pin::pin;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use cyberark_runtime::Error;
use futures::FutureExt;
use pyo3::exceptions::{PyException, PyRuntimeError};
use pyo3::prelude::*;

use crate::errors::to_py_err;
use crate::lifecycle::tokio;

/// How long a blocking wait runs before it checks for signals: short enough that Ctrl-C feels
/// immediate, long enough to cost nothing measurable.
const SLICE: Duration = Duration::from_millis(50);

/// Where a call was made from, which decides where its `mfa` callback runs.
#[derive(Clone)]
pub enum Caller {
    /// A blocking call: its future is polled on the calling thread, inside [`block_on`].
    Blocking,
    /// An awaitable: the caller's event loop and a copy of its `contextvars` context.
    Loop {
        /// The running loop the awaitable belongs to.
        event_loop: Arc<Py<PyAny>>,
        /// The context the call was made in.
        context: Arc<Py<PyAny>>,
    },
}

/// What one call carries along its future: who called, and an exception of the `mfa` callback
/// to chain to (or re-raise instead of) the call's error.
#[derive(Clone)]
pub struct Call {
    /// Who made the call.
    pub caller: Caller,
    /// The exception the `mfa` callback raised, if it did.
    pub failure: Arc<Mutex<Option<PyErr>>>,
}

impl Call {
    /// A call from `caller` with nothing failed yet.
    pub fn new(caller: Caller) -> Self {
        Call {
            caller,
            failure: Arc::new(Mutex::new(None)),
        }
    }

    /// Runs `future` with this call as [`current_call`].
    pub fn scope<F: Future>(self, future: F) -> impl Future<Output = F::Output> {
        CALL.scope(self, future)
    }

    /// Records what the `mfa` callback raised.
    pub fn fail(&self, error: PyErr) {
        *lock(&self.failure) = Some(error);
    }

    /// The exception for `error`, the call's result: a `BaseException` that is not an
    /// `Exception` (`KeyboardInterrupt`, `SystemExit`) the callback raised goes through as it
    /// is; any other becomes the `__cause__` of the mapped error.
    pub fn raise(&self, py: Python<'_>, error: Error) -> PyErr {
        let mapped = to_py_err(error);
        match lock(&self.failure).take() {
            Some(cause) if !cause.is_instance_of::<PyException>(py) => cause,
            Some(cause) => {
                mapped.set_cause(py, Some(cause));
                mapped
            }
            None => mapped,
        }
    }
}

tokio::task_local! {
    static CALL: Call;
}

/// The call whose future is being polled, if it came through [`block_on`] or
/// [`crate::aio::future`].
pub fn current_call() -> Option<Call> {
    CALL.try_with(Clone::clone).ok()
}

thread_local! {
    /// Set while a callback of the client runs on a thread that is inside the runtime, where a
    /// blocking call of another client is fine (the callback left the runtime to run).
    static NESTING_ALLOWED: Cell<bool> = const { Cell::new(false) };
}

/// Runs `f` (a callback of the client) so that it may make blocking calls of other clients.
pub fn allow_nested<R>(f: impl FnOnce() -> R) -> R {
    let before = NESTING_ALLOWED.with(|n| n.replace(true));
    let result = f();
    NESTING_ALLOWED.with(|n| n.set(before));
    result
}

/// Refuses a blocking call from a thread that is already inside the runtime: a logging handler
/// run for an event of a call in progress, or a callback of the client. tokio cannot nest, and
/// would panic.
fn check_not_nested() -> PyResult<()> {
    let inside = tokio::runtime::Handle::try_current().is_ok();
    if inside && !NESTING_ALLOWED.with(Cell::get) {
        return Err(PyRuntimeError::new_err(
            "a blocking cyberark_identity call was made from inside another call on the same \
             thread (from a logging handler or a callback of the client); make it from another \
             thread, or use AsyncClient",
        ));
    }
    Ok(())
}

/// Runs a future of the Rust client to completion with the GIL released, so other Python
/// threads run while this one waits on the network; its error becomes the mapped exception.
///
/// The wait runs in slices and checks for signals between them: Ctrl-C raises
/// `KeyboardInterrupt` at once, and other signal handlers run. An exception from a handler drops
/// the future, which abandons the request in flight (its connection is closed) and leaves the
/// client usable.
pub fn block_on<T, F>(py: Python<'_>, future: F) -> PyResult<T>
where
    F: Future<Output = Result<T, Error>> + Send,
    T: Send,
{
    let call = Call::new(Caller::Blocking);
    match wait(py, call.clone().scope(future))? {
        Ok(value) => Ok(value),
        Err(error) => Err(call.raise(py, error)),
    }
}

/// Waits for any future on the shared runtime as [`block_on`] does (GIL released, signals
/// checked, panics turned into `RuntimeError`), returning its output as it is.
pub fn wait<F>(py: Python<'_>, future: F) -> PyResult<F::Output>
where
    F: Future + Send,
    F::Output: Send,
{
    check_not_nested()?;
    let runtime = tokio();
    let mut future = pin!(AssertUnwindSafe(future).catch_unwind());
    loop {
        let step = py.detach(|| {
            let before = NESTING_ALLOWED.with(|n| n.replace(false));
            let step =
                runtime.block_on(async { tokio::time::timeout(SLICE, future.as_mut()).await });
            NESTING_ALLOWED.with(|n| n.set(before));
            step
        });
        match step {
            Ok(Ok(output)) => return Ok(output),
            Ok(Err(payload)) => return Err(panicked(payload.as_ref())),
            Err(_) => py.check_signals()?,
        }
    }
}

/// Runs an entry point from Python, turning a panic into a `RuntimeError` so that none crosses
/// into Python as `PanicException` (a `BaseException` that `except Exception` cannot catch).
pub fn guard<R>(f: impl FnOnce() -> PyResult<R>) -> PyResult<R> {
    match std::panic::catch_unwind(AssertUnwindSafe(f)) {
        Ok(result) => result,
        Err(payload) => Err(panicked(payload.as_ref())),
    }
}

/// The `RuntimeError` for a panic: a bug of this package, reported with its message.
pub fn panicked(payload: &(dyn Any + Send)) -> PyErr {
    let message = payload
        .downcast_ref::<&str>()
        .map(|s| (*s).to_owned())
        .or_else(|| payload.downcast_ref::<String>().cloned())
        .unwrap_or_else(|| "no message".to_owned());
    PyRuntimeError::new_err(format!(
        "internal error in cyberark_identity (please report it): {message}"
    ))
}

/// Locks a mutex, also after a panic elsewhere poisoned it: the data are still consistent.
pub fn lock<T>(mutex: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    mutex
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner)
}
