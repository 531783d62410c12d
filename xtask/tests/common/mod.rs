//! Helpers shared by the tests that run this checkout's `xtask` binary in a copy of the
//! repository: copying the sources and running the binary there.

use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

/// Directories never copied or compared: build output, caches and git's own data.
pub const SKIPPED: &[&str] = &[
    ".git",
    "target",
    ".venv",
    "__pycache__",
    ".mypy_cache",
    ".pytest_cache",
    ".schemathesis",
    "dist",
];

/// The repository is shallow; a deeper walk means a link loop or a mistake.
pub const MAX_DEPTH: usize = 32;

/// Runs the xtask binary in `dir` the way `cargo xtask` would with a shared target directory.
pub fn xtask_in(xtask: &Path, dir: &Path, target: &Path, args: &[&str]) -> Output {
    Command::new(xtask)
        .args(args)
        .current_dir(dir)
        .env("CARGO_TARGET_DIR", target)
        .output()
        .expect("the xtask binary starts")
}

/// Copies the repository's sources (not build output or caches) from `from` to `to`.
pub fn copy_tree(from: &Path, to: &Path, depth: usize) {
    assert!(depth < MAX_DEPTH, "{} is nested too deeply", from.display());
    fs::create_dir_all(to).unwrap();
    for entry in fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        let name = entry.file_name();
        let kind = entry.file_type().unwrap();
        // In a git worktree `.git` is a file pointing at the main repository: copying it would
        // make git commands in the copy act on the original repository.
        if SKIPPED.iter().any(|s| name == *s) {
            continue;
        }
        if kind.is_dir() {
            copy_tree(&entry.path(), &to.join(&name), depth + 1);
        } else if kind.is_file() {
            fs::copy(entry.path(), to.join(&name)).unwrap();
        }
    }
}

/// The xtask binary cargo built beside the running test, and the target directory it is in.
///
/// Found at run time (`<target>/<profile>/deps/<test>` and `<target>/<profile>/xtask`):
/// `env!("CARGO_BIN_EXE_xtask")` would be a compile-time path, wrong once the target directory
/// moves, which is what the checkout test is about.
pub fn xtask_binary() -> (PathBuf, PathBuf) {
    let test_exe = std::env::current_exe().expect("the test knows its path");
    let profile_dir = test_exe
        .parent()
        .and_then(Path::parent)
        .expect("the test is in <target>/<profile>/deps/");
    let xtask = profile_dir.join(format!("xtask{}", std::env::consts::EXE_SUFFIX));
    assert!(
        xtask.is_file(),
        "cargo builds {} for integration tests",
        xtask.display()
    );
    let shared_target = profile_dir
        .parent()
        .expect("the profile directory is in the target directory")
        .to_path_buf();
    (xtask, shared_target)
}

/// This checkout's root (the parent of `xtask/`).
pub fn checkout() -> PathBuf {
    PathBuf::from(std::env::var_os("CARGO_MANIFEST_DIR").expect("run by cargo"))
        .parent()
        .expect("xtask/ has a parent")
        .to_path_buf()
}
