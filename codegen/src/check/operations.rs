//! Checks of each operation's metadata and of its success response.

use std::collections::BTreeMap;

use serde_json::{Map, Value};

use super::document::{Operation, deref, join};
use super::{Finding, Rule};

/// The conventions `x-cyberark-convention` may name (README: vendor extensions).
pub(crate) const CONVENTIONS: [&str; 5] = ["envelope", "oauth", "scim", "plain", "vault"];
/// The paging styles `x-cyberark-paging.style` may name.
pub(crate) const PAGING_STYLES: [&str; 4] = ["redrock", "scim", "nextlink", "offset-limit"];
/// The media type of a binary download (a recording, an RDP file), declared as
/// `{type: string, format: binary}`.
const BINARY_MEDIA_TYPE: &str = "application/octet-stream";
/// Media types the generated clients decode.
const JSON_MEDIA_TYPES: [&str; 2] = ["application/json", "application/scim+json"];
/// The schema every envelope response builds on.
const ENVELOPE_REF: &str = "#/components/schemas/Envelope";

/// Checks the top-level tags and every operation's id, tag, texts and extensions, and that each
/// operation declares a typed success response.
pub(crate) fn check(document: &Value, operations: &[Operation<'_>], out: &mut Vec<Finding>) {
    let declared = declared_tags(document, out);
    // A convention at the root is the default of every operation.
    check_convention(document.get("x-cyberark-convention"), "", out);
    check_ids(operations, out);
    for op in operations {
        let Some(object) = op.value.as_object() else {
            out.push(Finding::new(
                Rule::OperationId,
                &op.pointer,
                "operation is not an object",
            ));
            continue;
        };
        check_tags(op, object, &declared, out);
        check_text(op, object, "summary", Rule::Summary, out);
        check_text(op, object, "description", Rule::Description, out);
        check_extensions(op, object, out);
        check_success(document, op, object, out);
    }
}

fn declared_tags(document: &Value, out: &mut Vec<Finding>) -> Vec<String> {
    let mut names = Vec::new();
    let Some(tags) = document.get("tags").and_then(Value::as_array) else {
        out.push(Finding::new(
            Rule::Tag,
            "",
            "the document declares no top-level `tags`; every operation's tag must be declared there",
        ));
        return names;
    };
    for (i, tag) in tags.iter().enumerate() {
        let pointer = join("/tags", &i.to_string());
        let Some(name) = tag.get("name").and_then(Value::as_str) else {
            out.push(Finding::new(Rule::Tag, &pointer, "tag has no `name`"));
            continue;
        };
        if names.iter().any(|n| n == name) {
            out.push(Finding::new(
                Rule::Tag,
                join(&pointer, "name"),
                format!("tag {name:?} is declared twice"),
            ));
        }
        if let Some(handle) = tag.get("x-cyberark-handle") {
            let snake = handle.as_str().is_some_and(|h| {
                h.starts_with(|c: char| c.is_ascii_lowercase())
                    && h.chars()
                        .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_')
            });
            if !snake {
                out.push(Finding::new(
                    Rule::Extension,
                    join(&pointer, "x-cyberark-handle"),
                    format!("`x-cyberark-handle` must be a snake_case name, found {handle}"),
                ));
            }
        }
        names.push(name.to_owned());
    }
    names
}

fn check_ids(operations: &[Operation<'_>], out: &mut Vec<Finding>) {
    let mut seen: BTreeMap<&str, Vec<String>> = BTreeMap::new();
    for op in operations {
        match op.id {
            Some(id) => seen
                .entry(id)
                .or_default()
                .push(join(&op.pointer, "operationId")),
            None => out.push(Finding::new(
                Rule::OperationId,
                &op.pointer,
                "operation has no `operationId`",
            )),
        }
    }
    for (id, pointers) in seen.iter().filter(|(_, p)| p.len() > 1) {
        for pointer in pointers {
            let others: Vec<String> = pointers
                .iter()
                .filter(|p| *p != pointer)
                .map(|p| format!("#{p}"))
                .collect();
            out.push(
                Finding::new(
                    Rule::DuplicateOperationId,
                    pointer,
                    format!("operationId {id:?} is also used at {}", others.join(", ")),
                )
                .in_operation(id),
            );
        }
    }
}

fn check_tags(
    op: &Operation<'_>,
    object: &Map<String, Value>,
    declared: &[String],
    out: &mut Vec<Finding>,
) {
    let tags = match object.get("tags") {
        None => {
            out.push(Finding::new(
                Rule::Tag,
                &op.pointer,
                "operation has no tag; it needs exactly one (its tag decides the client handle)",
            ));
            return;
        }
        Some(Value::Array(tags)) => tags,
        Some(other) => {
            out.push(Finding::new(
                Rule::Tag,
                join(&op.pointer, "tags"),
                format!("`tags` must be a list, found {other}"),
            ));
            return;
        }
    };
    let pointer = join(&op.pointer, "tags");
    if tags.len() != 1 {
        out.push(Finding::new(
            Rule::Tag,
            &pointer,
            format!("operation has {} tags; it needs exactly one", tags.len()),
        ));
    }
    for (i, tag) in tags.iter().enumerate() {
        let known = tag
            .as_str()
            .is_some_and(|t| declared.iter().any(|d| d == t));
        if !known {
            out.push(Finding::new(
                Rule::Tag,
                join(&pointer, &i.to_string()),
                format!("tag {tag} is not declared in the top-level `tags`"),
            ));
        }
    }
}

fn check_text(
    op: &Operation<'_>,
    object: &Map<String, Value>,
    key: &str,
    rule: Rule,
    out: &mut Vec<Finding>,
) {
    match object.get(key) {
        None => out.push(Finding::new(
            rule,
            &op.pointer,
            format!("operation has no {key}"),
        )),
        Some(Value::String(text)) if !text.trim().is_empty() => {}
        Some(other) => out.push(Finding::new(
            rule,
            join(&op.pointer, key),
            format!("{key} must be non-empty text, found {other}"),
        )),
    }
}

fn check_extensions(op: &Operation<'_>, object: &Map<String, Value>, out: &mut Vec<Finding>) {
    match object.get("x-cyberark-idempotent") {
        Some(Value::Bool(_)) => {}
        None => out.push(Finding::new(
            Rule::Idempotent,
            &op.pointer,
            "operation has no `x-cyberark-idempotent`; say whether the client may resend it",
        )),
        Some(other) => out.push(Finding::new(
            Rule::Idempotent,
            join(&op.pointer, "x-cyberark-idempotent"),
            format!("`x-cyberark-idempotent` must be true or false, found {other}"),
        )),
    }
    check_convention(object.get("x-cyberark-convention"), &op.pointer, out);
    if let Some(paging) = object.get("x-cyberark-paging") {
        let style = paging.get("style");
        if !style
            .and_then(Value::as_str)
            .is_some_and(|s| PAGING_STYLES.contains(&s))
        {
            let found = style.map_or_else(|| "no style".to_owned(), Value::to_string);
            out.push(Finding::new(
                Rule::Paging,
                join(&op.pointer, "x-cyberark-paging"),
                format!(
                    "`x-cyberark-paging` must be {{style: {}}}, found {found}",
                    PAGING_STYLES.join(" | ")
                ),
            ));
        }
    }
}

/// Whether a schema constrains nothing: without a keyword that says what the value is, the
/// generator could only produce an untyped JSON value.
fn is_empty_schema(schema: Option<&Value>) -> bool {
    const ANNOTATIONS: [&str; 5] = ["description", "title", "example", "nullable", "deprecated"];
    match schema {
        None => true,
        Some(Value::Object(object)) => object
            .keys()
            .all(|k| k.starts_with("x-") || ANNOTATIONS.contains(&k.as_str())),
        Some(_) => false,
    }
}

/// Whether the operation follows the Vault's convention (real status codes, its error body).
fn is_vault(object: &Map<String, Value>) -> bool {
    object.get("x-cyberark-convention").and_then(Value::as_str) == Some("vault")
}

/// Whether a response's only content is a binary download.
fn is_binary(response: &Value) -> bool {
    let Some(content) = response.get("content").and_then(Value::as_object) else {
        return false;
    };
    content.len() == 1
        && content.get(BINARY_MEDIA_TYPE).is_some_and(|media| {
            let schema = media.get("schema");
            schema.and_then(|s| s.get("type")).and_then(Value::as_str) == Some("string")
                && schema.and_then(|s| s.get("format")).and_then(Value::as_str) == Some("binary")
        })
}

/// The JSON-ish media type of a response's content, with its name.
fn json_content(response: &Value) -> Option<(&str, &Value)> {
    let content = response.get("content")?.as_object()?;
    JSON_MEDIA_TYPES
        .iter()
        .find_map(|m| content.get_key_value(*m))
        .map(|(k, v)| (k.as_str(), v))
}

fn check_success(
    document: &Value,
    op: &Operation<'_>,
    object: &Map<String, Value>,
    out: &mut Vec<Finding>,
) {
    let responses_pointer = join(&op.pointer, "responses");
    let Some(responses) = object.get("responses").and_then(Value::as_object) else {
        out.push(Finding::new(
            Rule::SuccessResponse,
            &op.pointer,
            "operation has no `responses`",
        ));
        return;
    };
    let mut typed = false;
    for code in ["200", "201", "204"] {
        let Some(declared) = responses.get(code) else {
            continue;
        };
        let pointer = join(&responses_pointer, code);
        // A `$ref` that does not resolve is reported by the reference check; counting it as a
        // success response avoids a second, misleading finding.
        let Some(response) = deref(document, declared) else {
            typed = true;
            continue;
        };
        let has_content = response
            .get("content")
            .and_then(Value::as_object)
            .is_some_and(|c| !c.is_empty());
        if code == "204" {
            if has_content {
                out.push(Finding::new(
                    Rule::SuccessResponse,
                    join(&pointer, "content"),
                    "a 204 response has no body, so it must not declare content",
                ));
            } else {
                typed = true;
            }
            continue;
        }
        // The Vault answers its CPM and session actions with 200 and an empty body, and its
        // downloads as bytes; both are typed answers of the `vault` convention.
        if is_vault(object) && (!has_content || is_binary(response)) {
            typed = true;
            continue;
        }
        match json_content(response) {
            None => out.push(Finding::new(
                Rule::SuccessResponse,
                &pointer,
                format!(
                    "the {code} response has no {} content",
                    JSON_MEDIA_TYPES.join(" or ")
                ),
            )),
            Some((media, content)) => {
                let schema = content.get("schema").and_then(|s| deref(document, s));
                if content.get("schema").is_some() && schema.is_none() {
                    typed = true;
                } else if is_empty_schema(schema) {
                    out.push(Finding::new(
                        Rule::SuccessResponse,
                        join(&join(&join(&pointer, "content"), media), "schema"),
                        format!("the {code} response's {media} schema is empty; describe the body"),
                    ));
                } else {
                    typed = true;
                }
            }
        }
    }
    if !typed {
        if !["200", "201", "204"]
            .iter()
            .any(|c| responses.contains_key(*c))
        {
            out.push(Finding::new(
                Rule::SuccessResponse,
                &responses_pointer,
                "operation has no success response (200 or 201 with a JSON body, or 204)",
            ));
        }
        return;
    }
    let convention = object
        .get("x-cyberark-convention")
        .and_then(Value::as_str)
        .unwrap_or("envelope");
    if convention == "envelope" {
        check_envelope(document, responses, &responses_pointer, out);
    }
}

/// An envelope operation's 200 schema must be `allOf: [$ref Envelope, {properties: {Result}}]`,
/// which is how the generator finds the type it unwraps.
fn check_envelope(
    document: &Value,
    responses: &Map<String, Value>,
    responses_pointer: &str,
    out: &mut Vec<Finding>,
) {
    let Some(response) = responses.get("200") else {
        out.push(Finding::new(
            Rule::Envelope,
            responses_pointer,
            "an envelope operation answers 200 with the envelope; declare a 200 response (or set `x-cyberark-convention`)",
        ));
        return;
    };
    let Some(response) = deref(document, response) else {
        return;
    };
    let Some((media, content)) = json_content(response) else {
        return;
    };
    let pointer = join(
        &join(&join(&join(responses_pointer, "200"), "content"), media),
        "schema",
    );
    let Some(schema) = content.get("schema").and_then(|s| deref(document, s)) else {
        return;
    };
    let parts = schema.get("allOf").and_then(Value::as_array);
    let envelope_first = parts
        .and_then(|p| p.first())
        .and_then(|p| p.get("$ref"))
        .and_then(Value::as_str)
        == Some(ENVELOPE_REF);
    let result = parts
        .filter(|p| p.len() == 2)
        .and_then(|p| p.get(1))
        .and_then(|p| p.get("properties"))
        .and_then(|p| p.get("Result"));
    // An empty `Result` schema is allowed: the curated spec writes `{}` (with a description)
    // where the tenant's answer is unknown rather than guess (spec/README.md).
    if result.is_none() || !envelope_first {
        out.push(Finding::new(
            Rule::Envelope,
            pointer,
            format!(
                "an envelope operation's 200 schema must be `allOf: [{{$ref: '{ENVELOPE_REF}'}}, {{properties: {{Result: ...}}}}]`"
            ),
        ));
    }
}

/// An `x-cyberark-convention` (on an operation, or at the root with `parent` empty) must name a
/// convention the runtime implements.
fn check_convention(convention: Option<&Value>, parent: &str, out: &mut Vec<Finding>) {
    if let Some(convention) =
        convention.filter(|c| !c.as_str().is_some_and(|c| CONVENTIONS.contains(&c)))
    {
        out.push(Finding::new(
            Rule::Convention,
            join(parent, "x-cyberark-convention"),
            format!(
                "`x-cyberark-convention` must be one of {}, found {convention}",
                CONVENTIONS.join(", ")
            ),
        ));
    }
}
