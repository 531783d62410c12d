//! How users look on the wire: CloudUser, UserAttributes and the GetUsers row.

use crate::envelope::ApiError;
use crate::ids::{NEVER_MS, net_date};
use crate::state::Tenant;
use crate::state::users::User;
use serde::Serialize;
use serde_json::{Value, json};

/// UUID of the sandbox's Cloud Directory service.
pub const DIRECTORY_SERVICE_UUID: &str = "09B9A9B0-6CE8-465F-AB03-65766D33B05E";

/// A user by UUID, or the tenant's "does not exist" failure.
pub fn user<'t>(t: &'t Tenant, id: &str) -> Result<&'t User, ApiError> {
    t.users.get(id).ok_or_else(|| ApiError::no_user(id))
}

/// A user by UUID or login name, or the failure.
pub fn user_by_any<'t>(t: &'t Tenant, id_or_name: &str) -> Result<&'t User, ApiError> {
    t.users
        .find(id_or_name)
        .ok_or_else(|| ApiError::no_user(id_or_name))
}

/// The manager's login name, as ReportsTo reads.
fn manager_name<'t>(t: &'t Tenant, u: &User) -> Option<&'t str> {
    u.reports_to
        .as_deref()
        .and_then(|m| t.users.get(m))
        .map(|m| m.name.as_str())
}

fn true_false(b: bool) -> &'static str {
    if b { "True" } else { "False" }
}

fn cloud_state(u: &User) -> &'static str {
    if u.cloud_locked { "Locked" } else { "None" }
}

/// `CloudUser` (GetUser, GetUserByName).
pub fn cloud_user(t: &Tenant, u: &User) -> Value {
    json!({
        "Uuid": u.uuid,
        "Name": u.name,
        "DisplayName": u.display_name,
        "Mail": u.mail,
        "MobileNumber": u.mobile,
        "State": u.state.to_wire(),
        "CloudState": cloud_state(u),
        "ReportsTo": manager_name(t, u).unwrap_or("Unassigned"),
        "Alias": u.alias(),
        "InEverybodyRole": u.in_everybody_role,
        "OauthClient": u.oauth_client,
        "Version": u.version.to_string(),
        "CreateDate": net_date(u.created_ms),
        "LastModifiedDate": net_date(u.modified_ms),
        "LastPasswordChangeDate": net_date(NEVER_MS),
        "directoryServiceUuid": DIRECTORY_SERVICE_UUID,
        "Description": u.description,
        "PreferredCulture": u.preferred_culture,
        "PictureUri": u.picture_uri(),
        "OrgPath": u.org_path,
        "imageName": u.picture.as_ref().map(|_| format!("{}.png", u.uuid)),
        "ForcePasswordChangeNext": true_false(u.force_password_change_next),
        "PasswordNeverExpire": u.password_never_expire,
        "SubjectToCloudLocks": !u.service_user,
    })
}

/// `UserAttributes` (CDirectoryService/GetUserAttributes, UserMgmt/GetUserAttributes).
pub fn user_attributes(t: &Tenant, u: &User) -> Value {
    let cma = u
        .cma_redirected_user_uuid
        .as_deref()
        .and_then(|c| t.users.get(c));
    json!({
        "Uuid": u.uuid,
        "ExternalUuid": u.uuid,
        "Name": u.name,
        "DisplayName": u.display_name,
        "Description": u.description,
        "Mail": u.mail,
        "MobileNumber": u.mobile,
        "OfficeNumber": u.office,
        "HomeNumber": u.home,
        "ReadOnly": false,
        "directoryServiceUuid": DIRECTORY_SERVICE_UUID,
        "ForcePasswordChangeNext": true_false(u.force_password_change_next),
        "PasswordNeverExpire": u.password_never_expire,
        "PictureUri": u.picture_uri(),
        "imageName": u.picture.as_ref().map(|_| format!("{}.png", u.uuid)),
        "State": u.state.to_wire(),
        "CloudState": cloud_state(u),
        "Locked": u.state.locked,
        "LockedByAdmin": u.state.locked,
        "SubjectToCloudLocks": !u.service_user,
        "OrgPath": u.org_path,
        "InEverybodyRole": u.in_everybody_role,
        "OauthClient": u.oauth_client,
        "CreateDate": net_date(u.created_ms),
        "LastModifiedDate": net_date(u.modified_ms),
        "LastPasswordChangeDate": net_date(NEVER_MS),
        "Alias": u.alias(),
        "PreferredCulture": u.preferred_culture.clone().unwrap_or_default(),
        "PreferredTimeZone": "",
        "Version": u.version.to_string(),
        "ReportsTo": manager_name(t, u),
        "CmaRedirectedUser": cma.map(|c| c.name.as_str()),
        "CmaRedirectedUserUuid": u.cma_redirected_user_uuid,
        "SourceDsType": "CDS",
    })
}

/// One GetUsers row, serialised straight from the stored user.
#[derive(Debug, Serialize)]
#[allow(non_snake_case)]
pub struct UserRow<'a> {
    Uuid: &'a str,
    DisplayName: Option<&'a str>,
    Name: &'a str,
    Mail: Option<&'a str>,
    ReportsTo: Option<&'a str>,
    PreferredCulture: Option<&'a str>,
    HomeNumber: Option<&'a str>,
    StartDate: String,
    MobileNumber: Option<&'a str>,
    EndDate: Option<&'a str>,
    PictureUri: Option<String>,
    Description: Option<&'a str>,
    OfficeNumber: Option<&'a str>,
}

impl<'a> UserRow<'a> {
    /// The row of one user.
    pub fn new(t: &'a Tenant, u: &'a User) -> Self {
        Self {
            Uuid: &u.uuid,
            DisplayName: u.display_name.as_deref(),
            Name: &u.name,
            Mail: u.mail.as_deref(),
            ReportsTo: manager_name(t, u),
            PreferredCulture: u.preferred_culture.as_deref(),
            HomeNumber: u.home.as_deref(),
            StartDate: net_date(u.created_ms),
            MobileNumber: u.mobile.as_deref(),
            EndDate: None,
            PictureUri: u.picture_uri(),
            Description: u.description.as_deref(),
            OfficeNumber: u.office.as_deref(),
        }
    }
}
