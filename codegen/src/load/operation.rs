//! Operations → IR operations: parameters, body, unwrapped result, conventions and paging.

use super::schema::{Prop, Schemas};
use super::{Located, Opts, error, escape};
use crate::ir::{
    Answer, Arm, Body, Convention, Field, Location, Method, Operation, Paging, PagingStyle,
    QueryStyle, Request, Tag, TypeDef, TypeField, TypeKind, TypeRef,
};
use crate::names;
use openapiv3::{
    MediaType, OpenAPI, Parameter, ParameterSchemaOrContent, ReferenceOr, Schema, SchemaKind,
    StatusCode,
};
use serde_json::Value;

/// Media types the generator reads as JSON.
const JSON_TYPES: &[&str] = &["application/json", "application/scim+json"];

/// Extensions the generator reads on an operation; tolerant loading reports any other `x-`.
const KNOWN_EXTENSIONS: &[&str] = &[
    "x-cyberark-convention",
    "x-cyberark-idempotent",
    "x-cyberark-paging",
];

/// Every inline operation of the document with its path and method key, in document order.
pub(super) fn all_operations(doc: &OpenAPI) -> Vec<(&str, &'static str, &openapiv3::Operation)> {
    let mut out = Vec::new();
    for (path, item) in doc.paths.iter() {
        let ReferenceOr::Item(item) = item else {
            continue;
        };
        let methods = [
            ("get", &item.get),
            ("put", &item.put),
            ("post", &item.post),
            ("delete", &item.delete),
            ("patch", &item.patch),
        ];
        for (key, op) in methods {
            if let Some(op) = op {
                out.push((path.as_str(), key, op));
            }
        }
    }
    out
}

/// The tag of an operation: its first tag, or else the first segment of its path
/// (`/Roles/StoreRole` → `Roles`), as vendor definitions without tags are grouped.
pub(super) fn tag_of(op: &openapiv3::Operation, path: &str) -> String {
    op.tags.first().cloned().unwrap_or_else(|| {
        path.split('/')
            .find(|s| !s.is_empty() && !s.starts_with('{'))
            .unwrap_or("Default")
            .to_owned()
    })
}

/// The operation name derived from a path: the segments after the tag's, without parameters
/// (`/Roles/StoreRole` → `StoreRole`), or the HTTP method when nothing is left.
fn name_from_path(path: &str, method: Method) -> String {
    let segments: Vec<&str> = path
        .split('/')
        .filter(|s| !s.is_empty() && !s.starts_with('{'))
        .skip(1)
        .collect();
    if segments.is_empty() {
        names::pascal(&method.as_str().to_ascii_lowercase())
    } else {
        segments.iter().map(|s| names::pascal(s)).collect()
    }
}

pub(super) fn load_operations(
    doc: &OpenAPI,
    tags: &[Tag],
    schemas: &mut Schemas<'_>,
    opts: &Opts,
) -> Result<Vec<Operation>, Located> {
    let mut ops = Vec::new();
    let mut ids = std::collections::BTreeMap::<String, String>::new();
    let mut method_names = std::collections::BTreeSet::<(String, String)>::new();
    for (path, item) in doc.paths.iter() {
        let path_pointer = format!("/paths/{}", escape(path));
        let ReferenceOr::Item(item) = item else {
            return error(
                &path_pointer,
                "path items given by $ref are not supported; write the operations inline",
            );
        };
        let methods = [
            (Method::Get, "get", &item.get),
            (Method::Put, "put", &item.put),
            (Method::Post, "post", &item.post),
            (Method::Delete, "delete", &item.delete),
            (Method::Patch, "patch", &item.patch),
        ];
        for (method, key, op) in methods {
            let Some(op) = op else { continue };
            let pointer = format!("{path_pointer}/{key}");
            let mut common = item.parameters.clone();
            common.extend(op.parameters.iter().cloned());
            let mut loaded = load_operation(
                doc, tags, schemas, path, method, op, &common, &pointer, opts,
            )?;
            if opts.tolerant
                && method_names.contains(&(loaded.tag.clone(), loaded.method_name.clone()))
            {
                // Two methods on one path get the same name from it; the HTTP method tells them apart.
                let renamed = names::rust_ident(&format!(
                    "{}_{}",
                    method.as_str().to_ascii_lowercase(),
                    names::snake(&loaded.name)
                ));
                opts.warn(
                    &pointer,
                    format!("named {renamed} because {} is taken", loaded.method_name),
                );
                loaded.method_name = renamed;
            }
            if let Some(first) = ids.insert(loaded.id.clone(), pointer.clone()) {
                return error(
                    &pointer,
                    format!("operationId {:?} is also used at {first}", loaded.id),
                );
            }
            if !method_names.insert((loaded.tag.clone(), loaded.method_name.clone())) {
                return error(
                    &pointer,
                    format!(
                        "two operations of tag {} would both be called {}",
                        loaded.tag, loaded.method_name
                    ),
                );
            }
            ops.push(loaded);
        }
    }
    // Group by tag in the order tags are declared, keeping spec order within a tag.
    ops.sort_by_key(|op| {
        tags.iter()
            .position(|t| t.name == op.tag)
            .unwrap_or(usize::MAX)
    });
    Ok(ops)
}

