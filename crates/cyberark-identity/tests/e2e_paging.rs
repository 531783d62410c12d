//! Paging end to end: Redrock query tables and SCIM list responses streamed to the end.

mod common;

use std::collections::HashSet;

use common::{client, count, requests_of, sandbox};
use cyberark_identity::{
    CDirectoryServiceGetUsersRequest, DEFAULT_PAGE_SIZE, QueryArgs, ScimGroup,
    ScimListGroupsRequest, UserMgmtGetUsersRolesAndAdministrativeRightsRequest,
};
use futures::{StreamExt, TryStreamExt};
use identity_sandbox::{Sandbox, Seed};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn get_users_streams_every_user_once() {
    let sb = Sandbox::builder().seed(Seed::Empty).start().await.unwrap();
    sb.add_users(2_500);
    let client = client(&sb);
    let expected: HashSet<String> = sb.state().users.iter().map(|u| u.id.clone()).collect();
    assert!(expected.len() >= 2_500);

    let rows: Vec<_> = client
        .cdirectory_service()
        .get_users_stream(CDirectoryServiceGetUsersRequest::new())
        .try_collect()
        .await
        .expect("every page decodes");
    let ids: Vec<String> = rows
        .iter()
        .map(|r| {
            r.row
                .as_ref()
                .and_then(|row| row.uuid.clone())
                .expect("every row has a Uuid")
        })
        .collect();
    assert_eq!(ids.len(), expected.len(), "one item per user");
    let unique: HashSet<String> = ids.iter().cloned().collect();
    assert_eq!(unique.len(), ids.len(), "no user is listed twice");
    assert_eq!(
        unique, expected,
        "the stream lists exactly the sandbox's users"
    );

    let page = DEFAULT_PAGE_SIZE as usize;
    let pages = requests_of(&sb, "CDirectoryService_GetUsers");
    assert_eq!(
        pages.len(),
        expected.len().div_ceil(page),
        "the pager stops after the last page"
    );
    for (i, request) in pages.iter().enumerate() {
        let body = common::json_body(request);
        assert_eq!(body["Args"]["PageNumber"], i + 1, "{body}");
        assert_eq!(body["Args"]["PageSize"], page, "{body}");
    }
}

#[tokio::test]
async fn a_stream_of_an_exact_multiple_of_the_page_size_stops() {
    let sb = Sandbox::builder().seed(Seed::Empty).start().await.unwrap();
    let base = sb.state().users.len();
    sb.add_users(10 - base);
    let client = client(&sb);
    let items: Vec<_> = client
        .runtime()
        .paginate(CDirectoryServiceGetUsersRequest::new(), 5)
        .try_collect()
        .await
        .unwrap();
    assert_eq!(items.len(), 10);
    assert_eq!(
        count(&sb, "CDirectoryService_GetUsers"),
        2,
        "FullCount tells the pager the second full page is the last"
    );
}

#[tokio::test]
async fn scim_groups_stream_with_a_small_page() {
    let sb = sandbox().await;
    let client = client(&sb);
    let expected: Vec<String> = sb
        .state()
        .scim_groups
        .iter()
        .map(|g| g.id.clone())
        .collect();
    assert!(expected.len() >= 3, "the demo seed has groups");

    let groups: Vec<ScimGroup> = client
        .runtime()
        .paginate(ScimListGroupsRequest::new(), 2)
        .try_collect()
        .await
        .expect("every page decodes");
    let ids: Vec<String> = groups.iter().filter_map(|g| g.id.clone()).collect();
    let unique: HashSet<&String> = ids.iter().collect();
    assert_eq!(ids.len(), expected.len());
    assert_eq!(unique, expected.iter().collect::<HashSet<_>>());

    let requests = requests_of(&sb, "SCIM_ListGroups");
    assert_eq!(requests.len(), expected.len().div_ceil(2));
    for (i, request) in requests.iter().enumerate() {
        let query = request.query.clone().unwrap_or_default();
        assert!(
            query.contains(&format!("startIndex={}", 1 + 2 * i)) && query.contains("count=2"),
            "{query}"
        );
    }

    // The generated stream with the default page fetches everything in one request.
    sb.clear_requests();
    let all = client
        .scim()
        .list_groups_stream(ScimListGroupsRequest::new())
        .count()
        .await;
    assert_eq!(all, expected.len());
    assert_eq!(count(&sb, "SCIM_ListGroups"), 1);
    common::assert_all_routed(&sb);
}

#[tokio::test]
async fn roles_and_rights_stream_pages_through_a_user_s_roles() {
    let sb = sandbox().await;
    let client = client(&sb);
    let admin = sb.state().user(sb.admin_username()).unwrap().id.clone();
    let rows: Vec<_> = client
        .runtime()
        .paginate(
            UserMgmtGetUsersRolesAndAdministrativeRightsRequest::new().id(admin.as_str()),
            1,
        )
        .try_collect()
        .await
        .unwrap();
    assert!(!rows.is_empty());
    let names: Vec<String> = rows
        .iter()
        .filter_map(|r| r.row.as_ref())
        .filter_map(|row| row.role_name.clone().or(row.name.clone()))
        .collect();
    assert!(
        names.iter().any(|n| n == "System Administrator"),
        "{names:?}"
    );
    let pages = count(&sb, "UserMgmt_GetUsersRolesAndAdministrativeRights");
    assert!(
        pages == rows.len() || pages == rows.len() + 1,
        "one request per row (plus at most an empty last page): {pages} for {}",
        rows.len()
    );

    // The generated stream with explicit Args keeps the caller's other arguments.
    let sorted: Vec<_> = client
        .user_mgmt()
        .get_users_roles_and_administrative_rights_stream(
            UserMgmtGetUsersRolesAndAdministrativeRightsRequest::new()
                .id(admin.as_str())
                .args(QueryArgs::new().sort_by("Name")),
        )
        .try_collect()
        .await
        .unwrap();
    assert_eq!(sorted.len(), rows.len());
    let last = common::last_request(&sb, "UserMgmt_GetUsersRolesAndAdministrativeRights");
    assert_eq!(common::json_body(&last)["Args"]["SortBy"], "Name");
}
