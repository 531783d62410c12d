//! CDirectoryService: Cloud Directory users.

use super::query_table::{self, DATE, Entity, Row, TEXT, Table, column};
use super::render::{self, UserRow};
use super::{Ctx, Outcome};
use crate::envelope::{ApiError, ErrorKind, ok, ok_null};
use crate::ids;
use crate::input::Body;
use crate::state::users::{AccountState, User};
use crate::state::{Channel, CsvUpload, Invitation, Tenant};
use axum::extract::{FromRequest, Multipart};
use bytes::Bytes;
use std::collections::HashMap;
use std::time::{Duration, SystemTime};

/// Columns of the GetUsers table (the CDUser columns of the documented answer).
static USER_COLUMNS: [query_table::Column; 13] = [
    column("Uuid", TEXT),
    column("DisplayName", TEXT),
    column("Description", TEXT),
    column("Mail", TEXT),
    column("Name", TEXT),
    column("OfficeNumber", TEXT),
    column("MobileNumber", TEXT),
    column("HomeNumber", TEXT),
    column("StartDate", DATE),
    column("EndDate", DATE),
    column("ReportsTo", TEXT),
    column("PictureUri", TEXT),
    column("PreferredCulture", TEXT),
];

/// Applies the ChangeUser-style properties present in `body` to a user.
pub(super) fn apply_changes(t: &mut Tenant, uuid: &str, body: &Body) -> Result<(), ApiError> {
    // Validate everything before changing anything, so a failure leaves the user untouched.
    let name = body.str_opt("Name")?;
    let reports_to = match body.str_opt("ReportsTo")? {
        Some(m) if m.is_empty() || m.eq_ignore_ascii_case("Unassigned") => Some(None),
        Some(m) => {
            let manager = t.users.resolve(&m).ok_or_else(|| ApiError::no_user(&m))?;
            if manager == uuid {
                return Err(ApiError::invalid("A user cannot report to themselves."));
            }
            Some(Some(manager))
        }
        None => None,
    };
    let cma = match body.str_opt("CmaRedirectedUserUuid")? {
        Some(c) if c.is_empty() => Some(None),
        Some(c) => Some(Some(
            t.users.resolve(&c).ok_or_else(|| ApiError::no_user(&c))?,
        )),
        None => None,
    };
    let strings = [
        "DisplayName",
        "Mail",
        "MobileNumber",
        "Description",
        "OfficeNumber",
        "HomeNumber",
        "OrgPath",
        "PreferredCulture",
        "AccountExp",
    ]
    .map(|k| body.str_opt(k));
    let flags = [
        "InEverybodyRole",
        "InSysAdminRole",
        "ForcePasswordChangeNext",
        "PasswordNeverExpire",
        "SendEmailInvite",
        "SendSmsInvite",
        "ServiceUser",
        "OauthClient",
        "VerifyEmail",
        "useAlternateMfaAccount",
    ]
    .map(|k| body.bool_opt(k));
    let mut strings_ok = Vec::new();
    for s in strings {
        strings_ok.push(s?);
    }
    let mut flags_ok = Vec::new();
    for f in flags {
        flags_ok.push(f?);
    }
    if let Some(name) = &name {
        if !name.contains('@') {
            return Err(ApiError::invalid(format!(
                "The login name {name} must be in the form user@suffix."
            )));
        }
        if t.users.rename(uuid, name).is_err() {
            return Err(ApiError::new(
                ErrorKind::InvalidOperation,
                format!("The user name {name} is already in use."),
            )
            .code("1409"));
        }
    }
    let Some(u) = t.users.get_mut(uuid) else {
        return Err(ApiError::no_user(uuid));
    };
    let slots: [&mut Option<String>; 9] = [
        &mut u.display_name,
        &mut u.mail,
        &mut u.mobile,
        &mut u.description,
        &mut u.office,
        &mut u.home,
        &mut u.org_path,
        &mut u.preferred_culture,
        &mut u.account_exp,
    ];
    for (slot, value) in slots.into_iter().zip(strings_ok) {
        if let Some(v) = value {
            *slot = Some(v);
        }
    }
    if let Some(m) = reports_to {
        u.reports_to = m;
    }
    if let Some(c) = cma {
        u.cma_redirected_user_uuid = c;
    }
    let [
        everybody,
        sysadmin,
        force,
        never_expire,
        email,
        sms,
        service,
        oauth,
        _verify,
        _alternate,
    ] = flags_ok[..]
    else {
        return Err(ApiError::invalid("internal: flag count"));
    };
    if let Some(v) = everybody {
        u.in_everybody_role = v;
    }
    if let Some(v) = sysadmin {
        u.in_sysadmin_role = v;
    }
    if let Some(v) = force {
        u.force_password_change_next = v;
    }
    if let Some(v) = never_expire {
        u.password_never_expire = v;
    }
    if let Some(v) = oauth {
        u.oauth_client = v;
    }
    if let Some(v) = service {
        u.service_user = v;
    }
    // Service users are never in the Everybody role, whatever the request says.
    if u.service_user {
        u.in_everybody_role = false;
    }
    u.touch();
    let (name, mail, mobile) = (u.name.clone(), u.mail.clone(), u.mobile.clone());
    for (wanted, channel, address) in [(email, Channel::Email, mail), (sms, Channel::Sms, mobile)] {
        if wanted == Some(true) {
            t.invitations.push(Invitation {
                user_id: uuid.to_owned(),
                user_name: name.clone(),
                address,
                channel,
                source: "CDirectoryService_ChangeUser".into(),
                role: None,
            });
        }
    }
    Ok(())
}

