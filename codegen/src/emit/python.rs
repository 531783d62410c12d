//! `emit/python`: the pyo3 layer of the Python package (`bindings/python/src/generated/`).
//!
//! Output per API (each spec of `spec/specs.yaml` with a Python layer, into a directory of its
//! own and a Python module of its own, see [`PythonLayout`]): `mod.rs` (the `Client` and
//! `AsyncClient` classes with one attribute per tag, and `register`, which adds every class to
//! the module), `models.rs` (classes of the shared types) and one file per tag (its sync and async classes, one method per operation, and the
//! classes of the tag's own types), so a spec change touches only the files of the tags it
//! changes. Result objects are `#[pyclass(frozen)]` wrappers of the Rust client's types whose
//! getters convert a field only when it is read. Every helper the generated code calls is named
//! through [`RUNTIME`], the table of the bindings crate's hand-written modules.

use super::{EmitError, HEADER, Output, PythonLayout, SignIn, doc_lines};
use crate::ir::{Api, Body, Field, Operation, PagingStyle, Tag, TypeDef, TypeKind, TypeRef};
use proc_macro2::{Ident, Span, TokenStream};
use quote::{format_ident, quote};

/// The name under which every generated file imports the Rust client's items (`use
/// ::cyberark_vault as client_api;`), so the rest of the file does not depend on where they live.
const CLIENT_ALIAS: &str = "client_api";

/// Every item of the bindings crate's hand-written modules that generated code may use.
const RUNTIME: &[(&str, &str)] = &[
    ("arg", "crate::runtime::arg"),
    ("opt_arg", "crate::runtime::opt_arg"),
    ("block_on", "crate::runtime::block_on"),
    ("future", "crate::runtime::future"),
    ("IntoPy", "crate::runtime::IntoPy"),
    ("FromPy", "crate::runtime::FromPy"),
    ("from_dict", "crate::runtime::from_dict"),
    ("to_plain", "crate::runtime::to_plain"),
    ("repr_of", "crate::runtime::repr_of"),
    ("repr_redacted", "crate::runtime::repr_redacted"),
    ("ready", "crate::runtime::ready"),
    ("ClientHandle", "crate::handle::ClientHandle"),
    ("guard", "crate::wait::guard"),
    ("FieldCache", "crate::model::FieldCache"),
    ("to_json", "crate::model::to_json"),
    ("from_json", "crate::model::from_json"),
    ("sign_in_identity", "crate::client::identity"),
    ("sign_in_vault", "crate::vault::build"),
    ("download", "crate::download::download"),
    ("download_async", "crate::download::download_async"),
    ("PageIterator", "crate::paging::PageIterator"),
    ("AsyncPageIterator", "crate::paging::AsyncPageIterator"),
    ("page_size", "crate::paging::page_size"),
    ("invalid_request", "crate::errors::invalid_request"),
];

/// Names of the hand-written classes of `_native`, which generated classes may not take.
pub(crate) const RESERVED_CLASSES: &[&str] = &[
    "Client",
    "AsyncClient",
    "PageIterator",
    "AsyncPageIterator",
    "MfaChallenge",
    "Sandbox",
    "Hold",
    "LoggedRequest",
];

/// The page size of the `_iter` methods when the caller gives none (the bindings'
/// `paging::DEFAULT_PAGE_SIZE`, named in the stubs' docstrings).
pub(crate) const DEFAULT_PAGE_SIZE: u32 = 1000;

/// The request fields of a paged operation that its `_iter` method does not offer, because the
/// pager sets them page by page: SCIM's `startIndex` and `count`. Offering them would only
/// pretend to honour them. (Redrock's `Args` also carries sorting and caching, so it stays, and
/// [`pager_args`] refuses the page fields inside it.)
pub(crate) fn pager_fields(op: &Operation) -> Vec<&Field> {
    let wires: &[&str] = match op.paging.as_ref().map(|p| p.style) {
        Some(PagingStyle::Scim) => &["startIndex", "count"],
        _ => &[],
    };
    op.request
        .fields
        .iter()
        .filter(|f| wires.contains(&f.wire.as_str()) && f.is_optional())
        .collect()
}

/// For a Redrock operation, the `Args` request field and the Rust names of the optional page
/// fields inside it (`PageNumber`, `PageSize`), which the pager sets and the `_iter` method
/// therefore refuses.
fn pager_args<'a>(api: &'a Api, op: &'a Operation) -> Option<(&'a Field, Vec<&'a str>)> {
    if op.paging.as_ref().map(|p| p.style) != Some(PagingStyle::Redrock) {
        return None;
    }
    let args = op
        .request
        .fields
        .iter()
        .find(|f| f.wire == "Args" && f.is_optional())?;
    let TypeRef::Named(name) = &args.ty else {
        return None;
    };
    let Some(TypeKind::Struct { fields, .. }) = api.types.get(name).map(|d| &d.kind) else {
        return None;
    };
    let page_fields: Vec<&str> = fields
        .iter()
        .filter(|f| ["PageNumber", "PageSize"].contains(&f.wire.as_str()) && f.is_optional())
        .map(|f| f.rust.as_str())
        .collect();
    (!page_fields.is_empty()).then_some((args, page_fields))
}

fn rt(item: &str) -> TokenStream {
    let path = RUNTIME
        .iter()
        .find(|(name, _)| *name == item)
        .map(|(_, path)| *path)
        .unwrap_or("compile_error!(\"unknown runtime item\")");
    path.parse().unwrap_or_default()
}

