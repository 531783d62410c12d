//! Authentication: OAuth2 client credentials, the StartAuthentication / AdvanceAuthentication
//! state machine, and Logout.

use super::{Ctx, Outcome, render};
use crate::auth::{LoginSession, Mech, MechKind, SESSION_TTL};
use crate::envelope::{ApiError, ErrorKind, Reply, ok, ok_null};
use crate::ids;
use crate::input::{Body, field_str};
use serde_json::{Value, json};
use std::time::{Instant, SystemTime};

const FAILED: &str = "Authentication (login or challenge) has failed. Please try again or contact your system administrator.";

/// The client id and secret of a token request: form fields, or HTTP Basic.
fn client_credentials(ctx: &Ctx, form: &[(String, String)]) -> (Option<String>, Option<String>) {
    let get = |k: &str| form.iter().find(|(n, _)| n == k).map(|(_, v)| v.clone());
    let (mut id, mut secret) = (get("client_id"), get("client_secret"));
    if id.is_none()
        && let Some(basic) = ctx
            .headers
            .get(hyper::header::AUTHORIZATION)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| {
                v.strip_prefix("Basic ")
                    .or_else(|| v.strip_prefix("basic "))
            })
        && let Some(decoded) = decode_base64(basic.trim())
        && let Some((i, s)) = decoded.split_once(':')
    {
        id = Some(i.to_owned());
        secret = Some(s.to_owned());
    }
    (id, secret)
}

fn decode_base64(text: &str) -> Option<String> {
    let mut bits = 0u32;
    let mut n = 0;
    let mut out = Vec::new();
    for c in text.bytes().filter(|c| *c != b'=') {
        let v = match c {
            b'A'..=b'Z' => c - b'A',
            b'a'..=b'z' => c - b'a' + 26,
            b'0'..=b'9' => c - b'0' + 52,
            b'+' | b'-' => 62,
            b'/' | b'_' => 63,
            _ => return None,
        };
        bits = (bits << 6) | u32::from(v);
        n += 6;
        if n >= 8 {
            n -= 8;
            out.push((bits >> n) as u8);
        }
    }
    String::from_utf8(out).ok()
}

/// POST /oauth2/platformtoken and /oauth2/token/{app_id}.
pub fn token(ctx: &Ctx) -> Reply {
    let form: Vec<(String, String)> = match serde_urlencoded::from_bytes(&ctx.body) {
        Ok(form) => form,
        Err(_) => {
            return Reply::oauth_error(
                400,
                "invalid_request",
                "the body must be application/x-www-form-urlencoded",
            );
        }
    };
    if let Some(app) = &ctx.route.param
        && app != &ctx.app.config.app_id
    {
        return Reply::oauth_error(401, "invalid_client", &format!("unknown application {app}"));
    }
    match form
        .iter()
        .find(|(k, _)| k == "grant_type")
        .map(|(_, v)| v.as_str())
    {
        Some("client_credentials") => {}
        Some(_) => return Reply::oauth_error(400, "unsupported_grant_type", "invalid grant type"),
        None => return Reply::oauth_error(400, "invalid_request", "grant_type is required"),
    }
    let (Some(id), Some(secret)) = client_credentials(ctx, &form) else {
        return Reply::oauth_error(
            400,
            "invalid_request",
            "client_id and client_secret are required",
        );
    };
    let scope = form
        .iter()
        .find(|(k, _)| k == "scope")
        .map(|(_, v)| v.clone())
        .filter(|s| !s.is_empty());
    let user = {
        let t = ctx.app.read();
        t.users
            .by_name(&id)
            .filter(|u| u.oauth_client && u.password.as_deref() == Some(secret.as_str()))
            .filter(|u| u.state.active() && !u.cloud_locked)
            .map(|u| u.uuid.clone())
    };
    let Some(user) = user else {
        return Reply::oauth_error(401, "invalid_client", "invalid client creds");
    };
    let ttl = ctx.app.config.token_ttl;
    let token = ctx.app.auth().issue(&user, ttl);
    Reply::json(
        200,
        &json!({"access_token": token, "token_type": "Bearer", "expires_in": ttl.as_secs().min(i32::MAX as u64),
                "scope": scope.unwrap_or_else(|| "all".into())}),
    )
}

