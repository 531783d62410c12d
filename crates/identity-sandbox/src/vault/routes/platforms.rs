//! Platforms: the summary list, a platform's policy, and the target / dependent / group lists.

use super::super::{Ctx, Outcome, VaultError, json};
use super::matches_search;
use serde_json::{Value, json as j};

/// `GET /API/Platforms` with `Active`, `PlatformType` and `Search`.
pub fn list(ctx: &Ctx<'_>) -> Outcome {
    let v = ctx.app.vault();
    let active = ctx.query.bool("Active")?;
    let kind = ctx.query.get("PlatformType").map(str::to_ascii_lowercase);
    if kind
        .as_deref()
        .is_some_and(|k| k != "regular" && k != "group")
    {
        return Err(VaultError::invalid(
            "PlatformType",
            "PlatformType must be Regular or Group.",
        ));
    }
    let search = ctx
        .query
        .get("Search")
        .or_else(|| ctx.query.get("PlatformName"));
    let list: Vec<Value> = v
        .platforms
        .iter()
        .filter(|p| p.kind == "Regular" || p.kind == "Group")
        .filter(|p| active.is_none_or(|a| p.active == a))
        .filter(|p| {
            kind.as_deref()
                .is_none_or(|k| p.kind.eq_ignore_ascii_case(k))
        })
        .filter(|p| matches_search(search, &[&p.id, &p.name], false))
        .map(|p| p.summary())
        .collect();
    Ok(json(200, &j!({"Platforms": list, "Total": list.len()})))
}

/// `GET /API/Platforms/{id}`.
pub fn get(ctx: &Ctx<'_>) -> Outcome {
    let v = ctx.app.vault();
    let p = v
        .platform(ctx.param(0))
        .ok_or_else(|| VaultError::not_found("Platform", ctx.param(0)))?;
    Ok(json(200, &p.details()))
}

/// The target (`Regular`), dependent, group and rotational group lists.
pub fn entries(ctx: &Ctx<'_>, kind: &str) -> Outcome {
    let v = ctx.app.vault();
    let search = ctx.query.get("search");
    let active_only = ctx
        .query
        .get("Filter")
        .is_some_and(|f| f.to_lowercase().replace(' ', "").contains("activeeqtrue"));
    let list: Vec<Value> = v
        .platforms
        .iter()
        .filter(|p| p.kind == kind && (!active_only || p.active))
        .filter(|p| matches_search(search, &[&p.id, &p.name], false))
        .map(|p| p.entry())
        .collect();
    Ok(json(200, &j!({"Platforms": list, "Total": list.len()})))
}
