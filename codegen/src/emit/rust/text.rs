//! The Rust client's plainest items written as text in the layout `rustfmt` gives them: the
//! definitions of structs and request types with their constructors and setters, their
//! `Default` impls, and the tag handles with one method per operation.
//!
//! These are most of the client's bytes and all alike. Building them as token streams, parsing
//! those with `syn` and printing them with `prettyplease` was most of the cost of generating the
//! Rust client (and, at 100 operations, of generating every output). `cargo xtask codegen` puts
//! every generated file through `rustfmt`, so the committed bytes are rustfmt's either way; the
//! helpers here follow its rules for the shapes written (a list on one line when it fits, else
//! one element a line), so the text is already formatted when no name is unusually long. Items
//! whose shape varies more (the `Request` and `PagedRequest` impls, unions, aliases, `mod.rs`)
//! still go through `prettyplease`.

use super::runtime;
use super::types::OBJECT_PLACEHOLDER;
use crate::emit::doc_lines;
use crate::ir::{Answer, Api, Field, Tag, TypeRef};
use std::fmt::Write as _;

/// The widest a line may be before rustfmt breaks it.
const MAX_WIDTH: usize = 100;

/// rustfmt's widest struct literal body kept on one line (`struct_lit_width`).
const STRUCT_LIT_WIDTH: usize = 18;

/// `impl Into<` as every constructor parameter and setter spells it.
const INTO: &str = "impl ::std::convert::Into<";

/// An identifier, raw (`r#type`) when it is a Rust keyword.
pub(super) fn ident(name: &str) -> String {
    if crate::names::needs_raw(name) {
        format!("r#{name}")
    } else {
        name.to_owned()
    }
}

/// The Rust type of a type reference, as [`super::types::ty`] spells it.
pub(super) fn ty(t: &TypeRef) -> String {
    let mut out = String::new();
    write_ty(&mut out, t);
    out
}

fn write_ty(out: &mut String, t: &TypeRef) {
    let runtime_item = |out: &mut String, item: &str| out.push_str(&runtime::path_str(item));
    match t {
        TypeRef::String => out.push_str("::std::string::String"),
        TypeRef::Secret => runtime_item(out, "Secret"),
        TypeRef::Bool => out.push_str("bool"),
        TypeRef::I32 => out.push_str("i32"),
        TypeRef::I64 => out.push_str("i64"),
        TypeRef::F64 => out.push_str("f64"),
        TypeRef::Json => runtime_item(out, "JsonValue"),
        TypeRef::Unit => out.push_str("()"),
        TypeRef::File => runtime_item(out, "FilePart"),
        TypeRef::Bytes => runtime_item(out, "ByteStream"),
        TypeRef::DateTime => runtime_item(out, "DateTime"),
        TypeRef::Date => runtime_item(out, "Date"),
        TypeRef::Uuid => runtime_item(out, "Uuid"),
        TypeRef::UnixTime => runtime_item(out, "UnixTime"),
        TypeRef::UnixTimeMicros => runtime_item(out, "UnixTimeMicros"),
        TypeRef::Named(n) => out.push_str(n),
        TypeRef::List(inner) => {
            out.push_str("::std::vec::Vec<");
            write_ty(out, inner);
            out.push('>');
        }
        TypeRef::Map(inner) => {
            out.push_str("::std::collections::BTreeMap<::std::string::String, ");
            write_ty(out, inner);
            out.push('>');
        }
    }
}

/// The type a field holds inside `Option` or `Nullable`: `Box<T>` when it leads back to the
/// struct holding it.
fn value_ty(f: &Field) -> String {
    let inner = ty(&f.ty);
    if f.boxed {
        format!("::std::boxed::Box<{inner}>")
    } else {
        inner
    }
}

/// A Rust string literal with the text's exact characters, spelled as `quote` spells it.
fn lit(text: &str) -> String {
    proc_macro2::Literal::string(text).to_string()
}

