//! Role Management (`spec/vendor/RoleManagement.yaml` with `spec/roles-overlays/`): roles,
//! their members, administrative rights, dynamic scripts and applications.

use super::query_table::{Entity, Row, TEXT, Table, column};
use super::{Ctx, Outcome};
use crate::envelope::{ApiError, ErrorKind, ok, ok_null};
use crate::input::Body;
use crate::state::{Role, Tenant};
use serde_json::{Map, Value, json};

/// The administrative rights a role can be given, by library path. The first four paths are
/// the ones CyberArk's Python SDK sends; `rosysadmin.json` is the sandbox's own name for the
/// seeded "Read Only System Administration" right, whose real path is not documented.
const RIGHTS: &[(&str, &str)] = &[
    ("/lib/rights/adminportallogin.json", "Admin Portal Login"),
    ("/lib/rights/roleman.json", "Role Management"),
    ("/lib/rights/roroleman.json", "Read Only Role Management"),
    ("/lib/rights/dsman.json", "User Management"),
    (
        "/lib/rights/rosysadmin.json",
        "Read Only System Administration",
    ),
];

/// The web applications the sandbox knows: `(ID, Name, AppType)`.
const APPS: &[(&str, &str, &str)] = &[("adminportal", "Admin Portal", "Web")];

/// The UUID the sandbox reports for its Cloud Directory.
const CLOUD_DIRECTORY: &str = "09B9A9B0-6CE8-465F-AB03-65766D33B05E";

static MEMBER_COLUMNS: [super::query_table::Column; 3] = [
    column("Guid", TEXT),
    column("Name", TEXT),
    column("Type", TEXT),
];
static RIGHT_COLUMNS: [super::query_table::Column; 2] =
    [column("Path", TEXT), column("Description", TEXT)];
static APP_COLUMNS: [super::query_table::Column; 3] = [
    column("ID", TEXT),
    column("Name", TEXT),
    column("AppType", TEXT),
];

fn not_found(id: &str) -> ApiError {
    ApiError::new(
        ErrorKind::NotFound,
        format!("The role \"{id}\" does not exist."),
    )
}

/// The index of a role named by ID or name (tenants accept either, without regard to case).
fn find(t: &Tenant, id_or_name: &str) -> Option<usize> {
    t.roles
        .iter()
        .position(|r| r.id.eq_ignore_ascii_case(id_or_name))
        .or_else(|| {
            t.roles
                .iter()
                .position(|r| r.name.eq_ignore_ascii_case(id_or_name))
        })
}

fn role_index(t: &Tenant, id_or_name: &str) -> Result<usize, ApiError> {
    find(t, id_or_name).ok_or_else(|| not_found(id_or_name))
}

fn name_taken(t: &Tenant, name: &str, except: Option<usize>) -> bool {
    t.roles
        .iter()
        .enumerate()
        .any(|(i, r)| r.name.eq_ignore_ascii_case(name) && Some(i) != except)
}

fn taken(name: &str) -> ApiError {
    ApiError::new(
        ErrorKind::InvalidOperation,
        format!("Role with name {name} already exists."),
    )
    .code("1409")
}

/// The members an add or remove names, resolved against the tenant: users to UUIDs, roles to
/// IDs, groups to their SCIM ids. Anything unknown fails the whole call before a change.
#[derive(Default)]
struct Members {
    users: Vec<String>,
    roles: Vec<String>,
    groups: Vec<String>,
}

impl Members {
    fn resolve(
        t: &Tenant,
        users: &[String],
        roles: &[String],
        groups: &[String],
    ) -> Result<Self, ApiError> {
        let mut out = Members::default();
        for u in users {
            out.users
                .push(t.users.resolve(u).ok_or_else(|| ApiError::no_user(u))?);
        }
        for r in roles {
            out.roles.push(t.roles[role_index(t, r)?].id.clone());
        }
        for g in groups {
            let group = t
                .groups
                .by_id
                .values()
                .find(|x| x.id == *g || x.display_name.eq_ignore_ascii_case(g))
                .ok_or_else(|| {
                    ApiError::new(ErrorKind::NotFound, format!("Group {g} does not exist."))
                })?;
            out.groups.push(group.id.clone());
        }
        Ok(out)
    }

    fn add_to(self, role: &mut Role) {
        let add = |list: &mut Vec<String>, items: Vec<String>| {
            for item in items {
                if !list.iter().any(|x| x.eq_ignore_ascii_case(&item)) {
                    list.push(item);
                }
            }
        };
        add(&mut role.members, self.users);
        add(&mut role.member_roles, self.roles);
        add(&mut role.groups, self.groups);
    }

