//! Core: per-user settings.

use super::query_table::{FreeRow, TEXT, Table, column};
use super::{Ctx, Outcome, render};
use crate::envelope::ok;
use serde_json::{Value, json};

static SETTINGS_COLUMNS: [super::query_table::Column; 3] = [
    column("SettingsType", TEXT),
    column("Key", TEXT),
    column("Value", TEXT),
];

/// Core/GetUserSettings: the stored settings of one type (every type when empty or absent).
pub fn get_user_settings(ctx: &Ctx) -> Outcome {
    let body = ctx.json()?;
    let id = body.str_req("ID")?;
    let kind = body.str_opt("SettingsType")?.unwrap_or_default();
    let t = ctx.app.read();
    let u = render::user(&t, &id)?;
    let rows: Vec<Value> = u
        .settings
        .iter()
        .filter(|(k, _)| kind.is_empty() || k.eq_ignore_ascii_case(&kind))
        .flat_map(|(k, rows)| {
            rows.iter().map(move |r| {
                let mut row: FreeRow = r.clone();
                row.insert("SettingsType".into(), Value::from(k.as_str()));
                json!({"Entities": [{"Type": "UserSetting", "Key": k, "IsForeignKey": false}], "Row": row})
            })
        })
        .collect();
    let columns: &[super::query_table::Column] = if rows.is_empty() {
        &[]
    } else {
        &SETTINGS_COLUMNS
    };
    let total = rows.len();
    Ok(ok(&Table::new(columns, total, rows)))
}

/// UUID of the sandbox's federated directory service.
const FEDERATED_DIRECTORY_UUID: &str = "5C6F1E1A-3B0B-4E5E-9E0E-2F1D7A1B9C11";
/// UUID of the Active Directory service behind the seeded connector.
const AD_DIRECTORY_UUID: &str = "A1D2C3B4-0F1E-4D2C-8B3A-6E5F4D3C2B1A";

/// Core/GetDirectoryServices (GET or POST): the Cloud Directory, the federated directory and,
/// with a connector, Active Directory.
pub fn get_directory_services(ctx: &Ctx) -> Outcome {
    // POST may carry an empty JSON object; GET has no body. Anything else is still refused.
    if !ctx.body.is_empty() {
        ctx.json()?;
    }
    let t = ctx.app.read();
    let mut services = vec![
        (
            "CDS",
            super::render::DIRECTORY_SERVICE_UUID.to_owned(),
            "CyberArk Cloud Directory".to_owned(),
        ),
        (
            "FDS",
            FEDERATED_DIRECTORY_UUID.to_owned(),
            "Federated Directory Service".to_owned(),
        ),
    ];
    if let Some(c) = t.connectors.first() {
        services.push((
            "AdProxy",
            AD_DIRECTORY_UUID.to_owned(),
            format!("Active Directory: {}", c.forest),
        ));
    }
    let rows: Vec<Value> = services
        .into_iter()
        .map(|(service, uuid, display)| {
            json!({
                "Entities": [{"Type": "DirectoryService", "Key": uuid, "IsForeignKey": false}],
                "Row": {"Service": service, "directoryServiceUuid": uuid, "DisplayName": display, "Name": service},
            })
        })
        .collect();
    let total = rows.len();
    Ok(ok(&Table::new(&DIRECTORY_COLUMNS, total, rows)))
}

static DIRECTORY_COLUMNS: [super::query_table::Column; 4] = [
    column("Service", TEXT),
    column("directoryServiceUuid", TEXT),
    column("DisplayName", TEXT),
    column("Name", TEXT),
];

static ALIAS_COLUMNS: [super::query_table::Column; 1] = [column("ID", TEXT)];

/// Core/GetCdsAliasesForTenant: the tenant's login-name suffixes, each as the key of its row's
/// first entity (what the official Python SDK reads).
pub fn get_cds_aliases_for_tenant(ctx: &Ctx) -> Outcome {
    let t = ctx.app.read();
    let rows = vec![json!({
        "Entities": [{"Type": "CdsAlias", "Key": t.suffix, "IsForeignKey": false}],
        "Row": {"ID": t.suffix},
    })];
    Ok(ok(&Table::new(&ALIAS_COLUMNS, 1, rows)))
}
