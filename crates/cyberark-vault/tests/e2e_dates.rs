//! The Vault's times end to end: integers on the wire (Unix seconds, and microseconds in a
//! Safe's `lastModificationTime`) read as instants, and an instant sent goes out as the same
//! kind of integer.

mod common;

use common::*;
use cyberark_vault::{
    SafeCreate, SafeMemberCreate, SafeMemberCreateMemberType, SafeMemberPermissions,
    SafeMembersAddRequest, SafeMembersGetRequest, SafesAddRequest, SafesGetRequest, UnixTime,
    UnixTimeMicros,
};

#[tokio::test]
async fn safe_times_read_as_instants_in_their_own_units() {
    let sandbox = sandbox().await;
    let client = admin(&sandbox);
    let before = time::OffsetDateTime::now_utc();
    client
        .safes()
        .add(SafesAddRequest::new(SafeCreate::new("Dated-Safe")))
        .await
        .unwrap();
    let safe = client
        .safes()
        .get(SafesGetRequest::new("Dated-Safe"))
        .await
        .unwrap();

    // `creationTime` is seconds, `lastModificationTime` microseconds: both are the instant the
    // safe was made, give or take the clock's granularity.
    let created: UnixTime = safe.creation_time.expect("a creation time");
    let modified: UnixTimeMicros = safe
        .last_modification_time
        .expect("a last modification time");
    let created_at = created.at().expect("an instant");
    let modified_at = modified.at().expect("an instant");
    assert_eq!(created_at.offset(), time::UtcOffset::UTC);
    assert!(
        (created_at - before).whole_seconds().abs() < 3600,
        "{created_at} vs {before}"
    );
    assert!(
        (modified_at - created_at).whole_seconds().abs() <= 1,
        "microseconds read as microseconds: {modified_at} vs {created_at}"
    );
    assert_eq!(created.value(), created_at.unix_timestamp());
}

#[tokio::test]
async fn an_instant_sent_is_written_as_unix_seconds() {
    let sandbox = sandbox().await;
    let client = admin(&sandbox);
    client
        .safes()
        .add(SafesAddRequest::new(SafeCreate::new("Team-Safe")))
        .await
        .unwrap();
    let expires = time::macros::datetime!(2031-03-04 05:06:07.890 +02:00);
    let member = SafeMemberCreate::new("dated.member@example.com")
        .member_type(SafeMemberCreateMemberType::User)
        .search_in("Vault")
        .membership_expiration_date(UnixTime::from_instant(expires).expect("fits"))
        .permissions(SafeMemberPermissions::new().list_accounts(true));
    client
        .safe_members()
        .add(SafeMembersAddRequest::new("Team-Safe", member))
        .await
        .unwrap();

    // On the wire: whole seconds since the epoch, an integer, whatever the offset.
    let sent = sandbox
        .requests()
        .into_iter()
        .rfind(|r| r.operation.as_deref() == Some("SafeMembers_Add"))
        .expect("the add was logged");
    let body: serde_json::Value = serde_json::from_str(&sent.body).unwrap();
    assert_eq!(
        body["membershipExpirationDate"],
        serde_json::json!(expires.unix_timestamp())
    );

    // Read back as the same instant (to the second), in UTC.
    let got = client
        .safe_members()
        .get(SafeMembersGetRequest::new(
            "Team-Safe",
            "dated.member@example.com",
        ))
        .await
        .unwrap();
    let back = got
        .membership_expiration_date
        .and_then(|t| t.at())
        .expect("an expiry");
    assert_eq!(back, expires.replace_millisecond(0).unwrap());
    assert_eq!(back.offset(), time::UtcOffset::UTC);
}
