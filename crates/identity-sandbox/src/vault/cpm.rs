//! The Central Policy Manager: change, verify and reconcile tasks that finish after a delay.
//!
//! A task is queued on the account with its due time and applied the next time anyone reads
//! the Vault after that time, so a client that polls the account sees `inProcess` first and
//! then the result, without the sandbox running timers of its own.

use super::state::{Account, CpmTask, Vault, now};
use std::time::Instant;

/// A queued task.
#[derive(Debug, Clone)]
pub struct Pending {
    /// What to do.
    pub task: CpmTask,
    /// When it completes.
    pub due: Instant,
}

/// The address that makes every CPM task fail, so clients can watch a `failure`.
pub const UNREACHABLE: &str = "unreachable.sandbox.example";

impl Vault {
    /// Applies every task whose time has come.
    pub fn settle(&mut self) {
        let now_instant = Instant::now();
        for account in self.accounts.values_mut() {
            if account
                .pending
                .as_ref()
                .is_some_and(|p| p.due <= now_instant)
                && let Some(p) = account.pending.take()
            {
                complete(account, p.task);
            }
        }
    }
}

fn complete(account: &mut Account, task: CpmTask) {
    if account.address == UNREACHABLE {
        account.status = Some("failure".into());
        account.log(
            "CPM",
            task_action(task),
            7,
            "CPM",
            "Failed: target unreachable",
        );
        return;
    }
    let at = now();
    match task {
        CpmTask::Change => {
            let next = account.next_password.take();
            let value = next.unwrap_or_else(random_password);
            account.push_secret(value, "CPM");
        }
        CpmTask::Verify => account.verified = Some(at),
        CpmTask::Reconcile => {
            account.push_secret(random_password(), "CPM");
            account.reconciled = Some(at);
        }
    }
    account.status = Some("success".into());
    account.category_modified = at;
    account.log(
        "CPM",
        task_action(task),
        24,
        "CPM",
        "Immediate task requested",
    );
}

fn task_action(task: CpmTask) -> &'static str {
    match task {
        CpmTask::Change => "CPM Change Password",
        CpmTask::Verify => "CPM Verify Password",
        CpmTask::Reconcile => "CPM Reconcile Password",
    }
}

/// A password that satisfies the sandbox platforms' policy (16 characters, all classes).
pub fn random_password() -> String {
    format!("Sbx!{}aZ9", crate::ids::random_hex(5))
}
