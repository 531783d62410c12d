//! Org: organizations, their members, administrators, permissions and roles.

use super::query_table::{TEXT, Table, column};
use super::{Ctx, Outcome};
use crate::envelope::{ApiError, ErrorKind, ok, ok_null};
use crate::ids;
use crate::input::{Body, field_str};
use crate::state::Tenant;
use crate::state::orgs::{Org, OrgAdministrator, OrgMember, OrgPermission};
use serde_json::{Map, Value, json};

static ADMIN_COLUMNS: [super::query_table::Column; 4] = [
    column("ID", TEXT),
    column("Name", TEXT),
    column("Type", TEXT),
    column("DirectoryServiceUuid", TEXT),
];

fn org_id(body: &Body) -> Result<String, ApiError> {
    body.str_req("OrgId")
}

fn org_mut<'t>(t: &'t mut Tenant, id: &str) -> Result<&'t mut Org, ApiError> {
    t.orgs.by_id.get_mut(id).ok_or_else(|| not_found(id))
}

fn not_found(id: &str) -> ApiError {
    ApiError::new(
        ErrorKind::NotFound,
        format!("Organization {id} does not exist."),
    )
}

fn org_json(o: &Org) -> Value {
    json!({"ID": o.id, "Name": o.name, "Description": o.description, "MemberCount": o.members.len()})
}

/// The objects of an array property, or a failure naming the property.
fn objects<'b>(body: &'b Body, key: &str) -> Result<Vec<&'b Map<String, Value>>, ApiError> {
    let Some(items) = body.array_opt(key)? else {
        return Ok(Vec::new());
    };
    items
        .iter()
        .map(|v| {
            v.as_object()
                .ok_or_else(|| ApiError::invalid(format!("Every item of {key} must be an object.")))
        })
        .collect()
}

fn required(map: &Map<String, Value>, list: &str, key: &str) -> Result<String, ApiError> {
    field_str(map, key)?
        .filter(|v| !v.is_empty())
        .ok_or_else(|| ApiError::missing(&format!("{list}.{key}")))
}

/// Checks that a principal exists: users by UUID or name, roles by id or name.
fn principal_exists(t: &Tenant, id: &str, kind: &str) -> bool {
    if kind.eq_ignore_ascii_case("Role") {
        t.roles
            .iter()
            .any(|r| r.id.eq_ignore_ascii_case(id) || r.name.eq_ignore_ascii_case(id))
    } else {
        t.users.find(id).is_some()
    }
}

/// Org/Create.
pub fn create(ctx: &Ctx) -> Outcome {
    let body = ctx.json()?;
    let name = body.str_req("Name")?;
    let description = body.str_opt("Description")?;
    let mut t = ctx.app.write();
    if t.orgs.name_taken(&name, None) {
        return Err(ApiError::new(
            ErrorKind::InvalidOperation,
            format!("Organization with name {name} already exists."),
        )
        .code("1409"));
    }
    let id = ids::uuid();
    t.orgs.by_id.insert(
        id.clone(),
        Org {
            id: id.clone(),
            name,
            description,
            members: vec![],
            administrators: vec![],
            permissions: vec![],
            roles: vec![],
        },
    );
    Ok(ok(&json!({ "ID": id })))
}

/// Org/Delete.
pub fn delete(ctx: &Ctx) -> Outcome {
    let id = org_id(&ctx.json()?)?;
    let mut t = ctx.app.write();
    t.orgs
        .by_id
        .shift_remove(&id)
        .ok_or_else(|| not_found(&id))?;
    Ok(ok_null())
}

/// Org/Get.
pub fn get(ctx: &Ctx) -> Outcome {
    let id = org_id(&ctx.json()?)?;
    let t = ctx.app.read();
    let o = t.orgs.by_id.get(&id).ok_or_else(|| not_found(&id))?;
    let members: Vec<Value> = o
        .members
        .iter()
        .map(|m| json!({"ID": m.id, "Type": m.kind}))
        .collect();
    let mut v = org_json(o);
    if let Some(map) = v.as_object_mut() {
        map.insert("Members".into(), Value::Array(members));
    }
    Ok(ok(&v))
}

/// Org/ListAll.
pub fn list_all(ctx: &Ctx) -> Outcome {
    let t = ctx.app.read();
    let orgs: Vec<Value> = t.orgs.by_id.values().map(org_json).collect();
    Ok(ok(&orgs))
}