/// The path of a type of the Rust client, through the file's [`CLIENT_ALIAS`] import.
fn client_item(name: &str) -> TokenStream {
    let alias = format_ident!("{}", CLIENT_ALIAS);
    let name = format_ident!("{}", name);
    quote! { #alias::#name }
}

/// The import every generated file starts with: the Rust client's items under [`CLIENT_ALIAS`].
fn client_import(target: &PythonLayout) -> Result<TokenStream, EmitError> {
    let path: syn::Path = syn::parse_str(&target.rust_path).map_err(|e| EmitError {
        path: target.dir.clone(),
        message: format!("rust_path {:?} is not a Rust path: {e}", target.rust_path),
    })?;
    let alias = format_ident!("{}", CLIENT_ALIAS);
    Ok(quote! {
        #[allow(unused_imports)]
        use ::#path as #alias;
    })
}

/// The function of the bindings crate that builds the client from `Client(tenant, **options)`.
fn sign_in(target: &PythonLayout) -> TokenStream {
    match target.sign_in {
        SignIn::Identity => rt("sign_in_identity"),
        SignIn::Vault => rt("sign_in_vault"),
    }
}

/// An identifier, raw when it is a Rust keyword (pyo3 strips `r#` from Python names).
fn ident(name: &str) -> Ident {
    if crate::names::needs_raw(name) {
        Ident::new_raw(name, Span::call_site())
    } else {
        Ident::new(name, Span::call_site())
    }
}

/// A parameter name as a pyo3 signature spells it (`r#type` for a Rust keyword).
fn sig_name(name: &str) -> String {
    if crate::names::needs_raw(name) {
        format!("r#{name}")
    } else {
        name.to_owned()
    }
}

/// The Rust ident of the wrapper class of a named type.
fn wrapper(name: &str) -> Ident {
    format_ident!("Py{}", name)
}

/// The async class of a tag.
pub(crate) fn async_class(tag: &Tag) -> String {
    format!("Async{}", tag.type_name)
}

/// Emits every file of the pyo3 layer of `target`.
pub fn emit(api: &Api, target: &PythonLayout) -> Result<Vec<Output>, EmitError> {
    let dir = target.dir.as_str();
    check_names(api, dir)?;
    let import = client_import(target)?;
    let mut outputs = vec![
        render(&format!("{dir}/mod.rs"), mod_file(api, target), &import)?,
        render(
            &format!("{dir}/models.rs"),
            types_file(
                api,
                target,
                None,
                " Classes of the types shared by several operations.",
            ),
            &import,
        )?,
    ];
    for tag in &api.tags {
        outputs.push(render(
            &format!("{dir}/{}.rs", tag.module),
            tag_file(api, tag, target),
            &import,
        )?);
    }
    Ok(outputs)
}

/// Refuses names that would collide in the Python module or in a generated class.
fn check_names(api: &Api, dir: &str) -> Result<(), EmitError> {
    let fail = |message: String| EmitError {
        path: dir.to_owned(),
        message,
    };
    // A set, not a list: a spec with thousands of types would make the look-ups quadratic.
    let mut classes: std::collections::HashSet<String> =
        RESERVED_CLASSES.iter().map(|s| (*s).to_owned()).collect();
    for tag in &api.tags {
        classes.insert(tag.type_name.clone());
        classes.insert(async_class(tag));
    }
    for def in api.types.values() {
        if matches!(def.kind, TypeKind::Struct { .. }) && !classes.insert(def.name.clone()) {
            return Err(fail(format!(
                "the type {} collides with another class of the Python module",
                def.name
            )));
        }
        if let TypeKind::Struct { fields, .. } = &def.kind
            && let Some(f) = fields
                .iter()
                .find(|f| ["extra", "to_dict"].contains(&f.python.as_str()))
        {
            return Err(fail(format!(
                "the field {}.{} collides with a method of its class",
                def.name, f.python
            )));
        }
    }
    for op in &api.operations {
        if op.request.fields.iter().any(|f| {
            f.python == "extra"
                || f.python == "page_size"
                || (op.answer == crate::ir::Answer::Bytes && f.python == "to")
        }) {
            return Err(fail(format!(
                "a parameter of {} collides with a keyword the bindings add",
                op.id
            )));
        }
    }
    Ok(())
}

/// Renders one file; `import` goes after the file's inner attributes.
fn render(path: &str, tokens: TokenStream, import: &TokenStream) -> Result<Output, EmitError> {
    let mut file: syn::File = syn::parse2(tokens).map_err(|e| EmitError {
        path: path.to_owned(),
        message: format!("the generated code does not parse: {e}"),
    })?;
    let import: syn::Item = syn::parse2(import.clone()).map_err(|e| EmitError {
        path: path.to_owned(),
        message: format!("the client import does not parse: {e}"),
    })?;
    file.items.insert(0, import);
    Ok(Output {
        path: path.to_owned(),
        contents: format!("// {HEADER}\n{}", prettyplease::unparse(&file)),
    })
}

/// Doc attributes for the given text (pyo3 turns them into `__doc__`).
fn docs(text: &str) -> TokenStream {
    let lines: Vec<String> = doc_lines(text)
        .into_iter()
        .map(|l| if l.is_empty() { l } else { format!(" {l}") })
        .collect();
    quote! { #(#[doc = #lines])* }
}

/// The docstring of an operation: summary, description and the HTTP call.
pub(crate) fn op_doc(op: &Operation) -> String {
    let mut text = String::new();
    if let Some(s) = &op.summary {
        text.push_str(s.trim());
    }
    if let Some(d) = &op.description
        && op.summary.as_deref().map(str::trim) != Some(d.trim())
    {
        if !text.is_empty() {
            text.push_str("\n\n");
        }
        text.push_str(d.trim());
    }
    if !text.is_empty() {
        text.push_str("\n\n");
    }
    text.push_str(&format!(
        "`{} {}` (`{}`).",
        op.method.as_str(),
        op.path,
        op.id
    ));
    text
}

/// The docstring of a field.
pub(crate) fn field_doc(f: &Field) -> String {
    match &f.docs {
        Some(d) => format!("`{}`: {}", f.wire, d.trim()),
        None => format!("`{}`.", f.wire),
    }
}

/// The Rust type of a type reference, naming the client crate's types.
fn ty(t: &TypeRef) -> TokenStream {
    match t {
        TypeRef::String => quote! { ::std::string::String },
        TypeRef::Secret => quote! { ::cyberark_runtime::Secret },
        TypeRef::Bool => quote! { bool },
        TypeRef::I32 => quote! { i32 },
        TypeRef::I64 => quote! { i64 },
        TypeRef::F64 => quote! { f64 },
        TypeRef::Json => quote! { ::cyberark_runtime::JsonValue },
        TypeRef::Unit => quote! { () },
        TypeRef::File => quote! { ::cyberark_runtime::FilePart },
        TypeRef::Bytes => quote! { ::cyberark_runtime::Bytes },
        TypeRef::DateTime => quote! { ::cyberark_runtime::DateTime },
        TypeRef::Date => quote! { ::cyberark_runtime::Date },
        TypeRef::Uuid => quote! { ::cyberark_runtime::Uuid },
        TypeRef::UnixTime => quote! { ::cyberark_runtime::UnixTime },
        TypeRef::UnixTimeMicros => quote! { ::cyberark_runtime::UnixTimeMicros },
        TypeRef::Named(n) => client_item(n),
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

/// Whether a value of this type may hold a secret or data the spec does not describe, so that
/// `repr()` must show it redacted.
fn needs_redaction(api: &Api, t: &TypeRef) -> bool {
    match t {
        TypeRef::Secret | TypeRef::Json => true,
        TypeRef::List(inner) | TypeRef::Map(inner) => needs_redaction(api, inner),
        TypeRef::Named(n) => match api.types.get(n).map(|d| &d.kind) {
            Some(TypeKind::Alias { target }) => needs_redaction(api, target),
            // Wrapper classes redact themselves.
            _ => false,
        },
        _ => false,
    }
}

/// Whether a value of this type reads as a mutable Python container or an object of a generated
/// class, so its conversion is worth keeping.
fn is_container(api: &Api, t: &TypeRef) -> bool {
    match t {
        TypeRef::Json | TypeRef::List(_) | TypeRef::Map(_) => true,
        TypeRef::Named(n) => match api.types.get(n).map(|d| &d.kind) {
            Some(TypeKind::Struct { .. }) => true,
            Some(TypeKind::Alias { target }) => is_container(api, target),
            _ => false,
        },
        _ => false,
    }
}

/// Whether the type is or contains a secret.
fn is_secret(api: &Api, t: &TypeRef) -> bool {
    match t {
        TypeRef::Secret => true,
        TypeRef::List(inner) | TypeRef::Map(inner) => is_secret(api, inner),
        TypeRef::Named(n) => {
            matches!(api.types.get(n).map(|d| &d.kind), Some(TypeKind::Alias { target }) if is_secret(api, target))
        }
        _ => false,
    }
}

/// The parameters a request (or a constructor) takes from Python: the pyo3 signature, the
/// Rust parameters and the statements building the value into `request`.
struct Params {
    signature: Vec<String>,
    rust: Vec<TokenStream>,
    build: TokenStream,
}

/// Builds the parameters for `fields`: required ones positional-or-keyword, the rest
/// keyword-only; `clear_<name>` flags for fields whose `null` clears a value; `extra` for
/// bodies that take further keys. `new` is the expression constructing the value from the
/// required fields, which are bound under their Rust names.
fn params(fields: &[Field], extra: bool, ctor: TokenStream) -> Params {
    let arg = rt("arg");
    let opt_arg = rt("opt_arg");
    let mut signature = Vec::new();
    let mut rust = Vec::new();
    let mut required = Vec::new();
    let mut optional = Vec::new();
    let mut ctor_args = Vec::new();
    let mut setters = Vec::new();
    for f in fields
        .iter()
        .filter(|f| !(f.null_clears || f.is_optional()))
    {
        let p = ident(&f.python);
        let name = &f.python;
        let t = ty(&f.ty);
        signature.push(sig_name(&f.python));
        rust.push(quote! { #p: &::pyo3::Bound<'_, ::pyo3::PyAny> });
        required.push(quote! { let #p = #arg::<#t>(#p, #name)?; });
        ctor_args.push(quote! { #p });
    }
    let optional_fields: Vec<&Field> = fields
        .iter()
        .filter(|f| f.null_clears || f.is_optional())
        .collect();
    if !optional_fields.is_empty() || extra {
        signature.push("*".to_owned());
    }
    for f in optional_fields {
        let p = ident(&f.python);
        let setter = ident(&f.rust);
        let name = &f.python;
        let t = ty(&f.ty);
        signature.push(format!("{}=None", sig_name(&f.python)));
        rust.push(quote! { #p: ::std::option::Option<&::pyo3::Bound<'_, ::pyo3::PyAny>> });
        optional.push(quote! {
            if let ::std::option::Option::Some(value) = #opt_arg::<#t>(#p, #name)? {
                value_ = value_.#setter(value);
            }
        });
        if f.null_clears {
            let flag = format_ident!("clear_{}", f.python);
            let clear = format_ident!("clear_{}", f.rust);
            signature.push(format!("clear_{}=false", f.python));
            rust.push(quote! { #flag: bool });
            setters.push(quote! {
                if #flag {
                    value_ = value_.#clear();
                }
            });
        }
    }
    if extra {
        let map = ty(&TypeRef::Map(Box::new(TypeRef::Json)));
        signature.push("extra=None".to_owned());
        rust.push(quote! { extra: ::std::option::Option<&::pyo3::Bound<'_, ::pyo3::PyAny>> });
        setters.push(quote! {
            for (key, value) in #opt_arg::<#map>(extra, "extra")?.unwrap_or_default() {
                value_ = value_.extra_field(key, value);
            }
        });
    }
    let mutable = if optional.is_empty() && setters.is_empty() {
        quote! {}
    } else {
        quote! { mut }
    };
    let build = quote! {
        #(#required)*
        let #mutable value_ = #ctor(#(#ctor_args),*);
        #(#optional)*
        #(#setters)*
    };
    Params {
        signature,
        rust,
        build,
    }
}

/// A pyo3 signature attribute from its parts.
fn signature(parts: &[String]) -> TokenStream {
    let text = format!("#[pyo3(signature = ({}))]", parts.join(", "));
    text.parse().unwrap_or_default()
}

fn mod_file(api: &Api, target: &PythonLayout) -> TokenStream {
    let module_name = target.module.as_str();
    let sign_in = sign_in(target);
    let module_doc = format!(" The generated classes of `{module_name}`.");
    let title = &api.title;
    let sync_doc = format!(" A client of the {title}; calls block, with the GIL released.");
    let async_doc = format!(" A client of the {title} whose calls return awaitables.");
    let modules: Vec<Ident> = api
        .tags
        .iter()
        .map(|t| format_ident!("{}", t.module))
        .collect();
    let handle_type = rt("ClientHandle");
    let guard = rt("guard");
    let ready = rt("ready");
    let getters = |is_async: bool| -> Vec<TokenStream> {
        api.tags
            .iter()
            .map(|tag| {
                let handle = ident(&tag.handle);
                let module = format_ident!("{}", tag.module);
                let class = format_ident!(
                    "{}",
                    if is_async {
                        async_class(tag)
                    } else {
                        tag.type_name.clone()
                    }
                );
                let doc = docs(&format!("Operations of the `{}` API group.", tag.name));
                quote! {
                    #doc
                    #[getter]
                    fn #handle(&self, py: ::pyo3::Python<'_>) -> self::#module::#class {
                        self::#module::#class { client: self.inner.share(py) }
                    }
                }
            })
            .collect()
    };
    let sync_getters = getters(false);
    let async_getters = getters(true);
    let (sync_close, async_close) = closing(target);
    let registrations = modules
        .iter()
        .map(|m| quote! { self::#m::register(module)?; });
    quote! {
        #![doc = #module_doc]
        #![allow(clippy::too_many_arguments, clippy::doc_lazy_continuation, clippy::too_long_first_doc_paragraph, clippy::wrong_self_convention)]
        #(pub mod #modules;)*
        pub mod models;

        use ::pyo3::prelude::*;

        #[doc = #sync_doc]
        ///
        /// `Client(tenant, **options)`; the stubs list the sign-in keywords and every option.
        #[pyclass(frozen, module = #module_name, name = "Client")]
        pub struct Client {
            inner: #handle_type,
        }

        #[pymethods]
        impl Client {
            #[new]
            #[pyo3(signature = (tenant, **options))]
            fn new(py: ::pyo3::Python<'_>, tenant: &str, options: ::std::option::Option<&::pyo3::Bound<'_, ::pyo3::types::PyDict>>) -> ::pyo3::PyResult<Self> {
                #guard(|| ::std::result::Result::Ok(Self { inner: #handle_type::new(py, #sign_in, tenant, options)? }))
            }

            fn __enter__(slf: ::pyo3::Py<Self>) -> ::pyo3::Py<Self> {
                slf
            }

            #sync_close

            fn __traverse__(&self, visit: ::pyo3::PyVisit<'_>) -> ::std::result::Result<(), ::pyo3::PyTraverseError> {
                self.inner.traverse(&visit)
            }

            fn __repr__(&self) -> ::std::string::String {
                ::std::format!("Client({:?})", self.inner.url())
            }

            #(#sync_getters)*
        }

        #[doc = #async_doc]
        ///
        /// Takes the same arguments as `Client`.
        #[pyclass(frozen, module = #module_name, name = "AsyncClient")]
        pub struct AsyncClient {
            inner: #handle_type,
        }

        #[pymethods]
        impl AsyncClient {
            #[new]
            #[pyo3(signature = (tenant, **options))]
            fn new(py: ::pyo3::Python<'_>, tenant: &str, options: ::std::option::Option<&::pyo3::Bound<'_, ::pyo3::types::PyDict>>) -> ::pyo3::PyResult<Self> {
                #guard(|| ::std::result::Result::Ok(Self { inner: #handle_type::new(py, #sign_in, tenant, options)? }))
            }

            fn __aenter__<'py>(slf: ::pyo3::Bound<'py, Self>) -> ::pyo3::PyResult<::pyo3::Bound<'py, ::pyo3::PyAny>> {
                let py = slf.py();
                #ready(py, slf.into_any().unbind())
            }

            #async_close

            fn __traverse__(&self, visit: ::pyo3::PyVisit<'_>) -> ::std::result::Result<(), ::pyo3::PyTraverseError> {
                self.inner.traverse(&visit)
            }

            fn __repr__(&self) -> ::std::string::String {
                ::std::format!("AsyncClient({:?})", self.inner.url())
            }

            #(#async_getters)*
        }

        /// Adds every generated class to the module.
        pub fn register(module: &::pyo3::Bound<'_, ::pyo3::types::PyModule>) -> ::pyo3::PyResult<()> {
            module.add_class::<Client>()?;
            module.add_class::<AsyncClient>()?;
            self::models::register(module)?;
            #(#registrations)*
            ::std::result::Result::Ok(())
        }
    }
}

/// The methods that close a `Client` (`__exit__`, `close`) and an `AsyncClient` (`__aexit__`,
/// `aclose`). A client that logged on to the Vault logs off first, so its session does not count
/// against the user's limit until it times out; a failed logoff is raised, except when the `with`
/// block is already leaving with an exception, which then goes on unchanged.
fn closing(target: &PythonLayout) -> (TokenStream, TokenStream) {
    let ready = rt("ready");
    if target.sign_in == SignIn::Identity {
        let sync = quote! {
            #[pyo3(signature = (*_args))]
            fn __exit__(&self, py: ::pyo3::Python<'_>, _args: &::pyo3::Bound<'_, ::pyo3::types::PyTuple>) -> bool {
                self.inner.close(py);
                false
            }

            /// Releases the client's connections; later calls raise `IdentityError`.
            fn close(&self, py: ::pyo3::Python<'_>) {
                self.inner.close(py);
            }
        };
        let asynchronous = quote! {
            #[pyo3(signature = (*_args))]
            fn __aexit__<'py>(&self, py: ::pyo3::Python<'py>, _args: &::pyo3::Bound<'py, ::pyo3::types::PyTuple>) -> ::pyo3::PyResult<::pyo3::Bound<'py, ::pyo3::PyAny>> {
                self.inner.close(py);
                #ready(py, py.None())
            }

            /// Releases the client's connections; later calls raise `IdentityError`.
            fn aclose<'py>(&self, py: ::pyo3::Python<'py>) -> ::pyo3::PyResult<::pyo3::Bound<'py, ::pyo3::PyAny>> {
                self.inner.close(py);
                #ready(py, py.None())
            }
        };
        return (sync, asynchronous);
    }
    let guard = rt("guard");
    let block_on = rt("block_on");
    let future = rt("future");
    let sync = quote! {
        #[pyo3(signature = (*args))]
        fn __exit__(&self, py: ::pyo3::Python<'_>, args: &::pyo3::Bound<'_, ::pyo3::types::PyTuple>) -> ::pyo3::PyResult<bool> {
            #guard(|| {
                let leaving_with_error = args.get_item(0).is_ok_and(|e| !e.is_none());
                if let ::std::option::Option::Some(client) = self.inner.close_for_logoff(py)? {
                    let result = #block_on(py, async move { client.logoff().await });
                    if !leaving_with_error {
                        result?;
                    }
                }
                ::std::result::Result::Ok(false)
            })
        }

        /// Logs off the session the client opened, if any, and releases its connections; later
        /// calls raise `IdentityError`.
        fn close(&self, py: ::pyo3::Python<'_>) -> ::pyo3::PyResult<()> {
            #guard(|| {
                if let ::std::option::Option::Some(client) = self.inner.close_for_logoff(py)? {
                    #block_on(py, async move { client.logoff().await })?;
                }
                ::std::result::Result::Ok(())
            })
        }
    };
    let asynchronous = quote! {
        #[pyo3(signature = (*args))]
        fn __aexit__<'py>(&self, py: ::pyo3::Python<'py>, args: &::pyo3::Bound<'py, ::pyo3::types::PyTuple>) -> ::pyo3::PyResult<::pyo3::Bound<'py, ::pyo3::PyAny>> {
            #guard(|| {
                let leaving_with_error = args.get_item(0).is_ok_and(|e| !e.is_none());
                match self.inner.close_for_logoff(py)? {
                    ::std::option::Option::Some(client) => #future(py, async move {
                        let result = client.logoff().await;
                        if leaving_with_error { ::std::result::Result::Ok(()) } else { result }
                    }),
                    ::std::option::Option::None => #ready(py, py.None()),
                }
            })
        }

        /// Logs off the session the client opened, if any, and releases its connections; later
        /// calls raise `IdentityError`.
        fn aclose<'py>(&self, py: ::pyo3::Python<'py>) -> ::pyo3::PyResult<::pyo3::Bound<'py, ::pyo3::PyAny>> {
            #guard(|| match self.inner.close_for_logoff(py)? {
                ::std::option::Option::Some(client) => #future(py, async move { client.logoff().await }),
                ::std::option::Option::None => #ready(py, py.None()),
            })
        }
    };
    (sync, asynchronous)
}

