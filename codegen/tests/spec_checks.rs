//! The spec checks, held against the curated spec and against copies of it broken on purpose.
//!
//! Each "breaking" test takes the real `spec/identity.yaml` (or, while it does not exist, the
//! small valid fixture), changes one thing in memory, and asserts that exactly the expected
//! finding appears, at the exact JSON pointer. Findings are compared with those of the unchanged
//! document, so the tests stay meaningful even while the curated spec still has findings.

use std::path::PathBuf;
use std::sync::OnceLock;

use cyberark_codegen::check::{Finding, Report, Rule, check_spec};
use serde_json::{Value, json};

fn manifest_dir() -> PathBuf {
    // `cargo test` sets `CARGO_MANIFEST_DIR` at run time: the checkout under test, even when the
    // binary was compiled for another checkout sharing the target directory.
    PathBuf::from(std::env::var_os("CARGO_MANIFEST_DIR").expect("run by cargo test"))
}

fn fixture_text(name: &str) -> String {
    let path = manifest_dir().join("tests/fixtures/check").join(name);
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

fn parse(text: &str) -> Value {
    serde_yaml_ng::from_str(text).expect("the base spec parses")
}

/// The document the breaking tests start from: the curated spec when it exists, else the fixture.
/// It is read and checked once; every breaking test compares against that report.
fn base() -> &'static Value {
    &base_and_report().0
}

fn base_and_report() -> &'static (Value, Report) {
    static BASE: OnceLock<(Value, Report)> = OnceLock::new();
    BASE.get_or_init(|| {
        let real = manifest_dir().join("../spec/identity.yaml");
        let document = match std::fs::read_to_string(&real) {
            Ok(text) => parse(&text),
            Err(_) => {
                eprintln!("spec/identity.yaml is missing; breaking the fixture valid.yaml instead");
                parse(&fixture_text("valid.yaml"))
            }
        };
        let report = check(&document);
        (document, report)
    })
}

fn check(document: &Value) -> Report {
    let text = serde_json::to_string_pretty(document).unwrap();
    check_spec(&text, "mutated.yaml")
}

/// The findings `mutated` has and `original` does not.
fn new_findings(original: &Value, mutated: &Value) -> Vec<Finding> {
    let (base, base_report) = base_and_report();
    let before = if std::ptr::eq(original, base) {
        base_report.clone()
    } else {
        check(original)
    };
    let after = check(mutated);
    after
        .findings
        .into_iter()
        .filter(|f| !before.findings.contains(f))
        .collect()
}

fn summary(findings: &[Finding]) -> String {
    findings.iter().map(|f| format!("{f}\n")).collect()
}

fn escape(token: &str) -> String {
    token.replace('~', "~0").replace('/', "~1")
}

/// Every operation as (pointer, operationId), in the order the checks see them.
fn operations(document: &Value) -> Vec<(String, String)> {
    let mut out = Vec::new();
    for (path, item) in document["paths"].as_object().unwrap() {
        for method in [
            "get", "put", "post", "delete", "options", "head", "patch", "trace",
        ] {
            if let Some(op) = item.get(method) {
                let id = op["operationId"].as_str().unwrap_or_default().to_owned();
                out.push((format!("/paths/{}/{method}", escape(path)), id));
            }
        }
    }
    assert!(
        out.len() >= 2,
        "the base spec needs at least two operations"
    );
    out
}

/// The pointer of the first node satisfying `pick`, searching `value` depth-first.
fn find(value: &Value, pointer: &str, pick: &dyn Fn(&str, &Value) -> bool) -> Option<String> {
    if pick(pointer, value) {
        return Some(pointer.to_owned());
    }
    match value {
        Value::Object(object) => object
            .iter()
            .find_map(|(k, v)| find(v, &format!("{pointer}/{}", escape(k)), pick)),
        Value::Array(items) => items
            .iter()
            .enumerate()
            .find_map(|(i, v)| find(v, &format!("{pointer}/{i}"), pick)),
        _ => None,
    }
}

