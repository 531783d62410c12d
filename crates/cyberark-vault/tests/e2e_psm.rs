//! PSM live sessions and recordings end to end: `Offset`/`Limit` paging, suspend, resume and
//! terminate with state checked, a recording streamed chunk by chunk, and the failures of the
//! area (unknown id 404, a session another user may not touch, a conflicting resume 409).

mod common;

use common::*;
use cyberark_vault::{
    LiveSessionsGetPropertiesRequest, LiveSessionsGetRequest, LiveSessionsListActivitiesRequest,
    LiveSessionsListRequest, LiveSessionsMonitorRequest, LiveSessionsResumeRequest,
    LiveSessionsSuspendRequest, LiveSessionsTerminateRequest, RecordingsGetPropertiesRequest,
    RecordingsGetRequest, RecordingsIsValidRequest, RecordingsListActivitiesRequest,
    RecordingsListRequest, RecordingsPlayRequest, VaultAuthMethod,
};
use futures::{StreamExt, TryStreamExt};
use identity_sandbox::vault_credentials as creds;

fn psm_status(session: &cyberark_vault::PsmSession) -> Option<String> {
    let raw = serde_json::to_value(session.raw_properties.as_ref()?).ok()?;
    raw["PSMStatus"].as_str().map(str::to_owned)
}

#[tokio::test]
async fn live_sessions_page_and_are_suspended_resumed_and_terminated() {
    let sandbox = sandbox().await;
    let client = admin(&sandbox);
    let live = client.live_sessions();
    let page = live
        .list(LiveSessionsListRequest::new().limit(2).offset(0))
        .await
        .unwrap();
    assert_eq!(page.total, Some(3));
    assert_eq!(page.live_sessions.len(), 2);
    // Pages of 2 through Offset/Limit: every session once, two requests.
    sandbox.clear_requests();
    let all: Vec<_> = client
        .runtime()
        .paginate(LiveSessionsListRequest::new(), 2)
        .try_collect()
        .await
        .unwrap();
    assert_eq!(all.len(), 3);
    assert_eq!(count(&sandbox, "LiveSessions_List"), 2);
    let streamed: Vec<_> = live
        .list_stream(LiveSessionsListRequest::new().sort("-RiskScore"))
        .try_collect()
        .await
        .unwrap();
    let risky = streamed[0].clone();
    assert_eq!(risky.risk_score, Some(85.0));
    let id = risky.session_id.clone();
    let guid = risky.session_guid.clone().unwrap();
    let one = live.get(LiveSessionsGetRequest::new(&id)).await.unwrap();
    assert_eq!(one.live_sessions[0].session_id, id);
    let activities = live
        .list_activities(LiveSessionsListActivitiesRequest::new(&id))
        .await
        .unwrap();
    assert_eq!(activities.total, Some(2));
    let properties = live
        .get_properties(LiveSessionsGetPropertiesRequest::new(&id))
        .await
        .unwrap();
    assert_eq!(properties.session_guid.as_deref(), Some(guid.as_str()));
    let monitor = live
        .monitor(LiveSessionsMonitorRequest::new(&id))
        .await
        .unwrap();
    assert!(monitor.contains_key("full address"), "{monitor:?}");
    // The same operation streams the RDP file when asked for bytes.
    let mut rdp = live
        .monitor_download(LiveSessionsMonitorRequest::new(&id))
        .await
        .unwrap();
    let mut file = Vec::new();
    while let Some(chunk) = rdp.next().await {
        file.extend_from_slice(&chunk.unwrap());
    }
    let file = String::from_utf8(file).unwrap();
    assert!(file.contains("full address:s:"), "{file}");
    let accepts: Vec<String> = sandbox
        .requests()
        .into_iter()
        .filter(|r| r.operation.as_deref() == Some("LiveSessions_Monitor"))
        .filter_map(|r| {
            r.headers
                .into_iter()
                .find(|(name, _)| name.eq_ignore_ascii_case("accept"))
                .map(|(_, value)| value)
        })
        .collect();
    assert_eq!(accepts, ["application/json", "application/octet-stream"]);

    // Another user who may not manage the session gets the Vault's 404, and nothing changes.
    let ldap = client_as(
        &sandbox,
        VaultAuthMethod::Ldap,
        creds::LDAP_USERNAME,
        creds::LDAP_PASSWORD,
    );
    expect_vault(
        ldap.live_sessions()
            .terminate(LiveSessionsTerminateRequest::new(&guid))
            .await,
        "LiveSessions_Terminate",
        404,
        "SBXVA404E",
    );

    live.suspend(LiveSessionsSuspendRequest::new(&guid))
        .await
        .unwrap();
    let suspended = live
        .get_properties(LiveSessionsGetPropertiesRequest::new(&id))
        .await
        .unwrap();
    assert_eq!(psm_status(&suspended).as_deref(), Some("Suspended"));
    live.resume(LiveSessionsResumeRequest::new(&guid))
        .await
        .unwrap();
    expect_vault(
        live.resume(LiveSessionsResumeRequest::new(&guid)).await,
        "LiveSessions_Resume",
        409,
        "SBXVA409E",
    );
    live.terminate(LiveSessionsTerminateRequest::new(&guid))
        .await
        .unwrap();
    let left = live.list(LiveSessionsListRequest::new()).await.unwrap();
    assert_eq!(left.total, Some(2));
    expect_vault(
        live.get(LiveSessionsGetRequest::new(&id)).await,
        "LiveSessions_Get",
        404,
        "SBXVA404E",
    );

    // The terminated session is now a recording, streamed to the caller chunk by chunk.
    let recordings = client.recordings();
    let all: Vec<_> = recordings
        .list_stream(RecordingsListRequest::new())
        .try_collect()
        .await
        .unwrap();
    assert_eq!(all.len(), 7);
    let paged: Vec<_> = client
        .runtime()
        .paginate(RecordingsListRequest::new(), 3)
        .try_collect()
        .await
        .unwrap();
    assert_eq!(paged, all);
    let recording = recordings
        .get(RecordingsGetRequest::new(&id))
        .await
        .unwrap();
    assert_eq!(recording.recordings[0].is_live, Some(false));
    recordings
        .list_activities(RecordingsListActivitiesRequest::new(&id))
        .await
        .unwrap();
    let size = recordings
        .get_properties(RecordingsGetPropertiesRequest::new(&id))
        .await
        .unwrap()
        .video_size
        .unwrap();
    let valid = recordings
        .is_valid(RecordingsIsValidRequest::new(&id))
        .await
        .unwrap();
    assert!(valid.is_valid);
    let mut stream = recordings
        .play(RecordingsPlayRequest::new(&id))
        .await
        .unwrap();
    assert_eq!(stream.content_type(), Some("application/octet-stream"));
    let mut bytes = Vec::new();
    while let Some(chunk) = stream.next().await {
        bytes.extend_from_slice(&chunk.unwrap());
    }
    assert_eq!(bytes.len() as i64, size);
    assert!(bytes.starts_with(b"SANDBOXREC1"));
    expect_vault(
        recordings.get(RecordingsGetRequest::new("0_0")).await,
        "Recordings_Get",
        404,
        "SBXVA404E",
    );
    // A download that fails carries the Vault's error like any call.
    expect_vault(
        recordings.play(RecordingsPlayRequest::new("0_0")).await,
        "Recordings_Play",
        404,
        "SBXVA404E",
    );
    assert_all_routed(&sandbox);
}
