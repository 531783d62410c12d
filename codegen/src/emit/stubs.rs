//! `emit/stubs`: the type stubs of a native module (`cyberark_identity/_native.pyi`, and one per
//! further API with a Python layer, such as `cyberark_vault/_native.pyi`).
//!
//! The stubs spell out exactly what [`super::python`] generates: one class per named object type
//! (constructor, read-only attributes, `extra`, `to_dict()`), the sync and async class of every
//! tag with one method per operation (required parameters positional-or-keyword, optional ones
//! keyword-only), and the `Client` and `AsyncClient` classes. The hand-written classes of the
//! bindings crate (`MfaChallenge`, the page iterators, the sandbox) are described by
//! [`HAND_WRITTEN`], kept beside the generator so one file holds the whole module's types;
//! `mypy.stubtest` holds both against the built module.

use super::python::{DEFAULT_PAGE_SIZE, async_class, field_doc, op_doc, pager_fields};
use super::{EmitError, HEADER, Output, PythonLayout, SignIn};
use crate::ir::{Answer, Api, Body, Field, Operation, TypeDef, TypeKind, TypeRef};
use std::fmt::Write as _;

/// The sign-in keywords of an Identity `Client(...)` with their types, as the bindings crate's
/// `client::OPTIONS` accepts them.
const IDENTITY_SIGN_IN: &[(&str, &str)] = &[
    ("client_id", "str | None"),
    ("client_secret", "str | None"),
    ("app_id", "str | None"),
    ("scope", "str | None"),
    ("client_auth", "str | None"),
    ("authorization_code", "str | None"),
    ("redirect_uri", "str | None"),
    ("code_verifier", "str | None"),
    ("refresh_token", "str | None"),
    ("token", "str | None"),
    ("username", "str | None"),
    ("password", "str | None"),
    ("mfa", "Callable[[MfaChallenge], str | None] | None"),
];

/// The sign-in keywords of a Vault `Client(...)`, as the bindings crate's `vault::SIGN_IN`
/// accepts them.
const VAULT_SIGN_IN: &[(&str, &str)] = &[
    ("method", "str | None"),
    ("username", "str | None"),
    ("password", "str | None"),
    ("token", "str | None"),
    ("concurrent_session", "bool | None"),
];

/// The docstring of a Vault `Client`.
const VAULT_CLIENT_DOC: &str = "A client of the Vault (PVWA) API; calls block, with the GIL released.\n\nSelf-hosted: give ``username`` and ``password`` (and ``method``: ``CyberArk``, the default,\n``LDAP`` or ``RADIUS``); the session is logged off when the ``with`` block ends or on ``close()``.\nPrivilege Cloud: give ``token``, the Identity platform token. Durations are in seconds.";

/// The keyword arguments every `Client(...)` takes besides its sign-in, as the bindings crate's
/// `client::COMMON_OPTIONS` accepts them.
const COMMON_OPTIONS: &[(&str, &str)] = &[
    ("max_attempts", "int | None"),
    ("timeout", "float | None"),
    ("deadline", "float | None"),
    ("rate_limit", "float | None"),
    ("max_in_flight", "int | None"),
    ("max_response_bytes", "int | None"),
    ("retry_quota", "int | None"),
];

/// Options of an Identity `Client(...)` that follow the common ones.
const IDENTITY_LAST: &[(&str, &str)] = &[("allow_sign_in_host", "Sequence[str] | None")];

/// Options whose default is not `None`: leaving `retry_quota` out keeps the client-wide retry
/// quota (500), while `retry_quota=None` turns it off, so its stub default is `...`.
const NOT_NONE_DEFAULT: &[&str] = &["retry_quota"];

/// Stubs of the hand-written classes and functions of `_native`.
const HAND_WRITTEN: &str = r#"
_T = TypeVar("_T")

