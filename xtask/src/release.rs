//! `cargo xtask release --dry-run`: the next version of every published package, from the spec
//! diff since the last release tag and from what the maintainer says about hand-written code.
//!
//! A release publishes the crates users depend on (every workspace member without
//! `publish = false`) and the Python package (`bindings/python`, the wheel `cyberark-clients`).
//! Each package's bump is the largest of:
//!
//! - the spec diff (`cargo xtask spec-diff`) of each spec whose generated code the package holds,
//!   in that package's language;
//! - the level the maintainer states for its hand-written code (`--code PACKAGE=LEVEL`), since no
//!   tool can read intent from a hand-written diff;
//! - what its dependencies force: a client re-exports the runtime's types, so a breaking runtime
//!   breaks it too, and any dependency's release makes at least a patch release.
//!
//! The command writes the versions into the packages' `Cargo.toml`s, prepends a `CHANGELOG.md`
//! entry whose API section is the spec diff in Markdown, and prints what it would publish. It
//! never tags, commits or uploads: the tag-triggered workflow `.github/workflows/release.yml`
//! publishes (docs/releasing.md).

use crate::specs::{self, Source};
use crate::util::{self, root};
use cyberark_codegen::diff::{Bump, Report};
use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::process::Command;

const USAGE: &str = "usage: cargo xtask release --dry-run [--base TAG] [--code PACKAGE=none|patch|minor|major]… [--no-verify]";

/// The Python package's crate: its version is the wheel's version.
const PYTHON_CRATE: &str = "cyberark-identity-python";

/// The prefix of release tags; the rest is the Python package's version.
const TAG_PREFIX: &str = "v";

/// What the maintainer asked for.
#[derive(Debug, Default)]
struct Args {
    base: Option<String>,
    stated: BTreeMap<String, Bump>,
    verify: bool,
}

pub fn run(args: &[String]) -> Result<(), String> {
    let args = parse_args(args)?;
    let root = root()?;
    let plan = plan(&root, &args)?;
    print!("{}", plan.describe());
    apply(&root, &plan)?;
    println!("wrote the versions and a CHANGELOG.md entry; review them with `git diff`");
    if args.verify {
        // The same check crates.io makes, in dependency order, against a local registry of the
        // crates packaged here: every published crate must package and build from its tarball.
        crate::publish::publish_dry_run(&root)?;
    }
    println!(
        "dry run: nothing was tagged or uploaded. To release, commit these changes, then `git tag {TAG_PREFIX}{}` and push the tag.",
        plan.python_version()
    );
    Ok(())
}

fn parse_args(args: &[String]) -> Result<Args, String> {
    let mut out = Args {
        verify: true,
        ..Args::default()
    };
    let mut dry_run = false;
    let mut args = args.iter();
    while let Some(arg) = args.next() {
        match arg.as_str() {
            "--dry-run" => dry_run = true,
            "--no-verify" => out.verify = false,
            "--base" => out.base = Some(args.next().ok_or(USAGE)?.clone()),
            "--code" => {
                let spec = args.next().ok_or(USAGE)?;
                let (package, level) = spec
                    .split_once('=')
                    .ok_or_else(|| format!("--code {spec:?}: expected PACKAGE=LEVEL\n{USAGE}"))?;
                out.stated.insert(package.to_owned(), parse_bump(level)?);
            }
            other => return Err(format!("unknown argument {other:?}\n{USAGE}")),
        }
    }
    if !dry_run {
        return Err(format!(
            "only --dry-run exists: publishing is done by the tag-triggered workflow (docs/releasing.md)\n{USAGE}"
        ));
    }
    Ok(out)
}

fn parse_bump(level: &str) -> Result<Bump, String> {
    match level {
        "none" => Ok(Bump::None),
        "patch" => Ok(Bump::Patch),
        "minor" => Ok(Bump::Minor),
        "major" => Ok(Bump::Major),
        other => Err(format!(
            "unknown level {other:?}: expected none, patch, minor or major"
        )),
    }
}