fn types_file(api: &Api, target: &PythonLayout, owner: Option<&str>, doc: &str) -> TokenStream {
    let defs: Vec<&TypeDef> = api.types_of(owner).collect();
    let items = defs.iter().map(|d| type_items(api, d, target));
    let classes = defs
        .iter()
        .filter(|d| matches!(d.kind, TypeKind::Struct { .. }))
        .map(|d| wrapper(&d.name));
    quote! {
        #![doc = #doc]
        #![allow(clippy::too_many_arguments, clippy::doc_lazy_continuation, clippy::too_long_first_doc_paragraph, clippy::wrong_self_convention)]
        #[allow(unused_imports)]
        use ::pyo3::prelude::*;
        #(#items)*

        /// Adds the classes of this file to the module.
        pub fn register(module: &::pyo3::Bound<'_, ::pyo3::types::PyModule>) -> ::pyo3::PyResult<()> {
            #(module.add_class::<#classes>()?;)*
            ::std::result::Result::Ok(())
        }
    }
}

/// The conversions of one named type, and for objects their wrapper class.
fn type_items(api: &Api, def: &TypeDef, target: &PythonLayout) -> TokenStream {
    let into_py = rt("IntoPy");
    let from_py = rt("FromPy");
    let rust_ty = client_item(&def.name);
    match &def.kind {
        TypeKind::Alias { .. } => quote! {},
        TypeKind::Enum { .. } => quote! {
            impl #into_py for #rust_ty {
                fn to_py<'py>(&self, py: ::pyo3::Python<'py>) -> ::pyo3::PyResult<::pyo3::Bound<'py, ::pyo3::PyAny>> {
                    ::std::result::Result::Ok(::pyo3::types::PyString::new(py, self.as_str()).into_any())
                }
            }

            impl #from_py for #rust_ty {
                fn from_py(obj: &::pyo3::Bound<'_, ::pyo3::PyAny>, name: &str) -> ::pyo3::PyResult<Self> {
                    <::std::string::String as #from_py>::from_py(obj, name).map(<#rust_ty>::from)
                }
            }
        },
        TypeKind::Struct { fields, .. } => struct_class(api, def, fields, target),
        TypeKind::Union { arms, .. } => union_conversions(def, arms),
    }
}

