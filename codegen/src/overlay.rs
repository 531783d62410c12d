//! `overlay`: applies OpenAPI Overlay 1.0 documents to a spec before it is loaded.
//!
//! An overlay keeps corrections separate from the definition they correct, so a maintainer can
//! drop in a vendor's published definition unchanged and re-apply the corrections when it is
//! updated. The format:
//!
//! ```yaml
//! overlay: 1.0.0
//! info: {title: Corrections to the Roles API, version: 1.0.0}
//! actions:
//!   - target: $.paths['/Roles/StoreRole'].post
//!     update: {x-cyberark-idempotent: true}
//!   - target: $.components.schemas.Role.properties.Legacy
//!     remove: true
//! ```
//!
//! Targets are JSONPath expressions (RFC 9535, through `serde_json_path`: names, `*`, indexes,
//! slices and filters). `update` is merged into every node the target selects: objects are merged
//! key by key, recursively; any other value replaces the one there; when the target selects an
//! array, the update is appended to it. `remove: true` deletes every selected node. Unlike the
//! Overlay specification, a target that selects nothing is an error here, because a correction
//! that silently stops applying after an upstream change is exactly what a maintainer must see.

use serde_json::Value;
use serde_json_path::JsonPath;
use std::fmt;

/// An overlay that could not be read or applied, naming the overlay and the action's target.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OverlayError {
    /// The overlay file, as the caller named it.
    pub overlay: String,
    /// The target of the failing action, if the failure belongs to one.
    pub target: Option<String>,
    /// What went wrong, in a sentence.
    pub message: String,
}

impl fmt::Display for OverlayError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.target {
            Some(t) => write!(f, "overlay {}: target {t}: {}", self.overlay, self.message),
            None => write!(f, "overlay {}: {}", self.overlay, self.message),
        }
    }
}

impl std::error::Error for OverlayError {}

/// Parses a YAML or JSON document (a spec or an overlay) into a JSON value.
pub fn parse_document(source: &str, name: &str) -> Result<Value, OverlayError> {
    let fail = |message: String| OverlayError {
        overlay: name.to_owned(),
        target: None,
        message: format!("not a YAML or JSON document: {message}"),
    };
    crate::nesting::check(source).map_err(fail)?;
    crate::nesting::on_big_stack(|| serde_yaml_ng::from_str(source))
        .ok_or_else(|| fail("the parser failed on it".to_owned()))?
        .map_err(|e| fail(e.to_string()))
}

/// Applies one overlay (its text, `overlay_src`, named `overlay_name` in errors) to `doc`.
pub fn apply(mut doc: Value, overlay_src: &str, overlay_name: &str) -> Result<Value, OverlayError> {
    let fail = |target: Option<&str>, message: String| OverlayError {
        overlay: overlay_name.to_owned(),
        target: target.map(str::to_owned),
        message,
    };
    let overlay = parse_document(overlay_src, overlay_name)?;
    match overlay.get("overlay").and_then(Value::as_str) {
        Some(v) if v.starts_with("1.") => {}
        Some(v) => {
            return Err(fail(
                None,
                format!("overlay version {v} is not supported; 1.x is"),
            ));
        }
        None => return Err(fail(None, "`overlay: 1.0.0` is missing".to_owned())),
    }
    if !overlay.get("info").is_some_and(Value::is_object) {
        return Err(fail(
            None,
            "`info` (title and version) is missing".to_owned(),
        ));
    }
    let Some(actions) = overlay.get("actions").and_then(Value::as_array) else {
        return Err(fail(None, "`actions` must be a list".to_owned()));
    };
    for (i, action) in actions.iter().enumerate() {
        let Some(target) = action.get("target").and_then(Value::as_str) else {
            return Err(fail(None, format!("action {i} has no `target`")));
        };
        let path = JsonPath::parse(target)
            .map_err(|e| fail(Some(target), format!("not a JSONPath expression: {e}")))?;
        let pointers: Vec<String> = path
            .query_located(&doc)
            .locations()
            .map(|l| l.to_json_pointer())
            .collect();
        if pointers.is_empty() {
            return Err(fail(
                Some(target),
                "matches nothing in the document".to_owned(),
            ));
        }
        let remove = action.get("remove").and_then(Value::as_bool) == Some(true);
        if remove {
            // Last first, so removing an array element does not shift the ones still to remove.
            for pointer in pointers.iter().rev() {
                remove_at(&mut doc, pointer)
                    .map_err(|m| fail(Some(target), format!("cannot remove {pointer}: {m}")))?;
            }
        } else if let Some(update) = action.get("update") {
            for pointer in &pointers {
                let Some(node) = doc.pointer_mut(pointer) else {
                    return Err(fail(Some(target), format!("{pointer} disappeared")));
                };
                merge(node, update);
            }
        } else {
            return Err(fail(
                Some(target),
                format!("action {i} has neither `update` nor `remove: true`"),
            ));
        }
    }
    Ok(doc)
}

