//! Conversions between Python data and JSON values that hold for any input.
//!
//! Python → JSON takes what `json.dumps` takes (plus any `collections.abc.Mapping` and objects
//! with a `to_dict()` method) and refuses, with an `InvalidRequestError` naming the spot, what it
//! cannot send: a value nested deeper than [`MAX_DEPTH`] levels, a value that contains itself, a
//! string that is not valid Unicode. The walk is recursive but bounded by [`MAX_DEPTH`], so even a
//! hostile value costs a small, fixed amount of stack. Mappings are read through a snapshot of
//! their items, so one that changes while it is read cannot break the walk.
//!
//! JSON → Python walks the value with an explicit stack instead of recursion, so no answer,
//! however deep, can overflow the native stack of the thread converting it.

use cyberark_runtime::JsonValue;
use pyo3::prelude::*;
use pyo3::types::{PyBool, PyDict, PyFloat, PyInt, PyList, PyMapping, PyString, PyTuple};

use crate::errors::invalid_request;

/// How deeply a Python value sent to the tenant may nest: the limit `serde_json` puts on what it
/// parses, so anything the client sends could also be read back.
pub const MAX_DEPTH: usize = 128;

/// One step of the way from an argument to the value being converted, for error messages.
enum Step {
    Key(String),
    Index(usize),
}

/// The state of one Python → JSON conversion: the argument's name, the way to the current value
/// and the containers open on that way (to find cycles).
struct ToJson<'a> {
    name: &'a str,
    steps: Vec<Step>,
    open: Vec<usize>,
}

impl ToJson<'_> {
    /// Where the value being converted sits, as `name["key"][3]`; built only for an error.
    fn place(&self) -> String {
        let mut place = self.name.to_owned();
        for step in &self.steps {
            match step {
                Step::Key(key) => place.push_str(&format!("[{key:?}]")),
                Step::Index(i) => place.push_str(&format!("[{i}]")),
            }
        }
        place
    }

    fn error(&self, what: &str) -> PyErr {
        invalid_request(format!("argument `{}`: {what}", self.place()))
    }

    /// Opens a container: refuses one already open on the way here (a cycle) or one level too
    /// many.
    fn enter(&mut self, obj: &Bound<'_, PyAny>) -> PyResult<()> {
        let id = obj.as_ptr() as usize;
        if self.open.contains(&id) {
            return Err(self.error("the value contains itself (a reference cycle)"));
        }
        if self.open.len() >= MAX_DEPTH {
            return Err(self.error(&format!("the value nests deeper than {MAX_DEPTH} levels")));
        }
        self.open.push(id);
        Ok(())
    }

    fn leave(&mut self) {
        self.open.pop();
    }

    fn convert(&mut self, obj: &Bound<'_, PyAny>) -> PyResult<JsonValue> {
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
            return Err(self.error("the integer does not fit in 64 bits"));
        }
        if let Ok(f) = obj.cast::<PyFloat>() {
            return serde_json::Number::from_f64(f.value())
                .map(JsonValue::Number)
                .ok_or_else(|| self.error(&format!("{} is not a JSON number", f.value())));
        }
        if let Ok(s) = obj.cast::<PyString>() {
            return text(s, &self.place()).map(JsonValue::String);
        }
        if obj.is_instance_of::<PyList>() || obj.is_instance_of::<PyTuple>() {
            self.enter(obj)?;
            let mut items = Vec::new();
            for (i, item) in obj.try_iter()?.enumerate() {
                self.steps.push(Step::Index(i));
                let value = self.convert(&item?)?;
                self.steps.pop();
                items.push(value);
            }
            self.leave();
            return Ok(JsonValue::Array(items));
        }
        if let Some(items) = mapping_items(obj)? {
            self.enter(obj)?;
            let mut map = serde_json::Map::new();
            for item in items.iter() {
                let (key, value) = pair(&item)?;
                let Ok(key) = key.cast::<PyString>() else {
                    return Err(self.error("dict keys must be str"));
                };
                let key = text(key, &format!("{} key", self.place()))?;
                self.steps.push(Step::Key(key));
                let value = self.convert(&value)?;
                // The key pushed above comes back without a copy.
                if let Some(Step::Key(key)) = self.steps.pop() {
                    map.insert(key, value);
                }
            }
            self.leave();
            return Ok(JsonValue::Object(map));
        }
        if obj.hasattr("to_dict")? {
            // A user's object may answer `to_dict()` with another such object, without end; each
            // answer counts as a level.
            self.enter(obj)?;
            let value = self.convert(&obj.call_method0("to_dict")?)?;
            self.leave();
            return Ok(value);
        }
        Err(wrong_type(
            obj,
            &self.place(),
            "JSON data (dict, list, str, int, float, bool or None)",
        ))
    }
}

/// Converts Python data into JSON: what `json.dumps` accepts, any `collections.abc.Mapping`, and
/// any object with a `to_dict()` method (the generated classes), so a fetched object can be sent
/// back inside a dict. `name` is the argument's name, for errors.
pub fn py_to_json(obj: &Bound<'_, PyAny>, name: &str) -> PyResult<JsonValue> {
    ToJson {
        name,
        steps: Vec::new(),
        open: Vec::new(),
    }
    .convert(obj)
}