/// Doc comments for `paragraphs` at `indent`, as `prettyplease` prints the attributes
/// [`super::docs`] builds (an empty paragraph is an empty doc line).
fn write_docs(out: &mut String, indent: &str, paragraphs: &[String]) {
    for p in paragraphs {
        let lines = if p.is_empty() {
            vec![String::new()]
        } else {
            doc_lines(p)
        };
        for line in lines {
            if line.is_empty() {
                let _ = writeln!(out, "{indent}///");
            } else {
                let _ = writeln!(out, "{indent}/// {line}");
            }
        }
    }
}

/// One doc line at `indent`; `line` starts with the space after `///`.
fn write_doc_line(out: &mut String, indent: &str, line: &str) {
    let _ = writeln!(out, "{indent}///{line}");
}

/// The doc paragraph of a field, falling back to its wire name.
pub(super) fn field_doc(f: &Field) -> String {
    match &f.docs {
        Some(d) => format!("`{}`: {}", f.wire, d),
        None => format!("`{}`.", f.wire),
    }
}

/// A function header `<head>(<params>) -> <ret> {` at `indent`: on one line when it fits, else
/// one parameter a line.
fn write_fn_header(out: &mut String, indent: &str, head: &str, params: &[String], ret: &str) {
    let one_line = format!("{indent}{head}({}) -> {ret} {{", params.join(", "));
    if one_line.len() <= MAX_WIDTH || params.is_empty() {
        out.push_str(&one_line);
        out.push('\n');
        return;
    }
    let _ = writeln!(out, "{indent}{head}(");
    for p in params {
        let _ = writeln!(out, "{indent}    {p},");
    }
    let _ = writeln!(out, "{indent}) -> {ret} {{");
}

/// The type of a struct field: `T`, `Option<T>` or `Nullable<T>`.
fn field_ty(f: &Field) -> String {
    let inner = value_ty(f);
    if f.null_clears {
        format!("{}<{inner}>", runtime::path_str("Nullable"))
    } else if f.is_optional() {
        format!("::std::option::Option<{inner}>")
    } else {
        inner
    }
}

/// The arguments of a field's serde attribute: its wire name, and how absence is handled.
fn serde_args(f: &Field) -> Vec<String> {
    let rename = format!("rename = {}", lit(&f.wire));
    // A `readOnly` field is never required (see `Schemas::named_def`), so it is optional or
    // tri-state; the runtime leaves it out while writing a request body.
    let skip = if f.read_only && f.null_clears {
        runtime::path_str("read_only::skip_nullable")
    } else if f.read_only && f.is_optional() {
        runtime::path_str("read_only::skip_option")
    } else if f.null_clears {
        runtime::path_str("Nullable::is_absent")
    } else if f.is_optional() {
        "::std::option::Option::is_none".to_owned()
    } else {
        return vec![rename];
    };
    vec![
        rename,
        "default".to_owned(),
        format!("skip_serializing_if = {}", lit(&skip)),
    ]
}

/// rustfmt's widest attribute argument list kept on one line (`attr_fn_like_width`).
const ATTR_WIDTH: usize = 70;

/// One field of a struct definition at four spaces: its docs, its serde attribute's arguments
/// (if any) and the field itself.
fn write_field(out: &mut String, doc: &str, serde: Option<&[String]>, f: &Field) {
    write_docs(out, "    ", &[doc.to_owned()]);
    if let Some(args) = serde {
        write_attr(out, "    ", "serde", args);
    }
    let _ = writeln!(out, "    pub {}: {},", ident(&f.rust), field_ty(f));
}

/// An attribute `#[<name>(<args>)]` at `indent`: on one line when its arguments fit, else one
/// argument a line.
fn write_attr(out: &mut String, indent: &str, name: &str, args: &[String]) {
    let one_line = args.join(", ");
    if one_line.len() <= ATTR_WIDTH && indent.len() + name.len() + one_line.len() + 5 <= MAX_WIDTH {
        let _ = writeln!(out, "{indent}#[{name}({one_line})]");
        return;
    }
    // rustfmt writes no comma after the last argument of an attribute.
    let _ = writeln!(
        out,
        "{indent}#[{name}(\n{indent}    {}\n{indent})]",
        args.join(&format!(",\n{indent}    "))
    );
}

