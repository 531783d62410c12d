//! Instants sent as whole numbers since the Unix epoch, typed without losing what was sent.
//!
//! The Vault API writes its times as integers: Unix seconds almost everywhere (`createdTime`,
//! `Start` of a PSM session, …) and Unix microseconds in one Safe field
//! (`lastModificationTime`). A spec marks such an integer `format: unix-seconds` or
//! `format: unix-microseconds`, and the generated field is a [`UnixTime`] or a
//! [`UnixTimeMicros`]: the integer exactly as sent (and sent back unchanged), plus the instant.
//! An integer outside the years the `time` crate holds (±9999) keeps its value without an
//! instant, so nothing fails to decode and nothing is lost. Note that the Vault writes `0` for
//! "not yet" in some fields (the `End` of a live session), which reads as the epoch.

use std::fmt;

use serde::{Deserialize, Deserializer, Serialize, Serializer};

use crate::operation::QueryValue;

macro_rules! unix_time {
    ($(#[$doc:meta])* $name:ident, $unit:literal, $nanos_per_unit:expr) => {
        $(#[$doc])*
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
        pub struct $name {
            value: i64,
            at: Option<time::OffsetDateTime>,
        }

        impl $name {
            #[doc = concat!("Reads an integer of ", $unit, " since the Unix epoch; the instant is there when it")]
            /// falls within the years the `time` crate holds.
            pub fn new(value: i64) -> Self {
                let at = time::OffsetDateTime::from_unix_timestamp_nanos(
                    i128::from(value) * $nanos_per_unit,
                )
                .ok();
                $name { value, at }
            }

            /// The instant, in UTC (`None` for an integer beyond the years ±9999).
            pub fn at(&self) -> Option<time::OffsetDateTime> {
                self.at
            }

            #[doc = concat!("The integer, ", $unit, " since the Unix epoch, exactly as the API sent it.")]
            pub fn value(&self) -> i64 {
                self.value
            }

            #[doc = concat!("An instant written as whole ", $unit, " since the Unix epoch (finer digits are")]
            /// dropped, rounding toward the past), or `None` when the count does not fit an `i64`.
            pub fn from_instant(at: time::OffsetDateTime) -> Option<Self> {
                let value = i64::try_from(at.unix_timestamp_nanos().div_euclid($nanos_per_unit)).ok()?;
                Some($name::new(value))
            }
        }

        impl From<i64> for $name {
            fn from(value: i64) -> Self {
                $name::new(value)
            }
        }

        impl fmt::Display for $name {
            /// The integer, as it travels.
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                write!(f, "{}", self.value)
            }
        }

        impl Serialize for $name {
            fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
                serializer.serialize_i64(self.value)
            }
        }

        impl<'de> Deserialize<'de> for $name {
            fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
                i64::deserialize(deserializer).map($name::new)
            }
        }

        impl QueryValue for $name {
            fn to_query(&self) -> Option<String> {
                Some(self.value.to_string())
            }
        }
    };
}

/// Nanoseconds in one second.
const NANOS_PER_SECOND: i128 = 1_000_000_000;
/// Nanoseconds in one microsecond.
const NANOS_PER_MICROSECOND: i128 = 1_000;

unix_time!(
    /// An instant sent as Unix seconds (`format: unix-seconds`): the integer as sent, and the
    /// instant in UTC.
    UnixTime,
    "seconds",
    NANOS_PER_SECOND
);

unix_time!(
    /// An instant sent as Unix microseconds (`format: unix-microseconds`, the Vault's Safe
    /// `lastModificationTime`): the integer as sent, and the instant in UTC.
    UnixTimeMicros,
    "microseconds",
    NANOS_PER_MICROSECOND
);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn seconds_are_typed_and_written_back_as_the_same_integer() {
        let value: UnixTime = serde_json::from_str("1730403100").unwrap();
        let at = value.at().expect("an instant");
        assert_eq!(at.unix_timestamp(), 1_730_403_100);
        assert_eq!(at.offset(), time::UtcOffset::UTC);
        assert_eq!((at.year(), at.month() as u8, at.day()), (2024, 10, 31));
        assert_eq!(serde_json::to_string(&value).unwrap(), "1730403100");
        assert_eq!(value.to_query().as_deref(), Some("1730403100"));
        assert_eq!(value.to_string(), "1730403100");
        // A later instant goes out as whole seconds, whatever offset it was built in.
        let later = (at + time::Duration::milliseconds(1_500))
            .to_offset(time::UtcOffset::from_hms(2, 0, 0).unwrap());
        let sent = UnixTime::from_instant(later).unwrap();
        assert_eq!(serde_json::to_string(&sent).unwrap(), "1730403101");
        // Before the epoch, the finer digits round toward the past.
        let before = time::OffsetDateTime::UNIX_EPOCH - time::Duration::milliseconds(500);
        assert_eq!(UnixTime::from_instant(before).unwrap().value(), -1);
        // The Vault's "not yet" reads as the epoch and goes back as 0.
        let zero = UnixTime::new(0);
        assert_eq!(zero.at(), Some(time::OffsetDateTime::UNIX_EPOCH));
        assert_eq!(serde_json::to_string(&zero).unwrap(), "0");
    }

    #[test]
    fn microseconds_are_typed_and_written_back_as_the_same_integer() {
        let value: UnixTimeMicros = serde_json::from_str("1730336417807305").unwrap();
        let at = value.at().expect("an instant");
        assert_eq!(at.unix_timestamp(), 1_730_336_417);
        assert_eq!(at.microsecond(), 807_305);
        assert_eq!(serde_json::to_string(&value).unwrap(), "1730336417807305");
        let sent = UnixTimeMicros::from_instant(at + time::Duration::nanoseconds(999)).unwrap();
        assert_eq!(sent.value(), 1_730_336_417_807_305);
    }

    #[test]
    fn integers_beyond_the_calendar_keep_their_value_without_an_instant() {
        for odd in [i64::MAX, i64::MIN, 400_000_000_000] {
            let value: UnixTime = serde_json::from_str(&odd.to_string()).unwrap();
            assert_eq!(value.at(), None, "{odd}");
            assert_eq!(serde_json::to_string(&value).unwrap(), odd.to_string());
        }
        // Microseconds reach the calendar's ends much later than seconds do.
        assert!(UnixTimeMicros::new(400_000_000_000).at().is_some());
        assert_eq!(UnixTimeMicros::new(i64::MIN).at(), None);
    }

    #[test]
    fn text_and_fractions_are_not_read_as_unix_times() {
        assert!(serde_json::from_str::<UnixTime>(r#""1730403100""#).is_err());
        assert!(serde_json::from_str::<UnixTime>("1730403100.5").is_err());
    }
}
