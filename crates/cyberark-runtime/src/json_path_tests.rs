use super::error_path;
use serde::Deserialize;
use serde::de::DeserializeOwned;
use std::collections::BTreeMap;

/// The path this module finds for `json` decoded as `T`, and the one `serde_path_to_error` (a
/// dev-dependency only, as the reference) tracks while deserialising; `None` if it decodes.
fn try_both<T: DeserializeOwned>(json: &str) -> Option<(String, String)> {
    let error = serde_json::from_str::<T>(json).err()?;
    let ours = error_path(json.as_bytes(), &error, usize::MAX);
    let mut deserializer = serde_json::Deserializer::from_str(json);
    let tracked = match serde_path_to_error::deserialize::<_, T>(&mut deserializer) {
        Err(e) => e.path().to_string(),
        // The value parsed; what failed was the text after it.
        Ok(_) => ".".to_owned(),
    };
    Some((ours, tracked))
}

fn both<T: DeserializeOwned>(json: &str) -> (String, String) {
    try_both::<T>(json).unwrap_or_else(|| panic!("{json} decoded"))
}

/// Asserts the path this module finds and that it is the one a path-tracking decode reports.
fn assert_path<T: DeserializeOwned>(json: &str, expected: &str) {
    assert_paths::<T>(json, expected, expected);
}

/// As [`assert_path`], where the reference says something else (written here, so a change in
/// either shows).
fn assert_paths<T: DeserializeOwned>(json: &str, expected: &str, reference: &str) {
    let (ours, tracked) = both::<T>(json);
    assert_eq!(ours, expected, "path found for {json}");
    assert_eq!(tracked, reference, "path tracked for {json}");
}

#[derive(Debug, Deserialize)]
#[allow(dead_code)]
struct Row {
    #[serde(rename = "Name")]
    name: String,
    #[serde(rename = "Count", default)]
    count: Option<u32>,
}

#[derive(Debug, Deserialize)]
#[allow(dead_code)]
struct Item {
    #[serde(rename = "Row")]
    row: Row,
}

#[derive(Debug, Deserialize)]
#[allow(dead_code)]
struct Table {
    #[serde(rename = "Results")]
    results: Vec<Item>,
    #[serde(rename = "Tags", default)]
    tags: BTreeMap<String, Vec<u32>>,
}

#[derive(Debug, Deserialize)]
#[allow(dead_code)]
enum Kind {
    A,
    B,
}