#[allow(clippy::too_many_arguments)]
fn load_operation(
    doc: &OpenAPI,
    tags: &[Tag],
    schemas: &mut Schemas<'_>,
    path: &str,
    method: Method,
    op: &openapiv3::Operation,
    parameters: &[ReferenceOr<Parameter>],
    pointer: &str,
    opts: &Opts,
) -> Result<Operation, Located> {
    let tolerant = opts.tolerant;
    let tag = match op.tags.as_slice() {
        [tag] => tag.clone(),
        _ if tolerant => {
            let tag = tag_of(op, path);
            opts.warn(
                &format!("{pointer}/tags"),
                format!("the operation should have exactly one tag; using {tag:?}"),
            );
            tag
        }
        _ => {
            let id = op.operation_id.as_deref().unwrap_or(path);
            return error(
                &format!("{pointer}/tags"),
                format!("operation {id} must have exactly one tag"),
            );
        }
    };
    let id = match op.operation_id.clone() {
        Some(id) => id,
        None if tolerant => {
            let id = format!("{}_{}", names::pascal(&tag), name_from_path(path, method));
            opts.warn(
                pointer,
                format!("the operation has no operationId; named {id} after its path"),
            );
            id
        }
        None => return error(pointer, "the operation has no operationId"),
    };
    if tolerant {
        if !op.servers.is_empty() {
            opts.warn(
                &format!("{pointer}/servers"),
                "per-operation servers are ignored; the client calls the tenant it is built for",
            );
        }
        for key in op.extensions.keys() {
            if !KNOWN_EXTENSIONS.contains(&key.as_str()) {
                opts.warn(
                    pointer,
                    format!("extension {key} is not understood; ignored"),
                );
            }
        }
    }
    let Some(tag_def) = tags.iter().find(|t| t.name == tag) else {
        return error(
            &format!("{pointer}/tags/0"),
            format!(
                "operation {id} uses tag {tag:?}, which the top-level tags list does not declare"
            ),
        );
    };
    // The operation's own name is what follows `<Tag>_` in its operationId. Vendor ids
    // (`postSecurityStartAuthentication`) read badly as method names, so tolerant loading names
    // those operations after their path instead.
    let name = match id.strip_prefix(&format!("{tag}_")) {
        Some(name) => name.to_owned(),
        None if tolerant => name_from_path(path, method),
        None => id.clone(),
    };
    let method_name = names::rust_ident(&names::snake(&name));
    let prefix = names::pascal(&tag);
    let op_pascal = names::pascal(&name);

    // The operation's own convention, else the document's (a root `x-cyberark-convention`), else
    // the Identity envelope.
    let declared = match op.extensions.get("x-cyberark-convention") {
        Some(value) => Some(convention_of(
            value,
            &format!("{pointer}/x-cyberark-convention"),
        )?),
        None => match doc.extensions.get("x-cyberark-convention") {
            Some(value) => Some(convention_of(value, "/x-cyberark-convention")?),
            None => None,
        },
    };
    let convention = declared.unwrap_or(Convention::Envelope);
    // HTTP defines GET, HEAD, PUT, DELETE and OPTIONS as idempotent (RFC 9110 §9.2.2); the spec
    // says otherwise with `x-cyberark-idempotent`, for a POST that is safe to resend, say.
    let idempotent = match op.extensions.get("x-cyberark-idempotent") {
        Some(Value::Bool(b)) => *b,
        Some(_) => {
            return error(
                &format!("{pointer}/x-cyberark-idempotent"),
                "x-cyberark-idempotent must be true or false",
            );
        }
        None => matches!(method, Method::Get | Method::Put | Method::Delete),
    };
    let deprecated = op.deprecated.then(|| {
        op.description
            .clone()
            .or_else(|| op.summary.clone())
            .unwrap_or_default()
    });
    // An empty requirement (`{}`) makes the operation callable without a bearer token, as the
    // token endpoints are when the client authenticates in the form instead of with HTTP Basic.
    let secured = match &op.security {
        Some(reqs) => !reqs.is_empty() && reqs.iter().all(|req| !req.is_empty()),
        None => doc.security.as_ref().is_some_and(|r| !r.is_empty()),
    };

    let request = load_request(
        schemas,
        &tag,
        &format!("{prefix}{op_pascal}Request"),
        parameters,
        op,
        path,
        pointer,
        opts,
    )?;
    let (result, answer, convention) = load_result(
        schemas,
        &tag,
        &format!("{prefix}{op_pascal}"),
        op,
        (convention, declared.is_some()),
        pointer,
        opts,
    )?;
    let paging = match op.extensions.get("x-cyberark-paging") {
        None => None,
        Some(v) => Some(load_paging(
            schemas,
            v,
            &request,
            &result,
            &format!("{pointer}/x-cyberark-paging"),
        )?),
    };
    let _ = tag_def;
    let bytes_alternative = match answer {
        Answer::Json => bytes_alternative(op),
        Answer::Text | Answer::Bytes => None,
    };
    Ok(Operation {
        id,
        tag,
        name,
        method_name,
        method,
        path: path.to_owned(),
        convention,
        secured,
        idempotent,
        answer,
        bytes_alternative,
        deprecated,
        paging,
        summary: op.summary.clone(),
        description: op.description.clone(),
        request,
        result,
        pointer: pointer.to_owned(),
    })
}

