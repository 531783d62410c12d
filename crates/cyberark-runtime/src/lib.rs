//! The runtime every generated CyberArk Identity client calls into.
//!
//! Generated code is declarative: request and response types, plus a static [`Operation`] per
//! operation and a [`Request`] impl that hands parameters to an [`Encoder`]. Everything with
//! control flow lives here, written and tested once: the tenant URL, authentication and the
//! token cache, sending with retries and client-side limits, decoding the Identity envelope
//! (and SCIM and OAuth answers) into typed outputs or one [`Error`] type, paging, and tracing.
//!
//! Secrets never reach `Debug`, `Display`, errors or logs: they travel as [`Secret`], and body
//! excerpts in errors are redacted.
#![deny(missing_docs)]

mod answer;
mod auth;
mod bounds;
mod call;
mod client;
mod download;
mod envelope;
mod error;
mod formats;
#[cfg(feature = "fuzzing")]
#[doc(hidden)]
pub mod fuzzing;
mod json_path;
mod limit;
mod nullable;
mod object;
mod operation;
mod paging;
mod params;
pub mod read_only;
pub mod redact;
pub mod redrock;
mod retry;
mod scrub;
mod secret;
mod send;
mod string_enum;
mod tenant;
mod transport;
mod unix_time;

#[cfg(test)]
mod test_support;

pub use answer::{Answer, QueryList, QueryMap, from_json};
pub use auth::{
    ClientAuth, MfaAnswer, MfaChallenge, MfaHandler, OAuthGrant, Pkce, TokenSource,
    VaultAuthMethod, mfa_handler_fn,
};
pub use bounds::{DEFAULT_MAX_RESPONSE_BYTES, MAX_DEPTH};
pub use client::{Client, ClientBuilder};
pub use download::ByteStream;
pub use error::{ApiError, Error, ErrorDetail};
pub use formats::{Date, DateTime, Uuid};
pub use nullable::Nullable;
pub use operation::{
    AuthMode, Convention, Encoder, FilePart, Method, Operation, PagingStyle, QueryValue, Request,
};
pub use paging::{ItemStream, MAX_PAGES_WITHOUT_TOTAL, Page, PageCursor, PagedRequest};
pub use retry::{RetryPolicy, parse_retry_after};
pub use secret::Secret;
pub use tenant::parse_tenant_url;
pub use unix_time::{UnixTime, UnixTimeMicros};

pub use bytes::Bytes;
pub use futures::Stream;
pub use serde_json::Value as JsonValue;

/// Re-exports for the macros; not part of the public API.
#[doc(hidden)]
pub mod __private {
    pub use crate::object::{ObjectKey, object_field, object_required};
    pub use serde;
    pub use serde_json;
}
