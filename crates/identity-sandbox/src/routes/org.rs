//! Stub.
use super::{Ctx, Outcome};
use crate::envelope::{Reply, ok_null};
pub fn change_membership(_ctx: &Ctx<'_>) -> Outcome {
    Ok(ok_null())
}
pub fn create(_ctx: &Ctx<'_>) -> Outcome {
    Ok(ok_null())
}
pub fn delete(_ctx: &Ctx<'_>) -> Outcome {
    Ok(ok_null())
}
pub fn get(_ctx: &Ctx<'_>) -> Outcome {
    Ok(ok_null())
}
pub fn get_administrators(_ctx: &Ctx<'_>) -> Outcome {
    Ok(ok_null())
}
pub fn get_permission(_ctx: &Ctx<'_>) -> Outcome {
    Ok(ok_null())
}
pub fn get_roles(_ctx: &Ctx<'_>) -> Outcome {
    Ok(ok_null())
}
pub fn list_all(_ctx: &Ctx<'_>) -> Outcome {
    Ok(ok_null())
}
pub fn update(_ctx: &Ctx<'_>) -> Outcome {
    Ok(ok_null())
}
pub fn update_administrators(_ctx: &Ctx<'_>) -> Outcome {
    Ok(ok_null())
}
pub fn update_permission(_ctx: &Ctx<'_>) -> Outcome {
    Ok(ok_null())
}