    fn remove_from(self, role: &mut Role) {
        let remove = |list: &mut Vec<String>, items: Vec<String>| {
            list.retain(|x| !items.iter().any(|i| i.eq_ignore_ascii_case(x)));
        };
        remove(&mut role.members, self.users);
        remove(&mut role.member_roles, self.roles);
        remove(&mut role.groups, self.groups);
    }
}

/// The string list `key` of a body, empty when absent.
fn list(body: &Body, key: &str) -> Result<Vec<String>, ApiError> {
    Ok(body.string_list_opt(key)?.unwrap_or_default())
}

/// The `Add` or `Delete` list inside UpdateRole's `Users`, `Roles` or `Groups` object.
fn delta(body: &Body, key: &str, which: &str) -> Result<Vec<String>, ApiError> {
    match body.object_opt(key)? {
        None => Ok(Vec::new()),
        Some(map) => list(&Body::from_map(map.clone()), which),
    }
}

fn role_type(value: Option<String>) -> Result<String, ApiError> {
    match value.as_deref() {
        None | Some("") => Ok("PrincipalList".to_owned()),
        Some(v @ ("PrincipalList" | "Script" | "Everybody")) => Ok(v.to_owned()),
        Some(other) => Err(ApiError::invalid(format!(
            "RoleType must be PrincipalList, Script or Everybody (got {other})."
        ))),
    }
}

/// The role a query parameter names, also accepted as the same key in a JSON body (CyberArk's
/// Python SDK sends GetRoleMembers' `Name` in the body).
fn role_param(ctx: &Ctx, key: &str) -> Result<String, ApiError> {
    if let Some(v) = ctx.query.get(key).filter(|v| !v.trim().is_empty()) {
        return Ok(v.to_owned());
    }
    match ctx.json()?.str_opt(key)? {
        Some(v) if !v.trim().is_empty() => Ok(v),
        _ => Err(ApiError::missing(key)),
    }
}

/// Roles/StoreRole: creates a role, optionally with members.
pub fn store_role(ctx: &Ctx) -> Outcome {
    let body = ctx.json()?;
    let name = body.str_req("Name")?;
    let description = body.str_opt("Description")?;
    let kind = role_type(body.str_opt("RoleType")?)?;
    let org_path = body.str_opt("OrgPath")?;
    let (users, roles, groups) = (
        list(&body, "Users")?,
        list(&body, "Roles")?,
        list(&body, "Groups")?,
    );
    let mut t = ctx.app.write();
    if name_taken(&t, &name, None) {
        return Err(taken(&name));
    }
    let members = Members::resolve(&t, &users, &roles, &groups)?;
    // Tenants key roles with underscores where a UUID has dashes.
    let id = crate::ids::uuid().replace('-', "_");
    let mut role = Role {
        id: id.clone(),
        name,
        description,
        role_type: kind,
        org_path,
        ..Role::default()
    };
    members.add_to(&mut role);
    t.roles.push(role);
    Ok(ok(&json!({ "_RowKey": id })))
}

/// Roles/UpdateRole: renames, describes, and adds or deletes members.
pub fn update_role(ctx: &Ctx) -> Outcome {
    let body = ctx.json()?;
    let id = body.str_req("Name")?;
    let new_name = body.str_opt("NewName")?;
    let description = body.str_opt("Description")?;
    let add = (
        delta(&body, "Users", "Add")?,
        delta(&body, "Roles", "Add")?,
        delta(&body, "Groups", "Add")?,
    );
    let delete = (
        delta(&body, "Users", "Delete")?,
        delta(&body, "Roles", "Delete")?,
        delta(&body, "Groups", "Delete")?,
    );
    let mut t = ctx.app.write();
    let i = role_index(&t, &id)?;
    if let Some(new_name) = &new_name {
        if new_name.trim().is_empty() {
            return Err(ApiError::missing("NewName"));
        }
        if t.roles[i].read_only {
            return Err(read_only(&t.roles[i]));
        }
        if name_taken(&t, new_name, Some(i)) {
            return Err(taken(new_name));
        }
    }
    let add = Members::resolve(&t, &add.0, &add.1, &add.2)?;
    let delete = Members::resolve(&t, &delete.0, &delete.1, &delete.2)?;
    let role = &mut t.roles[i];
    if let Some(new_name) = new_name {
        role.name = new_name;
    }
    if description.is_some() {
        role.description = description;
    }
    add.add_to(role);
    delete.remove_from(role);
    Ok(ok_null())
}

