//! The sandbox tenant in a process of its own (the `identity-sandbox` binary), so the CPU it
//! spends serving can be read from `/proc/<pid>/stat` and kept out of the client's account.

use crate::measure::process_cpu;
use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::Duration;

/// A running sandbox process; killed when dropped.
#[derive(Debug)]
pub struct SandboxProcess {
    child: Child,
    /// Base URL, `http://127.0.0.1:<port>`.
    pub url: String,
    /// Confidential client id.
    pub client_id: String,
    /// Its secret.
    pub client_secret: String,
    /// The Vault administrator's user name (`VAULT_USERNAME=`).
    pub vault_username: String,
    /// Its password (`VAULT_PASSWORD=`).
    pub vault_password: String,
}

impl SandboxProcess {
    /// Starts `binary --port 0 --seed demo` and reads its `KEY=value` lines up to `URL=`.
    pub fn start(binary: &Path) -> Result<SandboxProcess, String> {
        Self::start_with(binary, &[])
    }

    /// Starts `binary --port 0 --seed demo` with `extra` arguments (the Vault's bulk data).
    pub fn start_with(binary: &Path, extra: &[&str]) -> Result<SandboxProcess, String> {
        let mut child = Command::new(binary)
            .args(["--port", "0", "--seed", "demo"])
            .args(extra)
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .map_err(|e| format!("cannot start {}: {e}", binary.display()))?;
        let stdout = child.stdout.take().ok_or("the sandbox has no stdout")?;
        let mut reader = BufReader::new(stdout);
        let (mut id, mut secret) = (None, None);
        let (mut vault_username, mut vault_password) = (String::new(), String::new());
        let mut line = String::new();
        loop {
            line.clear();
            let n = reader
                .read_line(&mut line)
                .map_err(|e| format!("reading the sandbox's stdout: {e}"))?;
            if n == 0 {
                let _ = child.kill();
                return Err("the sandbox exited before printing URL=".to_owned());
            }
            let line = line.trim();
            if let Some(v) = line.strip_prefix("CLIENT_ID=") {
                id = Some(v.to_owned());
            } else if let Some(v) = line.strip_prefix("CLIENT_SECRET=") {
                secret = Some(v.to_owned());
            } else if let Some(v) = line.strip_prefix("VAULT_USERNAME=") {
                v.clone_into(&mut vault_username);
            } else if let Some(v) = line.strip_prefix("VAULT_PASSWORD=") {
                v.clone_into(&mut vault_password);
            } else if let Some(url) = line.strip_prefix("URL=") {
                let url = url.trim_end_matches('/').to_owned();
                // Keep draining stdout so the sandbox never blocks on a full pipe.
                std::thread::spawn(move || {
                    let mut sink = String::new();
                    while reader.read_line(&mut sink).is_ok_and(|n| n > 0) {
                        sink.clear();
                    }
                });
                return match (id, secret) {
                    (Some(client_id), Some(client_secret)) => Ok(SandboxProcess {
                        child,
                        url,
                        client_id,
                        client_secret,
                        vault_username,
                        vault_password,
                    }),
                    _ => {
                        let _ = child.kill();
                        Err("the sandbox printed no CLIENT_ID/CLIENT_SECRET".to_owned())
                    }
                };
            }
        }
    }

    /// CPU time the sandbox has used so far.
    pub fn cpu(&self) -> Duration {
        process_cpu(self.child.id()).unwrap_or_default()
    }

    /// The sandbox's process id.
    pub fn pid(&self) -> u32 {
        self.child.id()
    }

    /// Creates `count` synthetic users through the admin route.
    pub async fn add_users(&self, http: &reqwest::Client, count: usize) -> Result<(), String> {
        self.admin(
            http,
            reqwest::Method::POST,
            "users",
            Some(serde_json::json!({ "count": count })),
        )
        .await
    }

    /// Empties the request log, which otherwise grows with every measured call.
    pub async fn clear_log(&self, http: &reqwest::Client) -> Result<(), String> {
        self.admin(http, reqwest::Method::DELETE, "requests", None)
            .await
    }

    async fn admin(
        &self,
        http: &reqwest::Client,
        method: reqwest::Method,
        route: &str,
        body: Option<serde_json::Value>,
    ) -> Result<(), String> {
        let mut request = http.request(method, format!("{}/__sandbox/{route}", self.url));
        if let Some(body) = body {
            request = request.json(&body);
        }
        let response = request
            .send()
            .await
            .map_err(|e| format!("sandbox admin {route}: {e}"))?;
        if response.status().is_success() {
            Ok(())
        } else {
            Err(format!("sandbox admin {route}: HTTP {}", response.status()))
        }
    }
}

impl Drop for SandboxProcess {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
