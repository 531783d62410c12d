//! The `mfa=` callback: a Python callable that answers MFA challenges during sign-in.
//!
//! It runs where the caller runs: on the calling thread for `Client` (the sign-in's future is
//! polled there), and in the caller's event loop and context for `AsyncClient`, where a coroutine
//! function is awaited as a task. What it raises is kept with the call and chained to the
//! `AuthenticationError` (a `KeyboardInterrupt` goes through as it is). A call of the same
//! client from inside the callback is refused (`RuntimeError`): the sign-in it would wait for is
//! the one the callback holds up.
//!
//! The callable lives in a [`CallbackSlot`] owned by the client's core object, which reports it
//! to the garbage collector and drops it on `close()`; the Rust client only reaches it through
//! the slot, so a callback that refers back to its client forms a cycle the collector can see.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};

use cyberark_runtime::{Error, MfaAnswer, MfaChallenge, MfaHandler, Secret};
use futures::future::BoxFuture;
use pyo3::exceptions::PyRuntimeError;
use pyo3::prelude::*;
use pyo3::types::PyDict;
use tokio::sync::oneshot;

use crate::lifecycle::attach;
use crate::wait::{Call, Caller, Job, Mailbox, allow_nested, current_call, lock};

/// The module of the Python half of this bridge.
const GLUE: &str = "cyberark_identity._callbacks";

/// How many callbacks run right now, process-wide; while none does, a call skips the re-entry
/// check.
static RUNNING: AtomicUsize = AtomicUsize::new(0);

/// The callable of one client, and that client's id for the re-entry check.
pub struct CallbackSlot {
    client_id: u64,
    callback: Mutex<Option<Py<PyAny>>>,
}

impl CallbackSlot {
    /// A slot holding `callback` for the client `client_id`.
    pub fn new(client_id: u64, callback: Py<PyAny>) -> Arc<Self> {
        Arc::new(CallbackSlot {
            client_id,
            callback: Mutex::new(Some(callback)),
        })
    }

    /// Reports the callable to the garbage collector. Skipped while the slot is locked (the
    /// collector then sees one reference less and keeps the objects, which is safe).
    pub fn traverse(&self, visit: &pyo3::PyVisit<'_>) -> Result<(), pyo3::PyTraverseError> {
        if let Ok(callback) = self.callback.try_lock()
            && let Some(callback) = callback.as_ref()
        {
            visit.call(callback)?;
        }
        Ok(())
    }

    /// Drops the callable (on `close()` and when the collector breaks a cycle).
    pub fn clear(&self) -> Option<Py<PyAny>> {
        lock(&self.callback).take()
    }

    /// The handler the Rust client calls.
    pub fn handler(self: &Arc<Self>) -> impl MfaHandler + 'static {
        PyMfaHandler {
            slot: Arc::clone(self),
            call: None,
        }
    }

    fn callable(&self, py: Python<'_>) -> PyResult<Py<PyAny>> {
        lock(&self.callback)
            .as_ref()
            .map(|c| c.clone_ref(py))
            .ok_or_else(|| PyRuntimeError::new_err("the client was closed during its sign-in"))
    }
}

/// Refuses a call of client `client_id` from inside that client's own `mfa` callback.
pub fn check_reentry(py: Python<'_>, client_id: u64) -> PyResult<()> {
    if RUNNING.load(Ordering::SeqCst) == 0 {
        return Ok(());
    }
    let active = py.import(GLUE)?.getattr("ACTIVE")?.call_method0("get")?;
    if active.contains(client_id)? {
        return Err(PyRuntimeError::new_err(
            "the client was called from inside its own mfa callback; that call would wait \
             forever for the sign-in the callback is answering. Answer the challenge without \
             this client (another client is fine)",
        ));
    }
    Ok(())
}

/// Counts a running callback for as long as it lives.
struct Running;

impl Running {
    fn start() -> Self {
        RUNNING.fetch_add(1, Ordering::SeqCst);
        Running
    }
}

