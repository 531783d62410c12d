//! The JSON path (`Results[3].Row.Name`) of the place where `serde_json` stopped reading.
//!
//! A decode error names where it broke. Tracking the path while deserialising (as
//! `serde_path_to_error` does) means a second, path-tracking copy of every output type's
//! `Deserialize` code, instantiated per type: most of the compile cost of a generated client's
//! decoding. Instead, serde_json's error already carries the line and column where it stopped, and
//! this module finds the path of that position by scanning the bytes that were read: one
//! non-generic routine, run only on the failure path.
//!
//! The scan is attributed the way serde's visitors meet the bytes, so the path is the one a
//! path-tracking deserializer would report: a byte of a value (a scalar, or the brackets of an
//! object or array) belongs to that value; the keys, colons, commas and whitespace between values
//! belong to the enclosing object or array, except that where a value is due (after an object's
//! colon, at an array's element) a missing or malformed value belongs to that value (serde has
//! asked the value's type to read it). A key that cannot be read names its object.

use serde_json::error::Category;

/// How deep a path this module builds, at most. Deeper answers are refused by serde_json's own
/// recursion limit ([`MAX_DEPTH`](crate::bounds::MAX_DEPTH)) before anything else is read, so
/// this bound only keeps the scan's memory bounded on inputs that could not be decoded anyway.
const MAX_SCAN_DEPTH: usize = 4 * crate::bounds::MAX_DEPTH;

/// The path of the value `json` was being read at when `error` was raised, as `.` for the value
/// itself, `a.b[2]` below it. Segments deeper than `max_depth` are left out, for decoders that
/// read part of the value opaquely (the envelope keeps `Result` raw).
pub(crate) fn error_path(json: &[u8], error: &serde_json::Error, max_depth: usize) -> String {
    // Line 0 means serde_json did not know the position (an error from outside its reader).
    if error.line() == 0 {
        return ".".to_owned();
    }
    let offset = byte_offset(json, error.line(), error.column());
    // An object or array where another type was due: serde_json reports the position of its
    // bracket, which it has not read.
    let bracket = (error.classify() == Category::Data
        && matches!(json.get(offset), Some(b'{' | b'[')))
    .then(|| Scanner::new(json).path_at(Stop::ValueAt(offset)))
    .flatten();
    let stop = match error.classify() {
        Category::Eof => Stop::End,
        // Otherwise serde_json reports the position just after the byte it was looking at:
        // after a scalar of the wrong type, after the closing quote of a string it could not
        // accept, after the `}` of an object missing a field.
        _ => Stop::At(offset.saturating_sub(1)),
    };
    let mut path = bracket
        .or_else(|| Scanner::new(json).path_at(stop))
        .unwrap_or_default();
    path.truncate(max_depth);
    render(json, &path)
}

/// The byte offset of serde_json's one-based line and zero-based-after-the-line-start column
/// (its slice reader counts the bytes since the last newline).
fn byte_offset(json: &[u8], line: usize, column: usize) -> usize {
    let line_start = if line <= 1 {
        0
    } else {
        json.iter()
            .enumerate()
            .filter(|(_, byte)| **byte == b'\n')
            .nth(line - 2)
            .map_or(json.len(), |(index, _)| index + 1)
    };
    (line_start + column).min(json.len())
}

/// Where the scan stops: at a byte, at the value that starts at a byte (if a value is due
/// there), or at the end of the input (serde_json ran out of bytes).
#[derive(Clone, Copy)]
enum Stop {
    At(usize),
    ValueAt(usize),
    End,
}

/// One step of a path: an object's key (its byte range in the input, quotes excluded, still
/// escaped) or an array's index.
#[derive(Clone, Copy, Debug, PartialEq)]
enum Segment {
    Key(usize, usize),
    Index(usize),
}

/// Where the scan is inside an open object or array.
#[derive(Clone, Copy, PartialEq)]
enum Expect {
    /// An object's key, or its `}`.
    Key,
    /// The `:` after a key.
    Colon,
    /// An object's value after the colon: what comes belongs to the key's value.
    ObjectValue,
    /// An array's element, or its `]`.
    Element,
    /// A `,` or the closing bracket, after a value.
    Separator,
}

/// An open object or array: the segment it hangs under in its parent, and the scan's state in it.
struct Frame {
    object: bool,
    segment: Option<Segment>,
    expect: Expect,
    /// The key being read (objects) or the next element's index (arrays).
    next: Option<Segment>,
}

/// A tolerant, non-recursive walk over possibly malformed or cut-off JSON.
struct Scanner<'a> {
    json: &'a [u8],
    frames: Vec<Frame>,
}

