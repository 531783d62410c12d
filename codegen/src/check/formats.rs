//! The string formats of our own that the examples check reads the way the generated clients
//! read them.
//!
//! The Identity API writes instants as .NET JSON dates, `/Date(ms)/` or `/Date(ms±hhmm)/`. JSON
//! Schema's `date-time` means RFC 3339 only, and tools that check formats (schemathesis, any
//! other generator) hold a spec to that, so those fields are marked `format: dotnet-date`
//! instead, which the generator types like `date-time` (the runtime's `DateTime` reads both).
//! Unknown formats pass every JSON Schema validator, so the check registers this one and accepts
//! exactly the spellings the runtime reads as an instant. The grammar is restated here rather
//! than borrowed from the runtime because the generator depends on none of the crates it
//! generates; the runtime's tests and these pin the same cases.

use crate::load::DOTNET_DATE;

/// The validation options of every examples check: JSON Schema 2020-12, formats checked, and
/// `dotnet-date` read as the runtime reads it.
pub(super) fn options() -> jsonschema::ValidationOptions<'static> {
    jsonschema::options()
        .with_draft(jsonschema::Draft::Draft202012)
        .should_validate_formats(true)
        .with_format(DOTNET_DATE, is_dotnet_date)
}

/// The milliseconds since the Unix epoch of the first and last instants the runtime's `time`
/// crate holds (years -9999 and 9999), so a .NET date outside them is refused as it is there.
const DOTNET_MILLIS: std::ops::RangeInclusive<i64> = -377_705_116_800_000..=253_402_300_799_999;

/// Whether the text is a .NET JSON date: `/Date(`, a whole number of milliseconds (maybe
/// negative), maybe a UTC offset `±hhmm`, then `)/`.
pub(super) fn is_dotnet_date(text: &str) -> bool {
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
    use serde_json::json;

    #[test]
    fn the_dotnet_forms_the_runtime_reads_are_accepted() {
        for text in [
            "/Date(1712846865880)/",
            "/Date(1712846865880+0200)/",
            "/Date(1712846865880-0530)/",
            "/Date(-62135596800000)/",
            "/Date(0)/",
            "/Date(-1500)/",
        ] {
            assert!(is_dotnet_date(text), "{text} is a .NET date");
        }
    }

    #[test]
    fn anything_else_is_rejected() {
        for text in [
            "",
            "yesterday",
            "2024-04-11T14:47:45Z",
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
            assert!(!is_dotnet_date(text), "{text:?} is not a .NET date");
        }
    }

    #[test]
    fn examples_are_validated_with_both_formats() {
        let validator = options()
            .build(&json!({"type": "object", "properties": {
                "CreateDate": {"type": "string", "format": "dotnet-date"},
                "AccountExp": {"type": "string", "format": "date-time"}
            }}))
            .unwrap();
        assert!(validator.is_valid(&json!({"CreateDate": "/Date(1712846804359)/"})));
        assert!(!validator.is_valid(&json!({"CreateDate": "2024-04-11T14:46:44Z"})));
        assert!(!validator.is_valid(&json!({"CreateDate": "/Date(soon)/"})));
        assert!(validator.is_valid(&json!({"AccountExp": "2024-04-11T14:46:44Z"})));
        // `date-time` stays JSON Schema's: RFC 3339 only, as every other tool reads it.
        assert!(!validator.is_valid(&json!({"AccountExp": "/Date(1712846804359)/"})));
    }
}