impl Drop for Running {
    fn drop(&mut self) {
        RUNNING.fetch_sub(1, Ordering::SeqCst);
    }
}

/// One MFA mechanism the tenant offers, as shown to the `mfa` callback.
#[pyclass(frozen, module = "cyberark_identity._native", name = "MfaChallenge")]
pub struct PyMfaChallenge(MfaChallenge);

#[pymethods]
impl PyMfaChallenge {
    /// The mechanism's name: `OTP`, `EMAIL`, `SMS`, `OATH`, `SQ`, `U2F`, `PF`, …
    #[getter]
    fn mechanism(&self) -> &str {
        &self.0.mechanism
    }

    /// The mechanism's `AnswerType`: `Text`, `StartTextOob`, `StartOob`, …
    #[getter]
    fn answer_type(&self) -> &str {
        &self.0.answer_type
    }

    /// The text to show the user.
    #[getter]
    fn prompt(&self) -> &str {
        &self.0.prompt
    }

    /// The mechanism's `MechanismId`.
    #[getter]
    fn mechanism_id(&self) -> &str {
        &self.0.mechanism_id
    }

    /// The user logging in.
    #[getter]
    fn user(&self) -> &str {
        &self.0.user
    }

    /// Whether the mechanism is out of band, so the callback may return `None` to wait.
    #[getter]
    fn can_poll(&self) -> bool {
        self.0.can_poll()
    }

    fn __repr__(&self) -> String {
        format!(
            "MfaChallenge(mechanism={:?}, answer_type={:?}, user={:?})",
            self.0.mechanism, self.0.answer_type, self.0.user
        )
    }
}

/// Carries the outcome of an async callback from the event loop back to the sign-in.
#[pyclass(frozen, module = "cyberark_identity._native", name = "_MfaReply")]
struct MfaReply {
    sender: Mutex<Option<oneshot::Sender<PyResult<Option<String>>>>>,
}

#[pymethods]
impl MfaReply {
    /// The callback's answer (already checked to be `str` or `None`).
    fn ok(&self, answer: Option<String>) {
        if let Some(sender) = lock(&self.sender).take() {
            let _ = sender.send(Ok(answer));
        }
    }

    /// What the callback raised.
    fn fail(&self, error: Bound<'_, PyAny>) {
        if let Some(sender) = lock(&self.sender).take() {
            let _ = sender.send(Err(PyErr::from_value(error)));
        }
    }
}

/// Answers MFA challenges by calling the Python callable of a [`CallbackSlot`]: a `str` is the
/// code, `None` waits for an out-of-band approval, an exception cancels the login.
///
/// The sign-in runs as a task of its own, so the handler is bound to the call that started it
/// ([`MfaHandler::for_caller`]) and answers where that call waits.
struct PyMfaHandler {
    slot: Arc<CallbackSlot>,
    /// The call that started the sign-in, if it came through [`crate::wait::block_on`] or an
    /// awaitable.
    call: Option<Call>,
}

impl MfaHandler for PyMfaHandler {
    fn for_caller(&self) -> Option<Arc<dyn MfaHandler>> {
        Some(Arc::new(PyMfaHandler {
            slot: Arc::clone(&self.slot),
            call: current_call(),
        }))
    }

