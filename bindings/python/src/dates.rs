//! Instants between Rust and Python: a field the spec marks as a date-time reads as a
//! timezone-aware `datetime.datetime`, and a `datetime` is accepted where one is sent.
//!
//! Reading never raises and never loses data: a `date-time` text the runtime cannot read as an
//! instant (or one outside Python's years 1–9999) reads as the `str` the API sent, and a Unix
//! time outside those years reads as the `int` it was sent as. The stubs say so
//! (`datetime | str`, `datetime | int`).
//!
//! Sending: a `str` travels exactly as given (so `"/Date(1712846865880)/"` reaches the Identity
//! API in its own .NET form), a `datetime` must carry a timezone (a naive one would be a guess)
//! and is written as RFC 3339 for a `date-time` field (unless it was read from a .NET date and
//! still holds the same instant: a `WireDateTime` goes back as the text it was read from), or as
//! the whole seconds (microseconds) since the epoch for a Unix time, and an `int` is a Unix time
//! as it is.

use cyberark_runtime::{DateTime, UnixTime, UnixTimeMicros};
use pyo3::prelude::*;
use pyo3::sync::PyOnceLock;
use pyo3::types::{PyBool, PyDateTime, PyInt, PyString};

use crate::errors::invalid_request;
use crate::runtime::{FromPy, IntoPy};
use crate::values::{text, wrong_type};

/// The instant of a `datetime` argument, refusing a naive one.
fn instant(dt: &Bound<'_, PyDateTime>, name: &str) -> PyResult<time::OffsetDateTime> {
    dt.extract::<time::OffsetDateTime>().map_err(|e| {
        invalid_request(format!(
            "argument `{name}`: a datetime must be timezone-aware (give it a tzinfo, such as datetime.timezone.utc): {e}"
        ))
    })
}

/// An instant as a Python `datetime` in its own offset, or `None` when Python cannot hold it.
fn to_datetime<'py>(py: Python<'py>, at: time::OffsetDateTime) -> Option<Bound<'py, PyAny>> {
    at.into_pyobject(py).ok().map(Bound::into_any)
}

/// The attribute of a `cyberark_identity._wire.WireDateTime` holding the text it was read from.
const WIRE_TEXT: &str = "_cyberark_wire";

/// A `datetime` read from a .NET date, as a `WireDateTime` remembering the text, so that it is
/// sent back in the API's own form (see `cyberark_identity/_wire.py`).
fn wire_datetime<'py>(
    py: Python<'py>,
    dt: Bound<'py, PyAny>,
    text: &str,
) -> PyResult<Bound<'py, PyAny>> {
    static FROM_WIRE: PyOnceLock<Py<PyAny>> = PyOnceLock::new();
    let class = FROM_WIRE.import(py, "cyberark_identity._wire", "WireDateTime")?;
    class.call_method1("_from_wire", (dt, text))
}

impl IntoPy for DateTime {
    fn to_py<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        match self.at().and_then(|at| to_datetime(py, at)) {
            Some(dt) if self.is_dotnet() => wire_datetime(py, dt, self.as_str()),
            Some(dt) => Ok(dt),
            None => Ok(PyString::new(py, self.as_str()).into_any()),
        }
    }
}

impl FromPy for DateTime {
    fn from_py(obj: &Bound<'_, PyAny>, name: &str) -> PyResult<Self> {
        if let Ok(s) = obj.cast::<PyString>() {
            return text(s, name).map(DateTime::parse);
        }
        match obj.cast::<PyDateTime>() {
            Ok(dt) => {
                let at = instant(dt, name)?;
                // A value read from the API goes back as the text it came as, while its instant
                // is unchanged; a new instant is written as RFC 3339.
                let wire = obj
                    .getattr(WIRE_TEXT)
                    .ok()
                    .and_then(|t| t.extract::<String>().ok())
                    .map(DateTime::parse)
                    .filter(|read| read.at() == Some(at));
                Ok(wire.unwrap_or_else(|| DateTime::from(at)))
            }
            Err(_) => Err(wrong_type(obj, name, "datetime or str")),
        }
    }
}

macro_rules! unix_time {
    ($($ty:ty),*) => {$(
        impl IntoPy for $ty {
            fn to_py<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
                match self.at().and_then(|at| to_datetime(py, at)) {
                    Some(dt) => Ok(dt),
                    None => Ok(self.value().into_pyobject(py)?.into_any()),
                }
            }
        }

        impl FromPy for $ty {
            fn from_py(obj: &Bound<'_, PyAny>, name: &str) -> PyResult<Self> {
                if obj.is_instance_of::<PyInt>() && !obj.is_instance_of::<PyBool>() {
                    return obj
                        .extract::<i64>()
                        .map(<$ty>::new)
                        .map_err(|e| invalid_request(format!("argument `{name}`: {e}")));
                }
                match obj.cast::<PyDateTime>() {
                    Ok(dt) => <$ty>::from_instant(instant(dt, name)?).ok_or_else(|| {
                        invalid_request(format!(
                            "argument `{name}`: the instant does not fit a 64-bit Unix time"
                        ))
                    }),
                    Err(_) => Err(wrong_type(obj, name, "datetime or int")),
                }
            }
        }
    )*};
}

unix_time!(UnixTime, UnixTimeMicros);
