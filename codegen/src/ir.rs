//! `ir`: the intermediate representation every emitter reads.
//!
//! The IR is what the generator understands of the API, with every OpenAPI detail already
//! resolved: `$ref`s are followed, every type has a name, every identifier has been turned into a
//! Rust and a Python spelling, and the envelope has been unwrapped so an operation's `result` is
//! what the caller gets back. Emitters never see `openapiv3` types, so a change of parser touches
//! [`crate::load`] only. Collections are ordered (`Vec` in spec order, `BTreeMap` by name), which
//! keeps the output deterministic.

use std::collections::BTreeMap;

/// The whole API as the generator understands it.
#[derive(Debug, Clone, PartialEq)]
pub struct Api {
    /// `info.title` of the spec.
    pub title: String,
    /// The API groups, in the order the spec declares them.
    pub tags: Vec<Tag>,
    /// Every operation, grouped by tag and in spec order within a tag.
    pub operations: Vec<Operation>,
    /// Every named type, by Rust name.
    pub types: BTreeMap<String, TypeDef>,
}

impl Api {
    /// The operations of one tag, in spec order.
    pub fn operations_of<'a>(&'a self, tag: &'a str) -> impl Iterator<Item = &'a Operation> + 'a {
        self.operations.iter().filter(move |op| op.tag == tag)
    }

    /// Marks every struct field and union arm whose type leads back, without passing through a
    /// list or a map, to the type holding it: such a type would have an infinite size, so the
    /// emitters box those fields. The cycles are found in the type graph, whatever the names.
    pub fn box_cycles(&mut self) {
        let mut fields = Vec::new();
        let mut arms = Vec::new();
        for (name, def) in &self.types {
            match &def.kind {
                TypeKind::Struct { fields: fs, .. } => {
                    for (i, f) in fs.iter().enumerate() {
                        if self.reaches(&f.ty, name) {
                            fields.push((name.clone(), i));
                        }
                    }
                }
                TypeKind::Union { arms: arms_of, .. } => {
                    for (i, a) in arms_of.iter().enumerate() {
                        if self.reaches(&a.ty, name) {
                            arms.push((name.clone(), i));
                        }
                    }
                }
                TypeKind::Enum { .. } | TypeKind::Alias { .. } => {}
            }
        }
        for (name, i) in fields {
            if let Some(TypeKind::Struct { fields, .. }) =
                self.types.get_mut(&name).map(|d| &mut d.kind)
            {
                fields[i].boxed = true;
            }
        }
        for (name, i) in arms {
            if let Some(TypeKind::Union { arms, .. }) =
                self.types.get_mut(&name).map(|d| &mut d.kind)
            {
                arms[i].boxed = true;
            }
        }
    }

    /// Whether a value of type `from` holds a `target` inline (not behind a list or a map).
    /// The walk visits each named type once, so it ends on any graph.
    fn reaches(&self, from: &TypeRef, target: &str) -> bool {
        let mut seen = std::collections::BTreeSet::new();
        let mut pending = vec![from];
        while let Some(ty) = pending.pop() {
            let TypeRef::Named(name) = ty else { continue };
            if name == target {
                return true;
            }
            if !seen.insert(name.as_str()) {
                continue;
            }
            match self.types.get(name).map(|d| &d.kind) {
                Some(TypeKind::Struct { fields, .. }) => {
                    pending.extend(fields.iter().filter(|f| !f.boxed).map(|f| &f.ty));
                }
                Some(TypeKind::Union { arms, .. }) => {
                    pending.extend(arms.iter().filter(|a| !a.boxed).map(|a| &a.ty));
                }
                Some(TypeKind::Alias { target }) => pending.push(target),
                Some(TypeKind::Enum { .. }) | None => {}
            }
        }
        false
    }

    /// The types that belong in the file of `owner` (a tag name, or `None` for shared models).
    pub fn types_of<'a>(
        &'a self,
        owner: Option<&'a str>,
    ) -> impl Iterator<Item = &'a TypeDef> + 'a {
        self.types
            .values()
            .filter(move |t| t.owner.as_deref() == owner)
    }
}

