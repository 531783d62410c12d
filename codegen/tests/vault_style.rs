//! Loading the Vault's conventions strictly: the `vault` convention, `nextlink` and
//! `offset-limit` paging, bare-string secret answers, empty answers, JSON Patch bodies and
//! downloads; and the errors a malformed paging declaration gets.

use cyberark_codegen::ir::{Answer, Body, Convention, PagingStyle, TypeRef};
use cyberark_codegen::load::load;

const FIXTURE: &str = include_str!("snapshots/vault_style/spec.yaml");

#[test]
fn the_vault_fixture_loads_its_conventions_as_data() {
    let api = load(FIXTURE, "vault_style/spec.yaml").unwrap();
    let op = |id: &str| api.operations.iter().find(|o| o.id == id).unwrap();
    assert!(
        api.operations
            .iter()
            .all(|o| o.convention == Convention::Vault)
    );

    let list = op("Things_List").paging.as_ref().unwrap();
    assert_eq!(list.style, PagingStyle::NextLink);
    assert_eq!(list.items_field, "value");
    assert_eq!(list.total_field.as_ref().unwrap().rust, "count");
    assert_eq!(list.next_link_field.as_ref().unwrap().rust, "next_link");

    let sessions = op("Things_Sessions").paging.as_ref().unwrap();
    assert_eq!(sessions.style, PagingStyle::OffsetLimit);
    assert_eq!(sessions.items_field, "sessions");
    assert_eq!(sessions.total_field.as_ref().unwrap().rust, "total");
    assert!(sessions.next_link_field.is_none());

    assert_eq!(op("Things_Retrieve").result, TypeRef::Secret);
    assert_eq!(op("Things_Delete").result, TypeRef::Unit);
    assert_eq!(op("Things_Play").answer, Answer::Bytes);
    assert_eq!(op("Things_Play").bytes_alternative, None);
    let monitor = op("Things_Monitor");
    assert_eq!(monitor.answer, Answer::Json);
    assert_eq!(
        monitor.bytes_alternative.as_deref(),
        Some("application/octet-stream")
    );
    assert_eq!(op("Things_List").bytes_alternative, None);
    let update = op("Things_Update");
    assert!(matches!(update.request.body, Body::JsonWhole { .. }));
    let body = update
        .request
        .fields
        .iter()
        .find(|f| f.rust == "body")
        .unwrap();
    assert_eq!(
        body.ty,
        TypeRef::List(Box::new(TypeRef::Named("PatchOperation".to_owned())))
    );
}

fn load_error(from: &str, to: &str) -> String {
    let spec = FIXTURE.replacen(from, to, 1);
    assert_ne!(spec, FIXTURE, "the fixture has {from:?}");
    load(&spec, "vault_style/spec.yaml")
        .unwrap_err()
        .to_string()
}

#[test]
fn malformed_vault_paging_is_refused_with_its_place() {
    let message = load_error("nextLink: {type: string}", "next: {type: string}");
    assert!(
        message.contains("nextlink paging needs a string property nextLink"),
        "{message}"
    );
    assert!(message.contains("x-cyberark-paging"), "{message}");
    let message = load_error(
        "{style: offset-limit, items: Sessions, total: Total}",
        "{style: offset-limit}",
    );
    assert!(
        message.contains("offset-limit paging needs items"),
        "{message}"
    );
    let message = load_error("- {name: Offset, in: query", "- {name: Start, in: query");
    assert!(
        message.contains("needs a request parameter \"Offset\""),
        "{message}"
    );
    let message = load_error(
        "x-cyberark-convention: vault",
        "x-cyberark-convention: pvwa",
    );
    assert!(message.contains("plain or vault"), "{message}");
    let message = load_error("style: nextlink", "style: next-link");
    assert!(message.contains("nextlink or offset-limit"), "{message}");
}