/// CDirectoryService/ChangeUser.
pub fn change_user(ctx: &Ctx) -> Outcome {
    let body = ctx.json()?;
    let id = body.str_req("ID")?;
    let mut t = ctx.app.write();
    let uuid = render::user(&t, &id)?.uuid.clone();
    apply_changes(&mut t, &uuid, &body)?;
    Ok(ok_null())
}

/// CDirectoryService/ChangeUserState.
pub fn change_user_state(ctx: &Ctx) -> Outcome {
    let body = ctx.json()?;
    let id = body.str_req("uuid")?;
    let active = body
        .bool_opt("state")?
        .ok_or_else(|| ApiError::missing("state"))?;
    let mut t = ctx.app.write();
    let uuid = render::user(&t, &id)?.uuid.clone();
    if uuid == ctx.caller() {
        return Err(ApiError::new(
            ErrorKind::InvalidOperation,
            "You cannot change your own state.",
        ));
    }
    if let Some(u) = t.users.get_mut(&uuid) {
        u.state.disabled = !active;
        if active {
            u.state.locked = false;
        }
        u.touch();
    }
    drop(t);
    if !active {
        ctx.app.auth().revoke_user(&uuid);
    }
    Ok(ok_null())
}

/// CDirectoryService/ExemptUserFromMfa (query `ID`, `timespan` in minutes, default 10).
pub fn exempt_user_from_mfa(ctx: &Ctx) -> Outcome {
    let id = ctx.query.req("ID")?;
    let minutes = match ctx.query.get("timespan") {
        None | Some("") => 10,
        Some(v) => match v.trim().parse::<i64>() {
            Ok(m) if m >= 1 => m as u64,
            _ => {
                return Err(ApiError::invalid(format!(
                    "The value '{v}' is not valid for timespan."
                )));
            }
        },
    };
    let mut t = ctx.app.write();
    let uuid = render::user(&t, id)?.uuid.clone();
    if let Some(u) = t.users.get_mut(&uuid) {
        u.mfa_exempt_until =
            SystemTime::now().checked_add(Duration::from_secs(minutes.saturating_mul(60)));
    }
    Ok(ok_null())
}

/// CDirectoryService/GetTechSupportUser.
pub fn get_tech_support_user(ctx: &Ctx) -> Outcome {
    let t = ctx.app.read();
    Ok(ok(&serde_json::json!({
        "Name": format!("techsupport_{}", t.tenant_id.to_lowercase()),
        "PasswordExp": ids::net_date(ids::now_ms() + 30 * 86_400_000),
        "Uuid": t.tech_support_uuid,
    })))
}

/// CDirectoryService/GetUser.
pub fn get_user(ctx: &Ctx) -> Outcome {
    let body = ctx.json()?;
    let id = body.str_req("ID")?;
    let t = ctx.app.read();
    let u = render::user(&t, &id)?;
    Ok(ok(&render::cloud_user(&t, u)))
}

