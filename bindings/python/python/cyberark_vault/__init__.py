"""A typed client for the CyberArk Vault API (PAM Self-Hosted and Privilege Cloud).

>>> from cyberark_vault import Client
>>> with Client("https://pvwa.example.com/PasswordVault", username="admin", password="...") as vault:
...     for account in vault.accounts.list_iter(search="web01"):
...         print(account.name)

Self-hosted PAM: ``username`` and ``password`` log on (``method``: ``CyberArk``, the default,
``LDAP`` or ``RADIUS``) and leaving the ``with`` block logs off. Privilege Cloud: ``token``, the
Identity platform token (``cyberark_identity``). ``AsyncClient`` has the same attributes with
awaitable methods. Errors are the classes of :mod:`cyberark_identity.errors`, re-exported by
:mod:`cyberark_vault.errors`, so one ``except`` serves both clients.
"""

from __future__ import annotations

# The Vault's classes live in a submodule of the one native extension, `cyberark_identity._native`,
# which registers it as `cyberark_vault._native` when it is first imported.
import cyberark_identity._native  # noqa: F401

from . import errors
from ._native import AsyncClient, Client
from .errors import (
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
    "Client",
    "AsyncClient",
    "errors",
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