/// A union crosses to Python as the value of its arm (an arm's object, a string, …) or, for
/// `Unknown`, as the JSON it kept; from Python, the first arm that accepts the value wins.
fn union_conversions(def: &TypeDef, arms: &[crate::ir::Arm]) -> TokenStream {
    let into_py = rt("IntoPy");
    let to_plain = rt("to_plain");
    let from_py = rt("FromPy");
    let rust_ty = client_item(&def.name);
    let names: Vec<_> = arms
        .iter()
        .map(|a| quote::format_ident!("{}", a.rust))
        .collect();
    let tries = arms.iter().zip(&names).map(|(a, n)| {
        let t = ty(&a.ty);
        let wrap = if a.boxed {
            quote! { |v| #rust_ty::#n(::std::boxed::Box::new(v)) }
        } else {
            quote! { #rust_ty::#n }
        };
        quote! {
            if let ::std::result::Result::Ok(v) = <#t as #from_py>::from_py(obj, name) {
                return ::std::result::Result::Ok((#wrap)(v));
            }
        }
    });
    quote! {
        impl #into_py for #rust_ty {
            fn to_py<'py>(&self, py: ::pyo3::Python<'py>) -> ::pyo3::PyResult<::pyo3::Bound<'py, ::pyo3::PyAny>> {
                match self {
                    #(#rust_ty::#names(v) => v.to_py(py),)*
                    #rust_ty::Unknown(v) => v.to_py(py),
                    // The union is `#[non_exhaustive]`: an arm added later crosses as its data.
                    #[allow(unreachable_patterns)]
                    other => #to_plain(py, other),
                }
            }
        }

        impl #from_py for #rust_ty {
            fn from_py(obj: &::pyo3::Bound<'_, ::pyo3::PyAny>, name: &str) -> ::pyo3::PyResult<Self> {
                #(#tries)*
                <::cyberark_runtime::JsonValue as #from_py>::from_py(obj, name).map(#rust_ty::Unknown)
            }
        }
    }
}

