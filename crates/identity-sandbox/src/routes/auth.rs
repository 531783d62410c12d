//! Stub.
use super::{Ctx, Outcome};
use crate::envelope::{Reply, ok_null};
pub fn token(_ctx: &Ctx) -> Reply {
    ok_null()
}
pub fn start_authentication(_ctx: &Ctx<'_>) -> Outcome {
    Ok(ok_null())
}
pub fn advance_authentication(_ctx: &Ctx<'_>) -> Outcome {
    Ok(ok_null())
}
pub fn logout(_ctx: &Ctx<'_>) -> Outcome {
    Ok(ok_null())
}
