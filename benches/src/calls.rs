//! Call cost in Rust: the generated client against raw reqwest + `serde_json::Value` doing the
//! same HTTP exchanges, over the same connection settings, against the same sandbox process.

use crate::measure::self_cpu;
use crate::sandbox::SandboxProcess;
use cyberark_identity::{
    CDirectoryServiceGetUserRequest, CDirectoryServiceGetUsersRequest, QueryArgs,
};
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

/// Rows the large call returns.
pub const LARGE_ROWS: usize = 5_000;

/// Which call is measured.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Call {
    /// `CDirectoryService/GetUser`: one user.
    Small,
    /// `CDirectoryService/GetUsers` with a page of [`LARGE_ROWS`] rows.
    Large,
}

impl Call {
    /// The operation's name, for reports.
    pub fn name(self) -> &'static str {
        match self {
            Call::Small => "GetUser",
            Call::Large => "GetUsers (5,000 rows)",
        }
    }
}

/// Who makes the call.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Party {
    /// The generated client, `cyberark_identity::Client`.
    Ours,
    /// reqwest + `serde_json::Value`, by hand.
    Baseline,
}

/// One timed run of one party.
#[derive(Debug, Clone, Copy)]
pub struct Sample {
    /// Completed calls.
    pub calls: u64,
    /// Wall time.
    pub wall: Duration,
    /// CPU time of this process (the client side).
    pub client_cpu: Duration,
    /// CPU time of the sandbox process in the same window.
    pub sandbox_cpu: Duration,
}

impl Sample {
    /// Calls per second.
    pub fn rps(&self) -> f64 {
        self.calls as f64 / self.wall.as_secs_f64()
    }

    /// Client CPU per call, in microseconds.
    pub fn cpu_us_per_call(&self) -> f64 {
        self.client_cpu.as_secs_f64() * 1e6 / self.calls.max(1) as f64
    }

    /// Cores the sandbox kept busy.
    pub fn sandbox_cores(&self) -> f64 {
        self.sandbox_cpu.as_secs_f64() / self.wall.as_secs_f64()
    }
}

/// Both clients, authenticated, and the user the small call reads.
#[derive(Clone)]
pub struct Clients {
    ours: cyberark_identity::Client,
    raw: Arc<Raw>,
    user_id: String,
}

/// The baseline: what a user writes without a generated client.
struct Raw {
    http: reqwest::Client,
    url: String,
    token: String,
}

/// The reqwest client both sides use: the runtime's transport settings (rustls, no redirects,
/// 10 s connect timeout), so only the code above the connection pool differs.
pub fn raw_http() -> Result<reqwest::Client, String> {
    reqwest::Client::builder()
        .use_rustls_tls()
        .redirect(reqwest::redirect::Policy::none())
        .connect_timeout(Duration::from_secs(10))
        .build()
        .map_err(|e| format!("reqwest: {e}"))
}

impl Clients {
    /// Builds both clients against the sandbox and checks that each call returns what it should.
    pub async fn connect(sandbox: &SandboxProcess) -> Result<Clients, String> {
        let ours = cyberark_identity::Client::builder(&sandbox.url)
            .client_credentials(&sandbox.client_id, sandbox.client_secret.as_str())
            .build()
            .map_err(|e| format!("building the client: {e}"))?;
        let http = raw_http()?;
        let token = raw_token(&http, sandbox).await?;
        let raw = Arc::new(Raw {
            http,
            url: sandbox.url.clone(),
            token,
        });
        let first = raw
            .post(
                "/CDirectoryService/GetUsers",
                &serde_json::json!({"Args": {"PageNumber": 1, "PageSize": 1}}),
            )
            .await?;
        let user_id = first
            .pointer("/Results/0/Row/Uuid")
            .and_then(serde_json::Value::as_str)
            .ok_or("GetUsers returned no user")?
            .to_owned();
        let clients = Clients { ours, raw, user_id };
        for call in [Call::Small, Call::Large] {
            for party in [Party::Ours, Party::Baseline] {
                let rows = clients.call(party, call).await?;
                let want = if call == Call::Large { LARGE_ROWS } else { 1 };
                if rows != want {
                    return Err(format!(
                        "{party:?} {}: {rows} rows, expected {want}",
                        call.name()
                    ));
                }
            }
        }
        Ok(clients)
    }

