//! Schemas → IR types.
//!
//! Every schema the operations reach is turned into a [`TypeRef`]. Objects with properties and
//! string enums become named types; primitives, lists and maps stay inline. Component schemas are
//! converted once and memoised by name; inline schemas are named after where they sit.

use super::{Located, Opts, error, escape};
use crate::ir::{Arm, Field, Location, QueryStyle, Tag, TypeDef, TypeKind, TypeRef, Variant};
use crate::names;
use openapiv3::{
    AdditionalProperties, OpenAPI, ReferenceOr, Schema, SchemaKind, StringFormat, Type,
    VariantOrUnknownOrEmpty,
};
use std::collections::{BTreeMap, BTreeSet};

/// The deepest a schema may nest (inline schemas inside schemas, and new components reached
/// through them), and the longest chain of `allOf` parts. Real specs stay under ten; the bound
/// turns a hostile or broken spec into an error naming the spot instead of a stack overflow.
pub(crate) const MAX_SCHEMA_DEPTH: usize = 32;

/// The integer format of an instant sent as whole seconds since the Unix epoch (the Vault's).
pub(crate) const UNIX_SECONDS: &str = "unix-seconds";

/// The integer format of an instant sent as microseconds since the Unix epoch.
pub(crate) const UNIX_MICROSECONDS: &str = "unix-microseconds";

/// The string format of an instant sent as a .NET JSON date, `/Date(ms)/` or `/Date(ms±hhmm)/`
/// (the Identity API's). It is not `date-time`, which JSON Schema and every tool that checks
/// formats (schemathesis among them) define as RFC 3339 only.
pub(crate) const DOTNET_DATE: &str = "dotnet-date";

/// Names reserved in the flat namespace of generated types.
const RESERVED: &[&str] = &["Client", "ClientBuilder", "Error"];

/// Converts schemas into IR types and owns every named type made so far.
pub(crate) struct Schemas<'a> {
    doc: &'a OpenAPI,
    opts: &'a Opts,
    types: BTreeMap<String, TypeDef>,
    names: names::Scope,
    /// Component schema name → its IR type, once converted.
    components: BTreeMap<String, TypeRef>,
    /// Components being converted, to detect (and allow) recursion.
    in_progress: BTreeSet<String>,
    /// How deep the schema being converted sits, checked against [`MAX_SCHEMA_DEPTH`].
    depth: usize,
}

/// A schema resolved to its IR type, with the facts a field needs about it.
pub(crate) struct Resolved {
    pub(crate) ty: TypeRef,
    pub(crate) nullable: bool,
    pub(crate) description: Option<String>,
    /// The schema's `default`, documented on the field that uses it.
    pub(crate) default: Option<serde_json::Value>,
    /// Whether the schema is `readOnly` (sent by the API, never taken).
    pub(crate) read_only: bool,
    /// Whether the schema is `writeOnly` (taken by the API, never sent back).
    pub(crate) write_only: bool,
}

/// Appends a schema's `default` to its description, so readers of the docs know what the API
/// assumes when the field is left out.
fn with_default(
    description: Option<String>,
    default: Option<&serde_json::Value>,
) -> Option<String> {
    let Some(default) = default else {
        return description;
    };
    let note = format!("Default: `{default}`.");
    Some(match description {
        Some(d) if !d.trim().is_empty() => format!("{}\n\n{note}", d.trim_end()),
        _ => note,
    })
}

impl<'a> Schemas<'a> {
    pub(crate) fn new(doc: &'a OpenAPI, tags: &[Tag], opts: &'a Opts) -> Self {
        let mut reserved: Vec<&str> = RESERVED.to_vec();
        reserved.extend(tags.iter().map(|t| t.type_name.as_str()));
        Self {
            doc,
            opts,
            types: BTreeMap::new(),
            names: names::Scope::with_reserved(&reserved),
            components: BTreeMap::new(),
            in_progress: BTreeSet::new(),
            depth: 0,
        }
    }

    /// Converts every component schema, in document order, so each keeps its name (claimed
    /// before any derived name) and appears in the client even if no operation uses it.
    pub(crate) fn load_components(&mut self) -> Result<(), Located> {
        let Some(components) = self.doc.components.as_ref() else {
            return Ok(());
        };
        for name in components.schemas.keys() {
            let reference = format!("#/components/schemas/{name}");
            let pointer = format!("/components/schemas/{}", escape(name));
            let (key, schema) = self.component(&reference, &pointer)?;
            self.component_type(key, schema)?;
        }
        Ok(())
    }