#[test]
fn the_curated_spec_is_clean() {
    let path = manifest_dir().join("../spec/identity.yaml");
    let text = std::fs::read_to_string(&path)
        .unwrap_or_else(|e| panic!("cannot read {}: {e}", path.display()));
    let report = check_spec(&text, "spec/identity.yaml");
    assert!(
        report.is_clean(),
        "the curated spec has findings:\n{report}"
    );
}

/// The Vault spec passes the same checks: every `$ref` resolves, every example validates
/// against its schema, operationIds are unique, and the vendor extensions are well placed.
#[test]
fn the_vault_spec_is_clean() {
    let path = manifest_dir().join("../spec/vault.yaml");
    let text = std::fs::read_to_string(&path)
        .unwrap_or_else(|e| panic!("cannot read {}: {e}", path.display()));
    let report = check_spec(&text, "spec/vault.yaml");
    assert!(report.is_clean(), "the Vault spec has findings:\n{report}");
}

#[test]
fn the_valid_fixture_is_clean() {
    let report = check_spec(&fixture_text("valid.yaml"), "valid.yaml");
    assert!(report.is_clean(), "{report}");
    assert_eq!(report.to_string(), "valid.yaml: no findings\n");
}

#[test]
fn a_dangling_ref_is_reported_where_the_ref_is() {
    let original = base();
    // A reference inside a component (or, failing that, an operation) that is not the envelope
    // part of a response, so that breaking it breaks nothing else.
    let pick = |p: &str, v: &Value| {
        v.get("$ref").is_some_and(Value::is_string) && !p.ends_with("/allOf/0")
    };
    let at = find(
        &original["components"]["schemas"],
        "/components/schemas",
        &pick,
    )
    .or_else(|| find(&original["paths"], "/paths", &pick))
    .expect("the spec has a $ref");
    let mut mutated = original.clone();
    mutated.pointer_mut(&at).unwrap()["$ref"] = json!("#/components/schemas/NoSuchSchema");

    let new = new_findings(original, &mutated);
    assert_eq!(new.len(), 1, "{}", summary(&new));
    assert_eq!(new[0].rule, Rule::DanglingRef);
    assert_eq!(new[0].pointer, format!("{at}/$ref"));
    assert!(
        new[0].message.contains("#/components/schemas/NoSuchSchema"),
        "{}",
        new[0]
    );
}

/// Resolves `$ref`s of a schema (a few hops).
fn deref<'a>(document: &'a Value, mut schema: &'a Value) -> &'a Value {
    for _ in 0..8 {
        match schema.get("$ref").and_then(Value::as_str) {
            Some(r) => schema = document.pointer(r.trim_start_matches('#')).unwrap(),
            None => break,
        }
    }
    schema
}

/// The schema of property `name` of an object schema, looking through `allOf`.
fn property<'a>(document: &'a Value, schema: &'a Value, name: &str) -> Option<&'a Value> {
    let schema = deref(document, schema);
    if let Some(p) = schema.get("properties").and_then(|p| p.get(name)) {
        return Some(p);
    }
    schema
        .get("allOf")?
        .as_array()?
        .iter()
        .find_map(|part| property(document, part, name))
}

/// A scalar inside `example` whose schema is a plain (non-nullable, non-enum) string or
/// integer: its path inside the example, and the wrong value to put there.
fn typed_leaf(
    document: &Value,
    schema: &Value,
    example: &Value,
    at: &str,
) -> Option<(String, Value)> {
    let schema = deref(document, schema);
    match example {
        Value::Object(object) => object.iter().find_map(|(k, v)| {
            let child = property(document, schema, k)?;
            typed_leaf(document, child, v, &format!("{at}/{}", escape(k)))
        }),
        Value::Array(items) => {
            let child = schema.get("items")?;
            items
                .iter()
                .enumerate()
                .find_map(|(i, v)| typed_leaf(document, child, v, &format!("{at}/{i}")))
        }
        _ => {
            let plain = schema.get("nullable").is_none()
                && schema.get("enum").is_none()
                && schema.get("allOf").is_none();
            match schema.get("type").and_then(Value::as_str) {
                Some("string") if plain => Some((at.to_owned(), json!(12345))),
                Some("integer") if plain => Some((at.to_owned(), json!("not a number"))),
                _ => None,
            }
        }
    }
}

