"""Load test of the dashboard (`cxscale serve`): 50 concurrent users against a live server on loopback.

It builds the demo workspace once (`cxscale.demo.run_demo`, what `make demo` runs: a simulated support world, its
diagnosis and readouts, the portfolio store carried through its gates, proof points and the demo logins, under
bench/out/dashboard/), then serves it with uvicorn in its own process (one worker) on 127.0.0.1.
Each simulated user logs in (a real argon2 login), then loops over a mix of pages and API calls until the request
budget or the time limit is spent. It prints p50 / p95 / max latency and errors per route and overall, and exits 1
when p95 >= 200 ms or any request failed.

    .venv/bin/python bench/bench_dashboard.py                       # 50 users, 3,000 requests, at most 90 s
    .venv/bin/python bench/bench_dashboard.py --users 50 --requests 5000 --seconds 120 --json

Nothing leaves the machine: the server listens on 127.0.0.1 only and the client talks to it alone.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import re
import secrets
import shutil
import socket
import statistics
import subprocess
import sys
import time
from pathlib import Path

BENCH_DIR = Path(__file__).resolve().parent
REPO = BENCH_DIR.parent
TARGET_P95 = 0.200


def build(out: Path, customers: int) -> str:
    """The demo workspace (`cxscale demo`: world, diagnosis, readouts, the portfolio store carried through its
    gates, proof points, demo logins), built once; returns the demo users' password."""
    logins = out / "demo-logins.json"
    if not logins.exists():
        from cxscale.demo import run_demo

        if out.exists():
            shutil.rmtree(out)
        run_demo(out, customers=customers, seed=42)
    return str(json.loads(logins.read_text())["password"])


def make_app():  # noqa: ANN201 - uvicorn's --factory target
    """The dashboard over the workspace named by CXSCALE_BENCH_WORKSPACE."""
    from cxscale.web import WebConfig, create_app

    folder = Path(os.environ["CXSCALE_BENCH_WORKSPACE"])
    return create_app(WebConfig(store=str(folder / "portfolio.db"), workspace=folder, data=folder / "world",
                                secret_key=os.environ["CXSCALE_BENCH_KEY"].encode()))


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def serve(folder: Path, workers: int = 1) -> tuple[subprocess.Popen[bytes], str]:
    port = _free_port()
    # One session key for every worker (else a session signed by one is refused by the other).
    env = {**os.environ, "CXSCALE_BENCH_WORKSPACE": str(folder), "PYTHONPATH": str(REPO),
           "CXSCALE_BENCH_KEY": secrets.token_urlsafe(32)}
    proc = subprocess.Popen([sys.executable, "-m", "uvicorn", "--factory", "bench_dashboard:make_app",
                             "--app-dir", str(BENCH_DIR), "--host", "127.0.0.1", "--port", str(port),
                             "--log-level", "warning", "--no-access-log", "--workers", str(workers)], env=env)
    base = f"http://127.0.0.1:{port}"
    import httpx

    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"{base}/login", timeout=2).status_code == 200:
                return proc, base
        except httpx.TransportError:
            time.sleep(0.2)
    proc.kill()
    raise SystemExit("the dashboard did not start")


def routes(folder: Path) -> list[tuple[str, str]]:
    """The mix every user cycles through: (route name, path), pages and API, each initiative's page and gate."""
    from cxscale.portfolio import open_store, service

    opened = open_store(folder / "portfolio.db")
    try:
        ids = [i.id for i in service.initiatives(opened)]
    finally:
        opened.close()
    mix = [("page /", "/"), ("page /?view=operations", "/?view=operations"), ("page /log", "/log"),
           ("page /audit", "/audit"), ("page /scorecard", "/scorecard"), ("page /journey", "/journey"),
           ("page /review", "/review"), ("api /api/initiatives", "/api/initiatives"), ("api /api/log", "/api/log"),
           ("api /api/me", "/api/me"), ("api /api/audit", "/api/audit")]
    from cxscale.proof.library import list_proofs

    opened = open_store(folder / "portfolio.db")
    try:
        proofs = [p.digest for p in list_proofs(opened)]
    finally:
        opened.close()
    mix += [("page /proof", "/proof"), ("page /proof?q=", "/proof?q=handle+time")]
    mix += [("page /proof/{digest}", f"/proof/{d}") for d in proofs]
    for iid in ids:
        mix += [("page /initiatives/{id}", f"/initiatives/{iid}"), ("api /api/initiatives/{id}/gate",
                                                                      f"/api/initiatives/{iid}/gate")]
    return mix


