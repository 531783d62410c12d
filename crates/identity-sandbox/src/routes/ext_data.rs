//! ExtData: the extensible attribute schema and per-user values.

use super::{Ctx, Outcome, render};
use crate::envelope::{ApiError, ErrorKind, ok, ok_null};
use crate::input::{Body, field, field_str, to_bool};
use crate::state::ext::{COLUMN_LIMIT, ExtColumn, ExtSchema, INDEX_LIMIT};
use indexmap::IndexMap;
use serde_json::{Map, Value, json};

/// Only the users table is extensible; the service accepts `users` in any case.
fn check_table(body: &Body) -> Result<(), ApiError> {
    let table = body.str_req("Table")?;
    if table.eq_ignore_ascii_case("users") {
        Ok(())
    } else {
        Err(ApiError::invalid(format!(
            "Table {table} is not an extensible table."
        )))
    }
}

/// ExtData/GetSchema.
pub fn get_schema(ctx: &Ctx) -> Outcome {
    let body = ctx.json()?;
    check_table(&body)?;
    let t = ctx.app.read();
    let columns: Vec<Value> = t
        .ext
        .columns
        .values()
        .map(|c| {
            json!({"Title": c.title, "Name": c.name, "Description": c.description, "Type": c.kind,
                   "UserEditable": c.user_editable})
        })
        .collect();
    Ok(ok(
        &json!({"Columns": columns, "Indexes": [], "ColumnLimit": COLUMN_LIMIT, "IndexLimit": INDEX_LIMIT}),
    ))
}

/// ExtData/UpdateSchema: replaces the whole schema; values of dropped columns are deleted.
pub fn update_schema(ctx: &Ctx) -> Outcome {
    let body = ctx.json()?;
    check_table(&body)?;
    let columns = body
        .object_opt("Columns")?
        .ok_or_else(|| ApiError::missing("Columns"))?;
    if columns.len() > COLUMN_LIMIT {
        return Err(ApiError::invalid(format!(
            "A table can have at most {COLUMN_LIMIT} extended columns."
        )));
    }
    let mut schema = IndexMap::new();
    for (name, def) in columns {
        if name.trim().is_empty() || !name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_') {
            return Err(ApiError::invalid(format!(
                "Column name '{name}' is invalid; use letters, digits and underscores."
            )));
        }
        let Value::Object(def) = def else {
            return Err(ApiError::invalid(format!(
                "Column {name} must be an object with a Type."
            )));
        };
        let kind = field_str(def, "Type")?
            .ok_or_else(|| ApiError::missing(&format!("Columns.{name}.Type")))?;
        let kind = ExtSchema::canonical_type(&kind).ok_or_else(|| {
            ApiError::invalid(format!("Unknown column type '{kind}' for column {name}."))
        })?;
        let user_editable = match field(def, "UserEditable") {
            None | Some(Value::Null) => false,
            Some(v) => to_bool(v).ok_or_else(|| {
                ApiError::invalid(format!("Columns.{name}.UserEditable must be a boolean."))
            })?,
        };
        let column = ExtColumn {
            name: name.clone(),
            kind: kind.to_owned(),
            title: field_str(def, "Title")?,
            description: field_str(def, "Description")?,
            user_editable,
        };
        if schema.insert(name.to_lowercase(), column).is_some() {
            return Err(ApiError::invalid(format!("Column {name} is listed twice.")));
        }
    }
    let mut t = ctx.app.write();
    let kept: IndexMap<String, ExtColumn> =
        schema.into_values().map(|c| (c.name.clone(), c)).collect();
    let changed_type: Vec<String> = t
        .ext
        .columns
        .values()
        .filter(|old| kept.get(&old.name).is_none_or(|new| new.kind != old.kind))
        .map(|old| old.name.clone())
        .collect();
    t.ext.columns = kept;
    if !changed_type.is_empty() {
        // Dropped (or retyped) attributes lose their values, as the service drops the column.
        let ids: Vec<String> = t
            .users
            .iter()
            .filter(|u| !u.ext.is_empty())
            .map(|u| u.uuid.clone())
            .collect();
        for id in ids {
            if let Some(u) = t.users.get_mut(&id) {
                u.ext.retain(|k, _| !changed_type.contains(k));
            }
        }
    }
    Ok(ok_null())
}

/// ExtData/GetColumns.
pub fn get_columns(ctx: &Ctx) -> Outcome {
    let body = ctx.json()?;
    check_table(&body)?;
    let id = body.str_req("ID")?;
    let include_nulls = body.bool_opt("IncludeNulls")?.unwrap_or(false);
    let t = ctx.app.read();
    let u = render::user(&t, &id)?;
    let mut out = Map::new();
    for c in t.ext.columns.values() {
        match u.ext.get(&c.name) {
            Some(v) if !v.is_null() => {
                out.insert(c.name.clone(), v.clone());
            }
            _ if include_nulls => {
                out.insert(c.name.clone(), Value::Null);
            }
            _ => {}
        }
    }
    Ok(ok(&out))
}

/// Checks attribute values against the schema and returns them normalised (null clears).
pub fn checked_values(
    schema: &ExtSchema,
    values: &[(&String, &Value)],
) -> Result<Vec<(String, Value)>, ApiError> {
    let mut out = Vec::new();
    for (name, value) in values {
        let column = schema.column(name).ok_or_else(|| {
            ApiError::new(
                ErrorKind::NotFound,
                format!("Column {name} does not exist in table users."),
            )
        })?;
        if !column.accepts(value) {
            return Err(ApiError::invalid(format!(
                "Value {value} is not valid for column {} of type {}.",
                column.name, column.kind
            )));
        }
        out.push((column.name.clone(), column.normalise(value)));
    }
    Ok(out)
}

/// Stores checked values on a user.
pub fn store_values(u: &mut crate::state::users::User, values: Vec<(String, Value)>) {
    for (name, value) in values {
        if value.is_null() {
            u.ext.remove(&name);
        } else {
            u.ext.insert(name, value);
        }
    }
}

/// ExtData/SetColumns: each listed attribute replaces the stored value; null clears it.
pub fn set_columns(ctx: &Ctx) -> Outcome {
    let body = ctx.json()?;
    check_table(&body)?;
    let id = body.str_req("ID")?;
    let columns = body
        .object_opt("Columns")?
        .ok_or_else(|| ApiError::missing("Columns"))?;
    let mut t = ctx.app.write();
    let uuid = render::user(&t, &id)?.uuid.clone();
    let entries: Vec<(&String, &Value)> = columns.iter().collect();
    let values = checked_values(&t.ext, &entries)?;
    let u = t
        .users
        .get_mut(&uuid)
        .ok_or_else(|| ApiError::no_user(&uuid))?;
    store_values(u, values);
    u.touch();
    Ok(ok_null())
}
