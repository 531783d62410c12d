//! Guards every spec and overlay text passes before a YAML parser sees it.
//!
//! The YAML parser and the `openapiv3` types recurse once per level of nesting, and the parser
//! slows down badly on thousands of nested flow collections: a hostile or broken file
//! (`[[[[…`, 100,000 deep) would hang the generator or overflow its stack. A linear pre-scan
//! refuses such text with the line and column where it went too deep, and parsing runs on a
//! thread with a stack large enough for whatever the pre-scan lets through.

/// The most flow collections (`[` and `{`) that may be open at once. Real specs use a handful.
pub(crate) const MAX_FLOW_DEPTH: usize = 64;

/// The deepest indentation, in columns, a line may have. Real specs stay under 40.
pub(crate) const MAX_INDENT: usize = 256;

/// The stack of the thread that parses: enough for any document within the bounds above. Only
/// the pages actually touched are ever allocated.
const PARSE_STACK_BYTES: usize = 256 * 1024 * 1024;

/// Checks the nesting of YAML (or JSON) text in one pass; the error names line and column.
pub(crate) fn check(source: &str) -> Result<(), String> {
    let mut depth = 0usize;
    // The quote character of the quoted scalar being read, if any.
    let mut quote: Option<char> = None;
    for (number, line) in source.lines().enumerate() {
        let indent = line.len() - line.trim_start_matches(' ').len();
        if quote.is_none() && indent > MAX_INDENT {
            return Err(format!(
                "line {}: indented {indent} columns, more than the {MAX_INDENT} the generator accepts",
                number + 1
            ));
        }
        let mut previous = ' ';
        let mut chars = line.char_indices().peekable();
        while let Some((column, c)) = chars.next() {
            match quote {
                Some('\'') if c == '\'' => {
                    // `''` is an escaped quote inside a single-quoted scalar.
                    if chars.peek().map(|(_, n)| *n) == Some('\'') {
                        chars.next();
                    } else {
                        quote = None;
                    }
                }
                Some('"') if c == '\\' => {
                    chars.next();
                }
                Some('"') if c == '"' => quote = None,
                Some(_) => {}
                None => {
                    // A quote opens a quoted scalar only where a scalar may start; an apostrophe
                    // inside plain text (`the role's name`) does not.
                    let at_start = previous.is_whitespace() || "[{,:-?".contains(previous);
                    match c {
                        '\'' | '"' if at_start => quote = Some(c),
                        '#' if previous.is_whitespace() => break,
                        '[' | '{' => {
                            depth += 1;
                            if depth > MAX_FLOW_DEPTH {
                                return Err(format!(
                                    "line {}, column {}: more than {MAX_FLOW_DEPTH} nested `[` or `{{`",
                                    number + 1,
                                    column + 1
                                ));
                            }
                        }
                        ']' | '}' => depth = depth.saturating_sub(1),
                        _ => {}
                    }
                }
            }
            previous = c;
        }
    }
    Ok(())
}

/// Runs `parse` on a thread with a large stack (see [`PARSE_STACK_BYTES`]); `None` if the
/// thread could not be started or panicked. A panic is caught here on purpose: `openapiv3`
/// panics on some malformed documents (found by `cargo xtask fuzz`), and a broken spec must be
/// an error, not the end of the generator.
pub(crate) fn on_big_stack<T: Send>(parse: impl FnOnce() -> T + Send) -> Option<T> {
    std::thread::scope(|scope| {
        std::thread::Builder::new()
            .name("spec-parser".to_owned())
            .stack_size(PARSE_STACK_BYTES)
            .spawn_scoped(scope, parse)
            .ok()?
            .join()
            .ok()
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn flow_depth_and_indentation_are_bounded() {
        assert!(check(&"[".repeat(MAX_FLOW_DEPTH)).is_ok());
        let error = check(&format!("a: 1\nb: {}", "[".repeat(100_000))).unwrap_err();
        assert_eq!(error, "line 2, column 68: more than 64 nested `[` or `{`");
        let error = check(&format!("a:\n{}b: 1", " ".repeat(300))).unwrap_err();
        assert!(error.starts_with("line 2: indented 300 columns"), "{error}");
    }

    #[test]
    fn brackets_in_quotes_comments_and_words_do_not_count() {
        let deep = "[".repeat(100);
        let text = format!(
            "a: '{deep}'\nb: \"{deep}\\\"{deep}\"\nc: 1 # {deep}\nd: the role's [ name {deep}'\n"
        );
        // The last line's brackets are plain text, and they do count: only quoted scalars and
        // comments are skipped.
        assert!(check(&text).is_err());
        let text =
            format!("a: '{deep}'\nb: \"{deep}\\\"{deep}\"\nc: 1 # {deep}\nd: the role's name\n");
        assert!(check(&text).is_ok());
    }

    #[test]
    fn parsing_runs_on_a_big_stack() {
        fn recurse(n: usize) -> usize {
            let buffer = std::hint::black_box([0u8; 1024]);
            if n == 0 {
                usize::from(buffer[0])
            } else {
                recurse(n - 1) + 1 + usize::from(std::hint::black_box(buffer)[1])
            }
        }
        // About 10 MB of stack, more than a test thread has.
        assert_eq!(on_big_stack(|| recurse(10_000)), Some(10_000));
    }
}