/// One package of the release.
#[derive(Debug, Clone)]
struct Package {
    name: String,
    manifest: PathBuf,
    version: semver::Version,
    /// Workspace packages it depends on (normal dependencies only).
    depends_on: Vec<String>,
    /// Whether it goes to crates.io (the Python crate goes to PyPI as a wheel instead).
    to_crates_io: bool,
}

/// A package's bump and why.
#[derive(Debug, Clone)]
struct Decision {
    package: Package,
    bump: Bump,
    reasons: Vec<String>,
    next: semver::Version,
}

/// Everything the release would do.
#[derive(Debug)]
struct Plan {
    base: Option<String>,
    decisions: Vec<Decision>,
    reports: Vec<(String, Report)>,
    stated: BTreeMap<String, Bump>,
}

impl Plan {
    fn python_version(&self) -> String {
        self.decisions
            .iter()
            .find(|d| d.package.name == PYTHON_CRATE)
            .map(|d| d.next.to_string())
            .unwrap_or_default()
    }

    fn describe(&self) -> String {
        let mut out = String::new();
        match &self.base {
            Some(base) => {
                let _ = writeln!(out, "release since {base}:");
            }
            None => {
                let _ = writeln!(
                    out,
                    "no release tag ({TAG_PREFIX}*) yet: this is the first release, at the versions in the manifests"
                );
            }
        }
        for d in &self.decisions {
            let target = if d.package.to_crates_io {
                "crates.io"
            } else {
                "PyPI (wheel and sdist)"
            };
            let _ = writeln!(
                out,
                "  {} {} -> {} ({}) to {target}: {}",
                d.package.name,
                d.package.version,
                d.next,
                d.bump,
                if d.reasons.is_empty() {
                    "no change".to_owned()
                } else {
                    d.reasons.join("; ")
                }
            );
        }
        out
    }

    fn changelog_entry(&self) -> String {
        let mut out = format!("## {}\n\n", self.python_version());
        out.push_str("| package | version | bump | why |\n| --- | --- | --- | --- |\n");
        for d in &self.decisions {
            let _ = writeln!(
                out,
                "| `{}` | {} | {} | {} |",
                d.package.name,
                d.next,
                d.bump,
                if d.reasons.is_empty() {
                    "no change".to_owned()
                } else {
                    d.reasons.join("; ")
                }
            );
        }
        out.push_str("\n### API changes\n\n");
        match &self.base {
            None => out.push_str("First release.\n\n"),
            Some(base) => {
                for (spec, report) in &self.reports {
                    let _ = write!(
                        out,
                        "#### `{spec}` (since {base})\n\n{}\n",
                        report.markdown()
                    );
                }
            }
        }
        if !self.stated.is_empty() {
            out.push_str("### Hand-written code\n\n");
            for (package, bump) in &self.stated {
                let _ = writeln!(out, "- `{package}`: {bump} (stated by the maintainer)");
            }
            out.push('\n');
        }
        out
    }
}

