"""The `retry_quota` and `allow_sign_in_host` keywords of `Client` and `AsyncClient`, which pass
the Rust builder's options of the same names through."""

from __future__ import annotations

import asyncio
import json
import urllib.request
from typing import Any

import pytest

from cyberark_identity import (
    AsyncClient,
    AuthenticationError,
    Client,
    ConfigurationError,
    InvalidRequestError,
    RateLimitError,
)
from cyberark_identity.testing import Sandbox

GET_USERS = "/CDirectoryService/GetUsers"


def requests_to(sandbox: Sandbox, path: str) -> int:
    return sum(1 for r in sandbox.requests() if r.path == path)


def credentials(sandbox: Sandbox) -> dict[str, Any]:
    return dict(client_id=sandbox.client_id, client_secret=sandbox.client_secret)


def refuse_get_users(sandbox: Sandbox, client: Client) -> None:
    """Signs the client in, then makes GetUsers answer 429 (retry at once) from now on."""
    client.cdirectory_service.get_users()
    sandbox.clear_requests()
    sandbox.inject("CDirectoryService_GetUsers", "rate_limited", retry_after=0, times=1000)


def three_refused_calls(client: Client) -> None:
    for _ in range(3):
        with pytest.raises(RateLimitError):
            client.cdirectory_service.get_users()


# retry_quota


def test_a_small_retry_quota_stops_retries_across_calls(sandbox: Sandbox) -> None:
    client = Client(sandbox.url, max_attempts=3, retry_quota=5, **credentials(sandbox))
    refuse_get_users(sandbox, client)
    three_refused_calls(client)
    # A retry takes 5: the first call retries once and empties the quota; the others send once.
    assert requests_to(sandbox, GET_USERS) == 2 + 1 + 1


def test_retry_quota_none_turns_the_quota_off(sandbox: Sandbox) -> None:
    client = Client(sandbox.url, max_attempts=3, retry_quota=None, **credentials(sandbox))
    refuse_get_users(sandbox, client)
    three_refused_calls(client)
    assert requests_to(sandbox, GET_USERS) == 3 * 3


def test_without_retry_quota_the_default_quota_allows_these_retries(sandbox: Sandbox) -> None:
    client = Client(sandbox.url, max_attempts=3, **credentials(sandbox))
    refuse_get_users(sandbox, client)
    three_refused_calls(client)
    assert requests_to(sandbox, GET_USERS) == 3 * 3


def test_async_client_takes_retry_quota(sandbox: Sandbox) -> None:
    async def main() -> None:
        client = AsyncClient(sandbox.url, max_attempts=3, retry_quota=0, **credentials(sandbox))
        await client.cdirectory_service.get_users()
        sandbox.clear_requests()
        sandbox.inject("CDirectoryService_GetUsers", "rate_limited", retry_after=0, times=10)
        with pytest.raises(RateLimitError):
            await client.cdirectory_service.get_users()

    asyncio.run(main())
    # An empty quota: no retry at all.
    assert requests_to(sandbox, GET_USERS) == 1


@pytest.mark.parametrize("bad", [-1, 2**32, "5", 1.5])
def test_a_bad_retry_quota_is_invalid(bad: Any) -> None:
    with pytest.raises(InvalidRequestError, match="retry_quota"):
        Client("http://127.0.0.1:1", token="t", retry_quota=bad)


# allow_sign_in_host


def inject_answer(sandbox: Sandbox, operation: str, body: Any) -> None:
    """Makes the next request of `operation` answer 200 with the JSON `body`."""
    request = urllib.request.Request(
        f"{sandbox.url.rstrip('/')}/__sandbox/faults",
        data=json.dumps(
            {"operation": operation, "fault": {"kind": "answer", "status": 200, "body": body}, "times": 1}
        ).encode(),
        headers={"Content-Type": "application/json"},
        method="POST",
    )
    with urllib.request.urlopen(request, timeout=10) as answer:
        assert answer.status < 300


def login(sandbox: Sandbox, cls: type = Client, **options: Any) -> Any:
    return cls(sandbox.url, username=sandbox.admin_username, password=sandbox.admin_password, **options)


def test_a_user_login_with_allowed_hosts_signs_in(sandbox: Sandbox) -> None:
    client = login(sandbox, allow_sign_in_host=["login.corp.example", "*.corp.example"])
    assert client.cdirectory_service.get_users().full_count
    # Any sequence of strings, as the stubs say.
    assert login(sandbox, allow_sign_in_host=("login.corp.example",)).cdirectory_service.get_users().full_count


def test_async_client_takes_allow_sign_in_host(sandbox: Sandbox) -> None:
    async def main() -> None:
        client = login(sandbox, AsyncClient, allow_sign_in_host=["*.corp.example"])
        assert (await client.cdirectory_service.get_users()).full_count

    asyncio.run(main())


def test_a_redirect_to_a_host_not_allowed_is_refused(sandbox: Sandbox) -> None:
    # Only a host that is not allowed: a redirect there is refused before anything is sent to it,
    # so this test never leaves 127.0.0.1.
    client = login(sandbox, allow_sign_in_host=["login.other.example"])
    inject_answer(
        sandbox,
        "Authentication_StartAuthentication",
        {"success": True, "Result": {"PodFqdn": "https://login.corp.example"}},
    )
    with pytest.raises(AuthenticationError, match="allow_sign_in_host"):
        client.cdirectory_service.get_users()


def test_allow_sign_in_host_needs_a_user_login(sandbox: Sandbox) -> None:
    with pytest.raises(ConfigurationError, match="allow_sign_in_host"):
        Client(sandbox.url, allow_sign_in_host=["*.corp.example"], **credentials(sandbox))


@pytest.mark.parametrize("bad", ["https://login.corp.example", "login.corp.example:443", "*.", " "])
def test_a_malformed_host_is_a_configuration_error(sandbox: Sandbox, bad: str) -> None:
    with pytest.raises(ConfigurationError, match="allow_sign_in_host"):
        login(sandbox, allow_sign_in_host=[bad])


@pytest.mark.parametrize("bad", ["login.corp.example", {"login.corp.example": 1}, [1], 5])
def test_allow_sign_in_host_must_be_a_list_of_strings(sandbox: Sandbox, bad: Any) -> None:
    # A single string is refused rather than read as a list of one-letter hosts.
    with pytest.raises(InvalidRequestError, match="allow_sign_in_host"):
        login(sandbox, allow_sign_in_host=bad)
