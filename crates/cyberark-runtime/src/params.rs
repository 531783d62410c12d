//! The one place where caller-supplied values become parts of the URL and headers.
//!
//! Every path parameter, query value and header value of every generated operation passes
//! through these functions (the [`Encoder`](crate::Encoder) calls them), so the rules below hold
//! for every API without the generator having to repeat them:
//!
//! - A path parameter is one segment: `/`, `?`, `#`, `%` and control characters are
//!   percent-encoded, so a value can never add a segment, start the query or the fragment, or
//!   smuggle a line break. A value that is empty, `.` or `..` is refused with
//!   [`Error::InvalidRequest`](crate::Error::InvalidRequest) before anything is sent: URL
//!   resolution (RFC 3986 §5.2.4) reads such a segment as "this directory" or "the parent", so
//!   `DELETE /scim/Groups/..` would become `DELETE /scim`. Encoding the dots as `%2E` is no
//!   defence, because RFC 3986 §6.2.2.2 makes `%2E` equal to `.` and servers and proxies
//!   normalise it; no CyberArk identifier is empty or made of dots, so refusing loses nothing.
//! - A query value is form-encoded in full (`&`, `=`, `#`, CR and LF included).
//! - A header value must be visible ASCII, space or tab; anything else (CR or LF above all, which
//!   would start a new header) is refused with `InvalidRequest` naming the header, never dropped
//!   or sent mangled.

use http::HeaderValue;
use percent_encoding::{AsciiSet, CONTROLS, utf8_percent_encode};
use url::Url;

/// Checks one path parameter's value; the message names what is wrong.
pub(crate) fn check_path_value(name: &str, value: &str) -> Result<(), String> {
    match value {
        "" => Err(format!("path parameter `{name}` is empty")),
        "." | ".." => Err(format!(
            "path parameter `{name}` is `{value}`, which would change the path's meaning"
        )),
        _ => Ok(()),
    }
}

/// Checks one header value and converts it; the message names the header.
pub(crate) fn header_value(name: &str, value: &str) -> Result<HeaderValue, String> {
    let refused = || {
        format!(
            "header `{name}` contains characters not allowed in a header (control characters such as CR or LF, or non-ASCII)"
        )
    };
    // `HeaderValue` admits bytes above 0x7F (RFC 9110's obsolete `obs-text`), which servers read
    // in different character sets; no CyberArk header takes them, so they are refused too.
    if !value.is_ascii() {
        return Err(refused());
    }
    let mut header = HeaderValue::from_str(value).map_err(|_| refused())?;
    // Header values may carry a secret (an API key, say): keep them out of HTTP/2 tables.
    header.set_sensitive(true);
    Ok(header)
}

/// What a path segment must not carry literally: controls, space, the characters that end a
/// segment or the path (`/`, `\\`, `?`, `#`), `%` (so a value is never decoded twice) and the
/// characters RFC 3986 does not allow in a segment. Everything not ASCII is encoded as well.
const SEGMENT: &AsciiSet = &CONTROLS
    .add(b' ')
    .add(b'"')
    .add(b'#')
    .add(b'%')
    .add(b'/')
    .add(b'<')
    .add(b'>')
    .add(b'?')
    .add(b'[')
    .add(b'\\')
    .add(b']')
    .add(b'^')
    .add(b'`')
    .add(b'{')
    .add(b'|')
    .add(b'}');