fn struct_class(api: &Api, def: &TypeDef, fields: &[Field], target: &PythonLayout) -> TokenStream {
    let module_name = target.module.as_str();
    let into_py = rt("IntoPy");
    let from_py = rt("FromPy");
    let from_dict = rt("from_dict");
    let to_plain = rt("to_plain");
    let repr_of = rt("repr_of");
    let repr_redacted = rt("repr_redacted");
    // A constructor converts Python arguments as a client method does, so a panic in the
    // conversion (a dict changing size under it) must become an exception here too.
    let guard = rt("guard");
    let rust_ty = client_item(&def.name);
    let class = wrapper(&def.name);
    let py_name = &def.name;
    let doc = docs(
        def.docs
            .as_deref()
            .unwrap_or(&format!("The `{}` object.", def.name)),
    );
    let Params {
        signature: sig,
        rust: ctor_params,
        build,
    } = params(fields, false, quote! { <#rust_ty>::new });
    let sig = signature(&sig);
    // Fields read as Python containers or objects are converted once and kept (see the
    // bindings' `model` module); `extra` takes the last slot.
    let cached: Vec<bool> = fields.iter().map(|f| is_container(api, &f.ty)).collect();
    let slots = cached.iter().filter(|c| **c).count() + 1;
    let mut slot = 0usize;
    let getters: Vec<TokenStream> = fields.iter().zip(&cached).map(|(f, cached)| {
        let getter = ident(&f.python);
        let field = ident(&f.rust);
        let fdoc = docs(&field_doc(f));
        let body = if *cached {
            let index = slot;
            slot += 1;
            quote! { self.1.get(py, #index, #slots, || #into_py::to_py(&self.0.#field, py)) }
        } else {
            quote! { #into_py::to_py(&self.0.#field, py) }
        };
        quote! {
            #fdoc
            #[getter]
            fn #getter<'py>(&self, py: ::pyo3::Python<'py>) -> ::pyo3::PyResult<::pyo3::Bound<'py, ::pyo3::PyAny>> {
                #body
            }
        }
    }).collect();
    let extra_slot = slots - 1;
    let field_cache = rt("FieldCache");
    let to_json = rt("to_json");
    let from_json = rt("from_json");
    let reprs = fields.iter().map(|f| {
        let field = ident(&f.rust);
        let label = &f.python;
        let show = |value: TokenStream| -> TokenStream {
            if is_secret(api, &f.ty) {
                quote! { parts.push(::std::format!("{}=***", #label)); }
            } else if needs_redaction(api, &f.ty) {
                quote! { parts.push(::std::format!("{}={}", #label, #repr_redacted(py, #value)?)); }
            } else {
                quote! { parts.push(::std::format!("{}={}", #label, #repr_of(&#into_py::to_py(#value, py)?)?)); }
            }
        };
        let secret = is_secret(api, &f.ty);
        if f.null_clears && secret {
            let s = show(quote! {});
            quote! { if self.0.#field.as_option().is_some() { #s } }
        } else if f.is_optional() && secret {
            let s = show(quote! {});
            quote! { if self.0.#field.is_some() { #s } }
        } else if f.null_clears {
            let s = show(quote! { value });
            quote! { if let ::std::option::Option::Some(value) = self.0.#field.as_option() { #s } }
        } else if f.is_optional() {
            let s = show(quote! { value });
            quote! { if let ::std::option::Option::Some(value) = &self.0.#field { #s } }
        } else {
            show(quote! { &self.0.#field })
        }
    });
    quote! {
        #doc
        #[pyclass(frozen, eq, module = #module_name, name = #py_name)]
        #[derive(PartialEq)]
        pub struct #class(pub #rust_ty, #field_cache);

        #[pymethods]
        impl #class {
            #[new]
            #sig
            fn new(#(#ctor_params),*) -> ::pyo3::PyResult<Self> {
                #guard(|| {
                    #build
                    ::std::result::Result::Ok(Self(value_, ::std::default::Default::default()))
                })
            }

            #(#getters)*

            /// Fields the spec does not name, as the tenant sent them.
            #[getter]
            fn extra<'py>(&self, py: ::pyo3::Python<'py>) -> ::pyo3::PyResult<::pyo3::Bound<'py, ::pyo3::PyAny>> {
                self.1.get(py, #extra_slot, #slots, || #into_py::to_py(&self.0.extra, py))
            }

            /// Pickles the object as its JSON data, rebuilt by `_from_json`.
            fn __reduce__<'py>(slf: &::pyo3::Bound<'py, Self>) -> ::pyo3::PyResult<(::pyo3::Bound<'py, ::pyo3::PyAny>, (::std::string::String,))> {
                let json = #to_json(&slf.get().0)?;
                ::std::result::Result::Ok((slf.get_type().getattr("_from_json")?, (json,)))
            }

            /// The object whose `__reduce__` gave `json`.
            #[classmethod]
            fn _from_json(_cls: &::pyo3::Bound<'_, ::pyo3::types::PyType>, json: &str) -> ::pyo3::PyResult<Self> {
                ::std::result::Result::Ok(Self(#from_json(json)?, ::std::default::Default::default()))
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

            fn __traverse__(&self, visit: ::pyo3::gc::PyVisit<'_>) -> ::std::result::Result<(), ::pyo3::PyTraverseError> {
                self.1.traverse(&visit)
            }

            /// The object as plain data with the API's own key names, unknown fields included.
            fn to_dict<'py>(&self, py: ::pyo3::Python<'py>) -> ::pyo3::PyResult<::pyo3::Bound<'py, ::pyo3::PyAny>> {
                #to_plain(py, &self.0)
            }

            fn __repr__(&self, py: ::pyo3::Python<'_>) -> ::pyo3::PyResult<::std::string::String> {
                let mut parts: ::std::vec::Vec<::std::string::String> = ::std::vec::Vec::new();
                #(#reprs)*
                if !self.0.extra.is_empty() {
                    parts.push(::std::format!("extra={}", #repr_redacted(py, &self.0.extra)?));
                }
                ::std::result::Result::Ok(::std::format!("{}({})", #py_name, parts.join(", ")))
            }
        }

        impl #into_py for #rust_ty {
            fn to_py<'py>(&self, py: ::pyo3::Python<'py>) -> ::pyo3::PyResult<::pyo3::Bound<'py, ::pyo3::PyAny>> {
                ::std::result::Result::Ok(::pyo3::Bound::new(py, #class(self.clone(), ::std::default::Default::default()))?.into_any())
            }

            fn into_py<'py>(self, py: ::pyo3::Python<'py>) -> ::pyo3::PyResult<::pyo3::Bound<'py, ::pyo3::PyAny>> {
                ::std::result::Result::Ok(::pyo3::Bound::new(py, #class(self, ::std::default::Default::default()))?.into_any())
            }
        }

        impl #from_py for #rust_ty {
            fn from_py(obj: &::pyo3::Bound<'_, ::pyo3::PyAny>, name: &str) -> ::pyo3::PyResult<Self> {
                if let ::std::result::Result::Ok(object) = obj.cast::<#class>() {
                    return ::std::result::Result::Ok(object.get().0.clone());
                }
                #from_dict(obj, name)
            }
        }
    }
}

fn tag_file(api: &Api, tag: &Tag, target: &PythonLayout) -> TokenStream {
    let module_name = target.module.as_str();
    let module_doc = format!(" The `{}` API group.", tag.name);
    let sync_class = format_ident!("{}", tag.type_name);
    let async_name = async_class(tag);
    let async_ident = format_ident!("{}", async_name);
    let sync_name = &tag.type_name;
    let tag_doc = docs(&format!(
        "Operations of the `{}` API group{}",
        tag.name,
        tag.docs
            .as_deref()
            .map(|d| format!(": {}", d.trim()))
            .unwrap_or_else(|| ".".to_owned())
    ));
    let handle_type = rt("ClientHandle");
    let ops: Vec<&Operation> = api.operations_of(&tag.name).collect();
    let builders = ops.iter().map(|op| request_builder(op));
    let sync_methods = ops.iter().map(|op| method(api, op, false));
    let async_methods = ops.iter().map(|op| method(api, op, true));
    let defs: Vec<&TypeDef> = api.types_of(Some(&tag.name)).collect();
    let items = defs.iter().map(|d| type_items(api, d, target));
    let classes = defs
        .iter()
        .filter(|d| matches!(d.kind, TypeKind::Struct { .. }))
        .map(|d| wrapper(&d.name));
    quote! {
        #![doc = #module_doc]
        #![allow(clippy::too_many_arguments, clippy::doc_lazy_continuation, clippy::too_long_first_doc_paragraph, clippy::wrong_self_convention)]
        #[allow(unused_imports)]
        use ::pyo3::prelude::*;

        #tag_doc
        #[pyclass(frozen, module = #module_name, name = #sync_name)]
        pub struct #sync_class {
            pub(crate) client: #handle_type,
        }

        #[pymethods]
        impl #sync_class {
            fn __traverse__(&self, visit: ::pyo3::PyVisit<'_>) -> ::std::result::Result<(), ::pyo3::PyTraverseError> {
                self.client.traverse(&visit)
            }

            #(#sync_methods)*
        }

        #tag_doc
        #[pyclass(frozen, module = #module_name, name = #async_name)]
        pub struct #async_ident {
            pub(crate) client: #handle_type,
        }

        #[pymethods]
        impl #async_ident {
            fn __traverse__(&self, visit: ::pyo3::PyVisit<'_>) -> ::std::result::Result<(), ::pyo3::PyTraverseError> {
                self.client.traverse(&visit)
            }

            #(#async_methods)*
        }

        #(#builders)*
        #(#items)*

        /// Adds the classes of this file to the module.
        pub fn register(module: &::pyo3::Bound<'_, ::pyo3::types::PyModule>) -> ::pyo3::PyResult<()> {
            module.add_class::<#sync_class>()?;
            module.add_class::<#async_ident>()?;
            #(module.add_class::<#classes>()?;)*
            ::std::result::Result::Ok(())
        }
    }
}

/// The name of the free function that builds an operation's request from Python arguments.
fn builder_name(op: &Operation) -> Ident {
    format_ident!("{}_request", op.method_name)
}

fn request_builder(op: &Operation) -> TokenStream {
    let name = builder_name(op);
    let req = client_item(&op.request.type_name);
    let extra = matches!(op.request.body, Body::JsonFields { extra: true });
    let Params { rust, build, .. } = params(&op.request.fields, extra, quote! { <#req>::new });
    let doc = format!(
        " Builds the request of `{}` from the arguments of its Python method.",
        op.id
    );
    quote! {
        #[doc = #doc]
        fn #name(#(#rust),*) -> ::pyo3::PyResult<#req> {
            #build
            ::std::result::Result::Ok(value_)
        }
    }
}

fn method(api: &Api, op: &Operation, is_async: bool) -> TokenStream {
    let extra = matches!(op.request.body, Body::JsonFields { extra: true });
    let Params {
        signature: mut sig,
        mut rust,
        ..
    } = params(&op.request.fields, extra, quote! {});
    let download = op.answer == crate::ir::Answer::Bytes;
    if download {
        add_download_target(&mut sig, &mut rust);
    }
    let args: Vec<Ident> = call_args(op, extra)
        .into_iter()
        .map(|(_, arg)| arg)
        .collect();
    let builder = builder_name(op);
    let name = ident(&crate::names::python_ident(&op.method_name));
    let doc = docs(&op_doc(op));
    let sig_attr = signature(&sig);
    let guard = rt("guard");
    // A deprecated operation warns each time it is called, with the spec's reason.
    let warn = op.deprecated.as_ref().map(|why| {
        let why = why.split_whitespace().collect::<Vec<_>>().join(" ");
        let message = if why.is_empty() {
            format!("{} is deprecated", op.method_name)
        } else {
            format!("{} is deprecated: {why}", op.method_name)
        };
        quote! {
            ::pyo3::PyErr::warn(
                py,
                py.get_type::<::pyo3::exceptions::PyDeprecationWarning>().as_any(),
                &::std::ffi::CString::new(#message).unwrap_or_default(),
                1,
            )?;
        }
    });
    let call = if download {
        let (helper, ret) = if is_async {
            (
                rt("download_async"),
                quote! { ::pyo3::Bound<'py, ::pyo3::PyAny> },
            )
        } else {
            (rt("download"), quote! { u64 })
        };
        quote! {
            fn #name<'py>(&self, py: ::pyo3::Python<'py>, #(#rust),*) -> ::pyo3::PyResult<#ret> {
                #guard(|| {
                    #warn
                    let request = #builder(#(#args),*)?;
                    let client = self.client.get(py)?;
                    #helper(py, to, async move { client.download(&request).await })
                })
            }
        }
    } else if is_async {
        let future = rt("future");
        quote! {
            fn #name<'py>(&self, py: ::pyo3::Python<'py>, #(#rust),*) -> ::pyo3::PyResult<::pyo3::Bound<'py, ::pyo3::PyAny>> {
                #guard(|| {
                    #warn
                    let request = #builder(#(#args),*)?;
                    let client = self.client.get(py)?;
                    #future(py, async move { client.send(&request).await })
                })
            }
        }
    } else {
        let block_on = rt("block_on");
        let into_py = rt("IntoPy");
        quote! {
            fn #name<'py>(&self, py: ::pyo3::Python<'py>, #(#rust),*) -> ::pyo3::PyResult<::pyo3::Bound<'py, ::pyo3::PyAny>> {
                #guard(|| {
                    #warn
                    let request = #builder(#(#args),*)?;
                    let client = self.client.get(py)?;
                    #into_py::into_py(#block_on(py, async move { client.send(&request).await })?, py)
                })
            }
        }
    };
    let iter = op.paging.as_ref().map(|_| {
        let iter_name = format_ident!("{}_iter", crate::names::python_ident(&op.method_name));
        // The `_iter` method takes the operation's parameters minus those the pager sets, which
        // reach the builder as "not given".
        let omitted: Vec<&str> = pager_fields(op).iter().map(|f| f.wire.as_str()).collect();
        let offered: Vec<Field> = op
            .request
            .fields
            .iter()
            .filter(|f| !omitted.contains(&f.wire.as_str()))
            .cloned()
            .collect();
        let Params {
            signature: mut iter_sig,
            rust: iter_rust,
            ..
        } = params(&offered, extra, quote! {});
        let iter_args: Vec<TokenStream> = call_args(op, extra)
            .into_iter()
            .map(|(field, arg)| match field {
                Some(f) if omitted.contains(&f.wire.as_str()) => quote! { ::std::option::Option::None },
                _ => quote! { #arg },
            })
            .collect();
        if !iter_sig.contains(&"*".to_owned()) {
            iter_sig.push("*".to_owned());
        }
        iter_sig.push("page_size=None".to_owned());
        let iter_sig = signature(&iter_sig);
        let page_size = rt("page_size");
        let refuse_pages = pager_args(api, op).map(|(args, page_fields)| {
            let args_field = ident(&args.rust);
            let page_fields: Vec<Ident> = page_fields.iter().map(|f| ident(f)).collect();
            let message = format!(
                "argument `{}`: PageNumber and PageSize are set by the iterator page by page; give page_size= instead",
                args.python
            );
            let invalid_request = rt("invalid_request");
            quote! {
                if let ::std::option::Option::Some(args) = &request.#args_field
                    && (#(args.#page_fields.is_some())||*)
                {
                    return ::std::result::Result::Err(#invalid_request(#message.to_owned()));
                }
            }
        });
        let (class, doc_text) = if is_async {
            (rt("AsyncPageIterator"), format!("Every item of `{}`, fetched page by page as the `async for` loop reads them.", op.method_name))
        } else {
            (rt("PageIterator"), format!("Every item of `{}`, fetched page by page as the `for` loop reads them.", op.method_name))
        };
        let idoc = docs(&doc_text);
        quote! {
            #idoc
            #iter_sig
            fn #iter_name(&self, py: ::pyo3::Python<'_>, #(#iter_rust,)* page_size: ::std::option::Option<&::pyo3::Bound<'_, ::pyo3::PyAny>>) -> ::pyo3::PyResult<#class> {
                #guard(|| {
                    let page_size = #page_size(page_size)?;
                    let request = #builder(#(#iter_args),*)?;
                    #refuse_pages
                    let client = self.client.get(py)?;
                    ::std::result::Result::Ok(#class::new(client.paginate(request, page_size)))
                })
            }
        }
    });
    let alternative = op
        .bytes_alternative
        .as_ref()
        .map(|media_type| download_alternative(op, is_async, media_type, extra));
    quote! {
        #doc
        #sig_attr
        #call
        #iter
        #alternative
    }
}

/// `<method>_download(..., to=...)` of an operation whose answer is also offered as bytes (the
/// Vault's live-session Monitor: settings as JSON or an RDP file): it asks for `media_type` and
/// writes the body to `to` in chunks, as a download does.
fn download_alternative(
    op: &Operation,
    is_async: bool,
    media_type: &str,
    extra: bool,
) -> TokenStream {
    let Params {
        signature: mut sig,
        mut rust,
        ..
    } = params(&op.request.fields, extra, quote! {});
    add_download_target(&mut sig, &mut rust);
    let sig_attr = signature(&sig);
    let args: Vec<Ident> = call_args(op, extra)
        .into_iter()
        .map(|(_, arg)| arg)
        .collect();
    let builder = builder_name(op);
    let name = format_ident!("{}_download", crate::names::python_ident(&op.method_name));
    let doc = docs(&format!(
        "Like `{}`, but asks for `{media_type}` and writes the answer's bytes to `to` (a path or a \
         binary file object) in chunks; answers the number of bytes written.",
        crate::names::python_ident(&op.method_name)
    ));
    let guard = rt("guard");
    let (helper, ret) = if is_async {
        (
            rt("download_async"),
            quote! { ::pyo3::Bound<'py, ::pyo3::PyAny> },
        )
    } else {
        (rt("download"), quote! { u64 })
    };
    quote! {
        #doc
        #sig_attr
        fn #name<'py>(&self, py: ::pyo3::Python<'py>, #(#rust),*) -> ::pyo3::PyResult<#ret> {
            #guard(|| {
                let request = #builder(#(#args),*)?;
                let client = self.client.get(py)?;
                #helper(py, to, async move { client.download_as(&request, #media_type).await })
            })
        }
    }
}

/// Adds the keyword-only `to` parameter of a download (a path or a binary file object the
/// body is written to in chunks, so it is never held whole in memory) after the `*` of the
/// signature, and the matching Rust parameter at the same place.
fn add_download_target(sig: &mut Vec<String>, rust: &mut Vec<TokenStream>) {
    let star = match sig.iter().position(|p| p == "*") {
        Some(star) => star,
        None => {
            sig.push("*".to_owned());
            sig.len() - 1
        }
    };
    sig.insert(star + 1, "to".to_owned());
    // The Rust parameters are the signature's entries without the `*`.
    rust.insert(star, quote! { to: &::pyo3::Bound<'_, ::pyo3::PyAny> });
}

/// The Rust names of a method's parameters, in the order of its builder's parameters, each with
/// the request field it sets (none for `extra`).
fn call_args(op: &Operation, extra: bool) -> Vec<(Option<&Field>, Ident)> {
    let fields = &op.request.fields;
    let mut args: Vec<(Option<&Field>, Ident)> = fields
        .iter()
        .filter(|f| !(f.null_clears || f.is_optional()))
        .map(|f| (Some(f), ident(&f.python)))
        .collect();
    for f in fields.iter().filter(|f| f.null_clears || f.is_optional()) {
        args.push((Some(f), ident(&f.python)));
        if f.null_clears {
            args.push((Some(f), format_ident!("clear_{}", f.python)));
        }
    }
    if extra {
        args.push((None, format_ident!("extra")));
    }
    args
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_runtime_item_parses_as_a_path() {
        for (name, path) in RUNTIME {
            let tokens = rt(name);
            assert_eq!(tokens.to_string().replace(' ', ""), *path);
        }
    }

    /// A spec with a Python layer of its own: its classes belong to its own module, name the
    /// client's items through the one alias, and its sign-in decides how closing works (a
    /// Vault logon logs off; Identity only releases the connections).
    #[test]
    fn each_spec_names_its_module_crate_and_sign_in() {
        let spec = include_str!("../../../spec/vault.yaml");
        let (api, _) = crate::load::load_with(spec, "vault.yaml", Default::default())
            .expect("the Vault spec loads");
        let target = PythonLayout {
            rust_path: "cyberark_vault".to_owned(),
            dir: "gen".to_owned(),
            module: "cyberark_vault._native".to_owned(),
            stubs: "v.pyi".to_owned(),
            sign_in: SignIn::Vault,
            primary: false,
        };
        let files = emit(&api, &target).expect("the Vault's pyo3 layer is emitted");
        let text = |path: &str| -> String {
            files
                .iter()
                .find(|f| f.path == path)
                .expect("the file is emitted")
                .contents
                .split_whitespace()
                .collect()
        };
        let root = text("gen/mod.rs");
        assert!(root.contains("module=\"cyberark_vault._native\",name=\"Client\""));
        assert!(
            root.contains("crate::vault::build"),
            "the Vault's sign-in builds it"
        );
        assert!(root.contains("close_for_logoff") && root.contains("client.logoff().await"));
        assert!(root.contains("use::cyberark_vaultasclient_api;"));
        let recordings = text("gen/recordings.rs");
        assert!(recordings.contains("crate::download::download(py,to,"));
        let live = text("gen/live_sessions.rs");
        assert!(live.contains("fnmonitor_download<'py>"));
        assert!(live.contains("client.download_as(&request,\"application/octet-stream\")"));

        let identity = crate::emit::Layout::default();
        let identity = identity
            .python
            .expect("the primary spec has a Python layer");
        let spec = include_str!("../../../spec/identity.yaml");
        let api = crate::load::load(spec, "identity.yaml").expect("the spec loads");
        let files = emit(&api, &identity).expect("the bindings are emitted");
        let root: String = files[0].contents.split_whitespace().collect();
        assert!(root.contains("crate::client::identity") && !root.contains("logoff"));
    }

    /// Issue 18, finding 4: a constructor converts Python arguments as a method does, so each
    /// one, like each method, must run under `guard` or a panic crosses into Python as
    /// `PanicException`.
    #[test]
    fn every_constructor_runs_under_guard() {
        let spec = include_str!("../../../spec/identity.yaml");
        let api = crate::load::load(spec, "identity.yaml").expect("the spec loads");
        let mut constructors = 0;
        let layout = crate::emit::Layout::default();
        let target = layout
            .python
            .as_ref()
            .expect("the primary spec has a Python layer");
        for output in emit(&api, target).expect("the bindings are emitted") {
            // Token spacing varies with formatting, so the text is compared without spaces.
            let text: String = output.contents.split_whitespace().collect();
            for (at, _) in text.match_indices("#[new]") {
                let rest = &text[at..];
                let body = rest
                    .split_once("->::pyo3::PyResult<Self>{")
                    .expect("a constructor body")
                    .1;
                assert!(
                    body.starts_with("crate::wait::guard(||"),
                    "{}: a constructor does not run under guard: {}",
                    output.path,
                    &rest[..rest.len().min(400)]
                );
                constructors += 1;
            }
        }
        assert!(constructors > 40, "only {constructors} constructors found");
    }
}
