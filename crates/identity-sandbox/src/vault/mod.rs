//! The Vault API (PVWA, `spec/vault.yaml`) served under `/PasswordVault/`, as on a real server.
//!
//! It shares the sandbox's core (the server loop, faults, holds and the request log) with the
//! Identity API and keeps its own state and routes here; nothing outside this folder depends
//! on them except the server's one call into [`resolve`] and [`call`].

pub mod cpm;
mod input;
mod routes;
pub mod seed;
pub mod state;

use crate::app::App;
use crate::envelope::Reply;
use bytes::Bytes;
use hyper::{HeaderMap, Method};
pub use input::{Query, VaultError};

/// The path prefix of the Vault application on the server.
pub const PREFIX: &str = "/PasswordVault/";

/// `(method, path pattern under /PasswordVault/, operationId)`; `{}` matches one segment.
/// Literal patterns come before parameterised ones so `Platforms/Targets` wins over
/// `Platforms/{}`.
const ROUTES: &[(&str, &str, &str)] = &[
    ("POST", "API/Auth/Logoff", "Auth_Logoff"),
    ("POST", "API/Auth/{}/Logon", "Auth_Logon"),
    (
        "GET",
        "WebServices/PIMServices.svc/Server",
        "Server_GetVersion",
    ),
    ("GET", "API/Accounts", "Accounts_List"),
    ("POST", "API/Accounts", "Accounts_Add"),
    ("GET", "API/Accounts/{}", "Accounts_Get"),
    ("PATCH", "API/Accounts/{}", "Accounts_Update"),
    ("DELETE", "API/Accounts/{}", "Accounts_Delete"),
    (
        "POST",
        "API/Accounts/{}/Password/Retrieve",
        "Accounts_RetrievePassword",
    ),
    (
        "POST",
        "API/Accounts/{}/Secret/Retrieve",
        "Accounts_RetrieveSecret",
    ),
    ("POST", "API/Accounts/{}/Change", "Accounts_Change"),
    ("POST", "API/Accounts/{}/Verify", "Accounts_Verify"),
    ("POST", "API/Accounts/{}/Reconcile", "Accounts_Reconcile"),
    (
        "POST",
        "API/Accounts/{}/SetNextPassword",
        "Accounts_SetNextPassword",
    ),
    (
        "POST",
        "API/Accounts/{}/Password/Update",
        "Accounts_UpdatePassword",
    ),
    (
        "POST",
        "API/Accounts/{}/Secret/Generate",
        "Accounts_GeneratePassword",
    ),
    (
        "GET",
        "API/Accounts/{}/Secret/Versions",
        "Accounts_ListSecretVersions",
    ),
    (
        "GET",
        "API/Accounts/{}/Activities",
        "Accounts_ListActivities",
    ),
    ("POST", "API/Accounts/{}/LinkAccount", "Accounts_Link"),
    (
        "DELETE",
        "API/Accounts/{}/LinkAccount/{}",
        "Accounts_Unlink",
    ),
    ("GET", "API/Safes", "Safes_List"),
    ("POST", "API/Safes", "Safes_Add"),
    ("GET", "API/Safes/{}", "Safes_Get"),
    ("PUT", "API/Safes/{}", "Safes_Update"),
    ("DELETE", "API/Safes/{}", "Safes_Delete"),
    ("GET", "API/Safes/{}/Members", "SafeMembers_List"),
    ("POST", "API/Safes/{}/Members", "SafeMembers_Add"),
    ("GET", "API/Safes/{}/Members/{}", "SafeMembers_Get"),
    ("PUT", "API/Safes/{}/Members/{}", "SafeMembers_Update"),
    ("DELETE", "API/Safes/{}/Members/{}", "SafeMembers_Delete"),
    ("GET", "API/Platforms", "Platforms_List"),
    ("GET", "API/Platforms/Targets", "Platforms_ListTargets"),
    (
        "GET",
        "API/Platforms/Dependents",
        "Platforms_ListDependents",
    ),
    ("GET", "API/Platforms/Groups", "Platforms_ListGroups"),
    (
        "GET",
        "API/Platforms/RotationalGroups",
        "Platforms_ListRotationalGroups",
    ),
    ("GET", "API/Platforms/{}", "Platforms_Get"),
    ("GET", "API/Platforms/{}/Safes", "Safes_ListForPlatform"),
    ("GET", "API/LiveSessions", "LiveSessions_List"),
    ("GET", "API/LiveSessions/{}", "LiveSessions_Get"),
    (
        "GET",
        "API/LiveSessions/{}/activities",
        "LiveSessions_ListActivities",
    ),
    (
        "GET",
        "API/LiveSessions/{}/properties",
        "LiveSessions_GetProperties",
    ),
    ("GET", "API/LiveSessions/{}/Monitor", "LiveSessions_Monitor"),
    (
        "POST",
        "API/LiveSessions/{}/Terminate",
        "LiveSessions_Terminate",
    ),
    (
        "POST",
        "API/LiveSessions/{}/Suspend",
        "LiveSessions_Suspend",
    ),
    ("POST", "API/LiveSessions/{}/Resume", "LiveSessions_Resume"),
    ("GET", "API/Recordings", "Recordings_List"),
    ("GET", "API/Recordings/{}", "Recordings_Get"),
    (
        "GET",
        "API/Recordings/{}/activities",
        "Recordings_ListActivities",
    ),
    (
        "GET",
        "API/Recordings/{}/properties",
        "Recordings_GetProperties",
    ),
    ("POST", "API/Recordings/{}/Play", "Recordings_Play"),
    ("GET", "API/Recordings/{}/valid", "Recordings_IsValid"),
    ("GET", "API/Users", "Users_List"),
    ("POST", "API/Users", "Users_Add"),
    ("GET", "API/Users/{}", "Users_Get"),
    ("PUT", "API/Users/{}", "Users_Update"),
    ("DELETE", "API/Users/{}", "Users_Delete"),
    ("POST", "API/Users/{}/Activate", "Users_Activate"),
    ("POST", "API/Users/{}/ResetPassword", "Users_ResetPassword"),
];

