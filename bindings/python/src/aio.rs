//! Awaitables of `AsyncClient`: a future of the Rust client runs on the shared runtime and its
//! outcome is handed to the caller's event loop.
//!
//! The rules that keep a program's exit clean:
//! - Cancelling the awaitable (`task.cancel()`, `asyncio.wait_for`, the end of `asyncio.run`)
//!   aborts the Rust future at once: the request in flight is abandoned and its connection
//!   closed, and nothing is delivered later.
//! - An outcome is delivered only through `loop.call_soon_threadsafe`, and only while the loop
//!   is open and the interpreter is not exiting; otherwise it is dropped.

use std::future::Future;
use std::panic::AssertUnwindSafe;
use std::sync::{Arc, Mutex};

use cyberark_runtime::Error;
use futures::FutureExt;
use pyo3::prelude::*;
use pyo3::sync::PyOnceLock;
use pyo3::types::PyCFunction;

use crate::lifecycle::{attach, tokio};
use crate::runtime::IntoPy;
use crate::wait::{Call, Caller, lock, panicked};

/// Turns a future of the Rust client into an awaitable of the running event loop whose result
/// is converted by [`IntoPy`] once the value is back on a thread holding the GIL.
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
/// exiting interpreter); `convert` makes the Python outcome on a thread holding the GIL.
pub fn spawn<'py, T, F, C>(py: Python<'py>, future: F, convert: C) -> PyResult<Bound<'py, PyAny>>
where
    F: Future<Output = T> + Send + 'static,
    T: Send + 'static,
    C: FnOnce(Python<'_>, T, &Call) -> PyResult<Py<PyAny>> + Send + 'static,
{
    let event_loop = py.import("asyncio")?.call_method0("get_running_loop")?;
    let context = py.import("contextvars")?.call_method0("copy_context")?;
    let awaitable = event_loop.call_method0("create_future")?;
    let call = Call::new(Caller::Loop {
        event_loop: Arc::new(event_loop.clone().unbind()),
        context: Arc::new(context.unbind()),
    });
    let target = Target {
        event_loop: event_loop.unbind(),
        awaitable: awaitable.clone().unbind(),
    };
    let task = tokio().spawn(async move {
        let outcome = call
            .clone()
            .scope(AssertUnwindSafe(future).catch_unwind())
            .await;
        target.deliver(move |py| match outcome {
            Ok(output) => convert(py, output, &call),
            Err(payload) => Err(panicked(payload.as_ref())),
        });
    });
    let abort = Mutex::new(Some(task.abort_handle()));
    // Done for any reason: a cancelled awaitable aborts the request; a finished one has nothing
    // left to abort.
    let on_done = PyCFunction::new_closure(py, None, None, move |_args, _kwargs| {
        if let Some(handle) = lock(&abort).take() {
            handle.abort();
        }
    })?;
    awaitable.call_method1("add_done_callback", (on_done,))?;
    Ok(awaitable)
}

/// An awaitable of the running loop that is already resolved to `value` (`__aenter__`,
/// `__aexit__`).
pub fn ready<'py>(py: Python<'py>, value: Py<PyAny>) -> PyResult<Bound<'py, PyAny>> {
    let event_loop = py.import("asyncio")?.call_method0("get_running_loop")?;
    let awaitable = event_loop.call_method0("create_future")?;
    awaitable.call_method1("set_result", (value,))?;
    Ok(awaitable)
}

/// Where an outcome goes: a future of an event loop.
struct Target {
    event_loop: Py<PyAny>,
    awaitable: Py<PyAny>,
}

impl Target {
    /// Hands the outcome `make` builds to the loop, if the loop and the interpreter are still
    /// there to take it.
    fn deliver(self, make: impl FnOnce(Python<'_>) -> PyResult<Py<PyAny>>) {
        attach(|py| {
            let event_loop = self.event_loop.bind(py);
            let closed = event_loop
                .call_method0("is_closed")
                .and_then(|c| c.is_truthy())
                .unwrap_or(true);
            if closed {
                return;
            }
            let (ok, value) = match make(py) {
                Ok(value) => (true, value),
                Err(error) => (false, error.into_value(py).into_any()),
            };
            let Ok(resolve) = resolver(py) else { return };
            // A loop that closed since the check above refuses with RuntimeError; then nobody is
            // left to receive the outcome.
            let _ = event_loop.call_method1(
                "call_soon_threadsafe",
                (resolve, self.awaitable.clone_ref(py), ok, value),
            );
        });
    }
}

/// `cyberark_identity._callbacks.resolve`, which sets a future's outcome unless it is done.
fn resolver(py: Python<'_>) -> PyResult<&Bound<'_, PyAny>> {
    static RESOLVE: PyOnceLock<Py<PyAny>> = PyOnceLock::new();
    RESOLVE
        .get_or_try_init(py, || {
            Ok::<_, PyErr>(
                py.import("cyberark_identity._callbacks")?
                    .getattr("resolve")?
                    .unbind(),
            )
        })
        .map(|f| f.bind(py))
}
