//! Per-operation items: the tag handle's methods, request structs and their `Request` impls.

use super::types::{constructor_parts, field_docs, field_ty, ident, serde_attr, setters, ty};
use super::{docs, runtime, summary_docs};
use crate::ir::{
    Answer, Api, Body, Convention, Field, Location, Method, Operation, PagingStyle, QueryStyle,
    Tag, TypeKind, TypeRef,
};
use proc_macro2::TokenStream;
use quote::{format_ident, quote};

/// The handle struct of a tag with one method per operation.
pub(crate) fn handle(api: &Api, tag: &Tag) -> TokenStream {
    let name = format_ident!("{}", tag.type_name);
    let rt_client = runtime::path("Client");
    let error = runtime::path("Error");
    let methods = api.operations_of(&tag.name).map(|op| {
        let method = ident(&op.method_name);
        let req = format_ident!("{}", op.request.type_name);
        let output = ty(&op.result);
        let doc = summary_docs(op.summary.as_deref(), op.description.as_deref());
        let wire = format!(" `{} {}` (`{}`).", op.method.as_str(), op.path, op.id);
        let deprecated = op.deprecated.as_ref().map(|why| {
            let note = if why.trim().is_empty() {
                "deprecated by the API".to_owned()
            } else {
                why.split_whitespace().collect::<Vec<_>>().join(" ")
            };
            quote! { #[deprecated(note = #note)] }
        });
        // Every method takes its request, even when the request has no required field: adding an
        // optional parameter to the spec must not change the method's signature. Methods take
        // the handle by value (it is `Copy`), so a future does not borrow a temporary handle.
        // A download's body is streamed by the runtime's `download`, never decoded whole.
        let send = if op.answer == Answer::Bytes {
            quote! { self.client.download(&request).await }
        } else {
            quote! { self.client.send(&request).await }
        };
        let call = quote! {
            pub async fn #method(self, request: #req) -> ::std::result::Result<#output, #error> {
                #send
            }
        };
        // An answer offered as JSON or bytes gets a second method that asks for the bytes and
        // streams them, as a download does.
        let alternative = op.bytes_alternative.as_ref().map(|media_type| {
            let download_method = format_ident!("{}_download", op.method_name);
            let byte_stream = runtime::path("ByteStream");
            let adoc = format!(
                " Like [`{}::{}`], but asks for `{media_type}` and streams the answer's bytes.",
                tag.type_name, op.method_name
            );
            quote! {
                #[doc = #adoc]
                pub async fn #download_method(self, request: #req) -> ::std::result::Result<#byte_stream, #error> {
                    self.client.download_as(&request, #media_type).await
                }
            }
        });
        let stream = op.paging.as_ref().map(|paging| {
            let stream_method = format_ident!("{}_stream", op.method_name);
            let item = ty(&paging.item);
            let item_stream = runtime::path("ItemStream");
            let sdoc = format!(
                " Every item of [`{}::{}`], fetched page by page as the stream is read.",
                tag.type_name, op.method_name
            );
            quote! {
                #[doc = #sdoc]
                pub fn #stream_method(self, request: #req) -> #item_stream<#item> {
                    self.client.paginate(request, DEFAULT_PAGE_SIZE)
                }
            }
        });
        quote! {
            #doc
            ///
            #[doc = #wire]
            #deprecated
            #call
            #alternative
            #stream
        }
    });
    let doc = docs(&[format!(
        "Operations of the `{}` API group; get one with `Client::{}`.",
        tag.name, tag.handle
    )]);
    quote! {
        #doc
        #[derive(Clone, Copy)]
        pub struct #name<'c> {
            client: &'c #rt_client,
        }

        impl<'c> #name<'c> {
            pub(crate) fn new(client: &'c #rt_client) -> Self {
                Self { client }
            }
            #(#methods)*
        }

        impl ::std::fmt::Debug for #name<'_> {
            fn fmt(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {
                f.write_str(stringify!(#name))
            }
        }
    }
}

/// The request struct of an operation, its constructor and setters, and its `Request` impl.
pub(crate) fn request(api: &Api, op: &Operation) -> TokenStream {
    let name = format_ident!("{}", op.request.type_name);
    let fields: Vec<&Field> = op.request.fields.iter().collect();
    let serialized = matches!(op.request.body, Body::JsonFields { .. } | Body::Form);
    let field_items = fields.iter().map(|f| {
        let fname = ident(&f.rust);
        let fty = field_ty(f);
        let fdoc = request_field_docs(f);
        let attr = if serialized && f.location == Location::Body {
            serde_attr(f)
        } else if serialized {
            quote! { #[serde(skip)] }
        } else {
            quote! {}
        };
        quote! { #fdoc #attr pub #fname: #fty, }
    });
    let json = runtime::path("JsonValue");
    let (extra_field, extra_init, extra_setter) = if matches!(
        op.request.body,
        Body::JsonFields { extra: true }
    ) {
        (
            quote! {
                /// Further keys of the body, which this operation takes by design (see its description).
                #[serde(flatten)]
                pub extra: ::std::collections::BTreeMap<::std::string::String, #json>,
            },
            quote! { extra: ::std::default::Default::default(), },
            quote! {
                /// Adds a body key the spec does not name; it is sent as is.
                pub fn extra_field(mut self, key: impl ::std::convert::Into<::std::string::String>, value: impl ::std::convert::Into<#json>) -> Self {
                    self.extra.insert(key.into(), value.into());
                    self
                }
            },
        )
    } else {
        (quote! {}, quote! {}, quote! {})
    };
    let derive_serialize = if serialized {
        quote! { ::serde::Serialize, }
    } else {
        quote! {}
    };
    let (params, inits) = constructor_parts(&fields);
    let setters = setters(&fields);
    let doc = docs(&[format!(
        "The request of `{}` ({} `{}`): required parameters are arguments of `new`, optional ones are setters.",
        op.id,
        op.method.as_str(),
        op.path
    )]);
    let ctor_doc = format!(
        " A new `{}` from its required parameters.",
        op.request.type_name
    );
    let request_impl = request_impl(api, op);
    let paged_impl = paged_impl(api, op);
    let default = if params.is_empty() && fields.iter().all(|f| f.ty != TypeRef::File) {
        quote! {
            impl ::std::default::Default for #name {
                fn default() -> Self {
                    Self::new()
                }
            }
        }
    } else {
        quote! {}
    };
    quote! {
        #doc
        #[derive(Clone, Debug, PartialEq, #derive_serialize)]
        #[non_exhaustive]
        pub struct #name {
            #(#field_items)*
            #extra_field
        }

        impl #name {
            #[doc = #ctor_doc]
            #[allow(clippy::new_without_default, clippy::too_many_arguments)]
            pub fn new(#(#params),*) -> Self {
                Self {
                    #(#inits,)*
                    #extra_init
                }
            }
            #(#setters)*
            #extra_setter
        }

        #default
        #request_impl
        #paged_impl
    }
}

fn request_field_docs(f: &Field) -> TokenStream {
    let place = match f.location {
        Location::Path => "path",
        Location::Query => "query",
        Location::Header => "header",
        Location::Body | Location::WholeBody => return field_docs(f),
    };
    match &f.docs {
        Some(d) => docs(&[format!("`{}` ({place}): {d}", f.wire)]),
        None => docs(&[format!("`{}` ({place}).", f.wire)]),
    }
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