/// The items of a mapping as a list of `(key, value)` pairs, a snapshot that later changes to
/// the mapping do not affect; `None` when `obj` is not a `collections.abc.Mapping`.
pub fn mapping_items<'py>(obj: &Bound<'py, PyAny>) -> PyResult<Option<Bound<'py, PyList>>> {
    if let Ok(dict) = obj.cast::<PyDict>() {
        return Ok(Some(dict.items()));
    }
    match obj.cast::<PyMapping>() {
        Ok(mapping) => mapping.items().map(Some),
        Err(_) => Ok(None),
    }
}

/// Splits one item of [`mapping_items`] into its key and value.
pub fn pair<'py>(item: &Bound<'py, PyAny>) -> PyResult<(Bound<'py, PyAny>, Bound<'py, PyAny>)> {
    let tuple = item.cast::<PyTuple>()?;
    Ok((tuple.get_item(0)?, tuple.get_item(1)?))
}

/// A Python `str` as Rust text, refusing one that is not valid Unicode (a lone surrogate such as
/// `"\ud800"` cannot be encoded as UTF-8) with an `InvalidRequestError` naming `place`.
pub fn text(s: &Bound<'_, PyString>, place: &str) -> PyResult<String> {
    match s.to_cow() {
        Ok(text) => Ok(text.into_owned()),
        Err(_) => Err(invalid_request(format!(
            "argument `{place}`: the string is not valid Unicode (it holds a lone surrogate)"
        ))),
    }
}

/// The error for an argument of the wrong type.
pub fn wrong_type(obj: &Bound<'_, PyAny>, name: &str, expected: &str) -> PyErr {
    let got = obj
        .get_type()
        .name()
        .map(|n| n.to_string())
        .unwrap_or_else(|_| "?".to_owned());
    invalid_request(format!("argument `{name}`: expected {expected}, got {got}"))
}

/// A container being filled while [`json_to_py`] walks its children.
enum Frame<'a, 'py> {
    Array {
        items: Vec<Bound<'py, PyAny>>,
        rest: std::slice::Iter<'a, JsonValue>,
    },
    Object {
        dict: Bound<'py, PyDict>,
        rest: serde_json::map::Iter<'a>,
        key: Option<&'a String>,
    },
}

impl<'a, 'py> Frame<'a, 'py> {
    /// Stores a converted child.
    fn fill(&mut self, value: Bound<'py, PyAny>) -> PyResult<()> {
        match self {
            Frame::Array { items, .. } => items.push(value),
            Frame::Object { dict, key, .. } => {
                if let Some(key) = key.take() {
                    dict.set_item(key, value)?;
                }
            }
        }
        Ok(())
    }

    /// The next child to convert, if any is left.
    fn next_child(&mut self) -> Option<&'a JsonValue> {
        match self {
            Frame::Array { rest, .. } => rest.next(),
            Frame::Object { rest, key, .. } => rest.next().map(|(k, v)| {
                *key = Some(k);
                v
            }),
        }
    }

    /// The finished container.
    fn finish(self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        match self {
            Frame::Array { items, .. } => Ok(PyList::new(py, items)?.into_any()),
            Frame::Object { dict, .. } => Ok(dict.into_any()),
        }
    }
}

/// Converts a JSON value into the Python object `json.loads` would give, without recursion.
pub fn json_to_py<'py>(py: Python<'py>, root: &JsonValue) -> PyResult<Bound<'py, PyAny>> {
    let mut stack: Vec<Frame<'_, 'py>> = Vec::new();
    let mut current = root;
    loop {
        // Convert `current`: a scalar at once; a container opens a frame its children fill.
        let mut done = match current {
            JsonValue::Null => Some(py.None().into_bound(py)),
            JsonValue::Bool(b) => Some(PyBool::new(py, *b).to_owned().into_any()),
            JsonValue::Number(n) => Some(if let Some(i) = n.as_i64() {
                i.into_pyobject(py)?.into_any()
            } else if let Some(u) = n.as_u64() {
                u.into_pyobject(py)?.into_any()
            } else {
                PyFloat::new(py, n.as_f64().unwrap_or(f64::NAN)).into_any()
            }),
            JsonValue::String(s) => Some(PyString::new(py, s).into_any()),
            JsonValue::Array(items) => {
                stack.push(Frame::Array {
                    items: Vec::with_capacity(items.len()),
                    rest: items.iter(),
                });
                None
            }
            JsonValue::Object(map) => {
                stack.push(Frame::Object {
                    dict: PyDict::new(py),
                    rest: map.iter(),
                    key: None,
                });
                None
            }
        };
        // Hand finished values up until a container has a child left to convert.
        loop {
            let Some(top) = stack.last_mut() else {
                return Ok(done.unwrap_or_else(|| py.None().into_bound(py)));
            };
            if let Some(value) = done.take() {
                top.fill(value)?;
            }
            if let Some(child) = top.next_child() {
                current = child;
                break;
            }
            if let Some(frame) = stack.pop() {
                done = Some(frame.finish(py)?);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_deep_value_converts_without_recursion() {
        // Built and torn down by hand: serde_json's own `Drop` of such a value recurses.
        let depth = 100_000;
        let mut value = JsonValue::Null;
        for _ in 0..depth {
            value = JsonValue::Array(vec![value]);
        }
        Python::initialize();
        Python::attach(|py| {
            let object = json_to_py(py, &value).expect("converts");
            let mut level = object;
            let mut seen = 0;
            while let Ok(list) = level.clone().cast_into::<PyList>() {
                level = list.get_item(0).expect("one item");
                seen += 1;
            }
            assert_eq!(seen, depth);
        });
        while let JsonValue::Array(mut items) = value {
            value = items.pop().unwrap_or(JsonValue::Null);
        }
    }
}
