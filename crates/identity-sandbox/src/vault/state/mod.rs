//! The Vault's data: users, safes with members, accounts with secret versions, platforms, PSM
//! sessions and recordings, and session tokens.

mod platform;
mod session;

pub use platform::Platform;
pub use session::PsmSession;

use serde_json::{Map, Value, json};
use std::collections::{BTreeMap, HashMap};
use std::time::{Duration, Instant};

/// The 22 safe permissions, in the order the Vault lists them.
pub const PERMISSIONS: [&str; 22] = [
    "useAccounts",
    "retrieveAccounts",
    "listAccounts",
    "addAccounts",
    "updateAccountContent",
    "updateAccountProperties",
    "initiateCPMAccountManagementOperations",
    "specifyNextAccountContent",
    "renameAccounts",
    "deleteAccounts",
    "unlockAccounts",
    "manageSafe",
    "manageSafeMembers",
    "backupSafe",
    "viewAuditLog",
    "viewSafeMembers",
    "accessWithoutConfirmation",
    "createFolders",
    "deleteFolders",
    "moveAccountsAndFolders",
    "requestsAuthorizationLevel1",
    "requestsAuthorizationLevel2",
];

/// The current time in Unix seconds.
pub fn now() -> i64 {
    crate::ids::now_ms() / 1000
}

/// A vault user. `doc` holds the descriptive fields as the API shows them; the id, name,
/// password and state live beside it so they cannot be overwritten by an update body.
#[derive(Debug, Clone)]
pub struct VaultUser {
    /// Numeric id.
    pub id: i64,
    /// Login name.
    pub username: String,
    /// Password (CyberArk, LDAP and RADIUS logons all check it in the sandbox).
    pub password: String,
    /// `CyberArk` or `LDAP`.
    pub source: String,
    /// Logon methods this user may use (`CyberArk`, `LDAP`, `RADIUS`).
    pub methods: Vec<String>,
    /// Suspended after failed logons (Activate clears it).
    pub suspended: bool,
    /// Failed logons since the last success.
    pub failed_logons: u32,
    /// Vault-level authorizations (`AddSafes`, `AuditUsers`, ...).
    pub authorizations: Vec<String>,
    /// Every other field, as last sent.
    pub doc: Map<String, Value>,
}

impl VaultUser {
    /// The full JSON of the user.
    pub fn to_json(&self) -> Value {
        let mut out = self.doc.clone();
        out.insert("id".into(), self.id.into());
        out.insert("username".into(), self.username.clone().into());
        out.insert("source".into(), self.source.clone().into());
        out.insert("suspended".into(), self.suspended.into());
        out.insert("vaultAuthorization".into(), json!(self.authorizations));
        out.insert("componentUser".into(), false.into());
        out.insert("groupsMembership".into(), json!([]));
        out.insert(
            "authenticationMethod".into(),
            json!(
                self.methods
                    .iter()
                    .map(|m| match m.as_str() {
                        "LDAP" => "AuthTypeLDAP",
                        "RADIUS" => "AuthTypeRADIUS",
                        _ => "AuthTypePass",
                    })
                    .collect::<Vec<_>>()
            ),
        );
        out.entry("userType").or_insert_with(|| "EPVUser".into());
        out.entry("location").or_insert_with(|| "\\".into());
        out.entry("enableUser").or_insert_with(|| true.into());
        Value::Object(out)
    }

    /// The list form of the user.
    pub fn summary(&self) -> Value {
        let full = self.to_json();
        let mut out = Map::new();
        for key in [
            "id",
            "username",
            "source",
            "userType",
            "componentUser",
            "groupsMembership",
            "vaultAuthorization",
            "location",
            "personalDetails",
        ] {
            if let Some(v) = full.get(key) {
                out.insert(key.into(), v.clone());
            }
        }
        Value::Object(out)
    }
}

/// A member of a safe.
#[derive(Debug, Clone)]
pub struct Member {
    /// Member name (may contain dots and `@`).
    pub name: String,
    /// Numeric id or GUID, as a string.
    pub member_id: String,
    /// `User`, `Group` or `Role`.
    pub member_type: String,
    /// Expiry in Unix seconds.
    pub expires: Option<i64>,
    /// Whether it is a built-in member.
    pub predefined: bool,
    /// Granted permissions.
    pub permissions: BTreeMap<String, bool>,
}