#[allow(clippy::too_many_arguments)]
fn load_request(
    schemas: &mut Schemas<'_>,
    tag: &str,
    type_name: &str,
    parameters: &[ReferenceOr<Parameter>],
    op: &openapiv3::Operation,
    path: &str,
    pointer: &str,
    opts: &Opts,
) -> Result<Request, Located> {
    let type_name = schemas.claim_name(type_name);
    let mut rust_scope = names::Scope::with_reserved(&["extra", "new"]);
    let mut py_scope = names::Scope::with_reserved(&["extra", "self_"]);
    let mut fields = Vec::new();
    for (i, p) in parameters.iter().enumerate() {
        let p_pointer = format!("{pointer}/parameters/{i}");
        let ReferenceOr::Item(p) = p else {
            return error(
                &p_pointer,
                "parameters given by $ref are not supported; write them inline",
            );
        };
        let (data, location) = match p {
            Parameter::Query { parameter_data, .. } => (parameter_data, Location::Query),
            Parameter::Path { parameter_data, .. } => (parameter_data, Location::Path),
            Parameter::Header { parameter_data, .. } => (parameter_data, Location::Header),
            Parameter::Cookie { .. } if opts.tolerant => {
                opts.warn(&p_pointer, "cookie parameters are not supported; ignored");
                continue;
            }
            Parameter::Cookie { .. } => {
                return error(&p_pointer, "cookie parameters are not supported");
            }
        };
        if location == Location::Path && !path.contains(&format!("{{{}}}", data.name)) {
            return error(
                &p_pointer,
                format!(
                    "path parameter {:?} does not appear in the path {path}",
                    data.name
                ),
            );
        }
        let ParameterSchemaOrContent::Schema(schema) = &data.format else {
            return error(&p_pointer, "parameters must have a schema, not content");
        };
        let prop = Prop {
            name: data.name.clone(),
            schema: boxed(schema),
            pointer: format!("{p_pointer}/schema"),
        };
        let required = if data.required || location == Location::Path {
            vec![data.name.clone()]
        } else {
            vec![]
        };
        let mut field = schemas.field(
            type_name.trim_end_matches("Request"),
            &prop,
            &required,
            Some(tag),
            location,
            &mut rust_scope,
            &mut py_scope,
        )?;
        if field.docs.is_none() {
            field.docs = data.description.clone();
        }
        field.style = parameter_style(p, &field.ty, schemas, &p_pointer)?;
        fields.push(field);
    }

    let body = match &op.request_body {
        None => Body::None,
        Some(ReferenceOr::Reference { .. }) => {
            return error(
                &format!("{pointer}/requestBody"),
                "request bodies given by $ref are not supported; write them inline",
            );
        }
        Some(ReferenceOr::Item(body)) => {
            let body_pointer = format!("{pointer}/requestBody/content");
            let Some((media_type, media)) = body.content.iter().next() else {
                return error(&body_pointer, "the request body declares no content");
            };
            let media_pointer = format!("{body_pointer}/{}", escape(media_type));
            let Some(schema) = &media.schema else {
                return error(&media_pointer, "the request body has no schema");
            };
            let base = type_name.trim_end_matches("Request").to_owned();
            let any = opts.tolerant && media_type == "*/*";
            if any {
                opts.warn(&media_pointer, "a `*/*` request body is sent as JSON");
            }
            match media_type.as_str() {
                m if JSON_TYPES.contains(&m) || any => {
                    let flatten = match schema {
                        ReferenceOr::Item(s) => {
                            matches!(&s.schema_kind, SchemaKind::Type(openapiv3::Type::Object(o)) if !o.properties.is_empty())
                        }
                        ReferenceOr::Reference { .. } => false,
                    };
                    if flatten {
                        let extra = body_fields(
                            schemas,
                            tag,
                            &base,
                            schema,
                            &media_pointer,
                            &mut fields,
                            &mut rust_scope,
                            &mut py_scope,
                        )?;
                        Body::JsonFields { extra }
                    } else {
                        let resolved = schemas.resolve(
                            schema,
                            &format!("{base}Body"),
                            Some(tag),
                            &format!("{media_pointer}/schema"),
                        )?;
                        let rust = rust_scope.claim("body", "_");
                        let python = py_scope.claim("body", "_");
                        fields.push(Field {
                            wire: "body".to_owned(),
                            rust,
                            python,
                            ty: resolved.ty,
                            required: body.required,
                            nullable: false,
                            null_clears: false,
                            location: Location::WholeBody,
                            style: QueryStyle::Single,
                            boxed: false,
                            docs: body.description.clone().or(resolved.description),
                            read_only: false,
                        });
                        Body::JsonWhole {
                            required: body.required,
                            media_type: if any {
                                "application/json".to_owned()
                            } else {
                                media_type.clone()
                            },
                        }
                    }
                }
                "multipart/form-data" | "application/x-www-form-urlencoded" => {
                    body_fields(
                        schemas,
                        tag,
                        &base,
                        schema,
                        &media_pointer,
                        &mut fields,
                        &mut rust_scope,
                        &mut py_scope,
                    )?;
                    if media_type == "multipart/form-data" {
                        Body::Multipart
                    } else {
                        Body::Form
                    }
                }
                other => {
                    return error(
                        &media_pointer,
                        format!("request media type {other:?} is not supported"),
                    );
                }
            }
        }
    };
    if matches!(body, Body::Form | Body::Multipart) {
        for f in fields.iter().filter(|f| f.location == Location::Body) {
            if !(scalar(&f.ty, schemas) || f.ty == TypeRef::File) {
                return error(
                    pointer,
                    format!("form field {:?} must be a scalar or a file", f.wire),
                );
            }
        }
    }
    Ok(Request {
        type_name,
        fields,
        body,
    })
}

