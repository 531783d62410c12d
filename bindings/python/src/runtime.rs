//! What the generated pyo3 code leans on: the shared tokio runtime, waiting with the GIL
//! released, and conversions between Rust values and Python objects.
//!
//! Generated code stays declarative: per operation it converts arguments with [`FromPy`], calls
//! the Rust client through [`block_on`] or [`future`], and converts the result with [`IntoPy`].
//! Everything with control flow is here, written and tested once.

use std::collections::BTreeMap;
use std::future::Future;
use std::sync::OnceLock;

use cyberark_runtime::{Error, FilePart, JsonValue, Nullable, Secret};
use pyo3::exceptions::PyRuntimeError;
use pyo3::prelude::*;
use pyo3::types::{PyBool, PyBytes, PyDict, PyFloat, PyInt, PyList, PyString, PyTuple};

use crate::errors::{invalid_request, to_py_err};

/// The one tokio runtime every client, iterator and sandbox of the process shares.
///
/// One multi-thread runtime keeps connection pools and token caches alive across calls, and lets
/// `pyo3-async-runtimes` drive the futures of `AsyncClient` on the same threads.
pub fn tokio() -> &'static tokio::runtime::Runtime {
    static RUNTIME: OnceLock<tokio::runtime::Runtime> = OnceLock::new();
    RUNTIME.get_or_init(|| {
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .enable_all()
            .thread_name("cyberark-identity")
            .build();
        match runtime {
            Ok(runtime) => runtime,
            // Without a runtime no call can run; there is nothing sensible to fall back to.
            Err(e) => panic!("cannot start the tokio runtime: {e}"),
        }
    })
}

/// Hands the shared runtime to `pyo3-async-runtimes`, once, so async calls run on it too.
pub fn init_async() -> PyResult<()> {
    static DONE: OnceLock<bool> = OnceLock::new();
    let ok = *DONE.get_or_init(|| pyo3_async_runtimes::tokio::init_with_runtime(tokio()).is_ok());
    if ok {
        Ok(())
    } else {
        Err(PyRuntimeError::new_err(
            "pyo3-async-runtimes already has another tokio runtime",
        ))
    }
}

/// Runs a future of the Rust client to completion with the GIL released, so other Python
/// threads run while this one waits on the network.
pub fn block_on<T, F>(py: Python<'_>, future: F) -> PyResult<T>
where
    F: Future<Output = Result<T, Error>> + Send,
    T: Send,
{
    py.detach(|| tokio().block_on(future)).map_err(to_py_err)
}

/// Turns a future of the Rust client into a Python awaitable whose result is converted by
/// [`IntoPy`] once the value is back on a thread holding the GIL.
pub fn future<'py, T, F>(py: Python<'py>, future: F) -> PyResult<Bound<'py, PyAny>>
where
    F: Future<Output = Result<T, Error>> + Send + 'static,
    T: IntoPy + Send + 'static,
{
    pyo3_async_runtimes::tokio::future_into_py(py, async move {
        let value = future.await.map_err(to_py_err)?;
        Python::attach(|py| value.into_py(py).map(Bound::unbind))
    })
}

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
            Ok(s) => Ok(s.to_cow()?.into_owned()),
            Err(_) => Err(wrong_type(obj, name, "str")),
        }
    }
}

/// `date-time` and `date` values read as the text the API sent (RFC 3339 when it is one), so a
/// value the API wrote another way (.NET's `/Date(…)/`) reaches Python unchanged; a `str` is
/// taken, and parsed where it can be.
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

