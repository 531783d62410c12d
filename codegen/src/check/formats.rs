//! The string formats the examples check reads the way the generated clients read them.
//!
//! A spec marks a field `format: date-time` when the wire carries an instant, and the clients'
//! runtime (`cyberark_runtime::DateTime`) reads two spellings of one: RFC 3339, and the .NET
//! JSON date `/Date(ms)/` or `/Date(ms±hhmm)/` that the Identity API writes. JSON Schema's own
//! `date-time` knows only RFC 3339, so it would call every real Identity example invalid; here
//! the check accepts exactly the spellings the runtime reads as an instant and still rejects
//! anything else. The grammar is restated here rather than borrowed from the runtime because
//! the generator depends on none of the crates it generates; the runtime's tests and these pin
//! the same cases.

use std::sync::LazyLock;

use serde_json::json;

/// The validation options of every examples check: JSON Schema 2020-12, formats checked, and
/// `date-time` read as the runtime reads it.
pub(super) fn options() -> jsonschema::ValidationOptions<'static> {
    jsonschema::options()
        .with_draft(jsonschema::Draft::Draft202012)
        .should_validate_formats(true)
        .with_format("date-time", is_date_time)
}

/// Whether the text is an instant the runtime reads: RFC 3339 or a .NET JSON date.
pub(super) fn is_date_time(text: &str) -> bool {
    is_dotnet_date(text) || is_rfc3339(text)
}

/// JSON Schema's built-in `date-time` check (RFC 3339), which a registered format replaces, so
/// it is reached through a validator of its own.
fn is_rfc3339(text: &str) -> bool {
    static RFC3339: LazyLock<Option<jsonschema::Validator>> = LazyLock::new(|| {
        jsonschema::options()
            .with_draft(jsonschema::Draft::Draft202012)
            .should_validate_formats(true)
            .build(&json!({"type": "string", "format": "date-time"}))
            .ok()
    });
    RFC3339
        .as_ref()
        .is_some_and(|validator| validator.is_valid(&json!(text)))
}

/// The milliseconds since the Unix epoch of the first and last instants the runtime's `time`
/// crate holds (years -9999 and 9999), so a .NET date outside them is refused as it is there.
const DOTNET_MILLIS: std::ops::RangeInclusive<i64> = -377_705_116_800_000..=253_402_300_799_999;

/// Whether the text is a .NET JSON date: `/Date(`, a whole number of milliseconds (maybe
/// negative), maybe a UTC offset `±hhmm`, then `)/`.
fn is_dotnet_date(text: &str) -> bool {
    let Some(inner) = text
        .strip_prefix("/Date(")
        .and_then(|rest| rest.strip_suffix(")/"))
    else {
        return false;
    };
    // The offset's sign is the first `+` or `-` after the first character, which may be the
    // sign of a negative millisecond count.
    let split = inner
        .char_indices()
        .skip(1)
        .find(|(_, c)| *c == '+' || *c == '-')
        .map(|(i, _)| i);
    let (millis, offset) = match split {
        Some(i) => (&inner[..i], Some(&inner[i + 1..])),
        None => (inner, None),
    };
    let digits = millis.strip_prefix('-').unwrap_or(millis);
    if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return false;
    }
    if !millis
        .parse::<i64>()
        .is_ok_and(|ms| DOTNET_MILLIS.contains(&ms))
    {
        return false;
    }
    match offset {
        None => true,
        Some(offset) => {
            offset.len() == 4
                && offset.bytes().all(|b| b.is_ascii_digit())
                && offset[..2].parse::<u8>().is_ok_and(|h| h <= 25)
                && offset[2..].parse::<u8>().is_ok_and(|m| m <= 59)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_wire_forms_the_runtime_reads_are_date_times() {
        for text in [
            "2024-05-31T12:30:00.250+02:00",
            "2024-04-11T14:47:45Z",
            "/Date(1712846865880)/",
            "/Date(1712846865880+0200)/",
            "/Date(1712846865880-0530)/",
            "/Date(-62135596800000)/",
            "/Date(0)/",
            "/Date(-1500)/",
        ] {
            assert!(is_date_time(text), "{text} is a date-time");
        }
    }

    #[test]
    fn anything_else_is_rejected() {
        for text in [
            "",
            "yesterday",
            "2024-13-01T00:00:00Z",
            "2024-05-31 12:30",
            "/Date()/",
            "/Date(12a)/",
            "/Date(1+02)/",
            "/Date(1+2a00)/",
            "/Date(--1)/",
            "/Date(-)/",
            "/Date(1712846865880)",
            "Date(1)",
            "/Date(99999999999999999999)/",
            "/Date(253402300800000)/",
            "/Date(1+2660)/",
        ] {
            assert!(!is_date_time(text), "{text:?} is not a date-time");
        }
    }

    #[test]
    fn examples_are_validated_with_dotnet_dates_accepted() {
        let validator = options()
            .build(&json!({"type": "object", "properties": {
                "CreateDate": {"type": "string", "format": "date-time"}
            }}))
            .unwrap();
        assert!(validator.is_valid(&json!({"CreateDate": "/Date(1712846804359)/"})));
        assert!(validator.is_valid(&json!({"CreateDate": "2024-04-11T14:46:44Z"})));
        assert!(!validator.is_valid(&json!({"CreateDate": "/Date(soon)/"})));
        assert!(!validator.is_valid(&json!({"CreateDate": "April 11"})));
    }
}
