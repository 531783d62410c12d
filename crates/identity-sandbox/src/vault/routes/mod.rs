//! The Vault's operations: dispatch and the helpers they share (permissions, paging).

mod accounts;
mod auth;
mod credentials;
mod platforms;
mod psm;
mod safes;
mod users;

use super::state::Vault;
use super::{Ctx, Outcome, VaultError};
use serde_json::{Value, json};

/// Calls the handler of the routed operation.
pub fn dispatch(ctx: &Ctx<'_>) -> Outcome {
    match ctx.route.op {
        "Auth_Logon" => auth::logon(ctx),
        "Auth_Logoff" => auth::logoff(ctx),
        "Server_GetVersion" => auth::server(),
        "Accounts_List" => accounts::list(ctx),
        "Accounts_Add" => accounts::add(ctx),
        "Accounts_Get" => accounts::get(ctx),
        "Accounts_Update" => accounts::update(ctx),
        "Accounts_Delete" => accounts::delete(ctx),
        "Accounts_RetrievePassword" | "Accounts_RetrieveSecret" => credentials::retrieve(ctx),
        "Accounts_Change" | "Accounts_Verify" | "Accounts_Reconcile" => credentials::cpm(ctx),
        "Accounts_SetNextPassword" => credentials::set_next_password(ctx),
        "Accounts_UpdatePassword" => credentials::update_password(ctx),
        "Accounts_GeneratePassword" => credentials::generate(ctx),
        "Accounts_ListSecretVersions" => credentials::versions(ctx),
        "Accounts_ListActivities" => credentials::activities(ctx),
        "Accounts_Link" => accounts::link(ctx),
        "Accounts_Unlink" => accounts::unlink(ctx),
        "Safes_List" => safes::list(ctx),
        "Safes_Add" => safes::add(ctx),
        "Safes_Get" => safes::get(ctx),
        "Safes_Update" => safes::update(ctx),
        "Safes_Delete" => safes::delete(ctx),
        "Safes_ListForPlatform" => safes::for_platform(ctx),
        "SafeMembers_List" => safes::members(ctx),
        "SafeMembers_Add" => safes::add_member(ctx),
        "SafeMembers_Get" => safes::get_member(ctx),
        "SafeMembers_Update" => safes::update_member(ctx),
        "SafeMembers_Delete" => safes::delete_member(ctx),
        "Platforms_List" => platforms::list(ctx),
        "Platforms_Get" => platforms::get(ctx),
        "Platforms_ListTargets" => platforms::entries(ctx, "Regular"),
        "Platforms_ListDependents" => platforms::entries(ctx, "Dependent"),
        "Platforms_ListGroups" => platforms::entries(ctx, "Group"),
        "Platforms_ListRotationalGroups" => platforms::entries(ctx, "RotationalGroup"),
        "LiveSessions_List" => psm::list(ctx, true),
        "Recordings_List" => psm::list(ctx, false),
        "LiveSessions_Get" => psm::get(ctx, true),
        "Recordings_Get" => psm::get(ctx, false),
        "LiveSessions_ListActivities" => psm::activities(ctx, true),
        "Recordings_ListActivities" => psm::activities(ctx, false),
        "LiveSessions_GetProperties" => psm::properties(ctx, true),
        "Recordings_GetProperties" => psm::properties(ctx, false),
        "LiveSessions_Monitor" => psm::monitor(ctx),
        "LiveSessions_Terminate" | "LiveSessions_Suspend" | "LiveSessions_Resume" => psm::act(ctx),
        "Recordings_Play" => psm::play(ctx),
        "Recordings_IsValid" => psm::valid(ctx),
        "Users_List" => users::list(ctx),
        "Users_Add" => users::add(ctx),
        "Users_Get" => users::get(ctx),
        "Users_Update" => users::update(ctx),
        "Users_Delete" => users::delete(ctx),
        "Users_Activate" => users::activate(ctx),
        "Users_ResetPassword" => users::reset_password(ctx),
        other => Err(VaultError::new(
            500,
            "CAWS00001E",
            format!("identity-sandbox has no Vault handler for {other}"),
        )),
    }
}

