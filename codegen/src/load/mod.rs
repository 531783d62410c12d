//! `load`: reads the curated OpenAPI document into the IR. Only this module sees `openapiv3` types.
//!
//! Loading walks the document once, following `$ref`s, and keeps a JSON pointer for every place
//! it looks at, so that whatever it cannot model is reported as an error naming that place.
//! Named component schemas keep their names; inline schemas get names derived from where they
//! sit (`OrgCreateRequest`, `StartAuthenticationResultChallengesItem`, …), which are stable as
//! long as the spec's structure is.

mod operation;
mod schema;

use crate::ir::{Api, Tag};
use crate::names;
use openapiv3::OpenAPI;
use std::fmt;

pub(crate) use schema::Schemas;

/// Something in the spec the generator cannot model, and where it is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LoadError {
    /// The spec file, as the caller named it.
    pub origin: String,
    /// The JSON pointer of the offending spot (`/paths/~1Org~1Create/post/...`).
    pub pointer: String,
    /// What is wrong, in a sentence.
    pub message: String,
}

impl fmt::Display for LoadError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}#{}: {}", self.origin, self.pointer, self.message)
    }
}

impl std::error::Error for LoadError {}

/// An error without its origin yet; [`load`] fills the origin in.
#[derive(Debug, Clone)]
pub(crate) struct Located {
    pub(crate) pointer: String,
    pub(crate) message: String,
}

/// Shorthand for building a located error.
pub(crate) fn error<T>(pointer: &str, message: impl Into<String>) -> Result<T, Located> {
    Err(Located {
        pointer: pointer.to_owned(),
        message: message.into(),
    })
}

/// Escapes one JSON pointer segment (RFC 6901).
pub(crate) fn escape(segment: &str) -> String {
    segment.replace('~', "~0").replace('/', "~1")
}

/// Parses `source` (YAML or JSON) as an OpenAPI 3.0.x document and reports whether `openapiv3`
/// accepts it, with the parser's message when it does not.
pub fn validate_openapi(source: &str) -> Result<(), String> {
    parse(source).map(|_| ()).map_err(|e| e.message)
}

fn parse(source: &str) -> Result<OpenAPI, Located> {
    let doc: OpenAPI = serde_yaml_ng::from_str(source).map_err(|e| Located {
        pointer: String::new(),
        message: format!("the document is not an OpenAPI 3.0 description: {e}"),
    })?;
    if !doc.openapi.starts_with("3.0.") {
        return error(
            "/openapi",
            format!(
                "OpenAPI version {} is not supported; the generator reads 3.0.x",
                doc.openapi
            ),
        );
    }
    Ok(doc)
}

/// Loads the spec text into the IR. `origin` names the file in error messages.
pub fn load(source: &str, origin: &str) -> Result<Api, LoadError> {
    load_inner(source).map_err(|e| LoadError {
        origin: origin.to_owned(),
        pointer: e.pointer,
        message: e.message,
    })
}

fn load_inner(source: &str) -> Result<Api, Located> {
    let doc = parse(source)?;
    let tags = load_tags(&doc)?;
    let mut schemas = Schemas::new(&doc, &tags);
    schemas.load_components()?;
    let operations = operation::load_operations(&doc, &tags, &mut schemas)?;
    Ok(Api {
        title: doc.info.title.clone(),
        tags,
        operations,
        types: schemas.into_types(),
    })
}

fn load_tags(doc: &OpenAPI) -> Result<Vec<Tag>, Located> {
    let mut handles = names::Scope::new();
    let mut tags = Vec::new();
    for (i, tag) in doc.tags.iter().enumerate() {
        let pointer = format!("/tags/{i}");
        let handle = match tag.extensions.get("x-cyberark-handle") {
            Some(serde_json::Value::String(h)) => names::snake(h),
            Some(_) => {
                return error(
                    &format!("{pointer}/x-cyberark-handle"),
                    "x-cyberark-handle must be a string",
                );
            }
            None => names::snake(&tag.name),
        };
        if handles.contains(&handle) {
            return error(
                &pointer,
                format!(
                    "tag {:?} would get the handle name {handle:?}, which another tag already has",
                    tag.name
                ),
            );
        }
        handles.claim(&handle, "_");
        tags.push(Tag {
            name: tag.name.clone(),
            type_name: format!("{}Api", names::pascal(&tag.name)),
            module: names::rust_ident(&handle),
            handle,
            docs: tag.description.clone(),
        });
    }
    Ok(tags)
}
