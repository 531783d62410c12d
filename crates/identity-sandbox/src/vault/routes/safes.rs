//! Safes S-1..S-6 and their members M-1..M-5.

use super::super::input::{boolean, field, integer, object, required, string};
use super::super::seed::{add_safe, member};
use super::super::state::{Member, Safe, Vault, all_permissions, now, url_id};
use super::super::{Ctx, Outcome, VaultError, json};
use super::{authorized, matches_search, nextlink_page, require};
use crate::envelope::Reply;
use serde_json::{Map, Value, json as j};

fn visible<'v>(v: &'v Vault, caller: &str, name: &str) -> Result<&'v Safe, VaultError> {
    v.safe(name)
        .filter(|s| s.member(caller).is_some())
        .ok_or_else(|| VaultError::not_found("Safe", name))
}

fn with_accounts(v: &Vault, s: &Safe) -> Value {
    let mut out = s.to_json();
    let accounts: Vec<Value> = v
        .order
        .iter()
        .filter_map(|id| v.accounts.get(id))
        .filter(|a| a.safe == s.name)
        .map(|a| j!({"id": a.id, "name": a.name}))
        .collect();
    if let Some(map) = out.as_object_mut() {
        map.insert("accounts".into(), accounts.into());
    }
    out
}

/// S-1.
pub fn list(ctx: &Ctx<'_>) -> Outcome {
    let v = ctx.app.vault();
    let include = ctx.query.bool("includeAccounts")?.unwrap_or(false);
    let extended = ctx.query.bool("extendedDetails")?.unwrap_or(true);
    ctx.query.bool("useCache")?;
    let search = ctx.query.get("search");
    let items = v
        .safes
        .values()
        .filter(|s| s.member(&ctx.caller.name).is_some())
        .filter(|s| matches_search(search, &[&s.name, &s.description], false))
        .map(|s| match (extended, include) {
            (false, _) => j!({"safeUrlId": url_id(&s.name), "safeName": s.name}),
            (true, true) => with_accounts(&v, s),
            (true, false) => s.to_json(),
        })
        .collect();
    nextlink_page(
        ctx,
        items,
        25,
        "api/Safes",
        &["search", "sort", "includeAccounts", "extendedDetails"],
    )
}

/// S-2.
pub fn get(ctx: &Ctx<'_>) -> Outcome {
    let v = ctx.app.vault();
    ctx.query.bool("useCache")?;
    let s = visible(&v, &ctx.caller.name, ctx.param(0))?;
    if ctx.query.bool("includeAccounts")?.unwrap_or(false) {
        Ok(json(200, &with_accounts(&v, s)))
    } else {
        Ok(json(200, &s.to_json()))
    }
}

struct SafeInput {
    name: String,
    description: Option<String>,
    location: Option<String>,
    olac: Option<bool>,
    cpm: Option<String>,
    versions: Option<Option<i64>>,
    days: Option<Option<i64>>,
    purge: Option<bool>,
}

fn safe_input(ctx: &Ctx<'_>) -> Result<SafeInput, VaultError> {
    let body = object(&ctx.json()?)?;
    let name = required(&body, "safeName")?;
    if name.len() > 28 || name.chars().any(|c| "\\/:*<>.|?\"%&+".contains(c)) {
        return Err(VaultError::invalid(
            "safeName",
            format!("The safe name [{name}] is too long or contains a forbidden character."),
        ));
    }
    let nullable = |key: &str| -> Result<Option<Option<i64>>, VaultError> {
        match field(&body, key) {
            None => Ok(None),
            Some(Value::Null) => Ok(Some(None)),
            Some(_) => Ok(Some(integer(&body, key)?)),
        }
    };
    let input = SafeInput {
        description: string(&body, "description")?,
        location: string(&body, "location")?,
        olac: boolean(&body, "olacEnabled")?,
        cpm: string(&body, "managingCPM")?,
        versions: nullable("numberOfVersionsRetention")?,
        days: nullable("numberOfDaysRetention")?,
        purge: boolean(&body, "autoPurgeEnabled")?,
        name,
    };
    if matches!((input.versions, input.days), (Some(Some(_)), Some(Some(_)))) {
        return Err(VaultError::invalid(
            "numberOfVersionsRetention",
            "Send numberOfVersionsRetention or numberOfDaysRetention, not both.",
        ));
    }
    Ok(input)
}

