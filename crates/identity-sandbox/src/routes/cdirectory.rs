//! Stub.
use super::{Ctx, Outcome};
use crate::envelope::{Reply, ok_null};
pub fn change_user(_ctx: &Ctx<'_>) -> Outcome {
    Ok(ok_null())
}
pub fn change_user_state(_ctx: &Ctx<'_>) -> Outcome {
    Ok(ok_null())
}
pub fn exempt_user_from_mfa(_ctx: &Ctx<'_>) -> Outcome {
    Ok(ok_null())
}
pub fn get_tech_support_user(_ctx: &Ctx<'_>) -> Outcome {
    Ok(ok_null())
}
pub fn get_user(_ctx: &Ctx<'_>) -> Outcome {
    Ok(ok_null())
}
pub fn get_user_attributes(_ctx: &Ctx<'_>) -> Outcome {
    Ok(ok_null())
}
pub fn get_user_by_name(_ctx: &Ctx<'_>) -> Outcome {
    Ok(ok_null())
}
pub fn get_users(_ctx: &Ctx<'_>) -> Outcome {
    Ok(ok_null())
}
pub async fn get_users_from_csv_file(_ctx: &Ctx<'_>) -> Outcome {
    Ok(ok_null())
}
pub async fn set_user_picture(_ctx: &Ctx<'_>) -> Outcome {
    Ok(ok_null())
}
pub fn set_user_state(_ctx: &Ctx<'_>) -> Outcome {
    Ok(ok_null())
}
pub fn submit_uploaded_file(_ctx: &Ctx<'_>) -> Outcome {
    Ok(ok_null())
}