/// One API group (an OpenAPI tag), which becomes a handle on the client.
#[derive(Debug, Clone, PartialEq)]
pub struct Tag {
    /// The tag as the spec spells it, e.g. `CDirectoryService`.
    pub name: String,
    /// The handle's method or attribute name, e.g. `cdirectory_service`.
    pub handle: String,
    /// The handle's type name, e.g. `CDirectoryService`.
    pub type_name: String,
    /// The module (file) name, e.g. `cdirectory_service`.
    pub module: String,
    /// The tag's description.
    pub docs: Option<String>,
}

/// The HTTP method of an operation.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Method {
    /// `GET`.
    Get,
    /// `POST`.
    Post,
    /// `PUT`.
    Put,
    /// `PATCH`.
    Patch,
    /// `DELETE`.
    Delete,
}

impl Method {
    /// The method as HTTP spells it.
    pub fn as_str(self) -> &'static str {
        match self {
            Method::Get => "GET",
            Method::Post => "POST",
            Method::Put => "PUT",
            Method::Patch => "PATCH",
            Method::Delete => "DELETE",
        }
    }
}

/// How an operation's response is shaped and how its failures arrive (`x-cyberark-convention`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Convention {
    /// The Identity envelope: `success`, `Result`, `Message`, …
    Envelope,
    /// A plain OAuth 2.0 token response.
    OAuth,
    /// RFC 7644 resources and errors.
    Scim,
    /// Plain JSON (or text, or bytes) answers with real HTTP status codes: a 2xx body is the
    /// result as it is, anything else a failure. Ordinary OpenAPI descriptions answer this way.
    Plain,
    /// The Vault API (PVWA): real status codes, the error body `ErrorCode`/`ErrorMessage`/
    /// `Details`, bare JSON strings and empty 200/204 answers.
    Vault,
}

/// How the body of a success answer is read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Answer {
    /// JSON, decoded into the result type (after unwrapping the envelope, if the convention has one).
    Json,
    /// `text/plain` (or another text type): the body is the result, as a `String`.
    Text,
    /// Bytes of any other media type, handed to the caller as a stream of chunks, never held whole.
    Bytes,
}

/// How an array parameter travels in the query string (OpenAPI `style` and `explode`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum QueryStyle {
    /// One value: a scalar, or a list joined with commas (`form` without `explode`).
    Single,
    /// A list sent as the parameter repeated once per item (`form` with `explode`, the default).
    Repeated,
    /// A map of scalars sent as `name[key]=value` (`deepObject`).
    DeepObject,
}

/// How a pageable operation pages (`x-cyberark-paging`).
#[derive(Debug, Clone, PartialEq)]
pub struct Paging {
    /// The paging style.
    pub style: PagingStyle,
    /// The type of one item of the stream.
    pub item: TypeRef,
    /// The Rust field path from the result to the list of items, e.g. `["results"]`.
    pub items_field: String,
    /// The Rust field of the result holding the total, e.g. `full_count`.
    pub total_field: Option<TypeField>,
    /// Whether the items list field is optional in the result type.
    pub items_optional: bool,
    /// The field of the result holding the next page's link (`nextLink`), for
    /// [`PagingStyle::NextLink`].
    pub next_link_field: Option<TypeField>,
}

/// A field of a result type referenced by the pager, with its type.
#[derive(Debug, Clone, PartialEq)]
pub struct TypeField {
    /// The Rust field name.
    pub rust: String,
    /// The field's type.
    pub ty: TypeRef,
    /// Whether the field is optional.
    pub optional: bool,
}

/// The paging styles the runtime knows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PagingStyle {
    /// Redrock query tables: body `Args.PageNumber`/`Args.PageSize`, items in `Result.Results`.
    Redrock,
    /// SCIM: query `startIndex`/`count`, items in `Resources`.
    Scim,
    /// The Vault's `{value, count, nextLink}`: query `offset`/`limit`, later pages as `nextLink`
    /// names them.
    NextLink,
    /// The Vault's `{<Name>: [...], Total}`: query `Offset` (from 0) and `Limit`.
    OffsetLimit,
}

