//! Fault injection, holds, the request log, bulk users and the HTTP admin API.

mod common;

use common::{demo, ok, post, token};
use identity_sandbox::{Fault, RetryAfter, Sandbox};
use serde_json::{Value, json};
use std::time::{Duration, Instant, SystemTime};

#[tokio::test]
async fn status_and_rate_limit_faults() {
    let (sb, http) = demo().await;
    let t = token(&sb, &http).await;
    sb.faults().inject("Org_ListAll", Fault::Status(503), 1);
    sb.faults()
        .inject("Org_ListAll", Fault::RateLimited(RetryAfter::Seconds(7)), 1);
    let date = SystemTime::UNIX_EPOCH + Duration::from_secs(2_000_000_000);
    sb.faults().inject(
        "Org_ListAll",
        Fault::RateLimited(RetryAfter::HttpDate(date)),
        1,
    );
    let url = format!("{}/Org/ListAll", sb.url());
    let r = http
        .post(&url)
        .bearer_auth(&t)
        .send()
        .await
        .expect("request");
    assert_eq!(r.status(), 503);
    let r = http
        .post(&url)
        .bearer_auth(&t)
        .send()
        .await
        .expect("request");
    assert_eq!(r.status(), 429);
    assert_eq!(r.headers()["retry-after"], "7");
    let r = http
        .post(&url)
        .bearer_auth(&t)
        .send()
        .await
        .expect("request");
    assert_eq!(r.status(), 429);
    assert_eq!(r.headers()["retry-after"], "Wed, 18 May 2033 03:33:20 GMT");
    // The faults are used up; the next call is normal.
    ok(&sb, &http, &t, "/Org/ListAll", json!({})).await;
}

#[tokio::test]
async fn delay_fault() {
    let (sb, http) = demo().await;
    let t = token(&sb, &http).await;
    sb.faults()
        .inject("Org_ListAll", Fault::Delay(Duration::from_millis(300)), 1);
    let started = Instant::now();
    ok(&sb, &http, &t, "/Org/ListAll", json!({})).await;
    assert!(started.elapsed() >= Duration::from_millis(300));
}

#[tokio::test]
async fn connection_faults() {
    let (sb, http) = demo().await;
    let t = token(&sb, &http).await;
    let url = format!("{}/CDirectoryService/GetUsers", sb.url());
    sb.faults()
        .inject("CDirectoryService_GetUsers", Fault::DropConnection, 1);
    assert!(
        http.post(&url).bearer_auth(&t).send().await.is_err(),
        "dropped connection is an error"
    );

    sb.faults()
        .inject("CDirectoryService_GetUsers", Fault::TruncatedBody, 1);
    let outcome = match http.post(&url).bearer_auth(&t).send().await {
        Ok(r) => r.bytes().await.map(|_| ()),
        Err(e) => Err(e),
    };
    assert!(outcome.is_err(), "truncated body is an error");

    sb.faults()
        .inject("CDirectoryService_GetUsers", Fault::MalformedJson, 1);
    let r = http
        .post(&url)
        .bearer_auth(&t)
        .send()
        .await
        .expect("complete response");
    assert_eq!(r.status(), 200);
    let text = r.text().await.expect("body");
    assert!(
        serde_json::from_str::<Value>(&text).is_err(),
        "body must not parse: {text}"
    );

    // After the faults, the same client works again.
    ok(&sb, &http, &t, "/CDirectoryService/GetUsers", json!({})).await;
}

#[tokio::test]
async fn hold_and_release() {
    let (sb, http) = demo().await;
    let t = token(&sb, &http).await;
    let hold = sb.faults().hold("Org_Create");
    let (sb2, http2, t2) = (sb.clone(), http.clone(), t.clone());
    let call =
        tokio::spawn(
            async move { ok(&sb2, &http2, &t2, "/Org/Create", json!({"Name": "Held"})).await },
        );
    tokio::time::timeout(Duration::from_secs(5), hold.arrived())
        .await
        .expect("request arrives");
    assert!(
        sb.state().org("Held").is_none(),
        "held request is not processed yet"
    );
    hold.release();
    call.await.expect("call finishes");
    assert!(sb.state().org("Held").is_some());
}

#[tokio::test]
async fn request_log_redacts_secrets() {
    let (sb, http) = demo().await;
    sb.clear_requests();
    let t = token(&sb, &http).await;
    let start = ok(
        &sb,
        &http,
        "",
        "/Security/StartAuthentication",
        json!({"User": sb.admin_username(), "Version": "1.0"}),
    )
    .await;
    let (_, _) = post(&sb, &http, "", "/Security/AdvanceAuthentication", json!({
        "SessionId": start["SessionId"], "MechanismId": start["Challenges"][0]["Mechanisms"][0]["MechanismId"],
        "Action": "Answer", "Answer": sb.admin_password()})).await;
    ok(&sb, &http, &t, "/Org/ListAll", json!({})).await;
    let log = sb.requests();
    assert_eq!(log.len(), 4);
    assert_eq!(
        log[0].operation.as_deref(),
        Some("Authentication_PlatformToken")
    );
    let all = format!("{log:?}");
    assert!(
        !all.contains(sb.client_secret()),
        "client secret leaked: {all}"
    );
    assert!(!all.contains(sb.admin_password()), "password leaked");
    assert!(!all.contains(&t), "token leaked");
    let listed = &log[3];
    assert_eq!(
        (listed.method.as_str(), listed.path.as_str(), listed.status),
        ("POST", "/Org/ListAll", 200)
    );
    assert!(
        listed
            .headers
            .iter()
            .any(|(k, v)| k == "authorization" && v == "Bearer ***")
    );
    sb.clear_requests();
    assert!(sb.requests().is_empty());
}

