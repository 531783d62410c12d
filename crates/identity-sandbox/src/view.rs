//! Read-only snapshots of the sandbox state, for assertions in tests.

use crate::state::Tenant;
use serde_json::Value;
use std::collections::BTreeMap;
use std::time::SystemTime;

/// A snapshot of the whole tenant, taken by [`crate::SandboxHandle::state`].
#[derive(Debug, Clone)]
pub struct StateView {
    /// Cloud Directory users in listing order.
    pub users: Vec<UserView>,
    /// The extensible attribute schema of the users table.
    pub ext_columns: Vec<ExtColumnView>,
    /// Organizations in creation order.
    pub orgs: Vec<OrgView>,
    /// SCIM view of the users (every Cloud Directory user has a SCIM id).
    pub scim_users: Vec<ScimUserView>,
    /// SCIM groups.
    pub scim_groups: Vec<ScimGroupView>,
    /// Roles in creation order.
    pub roles: Vec<RoleView>,
}

impl StateView {
    /// A user by UUID or login name (case-insensitive).
    pub fn user(&self, id_or_name: &str) -> Option<&UserView> {
        self.users.iter().find(|u| {
            u.id.eq_ignore_ascii_case(id_or_name) || u.name.eq_ignore_ascii_case(id_or_name)
        })
    }

    /// A role by ID or name (case-insensitive).
    pub fn role(&self, id_or_name: &str) -> Option<&RoleView> {
        self.roles.iter().find(|r| {
            r.id.eq_ignore_ascii_case(id_or_name) || r.name.eq_ignore_ascii_case(id_or_name)
        })
    }

    /// An organization by id or name.
    pub fn org(&self, id_or_name: &str) -> Option<&OrgView> {
        self.orgs
            .iter()
            .find(|o| o.id == id_or_name || o.name.eq_ignore_ascii_case(id_or_name))
    }
}

/// One user.
#[derive(Debug, Clone)]
pub struct UserView {
    /// UUID.
    pub id: String,
    /// SCIM id.
    pub scim_id: String,
    /// Login name.
    pub name: String,
    /// Display name.
    pub display_name: Option<String>,
    /// E-mail address.
    pub mail: Option<String>,
    /// Mobile number.
    pub mobile: Option<String>,
    /// Description.
    pub description: Option<String>,
    /// State as the tenant spells it (`None`, `Locked, Disabled`, ...).
    pub state: String,
    /// Whether a cloud lock is set.
    pub cloud_locked: bool,
    /// End of the MFA exemption, if any.
    pub mfa_exempt_until: Option<SystemTime>,
    /// Risk level (`Low`, `Medium`, `High`).
    pub risk_level: String,
    /// UUID of the manager.
    pub reports_to: Option<String>,
    /// Stored picture.
    pub picture: Option<Vec<u8>>,
    /// Extensible attribute values.
    pub ext: BTreeMap<String, Value>,
    /// Settings rows by settings type.
    pub settings: BTreeMap<String, Vec<serde_json::Map<String, Value>>>,
    /// Whether the account is a service user.
    pub service_user: bool,
    /// Whether the account is an OAuth confidential client.
    pub oauth_client: bool,
    /// Record version.
    pub version: u32,
}

/// One extensible attribute definition.
#[derive(Debug, Clone, PartialEq)]
pub struct ExtColumnView {
    /// Name.
    pub name: String,
    /// Data type.
    pub kind: String,
    /// Title.
    pub title: Option<String>,
    /// Description.
    pub description: Option<String>,
    /// Whether users may edit it.
    pub user_editable: bool,
}

/// One organization.
#[derive(Debug, Clone)]
pub struct OrgView {
    /// ID.
    pub id: String,
    /// Name.
    pub name: String,
    /// Description.
    pub description: Option<String>,
    /// Members as (ID, Type).
    pub members: Vec<(String, String)>,
    /// Administrator principal ids.
    pub administrators: Vec<String>,
    /// Permissions as (Right, Principal).
    pub permissions: Vec<(String, String)>,
    /// Role names.
    pub roles: Vec<String>,
}

