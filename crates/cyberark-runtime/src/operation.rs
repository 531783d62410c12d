//! The static description of an operation, and the encoder that turns a request into wire parts.

use std::fmt;

use bytes::Bytes;
use serde::Serialize;

use crate::error::Error;
use crate::params;
use crate::secret::Secret;

/// The HTTP method of an operation.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Method {
    /// `GET`.
    Get,
    /// `POST`.
    Post,
    /// `PUT`.
    Put,
    /// `PATCH`.
    Patch,
    /// `DELETE`.
    Delete,
}

impl Method {
    /// The method as an `http` crate value.
    pub fn as_http(self) -> http::Method {
        match self {
            Method::Get => http::Method::GET,
            Method::Post => http::Method::POST,
            Method::Put => http::Method::PUT,
            Method::Patch => http::Method::PATCH,
            Method::Delete => http::Method::DELETE,
        }
    }
}

/// How an operation's answer is shaped and how its failures arrive (`x-cyberark-convention`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Convention {
    /// The Identity envelope (`success`, `Result`, `Message`, …); `success: false` is a failure.
    Envelope,
    /// A plain OAuth 2.0 token response; failures are RFC 6749 `error` / `error_description`.
    OAuth,
    /// RFC 7644 SCIM resources; failures are RFC 7644 error objects.
    Scim,
    /// Plain answers with real HTTP status codes: a 2xx body is the output as it is, any other
    /// status a failure (ordinary OpenAPI descriptions).
    Plain,
    /// The Vault API (PVWA): real status codes, a 2xx body is the output as it is (an empty 200
    /// or 204 is `()`, a bare JSON string a string or [`Secret`]), and failures carry
    /// `ErrorCode`, `ErrorMessage` and `Details` (read in either casing).
    Vault,
}

/// Whether an operation needs the bearer token.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AuthMode {
    /// Send `Authorization: Bearer <token>`, fetching or refreshing the token as needed.
    Bearer,
    /// Send no credentials (token endpoints, `StartAuthentication`, `AdvanceAuthentication`).
    None,
}

/// How a pageable list operation pages (`x-cyberark-paging`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PagingStyle {
    /// `Args.PageNumber` (from 1) and `Args.PageSize` in the body; items in `Result.Results[]`,
    /// total in `Result.FullCount`.
    Redrock,
    /// `startIndex` (from 1) and `count` in the query; items in `Resources[]`, total in
    /// `totalResults`.
    Scim,
    /// The Vault's `{value, count, nextLink}` lists: the first page is asked for with `offset`
    /// and `limit`, every later one with the `offset` and `limit` of the `nextLink` the page
    /// before named; the list ends when a page has no `nextLink`.
    NextLink,
    /// The Vault's `{<Name>: [...], Total}` lists: `Offset` (from 0) and `Limit` in the query.
    OffsetLimit,
}

/// Static description of one API operation, emitted by the generator.
#[derive(Debug)]
pub struct Operation {
    /// The `operationId`, e.g. `Org_Create`.
    pub id: &'static str,
    /// The tag the operation belongs to, e.g. `Org`.
    pub tag: &'static str,
    /// The operation's name within its tag, e.g. `Create`.
    pub name: &'static str,
    /// The HTTP method.
    pub method: Method,
    /// The path template below the tenant URL, e.g. `/scim/Users/{id}`.
    pub path: &'static str,
    /// How the answer is shaped.
    pub convention: Convention,
    /// Whether the bearer token is sent.
    pub auth: AuthMode,
    /// Whether the request may be resent after a 502, 503, 504 or a connection error.
    pub idempotent: bool,
}

/// Implemented by every generated request struct.
pub trait Request: Send + Sync {
    /// What the operation returns (the unwrapped `Result` for envelope operations).
    type Output: serde::de::DeserializeOwned + Send + 'static;
    /// The operation this request belongs to.
    const OPERATION: &'static Operation;
    /// How the body of a success answer is read; JSON unless the spec says text.
    const ANSWER: crate::answer::Answer = crate::answer::Answer::Json;
    /// Hands the request's parameters and body to the encoder.
    fn encode(&self, encoder: &mut Encoder) -> Result<(), Error>;
}

