//! Reading a Redrock script: tokens, then one `SELECT` statement.
//!
//! The grammar is the small part of Redrock's SQL the official SDKs use (and a little more so
//! tests can say what they mean): `SELECT <columns | *> FROM <table> [WHERE <condition>]
//! [ORDER BY <column> [ASC|DESC], …] [;]`, where a condition combines `=`, `!=`, `<>`, `<`,
//! `<=`, `>`, `>=`, `LIKE`, `IN (…)` and `IS [NOT] NULL` with `AND`, `OR`, `NOT` and
//! parentheses. Anything else (joins, functions, sub-queries, a second statement) is refused
//! with a message naming what could not be run, never guessed at.

use std::fmt;

/// Why a script cannot be run.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct QueryError(pub String);

impl fmt::Display for QueryError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

fn err<T>(message: impl Into<String>) -> Result<T, QueryError> {
    Err(QueryError(message.into()))
}

/// Deepest nesting of parentheses a condition may have; the parser recurses per level.
const MAX_DEPTH: usize = 32;

/// A token of the script.
#[derive(Debug, Clone, PartialEq)]
enum Token {
    /// A name or keyword, as written.
    Word(String),
    /// A quoted string literal, unquoted (`''` read as one `'`).
    Text(String),
    /// A number literal.
    Number(f64),
    /// Punctuation or an operator: `*`, `,`, `(`, `)`, `;`, `=`, `!=`, `<>`, `<`, `<=`, `>`, `>=`.
    Symbol(&'static str),
}

fn tokens(script: &str) -> Result<Vec<Token>, QueryError> {
    if script.contains('\0') {
        return err("the script contains a NUL character");
    }
    let chars: Vec<char> = script.chars().collect();
    let mut out = Vec::new();
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        if c.is_whitespace() {
            i += 1;
        } else if c == '-' && chars.get(i + 1) == Some(&'-') {
            // A line comment, as SQL reads it: to the end of the line.
            while i < chars.len() && chars[i] != '\n' {
                i += 1;
            }
        } else if c == '/' && chars.get(i + 1) == Some(&'*') {
            let rest: String = chars[i + 2..].iter().collect();
            match rest.find("*/") {
                Some(end) => i += 2 + rest[..end].chars().count() + 2,
                None => return err("a /* comment is not closed"),
            }
        } else if c == '\'' {
            let mut text = String::new();
            i += 1;
            loop {
                match chars.get(i) {
                    None => return err("a string literal is not closed (missing ')"),
                    Some('\'') if chars.get(i + 1) == Some(&'\'') => {
                        text.push('\'');
                        i += 2;
                    }
                    Some('\'') => {
                        i += 1;
                        break;
                    }
                    Some(other) => {
                        text.push(*other);
                        i += 1;
                    }
                }
            }
            out.push(Token::Text(text));
        } else if c == '[' || c == '"' {
            // A quoted identifier: `[Name]` or `"Name"`.
            let close = if c == '[' { ']' } else { '"' };
            let start = i + 1;
            let Some(len) = chars[start..].iter().position(|&x| x == close) else {
                return err(format!("a quoted name opened with {c} is not closed"));
            };
            out.push(Token::Word(chars[start..start + len].iter().collect()));
            i = start + len + 1;
        } else if c.is_ascii_digit()
            || (c == '-' && chars.get(i + 1).is_some_and(char::is_ascii_digit))
        {
            let start = i;
            i += 1;
            while i < chars.len() && (chars[i].is_ascii_digit() || chars[i] == '.') {
                i += 1;
            }
            let text: String = chars[start..i].iter().collect();
            let n = text
                .parse::<f64>()
                .map_err(|_| QueryError(format!("{text} is not a number")))?;
            out.push(Token::Number(n));
        } else if c.is_alphanumeric() || c == '_' {
            let start = i;
            while i < chars.len()
                && (chars[i].is_alphanumeric() || chars[i] == '_' || chars[i] == '.')
            {
                i += 1;
            }
            out.push(Token::Word(chars[start..i].iter().collect()));
        } else {
            let two: String = chars[i..(i + 2).min(chars.len())].iter().collect();
            let symbol = match two.as_str() {
                "!=" => Some("!="),
                "<>" => Some("<>"),
                "<=" => Some("<="),
                ">=" => Some(">="),
                _ => None,
            };
            if let Some(s) = symbol {
                out.push(Token::Symbol(s));
                i += 2;
                continue;
            }
            let one = match c {
                '*' => "*",
                ',' => ",",
                '(' => "(",
                ')' => ")",
                ';' => ";",
                '=' => "=",
                '<' => "<",
                '>' => ">",
                _ => return err(format!("the character {c:?} cannot be read here")),
            };
            out.push(Token::Symbol(one));
            i += 1;
        }
    }
    Ok(out)
}

