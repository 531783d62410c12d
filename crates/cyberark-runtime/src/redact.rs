//! Body excerpts for errors and logs, with the values of secret-bearing keys blanked.

use indexmap::IndexMap;
use serde_json::Value;
use serde_json::value::RawValue;

/// Longest excerpt, in characters, that errors and logs carry.
pub const EXCERPT_CHARS: usize = 200;

/// JSON (or form) keys whose values are secrets, compared without regard to case.
///
/// The list covers what the Identity API sends or receives: OAuth token responses
/// (`access_token`, `refresh_token`, `id_token`), credentials (`password`, `client_secret`),
/// the login flow (`Token`, `Auth`, `Answer`, `RefreshToken`) and a few generic names.
const SECRET_KEYS: &[&str] = &[
    "password",
    "client_secret",
    "access_token",
    "refresh_token",
    "id_token",
    "token",
    "auth",
    "answer",
    "refreshtoken",
    "authorization",
    "cookie",
    "code_verifier",
    "secret",
    "clientsecret",
    "newpassword",
    "oldpassword",
];

const MASK: &str = "***";

/// Returns `true` when values stored under `key` must never be shown.
pub fn is_secret_key(key: &str) -> bool {
    SECRET_KEYS.iter().any(|k| k.eq_ignore_ascii_case(key))
}

/// Makes a short, secret-free excerpt of a response or request body.
///
/// A JSON body is parsed and every value under a secret key is replaced by `***` before the
/// excerpt is cut, so a secret can never be split across the cut and survive. A body that is not
/// JSON (HTML error pages, form bodies, truncated JSON) is scanned textually for `key=value` and
/// `"key": "value"` pairs instead.
pub fn excerpt(body: &[u8]) -> String {
    let text = String::from_utf8_lossy(body);
    let redacted = match serde_json::from_str::<&RawValue>(&text) {
        Ok(raw) => redact_raw(raw),
        Err(_) => redact_text(&text),
    };
    truncate(redacted.trim(), EXCERPT_CHARS)
}

/// Re-emits JSON compactly with secret values blanked, keeping the keys in the order the tenant
/// sent them (so an excerpt starts with what the body starts with).
fn redact_raw(raw: &RawValue) -> String {
    let text = raw.get();
    if text.starts_with('{') {
        if let Ok(map) = serde_json::from_str::<IndexMap<String, &RawValue>>(text) {
            let fields: Vec<String> = map
                .into_iter()
                .map(|(key, value)| {
                    let value = if is_secret_key(&key) && value.get() != "null" {
                        format!("\"{MASK}\"")
                    } else {
                        redact_raw(value)
                    };
                    format!("{}:{value}", Value::String(key))
                })
                .collect();
            return format!("{{{}}}", fields.join(","));
        }
    } else if text.starts_with('[') {
        if let Ok(items) = serde_json::from_str::<Vec<&RawValue>>(text) {
            let items: Vec<String> = items.into_iter().map(redact_raw).collect();
            return format!("[{}]", items.join(","));
        }
    }
    text.to_owned()
}

/// Blanks, in place, every value whose key is a secret key, at any depth.
pub fn redact_value(value: &mut Value) {
    match value {
        Value::Object(map) => {
            for (key, inner) in map.iter_mut() {
                if is_secret_key(key) {
                    if !inner.is_null() {
                        *inner = Value::String(MASK.to_owned());
                    }
                } else {
                    redact_value(inner);
                }
            }
        }
        Value::Array(items) => items.iter_mut().for_each(redact_value),
        _ => {}
    }
}

/// Replaces every occurrence of the given secrets in `text` by `***`.
///
/// Used on messages built from what the tenant said during authentication: a tenant that echoes
/// a submitted password or client secret back must not put it into an error.
pub(crate) fn scrub(text: &str, secrets: &[&crate::Secret]) -> String {
    let mut out = text.to_owned();
    for secret in secrets {
        // Very short secrets would blank ordinary words; they are too weak to matter anyway.
        if secret.expose().len() >= 4 {
            out = out.replace(secret.expose(), MASK);
        }
    }
    out
}

/// Cuts `text` to at most `max` characters, marking the cut with an ellipsis.
fn truncate(text: &str, max: usize) -> String {
    match text.char_indices().nth(max) {
        None => text.to_owned(),
        Some((cut, _)) => {
            let mut out = text[..cut].to_owned();
            out.push('…');
            out
        }
    }
}

