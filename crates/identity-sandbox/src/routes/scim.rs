//! SCIM 2.0: users (sharing the Cloud Directory store) and groups, with RFC 7644 errors.

use super::Ctx;
use crate::envelope::Reply;
use crate::ids;
use crate::state::Tenant;
use crate::state::scim::ScimGroup;
use crate::state::users::{ScimExtras, User};
use serde_json::{Map, Value, json};

const USER_SCHEMA: &str = "urn:ietf:params:scim:schemas:core:2.0:User";
const GROUP_SCHEMA: &str = "urn:ietf:params:scim:schemas:core:2.0:Group";
const LIST_SCHEMA: &str = "urn:ietf:params:scim:api:messages:2.0:ListResponse";

/// Base URL of resource locations, from the request's Host header.
fn base(ctx: &Ctx) -> String {
    let host = ctx
        .headers
        .get(hyper::header::HOST)
        .and_then(|h| h.to_str().ok())
        .unwrap_or("127.0.0.1");
    format!("http://{host}/scim")
}

fn group_json(g: &ScimGroup, base: &str) -> Value {
    let members: Vec<Value> = g
        .members
        .iter()
        .map(|m| json!({"value": m.value, "$ref": format!("{base}/Users/{}", m.value), "display": m.display}))
        .collect();
    json!({
        "schemas": [GROUP_SCHEMA],
        "id": g.id,
        "displayName": g.display_name,
        "members": members,
        "meta": {"resourceType": "Group", "created": ids::rfc3339(g.created_ms),
                 "lastModified": ids::rfc3339(g.modified_ms), "location": format!("{base}/Groups/{}", g.id)},
    })
}

/// A parsed filter `<attribute> <op> "<value>"`.
struct Filter {
    attr: String,
    op: String,
    value: String,
}

fn parse_filter(text: &str) -> Option<Filter> {
    let text = text.trim();
    let (attr, rest) = text.split_once(char::is_whitespace)?;
    let (op, value) = rest.trim_start().split_once(char::is_whitespace)?;
    let value = value.trim();
    let value = if value.len() >= 2 && value.starts_with('"') && value.ends_with('"') {
        value[1..value.len() - 1].replace("\\\"", "\"")
    } else {
        return None;
    };
    let attr = attr.to_ascii_lowercase();
    let op = op.to_ascii_lowercase();
    let known_attr = matches!(
        attr.as_str(),
        "displayname" | "id" | "members.value" | "members.display"
    );
    let known_op = matches!(op.as_str(), "eq" | "sw" | "co" | "ew");
    (known_attr && known_op).then_some(Filter { attr, op, value })
}

fn matches(op: &str, have: &str, want: &str) -> bool {
    // String comparisons are case-insensitive (caseExact is false for these attributes).
    let (have, want) = (have.to_lowercase(), want.to_lowercase());
    match op {
        "eq" => have == want,
        "sw" => have.starts_with(&want),
        "co" => have.contains(&want),
        _ => have.ends_with(&want),
    }
}

fn group_matches(g: &ScimGroup, f: &Filter) -> bool {
    match f.attr.as_str() {
        "displayname" => matches(&f.op, &g.display_name, &f.value),
        "id" => matches(&f.op, &g.id, &f.value),
        "members.value" => g.members.iter().any(|m| matches(&f.op, &m.value, &f.value)),
        _ => g
            .members
            .iter()
            .any(|m| matches(&f.op, &m.display, &f.value)),
    }
}

fn int_param(ctx: &Ctx, key: &str) -> Result<Option<i64>, Reply> {
    match ctx.query.get(key) {
        None | Some("") => Ok(None),
        Some(v) => v.trim().parse::<i64>().map(Some).map_err(|_| {
            Reply::scim_error(
                400,
                Some("invalidValue"),
                format!("{key} must be an integer, got '{v}'."),
            )
        }),
    }
}