/// Adds the properties of an inline object body as request fields; returns whether it is open.
#[allow(clippy::too_many_arguments)]
fn body_fields(
    schemas: &mut Schemas<'_>,
    tag: &str,
    base: &str,
    schema: &ReferenceOr<Schema>,
    media_pointer: &str,
    fields: &mut Vec<Field>,
    rust_scope: &mut names::Scope,
    py_scope: &mut names::Scope,
) -> Result<bool, Located> {
    let (s, p) = schemas.deref(schema, &format!("{media_pointer}/schema"))?;
    let (props, required, open) = schemas.object_parts(s, &p)?;
    // `readOnly` properties are what the API reports, never what it takes: not sent.
    let sent: Vec<&Prop> = props.iter().filter(|p| !schemas.read_only(p)).collect();
    for prop in sent {
        fields.push(schemas.field(
            base,
            prop,
            &required,
            Some(tag),
            Location::Body,
            rust_scope,
            py_scope,
        )?);
    }
    Ok(open)
}

/// The kind of one success response: what its body is.
enum Shape<'s> {
    /// No body.
    Empty,
    /// JSON with this schema, under this media type's pointer.
    Json(&'s ReferenceOr<Schema>, String),
    /// JSON without a schema.
    Untyped(String),
    /// Text.
    Text,
    /// Bytes of another media type.
    Bytes,
}

/// Whether a media type is JSON: `application/json`, or any `+json` type (`application/scim+json`).
fn is_json(media_type: &str) -> bool {
    let essence = media_type.split(';').next().unwrap_or(media_type).trim();
    JSON_TYPES.contains(&essence) || essence.ends_with("+json")
}