@final
class MfaChallenge:
    """One MFA mechanism the tenant offers, as shown to the ``mfa`` callback."""
    @property
    def mechanism(self) -> str: ...
    @property
    def answer_type(self) -> str: ...
    @property
    def prompt(self) -> str: ...
    @property
    def mechanism_id(self) -> str: ...
    @property
    def user(self) -> str: ...
    @property
    def can_poll(self) -> bool: ...

@final
class PageIterator(Generic[_T]):
    """The items of a pageable operation, fetched page by page as the loop asks for them."""
    @classmethod
    def __class_getitem__(cls, item: Any) -> Any: ...
    def __iter__(self) -> PageIterator[_T]: ...
    def __next__(self) -> _T: ...

@final
class AsyncPageIterator(Generic[_T]):
    """The async counterpart of ``PageIterator``."""
    @classmethod
    def __class_getitem__(cls, item: Any) -> Any: ...
    def __aiter__(self) -> AsyncPageIterator[_T]: ...
    def __anext__(self) -> Awaitable[_T]: ...

@final
class Hold:
    """A request of one operation parked in the sandbox until ``release()``."""
    def release(self) -> None: ...
    def wait_arrived(self, timeout: float | None = None) -> bool: ...

@final
class LoggedRequest:
    """One request the sandbox received, with secrets redacted."""
    @property
    def operation(self) -> str | None: ...
    @property
    def method(self) -> str: ...
    @property
    def path(self) -> str: ...
    @property
    def query(self) -> str | None: ...
    @property
    def headers(self) -> list[tuple[str, str]]: ...
    @property
    def body(self) -> str: ...
    @property
    def status(self) -> int: ...

@final
class Sandbox:
    """The sandbox tenant, serving on 127.0.0.1 from this process."""
    def __new__(
        cls,
        *,
        seed: str = "demo",
        token_ttl: float | None = None,
        port: int = 0,
        otp_code: str | None = None,
        discovery: bool = False,
    ) -> Sandbox: ...
    @property
    def url(self) -> str: ...
    @property
    def discovery_url(self) -> str | None: ...
    @property
    def client_id(self) -> str: ...
    @property
    def client_secret(self) -> str: ...
    @property
    def app_id(self) -> str: ...
    @property
    def admin_username(self) -> str: ...
    @property
    def admin_password(self) -> str: ...
    @property
    def mfa_username(self) -> str: ...
    @property
    def mfa_password(self) -> str: ...
    @property
    def otp_code(self) -> str: ...
    @property
    def vault_url(self) -> str: ...
    @property
    def vault_admin_username(self) -> str: ...
    @property
    def vault_admin_password(self) -> str: ...
    @property
    def vault_auditor_username(self) -> str: ...
    @property
    def vault_auditor_password(self) -> str: ...
    @property
    def vault_ldap_username(self) -> str: ...
    @property
    def vault_ldap_password(self) -> str: ...
    def inject(
        self,
        operation: str,
        fault: str,
        *,
        times: int = 1,
        status: int | None = None,
        retry_after: float | None = None,
        delay: float | None = None,
    ) -> None: ...
    def hold(self, operation: str) -> Hold: ...
    def clear_faults(self) -> None: ...
    def requests(self) -> list[LoggedRequest]: ...
    def clear_requests(self) -> None: ...
    def add_users(self, n: int) -> None: ...
    def token_for(self, user: str) -> str | None: ...
    def approve_oob(self, user: str) -> int: ...
    def authorization_code(
        self, user: str, redirect_uri: str, code_challenge: str | None = None
    ) -> str | None: ...
    def shutdown(self) -> None: ...
    def __enter__(self) -> Sandbox: ...
    def __exit__(self, *args: object) -> bool: ...

def _raise_test_error(variant: str) -> None: ...

def _inbox_waiting() -> int: ...

def _redrock_script(template: str, values: Sequence[str | int | bool | None]) -> str: ...
"#;