/// The URL of a request: `base`, then each segment percent-encoded as exactly one segment, then
/// the query pairs form-encoded.
///
/// The segments are encoded here rather than by `Url::path_segments_mut`, because the URL parser
/// silently strips tabs, CR and LF from what it is given: `a\r\nb` would reach the tenant as `ab`,
/// another identifier. Encoded first, every character reaches the tenant.
pub(crate) fn request_url(base: &Url, segments: &[String], query: &[(&str, String)]) -> Url {
    let mut url = base.clone();
    let mut path = base.path().trim_end_matches('/').to_owned();
    for segment in segments {
        path.push('/');
        path.extend(utf8_percent_encode(segment, SEGMENT));
    }
    url.set_path(&path);
    if !query.is_empty() {
        let mut pairs = url.query_pairs_mut();
        for (name, value) in query {
            pairs.append_pair(name, value);
        }
    }
    url
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::Error;
    use crate::operation::{AuthMode, Convention, Encoder, Method, Operation};

    static DELETE_GROUP: Operation = Operation {
        id: "Scim_DeleteGroup",
        tag: "Scim",
        name: "DeleteGroup",
        method: Method::Delete,
        path: "/scim/Groups/{id}",
        convention: Convention::Scim,
        auth: AuthMode::Bearer,
        idempotent: true,
    };

    fn url_for(id: &str, query: &str) -> Result<String, Error> {
        let mut encoder = Encoder::new(&DELETE_GROUP);
        encoder.path_param("id", &id);
        encoder.query("filter", &query);
        let encoded = encoder.finish()?;
        let base = Url::parse("https://tenant.example/").unwrap();
        Ok(request_url(&base, &encoded.segments, &encoded.query).to_string())
    }

    /// Issue 11: `..`, `.` and the empty string sent `DELETE /scim/Groups` (the collection).
    #[test]
    fn dot_segments_and_empty_values_are_refused_before_sending() {
        for value in ["", ".", ".."] {
            match url_for(value, "x").unwrap_err() {
                Error::InvalidRequest { operation, message } => {
                    assert_eq!(operation, "Scim_DeleteGroup");
                    assert!(message.contains("path parameter `id`"), "{message}");
                }
                other => panic!("{value:?} gave {other:?}"),
            }
        }
    }

    /// Every other value stays inside its one segment, and every query value inside its pair.
    #[test]
    fn nasty_values_stay_in_their_place() {
        let table = [
            ("a/b", "a%2Fb"),
            ("x?y", "x%3Fy"),
            ("x#y", "x%23y"),
            ("%2e%2e", "%252e%252e"),
            ("%2E", "%252E"),
            ("...", "..."),
            ("./x", ".%2Fx"),
            ("../x", "..%2Fx"),
            ("a\r\nHost: evil", "a%0D%0AHost:%20evil"),
            ("a\0b", "a%00b"),
            ("ünï cødé", "%C3%BCn%C3%AF%20c%C3%B8d%C3%A9"),
            ("a\\b", "a%5Cb"),
            ("user@example.com", "user@example.com"),
        ];
        for (value, segment) in table {
            let url = url_for(value, value).unwrap();
            let (path, query) = url.split_once('?').unwrap();
            assert_eq!(
                path,
                format!("https://tenant.example/scim/Groups/{segment}"),
                "{value:?}"
            );
            // The query holds exactly one pair, whose value decodes back to the input.
            let pairs: Vec<(String, String)> = url::form_urlencoded::parse(query.as_bytes())
                .map(|(k, v)| (k.into_owned(), v.into_owned()))
                .collect();
            assert_eq!(
                pairs,
                [("filter".to_owned(), value.to_owned())],
                "{value:?}"
            );
            assert!(!url.contains(['\r', '\n', '#', ' ']), "{url}");
        }
    }

    #[test]
    fn header_values_with_line_breaks_are_refused() {
        for value in ["a\r\nX-Evil: 1", "a\nb", "a\rb", "a\0b", "ünï"] {
            let mut encoder = Encoder::new(&DELETE_GROUP);
            encoder.path_param("id", &"1");
            encoder.header("X-Request-Note", &value);
            match encoder.finish().unwrap_err() {
                Error::InvalidRequest { message, .. } => {
                    assert!(message.contains("header `X-Request-Note`"), "{message}");
                }
                other => panic!("{value:?} gave {other:?}"),
            }
        }
        assert!(header_value("X-Note", "plain text\twith tab").is_ok());
    }
}
