//! The operations of `spec/identity.yaml` and of Role Management (`spec/vendor/RoleManagement.yaml`):
//! routing table, request context and dispatch.

pub mod admin;
mod auth;
mod cdirectory;
mod core;
mod csv;
pub mod discovery;
mod ext_data;
mod lifecycle;
mod org;
mod query_table;
mod redrock;
mod render;
mod roles;
mod scim;
mod user;
mod user_mgmt;

use crate::app::App;
use crate::envelope::{ApiError, Reply, fail};
use crate::input::{Body, Query};
use bytes::Bytes;
use hyper::{HeaderMap, Method};

/// What a handler returns: a reply, or a handled failure that becomes a `success: false` envelope.
pub type Outcome = Result<Reply, ApiError>;

/// A matched operation.
#[derive(Debug, Clone)]
pub struct Route {
    /// operationId.
    pub op: &'static str,
    /// The path parameter (`{id}`, `{app_id}`), if the path has one.
    pub param: Option<String>,
}

/// The outcome of routing.
#[derive(Debug)]
pub enum Resolved {
    /// An operation of the spec.
    Op(Route),
    /// The path exists but not with this method; the value is the `Allow` header.
    WrongMethod(&'static str),
    /// The spec has no such path.
    NotFound,
}

/// `(path, method, operationId)` of every operation without a path parameter.
const FIXED: &[(&str, &str, &str)] = &[
    (
        "/CDirectoryService/ChangeUser",
        "POST",
        "CDirectoryService_ChangeUser",
    ),
    (
        "/CDirectoryService/ChangeUserState",
        "POST",
        "CDirectoryService_ChangeUserState",
    ),
    (
        "/CDirectoryService/CreateUser",
        "POST",
        "CDirectoryService_CreateUser",
    ),
    (
        "/CDirectoryService/DeleteUser",
        "POST",
        "CDirectoryService_DeleteUser",
    ),
    (
        "/CDirectoryService/DeleteUsers",
        "POST",
        "CDirectoryService_DeleteUsers",
    ),
    (
        "/CDirectoryService/ExemptUserFromMfa",
        "POST",
        "CDirectoryService_ExemptUserFromMfa",
    ),
    (
        "/CDirectoryService/GetTechSupportUser",
        "POST",
        "CDirectoryService_GetTechSupportUser",
    ),
    (
        "/CDirectoryService/GetUser",
        "POST",
        "CDirectoryService_GetUser",
    ),
    (
        "/CDirectoryService/GetUserAttributes",
        "POST",
        "CDirectoryService_GetUserAttributes",
    ),
    (
        "/CDirectoryService/GetUserByName",
        "POST",
        "CDirectoryService_GetUserByName",
    ),
    (
        "/CDirectoryService/GetUsers",
        "POST",
        "CDirectoryService_GetUsers",
    ),
    (
        "/CDirectoryService/GetUsersFromCsvFile",
        "POST",
        "CDirectoryService_GetUsersFromCsvFile",
    ),
    (
        "/CDirectoryService/SetUserPicture",
        "POST",
        "CDirectoryService_SetUserPicture",
    ),
    (
        "/CDirectoryService/SetUserState",
        "POST",
        "CDirectoryService_SetUserState",
    ),
    (
        "/CDirectoryService/SubmitUploadedFile",
        "POST",
        "CDirectoryService_SubmitUploadedFile",
    ),
    (
        "/Core/GetCdsAliasesForTenant",
        "POST",
        "Core_GetCdsAliasesForTenant",
    ),
    (
        "/Core/GetDirectoryServices",
        "GET",
        "Core_GetDirectoryServices",
    ),
    (
        "/Core/GetDirectoryServices",
        "POST",
        "Core_GetDirectoryServicesPost",
    ),
    ("/Core/GetUserSettings", "POST", "Core_GetUserSettings"),
    ("/Redrock/query", "POST", "Redrock_Query"),
    ("/ExtData/GetColumns", "POST", "ExtData_GetColumns"),
    ("/ExtData/GetSchema", "POST", "ExtData_GetSchema"),
    ("/ExtData/SetColumns", "POST", "ExtData_SetColumns"),
    ("/ExtData/UpdateSchema", "POST", "ExtData_UpdateSchema"),
    ("/User/UpdateProfile", "POST", "User_UpdateProfile"),
    ("/Org/ChangeMemberShip", "POST", "Org_ChangeMemberShip"),
    ("/Org/Create", "POST", "Org_Create"),
    ("/Org/Delete", "POST", "Org_Delete"),
    ("/Org/Get", "POST", "Org_Get"),
    ("/Org/GetAdministrators", "POST", "Org_GetAdministrators"),
    ("/Org/GetPermission", "POST", "Org_GetPermission"),
    ("/Org/GetRoles", "POST", "Org_GetRoles"),
    ("/Org/ListAll", "POST", "Org_ListAll"),
    ("/Org/Update", "POST", "Org_Update"),
    (
        "/Org/UpdateAdministrators",
        "POST",
        "Org_UpdateAdministrators",
    ),
    ("/Org/UpdatePermission", "POST", "Org_UpdatePermission"),
    (
        "/UserMgmt/ChangeUserAttributes",
        "POST",
        "UserMgmt_ChangeUserAttributes",
    ),
    (
        "/UserMgmt/GetUserAttributes",
        "POST",
        "UserMgmt_GetUserAttributes",
    ),
    (
        "/UserMgmt/GetUserHierarchy",
        "POST",
        "UserMgmt_GetUserHierarchy",
    ),
    ("/UserMgmt/GetUserInfo", "POST", "UserMgmt_GetUserInfo"),
    (
        "/UserMgmt/GetUserRiskLevel",
        "POST",
        "UserMgmt_GetUserRiskLevel",
    ),
    (
        "/UserMgmt/GetUsersRolesAndAdministrativeRights",
        "POST",
        "UserMgmt_GetUsersRolesAndAdministrativeRights",
    ),
    ("/UserMgmt/InviteUsers", "POST", "UserMgmt_InviteUsers"),
    (
        "/UserMgmt/IsUserCloudLocked",
        "POST",
        "UserMgmt_IsUserCloudLocked",
    ),
    (
        "/UserMgmt/IsUserLockedOutByPolicy",
        "POST",
        "UserMgmt_IsUserLockedOutByPolicy",
    ),
    ("/UserMgmt/RemoveUsers", "POST", "UserMgmt_RemoveUsers"),
    (
        "/UserMgmt/ResetUserPassword",
        "POST",
        "UserMgmt_ResetUserPassword",
    ),
    (
        "/UserMgmt/SendLoginEmails",
        "POST",
        "UserMgmt_SendLoginEmails",
    ),
    ("/UserMgmt/SendSmsInvite", "POST", "UserMgmt_SendSmsInvite"),
    ("/UserMgmt/SetCloudLock", "POST", "UserMgmt_SetCloudLock"),
    ("/scim/Groups", "GET", "SCIM_ListGroups"),
    ("/scim/Users", "POST", "SCIM_CreateUser"),
    (
        "/oauth2/platformtoken",
        "POST",
        "Authentication_PlatformToken",
    ),
    (
        "/Security/StartAuthentication",
        "POST",
        "Authentication_StartAuthentication",
    ),
    (
        "/Security/AdvanceAuthentication",
        "POST",
        "Authentication_AdvanceAuthentication",
    ),
    ("/Security/Logout", "POST", "Authentication_Logout"),
    (
        "/OAuth2/RefreshPlatformToken",
        "POST",
        "Authentication_RefreshPlatformToken",
    ),
    // Role Management: `spec/vendor/RoleManagement.yaml` with `spec/roles-overlays/`.
    ("/Roles/StoreRole", "POST", "Roles_StoreRole"),
    ("/Roles/UpdateRole", "POST", "Roles_UpdateRole"),
    ("/Roles/GetRole", "POST", "Roles_GetRole"),
    ("/Roles/GetRoleMembers", "POST", "Roles_GetRoleMembers"),
    (
        "/SaasManage/AddUsersAndGroupsToRole",
        "POST",
        "Roles_AddUsersAndGroupsToRole",
    ),
    (
        "/SaasManage/RemoveUsersAndGroupsFromRole",
        "POST",
        "Roles_RemoveUsersAndGroupsFromRole",
    ),
    ("/SaasManage/DeleteRoles", "POST", "Roles_DeleteRoles"),
    (
        "/Roles/AssignSuperRights",
        "POST",
        "Roles_AssignSuperRights",
    ),
    (
        "/Roles/UnAssignSuperRights",
        "POST",
        "Roles_UnAssignSuperRights",
    ),
    (
        "/Core/GetAssignedAdministrativeRights",
        "POST",
        "Roles_GetAssignedAdministrativeRights",
    ),
    (
        "/Roles/SetDynamicRoleScript",
        "POST",
        "Roles_SetDynamicRoleScript",
    ),
    (
        "/Roles/TestDynamicRoleScript",
        "POST",
        "Roles_TestDynamicRoleScript",
    ),
    ("/SaasManage/GetRoleApps", "POST", "Roles_GetRoleApps"),
];

/// `(path prefix, method, operationId)` of the operations with one trailing path parameter.
const PARAMETERISED: &[(&str, &str, &str)] = &[
    ("/scim/Groups/", "DELETE", "SCIM_DeleteGroup"),
    ("/scim/Users/", "PUT", "SCIM_ReplaceUser"),
    ("/oauth2/token/", "POST", "Authentication_Token"),
];

/// The number of operations the sandbox serves; equal to the spec's.
#[cfg(test)]
pub const OPERATION_COUNT: usize = FIXED.len() + PARAMETERISED.len();

/// Every operationId the sandbox serves.
pub fn operation_ids() -> impl Iterator<Item = &'static str> {
    FIXED.iter().chain(PARAMETERISED).map(|(_, _, op)| *op)
}

