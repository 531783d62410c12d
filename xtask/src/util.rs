//! Small helpers shared by the commands: where xtask works, and running programs.
//!
//! Everything xtask locates it locates at run time, by asking cargo. A path fixed at compile time
//! (`env!("CARGO_MANIFEST_DIR")`) is wrong as soon as two checkouts share one target directory:
//! cargo hands both the same `xtask` binary, so the one built for checkout B would read and write
//! B's files when run in checkout A.

use std::collections::BTreeMap;
use std::io::{BufRead, BufReader};
use std::path::PathBuf;
use std::process::{Command, Stdio};
use std::sync::OnceLock;

/// The checkout xtask works on and the directory cargo builds it into, as cargo reports them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Workspace {
    /// The workspace root of the checkout containing the current directory.
    pub root: PathBuf,
    /// Cargo's target directory for that checkout (`CARGO_TARGET_DIR`, `build.target-dir` or
    /// `<root>/target`).
    pub target_dir: PathBuf,
}

impl Workspace {
    /// Asks `cargo metadata` about the workspace containing the current directory.
    fn locate() -> Result<Workspace, String> {
        let mut cmd = cargo();
        cmd.args(["metadata", "--no-deps", "--format-version", "1"])
            .stdin(Stdio::null())
            .stderr(Stdio::inherit());
        let output = cmd
            .output()
            .map_err(|e| format!("could not start `{}`: {e}", describe(&cmd)))?;
        if !output.status.success() {
            return Err(format!(
                "`{}` failed ({}); run `cargo xtask` inside a checkout of the project",
                describe(&cmd),
                output.status
            ));
        }
        Workspace::from_metadata(&output.stdout)
    }

    /// Reads the workspace root and target directory out of `cargo metadata`'s JSON.
    fn from_metadata(json: &[u8]) -> Result<Workspace, String> {
        let metadata: serde_json::Value = serde_json::from_slice(json)
            .map_err(|e| format!("`cargo metadata` printed invalid JSON: {e}"))?;
        let path = |key: &str| {
            metadata
                .get(key)
                .and_then(serde_json::Value::as_str)
                .map(PathBuf::from)
                .ok_or_else(|| format!("`cargo metadata` printed no `{key}`"))
        };
        Ok(Workspace {
            root: path("workspace_root")?,
            target_dir: path("target_directory")?,
        })
    }
}

/// The workspace xtask works on, located once per run.
pub fn workspace() -> Result<&'static Workspace, String> {
    static WORKSPACE: OnceLock<Result<Workspace, String>> = OnceLock::new();
    WORKSPACE
        .get_or_init(Workspace::locate)
        .as_ref()
        .map_err(Clone::clone)
}

/// The repository root of the checkout xtask was run in.
pub fn root() -> Result<PathBuf, String> {
    workspace().map(|w| w.root.clone())
}

/// Cargo's target directory for this checkout.
pub fn target_dir() -> Result<PathBuf, String> {
    workspace().map(|w| w.target_dir.clone())
}

/// Runs a command, echoing it, and fails with its name if it fails. It runs in the directory
/// the command names, else in the repository root.
pub fn run(cmd: &mut Command) -> Result<(), String> {
    if cmd.get_current_dir().is_none() {
        cmd.current_dir(root()?);
    }
    eprintln!("$ {}", describe(cmd));
    let status = cmd
        .status()
        .map_err(|e| format!("could not start `{}`: {e}", describe(cmd)))?;
    if status.success() {
        Ok(())
    } else {
        Err(format!("`{}` failed ({status})", describe(cmd)))
    }
}

/// The command line of a command, for messages.
pub fn describe(cmd: &Command) -> String {
    let mut parts = vec![cmd.get_program().to_string_lossy().into_owned()];
    parts.extend(cmd.get_args().map(|a| redact(&a.to_string_lossy())));
    parts.join(" ")
}

/// Hides credentials in a command-line argument before it is echoed: a header such as
/// `Authorization: Bearer <token>` keeps its name only, so tokens never reach CI logs.
fn redact(arg: &str) -> String {
    match arg.split_once(':') {
        Some((name, _)) if name.eq_ignore_ascii_case("authorization") => format!("{name}: ***"),
        _ => arg.to_owned(),
    }
}

/// A `cargo` command using the same cargo that runs xtask.
pub fn cargo() -> Command {
    Command::new(std::env::var("CARGO").unwrap_or_else(|_| "cargo".to_owned()))
}

/// The executables one `cargo build` produced, by binary name, where cargo says it put them.
#[derive(Debug, Default)]
pub struct Executables(BTreeMap<String, PathBuf>);

impl Executables {
    /// The path of binary `name`, or an error saying cargo built no such binary.
    pub fn get(&self, name: &str) -> Result<PathBuf, String> {
        self.0.get(name).cloned().ok_or_else(|| {
            let built: Vec<&str> = self.0.keys().map(String::as_str).collect();
            format!(
                "cargo reported no binary named {name:?} (it built: {})",
                built.join(", ")
            )
        })
    }

    /// Collects the binaries named in cargo's `--message-format=json` lines; other messages
    /// (build scripts, libraries, diagnostics) are skipped.
    fn from_messages(lines: impl Iterator<Item = String>) -> Executables {
        let mut found = BTreeMap::new();
        for line in lines {
            let Ok(message) = serde_json::from_str::<serde_json::Value>(&line) else {
                continue;
            };
            if message["reason"] != "compiler-artifact" {
                continue;
            }
            let is_bin = message["target"]["kind"]
                .as_array()
                .is_some_and(|kinds| kinds.iter().any(|k| k == "bin"));
            if let (true, Some(name), Some(exe)) = (
                is_bin,
                message["target"]["name"].as_str(),
                message["executable"].as_str(),
            ) {
                found.insert(name.to_owned(), PathBuf::from(exe));
            }
        }
        Executables(found)
    }
}

