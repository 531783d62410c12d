//! `object_deserialize!`: decoding a generated struct while keeping the keys it does not name.
//!
//! Every generated object keeps unknown keys in its `extra` map, so nothing the tenant sent is
//! lost and a read-modify-write sends it back. serde's own way to do that, `#[serde(flatten)]`,
//! buffers every key and value of the object into serde's private `Content` tree and then decodes
//! the fields from that buffer: a large deserializer per struct (the biggest share of the client's
//! compile time) and a second pass over every value at run time. This macro writes one small
//! visitor per struct instead: each key is matched against the struct's wire names as it is read,
//! known fields decode straight into their type and unknown ones into a `JsonValue`.

use serde::de::{self, Deserialize, Deserializer, MapAccess, Visitor};
use std::borrow::Cow;
use std::fmt;

/// Implements `Deserialize` for a generated struct with an `extra` map of unknown keys.
///
/// The fields are listed in two groups with their wire names: `required` ones fail with
/// "missing field" when the key is absent; `optional` ones (an `Option` or a
/// [`Nullable`](crate::Nullable)) take their default. A key that appears twice is an error, as
/// with serde's derive; any key not listed goes into `extra` with its value as JSON.
///
/// ```
/// use std::collections::BTreeMap;
///
/// #[derive(Debug, PartialEq)]
/// pub struct Role {
///     pub name: String,
///     pub description: Option<String>,
///     pub extra: BTreeMap<String, cyberark_runtime::JsonValue>,
/// }
///
/// cyberark_runtime::object_deserialize! {
///     Role {
///         required { name: "Name" }
///         optional { description: "Description" }
///     }
/// }
///
/// let role: Role = serde_json::from_str(r#"{"Name": "Admins", "Rank": 3}"#).unwrap();
/// assert_eq!(role.name, "Admins");
/// assert_eq!(role.description, None);
/// assert_eq!(role.extra["Rank"], 3);
///
/// let missing = serde_json::from_str::<Role>(r#"{"Description": "x"}"#).unwrap_err();
/// assert!(missing.to_string().contains("missing field `Name`"));
/// ```
#[macro_export]
macro_rules! object_deserialize {
    (
        $name:ident {
            required { $($required:ident : $required_wire:literal),* $(,)? }
            optional { $($optional:ident : $optional_wire:literal),* $(,)? }
        }
    ) => {
        impl<'de> $crate::__private::serde::Deserialize<'de> for $name {
            fn deserialize<D: $crate::__private::serde::Deserializer<'de>>(
                deserializer: D,
            ) -> ::std::result::Result<Self, D::Error> {
                struct ObjectVisitor;
                impl<'de> $crate::__private::serde::de::Visitor<'de> for ObjectVisitor {
                    type Value = $name;
                    fn expecting(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {
                        f.write_str(::std::concat!("an object (", ::std::stringify!($name), ")"))
                    }
                    fn visit_map<A: $crate::__private::serde::de::MapAccess<'de>>(
                        self,
                        mut map: A,
                    ) -> ::std::result::Result<$name, A::Error> {
                        $(let mut $required = ::std::option::Option::None;)*
                        $(let mut $optional = ::std::option::Option::None;)*
                        let mut extra = ::std::collections::BTreeMap::new();
                        while let ::std::option::Option::Some(key) =
                            map.next_key::<$crate::__private::ObjectKey<'de>>()?
                        {
                            match key.as_str() {
                                $($required_wire => $crate::__private::object_field(&mut map, &mut $required, $required_wire)?,)*
                                $($optional_wire => $crate::__private::object_field(&mut map, &mut $optional, $optional_wire)?,)*
                                _ => {
                                    let value = map.next_value()?;
                                    extra.insert(key.into_string(), value);
                                }
                            }
                        }
                        ::std::result::Result::Ok($name {
                            $($required: $crate::__private::object_required($required, $required_wire)?,)*
                            $($optional: $optional.unwrap_or_default(),)*
                            extra,
                        })
                    }
                }
                deserializer.deserialize_map(ObjectVisitor)
            }
        }
    };
}

/// A key of a JSON object, borrowed from the input when it has no escapes.
#[derive(Debug)]
pub struct ObjectKey<'de>(Cow<'de, str>);

impl ObjectKey<'_> {
    /// The key as text, for matching against wire names.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The key as an owned string, for the `extra` map.
    pub fn into_string(self) -> String {
        self.0.into_owned()
    }
}

