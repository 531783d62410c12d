//! SCIM groups (Vault groups). SCIM users live in the shared user store.

use indexmap::IndexMap;

/// A member of a SCIM group.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ScimMember {
    /// SCIM id of the member user.
    pub value: String,
    /// Display name of the member.
    pub display: String,
}

/// One SCIM group.
#[derive(Debug, Clone)]
pub struct ScimGroup {
    /// SCIM id (a small integer as a string).
    pub id: String,
    /// Group name.
    pub display_name: String,
    /// Members.
    pub members: Vec<ScimMember>,
    /// Creation time (ms).
    pub created_ms: i64,
    /// Last modification (ms).
    pub modified_ms: i64,
}

/// The group store, in creation order.
#[derive(Debug, Default)]
pub struct ScimGroups {
    /// Groups by id.
    pub by_id: IndexMap<String, ScimGroup>,
    /// The id the next group gets.
    pub next_id: u64,
}

impl ScimGroups {
    /// Adds a group and returns its id.
    pub fn add(&mut self, display_name: &str, members: Vec<ScimMember>) -> String {
        self.next_id += 1;
        let id = self.next_id.to_string();
        let now = crate::ids::now_ms();
        self.by_id.insert(
            id.clone(),
            ScimGroup {
                id: id.clone(),
                display_name: display_name.to_owned(),
                members,
                created_ms: now,
                modified_ms: now,
            },
        );
        id
    }
}