/// Emits the stubs of the native module of `target`.
pub fn emit(api: &Api, target: &PythonLayout) -> Result<Output, EmitError> {
    let mut out = String::new();
    let w = &mut out;
    let package = target
        .module
        .split_once('.')
        .map_or(target.module.as_str(), |(package, _)| package);
    let _ = writeln!(w, "# {HEADER}");
    let _ = writeln!(
        w,
        "\"\"\"Type stubs of the native module; import from ``{package}`` instead.\"\"\"\n"
    );
    w.push_str("import datetime\nfrom typing import Any, Awaitable, Callable, ClassVar, Generic, Mapping, Sequence, TypeVar\n\nfrom typing_extensions import final\n");
    if api
        .operations
        .iter()
        .any(|op| op.answer == Answer::Bytes || op.bytes_alternative.is_some())
    {
        w.push_str("from _typeshed import StrPath, SupportsWrite\n");
    }
    if !target.primary {
        // The page iterators (and, for a client signing in as Identity does, the `mfa`
        // callback's `MfaChallenge`) are the extension module's own classes, shared by every API.
        let shared = match target.sign_in {
            SignIn::Identity => "AsyncPageIterator, MfaChallenge, PageIterator",
            SignIn::Vault => "AsyncPageIterator, PageIterator",
        };
        w.push_str(&format!(
            "\nfrom cyberark_identity._native import {shared}\n"
        ));
    }
    all_names(w, api, target.primary);
    if target.primary {
        w.push_str(HAND_WRITTEN);
    }
    client_class(w, api, target, "Client", false);
    client_class(w, api, target, "AsyncClient", true);
    for tag in &api.tags {
        for is_async in [false, true] {
            let name = if is_async {
                async_class(tag)
            } else {
                tag.type_name.clone()
            };
            let _ = write!(w, "\n@final\nclass {name}:\n");
            let doc = format!(
                "Operations of the `{}` API group{}",
                tag.name,
                tag.docs
                    .as_deref()
                    .map(|d| format!(": {}", d.trim()))
                    .unwrap_or_else(|| ".".to_owned())
            );
            docstring(w, "    ", &doc);
            for op in api.operations_of(&tag.name) {
                method(w, api, op, is_async);
            }
        }
    }
    for def in api.types.values() {
        if let TypeKind::Struct { fields, .. } = &def.kind {
            struct_class(w, api, def, fields);
        }
    }
    Ok(Output {
        path: target.stubs.clone(),
        contents: out,
    })
}

/// The stub's `__all__`: pyo3 lists every class and function of the module in it.
fn all_names(w: &mut String, api: &Api, primary: bool) {
    let mut names: Vec<String> = vec!["Client".to_owned(), "AsyncClient".to_owned()];
    if primary {
        names.push("_inbox_waiting".to_owned());
        names.push("_raise_test_error".to_owned());
        names.push("_redrock_script".to_owned());
        names.extend(
            super::python::RESERVED_CLASSES
                .iter()
                .map(|s| (*s).to_owned()),
        );
    }
    for tag in &api.tags {
        names.push(tag.type_name.clone());
        names.push(async_class(tag));
    }
    names.extend(
        api.types
            .values()
            .filter(|d| matches!(d.kind, TypeKind::Struct { .. }))
            .map(|d| d.name.clone()),
    );
    names.sort();
    names.dedup();
    w.push_str("\n__all__ = [\n");
    for name in names {
        let _ = writeln!(w, "    \"{name}\",");
    }
    w.push_str("]\n");
}

