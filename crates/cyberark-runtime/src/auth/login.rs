//! The interactive login: `StartAuthentication`, then `AdvanceAuthentication` per challenge.
//!
//! The flow follows research notes part B §2.4–2.5: start, follow a `PodFqdn` redirect, answer
//! each challenge in order (the password for `UP`, the MFA handler for anything else), poll
//! out-of-band mechanisms once a second, and take `Result.Token` from `LoginSuccess`.

use std::sync::Arc;
use std::time::Duration;

use futures::future::BoxFuture;
use serde::{Deserialize, Serialize};
use tracing::Instrument;
use url::Url;

use super::mfa::{MfaAnswer, MfaChallenge, MfaHandler};
use super::platform_refresh::{Refreshed, refresh_platform_token};
use super::token_cache::CachedToken;
use super::{SIGN_IN, SignIn};
use crate::envelope;
use crate::error::Error;
use crate::operation::{AuthMode, Convention, Encoder, Method, Operation};
use crate::secret::Secret;
use crate::send::{Sender, call_span};
use crate::tenant::{check_sign_in_host, resolve_pod_fqdn};
use crate::transport::Credential;

/// A user name and password, the handler for any further factor, and the hosts beyond
/// CyberArk's domains a `PodFqdn` redirect may send the password to.
#[derive(Clone)]
pub(crate) struct LoginCredentials {
    pub(crate) username: String,
    pub(crate) password: Secret,
    pub(crate) mfa: Option<Arc<dyn MfaHandler>>,
    pub(crate) allowed_hosts: Vec<String>,
    /// The platform token and refresh token of the last login (or refresh), shared by the
    /// copies [`SignIn::for_caller`] makes: the next sign-in redeems them at
    /// `/OAuth2/RefreshPlatformToken` before it asks for the password again.
    pub(crate) refresh: Arc<std::sync::Mutex<Option<PlatformSession>>>,
}

/// A platform token with the refresh token that came with it.
#[derive(Clone)]
pub(crate) struct PlatformSession {
    token: Secret,
    refresh: Secret,
}

impl std::fmt::Debug for LoginCredentials {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("LoginCredentials")
            .field("username", &self.username)
            .field("password", &self.password)
            .field("mfa", &self.mfa.as_ref().map(|_| "MfaHandler"))
            .field("allowed_hosts", &self.allowed_hosts)
            .finish_non_exhaustive()
    }
}

/// The interactive user login as a sign-in scheme.
#[derive(Debug)]
pub(crate) struct UserLogin(pub(crate) LoginCredentials);

impl SignIn for UserLogin {
    fn secrets(&self) -> Vec<Secret> {
        vec![self.0.password.clone()]
    }

    fn sign_in<'a>(&'a self, sender: &'a Sender) -> BoxFuture<'a, Result<CachedToken, Error>> {
        Box::pin(refresh_or_login(sender, &self.0))
    }

    fn refresh_token(&self) -> Option<Secret> {
        self.0
            .refresh
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .as_ref()
            .map(|session| session.refresh.clone())
    }

    fn is_interactive(&self) -> bool {
        self.0.mfa.is_some()
    }

    fn for_caller(&self) -> Option<Arc<dyn SignIn>> {
        let bound = self.0.mfa.as_ref()?.for_caller()?;
        Some(Arc::new(UserLogin(LoginCredentials {
            mfa: Some(bound),
            ..self.0.clone()
        })))
    }
}

static START_AUTHENTICATION: Operation = Operation {
    id: "Security_StartAuthentication",
    tag: "Security",
    name: "StartAuthentication",
    method: Method::Post,
    path: "/Security/StartAuthentication",
    convention: Convention::Envelope,
    auth: AuthMode::None,
    // Starting again only opens a fresh session, so a resend is harmless.
    idempotent: true,
};

static ADVANCE_AUTHENTICATION: Operation = Operation {
    id: "Security_AdvanceAuthentication",
    tag: "Security",
    name: "AdvanceAuthentication",
    method: Method::Post,
    path: "/Security/AdvanceAuthentication",
    convention: Convention::Envelope,
    auth: AuthMode::None,
    // A resent answer may count as a second failed attempt against the user's lockout.
    idempotent: false,
};

/// `AdvanceAuthentication` with `Action: Poll`: asking again whether an out-of-band mechanism
/// was approved changes nothing, so a 503 while polling is retried instead of ending the login.
static ADVANCE_AUTHENTICATION_POLL: Operation = Operation {
    idempotent: true,
    ..ADVANCE_AUTHENTICATION
};

/// How long out-of-band polling may go on; the tenant gives a login five minutes.
const POLL_LIMIT: u32 = 300;
const POLL_INTERVAL: Duration = Duration::from_secs(1);
/// Bounds on redirects and packages, so a misbehaving tenant cannot loop the client forever.
const MAX_REDIRECTS: u32 = 3;
const MAX_STEPS: u32 = 20;

