"""The pytest plugin of ``cyberark_identity``: a ``sandbox`` fixture for users' own tests.

It is registered through the ``pytest11`` entry point, so installing the package is enough:

    def test_creates_an_org(sandbox):
        client = Client(sandbox.url, client_id=sandbox.client_id, client_secret=sandbox.client_secret)
        ...
"""

from __future__ import annotations

from typing import Iterator

import pytest

from .testing import Sandbox

__all__ = ["sandbox"]


@pytest.fixture
def sandbox() -> Iterator[Sandbox]:
    """A fresh sandbox tenant seeded with demo data, shut down after the test."""
    with Sandbox(seed="demo") as sb:
        yield sb
