//! Running a parsed `SELECT` over the sandbox's tables: `User`, `Role` and `Proxy` (connectors).

use super::parse::{Compare, Condition, Literal, QueryError, Select, parse};
use crate::ids::net_date;
use crate::state::Tenant;
use serde_json::{Map, Value, json};
use std::cmp::Ordering;

/// One table as the evaluator sees it: its name, its columns and its rows (each with the key
/// of the entity it describes).
struct Table {
    name: &'static str,
    columns: &'static [&'static str],
    rows: Vec<(String, Map<String, Value>)>,
}

const USER_COLUMNS: &[&str] = &[
    "ID",
    "Username",
    "DisplayName",
    "Email",
    "MobileNumber",
    "OfficeNumber",
    "HomeNumber",
    "Description",
    "Status",
    "ServiceUser",
    "OrgPath",
    "CreateDate",
    "LastLogin",
];
const ROLE_COLUMNS: &[&str] = &["ID", "Name", "Description"];
const PROXY_COLUMNS: &[&str] = &[
    "ID",
    "Name",
    "MachineName",
    "DnsHostName",
    "Forest",
    "Online",
    "Version",
    "CustomerName",
];

fn row(columns: &[&str], values: Vec<Value>) -> Map<String, Value> {
    columns
        .iter()
        .map(|c| (*c).to_owned())
        .zip(values)
        .collect()
}

fn table(t: &Tenant, name: &str) -> Result<Table, QueryError> {
    if name.eq_ignore_ascii_case("User") {
        let rows = t
            .users
            .iter()
            .map(|u| {
                let values = vec![
                    json!(u.uuid),
                    json!(u.name),
                    json!(u.display_name),
                    json!(u.mail),
                    json!(u.mobile),
                    json!(u.office),
                    json!(u.home),
                    json!(u.description),
                    json!(u.state.to_wire()),
                    json!(u.service_user),
                    json!(u.org_path),
                    json!(net_date(u.created_ms)),
                    // The sandbox does not record sign-ins; a tenant sends null for a user who
                    // never signed in.
                    Value::Null,
                ];
                (u.uuid.clone(), row(USER_COLUMNS, values))
            })
            .collect();
        return Ok(Table {
            name: "User",
            columns: USER_COLUMNS,
            rows,
        });
    }
    if name.eq_ignore_ascii_case("Role") {
        let rows = t
            .roles
            .iter()
            .map(|r| {
                let values = vec![json!(r.id), json!(r.name), json!(r.description)];
                (r.id.clone(), row(ROLE_COLUMNS, values))
            })
            .collect();
        return Ok(Table {
            name: "Role",
            columns: ROLE_COLUMNS,
            rows,
        });
    }
    if name.eq_ignore_ascii_case("Proxy") {
        let rows = t
            .connectors
            .iter()
            .map(|c| {
                let values = vec![
                    json!(c.id),
                    json!(c.name),
                    json!(c.machine_name),
                    json!(c.dns_host_name),
                    json!(c.forest),
                    json!(c.online),
                    json!(c.version),
                    json!(c.customer_name),
                ];
                (c.id.clone(), row(PROXY_COLUMNS, values))
            })
            .collect();
        return Ok(Table {
            name: "Proxy",
            columns: PROXY_COLUMNS,
            rows,
        });
    }
    Err(QueryError(format!(
        "the sandbox has no table {name} (it has User, Role and Proxy)"
    )))
}

impl Table {
    /// The column's own spelling; names match without regard to case, as on a tenant.
    fn column(&self, name: &str) -> Result<&'static str, QueryError> {
        self.columns
            .iter()
            .find(|c| c.eq_ignore_ascii_case(name))
            .copied()
            .ok_or_else(|| {
                QueryError(format!(
                    "invalid column name {name} in table {} (it has {})",
                    self.name,
                    self.columns.join(", ")
                ))
            })
    }
}

