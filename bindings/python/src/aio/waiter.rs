//! The awaitable of one call, implemented in Rust: what `AsyncClient` methods return, and the
//! future-like object an asyncio `Task` waits on while the call runs.
//!
//! `asyncio.Task` accepts any object with the future protocol it uses (`_asyncio_future_blocking`,
//! `get_loop`, `add_done_callback`, `cancel`, `result`), not only `asyncio.Future`. Settling
//! one of these costs less than an `asyncio.Future` of the loop: no second done-callback to abort
//! the request (cancelling the waiter aborts it directly), no method lookups on a Python object
//! per completion, and the awaiting task is woken at once, inside the inbox's drain, rather
//! than through a handle the loop runs on its next turn.
//!
//! Two objects, so that only the awaitable is visible: [`Pending`] is what a method returns and
//! has only `__await__`; [`Waiter`] is its iterator, the future-like the task sees. Keeping the
//! future protocol off the returned object means `asyncio.ensure_future`, `gather` and
//! `wait_for` wrap it in a `Task` of their own, as they would a coroutine, instead of relying on
//! the private parts of `asyncio.Future` they use on real futures.

use std::sync::{Arc, Mutex};

use pyo3::exceptions::{PyKeyboardInterrupt, PyStopIteration, PySystemExit};
use pyo3::intern;
use pyo3::prelude::*;
use pyo3::sync::PyOnceLock;
use pyo3::types::{PyDict, PyTuple};
use tokio::task::AbortHandle;

use crate::wait::lock;

/// What the call came to.
enum Outcome {
    /// Still running.
    Pending,
    /// Its result, converted.
    Value(Py<PyAny>),
    /// The exception it raises.
    Failed(PyErr),
    /// Cancelled, with the message given to `cancel`, if any.
    Cancelled(Option<Py<PyAny>>),
}

/// A callback registered with `add_done_callback`, and the context to run it in.
struct Callback {
    function: Py<PyAny>,
    context: Option<Py<PyAny>>,
}

/// The mutable part of a [`Waiter`]; every access holds the GIL, the lock only makes the type
/// `Sync` for pyo3 and is never held while Python code runs.
struct State {
    outcome: Outcome,
    /// The flag `asyncio.Task` sets and clears on a future-like it waits on.
    blocking: bool,
    callbacks: Vec<Callback>,
    /// Aborts the Rust task of the call; taken when the call is settled or cancelled.
    abort: Option<AbortHandle>,
}

/// The future-like of one call, bound to the loop the call was made on.
#[pyclass(frozen, module = "cyberark_identity._native", name = "_CallWaiter")]
pub struct Waiter {
    event_loop: Arc<Py<PyAny>>,
    state: Mutex<State>,
}

/// The awaitable an `AsyncClient` method returns. Awaiting it again after it finished gives the
/// same result again.
#[pyclass(frozen, module = "cyberark_identity._native", name = "_Call")]
pub struct Pending {
    waiter: Py<Waiter>,
}

#[pymethods]
impl Pending {
    fn __await__(&self, py: Python<'_>) -> Py<Waiter> {
        self.waiter.clone_ref(py)
    }
}

impl Pending {
    /// The awaitable of `waiter`.
    pub fn new(waiter: Py<Waiter>) -> Self {
        Pending { waiter }
    }
}

impl Waiter {
    /// A pending waiter of `event_loop`.
    pub fn new(event_loop: Arc<Py<PyAny>>) -> Self {
        Waiter {
            event_loop,
            state: Mutex::new(State {
                outcome: Outcome::Pending,
                blocking: false,
                callbacks: Vec::new(),
                abort: None,
            }),
        }
    }

    /// Remembers how to abort the call's Rust task.
    pub fn set_abort(&self, abort: AbortHandle) {
        lock(&self.state).abort = Some(abort);
    }

    /// Sets the outcome of the call, unless it was cancelled meanwhile, and runs the done
    /// callbacks at once. Runs on the loop's thread, inside the inbox's drain, a callback of the
    /// running loop: so waking the awaiting task here is what `call_soon` would do one turn of
    /// the loop later, without the handle and the turn. Fails only with a `KeyboardInterrupt` or
    /// `SystemExit` a callback raised, after scheduling the callbacks it had not run yet.
    pub fn settle(slf: &Bound<'_, Self>, outcome: PyResult<Py<PyAny>>) -> PyResult<()> {
        let callbacks = {
            let mut state = lock(&slf.get().state);
            if !matches!(state.outcome, Outcome::Pending) {
                return Ok(());
            }
            state.outcome = match outcome {
                Ok(value) => Outcome::Value(value),
                Err(error) => Outcome::Failed(error),
            };
            state.abort = None;
            std::mem::take(&mut state.callbacks)
        };
        let mut callbacks = callbacks.into_iter();
        while let Some(callback) = callbacks.next() {
            if let Err(interrupt) = run(slf, callback) {
                for callback in callbacks {
                    schedule(slf, callback);
                }
                return Err(interrupt);
            }
        }
        Ok(())
    }
}