/// The prefix of the platform gateway, `https://<subdomain>.cyberark.cloud/api/idadmin/...`, which
/// CyberArk's SDKs prefer to the tenant host; the sandbox serves the Identity API under it too.
pub const GATEWAY_PREFIX: &str = "/api/idadmin";

/// The path without the gateway prefix, if it has one.
fn strip_gateway(path: &str) -> &str {
    match path.get(..GATEWAY_PREFIX.len()) {
        Some(prefix)
            if prefix.eq_ignore_ascii_case(GATEWAY_PREFIX)
                && path[GATEWAY_PREFIX.len()..].starts_with('/') =>
        {
            &path[GATEWAY_PREFIX.len()..]
        }
        _ => path,
    }
}

/// Whether `path` starts with `prefix`, ignoring ASCII case; the rest of `path` if so.
fn strip_prefix_ignore_case<'p>(path: &'p str, prefix: &str) -> Option<&'p str> {
    path.get(..prefix.len())
        .filter(|head| head.eq_ignore_ascii_case(prefix))
        .map(|_| &path[prefix.len()..])
}

/// Routes a request, on the tenant host or under the gateway prefix.
///
/// Paths match without regard to ASCII case, as tenants match them (CyberArk's SDKs send
/// `OAuth2`, `Oauth2` and `oauth2` to one tenant), but otherwise exactly, so a client that
/// builds a wrong path fails loudly. A path parameter keeps its case.
pub fn resolve(method: &Method, path: &str) -> Resolved {
    let path = strip_gateway(path);
    // A path may serve more than one method (Core/GetDirectoryServices: GET and POST).
    let mut on_path = FIXED
        .iter()
        .filter(|(p, _, _)| p.eq_ignore_ascii_case(path))
        .peekable();
    if let Some((_, first, _)) = on_path.peek().copied() {
        return match on_path.find(|(_, m, _)| method.as_str() == *m) {
            Some((_, _, op)) => Resolved::Op(Route { op, param: None }),
            None => Resolved::WrongMethod(allowed(path).unwrap_or(first)),
        };
    }
    for (prefix, m, op) in PARAMETERISED {
        if let Some(rest) = strip_prefix_ignore_case(path, prefix)
            && !rest.is_empty()
            && !rest.contains('/')
        {
            let param = percent_decode(rest);
            return if method.as_str() == *m {
                Resolved::Op(Route {
                    op,
                    param: Some(param),
                })
            } else {
                Resolved::WrongMethod(m)
            };
        }
    }
    Resolved::NotFound
}

