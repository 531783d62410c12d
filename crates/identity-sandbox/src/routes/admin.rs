//! The HTTP admin API under `/__sandbox/` (not part of the spec): faults, holds, the request
//! log, bulk users and invitations, for test suites that cannot call the Rust API.

use crate::app::App;
use crate::envelope::Reply;
use crate::faults::{Fault, Hostile, RetryAfter};
use crate::handle::Invitation;
use serde_json::{Value, json};
use std::time::Duration;

fn bad(message: impl Into<String>) -> Reply {
    Reply::json(400, &json!({"error": message.into()}))
}

fn done() -> Reply {
    Reply::json(200, &json!({"ok": true}))
}

/// Handles one admin request; `rest` is the path after `/__sandbox/`.
pub async fn handle(app: &App, method: &str, rest: &str, body: &[u8]) -> Reply {
    let json: Value = if body.iter().all(u8::is_ascii_whitespace) {
        Value::Null
    } else {
        match serde_json::from_slice(body) {
            Ok(v) => v,
            Err(e) => return bad(format!("body is not JSON: {e}")),
        }
    };
    match (method, rest.trim_end_matches('/')) {
        ("POST", "faults") => inject(app, &json),
        ("DELETE", "faults") => {
            app.faults.clear();
            done()
        }
        ("POST", "hold") => match json.get("operation").and_then(Value::as_str) {
            Some(op) => Reply::json(200, &json!({"hold_id": app.faults.hold(op).id()})),
            None => bad("`operation` (an operationId) is required"),
        },
        ("POST", "release") => match json.get("hold_id").and_then(Value::as_u64) {
            Some(id) if app.faults.release_id(id) => done(),
            Some(id) => Reply::json(404, &json!({"error": format!("no hold {id}")})),
            None => bad("`hold_id` is required"),
        },
        ("GET", path) if path.starts_with("hold/") => {
            let id = path.trim_start_matches("hold/").parse::<u64>().ok();
            match id.and_then(|id| app.faults.hold_status(id)) {
                Some((arrived, released)) => {
                    Reply::json(200, &json!({"arrived": arrived, "released": released}))
                }
                None => Reply::json(404, &json!({"error": "no such hold"})),
            }
        }
        ("GET", "requests") => Reply::json(200, &app.log.snapshot()),
        ("DELETE", "requests") => {
            app.log.clear();
            done()
        }
        ("POST", "users") => match json.get("count").and_then(Value::as_u64) {
            Some(n) if n <= 1_000_000 => {
                crate::seed::add_synthetic_users(&mut app.write(), n as usize);
                Reply::json(200, &json!({"ok": true, "total": app.read().users.len()}))
            }
            _ => bad("`count` must be an integer from 0 to 1000000"),
        },
        ("GET", "invitations") => {
            let list: Vec<Value> = app
                .read()
                .invitations
                .iter()
                .map(Invitation::from)
                .map(|i| {
                    json!({"user_id": i.user_id, "user_name": i.user_name, "address": i.address,
                           "channel": i.channel, "source": i.source, "role": i.role})
                })
                .collect();
            Reply::json(200, &list)
        }
        ("GET", "credentials") => {
            let c = &app.config;
            Reply::json(
                200,
                &json!({"client_id": c.client_id, "client_secret": c.client_secret, "app_id": c.app_id,
                        "admin_username": c.admin_username, "admin_password": c.admin_password,
                        "mfa_username": c.mfa_username, "mfa_password": c.mfa_password, "otp_code": c.otp_code}),
            )
        }
        // The user "clicks the link" of the e-mail an out-of-band login mechanism sent.
        ("POST", "oob/approve") => match json.get("user").and_then(Value::as_str) {
            Some(user) => match app.read().users.resolve(user) {
                Some(uuid) => {
                    let approved = app.auth().approve_oob(&uuid);
                    Reply::json(200, &json!({"approved": approved}))
                }
                None => Reply::json(404, &json!({"error": format!("no user {user}")})),
            },
            None => bad("`user` (a login name or UUID) is required"),
        },
        // The authorize endpoint's outcome: a code for a user who signed in and consented.
        ("POST", "authorize") => authorize(app, &json),
        ("POST", "token") => {
            let user = json
                .get("user")
                .and_then(Value::as_str)
                .unwrap_or(&app.config.admin_username);
            let uuid = app.read().users.resolve(user);
            match uuid {
                Some(uuid) => {
                    let token = app.auth().issue(&uuid, app.config.token_ttl);
                    Reply::json(200, &json!({"access_token": token, "token_type": "Bearer"}))
                }
                None => Reply::json(404, &json!({"error": format!("no user {user}")})),
            }
        }
        _ => Reply::json(
            404,
            &json!({"error": format!("identity-sandbox admin API has no {method} /__sandbox/{rest}")}),
        ),
    }
}