/// The definition of a struct (a component schema or an inline object): docs, derives, one field
/// per property with its serde attribute, and `extra`, which keeps the keys the spec does not
/// name (or, for an open object, the further keys it takes by design).
pub(super) fn struct_definition(
    out: &mut String,
    docs: &str,
    name: &str,
    default: bool,
    fields: &[Field],
    extra_doc: &str,
) {
    write_docs(out, "", &[docs.to_owned()]);
    let default = if default {
        "::std::default::Default, "
    } else {
        ""
    };
    let _ = writeln!(
        out,
        "#[derive(Clone, Debug, PartialEq, {default}::serde::Serialize)]\n#[non_exhaustive]\npub struct {name} {{"
    );
    for f in fields {
        write_field(out, &field_doc(f), Some(&serde_args(f)), f);
    }
    write_extra(out, extra_doc);
    out.push_str("}\n");
}

/// The `extra` field of a struct or request type, with its doc line (which starts with a space).
fn write_extra(out: &mut String, doc: &str) {
    write_doc_line(out, "    ", doc);
    let _ = writeln!(
        out,
        "    #[serde(flatten)]\n    pub extra: ::std::collections::BTreeMap<::std::string::String, {}>,",
        runtime::path_str("JsonValue")
    );
}

/// The definition of an operation's request type: its parameters, each documented with where
/// it travels; body fields carry their serde attribute when the body is serialized from the
/// struct (other fields are then skipped), and `extra` when the body takes further keys.
pub(super) fn request_definition(
    out: &mut String,
    op: &crate::ir::Operation,
    serialized: bool,
    extra: bool,
) {
    use crate::ir::Location;
    write_docs(
        out,
        "",
        &[format!(
            "The request of `{}` ({} `{}`): required parameters are arguments of `new`, optional ones are setters.",
            op.id,
            op.method.as_str(),
            op.path
        )],
    );
    let serialize = if serialized {
        ", ::serde::Serialize"
    } else {
        ""
    };
    let _ = writeln!(
        out,
        "#[derive(Clone, Debug, PartialEq{serialize})]\n#[non_exhaustive]\npub struct {} {{",
        op.request.type_name
    );
    for f in &op.request.fields {
        let place = match f.location {
            Location::Path => "path",
            Location::Query => "query",
            Location::Header => "header",
            Location::Body | Location::WholeBody => "",
        };
        let doc = match (&f.docs, place) {
            (_, "") => field_doc(f),
            (Some(d), place) => format!("`{}` ({place}): {d}", f.wire),
            (None, place) => format!("`{}` ({place}).", f.wire),
        };
        let serde = if serialized && f.location == Location::Body {
            Some(serde_args(f))
        } else if serialized {
            Some(vec!["skip".to_owned()])
        } else {
            None
        };
        write_field(out, &doc, serde.as_deref(), f);
    }
    if extra {
        write_extra(
            out,
            " Further keys of the body, which this operation takes by design (see its description).",
        );
    }
    out.push_str("}\n");
}

/// What an inherent `impl` block of a struct or request type says around its fields.
pub(super) struct Inherent<'a> {
    /// The type's name.
    pub name: &'a str,
    /// The constructor's doc line (with its leading space).
    pub ctor_doc: &'a str,
    /// The doc line of `extra_field` (with its leading space), when the type keeps further keys.
    pub extra_doc: Option<&'a str>,
}