impl<'a> Scanner<'a> {
    fn new(json: &'a [u8]) -> Self {
        Scanner {
            json,
            frames: Vec::new(),
        }
    }

    /// The path of the enclosing object or array.
    fn container_path(&self) -> Vec<Segment> {
        self.frames
            .iter()
            .filter_map(|frame| frame.segment)
            .collect()
    }

    /// The path of the value the scan is at: the container's path plus the key or index.
    fn value_path(&self) -> Vec<Segment> {
        let mut path = self.container_path();
        if let Some(segment) = self.frames.last().and_then(|frame| frame.next) {
            path.push(segment);
        }
        path
    }

    /// Whether a value starting here would be read by a value's own deserializer (the root, an
    /// array element, an object's value after its colon).
    fn at_value(&self) -> bool {
        self.frames
            .last()
            .is_none_or(|frame| matches!(frame.expect, Expect::ObjectValue | Expect::Element))
    }

    /// After a value ends: the parent now expects a separator.
    fn value_done(&mut self) {
        if let Some(frame) = self.frames.last_mut() {
            frame.expect = Expect::Separator;
        }
    }

    /// Walks the input to `stop` and returns the path of what was being read there.
    ///
    /// A byte that is not the start of a value, or the end of the input, are found where serde_json
    /// meets them: keys, separators and brackets in the object or array; what stands where a
    /// value is due in that value (serde has handed the reading to the value's type).
    fn path_at(&mut self, stop: Stop) -> Option<Vec<Segment>> {
        let json = self.json;
        let (target, at_end, value_at) = match stop {
            Stop::At(index) => (index, false, usize::MAX),
            Stop::ValueAt(index) => (usize::MAX, false, index),
            Stop::End => (usize::MAX, true, usize::MAX),
        };
        let mut i = 0;
        while i < json.len() {
            if i >= value_at {
                return (i == value_at && self.at_value()).then(|| self.value_path());
            }
            let byte = json[i];
            // A byte that starts no value belongs to the container, except where a value is
            // due (after an object's colon, at an array's element), where serde has already
            // handed the reading to that value; an array's `]` there is the array's own.
            let pending = self.frames.last().is_some_and(|frame| {
                frame.expect == Expect::ObjectValue
                    || (frame.expect == Expect::Element && byte != b']')
            });
            let between = |scanner: &Self| {
                if pending {
                    scanner.value_path()
                } else {
                    scanner.container_path()
                }
            };
            match byte {
                b',' | b':' | b' ' | b'\t' | b'\n' | b'\r' => {
                    if i == target {
                        return Some(between(self));
                    }
                    self.punctuation(byte);
                    i += 1;
                }
                b'{' | b'[' if self.at_value() => {
                    if self.frames.len() >= MAX_SCAN_DEPTH {
                        return Some(self.value_path());
                    }
                    let segment = self.frames.last().and_then(|frame| frame.next);
                    self.frames.push(Frame {
                        object: byte == b'{',
                        segment,
                        expect: if byte == b'{' {
                            Expect::Key
                        } else {
                            Expect::Element
                        },
                        next: (byte == b'[').then_some(Segment::Index(0)),
                    });
                    if i == target {
                        return Some(self.container_path());
                    }
                    i += 1;
                }
                b'}' | b']' if !self.frames.is_empty() => {
                    if i == target {
                        return Some(between(self));
                    }
                    self.frames.pop();
                    self.value_done();
                    i += 1;
                }
                b'"' => {
                    let (end, closed) = string_end(json, i);
                    let hit = (i..end).contains(&target) || (at_end && !closed);
                    let key = self
                        .frames
                        .last()
                        .is_some_and(|frame| frame.object && frame.expect == Expect::Key);
                    if key {
                        if hit {
                            return Some(self.container_path());
                        }
                        if let Some(frame) = self.frames.last_mut() {
                            frame.next = Some(Segment::Key(i + 1, (end - 1).max(i + 1)));
                            frame.expect = Expect::Colon;
                        }
                    } else if self.at_value() {
                        if hit {
                            return Some(self.value_path());
                        }
                        self.value_done();
                    } else if hit {
                        return Some(self.container_path());
                    }
                    i = end;
                }
                _ => {
                    // A number, a literal or a stray byte.
                    let (end, whole) = scalar_end(json, i);
                    // serde_json reports a malformed one after the byte that broke it.
                    let claimed = if whole { end } else { end + 1 };
                    let hit =
                        (i..claimed).contains(&target) || (at_end && end == json.len() && !whole);
                    if self.at_value() {
                        if hit {
                            return Some(self.value_path());
                        }
                        self.value_done();
                    } else if hit {
                        return Some(between(self));
                    }
                    i = end;
                }
            }
        }
        // The end of the input: serde_json ran out of bytes inside the innermost open container,
        // or inside the value after an object's colon.
        Some(match self.frames.last() {
            Some(frame) if frame.expect == Expect::ObjectValue => self.value_path(),
            _ => self.container_path(),
        })
    }

