//! `cargo xtask test publish`: what a release would ship, installed the way users install it.
//!
//! - The crates: `cargo publish --workspace --dry-run` packages every published crate and builds
//!   each from its tarball, in dependency order. A fresh Rust project then depends on them by
//!   name and version (`cargo add` style), resolved to the packaged tarballs' contents through
//!   `[patch.crates-io]`, compiles, and calls the sandbox.
//! - The documentation: `cargo doc --no-deps` of every published crate with warnings as errors
//!   (each crate denies missing docs, so every public item is documented; the crates' READMEs are
//!   their front pages, so their examples compile as doctests in the cargo step).
//! - The wheel: `maturin build --zig --compatibility manylinux_2_28` (zig from PyPI, no other
//!   toolchain) gives an abi3 wheel for glibc 2.28; maturin refuses to tag it so when a symbol is
//!   newer, and the check here reads the tag from the file name. It is installed into a fresh venv
//!   and calls the sandbox.
//! - The sdist: `maturin sdist`, then `pip install` of it into another fresh venv (pip fetches the
//!   build backend; the machine needs only Rust and pip), and the same call.
//!
//! Builds here use the dev profile: compliance (glibc symbol versions, abi3) does not depend on
//! optimisation, and CI's 2 cores are better spent elsewhere. The release workflow builds the
//! same way with `--release`.

use crate::python;
use crate::sandbox_process;
use crate::util::{build, cargo, root, run, target_dir};
use std::collections::BTreeMap;
use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;

/// The oldest glibc the Linux wheel must run on (RHEL 8 and its clones).
const MANYLINUX: &str = "manylinux_2_28";

/// What a Python user runs after `pip install`: a call against the sandbox.
const PYTHON_USER: &str = r#"
import os
import cyberark_identity
from cyberark_identity import Client

with Client(os.environ["CYBERARK_TENANT"], client_id=os.environ["CYBERARK_CLIENT_ID"],
            client_secret=os.environ["CYBERARK_CLIENT_SECRET"]) as client:
    users = list(client.cdirectory_service.get_users_iter())
    assert users, "the demo tenant has users"
    print(f"installed package {cyberark_identity.__file__} listed {len(users)} users")
"#;

/// What a Rust user writes after `cargo add cyberark-identity`: a call against the sandbox.
const RUST_USER: &str = r#"use cyberark_identity::{CDirectoryServiceGetUsersRequest, Client};
use futures::TryStreamExt;

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let env = |key: &str| std::env::var(key).map_err(|_| format!("{key} is not set"));
    let client = Client::builder(&env("CYBERARK_TENANT")?)
        .client_credentials(env("CYBERARK_CLIENT_ID")?, env("CYBERARK_CLIENT_SECRET")?)
        .build()?;
    let users: Vec<_> = client
        .cdirectory_service()
        .get_users_stream(CDirectoryServiceGetUsersRequest::new())
        .try_collect()
        .await?;
    assert!(!users.is_empty(), "the demo tenant has users");
    println!("the packaged crates listed {} users", users.len());
    Ok(())
}
"#;

