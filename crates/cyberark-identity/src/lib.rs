#![doc = include_str!("../README.md")]
#![deny(missing_docs)]

mod generated;
/// Role Management, generated from CyberArk's published definition
/// (`spec/vendor/RoleManagement.yaml` with the corrections in `spec/roles-overlays/`).
///
/// Reach it from the Identity client with [`Client::roles`], so one sign-in serves both; the
/// module's own `roles::Client` is the same thing built on its own.
// The definition's one tag is `Roles`, so the generated handle file `roles/roles.rs` sits in the
// `roles` module; its items are re-exported one level up, so nobody writes `roles::roles`.
#[allow(clippy::module_inception)]
pub mod roles;

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

impl Client {
    /// Role Management operations (store, update, get, members, rights, dynamic scripts,
    /// applications) on the same connection pool and token cache as this client.
    pub fn roles(&self) -> roles::RolesApi<'_> {
        roles::RolesApi::new(self.runtime())
    }
}
