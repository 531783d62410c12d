//! The sandbox tenant as a child process: started on a free port, its `KEY=value` lines read,
//! and killed when the guard is dropped, whether the run passed or not.

use crate::util::{describe, root};
use std::collections::BTreeMap;
use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Child, Command, Stdio};

/// Kills the sandbox when dropped, so it never outlives the run.
pub struct Guard(Child);

impl Drop for Guard {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// Starts `identity-sandbox --seed demo --print-token` on a free port and returns every
/// `KEY=value` line it printed before `URL=` (which it prints last, once it is listening).
pub fn start(binary: &Path) -> Result<(Guard, BTreeMap<String, String>), String> {
    let mut cmd = Command::new(binary);
    cmd.args([
        "--port",
        "0",
        "--seed",
        "demo",
        "--token-ttl-secs",
        "86400",
        "--print-token",
    ])
    .current_dir(root()?)
    .stdin(Stdio::null())
    .stdout(Stdio::piped());
    eprintln!("$ {}", describe(&cmd));
    let mut child = cmd
        .spawn()
        .map_err(|e| format!("could not start the sandbox: {e}"))?;
    let stdout = child.stdout.take().ok_or("the sandbox has no stdout")?;
    let guard = Guard(child);
    let mut values = BTreeMap::new();
    let mut lines = BufReader::new(stdout).lines();
    for line in lines.by_ref() {
        let line = line.map_err(|e| format!("reading the sandbox's output: {e}"))?;
        if let Some((key, value)) = line.split_once('=') {
            values.insert(key.to_owned(), value.to_owned());
            if key == "URL" {
                break;
            }
        }
    }
    // Keep draining stdout so the sandbox never writes into a closed pipe.
    std::thread::spawn(move || lines.for_each(drop));
    if values.contains_key("URL") {
        Ok((guard, values))
    } else {
        Err("the sandbox exited before printing its URL".to_owned())
    }
}