#[derive(Serialize)]
struct StartBody<'a> {
    #[serde(rename = "User")]
    user: &'a str,
    #[serde(rename = "Version")]
    version: &'static str,
    /// Asks for the platform token (a JWT the Vault of a Privilege Cloud tenant accepts) and a
    /// refresh token on success, as CyberArk's SDKs do.
    #[serde(rename = "PlatformTokenResponse")]
    platform_token_response: bool,
}

#[derive(Serialize)]
struct AdvanceBody<'a> {
    #[serde(rename = "SessionId")]
    session_id: &'a str,
    #[serde(rename = "MechanismId")]
    mechanism_id: &'a str,
    #[serde(rename = "Action")]
    action: &'static str,
    #[serde(rename = "Answer", skip_serializing_if = "Option::is_none")]
    answer: Option<&'a Secret>,
}

/// The parts of the StartAuthentication and AdvanceAuthentication results the flow needs.
#[derive(Deserialize, Default, Debug)]
#[serde(default)]
struct LoginResult {
    #[serde(rename = "SessionId")]
    session_id: Option<String>,
    #[serde(rename = "Challenges")]
    challenges: Option<Vec<Challenge>>,
    #[serde(rename = "Summary")]
    summary: Option<String>,
    #[serde(rename = "PodFqdn")]
    pod_fqdn: Option<String>,
    #[serde(rename = "Token")]
    token: Option<Secret>,
    #[serde(rename = "Auth")]
    auth: Option<Secret>,
    #[serde(rename = "RefreshToken")]
    refresh_token: Option<Secret>,
    #[serde(rename = "TokenLifetime")]
    token_lifetime: Option<serde_json::Value>,
    #[serde(rename = "IdpRedirectUrl")]
    idp_redirect_url: Option<String>,
}

#[derive(Deserialize, Default, Debug, Clone)]
#[serde(default)]
struct Challenge {
    #[serde(rename = "Mechanisms")]
    mechanisms: Vec<Mechanism>,
}

#[derive(Deserialize, Default, Debug, Clone)]
#[serde(default)]
struct Mechanism {
    #[serde(rename = "Name")]
    name: String,
    #[serde(rename = "AnswerType")]
    answer_type: String,
    #[serde(rename = "MechanismId")]
    mechanism_id: String,
    #[serde(rename = "PromptMechChosen")]
    prompt_mech_chosen: Option<String>,
    #[serde(rename = "PromptSelectMech")]
    prompt_select_mech: Option<String>,
}

impl LoginResult {
    fn summary(&self) -> &str {
        self.summary.as_deref().unwrap_or("")
    }
}

/// One login: a context for the requests of the flow.
struct Flow<'a> {
    sender: &'a Sender,
    credentials: &'a LoginCredentials,
    operation: &'static str,
    base: Url,
    session_id: String,
}

/// Redeems the last login's refresh token for a new platform token when there is one, and
/// logs in from the start when there is none or the tenant refuses it (spent, expired, or the
/// user was disabled): a person is asked for a password or an MFA answer only when needed.
async fn refresh_or_login(
    sender: &Sender,
    credentials: &LoginCredentials,
) -> Result<CachedToken, Error> {
    let saved = credentials
        .refresh
        .lock()
        .unwrap_or_else(|e| e.into_inner())
        .take();
    if let Some(session) = saved {
        match refresh_platform_token(sender, &session.token, &session.refresh).await {
            Ok(Refreshed { token, refresh }) => {
                *credentials
                    .refresh
                    .lock()
                    .unwrap_or_else(|e| e.into_inner()) = Some(PlatformSession {
                    token: token.token.clone(),
                    refresh,
                });
                return Ok(token);
            }
            // The refresh token is used up either way; the error names no secret.
            Err(error) => {
                tracing::debug!(%error, "the platform token could not be refreshed; signing in again");
            }
        }
    }
    login(sender, credentials).await
}

