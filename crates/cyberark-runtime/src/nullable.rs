//! A field whose `null` means "clear this value", so absent, null and a value are all distinct.

use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// A request or response field where sending `null` clears the stored value.
///
/// `Option<T>` cannot tell "leave it alone" from "clear it"; this type can. Use it with
/// `#[serde(default, skip_serializing_if = "Nullable::is_absent")]` so an absent field is left
/// out of the JSON and a missing key decodes as [`Nullable::Absent`].
#[derive(Clone, Debug, PartialEq, Eq, Default)]
pub enum Nullable<T> {
    /// Not sent (or not received): the stored value stays as it is.
    #[default]
    Absent,
    /// Sent as JSON `null`: the stored value is cleared.
    Null,
    /// Sent as this value.
    Value(T),
}

impl<T> Nullable<T> {
    /// Returns `true` for [`Nullable::Absent`]; meant for `skip_serializing_if`.
    pub fn is_absent(&self) -> bool {
        matches!(self, Nullable::Absent)
    }

    /// Returns `true` for [`Nullable::Null`].
    pub fn is_null(&self) -> bool {
        matches!(self, Nullable::Null)
    }

    /// Returns the value, if there is one.
    pub fn as_option(&self) -> Option<&T> {
        match self {
            Nullable::Value(value) => Some(value),
            Nullable::Absent | Nullable::Null => None,
        }
    }

    /// `None` becomes [`Nullable::Null`]: a caller passing an option means "set it to this",
    /// and "nothing" then means "clear it".
    pub fn from_option(value: Option<T>) -> Self {
        value.map_or(Nullable::Null, Nullable::Value)
    }

    /// Returns the value, if there is one, consuming `self`.
    pub fn into_option(self) -> Option<T> {
        match self {
            Nullable::Value(value) => Some(value),
            Nullable::Absent | Nullable::Null => None,
        }
    }
}

impl<T> From<T> for Nullable<T> {
    fn from(value: T) -> Self {
        Nullable::Value(value)
    }
}

impl<T: Serialize> Serialize for Nullable<T> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        match self {
            // An absent field should have been skipped; if it was not, `null` is the closest
            // honest encoding, and the field's docs tell generated code to skip it.
            Nullable::Absent | Nullable::Null => serializer.serialize_none(),
            Nullable::Value(value) => serializer.serialize_some(value),
        }
    }
}

impl<'de, T: Deserialize<'de>> Deserialize<'de> for Nullable<T> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        // A present key is either null or a value; absence is handled by `#[serde(default)]`.
        Ok(Option::<T>::deserialize(deserializer)?.map_or(Nullable::Null, Nullable::Value))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Serialize, Deserialize, Debug, PartialEq)]
    struct Patch {
        #[serde(default, skip_serializing_if = "Nullable::is_absent")]
        description: Nullable<String>,
    }

    #[test]
    fn round_trips_absent_null_and_value() {
        let cases = [
            (Nullable::Absent, "{}"),
            (Nullable::Null, r#"{"description":null}"#),
            (Nullable::Value("x".to_owned()), r#"{"description":"x"}"#),
        ];
        for (value, json) in cases {
            let patch = Patch { description: value };
            assert_eq!(serde_json::to_string(&patch).unwrap(), json);
            assert_eq!(serde_json::from_str::<Patch>(json).unwrap(), patch);
        }
    }

    #[test]
    fn accessors() {
        assert!(Nullable::<u8>::Absent.is_absent());
        assert!(Nullable::<u8>::Null.is_null());
        assert_eq!(Nullable::Value(3).as_option(), Some(&3));
        assert_eq!(Nullable::<u8>::Null.as_option(), None);
        assert_eq!(Nullable::from_option(None::<u8>), Nullable::Null);
        assert_eq!(Nullable::from(4).into_option(), Some(4));
    }
}