async def load(base: str, users: list[str], password: str, mix: list[tuple[str, str]], budget: int,
               seconds: float, think: float = 0.0) -> tuple[dict[str, list[float]], list[str], dict[str, int], float]:
    """Every user logged in, then each sends the next request of the mix as soon as the last one answered (after
    `think` seconds on average, 0.5-1.5x at random: a person reading the page), until the budget or time is spent.
    Errors are server errors and failed connections; a 4xx answer the API declares (a gate that cannot be judged on
    this data: 409) is counted apart."""
    import random

    import httpx

    rng = random.Random(1)
    timings: dict[str, list[float]] = {}
    errors: list[str] = []
    refusals: dict[str, int] = {}
    sent = 0
    limits = httpx.Limits(max_connections=len(users), max_keepalive_connections=len(users))

    async def login(name: str, client: httpx.AsyncClient) -> bool:
        page = await client.get("/login")
        csrf = re.search(r'name="csrf" value="([^"]+)"', page.text)
        done = await client.post("/login", data={"user": name, "password": password,
                                                 "csrf": csrf.group(1) if csrf else "", "next": "/"})
        if done.status_code != 303 or "cxscale_session" not in client.cookies:
            errors.append(f"login {name}: {done.status_code}")
            return False
        return True

    async def user(k: int, client: httpx.AsyncClient, stop: float) -> None:
        nonlocal sent
        i = k
        while sent < budget and time.monotonic() < stop:
            sent += 1
            label, path = mix[i % len(mix)]
            i += 1
            t = time.perf_counter()
            try:
                r = await client.get(path)
            except httpx.HTTPError as exc:
                errors.append(f"{path}: {type(exc).__name__}")
                continue
            if r.status_code >= 500:
                errors.append(f"{path}: {r.status_code}")
            elif r.status_code != 200:
                refusals[f"{path}: {r.status_code}"] = refusals.get(f"{path}: {r.status_code}", 0) + 1
            timings.setdefault(label, []).append(time.perf_counter() - t)
            if think:
                await asyncio.sleep(think * rng.uniform(0.5, 1.5))

    clients = [httpx.AsyncClient(base_url=base, limits=limits, timeout=30) for _ in users]
    try:
        # Logins first, a few at a time (argon2 on purpose: a burst of 50 would measure the password hash).
        gate = asyncio.Semaphore(4)

        async def logged(name: str, client: httpx.AsyncClient) -> bool:
            async with gate:
                return await login(name, client)

        ok = await asyncio.gather(*(logged(u, c) for u, c in zip(users, clients, strict=True)))
        begin = time.monotonic()
        await asyncio.gather(*(user(k, c, begin + seconds) for k, (c, good) in enumerate(zip(clients, ok,
                                                                                          strict=True)) if good))
        elapsed = time.monotonic() - begin
    finally:
        for c in clients:
            await c.aclose()
    return timings, errors, refusals, elapsed


def quantile(xs: list[float], q: float) -> float:
    return statistics.quantiles(xs, n=100, method="inclusive")[int(q * 100) - 1] if len(xs) > 1 else xs[0]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--users", type=int, default=50)
    ap.add_argument("--requests", type=int, default=3000, help="the request budget over all users")
    ap.add_argument("--seconds", type=float, default=90, help="the time limit of the measured phase")
    ap.add_argument("--think", type=float, default=0.0, help="seconds a user waits between requests, on average "
                    "(0: none, the stress case)")
    ap.add_argument("--workers", type=int, default=1, help="uvicorn worker processes (cxscale serve runs one)")
    ap.add_argument("--customers", type=int, default=5000, help="the demo world's size")
    ap.add_argument("--out", type=Path, default=BENCH_DIR / "out" / "dashboard")
    ap.add_argument("--json", action="store_true")
    args = ap.parse_args()

    folder = args.out / f"demo-{args.customers}"
    password = build(folder, args.customers)
    from cxscale.portfolio import open_store, service

    opened = open_store(folder / "portfolio.db")
    try:
        logins = {u["user"] for u in json.loads((folder / "demo-logins.json").read_text())["users"]}
        people = [p.id for p in service.people(opened) if p.active and p.id in logins]
    finally:
        opened.close()
    users = [people[k % len(people)] for k in range(args.users)]
    mix = routes(folder)
    proc, base = serve(folder, args.workers)
    try:
        # One warm-up pass (first-call caches: the data the idea gates plan on, the diagnosis, templates).
        asyncio.run(load(base, users[:1], password, mix, len(mix), 120))
        timings, errors, refusals, elapsed = asyncio.run(load(base, users, password, mix, args.requests, args.seconds,
                                                              args.think))
    finally:
        proc.terminate()
        proc.wait(10)
    every = [t for ts in timings.values() for t in ts]
    rows = {label: {"n": len(ts), "p50_ms": 1000 * statistics.median(ts), "p95_ms": 1000 * quantile(ts, 0.95),
                    "max_ms": 1000 * max(ts)} for label, ts in sorted(timings.items())}
    total = {"users": args.users, "workers": args.workers, "think_seconds": args.think, "requests": len(every), "seconds": elapsed, "per_second": len(every) / elapsed,
             "p50_ms": 1000 * statistics.median(every), "p95_ms": 1000 * quantile(every, 0.95),
             "max_ms": 1000 * max(every), "errors": len(errors),
             "refusals": sum(refusals.values()), "routes": len(mix),
             "cpus": os.cpu_count(), "load_average": os.getloadavg()[0]}
    if args.json:
        print(json.dumps({"total": total, "routes": rows, "errors": errors[:20], "refusals": refusals}, indent=2))
    else:
        print(f"{'route':38} {'n':>6} {'p50 ms':>8} {'p95 ms':>8} {'max ms':>8}")
        for label, r in rows.items():
            print(f"{label:38} {r['n']:>6} {r['p50_ms']:>8.1f} {r['p95_ms']:>8.1f} {r['max_ms']:>8.1f}")
        print(f"{'all':38} {total['requests']:>6} {total['p50_ms']:>8.1f} {total['p95_ms']:>8.1f} "
              f"{total['max_ms']:>8.1f}")
        print(f"{args.users} users, {args.workers} worker(s), {total['requests']} requests in {elapsed:.1f} s ({total['per_second']:.0f}/s), "
              f"think {args.think:g} s, {len(errors)} errors, {sum(refusals.values())} declared refusals "
              f"({', '.join(refusals) or 'none'}); load average {total['load_average']:.1f} on {total['cpus']} cores")
        for e in errors[:10]:
            print("  error:", e)
    met = total["p95_ms"] < 1000 * TARGET_P95 and not errors
    print(f"target p95 < {1000 * TARGET_P95:.0f} ms with no errors: {'met' if met else 'NOT met'}")
    sys.exit(0 if met else 1)


if __name__ == "__main__":
    main()