/// The operation's result type, how its body is read, and its convention (which becomes plain
/// when tolerant loading meets answers that are not envelopes and the spec declared none).
fn load_result(
    schemas: &mut Schemas<'_>,
    tag: &str,
    base: &str,
    op: &openapiv3::Operation,
    (convention, declared): (Convention, bool),
    pointer: &str,
    opts: &Opts,
) -> Result<(TypeRef, Answer, Convention), Located> {
    // Every 2xx the spec lists, in code order; `2XX` counts as one more.
    let mut successes = Vec::new();
    for (code, response) in &op.responses.responses {
        let key = match code {
            StatusCode::Code(c) if (200..300).contains(c) => c.to_string(),
            StatusCode::Range(2) => "2XX".to_owned(),
            _ => continue,
        };
        successes.push((key, response));
    }
    if successes.is_empty() {
        if opts.tolerant {
            opts.warn(
                &format!("{pointer}/responses"),
                "no success response (2xx); the result is kept as JSON",
            );
            return Ok((TypeRef::Json, Answer::Json, convention));
        }
        return error(
            &format!("{pointer}/responses"),
            "the operation declares no success response (2xx)",
        );
    }
    let mut shapes = Vec::new();
    for (code, response) in &successes {
        let r_pointer = format!("{pointer}/responses/{code}");
        let ReferenceOr::Item(response) = response else {
            return error(
                &r_pointer,
                "success responses given by $ref are not supported; write them inline",
            );
        };
        let json = response
            .content
            .iter()
            .find(|(m, _)| is_json(m) || (opts.tolerant && m.as_str() == "*/*"));
        let shape = match json {
            Some((media_type, media)) => {
                let m_pointer = format!("{r_pointer}/content/{}/schema", escape(media_type));
                match media_schema(media) {
                    Some(schema) => Shape::Json(schema, m_pointer),
                    None => Shape::Untyped(m_pointer),
                }
            }
            None => match response.content.keys().next() {
                None => Shape::Empty,
                Some(m)
                    if m.starts_with("text/html")
                        && convention == Convention::Envelope
                        && !declared
                        && opts.tolerant =>
                {
                    // A vendor definition's HTML page: kept as JSON, as before, with a warning.
                    opts.warn(
                        &r_pointer,
                        "the success response has no JSON content (text/html?); the result is kept as JSON",
                    );
                    Shape::Untyped(r_pointer.clone())
                }
                Some(m) if m.starts_with("text/") => Shape::Text,
                Some(_) => Shape::Bytes,
            },
        };
        shapes.push((code.clone(), shape));
    }
    // The convention: an undeclared one defaults to the envelope, except that tolerant loading
    // reads an answer that is not an envelope as plain JSON rather than losing its type.
    let convention = if !declared && opts.tolerant && convention == Convention::Envelope {
        let envelope = shapes.iter().any(|(_, s)| match s {
            Shape::Json(schema, p) => looks_like_envelope(schemas, schema, p),
            _ => false,
        });
        let typed = shapes.iter().any(|(_, s)| matches!(s, Shape::Json(..)));
        let empty = shapes
            .iter()
            .all(|(_, s)| matches!(s, Shape::Empty | Shape::Text | Shape::Bytes));
        if (typed || empty) && !envelope {
            opts.warn(
                &format!("{pointer}/responses"),
                "the success response is not an Identity envelope; read as plain JSON (declare x-cyberark-convention to say so)",
            );
            Convention::Plain
        } else {
            convention
        }
    } else {
        convention
    };
    // Text and bytes answers are read as they are, whatever the convention; they cannot mix
    // with JSON answers because the caller would not know what they hold.
    let kinds: Vec<&Shape<'_>> = shapes
        .iter()
        .map(|(_, s)| s)
        .filter(|s| !matches!(s, Shape::Empty))
        .collect();
    if !kinds.is_empty() {
        let text = kinds.iter().all(|s| matches!(s, Shape::Text));
        let bytes = kinds.iter().all(|s| matches!(s, Shape::Bytes));
        if text {
            return Ok((TypeRef::String, Answer::Text, convention));
        }
        if bytes {
            // A download reaches the caller as a stream, never held whole.
            return Ok((TypeRef::Bytes, Answer::Bytes, convention));
        }
        if kinds
            .iter()
            .any(|s| matches!(s, Shape::Text | Shape::Bytes))
        {
            return error(
                &format!("{pointer}/responses"),
                "the success responses mix JSON with text or bytes; give every success response the same kind of content",
            );
        }
    }
    let mut types: Vec<(String, TypeRef)> = Vec::new();
    for (code, shape) in &shapes {
        let ty = match shape {
            Shape::Empty if convention == Convention::Envelope => {
                if opts.tolerant {
                    opts.warn(
                        &format!("{pointer}/responses/{code}"),
                        "the success response has no JSON content; the result is kept as JSON",
                    );
                    TypeRef::Json
                } else {
                    return error(
                        &format!("{pointer}/responses/{code}"),
                        "the success response has no JSON content",
                    );
                }
            }
            Shape::Empty => TypeRef::Unit,
            Shape::Untyped(p) => {
                if opts.tolerant {
                    opts.warn(p, "the success response has no schema; kept as JSON");
                    TypeRef::Json
                } else {
                    return error(p, "the success response has no schema");
                }
            }
            Shape::Json(schema, p) => match convention {
                Convention::Envelope => envelope_result(schemas, tag, base, schema, p, opts)?,
                Convention::OAuth | Convention::Scim | Convention::Plain | Convention::Vault => {
                    let hint = if successes.len() == 1 {
                        format!("{base}Response")
                    } else {
                        format!("{base}Response{code}")
                    };
                    schemas.resolve(schema, &hint, Some(tag), p)?.ty
                }
            },
            // Text and bytes answers returned above.
            Shape::Text | Shape::Bytes => continue,
        };
        if !types.iter().any(|(_, t)| *t == ty) {
            types.push((code.clone(), ty));
        }
    }
    // An empty answer beside JSON ones (`200` with a body, `204` without) has no arm to decode
    // into: refused strictly, and left out with a warning when loading tolerantly.
    if types.len() > 1 && types.iter().any(|(_, t)| *t == TypeRef::Unit) {
        if !opts.tolerant {
            return error(
                &format!("{pointer}/responses"),
                "the success responses mix an empty answer with JSON ones; give the empty one a schema, or drop it",
            );
        }
        opts.warn(
            &format!("{pointer}/responses"),
            "an empty success answer beside JSON ones is left out; an empty body fails to decode",
        );
        types.retain(|(_, t)| *t != TypeRef::Unit);
    }
    let result = match types.as_slice() {
        [(_, only)] => only.clone(),
        // Several success codes with different schemas: one union, an arm per schema, decoded by
        // shape (the first arm that fits), with the JSON of anything else kept.
        _ => {
            let name = schemas.claim_name(&format!("{base}Response"));
            let mut scope = crate::names::Scope::with_reserved(&["Unknown", "Self"]);
            let arms = types
                .iter()
                .map(|(code, ty)| Arm {
                    rust: scope.claim(&format!("Status{code}"), ""),
                    ty: ty.clone(),
                    tags: Vec::new(),
                    boxed: false,
                })
                .collect();
            schemas.insert(TypeDef {
                name: name.clone(),
                owner: Some(tag.to_owned()),
                docs: Some(format!(
                    "The answers of `{}`, one arm per success response.",
                    op.operation_id.as_deref().unwrap_or(base)
                )),
                kind: TypeKind::Union {
                    arms,
                    discriminator: None,
                },
                pointer: format!("{pointer}/responses"),
            });
            TypeRef::Named(name)
        }
    };
    Ok((result, Answer::Json, convention))
}

