//! User lifecycle as the official SDKs drive it: CDirectoryService/CreateUser, DeleteUser,
//! DeleteUsers and UserMgmt/ResetUserPassword.

use super::cdirectory::apply_changes;
use super::user_mgmt::forget;
use super::{Ctx, Outcome, render};
use crate::envelope::{ApiError, ErrorKind, ok, ok_null};
use crate::state::users::User;

/// CDirectoryService/CreateUser: a new Cloud Directory user; answers its UUID.
pub fn create_user(ctx: &Ctx) -> Outcome {
    let body = ctx.json()?;
    let name = body.str_req("Name")?;
    if !name.contains('@') {
        return Err(ApiError::invalid(format!(
            "The login name {name} must be in the form user@suffix."
        )));
    }
    let password = body.str_opt("Password")?;
    if password.as_deref() == Some("") {
        return Err(ApiError::invalid(
            "Parameter \"Password\" must not be empty.",
        ));
    }
    let mut t = ctx.app.write();
    let mut user = User::new(&name);
    user.password = password;
    let uuid = t.users.insert(user).map_err(|_| {
        ApiError::new(
            ErrorKind::InvalidOperation,
            format!("The user name {name} is already in use."),
        )
        .code("1409")
    })?;
    // The other properties are ChangeUser's; they are applied (and checked) the same way, and
    // a refusal takes the new user away again so a failed create leaves nothing behind.
    let sent_before = t.invitations.len();
    if let Err(e) = apply_changes(&mut t, &uuid, &body) {
        t.users.remove(&uuid);
        return Err(e);
    }
    for invitation in &mut t.invitations[sent_before..] {
        invitation.source = "CDirectoryService_CreateUser".into();
    }
    Ok(ok(&uuid))
}

/// Removes users named by UUID or login name: all of them, or none when one is missing or is
/// the caller.
fn delete(ctx: &Ctx, names: &[String]) -> Outcome {
    let mut t = ctx.app.write();
    let mut uuids = Vec::with_capacity(names.len());
    for name in names {
        let uuid = render::user_by_any(&t, name)?.uuid.clone();
        if uuid == ctx.caller() {
            return Err(ApiError::new(
                ErrorKind::InvalidOperation,
                "You cannot delete your own account.",
            ));
        }
        uuids.push(uuid);
    }
    for uuid in &uuids {
        if let Some(removed) = t.users.remove(uuid) {
            forget(&mut t, &removed);
        }
    }
    drop(t);
    let mut auth = ctx.app.auth();
    for uuid in &uuids {
        auth.revoke_user(uuid);
    }
    Ok(ok_null())
}

/// CDirectoryService/DeleteUser.
pub fn delete_user(ctx: &Ctx) -> Outcome {
    let id = ctx.json()?.str_req("ID")?;
    delete(ctx, &[id])
}

/// CDirectoryService/DeleteUsers.
pub fn delete_users(ctx: &Ctx) -> Outcome {
    let users = ctx
        .json()?
        .string_list_opt("Users")?
        .ok_or_else(|| ApiError::missing("Users"))?;
    delete(ctx, &users)
}

/// UserMgmt/ResetUserPassword: sets the password without the old one.
pub fn reset_user_password(ctx: &Ctx) -> Outcome {
    let body = ctx.json()?;
    let id = body.str_req("ID")?;
    let password = body.str_req("newPassword")?;
    if password.is_empty() {
        return Err(ApiError::invalid(
            "Parameter \"newPassword\" must not be empty.",
        ));
    }
    let mut t = ctx.app.write();
    let uuid = render::user_by_any(&t, &id)?.uuid.clone();
    let Some(user) = t.users.get_mut(&uuid) else {
        return Err(ApiError::no_user(&id));
    };
    user.password = Some(password);
    user.touch();
    Ok(ok_null())
}
