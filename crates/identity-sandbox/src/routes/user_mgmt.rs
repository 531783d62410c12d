//! UserMgmt: directory-agnostic user management.

use super::query_table::{self, TEXT, Table, column};
use super::{Ctx, Outcome, render};
use crate::envelope::{ApiError, ErrorKind, ok, ok_null};
use crate::input::{Body, field_str, parse_bool};
use crate::state::users::User;
use crate::state::{Channel, Invitation, Tenant};
use serde_json::{Value, json};

static ROLE_COLUMNS: [query_table::Column; 4] = [
    column("Name", TEXT),
    column("RoleName", TEXT),
    column("Description", TEXT),
    column("AdministrativeRights", TEXT),
];

/// The user named in the query (`key`), or the caller when absent or empty.
fn target_or_caller<'t>(ctx: &Ctx, t: &'t Tenant, key: &str) -> Result<&'t User, ApiError> {
    match ctx.query.get(key).filter(|v| !v.trim().is_empty()) {
        Some(id) => render::user_by_any(t, id),
        None => render::user(t, ctx.caller()),
    }
}

/// UserMgmt/ChangeUserAttributes.
pub fn change_user_attributes(ctx: &Ctx) -> Outcome {
    let body = ctx.json()?;
    let id = body.str_req("ID")?;
    let mobile = body.str_opt("MobileNumber")?;
    let org_path = body.str_opt("OrgPath")?;
    let cma = body.str_opt("CmaRedirectedUserUuid")?;
    let mut t = ctx.app.write();
    let uuid = render::user_by_any(&t, &id)?.uuid.clone();
    let cma = match cma {
        Some(c) if c.is_empty() => Some(None),
        Some(c) => Some(Some(
            t.users.resolve(&c).ok_or_else(|| ApiError::no_user(&c))?,
        )),
        None => None,
    };
    let u = t
        .users
        .get_mut(&uuid)
        .ok_or_else(|| ApiError::no_user(&uuid))?;
    if mobile.is_some() {
        u.mobile = mobile;
    }
    if org_path.is_some() {
        u.org_path = org_path;
    }
    if let Some(c) = cma {
        u.cma_redirected_user_uuid = c;
    }
    u.touch();
    Ok(ok_null())
}

/// UserMgmt/GetUserAttributes (`ID` is a UUID or a login name).
pub fn get_user_attributes(ctx: &Ctx) -> Outcome {
    let body = ctx.json()?;
    let id = body.str_req("ID")?;
    if let Some(ds) = body
        .str_opt("directoryServiceUuid")?
        .filter(|d| !d.is_empty())
        && !ds.eq_ignore_ascii_case(render::DIRECTORY_SERVICE_UUID)
    {
        return Err(ApiError::new(
            ErrorKind::NotFound,
            format!("Directory service {ds} does not exist."),
        ));
    }
    let t = ctx.app.read();
    let u = render::user_by_any(&t, &id)?;
    Ok(ok(&render::user_attributes(&t, u)))
}

fn brief(u: &User) -> Value {
    json!({"Uuid": u.uuid, "Name": u.name, "DisplayName": u.display_name})
}

/// UserMgmt/GetUserHierarchy: the manager chain upwards and the direct reports.
pub fn get_user_hierarchy(ctx: &Ctx) -> Outcome {
    let t = ctx.app.read();
    let u = target_or_caller(ctx, &t, "ID")?;
    let mut managers = Vec::new();
    let mut next = u.reports_to.as_deref();
    // A cycle (A reports to B reports to A) must not loop forever.
    while let Some(m) = next.and_then(|id| t.users.get(id)) {
        if m.uuid == u.uuid || managers.len() > 64 {
            break;
        }
        managers.push(brief(m));
        next = m.reports_to.as_deref();
    }
    let reports: Vec<Value> = t
        .users
        .iter()
        .filter(|r| r.reports_to.as_deref() == Some(&u.uuid))
        .map(brief)
        .collect();
    Ok(ok(
        &json!({"User": brief(u), "Managers": managers, "DirectReports": reports}),
    ))
}

/// UserMgmt/GetUserInfo.
pub fn get_user_info(ctx: &Ctx) -> Outcome {
    let id = ctx.query.req("ID")?;
    let t = ctx.app.read();
    let u = render::user_by_any(&t, id)?;
    Ok(ok(
        &json!({"Name": u.name, "DisplayName": u.display_name, "Uuid": u.uuid, "Mail": u.mail,
                  "State": u.state.to_wire()}),
    ))
}

/// UserMgmt/GetUserRiskLevel.
pub fn get_user_risk_level(ctx: &Ctx) -> Outcome {
    let body = ctx.json()?;
    let id = body.str_req("ID")?;
    let t = ctx.app.read();
    let u = render::user(&t, &id)?;
    Ok(ok(&json!({"Uuid": u.uuid, "RiskLevel": u.risk_level})))
}

