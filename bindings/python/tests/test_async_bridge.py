"""How `AsyncClient` outcomes reach the event loop: in batches, on the loop's own thread, through
a socket the loop watches, or through `call_soon_threadsafe` for a loop without `add_reader`."""

from __future__ import annotations

import asyncio
import os
import threading
import time
from typing import Any

import pytest

from cyberark_identity import AsyncClient, Client, _native
from cyberark_identity.errors import ApiError
from cyberark_identity.testing import Sandbox


def first_user(client: Client) -> str:
    rows = client.cdirectory_service.get_users().results or []
    uuid = rows[0].row.uuid  # type: ignore[union-attr]
    assert uuid
    return uuid


async def burst(client: AsyncClient, uuid: str, calls: int) -> tuple[list[Any], list[BaseException], set[int]]:
    """`calls` concurrent reads of `uuid`, every fourth one of a user that does not exist; returns
    the users read, the errors raised and the threads the awaits resumed on."""
    threads: set[int] = set()

    async def one(i: int) -> Any:
        try:
            return await client.cdirectory_service.get_user(uuid if i % 4 else "no-such-user")
        finally:
            threads.add(threading.get_ident())

    outcomes = await asyncio.gather(*(one(i) for i in range(calls)), return_exceptions=True)
    users = [o for o in outcomes if not isinstance(o, BaseException)]
    errors = [o for o in outcomes if isinstance(o, BaseException)]
    return users, errors, threads


def test_a_burst_settles_every_call_on_the_loops_thread(sandbox: Sandbox, client: Client) -> None:
    uuid = first_user(client)
    aclient = AsyncClient(sandbox.url, client_id=sandbox.client_id, client_secret=sandbox.client_secret)
    # Three loops one after the other: each gets its own wakeup, and none inherits another's.
    for _ in range(3):
        users, errors, threads = asyncio.run(burst(aclient, uuid, 200))
        assert len(users) == 150 and all(u.uuid == uuid for u in users)
        assert len(errors) == 50 and all(isinstance(e, ApiError) for e in errors), errors[:3]
        assert threads == {threading.get_ident()}


class NoReaderLoop(asyncio.SelectorEventLoop):
    """A loop that cannot watch file descriptors, like the proactor loop on Windows."""

    # The stub's signature is generic over the callback's arguments; this one refuses any call.
    def add_reader(self, *args: Any, **kwargs: Any) -> None:  # type: ignore[override]
        raise NotImplementedError("no add_reader on this loop")


def test_a_loop_without_add_reader_is_woken_with_call_soon_threadsafe(sandbox: Sandbox, client: Client) -> None:
    uuid = first_user(client)
    aclient = AsyncClient(sandbox.url, client_id=sandbox.client_id, client_secret=sandbox.client_secret)
    loop = NoReaderLoop()
    try:
        users, errors, threads = loop.run_until_complete(burst(aclient, uuid, 100))
    finally:
        loop.close()
    assert len(users) == 75 and all(u.uuid == uuid for u in users)
    assert len(errors) == 25 and all(isinstance(e, ApiError) for e in errors)
    assert threads == {threading.get_ident()}


def test_loops_on_two_threads_at_once(sandbox: Sandbox, client: Client) -> None:
    uuid = first_user(client)
    aclient = AsyncClient(sandbox.url, client_id=sandbox.client_id, client_secret=sandbox.client_secret)
    results: dict[int, tuple[int, int, set[int]]] = {}

    def run() -> None:
        users, errors, threads = asyncio.run(burst(aclient, uuid, 120))
        results[threading.get_ident()] = (len(users), len(errors), threads)

    workers = [threading.Thread(target=run) for _ in range(2)]
    for w in workers:
        w.start()
    for w in workers:
        w.join(timeout=60)
    assert len(results) == 2
    for ident, (users, errors, threads) in results.items():
        assert (users, errors) == (90, 30)
        assert threads == {ident}


def test_an_outcome_for_a_cancelled_call_is_dropped(sandbox: Sandbox, client: Client) -> None:
    uuid = first_user(client)
    aclient = AsyncClient(sandbox.url, client_id=sandbox.client_id, client_secret=sandbox.client_secret)

    async def main() -> Any:
        calls = [asyncio.ensure_future(aclient.cdirectory_service.get_user(uuid)) for _ in range(50)]
        # Cancel half while their outcomes may already be waiting in the inbox.
        await asyncio.sleep(0)
        for task in calls[::2]:
            task.cancel()
        return await asyncio.gather(*calls, return_exceptions=True)

    outcomes = asyncio.run(main())
    cancelled = [o for o in outcomes if isinstance(o, asyncio.CancelledError)]
    users = [o for o in outcomes if not isinstance(o, BaseException)]
    assert len(cancelled) == 25 and len(users) == 25
    assert all(u.uuid == uuid for u in users)