/// CDirectoryService/GetUserAttributes: the caller's own attributes.
pub fn get_user_attributes(ctx: &Ctx) -> Outcome {
    let t = ctx.app.read();
    let u = render::user(&t, ctx.caller())?;
    Ok(ok(&render::user_attributes(&t, u)))
}

/// CDirectoryService/GetUserByName (`username`, default the caller).
pub fn get_user_by_name(ctx: &Ctx) -> Outcome {
    let body = ctx.json()?;
    let t = ctx.app.read();
    let u = match body.str_opt("username")?.filter(|n| !n.trim().is_empty()) {
        Some(name) => t
            .users
            .by_name(&name)
            .ok_or_else(|| ApiError::no_user(&name))?,
        None => render::user(&t, ctx.caller())?,
    };
    Ok(ok(&render::cloud_user(&t, u)))
}

/// CDirectoryService/GetUsers, paged by `Args`.
pub fn get_users(ctx: &Ctx) -> Outcome {
    let body = ctx.json()?;
    let t = ctx.app.read();
    let total = t.users.len();
    let (start, len) = query_table::page(&body, total)?;
    let rows: Vec<_> = t
        .users
        .page(start, len)
        .map(|u| Row {
            Entities: [Entity {
                Type: "CDUser",
                Key: &u.uuid,
                IsForeignKey: false,
            }],
            Row: UserRow::new(&t, u),
        })
        .collect();
    // Serialise while the read lock is held: rows borrow from the store, so nothing is cloned.
    Ok(ok(&Table::new(&USER_COLUMNS, total, rows)))
}

/// The parts of a multipart body: name, file name and content.
async fn multipart(ctx: &Ctx<'_>) -> Result<Vec<(String, Option<String>, Bytes)>, ApiError> {
    let request = axum::http::Request::builder()
        .header(axum::http::header::CONTENT_TYPE, ctx.content_type.as_str())
        .body(axum::body::Body::from(ctx.body.clone()))
        .map_err(|e| ApiError::invalid(format!("Invalid multipart request: {e}")))?;
    let mut form = Multipart::from_request(request, &())
        .await
        .map_err(|_| ApiError::invalid("The request is not multipart/form-data content."))?;
    let mut parts = Vec::new();
    loop {
        match form.next_field().await {
            Ok(Some(field)) => {
                let name = field.name().unwrap_or("").to_owned();
                let file = field.file_name().map(str::to_owned);
                let data = field
                    .bytes()
                    .await
                    .map_err(|e| ApiError::invalid(format!("Invalid multipart body: {e}")))?;
                parts.push((name, file, data));
            }
            Ok(None) => return Ok(parts),
            Err(e) => return Err(ApiError::invalid(format!("Invalid multipart body: {e}"))),
        }
    }
}

fn part<'p>(
    parts: &'p [(String, Option<String>, Bytes)],
    name: &str,
) -> Option<&'p (String, Option<String>, Bytes)> {
    parts.iter().find(|(n, _, _)| n.eq_ignore_ascii_case(name))
}

fn check_import_type(ctx: &Ctx) -> Result<(), ApiError> {
    match ctx.query.get("importType") {
        Some("ImportBulkUser") => Ok(()),
        Some(t) => Err(ApiError::invalid(format!("Unsupported import type '{t}'."))),
        None => Err(ApiError::missing("importType")),
    }
}

/// CDirectoryService/GetUsersFromCsvFile: validate and store a CSV of users.
pub async fn get_users_from_csv_file(ctx: &Ctx<'_>) -> Outcome {
    check_import_type(ctx)?;
    let parts = multipart(ctx).await?;
    if part(&parts, "FileName").is_none_or(|(_, _, d)| d.is_empty()) {
        return Err(ApiError::missing("FileName"));
    }
    let (_, _, csv) = part(&parts, "Icon").ok_or_else(|| ApiError::missing("Icon"))?;
    let text = std::str::from_utf8(csv)
        .map_err(|_| ApiError::invalid("The CSV file is not UTF-8 text."))?;
    let rows = super::csv::parse_users(text)?;
    let return_id = ids::random_hex(16);
    ctx.app
        .write()
        .uploads
        .insert(return_id.clone(), CsvUpload { rows });
    Ok(ok(&serde_json::json!({ "ReturnID": return_id })))
}