    pub(crate) fn into_types(self) -> BTreeMap<String, TypeDef> {
        self.types
    }

    /// Claims a unique type name derived from `hint`.
    pub(crate) fn claim_name(&mut self, hint: &str) -> String {
        self.names.claim(&names::type_name(hint), "")
    }

    /// Registers a named type.
    pub(crate) fn insert(&mut self, def: TypeDef) {
        self.types.insert(def.name.clone(), def);
    }

    /// The named type `name`, if it exists.
    pub(crate) fn get(&self, name: &str) -> Option<&TypeDef> {
        self.types.get(name)
    }

    /// Follows a `#/components/schemas/X` reference to the schema it names, through any chain of
    /// components that are themselves references. The chain is walked in a loop with the names
    /// seen so far, so a cycle (`A: $ref B`, `B: $ref A`) is an error naming it, not a stack
    /// overflow.
    pub(crate) fn component(
        &self,
        reference: &str,
        pointer: &str,
    ) -> Result<(&'a str, &'a Schema), Located> {
        let mut reference = reference;
        let mut pointer = pointer.to_owned();
        let mut seen = BTreeSet::new();
        loop {
            let Some(name) = reference.strip_prefix("#/components/schemas/") else {
                return error(
                    &pointer,
                    format!("$ref {reference:?} does not point into #/components/schemas"),
                );
            };
            let Some((key, item)) = self
                .doc
                .components
                .as_ref()
                .and_then(|c| c.schemas.get_key_value(name))
            else {
                return error(
                    &pointer,
                    format!("$ref {reference:?} points at a schema that does not exist"),
                );
            };
            if !seen.insert(key.as_str()) {
                return error(
                    &pointer,
                    format!("$ref {reference:?} is part of a cycle of references to references"),
                );
            }
            match item {
                ReferenceOr::Item(schema) => return Ok((key.as_str(), schema)),
                ReferenceOr::Reference { reference: next } => {
                    pointer = format!("/components/schemas/{}", escape(name));
                    reference = next;
                }
            }
        }
    }