/// A literal of a condition.
#[derive(Debug, Clone, PartialEq)]
pub enum Literal {
    /// A string.
    Text(String),
    /// A number.
    Number(f64),
    /// `TRUE` or `FALSE`.
    Bool(bool),
    /// `NULL`.
    Null,
}

/// A comparison operator.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Compare {
    /// `=`.
    Eq,
    /// `!=` or `<>`.
    Ne,
    /// `<`.
    Lt,
    /// `<=`.
    Le,
    /// `>`.
    Gt,
    /// `>=`.
    Ge,
}

/// A `WHERE` condition.
#[derive(Debug, Clone, PartialEq)]
pub enum Condition {
    /// `column <op> literal`.
    Compare(String, Compare, Literal),
    /// `column [NOT] LIKE 'pattern'`.
    Like(String, String, bool),
    /// `column [NOT] IN (literal, …)`.
    In(String, Vec<Literal>, bool),
    /// `column IS [NOT] NULL` (the flag is true for `IS NULL`).
    IsNull(String, bool),
    /// Both hold.
    And(Box<Condition>, Box<Condition>),
    /// Either holds.
    Or(Box<Condition>, Box<Condition>),
    /// Does not hold.
    Not(Box<Condition>),
}

/// One selected column: its name in the table and the key it gets in the row.
#[derive(Debug, Clone, PartialEq)]
pub struct Selected {
    /// The column of the table.
    pub column: String,
    /// The key in the answer's row (`AS` alias, else the column as written).
    pub key: String,
}

/// A parsed `SELECT`.
#[derive(Debug, Clone, PartialEq)]
pub struct Select {
    /// The columns, or `None` for `*`.
    pub columns: Option<Vec<Selected>>,
    /// The table.
    pub table: String,
    /// The condition.
    pub filter: Option<Condition>,
    /// Sort keys with `true` for descending.
    pub order: Vec<(String, bool)>,
}

struct Parser {
    tokens: Vec<Token>,
    at: usize,
}

impl Parser {
    fn peek(&self) -> Option<&Token> {
        self.tokens.get(self.at)
    }

    fn next(&mut self) -> Option<Token> {
        let t = self.tokens.get(self.at).cloned();
        self.at += 1;
        t
    }

    fn keyword(&self, word: &str) -> bool {
        matches!(self.peek(), Some(Token::Word(w)) if w.eq_ignore_ascii_case(word))
    }

    fn eat_keyword(&mut self, word: &str) -> bool {
        let found = self.keyword(word);
        if found {
            self.at += 1;
        }
        found
    }

    fn expect_keyword(&mut self, word: &str) -> Result<(), QueryError> {
        if self.eat_keyword(word) {
            Ok(())
        } else {
            err(format!("expected {word} {}", self.found()))
        }
    }

    fn symbol(&self, s: &str) -> bool {
        matches!(self.peek(), Some(Token::Symbol(x)) if *x == s)
    }

    fn eat_symbol(&mut self, s: &str) -> bool {
        let found = self.symbol(s);
        if found {
            self.at += 1;
        }
        found
    }

    fn found(&self) -> String {
        match self.peek() {
            None => "at the end of the script".to_owned(),
            Some(Token::Word(w)) => format!("before {w}"),
            Some(Token::Text(_)) => "before a string literal".to_owned(),
            Some(Token::Number(n)) => format!("before {n}"),
            Some(Token::Symbol(s)) => format!("before {s}"),
        }
    }