def test_many_short_loops_one_after_another(sandbox: Sandbox, client: Client) -> None:
    uuid = first_user(client)
    aclient = AsyncClient(sandbox.url, client_id=sandbox.client_id, client_secret=sandbox.client_secret)

    async def one() -> Any:
        return (await aclient.cdirectory_service.get_user(uuid)).uuid

    for _ in range(20):
        assert asyncio.run(one()) == uuid


@pytest.mark.skipif(not os.path.isdir("/proc/self/fd"), reason="counts open files through /proc")
def test_alternating_between_two_loops_keeps_one_wakeup_per_loop(sandbox: Sandbox, client: Client) -> None:
    uuid = first_user(client)
    aclient = AsyncClient(sandbox.url, client_id=sandbox.client_id, client_secret=sandbox.client_secret)

    async def one() -> Any:
        return (await aclient.cdirectory_service.get_user(uuid)).uuid

    loops = [asyncio.new_event_loop(), asyncio.new_event_loop()]
    try:
        for loop in loops:
            assert loop.run_until_complete(one()) == uuid
        before = len(os.listdir("/proc/self/fd"))
        for _ in range(20):
            for loop in loops:
                assert loop.run_until_complete(one()) == uuid
        # Each switch used to make a new wakeup socket pair; now each loop keeps its own.
        assert len(os.listdir("/proc/self/fd")) <= before + 2
    finally:
        for loop in loops:
            loop.close()


def test_a_call_awaited_twice_and_by_two_tasks_gives_the_same_result(sandbox: Sandbox, client: Client) -> None:
    uuid = first_user(client)
    aclient = AsyncClient(sandbox.url, client_id=sandbox.client_id, client_secret=sandbox.client_secret)

    async def main() -> None:
        call = aclient.cdirectory_service.get_user(uuid)
        first, second = await asyncio.gather(call, call)
        again = await call
        assert first.uuid == uuid and second is first and again is first
        failing = aclient.cdirectory_service.get_user("no-such-user")
        for _ in range(2):
            with pytest.raises(ApiError):
                await failing

    asyncio.run(main())


def test_calls_work_with_asyncio_helpers(sandbox: Sandbox, client: Client) -> None:
    """The awaitable is not an `asyncio.Future`; the helpers wrap it in a task as they would a
    coroutine, and every one of them gives the call's result or its error."""
    uuid = first_user(client)
    aclient = AsyncClient(sandbox.url, client_id=sandbox.client_id, client_secret=sandbox.client_secret)

    async def main() -> None:
        get = aclient.cdirectory_service.get_user
        assert (await asyncio.wait_for(get(uuid), 30)).uuid == uuid
        assert (await asyncio.shield(get(uuid))).uuid == uuid
        assert (await asyncio.ensure_future(get(uuid))).uuid == uuid
        done, pending = await asyncio.wait([asyncio.ensure_future(get(uuid)), asyncio.ensure_future(get("no-such-user"))])
        assert not pending
        errors = [t.exception() for t in done if t.exception() is not None]
        users = [t.result() for t in done if t.exception() is None]
        assert len(errors) == 1 and isinstance(errors[0], ApiError), errors
        assert [u.uuid for u in users] == [uuid]

    asyncio.run(main())


def test_cancelling_the_awaiting_task_abandons_the_request(sandbox: Sandbox, client: Client) -> None:
    aclient = AsyncClient(sandbox.url, client_id=sandbox.client_id, client_secret=sandbox.client_secret)

    async def main() -> None:
        hold = sandbox.hold("Org_Create")
        task = asyncio.ensure_future(aclient.org.create("Cancelled"))
        loop = asyncio.get_running_loop()
        assert await loop.run_in_executor(None, hold.wait_arrived, 30)
        assert task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await task
        hold.release()
        # The next call on the same loop and client goes through.
        assert (await aclient.org.create("After")).id

    asyncio.run(main())


def hold_until_batched(calls: int) -> None:
    """Keeps the loop's thread busy, without yielding, until the outcomes of `calls` calls are
    all waiting in its inbox: the loop then takes them as one batch."""
    while _native._inbox_waiting() < calls:
        time.sleep(0.001)