/// Runs every check; the sandbox runs for the calls and stops afterwards.
pub fn run_checks() -> Result<(), String> {
    python::ensure()?;
    let root = root()?;
    let work = target_dir()?.join("publish-check");
    let _ = fs::remove_dir_all(&work);
    fs::create_dir_all(&work).map_err(|e| format!("cannot create {}: {e}", work.display()))?;

    let binary =
        build(&["-p", "identity-sandbox", "--bin", "identity-sandbox"])?.get("identity-sandbox")?;
    let (sandbox, values) = sandbox_process::start(&binary)?;
    let env = user_env(&values)?;

    eprintln!("==> the crates, packaged and built as crates.io would");
    publish_dry_run(&root)?;
    rust_user(&root, &work, &env)?;
    eprintln!("==> the published crates' documentation, with warnings as errors");
    let mut doc = cargo();
    doc.current_dir(&root)
        .args(["doc", "--no-deps"])
        .env("RUSTDOCFLAGS", "-D warnings");
    for (name, _) in published_versions(&root)? {
        doc.args(["-p", &name]);
    }
    run(&mut doc)?;

    eprintln!("==> the wheel ({MANYLINUX}, abi3), installed into a fresh venv");
    let wheels = work.join("wheels");
    run(maturin()?
        .current_dir(root.join("bindings/python"))
        .args(["build", "--zig", "--compatibility", MANYLINUX, "--out"])
        .arg(&wheels))?;
    let wheel = only_file(&wheels, ".whl")?;
    check_wheel_name(&wheel)?;
    python_user(&work.join("venv-wheel"), &wheel, &[], &env)?;

    eprintln!("==> the sdist, built into a fresh venv by pip with only Rust");
    let sdists = work.join("sdist");
    run(maturin()?
        .current_dir(root.join("bindings/python"))
        .args(["sdist", "--out"])
        .arg(&sdists))?;
    let sdist = only_file(&sdists, ".tar.gz")?;
    // A dev build in the shared target directory, so dependencies already built are reused:
    // the point is that the sdist builds and works, not how fast it runs.
    let build_env = [
        ("MATURIN_PEP517_ARGS", "--profile dev".to_owned()),
        ("CARGO_TARGET_DIR", target_dir()?.display().to_string()),
    ];
    python_user(&work.join("venv-sdist"), &sdist, &build_env, &env)?;
    drop(sandbox);
    Ok(())
}

/// Maturin from `.venv`, as a user would run it in a shell with the venv active: maturin finds
/// zig as the `ziglang` package of the Python on `PATH`, so the venv's `bin` comes first.
fn maturin() -> Result<Command, String> {
    let mut cmd = Command::new(python::bin("maturin")?);
    let venv_bin = python::venv()?.join("bin");
    let path = std::env::var_os("PATH").unwrap_or_default();
    let joined =
        std::env::join_paths(std::iter::once(venv_bin).chain(std::env::split_paths(&path)))
            .map_err(|e| format!("cannot build PATH: {e}"))?;
    cmd.env("PATH", joined);
    Ok(cmd)
}

/// The environment a user's program reads to reach the sandbox.
fn user_env(values: &BTreeMap<String, String>) -> Result<Vec<(&'static str, String)>, String> {
    let get = |key: &str| {
        values
            .get(key)
            .cloned()
            .ok_or_else(|| format!("the sandbox printed no {key}= line"))
    };
    Ok(vec![
        ("CYBERARK_TENANT", get("URL")?),
        ("CYBERARK_CLIENT_ID", get("CLIENT_ID")?),
        ("CYBERARK_CLIENT_SECRET", get("CLIENT_SECRET")?),
    ])
}

/// `cargo publish --workspace --dry-run`: every published crate packaged and built from its
/// tarball, in dependency order, against a local registry of the crates packaged here.
///
/// Cargo unpacks that local registry's crates under `$CARGO_HOME/registry/src/-<hash>/`, where
/// the hash depends only on the target directory's path, and reuses an unpacked crate of the same
/// name and version without looking at its contents. Our versions change only at a release, so a
/// second run in the same checkout (or a CI machine that keeps `CARGO_HOME` between runs) would
/// verify the dependents against the runtime of an earlier run: the CI run of 2026-11-30 failed
/// that way. The stale copies are removed first.
pub fn publish_dry_run(root: &Path) -> Result<(), String> {
    let versions = published_versions(root)?;
    if let Some(home) = cargo_home() {
        for removed in forget_unpacked_local_crates(&home, &versions)? {
            eprintln!(
                "removed {} (a copy of a workspace crate unpacked by an earlier dry run)",
                removed.display()
            );
        }
    }
    run(cargo()
        .current_dir(root)
        .args(["publish", "--workspace", "--dry-run", "--allow-dirty"]))
}

/// Cargo's home directory, as cargo itself finds it: `CARGO_HOME`, else `~/.cargo`.
fn cargo_home() -> Option<PathBuf> {
    std::env::var_os("CARGO_HOME")
        .map(PathBuf::from)
        .or_else(|| std::env::var_os("HOME").map(|home| PathBuf::from(home).join(".cargo")))
}

