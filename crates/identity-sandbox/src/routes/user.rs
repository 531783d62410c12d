//! Stub.
use super::{Ctx, Outcome};
use crate::envelope::{Reply, ok_null};
pub fn update_profile(_ctx: &Ctx<'_>) -> Outcome {
    Ok(ok_null())
}