/// The inherent `impl` block of a struct or request type: `new` taking the required fields,
/// a setter per optional field (and `clear_…` for fields whose `null` clears a value), and
/// `extra_field` when the type keeps further keys.
pub(super) fn inherent_impl(out: &mut String, header: &Inherent<'_>, fields: &[&Field]) {
    let _ = writeln!(out, "impl {} {{", header.name);
    write_doc_line(out, "    ", header.ctor_doc);
    out.push_str("    #[allow(clippy::new_without_default, clippy::too_many_arguments)]\n");
    let mut params = Vec::new();
    let mut inits = Vec::new();
    for f in fields {
        let name = ident(&f.rust);
        if f.null_clears || f.is_optional() {
            inits.push(format!("{name}: ::std::default::Default::default()"));
        } else {
            params.push(format!("{name}: {INTO}{}>", value_ty(f)));
            inits.push(format!("{name}: {name}.into()"));
        }
    }
    if header.extra_doc.is_some() {
        inits.push("extra: ::std::default::Default::default()".to_owned());
    }
    write_fn_header(out, "    ", "pub fn new", &params, "Self");
    let one_line = inits.join(", ");
    if inits.is_empty() {
        out.push_str("        Self {}\n");
    } else if one_line.len() <= STRUCT_LIT_WIDTH {
        let _ = writeln!(out, "        Self {{ {one_line} }}");
    } else {
        out.push_str("        Self {\n");
        for init in &inits {
            let _ = writeln!(out, "            {init},");
        }
        out.push_str("        }\n");
    }
    out.push_str("    }\n");
    for f in fields {
        if !(f.null_clears || f.is_optional()) {
            continue;
        }
        let name = ident(&f.rust);
        let param = [format!("value: {INTO}{}>", value_ty(f))];
        write_docs(out, "    ", &[field_doc(f)]);
        write_fn_header(
            out,
            "    ",
            &format!("pub fn {name}"),
            &[&["mut self".to_owned()], &param[..]].concat(),
            "Self",
        );
        if f.null_clears {
            let nullable = runtime::path_str("Nullable");
            let _ = writeln!(
                out,
                "        self.{name} = {nullable}::Value(value.into());\n        self\n    }}"
            );
            write_doc_line(
                out,
                "    ",
                &format!(
                    " Sends `null` for `{}`, which clears the stored value.",
                    f.wire
                ),
            );
            let _ = writeln!(
                out,
                "    pub fn clear_{}(mut self) -> Self {{\n        self.{name} = {nullable}::Null;\n        self\n    }}",
                f.rust
            );
        } else {
            let _ = writeln!(
                out,
                "        self.{name} = ::std::option::Option::Some(value.into());\n        self\n    }}"
            );
        }
    }
    if let Some(doc) = header.extra_doc {
        write_doc_line(out, "    ", doc);
        let json = runtime::path_str("JsonValue");
        write_fn_header(
            out,
            "    ",
            "pub fn extra_field",
            &[
                "mut self".to_owned(),
                format!("key: {INTO}::std::string::String>"),
                format!("value: {INTO}{json}>"),
            ],
            "Self",
        );
        out.push_str("        self.extra.insert(key.into(), value.into());\n        self\n    }\n");
    }
    out.push_str("}\n");
}

/// `impl Default for <name>` through its constructor without arguments.
pub(super) fn default_impl(out: &mut String, name: &str) {
    let _ = writeln!(
        out,
        "impl ::std::default::Default for {name} {{\n    fn default() -> Self {{\n        Self::new()\n    }}\n}}"
    );
}