/// Computes every package's next version.
fn plan(root: &Path, args: &Args) -> Result<Plan, String> {
    let packages = packages(root)?;
    for name in args.stated.keys() {
        if !packages.iter().any(|p| &p.name == name) {
            return Err(format!(
                "--code {name}=…: no published package is called {name:?} (published: {})",
                packages
                    .iter()
                    .map(|p| p.name.as_str())
                    .collect::<Vec<_>>()
                    .join(", ")
            ));
        }
    }
    let base = match &args.base {
        Some(base) => Some(base.clone()),
        None => last_tag(root)?,
    };
    let reports = match &base {
        Some(base) => crate::spec_diff::reports(root, base)?,
        None => Vec::new(),
    };
    // Which package holds each spec's generated code, in which language.
    let owners = spec_owners(root, &packages)?;
    let mut own: BTreeMap<String, (Bump, Vec<String>)> = BTreeMap::new();
    for (spec, report) in &reports {
        let crate_name = owners
            .get(spec)
            .ok_or_else(|| format!("{spec}: no published crate holds its generated Rust code"))?;
        bump_with(
            &mut own,
            crate_name,
            report.rust_bump(),
            format!("{spec}: Rust {}", report.summary()),
        );
        bump_with(
            &mut own,
            PYTHON_CRATE,
            report.python_bump(),
            format!("{spec}: Python {}", report.summary()),
        );
    }
    for (package, bump) in &args.stated {
        bump_with(
            &mut own,
            package,
            *bump,
            format!("hand-written code: {bump}"),
        );
    }
    // Dependencies first, so what a package's dependencies force is known when it is decided.
    let order = dependency_order(&packages)?;
    let mut decided: BTreeMap<String, Bump> = BTreeMap::new();
    let mut decisions = Vec::new();
    for package in order {
        let (mut bump, mut reasons) = own
            .remove(&package.name)
            .unwrap_or((Bump::None, Vec::new()));
        for dep in &package.depends_on {
            let forced = match decided.get(dep).copied().unwrap_or(Bump::None) {
                Bump::None => Bump::None,
                // Clients re-export the runtime's types: its breaking change is theirs.
                Bump::Major => Bump::Major,
                _ => Bump::Patch,
            };
            if forced > bump || (forced != Bump::None && bump == Bump::None) {
                reasons.push(format!("{dep} is released ({forced})"));
            }
            bump = bump.max(forced);
        }
        if base.is_none() {
            bump = Bump::None;
            reasons = vec!["first release".to_owned()];
        }
        decided.insert(package.name.clone(), bump);
        let next = next_version(&package.version, bump);
        decisions.push(Decision {
            package,
            bump,
            reasons,
            next,
        });
    }
    Ok(Plan {
        base,
        decisions,
        reports,
        stated: args.stated.clone(),
    })
}

fn bump_with(own: &mut BTreeMap<String, (Bump, Vec<String>)>, name: &str, bump: Bump, why: String) {
    if bump == Bump::None {
        return;
    }
    let entry = own
        .entry(name.to_owned())
        .or_insert((Bump::None, Vec::new()));
    entry.0 = entry.0.max(bump);
    entry.1.push(why);
}

/// The next version under Cargo's rules, which the Python package follows too so the two stay
/// in step: before 1.0 the minor number is the breaking one and everything else is a patch.
fn next_version(version: &semver::Version, bump: Bump) -> semver::Version {
    let mut next = version.clone();
    next.pre = semver::Prerelease::EMPTY;
    next.build = semver::BuildMetadata::EMPTY;
    let pre_1 = version.major == 0;
    match (bump, pre_1) {
        (Bump::None, _) => return version.clone(),
        (Bump::Major, false) => {
            next.major += 1;
            next.minor = 0;
            next.patch = 0;
        }
        (Bump::Major, true) | (Bump::Minor, false) => {
            next.minor += 1;
            next.patch = 0;
        }
        (Bump::Minor, true) | (Bump::Patch, _) => next.patch += 1,
    }
    next
}

/// The newest release tag reachable from HEAD, if any.
fn last_tag(root: &Path) -> Result<Option<String>, String> {
    let out = Command::new("git")
        .current_dir(root)
        .args(["describe", "--tags", "--abbrev=0", "--match"])
        .arg(format!("{TAG_PREFIX}[0-9]*"))
        .output()
        .map_err(|e| format!("cannot run git: {e}"))?;
    if out.status.success() {
        Ok(Some(String::from_utf8_lossy(&out.stdout).trim().to_owned()))
    } else {
        Ok(None)
    }
}

