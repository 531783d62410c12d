//! The tenant's data: users, extensible schema, organizations, SCIM groups, invitations.

pub mod connectors;
pub mod ext;
pub mod orgs;
pub mod scim;
pub mod users;

use std::collections::HashMap;

/// How an invitation or login e-mail was "sent".
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Channel {
    /// E-mail.
    Email,
    /// SMS.
    Sms,
}

/// One invitation or login message the sandbox pretended to send.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Invitation {
    /// UUID of the user it went to.
    pub user_id: String,
    /// Login name of the user.
    pub user_name: String,
    /// E-mail address or mobile number it went to, when the user has one.
    pub address: Option<String>,
    /// E-mail or SMS.
    pub channel: Channel,
    /// The operation that sent it (`UserMgmt_InviteUsers`, `UserMgmt_SendLoginEmails`,
    /// `UserMgmt_SendSmsInvite`, `CDirectoryService_SubmitUploadedFile`).
    pub source: String,
    /// Role the user was added to, for InviteUsers with `Role`.
    pub role: Option<String>,
}

/// A CSV file stored by GetUsersFromCsvFile, waiting for SubmitUploadedFile.
#[derive(Debug, Clone)]
pub struct CsvUpload {
    /// Parsed rows, each a map from lowercase column name to value.
    pub rows: Vec<HashMap<String, String>>,
}

/// A role: its users (for GetUsersRolesAndAdministrativeRights), and what Role Management
/// (`spec/vendor/RoleManagement.yaml`) reads and changes.
#[derive(Debug, Clone, Default)]
pub struct Role {
    /// Role ID.
    pub id: String,
    /// Role name.
    pub name: String,
    /// Description.
    pub description: Option<String>,
    /// Administrative rights the role grants.
    pub rights: Vec<String>,
    /// UUIDs of members.
    pub members: Vec<String>,
    /// Groups that are members, as named when added (SCIM group ids or names).
    pub groups: Vec<String>,
    /// IDs of roles that are members.
    pub member_roles: Vec<String>,
    /// `PrincipalList` (static members), `Script` (dynamic) or `Everybody`; empty means
    /// `PrincipalList`.
    pub role_type: String,
    /// The dynamic membership script, once set.
    pub script: Option<String>,
    /// Built in: cannot be renamed or deleted.
    pub read_only: bool,
    /// Organization the role was created in.
    pub org_path: Option<String>,
    /// IDs of the web applications assigned to the role.
    pub apps: Vec<String>,
}

/// Everything the tenant stores.
#[derive(Debug, Default)]
pub struct Tenant {
    /// Cloud Directory (and SCIM) users.
    pub users: users::Users,
    /// Extensible attribute schema of the users table.
    pub ext: ext::ExtSchema,
    /// Organizations.
    pub orgs: orgs::Orgs,
    /// SCIM groups.
    pub groups: scim::ScimGroups,
    /// Roles.
    pub roles: Vec<Role>,
    /// Connectors (the Redrock `Proxy` table).
    pub connectors: Vec<connectors::Connector>,
    /// Invitations sent.
    pub invitations: Vec<Invitation>,
    /// CSV uploads by ReturnID.
    pub uploads: HashMap<String, CsvUpload>,
    /// UUID of the technical support user (not a listed user).
    pub tech_support_uuid: String,
    /// Tenant ID (`TenantId`, `CustomerID`).
    pub tenant_id: String,
    /// Login suffix of the tenant.
    pub suffix: String,
}
