//! Stub.
use super::{Ctx, Outcome};
use crate::envelope::{Reply, ok_null};
pub fn get_user_settings(_ctx: &Ctx<'_>) -> Outcome {
    Ok(ok_null())
}
