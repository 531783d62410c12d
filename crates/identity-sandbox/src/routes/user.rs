//! User: profile updates with additional attributes.

use super::ext_data::{checked_values, store_values};
use super::{Ctx, Outcome, render};
use crate::envelope::{ApiError, ErrorKind, ok_null};
use serde_json::Value;

/// The named properties of UpdateProfile; every other key is an additional attribute.
const NAMED: &[&str] = &["ID", "Name", "DisplayName", "Mail", "MobileNumber"];

/// User/UpdateProfile.
pub fn update_profile(ctx: &Ctx) -> Outcome {
    let body = ctx.json()?;
    let id = body.str_req("ID")?;
    let name = body.str_opt("Name")?;
    let display = body.str_opt("DisplayName")?;
    let mail = body.str_opt("Mail")?;
    let mobile = body.str_opt("MobileNumber")?;
    let extra: Vec<(&String, &Value)> = body
        .entries()
        .filter(|(k, _)| !NAMED.iter().any(|n| n.eq_ignore_ascii_case(k)))
        .collect();
    let mut t = ctx.app.write();
    let uuid = render::user(&t, &id)?.uuid.clone();
    let values = checked_values(&t.ext, &extra)?;
    if let Some(name) = &name {
        if !name.contains('@') {
            return Err(ApiError::invalid(format!(
                "The login name {name} must be in the form user@suffix."
            )));
        }
        if t.users.rename(&uuid, name).is_err() {
            return Err(ApiError::new(
                ErrorKind::InvalidOperation,
                format!("The user name {name} is already in use."),
            )
            .code("1409"));
        }
    }
    let u = t
        .users
        .get_mut(&uuid)
        .ok_or_else(|| ApiError::no_user(&uuid))?;
    for (slot, value) in [
        (&mut u.display_name, display),
        (&mut u.mail, mail),
        (&mut u.mobile, mobile),
    ] {
        if value.is_some() {
            *slot = value;
        }
    }
    store_values(u, values);
    u.touch();
    Ok(ok_null())
}