/// GET /scim/Groups.
pub fn list_groups(ctx: &Ctx) -> Reply {
    let filter = match ctx.query.get("filter").filter(|f| !f.trim().is_empty()) {
        Some(text) => match parse_filter(text) {
            Some(f) => Some(f),
            None => {
                return Reply::scim_error(
                    400,
                    Some("invalidFilter"),
                    "The specified filter syntax was invalid.",
                );
            }
        },
        None => None,
    };
    // RFC 7644 section 3.4.2.4: a startIndex below 1 means 1 and a negative count means 0.
    let start = match int_param(ctx, "startIndex") {
        Ok(v) => v.unwrap_or(1).max(1) as usize,
        Err(reply) => return reply,
    };
    let count = match int_param(ctx, "count") {
        Ok(v) => v.map(|c| c.max(0) as usize),
        Err(reply) => return reply,
    };
    let base = base(ctx);
    let t = ctx.app.read();
    let matching: Vec<&ScimGroup> = t
        .groups
        .by_id
        .values()
        .filter(|g| filter.as_ref().is_none_or(|f| group_matches(g, f)))
        .collect();
    let page: Vec<Value> = matching
        .iter()
        .skip(start - 1)
        .take(count.unwrap_or(usize::MAX))
        .map(|g| group_json(g, &base))
        .collect();
    Reply::scim(
        200,
        &json!({"schemas": [LIST_SCHEMA], "totalResults": matching.len(), "itemsPerPage": page.len(),
                "startIndex": start, "Resources": page}),
    )
}

/// DELETE /scim/Groups/{id}.
pub fn delete_group(ctx: &Ctx) -> Reply {
    let id = ctx.route.param.clone().unwrap_or_default();
    let mut t = ctx.app.write();
    match t.groups.by_id.shift_remove(&id) {
        Some(_) => Reply::empty(204),
        None => Reply::scim_error(404, None, format!("Resource {id} not found")),
    }
}

/// A SCIM user resource.
fn user_json(u: &User, base: &str) -> Value {
    let mut m = Map::new();
    m.insert("schemas".into(), json!([USER_SCHEMA]));
    m.insert("id".into(), u.scim_id.clone().into());
    if let Some(e) = &u.scim.external_id {
        m.insert("externalId".into(), e.clone().into());
    }
    m.insert("userName".into(), u.name.clone().into());
    if let Some(n) = &u.scim.name {
        m.insert("name".into(), n.clone());
    }
    if let Some(d) = &u.display_name {
        m.insert("displayName".into(), d.clone().into());
    }
    m.insert("active".into(), (!u.state.disabled).into());
    let emails = u.scim.emails.clone().or_else(|| {
        u.mail
            .as_ref()
            .map(|mail| json!([{"value": mail, "type": "work", "primary": true}]))
    });
    if let Some(e) = emails {
        m.insert("emails".into(), e);
    }
    let phones = u.scim.phone_numbers.clone().or_else(|| {
        let list: Vec<Value> = [
            (&u.mobile, "mobile"),
            (&u.office, "work"),
            (&u.home, "home"),
        ]
        .into_iter()
        .filter_map(|(v, kind)| v.as_ref().map(|v| json!({"value": v, "type": kind})))
        .collect();
        (!list.is_empty()).then_some(Value::Array(list))
    });
    if let Some(p) = phones {
        m.insert("phoneNumbers".into(), p);
    }
    if let Some(l) = &u.scim.preferred_language {
        m.insert("preferredLanguage".into(), l.clone().into());
    }
    m.insert(
        "meta".into(),
        json!({"resourceType": "User", "created": ids::rfc3339(u.created_ms),
               "lastModified": ids::rfc3339(u.modified_ms), "location": format!("{base}/Users/{}", u.scim_id),
               "version": format!("W/\"{}\"", u.version)}),
    );
    Value::Object(m)
}

/// What a SCIM user body says, validated against the ScimUser schema.
struct Incoming {
    user_name: String,
    password: Option<String>,
    display_name: Option<String>,
    active: bool,
    extras: ScimExtras,
}

