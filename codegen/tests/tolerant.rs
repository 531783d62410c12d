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
    assert!(
        api.operations.iter().all(|o| !o.idempotent),
        "missing idempotency means false"
    );
    let text: Vec<String> = warnings.iter().map(ToString::to_string).collect();
    let has = |needle: &str| text.iter().any(|w| w.contains(needle));
    assert!(has("has no operationId; named Roles_GetRole"), "{text:#?}");
    assert!(has("does not say whether it is idempotent"), "{text:#?}");
    assert!(has("per-operation servers are ignored"), "{text:#?}");
    assert!(has("extension x-idap-anon is not understood"), "{text:#?}");
    assert!(has("no JSON content"), "{text:#?}");
    assert!(has("oneOf"), "{text:#?}");
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