/// The `Allow` header of a path that serves several methods.
fn allowed(path: &str) -> Option<&'static str> {
    path.eq_ignore_ascii_case("/Core/GetDirectoryServices")
        .then_some("GET, POST")
}

fn percent_decode(segment: &str) -> String {
    fn hex(b: u8) -> Option<u8> {
        (b as char).to_digit(16).map(|d| d as u8)
    }
    let bytes = segment.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%'
            && i + 3 <= bytes.len()
            && let (Some(hi), Some(lo)) = (hex(bytes[i + 1]), hex(bytes[i + 2]))
        {
            out.push(hi * 16 + lo);
            i += 3;
            continue;
        }
        out.push(bytes[i]);
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// Operations anyone may call; every other one needs a bearer token.
fn is_anonymous(op: &str) -> bool {
    matches!(
        op,
        "Authentication_PlatformToken"
            | "Authentication_Token"
            | "Authentication_StartAuthentication"
            | "Authentication_AdvanceAuthentication"
            | "Authentication_RefreshPlatformToken"
    )
}

/// Whether the operation's `Result` schema admits null, so a failure envelope may carry
/// `Result: null` and still match the spec.
fn result_nullable(op: &str) -> bool {
    !matches!(
        op,
        "CDirectoryService_GetTechSupportUser"
            | "CDirectoryService_GetUser"
            | "CDirectoryService_GetUserAttributes"
            | "CDirectoryService_GetUserByName"
            | "CDirectoryService_GetUsers"
            | "CDirectoryService_GetUsersFromCsvFile"
            | "CDirectoryService_SubmitUploadedFile"
            | "Core_GetUserSettings"
            | "Core_GetCdsAliasesForTenant"
            | "Core_GetDirectoryServices"
            | "Core_GetDirectoryServicesPost"
            | "Redrock_Query"
            | "ExtData_GetColumns"
            | "ExtData_GetSchema"
            | "Org_Create"
            | "Org_GetAdministrators"
            | "UserMgmt_GetUserAttributes"
            | "UserMgmt_GetUserInfo"
            | "UserMgmt_GetUsersRolesAndAdministrativeRights"
            | "UserMgmt_IsUserCloudLocked"
            | "UserMgmt_IsUserLockedOutByPolicy"
            | "Authentication_StartAuthentication"
            | "Authentication_AdvanceAuthentication"
    )
}

/// Everything a handler needs to know about one request.
pub struct Ctx<'a> {
    /// Shared state.
    pub app: &'a App,
    /// The matched operation.
    pub route: Route,
    /// Query parameters.
    pub query: Query,
    /// Request headers.
    pub headers: &'a HeaderMap,
    /// `Content-Type` of the request.
    pub content_type: String,
    /// The raw body.
    pub body: Bytes,
    /// UUID of the authenticated caller.
    pub caller: Option<String>,
    /// The bearer token the caller used.
    pub token: Option<String>,
}

