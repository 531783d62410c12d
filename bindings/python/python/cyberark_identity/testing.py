"""Testing helpers: the sandbox tenant, in-process.

>>> from cyberark_identity import Client
>>> from cyberark_identity.testing import Sandbox
>>> with Sandbox() as sb:
...     client = Client(sb.url, client_id=sb.client_id, client_secret=sb.client_secret)
...     sb.inject("Org_Create", "status", status=503)

``Sandbox(seed="demo" | "empty", token_ttl=None, port=0, otp_code=None)`` starts a stateful fake
tenant on 127.0.0.1 that implements every operation of the spec. ``inject(operation, fault, ...)``
makes requests fail (``"status"``, ``"rate_limited"``, ``"delay"``, ``"drop_connection"``,
``"truncated_body"``, ``"malformed_json"``), ``hold(operation)`` parks the next request until
``release()``, and ``requests()`` lists what clients sent, secrets redacted (a request whose
client went away before the answer, such as a cancelled call, is logged with status 0).

With pytest, the ``sandbox`` fixture (registered by this package's pytest plugin) yields a fresh
demo sandbox per test.
"""

from __future__ import annotations

from ._native import Hold, LoggedRequest, Sandbox

__all__ = ["Sandbox", "Hold", "LoggedRequest"]
