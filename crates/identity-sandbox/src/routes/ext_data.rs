//! Stub.
use super::{Ctx, Outcome};
use crate::envelope::{Reply, ok_null};
pub fn get_columns(_ctx: &Ctx<'_>) -> Outcome {
    Ok(ok_null())
}
pub fn get_schema(_ctx: &Ctx<'_>) -> Outcome {
    Ok(ok_null())
}
pub fn set_columns(_ctx: &Ctx<'_>) -> Outcome {
    Ok(ok_null())
}
pub fn update_schema(_ctx: &Ctx<'_>) -> Outcome {
    Ok(ok_null())
}