/// An inline example in an operation with a typed leaf: (example pointer, leaf path, wrong
/// value, operationId).
fn example_with_typed_leaf(document: &Value) -> Option<(String, String, Value, String)> {
    for (op_pointer, id) in operations(document) {
        let op = document.pointer(&op_pointer).unwrap();
        let mut media_types = Vec::new();
        if let Some(content) = op
            .pointer("/requestBody/content")
            .and_then(Value::as_object)
        {
            for (m, mt) in content {
                media_types.push((
                    format!("{op_pointer}/requestBody/content/{}", escape(m)),
                    mt,
                ));
            }
        }
        for (code, response) in op["responses"].as_object().into_iter().flatten() {
            for (m, mt) in response
                .get("content")
                .and_then(Value::as_object)
                .into_iter()
                .flatten()
            {
                media_types.push((
                    format!("{op_pointer}/responses/{code}/content/{}", escape(m)),
                    mt,
                ));
            }
        }
        for (mt_pointer, mt) in media_types {
            let Some(schema) = mt.get("schema") else {
                continue;
            };
            let mut cases = Vec::new();
            if let Some(example) = mt.get("example") {
                cases.push((format!("{mt_pointer}/example"), example));
            }
            for (name, ex) in mt
                .get("examples")
                .and_then(Value::as_object)
                .into_iter()
                .flatten()
            {
                if let Some(value) = ex.get("value") {
                    cases.push((
                        format!("{mt_pointer}/examples/{}/value", escape(name)),
                        value,
                    ));
                }
            }
            for (pointer, example) in cases {
                if let Some((leaf, wrong)) = typed_leaf(document, schema, example, "") {
                    return Some((pointer, leaf, wrong, id));
                }
            }
        }
    }
    None
}

#[test]
fn an_example_of_the_wrong_type_is_reported_inside_the_example() {
    let fixture;
    let mut original = base();
    let mut site = example_with_typed_leaf(original);
    if site.is_none() {
        eprintln!("no inline operation example with a typed leaf; breaking the fixture instead");
        fixture = parse(&fixture_text("valid.yaml"));
        original = &fixture;
        site = example_with_typed_leaf(original);
    }
    let (example, leaf, wrong, id) = site.expect("an example with a typed leaf");
    let mut mutated = original.clone();
    *mutated.pointer_mut(&format!("{example}{leaf}")).unwrap() = wrong.clone();

    let new = new_findings(original, &mutated);
    assert_eq!(new.len(), 1, "{}", summary(&new));
    assert_eq!(new[0].rule, Rule::Example);
    assert_eq!(new[0].pointer, format!("{example}{leaf}"));
    assert_eq!(new[0].operation.as_deref(), Some(id.as_str()));
    let expected = if wrong.is_string() {
        "integer"
    } else {
        "string"
    };
    assert!(
        new[0].message.contains(&format!(
            "does not match its schema at {leaf}: {wrong} is not of type \"{expected}\""
        )),
        "{}",
        new[0]
    );
}

