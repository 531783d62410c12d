//! The process around the package: one tokio runtime per process (rebuilt in a forked child),
//! and a gate that keeps runtime threads out of Python once the interpreter starts to exit.
//!
//! A forked child inherits the parent's memory but only the thread that called `fork()`: the
//! runtime's worker threads, its I/O driver and every connection registered with it are gone, and
//! a lock one of those threads held stays locked forever. So the child never touches the parent's
//! runtime: [`tokio`] notices the new process id and builds a fresh runtime, and whatever the
//! child inherited that belongs to the old one is leaked rather than dropped (dropping it could
//! take one of those dead locks).
//!
//! Threads of the runtime call into Python to deliver results and run callbacks. Once the
//! interpreter is finalizing, attaching a thread to it can crash the process (CPython ends such a
//! thread with `pthread_exit`, which unwinds through Rust frames and aborts). An `atexit` hook
//! closes [`attach`] first and waits for the threads already inside it.

use std::sync::atomic::{AtomicBool, AtomicPtr, AtomicU32, AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use pyo3::prelude::*;

/// The runtime of one process, tagged with that process's id.
struct Slot {
    pid: u32,
    runtime: tokio::runtime::Runtime,
}

/// The current process's runtime. Slots are leaked, never freed, so a pointer read from here is
/// valid for the life of the process; a lock-free pointer also cannot be inherited locked by a
/// forked child.
static SLOT: AtomicPtr<Slot> = AtomicPtr::new(std::ptr::null_mut());

/// The tokio runtime of this process: every client, iterator and sandbox of the process shares
/// it, so connection pools and token caches stay alive across calls. In a forked child the first
/// use builds a new one.
pub fn tokio() -> &'static tokio::runtime::Runtime {
    let pid = process_id();
    let current = SLOT.load(Ordering::Acquire);
    // SAFETY: a non-null pointer in SLOT comes from `Box::into_raw` below and is never freed.
    if let Some(slot) = unsafe { current.as_ref() }
        && slot.pid == pid
    {
        return &slot.runtime;
    }
    let fresh = Box::into_raw(Box::new(Slot {
        pid,
        runtime: build_runtime(),
    }));
    match SLOT.compare_exchange(current, fresh, Ordering::AcqRel, Ordering::Acquire) {
        // The previous slot, the parent's if any, is leaked on purpose (see the module docs).
        // SAFETY: `fresh` was just leaked and is now owned by SLOT for good.
        Ok(_) => unsafe { &(*fresh).runtime },
        Err(winner) => {
            // Another thread of this process built one first: use it, and stop ours.
            // SAFETY: `fresh` never left this function; `winner` is a leaked slot as above.
            let ours = unsafe { Box::from_raw(fresh) };
            ours.runtime.shutdown_background();
            unsafe { &(*winner).runtime }
        }
    }
}

fn build_runtime() -> tokio::runtime::Runtime {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .thread_name("cyberark-identity")
        .build();
    match runtime {
        Ok(runtime) => runtime,
        // Without a runtime no call can run; there is nothing sensible to fall back to.
        Err(e) => panic!("cannot start the tokio runtime: {e}"),
    }
}

/// The id of this process, remembered: asking the kernel (`getpid`, a system call) on every
/// call was measurable at thousands of calls a second. Zero until first asked; the fork hook
/// ([`after_fork_in_child`]) sets the child's own id before any Python code runs in the child.
static PID: AtomicU32 = AtomicU32::new(0);

/// Whether this process was forked from the one that made something with [`process_id`].
pub fn forked_since(pid: u32) -> bool {
    pid != process_id()
}

/// The current process id, to remember where something was made.
///
/// A child forked through `os.fork` (and so `multiprocessing`) runs the package's fork hook
/// first and gets its own id. A fork that bypasses Python's fork hooks cannot run Python code
/// safely in the child anyway.
pub fn process_id() -> u32 {
    match PID.load(Ordering::Relaxed) {
        0 => {
            let pid = std::process::id();
            PID.store(pid, Ordering::Relaxed);
            pid
        }
        pid => pid,
    }
}

/// Set by the `atexit` hook: from then on no runtime thread enters Python.
static FINALIZING: AtomicBool = AtomicBool::new(false);

/// How many threads are inside [`attach`] right now.
static INSIDE: AtomicUsize = AtomicUsize::new(0);

/// How long the `atexit` hook waits for threads already inside [`attach`]: long enough for a
/// result to be delivered, short enough that a callback stuck in Python cannot hold up the exit.
const EXIT_GRACE: Duration = Duration::from_secs(2);

/// Runs `f` attached to the interpreter, unless it is exiting: then returns `None` and runs
/// nothing. Every thread of the runtime enters Python through here.
pub fn attach<R>(f: impl for<'py> FnOnce(Python<'py>) -> R) -> Option<R> {
    struct Leave;
    impl Drop for Leave {
        fn drop(&mut self) {
            // Saturating: a fork from inside `attach` resets the count in the child while this
            // thread is still inside.
            let _ = INSIDE.fetch_update(Ordering::SeqCst, Ordering::SeqCst, |n| n.checked_sub(1));
        }
    }
    INSIDE.fetch_add(1, Ordering::SeqCst);
    let _leave = Leave;
    if FINALIZING.load(Ordering::SeqCst) {
        return None;
    }
    Some(Python::attach(f))
}

/// Whether the interpreter has started to exit.
pub fn finalizing() -> bool {
    FINALIZING.load(Ordering::SeqCst)
}

/// The `atexit` hook: closes [`attach`], then lets the threads already inside finish.
#[pyfunction]
#[pyo3(name = "_at_exit")]
fn at_exit(py: Python<'_>) {
    FINALIZING.store(true, Ordering::SeqCst);
    py.detach(|| {
        let start = Instant::now();
        while INSIDE.load(Ordering::SeqCst) > 0 && start.elapsed() < EXIT_GRACE {
            std::thread::sleep(Duration::from_millis(1));
        }
    });
}

/// The `os.register_at_fork(after_in_child=...)` hook: the child has an id of its own, and
/// threads counted inside [`attach`] by the parent do not exist in the child.
#[pyfunction]
#[pyo3(name = "_after_fork_in_child")]
fn after_fork_in_child() {
    PID.store(std::process::id(), Ordering::Relaxed);
    INSIDE.store(0, Ordering::SeqCst);
}

/// Registers the hooks with `atexit` and `os.register_at_fork`.
pub fn install(module: &Bound<'_, PyModule>) -> PyResult<()> {
    let py = module.py();
    let exit_hook = wrap_pyfunction!(at_exit, module)?;
    let fork_hook = wrap_pyfunction!(after_fork_in_child, module)?;
    py.import("atexit")?
        .call_method1("register", (exit_hook,))?;
    let kwargs = pyo3::types::PyDict::new(py);
    kwargs.set_item("after_in_child", fork_hook)?;
    py.import("os")?
        .call_method("register_at_fork", (), Some(&kwargs))?;
    Ok(())
}