fn client_class(w: &mut String, api: &Api, target: &PythonLayout, name: &str, is_async: bool) {
    let _ = write!(w, "\n@final\nclass {name}:\n");
    let doc = match (target.sign_in, is_async) {
        (SignIn::Identity, true) => "A client of a CyberArk Identity tenant whose calls return awaitables; takes the same arguments as ``Client``.".to_owned(),
        (_, true) => format!(
            "A client of the {} whose calls return awaitables; takes the same arguments as ``Client``.",
            api.title
        ),
        (SignIn::Identity, false) => "A client of a CyberArk Identity tenant; calls block, with the GIL released.\n\nGive ``client_id`` and ``client_secret`` (with ``app_id`` for ``/oauth2/token/{app_id}``; ``client_auth`` is\n``\"basic\"`` or ``\"form\"``), a user's OAuth grant at ``app_id`` (``client_id`` with ``authorization_code``,\n``redirect_uri`` and the PKCE ``code_verifier``, or with ``refresh_token``; ``client_secret`` for a\nconfidential client), or ``token``,\nor ``username`` and ``password`` (with ``mfa``, a callable answering challenges: a code, or\n``None`` to wait for an out-of-band approval). Durations are in seconds.\n\n``retry_quota`` sizes the retry budget all calls of the client share (default 500; each retry\ntakes 5, 10 after a timeout or connection failure), so an outage does not multiply the load;\n``None`` turns it off. ``allow_sign_in_host`` lists hosts (``login.example.com``) or patterns\n(``*.example.com``) a sign-in with ``username``/``password`` may be redirected to besides\nCyberArk's domains; the password follows such a redirect.".to_owned(),
        (SignIn::Vault, false) => VAULT_CLIENT_DOC.to_owned(),
    };
    docstring(w, "    ", &doc);
    let _ = writeln!(
        w,
        "    def __new__(\n        cls,\n        tenant: str,\n        *,"
    );
    let (sign_in, last) = match target.sign_in {
        SignIn::Identity => (IDENTITY_SIGN_IN, IDENTITY_LAST),
        SignIn::Vault => (VAULT_SIGN_IN, &[][..]),
    };
    for (option, ty) in sign_in.iter().chain(COMMON_OPTIONS).chain(last) {
        let default = if NOT_NONE_DEFAULT.contains(option) {
            "..."
        } else {
            "None"
        };
        let _ = writeln!(w, "        {option}: {ty} = {default},");
    }
    let _ = writeln!(w, "    ) -> {name}: ...");
    if is_async {
        let _ = writeln!(w, "    def __aenter__(self) -> Awaitable[{name}]: ...");
        let _ = writeln!(
            w,
            "    def __aexit__(self, *args: object) -> Awaitable[None]: ..."
        );
        let _ = writeln!(w, "    def aclose(self) -> Awaitable[None]: ...");
    } else {
        let _ = writeln!(w, "    def __enter__(self) -> {name}: ...");
        let _ = writeln!(w, "    def __exit__(self, *args: object) -> bool: ...");
        let _ = writeln!(w, "    def close(self) -> None: ...");
    }
    for tag in &api.tags {
        let class = if is_async {
            async_class(tag)
        } else {
            tag.type_name.clone()
        };
        let _ = writeln!(
            w,
            "    @property\n    def {}(self) -> {class}: ...",
            tag.handle
        );
    }
}

fn struct_class(w: &mut String, api: &Api, def: &TypeDef, fields: &[Field]) {
    let _ = write!(w, "\n@final\nclass {}:\n", def.name);
    docstring(
        w,
        "    ",
        def.docs
            .as_deref()
            .unwrap_or(&format!("The `{}` object.", def.name)),
    );
    let _ = writeln!(
        w,
        "    __hash__: ClassVar[None]  # type: ignore[assignment]"
    );
    let params = parameters(api, fields, false);
    let _ = writeln!(w, "    def __new__(cls{params}) -> {}: ...", def.name);
    for f in fields {
        let ty = output_type(api, &f.ty);
        let ty = if f.null_clears || f.is_optional() {
            format!("{ty} | None")
        } else {
            ty
        };
        let _ = writeln!(w, "    @property\n    def {}(self) -> {ty}:", f.python);
        docstring(w, "        ", &field_doc(f));
    }
    w.push_str("    @property\n    def extra(self) -> dict[str, Any]: ...\n");
    w.push_str("    def to_dict(self) -> dict[str, Any]: ...\n");
    w.push_str("    def __eq__(self, other: object, /) -> bool: ...\n");
    let _ = writeln!(w, "    def __copy__(self) -> {}: ...", def.name);
    let _ = writeln!(
        w,
        "    def __deepcopy__(self, memo: Any) -> {}: ...",
        def.name
    );
}

