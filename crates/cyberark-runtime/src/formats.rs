//! Values of the string formats `date-time`, `date` and `uuid`, typed without losing what was
//! sent.
//!
//! An API does not always send what its description promises: the Identity API, for one, writes
//! some times as .NET's `/Date(1700000000000)/`. Each value keeps the text exactly as the API
//! sent it (and sends it back unchanged), plus the parsed value when the text is valid; nothing
//! fails to decode and nothing is lost.

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
    /// Reads text; the instant is there when the text is RFC 3339.
    pub fn parse(text: impl Into<String>) -> Self {
        let text = text.into();
        let at = time::OffsetDateTime::parse(&text, &Rfc3339).ok();
        DateTime { text, at }
    }

    /// The instant, when the text is RFC 3339 (`None` for `/Date(…)/` and other spellings).
    pub fn at(&self) -> Option<time::OffsetDateTime> {
        self.at
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

/// The calendar-date format of OpenAPI's `date` (RFC 3339 `full-date`).
const FULL_DATE: &[time::format_description::BorrowedFormatItem<'static>] =
    time::macros::format_description!("[year]-[month]-[day]");

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
        let day = time::Date::parse(&text, FULL_DATE).ok();
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
        let text = day.format(FULL_DATE).unwrap_or_else(|_| day.to_string());
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
        assert_eq!(dotnet.at(), None);
        assert_eq!(
            serde_json::to_string(&dotnet).unwrap(),
            r#""/Date(1700000000000)/""#
        );
        let built = DateTime::from(time::OffsetDateTime::UNIX_EPOCH);
        assert_eq!(built.as_str(), "1970-01-01T00:00:00Z");
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
    }
}
