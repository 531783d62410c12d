//! Cloud Directory users, indexed by UUID, by lowercase login name and by SCIM id.

use crate::ids;
use indexmap::IndexMap;
use serde_json::Value;
use std::collections::{BTreeMap, HashMap};
use std::time::SystemTime;

/// Account state flags of SetUserState / ChangeUserState.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct AccountState {
    /// Locked by an administrator.
    pub locked: bool,
    /// Disabled (suspended).
    pub disabled: bool,
    /// Expired.
    pub expired: bool,
}

impl AccountState {
    /// The tenant's spelling: `None` or `Locked, Disabled, Expired` in that order.
    pub fn to_wire(self) -> String {
        let mut parts = Vec::new();
        if self.locked {
            parts.push("Locked");
        }
        if self.disabled {
            parts.push("Disabled");
        }
        if self.expired {
            parts.push("Expired");
        }
        if parts.is_empty() {
            "None".to_owned()
        } else {
            parts.join(", ")
        }
    }

    /// Parses `None` or a comma-separated combination; `None` inside a combination is ignored.
    pub fn parse(text: &str) -> Option<Self> {
        let mut state = Self::default();
        let mut any = false;
        for part in text.split(',').map(str::trim).filter(|p| !p.is_empty()) {
            any = true;
            match part.to_ascii_lowercase().as_str() {
                "none" => {}
                "locked" => state.locked = true,
                "disabled" => state.disabled = true,
                "expired" => state.expired = true,
                _ => return None,
            }
        }
        any.then_some(state)
    }

    /// Whether the account may sign in.
    pub fn active(self) -> bool {
        !(self.locked || self.disabled || self.expired)
    }
}

/// SCIM-only attributes of a user created or replaced through `/scim/Users`.
#[derive(Debug, Clone, Default)]
pub struct ScimExtras {
    /// `externalId`.
    pub external_id: Option<String>,
    /// `name` object as sent.
    pub name: Option<Value>,
    /// `emails` as sent.
    pub emails: Option<Value>,
    /// `phoneNumbers` as sent.
    pub phone_numbers: Option<Value>,
    /// `preferredLanguage`.
    pub preferred_language: Option<String>,
}

/// One Cloud Directory user.
#[derive(Debug, Clone)]
pub struct User {
    /// UUID (`Uuid`, `ID`).
    pub uuid: String,
    /// SCIM id (a small integer as a string).
    pub scim_id: String,
    /// Login name `user@suffix`.
    pub name: String,
    /// Display name.
    pub display_name: Option<String>,
    /// E-mail address.
    pub mail: Option<String>,
    /// Mobile number.
    pub mobile: Option<String>,
    /// Office number.
    pub office: Option<String>,
    /// Home number.
    pub home: Option<String>,
    /// Description.
    pub description: Option<String>,
    /// UUID of the manager.
    pub reports_to: Option<String>,
    /// Organization path.
    pub org_path: Option<String>,
    /// Preferred culture code.
    pub preferred_culture: Option<String>,
    /// MFA redirect target.
    pub cma_redirected_user_uuid: Option<String>,
    /// Account expiry as sent.
    pub account_exp: Option<String>,
    /// Account state.
    pub state: AccountState,
    /// Cloud lock.
    pub cloud_locked: bool,
    /// MFA exemption end.
    pub mfa_exempt_until: Option<SystemTime>,
    /// UBA risk level (`Low`, `Medium`, `High`).
    pub risk_level: String,
    /// Stored picture bytes.
    pub picture: Option<Vec<u8>>,
    /// Extensible attribute values.
    pub ext: BTreeMap<String, Value>,
    /// Password, for login.
    pub password: Option<String>,
    /// In the Everybody role.
    pub in_everybody_role: bool,
    /// In the System Administrator role.
    pub in_sysadmin_role: bool,
    /// Must change password at next login.
    pub force_password_change_next: bool,
    /// Password never expires.
    pub password_never_expire: bool,
    /// Service (non-interactive) account.
    pub service_user: bool,
    /// OAuth confidential client.
    pub oauth_client: bool,
    /// Mechanism of the second login factor, if the user needs MFA.
    pub mfa: bool,
    /// Settings by type, each a list of rows.
    pub settings: BTreeMap<String, Vec<serde_json::Map<String, Value>>>,
    /// SCIM attributes.
    pub scim: ScimExtras,
    /// Creation time (ms).
    pub created_ms: i64,
    /// Last modification (ms).
    pub modified_ms: i64,
    /// Record version, bumped on every change.
    pub version: u32,
}

impl User {
    /// A new active user with defaults.
    pub fn new(name: &str) -> Self {
        let now = ids::now_ms();
        Self {
            uuid: ids::uuid(),
            scim_id: String::new(),
            name: name.to_owned(),
            display_name: None,
            mail: None,
            mobile: None,
            office: None,
            home: None,
            description: None,
            reports_to: None,
            org_path: None,
            preferred_culture: None,
            cma_redirected_user_uuid: None,
            account_exp: None,
            state: AccountState::default(),
            cloud_locked: false,
            mfa_exempt_until: None,
            risk_level: "Low".to_owned(),
            picture: None,
            ext: BTreeMap::new(),
            password: None,
            in_everybody_role: true,
            in_sysadmin_role: false,
            force_password_change_next: false,
            password_never_expire: false,
            service_user: false,
            oauth_client: false,
            mfa: false,
            settings: BTreeMap::new(),
            scim: ScimExtras::default(),
            created_ms: now,
            modified_ms: now,
            version: 1,
        }
    }

    /// Marks the record changed.
    pub fn touch(&mut self) {
        self.modified_ms = ids::now_ms();
        self.version += 1;
    }