text_format!(cyberark_runtime::DateTime, cyberark_runtime::Date);

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
        // Any mapping is accepted, as the stubs promise: `dict(obj)` copies it first.
        let dict = match obj.cast::<PyDict>() {
            Ok(dict) => dict.clone(),
            Err(_) if obj.hasattr("keys")? => obj
                .py()
                .get_type::<PyDict>()
                .call1((obj,))
                .ok()
                .and_then(|d| d.cast_into::<PyDict>().ok())
                .ok_or_else(|| wrong_type(obj, name, "dict"))?,
            Err(_) => return Err(wrong_type(obj, name, "dict")),
        };
        dict.iter()
            .map(|(key, value)| {
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

/// Converts a JSON value into the Python object `json.loads` would give.
pub fn json_to_py<'py>(py: Python<'py>, value: &JsonValue) -> PyResult<Bound<'py, PyAny>> {
    Ok(match value {
        JsonValue::Null => py.None().into_bound(py),
        JsonValue::Bool(b) => PyBool::new(py, *b).to_owned().into_any(),
        JsonValue::Number(n) => {
            if let Some(i) = n.as_i64() {
                i.into_pyobject(py)?.into_any()
            } else if let Some(u) = n.as_u64() {
                u.into_pyobject(py)?.into_any()
            } else {
                PyFloat::new(py, n.as_f64().unwrap_or(f64::NAN)).into_any()
            }
        }
        JsonValue::String(s) => PyString::new(py, s).into_any(),
        JsonValue::Array(items) => {
            let items = items
                .iter()
                .map(|v| json_to_py(py, v))
                .collect::<PyResult<Vec<_>>>()?;
            PyList::new(py, items)?.into_any()
        }
        JsonValue::Object(map) => {
            let dict = PyDict::new(py);
            for (key, value) in map {
                dict.set_item(key, json_to_py(py, value)?)?;
            }
            dict.into_any()
        }
    })
}

/// Converts Python data into JSON: what `json.dumps` accepts, plus any object with a `to_dict()`
/// method (the generated classes), so a fetched object can be sent back inside a dict.
pub fn py_to_json(obj: &Bound<'_, PyAny>, name: &str) -> PyResult<JsonValue> {
    if obj.is_none() {
        return Ok(JsonValue::Null);
    }
    if let Ok(b) = obj.cast::<PyBool>() {
        return Ok(JsonValue::Bool(b.is_true()));
    }
    if obj.is_instance_of::<PyInt>() {
        if let Ok(i) = obj.extract::<i64>() {
            return Ok(JsonValue::from(i));
        }
        if let Ok(u) = obj.extract::<u64>() {
            return Ok(JsonValue::from(u));
        }
        return Err(invalid_request(format!(
            "argument `{name}`: the integer does not fit in 64 bits"
        )));
    }
    if let Ok(f) = obj.cast::<PyFloat>() {
        return serde_json::Number::from_f64(f.value())
            .map(JsonValue::Number)
            .ok_or_else(|| {
                invalid_request(format!(
                    "argument `{name}`: {} is not a JSON number",
                    f.value()
                ))
            });
    }
    if let Ok(s) = obj.cast::<PyString>() {
        return Ok(JsonValue::String(s.to_cow()?.into_owned()));
    }
    if let Ok(dict) = obj.cast::<PyDict>() {
        let mut map = serde_json::Map::new();
        for (key, value) in dict.iter() {
            let Ok(key) = key.cast::<PyString>() else {
                return Err(invalid_request(format!(
                    "argument `{name}`: dict keys must be str"
                )));
            };
            let key = key.to_cow()?.into_owned();
            let value = py_to_json(&value, &format!("{name}[{key:?}]"))?;
            map.insert(key, value);
        }
        return Ok(JsonValue::Object(map));
    }
    if obj.is_instance_of::<PyList>() || obj.is_instance_of::<PyTuple>() {
        let items = obj
            .try_iter()?
            .enumerate()
            .map(|(i, item)| py_to_json(&item?, &format!("{name}[{i}]")))
            .collect::<PyResult<Vec<_>>>()?;
        return Ok(JsonValue::Array(items));
    }
    if obj.hasattr("to_dict")? {
        return py_to_json(&obj.call_method0("to_dict")?, name);
    }
    Err(wrong_type(
        obj,
        name,
        "JSON data (dict, list, str, int, float, bool or None)",
    ))
}

/// The error for an argument of the wrong type.
fn wrong_type(obj: &Bound<'_, PyAny>, name: &str, expected: &str) -> PyErr {
    let got = obj
        .get_type()
        .name()
        .map(|n| n.to_string())
        .unwrap_or_else(|_| "?".to_owned());
    invalid_request(format!("argument `{name}`: expected {expected}, got {got}"))
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

/// An awaitable that resolves to `value` at once (`__aenter__` and `__aexit__`).
pub fn ready<'py>(py: Python<'py>, value: Py<PyAny>) -> PyResult<Bound<'py, PyAny>> {
    pyo3_async_runtimes::tokio::future_into_py(py, async move { Ok(value) })
}