/// One user as SCIM sees it.
#[derive(Debug, Clone)]
pub struct ScimUserView {
    /// SCIM id.
    pub id: String,
    /// UUID of the Cloud Directory user.
    pub uuid: String,
    /// userName.
    pub user_name: String,
    /// displayName.
    pub display_name: Option<String>,
    /// active.
    pub active: bool,
    /// externalId.
    pub external_id: Option<String>,
}

/// One SCIM group.
#[derive(Debug, Clone)]
pub struct ScimGroupView {
    /// SCIM id.
    pub id: String,
    /// displayName.
    pub display_name: String,
    /// Members as (value, display).
    pub members: Vec<(String, String)>,
}

/// One role.
#[derive(Debug, Clone)]
pub struct RoleView {
    /// ID.
    pub id: String,
    /// Name.
    pub name: String,
    /// Description.
    pub description: Option<String>,
    /// `PrincipalList`, `Script` or `Everybody` (empty for the seeded static roles).
    pub role_type: String,
    /// The dynamic membership script.
    pub script: Option<String>,
    /// Built in (cannot be renamed or deleted).
    pub read_only: bool,
    /// UUIDs of member users.
    pub users: Vec<String>,
    /// SCIM ids of member groups.
    pub groups: Vec<String>,
    /// IDs of member roles.
    pub roles: Vec<String>,
    /// Administrative rights, by description.
    pub rights: Vec<String>,
}

/// Builds the snapshot.
pub fn snapshot(t: &Tenant) -> StateView {
    let users: Vec<UserView> = t
        .users
        .iter()
        .map(|u| UserView {
            id: u.uuid.clone(),
            scim_id: u.scim_id.clone(),
            name: u.name.clone(),
            display_name: u.display_name.clone(),
            mail: u.mail.clone(),
            mobile: u.mobile.clone(),
            description: u.description.clone(),
            state: u.state.to_wire(),
            cloud_locked: u.cloud_locked,
            mfa_exempt_until: u.mfa_exempt_until,
            risk_level: u.risk_level.clone(),
            reports_to: u.reports_to.clone(),
            picture: u.picture.clone(),
            ext: u.ext.clone(),
            settings: u.settings.clone(),
            service_user: u.service_user,
            oauth_client: u.oauth_client,
            version: u.version,
        })
        .collect();
    let scim_users = t
        .users
        .iter()
        .map(|u| ScimUserView {
            id: u.scim_id.clone(),
            uuid: u.uuid.clone(),
            user_name: u.name.clone(),
            display_name: u.display_name.clone(),
            active: !u.state.disabled,
            external_id: u.scim.external_id.clone(),
        })
        .collect();
    StateView {
        users,
        ext_columns: t
            .ext
            .columns
            .values()
            .map(|c| ExtColumnView {
                name: c.name.clone(),
                kind: c.kind.clone(),
                title: c.title.clone(),
                description: c.description.clone(),
                user_editable: c.user_editable,
            })
            .collect(),
        orgs: t
            .orgs
            .by_id
            .values()
            .map(|o| OrgView {
                id: o.id.clone(),
                name: o.name.clone(),
                description: o.description.clone(),
                members: o
                    .members
                    .iter()
                    .map(|m| (m.id.clone(), m.kind.clone()))
                    .collect(),
                administrators: o.administrators.iter().map(|a| a.id.clone()).collect(),
                permissions: o
                    .permissions
                    .iter()
                    .map(|p| (p.right.clone(), p.principal.clone()))
                    .collect(),
                roles: o.roles.clone(),
            })
            .collect(),
        scim_users,
        scim_groups: t
            .groups
            .by_id
            .values()
            .map(|g| ScimGroupView {
                id: g.id.clone(),
                display_name: g.display_name.clone(),
                members: g
                    .members
                    .iter()
                    .map(|m| (m.value.clone(), m.display.clone()))
                    .collect(),
            })
            .collect(),
        roles: t
            .roles
            .iter()
            .map(|r| RoleView {
                id: r.id.clone(),
                name: r.name.clone(),
                description: r.description.clone(),
                role_type: r.role_type.clone(),
                script: r.script.clone(),
                read_only: r.read_only,
                users: r.members.clone(),
                groups: r.groups.clone(),
                roles: r.member_roles.clone(),
                rights: r.rights.clone(),
            })
            .collect(),
    }
}
