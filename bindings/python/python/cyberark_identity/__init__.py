"""A typed client for the CyberArk Identity API.

>>> from cyberark_identity import Client
>>> with Client("abc1234.id.cyberark.cloud", client_id="...", client_secret="...") as client:
...     org = client.org.create(name="Finance", description="Delegated admins of finance")

``AsyncClient`` has the same attributes with awaitable methods. Every error derives from
:class:`cyberark_identity.errors.IdentityError`; ``cyberark_identity.testing.Sandbox`` is a local
tenant for tests. Log records go to the ``cyberark_identity`` logger.
"""

from __future__ import annotations

from . import errors
from ._native import AsyncClient, AsyncPageIterator, Client, MfaChallenge, PageIterator
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
from .redrock import Query

__all__ = [
    "Client",
    "AsyncClient",
    "MfaChallenge",
    "PageIterator",
    "AsyncPageIterator",
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
    "Query",
]
