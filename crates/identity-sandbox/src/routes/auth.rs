//! Authentication: OAuth2 client credentials, the StartAuthentication / AdvanceAuthentication
//! state machine, and Logout.

use super::discovery;
use super::{Ctx, Outcome, render};
use crate::auth::{LoginSession, Mech, MechKind, PlatformClaims, SESSION_TTL};
use crate::envelope::{ApiError, ErrorKind, Reply, ok, ok_null};
use crate::ids;
use crate::input::{Body, field_str};
use base64::Engine as _;
use serde_json::{Value, json};
use std::time::{Instant, SystemTime};

/// The `subdomain` claim of the sandbox's platform tokens (`<subdomain>.cyberark.cloud`).
pub const PLATFORM_SUBDOMAIN: &str = "sandbox";
/// The `platform_domain` claim of the sandbox's platform tokens.
pub const PLATFORM_DOMAIN: &str = "cyberark.cloud";

const FAILED: &str = "Authentication (login or challenge) has failed. Please try again or contact your system administrator.";

/// The client id and secret of a token request: form fields, or HTTP Basic (RFC 6749 §2.3.1;
/// CyberArk's SDKs send Basic). Both at once is refused, as RFC 6749 requires.
fn client_credentials(
    ctx: &Ctx,
    form: &[(String, String)],
) -> Result<(Option<String>, Option<String>), Reply> {
    let get = |k: &str| form.iter().find(|(n, _)| n == k).map(|(_, v)| v.clone());
    let (id, secret) = (get("client_id"), get("client_secret"));
    let Some(header) = ctx
        .headers
        .get(hyper::header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
    else {
        return Ok((id, secret));
    };
    let basic = header
        .get(..6)
        .filter(|scheme| scheme.eq_ignore_ascii_case("basic "))
        .map(|_| header[6..].trim());
    // Another scheme (a stale bearer token) does not authenticate a client; it is ignored.
    let Some(basic) = basic else {
        return Ok((id, secret));
    };
    let decoded = base64::engine::general_purpose::STANDARD
        .decode(basic)
        .ok()
        .and_then(|bytes| String::from_utf8(bytes).ok());
    let Some((basic_id, basic_secret)) = decoded.as_deref().and_then(|d| d.split_once(':')) else {
        return Err(Reply::oauth_error(
            401,
            "invalid_client",
            "the Basic credentials are not base64 of `client_id:client_secret`",
        ));
    };
    if secret.is_some() {
        return Err(Reply::oauth_error(
            400,
            "invalid_request",
            "the client authenticated twice: client_secret in the form and HTTP Basic",
        ));
    }
    if id.as_deref().is_some_and(|form_id| form_id != basic_id) {
        return Err(Reply::oauth_error(
            400,
            "invalid_request",
            "client_id in the form differs from the one in HTTP Basic",
        ));
    }
    Ok((Some(basic_id.to_owned()), Some(basic_secret.to_owned())))
}

/// The UUID of the active, unlocked OAuth confidential client with these credentials.
fn confidential_client(ctx: &Ctx, id: &str, secret: &str) -> Option<String> {
    let t = ctx.app.read();
    t.users
        .by_name(id)
        .filter(|u| u.oauth_client && u.password.as_deref() == Some(secret))
        .filter(|u| u.state.active() && !u.cloud_locked)
        .map(|u| u.uuid.clone())
}

/// Whether a user may still sign in (exists, active, not cloud-locked).
fn may_sign_in(ctx: &Ctx, uuid: &str) -> bool {
    let t = ctx.app.read();
    t.users
        .get(uuid)
        .is_some_and(|u| u.state.active() && !u.cloud_locked)
}

/// The base64url SHA-256 of a PKCE verifier (RFC 7636 §4.2, method `S256`).
pub fn pkce_challenge(verifier: &str) -> String {
    let digest = ring::digest::digest(&ring::digest::SHA256, verifier.as_bytes());
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(digest.as_ref())
}

/// POST /oauth2/platformtoken and /oauth2/token/{app_id}: the client-credentials grant on both,
/// and on an application's endpoint also `authorization_code` (with PKCE) and `refresh_token`.
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
    let field = |k: &str| {
        form.iter()
            .find(|(n, _)| n == k)
            .map(|(_, v)| v.clone())
            .filter(|v| !v.is_empty())
    };
    let (id, secret) = match client_credentials(ctx, &form) {
        Ok(pair) => pair,
        Err(reply) => return reply,
    };
    let scope = field("scope");
    let on_app = ctx.route.param.is_some();
    let grant = field("grant_type");
    let (user, refresh) = match grant.as_deref() {
        Some("client_credentials") => {
            let (Some(id), Some(secret)) = (id, secret) else {
                return Reply::oauth_error(
                    400,
                    "invalid_request",
                    "client_id and client_secret are required (in the form or as HTTP Basic)",
                );
            };
            match confidential_client(ctx, &id, &secret) {
                Some(user) => (user, false),
                None => return Reply::oauth_error(401, "invalid_client", "invalid client creds"),
            }
        }
        Some("authorization_code") if on_app => {
            match redeem_code(
                ctx,
                id,
                secret,
                field("code"),
                field("redirect_uri"),
                field("code_verifier"),
            ) {
                Ok(user) => (user, true),
                Err(reply) => return reply,
            }
        }
        Some("refresh_token") if on_app => {
            if let Err(reply) = check_client(ctx, id, secret) {
                return reply;
            }
            let Some(refresh) = field("refresh_token") else {
                return Reply::oauth_error(400, "invalid_request", "refresh_token is required");
            };
            match ctx.app.auth().redeem_refresh(&refresh) {
                Some(user) if may_sign_in(ctx, &user) => (user, true),
                _ => return Reply::oauth_error(400, "invalid_grant", "invalid refresh token"),
            }
        }
        Some(_) => return Reply::oauth_error(400, "unsupported_grant_type", "invalid grant type"),
        None => return Reply::oauth_error(400, "invalid_request", "grant_type is required"),
    };
    let ttl = ctx.app.config.token_ttl;
    let mut auth = ctx.app.auth();
    let token = auth.issue(&user, ttl);
    let mut answer = json!({"access_token": token, "token_type": "Bearer", "expires_in": ttl.as_secs().min(i32::MAX as u64),
                            "scope": scope.unwrap_or_else(|| "all".into())});
    if refresh {
        answer["refresh_token"] = auth.issue_refresh(&user).into();
    }
    Reply::json(200, &answer)
}

