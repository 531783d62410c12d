//! `load`: reads the curated OpenAPI document into the IR. Only this module sees `openapiv3` types.
//!
//! Loading walks the document once, following `$ref`s, and keeps a JSON pointer for every place
//! it looks at, so that whatever it cannot model is reported as an error naming that place.
//! Named component schemas keep their names; inline schemas get names derived from where they
//! sit (`OrgCreateRequest`, `StartAuthenticationResultChallengesItem`, …), which are stable as
//! long as the spec's structure is.

mod html;
mod operation;
mod schema;

use crate::ir::{Api, Tag};
use crate::names;
use openapiv3::OpenAPI;
use std::cell::RefCell;
use std::fmt;

pub(crate) use schema::{DOTNET_DATE, Schemas};

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

/// How strictly to read a spec.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct LoadOptions {
    /// Accept definitions in the style of the vendor's own published ones, with warnings:
    /// operations without `operationId` or tags get names from their path, `*/*` bodies are
    /// JSON, HTML or missing success responses become JSON values, answers that are not Identity
    /// envelopes (when no convention is declared) are read as plain JSON, and HTML in
    /// descriptions is turned into Markdown. The curated spec is loaded strictly: there each of
    /// these is an error. In both modes a missing `x-cyberark-idempotent` follows the method.
    pub tolerant: bool,
}

/// Something the loader accepted in tolerant mode but a maintainer should look at.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Warning {
    /// The spec file, as the caller named it.
    pub origin: String,
    /// The JSON pointer of the spot.
    pub pointer: String,
    /// What was assumed, in a sentence.
    pub message: String,
}

impl fmt::Display for Warning {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}#{}: {}", self.origin, self.pointer, self.message)
    }
}

/// The options of one load and the warnings it collects.
pub(crate) struct Opts {
    pub(crate) tolerant: bool,
    warnings: RefCell<Vec<Located>>,
}

impl Opts {
    /// Records a warning (kept in tolerant mode; [`load`] drops them).
    pub(crate) fn warn(&self, pointer: &str, message: impl Into<String>) {
        self.warnings.borrow_mut().push(Located {
            pointer: pointer.to_owned(),
            message: message.into(),
        });
    }
}

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
    let not_openapi = |e: String| Located {
        pointer: String::new(),
        message: format!("the document is not an OpenAPI 3.0 description: {e}"),
    };
    crate::nesting::check(source).map_err(&not_openapi)?;
    let doc: OpenAPI = crate::nesting::on_big_stack(|| serde_yaml_ng::from_str(source))
        .ok_or_else(|| {
            not_openapi(
                "the parser failed on it (openapiv3 panics on some malformed input, such as a duplicate key)"
                    .to_owned(),
            )
        })?
        .map_err(|e| not_openapi(e.to_string()))?;
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

/// Loads the spec text into the IR, strictly. `origin` names the file in error messages.
pub fn load(source: &str, origin: &str) -> Result<Api, LoadError> {
    load_with(source, origin, LoadOptions::default()).map(|(api, _)| api)
}

/// Loads the spec text into the IR with the given options, returning the warnings too.
pub fn load_with(
    source: &str,
    origin: &str,
    options: LoadOptions,
) -> Result<(Api, Vec<Warning>), LoadError> {
    let opts = Opts {
        tolerant: options.tolerant,
        warnings: RefCell::new(Vec::new()),
    };
    let located = |e: Located| LoadError {
        origin: origin.to_owned(),
        pointer: e.pointer,
        message: e.message,
    };
    let mut api = load_inner(source, &opts).map_err(located)?;
    if opts.tolerant {
        html::docs_to_markdown(&mut api);
    }
    let warnings = opts
        .warnings
        .into_inner()
        .into_iter()
        .map(|w| Warning {
            origin: origin.to_owned(),
            pointer: w.pointer,
            message: w.message,
        })
        .collect();
    Ok((api, warnings))
}

fn load_inner(source: &str, opts: &Opts) -> Result<Api, Located> {
    let doc = parse(source)?;
    let tags = load_tags(&doc, opts)?;
    let mut schemas = Schemas::new(&doc, &tags, opts);
    schemas.load_components()?;
    let operations = operation::load_operations(&doc, &tags, &mut schemas, opts)?;
    let mut api = Api {
        title: doc.info.title.clone(),
        tags,
        operations,
        types: schemas.into_types(),
    };
    api.box_cycles();
    Ok(api)
}

fn load_tags(doc: &OpenAPI, opts: &Opts) -> Result<Vec<Tag>, Located> {
    let mut handles = names::Scope::new();
    let mut tags = Vec::new();
    let mut declared: Vec<openapiv3::Tag> = doc.tags.clone();
    if opts.tolerant {
        // Vendor definitions often use tags they never declare, or none at all.
        for (path, method, op) in operation::all_operations(doc) {
            let name = operation::tag_of(op, path);
            if !declared.iter().any(|t| t.name == name) {
                opts.warn(
                    &format!("/paths/{}/{method}", escape(path)),
                    format!("tag {name:?} is not declared in the top-level tags; added"),
                );
                declared.push(openapiv3::Tag {
                    name,
                    ..Default::default()
                });
            }
        }
    }
    for (i, tag) in declared.iter().enumerate() {
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