/// The curated spec marks the Identity API's timestamps `format: dotnet-date`, and its examples
/// carry them as the tenant writes them, `/Date(ms)/`: the check reads them as the runtime does
/// (with or without an offset), and still reports anything else, RFC 3339 included.
#[test]
fn dotnet_dates_pass_as_date_times_and_garbage_is_reported() {
    let original = base();
    let pointer = find(original, "", &|pointer, value| {
        pointer.contains("/examples/")
            && pointer.ends_with("/CreateDate")
            && value.as_str().is_some_and(|s| s.starts_with("/Date("))
    })
    .expect("an example with a .NET CreateDate");
    for fine in [
        "/Date(1712846804359)/",
        "/Date(1712846804359+0200)/",
        "/Date(-62135596800000)/",
    ] {
        let mut mutated = original.clone();
        *mutated.pointer_mut(&pointer).unwrap() = json!(fine);
        let new = new_findings(original, &mutated);
        assert!(new.is_empty(), "{fine}: {}", summary(&new));
    }
    for garbage in [
        "/Date(soon)/",
        "/Date(1712846804359+2)/",
        "11 April 2024",
        "2024-04-11T14:46:44Z",
    ] {
        let mut mutated = original.clone();
        *mutated.pointer_mut(&pointer).unwrap() = json!(garbage);
        let new = new_findings(original, &mutated);
        assert_eq!(new.len(), 1, "{garbage}: {}", summary(&new));
        assert_eq!(new[0].rule, Rule::Example);
        // The finding sits inside the example, at the field or at the object holding it (the
        // envelope's `Result` is a union, whose failures are reported where it is).
        assert!(pointer.starts_with(&new[0].pointer), "{}", new[0]);
        assert!(new[0].message.contains(garbage), "{}", new[0]);
    }
}

#[test]
fn a_duplicate_operation_id_is_reported_at_both_operations() {
    let original = base();
    let ops = operations(original);
    let (first, id) = &ops[0];
    let (second, _) = &ops[1];
    let mut mutated = original.clone();
    mutated.pointer_mut(second).unwrap()["operationId"] = json!(id);

    let new = new_findings(original, &mutated);
    let mut pointers: Vec<&str> = new.iter().map(|f| f.pointer.as_str()).collect();
    pointers.sort_unstable();
    let mut expected = vec![
        format!("{first}/operationId"),
        format!("{second}/operationId"),
    ];
    expected.sort_unstable();
    assert_eq!(pointers, expected, "{}", summary(&new));
    assert!(new.iter().all(|f| f.rule == Rule::DuplicateOperationId));
    assert!(
        new.iter()
            .all(|f| f.operation.as_deref() == Some(id.as_str()))
    );
    // Each finding names the other place.
    assert!(
        new[0].message.contains(&format!("#{}", new[1].pointer)),
        "{}",
        new[0]
    );
}

#[test]
fn a_missing_summary_is_reported_at_the_operation() {
    let original = base();
    let (op, id) = operations(original).remove(0);
    let mut mutated = original.clone();
    mutated
        .pointer_mut(&op)
        .unwrap()
        .as_object_mut()
        .unwrap()
        .remove("summary");

    let new = new_findings(original, &mutated);
    assert_eq!(new.len(), 1, "{}", summary(&new));
    assert_eq!(new[0].rule, Rule::Summary);
    assert_eq!(new[0].pointer, op);
    assert_eq!(new[0].operation.as_deref(), Some(id.as_str()));
}

#[test]
fn a_missing_200_response_is_reported_at_the_responses() {
    let original = base();
    let (op, _) = operations(original)
        .into_iter()
        .find(|(op, _)| {
            let responses = &original.pointer(op).unwrap()["responses"];
            responses.get("200").is_some()
                && responses.get("201").is_none()
                && responses.get("204").is_none()
        })
        .expect("an operation answering only 200");
    let mut mutated = original.clone();
    mutated
        .pointer_mut(&format!("{op}/responses"))
        .unwrap()
        .as_object_mut()
        .unwrap()
        .remove("200");

    let new = new_findings(original, &mutated);
    assert_eq!(new.len(), 1, "{}", summary(&new));
    assert_eq!(new[0].rule, Rule::SuccessResponse);
    assert_eq!(new[0].pointer, format!("{op}/responses"));
}

