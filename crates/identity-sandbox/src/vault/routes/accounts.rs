//! Accounts A1-A15: onboarding, properties, retrieval and CPM actions, enforcing the caller's
//! safe permissions on every one.

use super::super::input::{boolean, field, integer, object, required, string};
use super::super::seed::add_account;
use super::super::state::{Account, Vault, now};
use super::super::{Ctx, Outcome, VaultError, empty, json};
use super::{can, matches_search, nextlink_page_of, require};
use serde_json::Value;
use std::collections::BTreeMap;

/// The account of the path, if the caller may see it (`listAccounts` on its safe).
pub(super) fn visible<'v>(v: &'v Vault, ctx: &Ctx<'_>) -> Result<&'v Account, VaultError> {
    let id = ctx.param(0);
    let account = v
        .accounts
        .get(id)
        .ok_or_else(|| VaultError::account_not_found(id))?;
    if !can(v, &ctx.caller.name, &account.safe, "listAccounts") {
        return Err(VaultError::account_not_found(id));
    }
    Ok(account)
}

/// Looks the account up, checks `permission` on its safe and hands it out for writing.
pub(super) fn with_account<T>(
    ctx: &Ctx<'_>,
    permissions: &[&str],
    f: impl FnOnce(&mut Account) -> Result<T, VaultError>,
) -> Result<T, VaultError> {
    let mut v = ctx.app.vault();
    let safe = visible(&v, ctx)?.safe.clone();
    for p in permissions {
        require(&v, &ctx.caller.name, &safe, p)?;
    }
    let id = ctx.param(0).to_owned();
    let account = v
        .accounts
        .get_mut(&id)
        .ok_or_else(|| VaultError::account_not_found(&id))?;
    f(account)
}

/// A1: list and search, with `nextLink` paging.
pub fn list(ctx: &Ctx<'_>) -> Outcome {
    let v = ctx.app.vault();
    let search = ctx.query.get("search");
    let starts_with = match ctx
        .query
        .get("searchType")
        .map(str::to_ascii_lowercase)
        .as_deref()
    {
        None | Some("contains") => false,
        Some("startswith") => true,
        Some(other) => {
            return Err(VaultError::invalid(
                "searchType",
                format!("The value '{other}' is not valid for searchType."),
            ));
        }
    };
    const SAVED: [&str; 21] = [
        "Regular",
        "Recently",
        "New",
        "Link",
        "Deleted",
        "PolicyFailures",
        "AccessedByUsers",
        "ModifiedByUsers",
        "ModifiedByCPM",
        "DisabledPasswordByUser",
        "DisabledPasswordByCPM",
        "ScheduledForChange",
        "ScheduledForVerify",
        "ScheduledForReconcile",
        "SuccessfullyReconciled",
        "FailedChange",
        "FailedVerify",
        "FailedReconcile",
        "LockedOrNew",
        "Locked",
        "Favorites",
    ];
    if let Some(saved) = ctx.query.get("savedFilter")
        && !SAVED.contains(&saved)
    {
        return Err(VaultError::invalid(
            "savedFilter",
            format!("The value '{saved}' is not valid for savedFilter."),
        ));
    }
    let safe_filter = match ctx.query.get("filter") {
        None => None,
        Some(f) => Some(parse_filter(f)?),
    };
    let mut items: Vec<&Account> = v
        .order
        .iter()
        .filter_map(|id| v.accounts.get(id))
        .filter(|a| can(&v, &ctx.caller.name, &a.safe, "listAccounts"))
        .filter(|a| {
            matches_search(
                search,
                &[&a.name, &a.user_name, &a.address, &a.platform_id, &a.safe],
                starts_with,
            )
        })
        .filter(|a| {
            safe_filter.as_ref().is_none_or(|(safe, since)| {
                safe.as_ref().is_none_or(|s| a.safe.eq_ignore_ascii_case(s))
                    && since.is_none_or(|t| a.category_modified >= t)
            })
        })
        .collect();
    if let Some(sort) = ctx.query.get("sort") {
        let (key, desc) = sort_key(sort)?;
        items.sort_by(|a, b| {
            let (x, y) = (sort_value(a, &key), sort_value(b, &key));
            if desc { y.cmp(&x) } else { x.cmp(&y) }
        });
    }
    nextlink_page_of(
        ctx,
        items,
        |a| a.to_json(),
        50,
        "api/Accounts",
        &["search", "searchType", "sort", "filter", "savedFilter"],
    )
}

