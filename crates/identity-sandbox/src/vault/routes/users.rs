//! Vault users: list, get, add, update, delete, activate, reset password.

use super::super::input::{field, object, required, string};
use super::super::state::VaultUser;
use super::super::{Ctx, Outcome, VaultError, empty, json};
use super::{authorized, matches_search};
use crate::envelope::Reply;
use serde_json::{Map, Value, json as j};

/// Fields the server owns: an add or update body cannot set them.
const READ_ONLY: [&str; 8] = [
    "id",
    "username",
    "source",
    "componentUser",
    "groupsMembership",
    "lastSuccessfulLoginDate",
    "suspended",
    "initialPassword",
];

fn user_id(ctx: &Ctx<'_>) -> Result<i64, VaultError> {
    ctx.param(0).parse().map_err(|_| {
        VaultError::invalid(
            "userId",
            format!("The value '{}' is not valid for userId.", ctx.param(0)),
        )
    })
}

/// Checks the typed fields of a user body, so what is stored always reads back as the spec
/// says; unknown fields are kept as sent.
fn validate(body: &Map<String, Value>) -> Result<(), VaultError> {
    for (key, value) in body {
        let k = key.as_str();
        let ok = match k {
            "personalDetails" | "businessAddress" | "internet" | "phones" => value
                .as_object()
                .is_some_and(|o| o.values().all(Value::is_string)),
            "enableUser" | "changePassOnNextLogon" | "passwordNeverExpires" => value.is_boolean(),
            "expiryDate" => value.is_null() || value.is_i64(),
            "description" | "distinguishedName" | "userType" | "location" | "username"
            | "initialPassword" => value.is_string(),
            "unAuthorizedInterfaces" | "vaultAuthorization" | "authenticationMethod" => value
                .as_array()
                .is_some_and(|a| a.iter().all(Value::is_string)),
            "id" => value.is_i64(),
            _ => true,
        };
        if !ok {
            return Err(VaultError::invalid(
                k,
                format!("The value of {k} has the wrong type."),
            ));
        }
    }
    Ok(())
}

fn doc(body: &Map<String, Value>) -> Map<String, Value> {
    body.iter()
        .filter(|(k, _)| {
            !READ_ONLY.iter().any(|r| r.eq_ignore_ascii_case(k))
                && !k.eq_ignore_ascii_case("vaultAuthorization")
                && !k.eq_ignore_ascii_case("authenticationMethod")
        })
        .map(|(k, v)| (k.clone(), v.clone()))
        .collect()
}

fn strings(body: &Map<String, Value>, name: &str) -> Result<Option<Vec<String>>, VaultError> {
    match field(body, name) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::Array(items)) => items
            .iter()
            .map(|i| {
                i.as_str()
                    .map(str::to_owned)
                    .ok_or_else(|| VaultError::invalid(name, format!("{name} must list strings.")))
            })
            .collect::<Result<_, _>>()
            .map(Some),
        Some(_) => Err(VaultError::invalid(
            name,
            format!("{name} must be an array."),
        )),
    }
}

fn methods(list: Option<Vec<String>>) -> Option<Vec<String>> {
    list.map(|l| {
        l.iter()
            .map(|m| match m.as_str() {
                "AuthTypeLDAP" => "LDAP".to_owned(),
                "AuthTypeRADIUS" => "RADIUS".to_owned(),
                _ => "CyberArk".to_owned(),
            })
            .collect()
    })
}

/// U-1: needs `AuditUsers`.
pub fn list(ctx: &Ctx<'_>) -> Outcome {
    let v = ctx.app.vault();
    authorized(&v, &ctx.caller.name, "AuditUsers")?;
    ctx.query.bool("ExtendedDetails")?;
    let search = ctx.query.get("search");
    let exact = ctx.query.get("UserName");
    let filter = ctx.query.get("filter").unwrap_or("").to_lowercase();
    let list: Vec<Value> = v
        .users
        .values()
        .filter(|u| matches_search(search, &[&u.username], false))
        .filter(|u| exact.is_none_or(|e| u.username.eq_ignore_ascii_case(e)))
        .filter(|_| !filter.contains("componentuser eq true"))
        .map(VaultUser::summary)
        .collect();
    Ok(json(200, &j!({"Users": list, "Total": list.len()})))
}

/// U-2.
pub fn get(ctx: &Ctx<'_>) -> Outcome {
    let id = user_id(ctx)?;
    let v = ctx.app.vault();
    authorized(&v, &ctx.caller.name, "AuditUsers")?;
    let u = v
        .users
        .get(&id)
        .ok_or_else(|| VaultError::not_found("User", &id.to_string()))?;
    Ok(json(200, &u.to_json()))
}

