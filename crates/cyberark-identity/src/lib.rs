#![doc = include_str!("../README.md")]
#![deny(missing_docs)]

mod generated;

pub use cyberark_runtime::{
    ApiError, Error, FilePart, ItemStream, JsonValue, MfaAnswer, MfaChallenge, MfaHandler,
    Nullable, RetryPolicy, Secret,
};
pub use generated::*;