@pytest.mark.parametrize("interrupt", [KeyboardInterrupt, SystemExit])
def test_an_interrupt_in_one_woken_task_loses_no_other_outcome_of_its_batch(
    sandbox: Sandbox, client: Client, interrupt: type[BaseException]
) -> None:
    """Tasks are woken inside the inbox's drain; a `KeyboardInterrupt` or `SystemExit` raised by
    one of them leaves `run_until_complete` as with plain asyncio, and the outcomes of the same
    batch not yet delivered are delivered when the loop runs again."""
    uuid = first_user(client)
    aclient = AsyncClient(sandbox.url, client_id=sandbox.client_id, client_secret=sandbox.client_secret)
    calls = 8
    interrupted: list[int] = []
    tasks: list[asyncio.Task[Any]] = []

    async def one(i: int) -> Any:
        user = await aclient.cdirectory_service.get_user(uuid)
        if not interrupted:
            interrupted.append(i)
            raise interrupt("stop")
        return user.uuid

    async def main() -> None:
        loop = asyncio.get_running_loop()
        tasks.extend(loop.create_task(one(i)) for i in range(calls))
        await asyncio.sleep(0)  # every task has made its call
        hold_until_batched(calls)
        await loop.create_future()  # only the interrupt ends this

    loop = asyncio.new_event_loop()
    try:
        main_task = loop.create_task(main())
        with pytest.raises(interrupt, match="stop"):
            loop.run_until_complete(main_task)
        assert len(interrupted) == 1
        assert isinstance(tasks[interrupted[0]].exception(), interrupt)
        others = [t for i, t in enumerate(tasks) if i != interrupted[0]]
        done, pending = loop.run_until_complete(asyncio.wait(others, timeout=30))
        assert not pending, f"{len(pending)} of {len(others)} outcomes were lost"
        assert [t.result() for t in others] == [uuid] * (calls - 1)
        main_task.cancel()
        with pytest.raises(asyncio.CancelledError):
            loop.run_until_complete(main_task)
    finally:
        loop.close()


def test_an_interrupt_in_a_woken_task_leaves_asyncio_run(sandbox: Sandbox, client: Client) -> None:
    """`asyncio.run` lets the interrupt out and cancels the other tasks, whose outcomes were
    waiting in the same batch, as it does for any interrupted program."""
    uuid = first_user(client)
    aclient = AsyncClient(sandbox.url, client_id=sandbox.client_id, client_secret=sandbox.client_secret)
    calls = 8
    tasks: list[asyncio.Task[Any]] = []

    async def one(i: int) -> Any:
        await aclient.cdirectory_service.get_user(uuid)
        if i == 0:
            raise KeyboardInterrupt("stop")
        return await asyncio.get_running_loop().create_future()

    async def main() -> None:
        tasks.extend(asyncio.ensure_future(one(i)) for i in range(calls))
        await asyncio.sleep(0)
        hold_until_batched(calls)
        await asyncio.gather(*tasks)

    with pytest.raises(KeyboardInterrupt, match="stop"):
        asyncio.run(main())
    assert isinstance(tasks[0].exception(), KeyboardInterrupt)
    assert all(t.cancelled() for t in tasks[1:])


def test_a_failing_done_callback_is_reported_and_the_batch_goes_on(sandbox: Sandbox, client: Client) -> None:
    """An `Exception` from a done callback run inside the drain goes to the loop's exception
    handler, as from a callback the loop runs itself, and the other outcomes are delivered."""
    uuid = first_user(client)
    aclient = AsyncClient(sandbox.url, client_id=sandbox.client_id, client_secret=sandbox.client_secret)
    calls = 6
    reported: list[dict[str, Any]] = []

    def broken(_: Any) -> None:
        raise ValueError("broken callback")

    async def main() -> list[Any]:
        loop = asyncio.get_running_loop()
        loop.set_exception_handler(lambda _, context: reported.append(context))
        pending = [aclient.cdirectory_service.get_user(uuid) for _ in range(calls)]
        pending[0].__await__().add_done_callback(broken)  # type: ignore[attr-defined]
        tasks = [asyncio.ensure_future(p) for p in pending]
        await asyncio.sleep(0)
        hold_until_batched(calls)
        return await asyncio.gather(*tasks)

    users = asyncio.run(main())
    assert [u.uuid for u in users] == [uuid] * calls
    assert len(reported) == 1
    assert isinstance(reported[0]["exception"], ValueError)
    assert "Exception in callback" in reported[0]["message"]
