//! Tolerant loading of definitions in the vendor's style, and overlays correcting them.

use cyberark_codegen::ir::TypeRef;
use cyberark_codegen::load::{LoadOptions, load, load_with};

const VENDOR: &str = include_str!("snapshots/vendor_style/spec.yaml");
const TOLERANT: LoadOptions = LoadOptions { tolerant: true };

#[test]
fn strict_loading_rejects_the_vendor_style() {
    let err = load(VENDOR, "vendor.yaml").unwrap_err();
    assert!(err.to_string().starts_with("vendor.yaml#/paths/"), "{err}");
}

#[test]
fn tolerant_loading_names_operations_after_paths_and_warns() {
    let (api, warnings) = load_with(VENDOR, "vendor.yaml", TOLERANT).expect("loads tolerantly");
    let names: Vec<(&str, &str, &str)> = api
        .operations
        .iter()
        .map(|o| (o.tag.as_str(), o.method_name.as_str(), o.id.as_str()))
        .collect();
    assert_eq!(
        names,
        [
            ("Roles", "store_role", "Roles_StoreRole"),
            ("Roles", "get_role", "Roles_GetRole"),
            ("Roles", "export", "Roles_Export"),
            ("Roles", "update", "Roles_Update"),
            ("Sessions", "sign_out", "Sessions_SignOut"),
        ]
    );
    assert_eq!(api.tags[0].handle, "roles");
    // A missing x-cyberark-idempotent follows the method: the GET is idempotent, the POSTs not.
    let idempotent: Vec<(&str, bool)> = api
        .operations
        .iter()
        .map(|o| (o.id.as_str(), o.idempotent))
        .collect();
    assert_eq!(
        idempotent,
        [
            ("Roles_StoreRole", false),
            ("Roles_GetRole", false),
            ("Roles_Export", true),
            ("Roles_Update", false),
            ("Sessions_SignOut", false),
        ]
    );
    let text: Vec<String> = warnings.iter().map(ToString::to_string).collect();
    let has = |needle: &str| text.iter().any(|w| w.contains(needle));
    assert!(has("has no operationId; named Roles_GetRole"), "{text:#?}");
    assert!(has("per-operation servers are ignored"), "{text:#?}");
    assert!(has("extension x-idap-anon is not understood"), "{text:#?}");
    assert!(has("no JSON content"), "{text:#?}");
    // Loose bodies and the HTML page are JSON values; the envelope's own Result is unwrapped.
    let export = &api.operations[2];
    assert_eq!(export.result, TypeRef::Json);
    let update = &api.operations[3];
    assert_eq!(update.request.fields[0].ty, TypeRef::Json);
    assert!(matches!(&api.operations[0].result, TypeRef::Named(n) if n == "RolesStoreRoleResult"));
    let docs = api.operations[0].description.as_deref().unwrap_or_default();
    assert!(
        docs.contains("a **role**") && docs.contains("[roles](https://example.com/roles) & rights"),
        "{docs}"
    );
}

#[test]
fn an_overlay_corrects_a_dropped_in_definition() {
    let overlay = "overlay: 1.0.0\ninfo: {title: Corrections, version: 1.0.0}\nactions:\n  - target: \"$.paths['/Roles/GetRole'].post\"\n    update: {operationId: Roles_GetRole, tags: [Roles], x-cyberark-idempotent: true}\n";
    let text = cyberark_codegen::overlay::apply_all(
        VENDOR,
        "vendor.yaml",
        &[("overlays/10-roles.yaml".to_owned(), overlay.to_owned())],
    )
    .expect("the overlay applies");
    let (api, warnings) = load_with(&text, "vendor.yaml", TOLERANT).expect("loads");
    let get = api
        .operations
        .iter()
        .find(|o| o.id == "Roles_GetRole")
        .expect("GetRole");
    assert!(get.idempotent);
    assert!(
        !warnings
            .iter()
            .any(|w| w.message.contains("named Roles_GetRole"))
    );
    let missing = "overlay: 1.0.0\ninfo: {title: t, version: '1'}\nactions:\n  - target: \"$.paths['/Roles/Gone'].post\"\n    remove: true\n";
    let err = cyberark_codegen::overlay::apply_all(
        VENDOR,
        "vendor.yaml",
        &[("overlays/20-gone.yaml".to_owned(), missing.to_owned())],
    )
    .unwrap_err();
    assert!(
        err.to_string()
            .contains("overlays/20-gone.yaml: target $.paths['/Roles/Gone'].post"),
        "{err}"
    );
}

