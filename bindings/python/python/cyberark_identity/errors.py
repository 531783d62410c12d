"""The exceptions every call of the CyberArk Identity client may raise.

All derive from :class:`IdentityError`. The leaves also derive from the builtin exception a
Python programmer would catch for that kind of failure: :class:`TransportError` is a
``ConnectionError``, :class:`TimeoutError` the builtin ``TimeoutError``, :class:`DecodeError`,
:class:`InvalidRequestError` and :class:`ConfigurationError` are ``ValueError``s.

Messages never contain secrets: body excerpts are redacted before they reach an exception.
"""

from __future__ import annotations

import builtins
from typing import Dict, List, Optional

__all__ = [
    "IdentityError",
    "ApiError",
    "AuthenticationError",
    "RateLimitError",
    "TransportError",
    "TimeoutError",
    "DecodeError",
    "InvalidRequestError",
    "ConfigurationError",
    "PagingError",
]


class IdentityError(Exception):
    """Base class of every error raised by the client.

    ``operation`` is the ``operationId`` of the call that failed (``None`` for errors that belong
    to no call, such as a bad configuration).
    """

    operation: Optional[str]

    def __init__(self, message: str, *, operation: Optional[str] = None) -> None:
        super().__init__(message)
        self.operation = operation

    @property
    def message(self) -> str:
        """The error's text."""
        return str(self.args[0]) if self.args else ""


class ApiError(IdentityError):
    """The tenant handled the request and refused it.

    An envelope with ``success: false`` (``status`` 200), an RFC 7644 SCIM error, an OAuth error
    or an unexpected HTTP status. ``message`` is what the tenant said (``Message``, as
    ``ApiError.message`` in Rust; ``api_message`` is the same value, ``None`` when the tenant said
    nothing); the other attributes are the envelope's ``MessageID``, ``ErrorID``, ``ErrorCode``,
    ``IsSoftError`` and ``Exception``. ``str(error)`` is the whole sentence. A Vault error answer
(``ErrorCode``, ``ErrorMessage``, ``Details``) gives ``status`` (the HTTP status),
``error_code``, ``message`` and ``details``: one dict (``error_code``, ``message``,
``parameter_name``) per entry of ``Details``, empty for Identity errors.
    """

    status: int
    api_message: Optional[str]
    message_id: Optional[str]
    error_id: Optional[str]
    error_code: Optional[str]
    is_soft_error: bool
    exception: Optional[str]
    details: List[Dict[str, Optional[str]]]

    def __init__(
        self,
        message: str,
        *,
        operation: Optional[str] = None,
        status: int = 0,
        api_message: Optional[str] = None,
        message_id: Optional[str] = None,
        error_id: Optional[str] = None,
        error_code: Optional[str] = None,
        is_soft_error: bool = False,
        exception: Optional[str] = None,
        details: Optional[List[Dict[str, Optional[str]]]] = None,
    ) -> None:
        super().__init__(message, operation=operation)
        self.status = status
        self.api_message = api_message
        self.message_id = message_id
        self.error_id = error_id
        self.error_code = error_code
        self.is_soft_error = is_soft_error
        self.exception = exception
        self.details = list(details) if details is not None else []

    @property
    def message(self) -> str:
        """The tenant's ``Message``, or the error's text when the tenant gave none."""
        return self.api_message if self.api_message is not None else super().message


class AuthenticationError(IdentityError):
    """Authentication failed: bad credentials, an MFA failure, or a 401 a fresh token did not cure."""

    status: Optional[int]

    def __init__(self, message: str, *, operation: Optional[str] = None, status: Optional[int] = None) -> None:
        super().__init__(message, operation=operation)
        self.status = status


class RateLimitError(IdentityError):
    """The tenant kept answering 429 until the retry budget ran out.

    ``retry_after`` is the wait in seconds the tenant last asked for, if it sent ``Retry-After``.
    """

    status: int = 429
    retry_after: Optional[float]
    attempts: int

    def __init__(
        self,
        message: str,
        *,
        operation: Optional[str] = None,
        retry_after: Optional[float] = None,
        attempts: int = 0,
    ) -> None:
        super().__init__(message, operation=operation)
        self.retry_after = retry_after
        self.attempts = attempts


class TransportError(IdentityError, ConnectionError):
    """The request did not reach the tenant, or its answer did not arrive."""

    def __init__(self, message: str, *, operation: Optional[str] = None) -> None:
        IdentityError.__init__(self, message, operation=operation)


class TimeoutError(IdentityError, builtins.TimeoutError):
    """The per-request timeout or the overall deadline passed. ``elapsed`` is in seconds."""

    elapsed: Optional[float]

    def __init__(self, message: str, *, operation: Optional[str] = None, elapsed: Optional[float] = None) -> None:
        IdentityError.__init__(self, message, operation=operation)
        self.elapsed = elapsed


class DecodeError(IdentityError, ValueError):
    """The answer did not have the shape the spec promises.

    ``path`` is the JSON path of the failure (``Result.Results[3].Row.Name``); ``excerpt`` the
    start of the body, with secrets blanked.
    """

    path: str
    status: Optional[int]
    excerpt: str

    def __init__(
        self,
        message: str,
        *,
        operation: Optional[str] = None,
        path: str = "",
        status: Optional[int] = None,
        excerpt: str = "",
    ) -> None:
        super().__init__(message, operation=operation)
        self.path = path
        self.status = status
        self.excerpt = excerpt


class InvalidRequestError(IdentityError, ValueError):
    """The request could not be built: an argument of the wrong type, a missing path parameter."""


class ConfigurationError(IdentityError, ValueError):
    """The client is configured wrongly: a bad tenant URL, missing or conflicting credentials."""


class PagingError(IdentityError):
    """The pages of a list contradict each other or the total the tenant reported.

    A page shorter than the total implies, more items than the total, or the same page twice:
    reading on would skip or repeat items, or never end, so the iterator stops with this error.
    """
