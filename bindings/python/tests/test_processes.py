"""The package inside real programs: fork, multiprocessing, Ctrl-C, cancellation and exit.

Each scenario is a small script run in its own interpreter (its own process group) under a
timeout, so a hang or a crash fails that one test instead of taking the suite down with it. The
scripts start together the first time any of them is needed and run in parallel, which keeps
the module's wall time near that of its slowest script.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Dict, Iterator

import pytest

# How long one script may run before it counts as hung. Generous: the scripts run in parallel
# on a loaded CI machine, and a hang is what this limit is for, not speed.
HANG_LIMIT = 90.0

PRELUDE = '''
import os, sys, signal, time, threading, traceback
# A runner may start the scripts with SIGINT ignored (a background job of a shell without job
# control is started so, and the ignored disposition is inherited), and Python then installs no
# KeyboardInterrupt handler. These scenarios are about Ctrl-C, so they install it themselves.
signal.signal(signal.SIGINT, signal.default_int_handler)
from cyberark_identity import AsyncClient, Client, IdentityError
from cyberark_identity.testing import Sandbox


def credentials(sb):
    return dict(client_id=sb.client_id, client_secret=sb.client_secret)


def child(body):
    """Runs body() in a forked child; the child's exit status says whether it worked."""
    pid = os.fork()
    if pid == 0:
        code = 1
        try:
            body()
            code = 0
        except BaseException:
            traceback.print_exc()
        finally:
            sys.stdout.flush()
            sys.stderr.flush()
            os._exit(code)
    return pid


def wait_child(pid, limit=45.0):
    """The child's exit code, or "hung" after killing a child that did not end in time."""
    deadline = time.monotonic() + limit
    while time.monotonic() < deadline:
        done, status = os.waitpid(pid, os.WNOHANG)
        if done:
            return os.waitstatus_to_exitcode(status)
        time.sleep(0.02)
    os.kill(pid, signal.SIGKILL)
    os.waitpid(pid, 0)
    return "hung"


def wait_logged(sb, operation, status, limit=30.0):
    """Waits until the sandbox's request log has a request of operation with that status."""
    deadline = time.monotonic() + limit
    while time.monotonic() < deadline:
        if any(r.operation == operation and r.status == status for r in sb.requests()):
            return True
        time.sleep(0.02)
    return False
