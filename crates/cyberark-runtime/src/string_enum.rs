//! The `string_enum!` macro: string enums that keep unknown values instead of failing.

/// Declares an enum whose variants travel as fixed strings, plus an `Unknown(String)` variant.
///
/// The tenant may add values at any time; a client that failed to decode them would break on the
/// day they appear, so unknown strings decode as `Unknown` and serialise back unchanged. Doc
/// comments and other attributes on the enum and on each variant pass through.
///
/// ```
/// cyberark_runtime::string_enum! {
///     /// The role a member holds in an organisation.
///     pub enum OrgRole {
///         /// Full control.
///         Admin = "Admin",
///         /// Read access only.
///         ReadOnly = "ReadOnly",
///     }
/// }
///
/// let role: OrgRole = serde_json::from_str("\"Auditor\"").unwrap();
/// assert_eq!(role, OrgRole::Unknown("Auditor".to_owned()));
/// assert_eq!(OrgRole::ReadOnly.as_str(), "ReadOnly");
/// assert_eq!("Admin".parse::<OrgRole>().unwrap(), OrgRole::Admin);
/// ```
///
/// The generated enum derives `Clone`, `Debug`, `PartialEq`, `Eq`, `Hash`, `PartialOrd` and `Ord`,
/// and implements `Serialize`, `Deserialize`, `Display`, `FromStr` (infallible), `From<&str>`,
/// `From<String>`, `as_str()` and [`QueryValue`](crate::QueryValue).
#[macro_export]
macro_rules! string_enum {
    (
        $(#[$meta:meta])*
        $vis:vis enum $name:ident {
            $(
                $(#[$variant_meta:meta])*
                $variant:ident = $wire:literal
            ),* $(,)?
        }
    ) => {
        $(#[$meta])*
        #[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
        $vis enum $name {
            $(
                $(#[$variant_meta])*
                $variant,
            )*
            /// A value this version of the client does not know, kept exactly as the tenant sent it.
            Unknown(::std::string::String),
        }

        impl $name {
            /// Every variant this version of the client knows, in declaration order.
            #[allow(dead_code)]
            pub const KNOWN: &'static [$name] = &[$($name::$variant),*];

            /// Returns the value as it travels on the wire.
            pub fn as_str(&self) -> &str {
                match self {
                    $($name::$variant => $wire,)*
                    $name::Unknown(value) => value.as_str(),
                }
            }
        }

        impl ::std::convert::From<&str> for $name {
            fn from(value: &str) -> Self {
                match value {
                    $($wire => $name::$variant,)*
                    other => $name::Unknown(::std::borrow::ToOwned::to_owned(other)),
                }
            }
        }

        impl ::std::convert::From<::std::string::String> for $name {
            fn from(value: ::std::string::String) -> Self {
                match value.as_str() {
                    $($wire => $name::$variant,)*
                    _ => $name::Unknown(value),
                }
            }
        }

        impl ::std::str::FromStr for $name {
            type Err = ::std::convert::Infallible;

            fn from_str(value: &str) -> ::std::result::Result<Self, Self::Err> {
                ::std::result::Result::Ok(<$name as ::std::convert::From<&str>>::from(value))
            }
        }

        impl ::std::fmt::Display for $name {
            fn fmt(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {
                f.write_str(self.as_str())
            }
        }

        impl $crate::__private::serde::Serialize for $name {
            fn serialize<S>(&self, serializer: S) -> ::std::result::Result<S::Ok, S::Error>
            where
                S: $crate::__private::serde::Serializer,
            {
                serializer.serialize_str(self.as_str())
            }
        }

        impl<'de> $crate::__private::serde::Deserialize<'de> for $name {
            fn deserialize<D>(deserializer: D) -> ::std::result::Result<Self, D::Error>
            where
                D: $crate::__private::serde::Deserializer<'de>,
            {
                let value: ::std::string::String =
                    $crate::__private::serde::Deserialize::deserialize(deserializer)?;
                ::std::result::Result::Ok(<$name as ::std::convert::From<::std::string::String>>::from(value))
            }
        }

        impl $crate::QueryValue for $name {
            fn to_query(&self) -> ::std::option::Option<::std::string::String> {
                ::std::option::Option::Some(::std::borrow::ToOwned::to_owned(self.as_str()))
            }
        }
    };
}

#[cfg(test)]
mod tests {
    use crate::QueryValue;

    crate::string_enum! {
        /// A test enum.
        pub enum Summary {
            /// Login is done.
            LoginSuccess = "LoginSuccess",
            /// Waiting for an out-of-band answer.
            OobPending = "OobPending",
        }
    }

    crate::string_enum! {
        /// An enum with no known values still compiles.
        enum Empty {}
    }

    #[test]
    fn known_and_unknown_values_round_trip() {
        let known: Summary = serde_json::from_str("\"OobPending\"").unwrap();
        assert_eq!(known, Summary::OobPending);
        assert_eq!(serde_json::to_string(&known).unwrap(), "\"OobPending\"");

        let unknown: Summary = serde_json::from_str("\"Brand-New\"").unwrap();
        assert_eq!(unknown, Summary::Unknown("Brand-New".to_owned()));
        assert_eq!(serde_json::to_string(&unknown).unwrap(), "\"Brand-New\"");
        assert_eq!(unknown.to_string(), "Brand-New");
    }

    #[test]
    fn parsing_display_and_query() {
        assert_eq!(
            "LoginSuccess".parse::<Summary>().unwrap(),
            Summary::LoginSuccess
        );
        assert_eq!(Summary::LoginSuccess.to_string(), "LoginSuccess");
        assert_eq!(
            Summary::OobPending.to_query(),
            Some("OobPending".to_owned())
        );
        assert_eq!(Summary::KNOWN.len(), 2);
        assert!(Summary::LoginSuccess < Summary::OobPending);
        assert_eq!(Empty::from("x").as_str(), "x");
    }
}
