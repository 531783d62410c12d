//! What the generated pyo3 code leans on: the shared tokio runtime, waiting with the GIL
//! released, and conversions between Rust values and Python objects.
//!
//! Generated code stays declarative: per operation it converts arguments with [`FromPy`], calls
//! the Rust client through [`block_on`] or [`future`], and converts the result with [`IntoPy`].
//! Everything with control flow is here, written and tested once.

use std::collections::BTreeMap;

use cyberark_runtime::{FilePart, JsonValue, Nullable, Secret};
use pyo3::exceptions::PyRuntimeError;
use pyo3::prelude::*;
use pyo3::types::{PyBool, PyBytes, PyDict, PyFloat, PyInt, PyList, PyString, PyTuple};

use crate::errors::invalid_request;
pub use crate::values::{json_to_py, py_to_json};
use crate::values::{mapping_items, pair, text, wrong_type};

pub use crate::aio::{future, ready};
pub use crate::lifecycle::tokio;
pub use crate::wait::block_on;

/// A Rust value that becomes a Python object: scalars as themselves, lists and maps as `list` and
/// `dict`, string enums as `str`, objects as their generated class.
pub trait IntoPy {
    /// Converts a borrowed value; the generated getters call this, so nothing is converted
    /// before it is read.
    fn to_py<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>>;

    /// Converts an owned value (an operation's result), avoiding a clone where it can.
    fn into_py<'py>(self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>>
    where
        Self: Sized,
    {
        self.to_py(py)
    }
}

/// A Python object that becomes a Rust value of a request. Failures name the argument and raise
/// `InvalidRequestError`, a `ValueError`.
pub trait FromPy: Sized {
    /// Converts `obj`, describing a failure with the argument's name.
    fn from_py(obj: &Bound<'_, PyAny>, name: &str) -> PyResult<Self>;
}

/// Converts a required argument.
pub fn arg<T: FromPy>(obj: &Bound<'_, PyAny>, name: &str) -> PyResult<T> {
    T::from_py(obj, name)
}

/// Converts an optional argument: `None` (or not given) means "not sent".
pub fn opt_arg<T: FromPy>(obj: Option<&Bound<'_, PyAny>>, name: &str) -> PyResult<Option<T>> {
    match obj {
        Some(obj) if !obj.is_none() => T::from_py(obj, name).map(Some),
        _ => Ok(None),
    }
}

impl IntoPy for () {
    fn to_py<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        Ok(py.None().into_bound(py))
    }
}

macro_rules! scalar {
    ($($ty:ty => $py:ty),*) => {$(
        impl IntoPy for $ty {
            fn to_py<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
                Ok(self.into_pyobject(py)?.to_owned().into_any())
            }
        }

        impl FromPy for $ty {
            fn from_py(obj: &Bound<'_, PyAny>, name: &str) -> PyResult<Self> {
                // A bool is an int in Python; refusing it for numbers catches swapped arguments.
                if !obj.is_instance_of::<$py>() || (obj.is_instance_of::<PyBool>() && !<$py as Named>::IS_BOOL) {
                    return Err(wrong_type(obj, name, <$py as Named>::NAME));
                }
                obj.extract::<$ty>().map_err(|e| invalid_request(format!("argument `{name}`: {e}")))
            }
        }
    )*};
}

/// The Python spelling of the scalar types, for error messages.
trait Named {
    const NAME: &'static str;
    const IS_BOOL: bool = false;
}
impl Named for PyBool {
    const NAME: &'static str = "bool";
    const IS_BOOL: bool = true;
}
impl Named for PyInt {
    const NAME: &'static str = "int";
}
impl Named for PyFloat {
    const NAME: &'static str = "float";
}

scalar!(bool => PyBool, i32 => PyInt, i64 => PyInt);

impl IntoPy for f64 {
    fn to_py<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        Ok(PyFloat::new(py, *self).into_any())
    }
}

impl FromPy for f64 {
    fn from_py(obj: &Bound<'_, PyAny>, name: &str) -> PyResult<Self> {
        // An int is a fine float, as everywhere in Python; a bool is not.
        if obj.is_instance_of::<PyBool>()
            || !(obj.is_instance_of::<PyFloat>() || obj.is_instance_of::<PyInt>())
        {
            return Err(wrong_type(obj, name, "float"));
        }
        obj.extract::<f64>()
            .map_err(|e| invalid_request(format!("argument `{name}`: {e}")))
    }
}

