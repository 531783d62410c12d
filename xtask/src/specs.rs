//! Where the specs come from: `spec/specs.yaml` (or the default, `spec/identity.yaml` alone),
//! each spec's overlays, read from the working tree or from a git revision, and loaded.

use cyberark_codegen::config::{self, SpecEntry};
use cyberark_codegen::ir::Api;
use cyberark_codegen::load::{self, LoadOptions, Warning};
use std::path::{Path, PathBuf};
use std::process::Command;

/// The list of specs, relative to the repository root.
pub const CONFIG: &str = "spec/specs.yaml";

/// A tree of files to read specs from.
pub enum Source {
    /// The working tree under this root.
    WorkTree(PathBuf),
    /// A git revision of the repository at this root.
    Git {
        /// The repository root.
        root: PathBuf,
        /// The revision, e.g. `HEAD` or `origin/main`.
        rev: String,
    },
}

impl Source {
    /// The text of a file, or `None` if the file does not exist there.
    pub fn read(&self, path: &str) -> Result<Option<String>, String> {
        match self {
            Source::WorkTree(root) => match std::fs::read_to_string(root.join(path)) {
                Ok(text) => Ok(Some(text)),
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
                Err(e) => Err(format!("cannot read {path}: {e}")),
            },
            Source::Git { root, rev } => {
                let object = format!("{rev}:{path}");
                let exists = git(root, &["cat-file", "-e", &object])?;
                if !exists.status.success() {
                    return Ok(None);
                }
                let out = git(root, &["show", &object])?;
                if !out.status.success() {
                    return Err(format!(
                        "`git show {object}` failed: {}",
                        String::from_utf8_lossy(&out.stderr).trim()
                    ));
                }
                String::from_utf8(out.stdout)
                    .map(Some)
                    .map_err(|e| format!("{object} is not UTF-8: {e}"))
            }
        }
    }

    /// The YAML files of a directory (paths relative to the root), sorted by file name.
    pub fn yaml_files(&self, dir: &str) -> Result<Vec<String>, String> {
        let mut names: Vec<String> = match self {
            Source::WorkTree(root) => match std::fs::read_dir(root.join(dir)) {
                Ok(entries) => entries
                    .flatten()
                    .map(|e| format!("{dir}/{}", e.file_name().to_string_lossy()))
                    .collect(),
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => Vec::new(),
                Err(e) => return Err(format!("cannot list {dir}: {e}")),
            },
            Source::Git { root, rev } => {
                let out = git(root, &["ls-tree", "--name-only", rev, &format!("{dir}/")])?;
                if !out.status.success() {
                    return Err(format!(
                        "`git ls-tree {rev} {dir}/` failed: {}",
                        String::from_utf8_lossy(&out.stderr).trim()
                    ));
                }
                String::from_utf8_lossy(&out.stdout)
                    .lines()
                    .map(str::to_owned)
                    .collect()
            }
        };
        names.retain(|n| n.ends_with(".yaml") || n.ends_with(".yml"));
        names.sort();
        Ok(names)
    }

    /// How to name this source in messages.
    pub fn describe(&self) -> String {
        match self {
            Source::WorkTree(_) => "working tree".to_owned(),
            Source::Git { rev, .. } => rev.clone(),
        }
    }
}

fn git(root: &Path, args: &[&str]) -> Result<std::process::Output, String> {
    Command::new("git")
        .args(args)
        .current_dir(root)
        .output()
        .map_err(|e| format!("cannot run git: {e}"))
}

/// The specs the source lists, or the default list when it has no `spec/specs.yaml`.
pub fn entries(source: &Source) -> Result<Vec<SpecEntry>, String> {
    match source.read(CONFIG)? {
        Some(text) => config::parse_specs(&text, CONFIG),
        None => Ok(config::default_specs()),
    }
}

/// Loads one spec with its overlays; `None` when the source has no such spec file.
pub fn load(source: &Source, entry: &SpecEntry) -> Result<Option<(Api, Vec<Warning>)>, String> {
    let Some(text) = overlaid(source, entry)? else {
        return Ok(None);
    };
    let options = LoadOptions {
        tolerant: entry.tolerant,
    };
    load::load_with(&text, &entry.spec, options)
        .map(Some)
        .map_err(|e| e.to_string())
}

/// The text of one spec with its overlays applied (the document the generator reads, which
/// the conformance run hands to schemathesis too); `None` when the source has no such file.
pub fn overlaid(source: &Source, entry: &SpecEntry) -> Result<Option<String>, String> {
    let Some(text) = source.read(&entry.spec)? else {
        return Ok(None);
    };
    let mut overlays = Vec::new();
    if let Some(dir) = &entry.overlays {
        for path in source.yaml_files(dir)? {
            let overlay = source
                .read(&path)?
                .ok_or_else(|| format!("{path} disappeared"))?;
            overlays.push((path, overlay));
        }
    }
    cyberark_codegen::overlay::apply_all(&text, &entry.spec, &overlays)
        .map(Some)
        .map_err(|e| e.to_string())
}

/// An API with nothing in it, standing for a spec that does not exist on one side of a diff.
pub fn empty_api() -> Api {
    Api {
        title: String::new(),
        tags: Vec::new(),
        operations: Vec::new(),
        types: Default::default(),
    }
}
