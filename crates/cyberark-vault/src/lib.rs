#![doc = include_str!("../README.md")]
#![deny(missing_docs)]

mod generated;

pub use cyberark_runtime::{
    ApiError, ByteStream, Error, ErrorDetail, ItemStream, JsonValue, Nullable, RetryPolicy, Secret,
    UnixTime, UnixTimeMicros, VaultAuthMethod,
};
pub use generated::*;

impl Client {
    /// Ends the Vault session this client opened with `vault_logon` (`POST /API/Auth/Logoff`)
    /// and forgets its token, so a later call logs on again. Call it when done: each open
    /// session counts against the user's limit until the Vault times it out.
    ///
    /// Unlike `client.auth().logoff(…)`, which sends the request as any other operation, this
    /// sends nothing when no session is open and treats a session the Vault already ended as
    /// success. A client built with other credentials (a Privilege Cloud platform token) has no
    /// Vault session and gets [`Error::Config`].
    pub async fn logoff(&self) -> Result<(), Error> {
        self.runtime().logoff().await
    }
}