impl<'a> Ctx<'a> {
    /// Builds the context of a routed request.
    pub fn new(
        app: &'a App,
        route: Route,
        raw_query: Option<&str>,
        headers: &'a HeaderMap,
        content_type: String,
        body: Bytes,
    ) -> Self {
        Self {
            app,
            route,
            query: Query::parse(raw_query),
            headers,
            content_type,
            body,
            caller: None,
            token: None,
        }
    }

    /// The body as a lenient JSON object.
    pub fn json(&self) -> Result<Body, ApiError> {
        Body::parse(&self.body)
    }

    /// The caller's UUID (set for every bearer-authenticated operation).
    pub fn caller(&self) -> &str {
        self.caller.as_deref().unwrap_or("")
    }

    fn bearer(&self) -> Option<String> {
        let auth = self
            .headers
            .get(hyper::header::AUTHORIZATION)
            .and_then(|v| v.to_str().ok());
        if let Some(value) = auth {
            let value = value.trim();
            if value.len() > 7 && value[..7].eq_ignore_ascii_case("bearer ") {
                return Some(value[7..].trim().to_owned());
            }
            return None;
        }
        // A browser-style session: the `.ASPXAUTH` cookie carries the same token.
        let cookies = self.headers.get_all(hyper::header::COOKIE);
        cookies
            .iter()
            .filter_map(|v| v.to_str().ok())
            .flat_map(|v| v.split(';'))
            .find_map(|c| {
                let (k, v) = c.trim().split_once('=')?;
                (k == ".ASPXAUTH" && !v.is_empty()).then(|| v.to_owned())
            })
    }
}

