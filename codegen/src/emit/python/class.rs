//! The wrapper class of an object type (`#[pyclass] struct Py<Name>`), written as text.
//!
//! Object classes are most of the pyo3 layer's bytes (a spec's component schemas), and most of
//! each class is the same few methods with a name or two changed. Building them as token streams,
//! parsing those with `syn` and printing them with `prettyplease` cost more than everything else
//! the generator does, so the class is written directly in the layout `rustfmt` gives it (which
//! `cargo xtask codegen` applies to every generated file, so the committed bytes are rustfmt's
//! either way). Only the constructor, whose parameter handling it shares with the client methods,
//! still goes through `prettyplease`, and only it.

use super::text::{self, MAX_WIDTH, lit, path, write_docs};
use super::{field_doc, is_container, is_secret, needs_redaction, wrapper};
use crate::emit::PythonLayout;
use crate::ir::{Api, Field, TypeDef};
use std::fmt::Write as _;

/// rustfmt's width for a call's (or a tuple struct's) arguments on one line (`fn_call_width`).
const CALL_WIDTH: usize = 60;

/// The getter signature every field (and `extra`) shares after its name.
const GETTER_TAIL: &str = "<'py>(\n        &self,\n        py: ::pyo3::Python<'py>,\n    ) -> ::pyo3::PyResult<::pyo3::Bound<'py, ::pyo3::PyAny>> {\n";

/// The methods of every class that do not depend on its fields, after `extra`.
const COMMON_METHODS: &str = r#"    /// Pickles the object as its JSON data, rebuilt by `_from_json`.
    fn __reduce__<'py>(
        slf: &::pyo3::Bound<'py, Self>,
    ) -> ::pyo3::PyResult<(::pyo3::Bound<'py, ::pyo3::PyAny>, (::std::string::String,))> {
        let json = {to_json}(&slf.get().0)?;
        ::std::result::Result::Ok((slf.get_type().getattr("_from_json")?, (json,)))
    }
    /// The object whose `__reduce__` gave `json`.
    #[classmethod]
    fn _from_json(
        _cls: &::pyo3::Bound<'_, ::pyo3::types::PyType>,
        json: &str,
    ) -> ::pyo3::PyResult<Self> {
        ::std::result::Result::Ok(Self(
            {from_json}(json)?,
            ::std::default::Default::default(),
        ))
    }
    /// A new object with the same data.
    fn __copy__(&self) -> Self {
        Self(self.0.clone(), ::std::default::Default::default())
    }
    /// A new object with the same data; nothing is shared, as the data is copied.
    fn __deepcopy__(&self, memo: &::pyo3::Bound<'_, ::pyo3::PyAny>) -> Self {
        let _ = memo;
        Self(self.0.clone(), ::std::default::Default::default())
    }
    fn __traverse__(
        &self,
        visit: ::pyo3::gc::PyVisit<'_>,
    ) -> ::std::result::Result<(), ::pyo3::PyTraverseError> {
        self.1.traverse(&visit)
    }
    /// The object as plain data with the API's own key names, unknown fields included.
    fn to_dict<'py>(
        &self,
        py: ::pyo3::Python<'py>,
    ) -> ::pyo3::PyResult<::pyo3::Bound<'py, ::pyo3::PyAny>> {
        {to_plain}(py, &self.0)
    }
"#;

