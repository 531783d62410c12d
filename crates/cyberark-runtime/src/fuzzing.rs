//! Entry points for `cargo xtask fuzz`: the response decoders, reachable from outside the crate
//! only with the `fuzzing` feature, so the fuzzer drives exactly the code a call runs.

use serde::de::DeserializeOwned;

use crate::error::Error;
use crate::operation::{AuthMode, Convention, Method, Operation, Request};

/// Decodes an answer the way a call of `R` does (envelope, SCIM, OAuth or plain, per its
/// operation, and JSON or text per its answer).
pub fn decode_for<R: Request>(status: u16, body: &[u8]) -> Result<R::Output, Error> {
    crate::answer::decode(R::OPERATION, R::ANSWER, status, body)
}

/// Decodes an answer into `T` under `convention` (as JSON), as an operation of that convention would.
pub fn decode_as<T: DeserializeOwned>(
    convention: Convention,
    status: u16,
    body: &[u8],
) -> Result<T, Error> {
    let operation = match convention {
        Convention::Envelope => &ENVELOPE,
        Convention::Scim => &SCIM,
        Convention::OAuth => &OAUTH,
        Convention::Plain => &PLAIN,
        Convention::Vault => &VAULT,
    };
    crate::answer::decode(operation, crate::answer::Answer::Json, status, body)
}

/// The reason a 401 answer gives, as the client reports it.
pub fn refusal_reason(body: &[u8]) -> Option<String> {
    crate::envelope::refusal_reason(body)
}

const fn operation(id: &'static str, convention: Convention) -> Operation {
    Operation {
        id,
        tag: "Fuzz",
        name: "Fuzz",
        method: Method::Post,
        path: "/Fuzz",
        convention,
        auth: AuthMode::None,
        idempotent: true,
    }
}

static ENVELOPE: Operation = operation("Fuzz_Envelope", Convention::Envelope);
static SCIM: Operation = operation("Fuzz_Scim", Convention::Scim);
static VAULT: Operation = operation("Fuzz_Vault", Convention::Vault);
static OAUTH: Operation = operation("Fuzz_OAuth", Convention::OAuth);
static PLAIN: Operation = operation("Fuzz_Plain", Convention::Plain);
