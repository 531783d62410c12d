//! The accounts every sandbox has and the optional demo data.

use crate::app::Seed;
use crate::ids;
use crate::state::connectors::Connector;
use crate::state::ext::ExtColumn;
use crate::state::orgs::{Org, OrgAdministrator, OrgMember, OrgPermission};
use crate::state::scim::ScimMember;
use crate::state::users::User;
use crate::state::{Role, Tenant};
use serde_json::{Value, json};

/// Tenant ID.
pub const TENANT_ID: &str = "SBX0001";
/// Login suffix of every seeded user.
pub const SUFFIX: &str = "sandbox.example";
/// Confidential client (a service user) accepted by the token endpoints.
pub const CLIENT_ID: &str = "svc-automation@sandbox.example";
/// Its secret (the service user's password).
pub const CLIENT_SECRET: &str = "Sandbox-Client-Secret-1!";
/// Application id of the OAuth2 client application.
pub const APP_ID: &str = "sandbox_oauth_app";
/// Password-only administrator.
pub const ADMIN_USERNAME: &str = "admin@sandbox.example";
/// Its password.
pub const ADMIN_PASSWORD: &str = "Sandbox-Admin-Passw0rd!";
/// Password + e-mailed code user.
pub const MFA_USERNAME: &str = "mfa.user@sandbox.example";
/// Its password.
pub const MFA_PASSWORD: &str = "Sandbox-Mfa-Passw0rd!";

/// ID of the connector every sandbox lists in the Redrock `Proxy` table.
pub const CONNECTOR_ID: &str = "7f3c2a10-5d4e-4b8a-9c1f-0a2b3c4d5e6f";

/// Builds the initial tenant.
pub fn tenant(seed: Seed) -> Tenant {
    let mut t = Tenant {
        tech_support_uuid: ids::uuid(),
        tenant_id: TENANT_ID.to_owned(),
        suffix: SUFFIX.to_owned(),
        ..Tenant::default()
    };
    let mut admin = User::new(ADMIN_USERNAME);
    admin.display_name = Some("Sandbox Administrator".into());
    admin.mail = Some("admin@sandbox.example".into());
    admin.password = Some(ADMIN_PASSWORD.into());
    admin.in_sysadmin_role = true;
    admin.password_never_expire = true;
    let admin_id = insert(&mut t, admin);

    let mut mfa = User::new(MFA_USERNAME);
    mfa.display_name = Some("MFA User".into());
    mfa.mail = Some("mfa.user@sandbox.example".into());
    mfa.mobile = Some("+1 555 0100".into());
    mfa.password = Some(MFA_PASSWORD.into());
    mfa.mfa = true;
    mfa.in_sysadmin_role = true;
    insert(&mut t, mfa);

    let mut client = User::new(CLIENT_ID);
    client.display_name = Some("Automation client".into());
    client.password = Some(CLIENT_SECRET.into());
    client.service_user = true;
    client.oauth_client = true;
    client.in_everybody_role = false;
    client.in_sysadmin_role = true;
    client.password_never_expire = true;
    let client_id = insert(&mut t, client);

    t.roles.push(Role {
        id: "sysadmin".into(),
        name: "System Administrator".into(),
        description: Some("Built-in role with every administrative right.".into()),
        rights: vec![
            "Admin Portal Login".into(),
            "User Management".into(),
            "Role Management".into(),
        ],
        members: vec![admin_id.clone(), client_id],
        read_only: true,
        apps: vec!["adminportal".into()],
        ..Role::default()
    });
    t.connectors.push(Connector {
        id: CONNECTOR_ID.into(),
        name: "sandbox-connector-1".into(),
        machine_name: "SBX-CONN-01".into(),
        dns_host_name: "sbx-conn-01.corp.sandbox.example".into(),
        forest: "corp.sandbox.example".into(),
        online: true,
        version: "25.1.0.1234".into(),
        customer_name: TENANT_ID.into(),
    });
    if seed == Seed::Demo {
        demo(&mut t, &admin_id);
    }
    t
}

fn insert(t: &mut Tenant, user: User) -> String {
    t.users.insert(user).unwrap_or_else(|existing| existing)
}

