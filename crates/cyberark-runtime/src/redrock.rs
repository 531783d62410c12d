//! Redrock query scripts with bound values.
//!
//! The Identity API's `Redrock/query` takes a SQL-like script as text and has no parameters of
//! its own, so CyberArk's SDKs paste values between quotes (`WHERE Username='{name}'`): a name
//! holding a quote changes the query. [`Query`] keeps the script and the values apart until the
//! last moment and then writes each value as a literal the query language reads back as the
//! same value: text between single quotes with every `'` doubled (standard SQL, which Redrock
//! follows; a backslash is an ordinary character there), numbers as digits, `NULL` for none.
//! A value that cannot be written safely (text with a NUL character) is refused, and so is a
//! script whose `?` placeholders do not match the values bound.
//!
//! ```
//! use cyberark_runtime::redrock::Query;
//! let script = Query::new("SELECT ID FROM User WHERE Username = ?")
//!     .bind("o'brien@example.com")
//!     .script()?;
//! assert_eq!(script, "SELECT ID FROM User WHERE Username = 'o''brien@example.com'");
//! # Ok::<(), cyberark_runtime::Error>(())
//! ```

use std::fmt;

use crate::error::Error;

/// The operation a [`Query`]'s errors name: the script is for `Redrock/query`.
const OPERATION: &str = "Redrock_Query";

/// A value bound to a `?` placeholder.
#[derive(Clone, PartialEq)]
pub enum Value {
    /// Text, written as a quoted literal.
    Text(String),
    /// A whole number.
    Integer(i64),
    /// A boolean, written as `TRUE` or `FALSE`.
    Bool(bool),
    /// No value: `NULL`.
    Null,
}

impl fmt::Debug for Value {
    /// Bound values are often user names or other personal data; `Debug` says only what kind
    /// of value it is, so a logged query does not carry them.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Value::Text(t) => write!(f, "Text({} chars)", t.chars().count()),
            Value::Integer(_) => f.write_str("Integer"),
            Value::Bool(_) => f.write_str("Bool"),
            Value::Null => f.write_str("Null"),
        }
    }
}

impl From<&str> for Value {
    fn from(v: &str) -> Self {
        Value::Text(v.to_owned())
    }
}

impl From<String> for Value {
    fn from(v: String) -> Self {
        Value::Text(v)
    }
}

impl From<&String> for Value {
    fn from(v: &String) -> Self {
        Value::Text(v.clone())
    }
}

impl From<i64> for Value {
    fn from(v: i64) -> Self {
        Value::Integer(v)
    }
}

impl From<i32> for Value {
    fn from(v: i32) -> Self {
        Value::Integer(v.into())
    }
}

impl From<u32> for Value {
    fn from(v: u32) -> Self {
        Value::Integer(v.into())
    }
}

impl From<bool> for Value {
    fn from(v: bool) -> Self {
        Value::Bool(v)
    }
}

impl<T: Into<Value>> From<Option<T>> for Value {
    fn from(v: Option<T>) -> Self {
        v.map_or(Value::Null, Into::into)
    }
}

/// A Redrock script with `?` placeholders and the values bound to them, in order.
///
/// A `?` inside a quoted literal (`'…'`), a quoted name (`"…"`, `[…]`) or a comment (`-- …`,
/// `/* … */`) of the script is text, not a placeholder.
#[derive(Clone, Debug, PartialEq)]
pub struct Query {
    template: String,
    values: Vec<Value>,
}

impl Query {
    /// A script with `?` where values go.
    pub fn new(template: impl Into<String>) -> Self {
        Query {
            template: template.into(),
            values: Vec::new(),
        }
    }

    /// Binds the value of the next placeholder.
    #[must_use]
    pub fn bind(mut self, value: impl Into<Value>) -> Self {
        self.values.push(value.into());
        self
    }