/// The handle struct of a tag with one method per operation: the call, a byte-streaming twin
/// for answers offered as bytes too, and an item stream for pageable operations.
pub(super) fn handle(api: &Api, tag: &Tag) -> String {
    let name = tag.type_name.as_str();
    let rt_client = runtime::path_str("Client");
    let error = runtime::path_str("Error");
    let mut out = String::with_capacity(1024);
    write_docs(
        &mut out,
        "",
        &[format!(
            "Operations of the `{}` API group; get one with `Client::{}`.",
            tag.name, tag.handle
        )],
    );
    let _ = writeln!(
        out,
        "#[derive(Clone, Copy)]\npub struct {name}<'c> {{\n    client: &'c {rt_client},\n}}\nimpl<'c> {name}<'c> {{\n    pub(crate) fn new(client: &'c {rt_client}) -> Self {{\n        Self {{ client }}\n    }}"
    );
    for op in api.operations_of(&tag.name) {
        let method = ident(&op.method_name);
        let req = &op.request.type_name;
        let request = [format!("request: {req}")];
        let by_value = [&["self".to_owned()], &request[..]].concat();
        write_docs(
            &mut out,
            "    ",
            &super::summary_paragraphs(op.summary.as_deref(), op.description.as_deref()),
        );
        out.push_str("    ///\n");
        write_doc_line(
            &mut out,
            "    ",
            &format!(" `{} {}` (`{}`).", op.method.as_str(), op.path, op.id),
        );
        if let Some(why) = &op.deprecated {
            let note = if why.trim().is_empty() {
                "deprecated by the API".to_owned()
            } else {
                why.split_whitespace().collect::<Vec<_>>().join(" ")
            };
            let _ = writeln!(out, "    #[deprecated(note = {})]", lit(&note));
        }
        let output = ty(&op.result);
        write_fn_header(
            &mut out,
            "    ",
            &format!("pub async fn {method}"),
            &by_value,
            &format!("::std::result::Result<{output}, {error}>"),
        );
        // A download's body is streamed by the runtime's `download`, never decoded whole.
        let send = if op.answer == Answer::Bytes {
            "download"
        } else {
            "send"
        };
        write_client_call(&mut out, send, &["&request".to_owned()]);
        out.push_str("    }\n");
        if let Some(media_type) = &op.bytes_alternative {
            write_doc_line(
                &mut out,
                "    ",
                &format!(
                    " Like [`{}::{}`], but asks for `{media_type}` and streams the answer's bytes.",
                    tag.type_name, op.method_name
                ),
            );
            let byte_stream = runtime::path_str("ByteStream");
            write_fn_header(
                &mut out,
                "    ",
                &format!("pub async fn {}_download", op.method_name),
                &by_value,
                &format!("::std::result::Result<{byte_stream}, {error}>"),
            );
            write_client_call(
                &mut out,
                "download_as",
                &["&request".to_owned(), lit(media_type)],
            );
            out.push_str("    }\n");
        }
        if let Some(paging) = &op.paging {
            write_doc_line(
                &mut out,
                "    ",
                &format!(
                    " Every item of [`{}::{}`], fetched page by page as the stream is read.",
                    tag.type_name, op.method_name
                ),
            );
            let item_stream = runtime::path_str("ItemStream");
            write_fn_header(
                &mut out,
                "    ",
                &format!("pub fn {}_stream", op.method_name),
                &by_value,
                &format!("{item_stream}<{}>", ty(&paging.item)),
            );
            out.push_str("        self.client.paginate(request, DEFAULT_PAGE_SIZE)\n    }\n");
        }
    }
    let _ = writeln!(
        out,
        "}}\nimpl ::std::fmt::Debug for {name}<'_> {{\n    fn fmt(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {{\n        f.write_str(stringify!({name}))\n    }}\n}}"
    );
    out
}

/// rustfmt's widest method chain kept on one line (`chain_width`).
const CHAIN_WIDTH: usize = 60;

/// `self.client.<method>(<args>).await` as the last expression of a method body: on one line
/// when the chain fits, else one link a line.
fn write_client_call(out: &mut String, method: &str, args: &[String]) {
    let call = format!("{method}({})", args.join(", "));
    let one_line = format!("self.client.{call}.await");
    if one_line.len() <= CHAIN_WIDTH {
        let _ = writeln!(out, "        {one_line}");
    } else {
        let _ = writeln!(
            out,
            "        self.client\n            .{call}\n            .await"
        );
    }
}