/// Every operationId of the Vault the sandbox serves (all 58 of `spec/vault.yaml`).
pub fn operation_ids() -> impl Iterator<Item = &'static str> {
    ROUTES.iter().map(|(_, _, op)| *op)
}

/// A matched Vault operation.
#[derive(Debug, Clone)]
pub struct Route {
    /// operationId.
    pub op: &'static str,
    /// The path parameters, percent-decoded, in order.
    pub params: Vec<String>,
}

/// The outcome of routing a path under `/PasswordVault/`.
#[derive(Debug)]
pub enum Resolved {
    /// An operation.
    Op(Route),
    /// The path exists with other methods (the `Allow` header value).
    WrongMethod(String),
    /// No such path.
    NotFound,
}

/// Routes a path that starts with [`PREFIX`] (case-insensitive, like IIS). A trailing slash is
/// accepted, as the Vault needs it after a segment with a dot.
pub fn resolve(method: &Method, path: &str) -> Resolved {
    let rest = &path[PREFIX.len()..];
    let rest = rest.strip_suffix('/').unwrap_or(rest);
    let segments: Vec<&str> = rest.split('/').collect();
    // Among the patterns that fit, the most literal ones win, so `Platforms/Targets` is not
    // taken for the platform id `Targets`.
    let fitting: Vec<(&(&str, &str, &str), usize)> = ROUTES
        .iter()
        .filter_map(|route| {
            let pattern: Vec<&str> = route.1.split('/').collect();
            let fits = pattern.len() == segments.len()
                && pattern.iter().zip(&segments).all(|(p, s)| {
                    if *p == "{}" {
                        !s.is_empty()
                    } else {
                        p.eq_ignore_ascii_case(s)
                    }
                });
            fits.then(|| (route, pattern.iter().filter(|p| **p != "{}").count()))
        })
        .collect();
    let best = fitting.iter().map(|(_, n)| *n).max().unwrap_or(0);
    let candidates: Vec<&(&str, &str, &str)> = fitting
        .iter()
        .filter(|(_, n)| *n == best)
        .map(|(r, _)| *r)
        .collect();
    let allowed: Vec<&str> = candidates.iter().map(|r| r.0).collect();
    let matched = candidates.iter().find(|r| r.0 == method.as_str());
    match matched {
        Some((_, pattern, op)) => {
            let params = pattern
                .split('/')
                .zip(&segments)
                .filter(|(p, _)| *p == "{}")
                .map(|(_, s)| input::percent_decode(s))
                .collect();
            Resolved::Op(Route { op, params })
        }
        None if !allowed.is_empty() => Resolved::WrongMethod(allowed.join(", ")),
        None => Resolved::NotFound,
    }
}

/// Who is calling: a vault user name, from a Vault session or the Identity platform token.
#[derive(Debug, Clone)]
pub struct Caller {
    /// The vault user (or Identity user) name.
    pub name: String,
    /// The Vault session token, when the caller used one (Logoff ends it).
    pub session: Option<String>,
}