fn parse_filter(filter: &str) -> Result<(Option<String>, Option<i64>), VaultError> {
    let mut safe = None;
    let mut since = None;
    for part in filter.split(" AND ") {
        let words: Vec<&str> = part.trim().splitn(3, ' ').collect();
        match words.as_slice() {
            [k, op, value]
                if k.eq_ignore_ascii_case("safeName") && op.eq_ignore_ascii_case("eq") =>
            {
                safe = Some((*value).to_owned())
            }
            [k, op, value]
                if k.eq_ignore_ascii_case("modificationTime") && op.eq_ignore_ascii_case("gte") =>
            {
                since = Some(value.parse().map_err(|_| {
                    VaultError::invalid("filter", format!("The value '{value}' is not a time."))
                })?)
            }
            _ => {
                return Err(VaultError::invalid(
                    "filter",
                    format!("The filter '{part}' is not supported."),
                ));
            }
        }
    }
    Ok((safe, since))
}

fn sort_key(sort: &str) -> Result<(String, bool), VaultError> {
    let first = sort.split(',').next().unwrap_or("").trim();
    let mut words = first.split_whitespace();
    let key = words.next().unwrap_or("").to_owned();
    let desc = matches!(
        words.next().map(str::to_ascii_lowercase).as_deref(),
        Some("desc")
    );
    if [
        "name",
        "userName",
        "address",
        "safeName",
        "platformId",
        "createdTime",
    ]
    .iter()
    .any(|k| k.eq_ignore_ascii_case(&key))
    {
        Ok((key.to_lowercase(), desc))
    } else {
        Err(VaultError::invalid(
            "sort",
            format!("The value '{sort}' is not valid for sort."),
        ))
    }
}

fn sort_value(a: &Account, key: &str) -> String {
    match key {
        "username" => a.user_name.to_lowercase(),
        "address" => a.address.to_lowercase(),
        "safename" => a.safe.to_lowercase(),
        "platformid" => a.platform_id.to_lowercase(),
        "createdtime" => format!("{:020}", a.created),
        _ => a.name.to_lowercase(),
    }
}

/// A2.
pub fn get(ctx: &Ctx<'_>) -> Outcome {
    let v = ctx.app.vault();
    Ok(json(200, &visible(&v, ctx)?.to_json()))
}

/// A3: onboard into a safe on a platform; 409 `PASWS150E` for a name the safe already has.
pub fn add(ctx: &Ctx<'_>) -> Outcome {
    let body = object(&ctx.json()?)?;
    let platform = required(&body, "platformId")?;
    let safe = required(&body, "safeName")?;
    let name = string(&body, "name")?;
    let address = string(&body, "address")?.unwrap_or_default();
    let user_name = string(&body, "userName")?.unwrap_or_default();
    let secret_type = string(&body, "secretType")?
        .unwrap_or_else(|| "password".into())
        .to_lowercase();
    if secret_type != "password" && secret_type != "key" {
        return Err(VaultError::invalid(
            "secretType",
            format!("The value '{secret_type}' is not valid for secretType."),
        ));
    }
    let secret = string(&body, "secret")?.unwrap_or_default();
    let props = string_map(
        field(&body, "platformAccountProperties"),
        "platformAccountProperties",
    )?;
    let mut v = ctx.app.vault();
    if v.safe(&safe).is_none() {
        return Err(VaultError::not_found("Safe", &safe));
    }
    require(&v, &ctx.caller.name, &safe, "addAccounts")?;
    let platform = v
        .platform(&platform)
        .filter(|p| p.kind == "Regular")
        .map(|p| p.id.clone())
        .ok_or_else(|| {
            VaultError::invalid(
                "platformId",
                format!("Platform [{platform}] does not exist or is not a target platform."),
            )
        })?;
    let allow_duplicates = ctx.query.bool("AllowAccountDuplications")?.unwrap_or(false);
    let generated = name
        .clone()
        .unwrap_or_else(|| format!("Operating System-{platform}-{address}-{user_name}"));
    if !allow_duplicates
        && v.accounts
            .values()
            .any(|a| a.safe.eq_ignore_ascii_case(&safe) && a.name.eq_ignore_ascii_case(&generated))
    {
        return Err(VaultError::conflict(
            "PASWS150E",
            format!("An account named [{generated}] already exists in safe [{safe}]."),
        ));
    }
    let id = add_account(
        &mut v,
        &safe,
        &platform,
        &address,
        &user_name,
        name,
        secret,
        &secret_type,
        props,
        &ctx.caller.name,
    )
    .ok_or_else(|| VaultError::not_found("Safe", &safe))?;
    let account = v
        .accounts
        .get_mut(&id)
        .ok_or_else(|| VaultError::account_not_found(&id))?;
    if let Some(sm) = field(&body, "secretManagement").and_then(Value::as_object) {
        if let Some(auto) = boolean(sm, "automaticManagementEnabled")? {
            account.automatic = auto;
        }
        account.manual_reason = string(sm, "manualManagementReason")?;
    }
    if let Some(rm) = field(&body, "remoteMachinesAccess").and_then(Value::as_object) {
        account.remote = Some((
            string(rm, "remoteMachines")?.unwrap_or_default(),
            boolean(rm, "accessRestrictedToRemoteMachines")?.unwrap_or(false),
        ));
    }
    Ok(json(201, &account.to_json()))
}

