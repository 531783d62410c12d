//! Values of the string formats `date-time` and `date`, typed without losing what was sent.
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

text_value!(DateTime, Date);

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
    fn full_dates_are_typed_and_anything_else_is_kept() {
        let day: Date = serde_json::from_str(r#""2024-02-29""#).unwrap();
        assert_eq!(day.day().map(|d| d.ordinal()), Some(60));
        assert_eq!(serde_json::to_string(&day).unwrap(), r#""2024-02-29""#);
        let odd: Date = serde_json::from_str(r#""29/02/2024""#).unwrap();
        assert_eq!(odd.day(), None);
        assert_eq!(odd.to_query(), Some("29/02/2024".to_owned()));
    }
}
