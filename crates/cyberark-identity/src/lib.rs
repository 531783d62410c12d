#![doc = include_str!("../README.md")]
#![deny(missing_docs)]

mod generated;

pub use cyberark_runtime::{
    ApiError, Error, FilePart, ItemStream, JsonValue, MfaAnswer, MfaChallenge, MfaHandler,
    Nullable, RetryPolicy, Secret,
};
pub use generated::*;

/// Redrock query scripts with bound values ([`redrock::Query`]): values are written as quoted
/// literals, never pasted into the script as they are.
pub use cyberark_runtime::redrock;

impl RedrockQueryRequest {
    /// A `Redrock/query` request running `query`, its bound values written as literals.
    ///
    /// Fails with [`Error::InvalidRequest`] when the placeholders and values do not match or a
    /// value cannot be written (see [`redrock::Query::script`]).
    pub fn from_query(query: &redrock::Query) -> Result<Self, Error> {
        Ok(Self::new(query.script()?))
    }
}
