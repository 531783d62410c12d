//! The extensible attribute schema of the users table.

use indexmap::IndexMap;
use serde_json::Value;

/// Maximum number of attributes, as GetSchema reports it.
pub const COLUMN_LIMIT: usize = 25;
/// Maximum number of indexes, as GetSchema reports it.
pub const INDEX_LIMIT: usize = 5;

/// The data types the sandbox accepts in UpdateSchema (case-insensitive on input).
pub const TYPES: &[&str] = &["Text", "Bool", "Int", "Double", "Date", "DateTime"];

/// One attribute definition.
#[derive(Debug, Clone, PartialEq)]
pub struct ExtColumn {
    /// Attribute name.
    pub name: String,
    /// Data type (`Text`, `Bool`, `Int`, `Double`, `Date`, `DateTime`).
    pub kind: String,
    /// Display title.
    pub title: Option<String>,
    /// Description.
    pub description: Option<String>,
    /// Whether users may edit the value themselves.
    pub user_editable: bool,
}

impl ExtColumn {
    /// Whether a value fits the column type (null always fits: it clears the value).
    pub fn accepts(&self, value: &Value) -> bool {
        match (self.kind.as_str(), value) {
            (_, Value::Null) => true,
            ("Text" | "Date" | "DateTime", Value::String(_)) => true,
            ("Bool", Value::Bool(_)) => true,
            ("Bool", Value::String(s)) => crate::input::parse_bool(s).is_some(),
            ("Int", Value::Number(n)) => n.is_i64() || n.is_u64(),
            ("Int", Value::String(s)) => s.trim().parse::<i64>().is_ok(),
            ("Double", Value::Number(_)) => true,
            ("Double", Value::String(s)) => s.trim().parse::<f64>().is_ok(),
            _ => false,
        }
    }

    /// The value as stored: strings that spell a boolean or number become one.
    pub fn normalise(&self, value: &Value) -> Value {
        match (self.kind.as_str(), value) {
            ("Bool", Value::String(s)) => crate::input::parse_bool(s)
                .map(Value::Bool)
                .unwrap_or(Value::Null),
            ("Int", Value::String(s)) => s
                .trim()
                .parse::<i64>()
                .map(Value::from)
                .unwrap_or(Value::Null),
            ("Double", Value::String(s)) => s
                .trim()
                .parse::<f64>()
                .map(Value::from)
                .unwrap_or(Value::Null),
            _ => value.clone(),
        }
    }
}

/// The schema of the users table, in definition order.
#[derive(Debug, Default)]
pub struct ExtSchema {
    /// Columns by name.
    pub columns: IndexMap<String, ExtColumn>,
}

impl ExtSchema {
    /// A column by name (case-insensitive).
    pub fn column(&self, name: &str) -> Option<&ExtColumn> {
        self.columns.get(name).or_else(|| {
            self.columns
                .values()
                .find(|c| c.name.eq_ignore_ascii_case(name))
        })
    }

    /// The canonical spelling of a type name, if the sandbox knows it.
    pub fn canonical_type(kind: &str) -> Option<&'static str> {
        TYPES.iter().copied().find(|t| t.eq_ignore_ascii_case(kind))
    }
}