/// One API operation.
#[derive(Debug, Clone, PartialEq)]
pub struct Operation {
    /// The operationId, e.g. `Org_Create`.
    pub id: String,
    /// The tag (API group) the operation belongs to.
    pub tag: String,
    /// The operation's own name in the API's spelling, e.g. `Create` or `GetUserByName`.
    pub name: String,
    /// The method name on the tag's handle, e.g. `get_user_by_name`.
    pub method_name: String,
    /// The HTTP method.
    pub method: Method,
    /// The path template, e.g. `/scim/Users/{id}`.
    pub path: String,
    /// How the response is shaped.
    pub convention: Convention,
    /// Whether the operation needs a bearer token.
    pub secured: bool,
    /// Whether the client may resend the request after a 5xx or connection error: as the spec
    /// says (`x-cyberark-idempotent`), or else as HTTP defines the method.
    pub idempotent: bool,
    /// How the body of a success answer is read.
    pub answer: Answer,
    /// The binary media type a JSON success answer is also offered as (the Vault's live-session
    /// Monitor answers its settings as JSON or an RDP file, as `Accept` asks): the client then
    /// also gets a method that streams that media type.
    pub bytes_alternative: Option<String>,
    /// Why the operation is deprecated, when the spec marks it `deprecated: true` (the
    /// description, or an empty string when it gives none).
    pub deprecated: Option<String>,
    /// How the operation pages, if it does.
    pub paging: Option<Paging>,
    /// One-line summary.
    pub summary: Option<String>,
    /// Longer description.
    pub description: Option<String>,
    /// The request: every parameter the caller gives.
    pub request: Request,
    /// What the caller gets back, after the envelope is unwrapped.
    pub result: TypeRef,
    /// Where the operation is in the spec (a JSON pointer), for messages.
    pub pointer: String,
}

/// The request of an operation, gathered into one generated struct.
#[derive(Debug, Clone, PartialEq)]
pub struct Request {
    /// The request struct's name, e.g. `OrgCreateRequest`.
    pub type_name: String,
    /// Every parameter, in order: path, query, header, then body fields.
    pub fields: Vec<Field>,
    /// How the body is encoded.
    pub body: Body,
}

/// How a request body is encoded.
#[derive(Debug, Clone, PartialEq)]
pub enum Body {
    /// No body.
    None,
    /// A JSON object whose properties are fields of the request struct
    /// (the fields with [`Location::Body`]); `extra` when it takes arbitrary further keys.
    JsonFields {
        /// Whether the body takes keys the spec does not name.
        extra: bool,
    },
    /// A JSON body that is one named type, held in the request's field `body`.
    JsonWhole {
        /// Whether the body is required.
        required: bool,
        /// The media type to send (`application/json` or `application/scim+json`).
        media_type: String,
    },
    /// An `application/x-www-form-urlencoded` body made of the [`Location::Body`] fields.
    Form,
    /// A `multipart/form-data` body made of the [`Location::Body`] fields.
    Multipart,
}

/// Where a request parameter travels.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Location {
    /// A `{name}` segment of the path.
    Path,
    /// The query string.
    Query,
    /// A request header.
    Header,
    /// A property of the body (JSON, form or multipart).
    Body,
    /// The whole body ([`Body::JsonWhole`]).
    WholeBody,
}

/// A field of a struct: a request parameter, a body property or a response property.
#[derive(Debug, Clone, PartialEq)]
pub struct Field {
    /// The name on the wire, exactly as the API spells it.
    pub wire: String,
    /// The Rust field name (already escaped, without `r#`; see [`crate::names::rust_ident`]).
    pub rust: String,
    /// The Python attribute or keyword name.
    pub python: String,
    /// The field's type.
    pub ty: TypeRef,
    /// Whether the API requires it.
    pub required: bool,
    /// Whether `null` is a value the API sends or takes.
    pub nullable: bool,
    /// Whether sending `null` clears the stored value (`x-cyberark-null-clears`).
    pub null_clears: bool,
    /// Where it travels (for request fields; [`Location::Body`] for struct properties).
    pub location: Location,
    /// How a query parameter is spelled ([`QueryStyle::Single`] everywhere else).
    pub style: QueryStyle,
    /// Whether the field's type refers back to the struct holding it, so it must be boxed for
    /// the struct to have a finite size. Set by the IR after loading, from the type graph.
    pub boxed: bool,
    /// Its description.
    pub docs: Option<String>,
    /// Whether the API only sends it (`readOnly`): kept in values received, left out of every
    /// request body, however deep in it the field sits.
    pub read_only: bool,
}

