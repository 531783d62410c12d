//! Body excerpts for errors and logs, with the values of secret-bearing keys blanked.

use serde_json::Value;

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
/// The body is scanned once, left to right, without recursion, and the scan stops as soon as the
/// excerpt is full, so the cost is linear in the body whatever its shape (a body of 100,000
/// nested arrays included). The value of every secret key (`"password": …`, `token=…`) is
/// replaced by `***` as it is met, before anything is cut, so a secret can never be split across
/// the cut and survive; a secret whose value is an object or array is masked whole. A body that
/// looks like JSON (it starts with `{` or `[`, even cut off) loses its whitespace outside strings
/// so that an excerpt carries as much as possible; anything else (HTML error pages, form bodies)
/// keeps its text.
pub fn excerpt(body: &[u8]) -> String {
    let text = String::from_utf8_lossy(body);
    let text = text.trim_start();
    let redacted = redact_text(text, EXCERPT_BUDGET_BYTES);
    truncate(&printable(redacted.trim_end()), EXCERPT_CHARS)
}

/// Replaces control characters so that an excerpt is one printable line: a body cannot forge
/// log lines or move a terminal's cursor. Line breaks and tabs become spaces, other controls `�`.
fn printable(text: &str) -> String {
    text.chars()
        .map(|c| match c {
            '\n' | '\r' | '\t' => ' ',
            c if c.is_control() => '\u{fffd}',
            c => c,
        })
        .collect()
}

/// How many bytes of redacted output are enough for an excerpt: a character is at most four bytes.
const EXCERPT_BUDGET_BYTES: usize = 4 * (EXCERPT_CHARS + 1);

/// Blanks, in place, every value whose key is a secret key, at any depth.
///
/// The walk keeps its own stack instead of recursing, so a value of any depth is safe.
pub fn redact_value(value: &mut Value) {
    let mut stack = vec![value];
    while let Some(value) = stack.pop() {
        match value {
            Value::Object(map) => {
                for (key, inner) in map.iter_mut() {
                    if is_secret_key(key) {
                        if !inner.is_null() {
                            *inner = Value::String(MASK.to_owned());
                        }
                    } else {
                        stack.push(inner);
                    }
                }
            }
            Value::Array(items) => stack.extend(items.iter_mut()),
            _ => {}
        }
    }
}

/// Replaces every occurrence of the given secrets in `text` by `***`.
///
/// Used on messages built from what the tenant said: a tenant that echoes a submitted password,
/// client secret or bearer token back must not put it into an error.
pub(crate) fn scrub(text: &str, secrets: &[&crate::Secret]) -> String {
    let mut out = text.to_owned();
    for secret in secrets {
        let value = secret.expose();
        // Very short secrets would blank ordinary words; they are too weak to matter anyway.
        if value.len() < SCRUB_MIN {
            continue;
        }
        out = out.replace(value, MASK);
        // An excerpt cut in the middle of the secret ends with the secret's beginning.
        if let Some(head) = out.strip_suffix('…') {
            let cut = (SCRUB_MIN..value.len())
                .rev()
                .find(|&n| value.is_char_boundary(n) && head.ends_with(&value[..n]));
            if let Some(n) = cut {
                out = format!("{}{MASK}…", &head[..head.len() - n]);
            }
        }
    }
    out
}

/// The shortest secret (and cut-off secret prefix) that [`scrub`] replaces.
const SCRUB_MIN: usize = 4;

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