/// The workspace's published packages (and the Python package), from `cargo metadata`.
fn packages(root: &Path) -> Result<Vec<Package>, String> {
    let out = util::cargo()
        .current_dir(root)
        .args(["metadata", "--no-deps", "--format-version", "1"])
        .output()
        .map_err(|e| format!("cannot run cargo metadata: {e}"))?;
    if !out.status.success() {
        return Err(format!(
            "cargo metadata failed: {}",
            String::from_utf8_lossy(&out.stderr)
        ));
    }
    let metadata: serde_json::Value = serde_json::from_slice(&out.stdout)
        .map_err(|e| format!("cargo metadata printed invalid JSON: {e}"))?;
    let all = metadata["packages"]
        .as_array()
        .ok_or("cargo metadata: no packages")?;
    let names: Vec<&str> = all.iter().filter_map(|p| p["name"].as_str()).collect();
    let mut packages = Vec::new();
    for p in all {
        let name = p["name"].as_str().unwrap_or_default().to_owned();
        // `publish: []` is `publish = false`; `null` means any registry.
        let to_crates_io = p["publish"].is_null();
        if !to_crates_io && name != PYTHON_CRATE {
            continue;
        }
        let version = p["version"]
            .as_str()
            .and_then(|v| semver::Version::parse(v).ok())
            .ok_or_else(|| format!("{name}: no valid version in cargo metadata"))?;
        let depends_on = p["dependencies"]
            .as_array()
            .map(|deps| {
                deps.iter()
                    .filter(|d| d["kind"].is_null())
                    .filter_map(|d| d["name"].as_str())
                    .filter(|d| names.contains(d))
                    .map(str::to_owned)
                    .collect()
            })
            .unwrap_or_default();
        packages.push(Package {
            name,
            manifest: PathBuf::from(p["manifest_path"].as_str().unwrap_or_default()),
            version,
            depends_on,
            to_crates_io,
        });
    }
    Ok(packages)
}

/// Packages ordered so each comes after the workspace packages it depends on.
fn dependency_order(packages: &[Package]) -> Result<Vec<Package>, String> {
    let mut done: Vec<Package> = Vec::new();
    let mut left: Vec<Package> = packages.to_vec();
    left.sort_by(|a, b| a.name.cmp(&b.name));
    while !left.is_empty() {
        let ready = left.iter().position(|p| {
            p.depends_on.iter().all(|d| {
                done.iter().any(|q| &q.name == d) || !packages.iter().any(|q| &q.name == d)
            })
        });
        let Some(index) = ready else {
            return Err("the published packages depend on each other in a cycle".to_owned());
        };
        done.push(left.remove(index));
    }
    Ok(done)
}

/// For each spec of `spec/specs.yaml`, the published crate whose directory holds its generated
/// Rust code (the nearest `Cargo.toml` above the output directory).
fn spec_owners(root: &Path, packages: &[Package]) -> Result<BTreeMap<String, String>, String> {
    let mut owners = BTreeMap::new();
    for entry in specs::entries(&Source::WorkTree(root.to_path_buf()))? {
        let dir = entry
            .rust_dir
            .clone()
            .unwrap_or_else(|| "crates/cyberark-identity/src/generated".to_owned());
        let mut at = Some(root.join(&dir));
        let owner = loop {
            let Some(path) = at else { break None };
            let manifest = path.join("Cargo.toml");
            if let Some(p) = packages.iter().find(|p| p.manifest == manifest) {
                break Some(p.name.clone());
            }
            if path == root {
                break None;
            }
            at = path.parent().map(Path::to_path_buf);
        };
        if let Some(owner) = owner {
            owners.insert(entry.spec.clone(), owner);
        }
    }
    Ok(owners)
}

/// Writes the new versions and the changelog entry.
fn apply(root: &Path, plan: &Plan) -> Result<(), String> {
    for d in &plan.decisions {
        if d.next != d.package.version {
            set_version(&d.package.manifest, &d.next)?;
            // Dependents name it in `[workspace.dependencies]` with a version requirement.
            set_workspace_requirement(&root.join("Cargo.toml"), &d.package.name, &d.next)?;
        }
    }
    let path = root.join("CHANGELOG.md");
    let current = std::fs::read_to_string(&path).unwrap_or_else(|_| {
        "# Changelog\n\nEvery release of the crates and the Python package, newest first. Written by `cargo xtask release --dry-run`.\n\n".to_owned()
    });
    let (head, rest) = match current.find("\n## ") {
        Some(at) => current.split_at(at + 1),
        None => (current.as_str(), ""),
    };
    let text = format!("{head}{}{rest}", plan.changelog_entry());
    std::fs::write(&path, text).map_err(|e| format!("cannot write CHANGELOG.md: {e}"))
}