    fn answer<'a>(
        &'a self,
        challenge: &'a MfaChallenge,
    ) -> BoxFuture<'a, Result<MfaAnswer, Error>> {
        let slot = Arc::clone(&self.slot);
        let challenge = challenge.clone();
        Box::pin(async move {
            let call = self.call.clone().or_else(current_call);
            let outcome = match call.as_ref().map(|c| c.caller.clone()) {
                // The calling thread waits in `block_on`: hand it the callback, so it runs
                // there; if that call is no longer waiting, run it on this (blocking) thread.
                Some(Caller::Blocking) => {
                    let mailbox = call.as_ref().map(|c| Arc::clone(&c.mailbox));
                    on_calling_thread(&slot, challenge, mailbox).await
                }
                Some(Caller::Loop {
                    event_loop,
                    context,
                }) => run_in_loop(&slot, challenge, &event_loop, &context).await,
                // A call that came another way (a page iterator): a thread of its own.
                None => {
                    let slot = Arc::clone(&slot);
                    tokio::task::spawn_blocking(move || run_here(&slot, challenge))
                        .await
                        .unwrap_or_else(|_| {
                            Err(PyRuntimeError::new_err("the mfa callback's thread failed"))
                        })
                }
            };
            Ok(match outcome {
                Ok(Some(code)) => MfaAnswer::Text(Secret::from(code)),
                Ok(None) => MfaAnswer::Poll,
                Err(error) => {
                    match call {
                        Some(call) => call.fail(error),
                        None => {
                            tracing::warn!(target: "cyberark_runtime", "the mfa callback failed, cancelling the login")
                        }
                    }
                    MfaAnswer::Cancel
                }
            })
        })
    }
}

/// Runs the callback on the thread waiting in `mailbox`'s call, or, when that call has
/// returned, on this thread (the client asks its handler on a blocking thread).
async fn on_calling_thread(
    slot: &Arc<CallbackSlot>,
    challenge: MfaChallenge,
    mailbox: Option<Arc<Mailbox>>,
) -> PyResult<Option<String>> {
    let Some(mailbox) = mailbox else {
        return run_here(slot, challenge);
    };
    let (sender, receiver) = oneshot::channel();
    let job_slot = Arc::clone(slot);
    let job_challenge = challenge.clone();
    let job: Job = Box::new(move || {
        let _ = sender.send(run_here(&job_slot, job_challenge));
    });
    if mailbox.post(job).is_err() {
        return run_here(slot, challenge);
    }
    match receiver.await {
        Ok(answer) => answer,
        // The call returned before its thread ran the callback.
        Err(_) => run_here(slot, challenge),
    }
}

/// Runs the callback on this thread.
fn run_here(slot: &CallbackSlot, challenge: MfaChallenge) -> PyResult<Option<String>> {
    let _running = Running::start();
    allow_nested(|| {
        attach(|py| {
            let callback = slot.callable(py)?;
            py.import(GLUE)?
                .getattr("run_sync")?
                .call1((callback, PyMfaChallenge(challenge), slot.client_id))?
                .extract::<Option<String>>()
        })
    })
    .unwrap_or_else(|| Err(exiting()))
}

/// Schedules the callback in the caller's loop and context, and waits for its answer.
async fn run_in_loop(
    slot: &CallbackSlot,
    challenge: MfaChallenge,
    event_loop: &Py<PyAny>,
    context: &Py<PyAny>,
) -> PyResult<Option<String>> {
    let _running = Running::start();
    let (sender, receiver) = oneshot::channel();
    let scheduled = attach(|py| -> PyResult<()> {
        let callback = slot.callable(py)?;
        let reply = Py::new(
            py,
            MfaReply {
                sender: Mutex::new(Some(sender)),
            },
        )?;
        let start = py.import(GLUE)?.getattr("start_async")?;
        let kwargs = PyDict::new(py);
        kwargs.set_item("context", context.bind(py))?;
        event_loop.bind(py).call_method(
            "call_soon_threadsafe",
            (
                start,
                callback,
                PyMfaChallenge(challenge),
                slot.client_id,
                reply,
            ),
            Some(&kwargs),
        )?;
        Ok(())
    });
    match scheduled {
        None => Err(exiting()),
        Some(Err(error)) => Err(error),
        Some(Ok(())) => receiver.await.unwrap_or_else(|_| {
            Err(PyRuntimeError::new_err(
                "the event loop closed before the mfa callback answered",
            ))
        }),
    }
}

fn exiting() -> PyErr {
    PyRuntimeError::new_err("the interpreter is exiting; the mfa callback was not called")
}