/// Logs in and returns the session token.
async fn login(sender: &Sender, credentials: &LoginCredentials) -> Result<CachedToken, Error> {
    let operation = SIGN_IN;
    let mut base = sender.base_url();
    let mut redirects = 0;
    let start = loop {
        let body = StartBody {
            user: &credentials.username,
            version: "1.0",
            platform_token_response: true,
        };
        let result = post(
            sender,
            &START_AUTHENTICATION,
            &base,
            &body,
            operation,
            &[&credentials.password],
        )
        .await?;
        // A redirect carries the right host in `PodFqdn` and no session to continue.
        match result.pod_fqdn.as_deref() {
            Some(pod) if result.session_id.is_none() && result.summary() != "LoginSuccess" => {
                let next = resolve_pod_fqdn(&base, pod)?;
                // The password follows the redirect, so it may only lead somewhere trusted.
                check_sign_in_host(&base, &next, &credentials.allowed_hosts)?;
                if next == base || redirects >= MAX_REDIRECTS {
                    return Err(auth(
                        operation,
                        format!("StartAuthentication kept redirecting (last to {pod})"),
                    ));
                }
                tracing::debug!(pod_fqdn = %pod, "StartAuthentication redirected to another host");
                base = next;
                redirects += 1;
            }
            _ => break result,
        }
    };
    if redirects > 0 {
        // Every later call goes to the pod the tenant named, however often it moves.
        sender.move_to(base.clone());
    }
    if start.summary() == "LoginSuccess" {
        return success(start, operation, credentials);
    }
    if start.idp_redirect_url.is_some() {
        return Err(auth(
            operation,
            "the user signs in through an external identity provider, which this client cannot drive; use client credentials or a bearer token",
        ));
    }
    let session_id = start.session_id.clone().ok_or_else(|| {
        auth(
            operation,
            "StartAuthentication answered without a SessionId",
        )
    })?;
    let mut flow = Flow {
        sender,
        credentials,
        operation,
        base,
        session_id,
    };
    flow.run(start.challenges.unwrap_or_default()).await
}

impl Flow<'_> {
    async fn run(&mut self, mut challenges: Vec<Challenge>) -> Result<CachedToken, Error> {
        let mut index = 0;
        for _ in 0..MAX_STEPS {
            let challenge = challenges.get(index).cloned().ok_or_else(|| {
                auth(
                    self.operation,
                    "the tenant has no further challenge but did not report LoginSuccess",
                )
            })?;
            let result = self.answer_challenge(&challenge).await?;
            match result.summary() {
                "LoginSuccess" => return success(result, self.operation, self.credentials),
                "StartNextChallenge" => index += 1,
                "NewPackage" => {
                    challenges = result.challenges.unwrap_or_default();
                    index = 0;
                }
                other => {
                    return Err(auth(
                        self.operation,
                        format!("the login stopped with Summary `{other}`"),
                    ));
                }
            }
        }
        Err(auth(
            self.operation,
            "the login did not finish after 20 steps",
        ))
    }

    /// Answers one challenge and returns the result that ends it.
    async fn answer_challenge(&self, challenge: &Challenge) -> Result<LoginResult, Error> {
        // The password mechanism is answered directly, whatever else the challenge offers.
        if let Some(up) = challenge
            .mechanisms
            .iter()
            .find(|m| m.name.eq_ignore_ascii_case("UP"))
        {
            return self
                .advance(up, "Answer", Some(&self.credentials.password))
                .await;
        }
        let names: Vec<&str> = challenge
            .mechanisms
            .iter()
            .map(|m| m.name.as_str())
            .collect();
        let handler = self.credentials.mfa.as_ref().ok_or_else(|| {
            auth(
                self.operation,
                format!(
                    "the tenant asks for another factor ({}), but no MFA handler is configured",
                    names.join(", ")
                ),
            )
        })?;
        for mechanism in &challenge.mechanisms {
            let out_of_band = mechanism.answer_type.starts_with("Start");
            if out_of_band {
                // The code is sent (or the push shown) only once the mechanism is started, so
                // start it before asking the user for anything.
                let started = self.advance(mechanism, "StartOOB", None).await?;
                if started.summary() != "OobPending" {
                    return Ok(started);
                }
            }
            let prompt = mechanism
                .prompt_mech_chosen
                .clone()
                .or_else(|| mechanism.prompt_select_mech.clone())
                .unwrap_or_else(|| mechanism.name.clone());
            let question = MfaChallenge {
                mechanism: mechanism.name.clone(),
                answer_type: mechanism.answer_type.clone(),
                prompt,
                mechanism_id: mechanism.mechanism_id.clone(),
                user: self.credentials.username.clone(),
            };
            match ask(handler, question).await? {
                MfaAnswer::Text(code) => {
                    let result = self.advance(mechanism, "Answer", Some(&code)).await?;
                    if result.summary() == "OobPending" {
                        return self.poll(mechanism).await;
                    }
                    return Ok(result);
                }
                MfaAnswer::Poll if out_of_band => return self.poll(mechanism).await,
                MfaAnswer::Poll => {
                    return Err(auth(
                        self.operation,
                        format!(
                            "the MFA handler asked to poll mechanism {}, which is answered with text",
                            mechanism.name
                        ),
                    ));
                }
                MfaAnswer::Cancel => {
                    return Err(auth(self.operation, "the MFA handler cancelled the login"));
                }
                MfaAnswer::Skip => {}
            }
        }
        Err(auth(
            self.operation,
            format!(
                "the MFA handler declined every mechanism ({})",
                names.join(", ")
            ),
        ))
    }

    /// Polls an out-of-band mechanism once a second until it is no longer pending.
    async fn poll(&self, mechanism: &Mechanism) -> Result<LoginResult, Error> {
        for _ in 0..POLL_LIMIT {
            tokio::time::sleep(POLL_INTERVAL).await;
            let result = self
                .advance_as(&ADVANCE_AUTHENTICATION_POLL, mechanism, "Poll", None)
                .await?;
            if result.summary() != "OobPending" {
                return Ok(result);
            }
        }
        Err(auth(
            self.operation,
            format!(
                "mechanism {} was not approved within five minutes",
                mechanism.name
            ),
        ))
    }

    async fn advance(
        &self,
        mechanism: &Mechanism,
        action: &'static str,
        answer: Option<&Secret>,
    ) -> Result<LoginResult, Error> {
        self.advance_as(&ADVANCE_AUTHENTICATION, mechanism, action, answer)
            .await
    }

    async fn advance_as(
        &self,
        op: &'static Operation,
        mechanism: &Mechanism,
        action: &'static str,
        answer: Option<&Secret>,
    ) -> Result<LoginResult, Error> {
        let body = AdvanceBody {
            session_id: &self.session_id,
            mechanism_id: &mechanism.mechanism_id,
            action,
            answer,
        };
        post(
            self.sender,
            op,
            &self.base,
            &body,
            self.operation,
            &[&self.credentials.password],
        )
        .await
    }
}