#[tokio::test]
async fn page_through_100_000_users() {
    let sb = Sandbox::builder().start().await.expect("starts");
    let http = reqwest::Client::new();
    let t = token(&sb, &http).await;
    let started = Instant::now();
    sb.add_users(100_000);
    assert!(
        started.elapsed() < Duration::from_secs(20),
        "bulk creation is quick"
    );
    let total = sb.state().users.len();
    let (mut page, mut seen) = (1, 0usize);
    loop {
        let r = ok(
            &sb,
            &http,
            &t,
            "/CDirectoryService/GetUsers",
            json!({"Args": {"PageNumber": page, "PageSize": 5000}}),
        )
        .await;
        assert_eq!(r["FullCount"].as_u64(), Some(total as u64));
        let count = r["Results"].as_array().expect("rows").len();
        seen += count;
        if count < 5000 {
            break;
        }
        page += 1;
    }
    assert_eq!(seen, total);
    assert!(total >= 100_000);
}

#[tokio::test]
async fn http_admin_api() {
    let (sb, http) = demo().await;
    let t = token(&sb, &http).await;
    let admin = |path: &str| format!("{}/__sandbox/{path}", sb.url());
    let r = http.post(admin("faults"))
        .json(&json!({"operation": "Org_ListAll", "fault": {"kind": "rate_limited", "retry_after_seconds": 3}, "times": 1}))
        .send().await.expect("inject");
    assert_eq!(r.status(), 200);
    let r = http
        .post(format!("{}/Org/ListAll", sb.url()))
        .bearer_auth(&t)
        .send()
        .await
        .expect("call");
    assert_eq!(
        (
            r.status().as_u16(),
            r.headers()["retry-after"].to_str().expect("ascii")
        ),
        (429, "3")
    );

    let hold: Value = http
        .post(admin("hold"))
        .json(&json!({"operation": "Org_ListAll"}))
        .send()
        .await
        .expect("hold")
        .json()
        .await
        .expect("json");
    let id = hold["hold_id"].as_u64().expect("hold id");
    let (sb2, http2, t2) = (sb.clone(), http.clone(), t.clone());
    let call = tokio::spawn(async move { ok(&sb2, &http2, &t2, "/Org/ListAll", json!({})).await });
    loop {
        let s: Value = http
            .get(admin(&format!("hold/{id}")))
            .send()
            .await
            .expect("poll")
            .json()
            .await
            .expect("json");
        if s["arrived"] == true {
            break;
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    assert_eq!(
        http.post(admin("release"))
            .json(&json!({"hold_id": id}))
            .send()
            .await
            .expect("release")
            .status(),
        200
    );
    call.await.expect("call finishes");

    let r: Value = http
        .post(admin("users"))
        .json(&json!({"count": 10}))
        .send()
        .await
        .expect("users")
        .json()
        .await
        .expect("json");
    assert_eq!(r["ok"], true);
    let log: Value = http
        .get(admin("requests"))
        .send()
        .await
        .expect("log")
        .json()
        .await
        .expect("json");
    assert!(
        log.as_array()
            .expect("array")
            .iter()
            .any(|e| e["path"] == "/Org/ListAll" && e["status"] == 429)
    );
    assert_eq!(
        http.delete(admin("requests"))
            .send()
            .await
            .expect("clear")
            .status(),
        200
    );
    assert_eq!(
        http.delete(admin("faults"))
            .send()
            .await
            .expect("clear")
            .status(),
        200
    );
    let inv: Value = http
        .get(admin("invitations"))
        .send()
        .await
        .expect("inv")
        .json()
        .await
        .expect("json");
    assert!(inv.is_array());
    let bad = http
        .post(admin("faults"))
        .json(&json!({"operation": "X", "fault": {"kind": "nope"}}))
        .send()
        .await
        .expect("bad");
    assert_eq!(bad.status(), 400);
}

#[tokio::test]
async fn an_answer_fault_replies_with_the_given_status_body_and_retry_after() {
    let (sb, http) = demo().await;
    let t = token(&sb, &http).await;
    let url = format!("{}/CDirectoryService/GetUsers", sb.url());
    sb.faults().inject(
        "CDirectoryService_GetUsers",
        Fault::Answer {
            status: 503,
            body: r#"{"busy":true}"#.to_owned(),
            retry_after: Some(9),
        },
        1,
    );
    let r = http.post(&url).bearer_auth(&t).send().await.unwrap();
    assert_eq!(r.status(), 503);
    assert_eq!(r.headers()["retry-after"], "9");
    assert_eq!(r.text().await.unwrap(), r#"{"busy":true}"#);
    // Over HTTP, for other languages.
    let r = http
        .post(format!("{}/__sandbox/faults", sb.url()))
        .json(&serde_json::json!({
            "operation": "CDirectoryService_GetUsers",
            "fault": {"kind": "answer", "status": 200, "body": {"success": true, "Result": {"FullCount": 0, "Results": []}}},
        }))
        .send()
        .await
        .unwrap();
    assert!(r.status().is_success());
    let r = http.post(&url).bearer_auth(&t).send().await.unwrap();
    let body: Value = r.json().await.unwrap();
    assert_eq!(body["Result"]["FullCount"], 0);
}
