//! Values of the string formats `date-time`, `date` and `uuid`, typed without losing what was
//! sent.
//!
//! An API does not always send what its description promises: the Identity API, for one, writes
//! times as .NET's `/Date(1700000000000)/` (milliseconds since the Unix epoch, optionally followed
//! by the sender's UTC offset, `/Date(1700000000000+0200)/`). Each value keeps the text exactly as
//! the API sent it (and sends it back unchanged), plus the instant when the text is RFC 3339 or
//! a .NET date; nothing fails to decode and nothing is lost. A new instant for a field the API
//! writes the .NET way is built with [`DateTime::dotnet`] (or [`DateTime::same_form`]), so it is
//! sent back in the API's own form.

use std::fmt;

use serde::{Deserialize, Deserializer, Serialize, Serializer};
use time::format_description::well_known::Rfc3339;

use crate::operation::QueryValue;

/// A `date-time` value: the text as sent, and the instant when the text is RFC 3339.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct DateTime {
    text: String,
    at: Option<time::OffsetDateTime>,
}

impl DateTime {
    /// Reads text; the instant is there when the text is RFC 3339 or a .NET `/Date(ms)/`.
    pub fn parse(text: impl Into<String>) -> Self {
        let text = text.into();
        let at = time::OffsetDateTime::parse(&text, &Rfc3339)
            .ok()
            .or_else(|| parse_dotnet(&text));
        DateTime { text, at }
    }

    /// The instant, when the text is RFC 3339 or a .NET date (`None` for other spellings).
    pub fn at(&self) -> Option<time::OffsetDateTime> {
        self.at
    }

    /// An instant written the .NET way, `/Date(ms)/` (whole milliseconds since the Unix epoch,
    /// in UTC; finer digits are dropped), as the Identity API writes its times.
    pub fn dotnet(at: time::OffsetDateTime) -> Self {
        let ms = at.unix_timestamp_nanos().div_euclid(1_000_000);
        DateTime {
            text: format!("/Date({ms})/"),
            at: Some(at),
        }
    }

    /// Whether the text is a .NET date, `/Date(…)/`.
    pub fn is_dotnet(&self) -> bool {
        self.text.starts_with("/Date(") && self.text.ends_with(")/")
    }

    /// Another instant written in this value's form: the .NET way when this value is a .NET
    /// date, else RFC 3339. For a read-modify-write of a field, so the API gets back the form
    /// it sent.
    pub fn same_form(&self, at: time::OffsetDateTime) -> Self {
        if self.is_dotnet() {
            DateTime::dotnet(at)
        } else {
            DateTime::from(at)
        }
    }

    /// The text, exactly as the API sent it (or as RFC 3339 for a value built from an instant).
    pub fn as_str(&self) -> &str {
        &self.text
    }
}

impl From<time::OffsetDateTime> for DateTime {
    /// An instant, written as RFC 3339. (Years outside 0000–9999 have no RFC 3339 spelling;
    /// such an instant is written in `time`'s own format and sent as that text.)
    fn from(at: time::OffsetDateTime) -> Self {
        let text = at.format(&Rfc3339).unwrap_or_else(|_| at.to_string());
        DateTime { text, at: Some(at) }
    }
}