/// The placeholder that stands for a struct's `Deserialize` impl until the file is printed
/// (see [`super::types::object_text`]).
pub(super) fn object_placeholder(out: &mut String, name: &str) {
    let _ = writeln!(out, "{OBJECT_PLACEHOLDER}!({name});");
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ir::{Location, QueryStyle};

    fn field(rust: &str, required: bool, null_clears: bool) -> Field {
        Field {
            wire: rust.to_uppercase(),
            rust: rust.to_owned(),
            python: rust.to_owned(),
            ty: TypeRef::String,
            required,
            nullable: false,
            null_clears,
            location: Location::Body,
            style: QueryStyle::Single,
            boxed: false,
            docs: None,
            read_only: false,
        }
    }

    /// The constructor and setters are written in rustfmt's layout: a short signature on one
    /// line, a long one a parameter a line, a short struct literal on one line, keywords raw.
    #[test]
    fn inherent_impl_is_laid_out_as_rustfmt_does() {
        let fields = [
            field("id", true, false),
            field("type", false, false),
            field("description_of_the_thing", false, true),
        ];
        let refs: Vec<&Field> = fields.iter().collect();
        let mut out = String::new();
        inherent_impl(
            &mut out,
            &Inherent {
                name: "Thing",
                ctor_doc: " A new `Thing`.",
                extra_doc: None,
            },
            &refs,
        );
        let expected = r#"impl Thing {
    /// A new `Thing`.
    #[allow(clippy::new_without_default, clippy::too_many_arguments)]
    pub fn new(id: impl ::std::convert::Into<::std::string::String>) -> Self {
        Self {
            id: id.into(),
            r#type: ::std::default::Default::default(),
            description_of_the_thing: ::std::default::Default::default(),
        }
    }
    /// `TYPE`.
    pub fn r#type(mut self, value: impl ::std::convert::Into<::std::string::String>) -> Self {
        self.r#type = ::std::option::Option::Some(value.into());
        self
    }
    /// `DESCRIPTION_OF_THE_THING`.
    pub fn description_of_the_thing(
        mut self,
        value: impl ::std::convert::Into<::std::string::String>,
    ) -> Self {
        self.description_of_the_thing = ::cyberark_runtime::Nullable::Value(value.into());
        self
    }
    /// Sends `null` for `DESCRIPTION_OF_THE_THING`, which clears the stored value.
    pub fn clear_description_of_the_thing(mut self) -> Self {
        self.description_of_the_thing = ::cyberark_runtime::Nullable::Null;
        self
    }
}
"#;
        assert_eq!(out, expected);
        syn::parse_file(&out).expect("the text is Rust");
    }

    /// A type without required fields or further keys gets `Self {}`, one with a single short
    /// field a struct literal on one line.
    #[test]
    fn short_constructors_stay_on_one_line() {
        let mut out = String::new();
        let header = Inherent {
            name: "Empty",
            ctor_doc: " A new `Empty`.",
            extra_doc: None,
        };
        inherent_impl(&mut out, &header, &[]);
        default_impl(&mut out, "Empty");
        assert!(
            out.contains("    pub fn new() -> Self {\n        Self {}\n    }\n"),
            "{out}"
        );
        let one = field("id", true, false);
        let mut out = String::new();
        inherent_impl(&mut out, &header, &[&one]);
        assert!(out.contains("        Self { id: id.into() }\n"), "{out}");
        syn::parse_file(&out).expect("the text is Rust");
    }

    /// A struct definition: docs, derives, a serde attribute on one line when its arguments
    /// fit in rustfmt's attribute width and one argument a line (no comma after the last)
    /// when not, and `extra` last.
    #[test]
    fn struct_definition_is_laid_out_as_rustfmt_does() {
        let mut optional = field("name", false, false);
        optional.wire = "Name".to_owned();
        optional.docs = Some("The name.".to_owned());
        let fields = [field("id", true, false), optional];
        let mut out = String::new();
        struct_definition(&mut out, "A thing.", "Thing", true, &fields, " Other keys.");
        let expected = r#"/// A thing.
#[derive(Clone, Debug, PartialEq, ::std::default::Default, ::serde::Serialize)]
#[non_exhaustive]
pub struct Thing {
    /// `ID`.
    #[serde(rename = "ID")]
    pub id: ::std::string::String,
    /// `Name`: The name.
    #[serde(
        rename = "Name",
        default,
        skip_serializing_if = "::std::option::Option::is_none"
    )]
    pub name: ::std::option::Option<::std::string::String>,
    /// Other keys.
    #[serde(flatten)]
    pub extra: ::std::collections::BTreeMap<::std::string::String, ::cyberark_runtime::JsonValue>,
}
"#;
        assert_eq!(out, expected);
        syn::parse_file(&out).expect("the text is Rust");
    }
}