    /// Resolves a schema that may be a reference, without converting it.
    pub(crate) fn deref<'s>(
        &self,
        schema: &'s ReferenceOr<Schema>,
        pointer: &str,
    ) -> Result<(&'s Schema, String), Located>
    where
        'a: 's,
    {
        match schema {
            ReferenceOr::Item(s) => Ok((s, pointer.to_owned())),
            ReferenceOr::Reference { reference } => {
                let (name, s) = self.component(reference, pointer)?;
                Ok((s, format!("/components/schemas/{}", escape(name))))
            }
        }
    }

    /// Converts a schema (or reference) into an IR type. `hint` names an inline object or enum;
    /// `owner` is the tag whose file will hold inline types (None for shared models).
    pub(crate) fn resolve(
        &mut self,
        schema: &ReferenceOr<Schema>,
        hint: &str,
        owner: Option<&str>,
        pointer: &str,
    ) -> Result<Resolved, Located> {
        match schema {
            ReferenceOr::Reference { reference } => {
                let (name, target) = self.component(reference, pointer)?;
                let ty = self.component_type(name, target)?;
                Ok(Resolved {
                    ty,
                    nullable: target.schema_data.nullable,
                    description: None,
                    default: target.schema_data.default.clone(),
                    read_only: target.schema_data.read_only,
                    write_only: target.schema_data.write_only,
                })
            }
            ReferenceOr::Item(s) => self.resolve_item(s, hint, owner, pointer),
        }
    }

    /// Like [`Schemas::resolve`] for a boxed schema, as properties and items hold them.
    pub(crate) fn resolve_boxed(
        &mut self,
        schema: &ReferenceOr<Box<Schema>>,
        hint: &str,
        owner: Option<&str>,
        pointer: &str,
    ) -> Result<Resolved, Located> {
        match schema {
            ReferenceOr::Reference { reference } => self.resolve(
                &ReferenceOr::Reference {
                    reference: reference.clone(),
                },
                hint,
                owner,
                pointer,
            ),
            ReferenceOr::Item(s) => self.resolve_item(s, hint, owner, pointer),
        }
    }

    fn component_type(&mut self, name: &'a str, schema: &'a Schema) -> Result<TypeRef, Located> {
        if let Some(ty) = self.components.get(name) {
            return Ok(ty.clone());
        }
        let pointer = format!("/components/schemas/{}", escape(name));
        if is_named_kind(schema) {
            // Claim the name first so a recursive reference resolves to it.
            let type_name = self.claim_name(name);
            let ty = TypeRef::Named(type_name.clone());
            self.components.insert(name.to_owned(), ty.clone());
            self.in_progress.insert(name.to_owned());
            let def = self.named_def(&type_name, schema, None, &pointer)?;
            self.in_progress.remove(name);
            self.insert(def);
            Ok(ty)
        } else {
            if !self.in_progress.insert(name.to_owned()) {
                return error(
                    &pointer,
                    "this schema refers to itself without passing through an object",
                );
            }
            let resolved = self.resolve_item(schema, name, None, &pointer)?;
            self.in_progress.remove(name);
            self.components.insert(name.to_owned(), resolved.ty.clone());
            Ok(resolved.ty)
        }
    }

    fn resolve_item(
        &mut self,
        schema: &Schema,
        hint: &str,
        owner: Option<&str>,
        pointer: &str,
    ) -> Result<Resolved, Located> {
        if self.depth >= MAX_SCHEMA_DEPTH {
            return error(
                pointer,
                format!("the schema nests deeper than {MAX_SCHEMA_DEPTH} levels"),
            );
        }
        self.depth += 1;
        let resolved = self.resolve_item_within_depth(schema, hint, owner, pointer);
        self.depth -= 1;
        resolved
    }

    fn resolve_item_within_depth(
        &mut self,
        schema: &Schema,
        hint: &str,
        owner: Option<&str>,
        pointer: &str,
    ) -> Result<Resolved, Located> {
        let description = schema.schema_data.description.clone();
        let nullable = schema.schema_data.nullable;
        // `allOf` with one part is OpenAPI 3.0's way to say "this reference, but nullable" (a
        // `$ref`'s siblings are ignored), so it stands for the part itself.
        if let SchemaKind::AllOf { all_of } = &schema.schema_kind
            && let [only] = all_of.as_slice()
        {
            let inner = self.resolve(only, hint, owner, &format!("{pointer}/allOf/0"))?;
            return Ok(Resolved {
                ty: inner.ty,
                nullable: nullable || inner.nullable,
                description: description.or(inner.description),
                default: schema.schema_data.default.clone().or(inner.default),
                read_only: schema.schema_data.read_only || inner.read_only,
                write_only: schema.schema_data.write_only || inner.write_only,
            });
        }
        let ty = if is_named_kind(schema) {
            let name = self.claim_name(hint);
            let def = self.named_def(&name, schema, owner, pointer)?;
            self.insert(def);
            TypeRef::Named(name)
        } else {
            self.inline_type(schema, hint, owner, pointer)?
        };
        Ok(Resolved {
            ty,
            nullable,
            description,
            default: schema.schema_data.default.clone(),
            read_only: schema.schema_data.read_only,
            write_only: schema.schema_data.write_only,
        })
    }

    fn inline_type(
        &mut self,
        schema: &Schema,
        hint: &str,
        owner: Option<&str>,
        pointer: &str,
    ) -> Result<TypeRef, Located> {
        let secret = is_secret(schema);
        Ok(match &schema.schema_kind {
            SchemaKind::Type(Type::String(s)) => {
                if secret {
                    TypeRef::Secret
                } else if matches!(
                    s.format,
                    VariantOrUnknownOrEmpty::Item(StringFormat::Binary)
                ) {
                    TypeRef::File
                } else if matches!(
                    s.format,
                    VariantOrUnknownOrEmpty::Item(StringFormat::DateTime)
                ) || matches!(&s.format, VariantOrUnknownOrEmpty::Unknown(f) if f == DOTNET_DATE)
                {
                    // The runtime's `DateTime` reads both spellings and writes back the one it read.
                    TypeRef::DateTime
                } else if matches!(s.format, VariantOrUnknownOrEmpty::Item(StringFormat::Date)) {
                    TypeRef::Date
                } else if matches!(&s.format, VariantOrUnknownOrEmpty::Unknown(f) if f == "uuid") {
                    TypeRef::Uuid
                } else {
                    TypeRef::String
                }
            }
            SchemaKind::Type(Type::Boolean(_)) => TypeRef::Bool,
            SchemaKind::Type(Type::Integer(i)) => match &i.format {
                VariantOrUnknownOrEmpty::Item(openapiv3::IntegerFormat::Int32) => TypeRef::I32,
                // An instant the API sends as a count since the Unix epoch (the Vault's times).
                VariantOrUnknownOrEmpty::Unknown(f) if f == UNIX_SECONDS => TypeRef::UnixTime,
                VariantOrUnknownOrEmpty::Unknown(f) if f == UNIX_MICROSECONDS => {
                    TypeRef::UnixTimeMicros
                }
                _ => TypeRef::I64,
            },
            SchemaKind::Type(Type::Number(_)) => TypeRef::F64,
            SchemaKind::Type(Type::Array(a)) => {
                let Some(items) = &a.items else {
                    // CyberArk's published definitions contain such arrays (Role Management's
                    // `Trace`); a dropped-in definition must load as published, so tolerant
                    // loading keeps the items as JSON rather than refusing the whole spec.
                    if self.opts.tolerant {
                        self.opts.warn(
                            pointer,
                            "an array without `items`: its items are kept as JSON",
                        );
                        return Ok(TypeRef::List(Box::new(TypeRef::Json)));
                    }
                    return error(pointer, "an array schema must say what its items are");
                };
                let item = self.resolve_boxed(
                    items,
                    &format!("{hint}Item"),
                    owner,
                    &format!("{pointer}/items"),
                )?;
                TypeRef::List(Box::new(item.ty))
            }
            SchemaKind::Type(Type::Object(o)) => {
                self.map_type(o.additional_properties.as_ref(), hint, owner, pointer)?
            }
            SchemaKind::Any(any) => {
                if any.enumeration.len() == 1 && any.enumeration[0].is_null() {
                    TypeRef::Unit
                } else if any.not.is_some() {
                    if self.opts.tolerant {
                        self.opts
                            .warn(pointer, "oneOf, anyOf or not: the value is kept as JSON");
                        return Ok(TypeRef::Json);
                    }
                    return error(
                        pointer,
                        "`not` cannot be modelled; describe the value with one schema or leave it untyped ({})",
                    );
                } else if any.typ.as_deref() == Some("object")
                    || any.additional_properties.is_some()
                {
                    self.map_type(any.additional_properties.as_ref(), hint, owner, pointer)?
                } else {
                    TypeRef::Json
                }
            }
            SchemaKind::OneOf { .. } | SchemaKind::AnyOf { .. } => {
                // Unions are named kinds; `resolve_item` never brings one here.
                return error(pointer, "a union must be named (generator bug)");
            }
            SchemaKind::Not { .. } => {
                if self.opts.tolerant {
                    self.opts.warn(pointer, "not: the value is kept as JSON");
                    return Ok(TypeRef::Json);
                }
                return error(
                    pointer,
                    "`not` cannot be modelled; describe the value with one schema or leave it untyped ({})",
                );
            }
            SchemaKind::AllOf { .. } => {
                // Objects (the only allOf the generator merges) are handled as named kinds.
                return error(
                    pointer,
                    "allOf is only supported when every part is an object",
                );
            }
        })
    }

    fn map_type(
        &mut self,
        additional: Option<&AdditionalProperties>,
        hint: &str,
        owner: Option<&str>,
        pointer: &str,
    ) -> Result<TypeRef, Located> {
        Ok(match additional {
            None => TypeRef::Json,
            Some(AdditionalProperties::Any(true)) => TypeRef::Map(Box::new(TypeRef::Json)),
            Some(AdditionalProperties::Any(false)) => TypeRef::Json,
            Some(AdditionalProperties::Schema(s)) => {
                let value = self.resolve(
                    s,
                    &format!("{hint}Value"),
                    owner,
                    &format!("{pointer}/additionalProperties"),
                )?;
                TypeRef::Map(Box::new(value.ty))
            }
        })
    }

    /// Builds the named type for an object (struct) or string enum schema.
    pub(crate) fn named_def(
        &mut self,
        name: &str,
        schema: &Schema,
        owner: Option<&str>,
        pointer: &str,
    ) -> Result<TypeDef, Located> {
        let docs = schema
            .schema_data
            .description
            .clone()
            .or_else(|| schema.schema_data.title.clone());
        if let Some(parts) = union_parts(schema) {
            return self.union_def(name, schema, parts, owner, pointer, docs);
        }
        if let SchemaKind::Type(Type::String(s)) = &schema.schema_kind {
            // `Self` cannot name a variant, and `Unknown` is the arm for values not listed;
            // values that differ only in case (`a`, `A`) get numbered names, in both languages.
            let mut scope = names::Scope::with_reserved(&["Unknown", "Self"]);
            let mut py_scope = names::Scope::with_reserved(&["UNKNOWN"]);
            let mut variants = Vec::new();
            for value in s.enumeration.iter().flatten() {
                let rust = scope.claim(&names::pascal(value), "");
                let python = py_scope.claim(&names::shouty(&rust), "_");
                variants.push(Variant {
                    wire: value.clone(),
                    python,
                    rust,
                });
            }
            return Ok(TypeDef {
                name: name.to_owned(),
                owner: owner.map(str::to_owned),
                docs,
                kind: TypeKind::Enum { variants },
                pointer: pointer.to_owned(),
            });
        }
        let (props, mut required, open) = self.object_parts(schema, pointer)?;
        // A `readOnly` property is never taken and a `writeOnly` one never sent back, so neither
        // can be required of every value of a type that travels both ways.
        required.retain(|r| {
            !props
                .iter()
                .any(|p| p.name == *r && (self.read_only(p) || self.write_only(p)))
        });
        let fields = self.fields(name, &props, &required, owner, Location::Body)?;
        Ok(TypeDef {
            name: name.to_owned(),
            owner: owner.map(str::to_owned),
            docs,
            kind: TypeKind::Struct { fields, open },
            pointer: pointer.to_owned(),
        })
    }

    /// Builds the named type of a `oneOf` or `anyOf`: one arm per part, named after the part's
    /// type, and the discriminator's values for each arm when the spec declares one.
    fn union_def(
        &mut self,
        name: &str,
        schema: &Schema,
        parts: (&[ReferenceOr<Schema>], &'static str),
        owner: Option<&str>,
        pointer: &str,
        docs: Option<String>,
    ) -> Result<TypeDef, Located> {
        let (parts, keyword) = parts;
        let discriminator = schema.schema_data.discriminator.as_ref();
        let mut scope = names::Scope::with_reserved(&["Unknown", "Self"]);
        let mut arms = Vec::new();
        for (i, part) in parts.iter().enumerate() {
            let part_pointer = format!("{pointer}/{keyword}/{i}");
            let resolved =
                self.resolve(part, &format!("{name}Variant{i}"), owner, &part_pointer)?;
            if resolved.ty == TypeRef::Json {
                // An arm that takes any value adds nothing to `Unknown`, which keeps the JSON.
                continue;
            }
            let mut tags = Vec::new();
            if let Some(d) = discriminator {
                let ReferenceOr::Reference { reference } = part else {
                    return error(
                        &part_pointer,
                        "with a discriminator, every part of the union must be a $ref to a component schema",
                    );
                };
                tags.extend(
                    d.mapping
                        .iter()
                        .filter(|(_, target)| {
                            *target == reference || reference.ends_with(&format!("/{target}"))
                        })
                        .map(|(value, _)| value.clone()),
                );
                if tags.is_empty() {
                    // Without a mapping, the discriminator's value is the component's name.
                    tags.push(reference.rsplit('/').next().unwrap_or(reference).to_owned());
                }
            }
            let rust = scope.claim(&arm_name(&resolved.ty), "");
            arms.push(Arm {
                rust,
                ty: resolved.ty,
                tags,
                boxed: false,
            });
        }
        Ok(TypeDef {
            name: name.to_owned(),
            owner: owner.map(str::to_owned),
            docs,
            kind: TypeKind::Union {
                arms,
                discriminator: discriminator.map(|d| d.property_name.clone()),
            },
            pointer: pointer.to_owned(),
        })
    }

    /// The properties (with their pointers), required names and openness of an object schema,
    /// merging the parts of an `allOf`.
    pub(crate) fn object_parts(
        &self,
        schema: &Schema,
        pointer: &str,
    ) -> Result<(Vec<Prop>, Vec<String>, bool), Located> {
        let mut props = Vec::new();
        let mut required = Vec::new();
        let mut open = false;
        let mut parts = Vec::new();
        self.collect_object(
            schema,
            pointer,
            &mut parts,
            &mut props,
            &mut required,
            &mut open,
        )?;
        Ok((props, required, open))
    }

    /// Gathers the properties of an object schema and of its `allOf` parts. `parts` holds the
    /// pointers of the `allOf` parts being gathered, so a cycle (`A: allOf [B]`, `B: allOf [A]`)
    /// or an absurdly long chain is an error naming the spot.
    fn collect_object(
        &self,
        schema: &Schema,
        pointer: &str,
        parts: &mut Vec<String>,
        props: &mut Vec<Prop>,
        required: &mut Vec<String>,
        open: &mut bool,
    ) -> Result<(), Located> {
        let (properties, req, additional) = match &schema.schema_kind {
            SchemaKind::Type(Type::Object(o)) => {
                (&o.properties, &o.required, &o.additional_properties)
            }
            SchemaKind::Any(a) if a.all_of.is_empty() => {
                (&a.properties, &a.required, &a.additional_properties)
            }
            SchemaKind::AllOf { all_of } => {
                for (i, part) in all_of.iter().enumerate() {
                    let part_pointer = format!("{pointer}/allOf/{i}");
                    let (s, p) = self.deref(part, &part_pointer)?;
                    if parts.contains(&p) {
                        return error(
                            &part_pointer,
                            format!("allOf refers back to {p}, which it is part of"),
                        );
                    }
                    if parts.len() >= MAX_SCHEMA_DEPTH {
                        return error(
                            &part_pointer,
                            format!("allOf nests deeper than {MAX_SCHEMA_DEPTH} levels"),
                        );
                    }
                    parts.push(p.clone());
                    self.collect_object(s, &p, parts, props, required, open)?;
                    parts.pop();
                }
                return Ok(());
            }
            _ => return error(pointer, "expected an object schema here"),
        };
        for (prop_name, prop_schema) in properties {
            let prop_pointer = format!("{pointer}/properties/{}", escape(prop_name));
            if let Some(existing) = props.iter_mut().find(|p| p.name == *prop_name) {
                existing.schema = prop_schema.clone();
                existing.pointer = prop_pointer;
            } else {
                props.push(Prop {
                    name: prop_name.clone(),
                    schema: prop_schema.clone(),
                    pointer: prop_pointer,
                });
            }
        }
        required.extend(req.iter().cloned());
        if matches!(
            additional,
            Some(AdditionalProperties::Any(true)) | Some(AdditionalProperties::Schema(_))
        ) {
            *open = true;
        }
        Ok(())
    }

    /// Turns properties into fields with unique Rust and Python names.
    pub(crate) fn fields(
        &mut self,
        parent: &str,
        props: &[Prop],
        required: &[String],
        owner: Option<&str>,
        location: Location,
    ) -> Result<Vec<Field>, Located> {
        let mut rust_scope = names::Scope::with_reserved(&["extra", "new"]);
        let mut py_scope = names::Scope::with_reserved(&["extra", "to_dict"]);
        let mut fields = Vec::new();
        for prop in props {
            fields.push(self.field(
                parent,
                prop,
                required,
                owner,
                location,
                &mut rust_scope,
                &mut py_scope,
            )?);
        }
        Ok(fields)
    }

    /// Turns one property into a field, claiming its names in the given scopes.
    #[allow(clippy::too_many_arguments)]
    pub(crate) fn field(
        &mut self,
        parent: &str,
        prop: &Prop,
        required: &[String],
        owner: Option<&str>,
        location: Location,
        rust_scope: &mut names::Scope,
        py_scope: &mut names::Scope,
    ) -> Result<Field, Located> {
        let hint = format!("{parent}{}", names::pascal(&prop.name));
        let resolved = self.resolve_boxed(&prop.schema, &hint, owner, &prop.pointer)?;
        let null_clears = match &prop.schema {
            ReferenceOr::Item(s) => {
                s.schema_data.extensions.get("x-cyberark-null-clears")
                    == Some(&serde_json::Value::Bool(true))
            }
            ReferenceOr::Reference { .. } => false,
        };
        if resolved.ty == TypeRef::Unit {
            return error(&prop.pointer, "a property cannot be always null");
        }
        let snake = names::snake(&prop.name);
        let rust = rust_scope.claim(&names::rust_ident(&snake), "_");
        let python = py_scope.claim(&names::python_ident(&snake), "_");
        Ok(Field {
            wire: prop.name.clone(),
            rust,
            python,
            ty: resolved.ty,
            required: required.contains(&prop.name),
            nullable: resolved.nullable,
            null_clears,
            location,
            style: QueryStyle::Single,
            boxed: false,
            docs: with_default(resolved.description, resolved.default.as_ref()),
            read_only: resolved.read_only,
        })
    }
}

impl<'a> Schemas<'a> {
    /// The schema a property names, following one `$ref`.
    fn prop_schema<'p>(&self, prop: &'p Prop) -> Option<&'p Schema>
    where
        'a: 'p,
    {
        match &prop.schema {
            ReferenceOr::Item(s) => Some(s),
            ReferenceOr::Reference { reference } => self
                .component(reference, &prop.pointer)
                .ok()
                .map(|(_, s)| s),
        }
    }

    /// Whether a property is `readOnly`: the API sends it and never takes it.
    pub(crate) fn read_only(&self, prop: &Prop) -> bool {
        self.prop_schema(prop)
            .is_some_and(|s| s.schema_data.read_only)
    }

    /// Whether a property is `writeOnly`: the API takes it and never sends it back.
    pub(crate) fn write_only(&self, prop: &Prop) -> bool {
        self.prop_schema(prop)
            .is_some_and(|s| s.schema_data.write_only)
    }
}