#[test]
fn an_operation_without_a_tag_is_reported() {
    let original = base();
    let (op, id) = operations(original).remove(0);
    let mut mutated = original.clone();
    mutated
        .pointer_mut(&op)
        .unwrap()
        .as_object_mut()
        .unwrap()
        .remove("tags");

    let new = new_findings(original, &mutated);
    assert_eq!(new.len(), 1, "{}", summary(&new));
    assert_eq!(new[0].rule, Rule::Tag);
    assert_eq!(new[0].pointer, op);
    assert_eq!(new[0].operation.as_deref(), Some(id.as_str()));
}

#[test]
fn an_undeclared_tag_is_reported_at_the_tag() {
    let original = base();
    let (op, _) = operations(original).remove(0);
    let mut mutated = original.clone();
    mutated.pointer_mut(&op).unwrap()["tags"] = json!(["NoSuchTag"]);

    let new = new_findings(original, &mutated);
    assert_eq!(new.len(), 1, "{}", summary(&new));
    assert_eq!(new[0].rule, Rule::Tag);
    assert_eq!(new[0].pointer, format!("{op}/tags/0"));
}

#[test]
fn an_openapi_version_other_than_3_0_is_reported() {
    let original = base();
    let mut mutated = original.clone();
    mutated["openapi"] = json!("3.1.0");

    let new = new_findings(original, &mutated);
    let version: Vec<&Finding> = new.iter().filter(|f| f.rule == Rule::Version).collect();
    assert_eq!(version.len(), 1, "{}", summary(&new));
    assert_eq!(version[0].pointer, "/openapi");
    assert!(version[0].message.contains("3.1.0"), "{}", version[0]);
    // The model may reject the document too; nothing else may change.
    assert!(
        new.iter()
            .all(|f| matches!(f.rule, Rule::Version | Rule::OpenApi)),
        "{}",
        summary(&new)
    );
}

#[test]
fn a_convention_at_the_root_is_accepted_and_checked() {
    let original = base();
    let mut mutated = original.clone();
    mutated["x-cyberark-convention"] = json!("plain");
    let new = new_findings(original, &mutated);
    assert!(new.is_empty(), "{}", summary(&new));
    mutated["x-cyberark-convention"] = json!("soap");
    let new = new_findings(original, &mutated);
    assert_eq!(new.len(), 1, "{}", summary(&new));
    assert_eq!(new[0].rule, Rule::Convention);
    assert_eq!(new[0].pointer, "/x-cyberark-convention");
}

#[test]
fn a_secret_integer_is_reported_at_the_extension() {
    let original = base();
    let at = find(
        &original["components"]["schemas"],
        "/components/schemas",
        &|p, v| p.contains("/properties/") && v.get("type") == Some(&json!("integer")),
    )
    .expect("a component with an integer property");
    let mut mutated = original.clone();
    mutated.pointer_mut(&at).unwrap()["x-cyberark-secret"] = json!(true);

    let new = new_findings(original, &mutated);
    assert_eq!(new.len(), 1, "{}", summary(&new));
    assert_eq!(new[0].rule, Rule::Secret);
    assert_eq!(new[0].pointer, format!("{at}/x-cyberark-secret"));
    assert!(new[0].message.contains("\"integer\""), "{}", new[0]);
}

#[test]
fn a_finding_reads_as_file_pointer_operation_and_message() {
    let original = parse(&fixture_text("valid.yaml"));
    let mut mutated = original.clone();
    *mutated
        .pointer_mut("/paths/~1Org~1Create/post/responses/200/content/application~1json/examples/ok/value/Result/Name")
        .unwrap() = json!(5);
    let text = serde_json::to_string(&mutated).unwrap();
    let report = check_spec(&text, "spec/identity.yaml");
    assert_eq!(
        report.to_string(),
        "spec/identity.yaml#/paths/~1Org~1Create/post/responses/200/content/application~1json/examples/ok/value/Result/Name: \
         operation Org_Create: example \"ok\" does not match its schema at /Result/Name: 5 is not of type \"string\"\n\
         spec/identity.yaml: 1 finding\n"
    );
}

