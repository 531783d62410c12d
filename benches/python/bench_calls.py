"""Python side of `cargo xtask bench`: our `Client` against requests, httpx and pydantic.

Run by the Rust harness with the sandbox's URL and credentials; prints one JSON object on
stdout. Each measurement is time-boxed; parties alternate, run after run, against the same
sandbox process so they see the same server.
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import json
import resource
import sys
import time
from typing import Any, Callable, Optional

LARGE_ROWS = 5000


def cpu() -> float:
    """User plus system CPU seconds of this process."""
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def sandbox_cpu(pid: int) -> float:
    """CPU seconds of the sandbox process, from /proc (it runs apart so it can be told apart)."""
    with open(f"/proc/{pid}/stat") as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / 100.0


def peak_rss_kib() -> int:
    """VmHWM of this process, in KiB.

    Not `ru_maxrss`: Linux carries the parent's peak across fork and exec into it, so a child of
    the (large) harness would report the harness's peak instead of its own.
    """
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith("VmHWM:"):
                return int(line.split()[1])
    raise RuntimeError("no VmHWM in /proc/self/status")


def rss_kib() -> int:
    """VmRSS of this process (resident now, not the peak), in KiB, after a full garbage collection.

    The soak compares two of these readings, so cyclic garbage waiting for the collector must not
    count as growth.
    """
    gc.collect()
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    raise RuntimeError("no VmRSS in /proc/self/status")


def error_name(e: BaseException) -> str:
    """The exception's type only: messages could in principle quote a request, and a report is a log."""
    return type(e).__name__


def soak_sync(fn: Callable[[], Any], calls: int, warmup: int) -> dict[str, Any]:
    """Makes `calls` calls one after another; RSS after the first `warmup` and at the end.

    A failed call is counted, not raised, so that a failure becomes a missed target in the report
    and the harness goes on.
    """
    errors: dict[str, int] = {}
    start_kib = 0
    t0 = time.perf_counter()
    for i in range(calls):
        if i == warmup:
            start_kib = rss_kib()
        try:
            fn()
        except Exception as e:  # noqa: BLE001 - every failure is counted by type
            errors[error_name(e)] = errors.get(error_name(e), 0) + 1
    return {
        "calls": calls,
        "warmup": warmup,
        "start_kib": start_kib,
        "end_kib": rss_kib(),
        "errors": errors,
        "secs": time.perf_counter() - t0,
    }


async def soak_async(
    make: Callable[[], Any], calls: int, warmup: int, in_flight: int
) -> dict[str, Any]:
    """Makes `calls` calls with at most `in_flight` awaiting at once; RSS after `warmup` and at the end.

    The warm-up calls run first, at the same concurrency, so the reading after them sees the
    connection pool and the runtime's threads at their working size.
    """
    errors: dict[str, int] = {}

    async def batch(n: int) -> None:
        remaining = n

        async def worker() -> None:
            nonlocal remaining
            while remaining > 0:
                remaining -= 1
                try:
                    await make()
                except Exception as e:  # noqa: BLE001 - every failure is counted by type
                    errors[error_name(e)] = errors.get(error_name(e), 0) + 1

        await asyncio.gather(*(worker() for _ in range(in_flight)))

    t0 = time.perf_counter()
    await batch(warmup)
    start_kib = rss_kib()
    await batch(calls - warmup)
    return {
        "calls": calls,
        "warmup": warmup,
        "in_flight": in_flight,
        "start_kib": start_kib,
        "end_kib": rss_kib(),
        "errors": errors,
        "secs": time.perf_counter() - t0,
    }


def timed(fn: Callable[[], int], seconds: float, pid: int) -> dict[str, float]:
    """Calls `fn` in a loop for `seconds`; returns calls/s, client CPU per call and sandbox cores."""
    calls = 0
    c0, s0, t0 = cpu(), sandbox_cpu(pid), time.perf_counter()
    deadline = t0 + seconds
    while time.perf_counter() < deadline:
        fn()
        calls += 1
    wall = time.perf_counter() - t0
    return {
        "rps": calls / wall,
        "cpu_us": (cpu() - c0) * 1e6 / max(calls, 1),
        "sandbox_cores": (sandbox_cpu(pid) - s0) / wall,
    }


