//! Hostile answers: what a misbehaving server or proxy might send instead of the real answer.
//!
//! Each is produced without processing the request, costs the sandbox a bounded amount of memory
//! (large and slow bodies are streamed from a small buffer), and exists so that tests can check
//! that the clients turn every one into a typed error in bounded time and memory, and that the
//! same client still works for the next call.

use std::time::Duration;

use axum::body::Body;
use bytes::Bytes;
use futures::StreamExt;
use hyper::Response;

/// One hostile answer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Hostile {
    /// HTTP 200, an envelope whose `Result` is `depth` nested arrays.
    DeepNesting {
        /// How many arrays nest.
        depth: usize,
    },
    /// HTTP 200, an envelope whose `Result` is a string, `bytes` long in all, streamed without
    /// `Content-Length` so the client cannot refuse it before reading.
    HugeBody {
        /// The body's length.
        bytes: usize,
    },
    /// HTTP 200 and then one byte of an envelope every `interval`, for ever.
    SlowDrip {
        /// The pause between bytes.
        interval: Duration,
    },
    /// HTTP 200 with `Content-Type: image/png` and a PNG header for a body.
    WrongContentType,
    /// HTTP 200, an envelope whose `Result` string holds bytes that are not UTF-8.
    InvalidUtf8,
    /// HTTP 200, an envelope with `success` twice (`true`, then `false`).
    DuplicateKeys,
    /// HTTP 200, an envelope whose `Result` is a number no numeric type holds (`1e999`).
    OutOfRange,
    /// HTTP 200 with an HTML sign-in page instead of JSON.
    Html,
    /// HTTP 307 to `location`, which a client must not follow with its credentials.
    Redirect {
        /// The `Location` header.
        location: String,
    },
}

/// The prefix of every envelope-shaped hostile body.
const ENVELOPE_HEAD: &str = r#"{"success":true,"Result":"#;

impl Hostile {
    /// The hostile answers by name, with their default parameters: `deep_nesting` (100,000
    /// arrays), `huge_body` (256 MiB), `slow_drip` (one byte every 500 ms), `wrong_content_type`,
    /// `invalid_utf8`, `duplicate_keys`, `out_of_range`, `html` and `redirect` (to
    /// `http://127.0.0.1:9/stolen`, where nothing listens).
    pub fn by_name(name: &str) -> Option<Hostile> {
        Some(match name {
            "deep_nesting" => Hostile::DeepNesting { depth: 100_000 },
            "huge_body" => Hostile::HugeBody {
                bytes: 256 * 1024 * 1024,
            },
            "slow_drip" => Hostile::SlowDrip {
                interval: Duration::from_millis(500),
            },
            "wrong_content_type" => Hostile::WrongContentType,
            "invalid_utf8" => Hostile::InvalidUtf8,
            "duplicate_keys" => Hostile::DuplicateKeys,
            "out_of_range" => Hostile::OutOfRange,
            "html" => Hostile::Html,
            "redirect" => Hostile::Redirect {
                location: "http://127.0.0.1:9/stolen".to_owned(),
            },
            _ => return None,
        })
    }

    /// The names [`Hostile::by_name`] knows.
    pub const NAMES: &'static [&'static str] = &[
        "deep_nesting",
        "huge_body",
        "slow_drip",
        "wrong_content_type",
        "invalid_utf8",
        "duplicate_keys",
        "out_of_range",
        "html",
        "redirect",
    ];

    /// The HTTP status of the answer, for the request log.
    pub(crate) fn status(&self) -> u16 {
        match self {
            Hostile::Redirect { .. } => 307,
            _ => 200,
        }
    }

    /// Builds the answer.
    pub(crate) fn response(&self) -> Response<Body> {
        let json = "application/json; charset=utf-8";
        let (content_type, body) = match self {
            Hostile::DeepNesting { depth } => {
                let mut text = String::with_capacity(ENVELOPE_HEAD.len() + 2 * depth + 1);
                text.push_str(ENVELOPE_HEAD);
                text.extend(std::iter::repeat_n('[', *depth));
                text.extend(std::iter::repeat_n(']', *depth));
                text.push('}');
                (json, Body::from(text))
            }
            Hostile::HugeBody { bytes } => (json, huge_body(*bytes)),
            Hostile::SlowDrip { interval } => (json, slow_drip(*interval)),
            Hostile::WrongContentType => (
                "image/png",
                Body::from(Bytes::from_static(
                    b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR\0\0\0\x01\0\0\0\x01\x08\x06\0\0\0",
                )),
            ),
            Hostile::InvalidUtf8 => (
                json,
                Body::from(Bytes::from_static(
                    b"{\"success\":true,\"Result\":{\"Name\":\"\xff\xfe\xc3\x28\"}}",
                )),
            ),
            Hostile::DuplicateKeys => (
                json,
                Body::from(r#"{"success":true,"Result":{"Name":"a"},"success":false}"#),
            ),
            Hostile::OutOfRange => (json, Body::from(r#"{"success":true,"Result":1e999}"#)),
            Hostile::Html => (
                "text/html; charset=utf-8",
                Body::from(
                    "<!DOCTYPE html><html><head><title>Sign in</title></head>\
                     <body><form method=\"post\"><input name=\"password\"></form></body></html>",
                ),
            ),
            Hostile::Redirect { location } => {
                return Response::builder()
                    .status(307)
                    .header(hyper::header::LOCATION, location.as_str())
                    .header(hyper::header::CONTENT_TYPE, "text/plain; charset=utf-8")
                    .body(Body::from("moved"))
                    .unwrap_or_else(|_| Response::new(Body::from("moved")));
            }
        };
        Response::builder()
            .status(200)
            .header(hyper::header::CONTENT_TYPE, content_type)
            .body(body)
            .unwrap_or_else(|_| Response::new(Body::empty()))
    }
}

/// An envelope of `total` bytes whose `Result` is one long string, streamed in 64 KiB chunks
/// from one shared buffer, so the sandbox holds 64 KiB however long the body.
fn huge_body(total: usize) -> Body {
    const CHUNK: usize = 64 * 1024;
    let filler = Bytes::from(vec![b'a'; CHUNK]);
    let head = Bytes::from(format!("{ENVELOPE_HEAD}\""));
    let sent = head.len();
    let head = futures::stream::iter([Ok::<Bytes, std::io::Error>(head)]);
    let rest = futures::stream::unfold(sent, move |sent| {
        let filler = filler.clone();
        async move {
            if sent >= total {
                return None;
            }
            let n = CHUNK.min(total - sent);
            Some((Ok(filler.slice(..n)), sent + n))
        }
    });
    let tail = futures::stream::iter([Ok(Bytes::from_static(b"\"}"))]);
    Body::from_stream(head.chain(rest).chain(tail))
}

/// An envelope sent one byte every `interval`, for ever (the bytes repeat).
fn slow_drip(interval: Duration) -> Body {
    let text = Bytes::from_static(br#"{"success":true,"Result":[1,2,3,4,5,6,7,8,9"#);
    let stream = futures::stream::unfold(0usize, move |i| {
        let text = text.clone();
        async move {
            tokio::time::sleep(interval).await;
            let at = i % text.len();
            Some((Ok::<Bytes, std::io::Error>(text.slice(at..at + 1)), i + 1))
        }
    });
    Body::from_stream(stream)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_name_is_known() {
        for name in Hostile::NAMES {
            assert!(Hostile::by_name(name).is_some(), "{name}");
        }
        assert_eq!(Hostile::by_name("nope"), None);
    }
}
