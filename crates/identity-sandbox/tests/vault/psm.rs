//! PSM live sessions and recordings.

use super::{assert_error, logon, start};
use identity_sandbox::vault_credentials as creds;
use reqwest::Method;
use serde_json::{Value, json};

#[tokio::test]
async fn live_sessions_and_recordings() {
    let v = start().await;
    let (status, live) = v.get("/API/LiveSessions?Limit=2&Offset=0").await;
    assert_eq!(status, 200);
    assert_eq!(live["Total"], 3);
    assert_eq!(live["LiveSessions"].as_array().unwrap().len(), 2);
    let (_, rest) = v.get("/API/LiveSessions?Limit=2&Offset=2").await;
    assert_eq!(rest["LiveSessions"].as_array().unwrap().len(), 1);
    let (_, risky) = v.get("/API/LiveSessions?Sort=-RiskScore").await;
    let session = risky["LiveSessions"][0].clone();
    assert_eq!(session["RiskScore"], 85);
    let id = session["SessionID"].as_str().unwrap().to_owned();
    let guid = session["SessionGuid"].as_str().unwrap().to_owned();
    let (status, one) = v.get(&format!("/API/LiveSessions/{id}")).await;
    assert_eq!(
        (status, one["LiveSessions"][0]["SessionID"].as_str()),
        (200, Some(id.as_str()))
    );
    assert_eq!(
        v.get(&format!("/API/LiveSessions/{id}/activities")).await.1["Total"],
        2
    );
    assert_eq!(
        v.get(&format!("/API/LiveSessions/{id}/properties")).await.1["SessionGuid"],
        json!(guid)
    );
    let monitor = v
        .http
        .get(format!(
            "{}/API/LiveSessions/{id}/Monitor",
            v.sb.vault_url()
        ))
        .header("Authorization", &v.token)
        .header("Accept", "application/json")
        .send()
        .await
        .unwrap();
    assert_eq!(monitor.headers()["ConnectionMethod"], "RDPFile");
    let settings: Value = monitor.json().await.unwrap();
    assert!(settings["full address"].is_string());
    let (status, rdp) = v.get(&format!("/API/LiveSessions/{id}/Monitor")).await;
    assert_eq!(status, 200);
    assert!(rdp.as_str().unwrap().contains("full address:s:"));

    let auditor = logon(
        &v.sb,
        &v.http,
        "CyberArk",
        creds::LDAP_USERNAME,
        creds::LDAP_PASSWORD,
    )
    .await;
    assert!(
        auditor.is_err(),
        "the LDAP user cannot use the CyberArk method"
    );
    let ldap = logon(
        &v.sb,
        &v.http,
        "LDAP",
        creds::LDAP_USERNAME,
        creds::LDAP_PASSWORD,
    )
    .await
    .unwrap();
    assert_error(
        &v.call_as(
            &ldap,
            Method::POST,
            &format!("/API/LiveSessions/{guid}/Terminate"),
            None,
        )
        .await,
        404,
        "SBXVA404E",
    );

    assert_eq!(
        v.call(
            Method::POST,
            &format!("/API/LiveSessions/{guid}/Suspend"),
            None
        )
        .await
        .0,
        200
    );
    let (_, props) = v.get(&format!("/API/LiveSessions/{id}/properties")).await;
    assert_eq!(props["RawProperties"]["PSMStatus"], "Suspended");
    assert_eq!(
        v.call(
            Method::POST,
            &format!("/API/LiveSessions/{guid}/Resume"),
            None
        )
        .await
        .0,
        200
    );
    assert_error(
        &v.call(
            Method::POST,
            &format!("/API/LiveSessions/{guid}/Resume"),
            None,
        )
        .await,
        409,
        "SBXVA409E",
    );
    assert_eq!(
        v.call(
            Method::POST,
            &format!("/API/LiveSessions/{guid}/Terminate"),
            None
        )
        .await
        .0,
        200
    );
    assert_eq!(v.get("/API/LiveSessions").await.1["Total"], 2);
    assert_error(
        &v.get(&format!("/API/LiveSessions/{id}")).await,
        404,
        "SBXVA404E",
    );

    // The terminated session is now a recording with bytes to play back.
    let (status, recordings) = v.get("/API/Recordings?Limit=100").await;
    assert_eq!(status, 200);
    assert_eq!(recordings["Total"], 7);
    let (_, rec) = v.get(&format!("/API/Recordings/{id}")).await;
    assert_eq!(rec["Recordings"][0]["IsLive"], false);
    assert_eq!(
        v.get(&format!("/API/Recordings/{id}/activities")).await.0,
        200
    );
    let size = v.get(&format!("/API/Recordings/{id}/properties")).await.1["VideoSize"]
        .as_u64()
        .unwrap();
    assert_eq!(
        v.get(&format!("/API/Recordings/{id}/valid")).await.1,
        json!({"IsValid": true})
    );
    let play = v
        .http
        .post(format!("{}/API/Recordings/{id}/Play", v.sb.vault_url()))
        .header("Authorization", &v.token)
        .send()
        .await
        .unwrap();
    assert_eq!(play.headers()["content-type"], "application/octet-stream");
    let bytes = play.bytes().await.unwrap();
    assert_eq!(bytes.len() as u64, size);
    assert!(bytes.starts_with(b"SANDBOXREC1"));
    assert_error(&v.get("/API/Recordings/0_0").await, 404, "SBXVA404E");
}
