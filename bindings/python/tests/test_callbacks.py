"""The `mfa=` callback, re-entry from logging handlers, panics, and the clients' lifecycle.

The callback runs where the caller runs: on the calling thread for `Client`, in the caller's
event loop and context for `AsyncClient`; what it raises is chained, never swallowed.
"""

from __future__ import annotations

import asyncio
import contextvars
import gc
import logging
import os
import threading
import time
import weakref
from typing import Any, List, Optional

import pytest

from cyberark_identity import AsyncClient, AuthenticationError, Client, IdentityError, MfaChallenge
from cyberark_identity.testing import Sandbox

CALLER: contextvars.ContextVar[str] = contextvars.ContextVar("CALLER", default="unset")


def mfa_client(sandbox: Sandbox, cls: Any, callback: Any) -> Any:
    return cls(sandbox.url, username=sandbox.mfa_username, password=sandbox.mfa_password, mfa=callback)


# Finding 8: the callback runs on the calling thread, in the caller's context.


def test_sync_callback_runs_on_the_calling_thread_in_its_context(sandbox: Sandbox) -> None:
    seen: List[Any] = []

    def answer(challenge: MfaChallenge) -> str:
        seen.append((threading.get_ident(), CALLER.get()))
        return sandbox.otp_code

    client = mfa_client(sandbox, Client, answer)
    CALLER.set("main caller")
    assert client.cdirectory_service.get_users().full_count
    assert seen == [(threading.get_ident(), "main caller")]


def test_async_callback_runs_in_the_callers_loop_and_context(sandbox: Sandbox) -> None:
    seen: List[Any] = []

    def answer(challenge: MfaChallenge) -> str:
        seen.append((threading.get_ident(), CALLER.get(), asyncio.get_running_loop()))
        return sandbox.otp_code

    async def main() -> Any:
        CALLER.set("async caller")
        client = mfa_client(sandbox, AsyncClient, answer)
        await client.cdirectory_service.get_users()
        return asyncio.get_running_loop()

    loop = asyncio.run(main())
    assert seen == [(threading.get_ident(), "async caller", loop)]


# Finding 7: coroutine callbacks on AsyncClient; exceptions chained; BaseExceptions through.


def test_async_def_callback_on_async_client(sandbox: Sandbox) -> None:
    async def answer(challenge: MfaChallenge) -> str:
        await asyncio.sleep(0)
        return sandbox.otp_code

    async def main() -> None:
        client = mfa_client(sandbox, AsyncClient, answer)
        assert (await client.cdirectory_service.get_users()).full_count

    asyncio.run(main())


def test_callback_exception_is_the_cause(sandbox: Sandbox) -> None:
    problem = ValueError("no token device at hand")

    def answer(challenge: MfaChallenge) -> str:
        raise problem

    with pytest.raises(AuthenticationError) as caught:
        mfa_client(sandbox, Client, answer).cdirectory_service.get_users()
    assert caught.value.__cause__ is problem


def test_async_callback_exception_is_the_cause(sandbox: Sandbox) -> None:
    problem = LookupError("no such device")

    async def answer(challenge: MfaChallenge) -> str:
        raise problem

    async def main() -> None:
        with pytest.raises(AuthenticationError) as caught:
            await mfa_client(sandbox, AsyncClient, answer).cdirectory_service.get_users()
        assert caught.value.__cause__ is problem

    asyncio.run(main())


def test_keyboard_interrupt_in_callback_passes_through(sandbox: Sandbox) -> None:
    def answer(challenge: MfaChallenge) -> str:
        raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        mfa_client(sandbox, Client, answer).cdirectory_service.get_users()
    # The client is usable afterwards.
    assert Client(sandbox.url, client_id=sandbox.client_id, client_secret=sandbox.client_secret).org.create("x").id


def test_wrong_return_type_is_a_type_error_cause(sandbox: Sandbox) -> None:
    with pytest.raises(AuthenticationError) as caught:
        mfa_client(sandbox, Client, lambda challenge: 123456).cdirectory_service.get_users()
    assert isinstance(caught.value.__cause__, TypeError)
    assert "int" in str(caught.value.__cause__)


def test_async_def_callback_on_sync_client_says_why(sandbox: Sandbox) -> None:
    async def answer(challenge: MfaChallenge) -> str:
        return sandbox.otp_code

    with pytest.raises(AuthenticationError) as caught:
        mfa_client(sandbox, Client, answer).cdirectory_service.get_users()
    assert isinstance(caught.value.__cause__, TypeError)
    assert "AsyncClient" in str(caught.value.__cause__)


# Finding 5: a client whose callback refers back to its owner is garbage, and is collected.


class Owner:
    def __init__(self, sandbox: Sandbox, cls: Any) -> None:
        self.sandbox = sandbox
        self.client = mfa_client(sandbox, cls, self.answer)
        self.users = self.client.cdirectory_service

    def answer(self, challenge: MfaChallenge) -> str:
        return self.sandbox.otp_code