/// U-3: needs `AddUpdateUsers`; 409 `ITATS013E` for a taken name.
pub fn add(ctx: &Ctx<'_>) -> Outcome {
    let body = object(&ctx.json()?)?;
    validate(&body)?;
    let username = required(&body, "username")?;
    let password = string(&body, "initialPassword")?.unwrap_or_default();
    let auths = strings(&body, "vaultAuthorization")?.unwrap_or_default();
    let methods = methods(strings(&body, "authenticationMethod")?)
        .unwrap_or_else(|| vec!["CyberArk".to_owned()]);
    let mut v = ctx.app.vault();
    authorized(&v, &ctx.caller.name, "AddUpdateUsers")?;
    if v.user_by_name(&username).is_some() {
        return Err(VaultError::conflict(
            "ITATS013E",
            format!("Vault User / Group / Directory Map {username} has already been defined."),
        ));
    }
    let id = v.next_user;
    v.next_user += 1;
    let user = VaultUser {
        id,
        username,
        password,
        source: "CyberArk".into(),
        methods,
        suspended: false,
        failed_logons: 0,
        authorizations: auths,
        doc: doc(&body),
    };
    let out = user.to_json();
    v.users.insert(id, user);
    Ok(json(201, &out))
}

/// U-4: replaces the editable fields.
pub fn update(ctx: &Ctx<'_>) -> Outcome {
    let id = user_id(ctx)?;
    let body = object(&ctx.json()?)?;
    validate(&body)?;
    let username = required(&body, "username")?;
    let auths = strings(&body, "vaultAuthorization")?;
    let methods = methods(strings(&body, "authenticationMethod")?);
    let mut v = ctx.app.vault();
    authorized(&v, &ctx.caller.name, "AddUpdateUsers")?;
    if v.users
        .values()
        .any(|u| u.id != id && u.username.eq_ignore_ascii_case(&username))
    {
        return Err(VaultError::conflict(
            "ITATS013E",
            format!("Vault User / Group / Directory Map {username} has already been defined."),
        ));
    }
    let u = v
        .users
        .get_mut(&id)
        .ok_or_else(|| VaultError::not_found("User", &id.to_string()))?;
    u.username = username;
    u.doc = doc(&body);
    if let Some(a) = auths {
        u.authorizations = a;
    }
    if let Some(m) = methods {
        u.methods = m;
    }
    Ok(json(200, &u.to_json()))
}

/// U-5.
pub fn delete(ctx: &Ctx<'_>) -> Outcome {
    let id = user_id(ctx)?;
    let mut v = ctx.app.vault();
    authorized(&v, &ctx.caller.name, "AddUpdateUsers")?;
    let u = v
        .users
        .get(&id)
        .ok_or_else(|| VaultError::not_found("User", &id.to_string()))?;
    if u.username.eq_ignore_ascii_case(&ctx.caller.name) {
        return Err(VaultError::forbidden("a user cannot delete itself"));
    }
    let name = u.username.clone();
    v.users.remove(&id);
    v.tokens.retain(|_, s| !s.user.eq_ignore_ascii_case(&name));
    Ok(Reply::empty(204))
}

/// U-6: needs `ActivateUsers`.
pub fn activate(ctx: &Ctx<'_>) -> Outcome {
    let id = user_id(ctx)?;
    let mut v = ctx.app.vault();
    authorized(&v, &ctx.caller.name, "ActivateUsers")?;
    let u = v
        .users
        .get_mut(&id)
        .ok_or_else(|| VaultError::not_found("User", &id.to_string()))?;
    u.suspended = false;
    u.failed_logons = 0;
    Ok(empty())
}

/// U-8: needs `ResetUsersPasswords`; the same password twice breaks the history rule.
pub fn reset_password(ctx: &Ctx<'_>) -> Outcome {
    let id = user_id(ctx)?;
    let body = object(&ctx.json()?)?;
    let password = required(&body, "newPassword")?;
    let mut v = ctx.app.vault();
    authorized(&v, &ctx.caller.name, "ResetUsersPasswords")?;
    let u = v
        .users
        .get_mut(&id)
        .ok_or_else(|| VaultError::not_found("User", &id.to_string()))?;
    if u.password == password {
        return Err(VaultError::new(
            400,
            "EPVWF061E",
            "The new password was used recently (password history policy).",
        ));
    }
    u.password = password;
    u.doc.insert("changePassOnNextLogon".into(), true.into());
    Ok(empty())
}
