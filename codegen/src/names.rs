//! `names`: identifiers for Rust and Python, derived from the API's own spelling.
//!
//! The Identity API mixes PascalCase (`GetUserByName`), acronyms (`ID`, `OrgId`, `PodFqdn`),
//! lowercase (`username`, `success`) and camelCase (`directoryServiceUuid`). The wire names stay
//! exact through serde renames; these functions only decide what the generated identifiers are,
//! escape keywords, and settle collisions deterministically.

use heck::{ToShoutySnakeCase, ToSnakeCase, ToUpperCamelCase};
use std::collections::BTreeSet;

/// Rust keywords (strict and reserved, 2024 edition) that cannot be plain identifiers.
const RUST_KEYWORDS: &[&str] = &[
    "abstract", "as", "async", "await", "become", "box", "break", "const", "continue", "crate",
    "do", "dyn", "else", "enum", "extern", "false", "final", "fn", "for", "gen", "if", "impl",
    "in", "let", "loop", "macro", "match", "mod", "move", "mut", "override", "priv", "pub", "ref",
    "return", "self", "Self", "static", "struct", "super", "trait", "true", "try", "type",
    "typeof", "union", "unsafe", "unsized", "use", "virtual", "where", "while", "yield",
];

/// Keywords that cannot even be raw identifiers, so they get a trailing underscore instead.
const RUST_NON_RAW: &[&str] = &["crate", "self", "Self", "super"];

/// Python keywords, plus the names methods use for their receiver. Builtins such as `id` or
/// `type` stay usable: they make natural keyword arguments (`get_user(id=…)`).
const PYTHON_RESERVED: &[&str] = &[
    "False", "None", "True", "and", "as", "assert", "async", "await", "break", "class", "continue",
    "def", "del", "elif", "else", "except", "finally", "for", "from", "global", "if", "import",
    "in", "is", "lambda", "nonlocal", "not", "or", "pass", "raise", "return", "try", "while",
    "with", "yield", "self", "cls",
];

/// Names a generated type may not take because generated code or its users rely on them.
const RESERVED_TYPE_NAMES: &[&str] = &["Client", "Error", "Self"];

/// Splits an API name into lowercase words: `GetUserByName` → get, user, by, name;
/// `ID` → id; `PodFqdn` → pod, fqdn; `directoryServiceUuid` → directory, service, uuid;
/// `app_id` → app, id; `$ref` → ref.
fn words(name: &str) -> String {
    let cleaned: String = name
        .chars()
        .map(|c| if c.is_ascii_alphanumeric() { c } else { '_' })
        .collect();
    cleaned.to_snake_case()
}

/// The snake_case form of an API name, not yet escaped: `GetUserByName` → `get_user_by_name`.
pub fn snake(name: &str) -> String {
    let s = words(name);
    if s.is_empty() {
        return "value".to_owned();
    }
    if s.starts_with(|c: char| c.is_ascii_digit()) {
        format!("n{s}")
    } else {
        s
    }
}

/// The PascalCase form of an API name: `user_mgmt` → `UserMgmt`, `ID` → `Id`.
pub fn pascal(name: &str) -> String {
    let s = words(name).to_upper_camel_case();
    if s.is_empty() {
        return "Value".to_owned();
    }
    if s.starts_with(|c: char| c.is_ascii_digit()) {
        format!("N{s}")
    } else {
        s
    }
}

/// The SHOUTY_SNAKE form, used for Python enum constants.
pub fn shouty(name: &str) -> String {
    let s = snake(name).to_shouty_snake_case();
    if s.is_empty() { "VALUE".to_owned() } else { s }
}

/// Escapes a snake_case name into a valid Rust field or method identifier, without `r#`:
/// keywords that may be raw identifiers stay as they are (the emitter writes `r#type`), the
/// few that may not (`self`, `crate`, `super`) get a trailing underscore.
pub fn rust_ident(snake_name: &str) -> String {
    if RUST_NON_RAW.contains(&snake_name) {
        format!("{snake_name}_")
    } else {
        snake_name.to_owned()
    }
}

/// Whether an identifier must be written as a raw identifier (`r#type`) in Rust.
pub fn needs_raw(ident: &str) -> bool {
    RUST_KEYWORDS.contains(&ident) && !RUST_NON_RAW.contains(&ident)
}

