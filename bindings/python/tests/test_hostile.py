"""A hostile server, through Python: deep nesting, huge and slow answers, wrong content types,
invalid UTF-8, duplicate keys, out-of-range numbers, HTML and redirects each raise a typed error
in bounded time and memory, and the same client works for the next call. Path, query and header
values cannot change the request's shape."""

from __future__ import annotations

import asyncio
import builtins

import pytest

from cyberark_identity import (
    ApiError,
    AsyncClient,
    Client,
    DecodeError,
    InvalidRequestError,
)
from cyberark_identity.testing import Sandbox

GET_USER = "CDirectoryService_GetUser"


def wary(sandbox: Sandbox, **options: object) -> Client:
    """A client without retries, so each hostile answer is met once."""
    return Client(
        sandbox.url,
        client_id=sandbox.client_id,
        client_secret=sandbox.client_secret,
        max_attempts=1,
        **options,  # type: ignore[arg-type]
    )


def a_user_id(client: Client) -> str:
    table = client.cdirectory_service.get_users()
    uuid = (table.results or [])[0].row.uuid  # type: ignore[union-attr]
    assert uuid
    return str(uuid)


def test_a_deeply_nested_answer_is_a_decode_error(sandbox: Sandbox) -> None:
    """Issue 11: 100,000 nested arrays in `Result` killed the interpreter with a segfault."""
    client = wary(sandbox)
    uuid = a_user_id(client)
    sandbox.inject(GET_USER, "deep_nesting")
    with pytest.raises(DecodeError) as info:
        client.cdirectory_service.get_user(uuid)
    assert "deeper than 128 levels" in str(info.value)
    assert info.value.operation == GET_USER
    # An untyped answer (`Any`) is refused the same way rather than converted level by level.
    sandbox.inject("Org_ListAll", "deep_nesting")
    with pytest.raises(DecodeError):
        client.org.list_all()
    assert client.cdirectory_service.get_user(uuid) is not None
    assert client.org.list_all() is not None


def test_an_answer_past_the_size_limit_stops_the_read(sandbox: Sandbox) -> None:
    """Issue 11: a 300 MB answer cost the client 300 MB; now the read stops at the limit."""
    client = wary(sandbox, max_response_bytes=1024 * 1024)
    uuid = a_user_id(client)
    sandbox.inject(GET_USER, "huge_body")
    with pytest.raises(DecodeError) as info:
        client.cdirectory_service.get_user(uuid)
    assert "larger than the client's limit of 1048576 bytes" in str(info.value)
    assert client.cdirectory_service.get_user(uuid) is not None
    # The default limit (64 MiB) stops a 256 MiB answer too.
    default = wary(sandbox)
    sandbox.inject(GET_USER, "huge_body")
    with pytest.raises(DecodeError) as info:
        default.cdirectory_service.get_user(uuid)
    assert "limit of 67108864 bytes" in str(info.value)
    with pytest.raises(InvalidRequestError):
        Client(sandbox.url, max_response_bytes=0)


def test_a_slow_drip_ends_at_the_timeout(sandbox: Sandbox) -> None:
    client = wary(sandbox, timeout=1.0)
    uuid = a_user_id(client)
    sandbox.inject(GET_USER, "slow_drip")
    with pytest.raises(builtins.TimeoutError):
        client.cdirectory_service.get_user(uuid)
    patient = wary(sandbox, timeout=600.0, deadline=1.5)
    sandbox.inject(GET_USER, "slow_drip")
    with pytest.raises(builtins.TimeoutError):
        patient.cdirectory_service.get_user(uuid)
    assert patient.cdirectory_service.get_user(uuid) is not None


@pytest.mark.parametrize(
    "fault", ["wrong_content_type", "invalid_utf8", "duplicate_keys", "out_of_range", "html"]
)
def test_malformed_answers_are_decode_errors(sandbox: Sandbox, fault: str) -> None:
    client = wary(sandbox)
    uuid = a_user_id(client)
    sandbox.inject(GET_USER, fault)
    with pytest.raises(DecodeError) as info:
        client.cdirectory_service.get_user(uuid)
    assert "\n" not in str(info.value)
    assert client.cdirectory_service.get_user(uuid) is not None


def test_redirects_are_not_followed(sandbox: Sandbox) -> None:
    client = wary(sandbox)
    uuid = a_user_id(client)
    sandbox.inject(GET_USER, "redirect")
    with pytest.raises(ApiError) as info:
        client.cdirectory_service.get_user(uuid)
    assert info.value.status == 307
    assert client.cdirectory_service.get_user(uuid) is not None


def test_the_async_client_meets_the_same_limits(sandbox: Sandbox) -> None:
    async def main() -> None:
        async with AsyncClient(
            sandbox.url,
            client_id=sandbox.client_id,
            client_secret=sandbox.client_secret,
            max_attempts=1,
            max_response_bytes=1024 * 1024,
        ) as c:
            table = await c.cdirectory_service.get_users()
            uuid = (table.results or [])[0].row.uuid  # type: ignore[union-attr]
            assert uuid
            for fault in ["deep_nesting", "huge_body", "html"]:
                sandbox.inject(GET_USER, fault)
                with pytest.raises(DecodeError):
                    await c.cdirectory_service.get_user(uuid)
            assert await c.cdirectory_service.get_user(uuid) is not None
            for bad in ["..", ".", ""]:
                with pytest.raises(InvalidRequestError):
                    await c.scim.delete_group(bad)

    asyncio.run(main())


@pytest.mark.parametrize("group_id", ["..", ".", ""])
def test_dot_segment_path_parameters_are_refused(client: Client, sandbox: Sandbox, group_id: str) -> None:
    """Issue 11: `delete_group("..")` sent `DELETE /scim/Groups`, the collection."""
    with pytest.raises(InvalidRequestError) as info:
        client.scim.delete_group(group_id)
    assert "path parameter `id`" in str(info.value)
    assert not [r for r in sandbox.requests() if r.method == "DELETE"]


@pytest.mark.parametrize(
    ("value", "segment"),
    [
        ("a/b", "a%2Fb"),
        ("x?y", "x%3Fy"),
        ("x#y", "x%23y"),
        ("%2e%2e", "%252e%252e"),
        ("ünï", "%C3%BCn%C3%AF"),
        ("a\r\nb", "a%0D%0Ab"),
    ],
)
def test_nasty_path_values_stay_one_segment(client: Client, sandbox: Sandbox, value: str, segment: str) -> None:
    with pytest.raises(ApiError):
        client.scim.delete_group(value)
    deletes = [r for r in sandbox.requests() if r.method == "DELETE"]
    assert [r.path for r in deletes] == [f"/scim/Groups/{segment}"]


def test_query_values_cannot_add_parameters(client: Client, sandbox: Sandbox) -> None:
    client.org.list_all(format="x&admin=1\r\n#frag")
    listed = [r for r in sandbox.requests() if r.operation == "Org_ListAll"]
    assert listed[-1].query == "format=x%26admin%3D1%0D%0A%23frag"