fn string_map(value: Option<&Value>, name: &str) -> Result<BTreeMap<String, String>, VaultError> {
    match value {
        None | Some(Value::Null) => Ok(BTreeMap::new()),
        Some(Value::Object(map)) => map
            .iter()
            .map(|(k, v)| match v {
                Value::String(s) => Ok((k.clone(), s.clone())),
                Value::Number(_) | Value::Bool(_) => Ok((k.clone(), v.to_string())),
                _ => Err(VaultError::invalid(
                    name,
                    format!("Property [{k}] must be a string."),
                )),
            })
            .collect(),
        Some(_) => Err(VaultError::invalid(
            name,
            format!("{name} must be an object."),
        )),
    }
}

/// A4: a JSON Patch array; `replace` needs the property to exist, `add` creates it.
pub fn update(ctx: &Ctx<'_>) -> Outcome {
    let ops = match ctx.json()? {
        Value::Array(ops) => ops,
        // The real server fails this way when the array is wrapped in an object (psPAS #326).
        _ => {
            return Err(VaultError::invalid(
                "body",
                "The request body must be a JSON Patch array.",
            ));
        }
    };
    let caller = ctx.caller.name.clone();
    with_account(ctx, &["updateAccountProperties"], |account| {
        let mut next = account.clone();
        for (i, op) in ops.iter().enumerate() {
            let op = op.as_object().ok_or_else(|| {
                VaultError::invalid("body", format!("Operation {i} is not an object."))
            })?;
            let kind = required(op, "op")?.to_lowercase();
            let path = required(op, "path")?;
            let value = match field(op, "value") {
                None | Some(Value::Null) => None,
                Some(Value::String(s)) => Some(s.clone()),
                Some(v @ (Value::Bool(_) | Value::Number(_))) => Some(v.to_string()),
                Some(_) => {
                    return Err(VaultError::invalid(
                        "value",
                        format!("The value of operation {i} must be a string."),
                    ));
                }
            };
            apply(&mut next, &kind, &path, value)?;
        }
        next.category_modified = now();
        next.log(&caller, "Update account properties", 280, "PVWA", "");
        *account = next;
        Ok(json(200, &account.to_json()))
    })
}

