//! Redrock/query: scripts run by the sandbox's small query evaluator.

use super::query_table::page;
use super::{Ctx, Outcome};
use crate::envelope::{ApiError, ok};
use crate::redrock;
use serde_json::{Value, json};

/// Redrock/query: runs the script and answers a query table, paged by `Args`.
pub fn query(ctx: &Ctx) -> Outcome {
    let body = ctx.json()?;
    let script = body.str_req("Script")?;
    let answer = {
        let t = ctx.app.read();
        redrock::run(&t, &script)
    }
    .map_err(|e| ApiError::invalid(format!("The query could not be run: {e}.")))?;
    let total = answer.rows.len();
    let (start, len) = page(&body, total)?;
    let results: Vec<Value> = answer
        .rows
        .into_iter()
        .skip(start)
        .take(len)
        .map(|(key, row)| {
            json!({
                "Entities": [{"Type": answer.entity, "Key": key, "IsForeignKey": false}],
                "Row": row,
            })
        })
        .collect();
    let columns: Vec<Value> = answer
        .columns
        .iter()
        .map(|name| {
            json!({
                "Name": name, "IsHidden": false, "DDName": null, "Title": name, "DDTitle": null,
                "Description": null, "Type": 12, "Format": null, "Width": 0, "TableKey": null,
                "ForeignKey": null, "TableName": answer.entity,
            })
        })
        .collect();
    Ok(ok(&json!({
        "IsAggregate": false,
        "Count": results.len(),
        "Columns": columns,
        "FullCount": total,
        "Results": results,
        "ReturnID": "",
    })))
}
