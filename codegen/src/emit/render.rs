//! Turning the emitters' token streams into formatted files, cheaply.
//!
//! Two costs dominate generation: the syntax tree `prettyplease` needs (parsing a quoted token
//! stream with `syn`, then printing it), and the memory of holding a whole file's tree at once
//! (a spec with thousands of shared types puts them all in one `models.rs`). [`rust_source`]
//! therefore parses and prints a file one top-level item at a time, dropping each item's tokens
//! and tree before the next, which gives the same bytes as printing the whole file: `prettyplease`
//! ends every top-level item with a hard line break, so no layout decision crosses items.
//! [`run`] renders independent files on every core the machine offers.

use super::{EmitError, Output};
use proc_macro2::{Delimiter, TokenStream, TokenTree};
use std::sync::Mutex;
use std::sync::atomic::{AtomicUsize, Ordering};

/// The work of producing one generated file. Each job builds its own token streams, which are
/// not `Send`, so a job runs start to finish on one thread.
pub(crate) type Job<'a> = Box<dyn FnOnce() -> Result<Output, EmitError> + Send + 'a>;

/// Runs the jobs on up to as many threads as the machine has cores and returns their outputs
/// in the order of `jobs`, so the result does not depend on scheduling. The first error (in
/// the order of `jobs`) is returned; a panicking job is reported as an error naming `what`.
pub(crate) fn run(jobs: Vec<Job<'_>>, what: &str) -> Result<Vec<Output>, EmitError> {
    let count = jobs.len();
    let threads = std::thread::available_parallelism()
        .map_or(1, std::num::NonZeroUsize::get)
        .min(count);
    let panicked = || EmitError {
        path: what.to_owned(),
        message: "a rendering job panicked (a generator bug)".to_owned(),
    };
    if threads <= 1 {
        return jobs
            .into_iter()
            .map(|job| {
                std::panic::catch_unwind(std::panic::AssertUnwindSafe(job))
                    .unwrap_or_else(|_| Err(panicked()))
            })
            .collect();
    }
    // Jobs are taken in order by whichever thread is free (callers put the largest first).
    let queue: Vec<Mutex<Option<Job<'_>>>> =
        jobs.into_iter().map(|job| Mutex::new(Some(job))).collect();
    let results: Vec<Mutex<Option<Result<Output, EmitError>>>> =
        (0..count).map(|_| Mutex::new(None)).collect();
    let next = AtomicUsize::new(0);
    std::thread::scope(|scope| {
        let workers: Vec<_> = (0..threads)
            .map(|_| {
                scope.spawn(|| {
                    loop {
                        let index = next.fetch_add(1, Ordering::Relaxed);
                        let Some(slot) = queue.get(index) else { break };
                        let job = slot.lock().ok().and_then(|mut job| job.take());
                        if let Some(job) = job {
                            let result = job();
                            if let Ok(mut out) = results[index].lock() {
                                *out = Some(result);
                            }
                        }
                    }
                })
            })
            .collect();
        // Joining here keeps a panic inside the thread: its job's output is then missing,
        // which is reported below as an error rather than taking the generator down.
        for worker in workers {
            let _ = worker.join();
        }
    });
    results
        .into_iter()
        .map(|slot| {
            slot.into_inner()
                .ok()
                .flatten()
                .unwrap_or_else(|| Err(panicked()))
        })
        .collect()
}

/// One part of a generated file: tokens still to be formatted, or text an emitter wrote already
/// formatted (in rustfmt's layout), which is copied as it is.
pub(crate) enum Part {
    /// Tokens of whole items, formatted with `prettyplease`.
    Tokens(TokenStream),
    /// Whole items as formatted text, each line ending in a line break.
    Text(String),
}

impl From<TokenStream> for Part {
    fn from(tokens: TokenStream) -> Self {
        Part::Tokens(tokens)
    }
}

