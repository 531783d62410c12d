//! Spec checks: what the curated OpenAPI description must satisfy before anything is generated
//! from it.
//!
//! [`check_spec`] reads the raw document (YAML parsed into JSON values, not `openapiv3` types, so
//! that a finding can name the exact JSON pointer of the problem even in a document too broken to
//! load) and returns a [`Report`] of every [`Finding`]:
//!
//! 1. the text parses as YAML, `openapi` is 3.0.x, and `openapiv3` loads it;
//! 2. every `$ref` is local and resolves;
//! 3. operation ids are present and unique; each operation has one declared tag, a summary, a
//!    description and `x-cyberark-idempotent`, and valid `x-cyberark-convention`/`x-cyberark-paging`;
//! 4. each operation declares a typed success response, and envelope operations use the
//!    `allOf: [Envelope, {properties: {Result}}]` pattern;
//! 5. every example validates against its schema (converted to JSON Schema by [`convert`]), with
//!    `date-time` read as the runtime reads it (RFC 3339 or a .NET `/Date(ms)/`);
//! 6. vendor extensions are known and in place: secrets are strings, null-clears are properties.
//!
//! The module reads no files: the caller passes the text and the name to report it under.

pub mod convert;
mod document;
mod examples;
mod extensions;
mod formats;
mod operations;
mod scan;
mod sites;

use std::fmt;

use serde_json::Value;

/// What a [`Finding`] is about: one variant per rule the spec must follow.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
#[non_exhaustive]
pub enum Rule {
    /// The text is not YAML, or holds something JSON cannot (a non-string key, a NaN).
    Syntax,
    /// `openapi` is not a 3.0.x version string.
    Version,
    /// The `openapiv3` model (what the generator loads) rejects the document.
    OpenApi,
    /// A `$ref` points outside the document.
    ExternalRef,
    /// A `$ref` points at nothing (or is not a string).
    DanglingRef,
    /// An operation has no `operationId`.
    OperationId,
    /// Two operations share an `operationId`.
    DuplicateOperationId,
    /// An operation does not have exactly one tag declared at the top level, or the top-level
    /// tags are malformed.
    Tag,
    /// An operation has no summary.
    Summary,
    /// An operation has no description.
    Description,
    /// `x-cyberark-idempotent` is missing or not a boolean.
    Idempotent,
    /// `x-cyberark-convention` names no known convention.
    Convention,
    /// `x-cyberark-paging` names no known style.
    Paging,
    /// An operation has no typed success response.
    SuccessResponse,
    /// An envelope operation's 200 schema does not follow the envelope pattern.
    Envelope,
    /// An example does not validate against its schema.
    Example,
    /// A schema cannot be compiled into a validator.
    Schema,
    /// `x-cyberark-secret` is on something other than a string schema.
    Secret,
    /// `x-cyberark-null-clears` is on something other than a property.
    NullClears,
    /// A vendor extension is unknown, misplaced or malformed.
    Extension,
}

impl Rule {
    /// The rule's short name, as a user would grep for it.
    pub fn name(self) -> &'static str {
        match self {
            Rule::Syntax => "syntax",
            Rule::Version => "version",
            Rule::OpenApi => "openapi",
            Rule::ExternalRef => "external-ref",
            Rule::DanglingRef => "dangling-ref",
            Rule::OperationId => "operation-id",
            Rule::DuplicateOperationId => "duplicate-operation-id",
            Rule::Tag => "tag",
            Rule::Summary => "summary",
            Rule::Description => "description",
            Rule::Idempotent => "idempotent",
            Rule::Convention => "convention",
            Rule::Paging => "paging",
            Rule::SuccessResponse => "success-response",
            Rule::Envelope => "envelope",
            Rule::Example => "example",
            Rule::Schema => "schema",
            Rule::Secret => "secret",
            Rule::NullClears => "null-clears",
            Rule::Extension => "extension",
        }
    }
}

impl fmt::Display for Rule {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// One problem in the spec, located by a JSON pointer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Finding {
    /// The name of the checked file, as given to [`check_spec`].
    pub origin: String,
    /// The rule the spec breaks.
    pub rule: Rule,
    /// Where the problem is: a JSON pointer (RFC 6901) into the document, empty for the whole
    /// document. For an example that does not match, it points inside the example.
    pub pointer: String,
    /// The `operationId` of the operation the problem belongs to, when it belongs to one.
    pub operation: Option<String>,
    /// What is wrong, in a sentence.
    pub message: String,
}

