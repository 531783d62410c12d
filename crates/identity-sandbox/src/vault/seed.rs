//! The Vault's sign-in users and demo data.

use super::state::{
    Account, Member, Platform, PsmSession, Safe, Vault, VaultUser, all_permissions, now,
};
use crate::app::Seed;
use serde_json::Map;
use std::collections::BTreeMap;
use std::time::Duration;

/// The Vault administrator (CyberArk authentication): a member of every safe, all authorizations.
pub const ADMIN_USERNAME: &str = "Administrator";
/// Its password.
pub const ADMIN_PASSWORD: &str = "Sandbox-Vault-Passw0rd!";
/// An auditor who may list accounts and sessions but not retrieve passwords.
pub const AUDITOR_USERNAME: &str = "auditor";
/// Its password.
pub const AUDITOR_PASSWORD: &str = "Sandbox-Auditor-Passw0rd!";
/// A user who signs in with LDAP.
pub const LDAP_USERNAME: &str = "jane.doe@corp.sandbox.example";
/// Its password.
pub const LDAP_PASSWORD: &str = "Sandbox-Ldap-Passw0rd!";
/// A user who signs in with RADIUS.
pub const RADIUS_USERNAME: &str = "radius.user";
/// Its password.
pub const RADIUS_PASSWORD: &str = "Sandbox-Radius-Passw0rd!";

const ALL_AUTHORIZATIONS: [&str; 10] = [
    "AddUpdateUsers",
    "AddSafes",
    "AddNetworkAreas",
    "ManageDirectoryMapping",
    "ManageServerFileCategories",
    "AuditUsers",
    "BackupAllSafes",
    "RestoreAllSafes",
    "ResetUsersPasswords",
    "ActivateUsers",
];

/// Builds the Vault. `identity_admins` are Identity users (Privilege Cloud style) who get the
/// administrator's rights when they call with a platform token.
pub fn vault(seed: Seed, cpm_delay: Duration, identity_admins: &[&str]) -> Vault {
    let mut v = Vault {
        next_safe: 10,
        next_user: 1,
        cpm_delay,
        ..Vault::default()
    };
    add_user(
        &mut v,
        ADMIN_USERNAME,
        ADMIN_PASSWORD,
        "CyberArk",
        &["CyberArk"],
        &ALL_AUTHORIZATIONS,
    );
    add_user(
        &mut v,
        AUDITOR_USERNAME,
        AUDITOR_PASSWORD,
        "CyberArk",
        &["CyberArk"],
        &["AuditUsers"],
    );
    add_user(&mut v, LDAP_USERNAME, LDAP_PASSWORD, "LDAP", &["LDAP"], &[]);
    add_user(
        &mut v,
        RADIUS_USERNAME,
        RADIUS_PASSWORD,
        "CyberArk",
        &["RADIUS"],
        &[],
    );
    for name in identity_admins {
        // Identity users have no Vault password; they only sign in through Identity.
        add_user(&mut v, name, "", "LDAP", &[], &ALL_AUTHORIZATIONS);
    }
    platforms(&mut v);
    if seed == Seed::Demo {
        demo(&mut v, identity_admins);
    }
    v
}

fn add_user(
    v: &mut Vault,
    name: &str,
    password: &str,
    source: &str,
    methods: &[&str],
    auths: &[&str],
) {
    let id = v.next_user;
    v.next_user += 1;
    let mut doc = Map::new();
    doc.insert("changePassOnNextLogon".into(), false.into());
    doc.insert("passwordNeverExpires".into(), true.into());
    doc.insert("expiryDate".into(), serde_json::Value::Null);
    doc.insert("description".into(), format!("{name} (sandbox)").into());
    v.users.insert(
        id,
        VaultUser {
            id,
            username: name.to_owned(),
            password: password.to_owned(),
            source: source.to_owned(),
            methods: methods.iter().map(|m| (*m).to_owned()).collect(),
            suspended: false,
            failed_logons: 0,
            authorizations: auths.iter().map(|a| (*a).to_owned()).collect(),
            doc,
        },
    );
}