/// Converts a parameter to its wire text; `None` means "leave it out".
pub trait QueryValue {
    /// The text to send, or `None` to send nothing.
    fn to_query(&self) -> Option<String>;
}

impl QueryValue for String {
    fn to_query(&self) -> Option<String> {
        Some(self.clone())
    }
}

impl QueryValue for str {
    fn to_query(&self) -> Option<String> {
        Some(self.to_owned())
    }
}

impl<T: QueryValue + ?Sized> QueryValue for &T {
    fn to_query(&self) -> Option<String> {
        (**self).to_query()
    }
}

impl QueryValue for bool {
    fn to_query(&self) -> Option<String> {
        Some(if *self { "true" } else { "false" }.to_owned())
    }
}

macro_rules! display_query_value {
    ($($ty:ty),*) => {
        $(impl QueryValue for $ty {
            fn to_query(&self) -> Option<String> {
                Some(self.to_string())
            }
        })*
    };
}

display_query_value!(i32, i64, u32, u64, f64);

impl<T: QueryValue> QueryValue for Option<T> {
    fn to_query(&self) -> Option<String> {
        self.as_ref().and_then(QueryValue::to_query)
    }
}

impl QueryValue for Secret {
    fn to_query(&self) -> Option<String> {
        Some(self.expose().to_owned())
    }
}

impl<T: QueryValue> QueryValue for Vec<T> {
    /// Joins the values with commas; an empty list is left out.
    fn to_query(&self) -> Option<String> {
        let parts: Vec<String> = self.iter().filter_map(QueryValue::to_query).collect();
        (!parts.is_empty()).then(|| parts.join(","))
    }
}

/// A file uploaded in a multipart form.
///
/// `Debug` shows the file's name, type and size, never its contents.
#[derive(Clone, PartialEq)]
pub struct FilePart {
    /// The file name sent in the part's `Content-Disposition`.
    pub file_name: String,
    /// The part's content type; `application/octet-stream` when `None`.
    pub content_type: Option<String>,
    /// The file's contents.
    pub bytes: Bytes,
}

impl FilePart {
    /// A file with a name and contents and no declared content type.
    pub fn new(file_name: impl Into<String>, bytes: impl Into<Bytes>) -> Self {
        FilePart {
            file_name: file_name.into(),
            content_type: None,
            bytes: bytes.into(),
        }
    }

    /// Sets the part's content type, e.g. `image/png` or `text/csv`.
    pub fn content_type(mut self, content_type: impl Into<String>) -> Self {
        self.content_type = Some(content_type.into());
        self
    }
}

impl fmt::Debug for FilePart {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("FilePart")
            .field("file_name", &self.file_name)
            .field("content_type", &self.content_type)
            .field("bytes", &self.bytes.len())
            .finish()
    }
}

/// One part of a multipart body.
#[derive(Clone)]
pub(crate) enum MultipartPart {
    /// A text field.
    Text { name: &'static str, value: String },
    /// A file field.
    File { name: &'static str, file: FilePart },
}

impl fmt::Debug for MultipartPart {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            MultipartPart::Text { name, value } => f
                .debug_struct("Text")
                .field("name", name)
                .field("value", &Hidden(value.len()))
                .finish(),
            MultipartPart::File { name, file } => f
                .debug_struct("File")
                .field("name", name)
                .field("file", file)
                .finish(),
        }
    }
}

/// Stands in for a value in `Debug` output: its size, never its text, because request bodies,
/// query values and form fields may hold passwords, secrets and tokens.
struct Hidden(usize);

impl fmt::Debug for Hidden {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "<{} bytes>", self.0)
    }
}

