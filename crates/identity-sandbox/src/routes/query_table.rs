//! Redrock query tables: column metadata, paging by `Args`, and the table wrapper.

use crate::envelope::ApiError;
use crate::input::Body;
use serde::Serialize;
use serde_json::Value;

/// Column metadata (`QueryColumn`).
#[derive(Debug, Serialize)]
#[allow(non_snake_case)]
pub struct Column {
    Name: &'static str,
    IsHidden: bool,
    DDName: Option<&'static str>,
    Title: &'static str,
    DDTitle: Option<&'static str>,
    Description: Option<&'static str>,
    Type: i32,
    Format: Option<&'static str>,
    Width: i32,
    TableKey: Option<&'static str>,
    ForeignKey: Option<&'static str>,
    TableName: Option<&'static str>,
}

/// Type code of text columns.
pub const TEXT: i32 = 12;
/// Type code of date columns.
pub const DATE: i32 = 3;

/// A visible column.
pub const fn column(name: &'static str, ty: i32) -> Column {
    Column {
        Name: name,
        IsHidden: false,
        DDName: None,
        Title: name,
        DDTitle: None,
        Description: None,
        Type: ty,
        Format: None,
        Width: 0,
        TableKey: None,
        ForeignKey: None,
        TableName: None,
    }
}

/// An entity reference of a row.
#[derive(Debug, Serialize)]
#[allow(non_snake_case)]
pub struct Entity<'a> {
    /// Entity type.
    pub Type: &'a str,
    /// Key.
    pub Key: &'a str,
    /// Whether the key is foreign.
    pub IsForeignKey: bool,
}

/// One row: entities and column values.
#[derive(Debug, Serialize)]
#[allow(non_snake_case)]
pub struct Row<'a, R: Serialize> {
    /// Entities.
    pub Entities: [Entity<'a>; 1],
    /// Values.
    pub Row: R,
}

/// The query table (`Result` of GetUsers and friends).
#[derive(Debug, Serialize)]
#[allow(non_snake_case)]
pub struct Table<'c, R: Serialize> {
    /// Always false.
    pub IsAggregate: bool,
    /// Rows in this page.
    pub Count: usize,
    /// Column metadata.
    pub Columns: &'c [Column],
    /// Total rows regardless of paging.
    pub FullCount: usize,
    /// Rows.
    pub Results: Vec<R>,
    /// Always empty.
    pub ReturnID: &'static str,
}

impl<'c, R: Serialize> Table<'c, R> {
    /// A table of rows.
    pub fn new(columns: &'c [Column], full_count: usize, results: Vec<R>) -> Self {
        Self {
            IsAggregate: false,
            Count: results.len(),
            Columns: columns,
            FullCount: full_count,
            Results: results,
            ReturnID: "",
        }
    }
}

/// Start index and length of the requested page over `total` rows. Without `Args` (or without
/// `PageSize`) every row is returned, as a tenant that ignores paging would.
pub fn page(body: &Body, total: usize) -> Result<(usize, usize), ApiError> {
    let Some(args) = body.object_opt("Args")? else {
        return Ok((0, total));
    };
    let args = Body::from_map(args.clone());
    let number = args.int_opt("PageNumber")?;
    let size = args.int_opt("PageSize")?;
    let limit = args.int_opt("Limit")?;
    for (name, v) in [("PageNumber", number), ("PageSize", size), ("Limit", limit)] {
        if let Some(v) = v
            && v < 1
        {
            return Err(ApiError::invalid(format!(
                "Args.{name} must be at least 1 (got {v})."
            )));
        }
    }
    // `Caching` and `SortBy` are accepted and ignored: the sandbox always answers live data in
    // creation order. `Direction` must still be one of the spellings tenants take.
    direction(&args)?;
    args.int_opt("Caching")?;
    let limit = limit.map(|l| l as usize).unwrap_or(usize::MAX);
    let total = total.min(limit);
    match size {
        None => Ok((0, total)),
        Some(size) => {
            let size = size as usize;
            let start = (number.unwrap_or(1) as usize - 1).saturating_mul(size);
            Ok((start.min(total), size.min(total.saturating_sub(start))))
        }
    }
}

/// The sort direction of `Args.Direction` (`true` ascending), or `None` for no preference.
/// Tenants take what the clients send: a boolean, `"True"`/`"False"` in any case (Centrify
/// tools), `""` (the official Python SDK's default) and `asc`/`desc` (the official Go SDK).
pub fn direction(args: &Body) -> Result<Option<bool>, ApiError> {
    let Some(value) = args.get("Direction") else {
        return Ok(None);
    };
    match value {
        Value::Null => Ok(None),
        Value::Bool(b) => Ok(Some(*b)),
        Value::String(s) if s.trim().is_empty() => Ok(None),
        Value::String(s) => match s.trim().to_ascii_lowercase().as_str() {
            "true" | "asc" | "ascending" => Ok(Some(true)),
            "false" | "desc" | "descending" => Ok(Some(false)),
            _ => Err(ApiError::invalid(format!(
                "Args.Direction must be true, false, \"asc\", \"desc\" or empty (got {s:?})."
            ))),
        },
        other => Err(ApiError::invalid(format!(
            "Args.Direction must be true, false, \"asc\", \"desc\" or empty (got {other})."
        ))),
    }
}

/// A row of arbitrary column values (settings, administrators).
pub type FreeRow = serde_json::Map<String, Value>;

#[cfg(test)]
mod tests {
    use super::*;

    fn args(direction: Value) -> Body {
        Body::from_map(
            serde_json::json!({ "Direction": direction })
                .as_object()
                .cloned()
                .unwrap_or_default(),
        )
    }

    #[test]
    fn direction_takes_what_the_clients_send() {
        for (sent, read) in [
            (Value::Bool(false), Some(false)),
            (Value::from("False"), Some(false)),
            (Value::from("true"), Some(true)),
            (Value::from(""), None),
            (Value::from("asc"), Some(true)),
            (Value::from("DESC"), Some(false)),
            (Value::Null, None),
        ] {
            assert_eq!(
                direction(&args(sent.clone())).expect("accepted"),
                read,
                "{sent}"
            );
        }
        for bad in [Value::from("sideways"), Value::from(1)] {
            let e = direction(&args(bad)).expect_err("refused");
            assert!(e.message.contains("Args.Direction"), "{}", e.message);
        }
    }
}
