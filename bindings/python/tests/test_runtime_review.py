"""The runtime fixes of issue 17, seen through Python against the sandbox's fault injection: one
group per theme (sign-in and the token, limits and retries, paging)."""

from __future__ import annotations

import json
import urllib.request
from typing import Any

import pytest

from cyberark_identity import ApiError, AuthenticationError, Client, IdentityError, PagingError, RateLimitError
from cyberark_identity.testing import Sandbox


def inject_answer(sandbox: Sandbox, operation: str, status: int, body: Any, *, times: int = 1, retry_after: int | None = None) -> None:
    """Makes the next `times` requests of `operation` answer `status` with the JSON `body`."""
    fault: dict[str, Any] = {"kind": "answer", "status": status, "body": body}
    if retry_after is not None:
        fault["retry_after_seconds"] = retry_after
    request = urllib.request.Request(
        f"{sandbox.url.rstrip('/')}/__sandbox/faults",
        data=json.dumps({"operation": operation, "fault": fault, "times": times}).encode(),
        headers={"Content-Type": "application/json"},
        method="POST",
    )
    with urllib.request.urlopen(request) as answer:
        assert answer.status < 300


def requests_to(sandbox: Sandbox, path: str) -> int:
    return sum(1 for r in sandbox.requests() if r.path == path)


def client_of(sandbox: Sandbox, **options: Any) -> Client:
    return Client(sandbox.url, client_id=sandbox.client_id, client_secret=sandbox.client_secret, **options)


# Sign-in and the token.


def test_forbidden_calls_do_not_sign_in_again(sandbox: Sandbox) -> None:
    client = client_of(sandbox)
    client.cdirectory_service.get_users()
    # Four refusals: the first call is refused twice (before and after signing in again).
    sandbox.inject("CDirectoryService_GetUser", "status", status=401, times=4)
    for _ in range(3):
        with pytest.raises(AuthenticationError) as info:
            client.cdirectory_service.get_user("no-such-user")
        assert "not allowed" in str(info.value)
        assert info.value.status == 401
    # The first refusal signs in once more (the token might have been revoked); the fresh token is
    # refused too, so the other two are reported without signing in again.
    assert requests_to(sandbox, "/oauth2/platformtoken") == 2
    client.cdirectory_service.get_users()


# Limits and retries.


def test_a_retry_wait_past_the_deadline_gives_up_at_once(sandbox: Sandbox) -> None:
    client = client_of(sandbox, deadline=5.0)
    client.cdirectory_service.get_users()
    sandbox.clear_requests()
    sandbox.inject("CDirectoryService_GetUsers", "rate_limited", retry_after=30, times=5)
    with pytest.raises(RateLimitError) as info:
        client.cdirectory_service.get_users()
    assert info.value.attempts == 1
    assert info.value.retry_after == 30
    assert requests_to(sandbox, "/CDirectoryService/GetUsers") == 1


def test_retry_after_on_503_is_honoured(sandbox: Sandbox) -> None:
    client = client_of(sandbox, deadline=5.0)
    client.cdirectory_service.get_users()
    sandbox.clear_requests()
    inject_answer(sandbox, "CDirectoryService_GetUsers", 503, {"busy": True}, times=5, retry_after=120)
    # The tenant asks for two minutes; within a 5 s deadline the client stops instead of
    # resending at once.
    with pytest.raises(ApiError) as info:
        client.cdirectory_service.get_users()
    assert info.value.status == 503
    assert requests_to(sandbox, "/CDirectoryService/GetUsers") == 1


# Paging.


def page(rows: list[str], full_count: int | None) -> dict[str, Any]:
    result: dict[str, Any] = {"Results": [{"Row": {"Uuid": u, "Name": f"{u}@example"}} for u in rows]}
    if full_count is not None:
        result["FullCount"] = full_count
    return {"success": True, "Result": result}


def test_a_page_that_contradicts_the_total_is_an_error(sandbox: Sandbox) -> None:
    client = client_of(sandbox)
    inject_answer(sandbox, "CDirectoryService_GetUsers", 200, page(["a", "b"], 10))
    with pytest.raises(PagingError) as info:
        list(client.cdirectory_service.get_users_iter(page_size=5))
    assert isinstance(info.value, IdentityError)
    assert "do not add up" in str(info.value)
    assert info.value.operation == "CDirectoryService_GetUsers"


def test_a_repeated_page_ends_the_stream_with_an_error(sandbox: Sandbox) -> None:
    client = client_of(sandbox)
    inject_answer(sandbox, "CDirectoryService_GetUsers", 200, page(["a", "b"], None), times=3)
    seen: list[str] = []
    with pytest.raises(IdentityError) as info:
        for row in client.cdirectory_service.get_users_iter(page_size=2):
            assert row.row is not None and row.row.uuid is not None
            seen.append(row.row.uuid)
    assert "repeats an earlier page" in str(info.value)
    assert seen == ["a", "b"]