fn method(w: &mut String, api: &Api, op: &Operation, is_async: bool) {
    let extra = matches!(op.request.body, Body::JsonFields { extra: true });
    let mut params = parameters(api, &op.request.fields, extra);
    let name = crate::names::python_ident(&op.method_name);
    let mut result = output_type(api, &op.result);
    if op.answer == Answer::Bytes {
        // A download writes the body to `to` in chunks and answers how many bytes it wrote.
        params = with_download_target(&params);
        result = "int".to_owned();
    }
    let result = if is_async {
        format!("Awaitable[{result}]")
    } else {
        result
    };
    let _ = writeln!(w, "    def {name}(self{params}) -> {result}:");
    docstring(w, "        ", &op_doc(op));
    if let Some(media_type) = &op.bytes_alternative {
        let params = with_download_target(&parameters(api, &op.request.fields, extra));
        let result = if is_async { "Awaitable[int]" } else { "int" };
        let _ = writeln!(w, "    def {name}_download(self{params}) -> {result}:");
        docstring(
            w,
            "        ",
            &format!(
                "Like `{name}`, but asks for `{media_type}` and writes the answer's bytes to `to` \
                 (a path or a binary file object) in chunks; answers the number of bytes written."
            ),
        );
    }
    if let Some(paging) = &op.paging {
        let item = output_type(api, &paging.item);
        let class = if is_async {
            "AsyncPageIterator"
        } else {
            "PageIterator"
        };
        // The fields the pager sets are not offered, as in the generated method.
        let omitted: Vec<&str> = pager_fields(op).iter().map(|f| f.wire.as_str()).collect();
        let offered: Vec<Field> = op
            .request
            .fields
            .iter()
            .filter(|f| !omitted.contains(&f.wire.as_str()))
            .cloned()
            .collect();
        let params = parameters(api, &offered, extra);
        let star = if params.contains(", *") { "" } else { ", *" };
        let _ = writeln!(
            w,
            "    def {name}_iter(self{params}{star}, page_size: int | None = None) -> {class}[{item}]:"
        );
        docstring(
            w,
            "        ",
            &format!(
                "Every item of `{name}`, fetched page by page as the loop reads them, `page_size` \
                 items a page ({DEFAULT_PAGE_SIZE} when not given)."
            ),
        );
    }
}

/// A parameter list with the keyword-only `to` of a download added after its `*`.
fn with_download_target(params: &str) -> String {
    let to = ", to: StrPath | SupportsWrite[bytes]";
    match params.find(", *") {
        Some(star) => format!("{}, *{to}{}", &params[..star], &params[star + 3..]),
        None => format!("{params}, *{to}"),
    }
}

/// The parameter list after `self`/`cls`, with its leading `, `.
fn parameters(api: &Api, fields: &[Field], extra: bool) -> String {
    let mut parts = Vec::new();
    for f in fields
        .iter()
        .filter(|f| !(f.null_clears || f.is_optional()))
    {
        parts.push(format!("{}: {}", f.python, input_type(api, &f.ty)));
    }
    let optional: Vec<&Field> = fields
        .iter()
        .filter(|f| f.null_clears || f.is_optional())
        .collect();
    if !optional.is_empty() || extra {
        parts.push("*".to_owned());
    }
    for f in optional {
        parts.push(format!(
            "{}: {} | None = None",
            f.python,
            input_type(api, &f.ty)
        ));
        if f.null_clears {
            parts.push(format!("clear_{}: bool = False", f.python));
        }
    }
    if extra {
        parts.push("extra: Mapping[str, Any] | None = None".to_owned());
    }
    parts.iter().map(|p| format!(", {p}")).collect()
}