/// Copies `text` with the values of secret keys masked, stopping once the output holds
/// `budget` bytes. One pass, no recursion: strings are tracked with a flag and nested values
/// that must be skipped with a depth counter.
fn redact_text(text: &str, budget: usize) -> String {
    let json = text.starts_with('{') || text.starts_with('[');
    let mut out = String::with_capacity(text.len().min(budget.saturating_add(8)));
    let bytes = text.as_bytes();
    let mut in_string = false;
    let mut i = 0;
    while i < bytes.len() && out.len() < budget {
        let c = bytes[i];
        if c.is_ascii_alphabetic() || c == b'_' {
            // An identifier-like word, possibly a quoted JSON key or a form field name.
            let start = i;
            while i < bytes.len() && (bytes[i].is_ascii_alphanumeric() || bytes[i] == b'_') {
                i += 1;
            }
            let word = &text[start..i];
            out.push_str(word);
            if is_secret_key(word) {
                if let Some((next, closed_quote)) = redact_after_key(text, i, json, &mut out) {
                    i = next;
                    if closed_quote {
                        in_string = false;
                    }
                }
            }
        } else if in_string {
            if c == b'\\' {
                // Copy the escape and the character it escapes (which may be multi-byte).
                out.push('\\');
                i += 1;
                if let Some(ch) = text[i..].chars().next() {
                    out.push(ch);
                    i += ch.len_utf8();
                }
            } else {
                if c == b'"' {
                    in_string = false;
                }
                i = copy_char(text, i, &mut out);
            }
        } else if json && c.is_ascii_whitespace() {
            i += 1;
        } else {
            if json && c == b'"' {
                in_string = true;
            }
            i = copy_char(text, i, &mut out);
        }
    }
    out
}

/// Copies the whole character starting at byte `i`, so multi-byte UTF-8 stays intact.
fn copy_char(text: &str, i: usize, out: &mut String) -> usize {
    let ch = text[i..].chars().next().unwrap_or('\u{fffd}');
    out.push(ch);
    i + ch.len_utf8()
}

/// After a secret key ending at `i`, writes the separator and the masked value; returns the index
/// after the value and whether a closing quote of the key was consumed, or `None` when no `:` or
/// `=` follows (the word was not a key).
fn redact_after_key(
    text: &str,
    mut i: usize,
    json: bool,
    out: &mut String,
) -> Option<(usize, bool)> {
    let bytes = text.as_bytes();
    let sep_start = i;
    // An optional closing quote (or an escaped one, for a key quoted inside a JSON string),
    // spaces, then `:` or `=`, then spaces.
    let quoted = i < bytes.len() && bytes[i] == b'"';
    let escaped_quote = bytes.get(i..i + 2) == Some(b"\\\"".as_slice());
    if quoted {
        i += 1;
    } else if escaped_quote {
        i += 2;
    }
    i = skip_spaces(bytes, i);
    if i >= bytes.len() || (bytes[i] != b':' && bytes[i] != b'=') {
        return None;
    }
    let form_style = bytes[i] == b'=';
    i = skip_spaces(bytes, i + 1);
    if json {
        // Whitespace outside strings is dropped from JSON excerpts.
        out.push_str(match (quoted, escaped_quote) {
            (true, _) => "\":",
            (false, true) => "\\\":",
            (false, false) => ":",
        });
        if form_style {
            out.pop();
            out.push('=');
        }
    } else {
        out.push_str(&text[sep_start..i]);
    }
    if form_style {
        // A form value runs to the next `&` or whitespace.
        let end = text[i..]
            .find(|c: char| c == '&' || c.is_whitespace())
            .map_or(text.len(), |n| i + n);
        out.push_str(MASK);
        return Some((end, quoted));
    }
    let end = match bytes.get(i) {
        // A JSON string; a value the body cut short is masked all the same.
        Some(b'"') => skip_string(bytes, i),
        // An object or array is masked whole, however deep and even if cut short.
        Some(b'{' | b'[') => skip_nested(bytes, i),
        // Any other scalar runs to the next delimiter.
        _ => {
            let end = text[i..]
                .find([',', '}', ']', '"', '\n', '\r'])
                .map_or(text.len(), |n| i + n);
            if text[i..end].trim() == "null" {
                out.push_str("null");
                return Some((end, quoted));
            }
            end
        }
    };
    out.push('"');
    out.push_str(MASK);
    out.push('"');
    Some((end, quoted))
}

fn skip_spaces(bytes: &[u8], mut i: usize) -> usize {
    while i < bytes.len() && bytes[i].is_ascii_whitespace() {
        i += 1;
    }
    i
}