/// The binary media type the success responses offer beside JSON, if any (the first one, in
/// media-type order): a response whose content is JSON or bytes, as `Accept` asks.
fn bytes_alternative(op: &openapiv3::Operation) -> Option<String> {
    op.responses
        .responses
        .iter()
        .filter(|(code, _)| match code {
            StatusCode::Code(c) => (200..300).contains(c),
            StatusCode::Range(r) => *r == 2,
        })
        .filter_map(|(_, response)| match response {
            ReferenceOr::Item(response) => Some(response),
            ReferenceOr::Reference { .. } => None,
        })
        .filter(|response| response.content.keys().any(|m| is_json(m)))
        .flat_map(|response| response.content.keys())
        .find(|m| !is_json(m) && !m.starts_with("text/") && m.as_str() != "*/*")
        .cloned()
}

/// Whether a response schema is an Identity envelope: an object with `success` or `Result`,
/// directly or through `allOf`.
fn looks_like_envelope(schemas: &Schemas<'_>, schema: &ReferenceOr<Schema>, pointer: &str) -> bool {
    let Ok((s, p)) = schemas.deref(schema, pointer) else {
        return false;
    };
    match &s.schema_kind {
        SchemaKind::Type(openapiv3::Type::Object(o)) => {
            o.properties.contains_key("success") || o.properties.contains_key("Result")
        }
        SchemaKind::Any(a) => {
            a.properties.contains_key("success") || a.properties.contains_key("Result")
        }
        SchemaKind::AllOf { all_of } => all_of
            .iter()
            .enumerate()
            .any(|(i, part)| looks_like_envelope_part(schemas, part, &format!("{p}/allOf/{i}"))),
        _ => false,
    }
}

/// One part of an `allOf`: an envelope part has `success` or `Result` among its own properties.
fn looks_like_envelope_part(
    schemas: &Schemas<'_>,
    part: &ReferenceOr<Schema>,
    pointer: &str,
) -> bool {
    let Ok((s, _)) = schemas.deref(part, pointer) else {
        return false;
    };
    match &s.schema_kind {
        SchemaKind::Type(openapiv3::Type::Object(o)) => {
            o.properties.contains_key("success") || o.properties.contains_key("Result")
        }
        SchemaKind::Any(a) => {
            a.properties.contains_key("success") || a.properties.contains_key("Result")
        }
        _ => false,
    }
}

fn media_schema(media: &MediaType) -> Option<&ReferenceOr<Schema>> {
    media.schema.as_ref()
}

