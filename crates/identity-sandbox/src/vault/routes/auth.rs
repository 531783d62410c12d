//! Logon, Logoff and the version probe.

use super::super::input::{boolean, object, required, string};
use super::super::{Ctx, Outcome, VaultError, json};

/// Failed logons in a row that suspend a user.
pub const MAX_FAILED_LOGONS: u32 = 5;

/// The version the sandbox reports.
pub const VERSION: &str = "14.6.0";

/// `POST /API/Auth/{method}/Logon`: checks the credentials for the method and answers the
/// session token as a bare JSON string.
pub fn logon(ctx: &Ctx<'_>) -> Outcome {
    let method = ctx.param(0).to_owned();
    let method = ["CyberArk", "LDAP", "RADIUS"]
        .into_iter()
        .find(|m| m.eq_ignore_ascii_case(&method))
        .ok_or_else(|| {
            VaultError::invalid(
                "method",
                format!("Authentication method [{method}] is not supported."),
            )
        })?;
    let body = object(&ctx.json()?)?;
    let username = required(&body, "username")?;
    let password = required(&body, "password")?;
    let new_password = string(&body, "newPassword")?;
    boolean(&body, "concurrentSession")?;
    let mut vault = ctx.app.vault();
    let bad = || VaultError::new(403, "ITATS004E", "Authentication failure for User.");
    let user = vault.user_by_name(&username).cloned().ok_or_else(bad)?;
    if user.suspended {
        return Err(VaultError::new(
            403,
            "ITATS006E",
            format!(
                "User {} is suspended. Contact your administrator.",
                user.username
            ),
        ));
    }
    if user.password.is_empty()
        || user.password != password
        || !user.methods.iter().any(|m| m == method)
    {
        // Like the Vault's default policy, repeated failures suspend the user until an
        // administrator activates it again.
        if let Some(u) = vault.users.get_mut(&user.id) {
            u.failed_logons += 1;
            if u.failed_logons >= MAX_FAILED_LOGONS {
                u.suspended = true;
            }
        }
        return Err(bad());
    }
    if let Some(new_password) = new_password.filter(|p| !p.is_empty())
        && let Some(u) = vault.users.get_mut(&user.id)
    {
        u.password = new_password;
    }
    if let Some(u) = vault.users.get_mut(&user.id) {
        u.failed_logons = 0;
    }
    let token = vault.issue(&user.username, ctx.app.config.token_ttl);
    Ok(json(200, &token))
}

/// `POST /API/Auth/Logoff`: ends the caller's Vault session.
pub fn logoff(ctx: &Ctx<'_>) -> Outcome {
    if let Some(token) = &ctx.caller.session {
        ctx.app.vault().tokens.remove(token);
    }
    Ok(json(200, &serde_json::json!({"LogoffUrl": ""})))
}

/// `GET /WebServices/PIMServices.svc/Server`.
pub fn server() -> Outcome {
    Ok(json(
        200,
        &serde_json::json!({"ExternalVersion": VERSION, "InternalVersion": format!("{VERSION}.1"), "ServerName": "Vault"}),
    ))
}