fn mechanism_json(m: &Mech, mail: Option<&str>) -> Value {
    match m.kind {
        MechKind::Password => {
            json!({"AnswerType": "Text", "Name": "UP", "PromptMechChosen": "Enter Password",
                                     "PromptSelectMech": "Password", "MechanismId": m.id, "Enrolled": true})
        }
        MechKind::EmailCode => {
            let domain = mail
                .and_then(|m| m.split_once('@'))
                .map(|(_, d)| d)
                .unwrap_or("sandbox.example");
            json!({"AnswerType": "Text", "Name": "EMAIL", "MaskedEmailAddress": format!("***@{domain}"),
                   "PartialAddress": domain,
                   "PromptMechChosen": format!("Enter the code e-mailed to ***@{domain}."),
                   "PromptSelectMech": format!("Email... @{domain}"), "MechanismId": m.id, "Enrolled": true})
        }
    }
}

/// /Security/StartAuthentication.
pub fn start_authentication(ctx: &Ctx) -> Outcome {
    let body = ctx.json()?;
    let name = body.str_req("User")?;
    let version = body.str_req("Version")?;
    if version != "1.0" {
        return Err(ApiError::invalid(format!(
            "Unsupported API version {version}; use 1.0."
        )));
    }
    if let Some(tenant) = body.str_opt("TenantId")?.filter(|t| !t.is_empty())
        && !tenant.eq_ignore_ascii_case(crate::seed::TENANT_ID)
    {
        return Err(ApiError::new(
            ErrorKind::NotFound,
            format!("Tenant {tenant} does not exist."),
        ));
    }
    body.bool_opt("PlatformTokenResponse")?;
    let (user, mfa, mail) = {
        let t = ctx.app.read();
        match t.users.by_name(&name) {
            Some(u) => {
                let exempt = u
                    .mfa_exempt_until
                    .is_some_and(|until| until > SystemTime::now());
                (Some(u.uuid.clone()), u.mfa && !exempt, u.mail.clone())
            }
            None => (None, false, None),
        }
    };
    let mut challenges = vec![vec![Mech {
        id: ids::opaque(32),
        kind: MechKind::Password,
    }]];
    if mfa {
        challenges.push(vec![Mech {
            id: ids::opaque(32),
            kind: MechKind::EmailCode,
        }]);
    }
    let json_challenges: Vec<Value> = challenges
        .iter()
        .map(|c| json!({"Mechanisms": c.iter().map(|m| mechanism_json(m, mail.as_deref())).collect::<Vec<_>>()}))
        .collect();
    let session_id = ids::opaque(32);
    ctx.app.auth().sessions.insert(
        session_id.clone(),
        LoginSession {
            user,
            challenges,
            next: 0,
            oob_started: false,
            expires: Instant::now() + SESSION_TTL,
        },
    );
    Ok(ok(&json!({
        "ClientHints": {"PersistDefault": false, "AllowPersist": true, "AllowForgotPassword": false,
                        "EndpointAuthenticationEnabled": false, "RequestedUsername": name},
        "Version": "1.0",
        "SessionId": session_id,
        "EventDescription": null,
        "RetryWaitingTime": 0,
        "SecurityImageName": null,
        "AllowLoginMfaCache": false,
        "Challenges": json_challenges,
        "Summary": "NewPackage",
        "TenantId": crate::seed::TENANT_ID,
    })))
}

/// The failure envelope of AdvanceAuthentication, which carries `Result.Summary: Failure`.
fn auth_failure() -> Reply {
    crate::envelope::fail_with(
        &ApiError::new(ErrorKind::Unauthorized, FAILED),
        Some(json!({"Summary": "Failure"})),
        false,
    )
}

