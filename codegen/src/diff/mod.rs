//! `diff`: what a spec change means for the generated clients.
//!
//! [`diff`] compares two loaded APIs (the IR, not the YAML text, so reformatting or reordering
//! the spec is no change) and lists every change a user of the generated Rust crate or Python
//! package could notice. Each [`Change`] is classified for both separately, because the two
//! generated APIs have different rules: a Rust request struct takes its required fields as
//! `new(...)` arguments and its optional ones as setters, a Rust result field is `T` or
//! `Option<T>`, and a string enum is a plain enum with an `Unknown(String)` variant; in Python,
//! required parameters are positional-or-keyword, optional ones keyword-only (with a
//! `clear_<name>` keyword where `null` clears a value), string enums are plain `str`, an `int` is
//! range-checked as 32 or 64 bits, and a class is also accepted as a dict keyed by wire names,
//! which `to_dict()` gives back. Result classes are public API in both languages: their
//! constructors (`Org::new`, `Org(...)`) build fixtures in users' tests, so their required fields
//! count like a request's. Fields are matched by wire name, but their generated names are
//! compared too, so a name that moves to another field (a collision suffix) is a rename of both.
//! The classification follows semantic versioning: `major` when code written against
//! the old client may stop compiling (Rust) or start failing (Python), `minor` for additions,
//! `patch` for changes of behaviour or wire format that leave the API as it was.
//!
//! The module is pure: `cargo xtask spec-diff` reads the two spec revisions and prints the
//! [`Report`] in one of the formats [`Report::text`], [`Report::markdown`] or [`Report::json`].

mod compare;

pub use compare::diff;

use std::fmt;

/// How much a change bumps a package's version, ordered from none to major.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Bump {
    /// Nothing a user can notice.
    None,
    /// Behaviour or wire format only; the API is unchanged.
    Patch,
    /// Something was added; existing code keeps working.
    Minor,
    /// Existing code may stop compiling or start failing.
    Major,
}

impl Bump {
    /// The bump as a word: `none`, `patch`, `minor` or `major`.
    pub fn as_str(self) -> &'static str {
        match self {
            Bump::None => "none",
            Bump::Patch => "patch",
            Bump::Minor => "minor",
            Bump::Major => "major",
        }
    }
}

impl fmt::Display for Bump {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A change's effect on one generated package, and why, in one line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Impact {
    /// The bump the change needs.
    pub bump: Bump,
    /// Why, naming the generated item that is affected.
    pub reason: String,
}

impl Impact {
    pub(crate) fn new(bump: Bump, reason: impl Into<String>) -> Self {
        Self {
            bump,
            reason: reason.into(),
        }
    }

    /// The larger of two impacts (the first one on a tie, so the more specific reason stays).
    pub(crate) fn max(self, other: Impact) -> Impact {
        if other.bump > self.bump { other } else { self }
    }
}

/// The kinds of changes the diff recognises, for tests and machine-readable output.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum ChangeKind {
    /// An operation was added.
    OperationAdded,
    /// An operation was removed.
    OperationRemoved,
    /// An operation (same method and path) got another operationId or method name.
    OperationRenamed,
    /// An operation moved to another tag (handle).
    OperationMovedTag,
    /// An operation's HTTP method or path changed.
    OperationWireChanged,
    /// An operation's idempotency (`x-cyberark-idempotent`) changed.
    IdempotencyChanged,
    /// An operation became pageable, stopped being pageable, or pages another way.
    PagingChanged,
    /// An operation's authentication or response convention changed.
    ConventionChanged,
    /// An operation's result type changed.
    ResultRetyped,
    /// An operation's request struct got another name.
    RequestRenamed,
    /// An operation's body started or stopped taking arbitrary further keys.
    BodyExtraChanged,
    /// A field (request parameter, body property or result property) was added.
    FieldAdded,
    /// A field was removed.
    FieldRemoved,
    /// A field got another wire name (same type and position, or a case-only change).
    FieldRenamed,
    /// A field became required.
    FieldMadeRequired,
    /// A field became optional.
    FieldMadeOptional,
    /// A field's nullability changed (`nullable`, `x-cyberark-null-clears`).
    FieldNullabilityChanged,
    /// A field's type changed.
    FieldRetyped,
    /// A request field moved between path, query, header and body.
    FieldMoved,
    /// The required fields of a constructor come in another order.
    FieldsReordered,
    /// A named type was added.
    TypeAdded,
    /// A named type was removed.
    TypeRemoved,
    /// A named type got another name, with the same contents.
    TypeRenamed,
    /// A named type changed kind (struct, enum, alias) or an alias its target.
    TypeKindChanged,
    /// An enum value was added.
    EnumValueAdded,
    /// An enum value was removed.
    EnumValueRemoved,
    /// An enum value got another wire spelling.
    EnumValueRenamed,
    /// A union (`oneOf`/`anyOf`) gained an arm.
    UnionArmAdded,
    /// A union lost an arm.
    UnionArmRemoved,
    /// A union's discriminator property changed, or the values that pick an arm did.
    UnionTagsChanged,
    /// A field started or stopped leading back to its own type, so it is now boxed or unboxed.
    FieldBoxingChanged,
    /// A query parameter is spelled another way on the wire (`style`, `explode`).
    ParameterStyleChanged,
    /// An operation became deprecated, or stopped being deprecated.
    DeprecationChanged,
}