impl Member {
    /// Whether the member holds a permission (an expired membership holds none).
    pub fn can(&self, permission: &str) -> bool {
        if self.expires.is_some_and(|e| e <= now()) {
            return false;
        }
        self.permissions.get(permission).copied().unwrap_or(false)
    }
}

/// Every permission set to `value`.
pub fn all_permissions(value: bool) -> BTreeMap<String, bool> {
    PERMISSIONS
        .iter()
        .map(|p| ((*p).to_owned(), value))
        .collect()
}

/// A safe.
#[derive(Debug, Clone)]
pub struct Safe {
    /// Name.
    pub name: String,
    /// Numeric id, the first part of account ids.
    pub number: i64,
    /// Description.
    pub description: String,
    /// Vault folder.
    pub location: String,
    /// Object-level access control.
    pub olac: bool,
    /// Managing CPM.
    pub managing_cpm: String,
    /// Versions kept.
    pub versions_retention: Option<i64>,
    /// Days kept.
    pub days_retention: Option<i64>,
    /// Auto purge.
    pub auto_purge: bool,
    /// Creator (id, name).
    pub creator: (String, String),
    /// Creation time (s).
    pub created: i64,
    /// Last change (µs).
    pub modified_us: i64,
    /// Members.
    pub members: Vec<Member>,
    /// Next object number for account ids.
    pub next_object: i64,
}

