"""AsyncClient GetUser x64 against a fresh sandbox process: req/s and client CPU per call, per run.

Compares designs of the asyncio bridge (benches/FINDINGS.md, issue 13) without the whole harness:
    python benches/python/async_bridge.py [seconds] [runs] [--sync] [--noreader]
`--noreader` runs the loop without `add_reader`, which measures the `call_soon_threadsafe`
fallback. The sandbox binary is $CYBERARK_BENCH_SANDBOX, else target/release/identity-sandbox.
"""
import asyncio, os, subprocess, sys, time, resource

SANDBOX = os.environ.get(
    "CYBERARK_BENCH_SANDBOX",
    os.path.join(os.path.dirname(__file__), "..", "..", "target", "release", "identity-sandbox"),
)
secs = float(sys.argv[1]) if len(sys.argv) > 1 else 3.0
runs = int(sys.argv[2]) if len(sys.argv) > 2 else 3
sync_too = "--sync" in sys.argv

p = subprocess.Popen([SANDBOX, "--port", "0", "--seed", "demo"], stdout=subprocess.PIPE, text=True)
vals = {}
for line in p.stdout:
    line = line.strip()
    if "=" in line:
        k, v = line.split("=", 1)
        vals[k] = v
    if line.startswith("URL="):
        break
url = vals["URL"].rstrip("/")
import threading
threading.Thread(target=lambda: [None for _ in p.stdout], daemon=True).start()

import cyberark_identity

def cpu():
    r = resource.getrusage(resource.RUSAGE_SELF)
    return r.ru_utime + r.ru_stime

def sb_cpu():
    with open(f"/proc/{p.pid}/stat") as f:
        parts = f.read().rsplit(")", 1)[1].split()
    return (int(parts[11]) + int(parts[12])) / os.sysconf("SC_CLK_TCK")

sc = cyberark_identity.Client(url, client_id=vals["CLIENT_ID"], client_secret=vals["CLIENT_SECRET"])
uid = sc.cdirectory_service.get_users(args=cyberark_identity._native.QueryArgs(page_number=1, page_size=1)).results[0].row.uuid

async def main():
    ac = cyberark_identity.AsyncClient(url, client_id=vals["CLIENT_ID"], client_secret=vals["CLIENT_SECRET"])
    await ac.cdirectory_service.get_user(uid)
    for r in range(runs):
        calls = 0
        c0, s0, t0 = cpu(), sb_cpu(), time.perf_counter()
        deadline = t0 + secs
        async def worker():
            nonlocal calls
            while time.perf_counter() < deadline:
                await ac.cdirectory_service.get_user(uid)
                calls += 1
        await asyncio.gather(*(worker() for _ in range(64)))
        wall = time.perf_counter() - t0
        print(f"async x64: {calls/wall:7.0f} req/s  {(cpu()-c0)*1e6/calls:6.1f} us CPU/call  sandbox {(sb_cpu()-s0)/wall:.2f} cores", flush=True)

if sync_too:
    for r in range(runs):
        calls = 0
        c0, t0 = cpu(), time.perf_counter()
        while time.perf_counter() < t0 + secs:
            sc.cdirectory_service.get_user(uid); calls += 1
        wall = time.perf_counter() - t0
        print(f"sync x1:   {calls/wall:7.0f} req/s  {(cpu()-c0)*1e6/calls:6.1f} us CPU/call", flush=True)
if "--noreader" in sys.argv:
    class NoReaderLoop(asyncio.SelectorEventLoop):
        def add_reader(self, *a, **k):
            raise NotImplementedError
    loop = NoReaderLoop()
    loop.run_until_complete(main())
    loop.close()
else:
    asyncio.run(main())
p.kill()
