//! Where the harness works: the checkout, cargo's target directory and the sandbox binary.
//!
//! All are found at run time. A path fixed at compile time (`env!("CARGO_MANIFEST_DIR")`) names
//! whichever checkout last built the shared binary when several checkouts share one target
//! directory, and `<root>/target` is wrong whenever `CARGO_TARGET_DIR` or `build.target-dir`
//! points elsewhere.

use std::path::PathBuf;
use std::process::{Command, Stdio};

/// The environment variable through which `cargo xtask bench` passes the sandbox binary, as
/// cargo reported it when building the harness and the sandbox together.
pub const SANDBOX_ENV: &str = "CYBERARK_BENCH_SANDBOX";

/// The checkout and target directory the harness works on.
#[derive(Debug, Clone)]
pub struct Workspace {
    /// The workspace root of the checkout containing the current directory.
    pub root: PathBuf,
    /// Cargo's target directory for it; scratch files go under `<target>/bench/`.
    pub target_dir: PathBuf,
}

/// Asks `cargo metadata` for the workspace containing the current directory (`cargo xtask
/// bench` runs the harness in the repository root).
pub fn workspace() -> Result<Workspace, String> {
    let output = Command::new(std::env::var("CARGO").unwrap_or_else(|_| "cargo".to_owned()))
        .args(["metadata", "--no-deps", "--format-version", "1"])
        .stdin(Stdio::null())
        .stderr(Stdio::inherit())
        .output()
        .map_err(|e| format!("cannot run `cargo metadata`: {e}"))?;
    if !output.status.success() {
        return Err(format!(
            "`cargo metadata` failed ({}); run the harness inside a checkout",
            output.status
        ));
    }
    let metadata: serde_json::Value = serde_json::from_slice(&output.stdout)
        .map_err(|e| format!("`cargo metadata` printed invalid JSON: {e}"))?;
    let path = |key: &str| {
        metadata[key]
            .as_str()
            .map(PathBuf::from)
            .ok_or_else(|| format!("`cargo metadata` printed no `{key}`"))
    };
    Ok(Workspace {
        root: path("workspace_root")?,
        target_dir: path("target_directory")?,
    })
}

/// The sandbox binary: the one `cargo xtask bench` built (named in [`SANDBOX_ENV`]), or, when
/// the harness is run by hand (`cyberark-bench profile …` under perf), its sibling in the same
/// profile directory, where cargo puts every binary of one build.
pub fn sandbox_binary() -> Result<PathBuf, String> {
    if let Some(path) = std::env::var_os(SANDBOX_ENV) {
        return Ok(PathBuf::from(path));
    }
    let exe = std::env::current_exe().map_err(|e| format!("cannot locate the harness: {e}"))?;
    let dir = exe
        .parent()
        .ok_or_else(|| format!("the harness {} has no directory", exe.display()))?;
    Ok(dir.join(format!("identity-sandbox{}", std::env::consts::EXE_SUFFIX)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_workspace_is_the_checkout_the_harness_runs_in() {
        // `cargo test` runs a package's tests in its directory and sets `CARGO_MANIFEST_DIR`
        // at run time, so this names the checkout being tested, not the one that compiled it.
        let manifest_dir = PathBuf::from(std::env::var_os("CARGO_MANIFEST_DIR").unwrap());
        let workspace = workspace().unwrap();
        assert_eq!(Some(workspace.root.as_path()), manifest_dir.parent());
        assert!(workspace.target_dir.is_absolute());
    }
}