/// Org/Update.
pub fn update(ctx: &Ctx) -> Outcome {
    let body = ctx.json()?;
    let id = org_id(&body)?;
    let name = body.str_opt("Name")?;
    let description = body.str_opt("Description")?;
    let mut t = ctx.app.write();
    if let Some(name) = &name {
        if name.trim().is_empty() {
            return Err(ApiError::missing("Name"));
        }
        if t.orgs.name_taken(name, Some(&id)) {
            return Err(ApiError::new(
                ErrorKind::InvalidOperation,
                format!("Organization with name {name} already exists."),
            )
            .code("1409"));
        }
    }
    let o = org_mut(&mut t, &id)?;
    if let Some(name) = name {
        o.name = name;
    }
    if description.is_some() {
        o.description = description;
    }
    Ok(ok_null())
}

/// Org/ChangeMemberShip: `Add` and `Remove` deltas; re-adding or removing a non-member fails.
pub fn change_membership(ctx: &Ctx) -> Outcome {
    let body = ctx.json()?;
    let id = org_id(&body)?;
    let mut add = Vec::new();
    for m in objects(&body, "Add")? {
        add.push(OrgMember {
            id: required(m, "Add", "ID")?,
            kind: required(m, "Add", "Type")?,
        });
    }
    let mut remove = Vec::new();
    for m in objects(&body, "Remove")? {
        remove.push(OrgMember {
            id: required(m, "Remove", "ID")?,
            kind: required(m, "Remove", "Type")?,
        });
    }
    let mut t = ctx.app.write();
    for m in &add {
        if !principal_exists(&t, &m.id, &m.kind) {
            return Err(ApiError::new(
                ErrorKind::NotFound,
                format!("{} {} does not exist.", m.kind, m.id),
            ));
        }
    }
    let o = org_mut(&mut t, &id)?;
    let is_member =
        |o: &Org, m: &OrgMember| o.members.iter().any(|x| x.id.eq_ignore_ascii_case(&m.id));
    for m in &add {
        if is_member(o, m) {
            return Err(ApiError::new(
                ErrorKind::InvalidOperation,
                format!("{} is already a member of {}.", m.id, o.name),
            ));
        }
    }
    for m in &remove {
        if !is_member(o, m) {
            return Err(ApiError::new(
                ErrorKind::InvalidOperation,
                format!("{} is not a member of {}.", m.id, o.name),
            ));
        }
    }
    o.members
        .retain(|x| !remove.iter().any(|m| m.id.eq_ignore_ascii_case(&x.id)));
    o.members.extend(add);
    Ok(ok_null())
}

/// Org/GetAdministrators.
pub fn get_administrators(ctx: &Ctx) -> Outcome {
    let id = org_id(&ctx.json()?)?;
    let t = ctx.app.read();
    let o = t.orgs.by_id.get(&id).ok_or_else(|| not_found(&id))?;
    let rows: Vec<Value> = o
        .administrators
        .iter()
        .map(|a| {
            let name = a.system_name.clone().or_else(|| t.users.get(&a.id).map(|u| u.name.clone()));
            json!({"Entities": [{"Type": a.kind, "Key": a.id, "IsForeignKey": false}],
                   "Row": {"ID": a.id, "Name": name, "Type": a.kind, "DirectoryServiceUuid": a.directory_service_uuid}})
        })
        .collect();
    let total = rows.len();
    Ok(ok(&Table::new(&ADMIN_COLUMNS, total, rows)))
}

/// Org/UpdateAdministrators: `Grant` objects keyed `Id`, `Revoke` a list of UUIDs.
pub fn update_administrators(ctx: &Ctx) -> Outcome {
    let body = ctx.json()?;
    let id = org_id(&body)?;
    let mut grant = Vec::new();
    for g in objects(&body, "Grant")? {
        grant.push(OrgAdministrator {
            id: required(g, "Grant", "Id")?,
            kind: field_str(g, "Type")?.unwrap_or_else(|| "User".into()),
            directory_service_uuid: field_str(g, "DirectoryServiceUuid")?,
            system_name: field_str(g, "SystemName")?,
        });
    }
    let revoke = body.string_list_opt("Revoke")?.unwrap_or_default();
    let mut t = ctx.app.write();
    for g in &mut grant {
        let user = t
            .users
            .find(&g.id)
            .ok_or_else(|| ApiError::no_user(&g.id))?;
        g.id = user.uuid.clone();
        g.system_name.get_or_insert_with(|| user.name.clone());
    }
    let o = org_mut(&mut t, &id)?;
    for g in &grant {
        if o.administrators.iter().any(|a| a.id == g.id) {
            return Err(ApiError::new(
                ErrorKind::InvalidOperation,
                format!("{} is already an administrator of {}.", g.id, o.name),
            ));
        }
    }
    for r in &revoke {
        if !o
            .administrators
            .iter()
            .any(|a| a.id.eq_ignore_ascii_case(r))
        {
            return Err(ApiError::new(
                ErrorKind::InvalidOperation,
                format!("{r} is not an administrator of {}.", o.name),
            ));
        }
    }
    o.administrators
        .retain(|a| !revoke.iter().any(|r| r.eq_ignore_ascii_case(&a.id)));
    o.administrators.extend(grant);
    Ok(ok_null())
}