/// The instant of a .NET JSON date, `/Date(ms)/` or `/Date(ms±hhmm)/`: the milliseconds are UTC,
/// and the offset (the sender's local offset) only says how to show the instant.
fn parse_dotnet(text: &str) -> Option<time::OffsetDateTime> {
    let inner = text.strip_prefix("/Date(")?.strip_suffix(")/")?;
    // The offset's sign is the first `+` or `-` after the first character (which may be the
    // sign of a negative millisecond count).
    let split = inner
        .char_indices()
        .skip(1)
        .find(|(_, c)| *c == '+' || *c == '-')
        .map(|(i, _)| i);
    let (millis, offset) = match split {
        Some(i) => (&inner[..i], Some(&inner[i..])),
        None => (inner, None),
    };
    if millis.is_empty()
        || !millis
            .trim_start_matches('-')
            .bytes()
            .all(|b| b.is_ascii_digit())
    {
        return None;
    }
    let ms: i64 = millis.parse().ok()?;
    let at = time::OffsetDateTime::from_unix_timestamp_nanos(i128::from(ms) * 1_000_000).ok()?;
    match offset {
        None => Some(at),
        Some(offset) => {
            let (sign, digits) = offset.split_at(1);
            if digits.len() != 4 || !digits.bytes().all(|b| b.is_ascii_digit()) {
                return None;
            }
            let hours: i8 = digits[..2].parse().ok()?;
            let minutes: i8 = digits[2..].parse().ok()?;
            let (hours, minutes) = if sign == "-" {
                (-hours, -minutes)
            } else {
                (hours, minutes)
            };
            let offset = time::UtcOffset::from_hms(hours, minutes, 0).ok()?;
            Some(at.to_offset(offset))
        }
    }
}

/// Reads OpenAPI's `date` (RFC 3339 `full-date`, `YYYY-MM-DD`) into a calendar date.
///
/// Written out rather than through a `time` format description: a description's parser and
/// formatter are generic code compiled into this crate (about a tenth of its machine code), for a
/// format of three fixed-width numbers.
fn parse_full_date(text: &str) -> Option<time::Date> {
    let bytes = text.as_bytes();
    let number = |range: std::ops::Range<usize>| -> Option<u16> {
        let digits = bytes.get(range)?;
        digits.iter().try_fold(0u16, |value, &byte| {
            byte.is_ascii_digit()
                .then(|| value * 10 + u16::from(byte - b'0'))
        })
    };
    if bytes.len() != 10 || bytes[4] != b'-' || bytes[7] != b'-' {
        return None;
    }
    let month = time::Month::try_from(u8::try_from(number(5..7)?).ok()?).ok()?;
    let day = u8::try_from(number(8..10)?).ok()?;
    time::Date::from_calendar_date(i32::from(number(0..4)?), month, day).ok()
}

/// Writes a calendar date as `YYYY-MM-DD` (a year outside 0–9999, which RFC 3339 cannot
/// write, with its sign and at least four digits).
fn format_full_date(day: time::Date) -> String {
    let year = day.year();
    let sign = if year < 0 { "-" } else { "" };
    format!(
        "{sign}{:04}-{:02}-{:02}",
        year.unsigned_abs(),
        u8::from(day.month()),
        day.day()
    )
}

/// A `date` value: the text as sent, and the calendar date when the text is `YYYY-MM-DD`.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Date {
    text: String,
    day: Option<time::Date>,
}

impl Date {
    /// Reads text; the calendar date is there when the text is `YYYY-MM-DD`.
    pub fn parse(text: impl Into<String>) -> Self {
        let text = text.into();
        let day = parse_full_date(&text);
        Date { text, day }
    }

    /// The calendar date, when the text is one.
    pub fn day(&self) -> Option<time::Date> {
        self.day
    }

    /// The text, exactly as the API sent it (or as `YYYY-MM-DD` for a value built from a date).
    pub fn as_str(&self) -> &str {
        &self.text
    }
}

impl From<time::Date> for Date {
    fn from(day: time::Date) -> Self {
        let text = format_full_date(day);
        Date {
            text,
            day: Some(day),
        }
    }
}

/// A `uuid` value: the text as sent, and the UUID when the text is one.
///
/// The text is what travels: CyberArk writes some UUIDs in upper case
/// (`09B9A9B0-6CE8-465F-AB03-65766D33B05E`), some without dashes, and calls other identifiers
/// UUIDs that are not (`sysadmin`, role keys with underscores). Each is sent back exactly as it
/// came; [`Uuid::value`] is the parsed UUID for comparing and storing.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Uuid {
    text: String,
    value: Option<uuid::Uuid>,
}

impl Uuid {
    /// Reads text; the UUID is there when the text is one (hyphenated, simple, braced or URN,
    /// in either case).
    pub fn parse(text: impl Into<String>) -> Self {
        let text = text.into();
        let value = uuid::Uuid::try_parse(&text).ok();
        Uuid { text, value }
    }