/// Names with hidden values, for the `Debug` of parameter lists.
fn hidden_values<'a>(
    pairs: &'a [(&'static str, String)],
) -> impl Iterator<Item = (&'static str, Hidden)> + 'a {
    pairs
        .iter()
        .map(|(name, value)| (*name, Hidden(value.len())))
}

/// The body of an encoded request. Bytes are shared, so every retry resends the same buffer.
///
/// `Debug` shows the content type and size, never the bytes.
#[derive(Clone, Default)]
pub(crate) enum Body {
    /// No body.
    #[default]
    Empty,
    /// Bytes with their content type (JSON or form).
    Bytes {
        content_type: &'static str,
        bytes: Bytes,
    },
    /// A multipart form, rebuilt for every attempt because a multipart stream is consumed once.
    Multipart(Vec<MultipartPart>),
}

impl fmt::Debug for Body {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Body::Empty => f.write_str("Empty"),
            Body::Bytes {
                content_type,
                bytes,
            } => f
                .debug_struct("Bytes")
                .field("content_type", content_type)
                .field("bytes", &Hidden(bytes.len()))
                .finish(),
            Body::Multipart(parts) => f.debug_tuple("Multipart").field(parts).finish(),
        }
    }
}

/// Collects path, query, header and body of one request; built once, reused on every retry.
///
/// `Debug` names the operation and the parameters, never their values or the body's bytes.
pub struct Encoder {
    operation: &'static Operation,
    path_params: Vec<(&'static str, String)>,
    query: Vec<(&'static str, String)>,
    /// `deepObject` query parameters, whose names (`filter[name]`) are built at run time.
    deep_query: Vec<(String, String)>,
    headers: Vec<(&'static str, String)>,
    body: Body,
    /// The first problem met; the setters return nothing so generated code stays declarative,
    /// and the error is reported when the request is finished.
    error: Option<Error>,
}

impl fmt::Debug for Encoder {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Encoder")
            .field("operation", &self.operation.id)
            .field(
                "path_params",
                &hidden_values(&self.path_params).collect::<Vec<_>>(),
            )
            .field("query", &hidden_values(&self.query).collect::<Vec<_>>())
            .field("headers", &hidden_values(&self.headers).collect::<Vec<_>>())
            .field("body", &self.body)
            .field("error", &self.error)
            .finish()
    }
}

/// A request ready to send: everything but the base URL and credentials.
///
/// `Debug` shows the path segments' sizes, the parameters' names and the body's size only.
#[derive(Clone)]
pub(crate) struct Encoded {
    pub(crate) operation: &'static Operation,
    /// Path segments below the tenant URL, already substituted but not yet percent-encoded.
    pub(crate) segments: Vec<String>,
    pub(crate) query: Vec<(&'static str, String)>,
    /// `deepObject` query parameters, sent after the others.
    pub(crate) deep_query: Vec<(String, String)>,
    pub(crate) headers: Vec<(&'static str, String)>,
    pub(crate) body: Body,
    /// How the success answer is read.
    pub(crate) answer: crate::answer::Answer,
    /// The `Accept` to send instead of the answer kind's own: the binary media type of an
    /// operation that answers JSON or bytes as asked (the Vault's RDP file).
    pub(crate) accept: Option<&'static str>,
}

impl fmt::Debug for Encoded {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let segments: Vec<Hidden> = self.segments.iter().map(|s| Hidden(s.len())).collect();
        f.debug_struct("Encoded")
            .field("operation", &self.operation.id)
            .field("segments", &segments)
            .field("query", &hidden_values(&self.query).collect::<Vec<_>>())
            .field("headers", &hidden_values(&self.headers).collect::<Vec<_>>())
            .field("body", &self.body)
            .finish()
    }
}

impl Encoder {
    /// An empty encoder for `operation`.
    pub fn new(operation: &'static Operation) -> Self {
        Encoder {
            operation,
            path_params: Vec::new(),
            query: Vec::new(),
            deep_query: Vec::new(),
            headers: Vec::new(),
            body: Body::Empty,
            error: None,
        }
    }

    /// Sets the value substituted for `{name}` in the path; it is percent-encoded as one segment.
    /// A `None` value makes the request fail with [`Error::InvalidRequest`] naming the parameter.
    /// A value that is empty, `.` or `..` makes the request fail the same way, because it would
    /// change the path's shape (see the `params` module).
    pub fn path_param(&mut self, name: &'static str, value: &impl QueryValue) {
        match value.to_query() {
            Some(text) => match params::check_path_value(name, &text) {
                Ok(()) => self.path_params.push((name, text)),
                Err(message) => self.fail(message),
            },
            None => self.fail(format!("path parameter `{name}` has no value")),
        }
    }

    /// Adds a query parameter; a `None` value is left out.
    pub fn query(&mut self, name: &'static str, value: &impl QueryValue) {
        if let Some(text) = value.to_query() {
            self.query.push((name, text));
        }
    }

    /// Adds a list query parameter once per item (`ids=1&ids=2`, the exploded `form` style).
    pub fn query_repeated(&mut self, name: &'static str, values: &impl crate::answer::QueryList) {
        for text in values.query_items() {
            self.query.push((name, text));
        }
    }

    /// Adds a map query parameter as `name[key]=value` per entry (the `deepObject` style).
    pub fn query_deep(&mut self, name: &'static str, values: &impl crate::answer::QueryMap) {
        for (key, text) in values.query_entries() {
            self.deep_query.push((format!("{name}[{key}]"), text));
        }
    }

    /// Adds a request header; a `None` value is left out. A value with characters a header
    /// cannot carry (CR, LF, other control characters, non-ASCII) makes the request fail with
    /// [`Error::InvalidRequest`] naming the header, instead of being dropped or sent mangled.
    pub fn header(&mut self, name: &'static str, value: &impl QueryValue) {
        if let Some(text) = value.to_query() {
            match params::header_value(name, &text) {
                Ok(_) => self.headers.push((name, text)),
                Err(message) => self.fail(message),
            }
        }
    }

    /// Sets a JSON body, serialised once.
    pub fn json<T: Serialize + ?Sized>(&mut self, body: &T) -> Result<(), Error> {
        self.json_as(body, "application/json")
    }

    /// Sets a JSON body sent with another JSON media type, such as `application/scim+json`.
    pub fn json_as<T: Serialize + ?Sized>(
        &mut self,
        body: &T,
        content_type: &'static str,
    ) -> Result<(), Error> {
        // Only the serialisation is generic; what follows is compiled once, not per body type.
        self.set_json(crate::read_only::to_request_json(body), content_type)
    }

    /// Takes a serialised JSON body, or reports why it could not be serialised.
    fn set_json(
        &mut self,
        encoded: serde_json::Result<Vec<u8>>,
        content_type: &'static str,
    ) -> Result<(), Error> {
        let bytes = encoded.map_err(|e| {
            Error::invalid(
                self.operation.id,
                format!("the JSON body could not be encoded: {e}"),
            )
        })?;
        self.body = Body::Bytes {
            content_type,
            bytes: bytes.into(),
        };
        Ok(())
    }

    /// Sets an `application/x-www-form-urlencoded` body, serialised once.
    pub fn form<T: Serialize + ?Sized>(&mut self, body: &T) -> Result<(), Error> {
        let text = crate::read_only::to_request_form(body).map_err(|e| {
            Error::invalid(
                self.operation.id,
                format!("the form body could not be encoded: {e}"),
            )
        })?;
        self.body = Body::Bytes {
            content_type: "application/x-www-form-urlencoded",
            bytes: text.into(),
        };
        Ok(())
    }

    /// Adds a text field to a multipart body; a `None` value is left out.
    pub fn multipart_text(&mut self, name: &'static str, value: &impl QueryValue) {
        if let Some(value) = value.to_query() {
            self.multipart_parts()
                .push(MultipartPart::Text { name, value });
        }
    }

    /// Adds a file to a multipart body.
    pub fn multipart_file(&mut self, name: &'static str, file: &FilePart) {
        let file = file.clone();
        self.multipart_parts()
            .push(MultipartPart::File { name, file });
    }

    fn multipart_parts(&mut self) -> &mut Vec<MultipartPart> {
        if !matches!(self.body, Body::Multipart(_)) {
            self.body = Body::Multipart(Vec::new());
        }
        match &mut self.body {
            Body::Multipart(parts) => parts,
            // The branch above made the body multipart.
            _ => unreachable!("body was just set to multipart"),
        }
    }

    fn fail(&mut self, message: String) {
        if self.error.is_none() {
            self.error = Some(Error::invalid(self.operation.id, message));
        }
    }

    /// Substitutes the path parameters and checks that nothing is left over.
    pub(crate) fn finish(mut self) -> Result<Encoded, Error> {
        if let Some(error) = self.error.take() {
            return Err(error);
        }
        let op = self.operation;
        let mut used = vec![false; self.path_params.len()];
        let mut segments = Vec::new();
        for template in op.path.split('/').filter(|s| !s.is_empty()) {
            let mut segment = String::new();
            let mut rest = template;
            while let Some(open) = rest.find('{') {
                let close = rest[open..].find('}').map(|n| open + n).ok_or_else(|| {
                    Error::invalid(
                        op.id,
                        format!("the path template `{}` is malformed", op.path),
                    )
                })?;
                let name = &rest[open + 1..close];
                let index = self
                    .path_params
                    .iter()
                    .position(|(n, _)| *n == name)
                    .ok_or_else(|| {
                        Error::invalid(op.id, format!("path parameter `{name}` has no value"))
                    })?;
                used[index] = true;
                segment.push_str(&rest[..open]);
                segment.push_str(&self.path_params[index].1);
                rest = &rest[close + 1..];
            }
            segment.push_str(rest);
            segments.push(segment);
        }
        if let Some(index) = used.iter().position(|u| !u) {
            let name = self.path_params[index].0;
            return Err(Error::invalid(
                op.id,
                format!("path parameter `{name}` is not in the path `{}`", op.path),
            ));
        }
        Ok(Encoded {
            operation: op,
            segments,
            query: self.query,
            deep_query: self.deep_query,
            headers: self.headers,
            body: self.body,
            answer: crate::answer::Answer::Json,
            accept: None,
        })
    }
}

/// Encodes a request into its wire parts.
pub(crate) fn encode<R: Request>(request: &R) -> Result<Encoded, Error> {
    let mut encoder = Encoder::new(R::OPERATION);
    request.encode(&mut encoder)?;
    let mut encoded = encoder.finish()?;
    encoded.answer = R::ANSWER;
    Ok(encoded)
}

#[cfg(test)]
mod tests {
    use super::*;

    static GET_USER: Operation = Operation {
        id: "Scim_GetUser",
        tag: "Scim",
        name: "GetUser",
        method: Method::Get,
        path: "/scim/Users/{id}",
        convention: Convention::Scim,
        auth: AuthMode::Bearer,
        idempotent: true,
    };

    #[test]
    fn query_values() {
        assert_eq!("a b".to_query(), Some("a b".to_owned()));
        assert_eq!(String::from("x").to_query(), Some("x".to_owned()));
        assert_eq!((&&"y").to_query(), Some("y".to_owned()));
        assert_eq!(true.to_query(), Some("true".to_owned()));
        assert_eq!(false.to_query(), Some("false".to_owned()));
        assert_eq!((-3i32).to_query(), Some("-3".to_owned()));
        assert_eq!(9_000_000_000i64.to_query(), Some("9000000000".to_owned()));
        assert_eq!(7u32.to_query(), Some("7".to_owned()));
        assert_eq!(u64::MAX.to_query(), Some(u64::MAX.to_string()));
        assert_eq!(1.5f64.to_query(), Some("1.5".to_owned()));
        assert_eq!(None::<u32>.to_query(), None);
        assert_eq!(Some(2u32).to_query(), Some("2".to_owned()));
        assert_eq!(Secret::new("s").to_query(), Some("s".to_owned()));
        assert_eq!(vec![1u32, 2, 3].to_query(), Some("1,2,3".to_owned()));
        assert_eq!(Vec::<u32>::new().to_query(), None);
        assert_eq!(vec![Some(1u32), None].to_query(), Some("1".to_owned()));
    }

    #[test]
    fn path_parameters_are_substituted() {
        let mut encoder = Encoder::new(&GET_USER);
        encoder.path_param("id", &"a/b c");
        encoder.query("attributes", &None::<String>);
        encoder.query("count", &5u32);
        let encoded = encoder.finish().unwrap();
        assert_eq!(encoded.segments, ["scim", "Users", "a/b c"]);
        assert_eq!(encoded.query, [("count", "5".to_owned())]);
    }

    #[test]
    fn missing_path_parameter_names_operation_and_parameter() {
        let mut encoder = Encoder::new(&GET_USER);
        encoder.path_param("id", &None::<String>);
        let error = encoder.finish().unwrap_err();
        assert_eq!(
            error.to_string(),
            "Scim_GetUser failed: invalid request: path parameter `id` has no value"
        );
        let error = Encoder::new(&GET_USER).finish().unwrap_err();
        assert_eq!(
            error.to_string(),
            "Scim_GetUser failed: invalid request: path parameter `id` has no value"
        );
    }

    #[test]
    fn json_bodies_carry_their_media_type() {
        let mut encoder = Encoder::new(&GET_USER);
        encoder.path_param("id", &"1");
        encoder
            .json_as(
                &serde_json::json!({"userName": "a"}),
                "application/scim+json",
            )
            .unwrap();
        match encoder.finish().unwrap().body {
            Body::Bytes {
                content_type,
                bytes,
            } => {
                assert_eq!(content_type, "application/scim+json");
                assert_eq!(&bytes[..], br#"{"userName":"a"}"#);
            }
            other => panic!("unexpected body {other:?}"),
        }
    }

    #[test]
    fn bodies_are_encoded_once() {
        let mut encoder = Encoder::new(&GET_USER);
        encoder.path_param("id", &"1");
        encoder
            .form(&[("grant_type", "client_credentials"), ("scope", "a b")])
            .unwrap();
        match encoder.finish().unwrap().body {
            Body::Bytes {
                content_type,
                bytes,
            } => {
                assert_eq!(content_type, "application/x-www-form-urlencoded");
                assert_eq!(&bytes[..], b"grant_type=client_credentials&scope=a+b");
            }
            other => panic!("unexpected body {other:?}"),
        }
        let mut encoder = Encoder::new(&GET_USER);
        encoder.multipart_text("note", &"hi");
        encoder.multipart_file(
            "file",
            &FilePart::new("a.csv", "x,y").content_type("text/csv"),
        );
        assert!(matches!(encoder.body, Body::Multipart(ref parts) if parts.len() == 2));
    }

    /// Issue 17, finding 16: `Encoder`, `Encoded`, `Body` and multipart parts derived `Debug`
    /// and printed request bodies and query values, secrets included.
    #[test]
    fn debug_never_shows_values() {
        let mut encoder = Encoder::new(&GET_USER);
        encoder.path_param("id", &"path-secret");
        encoder.query("code", &Secret::new("query-secret"));
        encoder.header("X-Api-Key", &"header-secret");
        encoder.form(&[("client_secret", "form-secret")]).unwrap();
        let shown = format!("{encoder:?}");
        let encoded = encoder.finish().unwrap();
        let shown = format!("{shown} {encoded:?} {:?}", encoded.body);
        let mut multipart = Encoder::new(&GET_USER);
        multipart.multipart_text("password", &"text-secret");
        multipart.multipart_file("file", &FilePart::new("a.csv", "file-secret"));
        let shown = format!("{shown} {multipart:?}");
        for secret in [
            "path-secret",
            "query-secret",
            "header-secret",
            "form-secret",
            "text-secret",
            "file-secret",
        ] {
            assert!(!shown.contains(secret), "{secret} in {shown}");
        }
        for visible in [
            "Scim_GetUser",
            "code",
            "X-Api-Key",
            "password",
            "a.csv",
            "bytes",
        ] {
            assert!(shown.contains(visible), "{visible} not in {shown}");
        }
    }
}