/// Checks every column a condition names, so a misspelt column fails even on an empty table.
fn check(table: &Table, c: &Condition) -> Result<(), QueryError> {
    match c {
        Condition::Compare(col, _, _)
        | Condition::Like(col, _, _)
        | Condition::In(col, _, _)
        | Condition::IsNull(col, _) => table.column(col).map(drop),
        Condition::And(a, b) | Condition::Or(a, b) => {
            check(table, a)?;
            check(table, b)
        }
        Condition::Not(a) => check(table, a),
    }
}

fn order(value: &Value, literal: &Literal) -> Option<Ordering> {
    match (value, literal) {
        (Value::String(s), Literal::Text(t)) => Some(s.to_lowercase().cmp(&t.to_lowercase())),
        (Value::Number(n), Literal::Number(m)) => n.as_f64()?.partial_cmp(m),
        (Value::Bool(b), Literal::Bool(c)) => Some(b.cmp(c)),
        (Value::Bool(b), Literal::Number(m)) => f64::from(u8::from(*b)).partial_cmp(m),
        (Value::Bool(b), Literal::Text(t)) => crate::input::parse_bool(t).map(|c| b.cmp(&c)),
        // NULL compares with nothing, as in SQL.
        _ => None,
    }
}

/// SQL `LIKE` without regard to case: `%` any run, `_` one character.
fn like(text: &str, pattern: &str) -> bool {
    let t: Vec<char> = text.to_lowercase().chars().collect();
    let p: Vec<char> = pattern.to_lowercase().chars().collect();
    // Dynamic programming over (pattern prefix, text prefix), so no pattern is exponential.
    let mut prev = vec![false; t.len() + 1];
    prev[0] = true;
    for pc in &p {
        let mut cur = vec![false; t.len() + 1];
        if *pc == '%' {
            cur[0] = prev[0];
        }
        for j in 1..=t.len() {
            cur[j] = match pc {
                '%' => cur[j - 1] || prev[j],
                '_' => prev[j - 1],
                c => prev[j - 1] && *c == t[j - 1],
            };
        }
        prev = cur;
    }
    prev[t.len()]
}

fn holds(table: &Table, row: &Map<String, Value>, c: &Condition) -> Result<bool, QueryError> {
    let value = |col: &str| -> Result<&Value, QueryError> {
        Ok(row.get(table.column(col)?).unwrap_or(&Value::Null))
    };
    Ok(match c {
        Condition::Compare(col, op, lit) => match order(value(col)?, lit) {
            None => false,
            Some(o) => match op {
                Compare::Eq => o == Ordering::Equal,
                Compare::Ne => o != Ordering::Equal,
                Compare::Lt => o == Ordering::Less,
                Compare::Le => o != Ordering::Greater,
                Compare::Gt => o == Ordering::Greater,
                Compare::Ge => o != Ordering::Less,
            },
        },
        Condition::Like(col, pattern, negated) => match value(col)? {
            Value::String(s) => like(s, pattern) != *negated,
            _ => false,
        },
        Condition::In(col, values, negated) => {
            let v = value(col)?;
            let found = values.iter().any(|l| order(v, l) == Some(Ordering::Equal));
            !v.is_null() && found != *negated
        }
        Condition::IsNull(col, is_null) => value(col)?.is_null() == *is_null,
        Condition::And(a, b) => holds(table, row, a)? && holds(table, row, b)?,
        Condition::Or(a, b) => holds(table, row, a)? || holds(table, row, b)?,
        Condition::Not(a) => !holds(table, row, a)?,
    })
}

fn sort_key(a: &Value, b: &Value) -> Ordering {
    match (a, b) {
        (Value::String(x), Value::String(y)) => x.to_lowercase().cmp(&y.to_lowercase()),
        (Value::Number(x), Value::Number(y)) => x
            .as_f64()
            .partial_cmp(&y.as_f64())
            .unwrap_or(Ordering::Equal),
        (Value::Bool(x), Value::Bool(y)) => x.cmp(y),
        // NULL sorts first, as in SQLite.
        (Value::Null, Value::Null) => Ordering::Equal,
        (Value::Null, _) => Ordering::Less,
        (_, Value::Null) => Ordering::Greater,
        _ => Ordering::Equal,
    }
}