/// Finds the schema of `Result` in an envelope response and converts it.
fn envelope_result(
    schemas: &mut Schemas<'_>,
    tag: &str,
    base: &str,
    schema: &ReferenceOr<Schema>,
    pointer: &str,
    opts: &Opts,
) -> Result<TypeRef, Located> {
    let (s, p) = schemas.deref(schema, pointer)?;
    let SchemaKind::AllOf { all_of } = &s.schema_kind else {
        // Vendor definitions describe each envelope as one object with its own `Result`.
        let own_result = match &s.schema_kind {
            SchemaKind::Type(openapiv3::Type::Object(o)) => o.properties.get("Result"),
            SchemaKind::Any(a) => a.properties.get("Result"),
            _ => None,
        };
        if let (true, Some(result)) = (opts.tolerant, own_result) {
            let resolved = schemas.resolve_boxed(
                result,
                &format!("{base}Result"),
                Some(tag),
                &format!("{p}/properties/Result"),
            )?;
            return Ok(resolved.ty);
        }
        if let ReferenceOr::Reference { .. } = schema {
            // A bare envelope: the operation's Result is undocumented.
            return Ok(TypeRef::Json);
        }
        if opts.tolerant {
            opts.warn(
                &p,
                "the response is not an envelope with a Result; the result is kept as JSON",
            );
            return Ok(TypeRef::Json);
        }
        return error(
            &p,
            "an envelope response must be allOf: [$ref Envelope, {properties: {Result: …}}]",
        );
    };
    for (i, part) in all_of.iter().enumerate() {
        let part_pointer = format!("{p}/allOf/{i}");
        if let ReferenceOr::Item(part) = part {
            let props = match &part.schema_kind {
                SchemaKind::Type(openapiv3::Type::Object(o)) => &o.properties,
                SchemaKind::Any(a) => &a.properties,
                _ => continue,
            };
            if let Some(result) = props.get("Result") {
                let resolved = schemas.resolve_boxed(
                    result,
                    &format!("{base}Result"),
                    Some(tag),
                    &format!("{part_pointer}/properties/Result"),
                )?;
                return Ok(resolved.ty);
            }
        }
    }
    Ok(TypeRef::Json)
}

fn load_paging(
    schemas: &Schemas<'_>,
    value: &Value,
    request: &Request,
    result: &TypeRef,
    pointer: &str,
) -> Result<Paging, Located> {
    let style = match value.get("style").and_then(Value::as_str) {
        Some("redrock") => PagingStyle::Redrock,
        Some("scim") => PagingStyle::Scim,
        Some("nextlink") => PagingStyle::NextLink,
        Some("offset-limit") => PagingStyle::OffsetLimit,
        _ => {
            return error(
                pointer,
                "x-cyberark-paging needs style: redrock, scim, nextlink or offset-limit",
            );
        }
    };
    let TypeRef::Named(result_name) = result else {
        return error(pointer, "a pageable operation must return an object");
    };
    // Where the items and the total are: fixed by the Identity styles, named by the spec for the
    // Vault's (`{<Name>: [...], Total}` names its list after what it holds).
    let named = |key: &str| -> Result<Option<&str>, Located> {
        match value.get(key) {
            None => Ok(None),
            Some(Value::String(name)) => Ok(Some(name.as_str())),
            Some(_) => error(
                &format!("{pointer}/{key}"),
                format!("x-cyberark-paging {key} must be a property name"),
            ),
        }
    };
    let (items_wire, total_wire) = match style {
        PagingStyle::Redrock => ("Results", Some("FullCount")),
        PagingStyle::Scim => ("Resources", Some("totalResults")),
        PagingStyle::NextLink => (
            named("items")?.unwrap_or("value"),
            named("total")?.or(Some("count")),
        ),
        PagingStyle::OffsetLimit => match named("items")? {
            Some(items) => (items, named("total")?.or(Some("Total"))),
            None => {
                return error(
                    pointer,
                    "offset-limit paging needs items: the name of the list property",
                );
            }
        },
    };
    let find = |wire: &str| -> Option<TypeField> {
        let def = schemas.get(result_name)?;
        let TypeKind::Struct { fields, .. } = &def.kind else {
            return None;
        };
        fields.iter().find(|f| f.wire == wire).map(|f| TypeField {
            rust: f.rust.clone(),
            ty: f.ty.clone(),
            optional: f.is_optional(),
        })
    };
    let Some(items) = find(items_wire) else {
        return error(
            pointer,
            format!("the result type {result_name} has no {items_wire} list to page through"),
        );
    };
    let TypeRef::List(item) = &items.ty else {
        return error(
            pointer,
            format!("{result_name}.{items_wire} must be a list"),
        );
    };
    let total = total_wire.and_then(find);
    let next_link_field = match style {
        PagingStyle::NextLink => match find("nextLink") {
            Some(field) if field.ty == TypeRef::String => Some(field),
            _ => {
                return error(
                    pointer,
                    format!("nextlink paging needs a string property nextLink in {result_name}"),
                );
            }
        },
        _ => None,
    };
    // The request fields the pager sets must exist; the emitter finds them by wire name.
    let needed: &[&str] = match style {
        PagingStyle::Redrock => &["Args"],
        PagingStyle::Scim => &["startIndex", "count"],
        PagingStyle::NextLink => &["offset", "limit"],
        PagingStyle::OffsetLimit => &["Offset", "Limit"],
    };
    for wire in needed {
        if !request.fields.iter().any(|f| f.wire == *wire) {
            return error(
                pointer,
                format!("a {style:?} pageable operation needs a request parameter {wire:?}"),
            );
        }
    }
    Ok(Paging {
        style,
        item: (**item).clone(),
        items_field: items.rust.clone(),
        items_optional: items.optional,
        total_field: total,
        next_link_field,
    })
}