/// Formats the parts of a file, in order, as Rust source with `prettyplease`, one top-level item
/// at a time. An emitter hands a large file over as an iterator of parts built on demand, so
/// only one part's tokens are alive at once. Fails, naming `path`, when the tokens do not parse
/// (a generator bug).
pub(crate) fn rust_source<P: Into<Part>>(
    path: &str,
    parts: impl IntoIterator<Item = P>,
) -> Result<String, EmitError> {
    rust_source_parts(path, parts.into_iter().map(|part| Ok(part.into())))
}

/// As [`rust_source`], for parts that may have failed to build (the first failure is returned)
/// and parts written as text, which are copied between the formatted ones.
pub(crate) fn rust_source_parts(
    path: &str,
    parts: impl IntoIterator<Item = Result<Part, EmitError>>,
) -> Result<String, EmitError> {
    let mut out = String::new();
    for part in parts {
        match part? {
            Part::Text(text) => out.push_str(&text),
            Part::Tokens(tokens) => {
                for chunk in Items::new(tokens) {
                    let file: syn::File = syn::parse2(chunk).map_err(|e| EmitError {
                        path: path.to_owned(),
                        message: format!("the generated code does not parse: {e}"),
                    })?;
                    out.push_str(&prettyplease::unparse(&file));
                }
            }
        }
    }
    Ok(out)
}