fn apply(s: &mut Safe, input: SafeInput) -> Result<(), VaultError> {
    if let Some(d) = input.description {
        s.description = d;
    }
    if let Some(l) = input.location {
        s.location = if l.is_empty() { "\\".into() } else { l };
    }
    if let Some(o) = input.olac {
        if s.olac && !o {
            return Err(VaultError::invalid(
                "olacEnabled",
                "Object level access control cannot be turned off.",
            ));
        }
        s.olac = o;
    }
    if let Some(c) = input.cpm {
        s.managing_cpm = c;
    }
    if let Some(v) = input.versions {
        s.versions_retention = v;
        if v.is_some() {
            s.days_retention = None;
        }
    }
    if let Some(d) = input.days {
        s.days_retention = d;
        if d.is_some() {
            s.versions_retention = None;
        }
    }
    if let Some(p) = input.purge {
        s.auto_purge = p;
    }
    s.modified_us = now() * 1_000_000;
    Ok(())
}

/// S-3: needs the `AddSafes` authorization; the creator becomes a full member.
pub fn add(ctx: &Ctx<'_>) -> Outcome {
    let input = safe_input(ctx)?;
    let mut v = ctx.app.vault();
    authorized(&v, &ctx.caller.name, "AddSafes")?;
    if v.safe(&input.name).is_some() {
        return Err(VaultError::conflict(
            "SFWS0002E",
            format!("Safe [{}] already exists.", input.name),
        ));
    }
    let creator = ctx.caller.name.clone();
    let extra = if creator.eq_ignore_ascii_case(super::super::seed::ADMIN_USERNAME) {
        Vec::new()
    } else {
        vec![member(&v, &creator, &super::super::state::PERMISSIONS)]
    };
    let name = input.name.clone();
    add_safe(&mut v, &name, "", &creator, extra);
    let s = v
        .safe_mut(&name)
        .ok_or_else(|| VaultError::not_found("Safe", &name))?;
    apply(s, input)?;
    Ok(json(201, &s.to_json()))
}

/// S-4: needs `manageSafe`; the name cannot change here.
pub fn update(ctx: &Ctx<'_>) -> Outcome {
    let input = safe_input(ctx)?;
    let mut v = ctx.app.vault();
    let name = visible(&v, &ctx.caller.name, ctx.param(0))?.name.clone();
    require(&v, &ctx.caller.name, &name, "manageSafe")?;
    if !input.name.eq_ignore_ascii_case(&name) {
        return Err(VaultError::invalid(
            "safeName",
            "A safe cannot be renamed by this operation.",
        ));
    }
    let s = v
        .safe_mut(&name)
        .ok_or_else(|| VaultError::not_found("Safe", &name))?;
    apply(s, input)?;
    Ok(json(200, &s.to_json()))
}

/// S-5: needs `manageSafe`; removes the safe's accounts too.
pub fn delete(ctx: &Ctx<'_>) -> Outcome {
    let mut v = ctx.app.vault();
    let name = visible(&v, &ctx.caller.name, ctx.param(0))?.name.clone();
    require(&v, &ctx.caller.name, &name, "manageSafe")?;
    v.safes.remove(&name.to_lowercase());
    v.accounts.retain(|_, a| a.safe != name);
    let accounts = &v.accounts;
    let order: Vec<String> = v
        .order
        .iter()
        .filter(|id| accounts.contains_key(*id))
        .cloned()
        .collect();
    v.order = order;
    Ok(Reply::empty(204))
}

/// S-6: every platform of the sandbox allows every safe (`.*`).
pub fn for_platform(ctx: &Ctx<'_>) -> Outcome {
    let v = ctx.app.vault();
    v.platform(ctx.param(0))
        .ok_or_else(|| VaultError::not_found("Platform", ctx.param(0)))?;
    let list: Vec<Value> = v
        .safes
        .values()
        .filter(|s| s.member(&ctx.caller.name).is_some())
        .map(|s| j!({"safeName": s.name, "safeUrlId": url_id(&s.name)}))
        .collect();
    Ok(json(200, &j!({"value": list, "count": list.len()})))
}

/// M-1: needs `viewSafeMembers`.
pub fn members(ctx: &Ctx<'_>) -> Outcome {
    let v = ctx.app.vault();
    let s = visible(&v, &ctx.caller.name, ctx.param(0))?;
    require(&v, &ctx.caller.name, &s.name, "viewSafeMembers")?;
    let filter = ctx.query.get("filter").unwrap_or("").to_lowercase();
    let search = ctx.query.get("search");
    let items = s
        .members
        .iter()
        .filter(|m| !filter.contains("membertype eq group") || m.member_type == "Group")
        .filter(|m| !filter.contains("membertype eq user") || m.member_type == "User")
        .filter(|m| !m.predefined || filter.contains("includepredefinedusers eq true"))
        .filter(|m| matches_search(search, &[&m.name], false))
        .map(|m| s.member_json(m))
        .collect();
    nextlink_page(
        ctx,
        items,
        25,
        &format!("api/Safes/{}/Members", url_id(&s.name)),
        &["filter", "search", "sort"],
    )
}

