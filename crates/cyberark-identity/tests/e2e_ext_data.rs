//! ExtData end to end: the extensible attribute schema and per-user values.

mod common;

use std::collections::BTreeMap;

use common::{ARGUMENT, NOT_FOUND, client, expect_api, ordinary_user, sandbox};
use cyberark_identity::{
    ExtColumnDefinition, ExtDataGetColumnsRequest, ExtDataGetSchemaRequest,
    ExtDataSetColumnsRequest, ExtDataUpdateSchemaRequest, JsonValue,
};

#[tokio::test]
async fn get_schema_lists_the_defined_columns() {
    let sb = sandbox().await;
    let client = client(&sb);
    let schema = client
        .ext_data()
        .get_schema(ExtDataGetSchemaRequest::new("users"))
        .await
        .expect("GetSchema");
    let state = sb.state();
    let columns = schema.columns.unwrap_or_default();
    let got: Vec<(String, String, bool)> = columns
        .iter()
        .map(|c| {
            (
                c.name.clone().unwrap(),
                c.r#type.clone().unwrap(),
                c.user_editable.unwrap_or(false),
            )
        })
        .collect();
    let expected: Vec<(String, String, bool)> = state
        .ext_columns
        .iter()
        .map(|c| (c.name.clone(), c.kind.clone(), c.user_editable))
        .collect();
    assert_eq!(got, expected);
    assert!(
        schema
            .column_limit
            .is_some_and(|l| l >= expected.len() as i32)
    );

    expect_api(
        client
            .ext_data()
            .get_schema(ExtDataGetSchemaRequest::new("roles"))
            .await,
        "ExtData_GetSchema",
        ARGUMENT,
        "roles",
    );
}

#[tokio::test]
async fn update_schema_replaces_the_column_set() {
    let sb = sandbox().await;
    let client = client(&sb);
    // Keep every column but BadgeNumber, and add Floor.
    let mut columns: BTreeMap<String, ExtColumnDefinition> = sb
        .state()
        .ext_columns
        .iter()
        .filter(|c| c.name != "BadgeNumber")
        .map(|c| {
            let mut def = ExtColumnDefinition::new(c.kind.as_str()).user_editable(c.user_editable);
            def.title = c.title.clone();
            def.description = c.description.clone();
            (c.name.clone(), def)
        })
        .collect();
    columns.insert(
        "Floor".to_owned(),
        ExtColumnDefinition::new("Int")
            .title("Floor")
            .description("Office floor")
            .user_editable(true),
    );
    client
        .ext_data()
        .update_schema(ExtDataUpdateSchemaRequest::new("users", columns))
        .await
        .expect("UpdateSchema");
    let state = sb.state();
    let names: Vec<&str> = state.ext_columns.iter().map(|c| c.name.as_str()).collect();
    assert!(
        names.contains(&"Floor") && !names.contains(&"BadgeNumber"),
        "{names:?}"
    );
    let floor = state
        .ext_columns
        .iter()
        .find(|c| c.name == "Floor")
        .unwrap();
    assert_eq!(floor.kind, "Int");
    assert_eq!(floor.description.as_deref(), Some("Office floor"));
    assert!(floor.user_editable);
    assert!(
        state
            .users
            .iter()
            .all(|u| !u.ext.contains_key("BadgeNumber")),
        "a dropped column loses its values"
    );

    let mut bad = BTreeMap::new();
    bad.insert("Shoe".to_owned(), ExtColumnDefinition::new("Colour"));
    expect_api(
        client
            .ext_data()
            .update_schema(ExtDataUpdateSchemaRequest::new("users", bad))
            .await,
        "ExtData_UpdateSchema",
        ARGUMENT,
        "Colour",
    );
    assert!(
        sb.state().ext_columns.iter().any(|c| c.name == "Floor"),
        "unchanged"
    );
}

#[tokio::test]
async fn set_and_get_columns_of_a_user() {
    let sb = sandbox().await;
    let client = client(&sb);
    let (id, _) = ordinary_user(&sb);

    let mut values = BTreeMap::new();
    values.insert("CostCenter".to_owned(), JsonValue::from("CC-7777"));
    values.insert("Termination_Flag".to_owned(), JsonValue::from(true));
    values.insert("Department".to_owned(), JsonValue::Null);
    client
        .ext_data()
        .set_columns(ExtDataSetColumnsRequest::new("users", id.as_str(), values))
        .await
        .expect("SetColumns");
    let stored = sb.state().user(&id).unwrap().ext.clone();
    assert_eq!(stored.get("CostCenter"), Some(&JsonValue::from("CC-7777")));
    assert_eq!(stored.get("Termination_Flag"), Some(&JsonValue::from(true)));
    assert!(!stored.contains_key("Department"), "null clears the value");

    let got = client
        .ext_data()
        .get_columns(ExtDataGetColumnsRequest::new("users", id.as_str()))
        .await
        .expect("GetColumns");
    let expected: BTreeMap<String, JsonValue> = stored.into_iter().collect();
    assert_eq!(got, expected);
    let with_nulls = client
        .ext_data()
        .get_columns(ExtDataGetColumnsRequest::new("users", id.as_str()).include_nulls(true))
        .await
        .unwrap();
    assert_eq!(with_nulls.get("Department"), Some(&JsonValue::Null));

    let mut unknown = BTreeMap::new();
    unknown.insert("NoSuchColumn".to_owned(), JsonValue::from("x"));
    expect_api(
        client
            .ext_data()
            .set_columns(ExtDataSetColumnsRequest::new("users", id.as_str(), unknown))
            .await,
        "ExtData_SetColumns",
        NOT_FOUND,
        "NoSuchColumn",
    );
    let mut wrong_type = BTreeMap::new();
    wrong_type.insert("BadgeNumber".to_owned(), JsonValue::from("not a number"));
    expect_api(
        client
            .ext_data()
            .set_columns(ExtDataSetColumnsRequest::new(
                "users",
                id.as_str(),
                wrong_type,
            ))
            .await,
        "ExtData_SetColumns",
        ARGUMENT,
        "BadgeNumber",
    );
    expect_api(
        client
            .ext_data()
            .get_columns(ExtDataGetColumnsRequest::new("users", "no-such-user"))
            .await,
        "ExtData_GetColumns",
        NOT_FOUND,
        "no-such-user",
    );
    common::assert_all_routed(&sb);
}