fn apply(a: &mut Account, op: &str, path: &str, value: Option<String>) -> Result<(), VaultError> {
    let bad = |m: String| VaultError::invalid("path", m);
    let need = |v: Option<String>| {
        v.ok_or_else(|| {
            VaultError::invalid("value", format!("Operation on [{path}] needs a value."))
        })
    };
    let key = path.trim_start_matches('/');
    let lower = key.to_lowercase();
    if !["add", "replace", "remove"].contains(&op) {
        return Err(VaultError::invalid(
            "op",
            format!("The value '{op}' is not valid for op."),
        ));
    }
    match lower.as_str() {
        "name" => a.name = need(value)?,
        "address" => a.address = need(value)?,
        "username" => a.user_name = need(value)?,
        "platformid" => a.platform_id = need(value)?,
        "secretmanagement/automaticmanagementenabled" => {
            a.automatic = need(value)?.eq_ignore_ascii_case("true");
        }
        "secretmanagement/manualmanagementreason" => {
            a.manual_reason = if op == "remove" {
                None
            } else {
                Some(need(value)?)
            }
        }
        "remotemachinesaccess/remotemachines" => {
            let restricted = a.remote.as_ref().is_some_and(|r| r.1);
            a.remote = if op == "remove" {
                None
            } else {
                Some((need(value)?, restricted))
            };
        }
        "remotemachinesaccess/accessrestrictedtoremotemachines" => {
            let machines = a.remote.clone().map(|r| r.0).unwrap_or_default();
            a.remote = Some((machines, need(value)?.eq_ignore_ascii_case("true")));
        }
        _ => {
            // `/platformAccountProperties/<Name>`, or the bare `/<Name>` shorthand clients send.
            let name = key
                .split_once('/')
                .filter(|(head, _)| head.eq_ignore_ascii_case("platformAccountProperties"))
                .map_or(key, |(_, rest)| rest);
            if name.is_empty() || name.contains('/') {
                return Err(bad(format!(
                    "The path [{path}] is not a property of the account."
                )));
            }
            let existing = a
                .props
                .keys()
                .find(|k| k.eq_ignore_ascii_case(name))
                .cloned();
            match (op, existing) {
                ("remove", Some(k)) => {
                    a.props.remove(&k);
                }
                ("remove", None) | ("replace", None) => {
                    return Err(bad(format!(
                        "The property [{name}] does not exist on the account; use `add`."
                    )));
                }
                (_, Some(k)) => {
                    a.props.insert(k, need(value)?);
                }
                (_, None) => {
                    a.props.insert(name.to_owned(), need(value)?);
                }
            }
        }
    }
    Ok(())
}

/// A5.
pub fn delete(ctx: &Ctx<'_>) -> Outcome {
    let mut v = ctx.app.vault();
    let safe = visible(&v, ctx)?.safe.clone();
    require(&v, &ctx.caller.name, &safe, "deleteAccounts")?;
    let id = ctx.param(0).to_owned();
    v.accounts.remove(&id);
    v.order.retain(|x| *x != id);
    Ok(crate::envelope::Reply::empty(204))
}

/// A15: link another account of the Vault into a slot.
pub fn link(ctx: &Ctx<'_>) -> Outcome {
    let body = object(&ctx.json()?)?;
    let safe = required(&body, "safe")?;
    let name = required(&body, "name")?;
    let index = integer(&body, "extraPasswordIndex")?
        .ok_or_else(|| VaultError::missing("extraPasswordIndex"))?;
    if !(1..=3).contains(&index) {
        return Err(VaultError::invalid(
            "extraPasswordIndex",
            "extraPasswordIndex must be 1, 2 or 3.",
        ));
    }
    string(&body, "folder")?;
    let linked_id = {
        let v = ctx.app.vault();
        v.accounts
            .values()
            .find(|a| a.safe.eq_ignore_ascii_case(&safe) && a.name.eq_ignore_ascii_case(&name))
            .map(|a| (a.id.clone(), format!("{}-{}", a.address, a.user_name)))
            .ok_or_else(|| VaultError::not_found("Account", &format!("{safe}/{name}")))?
    };
    with_account(ctx, &["updateAccountProperties"], |account| {
        account.linked.insert(index, linked_id);
        account.category_modified = now();
        Ok(empty())
    })
}

/// A15: empty a slot.
pub fn unlink(ctx: &Ctx<'_>) -> Outcome {
    let index: i64 = ctx
        .param(1)
        .parse()
        .ok()
        .filter(|i| (1..=3).contains(i))
        .ok_or_else(|| {
            VaultError::invalid(
                "extraPasswordIndex",
                "extraPasswordIndex must be 1, 2 or 3.",
            )
        })?;
    with_account(ctx, &["updateAccountProperties"], |account| {
        account.linked.remove(&index);
        account.category_modified = now();
        Ok(empty())
    })
}