impl Finding {
    /// A finding outside any known operation; `check_spec` fills in the origin and, from the
    /// pointer, the operation.
    pub(crate) fn new(rule: Rule, pointer: impl Into<String>, message: impl Into<String>) -> Self {
        Finding {
            origin: String::new(),
            rule,
            pointer: pointer.into(),
            operation: None,
            message: message.into(),
        }
    }

    /// The same finding, attributed to the operation `id`.
    pub(crate) fn in_operation(mut self, id: &str) -> Self {
        self.operation = Some(id.to_owned());
        self
    }

    /// The same finding, attributed to `operation` when there is one.
    pub(crate) fn with_operation(mut self, operation: Option<&str>) -> Self {
        self.operation = operation.map(str::to_owned);
        self
    }
}

impl fmt::Display for Finding {
    /// `spec/identity.yaml#/paths/~1Org~1Create/post: operation Org_Create: <message>`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}#{}: ", self.origin, self.pointer)?;
        if let Some(operation) = &self.operation {
            write!(f, "operation {operation}: ")?;
        }
        f.write_str(&self.message)
    }
}

/// Everything [`check_spec`] found, in a stable order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Report {
    /// The name of the checked file, as given to [`check_spec`].
    pub origin: String,
    /// The findings, ordered by pointer, then rule.
    pub findings: Vec<Finding>,
}

impl Report {
    /// Whether the spec passed every check.
    pub fn is_clean(&self) -> bool {
        self.findings.is_empty()
    }

    /// The findings of one rule.
    pub fn of_rule(&self, rule: Rule) -> impl Iterator<Item = &Finding> {
        self.findings.iter().filter(move |f| f.rule == rule)
    }
}

impl fmt::Display for Report {
    /// One finding a line; a clean report says so in one line.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.findings.is_empty() {
            return writeln!(f, "{}: no findings", self.origin);
        }
        for finding in &self.findings {
            writeln!(f, "{finding}")?;
        }
        writeln!(
            f,
            "{}: {} finding{}",
            self.origin,
            self.findings.len(),
            if self.findings.len() == 1 { "" } else { "s" }
        )
    }
}

/// Checks the spec text `source`; `origin` is the file name findings are reported under.
pub fn check_spec(source: &str, origin: &str) -> Report {
    let mut findings = Vec::new();
    match document::parse_yaml(source) {
        Err((pointer, message)) => findings.push(Finding::new(
            Rule::Syntax,
            pointer,
            format!("not valid YAML: {message}"),
        )),
        Ok(document) if !document.is_object() => findings.push(Finding::new(
            Rule::Syntax,
            "",
            "the document is not a mapping",
        )),
        Ok(document) => check_document(source, &document, &mut findings),
    }
    finish(findings, origin)
}

fn check_document(source: &str, document: &Value, out: &mut Vec<Finding>) {
    match document.get("openapi") {
        Some(Value::String(version)) if is_openapi_30(version) => {}
        Some(other) => out.push(Finding::new(
            Rule::Version,
            "/openapi",
            format!("`openapi` must be a 3.0.x version string such as \"3.0.3\", found {other}"),
        )),
        None => out.push(Finding::new(Rule::Version, "", "`openapi` is missing")),
    }
    if let Err(message) = crate::load::validate_openapi(source) {
        out.push(Finding::new(
            Rule::OpenApi,
            "",
            format!("the OpenAPI model does not load it: {message}"),
        ));
    }
    let operations = document::operations(document);
    let scan = scan::scan(document);
    out.extend(scan.findings);
    operations::check(document, &operations, out);
    let sites = sites::sites(document, &operations);
    examples::check(document, &sites.holders, &sites.schemas, out);
    extensions::check(&scan.extensions, &operations, &sites.schemas, out);
    for finding in out.iter_mut().filter(|f| f.operation.is_none()) {
        finding.operation =
            document::operation_at(&operations, &finding.pointer).map(str::to_owned);
    }
}

fn is_openapi_30(version: &str) -> bool {
    version
        .strip_prefix("3.0.")
        .is_some_and(|patch| !patch.is_empty() && patch.bytes().all(|b| b.is_ascii_digit()))
}

fn finish(mut findings: Vec<Finding>, origin: &str) -> Report {
    for finding in &mut findings {
        finding.origin = origin.to_owned();
    }
    findings.sort_by(|a, b| (&a.pointer, a.rule).cmp(&(&b.pointer, b.rule)));
    findings.dedup();
    Report {
        origin: origin.to_owned(),
        findings,
    }
}
