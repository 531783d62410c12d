//! Iterators over the items of pageable operations: `for row in client.x.y_iter(...)` and
//! `async for row in aclient.x.y_iter(...)`. Pages are fetched as the iteration needs them.
//!
//! Both iterators keep three promises whatever the caller does: an exhausted iterator keeps
//! saying so (`StopIteration` / `StopAsyncIteration`, the stream is fused), two threads or tasks
//! sharing one iterator each get distinct items, and an item that was fetched is never lost. The
//! last one matters for `__anext__`, whose awaitable the caller may cancel at any moment: the
//! async iterator fetches into a queue from a task of its own and hands an item out only in a
//! step that cannot be interrupted (see [`AsyncPageIterator::__anext__`]).

use std::collections::VecDeque;
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};

use cyberark_runtime::{Error, ItemStream};
use futures::stream::{BoxStream, Fuse};
use futures::{FutureExt, StreamExt};
use pyo3::exceptions::PyStopAsyncIteration;
use pyo3::prelude::*;
use pyo3::sync::PyOnceLock;
use pyo3::types::{PyTuple, PyType};

use crate::aio::spawn;
use crate::errors::{invalid_request, to_py_err};
use crate::runtime::{IntoPy, tokio};
use crate::wait::wait;

/// An item on its way to Python, converted only once a thread holds the GIL.
trait Item: Send {
    fn into_object(self: Box<Self>, py: Python<'_>) -> PyResult<Py<PyAny>>;
}

impl<T: IntoPy + Send> Item for T {
    fn into_object(self: Box<Self>, py: Python<'_>) -> PyResult<Py<PyAny>> {
        (*self).into_py(py).map(Bound::unbind)
    }
}

/// What the next step of a stream gave: an item, an error, or `None` at the end.
type Next = Option<Result<Box<dyn Item>, Error>>;

/// The items of one iterator. Fused, so that polling it after its end answers `None` again
/// instead of panicking.
type Items = Fuse<BoxStream<'static, Result<Box<dyn Item>, Error>>>;

fn erase<T: IntoPy + Send + 'static>(stream: ItemStream<T>) -> Items {
    stream
        .map(|r| r.map(|item| Box::new(item) as Box<dyn Item>))
        .boxed()
        .fuse()
}

/// A lock that a panic elsewhere did not leave unusable: the guarded values stay consistent
/// (a fused stream, a queue), so the data is still good.
fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(PoisonError::into_inner)
}

/// Turns one step of a stream into what `__next__` returns (`None` ends the loop).
fn deliver(py: Python<'_>, next: Next) -> PyResult<Option<Py<PyAny>>> {
    match next {
        None => Ok(None),
        Some(Ok(item)) => item.into_object(py).map(Some),
        Some(Err(error)) => Err(to_py_err(error)),
    }
}

/// The page size an `_iter` method was given: a positive `int` that fits the API's 32-bit page
/// fields, [`DEFAULT_PAGE_SIZE`] when absent.
pub fn page_size(obj: Option<&Bound<'_, PyAny>>) -> PyResult<u32> {
    let Some(obj) = obj.filter(|o| !o.is_none()) else {
        return Ok(DEFAULT_PAGE_SIZE);
    };
    let value = <i64 as crate::runtime::FromPy>::from_py(obj, "page_size")?;
    u32::try_from(value)
        .ok()
        .filter(|n| (1..=i32::MAX as u32).contains(n))
        .ok_or_else(|| {
            invalid_request(format!(
                "argument `page_size`: {value} is not between 1 and {}",
                i32::MAX
            ))
        })
}

/// The page size of the `_iter` methods when the caller gives none.
pub const DEFAULT_PAGE_SIZE: u32 = 1000;

/// `PageIterator[T]`: the stubs make the iterators generic, so subscripting the class gives a
/// `types.GenericAlias`, as it does for the standard library's generic classes.
fn class_getitem(cls: &Bound<'_, PyType>, item: &Bound<'_, PyAny>) -> PyResult<Py<PyAny>> {
    let py = cls.py();
    static ALIAS: PyOnceLock<Py<PyType>> = PyOnceLock::new();
    let alias = ALIAS.import(py, "types", "GenericAlias")?;
    Ok(alias.call1((cls, item))?.unbind())
}

/// The items of a pageable operation, fetched page by page as the loop asks for them.
#[pyclass(module = "cyberark_identity._native")]
pub struct PageIterator {
    /// An async lock: it is held across the wait for a page, inside a future that
    /// [`crate::wait::wait`] may drop (Ctrl-C), which releases it.
    items: tokio::sync::Mutex<Items>,
}

impl PageIterator {
    /// Wraps a stream of the Rust client.
    pub fn new<T: IntoPy + Send + 'static>(stream: ItemStream<T>) -> Self {
        PageIterator {
            items: tokio::sync::Mutex::new(erase(stream)),
        }
    }
}

