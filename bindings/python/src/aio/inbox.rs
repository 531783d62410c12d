//! The inbox of one event loop: outcomes of finished calls waiting to be settled on the loop's
//! thread, and the one wakeup that tells the loop they are there.
//!
//! A runtime thread posts a [`Completion`] without the GIL. The post that finds the inbox empty
//! wakes the loop; later posts only add to the batch until the loop takes it. The loop takes
//! the whole batch in one callback, [`Drain`], and runs every completion there, holding the GIL
//! once for all of them.
//!
//! A completion wakes the task awaiting its call right there, inside the drain (see
//! [`super::waiter`]), so a task step can raise `KeyboardInterrupt` or `SystemExit` out of the
//! drain. The completions of the batch not yet run then go back to the front of the inbox, with
//! a wakeup, before the exception leaves: the loop lets it out of `run_until_complete` as it
//! would from any callback, and delivers the rest of the batch whenever it runs again.
//!
//! The wakeup is a byte written to one end of a socket pair whose other end the loop watches
//! with `add_reader`, so waking the loop needs no GIL either. A loop without `add_reader`
//! (the proactor loop on Windows, or a custom loop) is woken with `call_soon_threadsafe`
//! instead, which takes the GIL once per batch rather than once per call.
//!
//! Why no wakeup is lost: the loop empties the socket before it takes the batch, and a poster
//! that found the inbox empty writes its byte after its completion is in. So a completion still
//! in the inbox after a drain always has a byte written after that drain's read, and the loop
//! runs the drain again.

use std::sync::{Arc, Mutex};

use pyo3::intern;
use pyo3::prelude::*;
use pyo3::types::PyWeakrefReference;

use crate::lifecycle::{attach, forked_since, process_id};
use crate::wait::lock;

/// Work for the loop's thread: converts one outcome, settles its awaitable and wakes whoever
/// waits on it. Fails only with an exception the loop must let out (`KeyboardInterrupt`,
/// `SystemExit`).
pub type Completion = Box<dyn FnOnce(Python<'_>) -> PyResult<()> + Send>;

/// How an inbox wakes its loop.
enum Wake {
    /// One end of a socket pair the loop watches; both ends live as long as the inbox, so a
    /// write never meets a closed peer.
    #[cfg(unix)]
    Socket {
        writer: std::os::unix::net::UnixStream,
        reader: std::os::unix::net::UnixStream,
    },
    /// `loop.call_soon_threadsafe(drain)`, for loops without `add_reader`.
    Call { event_loop: Py<PyAny> },
}

/// The outcomes waiting for one loop.
pub struct Inbox {
    queue: Mutex<Vec<Completion>>,
    wake: Wake,
}

impl Inbox {
    /// Hands `completion` to the loop. Takes no GIL unless the loop has no `add_reader`.
    pub fn post(self: &Arc<Self>, completion: Completion) {
        let first = {
            let mut queue = lock(&self.queue);
            queue.push(completion);
            queue.len() == 1
        };
        if first {
            self.wake();
        }
    }

    fn wake(self: &Arc<Self>) {
        match &self.wake {
            #[cfg(unix)]
            Wake::Socket { writer, .. } => {
                use std::io::Write;
                // A full socket already holds unread bytes, so the loop will wake anyway; any
                // other error leaves nothing to do (the loop is gone).
                let _ = (&*writer).write(&[1]);
            }
            Wake::Call { event_loop } => {
                let drain = Drain {
                    inbox: Arc::clone(self),
                };
                // Nothing enters Python once the interpreter is exiting; a loop that closed
                // refuses with RuntimeError, and then nobody is left to receive the outcomes.
                attach(|py| {
                    let _ = event_loop
                        .bind(py)
                        .call_method1(intern!(py, "call_soon_threadsafe"), (drain,));
                });
            }
        }
    }

    /// Empties the wakeup socket, then runs every completion posted so far. If one raises (an
    /// interrupt), the ones after it go back to the front of the inbox before it is re-raised.
    fn drain(self: &Arc<Self>, py: Python<'_>) -> PyResult<()> {
        #[cfg(unix)]
        if let Wake::Socket { reader, .. } = &self.wake {
            use std::io::Read;
            let mut sink = [0u8; 256];
            while matches!((&*reader).read(&mut sink), Ok(n) if n > 0) {}
        }
        let mut batch = std::mem::take(&mut *lock(&self.queue)).into_iter();
        while let Some(completion) = batch.next() {
            if let Err(interrupt) = completion(py) {
                self.put_back(batch.collect());
                return Err(interrupt);
            }
        }
        Ok(())
    }

    /// Puts `rest`, the undelivered part of a batch, before anything posted since, and wakes
    /// the loop so it takes them the next time it runs.
    fn put_back(self: &Arc<Self>, mut rest: Vec<Completion>) {
        if rest.is_empty() {
            return;
        }
        {
            let mut queue = lock(&self.queue);
            rest.append(&mut queue);
            *queue = rest;
        }
        self.wake();
    }

    /// How many completions are waiting.
    pub fn waiting(&self) -> usize {
        lock(&self.queue).len()
    }
}

/// The callback the loop runs to take a batch.
#[pyclass(frozen, module = "cyberark_identity._native", name = "_DrainInbox")]
struct Drain {
    inbox: Arc<Inbox>,
}

#[pymethods]
impl Drain {
    fn __call__(&self, py: Python<'_>) -> PyResult<()> {
        self.inbox.drain(py)
    }
}

/// The inbox of a loop this thread runs: a weak reference to the loop (so a new loop at the same
/// address is never mistaken for it), the process it was made in, and the inbox.
struct Remembered {
    event_loop: Py<PyWeakrefReference>,
    pid: u32,
    inbox: Arc<Inbox>,
}

impl Remembered {
    /// The loop, if it is still alive, open and of this process.
    fn live<'py>(&self, py: Python<'py>) -> Option<Bound<'py, PyAny>> {
        if forked_since(self.pid) {
            return None;
        }
        self.event_loop.bind(py).upgrade()
    }
}

