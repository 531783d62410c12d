"""Role Management of the CyberArk Identity API, generated from CyberArk's published definition.

>>> from cyberark_identity.roles import Client
>>> with Client("abc1234.id.cyberark.cloud", client_id="...", client_secret="...") as roles:
...     role = roles.roles.store_role(name="Auditors")

``Client`` and ``AsyncClient`` take the same sign-in keywords as :class:`cyberark_identity.Client`
(client credentials, an OAuth grant, a token, or a user login with ``mfa``). Errors are the
classes of :mod:`cyberark_identity.errors`.
"""

from __future__ import annotations

# The classes live in a submodule of the one native extension, `cyberark_identity._native`,
# which registers it as `cyberark_identity.roles._native` when it is first imported.
import cyberark_identity._native  # noqa: F401

from ._native import AsyncClient, Client

__all__ = ["Client", "AsyncClient"]