/// One step of the state machine; `Err(())` fails the whole package.
fn step(
    ctx: &Ctx,
    s: &mut LoginSession,
    mech_id: &str,
    action: &str,
    answer: Option<&str>,
) -> Result<&'static str, ()> {
    let challenge = s.challenges.get(s.next).ok_or(())?;
    let mech = challenge
        .iter()
        .find(|m| m.id == mech_id)
        .ok_or(())?
        .clone();
    match (action, mech.kind) {
        ("Answer", MechKind::Password) => {
            let t = ctx.app.read();
            let u = s.user.as_deref().and_then(|id| t.users.get(id)).ok_or(())?;
            let ok = answer.is_some()
                && u.password.as_deref() == answer
                && u.state.active()
                && !u.cloud_locked;
            if !ok {
                return Err(());
            }
        }
        ("Answer", MechKind::EmailCode) => {
            if answer != Some(ctx.app.config.otp_code.as_str()) {
                return Err(());
            }
        }
        ("StartOOB" | "RetryOOB", MechKind::EmailCode) => {
            s.oob_started = true;
            return Ok("OobPending");
        }
        // The code only arrives "by e-mail", so polling never completes the mechanism by itself.
        ("Poll", MechKind::EmailCode) if s.oob_started => return Ok("OobPending"),
        _ => return Err(()),
    }
    s.next += 1;
    s.oob_started = false;
    Ok(if s.next == s.challenges.len() {
        "LoginSuccess"
    } else {
        "StartNextChallenge"
    })
}

/// /Security/AdvanceAuthentication.
pub fn advance_authentication(ctx: &Ctx) -> Outcome {
    let body = ctx.json()?;
    let session_id = body.str_req("SessionId")?;
    let mut ops: Vec<(String, String, Option<String>)> = Vec::new();
    if let Some(list) = body.array_opt("MultipleOperations")? {
        for item in list {
            let item = item.as_object().ok_or_else(|| {
                ApiError::invalid("Every item of MultipleOperations must be an object.")
            })?;
            ops.push((
                field_str(item, "MechanismId")?
                    .ok_or_else(|| ApiError::missing("MultipleOperations.MechanismId"))?,
                field_str(item, "Action")?
                    .ok_or_else(|| ApiError::missing("MultipleOperations.Action"))?,
                field_str(item, "Answer")?,
            ));
        }
    } else {
        ops.push((
            body.str_req("MechanismId")?,
            body.str_req("Action")?,
            body.str_opt("Answer")?,
        ));
    }
    body.bool_opt("PersistentLogin")?;
    let session = ctx.app.auth().sessions.remove(&session_id);
    let Some(mut session) = session.filter(|s| s.expires > Instant::now()) else {
        return Ok(auth_failure());
    };
    let mut summary = "Failure";
    for (mech, action, answer) in &ops {
        match step(ctx, &mut session, mech, action, answer.as_deref()) {
            Ok(s) => summary = s,
            // Any failure invalidates the whole package: the session is not put back.
            Err(()) => return Ok(auth_failure()),
        }
    }
    if summary != "LoginSuccess" {
        ctx.app.auth().sessions.insert(session_id, session);
        return Ok(ok(&json!({ "Summary": summary })));
    }
    login_success(ctx, &session)
}

fn login_success(ctx: &Ctx, session: &LoginSession) -> Outcome {
    let uuid = session.user.clone().unwrap_or_default();
    let (name, display, mail) = {
        let t = ctx.app.read();
        let u = render::user(&t, &uuid)?;
        (u.name.clone(), u.display_name.clone(), u.mail.clone())
    };
    let ttl = ctx.app.config.token_ttl;
    let token = ctx.app.auth().issue(&uuid, ttl);
    let host = ctx
        .headers
        .get(hyper::header::HOST)
        .and_then(|h| h.to_str().ok())
        .unwrap_or("127.0.0.1")
        .to_owned();
    let reply = ok(&json!({
        "AuthLevel": "Normal",
        "DisplayName": display.unwrap_or_else(|| name.clone()),
        "Token": token,
        "Auth": token,
        "TokenLifetime": ttl.as_secs().min(i32::MAX as u64),
        "UserId": uuid,
        "EmailAddress": mail.unwrap_or_default(),
        "UserDirectory": "CDS",
        "PodFqdn": host,
        "User": name,
        "CustomerID": crate::seed::TENANT_ID,
        "SystemID": crate::seed::TENANT_ID,
        "SourceDsType": "CDS",
        "Summary": "LoginSuccess",
    }));
    Ok(reply.header("set-cookie", format!(".ASPXAUTH={token}; path=/; HttpOnly")))
}

/// /Security/Logout: ends the caller's token.
pub fn logout(ctx: &Ctx) -> Outcome {
    let _ = Body::parse(&ctx.body)?;
    if let Some(token) = &ctx.token {
        ctx.app.auth().revoke(token);
    }
    Ok(ok_null())
}