/// CDirectoryService/SubmitUploadedFile: create the users of a stored CSV.
pub fn submit_uploaded_file(ctx: &Ctx) -> Outcome {
    check_import_type(ctx)?;
    let body = ctx.json()?;
    let return_id = body.str_req("ReturnID")?;
    let _admin_email = body.str_req("AdminEmail")?;
    let email = body.bool_opt("SendEmailInvite")?.unwrap_or(false);
    let sms = body.bool_opt("SendSmsInvite")?.unwrap_or(false);
    let mut t = ctx.app.write();
    let upload = t.uploads.remove(&return_id).ok_or_else(|| {
        ApiError::new(
            ErrorKind::NotFound,
            format!("No uploaded file with ReturnID {return_id}."),
        )
    })?;
    let (mut created, mut skipped) = (Vec::new(), Vec::new());
    for row in &upload.rows {
        match import_row(&mut t, row, email, sms) {
            Ok(uuid) => created.push(uuid),
            Err(name) => skipped.push(name),
        }
    }
    let inner = serde_json::json!({
        "success": true,
        "Result": {"Created": created.len(), "Skipped": skipped},
        "Message": null, "MessageID": null, "Exception": null, "ErrorID": null,
        "ErrorCode": null, "IsSoftError": false, "InnerExceptions": null,
    });
    Ok(ok(&inner.to_string()))
}

fn import_row(
    t: &mut Tenant,
    row: &HashMap<String, String>,
    email: bool,
    sms: bool,
) -> Result<String, String> {
    let get = |k: &str| row.get(k).filter(|v| !v.is_empty()).cloned();
    let name = get("name").unwrap_or_default();
    let mut u = User::new(&name);
    u.display_name = get("displayname");
    u.mail = get("mail");
    u.mobile = get("mobilenumber");
    u.office = get("officenumber");
    u.home = get("homenumber");
    u.description = get("description");
    u.password = get("password");
    u.reports_to = get("reportsto").and_then(|m| t.users.resolve(&m));
    let (mail, mobile) = (u.mail.clone(), u.mobile.clone());
    let uuid = t.users.insert(u).map_err(|_| name.clone())?;
    for (wanted, channel, address) in [(email, Channel::Email, mail), (sms, Channel::Sms, mobile)] {
        if wanted {
            t.invitations.push(Invitation {
                user_id: uuid.clone(),
                user_name: name.clone(),
                address,
                channel,
                source: "CDirectoryService_SubmitUploadedFile".into(),
                role: None,
            });
        }
    }
    Ok(uuid)
}

/// CDirectoryService/SetUserPicture (query `ID`, multipart part `File`).
pub async fn set_user_picture(ctx: &Ctx<'_>) -> Outcome {
    let id = ctx.query.req("ID")?.to_owned();
    let parts = multipart(ctx).await?;
    let (_, _, data) = part(&parts, "File").ok_or_else(|| ApiError::missing("File"))?;
    if data.is_empty() {
        return Err(ApiError::invalid("The uploaded picture is empty."));
    }
    let mut t = ctx.app.write();
    let uuid = render::user(&t, &id)?.uuid.clone();
    let u = t
        .users
        .get_mut(&uuid)
        .ok_or_else(|| ApiError::no_user(&uuid))?;
    u.picture = Some(data.to_vec());
    u.touch();
    Ok(ok(&u.picture_uri()))
}

/// CDirectoryService/SetUserState (`ID`, `state`: `None` or `Locked,Disabled,Expired` combos).
pub fn set_user_state(ctx: &Ctx) -> Outcome {
    let body = ctx.json()?;
    let id = body.str_req("ID")?;
    let text = body.str_req("state")?;
    let state = AccountState::parse(&text).ok_or_else(|| {
        ApiError::invalid(format!(
            "Requested value '{text}' was not found. Use None or a combination of Locked, Disabled and Expired."
        ))
    })?;
    let mut t = ctx.app.write();
    let uuid = render::user(&t, &id)?.uuid.clone();
    if t.users
        .get(&uuid)
        .is_some_and(|u| u.name.eq_ignore_ascii_case(&ctx.app.config.admin_username))
    {
        return Err(ApiError::new(
            ErrorKind::InvalidOperation,
            "The default system administrator cannot be changed.",
        ));
    }
    if let Some(u) = t.users.get_mut(&uuid) {
        u.state = state;
        u.touch();
    }
    drop(t);
    if !state.active() {
        ctx.app.auth().revoke_user(&uuid);
    }
    Ok(ok_null())
}
