//! `readOnly` properties: kept in every value a caller holds, left out of every request.
//!
//! A type such as a SCIM user is both what the API answers and what it takes, so its `readOnly`
//! fields (an `id`, `meta`) must stay in the struct: a read-modify-write loop, `Debug`, Python's
//! `to_dict()` and pickling all see them. Only the request body must leave them out, at any
//! depth. The runtime serialises request bodies with `to_request_json`, which marks the
//! current thread as sending; the generated `skip_serializing_if` of a `readOnly` field asks
//! [`skip_option`] or [`skip_nullable`], which skip the field only while that mark is set.
//! Serialisation is synchronous, so a thread-local mark cannot leak into another request.

use crate::Nullable;
use serde::Serialize;
use std::cell::Cell;

thread_local! {
    static SENDING: Cell<bool> = const { Cell::new(false) };
}

/// Sets the mark for its lifetime and restores the previous value when dropped, even when
/// serialisation panics.
struct Sending {
    previous: bool,
}

impl Sending {
    fn enter() -> Self {
        Self {
            previous: SENDING.with(|s| s.replace(true)),
        }
    }
}

impl Drop for Sending {
    fn drop(&mut self) {
        let previous = self.previous;
        SENDING.with(|s| s.set(previous));
    }
}

fn sending() -> bool {
    SENDING.with(Cell::get)
}

/// Serialises a request body as JSON, leaving out `readOnly` fields.
pub(crate) fn to_request_json<T: Serialize + ?Sized>(body: &T) -> serde_json::Result<Vec<u8>> {
    // Only the call into the body's `Serialize` is per body type; the mark, the buffer and the
    // error are handled once, in `write_marked`.
    write_marked(&mut |bytes| body.serialize(&mut serde_json::Serializer::new(bytes)))
}

/// Runs `write` into a new buffer while a request body is being written.
fn write_marked(
    write: &mut dyn FnMut(&mut Vec<u8>) -> serde_json::Result<()>,
) -> serde_json::Result<Vec<u8>> {
    let _mark = Sending::enter();
    let mut bytes = Vec::with_capacity(128);
    write(&mut bytes)?;
    Ok(bytes)
}

/// Serialises a request body as a form, leaving out `readOnly` fields.
pub(crate) fn to_request_form<T: Serialize + ?Sized>(
    body: &T,
) -> Result<String, serde_urlencoded::ser::Error> {
    let _mark = Sending::enter();
    serde_urlencoded::to_string(body)
}

/// `skip_serializing_if` of an optional `readOnly` field: absent values are always skipped,
/// present ones while a request body is being written.
pub fn skip_option<T>(value: &Option<T>) -> bool {
    value.is_none() || sending()
}

/// `skip_serializing_if` of a tri-state `readOnly` field: absent values are always skipped,
/// null and present ones while a request body is being written.
pub fn skip_nullable<T>(value: &Nullable<T>) -> bool {
    value.is_absent() || sending()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Serialize)]
    struct Node {
        name: &'static str,
        #[serde(skip_serializing_if = "skip_option")]
        id: Option<&'static str>,
        #[serde(skip_serializing_if = "skip_nullable")]
        etag: Nullable<&'static str>,
        children: Vec<Node>,
    }

    fn node() -> Node {
        Node {
            name: "a",
            id: Some("1"),
            etag: Nullable::Null,
            children: vec![Node {
                name: "b",
                id: Some("2"),
                etag: Nullable::Value("x"),
                children: vec![],
            }],
        }
    }

    #[test]
    fn read_only_fields_are_left_out_of_requests_only() {
        let sent: serde_json::Value =
            serde_json::from_slice(&to_request_json(&node()).unwrap()).unwrap();
        assert_eq!(
            sent,
            serde_json::json!({"name": "a", "children": [{"name": "b", "children": []}]})
        );
        let kept = serde_json::to_value(node()).unwrap();
        assert_eq!(kept["id"], "1");
        assert_eq!(kept["etag"], serde_json::Value::Null);
        assert_eq!(kept["children"][0]["etag"], "x");
        assert!(!sending(), "the mark is cleared after the request");
        assert_eq!(to_request_form(&[("a", "b")]).unwrap(), "a=b");
    }
}