/// Ordinary OpenAPI 3.0 with none of the CyberArk extensions loads tolerantly, without errors,
/// and every answer that has a schema is typed.
#[test]
fn a_general_spec_loads_tolerantly_and_types_every_answer() {
    const GENERAL: &str = include_str!("snapshots/general/spec.yaml");
    let (api, warnings) =
        load_with(GENERAL, "general.yaml", TOLERANT).expect("loads tolerantly without errors");
    for op in &api.operations {
        assert_ne!(op.result, TypeRef::Json, "{} is typed", op.id);
    }
    let by_id = |id: &str| api.operations.iter().find(|o| o.id == id).unwrap();
    assert!(
        by_id("Nodes_Get").idempotent,
        "GET is idempotent by default"
    );
    assert!(!by_id("Nodes_Create").idempotent, "POST is not");
    assert_eq!(by_id("Nodes_Delete").result, TypeRef::Unit);
    assert_eq!(by_id("Shapes_Readme").result, TypeRef::String);
    assert_eq!(
        by_id("Shapes_Legacy").deprecated.as_deref(),
        Some("Use Shapes_Flags instead.")
    );
    let text: Vec<String> = warnings.iter().map(ToString::to_string).collect();
    assert!(
        text.iter().all(|w| w.contains("read as plain JSON")),
        "the only warnings say that answers are read as plain JSON: {text:#?}"
    );
}

/// What cannot be expressed is refused with the place in the spec, even in tolerant mode.
#[test]
fn inexpressible_parameters_are_refused_with_their_location() {
    const GENERAL: &str = include_str!("snapshots/general/spec.yaml");
    let spec = GENERAL.replace(
        "          style: deepObject\n          schema: {type: object, additionalProperties: {type: string}}",
        "          style: deepObject\n          schema: {type: array, items: {type: string}}",
    );
    assert_ne!(spec, GENERAL);
    let err = load_with(&spec, "general.yaml", TOLERANT).unwrap_err();
    assert_eq!(err.pointer, "/paths/~1nodes~1{id}/get/parameters/3");
    assert!(err.message.contains("deepObject"), "{err}");
}

/// CyberArk's Role Management definition has an array without `items`: strict loading refuses
/// it with the spot named, tolerant loading keeps the items as JSON and says so.
#[test]
fn an_array_without_items_is_json_when_tolerant_and_an_error_when_strict() {
    let spec = r#"
openapi: 3.0.1
info: {title: t, version: '1'}
paths:
  /Roles/TestDynamicRoleScript:
    post:
      operationId: Roles_TestDynamicRoleScript
      tags: [Roles]
      responses:
        '200':
          description: ok
          content:
            application/json:
              schema: {$ref: '#/components/schemas/Outcome'}
tags: [{name: Roles}]
components:
  schemas:
    Outcome:
      type: object
      properties:
        Trace: {type: array}
"#;
    let err = load(spec, "roles.yaml").unwrap_err().to_string();
    assert!(
        err.contains("roles.yaml#/components/schemas/Outcome/properties/Trace")
            && err.contains("must say what its items are"),
        "{err}"
    );
    let (api, warnings) = load_with(spec, "roles.yaml", TOLERANT).expect("loads tolerantly");
    let outcome = &api.types["Outcome"];
    let cyberark_codegen::ir::TypeKind::Struct { fields, .. } = &outcome.kind else {
        panic!("Outcome is a struct: {outcome:?}");
    };
    assert_eq!(fields[0].ty, TypeRef::List(Box::new(TypeRef::Json)));
    assert!(
        warnings
            .iter()
            .any(|w| w.pointer.ends_with("/Trace") && w.message.contains("without `items`")),
        "{warnings:?}"
    );
}