impl IntoPy for String {
    fn to_py<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        Ok(PyString::new(py, self).into_any())
    }
}

impl FromPy for String {
    fn from_py(obj: &Bound<'_, PyAny>, name: &str) -> PyResult<Self> {
        match obj.cast::<PyString>() {
            Ok(s) => text(s, name),
            Err(_) => Err(wrong_type(obj, name, "str")),
        }
    }
}

/// `date` and `uuid` values read as the text the API sent, so a value the API wrote another way
/// reaches Python unchanged; a `str` is taken, and parsed where it can be. (`date-time` values
/// read as `datetime`: see [`crate::dates`].)
macro_rules! text_format {
    ($($ty:ty),*) => {$(
        impl IntoPy for $ty {
            fn to_py<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
                Ok(PyString::new(py, self.as_str()).into_any())
            }
        }

        impl FromPy for $ty {
            fn from_py(obj: &Bound<'_, PyAny>, name: &str) -> PyResult<Self> {
                String::from_py(obj, name).map(<$ty>::parse)
            }
        }
    )*};
}

// A `uuid` is a `str` too, not `uuid.UUID`: the text must go back exactly as it came (CyberArk
// writes some UUIDs in upper case and calls some identifiers UUIDs that are not, `sysadmin`),
// which `uuid.UUID` cannot keep; Rust callers get the parsed value from `Uuid::value`.
text_format!(cyberark_runtime::Date, cyberark_runtime::Uuid);

/// A secret reads as a plain `str` attribute: the caller asked for it by name. It is `***` only
/// where it would be shown unasked (`repr()`, logs).
impl IntoPy for Secret {
    fn to_py<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        Ok(PyString::new(py, self.expose()).into_any())
    }
}

impl FromPy for Secret {
    fn from_py(obj: &Bound<'_, PyAny>, name: &str) -> PyResult<Self> {
        String::from_py(obj, name).map(Secret::from)
    }
}

impl IntoPy for JsonValue {
    fn to_py<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        json_to_py(py, self)
    }
}

impl FromPy for JsonValue {
    fn from_py(obj: &Bound<'_, PyAny>, name: &str) -> PyResult<Self> {
        py_to_json(obj, name)
    }
}

/// A file is given as `bytes` (sent as `upload`), `(name, bytes)` or `(name, bytes, content_type)`.
impl FromPy for FilePart {
    fn from_py(obj: &Bound<'_, PyAny>, name: &str) -> PyResult<Self> {
        if let Ok(bytes) = obj.cast::<PyBytes>() {
            return Ok(FilePart::new("upload", bytes.as_bytes().to_vec()));
        }
        let Ok(tuple) = obj.cast::<PyTuple>() else {
            return Err(wrong_type(
                obj,
                name,
                "bytes or (file_name, bytes[, content_type])",
            ));
        };
        let items: Vec<Bound<'_, PyAny>> = tuple.iter().collect();
        match items.as_slice() {
            [file_name, bytes] | [file_name, bytes, _] => {
                let file_name = String::from_py(file_name, name)?;
                let Ok(bytes) = bytes.cast::<PyBytes>() else {
                    return Err(wrong_type(bytes, name, "bytes"));
                };
                let mut part = FilePart::new(file_name, bytes.as_bytes().to_vec());
                if let [_, _, content_type] = items.as_slice() {
                    part = part.content_type(String::from_py(content_type, name)?);
                }
                Ok(part)
            }
            _ => Err(wrong_type(
                obj,
                name,
                "bytes or (file_name, bytes[, content_type])",
            )),
        }
    }
}

impl<T: IntoPy> IntoPy for Option<T> {
    fn to_py<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        match self {
            Some(value) => value.to_py(py),
            None => Ok(py.None().into_bound(py)),
        }
    }

    fn into_py<'py>(self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        match self {
            Some(value) => value.into_py(py),
            None => Ok(py.None().into_bound(py)),
        }
    }
}

/// A recursive type's boxed field (`Node.parent`) crosses as the value it holds.
impl<T: IntoPy> IntoPy for Box<T> {
    fn to_py<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        (**self).to_py(py)
    }

    fn into_py<'py>(self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        (*self).into_py(py)
    }
}