fn read_only(role: &Role) -> ApiError {
    ApiError::new(
        ErrorKind::InvalidOperation,
        format!("The role {} is built in and cannot be changed.", role.name),
    )
}

/// SaasManage/AddUsersAndGroupsToRole and RemoveUsersAndGroupsFromRole.
pub fn change_members(ctx: &Ctx, add: bool) -> Outcome {
    let body = ctx.json()?;
    let id = body.str_req("Name")?;
    let (users, roles, groups) = (
        list(&body, "Users")?,
        list(&body, "Roles")?,
        list(&body, "Groups")?,
    );
    let mut t = ctx.app.write();
    let i = role_index(&t, &id)?;
    let members = Members::resolve(&t, &users, &roles, &groups)?;
    let role = &mut t.roles[i];
    if add {
        members.add_to(role);
    } else {
        members.remove_from(role);
    }
    Ok(ok_null())
}

/// SaasManage/DeleteRoles: all or nothing; built-in roles cannot be deleted.
pub fn delete_roles(ctx: &Ctx) -> Outcome {
    let body = ctx.json()?;
    let Some(ids) = body.string_list_opt("Roles")? else {
        return Err(ApiError::missing("Roles"));
    };
    let mut t = ctx.app.write();
    let mut doomed = Vec::new();
    for id in &ids {
        let i = role_index(&t, id)?;
        if t.roles[i].read_only {
            return Err(read_only(&t.roles[i]));
        }
        doomed.push(t.roles[i].id.clone());
    }
    t.roles.retain(|r| !doomed.contains(&r.id));
    for r in &mut t.roles {
        r.member_roles.retain(|m| !doomed.contains(m));
    }
    Ok(ok_null())
}

fn right(path: &str) -> Result<&'static str, ApiError> {
    RIGHTS
        .iter()
        .find(|(p, _)| p.eq_ignore_ascii_case(path))
        .map(|(_, d)| *d)
        .ok_or_else(|| ApiError::invalid(format!("Invalid path {path}: no such right.")))
}

/// Roles/AssignSuperRights and UnAssignSuperRights.
pub fn super_rights(ctx: &Ctx, assign: bool) -> Outcome {
    let body = ctx.json()?;
    let id = body.str_req("Role")?;
    let description = right(&body.str_req("Path")?)?;
    let mut t = ctx.app.write();
    let i = role_index(&t, &id)?;
    let rights = &mut t.roles[i].rights;
    let has = rights.iter().any(|r| r == description);
    if assign && !has {
        rights.push(description.to_owned());
    } else if !assign {
        rights.retain(|r| r != description);
    }
    Ok(ok_null())
}

/// Core/GetAssignedAdministrativeRights: the role's rights as a query table.
pub fn assigned_rights(ctx: &Ctx) -> Outcome {
    let id = role_param(ctx, "role")?;
    let t = ctx.app.read();
    let role = &t.roles[role_index(&t, &id)?];
    let rows: Vec<(String, String)> = role
        .rights
        .iter()
        .map(|d| {
            let path = RIGHTS
                .iter()
                .find(|(_, desc)| desc == d)
                .map_or(String::new(), |(p, _)| (*p).to_owned());
            (path, d.clone())
        })
        .collect();
    let results: Vec<_> = rows
        .iter()
        .map(|(path, description)| Row {
            Entities: [Entity {
                Type: "AdminRight",
                Key: path,
                IsForeignKey: false,
            }],
            Row: json!({"Path": path, "Description": description, "ServiceName": null, "Scope": null}),
        })
        .collect();
    Ok(ok(&Table::new(&RIGHT_COLUMNS, results.len(), results)))
}

/// Roles/GetRole.
pub fn get_role(ctx: &Ctx) -> Outcome {
    let id = role_param(ctx, "Name")?;
    let suppress = match ctx.query.get("SuppressPrincipalsList") {
        None | Some("") => false,
        Some(v) => crate::input::parse_bool(v).ok_or_else(|| {
            ApiError::invalid(format!(
                "SuppressPrincipalsList must be true or false (got {v})."
            ))
        })?,
    };
    let t = ctx.app.read();
    let r = &t.roles[role_index(&t, &id)?];
    let mut role = Map::new();
    role.insert("Uuid".into(), json!(r.id));
    role.insert("Name".into(), json!(r.name));
    role.insert("Description".into(), json!(r.description));
    let kind = if r.role_type.is_empty() {
        "PrincipalList"
    } else {
        &r.role_type
    };
    role.insert("RoleType".into(), json!(kind));
    role.insert("DirectoryServiceUuid".into(), json!(CLOUD_DIRECTORY));
    role.insert("ReadOnly".into(), json!(r.read_only));
    if let Some(org) = &r.org_path {
        role.insert("OrgPath".into(), json!(org));
    }
    if !suppress {
        let principals: Vec<&String> = r
            .members
            .iter()
            .chain(&r.groups)
            .chain(&r.member_roles)
            .collect();
        role.insert("Principals".into(), json!(principals));
    }
    Ok(ok(&Value::Object(role)))
}