#[pymethods]
impl Waiter {
    #[getter(_asyncio_future_blocking)]
    fn blocking(&self) -> bool {
        lock(&self.state).blocking
    }

    #[setter(_asyncio_future_blocking)]
    fn set_blocking(&self, value: bool) {
        lock(&self.state).blocking = value;
    }

    fn get_loop(&self, py: Python<'_>) -> Py<PyAny> {
        self.event_loop.clone_ref(py)
    }

    fn __await__(slf: Bound<'_, Self>) -> Bound<'_, Self> {
        slf
    }

    fn __iter__(slf: Bound<'_, Self>) -> Bound<'_, Self> {
        slf
    }

    /// Yields itself to the task while the call runs; afterwards ends the iteration with the
    /// result (`StopIteration(value)`), or raises the call's exception.
    fn __next__(slf: &Bound<'_, Self>) -> PyResult<Option<Py<PyAny>>> {
        let py = slf.py();
        let mut state = lock(&slf.get().state);
        match &state.outcome {
            Outcome::Pending => {
                state.blocking = true;
                Ok(Some(slf.clone().into_any().unbind()))
            }
            Outcome::Value(value) => Err(PyStopIteration::new_err((value.clone_ref(py),))),
            Outcome::Failed(error) => Err(error.clone_ref(py)),
            Outcome::Cancelled(message) => Err(cancelled_error(py, message.as_ref())),
        }
    }

    #[pyo3(signature = (callback, *, context = None))]
    fn add_done_callback(slf: &Bound<'_, Self>, callback: Py<PyAny>, context: Option<Py<PyAny>>) {
        let callback = Callback {
            function: callback,
            context,
        };
        let mut state = lock(&slf.get().state);
        if matches!(state.outcome, Outcome::Pending) {
            state.callbacks.push(callback);
        } else {
            drop(state);
            schedule(slf, callback);
        }
    }

    fn remove_done_callback(&self, callback: &Bound<'_, PyAny>) -> PyResult<usize> {
        let py = callback.py();
        let mut taken = std::mem::take(&mut lock(&self.state).callbacks);
        let before = taken.len();
        // Compared with `==`, as asyncio does, outside the lock: `__eq__` is Python code.
        let mut kept = Vec::with_capacity(before);
        for entry in taken.drain(..) {
            if !entry.function.bind(py).eq(callback)? {
                kept.push(entry);
            }
        }
        let removed = before - kept.len();
        lock(&self.state).callbacks.splice(0..0, kept);
        Ok(removed)
    }

    /// Cancels the call: aborts its Rust task (the request in flight is abandoned and its
    /// connection closed) and schedules the done callbacks. `False` if it had already finished.
    #[pyo3(signature = (msg = None))]
    fn cancel(slf: &Bound<'_, Self>, msg: Option<Py<PyAny>>) -> bool {
        let (callbacks, abort) = {
            let mut state = lock(&slf.get().state);
            if !matches!(state.outcome, Outcome::Pending) {
                return false;
            }
            state.outcome = Outcome::Cancelled(msg);
            (std::mem::take(&mut state.callbacks), state.abort.take())
        };
        if let Some(abort) = abort {
            abort.abort();
        }
        for callback in callbacks {
            schedule(slf, callback);
        }
        true
    }

    fn cancelled(&self) -> bool {
        matches!(lock(&self.state).outcome, Outcome::Cancelled(_))
    }

    fn done(&self) -> bool {
        !matches!(lock(&self.state).outcome, Outcome::Pending)
    }

    fn result(&self, py: Python<'_>) -> PyResult<Py<PyAny>> {
        match &lock(&self.state).outcome {
            Outcome::Pending => Err(invalid_state(py, "Result is not ready.")),
            Outcome::Value(value) => Ok(value.clone_ref(py)),
            Outcome::Failed(error) => Err(error.clone_ref(py)),
            Outcome::Cancelled(message) => Err(cancelled_error(py, message.as_ref())),
        }
    }

    fn exception(&self, py: Python<'_>) -> PyResult<Option<Py<PyAny>>> {
        match &lock(&self.state).outcome {
            Outcome::Pending => Err(invalid_state(py, "Exception is not set.")),
            Outcome::Value(_) => Ok(None),
            Outcome::Failed(error) => Ok(Some(error.value(py).clone().into_any().unbind())),
            Outcome::Cancelled(message) => Err(cancelled_error(py, message.as_ref())),
        }
    }
}

/// Runs one done callback now, in its context, with the rules of a callback the loop runs
/// (`asyncio.Handle._run`): a `KeyboardInterrupt` or `SystemExit` is returned to be raised, any
/// other exception goes to the loop's exception handler.
fn run(waiter: &Bound<'_, Waiter>, callback: Callback) -> PyResult<()> {
    let py = waiter.py();
    let function = callback.function.bind(py);
    let ran = match &callback.context {
        Some(context) => context
            .bind(py)
            .call_method1(intern!(py, "run"), (function, waiter))
            .map(drop),
        None => function.call1((waiter,)).map(drop),
    };
    match ran {
        Ok(()) => Ok(()),
        Err(error) if is_interrupt(py, &error) => Err(error),
        Err(error) => report(waiter, function, error),
    }
}

/// Whether the loop lets `error` out of a callback instead of reporting it.
fn is_interrupt(py: Python<'_>, error: &PyErr) -> bool {
    error.is_instance_of::<PyKeyboardInterrupt>(py) || error.is_instance_of::<PySystemExit>(py)
}

/// Hands what a callback raised to the loop's exception handler, as the loop does for its own
/// callbacks; the handler itself may only let an interrupt out.
fn report(waiter: &Bound<'_, Waiter>, function: &Bound<'_, PyAny>, error: PyErr) -> PyResult<()> {
    let py = waiter.py();
    let reported = (|| {
        let context = PyDict::new(py);
        let message = format!(
            "Exception in callback {}({})",
            function.repr()?,
            waiter.repr()?
        );
        context.set_item(intern!(py, "message"), message)?;
        context.set_item(intern!(py, "exception"), error.value(py))?;
        waiter
            .get()
            .event_loop
            .bind(py)
            .call_method1(intern!(py, "call_exception_handler"), (context,))
            .map(drop)
    })();
    match reported {
        Ok(()) => Ok(()),
        Err(failure) if is_interrupt(py, &failure) => Err(failure),
        Err(failure) => {
            failure.write_unraisable(py, Some(waiter.as_any()));
            Ok(())
        }
    }
}

/// `loop.call_soon(callback, waiter, context=context)`, as `asyncio.Future` schedules its done
/// callbacks. A loop that refuses (it closed meanwhile) leaves nobody to call back; the refusal
/// is reported as unraisable rather than lost.
fn schedule(waiter: &Bound<'_, Waiter>, callback: Callback) {
    let py = waiter.py();
    let event_loop = waiter.get().event_loop.bind(py);
    let args = PyTuple::new(
        py,
        [
            callback.function.bind(py).clone(),
            waiter.clone().into_any(),
        ],
    );
    let scheduled = args.and_then(|args| {
        let kwargs = match &callback.context {
            Some(context) => {
                let kwargs = PyDict::new(py);
                kwargs.set_item(intern!(py, "context"), context)?;
                Some(kwargs)
            }
            None => None,
        };
        event_loop.call_method(intern!(py, "call_soon"), args, kwargs.as_ref())
    });
    if let Err(error) = scheduled {
        error.write_unraisable(py, Some(waiter.as_any()));
    }
}

/// `asyncio.CancelledError(message)`.
fn cancelled_error(py: Python<'_>, message: Option<&Py<PyAny>>) -> PyErr {
    static CANCELLED: PyOnceLock<Py<pyo3::types::PyType>> = PyOnceLock::new();
    asyncio_error(
        py,
        &CANCELLED,
        "CancelledError",
        message.map(|m| m.clone_ref(py)),
    )
}

/// `asyncio.InvalidStateError(message)`.
fn invalid_state(py: Python<'_>, message: &str) -> PyErr {
    static INVALID: PyOnceLock<Py<pyo3::types::PyType>> = PyOnceLock::new();
    let message = pyo3::types::PyString::new(py, message).into_any().unbind();
    asyncio_error(py, &INVALID, "InvalidStateError", Some(message))
}

fn asyncio_error(
    py: Python<'_>,
    cell: &PyOnceLock<Py<pyo3::types::PyType>>,
    name: &str,
    message: Option<Py<PyAny>>,
) -> PyErr {
    match cell.import(py, "asyncio", name) {
        Ok(class) => match message {
            Some(message) => PyErr::from_type(class.clone(), (message,)),
            None => PyErr::from_type(class.clone(), ()),
        },
        Err(error) => error,
    }
}
