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
