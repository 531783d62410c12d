//! Stub.
use super::{Ctx, Outcome};
use crate::envelope::{Reply, ok_null};
pub fn change_user_attributes(_ctx: &Ctx<'_>) -> Outcome {
    Ok(ok_null())
}
pub fn get_user_attributes(_ctx: &Ctx<'_>) -> Outcome {
    Ok(ok_null())
}
pub fn get_user_hierarchy(_ctx: &Ctx<'_>) -> Outcome {
    Ok(ok_null())
}
pub fn get_user_info(_ctx: &Ctx<'_>) -> Outcome {
    Ok(ok_null())
}
pub fn get_user_risk_level(_ctx: &Ctx<'_>) -> Outcome {
    Ok(ok_null())
}
pub fn get_roles_and_rights(_ctx: &Ctx<'_>) -> Outcome {
    Ok(ok_null())
}
pub fn invite_users(_ctx: &Ctx<'_>) -> Outcome {
    Ok(ok_null())
}
pub fn is_user_cloud_locked(_ctx: &Ctx<'_>) -> Outcome {
    Ok(ok_null())
}
pub fn is_user_locked_out_by_policy(_ctx: &Ctx<'_>) -> Outcome {
    Ok(ok_null())
}
pub fn remove_users(_ctx: &Ctx<'_>) -> Outcome {
    Ok(ok_null())
}
pub fn send_login_emails(_ctx: &Ctx<'_>) -> Outcome {
    Ok(ok_null())
}
pub fn send_sms_invite(_ctx: &Ctx<'_>) -> Outcome {
    Ok(ok_null())
}
pub fn set_cloud_lock(_ctx: &Ctx<'_>) -> Outcome {
    Ok(ok_null())
}