/// Asks the MFA handler on a blocking thread: a handler may wait for a person (a `stdin`
/// prompt), and it must not stall the async runtime meanwhile.
async fn ask(handler: &Arc<dyn MfaHandler>, challenge: MfaChallenge) -> Result<MfaAnswer, Error> {
    let handler = Arc::clone(handler);
    let runtime = tokio::runtime::Handle::current();
    tokio::task::spawn_blocking(move || runtime.block_on(handler.answer(&challenge)))
        .await
        .unwrap_or_else(|error| {
            Err(Error::Auth {
                operation: SIGN_IN,
                message: format!("the MFA handler stopped: {error}"),
                status: None,
            })
        })
}

/// Sends one step of the flow; `success: false` becomes [`Error::Auth`] with the tenant's message.
///
/// Each step has its own retry budget: the time a person takes to answer is not the tenant's
/// failure.
async fn post(
    sender: &Sender,
    op: &'static Operation,
    base: &Url,
    body: &impl Serialize,
    operation: &'static str,
    secrets: &[&Secret],
) -> Result<LoginResult, Error> {
    let mut encoder = Encoder::new(op);
    encoder.json(body)?;
    let encoded = encoder.finish()?;
    let mut state = sender.retry_state(None);
    let response = sender
        .execute(&encoded, base, Credential::None, &mut state)
        .instrument(call_span(op.id))
        .await?;
    match envelope::decode::<Option<LoginResult>>(op, response.status, &response.body) {
        Ok(result) => Ok(result.unwrap_or_default()),
        Err(Error::Api(api)) => Err(Error::Auth {
            operation,
            message: crate::redact::scrub(
                &format!(
                    "{} refused the login: {}",
                    op.name,
                    api.message.as_deref().unwrap_or("no reason given")
                ),
                secrets,
            ),
            status: (api.status != 200).then_some(api.status),
        }),
        Err(other) => Err(other),
    }
}

fn success(
    result: LoginResult,
    operation: &'static str,
    credentials: &LoginCredentials,
) -> Result<CachedToken, Error> {
    if let (Some(token), Some(refresh)) = (
        result.token.clone().filter(|t| !t.is_empty()),
        result.refresh_token.clone().filter(|r| !r.is_empty()),
    ) {
        *credentials
            .refresh
            .lock()
            .unwrap_or_else(|e| e.into_inner()) = Some(PlatformSession { token, refresh });
    }
    // `Token` is the platform token (asked for with `PlatformTokenResponse`); `Auth` carries the
    // session token, which works as a bearer too (research notes part B §2.1), so it is the
    // fallback.
    let token = result
        .token
        .filter(|t| !t.is_empty())
        .or(result.auth.filter(|t| !t.is_empty()))
        .ok_or_else(|| auth(operation, "LoginSuccess carried no token"))?;
    // The lifetime is usually not reported; the token is then kept until the tenant answers 401,
    // which triggers a fresh login. `TokenLifetime` is an int32 in the spec: zero, negative and
    // absurd values mean "unknown" too.
    let lifetime = result
        .token_lifetime
        .and_then(|seconds| seconds.as_u64())
        .map(Duration::from_secs);
    Ok(CachedToken::new(token, lifetime))
}

fn auth(operation: &'static str, message: impl Into<String>) -> Error {
    Error::Auth {
        operation,
        message: message.into(),
        status: None,
    }
}