    fn name(&mut self, what: &str) -> Result<String, QueryError> {
        match self.peek() {
            Some(Token::Word(w)) if !is_reserved(w) => {
                let w = w.clone();
                self.at += 1;
                Ok(w)
            }
            _ => err(format!("expected {what} {}", self.found())),
        }
    }

    fn literal(&mut self) -> Result<Literal, QueryError> {
        match self.next() {
            Some(Token::Text(t)) => Ok(Literal::Text(t)),
            Some(Token::Number(n)) => Ok(Literal::Number(n)),
            Some(Token::Word(w)) if w.eq_ignore_ascii_case("null") => Ok(Literal::Null),
            Some(Token::Word(w)) if w.eq_ignore_ascii_case("true") => Ok(Literal::Bool(true)),
            Some(Token::Word(w)) if w.eq_ignore_ascii_case("false") => Ok(Literal::Bool(false)),
            _ => {
                self.at -= 1;
                err(format!(
                    "expected a value (a quoted string, a number, TRUE, FALSE or NULL) {}; comparing columns with each other or with functions is not supported by the sandbox",
                    self.found()
                ))
            }
        }
    }

    fn select(&mut self) -> Result<Select, QueryError> {
        self.expect_keyword("select")?;
        let columns = if self.eat_symbol("*") {
            None
        } else {
            let mut list = Vec::new();
            loop {
                let column = self.name("a column name")?;
                if self.symbol("(") {
                    return err(format!(
                        "functions ({column}(…)) are not supported by the sandbox"
                    ));
                }
                let key = if self.eat_keyword("as") {
                    self.name("an alias after AS")?
                } else {
                    column.clone()
                };
                list.push(Selected { column, key });
                if !self.eat_symbol(",") {
                    break;
                }
            }
            Some(list)
        };
        self.expect_keyword("from")?;
        let table = self.name("a table name")?;
        if self.symbol(",") || self.keyword("join") || self.keyword("inner") || self.keyword("left")
        {
            return err("joins are not supported by the sandbox");
        }
        let filter = if self.eat_keyword("where") {
            Some(self.or(0)?)
        } else {
            None
        };
        let mut order = Vec::new();
        if self.eat_keyword("order") {
            self.expect_keyword("by")?;
            loop {
                let column = self.name("a column name after ORDER BY")?;
                let descending = if self.eat_keyword("desc") {
                    true
                } else {
                    self.eat_keyword("asc");
                    false
                };
                order.push((column, descending));
                if !self.eat_symbol(",") {
                    break;
                }
            }
        }
        self.eat_symbol(";");
        if self.peek().is_some() {
            return err(format!(
                "the sandbox runs one SELECT statement; it cannot run what comes {}",
                self.found()
            ));
        }
        Ok(Select {
            columns,
            table,
            filter,
            order,
        })
    }

    fn or(&mut self, depth: usize) -> Result<Condition, QueryError> {
        let mut left = self.and(depth)?;
        while self.eat_keyword("or") {
            let right = self.and(depth)?;
            left = Condition::Or(Box::new(left), Box::new(right));
        }
        Ok(left)
    }

    fn and(&mut self, depth: usize) -> Result<Condition, QueryError> {
        let mut left = self.unary(depth)?;
        while self.eat_keyword("and") {
            let right = self.unary(depth)?;
            left = Condition::And(Box::new(left), Box::new(right));
        }
        Ok(left)
    }

