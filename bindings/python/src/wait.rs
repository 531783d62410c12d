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

/// What one call carries along its future: who called, an exception of the `mfa` callback to
/// chain to (or re-raise instead of) the call's error, and, for a blocking call, the mailbox
/// through which work reaches the calling thread.
#[derive(Clone)]
pub struct Call {
    /// Who made the call.
    pub caller: Caller,
    /// The exception the `mfa` callback raised, if it did.
    pub failure: Arc<Mutex<Option<PyErr>>>,
    /// Work to run on the calling thread while it waits (blocking calls only).
    pub mailbox: Arc<Mailbox>,
}

/// A piece of work for the calling thread: the `mfa` callback of a sign-in that runs as a task
/// of its own, yet must answer on the thread of the call that started it.
pub type Job = Box<dyn FnOnce() + Send>;

/// Work handed to a blocking call's thread. The thread runs it between two slices of its wait;
/// once the call has returned, the mailbox is closed and work is refused (and then runs where it
/// was posted from).
#[derive(Default)]
pub struct Mailbox {
    jobs: Mutex<Option<Vec<Job>>>,
    posted: tokio::sync::Notify,
}

impl Mailbox {
    fn open() -> Self {
        Mailbox {
            jobs: Mutex::new(Some(Vec::new())),
            posted: tokio::sync::Notify::new(),
        }
    }

    /// Hands `job` to the waiting thread; gives it back if the call is no longer waiting.
    pub fn post(&self, job: Job) -> Result<(), Job> {
        match lock(&self.jobs).as_mut() {
            Some(jobs) => {
                jobs.push(job);
                self.posted.notify_one();
                Ok(())
            }
            None => Err(job),
        }
    }

    fn take(&self) -> Vec<Job> {
        lock(&self.jobs)
            .as_mut()
            .map(std::mem::take)
            .unwrap_or_default()
    }

    /// Refuses further work and returns what was posted but not run.
    fn close(&self) -> Vec<Job> {
        lock(&self.jobs).take().unwrap_or_default()
    }
}

impl Call {
    /// A call from `caller` with nothing failed yet.
    pub fn new(caller: Caller) -> Self {
        let mailbox = match caller {
            Caller::Blocking => Mailbox::open(),
            Caller::Loop { .. } => Mailbox::default(),
        };
        Call {
            caller,
            failure: Arc::new(Mutex::new(None)),
            mailbox: Arc::new(mailbox),
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
    let waited = wait_with(py, call.clone().scope(future), Some(&call.mailbox));
    // Work posted too late to run here is dropped; whoever posted it runs it itself.
    drop(call.mailbox.close());
    match waited? {
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
    wait_with(py, future, None)
}

/// [`wait`], also running the work posted to `mailbox` on this thread as it arrives.
fn wait_with<F>(py: Python<'_>, future: F, mailbox: Option<&Mailbox>) -> PyResult<F::Output>
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
            let step = runtime.block_on(async {
                let posted = async {
                    match mailbox {
                        Some(mailbox) => mailbox.posted.notified().await,
                        None => std::future::pending().await,
                    }
                };
                tokio::select! {
                    output = future.as_mut() => Some(output),
                    () = posted => None,
                    () = tokio::time::sleep(SLICE) => None,
                }
            });
            NESTING_ALLOWED.with(|n| n.set(before));
            step
        });
        match step {
            Some(Ok(output)) => return Ok(output),
            Some(Err(payload)) => return Err(panicked(payload.as_ref())),
            None => {
                // Outside the runtime and holding the GIL: the `mfa` callback runs here.
                for job in mailbox.map(Mailbox::take).unwrap_or_default() {
                    job();
                }
                py.check_signals()?;
            }
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
