//! Downloads (operations answering bytes, such as a recording's playback): the body is written
//! to the caller's `to=` target chunk by chunk as it arrives, so it is never held whole in
//! memory.
//!
//! `to` is a path (`str` or `os.PathLike`) or a binary file object with `write()`. A path is
//! written through a `.part` file beside it that is renamed into place once the whole body has
//! arrived, so a failed download neither leaves a truncated file that looks complete nor
//! destroys a file already there. A file object receives each chunk through its `write()`
//! (called with the GIL, from the runtime's thread); what a failed download already wrote stays
//! written, as with any stream. Both calls answer the number of bytes written.

use std::io::Write as _;
use std::path::PathBuf;
use std::sync::{Arc, Mutex};

use cyberark_runtime::{ByteStream, Bytes, Error};
use futures::StreamExt as _;
use pyo3::prelude::*;
use pyo3::types::PyBytes;

use crate::aio::spawn;
use crate::errors::invalid_request;
use crate::lifecycle::attach;
use crate::wait::{block_on, lock};

/// Where a download goes.
enum Sink {
    /// A file at this path, written through `<path>.part`.
    Path(PathBuf),
    /// A Python object with `write(bytes)`.
    Object(Py<PyAny>),
}

/// The exception a Python `write()` (or the file system) raised, which is what the caller
/// sees instead of the error that stopped the download because of it.
type Failure = Arc<Mutex<Option<PyErr>>>;

impl Sink {
    /// Reads the `to=` argument: a binary file object, or a path.
    fn new(to: &Bound<'_, PyAny>) -> PyResult<Self> {
        if to.hasattr("write")? {
            return Ok(Sink::Object(to.clone().unbind()));
        }
        let os = to.py().import("os")?;
        match os.call_method1("fspath", (to,)) {
            Ok(path) => match path.extract::<PathBuf>() {
                Ok(path) => Ok(Sink::Path(path)),
                Err(_) => Err(invalid_request(
                    "argument `to`: a bytes path is not supported; give a str path".to_owned(),
                )),
            },
            Err(_) => Err(invalid_request(format!(
                "argument `to`: expected a path or a binary file object with write(), got {}",
                to.get_type().name()?
            ))),
        }
    }

    /// Writes every chunk of `stream`; returns the number of bytes written. A Python or file
    /// system failure is recorded in `failed` and stops the download.
    async fn write_all(self, mut stream: ByteStream, failed: &Failure) -> Result<u64, Error> {
        let stop = |error: PyErr| {
            *lock(failed) = Some(error);
            Error::Config {
                message: "the download target failed".to_owned(),
            }
        };
        match self {
            Sink::Path(path) => {
                let part = part_path(&path);
                let file = std::fs::File::create(&part).map_err(|e| stop(os_error(&part, &e)))?;
                let mut file = Some(file);
                let mut written = 0u64;
                while let Some(chunk) = stream.next().await {
                    let chunk = match chunk {
                        Ok(chunk) => chunk,
                        Err(error) => {
                            drop(file.take());
                            let _ = std::fs::remove_file(&part);
                            return Err(error);
                        }
                    };
                    written += chunk.len() as u64;
                    // Disk writes may block; they run where blocking is allowed.
                    let mut open = file.take().ok_or_else(|| stop(closed()))?;
                    let target = part.clone();
                    let (open, result) = tokio::task::spawn_blocking(move || {
                        let result = open.write_all(&chunk);
                        (open, result)
                    })
                    .await
                    .map_err(|_| stop(closed()))?;
                    if let Err(e) = result {
                        drop(open);
                        let _ = std::fs::remove_file(&part);
                        return Err(stop(os_error(&target, &e)));
                    }
                    file = Some(open);
                }
                if let Some(open) = file.take() {
                    let synced = open.sync_all();
                    drop(open);
                    if let Err(e) = synced.and_then(|()| std::fs::rename(&part, &path)) {
                        let _ = std::fs::remove_file(&part);
                        return Err(stop(os_error(&path, &e)));
                    }
                }
                Ok(written)
            }
            Sink::Object(object) => {
                let mut written = 0u64;
                while let Some(chunk) = stream.next().await {
                    let chunk = chunk?;
                    written += chunk.len() as u64;
                    write_object(&object, chunk).map_err(stop)?;
                }
                Ok(written)
            }
        }
    }
}

/// Calls `object.write(chunk)` until the whole chunk is taken (a raw file may take part of it).
fn write_object(object: &Py<PyAny>, chunk: Bytes) -> PyResult<()> {
    attach(|py| {
        let mut rest = &chunk[..];
        while !rest.is_empty() {
            let taken = object
                .bind(py)
                .call_method1("write", (PyBytes::new(py, rest),))?;
            // `write()` of a buffered or text-like object answers None or the whole length.
            let n = match taken.extract::<Option<usize>>()? {
                Some(n) if n <= rest.len() => n,
                _ => rest.len(),
            };
            if n == 0 {
                return Err(pyo3::exceptions::PyOSError::new_err(
                    "the download target's write() took no bytes",
                ));
            }
            rest = &rest[n..];
        }
        Ok(())
    })
    .unwrap_or_else(|| Err(closed()))
}

/// `<path>.part`, beside the target.
fn part_path(path: &std::path::Path) -> PathBuf {
    let mut name = path.as_os_str().to_owned();
    name.push(".part");
    PathBuf::from(name)
}

fn os_error(path: &std::path::Path, error: &std::io::Error) -> PyErr {
    pyo3::exceptions::PyOSError::new_err(format!("cannot write {}: {error}", path.display()))
}

fn closed() -> PyErr {
    pyo3::exceptions::PyRuntimeError::new_err("the interpreter is shutting down")
}

/// Runs a download to `to` with the GIL released; answers the number of bytes written.
pub fn download<F>(py: Python<'_>, to: &Bound<'_, PyAny>, start: F) -> PyResult<u64>
where
    F: Future<Output = Result<ByteStream, Error>> + Send + 'static,
{
    let sink = Sink::new(to)?;
    let failed: Failure = Arc::default();
    let slot = failed.clone();
    let result = block_on(py, async move { sink.write_all(start.await?, &slot).await });
    match lock(&failed).take() {
        Some(error) => Err(error),
        None => result,
    }
}

/// Runs a download to `to` as an awaitable of the running event loop; it answers the number of
/// bytes written.
pub fn download_async<'py, F>(
    py: Python<'py>,
    to: &Bound<'_, PyAny>,
    start: F,
) -> PyResult<Bound<'py, PyAny>>
where
    F: Future<Output = Result<ByteStream, Error>> + Send + 'static,
{
    let sink = Sink::new(to)?;
    let failed: Failure = Arc::default();
    let slot = failed.clone();
    let future = async move { sink.write_all(start.await?, &slot).await };
    spawn(py, future, move |py, outcome, call| {
        if let Some(error) = lock(&failed).take() {
            return Err(error);
        }
        match outcome {
            Ok(written) => Ok(written.into_pyobject(py)?.into_any().unbind()),
            Err(error) => Err(call.raise(py, error)),
        }
    })
}
