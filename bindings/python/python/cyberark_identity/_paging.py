"""The coroutine behind ``AsyncPageIterator.__anext__`` (see ``src/paging.rs`` of the bindings).

It alternates two steps of the native iterator until it has an item: ``_take()`` hands out an
item already fetched and cannot be interrupted; ``await _fetch()`` fetches the next one into the
iterator's queue. A caller that cancels the awaitable (``asyncio.wait_for``, a task group) can
only interrupt the ``await``, so an item fetched for it stays queued for the next ``__anext__``
instead of being lost.
"""

from __future__ import annotations

from typing import Any


async def anext(iterator: Any) -> Any:
    """The next item of ``iterator``; raises ``StopAsyncIteration`` at the end."""
    while True:
        taken = iterator._take()
        if taken is not None:
            return taken[0]
        await iterator._fetch()
