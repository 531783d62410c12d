//! `cargo xtask` acts on the checkout it is run in, whatever binary cargo hands it.
//!
//! Two checkouts sharing one target directory share one `xtask` binary: cargo does not rebuild it
//! when the other checkout's sources are older. This test plays that case out. It copies the
//! repository to a directory of its own, runs this checkout's `xtask` binary there with the
//! target directory shared, and checks that codegen reads and writes the copy only.

use std::collections::BTreeMap;
use std::fs;
use std::path::{Path, PathBuf};

mod common;
use common::{MAX_DEPTH, SKIPPED, copy_tree, xtask_in};

/// A snapshot fixture that exists in the copy only, so generating it is visible in one place.
const FIXTURE: &str = "codegen/tests/snapshots/copy_only";

#[test]
fn xtask_reads_and_writes_only_the_checkout_it_runs_in() {
    let original = common::checkout();
    let (xtask, shared_target) = common::xtask_binary();

    let copy = std::env::temp_dir().join(format!("xtask-checkout-copy-{}", std::process::id()));
    let _ = fs::remove_dir_all(&copy);
    copy_tree(&original, &copy, 0);
    // A fixture spec without its generated client: stale in the copy, absent from the original.
    fs::create_dir_all(copy.join(FIXTURE)).unwrap();
    fs::copy(
        original.join("codegen/tests/snapshots/evolve_v1/spec.yaml"),
        copy.join(FIXTURE).join("spec.yaml"),
    )
    .unwrap();
    let before = snapshot(&original);

    let check = xtask_in(&xtask, &copy, &shared_target, &["codegen", "--check"]);
    let stderr = String::from_utf8_lossy(&check.stderr);
    assert_eq!(
        stderr.lines().next(),
        Some(
            format!(
                "xtask: checkout {}, target directory {}",
                copy.display(),
                shared_target.display()
            )
            .as_str()
        ),
        "the first line names the checkout and target directory:\n{stderr}"
    );
    assert!(
        !check.status.success() && stderr.contains(&format!("{FIXTURE}/expected/")),
        "the copy's stale fixture is reported:\n{stderr}"
    );

    let write = xtask_in(&xtask, &copy, &shared_target, &["codegen"]);
    let stderr = String::from_utf8_lossy(&write.stderr);
    assert!(write.status.success(), "codegen in the copy:\n{stderr}");
    let generated = copy.join(FIXTURE).join("expected");
    assert!(
        fs::read_dir(&generated).is_ok_and(|mut d| d.next().is_some()),
        "codegen wrote the copy's fixture client into {}:\n{stderr}",
        generated.display()
    );

    assert!(
        !original.join(FIXTURE).exists(),
        "the original gained the fixture"
    );
    assert!(
        before == snapshot(&original),
        "xtask run in the copy changed files of the original checkout"
    );
    assert!(
        !copy.join("target").exists(),
        "xtask used the copy's own target/ instead of the shared target directory"
    );
    fs::remove_dir_all(&copy).unwrap();
}

/// Every source file under `dir` with its contents, to show that nothing changed.
fn snapshot(dir: &Path) -> BTreeMap<PathBuf, Vec<u8>> {
    let mut files = BTreeMap::new();
    let mut pending = vec![(dir.to_path_buf(), 0)];
    while let Some((current, depth)) = pending.pop() {
        assert!(
            depth < MAX_DEPTH,
            "{} is nested too deeply",
            current.display()
        );
        for entry in fs::read_dir(&current).unwrap() {
            let entry = entry.unwrap();
            let kind = entry.file_type().unwrap();
            if kind.is_dir() && !SKIPPED.iter().any(|s| entry.file_name() == *s) {
                pending.push((entry.path(), depth + 1));
            } else if kind.is_file() {
                files.insert(entry.path(), fs::read(entry.path()).unwrap());
            }
        }
    }
    files
}
