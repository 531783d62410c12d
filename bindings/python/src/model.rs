//! What every generated object class shares beyond conversions: the cache of its converted
//! fields, and pickling.
//!
//! A class wraps a value of the Rust client and converts a field when it is read. A field that
//! becomes a Python container or object (a list, a dict, another object, JSON data) is converted
//! once and kept, so `table.results[i]` in a loop costs one conversion of `results`, not one per
//! read, and `obj.results is obj.results`. Scalars and strings are converted on every read; that
//! costs as much as a lookup would.

use std::sync::OnceLock;

use pyo3::PyTraverseError;
use pyo3::gc::PyVisit;
use pyo3::prelude::*;

/// The converted container fields of one object, each set on its first read.
///
/// The slots are allocated on the first read of any cached field, so an object whose cached
/// fields are never read (an item streamed past) costs one pointer.
#[derive(Default)]
pub struct FieldCache(OnceLock<Box<[OnceLock<Py<PyAny>>]>>);

impl FieldCache {
    /// The Python object of field number `index` of `len` cached fields, converted by `convert`
    /// on the first read.
    pub fn get<'py>(
        &self,
        py: Python<'py>,
        index: usize,
        len: usize,
        convert: impl FnOnce() -> PyResult<Bound<'py, PyAny>>,
    ) -> PyResult<Bound<'py, PyAny>> {
        let slots = self
            .0
            .get_or_init(|| (0..len).map(|_| OnceLock::new()).collect());
        let Some(slot) = slots.get(index) else {
            // The generated code always passes an index below `len`; convert without caching
            // rather than fail if it ever does not.
            return convert();
        };
        if let Some(object) = slot.get() {
            return Ok(object.bind(py).clone());
        }
        let object = convert()?;
        // Another thread may have converted the same field meanwhile; keep the first.
        Ok(slot.get_or_init(|| object.unbind()).bind(py).clone())
    }

    /// Shows the garbage collector the cached objects, which a user may have made refer back
    /// to the object holding them (`obj.results.append(obj)`).
    pub fn traverse(&self, visit: &PyVisit<'_>) -> Result<(), PyTraverseError> {
        if let Some(slots) = self.0.get() {
            for object in slots.iter().filter_map(OnceLock::get) {
                visit.call(object)?;
            }
        }
        Ok(())
    }
}

/// The cache is not part of an object's value: two objects with equal data are equal whichever
/// fields were read.
impl PartialEq for FieldCache {
    fn eq(&self, _: &Self) -> bool {
        true
    }
}

/// An object's data as JSON text, what its `__reduce__` pickles: the same serde form the tenant
/// sent, so unknown fields, nulls and secrets survive the round trip.
pub fn to_json<T: serde::Serialize>(value: &T) -> PyResult<String> {
    serde_json::to_string(value).map_err(|e| {
        pyo3::exceptions::PyRuntimeError::new_err(format!("cannot pickle the object: {e}"))
    })
}

/// The object back from [`to_json`]'s text.
pub fn from_json<T: serde::de::DeserializeOwned>(json: &str) -> PyResult<T> {
    serde_json::from_str(json).map_err(|e| {
        pyo3::exceptions::PyValueError::new_err(format!("cannot unpickle the object: {e}"))
    })
}
