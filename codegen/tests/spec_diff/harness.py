"""Runs every spec-diff case's Python script against the package it was generated for.

Called by ``codegen/tests/spec_diff_python.rs`` as
``python harness.py BUILD_DIR SCRIPTS_DIR BINDINGS_PYTHON_DIR OUT_JSON``: ``BUILD_DIR`` holds
``spec_diff_compat.so``, the one extension module with the generated layer of the base spec
(``old``) and of every edited spec (``new_<case>``) side by side; ``SCRIPTS_DIR`` holds the
scripts ``user_<case>_<side>.py``, each importing its layer as ``api`` and defining
``run(client)``. Each script runs against a local server answering every operation of the base
spec; the outcome of each (``null`` when it passed, else the exception) and the Rust run checks
of ``spec_diff_compat.rust_runs()`` are written to ``OUT_JSON``.
"""

from __future__ import annotations

import http.server
import importlib
import json
import os
import sys
import threading
import types
from typing import Any

ORG = {
    "ID": "o1",
    "Name": "n",
    "Status": "Active",
    "Members": 3_000_000_000,
    "Seats": 3,
    "Uuid": "U1",
    "Related": {"Name": "r"},
    "Audit": {"Actor": "alice", "Action": "create"},
}

ANSWERS: dict[str, Any] = {
    "/Org/Create": ORG,
    "/Org/Get": ORG,
    "/Org/List": {"Results": [ORG], "FullCount": 1},
}


class Handler(http.server.BaseHTTPRequestHandler):
    """Answers each operation of the base spec with the Identity envelope around its result."""

    def do_POST(self) -> None:  # noqa: N802 (the name http.server calls)
        length = int(self.headers.get("Content-Length") or 0)
        self.rfile.read(length)
        path = self.path.split("?", 1)[0]
        body = json.dumps({"success": True, "Result": ANSWERS.get(path)}).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002
        pass


def main() -> None:
    build, scripts, bindings_python, out = sys.argv[1:5]
    # The generated layers raise the package's exceptions from `cyberark_identity.errors`, a
    # pure-Python module: load it without the package's own native module.
    package = types.ModuleType("cyberark_identity")
    package.__path__ = [os.path.join(bindings_python, "cyberark_identity")]
    sys.modules["cyberark_identity"] = package
    sys.path[:0] = [build, scripts]
    import spec_diff_compat  # type: ignore[import-not-found]

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    url = f"http://127.0.0.1:{server.server_address[1]}"
    results: dict[str, Any] = {}
    for name in sorted(os.listdir(scripts)):
        if not (name.startswith("user_") and name.endswith(".py")):
            continue
        module = name[:-3]
        try:
            script = importlib.import_module(module)
            client = script.api.Client(url, token="t", max_attempts=1)
            try:
                script.run(client)
            finally:
                client.close()
            results[module] = None
        except Exception as e:  # noqa: BLE001 (every failure of user code counts)
            results[module] = f"{type(e).__name__}: {e}"
    results["rust_runs"] = dict(spec_diff_compat.rust_runs())
    server.shutdown()
    with open(out, "w", encoding="utf-8") as f:
        json.dump(results, f, indent=1, sort_keys=True)


if __name__ == "__main__":
    main()