/// The class of an object type, its constructor, getters, pickling, copying and `repr()`, and
/// the conversions of the client's type to and from Python.
pub(super) fn struct_class(
    api: &Api,
    def: &TypeDef,
    fields: &[Field],
    target: &PythonLayout,
) -> String {
    let name = def.name.as_str();
    let class = wrapper(name).to_string();
    let rust_ty = format!("{}::{name}", super::CLIENT_ALIAS);
    let into_py = path("IntoPy");
    let mut out = String::with_capacity(4096 + fields.len() * 1024);
    write_docs(
        &mut out,
        "",
        def.docs
            .as_deref()
            .unwrap_or(&format!("The `{name}` object.")),
    );
    text::write_pyclass(
        &mut out,
        &[
            "frozen".to_owned(),
            "eq".to_owned(),
            format!("module = {}", lit(&target.module)),
            format!("name = {}", lit(name)),
        ],
    );
    out.push_str("#[derive(PartialEq)]\n");
    let cache = path("FieldCache");
    let members = format!("pub {rust_ty}, {cache}");
    if members.len() <= CALL_WIDTH {
        let _ = writeln!(out, "pub struct {class}({members});");
    } else {
        let _ = writeln!(
            out,
            "pub struct {class}(\n    pub {rust_ty},\n    {cache},\n);"
        );
    }
    let _ = writeln!(out, "#[pymethods]\nimpl {class} {{");
    write_constructor(&mut out, def, fields);
    // Fields read as Python containers or objects are converted once and kept (see the
    // bindings' `model` module); `extra` takes the last slot.
    let cached: Vec<bool> = fields.iter().map(|f| is_container(api, &f.ty)).collect();
    let slots = cached.iter().filter(|c| **c).count() + 1;
    let mut slot = 0usize;
    for (f, cached) in fields.iter().zip(&cached) {
        write_docs(&mut out, "    ", &field_doc(f));
        let field = text::ident(&f.rust);
        let _ = write!(
            out,
            "    #[getter]\n    fn {}{GETTER_TAIL}",
            text::ident(&f.python)
        );
        if *cached {
            write_cached(&mut out, &into_py, slot, slots, &field);
            slot += 1;
        } else {
            let call = format!("{into_py}::to_py(&self.0.{field}, py)");
            if 8 + call.len() <= MAX_WIDTH {
                let _ = writeln!(out, "        {call}");
            } else {
                let _ = writeln!(
                    out,
                    "        {into_py}::to_py(\n            &self.0.{field},\n            py,\n        )"
                );
            }
        }
        out.push_str("    }\n");
    }
    out.push_str("    /// Fields the spec does not name, as the tenant sent them.\n");
    let _ = write!(out, "    #[getter]\n    fn extra{GETTER_TAIL}");
    write_cached(&mut out, &into_py, slots - 1, slots, "extra");
    out.push_str("    }\n");
    out.push_str(
        &COMMON_METHODS
            .replace("{to_json}", &path("to_json"))
            .replace("{from_json}", &path("from_json"))
            .replace("{to_plain}", &path("to_plain")),
    );
    write_repr(&mut out, api, name, fields);
    out.push_str("}\n");
    write_conversions(&mut out, &class, &rust_ty, &into_py);
    out
}

/// The body of a getter whose value is converted once and kept in slot `index` of `slots`.
fn write_cached(out: &mut String, into_py: &str, index: usize, slots: usize, field: &str) {
    let _ = writeln!(
        out,
        "        self.1.get(py, {index}usize, {slots}usize, || {{\n            {into_py}::to_py(&self.0.{field}, py)\n        }})"
    );
}

/// The constructor, `Py<Name>(...)`, with the same parameter handling as a client method.
fn write_constructor(out: &mut String, def: &TypeDef, fields: &[Field]) {
    let ctor = format!("<{}::{}>::new", super::CLIENT_ALIAS, def.name);
    let params = text::params(fields, false, &ctor, "            ");
    out.push_str("    #[new]\n");
    text::write_signature(out, "    ", &params.signature);
    text::write_fn_header(out, "    ", "new", &params.rust, "::pyo3::PyResult<Self>");
    // A constructor converts Python arguments as a method does, so a panic in the conversion
    // (a dict changing size under it) must become an exception here too.
    let _ = writeln!(out, "        {}(|| {{", path("guard"));
    params.write_build(out, "            ");
    out.push_str("            ::std::result::Result::Ok(Self(value_, ::std::default::Default::default()))\n        })\n    }\n");
}

