"""Python side of the Vault rows of `cargo xtask bench`: `cyberark_vault` against `requests`.

Run by the Rust harness (`benches/src/vault.rs`) with the sandbox's Vault URL and the Vault
administrator's credentials; prints one JSON object on stdout. `--mode list` times both parties
listing every account through `nextLink`, alternating run by run; `--mode stream` and
`--mode download` each run in a process of their own so that the peak resident memory they
report belongs to that one measurement.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from urllib.parse import urljoin

PAGE = 1000


def peak_rss_kib() -> int:
    """VmHWM of this process, in KiB (not `ru_maxrss`, which Linux carries across exec)."""
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith("VmHWM:"):
                return int(line.split()[1])
    raise RuntimeError("no VmHWM in /proc/self/status")


def client(args: argparse.Namespace):
    import cyberark_vault

    return cyberark_vault.Client(
        args.vault_url, username=args.username, password=args.password, concurrent_session=True
    )


def list_ours(vault) -> int:
    n = 0
    for _account in vault.accounts.list_iter(page_size=PAGE):
        n += 1
    return n


class Raw:
    """requests, signed in by hand, following `nextLink` by hand."""

    def __init__(self, args: argparse.Namespace) -> None:
        import requests

        self.session = requests.Session()
        self.base = args.vault_url.rstrip("/") + "/"
        r = self.session.post(
            urljoin(self.base, "API/Auth/CyberArk/Logon"),
            json={"username": args.username, "password": args.password, "concurrentSession": True},
            timeout=30,
        )
        r.raise_for_status()
        self.session.headers["Authorization"] = r.json()

    def list(self) -> int:
        url = urljoin(self.base, f"API/Accounts?limit={PAGE}")
        n = 0
        while True:
            r = self.session.get(url, timeout=30)
            r.raise_for_status()
            page = r.json()
            n += len(page["value"])
            nxt = page.get("nextLink")
            if not nxt:
                return n
            url = urljoin(self.base, nxt)


def mode_list(args: argparse.Namespace) -> dict:
    vault = client(args)
    raw = Raw(args)
    expected = raw.list()
    seen = list_ours(vault)
    if seen != expected:
        raise RuntimeError(f"cyberark_vault saw {seen} accounts, requests {expected}")
    ours, base = [], []
    for _ in range(args.runs):
        for rates, fn in ((ours, lambda: list_ours(vault)), (base, raw.list)):
            start = time.perf_counter()
            n = fn()
            rates.append(n / (time.perf_counter() - start))
    vault.close()
    return {"accounts": expected, "ours": ours, "requests": base}


def mode_stream(args: argparse.Namespace) -> dict:
    vault = client(args)
    vault.accounts.list(limit=1)  # signs in and opens the connection before the first reading
    start_kib = peak_rss_kib()
    started = time.perf_counter()
    n = list_ours(vault)
    secs = time.perf_counter() - started
    vault.close()
    return {"start_kib": start_kib, "peak_kib": peak_rss_kib(), "items": n, "secs": secs}


def mode_download(args: argparse.Namespace) -> dict:
    vault = client(args)
    vault.accounts.list(limit=1)
    start_kib = peak_rss_kib()
    started = time.perf_counter()
    written = vault.recordings.play(args.recording, to=args.file)
    secs = time.perf_counter() - started
    vault.close()
    return {"start_kib": start_kib, "peak_kib": peak_rss_kib(), "bytes": written, "secs": secs}


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--vault-url", required=True)
    parser.add_argument("--username", required=True)
    parser.add_argument("--password", required=True)
    parser.add_argument("--mode", choices=["list", "stream", "download"], required=True)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--recording", default="98_1")
    parser.add_argument("--file", help="where --mode download writes the recording")
    args = parser.parse_args()
    result = {"list": mode_list, "stream": mode_stream, "download": mode_download}[args.mode](args)
    json.dump(result, sys.stdout)
    return 0


if __name__ == "__main__":
    sys.exit(main())
