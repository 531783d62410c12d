"""Glue the native module calls to run the ``mfa=`` callback and to resolve awaitables.

Private: nothing here is API. The callback runs where the caller runs, in a copy of the caller's
``contextvars`` context in which :data:`ACTIVE` names the client signing in, so that a call of
that same client from inside the callback is refused instead of waiting forever for the
sign-in the callback itself holds up.
"""

from __future__ import annotations

import asyncio
import contextvars
import functools
import inspect
from typing import Any, Callable, Optional, Tuple

#: Ids of the clients whose ``mfa`` callback is running in this context.
ACTIVE: contextvars.ContextVar[Tuple[int, ...]] = contextvars.ContextVar("cyberark_identity_mfa_active", default=())


def checked(answer: Any) -> Optional[str]:
    """The callback's answer if it is a ``str`` or ``None``; a ``TypeError`` otherwise."""
    if answer is None or isinstance(answer, str):
        return answer
    raise TypeError(f"the mfa callback returned {type(answer).__name__}; expected str (the code) or None (wait for approval)")


def _call_sync(callback: Callable[[Any], Any], challenge: Any, client_id: int) -> Optional[str]:
    ACTIVE.set(ACTIVE.get() + (client_id,))
    answer = callback(challenge)
    if inspect.isawaitable(answer):
        close = getattr(answer, "close", None)
        if close is not None:
            close()  # a coroutine never awaited would warn
        raise TypeError(
            "the mfa callback returned an awaitable, but a Client calls it synchronously; pass a plain function, or use AsyncClient"
        )
    return checked(answer)


def run_sync(callback: Callable[[Any], Any], challenge: Any, client_id: int) -> Optional[str]:
    """Runs the callback of a blocking ``Client`` on the calling thread, in a copy of its context."""
    return contextvars.copy_context().run(_call_sync, callback, challenge, client_id)


def start_async(callback: Callable[[Any], Any], challenge: Any, client_id: int, reply: Any) -> None:
    """Runs the callback of an ``AsyncClient`` in the caller's loop (scheduled there with the
    caller's context); a coroutine it returns runs as a task. ``reply.ok``/``reply.fail`` carry
    the outcome back to the call."""
    ACTIVE.set(ACTIVE.get() + (client_id,))
    try:
        answer = callback(challenge)
        if inspect.isawaitable(answer):
            task = asyncio.ensure_future(answer)
            task.add_done_callback(functools.partial(_finish, reply))
            return
        reply.ok(checked(answer))
    except BaseException as e:  # every outcome goes back to the call, which raises it
        reply.fail(e)


def _finish(reply: Any, task: "asyncio.Future[Any]") -> None:
    if task.cancelled():
        reply.fail(asyncio.CancelledError())
        return
    error = task.exception()
    if error is not None:
        reply.fail(error)
        return
    try:
        reply.ok(checked(task.result()))
    except TypeError as e:
        reply.fail(e)


def resolve(future: "asyncio.Future[Any]", ok: bool, value: Any) -> None:
    """Sets the outcome of an awaitable of ``AsyncClient``, unless it was cancelled meanwhile."""
    if future.done():
        return
    if ok:
        future.set_result(value)
    else:
        future.set_exception(value)
