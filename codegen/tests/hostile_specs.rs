//! Hostile or broken specs and overlays: deep nesting and `$ref` cycles give an error naming the
//! spot, never a stack overflow or a hang.

use cyberark_codegen::load::{LoadOptions, load, load_with};
use cyberark_codegen::overlay;

/// A one-operation spec whose answer schema is `schema` (YAML flow text) and whose components
/// are `components` (YAML block text, indented by four spaces).
fn spec(schema: &str, components: &str) -> String {
    format!(
        r#"openapi: 3.0.3
info: {{title: Hostile, version: '1'}}
tags: [{{name: Org}}]
paths:
  /Org/Get:
    post:
      operationId: Org_Get
      tags: [Org]
      x-cyberark-idempotent: true
      responses:
        '200':
          description: ok
          content:
            application/json:
              schema: {schema}
components:
  schemas:
{components}
"#
    )
}

fn fails_naming(source: &str, needle: &str) -> String {
    for options in [
        LoadOptions { tolerant: false },
        LoadOptions { tolerant: true },
    ] {
        let error = load_with(source, "hostile.yaml", options)
            .map(drop)
            .expect_err("a hostile spec is refused");
        let text = error.to_string();
        assert!(text.starts_with("hostile.yaml#"), "{text}");
        assert!(text.contains(needle), "{needle:?} not in {text}");
    }
    load(source, "hostile.yaml").unwrap_err().to_string()
}

#[test]
fn ref_cycles_between_components_are_errors() {
    let source = spec(
        "{$ref: '#/components/schemas/A'}",
        "    A: {$ref: '#/components/schemas/B'}\n    B: {$ref: '#/components/schemas/A'}\n    Unused: {type: string}",
    );
    fails_naming(&source, "/components/schemas/");
}

#[test]
fn a_component_referring_to_itself_is_an_error() {
    let source = spec(
        "{$ref: '#/components/schemas/A'}",
        "    A: {$ref: '#/components/schemas/A'}",
    );
    fails_naming(&source, "/components/schemas/A");
}

#[test]
fn all_of_cycles_are_errors() {
    let source = spec(
        "{$ref: '#/components/schemas/A'}",
        "    A: {allOf: [{$ref: '#/components/schemas/B'}, {type: object, properties: {x: {type: string}}}]}\n    B: {allOf: [{$ref: '#/components/schemas/A'}, {type: object, properties: {y: {type: string}}}]}",
    );
    fails_naming(&source, "/components/schemas/");
}

#[test]
fn deeply_nested_schemas_are_errors() {
    // Nested inline arrays, deeper than any real spec but within the parser's bounds.
    let depth = 50;
    let schema = format!(
        "{}{{type: string}}{}",
        "{type: array, items: ".repeat(depth),
        "}".repeat(depth)
    );
    let source = spec("{type: string}", &format!("    Deep: {schema}"));
    let error = fails_naming(&source, "the schema nests deeper than 32 levels");
    assert!(error.contains("/items/items/items"), "{error}");
}

#[test]
fn absurdly_deep_documents_are_parse_errors() {
    let depth = 100_000;
    let schema = format!("{}{}", "[".repeat(depth), "]".repeat(depth));
    let source = spec(&schema, "    Unused: {type: string}");
    let error = load(&source, "hostile.yaml").unwrap_err();
    assert!(error.to_string().starts_with("hostile.yaml#"), "{error}");
    let error = overlay::parse_document(&source, "hostile.yaml").unwrap_err();
    assert!(error.to_string().contains("hostile.yaml"), "{error}");
}

#[test]
fn deep_overlays_are_errors_not_crashes() {
    let doc = overlay::parse_document(
        &spec("{type: string}", "    A: {type: string}"),
        "spec.yaml",
    )
    .unwrap();
    let depth = 100_000;
    let update = format!("{}1{}", "{a: ".repeat(depth), "}".repeat(depth));
    let source = format!(
        "overlay: 1.0.0\ninfo: {{title: t, version: '1'}}\nactions:\n  - target: $.info\n    update: {update}\n"
    );
    let error = overlay::apply(doc, &source, "deep.yaml").unwrap_err();
    assert!(error.to_string().contains("deep.yaml"), "{error}");
}

/// Found by `cargo xtask fuzz`: a duplicate key inside a schema made `openapiv3` panic ("somehow
/// this parsed successfully the second time"), which ended the generator. It is an error now.
#[test]
fn a_panic_in_the_parser_is_an_error() {
    let source = spec("{type: string, type: string}", "    A: {type: string}");
    let error = load(&source, "hostile.yaml").unwrap_err().to_string();
    assert!(error.starts_with("hostile.yaml#"), "{error}");
    assert!(error.contains("the parser failed"), "{error}");
}
