//! Bounds on what the client accepts from the network: how deep an answer may nest and how large
//! it may be. Both exist so that a hostile or broken server (or proxy) costs the client a bounded
//! amount of stack, time and memory, and fails with a typed error instead of a crash.

/// The deepest nesting of arrays and objects a JSON answer may have.
///
/// This is `serde_json`'s own recursion limit, which every decoder in the runtime relies on: an
/// answer nested deeper is refused with a typed [`Error::Decode`](crate::Error::Decode) instead of
/// exhausting the stack. No CyberArk answer comes anywhere near it.
pub const MAX_DEPTH: usize = 128;

/// The largest answer body the client reads by default: 64 MiB.
///
/// A page of 10,000 query-table rows of a few kilobytes each fits comfortably. Past the limit the
/// client stops reading, drops the connection and reports [`Error::Decode`](crate::Error::Decode);
/// set another limit with [`ClientBuilder::max_response_bytes`](crate::ClientBuilder::max_response_bytes).
pub const DEFAULT_MAX_RESPONSE_BYTES: usize = 64 * 1024 * 1024;

/// Returns `true` when `json` nests arrays or objects deeper than [`MAX_DEPTH`].
///
/// One pass over the bytes with a counter (strings are skipped, so brackets inside them do not
/// count), so it is linear and safe on any input, valid JSON or not.
pub(crate) fn too_deep(json: &[u8]) -> bool {
    let mut depth = 0usize;
    let mut in_string = false;
    let mut escaped = false;
    for &byte in json {
        if in_string {
            match (escaped, byte) {
                (true, _) => escaped = false,
                (false, b'\\') => escaped = true,
                (false, b'"') => in_string = false,
                _ => {}
            }
            continue;
        }
        match byte {
            b'"' => in_string = true,
            b'[' | b'{' => {
                depth += 1;
                if depth > MAX_DEPTH {
                    return true;
                }
            }
            b']' | b'}' => depth = depth.saturating_sub(1),
            _ => {}
        }
    }
    false
}

/// The message of the decode error for an answer nested deeper than [`MAX_DEPTH`].
pub(crate) fn too_deep_message() -> String {
    format!("the answer nests arrays or objects deeper than {MAX_DEPTH} levels, the client's limit")
}

/// The error for an answer larger than the client's limit: a decode error, because the answer
/// cannot be what the spec promises, and not retried, because the same request would get the
/// same answer.
pub(crate) fn too_large_error(
    operation: &'static str,
    status: u16,
    limit: usize,
    excerpt: String,
) -> crate::Error {
    crate::Error::Decode {
        operation,
        path: ".".to_owned(),
        message: format!(
            "the answer is larger than the client's limit of {limit} bytes (max_response_bytes); \
             the client stopped reading and closed the connection"
        ),
        excerpt,
        status,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn depth_is_counted_outside_strings_only() {
        let at_limit = format!("{}{}", "[".repeat(MAX_DEPTH), "]".repeat(MAX_DEPTH));
        assert!(!too_deep(at_limit.as_bytes()));
        let past = format!("[{at_limit}]");
        assert!(too_deep(past.as_bytes()));
        let in_string = format!(r#"["{}\"{}"]"#, "[".repeat(1000), "{".repeat(1000));
        assert!(!too_deep(in_string.as_bytes()));
        // Cut-off and malformed input is measured all the same.
        assert!(too_deep("{\"a\":".repeat(200).as_bytes()));
        assert!(!too_deep(b"]]]]}}}"));
    }
}