fn platforms(v: &mut Vault) {
    let list: [(&str, &str, &str, &'static str, bool); 7] = [
        (
            "WinDomain",
            "Windows Domain Accounts",
            "Windows",
            "Regular",
            false,
        ),
        ("UnixSSH", "Unix via SSH", "*NIX", "Regular", false),
        ("MySQL", "MySQL Server", "Database", "Regular", false),
        (
            "GenericWebApp",
            "Generic Web App",
            "Website",
            "Regular",
            true,
        ),
        (
            "WinServiceDependent",
            "Windows Service",
            "Windows",
            "Dependent",
            false,
        ),
        (
            "SharedAdminGroup",
            "Shared admin group",
            "Windows",
            "Group",
            false,
        ),
        (
            "DualAccountRotation",
            "Dual account rotation",
            "Database",
            "RotationalGroup",
            false,
        ),
    ];
    for (i, (id, name, system_type, kind, require_reason)) in list.into_iter().enumerate() {
        v.platforms.push(Platform {
            number: i as i64 + 1,
            id: id.to_owned(),
            name: name.to_owned(),
            system_type: system_type.to_owned(),
            kind,
            active: true,
            require_reason,
        });
    }
}

/// Adds a safe whose members are the administrator (predefined) and `extra`.
pub fn add_safe(v: &mut Vault, name: &str, description: &str, creator: &str, extra: Vec<Member>) {
    let number = v.next_safe;
    v.next_safe += 1;
    let created = now();
    let mut members = vec![Member {
        name: ADMIN_USERNAME.to_owned(),
        member_id: "1".to_owned(),
        member_type: "User".to_owned(),
        expires: None,
        predefined: true,
        permissions: all_permissions(true),
    }];
    members.extend(extra);
    let creator_id = v
        .user_by_name(creator)
        .map_or_else(|| "1".to_owned(), |u| u.id.to_string());
    v.safes.insert(
        name.to_lowercase(),
        Safe {
            name: name.to_owned(),
            number,
            description: description.to_owned(),
            location: "\\".to_owned(),
            olac: false,
            managing_cpm: "PasswordManager".to_owned(),
            versions_retention: None,
            days_retention: Some(7),
            auto_purge: false,
            creator: (creator_id, creator.to_owned()),
            created,
            modified_us: created * 1_000_000,
            members,
            next_object: 1,
        },
    );
}

/// A member with the given permissions set and all others false.
pub fn member(v: &Vault, name: &str, grants: &[&str]) -> Member {
    let mut permissions = all_permissions(false);
    for g in grants {
        permissions.insert((*g).to_owned(), true);
    }
    Member {
        name: name.to_owned(),
        member_id: v
            .user_by_name(name)
            .map_or_else(crate::ids::uuid, |u| u.id.to_string()),
        member_type: "User".to_owned(),
        expires: None,
        predefined: false,
        permissions,
    }
}

/// Adds an account to a safe and returns its id.
#[allow(clippy::too_many_arguments)]
pub fn add_account(
    v: &mut Vault,
    safe: &str,
    platform: &str,
    address: &str,
    user_name: &str,
    name: Option<String>,
    secret: String,
    secret_type: &str,
    props: BTreeMap<String, String>,
    by: &str,
) -> Option<String> {
    let system_type =
        v.platform(platform)
            .map_or("Operating System", |p| match p.system_type.as_str() {
                "Database" => "Database",
                "Website" => "Website",
                _ => "Operating System",
            });
    let name = name.unwrap_or_else(|| format!("{system_type}-{platform}-{address}-{user_name}"));
    let s = v.safe_mut(safe)?;
    let id = format!("{}_{}", s.number, s.next_object);
    s.next_object += 1;
    let safe_name = s.name.clone();
    let at = now();
    let mut account = Account {
        id: id.clone(),
        safe: safe_name,
        name,
        address: address.to_owned(),
        user_name: user_name.to_owned(),
        platform_id: platform.to_owned(),
        secret_type: secret_type.to_owned(),
        props,
        automatic: true,
        manual_reason: None,
        status: None,
        modified: at,
        verified: None,
        reconciled: None,
        remote: None,
        created: at,
        category_modified: at,
        versions: Vec::new(),
        next_password: None,
        activities: Vec::new(),
        linked: BTreeMap::new(),
        pending: None,
    };
    account.push_secret(secret, by);
    account.log(by, "Store password", 294, "PVWA", "");
    v.accounts.insert(id.clone(), account);
    v.order.push(id.clone());
    Some(id)
}

fn demo(v: &mut Vault, identity_admins: &[&str]) {
    let auditor_grants = ["listAccounts", "viewAuditLog", "viewSafeMembers"];
    let mut admins: Vec<Member> = identity_admins
        .iter()
        .map(|n| member(v, n, &super::state::PERMISSIONS))
        .collect();
    admins.push(member(v, AUDITOR_USERNAME, &auditor_grants));
    admins.push(member(
        v,
        LDAP_USERNAME,
        &["useAccounts", "retrieveAccounts", "listAccounts"],
    ));
    for (safe, description) in [
        ("Windows-Admins", "Domain administrator accounts"),
        ("Linux-Root", "Root and sudo accounts of the Linux fleet"),
        ("Databases", "Database service accounts"),
        ("Web-Apps", "SaaS and web application logins"),
    ] {
        add_safe(v, safe, description, ADMIN_USERNAME, admins.clone());
    }
    add_safe(
        v,
        "PSMRecordings",
        "PSM session recordings",
        ADMIN_USERNAME,
        vec![member(v, AUDITOR_USERNAME, &auditor_grants)],
    );
    let mut count = 0;
    for i in 1..=20 {
        let props = BTreeMap::from([("LogonDomain".to_owned(), "CORP".to_owned())]);
        add_account(
            v,
            "Windows-Admins",
            "WinDomain",
            "corp.sandbox.example",
            &format!("adm-{i:02}"),
            None,
            format!("Win-Passw0rd-{i:02}!"),
            "password",
            props,
            ADMIN_USERNAME,
        );
        count += 1;
    }
    for i in 1..=15 {
        let props = BTreeMap::from([("Port".to_owned(), "22".to_owned())]);
        add_account(
            v,
            "Linux-Root",
            "UnixSSH",
            &format!("linux{i:02}.sandbox.example"),
            "root",
            None,
            format!("Root-Passw0rd-{i:02}!"),
            "password",
            props,
            ADMIN_USERNAME,
        );
        count += 1;
    }
    for i in 1..=10 {
        let props = BTreeMap::from([
            ("Port".to_owned(), "3306".to_owned()),
            ("Database".to_owned(), format!("app{i:02}")),
        ]);
        add_account(
            v,
            "Databases",
            "MySQL",
            &format!("db{i:02}.sandbox.example"),
            &format!("svc_app{i:02}"),
            None,
            format!("Db-Passw0rd-{i:02}!"),
            "password",
            props,
            ADMIN_USERNAME,
        );
        count += 1;
    }
    for (i, site) in [
        "github.com",
        "aws.amazon.com",
        "salesforce.com",
        "slack.com",
        "atlassian.net",
        "okta.com",
        "servicenow.com",
    ]
    .iter()
    .enumerate()
    {
        add_account(
            v,
            "Web-Apps",
            "GenericWebApp",
            site,
            &format!("ops{i}@sandbox.example"),
            None,
            format!("Web-Passw0rd-{i}!"),
            "password",
            BTreeMap::new(),
            ADMIN_USERNAME,
        );
        count += 1;
    }
    // One account whose CPM tasks always fail, to watch a `failure` status.
    add_account(
        v,
        "Linux-Root",
        "UnixSSH",
        super::cpm::UNREACHABLE,
        "root",
        None,
        "Unreachable-Passw0rd!".into(),
        "password",
        BTreeMap::new(),
        ADMIN_USERNAME,
    );
    debug_assert!(count + 1 >= 50);
    let start = now();
    let live = [
        (
            "adm-01",
            "WinDomain",
            "dc01.corp.sandbox.example",
            "RDP",
            12,
        ),
        ("root", "UnixSSH", "linux03.sandbox.example", "SSH", 85),
        ("svc_app02", "MySQL", "db02.sandbox.example", "SQL", -1),
    ];
    for (i, (user, platform, machine, protocol, risk)) in live.into_iter().enumerate() {
        v.sessions.push(PsmSession {
            id: format!("99_{}", 100 + i),
            guid: crate::ids::uuid(),
            safe: "PSMRecordings".into(),
            start: start - 600 * (i as i64 + 1),
            end: None,
            suspended: false,
            user: ADMIN_USERNAME.into(),
            remote_machine: machine.into(),
            account_user: user.into(),
            platform: platform.into(),
            address: machine.into(),
            protocol: protocol.into(),
            from_ip: format!("10.0.0.{}", 10 + i),
            risk,
            size: 48 * 1024,
        });
    }
    for i in 0..6 {
        v.sessions.push(PsmSession {
            id: format!("99_{}", 10 + i),
            guid: crate::ids::uuid(),
            safe: "PSMRecordings".into(),
            start: start - 86_400 * (i as i64 + 1),
            end: Some(start - 86_400 * (i as i64 + 1) + 1800),
            suspended: false,
            user: ADMIN_USERNAME.into(),
            remote_machine: format!("linux{:02}.sandbox.example", i + 1),
            account_user: "root".into(),
            platform: "UnixSSH".into(),
            address: format!("linux{:02}.sandbox.example", i + 1),
            protocol: "SSH".into(),
            from_ip: "10.0.0.50".into(),
            risk: if i == 0 { 72 } else { -1 },
            size: 256 * 1024 + i * 1000,
        });
    }
}

/// Synthetic data added on top of any seed, for benchmarks (`SandboxBuilder::vault_accounts`,
/// `SandboxBuilder::vault_recording`).
#[derive(Debug, Clone, Default)]
pub struct Bulk {
    /// How many synthetic accounts to add in the `Bulk-Accounts` safe.
    pub accounts: usize,
    /// The size of one extra recording (session `98_1`), if any.
    pub recording_bytes: Option<usize>,
}

/// The safe that holds the synthetic accounts.
pub const BULK_SAFE: &str = "Bulk-Accounts";

/// The id of the synthetic recording.
pub const BULK_RECORDING_ID: &str = "98_1";

/// Adds the synthetic accounts and recording that `bulk` asks for; nothing when it is empty.
pub fn bulk(v: &mut Vault, bulk: &Bulk) {
    if bulk.accounts > 0 {
        add_safe(
            v,
            BULK_SAFE,
            "Synthetic accounts for benchmarks",
            ADMIN_USERNAME,
            Vec::new(),
        );
        for i in 0..bulk.accounts {
            let props = BTreeMap::from([("LogonDomain".to_owned(), "BULK".to_owned())]);
            add_account(
                v,
                BULK_SAFE,
                "WinDomain",
                &format!("host{i:05}.bulk.sandbox.example"),
                &format!("svc-{i:05}"),
                None,
                format!("Bulk-Passw0rd-{i:05}!"),
                "password",
                props,
                ADMIN_USERNAME,
            );
        }
    }
    if let Some(size) = bulk.recording_bytes {
        if v.safe_mut("PSMRecordings").is_none() {
            add_safe(
                v,
                "PSMRecordings",
                "PSM session recordings",
                ADMIN_USERNAME,
                Vec::new(),
            );
        }
        let start = now() - 3600;
        v.sessions.push(PsmSession {
            id: BULK_RECORDING_ID.into(),
            guid: crate::ids::uuid(),
            safe: "PSMRecordings".into(),
            start,
            end: Some(start + 1800),
            suspended: false,
            user: ADMIN_USERNAME.into(),
            remote_machine: "bulk.sandbox.example".into(),
            account_user: "root".into(),
            platform: "UnixSSH".into(),
            address: "bulk.sandbox.example".into(),
            protocol: "SSH".into(),
            from_ip: "10.0.0.99".into(),
            risk: -1,
            size,
        });
    }
}
