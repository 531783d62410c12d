//! The fuzz targets and the time-boxed proptest loop that drives them.

use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use cyberark_codegen::load::{LoadOptions, load_with};
use cyberark_codegen::overlay;
use cyberark_identity::{
    AuthenticationPlatformTokenRequest, CDirectoryServiceGetUserRequest,
    CDirectoryServiceGetUsersRequest, OrgListAllRequest, ScimListGroupsRequest,
};
use cyberark_runtime::fuzzing::{decode_as, decode_for, refusal_reason};
use cyberark_runtime::redact::{EXCERPT_CHARS, excerpt, redact_value};
use cyberark_runtime::{Convention, Error, JsonValue, Request};
use proptest::prelude::*;
use proptest::test_runner::{Config, RngAlgorithm, TestCaseError, TestRng, TestRunner};
use serde_json::{Map, Value};

use crate::corpus::Corpus;

/// Every target, by name.
pub const NAMES: &[&str] = &["spec", "overlay", "decode", "redact"];

/// Runs one target for `budget`; the number of cases, or the failure report.
pub fn run(name: &str, corpus: &Corpus, budget: Duration) -> Result<u64, String> {
    match name {
        "spec" => {
            let seeds: Vec<Vec<u8>> = corpus
                .specs
                .iter()
                .map(|s| s.clone().into_bytes())
                .collect();
            time_boxed(mutated(seeds), budget, 16, |text| {
                let text = String::from_utf8_lossy(&text);
                for tolerant in [false, true] {
                    // An error is fine; a panic, a stack overflow or a hang is not.
                    let _ = load_with(&text, "fuzz.yaml", LoadOptions { tolerant });
                }
                Ok(())
            })
        }
        "overlay" => {
            let base = overlay::parse_document(&corpus.specs[0], "spec.yaml")
                .map_err(|e| format!("the base spec does not parse: {e}"))?;
            let seeds: Vec<Vec<u8>> = corpus
                .overlays
                .iter()
                .chain(corpus.specs.iter().take(1))
                .map(|s| s.clone().into_bytes())
                .collect();
            time_boxed(mutated(seeds), budget, 32, move |text| {
                let text = String::from_utf8_lossy(&text);
                let _ = overlay::apply(base.clone(), &text, "fuzz.yaml");
                let _ = overlay::parse_document(&text, "fuzz.yaml");
                Ok(())
            })
        }
        "decode" => {
            let statuses = [200u16, 201, 204, 400, 401, 404, 429, 500];
            let strategy = (mutated(corpus.bodies.clone()), 0..statuses.len());
            time_boxed(strategy, budget, 256, move |(body, status)| {
                decode_all(statuses[status], &body)
            })
        }
        "redact" => {
            let strategy = (secret_json(), any::<u16>(), mutated(corpus.bodies.clone()));
            time_boxed(strategy, budget, 256, |(value, cut, noise)| {
                check_redaction(&value, usize::from(cut))?;
                check_excerpt(&excerpt(&noise))
            })
        }
        other => Err(format!("unknown target {other:?}")),
    }
}

/// Runs `test` on cases from `strategy`, `batch` at a time with fresh seeds, until `budget` is
/// spent.
fn time_boxed<S: Strategy>(
    strategy: S,
    budget: Duration,
    batch: u32,
    test: impl Fn(S::Value) -> Result<(), TestCaseError>,
) -> Result<u64, String> {
    let deadline = Instant::now() + budget;
    let mut cases = 0u64;
    let mut round = 0u64;
    while Instant::now() < deadline {
        let nanos = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map_or(0, |d| d.as_nanos());
        let mut seed = [0u8; 32];
        seed[..16].copy_from_slice(&nanos.to_le_bytes());
        seed[16..24].copy_from_slice(&round.to_le_bytes());
        let config = Config {
            cases: batch,
            failure_persistence: None,
            max_shrink_iters: 4096,
            ..Config::default()
        };
        let mut runner =
            TestRunner::new_with_rng(config, TestRng::from_seed(RngAlgorithm::ChaCha, &seed));
        runner
            .run(&strategy, &test)
            .map_err(|e| format!("seed {seed:02x?}: {e}"))?;
        cases += u64::from(batch);
        round += 1;
    }
    Ok(cases)
}

/// One edit of a seed: kind, position, length and a byte.
type Edit = (u8, usize, u8, u8);

/// Tokens worth splicing into JSON and YAML.
const TOKENS: &[&str] = &[
    "null",
    "1e999",
    "-0",
    "18446744073709551616",
    "\"\\ud800\"",
    "{}",
    "[]",
    ",",
    "\"",
    ":",
    "\"Token\":",
    "\"password\": {\"a\": [",
    "$ref: '#/components/schemas/A'",
    "\n  - ",
    "\t",
    "\u{0}",
];

/// A seed picked from `seeds`, then changed by up to eight edits.
fn mutated(seeds: Vec<Vec<u8>>) -> impl Strategy<Value = Vec<u8>> {
    let count = seeds.len();
    (0..count, proptest::collection::vec(any::<Edit>(), 0..8))
        .prop_map(move |(index, edits)| mutate(&seeds[index], &edits))
}

