//! Loading ordinary OpenAPI 3.0 features strictly: a document-wide convention, readOnly and
//! writeOnly properties, defaults in the docs, recursion found from the type graph.

use cyberark_codegen::ir::{Answer, Convention, TypeKind, TypeRef};
use cyberark_codegen::load::load;

const SPEC: &str = r#"
openapi: 3.0.3
info: {title: T, version: "1"}
x-cyberark-convention: plain
tags: [{name: Items}]
paths:
  /items:
    post:
      operationId: Items_Create
      tags: [Items]
      requestBody:
        content:
          application/json:
            schema:
              type: object
              required: [id, name]
              properties:
                id: {type: string, readOnly: true}
                name: {type: string}
                size: {type: integer, default: 3, description: How many.}
      responses:
        '200':
          description: It existed already.
          content:
            application/json:
              schema: {$ref: '#/components/schemas/Item'}
        '201':
          description: Created.
          content:
            application/json:
              schema: {$ref: '#/components/schemas/Item'}
  /items/report:
    get:
      operationId: Items_Report
      tags: [Items]
      x-cyberark-idempotent: false
      responses:
        '200':
          description: A report.
          content:
            text/csv:
              schema: {type: string}
components:
  schemas:
    Item:
      type: object
      required: [id, secret, next]
      properties:
        id: {type: string, readOnly: true}
        secret: {type: string, writeOnly: true}
        next: {$ref: '#/components/schemas/Link'}
    Link:
      type: object
      properties:
        item: {$ref: '#/components/schemas/Item'}
"#;

#[test]
fn a_document_wide_convention_applies_to_every_operation() {
    let api = load(SPEC, "t.yaml").expect("loads strictly");
    assert!(
        api.operations
            .iter()
            .all(|o| o.convention == Convention::Plain)
    );
    let report = &api.operations[1];
    assert_eq!(
        (report.answer, &report.result),
        (Answer::Text, &TypeRef::String)
    );
    assert!(!report.idempotent, "the spec's word wins over the method");
    assert!(
        !api.operations[0].idempotent,
        "POST is not idempotent by default"
    );
}

#[test]
fn read_only_is_not_sent_and_neither_is_required_of_shared_types() {
    let api = load(SPEC, "t.yaml").expect("loads strictly");
    let create = &api.operations[0];
    let wires: Vec<&str> = create
        .request
        .fields
        .iter()
        .map(|f| f.wire.as_str())
        .collect();
    assert_eq!(
        wires,
        ["name", "size"],
        "readOnly id is not a request field"
    );
    let size = &create.request.fields[1];
    assert_eq!(size.docs.as_deref(), Some("How many.\n\nDefault: `3`."));
    let Some(TypeKind::Struct { fields, .. }) = api.types.get("Item").map(|d| &d.kind) else {
        panic!("Item is a struct");
    };
    let required: Vec<(&str, bool)> = fields
        .iter()
        .map(|f| (f.wire.as_str(), f.required))
        .collect();
    assert_eq!(required, [("id", false), ("secret", false), ("next", true)]);
}

#[test]
fn recursion_is_boxed_where_the_type_graph_cycles() {
    let api = load(SPEC, "t.yaml").expect("loads strictly");
    let boxed = |ty: &str, wire: &str| match api.types.get(ty).map(|d| &d.kind) {
        Some(TypeKind::Struct { fields, .. }) => {
            fields.iter().find(|f| f.wire == wire).map(|f| f.boxed)
        }
        _ => None,
    };
    // Item → Link → Item: a cycle through two types, whatever their names.
    assert_eq!(boxed("Item", "next"), Some(true));
    assert_eq!(boxed("Link", "item"), Some(true));
    assert_eq!(boxed("Item", "id"), Some(false));
}

/// The stubs of the general fixture type unions as Python unions, with `Any` for the JSON kept
/// by the `Unknown` arm, and a download writes its body to the `to=` target in chunks (a path
/// or a binary file object) instead of being refused or dropping its body.
#[test]
fn python_outputs_of_the_general_fixture() {
    use cyberark_codegen::emit::{PythonLayout, SignIn, python, stubs};
    use cyberark_codegen::load::{LoadOptions, load_with};
    const GENERAL: &str = include_str!("snapshots/general/spec.yaml");
    let (api, _) = load_with(GENERAL, "general.yaml", LoadOptions { tolerant: true }).unwrap();
    let target = PythonLayout {
        rust_path: "codegen_snapshots::general".to_owned(),
        dir: "generated".to_owned(),
        module: "general._native".to_owned(),
        stubs: "_native.pyi".to_owned(),
        sign_in: SignIn::Identity,
        primary: false,
    };
    let stub = stubs::emit(&api, &target).expect("stubs are emitted");
    assert!(
        stub.contents.contains("-> Cat | Dog | Any"),
        "{}",
        stub.contents
    );
    assert!(
        stub.contents.contains("-> str | Match | Any"),
        "{}",
        stub.contents
    );
    assert!(
        stub.contents.contains(
            "def recording(self, id: str, *, to: StrPath | SupportsWrite[bytes]) -> int:"
        ),
        "{}",
        stub.contents
    );
    // Further modules take the shared page iterators from the extension module and do not
    // repeat its hand-written classes.
    assert!(
        stub.contents
            .contains("from cyberark_identity._native import")
    );
    assert!(!stub.contents.contains("class Sandbox"));
    let files = python::emit(&api, &target).expect("the pyo3 layer is emitted");
    let shapes = files
        .iter()
        .find(|f| f.path == "generated/shapes.rs")
        .expect("a file per tag");
    let text: String = shapes.contents.split_whitespace().collect();
    assert!(
        text.contains("crate::download::download(py,to,asyncmove{client.download(&request).await}"),
        "{}",
        shapes.contents
    );
    assert!(text.contains("module=\"general._native\""));
    assert!(text.contains("use::codegen_snapshots::generalasclient_api;"));
}
