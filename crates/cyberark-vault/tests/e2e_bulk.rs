//! The sandbox's bulk data for benchmarks (`vault_accounts`, `vault_recording`): synthetic
//! accounts on top of the demo seed, paged through `nextLink`, and a large recording streamed in
//! chunks with exactly its declared size.

mod common;

use common::*;
use cyberark_vault::{AccountsListRequest, RecordingsPlayRequest};
use futures::{StreamExt, TryStreamExt};
use identity_sandbox::{Sandbox, Seed};

#[tokio::test]
async fn bulk_accounts_and_recording_are_added_to_the_seed() {
    let plain = sandbox().await;
    let demo_total = admin(&plain)
        .accounts()
        .list(AccountsListRequest::new().limit(1))
        .await
        .unwrap()
        .count
        .unwrap() as usize;
    let size = 3 * 1024 * 1024 + 5;
    let sandbox = Sandbox::builder()
        .seed(Seed::Demo)
        .vault_accounts(2_345)
        .vault_recording(size)
        .start()
        .await
        .unwrap();
    let client = admin(&sandbox);
    let accounts: Vec<_> = client
        .accounts()
        .list_stream(AccountsListRequest::new().limit(1000))
        .try_collect()
        .await
        .unwrap();
    assert_eq!(accounts.len(), demo_total + 2_345);
    let bulk = accounts
        .iter()
        .filter(|a| a.safe_name.as_deref() == Some("Bulk-Accounts"))
        .count();
    assert_eq!(bulk, 2_345);
    let mut body = client
        .recordings()
        .play(RecordingsPlayRequest::new("98_1"))
        .await
        .unwrap();
    let (mut bytes, mut chunks) = (0, 0);
    while let Some(chunk) = body.next().await {
        bytes += chunk.unwrap().len();
        chunks += 1;
    }
    assert_eq!(bytes, size);
    assert!(chunks > 1, "the recording arrives in more than one chunk");
}
