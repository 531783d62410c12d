//! The generator's snapshot outputs, compiled.
//!
//! `cargo xtask codegen` writes each fixture's generated client into `<fixture>/expected/`, and
//! `cargo xtask codegen --check` fails when one is stale, so the expected outputs are both the
//! snapshot test and, through this crate, proof that what the generator writes compiles
//! (clippy included) for every kind of type and operation the fixtures exercise.
#![allow(missing_docs)]

/// Rust keywords, prelude names and case collisions as names; every body encoding; both paging styles.
#[path = "obstacle/expected/mod.rs"]
pub mod obstacle;

/// Version 1 of a small API.
#[path = "evolve_v1/expected/mod.rs"]
pub mod evolve_v1;

/// Version 2: version 1 plus an optional field and an operation.
#[path = "evolve_v2/expected/mod.rs"]
pub mod evolve_v2;

/// A definition in the style of the vendor's published ones, loaded tolerantly: operations named
/// after their paths, loose bodies kept as JSON, HTML descriptions turned into Markdown.
#[path = "vendor_style/expected/mod.rs"]
pub mod vendor_style;

/// Ordinary OpenAPI 3.0 without CyberArk extensions, loaded tolerantly: recursion, unions, maps,
/// awkward enum values, array and map query parameters, headers, plain JSON and text answers.
#[path = "general/expected/mod.rs"]
pub mod general;

/// The Vault's conventions, loaded strictly: `nextLink` and `Offset`/`Limit` paging, a JSON
/// Patch body, a bare-string secret answer, an empty 204 and a streamed download.
#[path = "vault_style/expected/mod.rs"]
pub mod vault_style;

#[cfg(test)]
#[path = "general_wire.rs"]
mod general_wire;

/// Code a user wrote against version 1. It compiles unchanged against version 2, which shows
/// that adding an optional field or an operation breaks no caller.
macro_rules! user_code_of_version_1 {
    ($api:ident) => {
        pub mod $api {
            use crate::$api::{Client, Org, OrgCreateRequest};

            pub async fn create(client: &Client) -> Result<Org, cyberark_runtime::Error> {
                let org = client
                    .org()
                    .create(OrgCreateRequest::new("Engineering").description("Platform"))
                    .await?;
                let _name: Option<&String> = org.name.as_ref();
                Ok(org)
            }
        }
    };
}

pub mod user_code {
    user_code_of_version_1!(evolve_v1);
    user_code_of_version_1!(evolve_v2);

    /// What version 2 adds is exposed: the new setter, the new result field and the new operation.
    pub async fn uses_version_2(
        client: &crate::evolve_v2::Client,
    ) -> Result<(), cyberark_runtime::Error> {
        use crate::evolve_v2::{OrgCreateRequest, OrgDeleteRequest};
        let org = client
            .org()
            .create(OrgCreateRequest::new("Engineering").path("/eng"))
            .await?;
        let _path: Option<String> = org.path;
        client.org().delete(OrgDeleteRequest::new("org-1")).await?;
        // A call's future does not borrow the temporary handle, so it can be stored or joined.
        let pending = client.org().delete(OrgDeleteRequest::new("org-2"));
        pending.await?;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use crate::obstacle::*;
    use cyberark_runtime::{Encoder, Nullable, Request, Secret};

    /// The obstacle course's wire names survive the Rust names they were given.
    #[test]
    fn wire_names_stay_exact() {
        let request = KeywordsTypeRequest::new("t", Result::new(Option::Some))
            .r#ref(5)
            .self_(true)
            .string(Secret::new("s3cret"))
            .id("upper")
            .id_2("mixed")
            .id_3("lower")
            .extra_2("e")
            .new_2("n")
            .clear_clearable()
            .extra_field("Custom", 1);
        let body = serde_json::to_value(&request).unwrap();
        assert_eq!(
            body,
            serde_json::json!({
                "Result": {"type": "Some"},
                "String": "s3cret",
                "ID": "upper",
                "Id": "mixed",
                "id": "lower",
                "extra": "e",
                "new": "n",
                "Clearable": null,
                "Custom": 1
            })
        );
        assert!(
            !format!("{request:?}").contains("s3cret"),
            "secrets are redacted in Debug"
        );
        let mut encoder = Encoder::new(KeywordsTypeRequest::OPERATION);
        request.encode(&mut encoder).unwrap();
        let absent = KeywordsTypeRequest::new("t", Result::new(Option::None));
        assert_eq!(absent.clearable, Nullable::Absent);
        assert!(
            serde_json::to_value(&absent)
                .unwrap()
                .get("Clearable")
                .is_none()
        );
    }

    /// Enum values that are awkward as identifiers still round-trip, and unknown ones are kept.
    #[test]
    fn awkward_enum_values_round_trip() {
        for wire in [
            "Some",
            "None",
            "",
            "1st",
            "a-b",
            "A_B",
            "Unknown",
            "brand-new",
        ] {
            let value: Option = serde_json::from_value(serde_json::json!(wire)).unwrap();
            assert_eq!(
                serde_json::to_value(&value).unwrap(),
                serde_json::json!(wire)
            );
        }
        assert_eq!(Option::Unknown2.as_str(), "Unknown");
    }

    /// Types whose names differ only in case, or collide with generated names, all exist.
    #[test]
    fn colliding_type_names_are_distinct() {
        let _ = (User::new(), User2::new(), ClientType::new(), String::new());
        let unknown: User =
            serde_json::from_value(serde_json::json!({"userName": "a", "Other": 2})).unwrap();
        assert_eq!(unknown.extra.get("Other"), Some(&serde_json::json!(2)));
    }
}
