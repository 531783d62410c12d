//! Named types: structs (with constructor and setters) and string enums.

use super::{docs, runtime, text};
use crate::emit::render::Part;
use crate::ir::{Api, Arm, Field, TypeDef, TypeKind, TypeRef, Variant};
use proc_macro2::{Ident, Span, TokenStream};
use quote::{format_ident, quote};
use std::collections::BTreeSet;

/// An identifier, written raw (`r#type`) when it is a Rust keyword.
pub(crate) fn ident(name: &str) -> Ident {
    if crate::names::needs_raw(name) {
        Ident::new_raw(name, Span::call_site())
    } else {
        Ident::new(name, Span::call_site())
    }
}

/// The Rust type of a type reference.
pub(crate) fn ty(t: &TypeRef) -> TokenStream {
    match t {
        TypeRef::String => quote! { ::std::string::String },
        TypeRef::Secret => runtime::path("Secret"),
        TypeRef::Bool => quote! { bool },
        TypeRef::I32 => quote! { i32 },
        TypeRef::I64 => quote! { i64 },
        TypeRef::F64 => quote! { f64 },
        TypeRef::Json => runtime::path("JsonValue"),
        TypeRef::Unit => quote! { () },
        TypeRef::File => runtime::path("FilePart"),
        TypeRef::Bytes => runtime::path("ByteStream"),
        TypeRef::DateTime => runtime::path("DateTime"),
        TypeRef::Date => runtime::path("Date"),
        TypeRef::Uuid => runtime::path("Uuid"),
        TypeRef::UnixTime => runtime::path("UnixTime"),
        TypeRef::UnixTimeMicros => runtime::path("UnixTimeMicros"),
        TypeRef::Named(n) => {
            let n = format_ident!("{}", n);
            quote! { #n }
        }
        TypeRef::List(inner) => {
            let inner = ty(inner);
            quote! { ::std::vec::Vec<#inner> }
        }
        TypeRef::Map(inner) => {
            let inner = ty(inner);
            quote! { ::std::collections::BTreeMap<::std::string::String, #inner> }
        }
    }
}

/// Whether a type implements `Default` (enums do not: an empty value is not one of theirs).
pub(crate) fn has_default(api: &Api, t: &TypeRef, seen: &mut BTreeSet<String>) -> bool {
    match t {
        TypeRef::Named(n) => {
            if !seen.insert(n.clone()) {
                return true;
            }
            match api.types.get(n).map(|d| &d.kind) {
                Some(TypeKind::Struct { fields, .. }) => fields
                    .iter()
                    .all(|f| f.null_clears || f.is_optional() || has_default(api, &f.ty, seen)),
                Some(TypeKind::Alias { target }) => has_default(api, target, seen),
                _ => false,
            }
        }
        TypeRef::File
        | TypeRef::DateTime
        | TypeRef::Date
        | TypeRef::Uuid
        | TypeRef::UnixTime
        | TypeRef::UnixTimeMicros => false,
        _ => true,
    }
}

/// The macro name of the placeholder item that stands for a string enum in the token stream
/// until the file is printed; [`enum_text`] replaces it.
pub(crate) const ENUM_PLACEHOLDER: &str = "__cyberark_string_enum";

/// A string enum as the runtime's `string_enum!` invocation, laid out one variant per line.
pub(crate) fn enum_text(def: &TypeDef, variants: &[Variant]) -> String {
    let macro_path = runtime::path_str("string_enum");
    let mut out = format!("{macro_path}! {{\n");
    let docs = match &def.docs {
        Some(d) => crate::emit::doc_lines(d),
        None => vec![format!("The `{}` values.", def.name)],
    };
    for line in docs {
        if line.is_empty() {
            out.push_str("    ///\n");
        } else {
            out.push_str(&format!("    /// {line}\n"));
        }
    }
    out.push_str(
        "    ///\n    /// Values this client does not know arrive as `Unknown`, as sent.\n",
    );
    out.push_str(&format!(
        "    #[non_exhaustive]\n    pub enum {} {{\n",
        def.name
    ));
    for v in variants {
        out.push_str(&format!("        /// `{}`.\n", v.wire.replace('`', "'")));
        out.push_str(&format!("        {} = {:?},\n", v.rust, v.wire));
    }
    out.push_str("    }\n}\n");
    out
}

/// The macro name of the placeholder item that stands for a struct's `Deserialize` impl in the
/// token stream until the file is printed; [`object_text`] replaces it.
pub(crate) const OBJECT_PLACEHOLDER: &str = "__cyberark_object_deserialize";

/// A struct's `Deserialize` impl as the runtime's `object_deserialize!` invocation, one field per
/// line: its required fields, then the optional ones, each with its wire name.
pub(crate) fn object_text(def: &TypeDef, fields: &[Field]) -> String {
    let macro_path = runtime::path_str("object_deserialize");
    let mut out = format!("{macro_path}! {{\n    {} {{\n", def.name);
    for (group, required) in [("required", true), ("optional", false)] {
        let mut group_fields = fields
            .iter()
            .filter(|f| (f.null_clears || f.is_optional()) != required)
            .peekable();
        if group_fields.peek().is_none() {
            out.push_str(&format!("        {group} {{}}\n"));
            continue;
        }
        out.push_str(&format!("        {group} {{\n"));
        for f in group_fields {
            out.push_str(&format!("            {}: {:?},\n", ident(&f.rust), f.wire));
        }
        out.push_str("        }\n");
    }
    out.push_str("    }\n}\n");
    out
}

/// Emits one named type, as parts: the type's definition as tokens, and for a struct its
/// constructor and setters as text (see [`super::text`]).
pub(crate) fn type_def(api: &Api, def: &TypeDef) -> Vec<Part> {
    let name = format_ident!("{}", def.name);
    let doc = match &def.docs {
        Some(d) => docs(std::slice::from_ref(d)),
        None => docs(&[format!("The `{}` object.", def.name)]),
    };
    let tokens = match &def.kind {
        TypeKind::Enum { .. } => {
            // The macro invocation is written as text by `enum_text`: printers do not lay out
            // macro bodies, and users read these enums.
            let placeholder = format_ident!("{}", ENUM_PLACEHOLDER);
            quote! { #placeholder!(#name); }
        }
        TypeKind::Alias { target } => {
            let t = ty(target);
            quote! { #doc pub type #name = #t; }
        }
        TypeKind::Union {
            arms,
            discriminator,
        } => union_def(def, arms, discriminator.as_deref(), doc),
        TypeKind::Struct { fields, open } => {
            let refs: Vec<&Field> = fields.iter().collect();
            let extra_doc = if *open {
                " Further keys, which this object takes by design (see the type's description)."
            } else {
                " Fields the spec does not name, kept so that nothing the tenant sent is lost and a read-modify-write sends them back."
            };
            let default = has_default(api, &TypeRef::Named(def.name.clone()), &mut BTreeSet::new());
            let type_doc = match &def.docs {
                Some(d) => d.clone(),
                None => format!("The `{}` object.", def.name),
            };
            let mut text = String::with_capacity(1024 + 512 * refs.len());
            text::struct_definition(&mut text, &type_doc, &def.name, default, fields, extra_doc);
            let ctor_doc = format!(" A new `{}` from its required fields.", def.name);
            text::inherent_impl(
                &mut text,
                &text::Inherent {
                    name: &def.name,
                    ctor_doc: &ctor_doc,
                    extra_doc: Some(" Adds a key the spec does not name; it is sent as is."),
                },
                &refs,
            );
            // `Deserialize` comes from the runtime's `object_deserialize!` (written as text by
            // `object_text` in place of the placeholder): serde's `flatten`, which would keep the
            // unknown keys too, buffers the whole object and costs a large deserializer per struct.
            text::object_placeholder(&mut text, &def.name);
            return vec![Part::Text(text)];
        }
    };
    vec![Part::Tokens(tokens)]
}

/// A union (`oneOf`/`anyOf`) as an enum with one variant per arm and an `Unknown` variant that
/// keeps the JSON of anything else. Untagged unions take the first arm that decodes; with a
/// discriminator, its value picks the arm, and a value no arm claims is `Unknown`.
fn union_def(
    def: &TypeDef,
    arms: &[Arm],
    discriminator: Option<&str>,
    doc: TokenStream,
) -> TokenStream {
    let name = format_ident!("{}", def.name);
    let json = runtime::path("JsonValue");
    let variants = arms.iter().map(|a| {
        let v = format_ident!("{}", a.rust);
        let t = ty(&a.ty);
        let t = if a.boxed {
            quote! { ::std::boxed::Box<#t> }
        } else {
            t
        };
        let vdoc = if a.tags.is_empty() {
            format!(" The `{}` arm.", a.rust)
        } else {
            let tags: Vec<String> = a.tags.iter().map(|t| format!("`{t}`")).collect();
            format!(" The arm chosen by {}.", tags.join(", "))
        };
        quote! { #[doc = #vdoc] #v(#t), }
    });
    let rule = match discriminator {
        Some(p) => format!(" Decoded by the value of `{p}`; a value no arm claims is kept as `Unknown`."),
        None => " Decoded as the first arm that fits, in spec order; anything else is kept as `Unknown`.".to_owned(),
    };
    let (derive, deserialize) = match discriminator {
        None => (quote! { ::serde::Deserialize, }, quote! {}),
        Some(property) => {
            let from_json = runtime::path("from_json");
            let cases = arms.iter().map(|a| {
                let v = format_ident!("{}", a.rust);
                let tags = &a.tags;
                let wrap = if a.boxed {
                    quote! { |v| #name::#v(::std::boxed::Box::new(v)) }
                } else {
                    quote! { #name::#v }
                };
                quote! {
                    #(::std::option::Option::Some(#tags))|* => #from_json(value).map(#wrap).map_err(<D::Error as ::serde::de::Error>::custom),
                }
            });
            (
                quote! {},
                quote! {
                    impl<'de> ::serde::Deserialize<'de> for #name {
                        fn deserialize<D: ::serde::Deserializer<'de>>(deserializer: D) -> ::std::result::Result<Self, D::Error> {
                            let value = <#json as ::serde::Deserialize>::deserialize(deserializer)?;
                            let tag = value.get(#property).and_then(#json::as_str).map(::std::borrow::ToOwned::to_owned);
                            match tag.as_deref() {
                                #(#cases)*
                                _ => ::std::result::Result::Ok(#name::Unknown(value)),
                            }
                        }
                    }
                },
            )
        }
    };
    quote! {
        #doc
        ///
        #[doc = #rule]
        #[derive(Clone, Debug, PartialEq, ::serde::Serialize, #derive)]
        #[serde(untagged)]
        #[non_exhaustive]
        pub enum #name {
            #(#variants)*
            /// A value no arm fits, kept as the JSON the API sent.
            Unknown(#json),
        }
        #deserialize
    }
}