/// Removes, under `home/registry/src`, the unpacked copies of `crates` (name and version) that
/// came from local registries (directories named `-<hash>`: a local registry has no host name).
/// Copies from crates.io and every other crate are left alone. Returns what was removed.
fn forget_unpacked_local_crates(
    home: &Path,
    crates: &[(String, String)],
) -> Result<Vec<PathBuf>, String> {
    let src = home.join("registry").join("src");
    let Ok(sources) = fs::read_dir(&src) else {
        return Ok(Vec::new());
    };
    let mut removed = Vec::new();
    for source in sources.flatten() {
        if !source.file_name().to_string_lossy().starts_with('-') {
            continue;
        }
        for (name, version) in crates {
            let unpacked = source.path().join(format!("{name}-{version}"));
            if unpacked.is_dir() {
                fs::remove_dir_all(&unpacked)
                    .map_err(|e| format!("cannot remove {}: {e}", unpacked.display()))?;
                removed.push(unpacked);
            }
        }
    }
    removed.sort();
    Ok(removed)
}

/// A fresh project that depends on the published crates by version, resolved to the packaged
/// tarballs, with the workspace's lock file so dependencies match what was tested.
fn rust_user(root: &Path, work: &Path, env: &[(&str, String)]) -> Result<(), String> {
    let project = work.join("rust-user");
    fs::create_dir_all(project.join("src"))
        .map_err(|e| format!("cannot create the project: {e}"))?;
    let packaged = target_dir()?.join("package");
    let versions = published_versions(root)?;
    let mut manifest = String::from(
        "[package]\nname = \"rust-user\"\nversion = \"0.0.0\"\nedition = \"2024\"\npublish = false\n\n[workspace]\n\n[dependencies]\nfutures = \"0.3\"\ntokio = { version = \"1\", features = [\"rt-multi-thread\", \"macros\"] }\n",
    );
    for (name, version) in &versions {
        manifest.push_str(&format!("{name} = \"={version}\"\n"));
    }
    manifest.push_str("\n[patch.crates-io]\n");
    for (name, version) in &versions {
        let dir = packaged.join(format!("{name}-{version}"));
        if !dir.join("Cargo.toml").is_file() {
            return Err(format!(
                "{} is missing: `cargo publish --dry-run` did not package {name}",
                dir.display()
            ));
        }
        manifest.push_str(&format!(
            "{name} = {{ path = {:?} }}\n",
            dir.display().to_string()
        ));
    }
    let write = |path: PathBuf, text: &str| {
        fs::write(&path, text).map_err(|e| format!("cannot write {}: {e}", path.display()))
    };
    write(project.join("Cargo.toml"), &manifest)?;
    write(project.join("src/main.rs"), RUST_USER)?;
    fs::copy(root.join("Cargo.lock"), project.join("Cargo.lock"))
        .map_err(|e| format!("cannot copy Cargo.lock: {e}"))?;
    run(cargo()
        .current_dir(&project)
        .args(["run", "--quiet", "--manifest-path"])
        .arg(project.join("Cargo.toml"))
        .envs(env.iter().map(|(k, v)| (k, v))))
}

/// Every crate the workspace publishes, with its version, from `cargo metadata`.
fn published_versions(root: &Path) -> Result<Vec<(String, String)>, String> {
    let out = cargo()
        .current_dir(root)
        .args(["metadata", "--no-deps", "--format-version", "1"])
        .output()
        .map_err(|e| format!("cannot run cargo metadata: {e}"))?;
    let metadata: serde_json::Value = serde_json::from_slice(&out.stdout)
        .map_err(|e| format!("cargo metadata printed invalid JSON: {e}"))?;
    Ok(metadata["packages"]
        .as_array()
        .into_iter()
        .flatten()
        .filter(|p| p["publish"].is_null())
        .filter_map(|p| {
            Some((
                p["name"].as_str()?.to_owned(),
                p["version"].as_str()?.to_owned(),
            ))
        })
        .collect())
}

/// The one file with this suffix in `dir`.
fn only_file(dir: &Path, suffix: &str) -> Result<PathBuf, String> {
    let found: Vec<PathBuf> = fs::read_dir(dir)
        .map_err(|e| format!("cannot list {}: {e}", dir.display()))?
        .flatten()
        .map(|e| e.path())
        .filter(|p| p.to_string_lossy().ends_with(suffix))
        .collect();
    match found.as_slice() {
        [one] => Ok(one.clone()),
        _ => Err(format!(
            "expected one *{suffix} in {}, found {found:?}",
            dir.display()
        )),
    }
}

