"""Page iterators as the review of the bindings found them: exhausted iterators, iterators shared by
two threads, cancelled `__anext__`, the parameters the pager sets, the page size's type, and
subscripting the classes."""

from __future__ import annotations

import asyncio
import threading
import types
from typing import Any

import pytest

from cyberark_identity import AsyncClient, Client, InvalidRequestError
from cyberark_identity._native import AsyncPageIterator, PageIterator, UserQueryRow
from cyberark_identity.testing import Sandbox

GET_USERS = "CDirectoryService_GetUsers"


def uuids(rows: list[UserQueryRow]) -> list[str | None]:
    return [r.row.uuid if r.row is not None else None for r in rows]


def test_an_exhausted_iterator_keeps_raising_stop_iteration(client: Client) -> None:
    iterator = client.cdirectory_service.get_users_iter(page_size=3)
    assert list(iterator)
    for _ in range(3):
        with pytest.raises(StopIteration):
            next(iterator)
    assert list(iterator) == []


def test_two_threads_sharing_an_iterator_get_every_item_once(client: Client, sandbox: Sandbox) -> None:
    sandbox.add_users(40)
    expected = uuids(list(client.cdirectory_service.get_users_iter()))
    iterator = client.cdirectory_service.get_users_iter(page_size=4)
    seen: list[list[UserQueryRow]] = [[], []]
    errors: list[BaseException] = []

    def drain(into: list[UserQueryRow]) -> None:
        try:
            for row in iterator:
                into.append(row)
            # Both threads reach the end; asking again still says so.
            for _ in range(3):
                try:
                    next(iterator)
                except StopIteration:
                    pass
                else:
                    raise AssertionError("an item after the end")
        except BaseException as e:  # noqa: BLE001 - a PanicException is a BaseException
            errors.append(e)

    threads = [threading.Thread(target=drain, args=(s,)) for s in seen]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    assert errors == []
    assert sorted(map(str, uuids(seen[0] + seen[1]))) == sorted(map(str, expected))


def test_an_exhausted_async_iterator_keeps_raising_stop_async_iteration(aclient: AsyncClient) -> None:
    async def main() -> None:
        iterator = aclient.cdirectory_service.get_users_iter(page_size=3)
        rows = [row async for row in iterator]
        assert rows
        for _ in range(3):
            with pytest.raises(StopAsyncIteration):
                await iterator.__anext__()

    asyncio.run(main())


def test_two_tasks_sharing_an_async_iterator_get_every_item_once(
    aclient: AsyncClient, client: Client, sandbox: Sandbox
) -> None:
    sandbox.add_users(30)
    expected = uuids(list(client.cdirectory_service.get_users_iter()))

    async def main() -> list[UserQueryRow]:
        iterator = aclient.cdirectory_service.get_users_iter(page_size=4)

        async def drain() -> list[UserQueryRow]:
            return [row async for row in iterator]

        first, second = await asyncio.gather(drain(), drain())
        return first + second

    assert sorted(map(str, uuids(asyncio.run(main())))) == sorted(map(str, expected))


def test_cancelling_anext_loses_no_item(aclient: AsyncClient, client: Client, sandbox: Sandbox) -> None:
    sandbox.add_users(12)
    expected = uuids(list(client.cdirectory_service.get_users_iter()))
    # Every page takes a while, so a short `wait_for` cancels `__anext__` mid-fetch.
    sandbox.inject(GET_USERS, "delay", delay=0.05, times=1000)

    async def main() -> tuple[list[UserQueryRow], int]:
        iterator = aclient.cdirectory_service.get_users_iter(page_size=4)
        rows: list[UserQueryRow] = []
        cancelled = 0
        while True:
            try:
                rows.append(await asyncio.wait_for(iterator.__anext__(), timeout=0.005))
            except asyncio.TimeoutError:
                cancelled += 1
            except StopAsyncIteration:
                break
        return rows, cancelled

    rows, cancelled = asyncio.run(main())
    assert cancelled > 0
    assert uuids(rows) == expected


def test_the_pager_fields_of_scim_are_not_offered(client: Client, sandbox: Sandbox) -> None:
    with pytest.raises(TypeError):
        client.scim.list_groups_iter(start_index=5)  # type: ignore[call-arg]
    with pytest.raises(TypeError):
        client.scim.list_groups_iter(count=5)  # type: ignore[call-arg]
    # The plain call still takes them, and the iterator honours `page_size`.
    client.scim.list_groups(start_index=1, count=2)
    sandbox.clear_requests()
    list(client.scim.list_groups_iter(page_size=2))
    queries = [r.query or "" for r in sandbox.requests() if r.path.endswith("/Groups")]
    assert queries and all("count=2" in q for q in queries)
    assert "startIndex=1" in queries[0]


def test_the_page_fields_of_redrock_args_are_refused(client: Client) -> None:
    with pytest.raises(InvalidRequestError, match="page_size"):
        client.cdirectory_service.get_users_iter(args={"PageSize": 5})
    with pytest.raises(InvalidRequestError, match="page_size"):
        client.cdirectory_service.get_users_iter(args={"PageNumber": 2})
    # The other arguments of `Args` (sorting, caching) are still taken.
    assert list(client.cdirectory_service.get_users_iter(args={"SortBy": "Username"}, page_size=2))


@pytest.mark.parametrize("size", [0, -1, 2**31, 2**40, 2**70, "10", 1.5, True, None])
def test_a_bad_page_size_raises_invalid_request(client: Client, size: Any) -> None:
    if size is None:
        # None means the default.
        client.cdirectory_service.get_users_iter(page_size=size)
        return
    with pytest.raises(InvalidRequestError, match="page_size"):
        client.cdirectory_service.get_users_iter(page_size=size)
    with pytest.raises(InvalidRequestError, match="page_size"):
        AsyncClient("http://127.0.0.1:1", token="t").cdirectory_service.get_users_iter(page_size=size)


def test_the_iterator_classes_are_subscriptable() -> None:
    alias = PageIterator[UserQueryRow]
    assert isinstance(alias, types.GenericAlias)
    assert alias.__origin__ is PageIterator and alias.__args__ == (UserQueryRow,)
    assert AsyncPageIterator[int].__origin__ is AsyncPageIterator