/// Redacts `key=value` and `"key": value` pairs in text that is not valid JSON.
fn redact_text(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let bytes = text.as_bytes();
    let mut i = 0;
    while i < bytes.len() {
        // Find the next identifier-like word, possibly quoted.
        let c = bytes[i];
        if c.is_ascii_alphabetic() || c == b'_' {
            let start = i;
            while i < bytes.len() && (bytes[i].is_ascii_alphanumeric() || bytes[i] == b'_') {
                i += 1;
            }
            let word = &text[start..i];
            out.push_str(word);
            if is_secret_key(word) {
                i = redact_after_key(text, i, &mut out);
            }
        } else {
            // Copy one whole character so multi-byte UTF-8 stays intact.
            let ch = text[i..].chars().next().unwrap_or('\u{fffd}');
            out.push(ch);
            i += ch.len_utf8();
        }
    }
    out
}

/// After a secret key ending at `i`, copies the separator and masks the value; returns the new index.
fn redact_after_key(text: &str, mut i: usize, out: &mut String) -> usize {
    let bytes = text.as_bytes();
    let sep_start = i;
    // An optional closing quote, spaces, then `:` or `=`, then spaces.
    if i < bytes.len() && bytes[i] == b'"' {
        i += 1;
    }
    while i < bytes.len() && bytes[i] == b' ' {
        i += 1;
    }
    if i >= bytes.len() || (bytes[i] != b':' && bytes[i] != b'=') {
        return sep_start;
    }
    let form_style = bytes[i] == b'=';
    i += 1;
    while i < bytes.len() && bytes[i] == b' ' {
        i += 1;
    }
    out.push_str(&text[sep_start..i]);
    if form_style {
        // A form value runs to the next `&` or whitespace.
        let end = text[i..]
            .find(|c: char| c == '&' || c.is_whitespace())
            .map_or(text.len(), |n| i + n);
        out.push_str(MASK);
        return end;
    }
    if i < bytes.len() && bytes[i] == b'"' {
        // A JSON string value: skip to the closing quote, honouring escapes; a value the excerpt
        // cut short is masked all the same.
        let mut j = i + 1;
        while j < bytes.len() && bytes[j] != b'"' {
            j += if bytes[j] == b'\\' { 2 } else { 1 };
        }
        out.push('"');
        out.push_str(MASK);
        out.push('"');
        return (j + 1).min(bytes.len());
    }
    // Any other scalar runs to the next delimiter.
    let end = text[i..]
        .find([',', '}', ']', '\n'])
        .map_or(text.len(), |n| i + n);
    if text[i..end].trim() == "null" {
        out.push_str(&text[i..end]);
    } else {
        out.push_str(MASK);
    }
    end
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn json_secret_values_are_blanked_at_any_depth() {
        let body = br#"{"access_token":"eyJhbGciOi.abc.def","token_type":"Bearer","expires_in":900,
            "Result":{"Token":"tok-1","Auth":"auth-1","RefreshToken":"rt-1","User":"bob",
            "Answer":{"u_1":"Arnold"},"nested":[{"password":"pw","client_secret":"cs","id_token":"it","refresh_token":"r"}]}}"#;
        let out = excerpt(body);
        for secret in [
            "eyJhbGciOi",
            "tok-1",
            "auth-1",
            "rt-1",
            "Arnold",
            "\"pw\"",
            "\"cs\"",
            "\"it\"",
            "\"r\"",
        ] {
            assert!(!out.contains(secret), "{secret} leaked into {out}");
        }
        assert!(out.contains("bob"));
        assert!(out.contains("Bearer"));
    }

    #[test]
    fn null_secrets_stay_null() {
        let out = excerpt(br#"{"Token":null}"#);
        assert_eq!(out, r#"{"Token":null}"#);
    }

    #[test]
    fn form_bodies_are_redacted() {
        let out =
            excerpt(b"grant_type=client_credentials&client_id=svc&client_secret=s3cr3t&scope=all");
        assert_eq!(
            out,
            "grant_type=client_credentials&client_id=svc&client_secret=***&scope=all"
        );
    }

    #[test]
    fn truncated_json_is_redacted_textually() {
        let out = excerpt(br#"{"Result": {"Token": "abc\"def", "Auth": 12, "Name": "x"#);
        assert!(!out.contains("abc"));
        assert!(!out.contains("12"));
        assert!(out.contains(r#""Token": "***""#), "{out}");
        assert!(out.contains("Name"));
    }

    #[test]
    fn excerpts_are_cut_to_200_characters() {
        let body = "é".repeat(500);
        let out = excerpt(body.as_bytes());
        assert_eq!(out.chars().count(), EXCERPT_CHARS + 1);
        assert!(out.ends_with('…'));
    }

    #[test]
    fn known_secret_values_are_scrubbed() {
        let secret = crate::Secret::new("s3cr3t");
        assert_eq!(
            scrub("bad secret s3cr3t for svc", &[&secret]),
            "bad secret *** for svc"
        );
    }

    #[test]
    fn html_passes_through() {
        let out = excerpt(b"<html>You do not have access to this content.</html>");
        assert_eq!(out, "<html>You do not have access to this content.</html>");
    }
}