/// The wheel's platform tag must be abi3 and glibc 2.28 or older.
fn check_wheel_name(wheel: &Path) -> Result<(), String> {
    let name = wheel
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let glibc = name
        .split(['-', '.'])
        .find_map(|part| part.strip_prefix("manylinux_2_"))
        .and_then(|rest| rest.split('_').next())
        .and_then(|minor| minor.parse::<u32>().ok());
    let old_enough = glibc.is_some_and(|minor| minor <= 28) || name.contains("manylinux2014");
    if !name.contains("-abi3-") || !old_enough {
        return Err(format!(
            "{name}: expected an abi3 wheel for {MANYLINUX} or older"
        ));
    }
    eprintln!(
        "{name}: abi3, runs on glibc 2.{} and newer",
        glibc.unwrap_or(17)
    );
    Ok(())
}

/// A fresh venv, the package installed from `artifact`, and the user's script run in it.
fn python_user(
    venv: &Path,
    artifact: &Path,
    build_env: &[(&str, String)],
    env: &[(&str, String)],
) -> Result<(), String> {
    let interpreter = std::env::var("PYTHON").unwrap_or_else(|_| "python3".to_owned());
    run(Command::new(interpreter).args(["-m", "venv"]).arg(venv))?;
    let python = venv.join("bin").join("python");
    run(Command::new(&python)
        .args([
            "-m",
            "pip",
            "install",
            "--quiet",
            "--disable-pip-version-check",
        ])
        .arg(artifact)
        .envs(build_env.iter().map(|(k, v)| (k, v))))?;
    // Run from the venv's directory so the checkout's `bindings/python/python` is not on the path.
    run(Command::new(&python)
        .current_dir(venv)
        .args(["-c", PYTHON_USER])
        .envs(env.iter().map(|(k, v)| (k, v))))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stale_copies_of_workspace_crates_from_local_registries_are_removed() {
        let home = std::env::temp_dir().join(format!("xtask-cargo-home-{}", std::process::id()));
        let _ = fs::remove_dir_all(&home);
        let src = home.join("registry/src");
        let make = |dir: &str| {
            let path = src.join(dir);
            fs::create_dir_all(path.join("src")).unwrap();
            fs::write(path.join(".cargo-ok"), "{\"v\":1}").unwrap();
            path
        };
        let stale = make("-551f3b77868acd4b/cyberark-runtime-0.1.0");
        let other_version = make("-551f3b77868acd4b/cyberark-runtime-0.0.9");
        let dependency = make("-551f3b77868acd4b/serde-1.0.0");
        let from_crates_io = make("index.crates.io-1949cf8c6b5b557f/cyberark-runtime-0.1.0");
        let crates = [("cyberark-runtime".to_owned(), "0.1.0".to_owned())];

        let removed = forget_unpacked_local_crates(&home, &crates).unwrap();

        assert_eq!(removed, vec![stale.clone()]);
        assert!(!stale.exists());
        assert!(other_version.is_dir() && dependency.is_dir() && from_crates_io.is_dir());
        // A home without a registry is not an error: nothing was unpacked yet.
        assert!(
            forget_unpacked_local_crates(&home.join("nowhere"), &crates)
                .unwrap()
                .is_empty()
        );
        fs::remove_dir_all(&home).unwrap();
    }

    #[test]
    fn wheel_names_are_checked_for_abi3_and_glibc() {
        let ok = |name: &str| check_wheel_name(Path::new(name)).is_ok();
        assert!(ok(
            "cyberark_clients-0.1.0-cp39-abi3-manylinux_2_28_x86_64.whl"
        ));
        assert!(ok(
            "cyberark_clients-0.1.0-cp39-abi3-manylinux_2_17_x86_64.manylinux2014_x86_64.whl"
        ));
        assert!(!ok(
            "cyberark_clients-0.1.0-cp39-abi3-manylinux_2_34_x86_64.whl"
        ));
        assert!(!ok(
            "cyberark_clients-0.1.0-cp311-cp311-manylinux_2_28_x86_64.whl"
        ));
        assert!(!ok("cyberark_clients-0.1.0-cp39-abi3-linux_x86_64.whl"));
    }
}