impl Field {
    /// Whether the generated field is wrapped in `Option`: it may be absent, or the API sends
    /// `null` for it. Fields where `null` clears a value are tri-state instead.
    pub fn is_optional(&self) -> bool {
        !self.null_clears && (!self.required || self.nullable)
    }
}

/// A reference to a type, as a field or result uses it.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub enum TypeRef {
    /// A string.
    String,
    /// A secret string, redacted in Debug, Display, repr and logs.
    Secret,
    /// A boolean.
    Bool,
    /// A 32-bit integer.
    I32,
    /// A 64-bit integer.
    I64,
    /// A floating-point number.
    F64,
    /// Any JSON value.
    Json,
    /// Nothing (`Result: null`, or a 204).
    Unit,
    /// A file uploaded in a multipart form.
    File,
    /// A stream of bytes (a download), read chunk by chunk.
    Bytes,
    /// A `date-time` string: typed when RFC 3339, else kept as sent.
    DateTime,
    /// A `date` string: typed when `YYYY-MM-DD`, else kept as sent.
    Date,
    /// A `uuid` string: typed when it is a UUID, else kept as sent; the text is what travels.
    Uuid,
    /// An integer `format: unix-seconds`: an instant as whole seconds since the Unix epoch,
    /// typed, and sent back as the same integer.
    UnixTime,
    /// An integer `format: unix-microseconds`: an instant as microseconds since the Unix epoch.
    UnixTimeMicros,
    /// A named type from [`Api::types`].
    Named(String),
    /// A list.
    List(Box<TypeRef>),
    /// A map from string keys.
    Map(Box<TypeRef>),
}

/// A named type.
#[derive(Debug, Clone, PartialEq)]
pub struct TypeDef {
    /// The Rust (and Python) type name.
    pub name: String,
    /// The tag whose file holds it, or `None` for shared models.
    pub owner: Option<String>,
    /// Its description.
    pub docs: Option<String>,
    /// What it is.
    pub kind: TypeKind,
    /// Where it is in the spec (a JSON pointer).
    pub pointer: String,
}

/// The kinds of named types.
#[derive(Debug, Clone, PartialEq)]
pub enum TypeKind {
    /// An object with named properties. `open` when the spec allows arbitrary further keys;
    /// the generated struct keeps unknown keys in any case.
    Struct {
        /// The properties, in spec order.
        fields: Vec<Field>,
        /// Whether the spec declares `additionalProperties`.
        open: bool,
    },
    /// A string enum; unknown values are accepted.
    Enum {
        /// The variants.
        variants: Vec<Variant>,
    },
    /// One of several types (`oneOf`/`anyOf`), with an `Unknown` arm that keeps the JSON of
    /// anything else.
    Union {
        /// The arms, in spec order.
        arms: Vec<Arm>,
        /// The property whose value names the arm (`discriminator.propertyName`), when there is
        /// one; without it, the first arm that decodes wins.
        discriminator: Option<String>,
    },
    /// Another name for a type.
    Alias {
        /// The aliased type.
        target: TypeRef,
    },
}

/// A variant of a string enum.
#[derive(Debug, Clone, PartialEq)]
pub struct Variant {
    /// The value on the wire.
    pub wire: String,
    /// The Rust variant name.
    pub rust: String,
    /// The Python constant name.
    pub python: String,
}

/// One arm of a union.
#[derive(Debug, Clone, PartialEq)]
pub struct Arm {
    /// The Rust variant name (and Python class name suffix).
    pub rust: String,
    /// The arm's type.
    pub ty: TypeRef,
    /// The discriminator values that select this arm (empty for untagged unions).
    pub tags: Vec<String>,
    /// Whether the arm's type refers back to the union, so it must be boxed (see
    /// [`Api::box_cycles`]).
    pub boxed: bool,
}