/// Applies overlays, given as `(name, text)` in the order to apply them, to a spec's text, and
/// returns the result as JSON text (which the loader reads like YAML). With no overlays the
/// spec's text is returned unchanged.
pub fn apply_all(
    spec_src: &str,
    spec_name: &str,
    overlays: &[(String, String)],
) -> Result<String, OverlayError> {
    if overlays.is_empty() {
        return Ok(spec_src.to_owned());
    }
    let mut doc = parse_document(spec_src, spec_name)?;
    for (name, text) in overlays {
        doc = apply(doc, text, name)?;
    }
    serde_json::to_string(&doc).map_err(|e| OverlayError {
        overlay: spec_name.to_owned(),
        target: None,
        message: format!("cannot serialise the overlaid spec: {e}"),
    })
}

/// Merges `update` into `node`: objects key by key, arrays by appending, anything else replaced.
fn merge(node: &mut Value, update: &Value) {
    match (node, update) {
        (Value::Object(node), Value::Object(update)) => {
            for (key, value) in update {
                match node.get_mut(key) {
                    Some(existing @ Value::Object(_)) if value.is_object() => {
                        merge(existing, value)
                    }
                    _ => {
                        node.insert(key.clone(), value.clone());
                    }
                }
            }
        }
        (Value::Array(items), update) => items.push(update.clone()),
        (node, update) => *node = update.clone(),
    }
}

/// Removes the node at a JSON pointer from its parent.
fn remove_at(doc: &mut Value, pointer: &str) -> Result<(), String> {
    let Some((parent, last)) = pointer.rsplit_once('/') else {
        return Err("the whole document cannot be removed".to_owned());
    };
    let key = last.replace("~1", "/").replace("~0", "~");
    match doc.pointer_mut(parent) {
        Some(Value::Object(map)) => {
            map.remove(&key);
            Ok(())
        }
        Some(Value::Array(items)) => {
            let index: usize = key
                .parse()
                .map_err(|_| format!("{key:?} is not an index"))?;
            if index < items.len() {
                items.remove(index);
            }
            Ok(())
        }
        _ => Err("its parent is not an object or an array".to_owned()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn doc() -> Value {
        json!({
            "paths": {
                "/Roles/StoreRole": {"post": {"summary": "Store", "tags": ["Roles"]}},
                "/Roles/GetRole": {"post": {"summary": "Get", "tags": ["Roles"]}}
            },
            "components": {"schemas": {"Role": {"type": "object", "properties": {
                "Name": {"type": "string"}, "Legacy": {"type": "string"}
            }}}}
        })
    }

    #[test]
    fn update_merges_into_every_selected_node() {
        let overlay = "overlay: 1.0.0\ninfo: {title: t, version: '1'}\nactions:\n  - target: $.paths.*.post\n    update: {x-cyberark-idempotent: true}\n  - target: \"$.paths['/Roles/StoreRole'].post\"\n    update: {summary: Store a role, tags: [Role]}\n";
        let out = apply(doc(), overlay, "fix.yaml").unwrap();
        assert_eq!(
            out["paths"]["/Roles/GetRole"]["post"]["x-cyberark-idempotent"],
            json!(true)
        );
        assert_eq!(
            out["paths"]["/Roles/StoreRole"]["post"]["summary"],
            json!("Store a role")
        );
        assert_eq!(
            out["paths"]["/Roles/StoreRole"]["post"]["tags"],
            json!(["Role"])
        );
    }

    #[test]
    fn remove_deletes_the_node_and_arrays_get_appended_to() {
        let overlay = "overlay: 1.0.0\ninfo: {title: t, version: '1'}\nactions:\n  - target: $.components.schemas.Role.properties.Legacy\n    remove: true\n  - target: \"$.paths['/Roles/GetRole'].post.tags\"\n    update: Admin\n";
        let out = apply(doc(), overlay, "fix.yaml").unwrap();
        assert_eq!(
            out["components"]["schemas"]["Role"]["properties"],
            json!({"Name": {"type": "string"}})
        );
        assert_eq!(
            out["paths"]["/Roles/GetRole"]["post"]["tags"],
            json!(["Roles", "Admin"])
        );
    }

    #[test]
    fn errors_name_the_overlay_and_the_target() {
        let overlay = "overlay: 1.0.0\ninfo: {title: t, version: '1'}\nactions:\n  - target: $.components.schemas.Missing\n    remove: true\n";
        let err = apply(doc(), overlay, "spec/overlays/10-fix.yaml").unwrap_err();
        assert_eq!(err.target.as_deref(), Some("$.components.schemas.Missing"));
        assert_eq!(
            err.to_string(),
            "overlay spec/overlays/10-fix.yaml: target $.components.schemas.Missing: matches nothing in the document"
        );
        let bad = apply(
            doc(),
            "overlay: 1.0.0\ninfo: {}\nactions:\n  - target: '$[?'\n    remove: true\n",
            "o.yaml",
        )
        .unwrap_err();
        assert!(bad.message.contains("not a JSONPath"), "{bad}");
        let missing = apply(doc(), "actions: []\n", "o.yaml").unwrap_err();
        assert!(missing.message.contains("overlay: 1.0.0"), "{missing}");
    }
}
