//! `emit/rust`: the Rust client's generated modules.
//!
//! Output per API: `mod.rs` (the `Client` and its tag handles), `models.rs` (shared types) and one
//! file per tag (its handle, request types and inline types), so a spec change touches only the
//! files of the tags it changes. The many alike items (struct and request types, their
//! constructors and setters, the tag handles) are written as text in rustfmt's layout
//! (`text.rs`); the rest is built with `quote` and printed with `prettyplease`.

mod items;
mod runtime;
mod text;
mod types;

use super::render::{self as rendering, Job, Part};
use super::{EmitError, HEADER, Output, doc_lines};
use crate::ir::{Api, Tag, TypeKind};
use proc_macro2::TokenStream;
use quote::{format_ident, quote};

/// Emits every Rust file of the client into `dir`.
pub fn emit(api: &Api, dir: &str) -> Result<Vec<Output>, EmitError> {
    rendering::run(jobs(api, dir), dir)
}

/// The work of emitting every Rust file of the client into `dir`, one job per file.
pub(crate) fn jobs<'a>(api: &'a Api, dir: &str) -> Vec<Job<'a>> {
    let mut jobs: Vec<Job<'a>> = Vec::new();
    let path = format!("{dir}/mod.rs");
    jobs.push(Box::new(move || {
        render(api, &path, [Part::Tokens(mod_file(api))])
    }));
    let path = format!("{dir}/models.rs");
    jobs.push(Box::new(move || render(api, &path, models_file(api))));
    for tag in &api.tags {
        let path = format!("{dir}/{}.rs", tag.module);
        jobs.push(Box::new(move || render(api, &path, tag_file(api, tag))));
    }
    jobs
}

/// Formats a file's parts, with the header line first, and lays out string enums and the
/// `Deserialize` impls of structs.
fn render(
    api: &Api,
    path: &str,
    parts: impl IntoIterator<Item = Part>,
) -> Result<Output, EmitError> {
    let body = rendering::rust_source(path, parts)?;
    let mut contents = format!("// {HEADER}\n");
    let marker = format!("{}!(", types::ENUM_PLACEHOLDER);
    let object_marker = format!("{}!(", types::OBJECT_PLACEHOLDER);
    for line in body.lines() {
        if let Some(name) = line
            .trim()
            .strip_prefix(&object_marker)
            .and_then(|rest| rest.strip_suffix(");"))
        {
            let def = api.types.get(name.trim()).ok_or_else(|| EmitError {
                path: path.to_owned(),
                message: format!("struct {name} is not in the IR"),
            })?;
            let TypeKind::Struct { fields, .. } = &def.kind else {
                return Err(EmitError {
                    path: path.to_owned(),
                    message: format!("{name} is not a struct"),
                });
            };
            contents.push_str(&types::object_text(def, fields));
            continue;
        }
        match line
            .trim()
            .strip_prefix(&marker)
            .and_then(|rest| rest.strip_suffix(");"))
        {
            Some(name) => {
                let def = api.types.get(name.trim()).ok_or_else(|| EmitError {
                    path: path.to_owned(),
                    message: format!("enum {name} is not in the IR"),
                })?;
                let TypeKind::Enum { variants } = &def.kind else {
                    return Err(EmitError {
                        path: path.to_owned(),
                        message: format!("{name} is not an enum"),
                    });
                };
                contents.push_str(&types::enum_text(def, variants));
            }
            None => {
                contents.push_str(line);
                contents.push('\n');
            }
        }
    }
    Ok(Output {
        path: path.to_owned(),
        contents,
    })
}

