//! Organizations: delegated administration units with members, administrators and permissions.

use indexmap::IndexMap;

/// A member of an organization (`{ID, Type}` on the wire).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OrgMember {
    /// UUID of the member.
    pub id: String,
    /// `User`, `Role`, ...
    pub kind: String,
}

/// A delegated administrator (`{Id, Type, DirectoryServiceUuid, SystemName}` on the wire).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OrgAdministrator {
    /// UUID of the principal.
    pub id: String,
    /// Kind of principal.
    pub kind: String,
    /// Directory service UUID, if sent.
    pub directory_service_uuid: Option<String>,
    /// Login name of the principal, if known.
    pub system_name: Option<String>,
}

/// A right granted on an organization.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OrgPermission {
    /// Name of the right.
    pub right: String,
    /// Principal holding it.
    pub principal: String,
    /// Kind of principal.
    pub principal_type: String,
}

/// One organization.
#[derive(Debug, Clone)]
pub struct Org {
    /// ID.
    pub id: String,
    /// Name (unique, case-insensitive).
    pub name: String,
    /// Description.
    pub description: Option<String>,
    /// Members in the order they were added.
    pub members: Vec<OrgMember>,
    /// Delegated administrators.
    pub administrators: Vec<OrgAdministrator>,
    /// Granted rights.
    pub permissions: Vec<OrgPermission>,
    /// Names of roles attached to the organization.
    pub roles: Vec<String>,
}

/// The organization store, in creation order.
#[derive(Debug, Default)]
pub struct Orgs {
    /// Organizations by id.
    pub by_id: IndexMap<String, Org>,
}

impl Orgs {
    /// Whether another organization already uses this name.
    pub fn name_taken(&self, name: &str, except: Option<&str>) -> bool {
        self.by_id
            .values()
            .any(|o| o.name.eq_ignore_ascii_case(name) && Some(o.id.as_str()) != except)
    }
}