/// The URL id of a safe name (its percent-encoded form).
pub fn url_id(name: &str) -> String {
    let mut out = String::new();
    for b in name.bytes() {
        if b.is_ascii_alphanumeric() || b"-_.~".contains(&b) {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

impl Safe {
    /// The member of this name, ignoring case as the Vault does.
    pub fn member(&self, name: &str) -> Option<&Member> {
        self.members
            .iter()
            .find(|m| m.name.eq_ignore_ascii_case(name))
    }

    /// The JSON of the safe.
    pub fn to_json(&self) -> Value {
        json!({
            "safeUrlId": url_id(&self.name),
            "safeName": self.name,
            "safeNumber": self.number,
            "description": self.description,
            "location": self.location,
            "creator": {"id": self.creator.0, "name": self.creator.1},
            "olacEnabled": self.olac,
            "managingCPM": self.managing_cpm,
            "numberOfVersionsRetention": self.versions_retention,
            "numberOfDaysRetention": self.days_retention,
            "autoPurgeEnabled": self.auto_purge,
            "creationTime": self.created,
            "lastModificationTime": self.modified_us,
            "isExpiredMember": false,
        })
    }

    /// The JSON of one member.
    pub fn member_json(&self, m: &Member) -> Value {
        json!({
            "safeUrlId": url_id(&self.name),
            "safeName": self.name,
            "safeNumber": self.number,
            "memberId": m.member_id,
            "memberName": m.name,
            "memberType": m.member_type,
            "membershipExpirationDate": m.expires,
            "isExpiredMembershipEnable": m.expires.is_some_and(|e| e <= now()),
            "isPredefinedUser": m.predefined,
            "isReadOnly": false,
            "permissions": m.permissions,
        })
    }
}

/// One stored version of a secret.
#[derive(Debug, Clone)]
pub struct SecretVersion {
    /// Version number.
    pub id: i64,
    /// The value.
    pub value: String,
    /// Who set it.
    pub by: String,
    /// When (s).
    pub at: i64,
}

/// One entry of an account's activity log.
#[derive(Debug, Clone)]
pub struct Activity {
    /// When (s).
    pub at: i64,
    /// Who.
    pub user: String,
    /// What.
    pub action: String,
    /// Numeric code.
    pub action_id: i64,
    /// Component.
    pub client: String,
    /// Reason given.
    pub reason: String,
}

/// A CPM task waiting to run.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CpmTask {
    /// Change the password (to the next password when one is set).
    Change,
    /// Verify it.
    Verify,
    /// Reconcile it.
    Reconcile,
}

/// A privileged account.
#[derive(Debug, Clone)]
pub struct Account {
    /// `{safeNumber}_{objectNumber}`.
    pub id: String,
    /// Safe name.
    pub safe: String,
    /// Object name.
    pub name: String,
    /// Address.
    pub address: String,
    /// User name.
    pub user_name: String,
    /// Platform id.
    pub platform_id: String,
    /// `password` or `key`.
    pub secret_type: String,
    /// Platform properties.
    pub props: BTreeMap<String, String>,
    /// CPM-managed.
    pub automatic: bool,
    /// Why not.
    pub manual_reason: Option<String>,
    /// Last CPM result (`success`, `failure`, `inProcess`).
    pub status: Option<String>,
    /// Last secret change (s).
    pub modified: i64,
    /// Last verification (s).
    pub verified: Option<i64>,
    /// Last reconciliation (s).
    pub reconciled: Option<i64>,
    /// Remote machines and whether access is restricted to them.
    pub remote: Option<(String, bool)>,
    /// Creation (s).
    pub created: i64,
    /// Last change of the object (s).
    pub category_modified: i64,
    /// Secret versions, oldest first; the last is current.
    pub versions: Vec<SecretVersion>,
    /// The value the next change sets.
    pub next_password: Option<String>,
    /// Activity log, oldest first.
    pub activities: Vec<Activity>,
    /// Linked accounts by slot index: (account id, name).
    pub linked: BTreeMap<i64, (String, String)>,
    /// The CPM task in progress, if any.
    pub pending: Option<super::cpm::Pending>,
}

impl Account {
    /// The current secret.
    pub fn secret(&self) -> &str {
        self.versions.last().map_or("", |v| v.value.as_str())
    }

    /// Stores a new secret version.
    pub fn push_secret(&mut self, value: String, by: &str) {
        let id = self.versions.last().map_or(1, |v| v.id + 1);
        let at = now();
        self.versions.push(SecretVersion {
            id,
            value,
            by: by.to_owned(),
            at,
        });
        self.modified = at;
    }

    /// Appends to the activity log.
    pub fn log(&mut self, user: &str, action: &str, action_id: i64, client: &str, reason: &str) {
        self.activities.push(Activity {
            at: now(),
            user: user.to_owned(),
            action: action.to_owned(),
            action_id,
            client: client.to_owned(),
            reason: reason.to_owned(),
        });
    }

    /// The JSON of the account (never its secret).
    pub fn to_json(&self) -> Value {
        let mut sm = Map::new();
        sm.insert("automaticManagementEnabled".into(), self.automatic.into());
        if let Some(r) = &self.manual_reason {
            sm.insert("manualManagementReason".into(), r.clone().into());
        }
        if let Some(s) = &self.status {
            sm.insert("status".into(), s.clone().into());
        }
        sm.insert("lastModifiedTime".into(), self.modified.into());
        if let Some(t) = self.verified {
            sm.insert("lastVerifiedTime".into(), t.into());
        }
        if let Some(t) = self.reconciled {
            sm.insert("lastReconciledTime".into(), t.into());
        }
        let linked: Vec<Value> = [
            (1, "LogonAccount", "Logon Account"),
            (3, "ReconcileAccount", "Reconcile Account"),
        ]
        .iter()
        .map(|(i, n, d)| {
            let slot = self.linked.get(i);
            json!({
                "AccountId": slot.map(|s| s.0.clone()),
                "Name": n,
                "DisplayName": d,
                "Descriptor": slot.map(|s| s.1.clone()).unwrap_or_default(),
                "extraPasswordIndex": i,
            })
        })
        .collect();
        let mut out = json!({
            "id": self.id,
            "name": self.name,
            "address": self.address,
            "userName": self.user_name,
            "platformId": self.platform_id,
            "safeName": self.safe,
            "secretType": self.secret_type,
            "platformAccountProperties": self.props,
            "secretManagement": sm,
            "createdTime": self.created,
            "categoryModificationTime": self.category_modified,
            "LinkedAccounts": linked,
        });
        if let (Some((machines, restricted)), Some(map)) = (&self.remote, out.as_object_mut()) {
            map.insert(
                "remoteMachinesAccess".into(),
                json!({"remoteMachines": machines, "accessRestrictedToRemoteMachines": restricted}),
            );
        }
        out
    }
}

/// A Vault session token.
#[derive(Debug, Clone)]
pub struct Session {
    /// The vault user it belongs to.
    pub user: String,
    /// When it stops being accepted.
    pub expires: Instant,
}

/// Everything the Vault stores.
#[derive(Debug, Default)]
pub struct Vault {
    /// Users by id.
    pub users: BTreeMap<i64, VaultUser>,
    /// Safes by lowercase name.
    pub safes: BTreeMap<String, Safe>,
    /// Accounts by id, in insertion order of their keys.
    pub accounts: BTreeMap<String, Account>,
    /// Account ids in creation order (listing order).
    pub order: Vec<String>,
    /// Platforms.
    pub platforms: Vec<Platform>,
    /// PSM sessions, live and recorded.
    pub sessions: Vec<PsmSession>,
    /// Session tokens.
    pub tokens: HashMap<String, Session>,
    /// Next safe number.
    pub next_safe: i64,
    /// Next user id.
    pub next_user: i64,
    /// How long a CPM task takes.
    pub cpm_delay: Duration,
}

impl Vault {
    /// The user of this name, ignoring case.
    pub fn user_by_name(&self, name: &str) -> Option<&VaultUser> {
        self.users
            .values()
            .find(|u| u.username.eq_ignore_ascii_case(name))
    }

    /// The safe of this name or URL id.
    pub fn safe(&self, name: &str) -> Option<&Safe> {
        self.safes.get(&name.to_lowercase())
    }

    /// The same, for writing.
    pub fn safe_mut(&mut self, name: &str) -> Option<&mut Safe> {
        self.safes.get_mut(&name.to_lowercase())
    }

    /// The platform of this id, ignoring case.
    pub fn platform(&self, id: &str) -> Option<&Platform> {
        self.platforms
            .iter()
            .find(|p| p.id.eq_ignore_ascii_case(id))
    }

    /// The session of this `SessionID` or `SessionGuid`.
    pub fn session_mut(&mut self, id: &str) -> Option<&mut PsmSession> {
        self.sessions
            .iter_mut()
            .find(|s| s.id == id || s.guid.eq_ignore_ascii_case(id))
    }

    /// Issues a session token for a user.
    pub fn issue(&mut self, user: &str, ttl: Duration) -> String {
        let now = Instant::now();
        if self.tokens.len() > 4096 {
            self.tokens.retain(|_, s| s.expires > now);
        }
        // Shaped like a PVWA token: base64 of a GUID, a hex session id and padding, ~180 chars.
        let raw = format!(
            "{};{};{}",
            crate::ids::uuid(),
            crate::ids::random_hex(8).to_uppercase(),
            crate::ids::random_hex(48).to_uppercase()
        );
        let token = base64_std(raw.as_bytes());
        self.tokens.insert(
            token.clone(),
            Session {
                user: user.to_owned(),
                expires: now + ttl,
            },
        );
        token
    }

    /// The user of a valid session token.
    pub fn validate(&mut self, token: &str) -> Option<String> {
        let session = self.tokens.get(token)?;
        if session.expires <= Instant::now() {
            self.tokens.remove(token);
            return None;
        }
        Some(session.user.clone())
    }
}

fn base64_std(bytes: &[u8]) -> String {
    const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = String::new();
    for chunk in bytes.chunks(3) {
        let b = [
            chunk[0],
            *chunk.get(1).unwrap_or(&0),
            *chunk.get(2).unwrap_or(&0),
        ];
        let n = (u32::from(b[0]) << 16) | (u32::from(b[1]) << 8) | u32::from(b[2]);
        for i in 0..4 {
            if i <= chunk.len() {
                out.push(ALPHABET[(n >> (18 - 6 * i) & 63) as usize] as char);
            } else {
                out.push('=');
            }
        }
    }
    out
}