/// Escapes a snake_case name into a Python identifier (`type` → `type_`).
pub fn python_ident(snake_name: &str) -> String {
    if PYTHON_RESERVED.contains(&snake_name) {
        format!("{snake_name}_")
    } else {
        snake_name.to_owned()
    }
}

/// A PascalCase type name that does not collide with names generated code relies on.
pub fn type_name(name: &str) -> String {
    let p = pascal(name);
    if RESERVED_TYPE_NAMES.contains(&p.as_str()) {
        format!("{p}Type")
    } else {
        p
    }
}

/// Hands out identifiers unique within one scope (one struct's fields, one enum's variants,
/// all type names): a name already taken gets the suffix `_2`, `_3`, … (or `2`, `3`, … for
/// PascalCase), in the order names are requested, which follows the spec and is deterministic.
#[derive(Debug, Default, Clone)]
pub struct Scope {
    taken: BTreeSet<String>,
}

impl Scope {
    /// An empty scope.
    pub fn new() -> Self {
        Self::default()
    }

    /// A scope in which `reserved` names are already taken.
    pub fn with_reserved(reserved: &[&str]) -> Self {
        Self {
            taken: reserved.iter().map(|s| (*s).to_owned()).collect(),
        }
    }

    /// Claims `candidate` or, if taken, the first free suffixed form of it.
    pub fn claim(&mut self, candidate: &str, separator: &str) -> String {
        // `self_` + `_2` would read `self__2`, which is not snake_case.
        let separator = if candidate.ends_with(separator) {
            ""
        } else {
            separator
        };
        let mut name = candidate.to_owned();
        let mut n = 2;
        while self.taken.contains(&name) {
            name = format!("{candidate}{separator}{n}");
            n += 1;
        }
        self.taken.insert(name.clone());
        name
    }

    /// Whether `name` is taken.
    pub fn contains(&self, name: &str) -> bool {
        self.taken.contains(name)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn snake_case_follows_the_api_words() {
        assert_eq!(snake("GetUserByName"), "get_user_by_name");
        assert_eq!(snake("ID"), "id");
        assert_eq!(snake("OrgId"), "org_id");
        assert_eq!(snake("PodFqdn"), "pod_fqdn");
        assert_eq!(snake("directoryServiceUuid"), "directory_service_uuid");
        assert_eq!(
            snake("GetUsersRolesAndAdministrativeRights"),
            "get_users_roles_and_administrative_rights"
        );
        assert_eq!(snake("CDirectoryService"), "c_directory_service");
        assert_eq!(snake("app_id"), "app_id");
        assert_eq!(snake("$ref"), "ref");
        assert_eq!(snake("2fa"), "n2fa");
        assert_eq!(snake(""), "value");
        assert_eq!(snake("IsSoftError"), "is_soft_error");
        assert_eq!(snake("ChangeMemberShip"), "change_member_ship");
    }

    #[test]
    fn pascal_case_for_types() {
        assert_eq!(pascal("user_mgmt"), "UserMgmt");
        assert_eq!(pascal("ID"), "Id");
        assert_eq!(pascal("scim+json"), "ScimJson");
        assert_eq!(type_name("Client"), "ClientType");
        assert_eq!(type_name("Result"), "Result");
    }

    #[test]
    fn keywords_are_escaped() {
        assert!(needs_raw("type"));
        assert!(needs_raw("ref"));
        assert!(!needs_raw("self_"));
        assert_eq!(rust_ident("self"), "self_");
        assert_eq!(rust_ident("type"), "type");
        assert_eq!(python_ident("from"), "from_");
        assert_eq!(python_ident("self"), "self_");
        assert_eq!(python_ident("id"), "id");
        assert_eq!(python_ident("name"), "name");
    }

    #[test]
    fn collisions_get_suffixes_in_request_order() {
        let mut scope = Scope::new();
        assert_eq!(scope.claim("id", "_"), "id");
        assert_eq!(scope.claim("id", "_"), "id_2");
        assert_eq!(scope.claim("id", "_"), "id_3");
        assert_eq!(scope.claim("self_", "_"), "self_");
        assert_eq!(scope.claim("self_", "_"), "self_2");
        let mut types = Scope::with_reserved(&["Client"]);
        assert_eq!(types.claim("Client", ""), "Client2");
    }
}
