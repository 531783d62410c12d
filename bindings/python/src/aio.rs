//! Awaitables of `AsyncClient`: a future of the Rust client runs on the shared runtime and its
//! outcome is handed to the caller's event loop.
//!
//! The rules that keep a program's exit clean:
//! - Cancelling the awaitable (`task.cancel()`, `asyncio.wait_for`, the end of `asyncio.run`)
//!   aborts the Rust future at once: the request in flight is abandoned and its connection
//!   closed, and nothing is delivered later.
//! - An outcome is converted to Python and set on its awaitable only on the loop's own thread,
//!   inside a callback of the running loop; a loop that has closed never runs it, so nothing is
//!   delivered to a closed loop.
//!
//! How outcomes reach the loop (the [`inbox`] module): a finished call does not take the GIL.
//! It puts its outcome, still a Rust value, in the loop's inbox, and only the call that finds
//! the inbox empty wakes the loop, by writing one byte to a socket the loop watches with
//! `add_reader`. The loop then converts and settles every outcome that arrived meanwhile in one
//! callback. So a burst of completions costs one wakeup of the loop thread, and the runtime's
//! worker threads never wait for the GIL the loop holds. `benches/FINDINGS.md` records the
//! designs measured before this one.

mod inbox;

use std::future::Future;
use std::panic::AssertUnwindSafe;
use std::sync::{Arc, Mutex};

use cyberark_runtime::Error;
use futures::FutureExt;
use pyo3::intern;
use pyo3::prelude::*;
use pyo3::sync::PyOnceLock;
use tokio::task::AbortHandle;

use crate::lifecycle::tokio;
use crate::runtime::IntoPy;
use crate::wait::{Call, Caller, lock, panicked};

/// Turns a future of the Rust client into an awaitable of the running event loop whose result
/// is converted by [`IntoPy`] once the value is back on the loop's thread.
pub fn future<'py, T, F>(py: Python<'py>, future: F) -> PyResult<Bound<'py, PyAny>>
where
    F: Future<Output = Result<T, Error>> + Send + 'static,
    T: IntoPy + Send + 'static,
{
    spawn(py, future, |py, outcome, call| match outcome {
        Ok(value) => value.into_py(py).map(Bound::unbind),
        Err(error) => Err(call.raise(py, error)),
    })
}

/// Runs any future on the shared runtime as an awaitable of the running event loop, as
/// [`future`] does (cancelling it aborts the future; nothing is delivered to a closed loop or an
/// exiting interpreter); `convert` makes the Python outcome on the loop's thread.
pub fn spawn<'py, T, F, C>(py: Python<'py>, future: F, convert: C) -> PyResult<Bound<'py, PyAny>>
where
    F: Future<Output = T> + Send + 'static,
    T: Send + 'static,
    C: FnOnce(Python<'_>, T, &Call) -> PyResult<Py<PyAny>> + Send + 'static,
{
    let event_loop = running_loop(py)?;
    let inbox = inbox::of(&event_loop)?;
    let context = copy_context(py)?;
    let awaitable = event_loop.call_method0(intern!(py, "create_future"))?;
    let call = Call::new(Caller::Loop {
        event_loop: Arc::new(event_loop.unbind()),
        context: Arc::new(context.unbind()),
    });
    let target = awaitable.clone().unbind();
    let task = tokio().spawn(async move {
        let outcome = call
            .clone()
            .scope(AssertUnwindSafe(future).catch_unwind())
            .await;
        inbox.post(Box::new(move |py| {
            let made = match outcome {
                Ok(output) => convert(py, output, &call),
                Err(payload) => Err(panicked(payload.as_ref())),
            };
            settle(py, target.bind(py), made);
        }));
    });
    // Done for any reason: a cancelled awaitable aborts the request; a finished one has nothing
    // left to abort.
    let on_done = Abort {
        handle: Mutex::new(Some(task.abort_handle())),
    };
    awaitable.call_method1(intern!(py, "add_done_callback"), (on_done,))?;
    Ok(awaitable)
}

/// An awaitable of the running loop that is already resolved to `value` (`__aenter__`,
/// `__aexit__`).
pub fn ready<'py>(py: Python<'py>, value: Py<PyAny>) -> PyResult<Bound<'py, PyAny>> {
    let event_loop = running_loop(py)?;
    let awaitable = event_loop.call_method0(intern!(py, "create_future"))?;
    awaitable.call_method1(intern!(py, "set_result"), (value,))?;
    Ok(awaitable)
}

/// The done-callback of an awaitable: aborts the Rust task behind it (a no-op once it finished).
#[pyclass(frozen, module = "cyberark_identity._native", name = "_AbortCall")]
struct Abort {
    handle: Mutex<Option<AbortHandle>>,
}

#[pymethods]
impl Abort {
    fn __call__(&self, _awaitable: &Bound<'_, PyAny>) {
        if let Some(handle) = lock(&self.handle).take() {
            handle.abort();
        }
    }
}

/// Sets the outcome of `awaitable` unless it is already done (cancelled while the outcome was
/// on its way). Runs on the loop's thread, inside one of its callbacks.
fn settle(py: Python<'_>, awaitable: &Bound<'_, PyAny>, outcome: PyResult<Py<PyAny>>) {
    let done = awaitable
        .call_method0(intern!(py, "done"))
        .and_then(|d| d.is_truthy())
        .unwrap_or(true);
    if done {
        return;
    }
    // Neither call can fail on a pending future of this loop; if one did, the awaitable would
    // stay pending, so the failure is reported to the loop's exception handler instead of lost.
    let set = match outcome {
        Ok(value) => awaitable.call_method1(intern!(py, "set_result"), (value,)),
        Err(error) => awaitable.call_method1(intern!(py, "set_exception"), (error.into_value(py),)),
    };
    if let Err(error) = set {
        error.write_unraisable(py, Some(awaitable));
    }
}

/// `asyncio.get_running_loop()`, looked up once.
fn running_loop(py: Python<'_>) -> PyResult<Bound<'_, PyAny>> {
    static GET: PyOnceLock<Py<PyAny>> = PyOnceLock::new();
    GET.import(py, "asyncio", "get_running_loop")?.call0()
}

/// `contextvars.copy_context()`, looked up once.
fn copy_context(py: Python<'_>) -> PyResult<Bound<'_, PyAny>> {
    static COPY: PyOnceLock<Py<PyAny>> = PyOnceLock::new();
    COPY.import(py, "contextvars", "copy_context")?.call0()
}