/// `__repr__`: every field by its Python name, secrets as `***`, and data the spec does not
/// describe (or JSON) redacted.
fn write_repr(out: &mut String, api: &Api, name: &str, fields: &[Field]) {
    let into_py = path("IntoPy");
    let repr_of = path("repr_of");
    let repr_redacted = path("repr_redacted");
    out.push_str(
        "    fn __repr__(&self, py: ::pyo3::Python<'_>) -> ::pyo3::PyResult<::std::string::String> {\n        let mut parts: ::std::vec::Vec<::std::string::String> = ::std::vec::Vec::new();\n",
    );
    for f in fields {
        let field = text::ident(&f.rust);
        let label = lit(&f.python);
        let secret = is_secret(api, &f.ty);
        // How the field's value is shown, given the expression naming it, at `indent`.
        let show = |out: &mut String, indent: &str, value: &str| {
            if secret {
                let _ = writeln!(
                    out,
                    "{indent}parts.push(::std::format!(\"{{}}=***\", {label}));"
                );
            } else {
                let shown = if needs_redaction(api, &f.ty) {
                    format!("{repr_redacted}(py, {value})?")
                } else {
                    format!("{repr_of}(&{into_py}::to_py({value}, py)?)?")
                };
                let _ = writeln!(
                    out,
                    "{indent}parts.push(::std::format!(\n{indent}    \"{{}}={{}}\",\n{indent}    {label},\n{indent}    {shown}\n{indent}));"
                );
            }
        };
        if f.null_clears && secret {
            let _ = writeln!(out, "        if self.0.{field}.as_option().is_some() {{");
            show(out, "            ", "");
            out.push_str("        }\n");
        } else if f.is_optional() && secret {
            let _ = writeln!(out, "        if self.0.{field}.is_some() {{");
            show(out, "            ", "");
            out.push_str("        }\n");
        } else if f.null_clears {
            let _ = writeln!(
                out,
                "        if let ::std::option::Option::Some(value) = self.0.{field}.as_option() {{"
            );
            show(out, "            ", "value");
            out.push_str("        }\n");
        } else if f.is_optional() {
            let _ = writeln!(
                out,
                "        if let ::std::option::Option::Some(value) = &self.0.{field} {{"
            );
            show(out, "            ", "value");
            out.push_str("        }\n");
        } else {
            show(out, "        ", &format!("&self.0.{field}"));
        }
    }
    let _ = writeln!(
        out,
        "        if !self.0.extra.is_empty() {{\n            parts.push(::std::format!(\n                \"extra={{}}\",\n                {repr_redacted}(py, &self.0.extra)?\n            ));\n        }}\n        ::std::result::Result::Ok(::std::format!(\n            \"{{}}({{}})\",\n            {},\n            parts.join(\", \")\n        ))\n    }}",
        lit(name)
    );
}

/// `IntoPy` (a new object of the class) and `FromPy` (an object of the class, or a dict) for
/// the client's type.
fn write_conversions(out: &mut String, class: &str, rust_ty: &str, into_py: &str) {
    let from_py = path("FromPy");
    let from_dict = path("from_dict");
    let _ = writeln!(out, "impl {into_py} for {rust_ty} {{");
    for (receiver, value) in [("&self", "self.clone()"), ("self", "self")] {
        let method = if receiver == "self" {
            "into_py"
        } else {
            "to_py"
        };
        let _ = writeln!(
            out,
            "    fn {method}<'py>(\n        {receiver},\n        py: ::pyo3::Python<'py>,\n    ) -> ::pyo3::PyResult<::pyo3::Bound<'py, ::pyo3::PyAny>> {{\n        ::std::result::Result::Ok(\n            ::pyo3::Bound::new(\n                py,\n                {class}({value}, ::std::default::Default::default()),\n            )?\n            .into_any(),\n        )\n    }}"
        );
    }
    out.push_str("}\n");
    let _ = writeln!(
        out,
        "impl {from_py} for {rust_ty} {{\n    fn from_py(obj: &::pyo3::Bound<'_, ::pyo3::PyAny>, name: &str) -> ::pyo3::PyResult<Self> {{\n        if let ::std::result::Result::Ok(object) = obj.cast::<{class}>() {{\n            return ::std::result::Result::Ok(object.get().0.clone());\n        }}\n        {from_dict}(obj, name)\n    }}\n}}"
    );
}
