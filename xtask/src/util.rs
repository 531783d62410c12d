//! Small helpers shared by the commands: the repository root and running programs.

use std::path::{Path, PathBuf};
use std::process::Command;

/// The repository root (the parent of `xtask/`).
pub fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .map(Path::to_path_buf)
        .unwrap_or_else(|| PathBuf::from("."))
}

/// Runs a command in the repository root, echoing it, and fails with its name if it fails.
pub fn run(cmd: &mut Command) -> Result<(), String> {
    cmd.current_dir(root());
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
}
