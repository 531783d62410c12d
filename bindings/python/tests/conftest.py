"""Shared fixtures: a client of the per-test sandbox (the `sandbox` fixture comes from the
package's own pytest plugin, so these tests exercise it too)."""

from __future__ import annotations

from typing import Iterator

import pytest

from cyberark_identity import AsyncClient, Client
from cyberark_identity.testing import Sandbox


@pytest.fixture
def client(sandbox: Sandbox) -> Iterator[Client]:
    with Client(sandbox.url, client_id=sandbox.client_id, client_secret=sandbox.client_secret) as c:
        yield c


@pytest.fixture
def aclient(sandbox: Sandbox) -> AsyncClient:
    return AsyncClient(sandbox.url, client_id=sandbox.client_id, client_secret=sandbox.client_secret)


def user_ids(client: Client) -> list[tuple[str, str]]:
    """(uuid, login name) of every user of the directory."""
    rows = [item.row for item in client.cdirectory_service.get_users_iter()]
    return [(r.uuid, r.name) for r in rows if r is not None and r.uuid is not None and r.name is not None]