/// Everything a Vault handler needs about one request.
pub struct Ctx<'a> {
    /// Shared state.
    pub app: &'a App,
    /// The matched operation.
    pub route: Route,
    /// Query parameters.
    pub query: Query,
    /// Request headers.
    pub headers: &'a HeaderMap,
    /// The raw body.
    pub body: Bytes,
    /// The authenticated caller.
    pub caller: Caller,
}

impl Ctx<'_> {
    /// Path parameter `i`.
    pub fn param(&self, i: usize) -> &str {
        self.route.params.get(i).map_or("", String::as_str)
    }

    /// The body as a JSON value (`null` when empty).
    pub fn json(&self) -> Result<serde_json::Value, VaultError> {
        input::parse_body(&self.body)
    }
}

/// What a Vault handler returns.
pub type Outcome = Result<Reply, VaultError>;

/// A JSON answer.
pub fn json(status: u16, value: &impl serde::Serialize) -> Reply {
    Reply::json(status, value)
}

/// A 200 with an empty body, as the Vault answers its actions.
pub fn empty() -> Reply {
    Reply::empty(200)
}

/// Operations whose request body the spec requires.
fn needs_body(op: &str) -> bool {
    matches!(
        op,
        "Auth_Logon"
            | "Accounts_Add"
            | "Accounts_Update"
            | "Accounts_SetNextPassword"
            | "Accounts_UpdatePassword"
            | "Accounts_Link"
            | "Safes_Add"
            | "Safes_Update"
            | "SafeMembers_Add"
            | "SafeMembers_Update"
            | "Users_Add"
            | "Users_Update"
            | "Users_ResetPassword"
    )
}

fn is_anonymous(op: &str) -> bool {
    matches!(op, "Auth_Logon" | "Server_GetVersion")
}

/// Authenticates the caller: `Authorization: <session token>` (self-hosted) or
/// `Authorization: Bearer <Identity token>` (Privilege Cloud).
fn authenticate(app: &App, headers: &HeaderMap) -> Option<Caller> {
    let value = headers
        .get(hyper::header::AUTHORIZATION)?
        .to_str()
        .ok()?
        .trim();
    if value.len() > 7 && value[..7].eq_ignore_ascii_case("bearer ") {
        let uuid = app.auth().validate(value[7..].trim())?;
        let name = app.read().users.get(&uuid)?.name.clone();
        return Some(Caller {
            name,
            session: None,
        });
    }
    let name = app.vault().validate(value)?;
    Some(Caller {
        name,
        session: Some(value.to_owned()),
    })
}

/// Runs a Vault operation: authenticates, then calls its handler.
pub async fn call(
    app: &App,
    route: Route,
    raw_query: Option<&str>,
    headers: &HeaderMap,
    body: Bytes,
) -> Reply {
    let op = route.op;
    let caller = if is_anonymous(op) {
        Caller {
            name: String::new(),
            session: None,
        }
    } else {
        match authenticate(app, headers) {
            Some(caller) => caller,
            None => return VaultError::unauthorized().reply(),
        }
    };
    let query = match Query::parse(raw_query).and_then(|q| q.single().map(|()| q)) {
        Ok(q) => q,
        Err(e) => return e.reply(),
    };
    if needs_body(op) && body.iter().all(u8::is_ascii_whitespace) {
        return VaultError::missing("body").reply();
    }
    let ctx = Ctx {
        app,
        route,
        query,
        headers,
        body,
        caller,
    };
    routes::dispatch(&ctx).unwrap_or_else(|e| e.reply())
}

/// The answer of an injected status fault: the Vault's error body, so a client's error path is
/// the same as for a real failure.
pub fn fault_reply(status: u16) -> Reply {
    let (code, message) = match status {
        429 => ("SBXVA429E", "Too many requests; retry later."),
        500 => ("CAWS00001E", "Injected internal server error."),
        _ => ("SBXVA500E", "Injected server failure."),
    };
    VaultError::new(status, code, message).reply()
}

/// The 404 of a path under `/PasswordVault/` that is no operation of the spec.
pub fn not_found(method: &str, path: &str) -> Reply {
    VaultError::new(
        404,
        "SBXVA404E",
        format!(
            "identity-sandbox: no route for {method} {path} (not an operation of spec/vault.yaml)"
        ),
    )
    .reply()
}

/// The 405 of a known path with the wrong method.
pub fn wrong_method(method: &str, path: &str, allow: &str) -> Reply {
    VaultError::new(
        405,
        "SBXVA405E",
        format!(
            "identity-sandbox: {method} is not allowed on {path}; spec/vault.yaml allows {allow}"
        ),
    )
    .reply()
    .header("allow", allow.to_owned())
}
