"""Every exception class, raised by a real failure and caught as its builtin base too; and the
one Rust→Python mapping, variant by variant."""

from __future__ import annotations

import builtins
import threading

import pytest

from cyberark_identity import (
    ApiError,
    AuthenticationError,
    Client,
    ConfigurationError,
    DecodeError,
    IdentityError,
    InvalidRequestError,
    PagingError,
    RateLimitError,
    TimeoutError,
    TransportError,
)
from cyberark_identity._native import _raise_test_error
from cyberark_identity.testing import Sandbox


def test_api_error_from_the_sandbox(client: Client) -> None:
    with pytest.raises(ApiError) as info:
        client.cdirectory_service.get_user("no-such-user")
    error = info.value
    assert isinstance(error, IdentityError)
    assert error.operation == "CDirectoryService_GetUser"
    assert error.status == 200
    assert error.api_message
    # `message` is the tenant's `Message`, as in Rust; `str()` is the whole sentence around it.
    assert error.message == error.api_message
    assert error.api_message in str(error) and str(error) != error.message


def test_bad_secret_is_an_authentication_error(sandbox: Sandbox) -> None:
    client = Client(sandbox.url, client_id=sandbox.client_id, client_secret="wrong", max_attempts=1)
    with pytest.raises(AuthenticationError):
        client.cdirectory_service.get_users()


def test_rate_limit_after_retries(client: Client, sandbox: Sandbox) -> None:
    client.cdirectory_service.get_users()
    sandbox.inject("CDirectoryService_GetUsers", "rate_limited", times=10, retry_after=0)
    limited = Client(sandbox.url, client_id=sandbox.client_id, client_secret=sandbox.client_secret, max_attempts=2)
    with pytest.raises(RateLimitError) as info:
        limited.cdirectory_service.get_users()
    assert info.value.attempts == 2


def test_timeout_on_a_held_request(sandbox: Sandbox) -> None:
    client = Client(sandbox.url, client_id=sandbox.client_id, client_secret=sandbox.client_secret, timeout=0.3, max_attempts=1)
    client.cdirectory_service.get_users()
    hold = sandbox.hold("CDirectoryService_GetUsers")
    try:
        with pytest.raises(builtins.TimeoutError) as info:
            client.cdirectory_service.get_users()
        assert isinstance(info.value, TimeoutError)
    finally:
        hold.release()


def test_dropped_connection_is_a_transport_error(sandbox: Sandbox) -> None:
    client = Client(sandbox.url, client_id=sandbox.client_id, client_secret=sandbox.client_secret, max_attempts=1)
    client.cdirectory_service.get_users()
    sandbox.inject("CDirectoryService_GetUsers", "drop_connection")
    with pytest.raises(ConnectionError) as info:
        client.cdirectory_service.get_users()
    assert isinstance(info.value, TransportError)


def test_malformed_body_is_a_decode_error(client: Client, sandbox: Sandbox) -> None:
    sandbox.inject("SCIM_ListGroups", "malformed_json")
    with pytest.raises(ValueError) as info:
        client.scim.list_groups()
    assert isinstance(info.value, DecodeError)
    assert info.value.operation == "SCIM_ListGroups"


def test_invalid_request_and_configuration() -> None:
    with pytest.raises(ValueError) as info:
        Client("http://127.0.0.1:9", client_id="x")
    assert isinstance(info.value, ConfigurationError)
    with pytest.raises(InvalidRequestError):
        Client("http://127.0.0.1:9", timeout=-1.0)


@pytest.mark.parametrize(
    ("variant", "cls", "builtin"),
    [
        ("api", ApiError, IdentityError),
        ("auth", AuthenticationError, IdentityError),
        ("rate_limited", RateLimitError, IdentityError),
        ("transport", TransportError, ConnectionError),
        ("timeout", TimeoutError, builtins.TimeoutError),
        ("decode", DecodeError, ValueError),
        ("invalid_request", InvalidRequestError, ValueError),
        ("config", ConfigurationError, ValueError),
        ("paging", PagingError, IdentityError),
    ],
)
def test_mapping_of_every_variant(variant: str, cls: type, builtin: type) -> None:
    with pytest.raises(cls) as info:
        _raise_test_error(variant)
    assert isinstance(info.value, builtin)
    error = info.value
    if isinstance(error, ApiError):
        assert (error.status, error.message_id, error.error_id, error.error_code) == (
            200,
            "_I18N_Roles.Exists",
            "abc:def",
            "1409",
        )
        assert error.api_message == "Role exists" and error.operation == "Org_Create" and error.is_soft_error
        assert error.message == "Role exists"
    if isinstance(error, RateLimitError):
        assert error.retry_after == 1.5 and error.attempts == 4
    if isinstance(error, DecodeError):
        assert error.path == "Result.Uuid"
    if isinstance(error, AuthenticationError):
        assert error.status == 401
    if isinstance(error, PagingError):
        assert error.operation == "CDirectoryService_GetUsers"
        assert "do not add up" in str(error)


def test_gil_is_released_while_a_request_is_held(client: Client, sandbox: Sandbox) -> None:
    """While one thread's request waits in the sandbox, another thread's request completes."""
    client.cdirectory_service.get_users()
    hold = sandbox.hold("Org_Create")
    result: list[object] = []
    worker = threading.Thread(target=lambda: result.append(client.org.create("Held Org")))
    worker.start()
    assert hold.wait_arrived(timeout=30)
    # The worker is blocked inside the call; this one still runs Python and completes a call.
    assert client.cdirectory_service.get_users().full_count
    assert not result
    hold.release()
    worker.join(timeout=30)
    assert len(result) == 1