@pytest.mark.parametrize("cls", [Client, AsyncClient])
def test_callback_cycle_is_collected(sandbox: Sandbox, cls: Any) -> None:
    owner = Owner(sandbox, cls)
    if cls is Client:
        assert owner.users.get_users().full_count
    alive = weakref.ref(owner)
    del owner
    gc.collect()
    assert alive() is None


# Finding 4: no panic crosses into Python.


def test_logging_handler_using_a_client_gets_a_runtime_error(sandbox: Sandbox) -> None:
    other = Client(sandbox.url, client_id=sandbox.client_id, client_secret=sandbox.client_secret)
    errors: List[BaseException] = []

    class Handler(logging.Handler):
        def emit(self, record: logging.LogRecord) -> None:
            if errors:
                return
            try:
                other.org.create("from a log handler")
                errors.append(AssertionError("the nested call went through"))
            except BaseException as e:
                errors.append(e)

    logger = logging.getLogger("cyberark_identity")
    handler = Handler()
    previous = logger.level
    logger.addHandler(handler)
    logger.setLevel(logging.DEBUG)
    try:
        Client(sandbox.url, client_id=sandbox.client_id, client_secret=sandbox.client_secret).org.create("logged")
    finally:
        logger.removeHandler(handler)
        logger.setLevel(previous)
    assert len(errors) == 1
    assert isinstance(errors[0], RuntimeError), repr(errors[0])
    assert "inside" in str(errors[0])


def test_absurd_rate_limit_is_an_exception(sandbox: Sandbox) -> None:
    with pytest.raises(Exception):
        Client(sandbox.url, client_id=sandbox.client_id, client_secret=sandbox.client_secret, rate_limit=1e-19).org.create("x")


def test_dict_changing_size_while_converted_is_an_exception(client: Client) -> None:
    extra: dict[str, Any] = {}

    class Grows:
        def to_dict(self) -> dict[str, Any]:
            extra["more"] = 1
            return {}

    extra["grows"] = Grows()
    with pytest.raises(Exception):
        client.scim.create_user({"schemas": ["urn:ietf:params:scim:schemas:core:2.0:User"], "userName": "g@x.example", "x": extra})


# Lifecycle: close() and the context managers release the client; a closed client says so.


def test_closed_client_raises(sandbox: Sandbox) -> None:
    with Client(sandbox.url, client_id=sandbox.client_id, client_secret=sandbox.client_secret) as client:
        users = client.cdirectory_service
        assert users.get_users().full_count
    with pytest.raises(IdentityError, match="closed"):
        client.cdirectory_service.get_users()
    with pytest.raises(IdentityError, match="closed"):
        users.get_users()
    client.close()  # closing twice is fine


def test_closed_async_client_raises(sandbox: Sandbox) -> None:
    async def main() -> Optional[AsyncClient]:
        async with AsyncClient(sandbox.url, client_id=sandbox.client_id, client_secret=sandbox.client_secret) as client:
            assert (await client.cdirectory_service.get_users()).full_count
        with pytest.raises(IdentityError, match="closed"):
            await client.cdirectory_service.get_users()
        other = AsyncClient(sandbox.url, client_id=sandbox.client_id, client_secret=sandbox.client_secret)
        await other.aclose()
        with pytest.raises(IdentityError, match="closed"):
            await other.org.create("x")
        return None

    asyncio.run(main())


def test_async_client_in_two_event_loops(sandbox: Sandbox) -> None:
    client = AsyncClient(sandbox.url, client_id=sandbox.client_id, client_secret=sandbox.client_secret)

    async def once() -> Any:
        return (await client.cdirectory_service.get_users()).full_count

    assert asyncio.run(once())
    assert asyncio.run(once())


def test_callback_may_use_another_client(sandbox: Sandbox) -> None:
    other = Client(sandbox.url, client_id=sandbox.client_id, client_secret=sandbox.client_secret)

    def answer(challenge: MfaChallenge) -> str:
        assert other.org.create("made by the mfa callback").id
        return sandbox.otp_code

    assert mfa_client(sandbox, Client, answer).cdirectory_service.get_users().full_count


@pytest.mark.skipif(not os.path.isdir("/proc/self/fd"), reason="counts open files through /proc")
def test_collected_and_closed_clients_release_their_sockets(sandbox: Sandbox) -> None:
    def open_files() -> int:
        return len(os.listdir("/proc/self/fd"))

    def settled(limit: int) -> bool:
        # Connections close on the runtime's threads shortly after the client goes.
        for _ in range(500):
            if open_files() <= limit:
                return True
            time.sleep(0.02)
        return False

    Client(sandbox.url, client_id=sandbox.client_id, client_secret=sandbox.client_secret).org.create("warm up")
    before = open_files()
    for _ in range(40):
        owner = Owner(sandbox, Client)
        assert owner.users.get_users().full_count
        del owner
    gc.collect()
    assert settled(before + 5), (before, open_files())
    for _ in range(40):
        with Client(sandbox.url, client_id=sandbox.client_id, client_secret=sandbox.client_secret) as client:
            assert client.cdirectory_service.get_users().full_count
    assert settled(before + 5), (before, open_files())
