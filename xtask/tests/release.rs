//! `cargo xtask release --dry-run` in a copy of the repository made into a git repository of its
//! own: the first release keeps the manifests' versions, and after a tagged release a removed
//! operation and a stated runtime change give the versions Cargo's rules ask for, written into the
//! manifests and a `CHANGELOG.md` entry that carries the spec diff.

use std::fs;
use std::path::Path;
use std::process::Command;

mod common;
use common::{copy_tree, xtask_in};

/// The operation the test removes from the spec: a breaking change for both languages.
const REMOVED_PATH: &str = "  /CDirectoryService/GetTechSupportUser:";

#[test]
fn release_versions_follow_the_spec_diff_and_stated_changes() {
    let original = common::checkout();
    let (xtask, target) = common::xtask_binary();
    let copy = std::env::temp_dir().join(format!("xtask-release-copy-{}", std::process::id()));
    let _ = fs::remove_dir_all(&copy);
    copy_tree(&original, &copy, 0);
    let _ = fs::remove_file(copy.join("CHANGELOG.md"));
    git(&copy, &["init", "-q", "-b", "main"]);
    git(&copy, &["add", "-A"]);
    git(&copy, &["commit", "-q", "-m", "the copy"]);

    // No tag yet: the first release, at the manifests' versions.
    let first = xtask_in(
        &xtask,
        &copy,
        &target,
        &["release", "--dry-run", "--no-verify"],
    );
    let stdout = String::from_utf8_lossy(&first.stdout);
    assert!(
        first.status.success(),
        "{stdout}{}",
        String::from_utf8_lossy(&first.stderr)
    );
    assert!(stdout.contains("first release"), "{stdout}");
    assert!(
        stdout.contains("cyberark-identity 0.1.0 -> 0.1.0"),
        "{stdout}"
    );
    git(&copy, &["checkout", "-q", "--", "."]);
    let _ = fs::remove_file(copy.join("CHANGELOG.md"));
    git(&copy, &["tag", "v0.1.0"]);

    // Remove one operation and state a minor change to the runtime's hand-written code.
    let spec_path = copy.join("spec/identity.yaml");
    let spec = fs::read_to_string(&spec_path).unwrap();
    let start = spec.find(REMOVED_PATH).expect("the spec has the operation");
    let rest = &spec[start + REMOVED_PATH.len()..];
    let end = start
        + REMOVED_PATH.len()
        + rest
            .find("\n  /")
            .map(|at| at + 1)
            .expect("another path follows");
    fs::write(&spec_path, format!("{}{}", &spec[..start], &spec[end..])).unwrap();

    let out = xtask_in(
        &xtask,
        &copy,
        &target,
        &[
            "release",
            "--dry-run",
            "--no-verify",
            "--code",
            "cyberark-runtime=minor",
        ],
    );
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{stdout}{}",
        String::from_utf8_lossy(&out.stderr)
    );
    // Before 1.0 an addition is a patch and a breaking change moves the minor number.
    assert!(
        stdout.contains("cyberark-runtime 0.1.0 -> 0.1.1 (minor)"),
        "{stdout}"
    );
    assert!(
        stdout.contains("cyberark-identity 0.1.0 -> 0.2.0 (major)"),
        "{stdout}"
    );
    assert!(
        stdout.contains("cyberark-identity-python 0.1.0 -> 0.2.0 (major)"),
        "{stdout}"
    );
    assert!(stdout.contains("git tag v0.2.0"), "{stdout}");

    let manifest = |path: &str| fs::read_to_string(copy.join(path)).unwrap();
    assert!(manifest("crates/cyberark-identity/Cargo.toml").contains("version = \"0.2.0\""));
    assert!(manifest("crates/cyberark-runtime/Cargo.toml").contains("version = \"0.1.1\""));
    assert!(manifest("bindings/python/Cargo.toml").contains("version = \"0.2.0\""));
    let workspace = manifest("Cargo.toml");
    assert!(
        workspace.contains(
            "cyberark-identity = { path = \"crates/cyberark-identity\", version = \"0.2.0\" }"
        ),
        "dependents require the new version:\n{workspace}"
    );
    let changelog = manifest("CHANGELOG.md");
    assert!(changelog.starts_with("# Changelog"), "{changelog}");
    assert!(changelog.contains("## 0.2.0"), "{changelog}");
    assert!(
        changelog.contains("GetTechSupportUser"),
        "the API section is the spec diff:\n{changelog}"
    );
    assert!(
        changelog.contains("`cyberark-runtime`: minor (stated by the maintainer)"),
        "{changelog}"
    );

    // A package the workspace does not publish is refused by name.
    let wrong = xtask_in(
        &xtask,
        &copy,
        &target,
        &[
            "release",
            "--dry-run",
            "--no-verify",
            "--code",
            "identity-sandbox=patch",
        ],
    );
    assert!(!wrong.status.success());
    assert!(
        String::from_utf8_lossy(&wrong.stderr)
            .contains("no published package is called \"identity-sandbox\"")
    );
    fs::remove_dir_all(&copy).unwrap();
}

fn git(dir: &Path, args: &[&str]) {
    let out = Command::new("git")
        .args([
            "-c",
            "user.name=release test",
            "-c",
            "user.email=test@127.0.0.1",
            "-c",
            "commit.gpgsign=false",
        ])
        .args(args)
        .current_dir(dir)
        .output()
        .expect("git starts");
    assert!(
        out.status.success(),
        "git {args:?} failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
}
