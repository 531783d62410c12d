//! Writing generated Rust as text in the layout `rustfmt` gives it, for the parts of the pyo3
//! layer that are many near-identical items (object classes, client methods, request builders).
//!
//! Building those as token streams, parsing them with `syn` and printing them with `prettyplease`
//! cost more than everything else the generator does. `cargo xtask codegen` puts every generated
//! file through `rustfmt`, so the committed bytes are rustfmt's either way; the helpers here
//! follow its rules for the shapes the emitter writes (a list on one line when it fits, else one
//! element a line), so the text is already formatted when no name is unusually long.

use super::rt_path;
use crate::emit::doc_lines;
use crate::ir::{Field, TypeRef};
use std::fmt::Write as _;

/// The widest a line may be before rustfmt breaks it.
pub(super) const MAX_WIDTH: usize = 100;

/// The path of a hand-written item of the bindings crate, as text (no token stream is built:
/// this is called for every field of every class).
pub(super) fn path(item: &str) -> String {
    rt_path(item).to_owned()
}

/// A Rust string literal with the text's exact characters, spelled as `quote` spells it.
pub(super) fn lit(text: &str) -> String {
    proc_macro2::Literal::string(text).to_string()
}

/// An identifier, raw when it is a Rust keyword.
pub(super) fn ident(name: &str) -> String {
    super::ident(name).to_string()
}

/// rustfmt's width for an attribute's argument list on one line (`attr_fn_like_width`).
const ATTR_WIDTH: usize = 70;

/// A `#[pyclass(...)]` attribute with its line break: on one line when it fits, else one
/// argument a line.
pub(super) fn write_pyclass(out: &mut String, args: &[String]) {
    let one_line = args.join(", ");
    if "#[pyclass()]".len() + one_line.len() <= ATTR_WIDTH {
        let _ = writeln!(out, "#[pyclass({one_line})]");
    } else {
        let _ = writeln!(out, "#[pyclass(\n    {}\n)]", args.join(",\n    "));
    }
}

/// Doc comments for `text` at `indent`, as `prettyplease` and rustfmt print `#[doc]` lines.
pub(super) fn write_docs(out: &mut String, indent: &str, text: &str) {
    for line in doc_lines(text) {
        if line.is_empty() {
            let _ = writeln!(out, "{indent}///");
        } else {
            let _ = writeln!(out, "{indent}/// {line}");
        }
    }
}

/// The Rust type of a type reference, naming the client crate's types (as [`super::ty`]).
pub(super) fn ty(t: &TypeRef) -> String {
    match t {
        TypeRef::String => "::std::string::String".to_owned(),
        TypeRef::Secret => "::cyberark_runtime::Secret".to_owned(),
        TypeRef::Bool => "bool".to_owned(),
        TypeRef::I32 => "i32".to_owned(),
        TypeRef::I64 => "i64".to_owned(),
        TypeRef::F64 => "f64".to_owned(),
        TypeRef::Json => "::cyberark_runtime::JsonValue".to_owned(),
        TypeRef::Unit => "()".to_owned(),
        TypeRef::File => "::cyberark_runtime::FilePart".to_owned(),
        TypeRef::Bytes => "::cyberark_runtime::Bytes".to_owned(),
        TypeRef::DateTime => "::cyberark_runtime::DateTime".to_owned(),
        TypeRef::Date => "::cyberark_runtime::Date".to_owned(),
        TypeRef::Uuid => "::cyberark_runtime::Uuid".to_owned(),
        TypeRef::UnixTime => "::cyberark_runtime::UnixTime".to_owned(),
        TypeRef::UnixTimeMicros => "::cyberark_runtime::UnixTimeMicros".to_owned(),
        TypeRef::Named(n) => format!("{}::{n}", super::CLIENT_ALIAS),
        TypeRef::List(inner) => format!("::std::vec::Vec<{}>", ty(inner)),
        TypeRef::Map(inner) => format!(
            "::std::collections::BTreeMap<::std::string::String, {}>",
            ty(inner)
        ),
    }
}