/// The Python type a value of `t` is read as.
fn output_type(api: &Api, t: &TypeRef) -> String {
    match t {
        // A date-time is a timezone-aware `datetime`, or the text the API sent when that text
        // is not an instant (nothing is lost, and reading never raises); a Unix time likewise,
        // or the integer when Python's years cannot hold it. A `date` crosses as its text.
        // A `uuid` is a `str` in Python, not `uuid.UUID`: the text must travel back exactly as
        // the API sent it (upper case, or an identifier the API calls a UUID that is not one,
        // such as `sysadmin`), which `uuid.UUID` can neither keep nor hold.
        TypeRef::DateTime => "datetime.datetime | str".to_owned(),
        TypeRef::UnixTime | TypeRef::UnixTimeMicros => "datetime.datetime | int".to_owned(),
        TypeRef::String | TypeRef::Secret | TypeRef::Date | TypeRef::Uuid => "str".to_owned(),
        TypeRef::Bool => "bool".to_owned(),
        TypeRef::I32 | TypeRef::I64 => "int".to_owned(),
        TypeRef::F64 => "float".to_owned(),
        TypeRef::Json => "Any".to_owned(),
        TypeRef::Unit => "None".to_owned(),
        TypeRef::File | TypeRef::Bytes => "bytes".to_owned(),
        TypeRef::Named(n) => match api.types.get(n).map(|d| &d.kind) {
            Some(TypeKind::Struct { .. }) => n.clone(),
            Some(TypeKind::Alias { target }) => output_type(api, target),
            // A union reads as one of its arms, or as the JSON of a value none of them fits.
            Some(TypeKind::Union { arms, .. }) => {
                union_type(arms.iter().map(|a| output_type(api, &a.ty)))
            }
            _ => "str".to_owned(),
        },
        TypeRef::List(inner) => format!("list[{}]", output_type(api, inner)),
        TypeRef::Map(inner) => format!("dict[str, {}]", output_type(api, inner)),
    }
}

/// The Python type a value of `t` may be given as.
fn input_type(api: &Api, t: &TypeRef) -> String {
    match t {
        TypeRef::File => "bytes | tuple[str, bytes] | tuple[str, bytes, str]".to_owned(),
        TypeRef::Named(n) => match api.types.get(n).map(|d| &d.kind) {
            Some(TypeKind::Struct { .. }) => format!("{n} | Mapping[str, Any]"),
            Some(TypeKind::Alias { target }) => input_type(api, target),
            Some(TypeKind::Union { arms, .. }) => {
                union_type(arms.iter().map(|a| input_type(api, &a.ty)))
            }
            _ => "str".to_owned(),
        },
        // Read-only abstract types, so a `list[dict[str, str]]` is accepted where a list of
        // objects is expected (`list` is invariant).
        TypeRef::List(inner) => format!("Sequence[{}]", input_type(api, inner)),
        TypeRef::Map(inner) => format!("Mapping[str, {}]", input_type(api, inner)),
        other => output_type(api, other),
    }
}

/// The Python union of the arms' types; `Any` last stands for the values no arm fits, which are
/// kept as JSON.
fn union_type(arms: impl Iterator<Item = String>) -> String {
    let mut parts: Vec<String> = Vec::new();
    for arm in arms {
        if !parts.contains(&arm) {
            parts.push(arm);
        }
    }
    parts.push("Any".to_owned());
    parts.join(" | ")
}

/// Writes a docstring at `indent`, escaping what would end it early.
fn docstring(w: &mut String, indent: &str, text: &str) {
    let text = text
        .trim()
        .replace('\\', "\\\\")
        .replace("\"\"\"", "\\\"\\\"\\\"");
    let lines: Vec<&str> = text.lines().map(str::trim_end).collect();
    if lines.len() <= 1 {
        let _ = writeln!(w, "{indent}\"\"\"{text}\"\"\"");
        return;
    }
    let _ = writeln!(w, "{indent}\"\"\"{}", lines[0]);
    for line in &lines[1..] {
        if line.is_empty() {
            w.push('\n');
        } else {
            let _ = writeln!(w, "{indent}{line}");
        }
    }
    let _ = writeln!(w, "{indent}\"\"\"");
}
