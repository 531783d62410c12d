//! The bulk-import CSV format.
//!
//! The first line names the columns; names are matched ignoring case, spaces and underscores.
//! Recognised columns (aliases in brackets): `Login Name` [`Name`, `UserName`, `User Name`]
//! (required, `user@suffix`), `Display Name`, `Email` [`Mail`, `Email Address`],
//! `Mobile Number` [`Mobile`], `Office Number`, `Home Number`, `Description`, `Password`,
//! `Reports To` [`Manager`] (a UUID or login name of an existing user). Other columns are
//! ignored. Fields may be quoted with `"`, with `""` for a literal quote.

use crate::envelope::ApiError;
use std::collections::HashMap;

/// Most rows one import accepts.
const MAX_ROWS: usize = 100_000;

fn canonical(header: &str) -> Option<&'static str> {
    let key: String = header
        .chars()
        .filter(|c| !c.is_whitespace() && *c != '_')
        .collect::<String>()
        .to_lowercase();
    Some(match key.as_str() {
        "loginname" | "name" | "username" => "name",
        "displayname" => "displayname",
        "email" | "mail" | "emailaddress" => "mail",
        "mobilenumber" | "mobile" => "mobilenumber",
        "officenumber" => "officenumber",
        "homenumber" => "homenumber",
        "description" => "description",
        "password" => "password",
        "reportsto" | "manager" => "reportsto",
        _ => return None,
    })
}

/// Splits one CSV line into fields.
fn fields(line: &str) -> Result<Vec<String>, String> {
    let mut out = Vec::new();
    let mut field = String::new();
    let mut quoted = false;
    let mut chars = line.chars().peekable();
    while let Some(c) = chars.next() {
        match (c, quoted) {
            ('"', true) if chars.peek() == Some(&'"') => {
                field.push('"');
                chars.next();
            }
            ('"', true) => quoted = false,
            ('"', false) if field.is_empty() => quoted = true,
            (',', false) => out.push(std::mem::take(&mut field)),
            (c, _) => field.push(c),
        }
    }
    if quoted {
        return Err("unterminated quoted field".into());
    }
    out.push(field);
    Ok(out.into_iter().map(|f| f.trim().to_owned()).collect())
}

/// Parses and validates a users CSV into rows keyed by canonical column name.
pub fn parse_users(text: &str) -> Result<Vec<HashMap<String, String>>, ApiError> {
    let text = text.trim_start_matches('\u{feff}');
    let mut lines = text
        .lines()
        .enumerate()
        .filter(|(_, l)| !l.trim().is_empty());
    let (_, header) = lines
        .next()
        .ok_or_else(|| ApiError::invalid("The CSV file is empty."))?;
    let header =
        fields(header).map_err(|e| ApiError::invalid(format!("Line 1 of the CSV file: {e}.")))?;
    let columns: Vec<Option<&str>> = header.iter().map(|h| canonical(h)).collect();
    if !columns.contains(&Some("name")) {
        return Err(ApiError::invalid("The CSV file has no Login Name column."));
    }
    let mut rows = Vec::new();
    for (i, line) in lines {
        let n = i + 1;
        let values = fields(line)
            .map_err(|e| ApiError::invalid(format!("Line {n} of the CSV file: {e}.")))?;
        let mut row = HashMap::new();
        for (col, value) in columns.iter().zip(values) {
            if let Some(col) = col {
                row.insert((*col).to_owned(), value);
            }
        }
        match row.get("name") {
            Some(name) if name.contains('@') && !name.starts_with('@') => {}
            Some(name) if !name.is_empty() => {
                return Err(ApiError::invalid(format!(
                    "Line {n} of the CSV file: the login name {name} must be in the form user@suffix."
                )));
            }
            _ => {
                return Err(ApiError::invalid(format!(
                    "Line {n} of the CSV file: Login Name is required."
                )));
            }
        }
        rows.push(row);
        if rows.len() > MAX_ROWS {
            return Err(ApiError::invalid(format!(
                "The CSV file has more than {MAX_ROWS} rows."
            )));
        }
    }
    if rows.is_empty() {
        return Err(ApiError::invalid("The CSV file has no user rows."));
    }
    Ok(rows)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_quoted_fields_and_aliases() {
        let rows = parse_users("Login Name,Display_Name,Email\nA@x,\"Doe, \"\"J\"\"\",a@x.com\n")
            .expect("parses");
        assert_eq!(rows[0]["name"], "A@x");
        assert_eq!(rows[0]["displayname"], "Doe, \"J\"");
        assert_eq!(rows[0]["mail"], "a@x.com");
    }

    #[test]
    fn rejects_bad_rows() {
        assert!(parse_users("Login Name\nnoatsign\n").is_err());
        assert!(parse_users("Foo\nbar@x\n").is_err());
        assert!(parse_users("").is_err());
    }
}