/// One property of an object schema, with where it is.
pub(crate) struct Prop {
    pub(crate) name: String,
    pub(crate) schema: ReferenceOr<Box<Schema>>,
    pub(crate) pointer: String,
}

/// The parts of a `oneOf` or `anyOf` schema, with the keyword, or `None` for any other schema.
fn union_parts(schema: &Schema) -> Option<(&[ReferenceOr<Schema>], &'static str)> {
    match &schema.schema_kind {
        SchemaKind::OneOf { one_of } => Some((one_of, "oneOf")),
        SchemaKind::AnyOf { any_of } => Some((any_of, "anyOf")),
        SchemaKind::Any(a) if a.properties.is_empty() && !a.one_of.is_empty() => {
            Some((&a.one_of, "oneOf"))
        }
        SchemaKind::Any(a) if a.properties.is_empty() && !a.any_of.is_empty() => {
            Some((&a.any_of, "anyOf"))
        }
        _ => None,
    }
}

/// The variant name of a union arm, after its type: `Cat`, `String`, `Integer`, `List`, ….
fn arm_name(ty: &TypeRef) -> String {
    match ty {
        TypeRef::Named(n) => n.clone(),
        TypeRef::String | TypeRef::Secret => "String".to_owned(),
        TypeRef::DateTime => "DateTime".to_owned(),
        TypeRef::Date => "Date".to_owned(),
        TypeRef::Uuid => "Uuid".to_owned(),
        TypeRef::UnixTime | TypeRef::UnixTimeMicros => "UnixTime".to_owned(),
        TypeRef::Bool => "Bool".to_owned(),
        TypeRef::I32 | TypeRef::I64 => "Integer".to_owned(),
        TypeRef::F64 => "Number".to_owned(),
        TypeRef::List(_) => "List".to_owned(),
        TypeRef::Map(_) => "Map".to_owned(),
        TypeRef::Json | TypeRef::Unit | TypeRef::File | TypeRef::Bytes => "Json".to_owned(),
    }
}

/// Whether a schema becomes a named type (struct, enum or union) rather than an inline one.
pub(crate) fn is_named_kind(schema: &Schema) -> bool {
    if union_parts(schema).is_some() {
        return true;
    }
    match &schema.schema_kind {
        SchemaKind::Type(Type::Object(o)) => !o.properties.is_empty(),
        SchemaKind::Type(Type::String(s)) => {
            !s.enumeration
                .iter()
                .flatten()
                .collect::<Vec<_>>()
                .is_empty()
                && !is_secret(schema)
        }
        SchemaKind::AllOf { all_of } => all_of.len() > 1,
        SchemaKind::Any(a) => !a.properties.is_empty() && a.all_of.is_empty(),
        _ => false,
    }
}

/// Whether a schema carries `x-cyberark-secret: true`.
pub(crate) fn is_secret(schema: &Schema) -> bool {
    schema.schema_data.extensions.get("x-cyberark-secret") == Some(&serde_json::Value::Bool(true))
}