/// The items of an `impl` block (methods), formatted with `prettyplease` at the indentation
/// they have inside the block, for an emitter that writes the block around them as text.
pub(crate) fn impl_items(path: &str, items: TokenStream) -> Result<String, EmitError> {
    let file: syn::File =
        syn::parse2(quote::quote! { impl Items { #items } }).map_err(|e| EmitError {
            path: path.to_owned(),
            message: format!("the generated code does not parse: {e}"),
        })?;
    let printed = prettyplease::unparse(&file);
    // `impl Items {` first, `}` last: keep what is between.
    printed
        .split_once('\n')
        .and_then(|(_, rest)| rest.strip_suffix("}\n"))
        .map(str::to_owned)
        .ok_or_else(|| EmitError {
            path: path.to_owned(),
            message: "an impl block printed unexpectedly".to_owned(),
        })
}

/// Splits a file's token stream into runs of whole top-level items, without parsing: an item
/// ends with a `;` or with a brace-delimited group followed by the start of another item (an
/// attribute or an item keyword). Anything else stays with the item before it, so a run may hold
/// several items (it still parses as a file) but never part of one. Inner attributes (`#![...]`)
/// stay in the first run, where a file allows them.
struct Items {
    tokens: std::iter::Peekable<proc_macro2::token_stream::IntoIter>,
}

impl Items {
    fn new(tokens: TokenStream) -> Self {
        Self {
            tokens: tokens.into_iter().peekable(),
        }
    }

    /// Whether the next token begins another item.
    fn at_item_start(&mut self) -> bool {
        match self.tokens.peek() {
            None => true,
            Some(TokenTree::Punct(p)) => p.as_char() == '#',
            Some(TokenTree::Ident(ident)) => ITEM_KEYWORDS.iter().any(|k| ident == k),
            Some(_) => false,
        }
    }
}

/// The words an item of generated code may start with after its attributes.
const ITEM_KEYWORDS: &[&str] = &[
    "pub", "fn", "impl", "struct", "enum", "use", "mod", "const", "static", "type", "trait",
    "unsafe", "async", "extern", "union",
];

impl Iterator for Items {
    type Item = TokenStream;

    fn next(&mut self) -> Option<TokenStream> {
        let mut chunk = Vec::new();
        while let Some(token) = self.tokens.next() {
            let ends = match &token {
                TokenTree::Punct(p) => p.as_char() == ';',
                TokenTree::Group(g) => g.delimiter() == Delimiter::Brace,
                _ => false,
            };
            let is_brace = matches!(&token, TokenTree::Group(_));
            chunk.push(token);
            if ends && (!is_brace || self.at_item_start()) {
                break;
            }
        }
        (!chunk.is_empty()).then(|| chunk.into_iter().collect())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use quote::quote;

    /// Printing item by item gives the bytes of printing the file at once.
    #[test]
    fn items_print_as_the_whole_file_does() {
        let tokens = quote! {
            #![doc = " A module."]
            #![allow(clippy::all)]
            #[allow(unused_imports)]
            use super::*;
            /// A constant built from a struct literal, which ends in a brace before its `;`.
            pub const ORIGIN: Point = Point { x: 0, y: 0 };
            #[derive(Debug)]
            pub struct Point { pub x: i32, pub y: i32 }
            impl Point {
                pub fn new(x: i32, y: i32) -> Self { Self { x, y } }
                pub fn far_away_with_a_long_name(self, other: Point, third: Point, fourth: Point) -> bool { self.x > other.x + third.x + fourth.x }
            }
            pub struct Unit;
            impl Unit {}
            macro_call!(Unit);
            fn last() {}
        };
        let whole = prettyplease::unparse(&syn::parse2(tokens.clone()).expect("parses"));
        assert_eq!(
            rust_source("test.rs", [tokens.clone()]).expect("renders"),
            whole
        );
        let runs: Vec<String> = Items::new(tokens).map(|t| t.to_string()).collect();
        assert_eq!(runs.len(), 7, "{runs:#?}");
        assert!(runs[0].starts_with("# ! [doc"), "{}", runs[0]);
        assert!(runs[1].ends_with("} ;"), "{}", runs[1]);
        assert!(
            runs[5].starts_with("impl Unit") && runs[5].contains("macro_call"),
            "a macro call after a brace stays with the item before it: {}",
            runs[5]
        );
    }

    /// A file that does not parse is reported with its path, not a panic.
    #[test]
    fn code_that_does_not_parse_is_an_error() {
        let error = rust_source("broken.rs", [quote! { pub struct ; }]).unwrap_err();
        assert_eq!(error.path, "broken.rs");
        assert!(
            error.message.contains("does not parse"),
            "{}",
            error.message
        );
    }

    /// Outputs come back in the order of the jobs whatever thread ran them, and an error is
    /// the first in that order.
    #[test]
    fn jobs_keep_their_order() {
        let jobs: Vec<Job<'_>> = (0..20)
            .map(|i| {
                Box::new(move || {
                    Ok(Output {
                        path: format!("{i}.rs"),
                        contents: i.to_string(),
                    })
                }) as Job<'_>
            })
            .collect();
        let outputs = run(jobs, "test").expect("renders");
        let paths: Vec<String> = outputs.into_iter().map(|o| o.path).collect();
        let expected: Vec<String> = (0..20).map(|i| format!("{i}.rs")).collect();
        assert_eq!(paths, expected);
        let failing: Vec<Job<'_>> = (0..5)
            .map(|i| {
                Box::new(move || {
                    if i >= 2 {
                        Err(EmitError {
                            path: format!("{i}.rs"),
                            message: "bad".to_owned(),
                        })
                    } else {
                        Ok(Output {
                            path: format!("{i}.rs"),
                            contents: String::new(),
                        })
                    }
                }) as Job<'_>
            })
            .collect();
        assert_eq!(run(failing, "test").unwrap_err().path, "2.rs");
    }

    /// A job that panics becomes an error naming the work, and the other jobs still finish.
    #[test]
    fn a_panicking_job_is_an_error() {
        let jobs: Vec<Job<'_>> = vec![
            Box::new(|| panic!("a generator bug")),
            Box::new(|| {
                Ok(Output {
                    path: "fine.rs".to_owned(),
                    contents: String::new(),
                })
            }),
        ];
        let error = run(jobs, "the test outputs").unwrap_err();
        assert_eq!(error.path, "the test outputs");
        assert!(error.message.contains("panicked"), "{}", error.message);
    }
}