impl<'de> Deserialize<'de> for ObjectKey<'de> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct KeyVisitor;
        impl<'de> Visitor<'de> for KeyVisitor {
            type Value = ObjectKey<'de>;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("an object key")
            }
            fn visit_borrowed_str<E: de::Error>(self, v: &'de str) -> Result<Self::Value, E> {
                Ok(ObjectKey(Cow::Borrowed(v)))
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<Self::Value, E> {
                Ok(ObjectKey(Cow::Owned(v.to_owned())))
            }
            fn visit_string<E: de::Error>(self, v: String) -> Result<Self::Value, E> {
                Ok(ObjectKey(Cow::Owned(v)))
            }
        }
        deserializer.deserialize_str(KeyVisitor)
    }
}

/// Decodes the value of a known field into its slot; a second occurrence of the key is an error.
pub fn object_field<'de, A: MapAccess<'de>, T: Deserialize<'de>>(
    map: &mut A,
    slot: &mut Option<T>,
    wire: &'static str,
) -> Result<(), A::Error> {
    if slot.is_some() {
        return Err(de::Error::duplicate_field(wire));
    }
    *slot = Some(map.next_value()?);
    Ok(())
}

/// The value of a required field, or serde's "missing field" error naming its wire name.
pub fn object_required<T, E: de::Error>(slot: Option<T>, wire: &'static str) -> Result<T, E> {
    slot.ok_or_else(|| E::missing_field(wire))
}

#[cfg(test)]
mod tests {
    use crate::{JsonValue, Nullable};
    use std::collections::BTreeMap;

    #[derive(Debug, PartialEq)]
    struct User {
        r#type: String,
        age: Option<i64>,
        manager: Nullable<String>,
        extra: BTreeMap<String, JsonValue>,
    }

    crate::object_deserialize! {
        User {
            required { r#type: "Type" }
            optional { age: "Age", manager: "Manager" }
        }
    }

    #[derive(Debug, PartialEq)]
    struct Empty {
        extra: BTreeMap<String, JsonValue>,
    }

    crate::object_deserialize! {
        Empty {
            required {}
            optional {}
        }
    }

    #[test]
    fn known_fields_decode_and_unknown_keys_are_kept_in_order() {
        let user: User = serde_json::from_str(
            r#"{"Zeta": [1, {"a": null}], "Type": "Admin", "Age": 41, "Alpha": "x"}"#,
        )
        .unwrap();
        assert_eq!(user.r#type, "Admin");
        assert_eq!(user.age, Some(41));
        assert_eq!(user.manager, Nullable::Absent);
        let keys: Vec<&str> = user.extra.keys().map(String::as_str).collect();
        assert_eq!(keys, ["Alpha", "Zeta"]);
        assert_eq!(user.extra["Zeta"], serde_json::json!([1, {"a": null}]));
    }

    #[test]
    fn null_and_absent_stay_distinct() {
        let user: User =
            serde_json::from_str(r#"{"Type": "t", "Manager": null, "Age": null}"#).unwrap();
        assert_eq!(user.manager, Nullable::Null);
        assert_eq!(user.age, None);
        let user: User = serde_json::from_str(r#"{"Type": "t", "Manager": "m"}"#).unwrap();
        assert_eq!(user.manager, Nullable::Value("m".to_owned()));
    }

    #[test]
    fn escaped_keys_are_matched_and_kept() {
        let user: User = serde_json::from_str(r#"{"T\u0079pe": "t", "K\"ey": 1}"#).unwrap();
        assert_eq!(user.r#type, "t");
        assert_eq!(user.extra["K\"ey"], 1);
    }

    #[test]
    fn a_missing_required_field_is_named() {
        let err = serde_json::from_str::<User>(r#"{"Age": 1}"#).unwrap_err();
        assert!(err.to_string().contains("missing field `Type`"), "{err}");
    }

    #[test]
    fn a_repeated_key_is_an_error() {
        let err = serde_json::from_str::<User>(r#"{"Type": "a", "Type": "b"}"#).unwrap_err();
        assert!(err.to_string().contains("duplicate field `Type`"), "{err}");
    }

    #[test]
    fn a_wrong_field_type_and_a_non_object_are_errors() {
        let err = serde_json::from_str::<User>(r#"{"Type": "a", "Age": "old"}"#).unwrap_err();
        assert!(err.to_string().contains("invalid type"), "{err}");
        let err = serde_json::from_str::<User>(r#"["Admin"]"#).unwrap_err();
        assert!(err.to_string().contains("an object (User)"), "{err}");
    }

    #[test]
    fn decodes_from_a_json_value_too() {
        let value = serde_json::json!({"Type": "t", "Other": true});
        let user: User = serde_json::from_value(value).unwrap();
        assert_eq!(user.extra["Other"], true);
        let empty: Empty = serde_json::from_value(serde_json::json!({"a": 1})).unwrap();
        assert_eq!(empty.extra["a"], 1);
    }
}