/// UserMgmt/GetUsersRolesAndAdministrativeRights, paged by `Args`.
pub fn get_roles_and_rights(ctx: &Ctx) -> Outcome {
    let body = ctx.json()?;
    let t = ctx.app.read();
    let u = target_or_caller(ctx, &t, "ID")?;
    let mut roles: Vec<(String, String, Option<String>, Vec<String>)> = Vec::new();
    if u.in_everybody_role {
        roles.push((
            "Everybody".into(),
            "Everybody".into(),
            Some("Every user of the tenant.".into()),
            vec![],
        ));
    }
    for r in &t.roles {
        let member = r.members.contains(&u.uuid) || (r.id == "sysadmin" && u.in_sysadmin_role);
        if member {
            roles.push((
                r.id.clone(),
                r.name.clone(),
                r.description.clone(),
                r.rights.clone(),
            ));
        }
    }
    let total = roles.len();
    let (start, len) = query_table::page(&body, total)?;
    let rows: Vec<Value> = roles
        .iter()
        .skip(start)
        .take(len)
        .map(|(id, name, description, rights)| {
            let rights: Vec<Value> = rights.iter().map(|r| json!({"Description": r})).collect();
            json!({"Entities": [{"Type": "Role", "Key": id, "IsForeignKey": false}],
                   "Row": {"Name": name, "RoleName": name, "Description": description, "AdministrativeRights": rights}})
        })
        .collect();
    Ok(ok(&Table::new(&ROLE_COLUMNS, total, rows)))
}

fn record(t: &mut Tenant, uuid: &str, channel: Channel, source: &str, role: Option<String>) {
    let Some(u) = t.users.get(uuid) else { return };
    let address = match channel {
        Channel::Email => u.mail.clone(),
        Channel::Sms => u.mobile.clone(),
    };
    let invitation = Invitation {
        user_id: u.uuid.clone(),
        user_name: u.name.clone(),
        address,
        channel,
        source: source.into(),
        role,
    };
    t.invitations.push(invitation);
}

/// UserMgmt/InviteUsers: users directly, or the members of SCIM groups and roles.
pub fn invite_users(ctx: &Ctx) -> Outcome {
    let body = ctx.json()?;
    let entities = body
        .array_opt("Entities")?
        .ok_or_else(|| ApiError::missing("Entities"))?;
    let email = body
        .bool_opt("EmailInvite")?
        .ok_or_else(|| ApiError::missing("EmailInvite"))?;
    let sms = body.bool_opt("SmsInvite")?.unwrap_or(false);
    body.bool_opt("GroupInvite")?;
    let role = body.str_opt("Role")?.filter(|r| !r.is_empty());
    let mut t = ctx.app.write();
    let role_index = match &role {
        Some(name) => Some(
            t.roles
                .iter()
                .position(|r| r.name.eq_ignore_ascii_case(name) || r.id.eq_ignore_ascii_case(name))
                .ok_or_else(|| {
                    ApiError::new(ErrorKind::NotFound, format!("Role {name} does not exist."))
                })?,
        ),
        None => None,
    };
    let mut users: Vec<String> = Vec::new();
    for e in entities {
        let e = e
            .as_object()
            .ok_or_else(|| ApiError::invalid("Every item of Entities must be an object."))?;
        let kind = field_str(e, "Type")?.ok_or_else(|| ApiError::missing("Entities.Type"))?;
        let guid = field_str(e, "Guid")?
            .filter(|g| !g.is_empty())
            .ok_or_else(|| ApiError::missing("Entities.Guid"))?;
        match kind.as_str() {
            "User" => users.push(render::user_by_any(&t, &guid)?.uuid.clone()),
            "Role" => {
                let r = t.roles.iter().find(|r| {
                    r.id.eq_ignore_ascii_case(&guid) || r.name.eq_ignore_ascii_case(&guid)
                });
                let r = r.ok_or_else(|| {
                    ApiError::new(ErrorKind::NotFound, format!("Role {guid} does not exist."))
                })?;
                users.extend(r.members.iter().cloned());
            }
            "Group" => {
                let g = t.groups.by_id.get(&guid).ok_or_else(|| {
                    ApiError::new(ErrorKind::NotFound, format!("Group {guid} does not exist."))
                })?;
                users.extend(
                    g.members
                        .iter()
                        .filter_map(|m| t.users.by_scim(&m.value))
                        .map(|u| u.uuid.clone()),
                );
            }
            other => return Err(ApiError::invalid(format!("Unknown entity type '{other}'."))),
        }
    }
    users.dedup();
    for uuid in &users {
        if email {
            record(
                &mut t,
                uuid,
                Channel::Email,
                "UserMgmt_InviteUsers",
                role.clone(),
            );
        }
        if sms {
            record(
                &mut t,
                uuid,
                Channel::Sms,
                "UserMgmt_InviteUsers",
                role.clone(),
            );
        }
        if let Some(i) = role_index
            && !t.roles[i].members.contains(uuid)
        {
            t.roles[i].members.push(uuid.clone());
        }
    }
    Ok(ok_null())
}