thread_local! {
    /// The inboxes of the loops this thread has run. A thread runs one loop at a time, usually
    /// one after another, so this holds one or two entries; entries of loops that closed or
    /// died are dropped whenever a new loop is added, so a thread that alternates between loops
    /// keeps one inbox (one socket pair) per open loop, not one per switch.
    static KNOWN: std::cell::RefCell<Vec<Remembered>> = const { std::cell::RefCell::new(Vec::new()) };
}

/// The inbox of `event_loop` (the running loop of this thread), made on first use.
pub fn of(event_loop: &Bound<'_, PyAny>) -> PyResult<Arc<Inbox>> {
    let py = event_loop.py();
    let known = KNOWN.with(|known| {
        known.borrow().iter().find_map(|remembered| {
            let same = remembered.live(py).is_some_and(|l| l.is(event_loop));
            same.then(|| Arc::clone(&remembered.inbox))
        })
    });
    if let Some(inbox) = known {
        return Ok(inbox);
    }
    let inbox = open(event_loop)?;
    let remembered = Remembered {
        event_loop: PyWeakrefReference::new(event_loop)?.unbind(),
        pid: process_id(),
        inbox: Arc::clone(&inbox),
    };
    // Entries of loops that are gone or closed (`is_closed` is asked outside the borrow, since
    // it is Python code) are dropped here, with the GIL held.
    let entries = KNOWN.with(|known| std::mem::take(&mut *known.borrow_mut()));
    let mut kept: Vec<Remembered> = entries
        .into_iter()
        .filter(|remembered| {
            remembered.live(py).is_some_and(|l| {
                !l.call_method0(intern!(py, "is_closed"))
                    .and_then(|c| c.is_truthy())
                    .unwrap_or(true)
            })
        })
        .collect();
    kept.push(remembered);
    KNOWN.with(|known| known.borrow_mut().extend(kept));
    Ok(inbox)
}

/// Makes an inbox for `event_loop` and registers its wakeup with the loop.
fn open(event_loop: &Bound<'_, PyAny>) -> PyResult<Arc<Inbox>> {
    #[cfg(unix)]
    if let Some(inbox) = open_socket(event_loop)? {
        return Ok(inbox);
    }
    Ok(Arc::new(Inbox {
        queue: Mutex::new(Vec::new()),
        wake: Wake::Call {
            event_loop: event_loop.clone().unbind(),
        },
    }))
}

/// An inbox woken through a socket pair the loop watches, or `None` if the loop has no
/// `add_reader` (it raises `NotImplementedError`).
#[cfg(unix)]
fn open_socket(event_loop: &Bound<'_, PyAny>) -> PyResult<Option<Arc<Inbox>>> {
    use std::os::fd::AsRawFd;

    let py = event_loop.py();
    let socket_error = |e: std::io::Error| {
        pyo3::exceptions::PyOSError::new_err(format!(
            "cannot make the wakeup socket of the event loop: {e}"
        ))
    };
    let (writer, reader) = std::os::unix::net::UnixStream::pair().map_err(socket_error)?;
    writer.set_nonblocking(true).map_err(socket_error)?;
    reader.set_nonblocking(true).map_err(socket_error)?;
    let fd = reader.as_raw_fd();
    let inbox = Arc::new(Inbox {
        queue: Mutex::new(Vec::new()),
        wake: Wake::Socket { writer, reader },
    });
    let drain = Drain {
        inbox: Arc::clone(&inbox),
    };
    match event_loop.call_method1(intern!(py, "add_reader"), (fd, drain)) {
        Ok(_) => Ok(Some(inbox)),
        Err(e) if e.is_instance_of::<pyo3::exceptions::PyNotImplementedError>(py) => Ok(None),
        Err(e) => Err(e),
    }
}