fn edit_manifest(
    path: &Path,
    edit: impl FnOnce(&mut toml_edit::DocumentMut) -> Result<(), String>,
) -> Result<(), String> {
    let text = std::fs::read_to_string(path)
        .map_err(|e| format!("cannot read {}: {e}", path.display()))?;
    let mut doc: toml_edit::DocumentMut = text
        .parse()
        .map_err(|e| format!("{}: {e}", path.display()))?;
    edit(&mut doc)?;
    std::fs::write(path, doc.to_string())
        .map_err(|e| format!("cannot write {}: {e}", path.display()))
}

fn set_version(manifest: &Path, version: &semver::Version) -> Result<(), String> {
    edit_manifest(manifest, |doc| {
        let package = doc
            .get_mut("package")
            .and_then(|p| p.as_table_like_mut())
            .ok_or_else(|| format!("{}: no [package]", manifest.display()))?;
        match package.get("version") {
            Some(item) if item.is_value() && item.as_value().is_some_and(|v| v.is_str()) => {
                package.insert("version", toml_edit::value(version.to_string()));
                Ok(())
            }
            _ => Err(format!(
                "{}: `version` must be written in the package itself (not inherited from the workspace) so each package can have its own",
                manifest.display()
            )),
        }
    })
}

fn set_workspace_requirement(
    manifest: &Path,
    name: &str,
    version: &semver::Version,
) -> Result<(), String> {
    edit_manifest(manifest, |doc| {
        let Some(dep) = doc
            .get_mut("workspace")
            .and_then(|w| w.get_mut("dependencies"))
            .and_then(|d| d.get_mut(name))
            .and_then(|d| d.as_table_like_mut())
        else {
            return Ok(());
        };
        if dep.contains_key("version") {
            dep.insert("version", toml_edit::value(version.to_string()));
        }
        Ok(())
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn v(text: &str) -> semver::Version {
        semver::Version::parse(text).unwrap()
    }

    #[test]
    fn versions_follow_cargo_rules_before_and_after_1_0() {
        assert_eq!(next_version(&v("0.1.0"), Bump::Major), v("0.2.0"));
        assert_eq!(next_version(&v("0.1.3"), Bump::Minor), v("0.1.4"));
        assert_eq!(next_version(&v("0.1.3"), Bump::Patch), v("0.1.4"));
        assert_eq!(next_version(&v("0.1.3"), Bump::None), v("0.1.3"));
        assert_eq!(next_version(&v("1.2.3"), Bump::Major), v("2.0.0"));
        assert_eq!(next_version(&v("1.2.3"), Bump::Minor), v("1.3.0"));
        assert_eq!(next_version(&v("1.2.3"), Bump::Patch), v("1.2.4"));
    }

    #[test]
    fn arguments_require_dry_run_and_known_levels() {
        let args = |a: &[&str]| parse_args(&a.iter().map(|s| s.to_string()).collect::<Vec<_>>());
        assert!(args(&[]).unwrap_err().contains("only --dry-run"));
        assert!(
            args(&["--dry-run", "--code", "x=huge"])
                .unwrap_err()
                .contains("huge")
        );
        assert!(
            args(&["--dry-run", "--code", "x"])
                .unwrap_err()
                .contains("PACKAGE=LEVEL")
        );
        let ok = args(&[
            "--dry-run",
            "--code",
            "cyberark-runtime=minor",
            "--no-verify",
        ])
        .unwrap();
        assert_eq!(ok.stated["cyberark-runtime"], Bump::Minor);
        assert!(!ok.verify);
    }

    #[test]
    fn dependents_come_after_what_they_depend_on() {
        let p = |name: &str, deps: &[&str]| Package {
            name: name.to_owned(),
            manifest: PathBuf::new(),
            version: v("0.1.0"),
            depends_on: deps.iter().map(|d| d.to_string()).collect(),
            to_crates_io: true,
        };
        let order = dependency_order(&[
            p("a-python", &["b-client", "c-runtime"]),
            p("b-client", &["c-runtime"]),
            p("c-runtime", &[]),
        ])
        .unwrap();
        let names: Vec<_> = order.iter().map(|p| p.name.as_str()).collect();
        assert_eq!(names, ["c-runtime", "b-client", "a-python"]);
    }
}
