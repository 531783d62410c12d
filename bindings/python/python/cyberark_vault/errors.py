"""The exceptions every call of the Vault client may raise: the same classes as
:mod:`cyberark_identity.errors`, re-exported.

The two clients share one exception hierarchy, so ``except cyberark_vault.ApiError`` catches a
refused Vault call and a refused Identity call alike. A Vault error answer (``ErrorCode``,
``ErrorMessage``, ``Details``) becomes an :class:`ApiError` whose ``status`` is the HTTP status,
``error_code`` the Vault's code (``PASWS…``, ``ITATS…``), ``message`` its ``ErrorMessage`` and
``details`` its ``Details``.
"""

from __future__ import annotations

from cyberark_identity.errors import (
    ApiError,
    AuthenticationError,
    ConfigurationError,
    DecodeError,
    IdentityError,
    InvalidRequestError,
    PagingError,
    RateLimitError,
    TimeoutError,
    TransportError,
)

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