#[test]
fn wrong_types_name_the_value() {
    assert_path::<u32>(r#""x""#, ".");
    assert_path::<Vec<u32>>(r#"[1, "x"]"#, "[1]");
    assert_path::<Vec<Vec<u32>>>("[[1], [2, 3, true]]", "[1][2]");
    assert_path::<Table>(
        r#"{"Results": [{"Row": {"Name": "a"}}, {"Row": {"Name": null}}]}"#,
        "Results[1].Row.Name",
    );
    assert_path::<Table>(
        r#"{"Results": [{"Row": {"Name": "a", "Count": -1}}]}"#,
        "Results[0].Row.Count",
    );
    // An object where a list is expected, and a list where an object is.
    assert_path::<Table>(r#"{"Results": {"Row": 1}}"#, "Results");
    assert_path::<Table>(r#"{"Results": [5]}"#, "Results[0]");
    // serde reads a struct from an array too.
    assert_path::<Table>(r#"{"Results": [[1]]}"#, "Results[0][0]");
    // Map keys, including one with escapes and dots in it.
    assert_path::<Table>(
        r#"{"Results": [], "Tags": {"a.b": [1], "c\"d\u00e9": [2, "3"]}}"#,
        "Tags.c\"dé[1]",
    );
    // A value that is the right type but not an accepted one.
    assert_path::<BTreeMap<String, Kind>>(r#"{"x": "A", "y": "C"}"#, "y");
}

#[test]
fn missing_and_duplicate_fields_name_the_object() {
    assert_path::<Table>(r#"{"Results": [{"Row": {}}]}"#, "Results[0].Row");
    assert_path::<Table>(r#"{"Results": [{"Row": {"Count": 3}}]}"#, "Results[0].Row");
    assert_path::<Table>("{}", ".");
    assert_path::<Table>(
        r#"{"Results": [{"Row": {"Name": "a", "Name": "b"}}]}"#,
        "Results[0].Row",
    );
}

#[test]
fn positions_on_later_lines_are_found() {
    let json = "{\n  \"Results\": [\n    {\"Row\": {\"Name\": \"a\"}},\n    {\"Row\": {\"Name\": 7}}\n  ]\n}";
    assert_path::<Table>(json, "Results[1].Row.Name");
    let json = "[\r\n1,\r\n\t\"x\"\r\n]";
    assert_path::<Vec<u32>>(json, "[1]");
}

#[test]
fn malformed_json_names_where_it_broke() {
    assert_path::<Table>(
        r#"{"Results": [{"Row": {"Name": "a"}} {"Row": 1}]}"#,
        "Results",
    );
    // A key that cannot be read belongs to its object (the reference writes `?` for it).
    assert_paths::<Table>(
        r#"{"Results": [{"Row": {"Name": "a",}}]}"#,
        "Results[0].Row",
        "Results[0].Row.?",
    );
    assert_path::<Table>(r#"{"Results": [{"Row": {"Name" "a"}}]}"#, "Results[0].Row");
    assert_path::<Table>(
        r#"{"Results": [{"Row": {"Name": }}]}"#,
        "Results[0].Row.Name",
    );
    assert_path::<Table>(
        r#"{"Results": [{"Row": {"Name": tru}}]}"#,
        "Results[0].Row.Name",
    );
    assert_path::<Vec<u32>>("[1, 2,]", ".");
    assert_path::<Vec<u32>>("[1, 2] trailing", ".");
    assert_path::<serde_json::Value>("not json", ".");
    assert_path::<serde_json::Value>(r#"{"a": [1, {"b": "c\q"}]}"#, "a[1].b");
}

#[test]
fn cut_off_json_names_the_innermost_open_value() {
    // Cut inside a string value, inside a key, after a colon, after a comma, after a number.
    assert_path::<Table>(
        r#"{"Results": [{"Row": {"Name": "ab"#,
        "Results[0].Row.Name",
    );
    assert_paths::<Table>(
        r#"{"Results": [{"Row": {"Na"#,
        "Results[0].Row",
        "Results[0].Row.?",
    );
    assert_path::<Table>(r#"{"Results": [{"Row": {"Name": "#, "Results[0].Row.Name");
    assert_path::<Table>(r#"{"Results": [{"Row": {"Name": "a"}}, "#, "Results");
    assert_paths::<Table>(
        r#"{"Results": [{"Row": {"Name": "a", "Count": 12"#,
        "Results[0].Row",
        "Results[0].Row.?",
    );
    assert_path::<Table>(
        r#"{"Results": [{"Row": {"Name": "a", "Count": 1."#,
        "Results[0].Row.Count",
    );
    assert_path::<Table>(r#"{"Results": ["#, "Results");
    assert_path::<Table>(r#"{"Results": [{"Row": {"Name": nu"#, "Results[0].Row.Name");
    assert_path::<serde_json::Value>(r#"{"a": [1, 2"#, "a");
    assert_path::<serde_json::Value>(r#"{"a": [1, tr"#, "a[1]");
    assert_path::<serde_json::Value>("", ".");
}

/// The envelope keeps `Result` raw, so its paths stop one level down.
#[test]
fn a_depth_limit_stops_the_path() {
    let json = r#"{"success": true, "Result": {"Uuid": "#;
    let error = serde_json::from_str::<serde_json::Value>(json).unwrap_err();
    assert_eq!(error_path(json.as_bytes(), &error, 1), "Result");
    assert_eq!(
        error_path(json.as_bytes(), &error, usize::MAX),
        "Result.Uuid"
    );
}

/// Too deep an answer is refused by serde_json's recursion limit; the scan stops there too.
#[test]
fn deep_nesting_is_scanned_without_recursion() {
    let depth = 100_000;
    let json = format!("{}{}", "[".repeat(depth), "]".repeat(depth));
    let error = serde_json::from_str::<serde_json::Value>(&json).unwrap_err();
    let path = error_path(json.as_bytes(), &error, usize::MAX);
    assert!(path.starts_with("[0][0]"), "{path}");
    assert!(path.len() < 4 * 128 * 3 + 3, "{}", path.len());
}

/// Every cut of a document, and every single byte of it replaced by a byte that breaks it: the
/// path found is the reference's, except where the reference names an unread key `?` (this
/// module names its object).
#[test]
fn every_cut_and_corruption_agrees_with_the_reference() {
    let document = "{\"Results\": [{\"Row\": {\"Name\": \"a\\\"b\", \"Count\": 12}},\n  \
                    {\"Row\": {\"Name\": \"c\"}}], \"Tags\": {\"x\": [1, 2], \"y\": []}}";
    serde_json::from_str::<Table>(document).expect("the document decodes");
    let agrees = |json: &str| {
        let Some((ours, tracked)) = try_both::<Table>(json) else {
            return;
        };
        let reference = match tracked.as_str() {
            "?" => ".",
            path => path.strip_suffix(".?").unwrap_or(path),
        };
        assert_eq!(ours, reference, "for {json}");
    };
    for cut in 0..document.len() {
        agrees(&document[..cut]);
    }
    for index in 0..document.len() {
        for replacement in [
            "x", "}", "]", "{", "[", ",", ":", "\"", "\\", "7", "-", "t", " ",
        ] {
            let mut json = document.to_owned();
            json.replace_range(index..index + 1, replacement);
            agrees(&json);
        }
    }
}