    /// The client under test, for the streaming measurement.
    pub fn ours(&self) -> &cyberark_identity::Client {
        &self.ours
    }

    /// Makes one call; returns the number of rows (1 for the small call).
    pub async fn call(&self, party: Party, call: Call) -> Result<usize, String> {
        match (party, call) {
            (Party::Ours, Call::Small) => self
                .ours
                .cdirectory_service()
                .get_user(CDirectoryServiceGetUserRequest::new(self.user_id.as_str()))
                .await
                .map(|user| usize::from(user.uuid.is_some()))
                .map_err(|e| e.to_string()),
            (Party::Ours, Call::Large) => self
                .ours
                .cdirectory_service()
                .get_users(CDirectoryServiceGetUsersRequest::new().args(large_args()))
                .await
                .map(|table| table.results.map_or(0, |rows| rows.len()))
                .map_err(|e| e.to_string()),
            (Party::Baseline, Call::Small) => self
                .raw
                .post(
                    "/CDirectoryService/GetUser",
                    &serde_json::json!({"ID": self.user_id}),
                )
                .await
                .map(|user| usize::from(user.get("Uuid").is_some())),
            (Party::Baseline, Call::Large) => self
                .raw
                .post(
                    "/CDirectoryService/GetUsers",
                    &serde_json::json!({"Args": {"PageNumber": 1, "PageSize": LARGE_ROWS}}),
                )
                .await
                .map(|table| {
                    table
                        .get("Results")
                        .and_then(serde_json::Value::as_array)
                        .map_or(0, Vec::len)
                }),
        }
    }

    /// Runs `concurrency` loops of `call` for `duration`, then returns what they did.
    pub async fn run(
        &self,
        party: Party,
        call: Call,
        concurrency: usize,
        duration: Duration,
        sandbox: &SandboxProcess,
    ) -> Result<Sample, String> {
        let calls = Arc::new(AtomicU64::new(0));
        let cpu0 = self_cpu();
        let sandbox0 = sandbox.cpu();
        let start = Instant::now();
        let deadline = start + duration;
        let mut tasks = Vec::with_capacity(concurrency);
        for _ in 0..concurrency {
            let clients = self.clone();
            let calls = calls.clone();
            tasks.push(tokio::spawn(async move {
                while Instant::now() < deadline {
                    clients.call(party, call).await?;
                    calls.fetch_add(1, Ordering::Relaxed);
                }
                Ok::<(), String>(())
            }));
        }
        for task in tasks {
            task.await
                .map_err(|e| format!("a call task failed: {e}"))??;
        }
        let wall = start.elapsed();
        Ok(Sample {
            calls: calls.load(Ordering::Relaxed),
            wall,
            client_cpu: self_cpu().saturating_sub(cpu0),
            sandbox_cpu: sandbox.cpu().saturating_sub(sandbox0),
        })
    }
}

/// What a fixed number of calls did: how many failed, and the first failure's message.
#[derive(Debug, Clone)]
pub struct Tally {
    /// Calls made.
    pub calls: u64,
    /// Calls that returned an error.
    pub errors: u64,
    /// The first error, for the report.
    pub first_error: Option<String>,
    /// Wall time of all the calls.
    pub wall: Duration,
}