    /// The part of the login name after `@`, the tenant alias.
    pub fn alias(&self) -> Option<&str> {
        self.name.split_once('@').map(|(_, a)| a)
    }

    /// Relative URL of the picture, if one is stored.
    pub fn picture_uri(&self) -> Option<String> {
        self.picture
            .as_ref()
            .map(|_| format!("/UserMgmt/GetUserPicture?id={}", self.uuid))
    }
}

/// The user store. Insertion order is the listing order, so paging is stable.
#[derive(Debug, Default)]
pub struct Users {
    by_uuid: IndexMap<String, User>,
    by_name: HashMap<String, String>,
    by_scim: HashMap<String, String>,
    next_scim: u64,
}

impl Users {
    /// Number of users.
    pub fn len(&self) -> usize {
        self.by_uuid.len()
    }

    /// Whether the store is empty.
    #[cfg_attr(not(test), allow(dead_code))]
    pub fn is_empty(&self) -> bool {
        self.by_uuid.is_empty()
    }

    /// Adds a user; fails with the existing UUID when the name is taken.
    pub fn insert(&mut self, mut user: User) -> Result<String, String> {
        let key = user.name.to_lowercase();
        if let Some(existing) = self.by_name.get(&key) {
            return Err(existing.clone());
        }
        self.next_scim += 1;
        user.scim_id = self.next_scim.to_string();
        let uuid = user.uuid.clone();
        self.by_name.insert(key, uuid.clone());
        self.by_scim.insert(user.scim_id.clone(), uuid.clone());
        self.by_uuid.insert(uuid.clone(), user);
        Ok(uuid)
    }

    /// A user by UUID (case-insensitive, as the tenant treats GUIDs).
    pub fn get(&self, uuid: &str) -> Option<&User> {
        self.by_uuid
            .get(uuid)
            .or_else(|| self.by_uuid.get(&uuid.to_ascii_lowercase()))
    }

    /// A mutable user by UUID.
    pub fn get_mut(&mut self, uuid: &str) -> Option<&mut User> {
        if self.by_uuid.contains_key(uuid) {
            self.by_uuid.get_mut(uuid)
        } else {
            self.by_uuid.get_mut(&uuid.to_ascii_lowercase())
        }
    }

    /// A user by login name (case-insensitive).
    pub fn by_name(&self, name: &str) -> Option<&User> {
        self.by_name
            .get(&name.to_lowercase())
            .and_then(|u| self.by_uuid.get(u))
    }

    /// A user by UUID or login name.
    pub fn find(&self, id_or_name: &str) -> Option<&User> {
        self.get(id_or_name).or_else(|| self.by_name(id_or_name))
    }

    /// The UUID of a user named by UUID or login name.
    pub fn resolve(&self, id_or_name: &str) -> Option<String> {
        self.find(id_or_name).map(|u| u.uuid.clone())
    }

    /// A user by SCIM id.
    pub fn by_scim(&self, scim_id: &str) -> Option<&User> {
        self.by_scim.get(scim_id).and_then(|u| self.by_uuid.get(u))
    }

    /// Renames a user, keeping the name index right; fails when the new name is taken.
    pub fn rename(&mut self, uuid: &str, new_name: &str) -> Result<(), ()> {
        let key = new_name.to_lowercase();
        match self.by_name.get(&key) {
            Some(owner) if owner != uuid => return Err(()),
            _ => {}
        }
        let Some(user) = self.by_uuid.get_mut(uuid) else {
            return Err(());
        };
        self.by_name.remove(&user.name.to_lowercase());
        user.name = new_name.to_owned();
        self.by_name.insert(key, uuid.to_owned());
        Ok(())
    }

    /// Removes a user; returns it when it existed.
    pub fn remove(&mut self, uuid: &str) -> Option<User> {
        let user = self.by_uuid.shift_remove(uuid)?;
        self.by_name.remove(&user.name.to_lowercase());
        self.by_scim.remove(&user.scim_id);
        Some(user)
    }

    /// Users in listing order.
    pub fn iter(&self) -> impl Iterator<Item = &User> {
        self.by_uuid.values()
    }

    /// A page of users in listing order, without walking the ones before it.
    pub fn page(&self, start: usize, len: usize) -> impl Iterator<Item = &User> {
        let end = start.saturating_add(len).min(self.by_uuid.len());
        let start = start.min(end);
        (start..end).filter_map(move |i| self.by_uuid.get_index(i).map(|(_, u)| u))
    }

    /// Reserves room for `n` more users (bulk creation).
    pub fn reserve(&mut self, n: usize) {
        self.by_uuid.reserve(n);
        self.by_name.reserve(n);
        self.by_scim.reserve(n);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn state_round_trip() {
        let s = AccountState::parse("Locked,Disabled").expect("parses");
        assert_eq!(s.to_wire(), "Locked, Disabled");
        assert_eq!(
            AccountState::parse("None").expect("parses").to_wire(),
            "None"
        );
        assert!(AccountState::parse("Bogus").is_none());
        assert!(AccountState::parse("").is_none());
    }

    #[test]
    fn indexes_follow_renames_and_removals() {
        let mut users = Users::default();
        let id = users.insert(User::new("A@x")).expect("inserted");
        assert!(users.insert(User::new("a@X")).is_err());
        users.rename(&id, "b@x").expect("renamed");
        assert!(users.by_name("A@x").is_none());
        assert_eq!(
            users.by_name("B@X").map(|u| u.uuid.clone()),
            Some(id.clone())
        );
        assert!(users.remove(&id).is_some());
        assert!(users.is_empty());
    }
}