/// Roles/GetRoleMembers: users, groups and roles, one row each.
pub fn get_role_members(ctx: &Ctx) -> Outcome {
    let id = role_param(ctx, "name")?;
    let t = ctx.app.read();
    let r = &t.roles[role_index(&t, &id)?];
    let mut rows: Vec<(String, String, &str)> = Vec::new();
    for u in &r.members {
        let name = t.users.get(u).map_or_else(|| u.clone(), |u| u.name.clone());
        rows.push((u.clone(), name, "User"));
    }
    for g in &r.groups {
        let name = t
            .groups
            .by_id
            .get(g)
            .map_or_else(|| g.clone(), |g| g.display_name.clone());
        rows.push((g.clone(), name, "Group"));
    }
    for m in &r.member_roles {
        let name = find(&t, m).map_or_else(|| m.clone(), |i| t.roles[i].name.clone());
        rows.push((m.clone(), name, "Role"));
    }
    let results: Vec<_> = rows
        .iter()
        .map(|(guid, name, kind)| Row {
            Entities: [Entity {
                Type: kind,
                Key: guid,
                IsForeignKey: false,
            }],
            Row: json!({"Guid": guid, "Name": name, "Type": kind, "IsEffective": true}),
        })
        .collect();
    Ok(ok(&Table::new(&MEMBER_COLUMNS, results.len(), results)))
}

/// Roles/SetDynamicRoleScript: stores the script and makes the role dynamic.
pub fn set_dynamic_role_script(ctx: &Ctx) -> Outcome {
    let body = ctx.json()?;
    let id = body.str_req("ID")?;
    let script = body.str_req("Script")?;
    let mut t = ctx.app.write();
    let i = role_index(&t, &id)?;
    let role = &mut t.roles[i];
    role.script = Some(script);
    role.role_type = "Script".to_owned();
    Ok(ok_null())
}

/// Roles/TestDynamicRoleScript: runs a script for one user. The sandbox's script language is
/// the two constant scripts `return true;` and `return false;`; anything else does not compile,
/// which is enough to exercise both outcomes and the error report.
pub fn test_dynamic_role_script(ctx: &Ctx) -> Outcome {
    let body = ctx.json()?;
    let user = body.str_req("User")?;
    let script = body.str_req("Script")?;
    let t = ctx.app.read();
    if t.users.find(&user).is_none() {
        return Err(ApiError::no_user(&user));
    }
    let compact: String = script.split_whitespace().collect::<Vec<_>>().join(" ");
    let outcome = match compact.trim_end_matches(';').trim() {
        "return true" => {
            json!({"CompileSuccess": true, "Result": true, "Errors": null, "Trace": []})
        }
        "return false" => {
            json!({"CompileSuccess": true, "Result": false, "Errors": null, "Trace": []})
        }
        _ => json!({
            "CompileSuccess": false,
            "Result": false,
            "Errors": "identity-sandbox runs only `return true;` and `return false;`.",
            "Trace": [],
        }),
    };
    Ok(ok(&outcome))
}

/// SaasManage/GetRoleApps: the web applications assigned to the role.
pub fn get_role_apps(ctx: &Ctx) -> Outcome {
    let id = role_param(ctx, "role")?;
    let t = ctx.app.read();
    let r = &t.roles[role_index(&t, &id)?];
    let results: Vec<_> = r
        .apps
        .iter()
        .filter_map(|a| APPS.iter().find(|(id, _, _)| id == a))
        .map(|(id, name, kind)| Row {
            Entities: [Entity {
                Type: "Application",
                Key: id,
                IsForeignKey: false,
            }],
            Row: json!({
                "ID": id, "Name": name, "AppType": kind, "AppTypeDisplayName": kind,
                "Description": null, "Icon": null, "Version": null, "IsMarketplaceApp": false,
            }),
        })
        .collect();
    Ok(ok(&Table::new(&APP_COLUMNS, results.len(), results)))
}