impl<T: FromPy> FromPy for Box<T> {
    fn from_py(obj: &Bound<'_, PyAny>, name: &str) -> PyResult<Self> {
        T::from_py(obj, name).map(Box::new)
    }
}

/// Absent and `null` both read as `None`; only requests need to tell them apart.
impl<T: IntoPy> IntoPy for Nullable<T> {
    fn to_py<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        self.as_option()
            .map_or_else(|| Ok(py.None().into_bound(py)), |v| v.to_py(py))
    }
}

impl<T: IntoPy> IntoPy for Vec<T> {
    fn to_py<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        let items = self
            .iter()
            .map(|item| item.to_py(py))
            .collect::<PyResult<Vec<_>>>()?;
        Ok(PyList::new(py, items)?.into_any())
    }

    fn into_py<'py>(self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        let items = self
            .into_iter()
            .map(|item| item.into_py(py))
            .collect::<PyResult<Vec<_>>>()?;
        Ok(PyList::new(py, items)?.into_any())
    }
}

impl<T: FromPy> FromPy for Vec<T> {
    fn from_py(obj: &Bound<'_, PyAny>, name: &str) -> PyResult<Self> {
        // A str is iterable too, but a list of its characters is never what the caller meant.
        if obj.is_instance_of::<PyString>() || obj.is_instance_of::<PyDict>() {
            return Err(wrong_type(obj, name, "list"));
        }
        let iter = obj.try_iter().map_err(|_| wrong_type(obj, name, "list"))?;
        iter.enumerate()
            .map(|(i, item)| T::from_py(&item?, &format!("{name}[{i}]")))
            .collect()
    }
}

impl<T: IntoPy> IntoPy for BTreeMap<String, T> {
    fn to_py<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        let dict = PyDict::new(py);
        for (key, value) in self {
            dict.set_item(key, value.to_py(py)?)?;
        }
        Ok(dict.into_any())
    }
}

impl<T: FromPy> FromPy for BTreeMap<String, T> {
    fn from_py(obj: &Bound<'_, PyAny>, name: &str) -> PyResult<Self> {
        // Any `collections.abc.Mapping` is accepted, as the stubs promise, read through a
        // snapshot of its items.
        let Some(items) = mapping_items(obj)? else {
            return Err(wrong_type(obj, name, "dict"));
        };
        items
            .iter()
            .map(|item| {
                let (key, value) = pair(&item)?;
                let key = String::from_py(&key, &format!("{name} key"))?;
                let value = T::from_py(&value, &format!("{name}[{key:?}]"))?;
                Ok((key, value))
            })
            .collect()
    }
}

/// Converts a named request type given as a `dict` (or any object with `to_dict()`), through
/// serde, so nested objects, enums and unknown keys all follow the Rust type's rules.
pub fn from_dict<T: serde::de::DeserializeOwned>(
    obj: &Bound<'_, PyAny>,
    name: &str,
) -> PyResult<T> {
    let value = py_to_json(obj, name)?;
    if !value.is_object() {
        return Err(wrong_type(obj, name, "dict"));
    }
    serde_json::from_value(value).map_err(|e| invalid_request(format!("argument `{name}`: {e}")))
}

/// Converts any serialisable Rust value into plain Python data (`dict`, `list`, `str`, …).
pub fn to_plain<'py, T: serde::Serialize>(
    py: Python<'py>,
    value: &T,
) -> PyResult<Bound<'py, PyAny>> {
    let json = serde_json::to_value(value)
        .map_err(|e| PyRuntimeError::new_err(format!("cannot convert to a dict: {e}")))?;
    json_to_py(py, &json)
}

/// Python's `repr()` of a converted value, for the generated `__repr__`s.
pub fn repr_of(value: &Bound<'_, PyAny>) -> PyResult<String> {
    Ok(value.repr()?.to_cow()?.into_owned())
}

/// Python's `repr()` of a value's plain data with every secret-looking key blanked, for fields
/// whose contents the spec does not describe (JSON values, unknown fields).
pub fn repr_redacted<T: serde::Serialize>(py: Python<'_>, value: &T) -> PyResult<String> {
    let mut json = serde_json::to_value(value)
        .map_err(|e| PyRuntimeError::new_err(format!("cannot show the value: {e}")))?;
    cyberark_runtime::redact::redact_value(&mut json);
    repr_of(&json_to_py(py, &json)?)
}