async def timed_async(make: Callable[[], Any], in_flight: int, seconds: float, pid: int) -> dict[str, float]:
    """Keeps `in_flight` coroutines calling for `seconds`."""
    calls = 0
    c0, s0, t0 = cpu(), sandbox_cpu(pid), time.perf_counter()
    deadline = t0 + seconds

    async def worker() -> None:
        nonlocal calls
        while time.perf_counter() < deadline:
            await make()
            calls += 1

    await asyncio.gather(*(worker() for _ in range(in_flight)))
    wall = time.perf_counter() - t0
    return {
        "rps": calls / wall,
        "cpu_us": (cpu() - c0) * 1e6 / max(calls, 1),
        "sandbox_cores": (sandbox_cpu(pid) - s0) / wall,
    }


def envelope_result(body: Any) -> Any:
    if body.get("success") is not True:
        raise RuntimeError("failed envelope")
    return body["Result"]


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--url", required=True)
    parser.add_argument("--client-id", required=True)
    parser.add_argument("--client-secret", required=True)
    parser.add_argument("--user-id", required=True)
    parser.add_argument("--sandbox-pid", type=int, required=True)
    parser.add_argument("--seconds", type=float, default=2.0)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--stream", action="store_true", help="only stream every user and report peak RSS")
    parser.add_argument("--soak", type=int, default=0, help="only soak: this many calls per client")
    parser.add_argument("--warmup", type=int, default=1000, help="soak calls before the first RSS reading")
    parser.add_argument("--burst", type=int, default=10000, help="soak: calls at 64 in flight, errors counted")
    args = parser.parse_args()

    import cyberark_identity

    if args.soak:
        warmup = min(args.warmup, args.soak)
        client = cyberark_identity.Client(args.url, client_id=args.client_id, client_secret=args.client_secret)
        sync = soak_sync(lambda: client.cdirectory_service.get_user(args.user_id), args.soak, warmup)

        async def async_soaks() -> tuple[dict[str, Any], dict[str, Any]]:
            def caller() -> Callable[[], Any]:
                aclient = cyberark_identity.AsyncClient(
                    args.url, client_id=args.client_id, client_secret=args.client_secret
                )
                return lambda: aclient.cdirectory_service.get_user(args.user_id)

            burst = await soak_async(caller(), args.burst, 0, 64)
            # A client of its own for the long run, so its readings start from its own warm-up.
            soak = await soak_async(caller(), args.soak, warmup, 64)
            return soak, burst

        async_soak, burst = asyncio.run(async_soaks())
        print(json.dumps({"sync": sync, "async": async_soak, "burst": burst}))
        return 0

    if args.stream:
        client = cyberark_identity.Client(args.url, client_id=args.client_id, client_secret=args.client_secret)
        t0 = time.perf_counter()
        items = sum(1 for _ in client.cdirectory_service.get_users_iter())
        print(json.dumps({"items": items, "secs": time.perf_counter() - t0, "peak_kib": peak_rss_kib()}))
        return 0

    import httpx
    import pydantic
    import requests

    class UserRow(pydantic.BaseModel):
        """The same user shape as the generated `UserRow`, for the pydantic baseline."""

        model_config = pydantic.ConfigDict(extra="allow")
        Uuid: Optional[str] = None
        DisplayName: Optional[str] = None
        Name: Optional[str] = None
        Mail: Optional[str] = None
        ReportsTo: Optional[str] = None
        PreferredCulture: Optional[str] = None
        HomeNumber: Optional[str] = None
        StartDate: Optional[str] = None
        MobileNumber: Optional[str] = None
        EndDate: Optional[str] = None
        PictureUri: Optional[str] = None
        Description: Optional[str] = None
        OfficeNumber: Optional[str] = None

    class QueryEntity(pydantic.BaseModel):
        model_config = pydantic.ConfigDict(extra="allow")
        Type: Optional[str] = None
        Key: Optional[str] = None
        IsForeignKey: Optional[bool] = None

    class UserQueryRow(pydantic.BaseModel):
        model_config = pydantic.ConfigDict(extra="allow")
        Entities: Optional[list[QueryEntity]] = None
        Row: Optional[UserRow] = None

    class UserQueryTable(pydantic.BaseModel):
        model_config = pydantic.ConfigDict(extra="allow")
        IsAggregate: Optional[bool] = None
        Count: Optional[int] = None
        Columns: Optional[list[dict[str, Any]]] = None
        FullCount: Optional[int] = None
        Results: Optional[list[UserQueryRow]] = None
        ReturnID: Optional[str] = None

    ours = cyberark_identity.Client(args.url, client_id=args.client_id, client_secret=args.client_secret)
    token_answer = requests.post(
        f"{args.url}/oauth2/platformtoken",
        data={"grant_type": "client_credentials", "client_id": args.client_id, "client_secret": args.client_secret},
        timeout=30,
    ).json()
    headers = {"Authorization": f"Bearer {token_answer['access_token']}", "X-IDAP-NATIVE-CLIENT": "true"}
    session = requests.Session()
    session.headers.update(headers)
    hx = httpx.Client(headers=headers, timeout=60)
    small_body = {"ID": args.user_id}
    large_body = {"Args": {"PageNumber": 1, "PageSize": LARGE_ROWS}}
    user_url = f"{args.url}/CDirectoryService/GetUser"
    users_url = f"{args.url}/CDirectoryService/GetUsers"

    # The request model is part of the native module; the package root re-exports clients only.
    query_args = cyberark_identity._native.QueryArgs(page_number=1, page_size=LARGE_ROWS)

    def ours_small() -> int:
        return 1 if ours.cdirectory_service.get_user(args.user_id).uuid else 0

    def requests_small() -> int:
        r = session.post(user_url, json=small_body, timeout=60)
        return 1 if envelope_result(json.loads(r.content))["Uuid"] else 0

    def httpx_small() -> int:
        r = hx.post(user_url, json=small_body)
        return 1 if envelope_result(json.loads(r.content))["Uuid"] else 0

    def ours_large() -> int:
        table = ours.cdirectory_service.get_users(args=query_args)
        return len(table.results or [])

    def requests_large() -> int:
        r = session.post(users_url, json=large_body, timeout=60)
        return len(envelope_result(json.loads(r.content))["Results"])

    def pydantic_large() -> int:
        r = session.post(users_url, json=large_body, timeout=60)
        table = UserQueryTable.model_validate(envelope_result(json.loads(r.content)))
        return len(table.Results or [])

    sync_cases = {
        "small": {"ours": ours_small, "requests": requests_small, "httpx": httpx_small},
        "large": {"ours": ours_large, "requests": requests_large, "pydantic": pydantic_large},
    }
    for name, parties in sync_cases.items():
        for party, fn in parties.items():
            want = LARGE_ROWS if name == "large" else 1
            got = fn()
            if got != want:
                raise SystemExit(f"{party} {name}: {got} rows, expected {want}")

    results: dict[str, dict[str, list[dict[str, float]]]] = {}
    for name, parties in sync_cases.items():
        results[name] = {party: [] for party in parties}
        seconds = args.seconds * (2 if name == "large" else 1)
        for run in range(args.runs):
            order = list(parties.items())
            if run % 2:
                order.reverse()
            for party, fn in order:
                results[name][party].append(timed(fn, seconds, args.sandbox_pid))

    async def async_runs() -> dict[str, list[dict[str, float]]]:
        aours = cyberark_identity.AsyncClient(args.url, client_id=args.client_id, client_secret=args.client_secret)
        limits = httpx.Limits(max_connections=64, max_keepalive_connections=64)
        async with httpx.AsyncClient(headers=headers, timeout=60, limits=limits) as ahx:

            async def ours_call() -> None:
                await aours.cdirectory_service.get_user(args.user_id)

            async def httpx_call() -> None:
                r = await ahx.post(user_url, json=small_body)
                envelope_result(json.loads(r.content))

            await ours_call()
            await httpx_call()
            out: dict[str, list[dict[str, float]]] = {"ours": [], "httpx": []}
            for run in range(args.runs):
                order = [("ours", ours_call), ("httpx", httpx_call)]
                if run % 2:
                    order.reverse()
                for party, make in order:
                    out[party].append(await timed_async(make, 64, args.seconds, args.sandbox_pid))
            return out

    results["async_small_64"] = asyncio.run(async_runs())
    print(json.dumps(results))
    return 0


if __name__ == "__main__":
    sys.exit(main())
