//! Accounts A6-A14: retrieving secrets, CPM actions (change, verify, reconcile, set next
//! password), Vault-only updates, generation, versions and the activity log.

use super::super::cpm::{Pending, random_password};
use super::super::input::{boolean, integer, object, required, string};
use super::super::state::{Account, CpmTask};
use super::super::{Ctx, Outcome, VaultError, empty, json};
use super::accounts::{visible, with_account};
use serde_json::{Value, json as j};
use std::time::Instant;

/// A6 and A6b: the secret as a JSON string, after `retrieveAccounts` and the platform's reason
/// rule; the retrieval is audited.
pub fn retrieve(ctx: &Ctx<'_>) -> Outcome {
    let body = object(&ctx.json()?)?;
    let reason = string(&body, "reason")?;
    let version = integer(&body, "Version")?;
    for name in ["TicketingSystemName", "TicketId", "Machine"] {
        string(&body, name)?;
    }
    boolean(&body, "isUse")?;
    if let Some(action) = string(&body, "ActionType")?
        && !["show", "copy", "connect", "download"].contains(&action.as_str())
    {
        return Err(VaultError::invalid(
            "ActionType",
            format!("The value '{action}' is not valid for ActionType."),
        ));
    }
    let caller = ctx.caller.name.clone();
    let require_reason = {
        let v = ctx.app.vault();
        let account = visible(&v, ctx)?;
        v.platform(&account.platform_id)
            .is_some_and(|p| p.require_reason)
    };
    if require_reason && reason.as_deref().is_none_or(|r| r.trim().is_empty()) {
        return Err(VaultError::new(
            400,
            "PASWS011E",
            "The platform requires a reason to retrieve this secret.",
        ));
    }
    with_account(ctx, &["retrieveAccounts"], |account| {
        let secret = match version {
            None => account.secret().to_owned(),
            Some(n) => account
                .versions
                .iter()
                .find(|v| v.id == n)
                .map(|v| v.value.clone())
                .ok_or_else(|| {
                    VaultError::invalid("Version", format!("Version [{n}] does not exist."))
                })?,
        };
        account.log(
            &caller,
            "Retrieve password",
            295,
            "PVWA",
            reason.as_deref().unwrap_or(""),
        );
        Ok(json(200, &secret))
    })
}

/// A7-A9: queue a CPM task; the account shows `inProcess` until it completes.
pub fn cpm(ctx: &Ctx<'_>) -> Outcome {
    let task = match ctx.route.op {
        "Accounts_Change" => CpmTask::Change,
        "Accounts_Verify" => CpmTask::Verify,
        _ => CpmTask::Reconcile,
    };
    if task == CpmTask::Change {
        let body = object(&ctx.json()?)?;
        boolean(&body, "ChangeEntireGroup")?;
        boolean(&body, "ChangeCredsForGroup")?;
    }
    let delay = ctx.app.vault().cpm_delay;
    let caller = ctx.caller.name.clone();
    with_account(
        ctx,
        &["initiateCPMAccountManagementOperations"],
        |account| {
            queue(account, task, delay, &caller)?;
            Ok(empty())
        },
    )
}

fn queue(
    account: &mut Account,
    task: CpmTask,
    delay: std::time::Duration,
    caller: &str,
) -> Result<(), VaultError> {
    if account.pending.is_some() {
        return Err(VaultError::conflict(
            "SBXVA409E",
            format!("A CPM task is already running on account [{}].", account.id),
        ));
    }
    account.pending = Some(Pending {
        task,
        due: Instant::now() + delay,
    });
    account.status = Some("inProcess".into());
    let action = match task {
        CpmTask::Change => "Change password immediately",
        CpmTask::Verify => "Verify password",
        CpmTask::Reconcile => "Reconcile password",
    };
    account.log(caller, action, 24, "PVWA", "");
    Ok(())
}

fn policy(value: &str) -> Result<String, VaultError> {
    let value = value.trim().to_owned();
    let classes = [
        value.chars().any(|c| c.is_ascii_uppercase()),
        value.chars().any(|c| c.is_ascii_lowercase()),
        value.chars().any(|c| c.is_ascii_digit()),
    ];
    if value.len() < 8 || classes.contains(&false) {
        return Err(VaultError::new(
            400,
            "EPVWF061E",
            "The password typed does not adhere to current password policy rules, please review the password policy rules",
        ));
    }
    Ok(value)
}

/// A10: remember the next password; the next change (now, with `ChangeImmediately`) applies it.
pub fn set_next_password(ctx: &Ctx<'_>) -> Outcome {
    let body = object(&ctx.json()?)?;
    let next = policy(&required(&body, "NewCredentials")?)?;
    let now_too = boolean(&body, "ChangeImmediately")?.unwrap_or(false);
    let delay = ctx.app.vault().cpm_delay;
    let caller = ctx.caller.name.clone();
    with_account(
        ctx,
        &[
            "initiateCPMAccountManagementOperations",
            "specifyNextAccountContent",
        ],
        |account| {
            if now_too && account.pending.is_some() {
                return Err(VaultError::conflict(
                    "SBXVA409E",
                    format!("A CPM task is already running on account [{}].", account.id),
                ));
            }
            account.next_password = Some(next);
            account.log(&caller, "Set next password", 24, "PVWA", "");
            if now_too {
                queue(account, CpmTask::Change, delay, &caller)?;
            }
            Ok(empty())
        },
    )
}

/// A11: a new Vault copy only.
pub fn update_password(ctx: &Ctx<'_>) -> Outcome {
    let body = object(&ctx.json()?)?;
    let value = policy(&required(&body, "NewCredentials")?)?;
    boolean(&body, "ChangeEntireGroup")?;
    let caller = ctx.caller.name.clone();
    with_account(ctx, &["updateAccountContent"], |account| {
        if account.secret() == value {
            return Err(VaultError::new(
                400,
                "EPVWF061E",
                "The new password was used recently (password history policy).",
            ));
        }
        account.push_secret(value, &caller);
        account.log(&caller, "Update password in Vault", 294, "PVWA", "");
        Ok(empty())
    })
}

/// A12.
pub fn generate(ctx: &Ctx<'_>) -> Outcome {
    with_account(ctx, &["listAccounts"], |_| {
        Ok(json(200, &j!({"Password": random_password()})))
    })
}

/// A13.
pub fn versions(ctx: &Ctx<'_>) -> Outcome {
    ctx.query.bool("showTemporary")?;
    with_account(ctx, &["listAccounts"], |account| {
        let list: Vec<Value> = account
            .versions
            .iter()
            .rev()
            .map(|v| j!({"versionID": v.id, "modifiedBy": v.by, "modificationDate": v.at, "isTemporary": false}))
            .collect();
        Ok(json(200, &j!({"Versions": list, "Total": list.len()})))
    })
}

/// A14.
pub fn activities(ctx: &Ctx<'_>) -> Outcome {
    with_account(ctx, &["viewAuditLog"], |account| {
        let list: Vec<Value> = account
            .activities
            .iter()
            .rev()
            .map(|a| {
                j!({"Alert": false, "Date": a.at, "User": a.user, "Action": a.action, "ActionID": a.action_id,
                    "ClientID": a.client, "MoreInfo": format!("Address: {}, User Name: {}", account.address, account.user_name),
                    "Reason": a.reason})
            })
            .collect();
        Ok(json(200, &j!({"Activities": list, "Total": list.len()})))
    })
}