fn mutate(seed: &[u8], edits: &[Edit]) -> Vec<u8> {
    let mut data = seed.to_vec();
    for &(kind, position, length, byte) in edits {
        let at = if data.is_empty() {
            0
        } else {
            position % (data.len() + 1)
        };
        let length = usize::from(length);
        match kind % 7 {
            0 if at < data.len() => data[at] = byte,
            1 => {
                let run = vec![byte; length % 8 + 1];
                data.splice(at..at, run);
            }
            2 => {
                let end = (at + length).min(data.len());
                data.drain(at..end);
            }
            3 => {
                let end = (at + length).min(data.len());
                let copy = data[at..end].to_vec();
                data.splice(at..at, copy);
            }
            // Deep nesting, a few hundred levels at a time.
            4 => {
                let open = if byte % 2 == 0 { b'[' } else { b'{' };
                let run = vec![open; length * 4 + 1];
                data.splice(at..at, run);
            }
            5 => data.truncate(at),
            _ => {
                let token = TOKENS[usize::from(byte) % TOKENS.len()].as_bytes();
                data.splice(at..at, token.iter().copied());
            }
        }
    }
    data
}

/// Every decoder on one answer: no panic, and any decode error's excerpt is bounded and printable.
fn decode_all(status: u16, body: &[u8]) -> Result<(), TestCaseError> {
    let mut errors: Vec<Error> = Vec::new();
    for convention in [
        Convention::Envelope,
        Convention::Scim,
        Convention::OAuth,
        Convention::Plain,
    ] {
        errors.extend(decode_as::<JsonValue>(convention, status, body).err());
    }
    errors.extend(decode_typed::<CDirectoryServiceGetUsersRequest>(
        status, body,
    ));
    errors.extend(decode_typed::<CDirectoryServiceGetUserRequest>(
        status, body,
    ));
    errors.extend(decode_typed::<OrgListAllRequest>(status, body));
    errors.extend(decode_typed::<ScimListGroupsRequest>(status, body));
    errors.extend(decode_typed::<AuthenticationPlatformTokenRequest>(
        status, body,
    ));
    if let Some(reason) = refusal_reason(body) {
        prop_assert!(!reason.is_empty());
    }
    for error in errors {
        if let Error::Decode { excerpt, .. } = &error {
            check_excerpt(excerpt)?;
        }
        prop_assert!(!error.to_string().is_empty());
    }
    Ok(())
}

fn decode_typed<R: Request>(status: u16, body: &[u8]) -> Option<Error> {
    decode_for::<R>(status, body).err()
}

fn check_excerpt(excerpt: &str) -> Result<(), TestCaseError> {
    prop_assert!(excerpt.chars().count() <= EXCERPT_CHARS + 1, "{excerpt}");
    prop_assert!(!excerpt.chars().any(char::is_control), "{excerpt:?}");
    Ok(())
}

/// The marker every secret value carries, which no excerpt may show.
const MARK: &str = "SECRETMARK";

/// Keys the generator picks from: secret ones, CyberArk ones, and odd ones.
const KEYS: &[&str] = &[
    "password",
    "Password",
    "client_secret",
    "access_token",
    "Token",
    "Auth",
    "Answer",
    "RefreshToken",
    "Name",
    "Result",
    "Row",
    "Results",
    "success",
    "Message",
    "a b",
    "é",
    "",
];

/// JSON whose secret keys hold the marker (as a string, a number or a nested value) and whose
/// other values never do.
fn secret_json() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        (0u16..1000).prop_map(Value::from),
        "[a-z ,:{}\\[\\]\"\\\\]{0,12}".prop_map(Value::String),
    ];
    leaf.prop_recursive(8, 64, 6, |inner| {
        prop_oneof![
            proptest::collection::vec(inner.clone(), 0..6).prop_map(Value::Array),
            proptest::collection::vec((0..KEYS.len(), inner, 0u8..3), 0..6).prop_map(|fields| {
                let mut map = Map::new();
                for (key, value, shape) in fields {
                    let key = KEYS[key];
                    let value = if cyberark_runtime::redact::is_secret_key(key) {
                        match shape {
                            0 => Value::String(format!("x{MARK}y")),
                            1 => serde_json::json!({ "k": [MARK, { "d": MARK }] }),
                            _ => Value::from(31_415_926_535u64),
                        }
                    } else {
                        value
                    };
                    map.insert(key.to_owned(), value);
                }
                Value::Object(map)
            }),
        ]
    })
}

/// The excerpt of `value` (compact, pretty, and cut at `cut`) and `redact_value` never show a
/// secret.
fn check_redaction(value: &Value, cut: usize) -> Result<(), TestCaseError> {
    let compact = value.to_string();
    let pretty = serde_json::to_string_pretty(value).unwrap_or_default();
    let cut = if compact.is_empty() {
        0
    } else {
        cut % compact.len()
    };
    let truncated = &compact.as_bytes()[..cut];
    for body in [compact.as_bytes(), pretty.as_bytes(), truncated] {
        let shown = excerpt(body);
        check_excerpt(&shown)?;
        prop_assert!(
            !shown.contains(MARK) && !shown.contains("31415926535"),
            "leaked: {shown}"
        );
    }
    let mut redacted = value.clone();
    redact_value(&mut redacted);
    let shown = redacted.to_string();
    prop_assert!(
        !shown.contains(MARK) && !shown.contains("31415926535"),
        "{shown}"
    );
    Ok(())
}