/// Runs the operation: checks the bearer token, then calls the handler.
pub async fn call(mut ctx: Ctx<'_>) -> Reply {
    let op = ctx.route.op;
    if !is_anonymous(op) {
        let token = ctx.bearer();
        let caller = token.as_deref().and_then(|t| ctx.app.auth().validate(t));
        match caller {
            Some(user) => {
                ctx.caller = Some(user);
                ctx.token = token;
            }
            None => return Reply::unauthorized(),
        }
    }
    let outcome = match op {
        "CDirectoryService_ChangeUser" => cdirectory::change_user(&ctx),
        "CDirectoryService_ChangeUserState" => cdirectory::change_user_state(&ctx),
        "CDirectoryService_CreateUser" => lifecycle::create_user(&ctx),
        "CDirectoryService_DeleteUser" => lifecycle::delete_user(&ctx),
        "CDirectoryService_DeleteUsers" => lifecycle::delete_users(&ctx),
        "CDirectoryService_ExemptUserFromMfa" => cdirectory::exempt_user_from_mfa(&ctx),
        "CDirectoryService_GetTechSupportUser" => cdirectory::get_tech_support_user(&ctx),
        "CDirectoryService_GetUser" => cdirectory::get_user(&ctx),
        "CDirectoryService_GetUserAttributes" => cdirectory::get_user_attributes(&ctx),
        "CDirectoryService_GetUserByName" => cdirectory::get_user_by_name(&ctx),
        "CDirectoryService_GetUsers" => cdirectory::get_users(&ctx),
        "CDirectoryService_GetUsersFromCsvFile" => cdirectory::get_users_from_csv_file(&ctx).await,
        "CDirectoryService_SetUserPicture" => cdirectory::set_user_picture(&ctx).await,
        "CDirectoryService_SetUserState" => cdirectory::set_user_state(&ctx),
        "CDirectoryService_SubmitUploadedFile" => cdirectory::submit_uploaded_file(&ctx),
        "Core_GetCdsAliasesForTenant" => core::get_cds_aliases_for_tenant(&ctx),
        "Core_GetDirectoryServices" | "Core_GetDirectoryServicesPost" => {
            core::get_directory_services(&ctx)
        }
        "Core_GetUserSettings" => core::get_user_settings(&ctx),
        "Redrock_Query" => redrock::query(&ctx),
        "ExtData_GetColumns" => ext_data::get_columns(&ctx),
        "ExtData_GetSchema" => ext_data::get_schema(&ctx),
        "ExtData_SetColumns" => ext_data::set_columns(&ctx),
        "ExtData_UpdateSchema" => ext_data::update_schema(&ctx),
        "User_UpdateProfile" => user::update_profile(&ctx),
        "Org_ChangeMemberShip" => org::change_membership(&ctx),
        "Org_Create" => org::create(&ctx),
        "Org_Delete" => org::delete(&ctx),
        "Org_Get" => org::get(&ctx),
        "Org_GetAdministrators" => org::get_administrators(&ctx),
        "Org_GetPermission" => org::get_permission(&ctx),
        "Org_GetRoles" => org::get_roles(&ctx),
        "Org_ListAll" => org::list_all(&ctx),
        "Org_Update" => org::update(&ctx),
        "Org_UpdateAdministrators" => org::update_administrators(&ctx),
        "Org_UpdatePermission" => org::update_permission(&ctx),
        "UserMgmt_ChangeUserAttributes" => user_mgmt::change_user_attributes(&ctx),
        "UserMgmt_GetUserAttributes" => user_mgmt::get_user_attributes(&ctx),
        "UserMgmt_GetUserHierarchy" => user_mgmt::get_user_hierarchy(&ctx),
        "UserMgmt_GetUserInfo" => user_mgmt::get_user_info(&ctx),
        "UserMgmt_GetUserRiskLevel" => user_mgmt::get_user_risk_level(&ctx),
        "UserMgmt_GetUsersRolesAndAdministrativeRights" => user_mgmt::get_roles_and_rights(&ctx),
        "UserMgmt_InviteUsers" => user_mgmt::invite_users(&ctx),
        "UserMgmt_IsUserCloudLocked" => user_mgmt::is_user_cloud_locked(&ctx),
        "UserMgmt_IsUserLockedOutByPolicy" => user_mgmt::is_user_locked_out_by_policy(&ctx),
        "UserMgmt_RemoveUsers" => user_mgmt::remove_users(&ctx),
        "UserMgmt_ResetUserPassword" => lifecycle::reset_user_password(&ctx),
        "UserMgmt_SendLoginEmails" => user_mgmt::send_login_emails(&ctx),
        "UserMgmt_SendSmsInvite" => user_mgmt::send_sms_invite(&ctx),
        "UserMgmt_SetCloudLock" => user_mgmt::set_cloud_lock(&ctx),
        "SCIM_ListGroups" => Ok(scim::list_groups(&ctx)),
        "SCIM_DeleteGroup" => Ok(scim::delete_group(&ctx)),
        "SCIM_CreateUser" => Ok(scim::create_user(&ctx)),
        "SCIM_ReplaceUser" => Ok(scim::replace_user(&ctx)),
        "Authentication_PlatformToken" | "Authentication_Token" => Ok(auth::token(&ctx)),
        "Authentication_StartAuthentication" => auth::start_authentication(&ctx),
        "Authentication_AdvanceAuthentication" => auth::advance_authentication(&ctx),
        "Authentication_Logout" => auth::logout(&ctx),
        "Authentication_RefreshPlatformToken" => auth::refresh_platform_token(&ctx),
        "Roles_StoreRole" => roles::store_role(&ctx),
        "Roles_UpdateRole" => roles::update_role(&ctx),
        "Roles_GetRole" => roles::get_role(&ctx),
        "Roles_GetRoleMembers" => roles::get_role_members(&ctx),
        "Roles_AddUsersAndGroupsToRole" => roles::change_members(&ctx, true),
        "Roles_RemoveUsersAndGroupsFromRole" => roles::change_members(&ctx, false),
        "Roles_DeleteRoles" => roles::delete_roles(&ctx),
        "Roles_AssignSuperRights" => roles::super_rights(&ctx, true),
        "Roles_UnAssignSuperRights" => roles::super_rights(&ctx, false),
        "Roles_GetAssignedAdministrativeRights" => roles::assigned_rights(&ctx),
        "Roles_SetDynamicRoleScript" => roles::set_dynamic_role_script(&ctx),
        "Roles_TestDynamicRoleScript" => roles::test_dynamic_role_script(&ctx),
        "Roles_GetRoleApps" => roles::get_role_apps(&ctx),
        other => Err(ApiError::invalid(format!(
            "identity-sandbox has no handler for {other}"
        ))),
    };
    outcome.unwrap_or_else(|e| fail(&e, result_nullable(op)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_spec_operation_is_routed() {
        // 60 of spec/identity.yaml and 13 of Role Management.
        assert_eq!(OPERATION_COUNT, 73);
        assert!(
            matches!(resolve(&Method::POST, "/Org/Create"), Resolved::Op(r) if r.op == "Org_Create")
        );
        assert!(matches!(
            resolve(&Method::GET, "/Org/Create"),
            Resolved::WrongMethod("POST")
        ));
        assert!(matches!(
            resolve(&Method::POST, "/Org/Creat"),
            Resolved::NotFound
        ));
        assert!(
            matches!(resolve(&Method::PUT, "/scim/Users/12"), Resolved::Op(r) if r.param.as_deref() == Some("12"))
        );
        assert!(matches!(
            resolve(&Method::PUT, "/scim/Users/"),
            Resolved::NotFound
        ));
    }

    /// CyberArk's SDKs spell one path several ways (`OAuth2`, `Oauth2`, `oauth2`); tenants match
    /// paths without regard to case, and so does the sandbox, while a path parameter keeps its
    /// case.
    #[test]
    fn paths_match_without_regard_to_case() {
        for path in [
            "/oauth2/token/App1",
            "/OAuth2/Token/App1",
            "/Oauth2/Token/App1",
            "/OAUTH2/TOKEN/App1",
        ] {
            assert!(
                matches!(resolve(&Method::POST, path), Resolved::Op(r) if r.op == "Authentication_Token" && r.param.as_deref() == Some("App1")),
                "{path}"
            );
        }
        for path in ["/org/create", "/ORG/CREATE", "/Org/Create"] {
            assert!(
                matches!(resolve(&Method::POST, path), Resolved::Op(r) if r.op == "Org_Create"),
                "{path}"
            );
        }
        assert!(
            matches!(resolve(&Method::POST, "/security/startauthentication"), Resolved::Op(r) if r.op == "Authentication_StartAuthentication")
        );
    }

    /// The platform gateway serves the Identity API under `/api/idadmin`.
    #[test]
    fn the_gateway_prefix_is_served() {
        assert!(
            matches!(resolve(&Method::POST, "/api/idadmin/Org/Create"), Resolved::Op(r) if r.op == "Org_Create")
        );
        assert!(
            matches!(resolve(&Method::POST, "/API/IdAdmin/oauth2/platformtoken"), Resolved::Op(r) if r.op == "Authentication_PlatformToken")
        );
        assert!(matches!(
            resolve(&Method::POST, "/api/idadminOrg/Create"),
            Resolved::NotFound
        ));
        assert!(matches!(
            resolve(&Method::POST, "/api/Org/Create"),
            Resolved::NotFound
        ));
    }

    #[test]
    fn percent_decoding() {
        assert_eq!(percent_decode("a%20b"), "a b");
        assert_eq!(percent_decode("100%"), "100%");
    }
}
