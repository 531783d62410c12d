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

mod class;
mod text;

use super::render::{self as rendering, Job, Part};
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
    rt_path(item).parse().unwrap_or_default()
}

/// The path of a hand-written item of the bindings crate as text (what [`rt`] parses), or a
/// `compile_error!` naming the mistake for an item not in [`RUNTIME`] (a generator bug).
fn rt_path(item: &str) -> &'static str {
    RUNTIME
        .iter()
        .find(|(name, _)| *name == item)
        .map(|(_, path)| *path)
        .unwrap_or("compile_error!(\"unknown runtime item\")")
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
    // A client compiled inside the bindings crate itself (a test fixture's) is named from
    // `crate`; every other client is a crate of its own, named absolutely so that a module of
    // the bindings crate cannot shadow it.
    let in_this_crate = path.segments.first().is_some_and(|s| s.ident == "crate");
    Ok(if in_this_crate {
        quote! {
            #[allow(unused_imports)]
            use #path as #alias;
        }
    } else {
        quote! {
            #[allow(unused_imports)]
            use ::#path as #alias;
        }
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
    rendering::run(jobs(api, target)?, &target.dir)
}

/// The work of emitting every file of the pyo3 layer of `target`, one job per file: `mod.rs`,
/// `models.rs`, then the tags' files. Each file is handed to the renderer as parts built on demand, so
/// only one type's or operation's tokens are alive at a time.
pub(crate) fn jobs<'a>(api: &'a Api, target: &'a PythonLayout) -> Result<Vec<Job<'a>>, EmitError> {
    let dir = target.dir.as_str();
    check_names(api, dir)?;
    // Checked here, so a bad path is reported once; each job quotes the import again, as token
    // streams cannot cross threads.
    client_import(target)?;
    let mut jobs: Vec<Job<'a>> = Vec::new();
    let path = format!("{dir}/mod.rs");
    jobs.push(Box::new(move || {
        render(
            &path,
            [Ok(mod_file(api, target, client_import(target)?).into())],
        )
    }));
    let path = format!("{dir}/models.rs");
    jobs.push(Box::new(move || {
        let head = client_import(target)?;
        render(
            &path,
            types_file(
                api,
                target,
                None,
                " Classes of the types shared by several operations.",
                head,
            ),
        )
    }));
    for tag in &api.tags {
        let path = format!("{dir}/{}.rs", tag.module);
        jobs.push(Box::new(move || {
            render(
                &path,
                tag_file(api, tag, target, client_import(target)?, &path),
            )
        }));
    }
    Ok(jobs)
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

/// Renders one file from its parts, with the header line first.
fn render(
    path: &str,
    parts: impl IntoIterator<Item = Result<Part, EmitError>>,
) -> Result<Output, EmitError> {
    let body = rendering::rust_source_parts(path, parts)?;
    Ok(Output {
        path: path.to_owned(),
        contents: format!("// {HEADER}\n{body}"),
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

/// The parameters a client method takes from Python: the pyo3 signature and the Rust
/// parameters (the request builder, [`request_builder`], converts them; see [`text::params`]).
struct Params {
    signature: Vec<String>,
    rust: Vec<TokenStream>,
}

/// The parameters for `fields`: required ones positional-or-keyword, the rest keyword-only;
/// `clear_<name>` flags for fields whose `null` clears a value; `extra` for bodies that take
/// further keys. The same list as [`text::params`], which also writes the conversions.
fn params(fields: &[Field], extra: bool) -> Params {
    let mut signature = Vec::new();
    let mut rust = Vec::new();
    for f in fields
        .iter()
        .filter(|f| !(f.null_clears || f.is_optional()))
    {
        let p = ident(&f.python);
        signature.push(sig_name(&f.python));
        rust.push(quote! { #p: &::pyo3::Bound<'_, ::pyo3::PyAny> });
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
        signature.push(format!("{}=None", sig_name(&f.python)));
        rust.push(quote! { #p: ::std::option::Option<&::pyo3::Bound<'_, ::pyo3::PyAny>> });
        if f.null_clears {
            let flag = format_ident!("clear_{}", f.python);
            signature.push(format!("clear_{}=false", f.python));
            rust.push(quote! { #flag: bool });
        }
    }
    if extra {
        signature.push("extra=None".to_owned());
        rust.push(quote! { extra: ::std::option::Option<&::pyo3::Bound<'_, ::pyo3::PyAny>> });
    }
    Params { signature, rust }
}

/// A pyo3 signature attribute from its parts.
fn signature(parts: &[String]) -> TokenStream {
    let text = format!("#[pyo3(signature = ({}))]", parts.join(", "));
    text.parse().unwrap_or_default()
}

/// The root file; `import` goes after its inner attributes.
fn mod_file(api: &Api, target: &PythonLayout, import: TokenStream) -> TokenStream {
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
        #import
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

/// A file of type classes, as parts built one type at a time (see [`rendering::rust_source`]);
/// `import` goes after its inner attributes.
fn types_file<'a>(
    api: &'a Api,
    target: &'a PythonLayout,
    owner: Option<&'a str>,
    doc: &str,
    import: TokenStream,
) -> impl Iterator<Item = Result<Part, EmitError>> + 'a {
    let head = quote! {
        #![doc = #doc]
        #![allow(clippy::too_many_arguments, clippy::doc_lazy_continuation, clippy::too_long_first_doc_paragraph, clippy::wrong_self_convention)]
        #import
        #[allow(unused_imports)]
        use ::pyo3::prelude::*;
    };
    let items = api.types_of(owner).map(move |d| type_items(api, d, target));
    let register = std::iter::once_with(move || {
        let classes = api
            .types_of(owner)
            .filter(|d| matches!(d.kind, TypeKind::Struct { .. }))
            .map(|d| wrapper(&d.name));
        quote! {
            /// Adds the classes of this file to the module.
            pub fn register(module: &::pyo3::Bound<'_, ::pyo3::types::PyModule>) -> ::pyo3::PyResult<()> {
                #(module.add_class::<#classes>()?;)*
                ::std::result::Result::Ok(())
            }
        }
    });
    std::iter::once(Ok(head.into()))
        .chain(items)
        .chain(register.map(|r| Ok(r.into())))
}

/// The conversions of one named type, and for objects their wrapper class (written as text, see
/// [`class`]).
fn type_items(api: &Api, def: &TypeDef, target: &PythonLayout) -> Result<Part, EmitError> {
    if let TypeKind::Struct { fields, .. } = &def.kind {
        return Ok(Part::Text(class::struct_class(api, def, fields, target)));
    }
    let into_py = rt("IntoPy");
    let from_py = rt("FromPy");
    let rust_ty = client_item(&def.name);
    Ok(Part::Tokens(match &def.kind {
        TypeKind::Alias { .. } | TypeKind::Struct { .. } => quote! {},
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
        TypeKind::Union { arms, .. } => union_conversions(def, arms),
    }))
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

/// A tag's file, as parts: its two classes, then each request builder and type built on demand
/// (see [`rendering::rust_source`]); `import` goes after its inner attributes.
fn tag_file<'a>(
    api: &'a Api,
    tag: &'a Tag,
    target: &'a PythonLayout,
    import: TokenStream,
    path: &'a str,
) -> impl Iterator<Item = Result<Part, EmitError>> + 'a {
    let module_doc = format!(" The `{}` API group.", tag.name);
    let builders = api
        .operations_of(&tag.name)
        .map(|op| Ok(Part::Text(request_builder(op))));
    let items = api
        .types_of(Some(&tag.name))
        .map(move |d| type_items(api, d, target));
    let head = quote! {
        #![doc = #module_doc]
        #![allow(clippy::too_many_arguments, clippy::doc_lazy_continuation, clippy::too_long_first_doc_paragraph, clippy::wrong_self_convention)]
        #import
        #[allow(unused_imports)]
        use ::pyo3::prelude::*;
    };
    let classes = [false, true]
        .into_iter()
        .map(move |is_async| tag_class(api, tag, target, is_async, path).map(Part::Text));
    let register = std::iter::once_with(move || {
        let sync_class = format_ident!("{}", tag.type_name);
        let async_ident = format_ident!("{}", async_class(tag));
        let classes = api
            .types_of(Some(&tag.name))
            .filter(|d| matches!(d.kind, TypeKind::Struct { .. }))
            .map(|d| wrapper(&d.name));
        quote! {
            /// Adds the classes of this file to the module.
            pub fn register(module: &::pyo3::Bound<'_, ::pyo3::types::PyModule>) -> ::pyo3::PyResult<()> {
                module.add_class::<#sync_class>()?;
                module.add_class::<#async_ident>()?;
                #(module.add_class::<#classes>()?;)*
                ::std::result::Result::Ok(())
            }
        }
    });
    std::iter::once(Ok(head.into()))
        .chain(classes)
        .chain(builders)
        .chain(items)
        .chain(register.map(|r| Ok(r.into())))
}

/// The sync or async class of a tag, with one method per operation, as text: the common
/// methods are written directly ([`simple_method`]), the rest (downloads, pagers, deprecated
/// operations) built as tokens and printed with `prettyplease` inside the text of the class.
fn tag_class(
    api: &Api,
    tag: &Tag,
    target: &PythonLayout,
    is_async: bool,
    path: &str,
) -> Result<String, EmitError> {
    use std::fmt::Write as _;
    let name = if is_async {
        async_class(tag)
    } else {
        tag.type_name.clone()
    };
    let mut out = String::new();
    text::write_docs(
        &mut out,
        "",
        &format!(
            "Operations of the `{}` API group{}",
            tag.name,
            tag.docs
                .as_deref()
                .map(|d| format!(": {}", d.trim()))
                .unwrap_or_else(|| ".".to_owned())
        ),
    );
    text::write_pyclass(
        &mut out,
        &[
            "frozen".to_owned(),
            format!("module = {}", text::lit(&target.module)),
            format!("name = {}", text::lit(&name)),
        ],
    );
    let _ = writeln!(
        out,
        "pub struct {name} {{\n    pub(crate) client: {},\n}}\n#[pymethods]\nimpl {name} {{",
        text::path("ClientHandle")
    );
    out.push_str("    fn __traverse__(\n        &self,\n        visit: ::pyo3::PyVisit<'_>,\n    ) -> ::std::result::Result<(), ::pyo3::PyTraverseError> {\n        self.client.traverse(&visit)\n    }\n");
    for op in api.operations_of(&tag.name) {
        match simple_method(op, is_async) {
            Some(text) => out.push_str(&text),
            None => out.push_str(&rendering::impl_items(path, method(api, op, is_async))?),
        }
    }
    out.push_str("}\n");
    Ok(out)
}

/// A client method that sends the request and answers the result, as text; `None` for the
/// operations whose methods do more (downloads, pagers, byte alternatives, deprecation
/// warnings), which [`method`] builds.
fn simple_method(op: &Operation, is_async: bool) -> Option<String> {
    use std::fmt::Write as _;
    if op.answer == crate::ir::Answer::Bytes
        || op.paging.is_some()
        || op.bytes_alternative.is_some()
        || op.deprecated.is_some()
    {
        return None;
    }
    let extra = matches!(op.request.body, Body::JsonFields { extra: true });
    let params = text::params(&op.request.fields, extra, "", "");
    let args: Vec<String> = call_args(op, extra)
        .into_iter()
        .map(|(_, arg)| arg.to_string())
        .collect();
    let mut out = String::new();
    text::write_docs(&mut out, "    ", &op_doc(op));
    text::write_signature(&mut out, "    ", &params.signature);
    let _ = writeln!(
        out,
        "    fn {}<'py>(\n        &self,\n        py: ::pyo3::Python<'py>,",
        text::ident(&crate::names::python_ident(&op.method_name))
    );
    for p in &params.rust {
        let _ = writeln!(out, "        {p},");
    }
    let _ = writeln!(
        out,
        "    ) -> ::pyo3::PyResult<::pyo3::Bound<'py, ::pyo3::PyAny>> {{\n        {}(|| {{\n            let request = {}({})?;\n            let client = self.client.get(py)?;",
        text::path("guard"),
        builder_name(op),
        args.join(", ")
    );
    if is_async {
        let _ = writeln!(
            out,
            "            {}(py, async move {{ client.send(&request).await }})",
            text::path("future")
        );
    } else {
        let _ = writeln!(
            out,
            "            {}::into_py(\n                {}(py, async move {{ client.send(&request).await }})?,\n                py,\n            )",
            text::path("IntoPy"),
            text::path("block_on")
        );
    }
    out.push_str("        })\n    }\n");
    Some(out)
}

/// The name of the free function that builds an operation's request from Python arguments.
fn builder_name(op: &Operation) -> Ident {
    format_ident!("{}_request", op.method_name)
}

/// The free function building an operation's request from its Python method's arguments,
/// written as text (see [`text`]).
fn request_builder(op: &Operation) -> String {
    use std::fmt::Write as _;
    let name = builder_name(op).to_string();
    let req = format!("{CLIENT_ALIAS}::{}", op.request.type_name);
    let extra = matches!(op.request.body, Body::JsonFields { extra: true });
    let params = text::params(&op.request.fields, extra, &format!("<{req}>::new"), "    ");
    let mut out = String::new();
    let _ = writeln!(
        out,
        "/// Builds the request of `{}` from the arguments of its Python method.",
        op.id
    );
    text::write_fn_header(
        &mut out,
        "",
        &name,
        &params.rust,
        &format!("::pyo3::PyResult<{req}>"),
    );
    params.write_build(&mut out, "    ");
    out.push_str("    ::std::result::Result::Ok(value_)\n}\n");
    out
}

fn method(api: &Api, op: &Operation, is_async: bool) -> TokenStream {
    let extra = matches!(op.request.body, Body::JsonFields { extra: true });
    let Params {
        signature: mut sig,
        mut rust,
        ..
    } = params(&op.request.fields, extra);
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
        } = params(&offered, extra);
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
    } = params(&op.request.fields, extra);
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
