//! Iterators over the items of pageable operations: `for row in client.x.y_iter(...)` and
//! `async for row in aclient.x.y_iter(...)`. Pages are fetched as the iteration needs them.

use std::sync::{Arc, Mutex};

use cyberark_runtime::{Error, ItemStream};
use futures::StreamExt;
use futures::stream::BoxStream;
use pyo3::exceptions::{PyRuntimeError, PyStopAsyncIteration};
use pyo3::prelude::*;

use crate::errors::to_py_err;
use crate::runtime::{IntoPy, tokio};

/// An item on its way to Python, converted only once a thread holds the GIL.
trait Item: Send {
    fn into_object(self: Box<Self>, py: Python<'_>) -> PyResult<Py<PyAny>>;
}

impl<T: IntoPy + Send> Item for T {
    fn into_object(self: Box<Self>, py: Python<'_>) -> PyResult<Py<PyAny>> {
        (*self).into_py(py).map(Bound::unbind)
    }
}

type Items = BoxStream<'static, Result<Box<dyn Item>, Error>>;

fn erase<T: IntoPy + Send + 'static>(stream: ItemStream<T>) -> Items {
    stream
        .map(|r| r.map(|item| Box::new(item) as Box<dyn Item>))
        .boxed()
}

/// The items of a pageable operation, fetched page by page as the loop asks for them.
#[pyclass(module = "cyberark_identity._native")]
pub struct PageIterator {
    items: Mutex<Items>,
}

impl PageIterator {
    /// Wraps a stream of the Rust client.
    pub fn new<T: IntoPy + Send + 'static>(stream: ItemStream<T>) -> Self {
        PageIterator {
            items: Mutex::new(erase(stream)),
        }
    }
}

#[pymethods]
impl PageIterator {
    fn __iter__(slf: PyRef<'_, Self>) -> PyRef<'_, Self> {
        slf
    }

    fn __next__(&self, py: Python<'_>) -> PyResult<Option<Py<PyAny>>> {
        // The lock is taken with the GIL released, so a second thread sharing the iterator
        // waits for the page without blocking every other Python thread.
        let next = py.detach(|| {
            let mut items = self
                .items
                .lock()
                .map_err(|_| PyRuntimeError::new_err("the iterator is poisoned"))?;
            Ok::<_, PyErr>(tokio().block_on(items.next()))
        })?;
        match next {
            None => Ok(None),
            Some(Ok(item)) => item.into_object(py).map(Some),
            Some(Err(error)) => Err(to_py_err(error)),
        }
    }
}

/// The async counterpart of [`PageIterator`].
#[pyclass(module = "cyberark_identity._native")]
pub struct AsyncPageIterator {
    items: Arc<tokio::sync::Mutex<Items>>,
}

impl AsyncPageIterator {
    /// Wraps a stream of the Rust client.
    pub fn new<T: IntoPy + Send + 'static>(stream: ItemStream<T>) -> Self {
        AsyncPageIterator {
            items: Arc::new(tokio::sync::Mutex::new(erase(stream))),
        }
    }
}

#[pymethods]
impl AsyncPageIterator {
    fn __aiter__(slf: PyRef<'_, Self>) -> PyRef<'_, Self> {
        slf
    }

    fn __anext__<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        let items = Arc::clone(&self.items);
        pyo3_async_runtimes::tokio::future_into_py(py, async move {
            let next = items.lock().await.next().await;
            match next {
                None => Err(PyStopAsyncIteration::new_err(())),
                Some(Ok(item)) => Python::attach(|py| item.into_object(py)),
                Some(Err(error)) => Err(to_py_err(error)),
            }
        })
    }
}