/// Runs `cargo build <args>` in the repository root, echoing it, and returns the binaries it
/// built as cargo reports them, so no caller guesses the target directory or profile layout.
pub fn build(args: &[&str]) -> Result<Executables, String> {
    let mut cmd = cargo();
    cmd.arg("build").args(args).current_dir(root()?);
    build_with(&mut cmd)
}

/// Runs a prepared `cargo build` command with JSON messages on stdout and collects its binaries.
fn build_with(cmd: &mut Command) -> Result<Executables, String> {
    cmd.arg("--message-format=json-render-diagnostics")
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit());
    eprintln!("$ {}", describe(cmd));
    let mut child = cmd
        .spawn()
        .map_err(|e| format!("could not start `{}`: {e}", describe(cmd)))?;
    let stdout = child
        .stdout
        .take()
        .ok_or_else(|| format!("`{}` has no stdout", describe(cmd)))?;
    // Compiler diagnostics are rendered to stderr by cargo; stdout carries only JSON messages.
    let executables = Executables::from_messages(
        BufReader::new(stdout)
            .lines()
            .map_while(Result::ok)
            .inspect(|line| {
                if !line.starts_with('{') {
                    println!("{line}");
                }
            }),
    );
    let status = child
        .wait()
        .map_err(|e| format!("waiting for `{}`: {e}", describe(cmd)))?;
    if status.success() {
        Ok(executables)
    } else {
        Err(format!("`{}` failed ({status})", describe(cmd)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn echoed_commands_hide_authorization_headers() {
        let mut cmd = Command::new("st");
        cmd.args([
            "run",
            "-H",
            "Authorization: Bearer abc.def",
            "--url",
            "http://127.0.0.1:1",
        ]);
        let line = describe(&cmd);
        assert_eq!(
            line,
            "st run -H Authorization: *** --url http://127.0.0.1:1"
        );
        assert!(!line.contains("abc.def"));
    }

    #[test]
    fn the_workspace_comes_from_cargo_metadata() {
        let json = br#"{"packages":[],"workspace_root":"/src/a","target_directory":"/shared/target","version":1}"#;
        assert_eq!(
            Workspace::from_metadata(json).unwrap(),
            Workspace {
                root: PathBuf::from("/src/a"),
                target_dir: PathBuf::from("/shared/target"),
            }
        );
        let missing = Workspace::from_metadata(br#"{"workspace_root":"/src/a"}"#).unwrap_err();
        assert!(missing.contains("target_directory"), "{missing}");
        assert!(Workspace::from_metadata(b"not json").is_err());
    }

    #[test]
    fn the_located_workspace_is_this_checkout() {
        // `cargo test` runs the tests in the package's directory, so cargo must find this
        // checkout's root (the parent of `xtask/`), whichever binary it compiled.
        let manifest_dir = PathBuf::from(std::env::var_os("CARGO_MANIFEST_DIR").unwrap());
        let workspace = workspace().unwrap();
        assert_eq!(Some(workspace.root.as_path()), manifest_dir.parent());
    }

    #[test]
    fn executables_are_read_from_cargo_messages() {
        let lines = [
            r#"{"reason":"compiler-artifact","target":{"kind":["lib"],"name":"runtime"},"executable":null}"#,
            r#"{"reason":"compiler-artifact","target":{"kind":["custom-build"],"name":"build-script-build"},"executable":null}"#,
            r#"{"reason":"compiler-artifact","target":{"kind":["bin"],"name":"identity-sandbox"},"executable":"/shared/target/debug/identity-sandbox"}"#,
            r#"{"reason":"compiler-message","message":{}}"#,
            "not json",
            r#"{"reason":"build-finished","success":true}"#,
        ];
        let exes = Executables::from_messages(lines.iter().map(|l| l.to_string()));
        assert_eq!(
            exes.get("identity-sandbox").unwrap(),
            PathBuf::from("/shared/target/debug/identity-sandbox")
        );
        let err = exes.get("cyberark-bench").unwrap_err();
        assert!(
            err.contains("cyberark-bench") && err.contains("identity-sandbox"),
            "{err}"
        );
    }

    #[test]
    fn built_binaries_are_found_in_a_target_directory_outside_the_project() {
        // A one-file crate with no dependencies builds in about a second; its own target
        // directory keeps this build off the lock of the one `cargo test` is using.
        let dir = std::env::temp_dir().join(format!("xtask-build-{}", std::process::id()));
        let (project, target) = (dir.join("project"), dir.join("elsewhere"));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(project.join("src")).unwrap();
        std::fs::write(
            project.join("Cargo.toml"),
            "[package]\nname = \"hello-bin\"\nversion = \"0.0.0\"\nedition = \"2024\"\n\n[workspace]\n",
        )
        .unwrap();
        std::fs::write(project.join("src/main.rs"), "fn main() {}\n").unwrap();
        let mut cmd = cargo();
        cmd.args(["build", "--offline"])
            .current_dir(&project)
            .env("CARGO_TARGET_DIR", &target);
        let exe = build_with(&mut cmd).unwrap().get("hello-bin").unwrap();
        assert!(exe.starts_with(&target), "{}", exe.display());
        assert!(exe.is_file(), "{}", exe.display());
        assert!(!project.join("target").exists());
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
