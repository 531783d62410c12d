//! The places in the document that hold schemas and examples.
//!
//! Media types, parameters and headers ("holders") carry a `schema` beside an `example` or named
//! `examples`; schemas carry their own `example` and nest further schemas. Both are listed with
//! their pointer and the operation they belong to, so the example and extension checks read them
//! without walking the document again.

use serde_json::Value;

use super::document::{METHODS, Operation, join, operation_at};

/// A media type, parameter or header object: something with a schema and examples.
pub(crate) struct Holder<'a> {
    /// Where the object is.
    pub pointer: String,
    /// The object.
    pub value: &'a Value,
    /// The operation it belongs to, if it is inside one.
    pub operation: Option<String>,
}

/// A Schema Object somewhere in the document.
pub(crate) struct SchemaSite<'a> {
    /// Where the schema is.
    pub pointer: String,
    /// The schema.
    pub value: &'a Value,
    /// The operation it belongs to, if it is inside one.
    pub operation: Option<String>,
    /// Whether the schema is the value of an object's property (in `properties`).
    pub is_property: bool,
}

/// Everything the example and extension checks look at.
#[derive(Default)]
pub(crate) struct Sites<'a> {
    /// Media types, parameters and headers.
    pub holders: Vec<Holder<'a>>,
    /// Every schema, nested ones included; a `$ref` is listed but not followed.
    pub schemas: Vec<SchemaSite<'a>>,
}

/// Lists the holders and schemas of `document`. Objects given by `$ref` are listed where they
/// are defined (under `components`), once.
pub(crate) fn sites<'a>(document: &'a Value, operations: &[Operation<'_>]) -> Sites<'a> {
    let mut sites = Sites::default();
    if let Some(paths) = document.get("paths").and_then(Value::as_object) {
        for (path, item) in paths {
            let item_pointer = join("/paths", path);
            let visit = |sites: &mut Sites<'a>, value: &'a Value, pointer: String| {
                let operation = operation_at(operations, &pointer).map(str::to_owned);
                let mut ctx = Context { sites, operation };
                ctx.container(value, &pointer);
            };
            visit(&mut sites, item, item_pointer.clone());
            for method in METHODS {
                if let Some(op) = item.get(method) {
                    visit(&mut sites, op, join(&item_pointer, method));
                }
            }
        }
    }
    let mut ctx = Context {
        sites: &mut sites,
        operation: None,
    };
    if let Some(components) = document.get("components") {
        let each = |key: &'static str| {
            components
                .get(key)
                .and_then(Value::as_object)
                .into_iter()
                .flatten()
                .map(move |(name, value)| (join(&join("/components", key), name), value))
        };
        for (pointer, schema) in each("schemas") {
            ctx.schema(schema, pointer, false);
        }
        for (pointer, parameter) in each("parameters").chain(each("headers")) {
            ctx.holder(parameter, pointer);
        }
        for (pointer, body) in each("requestBodies") {
            ctx.content(body, &pointer);
        }
        for (pointer, response) in each("responses") {
            ctx.response(response, &pointer);
        }
    }
    sites
}

struct Context<'s, 'a> {
    sites: &'s mut Sites<'a>,
    operation: Option<String>,
}

impl<'a> Context<'_, 'a> {
    /// A path item or an operation: its parameters, request body and responses. (A path item
    /// has only parameters of these; its operations are visited on their own.)
    fn container(&mut self, value: &'a Value, pointer: &str) {
        if let Some(parameters) = value.get("parameters").and_then(Value::as_array) {
            for (i, parameter) in parameters.iter().enumerate() {
                let pointer = join(&join(pointer, "parameters"), &i.to_string());
                self.holder(parameter, pointer);
            }
        }
        if let Some(body) = value.get("requestBody") {
            self.content(body, &join(pointer, "requestBody"));
        }
        if let Some(responses) = value.get("responses").and_then(Value::as_object) {
            for (code, response) in responses {
                self.response(response, &join(&join(pointer, "responses"), code));
            }
        }
    }

    fn response(&mut self, response: &'a Value, pointer: &str) {
        self.content(response, pointer);
        if let Some(headers) = response.get("headers").and_then(Value::as_object) {
            for (name, header) in headers {
                self.holder(header, join(&join(pointer, "headers"), name));
            }
        }
    }

    /// The media types of a request body or response (skipped when it is a `$ref`).
    fn content(&mut self, value: &'a Value, pointer: &str) {
        if value.get("$ref").is_some() {
            return;
        }
        if let Some(content) = value.get("content").and_then(Value::as_object) {
            for (media, media_type) in content {
                self.holder(media_type, join(&join(pointer, "content"), media));
            }
        }
    }

    /// A parameter, header or media type: listed, then its schema and any `content` walked.
    fn holder(&mut self, value: &'a Value, pointer: String) {
        if !value.is_object() || value.get("$ref").is_some() {
            return;
        }
        if let Some(schema) = value.get("schema") {
            self.schema(schema, join(&pointer, "schema"), false);
        }
        // Parameters and headers may describe themselves through `content` instead of `schema`.
        if value.get("in").is_some() || value.get("content").is_some() {
            self.content(value, &pointer);
        }
        self.sites.holders.push(Holder {
            pointer,
            value,
            operation: self.operation.clone(),
        });
    }

    fn schema(&mut self, schema: &'a Value, pointer: String, is_property: bool) {
        let Some(object) = schema.as_object() else {
            return;
        };
        self.sites.schemas.push(SchemaSite {
            pointer: pointer.clone(),
            value: schema,
            operation: self.operation.clone(),
            is_property,
        });
        if object.contains_key("$ref") {
            return;
        }
        if let Some(properties) = object.get("properties").and_then(Value::as_object) {
            for (name, property) in properties {
                self.schema(property, join(&join(&pointer, "properties"), name), true);
            }
        }
        for key in ["items", "additionalProperties", "not"] {
            if let Some(child) = object.get(key) {
                self.schema(child, join(&pointer, key), false);
            }
        }
        for key in ["allOf", "anyOf", "oneOf"] {
            if let Some(children) = object.get(key).and_then(Value::as_array) {
                for (i, child) in children.iter().enumerate() {
                    self.schema(child, join(&join(&pointer, key), &i.to_string()), false);
                }
            }
        }
    }
}