/// Fails with 403 unless the caller is a member of the safe holding `permission`. A safe the
/// caller cannot see at all answers 404, as the Vault hides safes from non-members.
pub fn require(v: &Vault, caller: &str, safe: &str, permission: &str) -> Result<(), VaultError> {
    let s = v
        .safe(safe)
        .ok_or_else(|| VaultError::not_found("Safe", safe))?;
    match s.member(caller) {
        Some(m) if m.can(permission) => Ok(()),
        _ => Err(VaultError::forbidden(format!(
            "{caller} lacks the {permission} permission on safe {}",
            s.name
        ))),
    }
}

/// Whether the caller may list the safe's accounts.
pub fn can(v: &Vault, caller: &str, safe: &str, permission: &str) -> bool {
    require(v, caller, safe, permission).is_ok()
}

/// Fails with 403 unless the caller holds a Vault-level authorization.
pub fn authorized(v: &Vault, caller: &str, authorization: &str) -> Result<(), VaultError> {
    let ok = v
        .user_by_name(caller)
        .is_some_and(|u| u.authorizations.iter().any(|a| a == authorization));
    if ok {
        Ok(())
    } else {
        Err(VaultError::forbidden(format!(
            "{caller} lacks the {authorization} Vault authorization"
        )))
    }
}

/// One page of `items` in the `{value, count, nextLink}` style. `base` is the relative path of
/// the list (`api/Accounts`) and `keep` the query parameters the next link repeats.
pub fn nextlink_page(
    ctx: &Ctx<'_>,
    items: Vec<Value>,
    default_limit: i64,
    base: &str,
    keep: &[&str],
) -> Outcome {
    nextlink_page_of(ctx, items, |v| v, default_limit, base, keep)
}

/// [`nextlink_page`] over items that are rendered as JSON only when they are on the page, so a
/// large list (the benchmark's 10,000 accounts) costs one page of rendering per request, not all.
pub fn nextlink_page_of<T>(
    ctx: &Ctx<'_>,
    items: Vec<T>,
    render: impl Fn(T) -> Value,
    default_limit: i64,
    base: &str,
    keep: &[&str],
) -> Outcome {
    let offset = ctx
        .query
        .int("offset", 0, i64::from(i32::MAX))?
        .unwrap_or(0) as usize;
    let limit = ctx.query.int("limit", 1, 1000)?.unwrap_or(default_limit) as usize;
    let count = items.len();
    let page: Vec<Value> = items
        .into_iter()
        .skip(offset)
        .take(limit)
        .map(render)
        .collect();
    let mut body = json!({"value": page, "count": count});
    if offset + limit < count {
        let mut pairs: Vec<(String, String)> = keep
            .iter()
            .filter_map(|k| ctx.query.get(k).map(|v| ((*k).to_owned(), v.to_owned())))
            .collect();
        pairs.push(("offset".into(), (offset + limit).to_string()));
        pairs.push(("limit".into(), limit.to_string()));
        let query = serde_urlencoded::to_string(&pairs).unwrap_or_default();
        if let Some(map) = body.as_object_mut() {
            map.insert("nextLink".into(), format!("{base}?{query}").into());
        }
    }
    Ok(super::json(200, &body))
}

/// Whether every space-separated keyword of `search` occurs in one of `fields` (ignoring case).
pub fn matches_search(search: Option<&str>, fields: &[&str], starts_with: bool) -> bool {
    let Some(search) = search else { return true };
    search.split_whitespace().all(|word| {
        let word = word.to_lowercase();
        fields.iter().any(|f| {
            let f = f.to_lowercase();
            if starts_with {
                f.starts_with(&word)
            } else {
                f.contains(&word)
            }
        })
    })
}