/// Org/GetPermission.
pub fn get_permission(ctx: &Ctx) -> Outcome {
    let id = org_id(&ctx.json()?)?;
    let t = ctx.app.read();
    let o = t.orgs.by_id.get(&id).ok_or_else(|| not_found(&id))?;
    let list: Vec<Value> = o
        .permissions
        .iter()
        .map(|p| json!({"Right": p.right, "Principal": p.principal, "PrincipalType": p.principal_type}))
        .collect();
    Ok(ok(&list))
}

/// Org/UpdatePermission.
pub fn update_permission(ctx: &Ctx) -> Outcome {
    let body = ctx.json()?;
    let id = org_id(&body)?;
    let mut grant = Vec::new();
    for g in objects(&body, "Grant")? {
        grant.push(OrgPermission {
            right: required(g, "Grant", "Right")?,
            principal: required(g, "Grant", "Principal")?,
            principal_type: field_str(g, "PrincipalType")?.unwrap_or_else(|| "User".into()),
        });
    }
    let mut revoke = Vec::new();
    for r in objects(&body, "Revoke")? {
        revoke.push((
            required(r, "Revoke", "Right")?,
            required(r, "Revoke", "Principal")?,
        ));
    }
    let mut t = ctx.app.write();
    for g in &grant {
        if !principal_exists(&t, &g.principal, &g.principal_type) {
            return Err(ApiError::new(
                ErrorKind::NotFound,
                format!("{} {} does not exist.", g.principal_type, g.principal),
            ));
        }
    }
    let o = org_mut(&mut t, &id)?;
    let held = |o: &Org, right: &str, principal: &str| {
        o.permissions.iter().any(|p| {
            p.right.eq_ignore_ascii_case(right) && p.principal.eq_ignore_ascii_case(principal)
        })
    };
    for g in &grant {
        if held(o, &g.right, &g.principal) {
            return Err(ApiError::new(
                ErrorKind::InvalidOperation,
                format!("{} already holds {} on {}.", g.principal, g.right, o.name),
            ));
        }
    }
    for (right, principal) in &revoke {
        if !held(o, right, principal) {
            return Err(ApiError::new(
                ErrorKind::InvalidOperation,
                format!("{principal} does not hold {right} on {}.", o.name),
            ));
        }
    }
    o.permissions.retain(|p| {
        !revoke
            .iter()
            .any(|(r, pr)| p.right.eq_ignore_ascii_case(r) && p.principal.eq_ignore_ascii_case(pr))
    });
    o.permissions.extend(grant);
    Ok(ok_null())
}

/// Org/GetRoles: roles attached to the organization (as members of type `Role` or by name).
pub fn get_roles(ctx: &Ctx) -> Outcome {
    let id = org_id(&ctx.json()?)?;
    let t = ctx.app.read();
    let o = t.orgs.by_id.get(&id).ok_or_else(|| not_found(&id))?;
    let mut names: Vec<String> = o.roles.clone();
    for m in o
        .members
        .iter()
        .filter(|m| m.kind.eq_ignore_ascii_case("Role"))
    {
        if let Some(r) = t.roles.iter().find(|r| r.id.eq_ignore_ascii_case(&m.id))
            && !names.iter().any(|n| n.eq_ignore_ascii_case(&r.name))
        {
            names.push(r.name.clone());
        }
    }
    let roles: Vec<Value> = names
        .iter()
        .map(|n| {
            let role = t.roles.iter().find(|r| r.name.eq_ignore_ascii_case(n));
            json!({"ID": role.map(|r| r.id.as_str()), "Name": n, "Description": role.and_then(|r| r.description.as_deref())})
        })
        .collect();
    Ok(ok(&roles))
}