/// UserMgmt/IsUserCloudLocked.
pub fn is_user_cloud_locked(ctx: &Ctx) -> Outcome {
    let id = ctx.query.req("user")?;
    let t = ctx.app.read();
    Ok(ok(&render::user_by_any(&t, id)?.cloud_locked))
}

/// UserMgmt/IsUserLockedOutByPolicy (empty `user` means the caller).
pub fn is_user_locked_out_by_policy(ctx: &Ctx) -> Outcome {
    let t = ctx.app.read();
    let u = target_or_caller(ctx, &t, "user")?;
    Ok(ok(&u.state.locked))
}

/// UserMgmt/RemoveUsers: unknown ids are skipped, so a resend succeeds.
pub fn remove_users(ctx: &Ctx) -> Outcome {
    let body = ctx.json()?;
    let ids = body
        .string_list_opt("Users")?
        .ok_or_else(|| ApiError::missing("Users"))?;
    let mut t = ctx.app.write();
    let uuids: Vec<String> = ids.iter().filter_map(|id| t.users.resolve(id)).collect();
    if uuids.iter().any(|u| u == ctx.caller()) {
        return Err(ApiError::new(
            ErrorKind::InvalidOperation,
            "You cannot delete your own account.",
        ));
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

/// Removes references to a deleted user from orgs, roles, groups and managers.
pub(super) fn forget(t: &mut Tenant, u: &User) {
    for o in t.orgs.by_id.values_mut() {
        o.members.retain(|m| m.id != u.uuid);
        o.administrators.retain(|a| a.id != u.uuid);
        o.permissions.retain(|p| p.principal != u.uuid);
    }
    for r in &mut t.roles {
        r.members.retain(|m| *m != u.uuid);
    }
    for g in t.groups.by_id.values_mut() {
        g.members.retain(|m| m.value != u.scim_id);
    }
    let reports: Vec<String> = t
        .users
        .iter()
        .filter(|r| r.reports_to.as_deref() == Some(&u.uuid))
        .map(|r| r.uuid.clone())
        .collect();
    for r in reports {
        if let Some(r) = t.users.get_mut(&r) {
            r.reports_to = None;
        }
    }
}

/// UserMgmt/SendLoginEmails (`ID` is a list of UUIDs).
pub fn send_login_emails(ctx: &Ctx) -> Outcome {
    let body: Body = ctx.json()?;
    let ids = body
        .string_list_opt("ID")?
        .ok_or_else(|| ApiError::missing("ID"))?;
    let mut t = ctx.app.write();
    let mut uuids = Vec::new();
    for id in &ids {
        uuids.push(render::user(&t, id)?.uuid.clone());
    }
    for uuid in uuids {
        record(
            &mut t,
            &uuid,
            Channel::Email,
            "UserMgmt_SendLoginEmails",
            None,
        );
    }
    Ok(ok_null())
}

/// UserMgmt/SendSmsInvite (query `ID`).
pub fn send_sms_invite(ctx: &Ctx) -> Outcome {
    let id = ctx.query.req("ID")?;
    let mut t = ctx.app.write();
    let u = render::user(&t, id)?;
    if u.mobile.as_deref().is_none_or(str::is_empty) {
        return Err(ApiError::new(
            ErrorKind::InvalidOperation,
            format!("User {} has no mobile number.", u.name),
        ));
    }
    let uuid = u.uuid.clone();
    record(&mut t, &uuid, Channel::Sms, "UserMgmt_SendSmsInvite", None);
    Ok(ok_null())
}

/// UserMgmt/SetCloudLock (query `user`, `lockUser`); locking revokes the user's tokens.
pub fn set_cloud_lock(ctx: &Ctx) -> Outcome {
    let id = ctx.query.req("user")?;
    let raw = ctx.query.req("lockUser")?;
    let lock = parse_bool(raw).ok_or_else(|| {
        ApiError::invalid(format!("The value '{raw}' is not valid for lockUser."))
    })?;
    let mut t = ctx.app.write();
    let uuid = render::user_by_any(&t, id)?.uuid.clone();
    if lock && uuid == ctx.caller() {
        return Err(ApiError::new(
            ErrorKind::InvalidOperation,
            "You cannot lock your own account.",
        ));
    }
    if let Some(u) = t.users.get_mut(&uuid) {
        u.cloud_locked = lock;
        u.touch();
    }
    drop(t);
    if lock {
        ctx.app.auth().revoke_user(&uuid);
    }
    Ok(ok_null())
}