    /// Advances the state over a `,`, `:` or whitespace.
    fn punctuation(&mut self, byte: u8) {
        let Some(frame) = self.frames.last_mut() else {
            return;
        };
        match (byte, frame.expect) {
            (b':', Expect::Colon) => frame.expect = Expect::ObjectValue,
            (b',', Expect::Separator) if frame.object => {
                frame.expect = Expect::Key;
                frame.next = None;
            }
            (b',', Expect::Separator) => {
                frame.expect = Expect::Element;
                if let Some(Segment::Index(index)) = frame.next {
                    frame.next = Some(Segment::Index(index + 1));
                }
            }
            _ => {}
        }
    }
}

/// The end of the number or literal starting at `start` as serde_json reads it, and whether it
/// is whole there; a byte that starts no value is one byte long (serde_json stops at it).
fn scalar_end(json: &[u8], start: usize) -> (usize, bool) {
    let literal: &[u8] = match json[start] {
        b't' => b"true",
        b'f' => b"false",
        b'n' => b"null",
        b'-' | b'0'..=b'9' => return number_end(json, start),
        _ => return (start + 1, true),
    };
    let matched = json[start..]
        .iter()
        .zip(literal)
        .take_while(|(byte, expected)| byte == expected)
        .count();
    (start + matched.max(1), matched == literal.len())
}

/// The end of the number starting at `start`, read by JSON's grammar as serde_json does
/// (`-`, digits, a fraction, an exponent), and whether it is whole there.
fn number_end(json: &[u8], start: usize) -> (usize, bool) {
    let digit = |at: usize| json.get(at).is_some_and(u8::is_ascii_digit);
    let digits = |mut at: usize| {
        while digit(at) {
            at += 1;
        }
        at
    };
    let mut at = start + usize::from(json[start] == b'-');
    if !digit(at) {
        return (at, false);
    }
    at = if json[at] == b'0' { at + 1 } else { digits(at) };
    if json.get(at) == Some(&b'.') {
        if !digit(at + 1) {
            return (at + 1, false);
        }
        at = digits(at + 1);
    }
    if matches!(json.get(at), Some(b'e' | b'E')) {
        at += 1;
        if matches!(json.get(at), Some(b'+' | b'-')) {
            at += 1;
        }
        if !digit(at) {
            return (at, false);
        }
        at = digits(at);
    }
    (at, true)
}

/// The index just past the string starting at `start` (its closing quote included) and `true`,
/// or the end of the input and `false` for a string cut off.
fn string_end(json: &[u8], start: usize) -> (usize, bool) {
    let mut escaped = false;
    for (offset, &byte) in json[start + 1..].iter().enumerate() {
        match (escaped, byte) {
            (true, _) => escaped = false,
            (false, b'\\') => escaped = true,
            (false, b'"') => return (start + 1 + offset + 1, true),
            _ => {}
        }
    }
    (json.len(), false)
}

/// Writes a path the way `serde_path_to_error` did: keys joined by `.`, indices in brackets, `.`
/// for the root.
fn render(json: &[u8], path: &[Segment]) -> String {
    if path.is_empty() {
        return ".".to_owned();
    }
    let mut out = String::new();
    for segment in path {
        match *segment {
            Segment::Index(index) => {
                out.push('[');
                out.push_str(&index.to_string());
                out.push(']');
            }
            Segment::Key(start, end) => {
                if !out.is_empty() {
                    out.push('.');
                }
                out.push_str(&key_text(&json[start..end]));
            }
        }
    }
    out
}

/// A key's text with its JSON escapes resolved, or as it was sent when they are malformed.
fn key_text(raw: &[u8]) -> String {
    let mut quoted = Vec::with_capacity(raw.len() + 2);
    quoted.push(b'"');
    quoted.extend_from_slice(raw);
    quoted.push(b'"');
    serde_json::from_slice::<String>(&quoted)
        .unwrap_or_else(|_| String::from_utf8_lossy(raw).into_owned())
}

#[cfg(test)]
#[path = "json_path_tests.rs"]
mod tests;