impl ChangeKind {
    /// The kind in snake_case, as JSON output spells it.
    pub fn as_str(self) -> &'static str {
        match self {
            ChangeKind::OperationAdded => "operation_added",
            ChangeKind::OperationRemoved => "operation_removed",
            ChangeKind::OperationRenamed => "operation_renamed",
            ChangeKind::OperationMovedTag => "operation_moved_tag",
            ChangeKind::OperationWireChanged => "operation_wire_changed",
            ChangeKind::IdempotencyChanged => "idempotency_changed",
            ChangeKind::PagingChanged => "paging_changed",
            ChangeKind::ConventionChanged => "convention_changed",
            ChangeKind::ResultRetyped => "result_retyped",
            ChangeKind::RequestRenamed => "request_renamed",
            ChangeKind::BodyExtraChanged => "body_extra_changed",
            ChangeKind::FieldAdded => "field_added",
            ChangeKind::FieldRemoved => "field_removed",
            ChangeKind::FieldRenamed => "field_renamed",
            ChangeKind::FieldMadeRequired => "field_made_required",
            ChangeKind::FieldMadeOptional => "field_made_optional",
            ChangeKind::FieldNullabilityChanged => "field_nullability_changed",
            ChangeKind::FieldRetyped => "field_retyped",
            ChangeKind::FieldMoved => "field_moved",
            ChangeKind::FieldsReordered => "fields_reordered",
            ChangeKind::TypeAdded => "type_added",
            ChangeKind::TypeRemoved => "type_removed",
            ChangeKind::TypeRenamed => "type_renamed",
            ChangeKind::TypeKindChanged => "type_kind_changed",
            ChangeKind::EnumValueAdded => "enum_value_added",
            ChangeKind::EnumValueRemoved => "enum_value_removed",
            ChangeKind::EnumValueRenamed => "enum_value_renamed",
            ChangeKind::UnionArmAdded => "union_arm_added",
            ChangeKind::UnionArmRemoved => "union_arm_removed",
            ChangeKind::UnionTagsChanged => "union_tags_changed",
            ChangeKind::FieldBoxingChanged => "field_boxing_changed",
            ChangeKind::ParameterStyleChanged => "parameter_style_changed",
            ChangeKind::DeprecationChanged => "deprecation_changed",
        }
    }
}

/// One change between the two specs, classified for both generated packages.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Change {
    /// What changed.
    pub kind: ChangeKind,
    /// Where: an operation (`Org_Create`), a request field (`Org_Create request Name`), a type
    /// field (`Org.Name`) or a type (`type Org`).
    pub subject: String,
    /// What happened, in a few words (`added, required, string`).
    pub detail: String,
    /// The effect on the generated Rust crate.
    pub rust: Impact,
    /// The effect on the generated Python package.
    pub python: Impact,
}

/// Every change between two specs, in a stable order (operations, then types).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Report {
    /// The changes.
    pub changes: Vec<Change>,
}

