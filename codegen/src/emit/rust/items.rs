//! Per-operation items: request structs and their `Request` impls (the tag handle's methods are
//! written as text by [`super::text::handle`]).

use super::types::{ident, ty};
use super::{runtime, text};
use crate::emit::render::Part;
use crate::ir::{
    Answer, Api, Body, Convention, Field, Location, Method, Operation, PagingStyle, QueryStyle,
    TypeKind, TypeRef,
};
use proc_macro2::TokenStream;
use quote::{format_ident, quote};

/// The request struct of an operation with its constructor and setters (text, see
/// [`super::text`]), and its `Request` and `PagedRequest` impls (tokens).
pub(crate) fn request(api: &Api, op: &Operation) -> Vec<Part> {
    let fields: Vec<&Field> = op.request.fields.iter().collect();
    let serialized = matches!(op.request.body, Body::JsonFields { .. } | Body::Form);
    let extra = matches!(op.request.body, Body::JsonFields { extra: true });
    let mut impls = String::with_capacity(1024 + 512 * fields.len());
    text::request_definition(&mut impls, op, serialized, extra);
    let ctor_doc = format!(
        " A new `{}` from its required parameters.",
        op.request.type_name
    );
    text::inherent_impl(
        &mut impls,
        &text::Inherent {
            name: &op.request.type_name,
            ctor_doc: &ctor_doc,
            extra_doc: extra
                .then_some(" Adds a body key the spec does not name; it is sent as is."),
        },
        &fields,
    );
    let required = fields.iter().any(|f| !(f.null_clears || f.is_optional()));
    if !required && fields.iter().all(|f| f.ty != TypeRef::File) {
        text::default_impl(&mut impls, &op.request.type_name);
    }
    let request_impl = request_impl(api, op);
    let paged_impl = paged_impl(api, op);
    vec![
        Part::Text(impls),
        Part::Tokens(quote! {
            #request_impl
            #paged_impl
        }),
    ]
}