fn invalid(detail: impl Into<String>) -> Reply {
    Reply::scim_error(400, Some("invalidValue"), detail)
}

fn opt_string(m: &Map<String, Value>, key: &str) -> Result<Option<String>, Reply> {
    match m.get(key) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(s)) => Ok(Some(s.clone())),
        Some(_) => Err(invalid(format!("Attribute '{key}' must be a string."))),
    }
}

/// Keeps the known sub-attributes of each object in a multi-valued attribute, checking types.
fn multi(
    m: &Map<String, Value>,
    key: &str,
    fields: &[(&str, bool)],
) -> Result<Option<Value>, Reply> {
    let items = match m.get(key) {
        None | Some(Value::Null) => return Ok(None),
        Some(Value::Array(items)) => items,
        Some(_) => return Err(invalid(format!("Attribute '{key}' must be an array."))),
    };
    let mut out = Vec::new();
    for item in items {
        let Value::Object(obj) = item else {
            return Err(invalid(format!("Items of '{key}' must be objects.")));
        };
        let mut kept = Map::new();
        for (name, boolean) in fields {
            match (obj.get(*name), boolean) {
                (None | Some(Value::Null), _) => {}
                (Some(Value::Bool(b)), true) => {
                    kept.insert((*name).into(), (*b).into());
                }
                (Some(Value::String(s)), false) => {
                    kept.insert((*name).into(), s.clone().into());
                }
                _ => {
                    return Err(invalid(format!(
                        "Attribute '{key}.{name}' has the wrong type."
                    )));
                }
            }
        }
        out.push(Value::Object(kept));
    }
    Ok(Some(Value::Array(out)))
}

fn parse_user(ctx: &Ctx, creating: bool) -> Result<Incoming, Reply> {
    let value: Value = serde_json::from_slice(&ctx.body).map_err(|e| {
        Reply::scim_error(
            400,
            Some("invalidSyntax"),
            format!("The request body is not valid JSON: {e}"),
        )
    })?;
    let Value::Object(m) = value else {
        return Err(Reply::scim_error(
            400,
            Some("invalidSyntax"),
            "The request body must be a JSON object.",
        ));
    };
    let schemas_ok = match m.get("schemas") {
        Some(Value::Array(s)) => {
            s.iter().all(Value::is_string) && s.iter().any(|v| v.as_str() == Some(USER_SCHEMA))
        }
        _ => false,
    };
    if !schemas_ok {
        return Err(invalid(format!(
            "Attribute 'schemas' must be an array including \"{USER_SCHEMA}\"."
        )));
    }
    let user_name = opt_string(&m, "userName")?
        .filter(|u| !u.trim().is_empty())
        .ok_or_else(|| invalid("Attribute 'userName' is required."))?;
    let password = opt_string(&m, "password")?;
    if creating && password.as_deref().is_none_or(str::is_empty) {
        return Err(invalid(
            "Attribute 'password' is required when creating a user.",
        ));
    }
    let active = match m.get("active") {
        None | Some(Value::Null) => true,
        Some(Value::Bool(b)) => *b,
        Some(_) => return Err(invalid("Attribute 'active' must be a boolean.")),
    };
    let name = match m.get("name") {
        None | Some(Value::Null) => None,
        Some(Value::Object(n)) => {
            let mut kept = Map::new();
            for key in ["givenName", "familyName", "formatted"] {
                if let Some(v) = opt_string(n, key)? {
                    kept.insert(key.into(), v.into());
                }
            }
            Some(Value::Object(kept))
        }
        Some(_) => return Err(invalid("Attribute 'name' must be an object.")),
    };
    // `id` and `meta` are read-only and ignored, but must still have the right types.
    opt_string(&m, "id")?;
    Ok(Incoming {
        user_name,
        password,
        display_name: opt_string(&m, "displayName")?,
        active,
        extras: ScimExtras {
            external_id: opt_string(&m, "externalId")?,
            name,
            emails: multi(
                &m,
                "emails",
                &[("value", false), ("type", false), ("primary", true)],
            )?,
            phone_numbers: multi(&m, "phoneNumbers", &[("value", false), ("type", false)])?,
            preferred_language: opt_string(&m, "preferredLanguage")?,
        },
    })
}