    /// The script with every placeholder replaced by its value as a literal.
    ///
    /// Fails with [`Error::InvalidRequest`] when the number of placeholders and values differ,
    /// when the script leaves a quote or comment open (a placeholder after it could not be told
    /// from text), or when a text value holds a NUL character.
    pub fn script(&self) -> Result<String, Error> {
        let invalid = |message: String| Error::InvalidRequest {
            operation: OPERATION,
            message,
        };
        let mut out = String::with_capacity(self.template.len() + 16 * self.values.len());
        let mut values = self.values.iter().enumerate();
        let mut placeholders = 0usize;
        let mut chars = self.template.chars().peekable();
        while let Some(c) = chars.next() {
            match c {
                '?' => {
                    placeholders += 1;
                    if let Some((index, value)) = values.next() {
                        write_literal(&mut out, index, value).map_err(invalid)?;
                    }
                    continue;
                }
                '\'' | '"' | '[' => {
                    let close = if c == '[' { ']' } else { c };
                    out.push(c);
                    let mut closed = false;
                    for d in chars.by_ref() {
                        out.push(d);
                        if d == close {
                            closed = true;
                            break;
                        }
                    }
                    // A doubled quote inside a literal is read as two literals back to back,
                    // which copies the same text.
                    if !closed {
                        return Err(invalid(format!(
                            "the script opens {c} without closing it, so its placeholders cannot be found"
                        )));
                    }
                    continue;
                }
                '-' if chars.peek() == Some(&'-') => {
                    out.push(c);
                    for d in chars.by_ref() {
                        out.push(d);
                        if d == '\n' {
                            break;
                        }
                    }
                    continue;
                }
                '/' if chars.peek() == Some(&'*') => {
                    out.push(c);
                    let mut star = false;
                    let mut closed = false;
                    // The `*` of the opening `/*` cannot also close the comment.
                    if let Some(d) = chars.next() {
                        out.push(d);
                    }
                    for d in chars.by_ref() {
                        out.push(d);
                        if star && d == '/' {
                            closed = true;
                            break;
                        }
                        star = d == '*';
                    }
                    if !closed {
                        return Err(invalid(
                            "the script opens a /* comment without closing it".to_owned(),
                        ));
                    }
                    continue;
                }
                _ => out.push(c),
            }
        }
        if placeholders != self.values.len() {
            return Err(invalid(format!(
                "the script has {placeholders} placeholder(s) (?) but {} value(s) were bound",
                self.values.len()
            )));
        }
        Ok(out)
    }
}

/// Writes one value as a literal; the error names the value by its position.
fn write_literal(out: &mut String, index: usize, value: &Value) -> Result<(), String> {
    match value {
        Value::Text(text) => {
            if text.contains('\0') {
                return Err(format!(
                    "bound value {} holds a NUL character, which a query cannot carry",
                    index + 1
                ));
            }
            out.push('\'');
            for c in text.chars() {
                if c == '\'' {
                    out.push('\'');
                }
                out.push(c);
            }
            out.push('\'');
        }
        Value::Integer(n) => out.push_str(&n.to_string()),
        Value::Bool(b) => out.push_str(if *b { "TRUE" } else { "FALSE" }),
        Value::Null => out.push_str("NULL"),
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn script(q: Query) -> String {
        q.script().expect("a valid query")
    }

    #[test]
    fn hostile_text_stays_one_literal() {
        for (value, literal) in [
            ("o'brien", "'o''brien'"),
            ("x' OR '1'='1", "'x'' OR ''1''=''1'"),
            ("a'; DELETE FROM User; --", "'a''; DELETE FROM User; --'"),
            ("back\\slash\\'", "'back\\slash\\'''"),
            ("''", "''''''"),
            ("?", "'?'"),
            ("/* c */", "'/* c */'"),
        ] {
            assert_eq!(
                script(Query::new("SELECT ID FROM User WHERE Username = ?").bind(value)),
                format!("SELECT ID FROM User WHERE Username = {literal}")
            );
        }
    }

    #[test]
    fn placeholders_in_literals_names_and_comments_are_text() {
        let q = Query::new(
            "SELECT ID AS \"a?\" FROM User -- who?\nWHERE Username = ? /* ? */ AND Name != '?' AND [x?] = ?",
        )
        .bind("a")
        .bind(7);
        assert_eq!(
            script(q),
            "SELECT ID AS \"a?\" FROM User -- who?\nWHERE Username = 'a' /* ? */ AND Name != '?' AND [x?] = 7"
        );
    }

    #[test]
    fn every_kind_of_value() {
        let q = Query::new("? ? ? ? ?")
            .bind(-3i64)
            .bind(true)
            .bind(None::<&str>)
            .bind(Some("x"))
            .bind(String::from("y"));
        assert_eq!(script(q), "-3 TRUE NULL 'x' 'y'");
    }

    #[test]
    fn mistakes_are_typed_errors_that_name_the_problem() {
        for (q, says) in [
            (
                Query::new("SELECT ? FROM User"),
                "1 placeholder(s) (?) but 0",
            ),
            (
                Query::new("SELECT ID FROM User").bind(1),
                "0 placeholder(s) (?) but 1",
            ),
            (Query::new("SELECT 'open ?").bind(1), "without closing it"),
            (Query::new("SELECT /* open ?").bind(1), "/* comment"),
            (
                Query::new("WHERE a = ?").bind("nul\0byte"),
                "bound value 1 holds a NUL",
            ),
        ] {
            let e = q.script().expect_err("refused");
            assert!(
                matches!(&e, Error::InvalidRequest { operation: "Redrock_Query", message } if message.contains(says)),
                "{e}"
            );
        }
    }

    #[test]
    fn debug_does_not_show_bound_values() {
        let q = Query::new("WHERE Username = ?").bind("secret.person@example.com");
        let shown = format!("{q:?}");
        assert!(!shown.contains("secret.person"), "{shown}");
        assert!(shown.contains("Text(25 chars)"), "{shown}");
    }
}
