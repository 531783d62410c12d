//! `emit/docs`: `docs/operations.md`, one table of every operation and how to call it.
//!
//! The table is generated so that it can never disagree with the clients: a reviewer of a spec
//! change sees in one diff which calls appear, disappear or change retry and paging behaviour.

use super::{HEADER, Output, PythonLayout};
use crate::ir::{Api, Convention, TypeRef};

/// Emits the operation table; `python` names the package whose `Client` has the Python methods.
pub fn emit(api: &Api, path: &str, python: Option<&PythonLayout>) -> Output {
    let mut out = String::new();
    out.push_str(&format!(
        "<!-- {HEADER} -->\n\n# Operations of the {}\n\n",
        api.title
    ));
    let python = match python {
        Some(target) => {
            let package = target
                .module
                .split_once('.')
                .map_or(target.module.as_str(), |(package, _)| package);
            format!(" and its Python method (on `client.<handle>` of `{package}.Client`)")
        }
        None => String::new(),
    };
    out.push_str(&format!(
        "Every operation, with its Rust method (on the tag's handle, `client.<handle>()`){python}. \
         *Retried* says whether the client resends it after a 502/503/504 or a dropped connection \
         (a 429 is retried on every operation). *Paged* operations also have a stream \
         (`<method>_stream` in Rust) and an iterator (`<method>_iter` in Python). An operation \
         answering a byte stream writes it, in chunks, to the file or path given as `to=` in \
         Python.\n",
    ));
    for tag in &api.tags {
        out.push_str(&format!("\n## {}\n\n", tag.name));
        if let Some(docs) = &tag.docs {
            out.push_str(docs.trim());
            out.push_str("\n\n");
        }
        out.push_str(
            "| operation | HTTP | Rust / Python | returns | retried | paged | summary |\n",
        );
        out.push_str("| --- | --- | --- | --- | --- | --- | --- |\n");
        for op in api.operations_of(&tag.name) {
            let paged = match &op.paging {
                Some(p) => format!("{:?}", p.style).to_lowercase(),
                None => String::new(),
            };
            let returns = match (&op.result, op.convention) {
                (TypeRef::Unit, _) => "nothing".to_owned(),
                (t, Convention::Envelope) => {
                    format!("`{}` (the envelope's `Result`)", type_name(t))
                }
                (t, _) => format!("`{}`", type_name(t)),
            };
            out.push_str(&format!(
                "| `{}` | `{} {}` | `{}.{}` | {} | {} | {} | {} |\n",
                op.id,
                op.method.as_str(),
                op.path,
                tag.handle,
                op.method_name,
                returns,
                if op.idempotent { "yes" } else { "no" },
                paged,
                cell(op.summary.as_deref().unwrap_or("")),
            ));
        }
    }
    Output {
        path: path.to_owned(),
        contents: out,
    }
}

/// A type as a reader of the table knows it.
fn type_name(t: &TypeRef) -> String {
    match t {
        TypeRef::String => "string".to_owned(),
        TypeRef::Secret => "secret string".to_owned(),
        TypeRef::Bool => "bool".to_owned(),
        TypeRef::I32 | TypeRef::I64 => "integer".to_owned(),
        TypeRef::F64 => "number".to_owned(),
        TypeRef::Json => "JSON".to_owned(),
        TypeRef::Unit => "nothing".to_owned(),
        TypeRef::File => "file".to_owned(),
        TypeRef::Bytes => "byte stream".to_owned(),
        TypeRef::DateTime => "date-time".to_owned(),
        TypeRef::Date => "date".to_owned(),
        TypeRef::Uuid => "uuid".to_owned(),
        TypeRef::UnixTime => "unix-seconds".to_owned(),
        TypeRef::UnixTimeMicros => "unix-microseconds".to_owned(),
        TypeRef::Named(n) => n.clone(),
        TypeRef::List(inner) => format!("list of {}", type_name(inner)),
        TypeRef::Map(inner) => format!("map of {}", type_name(inner)),
    }
}

/// Text fit for one table cell: one line, no pipes.
fn cell(text: &str) -> String {
    text.split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
        .replace('|', "\\|")
}