/// The demo company: people in a management chain, ext attributes, an org, roles, SCIM groups.
fn demo(t: &mut Tenant, admin_id: &str) {
    for (name, kind, title, editable) in [
        ("Department", "Text", "Department", false),
        ("CostCenter", "Text", "Cost center", false),
        (
            "Termination_Flag",
            "Bool",
            "Scheduled for termination",
            true,
        ),
        ("BadgeNumber", "Int", "Badge number", false),
    ] {
        t.ext.columns.insert(
            name.to_owned(),
            ExtColumn {
                name: name.to_owned(),
                kind: kind.to_owned(),
                title: Some(title.to_owned()),
                description: None,
                user_editable: editable,
            },
        );
    }
    let people: [(&str, &str, &str, &str, &str); 12] = [
        ("alice.ceo", "Alice Anders", "Executive", "Low", ""),
        ("bob.cto", "Bob Brandt", "Engineering", "Low", "alice.ceo"),
        (
            "carol.eng",
            "Carol Chen",
            "Engineering",
            "Medium",
            "bob.cto",
        ),
        ("dave.eng", "Dave Dunn", "Engineering", "High", "bob.cto"),
        ("erin.ops", "Erin Ortiz", "Operations", "Low", "alice.ceo"),
        (
            "frank.ops",
            "Frank Fischer",
            "Operations",
            "High",
            "erin.ops",
        ),
        ("grace.sec", "Grace Gupta", "Security", "Low", "alice.ceo"),
        ("heidi.sec", "Heidi Holm", "Security", "Medium", "grace.sec"),
        ("ivan.fin", "Ivan Ivanov", "Finance", "Low", "alice.ceo"),
        ("judy.fin", "Judy Jones", "Finance", "High", "ivan.fin"),
        (
            "mallory.contractor",
            "Mallory Meyer",
            "Engineering",
            "High",
            "carol.eng",
        ),
        ("trent.audit", "Trent Tanaka", "Finance", "Low", "ivan.fin"),
    ];
    let mut ids_by_login = std::collections::HashMap::new();
    for (i, (login, display, dept, risk, manager)) in people.iter().enumerate() {
        let mut u = User::new(&format!("{login}@{SUFFIX}"));
        u.display_name = Some((*display).to_owned());
        u.mail = Some(format!("{login}@sandbox.example"));
        u.mobile = Some(format!("+1 555 01{:02}", i + 10));
        u.office = Some(format!("+1 555 02{:02}", i + 10));
        u.description = Some(format!("{dept} department"));
        u.risk_level = (*risk).to_owned();
        u.password = Some(format!("Demo-{login}-Passw0rd!"));
        if let Some(manager) = ids_by_login.get(*manager) {
            u.reports_to = Some(String::clone(manager));
        }
        u.ext.insert("Department".into(), Value::from(*dept));
        u.ext.insert(
            "CostCenter".into(),
            Value::from(format!("CC-{}", 1000 + i * 10)),
        );
        u.ext
            .insert("BadgeNumber".into(), Value::from(4000 + i as i64));
        if *login == "mallory.contractor" {
            u.ext.insert("Termination_Flag".into(), Value::Bool(true));
            u.state.locked = true;
        }
        u.settings.insert(
            "Notifications".into(),
            vec![json_row(json!({"Key": "EmailDigest", "Value": "Weekly"}))],
        );
        let id = insert(t, u);
        ids_by_login.insert(*login, id);
    }
    let id_of = |login: &str| ids_by_login.get(login).cloned().unwrap_or_default();
    t.roles.push(Role {
        id: "helpdesk_role".into(),
        name: "Help Desk".into(),
        description: Some("First-line support.".into()),
        rights: vec![
            "Admin Portal Login".into(),
            "Read Only System Administration".into(),
        ],
        members: vec![id_of("erin.ops"), id_of("frank.ops")],
        ..Role::default()
    });
    let org_id = ids::uuid();
    t.orgs.by_id.insert(
        org_id.clone(),
        Org {
            id: org_id,
            name: "Engineering".into(),
            description: Some("Engineering organization".into()),
            members: ["bob.cto", "carol.eng", "dave.eng", "mallory.contractor"]
                .iter()
                .map(|l| OrgMember {
                    id: id_of(l),
                    kind: "User".into(),
                })
                .chain(std::iter::once(OrgMember {
                    id: "helpdesk_role".into(),
                    kind: "Role".into(),
                }))
                .collect(),
            administrators: vec![OrgAdministrator {
                id: id_of("bob.cto"),
                kind: "User".into(),
                directory_service_uuid: None,
                system_name: Some(format!("bob.cto@{SUFFIX}")),
            }],
            permissions: vec![OrgPermission {
                right: "View".into(),
                principal: admin_id.to_owned(),
                principal_type: "User".into(),
            }],
            roles: vec!["Help Desk".into()],
        },
    );
    let member = |t: &Tenant, login: &str| {
        t.users.get(&id_of(login)).map(|u| ScimMember {
            value: u.scim_id.clone(),
            display: u.display_name.clone().unwrap_or_else(|| u.name.clone()),
        })
    };
    let engineers: Vec<ScimMember> = ["bob.cto", "carol.eng", "dave.eng"]
        .iter()
        .filter_map(|l| member(t, l))
        .collect();
    let security: Vec<ScimMember> = ["grace.sec", "heidi.sec"]
        .iter()
        .filter_map(|l| member(t, l))
        .collect();
    let auditors: Vec<ScimMember> = ["trent.audit"]
        .iter()
        .filter_map(|l| member(t, l))
        .collect();
    t.groups.add("Vault Admins", security);
    t.groups.add("Engineering Safe Owners", engineers);
    t.groups.add("Auditors", auditors);
}

fn json_row(v: Value) -> serde_json::Map<String, Value> {
    match v {
        Value::Object(m) => m,
        _ => serde_json::Map::new(),
    }
}

/// Adds `n` synthetic users quickly (no per-user work beyond building the record).
pub fn add_synthetic_users(t: &mut Tenant, n: usize) {
    t.users.reserve(n);
    let start = t.users.len();
    let mut added = 0;
    let mut i = start;
    while added < n {
        i += 1;
        let mut u = User::new(&format!("user{i:06}@{}", t.suffix));
        u.display_name = Some(format!("Synthetic User {i}"));
        u.mail = Some(format!("user{i:06}@sandbox.example"));
        if t.users.insert(u).is_ok() {
            added += 1;
        }
    }
}
