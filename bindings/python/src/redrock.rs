//! The native half of `cyberark_identity.Query`: writing a Redrock script with its bound values
//! as literals, by the runtime's one implementation (`cyberark_runtime::redrock`).

use crate::errors::{invalid_request, to_py_err};
use crate::runtime::FromPy;
use cyberark_runtime::redrock::{Query, Value};
use pyo3::prelude::*;
use pyo3::types::{PyBool, PyInt, PyString};

/// One Python value as a bound value: `str`, `int`, `bool` or `None`.
fn value(obj: &Bound<'_, PyAny>, position: usize) -> PyResult<Value> {
    if obj.is_none() {
        return Ok(Value::Null);
    }
    // `bool` is a subclass of `int`, so it is tested first.
    if let Ok(b) = obj.cast::<PyBool>() {
        return Ok(Value::Bool(b.is_true()));
    }
    if let Ok(i) = obj.cast::<PyInt>() {
        return i.extract::<i64>().map(Value::Integer).map_err(|_| {
            invalid_request(format!(
                "bound value {position} is an int outside the 64-bit range"
            ))
        });
    }
    if obj.cast::<PyString>().is_ok() {
        // The bindings' one `str` conversion, which refuses lone surrogates with a typed error.
        return String::from_py(obj, &format!("bound value {position}")).map(Value::Text);
    }
    let kind = obj
        .get_type()
        .name()
        .map(|n| n.to_string())
        .unwrap_or_else(|_| "?".to_owned());
    Err(invalid_request(format!(
        "bound value {position} is a {kind}; a query takes str, int, bool or None"
    )))
}

/// The script `template` with its `?` placeholders replaced by `values` written as literals.
#[pyfunction]
#[pyo3(name = "_redrock_script")]
pub fn redrock_script(template: &str, values: Vec<Bound<'_, PyAny>>) -> PyResult<String> {
    let mut query = Query::new(template);
    for (i, v) in values.iter().enumerate() {
        query = query.bind(value(v, i + 1)?);
    }
    query.script().map_err(to_py_err)
}