impl Report {
    /// The bump the Rust crate needs: the largest of its changes'.
    pub fn rust_bump(&self) -> Bump {
        self.changes
            .iter()
            .map(|c| c.rust.bump)
            .max()
            .unwrap_or(Bump::None)
    }

    /// The bump the Python package needs.
    pub fn python_bump(&self) -> Bump {
        self.changes
            .iter()
            .map(|c| c.python.bump)
            .max()
            .unwrap_or(Bump::None)
    }

    /// Whether either package needs a major bump.
    pub fn is_breaking(&self) -> bool {
        self.rust_bump() == Bump::Major || self.python_bump() == Bump::Major
    }

    /// A short summary: the number of changes and the bump of each package.
    pub fn summary(&self) -> String {
        if self.changes.is_empty() {
            return "no API changes".to_owned();
        }
        format!(
            "{} API change(s): Rust crate {}, Python package {}",
            self.changes.len(),
            self.rust_bump(),
            self.python_bump()
        )
    }

    /// The report as plain text, one change per paragraph, the summary last.
    pub fn text(&self) -> String {
        let mut out = String::new();
        for c in &self.changes {
            out.push_str(&format!(
                "[rust {:<5} | python {:<5}] {}: {}\n    rust:   {}\n    python: {}\n",
                c.rust.bump.as_str(),
                c.python.bump.as_str(),
                c.subject,
                c.detail,
                c.rust.reason,
                c.python.reason
            ));
        }
        out.push_str(&self.summary());
        out.push('\n');
        out
    }

    /// The report as a Markdown table, for a pull request description.
    pub fn markdown(&self) -> String {
        let mut out = format!(
            "**Rust crate: {}. Python package: {}.**\n\n",
            self.rust_bump(),
            self.python_bump()
        );
        if self.changes.is_empty() {
            out.push_str("No API changes.\n");
            return out;
        }
        out.push_str("| change | rust | python |\n| --- | --- | --- |\n");
        for c in &self.changes {
            out.push_str(&format!(
                "| `{}`: {} | **{}**: {} | **{}**: {} |\n",
                c.subject,
                md_cell(&c.detail),
                c.rust.bump,
                md_cell(&c.rust.reason),
                c.python.bump,
                md_cell(&c.python.reason)
            ));
        }
        out
    }

    /// The report as JSON: `{rust, python, breaking, changes: [{kind, subject, detail, rust:
    /// {bump, reason}, python: {bump, reason}}]}`.
    pub fn json(&self) -> serde_json::Value {
        let impact = |i: &Impact| serde_json::json!({"bump": i.bump.as_str(), "reason": i.reason});
        serde_json::json!({
            "rust": self.rust_bump().as_str(),
            "python": self.python_bump().as_str(),
            "breaking": self.is_breaking(),
            "changes": self.changes.iter().map(|c| serde_json::json!({
                "kind": c.kind.as_str(),
                "subject": c.subject,
                "detail": c.detail,
                "rust": impact(&c.rust),
                "python": impact(&c.python),
            })).collect::<Vec<_>>(),
        })
    }
}

/// The JSON document of several specs' reports: `{rust, python, breaking, specs: [{spec, …}]}`.
pub fn json_document(reports: &[(String, Report)]) -> serde_json::Value {
    let rust = reports
        .iter()
        .map(|(_, r)| r.rust_bump())
        .max()
        .unwrap_or(Bump::None);
    let python = reports
        .iter()
        .map(|(_, r)| r.python_bump())
        .max()
        .unwrap_or(Bump::None);
    let specs: Vec<serde_json::Value> = reports
        .iter()
        .map(|(spec, r)| {
            let mut v = r.json();
            v["spec"] = serde_json::Value::String(spec.clone());
            v
        })
        .collect();
    serde_json::json!({
        "rust": rust.as_str(),
        "python": python.as_str(),
        "breaking": rust == Bump::Major || python == Bump::Major,
        "specs": specs,
    })
}

/// Escapes the characters that would end a Markdown table cell.
fn md_cell(text: &str) -> String {
    text.replace('|', "\\|").replace('\n', " ")
}

#[cfg(test)]
mod tests;