    /// The UUID, when the text is one.
    pub fn value(&self) -> Option<uuid::Uuid> {
        self.value
    }

    /// The text, exactly as the API sent it (or hyphenated lower case for a value built from a
    /// UUID).
    pub fn as_str(&self) -> &str {
        &self.text
    }
}

impl From<uuid::Uuid> for Uuid {
    fn from(value: uuid::Uuid) -> Self {
        Uuid {
            text: value.hyphenated().to_string(),
            value: Some(value),
        }
    }
}

macro_rules! text_value {
    ($($ty:ty),*) => {$(
        impl fmt::Display for $ty {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(&self.text)
            }
        }

        impl From<&str> for $ty {
            fn from(text: &str) -> Self {
                <$ty>::parse(text)
            }
        }

        impl From<String> for $ty {
            fn from(text: String) -> Self {
                <$ty>::parse(text)
            }
        }

        impl Serialize for $ty {
            fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
                serializer.serialize_str(&self.text)
            }
        }

        impl<'de> Deserialize<'de> for $ty {
            fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
                String::deserialize(deserializer).map(<$ty>::parse)
            }
        }

        impl QueryValue for $ty {
            fn to_query(&self) -> Option<String> {
                Some(self.text.clone())
            }
        }
    )*};
}

text_value!(DateTime, Date, Uuid);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rfc3339_is_typed_and_the_text_is_kept_exactly() {
        let sent = r#""2024-05-31T12:30:00.250+02:00""#;
        let value: DateTime = serde_json::from_str(sent).unwrap();
        let at = value.at().expect("parsed");
        assert_eq!(at.offset().whole_hours(), 2);
        assert_eq!(at.millisecond(), 250);
        assert_eq!(serde_json::to_string(&value).unwrap(), sent);
        let dotnet: DateTime = serde_json::from_str(r#""/Date(1700000000000)/""#).unwrap();
        assert_eq!(
            dotnet.at().map(|at| at.unix_timestamp()),
            Some(1_700_000_000)
        );
        assert_eq!(
            serde_json::to_string(&dotnet).unwrap(),
            r#""/Date(1700000000000)/""#
        );
        let built = DateTime::from(time::OffsetDateTime::UNIX_EPOCH);
        assert_eq!(built.as_str(), "1970-01-01T00:00:00Z");
    }

    #[test]
    fn dotnet_dates_are_typed_and_written_back_in_their_form() {
        // Identity's escaped JSON spelling `\/Date(…)\/` decodes to the same text.
        let value: DateTime = serde_json::from_str(r#""\/Date(1712846865880)\/""#).unwrap();
        let at = value.at().expect("a .NET date is an instant");
        assert_eq!(at.unix_timestamp(), 1_712_846_865);
        assert_eq!(at.millisecond(), 880);
        assert_eq!(
            serde_json::to_string(&value).unwrap(),
            r#""/Date(1712846865880)/""#
        );
        // An offset says how to show the instant; the milliseconds stay UTC.
        let local = DateTime::parse("/Date(1712846865880+0200)/");
        let at = local.at().expect("parsed");
        assert_eq!(at.offset().whole_hours(), 2);
        assert_eq!(at.unix_timestamp(), 1_712_846_865);
        assert_eq!(local.as_str(), "/Date(1712846865880+0200)/");
        // DateTime.MinValue, the tenant's "never", and negative instants.
        let never = DateTime::parse("/Date(-62135596800000)/");
        assert_eq!(never.at().map(|at| at.year()), Some(1));
        assert_eq!(
            DateTime::parse("/Date(-1500)/")
                .at()
                .map(|at| at.unix_timestamp_nanos()),
            Some(-1_500_000_000)
        );
        // A new instant goes back in the form the field came in.
        let later = at + time::Duration::days(1);
        assert_eq!(local.same_form(later).as_str(), "/Date(1712933265880)/");
        let rfc = DateTime::parse("2024-04-11T14:47:45Z");
        let later_utc = later.to_offset(time::UtcOffset::UTC);
        assert!(
            rfc.same_form(later_utc)
                .as_str()
                .starts_with("2024-04-12T14:47:45.88"),
            "{}",
            rfc.same_form(later_utc)
        );
        assert_eq!(
            DateTime::dotnet(time::OffsetDateTime::UNIX_EPOCH).as_str(),
            "/Date(0)/"
        );
        // Anything else that only looks similar is kept as text, without an instant.
        for odd in [
            "/Date()/",
            "/Date(12a)/",
            "/Date(1+02)/",
            "/Date(--1)/",
            "Date(1)",
        ] {
            let value = DateTime::parse(odd);
            assert_eq!(value.at(), None, "{odd}");
            assert_eq!(value.as_str(), odd);
        }
    }

    #[test]
    fn uuids_are_typed_and_the_text_is_kept_exactly() {
        let upper: Uuid =
            serde_json::from_str(r#""09B9A9B0-6CE8-465F-AB03-65766D33B05E""#).unwrap();
        let value = upper.value().expect("a UUID");
        assert_eq!(value.as_u128(), 0x09B9A9B0_6CE8_465F_AB03_65766D33B05E);
        assert_eq!(
            serde_json::to_string(&upper).unwrap(),
            r#""09B9A9B0-6CE8-465F-AB03-65766D33B05E""#,
            "sent back in the case it came in"
        );
        let role_key: Uuid =
            serde_json::from_str(r#""65911ae4_abba_4063_b237_5a37a33bca6c""#).unwrap();
        assert_eq!(role_key.value(), None);
        assert_eq!(
            role_key.to_query().as_deref(),
            Some("65911ae4_abba_4063_b237_5a37a33bca6c")
        );
        let built = Uuid::from(value);
        assert_eq!(built.as_str(), "09b9a9b0-6ce8-465f-ab03-65766d33b05e");
        assert_eq!(Uuid::from("sysadmin").value(), None);
    }

    #[test]
    fn full_dates_are_typed_and_anything_else_is_kept() {
        let day: Date = serde_json::from_str(r#""2024-02-29""#).unwrap();
        assert_eq!(day.day().map(|d| d.ordinal()), Some(60));
        assert_eq!(serde_json::to_string(&day).unwrap(), r#""2024-02-29""#);
        let odd: Date = serde_json::from_str(r#""29/02/2024""#).unwrap();
        assert_eq!(odd.day(), None);
        assert_eq!(odd.to_query(), Some("29/02/2024".to_owned()));
        // Only a real calendar date in exactly `YYYY-MM-DD` is typed; the text is always kept.
        let first = Date::parse("0001-01-01").day().unwrap();
        assert_eq!((first.year(), first.ordinal()), (1, 1));
        for odd in [
            "2023-02-29",
            "2024-13-01",
            "2024-00-10",
            "2024-01-32",
            "2024-1-01",
            "2024-01-1",
            "+2024-01-01",
            "2024-01-01T00:00:00Z",
            "２０２４-01-01",
            "2024/01/01",
            "",
        ] {
            let date = Date::parse(odd);
            assert_eq!(date.day(), None, "{odd}");
            assert_eq!(date.as_str(), odd);
        }
        // Built from a date: four digits at least, the sign of a year before 1 BC kept.
        let built = |y, m, d| {
            Date::from(time::Date::from_calendar_date(y, m, d).unwrap())
                .as_str()
                .to_owned()
        };
        assert_eq!(built(2024, time::Month::February, 9), "2024-02-09");
        assert_eq!(built(7, time::Month::December, 31), "0007-12-31");
        assert_eq!(built(-44, time::Month::March, 15), "-0044-03-15");
        for text in ["2024-02-29", "1999-12-31", "0001-01-01"] {
            assert_eq!(built_from_text(text), text);
        }
    }

    fn built_from_text(text: &str) -> String {
        Date::from(Date::parse(text).day().unwrap())
            .as_str()
            .to_owned()
    }
}