/// Checks the client of a grant made for a user: a `client_id` is required; a secret, if
/// sent, must be the confidential client's.
fn check_client(ctx: &Ctx, id: Option<String>, secret: Option<String>) -> Result<(), Reply> {
    let Some(id) = id else {
        return Err(Reply::oauth_error(
            400,
            "invalid_request",
            "client_id is required",
        ));
    };
    match secret {
        Some(secret) if confidential_client(ctx, &id, &secret).is_none() => Err(
            Reply::oauth_error(401, "invalid_client", "invalid client creds"),
        ),
        _ => Ok(()),
    }
}

/// The `authorization_code` grant: the code must be live, for the same redirect URI, and, when
/// it was issued with a PKCE challenge, come with the verifier that hashes to it. A public
/// client (no secret) must use PKCE.
fn redeem_code(
    ctx: &Ctx,
    id: Option<String>,
    secret: Option<String>,
    code: Option<String>,
    redirect_uri: Option<String>,
    verifier: Option<String>,
) -> Result<String, Reply> {
    let public = secret.is_none();
    check_client(ctx, id, secret)?;
    let (Some(code), Some(redirect_uri)) = (code, redirect_uri) else {
        return Err(Reply::oauth_error(
            400,
            "invalid_request",
            "code and redirect_uri are required",
        ));
    };
    let invalid = || Reply::oauth_error(400, "invalid_grant", "invalid authorization code");
    let issued = ctx.app.auth().redeem_code(&code).ok_or_else(invalid)?;
    if issued.redirect_uri != redirect_uri {
        return Err(Reply::oauth_error(
            400,
            "invalid_grant",
            "redirect_uri does not match the authorization request",
        ));
    }
    match (&issued.code_challenge, verifier) {
        (Some(challenge), Some(verifier)) if pkce_challenge(&verifier) == *challenge => {}
        (Some(_), _) => {
            return Err(Reply::oauth_error(
                400,
                "invalid_grant",
                "code_verifier does not match the code_challenge",
            ));
        }
        (None, _) if public => {
            return Err(Reply::oauth_error(
                400,
                "invalid_request",
                "a client without a secret must use PKCE",
            ));
        }
        (None, _) => {}
    }
    if !may_sign_in(ctx, &issued.user) {
        return Err(invalid());
    }
    Ok(issued.user)
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
            // As real tenants send it: `StartTextOob` means "start it, then poll or answer
            // with the code".
            json!({"AnswerType": "StartTextOob", "Name": "EMAIL", "MaskedEmailAddress": format!("***@{domain}"),
                   "PartialAddress": domain,
                   "PromptMechChosen": format!("Email sent to ***@{domain}. Click the link or manually enter the code to authenticate."),
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
    let platform_token = body.bool_opt("PlatformTokenResponse")?.unwrap_or(false);
    body.str_opt("MfaRequestor")?;
    if let Some(pod) = discovery::redirect(ctx, &name)? {
        return Ok(ok(&json!({ "PodFqdn": pod })));
    }
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
            oob_approved: false,
            platform_token,
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
        // The link in the "e-mail" is clicked through the admin hook (`approve_oob`); until
        // then polling reports the mechanism pending.
        ("Poll", MechKind::EmailCode) if s.oob_started && !s.oob_approved => {
            return Ok("OobPending");
        }
        ("Poll", MechKind::EmailCode) if s.oob_started => {}
        _ => return Err(()),
    }
    s.next += 1;
    s.oob_started = false;
    s.oob_approved = false;
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
    let (token, auth, refresh) = {
        let mut state = ctx.app.auth();
        let auth = state.issue(&uuid, ttl);
        if session.platform_token {
            // As with CyberArk's SDKs: `Token` is the platform JWT (what the Vault of a
            // Privilege Cloud tenant accepts), `Auth` the session token of the cookie.
            let claims = PlatformClaims {
                unique_name: &name,
                tenant_id: crate::seed::TENANT_ID,
                subdomain: PLATFORM_SUBDOMAIN,
                platform_domain: PLATFORM_DOMAIN,
            };
            let (token, refresh) = state.issue_platform(&uuid, ttl, &claims);
            (token, auth, Some(refresh))
        } else {
            (auth.clone(), auth, None)
        }
    };
    let host = ctx
        .headers
        .get(hyper::header::HOST)
        .and_then(|h| h.to_str().ok())
        .unwrap_or("127.0.0.1")
        .to_owned();
    let mut result = json!({
        "AuthLevel": "Normal",
        "DisplayName": display.unwrap_or_else(|| name.clone()),
        "Token": token,
        "Auth": auth,
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
    });
    if let Some(refresh) = refresh {
        result["RefreshToken"] = refresh.into();
    }
    Ok(ok(&result).header("set-cookie", format!(".ASPXAUTH={auth}; path=/; HttpOnly")))
}

/// /Security/Logout: ends the caller's token.
pub fn logout(ctx: &Ctx) -> Outcome {
    let _ = Body::parse(&ctx.body)?;
    if let Some(token) = &ctx.token {
        ctx.app.auth().revoke(token);
    }
    Ok(ok_null())
}

/// The value of cookie `name` in the request's `Cookie` headers.
fn request_cookie(ctx: &Ctx, name: &str) -> Option<String> {
    ctx.headers
        .get_all(hyper::header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .find_map(|c| {
            let (k, v) = c.trim().split_once('=')?;
            (k == name && !v.is_empty()).then(|| v.to_owned())
        })
}

/// POST /OAuth2/RefreshPlatformToken: redeems the refresh token of a login that asked for a
/// platform token, as CyberArk's SDK does (`ArkIdentity.refresh_auth_identity`): the refresh
/// token and the platform token it came with arrive as the cookies `refreshToken-<tenant_id>`
/// and `idToken-<tenant_id>` (the platform token may have expired: that is when it is
/// refreshed), and the new pair is set in the same cookies. A refresh token is good once; an
/// unknown or spent one, a missing cookie, or a user who may no longer sign in gets the
/// tenant's 401.
pub fn refresh_platform_token(ctx: &Ctx) -> Outcome {
    let tenant = crate::seed::TENANT_ID;
    let id_cookie = format!("idToken-{tenant}");
    let refresh_cookie = format!("refreshToken-{tenant}");
    let (Some(refresh), Some(_)) = (
        request_cookie(ctx, &refresh_cookie),
        request_cookie(ctx, &id_cookie),
    ) else {
        return Ok(Reply::unauthorized());
    };
    let Some(uuid) = ctx.app.auth().redeem_refresh(&refresh) else {
        return Ok(Reply::unauthorized());
    };
    if !may_sign_in(ctx, &uuid) {
        return Ok(Reply::unauthorized());
    }
    let name = {
        let t = ctx.app.read();
        render::user(&t, &uuid)?.name.clone()
    };
    let claims = PlatformClaims {
        unique_name: &name,
        tenant_id: tenant,
        subdomain: PLATFORM_SUBDOMAIN,
        platform_domain: PLATFORM_DOMAIN,
    };
    let (token, refresh) = ctx
        .app
        .auth()
        .issue_platform(&uuid, ctx.app.config.token_ttl, &claims);
    Ok(ok_null()
        .header(
            "set-cookie",
            format!("{id_cookie}={token}; path=/; secure; HttpOnly"),
        )
        .header(
            "set-cookie",
            format!("{refresh_cookie}={refresh}; path=/; secure; HttpOnly"),
        ))
}
