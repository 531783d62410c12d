//! Awaitables of `AsyncClient`: a future of the Rust client runs on the shared runtime and its
//! outcome is handed to the caller's event loop.
//!
//! The rules that keep a program's exit clean:
//! - Cancelling the task that awaits a call (`task.cancel()`, `asyncio.wait_for`, the end of
//!   `asyncio.run`) cancels the call's waiter, which aborts the Rust future at once: the request
//!   in flight is abandoned and its connection closed, and nothing is delivered later.
//! - An outcome is converted to Python and set on its awaitable only on the loop's own thread,
//!   inside a callback of the running loop; a loop that has closed never runs it, so nothing is
//!   delivered to a closed loop.
//!
//! How outcomes reach the loop (the [`inbox`] module): a finished call does not take the GIL.
//! It puts its outcome, still a Rust value, in the loop's inbox, and only the call that finds
//! the inbox empty wakes the loop, by writing one byte to a socket the loop watches with
//! `add_reader`. The loop then converts and settles every outcome that arrived meanwhile in one
//! callback, and wakes the task awaiting each one right there. So a burst of completions costs
//! one wakeup of the loop thread and no further turn of the loop, and the runtime's worker
//! threads never wait for the GIL the loop holds.
//!
//! What a call returns (the [`waiter`] module) is an awaitable of this package, not an
//! `asyncio.Future`: the task awaiting it waits on a future-like implemented in Rust, so a
//! completion sets a Rust field and schedules the task's wakeup, with no done-callback of its
//! own to abort the request and no Python method calls on the way. `benches/FINDINGS.md`
//! records the designs measured.

mod inbox;
mod waiter;

use std::future::Future;
use std::panic::AssertUnwindSafe;
use std::sync::Arc;

use cyberark_runtime::Error;
use futures::FutureExt;
use pyo3::intern;
use pyo3::prelude::*;
use pyo3::sync::PyOnceLock;

use crate::lifecycle::tokio;
use crate::runtime::IntoPy;
use crate::wait::{Call, Caller, panicked};
use waiter::{Pending, Waiter};

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
    let event_loop = Arc::new(event_loop.unbind());
    let waiter = Bound::new(py, Waiter::new(Arc::clone(&event_loop)))?;
    let call = Call::new(Caller::Loop {
        event_loop,
        context: Arc::new(context.unbind()),
    });
    let target = waiter.clone().unbind();
    // Boxed: the call's future is large (every state of the request it sends), and a boxed
    // one crosses tokio's spawn path as a pointer instead of being copied into the task.
    let task = tokio().spawn(Box::pin(async move {
        let outcome = call
            .clone()
            .scope(AssertUnwindSafe(future).catch_unwind())
            .await;
        inbox.post(Box::new(move |py| {
            let made = match outcome {
                Ok(output) => convert(py, output, &call),
                Err(payload) => Err(panicked(payload.as_ref())),
            };
            Waiter::settle(target.bind(py), made)
        }));
    }));
    // Cancelling the waiter (the task awaiting it was cancelled) aborts the request. The GIL is
    // held from the spawn to here, so the outcome cannot be settled before the handle is set.
    waiter.get().set_abort(task.abort_handle());
    Ok(Bound::new(py, Pending::new(waiter.unbind()))?.into_any())
}

/// An awaitable of the running loop that is already resolved to `value` (`__aenter__`,
/// `__aexit__`).
pub fn ready<'py>(py: Python<'py>, value: Py<PyAny>) -> PyResult<Bound<'py, PyAny>> {
    let event_loop = running_loop(py)?;
    let awaitable = event_loop.call_method0(intern!(py, "create_future"))?;
    awaitable.call_method1(intern!(py, "set_result"), (value,))?;
    Ok(awaitable)
}

/// How many outcomes are waiting in the inbox of the running loop, not yet taken by it; the
/// tests use it to hand the loop a batch of a known size.
#[pyfunction]
#[pyo3(name = "_inbox_waiting")]
pub fn inbox_waiting(py: Python<'_>) -> PyResult<usize> {
    Ok(inbox::of(&running_loop(py)?)?.waiting())
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