    fn unary(&mut self, depth: usize) -> Result<Condition, QueryError> {
        if depth > MAX_DEPTH {
            return err(format!(
                "the condition nests deeper than {MAX_DEPTH} levels"
            ));
        }
        if self.eat_keyword("not") {
            return Ok(Condition::Not(Box::new(self.unary(depth + 1)?)));
        }
        if self.eat_symbol("(") {
            if self.keyword("select") {
                return err("sub-queries are not supported by the sandbox");
            }
            let inner = self.or(depth + 1)?;
            if !self.eat_symbol(")") {
                return err(format!("expected ) {}", self.found()));
            }
            return Ok(inner);
        }
        let column = self.name("a column name")?;
        if self.eat_keyword("is") {
            let not = self.eat_keyword("not");
            self.expect_keyword("null")?;
            return Ok(Condition::IsNull(column, !not));
        }
        let negated = self.eat_keyword("not");
        if self.eat_keyword("like") {
            return match self.literal()? {
                Literal::Text(p) => Ok(Condition::Like(column, p, negated)),
                _ => err("LIKE takes a quoted pattern"),
            };
        }
        if self.eat_keyword("in") {
            if !self.eat_symbol("(") {
                return err(format!("expected ( after IN {}", self.found()));
            }
            let mut values = vec![self.literal()?];
            while self.eat_symbol(",") {
                values.push(self.literal()?);
            }
            if !self.eat_symbol(")") {
                return err(format!("expected ) {}", self.found()));
            }
            return Ok(Condition::In(column, values, negated));
        }
        if negated {
            return err(format!("expected LIKE or IN after NOT {}", self.found()));
        }
        let op = match self.next() {
            Some(Token::Symbol("=")) => Compare::Eq,
            Some(Token::Symbol("!=")) | Some(Token::Symbol("<>")) => Compare::Ne,
            Some(Token::Symbol("<")) => Compare::Lt,
            Some(Token::Symbol("<=")) => Compare::Le,
            Some(Token::Symbol(">")) => Compare::Gt,
            Some(Token::Symbol(">=")) => Compare::Ge,
            _ => {
                self.at -= 1;
                return err(format!(
                    "expected a comparison after {column} {}",
                    self.found()
                ));
            }
        };
        Ok(Condition::Compare(column, op, self.literal()?))
    }
}

fn is_reserved(word: &str) -> bool {
    [
        "select", "from", "where", "and", "or", "not", "like", "in", "is", "null", "order", "by",
        "asc", "desc", "as", "join",
    ]
    .iter()
    .any(|k| word.eq_ignore_ascii_case(k))
}

/// Parses a script into one `SELECT`.
pub fn parse(script: &str) -> Result<Select, QueryError> {
    let tokens = tokens(script)?;
    if tokens.is_empty() {
        return err("the script is empty");
    }
    Parser { tokens, at: 0 }.select()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_sdk_queries_parse() {
        let q = parse("Select ID, Username from User WHERE Username='a@b.c'").unwrap();
        assert_eq!(q.table, "User");
        assert_eq!(
            q.filter,
            Some(Condition::Compare(
                "Username".into(),
                Compare::Eq,
                Literal::Text("a@b.c".into())
            ))
        );
        let q = parse("Select * from Proxy").unwrap();
        assert!(q.columns.is_none());
        let q =
            parse("SELECT ID as Guid FROM User WHERE OrgId = 'x' ORDER BY Username DESC;").unwrap();
        assert_eq!(q.columns.unwrap()[0].key, "Guid");
        assert_eq!(q.order, vec![("Username".to_owned(), true)]);
    }

    #[test]
    fn doubled_quotes_are_one_quote_and_comments_inside_literals_are_text() {
        let q = parse("SELECT ID FROM User WHERE Username = 'o''brien -- ; x'").unwrap();
        assert_eq!(
            q.filter,
            Some(Condition::Compare(
                "Username".into(),
                Compare::Eq,
                Literal::Text("o'brien -- ; x".into())
            ))
        );
    }

    #[test]
    fn what_cannot_be_run_is_refused_by_name() {
        for (script, says) in [
            (
                "SELECT ID FROM User; DELETE FROM User",
                "one SELECT statement",
            ),
            ("SELECT count(ID) FROM User", "functions"),
            ("SELECT ID FROM User, Role", "joins"),
            (
                "SELECT ID FROM User WHERE ID IN (SELECT ID FROM Role)",
                "expected a value",
            ),
            ("SELECT ID FROM User WHERE Username = 'open", "not closed"),
            (
                "SELECT ID FROM User WHERE Username = Name",
                "expected a value",
            ),
            ("", "empty"),
            ("SELECT ID FROM User WHERE Username = 'a\0'", "NUL"),
        ] {
            let e = parse(script).unwrap_err();
            assert!(e.0.contains(says), "{script}: {e}");
        }
        let deep = format!(
            "SELECT ID FROM User WHERE {}ID = 1{}",
            "(".repeat(40),
            ")".repeat(40)
        );
        assert!(parse(&deep).unwrap_err().0.contains("deeper"));
    }
}