fn authorize(app: &App, json: &Value) -> Reply {
    let (Some(user), Some(redirect_uri)) = (
        json.get("user").and_then(Value::as_str),
        json.get("redirect_uri").and_then(Value::as_str),
    ) else {
        return bad("`user` and `redirect_uri` are required");
    };
    let challenge = json.get("code_challenge").and_then(Value::as_str);
    let Some(uuid) = app.read().users.resolve(user) else {
        return Reply::json(404, &json!({"error": format!("no user {user}")}));
    };
    let code = app.auth().issue_code(crate::auth::AuthorizationCode {
        user: uuid,
        redirect_uri: redirect_uri.to_owned(),
        code_challenge: challenge.map(str::to_owned),
        expires: std::time::Instant::now() + crate::auth::CODE_TTL,
    });
    Reply::json(200, &json!({"code": code}))
}

fn inject(app: &App, json: &Value) -> Reply {
    let Some(op) = json.get("operation").and_then(Value::as_str) else {
        return bad("`operation` (an operationId) is required");
    };
    let times = json.get("times").and_then(Value::as_u64).unwrap_or(1) as usize;
    let spec = json.get("fault").unwrap_or(&Value::Null);
    let kind = spec.get("kind").and_then(Value::as_str).unwrap_or("");
    let fault = match kind {
        "status" => match spec.get("status").and_then(Value::as_u64) {
            Some(s) if (100..=599).contains(&s) => Fault::Status(s as u16),
            _ => return bad("`fault.status` must be an HTTP status code"),
        },
        "rate_limited" => {
            let retry = if let Some(s) = spec.get("retry_after_seconds").and_then(Value::as_u64) {
                RetryAfter::Seconds(s)
            } else if let Some(d) = spec.get("retry_after_date").and_then(Value::as_str) {
                match httpdate::parse_http_date(d) {
                    Ok(t) => RetryAfter::HttpDate(t),
                    Err(_) => return bad("`fault.retry_after_date` must be an HTTP-date"),
                }
            } else {
                RetryAfter::None
            };
            Fault::RateLimited(retry)
        }
        "delay" => Fault::Delay(Duration::from_millis(
            spec.get("delay_ms").and_then(Value::as_u64).unwrap_or(0),
        )),
        "drop" => Fault::DropConnection,
        "truncated" => Fault::TruncatedBody,
        "malformed" => Fault::MalformedJson,
        "answer" => {
            let status = match spec.get("status").and_then(Value::as_u64) {
                Some(s) if (100..=599).contains(&s) => s as u16,
                _ => return bad("`fault.status` must be an HTTP status code"),
            };
            let body = match spec.get("body") {
                Some(Value::String(text)) => text.clone(),
                Some(json) => json.to_string(),
                None => return bad("`fault.body` (the JSON to answer with) is required"),
            };
            let retry_after = spec.get("retry_after_seconds").and_then(Value::as_u64);
            Fault::Answer {
                status,
                body,
                retry_after,
            }
        }
        other => match Hostile::by_name(other) {
            Some(hostile) => Fault::Hostile(hostile),
            None => {
                return bad(format!(
                    "unknown fault kind {other:?}; use status, rate_limited, delay, drop, truncated, malformed, answer or a hostile answer ({})",
                    Hostile::NAMES.join(", ")
                ));
            }
        },
    };
    app.faults.inject(op, fault, times);
    done()
}