/// `prettyplease`'s line width, which decides the layout of the attributes rustfmt leaves as
/// they are.
const PRETTYPLEASE_WIDTH: usize = 89;

/// The `#[pyo3(signature = (...))]` attribute of a parameter list at `indent`, with its line
/// break. rustfmt leaves this attribute as it finds it (`*` makes it no meta list it formats),
/// so it is laid out as `prettyplease` lays it out: on one line, else the `signature = (...)`
/// on a line of its own, else one parameter a line.
pub(super) fn write_signature(out: &mut String, indent: &str, parts: &[String]) {
    let parts: Vec<String> = parts.iter().map(|p| p.replacen('=', " = ", 1)).collect();
    let inner = format!("signature = ({})", parts.join(", "));
    if indent.len() + "#[pyo3()]".len() + inner.len() <= PRETTYPLEASE_WIDTH {
        let _ = writeln!(out, "{indent}#[pyo3({inner})]");
    } else if indent.len() + 4 + inner.len() <= PRETTYPLEASE_WIDTH {
        let _ = writeln!(out, "{indent}#[pyo3(\n{indent}    {inner}\n{indent})]");
    } else {
        let _ = writeln!(
            out,
            "{indent}#[pyo3(\n{indent}    signature = (\n{indent}        {}\n{indent}    )\n{indent})]",
            parts.join(&format!(",\n{indent}        "))
        );
    }
}

/// A function header `fn <name>(<params>) -> <ret> {` at `indent`: on one line when it fits,
/// else one parameter a line.
pub(super) fn write_fn_header(
    out: &mut String,
    indent: &str,
    name: &str,
    params: &[String],
    ret: &str,
) {
    let one_line = format!("{indent}fn {name}({}) -> {ret} {{", params.join(", "));
    if one_line.len() <= MAX_WIDTH || params.is_empty() {
        out.push_str(&one_line);
        out.push('\n');
        return;
    }
    let _ = writeln!(out, "{indent}fn {name}(");
    for p in params {
        let _ = writeln!(out, "{indent}    {p},");
    }
    let _ = writeln!(out, "{indent}) -> {ret} {{");
}

/// `let <name> = <expr>;` at `indent`, the expression on a line of its own when too long.
fn write_let(out: &mut String, indent: &str, name: &str, expr: &str) {
    let one_line = format!("{indent}let {name} = {expr};");
    if one_line.len() <= MAX_WIDTH {
        out.push_str(&one_line);
        out.push('\n');
    } else {
        let _ = writeln!(out, "{indent}let {name} =\n{indent}    {expr};");
    }
}

/// `if let Some(value) = <expr> {` at `indent`, the expression on a line of its own when too
/// long.
fn write_if_some(out: &mut String, indent: &str, expr: &str) {
    let one_line = format!("{indent}if let ::std::option::Option::Some(value) = {expr} {{");
    if one_line.len() <= MAX_WIDTH {
        out.push_str(&one_line);
        out.push('\n');
    } else {
        let _ = writeln!(
            out,
            "{indent}if let ::std::option::Option::Some(value) =\n{indent}    {expr}\n{indent}{{"
        );
    }
}

/// The parameters a request (or a constructor) takes from Python, as text (see
/// [`super::params`], whose rules this follows).
pub(super) struct Params {
    /// The entries of the pyo3 signature.
    pub signature: Vec<String>,
    /// The Rust parameters.
    pub rust: Vec<String>,
    /// The statements building the value into `value_`, each line without indentation.
    pub build: Vec<String>,
}

impl Params {
    /// Writes the statements at `indent`.
    pub(super) fn write_build(&self, out: &mut String, indent: &str) {
        for line in &self.build {
            if line.is_empty() {
                out.push('\n');
            } else {
                let _ = writeln!(out, "{indent}{line}");
            }
        }
    }
}