fn request_impl(_api: &Api, op: &Operation) -> TokenStream {
    let name = format_ident!("{}", op.request.type_name);
    let rt_request = runtime::path("Request");
    let operation = runtime::path("Operation");
    let encoder = runtime::path("Encoder");
    let error = runtime::path("Error");
    let method = runtime::path("Method");
    let convention = runtime::path("Convention");
    let auth = runtime::path("AuthMode");
    // Nothing of a download is decoded: its body is the stream `download` returns.
    let output = if op.answer == Answer::Bytes {
        quote! { () }
    } else {
        ty(&op.result)
    };
    let (id, tag, op_name, path) = (&op.id, &op.tag, &op.name, &op.path);
    let method_variant = format_ident!(
        "{}",
        match op.method {
            Method::Get => "Get",
            Method::Post => "Post",
            Method::Put => "Put",
            Method::Patch => "Patch",
            Method::Delete => "Delete",
        }
    );
    let convention_variant = format_ident!(
        "{}",
        match op.convention {
            Convention::Envelope => "Envelope",
            Convention::OAuth => "OAuth",
            Convention::Scim => "Scim",
            Convention::Plain => "Plain",
            Convention::Vault => "Vault",
        }
    );
    let auth_variant = format_ident!("{}", if op.secured { "Bearer" } else { "None" });
    let idempotent = op.idempotent;
    let mut steps = Vec::new();
    for f in &op.request.fields {
        let fname = ident(&f.rust);
        let wire = &f.wire;
        match f.location {
            Location::Path => steps.push(quote! { encoder.path_param(#wire, &self.#fname); }),
            Location::Query => steps.push(match f.style {
                QueryStyle::Single => quote! { encoder.query(#wire, &self.#fname); },
                QueryStyle::Repeated => quote! { encoder.query_repeated(#wire, &self.#fname); },
                QueryStyle::DeepObject => quote! { encoder.query_deep(#wire, &self.#fname); },
            }),
            Location::Header => steps.push(quote! { encoder.header(#wire, &self.#fname); }),
            Location::WholeBody => {
                // The body goes out with the media type the spec declares (SCIM's
                // `application/scim+json`, for instance), not always `application/json`.
                let media_type = match &op.request.body {
                    Body::JsonWhole { media_type, .. } => media_type.as_str(),
                    _ => "application/json",
                };
                if f.is_optional() {
                    steps.push(quote! {
                        if let ::std::option::Option::Some(body) = &self.#fname {
                            encoder.json_as(body, #media_type)?;
                        }
                    });
                } else {
                    steps.push(quote! { encoder.json_as(&self.#fname, #media_type)?; });
                }
            }
            Location::Body => {
                if op.request.body == Body::Multipart {
                    if f.ty == TypeRef::File {
                        if f.is_optional() {
                            steps.push(quote! {
                                if let ::std::option::Option::Some(file) = &self.#fname {
                                    encoder.multipart_file(#wire, file);
                                }
                            });
                        } else {
                            steps.push(quote! { encoder.multipart_file(#wire, &self.#fname); });
                        }
                    } else {
                        steps.push(quote! { encoder.multipart_text(#wire, &self.#fname); });
                    }
                }
            }
        }
    }
    match op.request.body {
        Body::JsonFields { .. } => steps.push(quote! { encoder.json(self)?; }),
        Body::Form => steps.push(quote! { encoder.form(self)?; }),
        Body::None | Body::JsonWhole { .. } | Body::Multipart => {}
    }
    let answer = match op.answer {
        Answer::Json => quote! {},
        Answer::Text => {
            let answer = runtime::path("Answer");
            quote! { const ANSWER: #answer = #answer::Text; }
        }
        Answer::Bytes => {
            let answer = runtime::path("Answer");
            quote! { const ANSWER: #answer = #answer::Bytes; }
        }
    };
    let encoder_name = if steps.is_empty() {
        format_ident!("_encoder")
    } else {
        format_ident!("encoder")
    };
    quote! {
        impl #rt_request for #name {
            type Output = #output;
            const OPERATION: &'static #operation = &#operation {
                id: #id,
                tag: #tag,
                name: #op_name,
                method: #method::#method_variant,
                path: #path,
                convention: #convention::#convention_variant,
                auth: #auth::#auth_variant,
                idempotent: #idempotent,
            };
            #answer

            fn encode(&self, #encoder_name: &mut #encoder) -> ::std::result::Result<(), #error> {
                #(#steps)*
                ::std::result::Result::Ok(())
            }
        }
    }
}

/// The `PagedRequest` impl of a pageable operation: how to ask for a page, and how to read one.
fn paged_impl(api: &Api, op: &Operation) -> TokenStream {
    let Some(paging) = &op.paging else {
        return quote! {};
    };
    let name = format_ident!("{}", op.request.type_name);
    let paged = runtime::path("PagedRequest");
    let cursor = runtime::path("PageCursor");
    let page = runtime::path("Page");
    let style = runtime::path("PagingStyle");
    let item = ty(&paging.item);
    let find = |wire: &str| op.request.fields.iter().find(|f| f.wire == wire);
    let set = |target: TokenStream, f: &Field, value: TokenStream| -> TokenStream {
        let fname = ident(&f.rust);
        let t = ty(&f.ty);
        let converted =
            quote! { <#t as ::std::convert::TryFrom<_>>::try_from(#value).unwrap_or(<#t>::MAX) };
        if f.is_optional() {
            quote! { #target.#fname = ::std::option::Option::Some(#converted); }
        } else {
            quote! { #target.#fname = #converted; }
        }
    };
    let (style_variant, set_page) = match paging.style {
        PagingStyle::Redrock => {
            let Some(args) = find("Args") else {
                return quote! { compile_error!("Redrock paging needs an Args parameter"); };
            };
            let args_name = ident(&args.rust);
            let TypeRef::Named(args_ty) = &args.ty else {
                return quote! { compile_error!("Args must be an object"); };
            };
            let Some(TypeKind::Struct { fields, .. }) = api.types.get(args_ty).map(|d| &d.kind)
            else {
                return quote! { compile_error!("Args must be an object"); };
            };
            let number = fields.iter().find(|f| f.wire == "PageNumber");
            let size = fields.iter().find(|f| f.wire == "PageSize");
            let (Some(number), Some(size)) = (number, size) else {
                return quote! { compile_error!("Args must have PageNumber and PageSize"); };
            };
            let args_ident = format_ident!("{}", args_ty);
            let get_args = if args.is_optional() {
                quote! { let args = self.#args_name.get_or_insert_with(#args_ident::new); }
            } else {
                quote! { let args = &mut self.#args_name; }
            };
            let set_number = set(quote! { args }, number, quote! { page_number });
            let set_size = set(quote! { args }, size, quote! { page_size });
            (
                quote! { Redrock },
                quote! {
                    if let #cursor::Redrock { page_number, page_size } = page {
                        #get_args
                        #set_number
                        #set_size
                    }
                },
            )
        }
        PagingStyle::Scim => {
            let (Some(start), Some(count)) = (find("startIndex"), find("count")) else {
                return quote! { compile_error!("SCIM paging needs startIndex and count"); };
            };
            let set_start = set(quote! { self }, start, quote! { start_index });
            let set_count = set(quote! { self }, count, quote! { count });
            (
                quote! { Scim },
                quote! {
                    if let #cursor::Scim { start_index, count } = page {
                        #set_start
                        #set_count
                    }
                },
            )
        }
        PagingStyle::NextLink | PagingStyle::OffsetLimit => {
            let (offset_wire, limit_wire, variant) = if paging.style == PagingStyle::NextLink {
                ("offset", "limit", quote! { NextLink })
            } else {
                ("Offset", "Limit", quote! { OffsetLimit })
            };
            let (Some(offset), Some(limit)) = (find(offset_wire), find(limit_wire)) else {
                return quote! { compile_error!("Vault paging needs offset and limit"); };
            };
            let set_offset = set(quote! { self }, offset, quote! { offset });
            let set_limit = set(quote! { self }, limit, quote! { limit });
            (
                variant,
                quote! {
                    if let #cursor::Offset { offset, limit } = page {
                        #set_offset
                        #set_limit
                    }
                },
            )
        }
    };
    let items_field = ident(&paging.items_field);
    let items = if paging.items_optional {
        quote! { output.#items_field.unwrap_or_default() }
    } else {
        quote! { output.#items_field }
    };
    let total = match &paging.total_field {
        None => quote! { ::std::option::Option::None },
        Some(t) => {
            let tname = ident(&t.rust);
            if t.optional {
                quote! { output.#tname.and_then(|n| u64::try_from(n).ok()) }
            } else {
                quote! { u64::try_from(output.#tname).ok() }
            }
        }
    };
    let next_link = match &paging.next_link_field {
        None => quote! { ::std::option::Option::None },
        Some(link) => {
            let lname = ident(&link.rust);
            if link.optional {
                quote! { output.#lname }
            } else {
                quote! { ::std::option::Option::Some(output.#lname) }
            }
        }
    };
    quote! {
        impl #paged for #name {
            type Item = #item;
            const STYLE: #style = #style::#style_variant;

            fn set_page(&mut self, page: #cursor) {
                #set_page
            }

            fn into_page(output: Self::Output) -> #page<Self::Item> {
                let total = #total;
                let next_link = #next_link;
                #page { items: #items, total, next_link }
            }
        }
    }
}