impl Clients {
    /// Makes exactly `total` calls with `concurrency` in flight and counts the failures instead of
    /// stopping at the first, so that the soak reports errors as a missed target.
    pub async fn count(&self, party: Party, call: Call, concurrency: usize, total: u64) -> Tally {
        let next = Arc::new(AtomicU64::new(0));
        let errors = Arc::new(AtomicU64::new(0));
        let first_error = Arc::new(std::sync::Mutex::new(None::<String>));
        let start = Instant::now();
        let mut tasks = Vec::with_capacity(concurrency);
        for _ in 0..concurrency {
            let clients = self.clone();
            let (next, errors, first_error) = (next.clone(), errors.clone(), first_error.clone());
            tasks.push(tokio::spawn(async move {
                while next.fetch_add(1, Ordering::Relaxed) < total {
                    if let Err(e) = clients.call(party, call).await {
                        errors.fetch_add(1, Ordering::Relaxed);
                        if let Ok(mut first) = first_error.lock() {
                            first.get_or_insert(e);
                        }
                    }
                }
            }));
        }
        let mut lost = 0u64;
        for task in tasks {
            // A task that panicked lost an unknown share of its calls; count it as one error.
            if task.await.is_err() {
                lost += 1;
            }
        }
        let first_error = first_error.lock().ok().and_then(|mut f| f.take());
        Tally {
            calls: total,
            errors: errors.load(Ordering::Relaxed) + lost,
            first_error,
            wall: start.elapsed(),
        }
    }
}

/// The Redrock arguments of the large call: one page of [`LARGE_ROWS`] rows.
fn large_args() -> QueryArgs {
    QueryArgs::new().page_number(1).page_size(LARGE_ROWS as i32)
}

impl Raw {
    /// POSTs a JSON body the way the Identity API wants it and returns the envelope's `Result`.
    async fn post(
        &self,
        path: &str,
        body: &serde_json::Value,
    ) -> Result<serde_json::Value, String> {
        let response = self
            .http
            .post(format!("{}{path}", self.url))
            .bearer_auth(&self.token)
            .header("X-IDAP-NATIVE-CLIENT", "true")
            .json(body)
            .send()
            .await
            .map_err(|e| format!("{path}: {e}"))?;
        let bytes = response.bytes().await.map_err(|e| format!("{path}: {e}"))?;
        let mut envelope: serde_json::Value =
            serde_json::from_slice(&bytes).map_err(|e| format!("{path}: {e}"))?;
        if envelope.get("success") != Some(&serde_json::Value::Bool(true)) {
            return Err(format!("{path}: failed envelope"));
        }
        Ok(envelope
            .get_mut("Result")
            .map(serde_json::Value::take)
            .unwrap_or_default())
    }
}

/// A bearer token by the client-credentials grant, as the baseline would fetch it.
async fn raw_token(http: &reqwest::Client, sandbox: &SandboxProcess) -> Result<String, String> {
    let response = http
        .post(format!("{}/oauth2/platformtoken", sandbox.url))
        .form(&[
            ("grant_type", "client_credentials"),
            ("client_id", sandbox.client_id.as_str()),
            ("client_secret", sandbox.client_secret.as_str()),
        ])
        .send()
        .await
        .map_err(|e| format!("token: {e}"))?;
    let body: serde_json::Value = response.json().await.map_err(|e| format!("token: {e}"))?;
    body.get("access_token")
        .and_then(serde_json::Value::as_str)
        .map(str::to_owned)
        .ok_or_else(|| "the token answer has no access_token".to_owned())
}

/// The streaming child: reads every user through the pager and prints the count and peak RSS.
pub fn stream_child(url: &str, client_id: &str, client_secret: &str) -> Result<(), String> {
    use futures::StreamExt as _;
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .map_err(|e| format!("tokio: {e}"))?;
    runtime.block_on(async {
        let client = cyberark_identity::Client::builder(url)
            .client_credentials(client_id, client_secret)
            .build()
            .map_err(|e| format!("building the client: {e}"))?;
        let start = Instant::now();
        let mut stream = client
            .cdirectory_service()
            .get_users_stream(CDirectoryServiceGetUsersRequest::new());
        let mut items = 0u64;
        while let Some(item) = stream.next().await {
            item.map_err(|e| format!("streaming users: {e}"))?;
            items += 1;
        }
        let line = serde_json::json!({
            "items": items,
            "secs": start.elapsed().as_secs_f64(),
            "peak_kib": crate::measure::peak_rss_kib(),
        });
        println!("{line}");
        Ok(())
    })
}