'''

# A sandbox in a process of its own: prints its URL and credentials, serves until stdin closes.
SANDBOX_PROCESS = '''
import subprocess, json
SERVER = "import sys, json\\nfrom cyberark_identity.testing import Sandbox\\nsb = Sandbox()\\nprint(json.dumps(dict(url=sb.url, client_id=sb.client_id, client_secret=sb.client_secret)), flush=True)\\nsys.stdin.read()\\n"
server = subprocess.Popen([sys.executable, "-c", SERVER], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
remote = json.loads(server.stdout.readline())
'''

SCENARIOS: Dict[str, str] = {
    # Row 1: a new Client in a forked child (sandbox in-process).
    "fork_new_client": '''
sb = Sandbox()
parent = Client(sb.url, **credentials(sb))
parent.cdirectory_service.get_users()
def body():
    Client(sb.url, **credentials(sb)).cdirectory_service.get_users()
assert wait_child(child(body)) == 0
parent.cdirectory_service.get_users()
print("ok")
''',
    # Row 1 with the sandbox in a process of its own.
    "fork_new_client_sandbox_process": SANDBOX_PROCESS
    + '''
parent = Client(remote["url"], client_id=remote["client_id"], client_secret=remote["client_secret"])
parent.cdirectory_service.get_users()
def body():
    Client(remote["url"], client_id=remote["client_id"], client_secret=remote["client_secret"]).cdirectory_service.get_users()
assert wait_child(child(body)) == 0
server.stdin.close()
server.wait()
print("ok")
''',
    # A child that ends with a normal exit (finalization runs in the child, over the parent's
    # sandbox and clients), then the parent goes on.
    "fork_child_exits_normally": '''
import asyncio
sb = Sandbox()
parent = Client(sb.url, **credentials(sb))
parent.cdirectory_service.get_users()
pid = os.fork()
if pid == 0:
    parent.cdirectory_service.get_users()
    Client(sb.url, **credentials(sb)).cdirectory_service.get_users()
    async def use_async():
        await AsyncClient(sb.url, **credentials(sb)).cdirectory_service.get_users()
    asyncio.run(use_async())
    sys.exit(0)
assert wait_child(pid) == 0
assert parent.cdirectory_service.get_users().full_count
print("ok")
''',
    # Row 2: the child uses the parent's Client.
    "fork_parent_client": '''
sb = Sandbox()
parent = Client(sb.url, **credentials(sb))
users = parent.cdirectory_service
users.get_users()
def body():
    assert parent.cdirectory_service.get_users().full_count
    assert users.get_users().full_count
assert wait_child(child(body)) == 0
assert parent.cdirectory_service.get_users().full_count
print("ok")
''',
    # Row 4: in-process sandbox, asyncio imported; nothing the child does may crash the parent.
    "fork_with_asyncio_parent_survives": '''
import asyncio
sb = Sandbox()
parent = Client(sb.url, **credentials(sb))
parent.cdirectory_service.get_users()
async def use_async():
    return await AsyncClient(sb.url, **credentials(sb)).cdirectory_service.get_users()
asyncio.run(use_async())
def body():
    Client(sb.url, **credentials(sb)).cdirectory_service.get_users()
    asyncio.run(use_async())
assert wait_child(child(body)) == 0
asyncio.run(use_async())
print("ok")
''',
    # A prefork server like gunicorn's: create in the parent, fork workers, use in the workers.
    "prefork_workers": '''
import asyncio
sb = Sandbox()
shared = Client(sb.url, **credentials(sb))
shared.cdirectory_service.get_users()
shared_async = AsyncClient(sb.url, **credentials(sb))
def worker():
    for _ in range(3):
        assert shared.cdirectory_service.get_users().full_count
    async def main():
        return await shared_async.cdirectory_service.get_users()
    assert asyncio.run(main()).full_count
pids = [child(worker) for _ in range(3)]
assert [wait_child(pid) for pid in pids] == [0, 0, 0]
assert shared.cdirectory_service.get_users().full_count
print("ok")
''',
    # Row 5: Ctrl-C during a blocking call on a held request (client timeout 60 s).
    "sigint_during_held_request": '''
sb = Sandbox()
client = Client(sb.url, timeout=60, **credentials(sb))
client.cdirectory_service.get_users()
hold = sb.hold("Org_Create")
def interrupt():
    hold.wait_arrived(30)
    os.kill(os.getpid(), signal.SIGINT)
threading.Thread(target=interrupt, daemon=True).start()
try:
    client.org.create("Interrupted")
    raise SystemExit("the call returned instead of raising KeyboardInterrupt")
except KeyboardInterrupt:
    pass
# The request in flight was abandoned on the wire: the sandbox saw the connection go away.
assert wait_logged(sb, "Org_Create", 0), [(r.operation, r.status) for r in sb.requests()]
hold.release()
# The client is still usable.
assert client.org.create("After Ctrl-C").id
# Other signal handlers run during a blocking wait, and the call goes on.
seen = []
signal.signal(signal.SIGUSR1, lambda signum, frame: seen.append(signum))
hold = sb.hold("Org_Create")
def poke():
    hold.wait_arrived(30)
    os.kill(os.getpid(), signal.SIGUSR1)
    while not seen:
        time.sleep(0.01)
    hold.release()
threading.Thread(target=poke, daemon=True).start()
assert client.org.create("Poked").id
assert seen == [signal.SIGUSR1]
print("ok")
''',
    # Row 6: an AsyncClient call cancelled by asyncio.wait_for, then a normal exit.
    "cancelled_async_call_then_exit": '''
import asyncio
sb = Sandbox()
async def main():
    client = AsyncClient(sb.url, **credentials(sb))
    await client.cdirectory_service.get_users()
    hold = sb.hold("Org_Create")
    try:
        await asyncio.wait_for(client.org.create("Cancelled"), 0.5)
        raise SystemExit("the held call returned")
    except asyncio.TimeoutError:
        pass
    # Cancelling the awaitable aborts the request on the wire.
    assert await asyncio.get_running_loop().run_in_executor(None, wait_logged, sb, "Org_Create", 0)
    hold.release()
    assert (await client.org.create("After")).id
asyncio.run(main())
print("ok")
''',
    # asyncio.run returns while calls are still in flight (tasks, and a future never awaited).
    "asyncio_run_returns_with_calls_in_flight": '''
import asyncio
sb = Sandbox()
hold = sb.hold("Org_Create")
async def main():
    client = AsyncClient(sb.url, **credentials(sb))
    await client.cdirectory_service.get_users()
    asyncio.ensure_future(client.org.create("In flight"))
    global abandoned
    abandoned = client.cdirectory_service.get_users()
    await asyncio.sleep(0.2)
asyncio.run(main())
hold.release()
time.sleep(0.5)
print("ok")
''',
    # Row 7: 1,000 calls from 16 threads on one Client, then a cancelled call and another call.
    "threads_then_cancellation": '''
import asyncio
from concurrent.futures import ThreadPoolExecutor
sb = Sandbox()
client = Client(sb.url, **credentials(sb))
with ThreadPoolExecutor(16) as pool:
    counts = list(pool.map(lambda _: client.cdirectory_service.get_users().full_count, range(1000)))
assert len(counts) == 1000 and all(counts)
async def main():
    aclient = AsyncClient(sb.url, **credentials(sb))
    hold = sb.hold("Org_Create")
    try:
        await asyncio.wait_for(aclient.org.create("Cancelled"), 0.2)
    except asyncio.TimeoutError:
        pass
    hold.release()
    assert (await aclient.org.create("Next")).id
asyncio.run(main())
assert client.org.create("Sync next").id
print("ok")
''',
    # Calls still in flight at exit, sync in a daemon thread and async abandoned, with every log
    # record going to a handler: the interpreter still ends with status 0.
    "calls_in_flight_at_exit_with_logging": '''
import asyncio, logging
logging.basicConfig(level=logging.DEBUG, stream=sys.stderr)
sb = Sandbox()
sb.inject("Org_Create", "delay", delay=0.05, times=100)
async def main():
    client = AsyncClient(sb.url, **credentials(sb))
    await client.cdirectory_service.get_users()
    for i in range(20):
        asyncio.ensure_future(client.org.create(f"async {i}"))
    await asyncio.sleep(0.01)
asyncio.run(main())
client = Client(sb.url, **credentials(sb))
def busy():
    for i in range(100):
        client.org.create(f"sync {i}")
threading.Thread(target=busy, daemon=True).start()
print("ok")
''',
    # Clients (one with an mfa callback in a reference cycle) collected during shutdown.
    "clients_collected_at_shutdown": '''
import asyncio
sb = Sandbox()
class Holder:
    def __init__(self):
        self.client = Client(sb.url, username=sb.mfa_username, password=sb.mfa_password, mfa=self.answer)
        self.aclient = AsyncClient(sb.url, username=sb.mfa_username, password=sb.mfa_password, mfa=self.answer)
    def answer(self, challenge):
        return sb.otp_code
holder = Holder()
holder.client.cdirectory_service.get_users()
async def main():
    await holder.aclient.cdirectory_service.get_users()
asyncio.run(main())
plain = Client(sb.url, **credentials(sb))
plain.cdirectory_service.get_users()
print("ok")
''',
}

# The multiprocessing start methods, each with a Client per worker, with and without asyncio.
POOL = '''
import multiprocessing
if ASYNCIO:
    import asyncio

def work(args):
    url, client_id, client_secret = args
    return Client(url, client_id=client_id, client_secret=client_secret).cdirectory_service.get_users().full_count

if __name__ == "__main__":
    sb = Sandbox()
    parent = Client(sb.url, **credentials(sb))
    parent.cdirectory_service.get_users()
    ctx = multiprocessing.get_context(METHOD)
    with ctx.Pool(2) as pool:
        counts = pool.map_async(work, [(sb.url, sb.client_id, sb.client_secret)] * 4).get(timeout=45)
    assert all(counts), counts
    print("ok")
'''
# Ctrl-C while a sync page iterator waits for a held page: KeyboardInterrupt at once, the
# iterator keeps its place (no item lost), a dropped iterator abandons its request, and the client
# still works.
SCENARIOS["sigint_during_page_iterator"] = '''
import gc
sb = Sandbox()
sb.add_users(6)
client = Client(sb.url, timeout=60, **credentials(sb))
expected = [u.row.uuid for u in client.cdirectory_service.get_users_iter(page_size=2)]
assert len(expected) >= 6, expected
def interrupt_when_held(hold):
    def interrupt():
        hold.wait_arrived(30)
        os.kill(os.getpid(), signal.SIGINT)
    threading.Thread(target=interrupt, daemon=True).start()
# The first page is fetched; the third item needs the second page, which the sandbox holds.
iterator = client.cdirectory_service.get_users_iter(page_size=2)
seen = [next(iterator).row.uuid, next(iterator).row.uuid]
hold = sb.hold("CDirectoryService_GetUsers")
interrupt_when_held(hold)
try:
    next(iterator)
    raise SystemExit("next() returned instead of raising KeyboardInterrupt")
except KeyboardInterrupt:
    pass
hold.release()
# The same iterator goes on where it was: nothing lost, nothing repeated.
seen += [u.row.uuid for u in iterator]
assert seen == expected, (seen, expected)
# An interrupted iterator that is dropped abandons its request on the wire.
iterator = client.cdirectory_service.get_users_iter(page_size=2)
next(iterator)
sb.clear_requests()
hold = sb.hold("CDirectoryService_GetUsers")
interrupt_when_held(hold)
try:
    for _ in iterator:
        pass
    raise SystemExit("the loop ended instead of raising KeyboardInterrupt")
except KeyboardInterrupt:
    pass
del iterator
gc.collect()
assert wait_logged(sb, "CDirectoryService_GetUsers", 0), [(r.operation, r.status) for r in sb.requests()]
hold.release()
# The client is still usable, for iterators and calls.
assert [u.row.uuid for u in client.cdirectory_service.get_users_iter(page_size=2)] == expected
assert client.cdirectory_service.get_users().full_count
print("ok")
'''

# `async for` over a page iterator in a forked child, with a new AsyncClient and with the
# parent's; the parent had iterated asynchronously before the fork.
SCENARIOS["async_page_iterator_in_forked_child"] = '''
import asyncio
sb = Sandbox()
sb.add_users(5)
parent = AsyncClient(sb.url, **credentials(sb))
async def uuids(client):
    return [u.row.uuid async for u in client.cdirectory_service.get_users_iter(page_size=2)]
expected = asyncio.run(uuids(parent))
assert len(expected) >= 5, expected
def body():
    assert asyncio.run(uuids(AsyncClient(sb.url, **credentials(sb)))) == expected
    assert asyncio.run(uuids(parent)) == expected
assert wait_child(child(body)) == 0
assert asyncio.run(uuids(parent)) == expected
print("ok")
'''

# Iterators exhausted before a fork stay exhausted in the child: StopIteration and
# StopAsyncIteration again and again, never a panic or a hang.
SCENARIOS["exhausted_iterators_after_fork"] = '''
import asyncio
sb = Sandbox()
client = Client(sb.url, **credentials(sb))
aclient = AsyncClient(sb.url, **credentials(sb))
iterator = client.cdirectory_service.get_users_iter(page_size=3)
assert list(iterator)
async def drain():
    aiterator = aclient.cdirectory_service.get_users_iter(page_size=3)
    assert [u async for u in aiterator]
    return aiterator
aiterator = asyncio.run(drain())
def body():
    for _ in range(3):
        try:
            next(iterator)
            raise SystemExit("an exhausted iterator gave an item")
        except StopIteration:
            pass
    async def again():
        for _ in range(3):
            try:
                await aiterator.__anext__()
                raise SystemExit("an exhausted async iterator gave an item")
            except StopAsyncIteration:
                pass
    asyncio.run(again())
assert wait_child(child(body)) == 0
assert list(iterator) == []
print("ok")
'''

for _method in ("fork", "forkserver", "spawn"):
    SCENARIOS[f"multiprocessing_{_method}"] = f"METHOD = {_method!r}\nASYNCIO = False\n" + POOL
    SCENARIOS[f"multiprocessing_{_method}_asyncio"] = f"METHOD = {_method!r}\nASYNCIO = True\n" + POOL


@dataclass
class Outcome:
    """How one script ended."""

    returncode: int | None
    stdout: str
    stderr: str

    def explain(self) -> str:
        return f"exit status {self.returncode}\n--- stdout\n{self.stdout}\n--- stderr\n{self.stderr}"


class Scripts:
    """The scenario scripts, started together the first time one is needed."""

    def __init__(self, directory: Path) -> None:
        self.procs: Dict[str, subprocess.Popen[str]] = {}
        self.outcomes: Dict[str, Outcome] = {}
        # One deadline for all: they run in parallel, so hung scripts cost HANG_LIMIT once.
        self.deadline = time.monotonic() + HANG_LIMIT
        for name, body in SCENARIOS.items():
            path = directory / f"{name}.py"
            path.write_text(PRELUDE + textwrap.dedent(body))
            self.procs[name] = subprocess.Popen(
                [sys.executable, "-X", "faulthandler", str(path)],
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
                text=True,
                cwd=directory,
                start_new_session=True,
            )

    def outcome(self, name: str) -> Outcome:
        if name not in self.outcomes:
            proc = self.procs[name]
            try:
                out, err = proc.communicate(timeout=max(1.0, self.deadline - time.monotonic()))
                self.outcomes[name] = Outcome(proc.returncode, out, err)
            except subprocess.TimeoutExpired:
                # Kill the whole group: a hung forked child would otherwise keep the pipes open.
                os.killpg(proc.pid, signal.SIGKILL)
                out, err = proc.communicate()
                self.outcomes[name] = Outcome(None, out, err + "\n(hung: killed after the limit)")
        return self.outcomes[name]

    def close(self) -> None:
        for proc in self.procs.values():
            if proc.poll() is None:
                os.killpg(proc.pid, signal.SIGKILL)
            proc.communicate()


@pytest.fixture(scope="module")
def scripts(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Scripts]:
    started = Scripts(tmp_path_factory.mktemp("processes"))
    yield started
    started.close()


@pytest.mark.parametrize("name", sorted(SCENARIOS))
def test_scenario(scripts: Scripts, name: str) -> None:
    outcome = scripts.outcome(name)
    assert outcome.returncode == 0, outcome.explain()
    assert outcome.stdout.strip().endswith("ok"), outcome.explain()


# Issue 18, finding 6: an mfa callback that calls the client signing in would deadlock on the
# sign-in; it must raise instead, sync and async. Hang-prone, so it runs in a child interpreter.
SCENARIOS["mfa_callback_reenters_client"] = '''
import asyncio
from cyberark_identity import AuthenticationError
sb = Sandbox()
class Holder:
    def __init__(self, cls):
        self.client = cls(sb.url, username=sb.mfa_username, password=sb.mfa_password, mfa=self.answer)
        self.errors = []
    def answer(self, challenge):
        try:
            self.client.cdirectory_service.get_users()
        except RuntimeError as e:
            self.errors.append(e)
            raise
        return sb.otp_code
holder = Holder(Client)
try:
    holder.client.cdirectory_service.get_users()
    raise SystemExit("the re-entrant call did not fail")
except AuthenticationError as e:
    assert isinstance(e.__cause__, RuntimeError), repr(e.__cause__)
    assert "mfa" in str(e.__cause__), str(e.__cause__)
assert len(holder.errors) == 1
class AsyncHolder:
    def __init__(self):
        self.client = AsyncClient(sb.url, username=sb.mfa_username, password=sb.mfa_password, mfa=self.answer)
    async def answer(self, challenge):
        await self.client.cdirectory_service.get_users()
        return sb.otp_code
async def main():
    h = AsyncHolder()
    try:
        await h.client.cdirectory_service.get_users()
        raise SystemExit("the re-entrant async call did not fail")
    except AuthenticationError as e:
        assert isinstance(e.__cause__, RuntimeError), repr(e.__cause__)
asyncio.run(main())
print("ok")
'''


# Registered after `test_scenario` was parametrized, so it needs a test of its own.
def test_mfa_callback_reenters_client(scripts: Scripts) -> None:
    test_scenario(scripts, "mfa_callback_reenters_client")