fn boxed(schema: &ReferenceOr<Schema>) -> ReferenceOr<Box<Schema>> {
    match schema {
        ReferenceOr::Reference { reference } => ReferenceOr::Reference {
            reference: reference.clone(),
        },
        ReferenceOr::Item(s) => ReferenceOr::Item(Box::new(s.clone())),
    }
}

/// Reads an `x-cyberark-convention` value.
fn convention_of(value: &Value, pointer: &str) -> Result<Convention, Located> {
    match value.as_str() {
        Some("envelope") => Ok(Convention::Envelope),
        Some("oauth") => Ok(Convention::OAuth),
        Some("scim") => Ok(Convention::Scim),
        Some("plain") => Ok(Convention::Plain),
        Some("vault") => Ok(Convention::Vault),
        _ => error(
            pointer,
            format!("unknown convention {value}; expected envelope, oauth, scim, plain or vault"),
        ),
    }
}

/// How a parameter of type `ty` travels, from its `style` and `explode`; what cannot be spelled
/// on the wire is refused here, naming the parameter, rather than sent in a form the API may
/// misread.
fn parameter_style(
    parameter: &Parameter,
    ty: &TypeRef,
    schemas: &Schemas<'_>,
    pointer: &str,
) -> Result<QueryStyle, Located> {
    let data = parameter.parameter_data_ref();
    let name = &data.name;
    if scalar(ty, schemas) {
        return Ok(QueryStyle::Single);
    }
    let list_of_scalars = matches!(ty, TypeRef::List(item) if scalar(item, schemas));
    let map_of_scalars = matches!(ty, TypeRef::Map(value) if scalar(value, schemas));
    match parameter {
        Parameter::Query { style, .. } => match style {
            openapiv3::QueryStyle::Form if list_of_scalars => {
                // `explode` defaults to true for the form style (OpenAPI 3.0.3 §4.7.12.1).
                Ok(if data.explode.unwrap_or(true) {
                    QueryStyle::Repeated
                } else {
                    QueryStyle::Single
                })
            }
            openapiv3::QueryStyle::DeepObject if map_of_scalars => Ok(QueryStyle::DeepObject),
            openapiv3::QueryStyle::DeepObject => error(
                pointer,
                format!(
                    "query parameter {name:?}: deepObject is supported for objects whose values are scalars (additionalProperties of a scalar type)"
                ),
            ),
            other => error(
                pointer,
                format!(
                    "query parameter {name:?}: style {other:?} with this schema cannot be sent; supported are scalars, arrays of scalars (form, exploded or not) and maps of scalars (deepObject)"
                ),
            ),
        },
        // Headers and path segments use the `simple` style: a list is joined with commas.
        Parameter::Header { .. } | Parameter::Path { .. } if list_of_scalars => {
            if data.explode == Some(true) {
                return error(
                    pointer,
                    format!("parameter {name:?}: exploded simple style is not supported for lists"),
                );
            }
            Ok(QueryStyle::Single)
        }
        _ => error(
            pointer,
            format!(
                "parameter {name:?} must be a scalar (string, number, boolean or enum) or, in the query or a header, an array of scalars"
            ),
        ),
    }
}

/// Whether a type can travel as one query, path, header or form value.
fn scalar(ty: &TypeRef, schemas: &Schemas<'_>) -> bool {
    match ty {
        TypeRef::String
        | TypeRef::Secret
        | TypeRef::DateTime
        | TypeRef::Date
        | TypeRef::Uuid
        | TypeRef::UnixTime
        | TypeRef::UnixTimeMicros
        | TypeRef::Bool
        | TypeRef::I32
        | TypeRef::I64
        | TypeRef::F64 => true,
        TypeRef::Named(n) => matches!(schemas.get(n).map(|d| &d.kind), Some(TypeKind::Enum { .. })),
        _ => false,
    }
}
