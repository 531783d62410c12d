//! In-memory tests of the report itself; the table of spec edits, with their classifications
//! checked against the generated code, is `codegen/tests/spec_diff.rs`.

use super::*;
use crate::load::load;

const SPEC: &str = r#"
openapi: 3.0.3
info: {title: T, version: "1"}
tags: [{name: Org}]
paths:
  /Org/Get:
    post:
      operationId: Org_Get
      tags: [Org]
      x-cyberark-idempotent: true
      parameters:
        - {name: ID, in: query, required: true, schema: {type: string}}
      responses:
        '200':
          description: ok
          content:
            application/json:
              schema:
                allOf:
                  - $ref: '#/components/schemas/Envelope'
                  - type: object
                    properties:
                      Result: {type: string}
components:
  schemas:
    Envelope:
      type: object
      properties:
        success: {type: boolean}
"#;

fn report(old: &str, new: &str) -> Report {
    let old = load(old, "old.yaml").expect("old spec loads");
    let new = load(new, "new.yaml").expect("new spec loads");
    diff(&old, &new)
}

#[test]
fn the_same_spec_has_no_changes() {
    let r = report(SPEC, SPEC);
    assert_eq!(r.changes, vec![]);
    assert_eq!(r.rust_bump(), Bump::None);
    assert_eq!(r.summary(), "no API changes");
    assert!(r.markdown().contains("No API changes."));
}

#[test]
fn every_format_names_the_change_and_both_bumps() {
    let new = SPEC.replace(
        "x-cyberark-idempotent: true",
        "x-cyberark-idempotent: false",
    );
    let r = report(SPEC, &new);
    assert_eq!(r.changes.len(), 1, "{r:#?}");
    assert_eq!(r.changes[0].kind, ChangeKind::IdempotencyChanged);
    assert!(!r.is_breaking());
    let text = r.text();
    assert!(
        text.contains("Org_Get") && text.contains("rust patch"),
        "{text}"
    );
    assert!(
        r.markdown()
            .contains("| `Org_Get`: idempotent true → false"),
        "{}",
        r.markdown()
    );
    let json = r.json();
    assert_eq!(json["rust"], "patch");
    assert_eq!(json["python"], "patch");
    assert_eq!(json["breaking"], false);
    assert_eq!(json["changes"][0]["kind"], "idempotency_changed");
}

#[test]
fn a_new_required_query_parameter_is_major_for_both() {
    let new = SPEC.replace(
        "        - {name: ID, in: query, required: true, schema: {type: string}}\n",
        "        - {name: ID, in: query, required: true, schema: {type: string}}\n        - {name: Scope, in: query, required: true, schema: {type: string}}\n",
    );
    let r = report(SPEC, &new);
    assert!(r.is_breaking());
    let added = &r.changes[0];
    assert_eq!(added.kind, ChangeKind::FieldAdded);
    assert_eq!(added.subject, "Org_Get request Scope");
    assert!(
        added.rust.reason.contains("`OrgGetRequest::new`"),
        "{added:?}"
    );
    assert!(
        added.python.reason.contains("`client.org.get`"),
        "{added:?}"
    );
}
