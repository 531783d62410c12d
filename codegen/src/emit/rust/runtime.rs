//! The one table through which generated Rust code names items of `cyberark-runtime`.
//!
//! Keeping every runtime path here means a rename in the runtime is a one-line change in the
//! generator, and a typo is caught by the test below instead of by a user's compiler.

use proc_macro2::TokenStream;
use quote::{format_ident, quote};

/// The runtime crate as generated code refers to it.
const CRATE: &str = "cyberark_runtime";

/// Every runtime item generated code may use.
const ITEMS: &[&str] = &[
    "Answer",
    "AuthMode",
    "ByteStream",
    "Client",
    "ClientBuilder",
    "Convention",
    "Date",
    "DateTime",
    "Encoder",
    "Error",
    "FilePart",
    "from_json",
    "ItemStream",
    "JsonValue",
    "Method",
    "Nullable",
    "object_deserialize",
    "Operation",
    "Page",
    "PageCursor",
    "PagedRequest",
    "PagingStyle",
    "read_only",
    "Request",
    "Secret",
    "string_enum",
    "UnixTime",
    "UnixTimeMicros",
    "Uuid",
];

/// The absolute path of a runtime item, e.g. `::cyberark_runtime::Secret`.
///
/// Asking for an item not in the table is a generator bug; it is caught by the emitter tests,
/// which generate code for every kind of type and operation.
pub(crate) fn path(item: &str) -> TokenStream {
    debug_assert!(
        ITEMS.contains(&item),
        "runtime item {item} is not in the table"
    );
    let krate = format_ident!("{}", CRATE);
    let item = format_ident!("{}", item);
    quote! { ::#krate::#item }
}

/// The path of a runtime item as a string, for serde attributes such as `skip_serializing_if`.
pub(crate) fn path_str(item: &str) -> String {
    debug_assert!(
        ITEMS.contains(&item.split("::").next().unwrap_or(item)),
        "runtime item {item} is not in the table"
    );
    format!("::{CRATE}::{item}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_are_absolute() {
        assert_eq!(path("Secret").to_string(), ":: cyberark_runtime :: Secret");
        assert_eq!(
            path_str("Nullable::is_absent"),
            "::cyberark_runtime::Nullable::is_absent"
        );
    }
}
