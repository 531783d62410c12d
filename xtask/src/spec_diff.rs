//! `cargo xtask spec-diff [--base REV] [--format text|json|markdown] [--allow-breaking]`:
//! what the working tree's specs change, against a git revision, for the generated Rust crate
//! and Python package. The comparison and its classification are `cyberark_codegen::diff`;
//! this is the front end (git, arguments, printing, exit code).

use crate::specs::{self, Source};
use crate::util::root;
use cyberark_codegen::diff::{self, Bump, Report};
use std::path::Path;

const USAGE: &str =
    "usage: cargo xtask spec-diff [--base REV] [--format text|json|markdown] [--allow-breaking]";

#[derive(Clone, Copy, PartialEq, Eq)]
enum Format {
    Text,
    Json,
    Markdown,
}

pub fn run(args: &[String]) -> Result<(), String> {
    let mut base = "HEAD".to_owned();
    let mut format = Format::Text;
    let mut allow_breaking = false;
    let mut args = args.iter();
    while let Some(arg) = args.next() {
        match arg.as_str() {
            "--base" => base = args.next().ok_or(USAGE)?.clone(),
            "--format" => {
                format = match args.next().map(String::as_str) {
                    Some("text") => Format::Text,
                    Some("json") => Format::Json,
                    Some("markdown") => Format::Markdown,
                    _ => return Err(USAGE.to_owned()),
                }
            }
            "--allow-breaking" => allow_breaking = true,
            other => return Err(format!("unknown argument {other:?}\n{USAGE}")),
        }
    }
    let reports = reports(&root()?, &base)?;
    match format {
        Format::Json => println!("{:#}", diff::json_document(&reports)),
        Format::Text | Format::Markdown => {
            for (spec, report) in &reports {
                if format == Format::Markdown {
                    println!(
                        "### `{spec}` ({base} → working tree)\n\n{}",
                        report.markdown()
                    );
                } else {
                    println!("{spec} ({base} → working tree)\n{}", report.text());
                }
            }
        }
    }
    let rust = reports
        .iter()
        .map(|(_, r)| r.rust_bump())
        .max()
        .unwrap_or(Bump::None);
    let python = reports
        .iter()
        .map(|(_, r)| r.python_bump())
        .max()
        .unwrap_or(Bump::None);
    if format != Format::Json {
        println!("overall: Rust crate {rust}, Python package {python}");
    }
    if (rust == Bump::Major || python == Bump::Major) && !allow_breaking {
        return Err(
            "the spec change is breaking (a major bump); pass --allow-breaking if that is intended"
                .to_owned(),
        );
    }
    Ok(())
}

/// The report of every spec the working tree lists, against the same spec at `base`.
pub fn reports(root: &Path, base: &str) -> Result<Vec<(String, Report)>, String> {
    let work = Source::WorkTree(root.to_path_buf());
    let old = Source::Git {
        root: root.to_path_buf(),
        rev: base.to_owned(),
    };
    let mut out = Vec::new();
    for entry in specs::entries(&work)? {
        let before = specs::load(&old, &entry)
            .map_err(|e| format!("{e} (at {})", old.describe()))?
            .map(|(api, _)| api)
            .unwrap_or_else(specs::empty_api);
        let after = specs::load(&work, &entry)?
            .map(|(api, _)| api)
            .unwrap_or_else(specs::empty_api);
        out.push((entry.spec.clone(), diff::diff(&before, &after)));
    }
    Ok(out)
}

/// One line per spec for `cargo xtask codegen`: what the working tree changes since HEAD.
pub fn summary(root: &Path) -> String {
    match reports(root, "HEAD") {
        Ok(reports) => reports
            .iter()
            .map(|(spec, r)| {
                format!(
                    "{spec} since HEAD: {} (details: `cargo xtask spec-diff`)",
                    r.summary()
                )
            })
            .collect::<Vec<_>>()
            .join("\n"),
        Err(e) => format!("spec-diff summary unavailable: {e}"),
    }
}