/// Copies a SCIM body onto a user: a full replace of every SCIM-mapped attribute.
fn apply(u: &mut User, inc: Incoming) {
    let first = |list: &Option<Value>, want: Option<&str>| -> Option<String> {
        let items = list.as_ref()?.as_array()?;
        let pick = match want {
            Some(kind) => items
                .iter()
                .find(|i| i.get("type").and_then(Value::as_str) == Some(kind)),
            None => items
                .iter()
                .find(|i| i.get("primary") == Some(&Value::Bool(true)))
                .or_else(|| items.first()),
        };
        pick?.get("value")?.as_str().map(str::to_owned)
    };
    let formatted = inc.extras.name.as_ref().and_then(|n| {
        n.get("formatted")
            .and_then(Value::as_str)
            .map(str::to_owned)
            .or_else(|| {
                let parts: Vec<&str> = ["givenName", "familyName"]
                    .iter()
                    .filter_map(|k| n.get(*k).and_then(Value::as_str))
                    .collect();
                (!parts.is_empty()).then(|| parts.join(" "))
            })
    });
    u.display_name = inc.display_name.or(formatted);
    u.mail = first(&inc.extras.emails, None);
    u.mobile = first(&inc.extras.phone_numbers, Some("mobile"));
    u.office = first(&inc.extras.phone_numbers, Some("work"));
    u.home = first(&inc.extras.phone_numbers, Some("home"));
    u.preferred_culture = inc.extras.preferred_language.clone();
    u.state.disabled = !inc.active;
    if let Some(p) = inc.password {
        u.password = Some(p);
    }
    u.scim = inc.extras;
}

fn conflict(name: &str) -> Reply {
    Reply::scim_error(
        409,
        Some("uniqueness"),
        format!("userName {name} is already in use"),
    )
}

/// POST /scim/Users: creates a Cloud Directory user.
pub fn create_user(ctx: &Ctx) -> Reply {
    let inc = match parse_user(ctx, true) {
        Ok(inc) => inc,
        Err(reply) => return reply,
    };
    let name = inc.user_name.clone();
    let mut user = User::new(&name);
    apply(&mut user, inc);
    let base = base(ctx);
    let mut t: std::sync::RwLockWriteGuard<'_, Tenant> = ctx.app.write();
    match t.users.insert(user) {
        Ok(uuid) => match t.users.get(&uuid) {
            Some(u) => {
                let location = format!("{base}/Users/{}", u.scim_id);
                Reply::scim(201, &user_json(u, &base)).header("location", location)
            }
            None => Reply::scim_error(500, None, "The user vanished after creation."),
        },
        Err(_) => conflict(&name),
    }
}

/// PUT /scim/Users/{id}: full replace.
pub fn replace_user(ctx: &Ctx) -> Reply {
    let id = ctx.route.param.clone().unwrap_or_default();
    let inc = match parse_user(ctx, false) {
        Ok(inc) => inc,
        Err(reply) => return reply,
    };
    let base = base(ctx);
    let mut t = ctx.app.write();
    let Some(uuid) = t.users.by_scim(&id).map(|u| u.uuid.clone()) else {
        return Reply::scim_error(404, None, format!("Resource {id} not found"));
    };
    let name = inc.user_name.clone();
    if t.users.rename(&uuid, &name).is_err() {
        return conflict(&name);
    }
    match t.users.get_mut(&uuid) {
        Some(u) => {
            apply(u, inc);
            u.touch();
            Reply::scim(200, &user_json(u, &base))
        }
        None => Reply::scim_error(404, None, format!("Resource {id} not found")),
    }
}
