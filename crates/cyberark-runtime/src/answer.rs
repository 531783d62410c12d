//! How the body of a success answer is read, and the query spellings of lists and maps.
//!
//! Most operations answer JSON, which [`crate::envelope`] decodes per convention. Some answer
//! text (`text/plain`), which is the result as it is. Lists in the query travel repeated
//! (`ids=1&ids=2`, OpenAPI's exploded `form` style) and maps as `name[key]=value`
//! (`deepObject`); a list that is not exploded is joined with commas by [`QueryValue`].

use std::collections::BTreeMap;

use serde::de::DeserializeOwned;
use serde::de::IntoDeserializer;
use serde::de::value::Error as ValueError;

use crate::envelope;
use crate::error::Error;
use crate::operation::{Operation, QueryValue};

/// How the body of a success answer is read (the spec's success media type).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Answer {
    /// JSON, decoded into the output type after the convention's unwrapping.
    #[default]
    Json,
    /// Text: the body, as UTF-8, is the output (a `String`).
    Text,
    /// Bytes of another media type, streamed by [`Client::download`](crate::Client::download);
    /// the operation's `Output` is `()` because nothing is decoded.
    Bytes,
}

impl Answer {
    /// The `Accept` header that asks for this kind of answer.
    pub(crate) fn accept(self) -> &'static str {
        match self {
            Answer::Json => "application/json",
            Answer::Text => "text/plain, */*;q=0.5",
            Answer::Bytes => "*/*",
        }
    }
}

/// A text answer as UTF-8, or the decode error saying it is not.
fn utf8_text<'a>(operation: &'static str, status: u16, body: &'a [u8]) -> Result<&'a str, Error> {
    std::str::from_utf8(body).map_err(|e| Error::Decode {
        operation,
        path: ".".to_owned(),
        message: format!("the text answer is not UTF-8: {e}"),
        excerpt: crate::redact::excerpt(body),
        status,
    })
}

/// The decode error of a text answer the output type does not accept; not generic, so it is
/// compiled once.
fn text_misfit(operation: &'static str, status: u16, body: &[u8], error: &ValueError) -> Error {
    Error::Decode {
        operation,
        path: ".".to_owned(),
        message: format!("the text answer does not fit the output type: {error}"),
        excerpt: crate::redact::excerpt(body),
        status,
    }
}

/// The error of a download whose output type is not `()`.
fn download_output(operation: &'static str, error: &ValueError) -> Error {
    Error::invalid(
        operation,
        format!("a download has no decoded output: {error}"),
    )
}

/// Decodes an answer: JSON through the convention, text as it is. A failure status is an API
/// error whatever the answer kind, read from the body the way the convention reads failures.
pub(crate) fn decode<T: DeserializeOwned>(
    operation: &'static Operation,
    answer: Answer,
    status: u16,
    body: &[u8],
) -> Result<T, Error> {
    match answer {
        Answer::Json => envelope::decode(operation, status, body),
        Answer::Text if (200..300).contains(&status) => {
            let text = utf8_text(operation.id, status, body)?;
            let deserializer: serde::de::value::StrDeserializer<'_, ValueError> =
                text.into_deserializer();
            T::deserialize(deserializer).map_err(|e| text_misfit(operation.id, status, body, &e))
        }
        // A download sent through `send` rather than `download`: the body was read, and its
        // output is `()`.
        Answer::Bytes if (200..300).contains(&status) => {
            T::deserialize(().into_deserializer()).map_err(|e| download_output(operation.id, &e))
        }
        Answer::Text | Answer::Bytes => Err(envelope::api_error(operation.id, status, body).into()),
    }
}

/// A list parameter sent once per item (`ids=1&ids=2`); `None` and empty lists send nothing.
pub trait QueryList {
    /// The wire text of each item.
    fn query_items(&self) -> Vec<String>;
}

impl<T: QueryValue> QueryList for Vec<T> {
    fn query_items(&self) -> Vec<String> {
        self.iter().filter_map(QueryValue::to_query).collect()
    }
}

impl<T: QueryList> QueryList for Option<T> {
    fn query_items(&self) -> Vec<String> {
        self.as_ref()
            .map(QueryList::query_items)
            .unwrap_or_default()
    }
}

/// A map parameter sent as `name[key]=value` (OpenAPI's `deepObject` style).
pub trait QueryMap {
    /// The keys and the wire text of their values, in key order.
    fn query_entries(&self) -> Vec<(String, String)>;
}

impl<T: QueryValue> QueryMap for BTreeMap<String, T> {
    fn query_entries(&self) -> Vec<(String, String)> {
        self.iter()
            .filter_map(|(k, v)| v.to_query().map(|v| (k.clone(), v)))
            .collect()
    }
}

impl<T: QueryMap> QueryMap for Option<T> {
    fn query_entries(&self) -> Vec<(String, String)> {
        self.as_ref()
            .map(QueryMap::query_entries)
            .unwrap_or_default()
    }
}

/// Decodes one arm of a discriminated union from the JSON the union read first.
pub fn from_json<T: DeserializeOwned>(value: serde_json::Value) -> Result<T, serde_json::Error> {
    serde_json::from_value(value)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::operation::{AuthMode, Convention, Method};

    static TEXT: Operation = Operation {
        id: "Files_Read",
        tag: "Files",
        name: "Read",
        method: Method::Get,
        path: "/files",
        convention: Convention::Plain,
        auth: AuthMode::None,
        idempotent: true,
    };

    #[test]
    fn text_answers_are_the_output() {
        let text: String = decode(&TEXT, Answer::Text, 200, b"{not json}").unwrap();
        assert_eq!(text, "{not json}");
        let error = decode::<String>(&TEXT, Answer::Text, 200, &[0xff, 0xfe]).unwrap_err();
        assert!(error.to_string().contains("not UTF-8"), "{error}");
        let error = decode::<String>(&TEXT, Answer::Text, 404, b"no such file").unwrap_err();
        assert!(error.to_string().contains("404"), "{error}");
    }

    #[test]
    fn plain_json_answers_use_real_status_codes() {
        let value: serde_json::Value = decode(&TEXT, Answer::Json, 201, br#"{"a":1}"#).unwrap();
        assert_eq!(value, serde_json::json!({"a": 1}));
        let error =
            decode::<serde_json::Value>(&TEXT, Answer::Json, 409, br#"{"a":1}"#).unwrap_err();
        assert!(error.to_string().contains("409"), "{error}");
    }

    #[test]
    fn lists_and_maps_spell_their_items() {
        assert_eq!(vec![1i64, 2].query_items(), ["1", "2"]);
        assert_eq!(None::<Vec<i64>>.query_items(), Vec::<String>::new());
        let map = BTreeMap::from([("b".to_owned(), 2i64), ("a".to_owned(), 1)]);
        assert_eq!(
            Some(map).query_entries(),
            [
                ("a".to_owned(), "1".to_owned()),
                ("b".to_owned(), "2".to_owned())
            ]
        );
    }
}