/// From the opening quote at `i`, the index after the closing quote (or the end).
fn skip_string(bytes: &[u8], i: usize) -> usize {
    let mut j = i + 1;
    while j < bytes.len() && bytes[j] != b'"' {
        j += if bytes[j] == b'\\' { 2 } else { 1 };
    }
    (j + 1).min(bytes.len())
}

/// From the opening bracket at `i`, the index after its matching bracket (or the end), counting
/// depth instead of recursing.
fn skip_nested(bytes: &[u8], i: usize) -> usize {
    let mut depth = 0usize;
    let mut j = i;
    while j < bytes.len() {
        match bytes[j] {
            b'"' => {
                j = skip_string(bytes, j);
                continue;
            }
            b'{' | b'[' => depth += 1,
            b'}' | b']' => {
                depth = depth.saturating_sub(1);
                if depth == 0 {
                    return j + 1;
                }
            }
            _ => {}
        }
        j += 1;
    }
    bytes.len()
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
        assert!(out.contains(r#""Token":"***""#), "{out}");
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

    /// Issue 17, finding 17: a secret whose value is an object was masked only up to its first
    /// comma in a cut-off body.
    #[test]
    fn object_valued_secrets_in_truncated_bodies_are_masked_whole() {
        let out = excerpt(
            br#"{"Result": {"Answer": {"q1": "first", "q2": ["second", {"x": "third"}]}, "User": "bob", "Name": "cut"#,
        );
        for secret in ["first", "second", "third", "q1", "q2"] {
            assert!(!out.contains(secret), "{secret} leaked into {out}");
        }
        assert!(out.contains(r#""Answer":"***""#), "{out}");
        assert!(out.contains("bob"), "{out}");
        // A secret object cut off before it closes is masked to the end.
        let out = excerpt(br#"{"Auth": {"a": "s3cr3t", "b"#);
        assert_eq!(out, r#"{"Auth":"***""#);
        // The same in a valid body.
        let out = excerpt(br#"{"password": {"a": "s3cr3t"}, "b": 1}"#);
        assert_eq!(out, r#"{"password":"***","b":1}"#);
    }

    /// Issue 11: redacting a body of 100,000 nested arrays recursed once per level (and parsed
    /// the rest again at each), overflowing the stack.
    #[test]
    fn deep_bodies_are_excerpted_without_recursion() {
        let depth = 100_000;
        let body = format!(
            r#"{{"Token":{}{},"Result":{}1{}}}"#,
            "[".repeat(depth),
            "]".repeat(depth),
            "[".repeat(depth),
            "]".repeat(depth)
        );
        let out = excerpt(body.as_bytes());
        assert!(out.starts_with(r#"{"Token":"***","Result":[[[["#), "{out}");
        assert_eq!(out.chars().count(), EXCERPT_CHARS + 1);
    }

    #[test]
    fn redact_value_blanks_nested_secrets() {
        let mut value =
            serde_json::json!({"a": [{"Password": "p", "b": {"token": {"x": 1}}}], "Auth": null});
        redact_value(&mut value);
        assert_eq!(
            value,
            serde_json::json!({"a": [{"Password": "***", "b": {"token": "***"}}], "Auth": null})
        );
    }

    #[test]
    fn pretty_json_is_compacted_but_strings_keep_their_spaces() {
        let out = excerpt(b"{\n  \"Name\": \"a  b\",\n  \"Token\" : \"t\"\n}");
        assert_eq!(out, r#"{"Name":"a  b","Token":"***"}"#);
        let out = excerpt(br#"{"Message": "bad \"password\": hunter2", "x": 1}"#);
        assert!(!out.contains("hunter2"), "{out}");
    }

    #[test]
    fn excerpts_are_one_printable_line() {
        let out = excerpt(b"line one\r\nINFO forged\x1b[2J\0end");
        assert_eq!(out, "line one  INFO forged\u{fffd}[2J\u{fffd}end");
    }
}