fn mod_file(api: &Api) -> TokenStream {
    let rt_client = runtime::path("Client");
    let rt_builder = runtime::path("ClientBuilder");
    let modules: Vec<_> = api
        .tags
        .iter()
        .map(|t| format_ident!("{}", t.module))
        .collect();
    let handles = api.tags.iter().map(|tag| {
        let method = format_ident!("{}", tag.handle);
        let ty = format_ident!("{}", tag.type_name);
        let doc = docs(&[format!("Operations of the `{}` API group.", tag.name)]);
        quote! {
            #doc
            pub fn #method(&self) -> #ty<'_> {
                #ty::new(&self.runtime)
            }
        }
    });
    let title = docs(&[format!("Generated client for the {}.", api.title)]);
    quote! {
        #![doc = " Generated client modules; see the crate documentation."]
        #(pub mod #modules;)*
        pub mod models;

        #(pub use self::#modules::*;)*
        pub use self::models::*;

        /// How many items the streams of pageable operations fetch per request.
        pub const DEFAULT_PAGE_SIZE: u32 = 1000;

        #title
        ///
        /// Cheap to clone: clones share one connection pool and one token cache.
        #[derive(Clone)]
        pub struct Client {
            runtime: #rt_client,
        }

        impl Client {
            /// Starts configuring a client for `tenant` (`abc1234.id.cyberark.cloud` or an `https://` URL).
            pub fn builder(tenant: impl ::std::convert::Into<::std::string::String>) -> #rt_builder<Client> {
                #rt_builder::new(tenant)
            }

            /// The runtime client underneath, for calls the generated API does not cover.
            pub fn runtime(&self) -> &#rt_client {
                &self.runtime
            }

            #(#handles)*
        }

        impl ::std::convert::From<#rt_client> for Client {
            fn from(runtime: #rt_client) -> Self {
                Self { runtime }
            }
        }

        impl ::std::fmt::Debug for Client {
            fn fmt(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {
                f.debug_struct("Client")
                    .field("tenant", &self.runtime.tenant_url().as_str())
                    .finish_non_exhaustive()
            }
        }
    }
}

/// The shared models, as parts built one type at a time (see [`rendering::rust_source`]).
fn models_file(api: &Api) -> impl Iterator<Item = Part> + '_ {
    let head = quote! {
        #![doc = " Types shared by several operations (the spec's component schemas)."]
        #![allow(clippy::doc_lazy_continuation, clippy::large_enum_variant, clippy::too_long_first_doc_paragraph, clippy::should_implement_trait)]
        #[allow(unused_imports)]
        use super::*;
    };
    std::iter::once(Part::Tokens(head))
        .chain(api.types_of(None).flat_map(|def| types::type_def(api, def)))
}

/// A tag's file, as parts built one operation or type at a time.
fn tag_file<'a>(api: &'a Api, tag: &'a Tag) -> impl Iterator<Item = Part> + 'a {
    let module_doc = match &tag.docs {
        Some(d) => doc_strings(&[
            format!("The `{}` API group.", tag.name),
            String::new(),
            d.clone(),
        ]),
        None => doc_strings(&[format!("The `{}` API group.", tag.name)]),
    };
    let handle = Part::Text(text::handle(api, tag));
    let requests = api
        .operations_of(&tag.name)
        .flat_map(|op| items::request(api, op));
    let defs = api
        .types_of(Some(&tag.name))
        .flat_map(|def| types::type_def(api, def));
    let head = quote! {
        #(#![doc = #module_doc])*
        #![allow(clippy::doc_lazy_continuation, clippy::large_enum_variant, clippy::too_long_first_doc_paragraph, clippy::should_implement_trait)]
        #[allow(unused_imports)]
        use super::*;
    };
    [Part::Tokens(head), handle]
        .into_iter()
        .chain(requests)
        .chain(defs)
}

/// Doc attributes (`#[doc = "..."]`) for the given paragraphs.
pub(crate) fn docs(paragraphs: &[String]) -> TokenStream {
    let lines = doc_strings(paragraphs);
    quote! { #(#[doc = #lines])* }
}

/// The lines of doc comments for the given paragraphs, each with its leading space.
fn doc_strings(paragraphs: &[String]) -> Vec<String> {
    paragraphs
        .iter()
        .flat_map(|p| {
            if p.is_empty() {
                vec![String::new()]
            } else {
                doc_lines(p)
            }
        })
        .map(|l| if l.is_empty() { l } else { format!(" {l}") })
        .collect()
}

/// The doc paragraphs of an operation or type: summary, then description (once when they say
/// the same).
pub(crate) fn summary_paragraphs(summary: Option<&str>, description: Option<&str>) -> Vec<String> {
    let mut paragraphs = Vec::new();
    if let Some(s) = summary {
        paragraphs.push(s.to_owned());
    }
    if let Some(d) = description {
        if summary.is_some_and(|s| s.trim() == d.trim()) {
            return paragraphs;
        }
        if !paragraphs.is_empty() {
            paragraphs.push(String::new());
        }
        paragraphs.push(d.to_owned());
    }
    paragraphs
}