/// The rows of a query: the entity type, the selected column names and each row with the key
/// of its entity.
#[derive(Debug)]
pub struct Answer {
    /// Entity type of the rows (the table name).
    pub entity: &'static str,
    /// Keys of each row, in order.
    pub columns: Vec<String>,
    /// `(entity key, row)` for every matching row, sorted.
    pub rows: Vec<(String, Map<String, Value>)>,
}

/// Parses and runs a script over the tenant's tables.
pub fn run(t: &Tenant, script: &str) -> Result<Answer, QueryError> {
    let select: Select = parse(script)?;
    let table = table(t, &select.table)?;
    if let Some(filter) = &select.filter {
        check(&table, filter)?;
    }
    let selected: Vec<(&'static str, String)> = match &select.columns {
        None => table
            .columns
            .iter()
            .map(|c| (*c, (*c).to_owned()))
            .collect(),
        Some(list) => list
            .iter()
            .map(|s| Ok((table.column(&s.column)?, s.key.clone())))
            .collect::<Result<_, QueryError>>()?,
    };
    let sort: Vec<(&'static str, bool)> = select
        .order
        .iter()
        .map(|(c, d)| Ok((table.column(c)?, *d)))
        .collect::<Result<_, QueryError>>()?;
    let mut matching = Vec::new();
    for (key, row) in &table.rows {
        let keep = match &select.filter {
            None => true,
            Some(f) => holds(&table, row, f)?,
        };
        if keep {
            matching.push((key.clone(), row));
        }
    }
    matching.sort_by(|(_, a), (_, b)| {
        sort.iter()
            .map(|(col, descending)| {
                let o = sort_key(
                    a.get(*col).unwrap_or(&Value::Null),
                    b.get(*col).unwrap_or(&Value::Null),
                );
                if *descending { o.reverse() } else { o }
            })
            .find(|o| *o != Ordering::Equal)
            .unwrap_or(Ordering::Equal)
    });
    let rows = matching
        .into_iter()
        .map(|(key, row)| {
            let out: Map<String, Value> = selected
                .iter()
                .map(|(col, name)| (name.clone(), row.get(*col).cloned().unwrap_or(Value::Null)))
                .collect();
            (key, out)
        })
        .collect();
    Ok(Answer {
        entity: table.name,
        columns: selected.into_iter().map(|(_, k)| k).collect(),
        rows,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::app::Seed;

    #[test]
    fn like_matches_wildcards_without_regard_to_case() {
        assert!(like("Admin@Sandbox.example", "admin@%"));
        assert!(like("abc", "a_c"));
        assert!(!like("abc", "a_"));
        assert!(like("", "%"));
    }

    #[test]
    fn users_are_found_by_name_and_values_stay_data() {
        let t = crate::seed::tenant(Seed::Empty);
        let a = run(
            &t,
            "SELECT ID, Username FROM User WHERE Username = 'ADMIN@sandbox.example'",
        )
        .unwrap();
        assert_eq!(a.rows.len(), 1);
        assert_eq!(a.columns, ["ID", "Username"]);
        // A value that carries SQL is data: no user has this name.
        let a = run(
            &t,
            "SELECT ID FROM User WHERE Username = 'x'' OR ''1''=''1'",
        )
        .unwrap();
        assert!(a.rows.is_empty());
        let a = run(&t, "select * from proxy where Online = true").unwrap();
        assert_eq!(a.rows.len(), 1);
        assert_eq!(a.entity, "Proxy");
        let e = run(&t, "SELECT Nope FROM User").unwrap_err();
        assert!(e.0.contains("invalid column name Nope"), "{e}");
        let e = run(&t, "SELECT ID FROM Secrets").unwrap_err();
        assert!(e.0.contains("no table Secrets"), "{e}");
    }
}