#[test]
fn invalid_yaml_is_one_syntax_finding() {
    let report = check_spec("openapi: 3.0.3\npaths: [unclosed\n", "broken.yaml");
    assert_eq!(report.findings.len(), 1, "{report}");
    assert_eq!(report.findings[0].rule, Rule::Syntax);
    assert!(
        report.findings[0]
            .to_string()
            .starts_with("broken.yaml#: not valid YAML")
    );
}

/// The broken fixture holds one instance of each remaining rule; every finding is listed here.
#[test]
fn the_broken_fixture_reports_each_problem_where_it_is() {
    let report = check_spec(&fixture_text("broken.yaml"), "broken.yaml");
    let got: Vec<(Rule, &str, Option<&str>)> = report
        .findings
        .iter()
        .map(|f| (f.rule, f.pointer.as_str(), f.operation.as_deref()))
        .collect();
    let expected: Vec<(Rule, &str, Option<&str>)> = vec![
        (
            Rule::Example,
            "/components/examples/Bad/value/Result",
            Some("Things_Get"),
        ),
        (
            Rule::Secret,
            "/components/schemas/Thing/properties/Count/x-cyberark-secret",
            None,
        ),
        (
            Rule::Example,
            "/components/schemas/Thing/properties/Id/example",
            None,
        ),
        (
            Rule::NullClears,
            "/components/schemas/Thing/x-cyberark-null-clears",
            None,
        ),
        (
            Rule::ExternalRef,
            "/components/schemas/Thing/properties/Other/$ref",
            None,
        ),
        // Sorted by pointer, so the checks above come first; the operations follow.
        (
            Rule::Description,
            "/paths/~1Things~1Get/post",
            Some("Things_Get"),
        ),
        (
            Rule::Idempotent,
            "/paths/~1Things~1Get/post",
            Some("Things_Get"),
        ),
        (
            Rule::Envelope,
            "/paths/~1Things~1Get/post/responses/200/content/application~1json/schema",
            Some("Things_Get"),
        ),
        (
            Rule::Extension,
            "/paths/~1Things~1Get/post/x-cyberark-pageing",
            Some("Things_Get"),
        ),
        (
            Rule::Convention,
            "/paths/~1Things~1List/post/x-cyberark-convention",
            Some("Things_List"),
        ),
        (
            Rule::Paging,
            "/paths/~1Things~1List/post/x-cyberark-paging",
            Some("Things_List"),
        ),
        (
            Rule::Example,
            "/paths/~1Things~1List/post/parameters/0/example",
            Some("Things_List"),
        ),
        (
            Rule::Schema,
            "/paths/~1Things~1List/post/parameters/1/schema",
            Some("Things_List"),
        ),
        (
            Rule::SuccessResponse,
            "/paths/~1Things~1List/post/responses/200/content/application~1json/schema",
            Some("Things_List"),
        ),
        (Rule::OperationId, "/paths/~1Things~1Put/put", None),
        (
            Rule::SuccessResponse,
            "/paths/~1Things~1Put/put/responses/204/content",
            None,
        ),
        (Rule::Tag, "/paths/~1Things~1Put/put/tags", None),
    ];
    let mut expected_sorted = expected.clone();
    expected_sorted.sort_by(|a, b| (a.1, a.0).cmp(&(b.1, b.0)));
    assert_eq!(got, expected_sorted, "{report}");
}

#[test]
fn a_component_schema_that_cannot_compile_is_reported_once() {
    let mut document = parse(&fixture_text("valid.yaml"));
    document["components"]["schemas"]["Org"]["properties"]["Name"]["pattern"] = json!("(unclosed");
    let report = check(&document);
    let got: Vec<(Rule, &str)> = report
        .findings
        .iter()
        .map(|f| (f.rule, f.pointer.as_str()))
        .collect();
    assert_eq!(
        got,
        vec![(Rule::Schema, "/components/schemas/Org")],
        "{report}"
    );
    assert!(
        report.findings[0]
            .message
            .contains("(at /properties/Name/pattern)"),
        "{report}"
    );
}