/// M-2.
pub fn get_member(ctx: &Ctx<'_>) -> Outcome {
    ctx.query.bool("useCache")?;
    let v = ctx.app.vault();
    let s = visible(&v, &ctx.caller.name, ctx.param(0))?;
    require(&v, &ctx.caller.name, &s.name, "viewSafeMembers")?;
    let m = s
        .member(ctx.param(1))
        .ok_or_else(|| VaultError::not_found("Safe member", ctx.param(1)))?;
    Ok(json(200, &s.member_json(m)))
}

fn permissions(
    body: &Map<String, Value>,
) -> Result<Option<std::collections::BTreeMap<String, bool>>, VaultError> {
    let Some(p) = field(body, "permissions") else {
        return Ok(None);
    };
    let p = p
        .as_object()
        .ok_or_else(|| VaultError::invalid("permissions", "permissions must be an object."))?;
    let mut out = all_permissions(false);
    for name in super::super::state::PERMISSIONS {
        if let Some(b) = boolean(p, name)? {
            out.insert(name.to_owned(), b);
        }
    }
    Ok(Some(out))
}

fn expiry(body: &Map<String, Value>) -> Result<Option<Option<i64>>, VaultError> {
    match field(body, "membershipExpirationDate") {
        None => Ok(None),
        Some(Value::Null) => Ok(Some(None)),
        Some(_) => Ok(Some(integer(body, "membershipExpirationDate")?)),
    }
}

/// M-3: needs `manageSafeMembers`; 409 for an existing member.
pub fn add_member(ctx: &Ctx<'_>) -> Outcome {
    let body = object(&ctx.json()?)?;
    let name = required(&body, "memberName")?;
    let member_type = match string(&body, "memberType")?
        .map(|t| t.to_lowercase())
        .as_deref()
    {
        None | Some("user") => "User",
        Some("group") => "Group",
        Some("role") => "Role",
        Some(other) => {
            return Err(VaultError::invalid(
                "memberType",
                format!("The value '{other}' is not valid for memberType."),
            ));
        }
    };
    string(&body, "searchIn")?;
    let perms = permissions(&body)?.unwrap_or_else(|| all_permissions(false));
    let expires = expiry(&body)?.flatten();
    let mut v = ctx.app.vault();
    let safe = visible(&v, &ctx.caller.name, ctx.param(0))?.name.clone();
    require(&v, &ctx.caller.name, &safe, "manageSafeMembers")?;
    let mut m = member(&v, &name, &[]);
    m.member_type = member_type.into();
    m.permissions = perms;
    m.expires = expires;
    let s = v
        .safe_mut(&safe)
        .ok_or_else(|| VaultError::not_found("Safe", &safe))?;
    if s.member(&name).is_some() {
        return Err(VaultError::conflict(
            "SFWS0012E",
            format!("[{name}] is already a member of safe [{}].", s.name),
        ));
    }
    s.members.push(m.clone());
    Ok(json(201, &s.member_json(&m)))
}

fn member_mut<'s>(s: &'s mut Safe, name: &str) -> Result<&'s mut Member, VaultError> {
    s.members
        .iter_mut()
        .find(|m| m.name.eq_ignore_ascii_case(name))
        .ok_or_else(|| VaultError::not_found("Safe member", name))
}

/// M-4: needs `manageSafeMembers`.
pub fn update_member(ctx: &Ctx<'_>) -> Outcome {
    let body = object(&ctx.json()?)?;
    let perms = permissions(&body)?;
    let expires = expiry(&body)?;
    let mut v = ctx.app.vault();
    let safe = visible(&v, &ctx.caller.name, ctx.param(0))?.name.clone();
    require(&v, &ctx.caller.name, &safe, "manageSafeMembers")?;
    let s = v
        .safe_mut(&safe)
        .ok_or_else(|| VaultError::not_found("Safe", &safe))?;
    let m = member_mut(s, ctx.param(1))?;
    if let Some(p) = perms {
        m.permissions = p;
    }
    if let Some(e) = expires {
        m.expires = e;
    }
    let m = m.clone();
    Ok(json(200, &s.member_json(&m)))
}

/// M-5: needs `manageSafeMembers`; predefined members stay.
pub fn delete_member(ctx: &Ctx<'_>) -> Outcome {
    let mut v = ctx.app.vault();
    let safe = visible(&v, &ctx.caller.name, ctx.param(0))?.name.clone();
    require(&v, &ctx.caller.name, &safe, "manageSafeMembers")?;
    let s = v
        .safe_mut(&safe)
        .ok_or_else(|| VaultError::not_found("Safe", &safe))?;
    if member_mut(s, ctx.param(1))?.predefined {
        return Err(VaultError::forbidden(
            "a predefined member cannot be removed",
        ));
    }
    s.members
        .retain(|m| !m.name.eq_ignore_ascii_case(ctx.param(1)));
    Ok(Reply::empty(204))
}
