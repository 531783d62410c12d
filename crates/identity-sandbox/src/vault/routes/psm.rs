//! PSM live sessions L-1..L-7 and recordings R-1..R-5. Terminating a live session turns it
//! into a recording with bytes to play back.

use super::super::state::{PsmSession, Vault, now};
use super::super::{Ctx, Outcome, VaultError, empty, json};
use super::{authorized, can, matches_search};
use crate::envelope::Reply;
use serde_json::{Value, json as j};

fn key(live: bool) -> &'static str {
    if live { "LiveSessions" } else { "Recordings" }
}

/// Sessions the caller may see: those recorded in a safe where it may list accounts.
fn visible(v: &Vault, caller: &str, live: bool) -> Vec<PsmSession> {
    v.sessions
        .iter()
        .filter(|s| s.is_live() == live && can(v, caller, &s.safe, "listAccounts"))
        .cloned()
        .collect()
}

fn find(v: &Vault, ctx: &Ctx<'_>, live: bool) -> Result<PsmSession, VaultError> {
    let id = ctx.param(0);
    visible(v, &ctx.caller.name, live)
        .into_iter()
        .find(|s| s.id == id || s.guid.eq_ignore_ascii_case(id))
        .ok_or_else(|| VaultError::not_found(if live { "Live session" } else { "Recording" }, id))
}

/// L-1 and R-1: `Offset`/`Limit` paging with `Total`, newest first.
pub fn list(ctx: &Ctx<'_>, live: bool) -> Outcome {
    let v = ctx.app.vault();
    let limit = ctx.query.int("Limit", 1, 1000)?.unwrap_or(25) as usize;
    let offset = ctx
        .query
        .int("Offset", 0, i64::from(i32::MAX))?
        .unwrap_or(0) as usize;
    let from = ctx.query.int("FromTime", 0, i64::MAX)?;
    let to = ctx.query.int("ToTime", 0, i64::MAX)?;
    let safe = ctx.query.get("Safe");
    let search = ctx.query.get("Search");
    let mut items: Vec<PsmSession> = visible(&v, &ctx.caller.name, live)
        .into_iter()
        .filter(|s| safe.is_none_or(|x| s.safe.eq_ignore_ascii_case(x)))
        .filter(|s| from.is_none_or(|f| s.start >= f) && to.is_none_or(|t| s.start <= t))
        .filter(|s| {
            matches_search(
                search,
                &[&s.account_user, &s.remote_machine, &s.user, &s.platform],
                false,
            )
        })
        .collect();
    let sort = ctx.query.get("Sort").unwrap_or("-PSMStartTime");
    let (desc, field) = sort.strip_prefix('-').map_or((false, sort), |f| (true, f));
    if field.eq_ignore_ascii_case("RiskScore") {
        items.sort_by_key(|s| s.risk);
    } else {
        items.sort_by_key(|s| s.start);
    }
    if desc {
        items.reverse();
    }
    let total = items.len();
    let now = now();
    let page: Vec<Value> = items
        .iter()
        .skip(offset)
        .take(limit)
        .map(|s| s.to_json(now))
        .collect();
    Ok(json(200, &j!({key(live): page, "Total": total})))
}

/// L-2 and R-2: one session in the list envelope.
pub fn get(ctx: &Ctx<'_>, live: bool) -> Outcome {
    let v = ctx.app.vault();
    let s = find(&v, ctx, live)?;
    Ok(json(200, &j!({key(live): [s.to_json(now())], "Total": 1})))
}

/// L-3 and R-3.
pub fn activities(ctx: &Ctx<'_>, live: bool) -> Outcome {
    let v = ctx.app.vault();
    let s = find(&v, ctx, live)?;
    let list = [
        j!({"ActivityText": format!("Connected to {}", s.remote_machine), "ActivityType": 1, "ActivityId": "1", "Formats": ["Video"], "Offsets": {"Video": "00:00:01"}}),
        j!({"ActivityText": if s.risk >= 50 { "Registry Editor" } else { "Command prompt" }, "ActivityType": 2, "ActivityId": "2", "Formats": ["Video", "Text"], "Offsets": {"Video": "00:01:12", "Text": "00:01:12"}}),
    ];
    Ok(json(200, &j!({"Activities": list, "Total": list.len()})))
}

/// L-4 and R-4: the bare session object.
pub fn properties(ctx: &Ctx<'_>, live: bool) -> Outcome {
    let v = ctx.app.vault();
    Ok(json(200, &find(&v, ctx, live)?.to_json(now())))
}

/// L-5: JSON settings for `Accept: application/json`, else an RDP file.
pub fn monitor(ctx: &Ctx<'_>) -> Outcome {
    let v = ctx.app.vault();
    let s = find(&v, ctx, true)?;
    let wants_json = ctx
        .headers
        .get(hyper::header::ACCEPT)
        .and_then(|a| a.to_str().ok())
        .is_some_and(|a| a.contains("application/json") && !a.contains("application/octet-stream"));
    let settings = j!({"full address": "psm.sandbox.example", "server port": "3389",
        "username": format!("localhost\\PSM@{}", s.guid), "alternate shell": format!("PSM@{}", s.guid),
        "desktopwidth": "1024", "desktopheight": "768", "screen mode id": "1"});
    if wants_json {
        return Ok(json(200, &settings).header("ConnectionMethod", "RDPFile"));
    }
    let mut file = String::new();
    if let Some(map) = settings.as_object() {
        for (k, v) in map {
            file.push_str(&format!("{k}:s:{}\r\n", v.as_str().unwrap_or("")));
        }
    }
    Ok(Reply::new(200, "application/octet-stream", file).header("ConnectionMethod", "RDPFile"))
}

/// L-6 and L-7: needs the `AuditUsers` authorization (the sandbox's stand-in for the PVWA's
/// "terminating / suspending live sessions" user list).
pub fn act(ctx: &Ctx<'_>) -> Outcome {
    let mut v = ctx.app.vault();
    let s = find(&v, ctx, true)?;
    authorized(&v, &ctx.caller.name, "AuditUsers")?;
    let session = v
        .session_mut(&s.id)
        .ok_or_else(|| VaultError::not_found("Live session", ctx.param(0)))?;
    match ctx.route.op {
        "LiveSessions_Terminate" => {
            session.end = Some(now().max(session.start + 1));
            session.suspended = false;
        }
        "LiveSessions_Suspend" => session.suspended = true,
        _ => {
            if !session.suspended {
                return Err(VaultError::conflict(
                    "SBXVA409E",
                    format!("Session [{}] is not suspended.", session.id),
                ));
            }
            session.suspended = false;
        }
    }
    Ok(empty())
}

/// the recording's bytes.
pub fn play(ctx: &Ctx<'_>) -> Outcome {
    let v = ctx.app.vault();
    let s = find(&v, ctx, false)?;
    Ok(Reply::new(
        200,
        "application/octet-stream",
        s.recording_bytes(),
    ))
}

///
pub fn valid(ctx: &Ctx<'_>) -> Outcome {
    let v = ctx.app.vault();
    let s = find(&v, ctx, false)?;
    Ok(json(200, &j!({"IsValid": s.size > 0})))
}