/// Builds the parameters for `fields`: required ones positional-or-keyword, the rest
/// keyword-only; `clear_<name>` flags for fields whose `null` clears a value; `extra` for
/// bodies that take further keys. `ctor` is the expression constructing the value from the
/// required fields, which are bound under their Rust names. The statements are laid out for
/// `indent`, where the caller writes them.
pub(super) fn params(fields: &[Field], extra: bool, ctor: &str, indent: &str) -> Params {
    let arg = path("arg");
    let opt_arg = path("opt_arg");
    let any = "&::pyo3::Bound<'_, ::pyo3::PyAny>";
    let mut signature = Vec::new();
    let mut rust = Vec::new();
    let mut build = String::new();
    let mut ctor_args = Vec::new();
    for f in fields
        .iter()
        .filter(|f| !(f.null_clears || f.is_optional()))
    {
        let p = ident(&f.python);
        signature.push(super::sig_name(&f.python));
        rust.push(format!("{p}: {any}"));
        write_let(
            &mut build,
            indent,
            &p,
            &format!("{arg}::<{}>({p}, {})?", ty(&f.ty), lit(&f.python)),
        );
        ctor_args.push(p);
    }
    let optional_fields: Vec<&Field> = fields
        .iter()
        .filter(|f| f.null_clears || f.is_optional())
        .collect();
    if !optional_fields.is_empty() || extra {
        signature.push("*".to_owned());
    }
    let mut optional = String::new();
    let mut setters = String::new();
    for f in optional_fields {
        let p = ident(&f.python);
        let setter = ident(&f.rust);
        signature.push(format!("{}=None", super::sig_name(&f.python)));
        rust.push(format!("{p}: ::std::option::Option<{any}>"));
        write_if_some(
            &mut optional,
            indent,
            &format!("{opt_arg}::<{}>({p}, {})?", ty(&f.ty), lit(&f.python)),
        );
        let _ = writeln!(
            optional,
            "{indent}    value_ = value_.{setter}(value);\n{indent}}}"
        );
        if f.null_clears {
            let flag = format!("clear_{}", f.python);
            let clear = format!("clear_{}", f.rust);
            signature.push(format!("clear_{}=false", f.python));
            rust.push(format!("{flag}: bool"));
            let _ = writeln!(
                setters,
                "{indent}if {flag} {{\n{indent}    value_ = value_.{clear}();\n{indent}}}"
            );
        }
    }
    if extra {
        signature.push("extra=None".to_owned());
        rust.push(format!("extra: ::std::option::Option<{any}>"));
        let map = ty(&TypeRef::Map(Box::new(TypeRef::Json)));
        let _ = writeln!(
            setters,
            "{indent}for (key, value) in {opt_arg}::<{map}>(extra, \"extra\")?.unwrap_or_default() {{\n{indent}    value_ = value_.extra_field(key, value);\n{indent}}}"
        );
    }
    let mutable = if optional.is_empty() && setters.is_empty() {
        ""
    } else {
        "mut "
    };
    let call = format!("{ctor}({})", ctor_args.join(", "));
    let one_line = format!("{indent}let {mutable}value_ = {call};");
    if one_line.len() <= MAX_WIDTH {
        build.push_str(&one_line);
        build.push('\n');
    } else if format!("{indent}    {call};").len() <= MAX_WIDTH {
        let _ = writeln!(build, "{indent}let {mutable}value_ =\n{indent}    {call};");
    } else {
        let _ = writeln!(build, "{indent}let {mutable}value_ = {ctor}(");
        for a in &ctor_args {
            let _ = writeln!(build, "{indent}    {a},");
        }
        let _ = writeln!(build, "{indent});");
    }
    build.push_str(&optional);
    build.push_str(&setters);
    // The caller indents: strip the indentation written for measuring.
    let build = build
        .lines()
        .map(|l| l.strip_prefix(indent).unwrap_or(l).to_owned())
        .collect();
    Params {
        signature,
        rust,
        build,
    }
}