#[pymethods]
impl PageIterator {
    #[classmethod]
    fn __class_getitem__(cls: &Bound<'_, PyType>, item: &Bound<'_, PyAny>) -> PyResult<Py<PyAny>> {
        class_getitem(cls, item)
    }

    fn __iter__(slf: PyRef<'_, Self>) -> PyRef<'_, Self> {
        slf
    }

    /// Waits for the next item as a blocking call does (GIL released, Ctrl-C answered, a panic
    /// turned into `RuntimeError`). An interrupted wait drops only the `next()` future: a page
    /// request in progress stays inside the stream and goes on at the next call, so no item is
    /// lost.
    fn __next__(&self, py: Python<'_>) -> PyResult<Option<Py<PyAny>>> {
        // The lock is taken inside the wait, so a second thread sharing the iterator waits for
        // the page without blocking every other Python thread.
        let items = &self.items;
        let next = wait(py, async move { items.lock().await.next().await })?;
        deliver(py, next)
    }
}

/// What the async iterator shares with the tasks fetching for it.
struct Shared {
    /// The stream, locked by the one task fetching from it at a time.
    items: tokio::sync::Mutex<Items>,
    /// Steps fetched but not yet handed to Python, oldest first.
    ready: Mutex<VecDeque<Next>>,
}

/// The async counterpart of [`PageIterator`].
#[pyclass(module = "cyberark_identity._native")]
pub struct AsyncPageIterator {
    shared: Arc<Shared>,
}

impl AsyncPageIterator {
    /// Wraps a stream of the Rust client.
    pub fn new<T: IntoPy + Send + 'static>(stream: ItemStream<T>) -> Self {
        AsyncPageIterator {
            shared: Arc::new(Shared {
                items: tokio::sync::Mutex::new(erase(stream)),
                ready: Mutex::new(VecDeque::new()),
            }),
        }
    }
}

/// The Python coroutine function behind `__anext__` (`cyberark_identity._paging.anext`).
fn anext_function(py: Python<'_>) -> PyResult<&Bound<'_, PyAny>> {
    static ANEXT: PyOnceLock<Py<PyAny>> = PyOnceLock::new();
    ANEXT
        .get_or_try_init(py, || {
            Ok::<_, PyErr>(
                py.import("cyberark_identity._paging")?
                    .getattr("anext")?
                    .unbind(),
            )
        })
        .map(|f| f.bind(py))
}

#[pymethods]
impl AsyncPageIterator {
    #[classmethod]
    fn __class_getitem__(cls: &Bound<'_, PyType>, item: &Bound<'_, PyAny>) -> PyResult<Py<PyAny>> {
        class_getitem(cls, item)
    }

    fn __aiter__(slf: PyRef<'_, Self>) -> PyRef<'_, Self> {
        slf
    }

    /// A coroutine (`cyberark_identity._paging.anext`) alternating two steps until it has an
    /// item: `_take()`, which hands out a fetched item and cannot be interrupted, and
    /// `await _fetch()`, which fetches into the queue. Cancelling the coroutine can only happen
    /// while it awaits `_fetch()`; whatever that fetch brings stays queued for the next call.
    fn __anext__<'py>(slf: &Bound<'py, Self>) -> PyResult<Bound<'py, PyAny>> {
        anext_function(slf.py())?.call1((slf,))
    }

    /// Hands out the oldest fetched step, or one the stream has without waiting: `(item,)`, or
    /// `None` when nothing is ready; raises `StopAsyncIteration` at the end and the error of a
    /// failed page.
    fn _take<'py>(&self, py: Python<'py>) -> PyResult<Option<Bound<'py, PyTuple>>> {
        let shared = &self.shared;
        let step = py.detach(|| {
            if let Some(step) = lock(&shared.ready).pop_front() {
                return Some(step);
            }
            // Items of a page already fetched are handed out here, without a round trip
            // through the event loop; if another task is fetching, wait for it in `_fetch`.
            let mut items = shared.items.try_lock().ok()?;
            if let Some(step) = lock(&shared.ready).pop_front() {
                return Some(step);
            }
            // The stream may start a request when polled; it needs the runtime's context.
            let _context = tokio().enter();
            items.next().now_or_never()
        });
        match step {
            None => Ok(None),
            Some(step) => match deliver(py, step)? {
                Some(item) => Ok(Some(PyTuple::new(py, [item])?)),
                None => Err(PyStopAsyncIteration::new_err(())),
            },
        }
    }

    /// An awaitable of the running loop (through [`crate::aio::spawn`], so it also works in a
    /// forked child and never resolves into a closed loop) that completes, with `None`, once a
    /// step is queued for `_take()`. Cancelling it drops the `next()` future only; a page request
    /// in progress stays inside the stream for the next fetch.
    fn _fetch<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        let shared = Arc::clone(&self.shared);
        let fetch = async move {
            let mut items = shared.items.lock().await;
            if lock(&shared.ready).is_empty() {
                let step = items.next().await;
                lock(&shared.ready).push_back(step);
            }
        };
        spawn(py, fetch, |py, (), _call| Ok(py.None()))
    }
}
