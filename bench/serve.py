"""Load on the running decision service over loopback: p50/p99 latency and throughput.

    python bench/serve.py [--db URL] [--seconds 10] [--rate 100]

Starts `magicmix serve policies/openbaar-belang` on a free loopback port (SQLite in a temporary folder unless
--db names a PostgreSQL database), and drives it with an open-loop load generator written with asyncio and
httpx: requests are sent at a fixed rate whatever the answers do, and each latency is counted from the moment
its request was due, so a slow server cannot hide its queue (no coordinated omission). It is a Python
generator, not wrk: at 100 requests/s it has time to spare on this machine, and the figures it prints include
its own client cost, so they are an upper bound on the server's.

1. POST /v1/evaluate (the README example) at --rate requests/s for --seconds;
2. POST /v1/rank with 300 candidates, one request at a time (each answer about 4 MB of explanations);
3. 8 concurrent writers of POST /v1/decisions, then the count and the hash chain checked in the database.
The baseline is the same work in plain Python in this process (api.evaluate, rank.rank), per call.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx
import yaml

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
POLICY = ROOT / "policies" / "openbaar-belang"
UNIT = "ZW-ASN-01-A09"


def pct(values: list[float], p: float) -> float:
    """The p-th percentile (nearest rank) in milliseconds."""
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(p / 100 * len(ordered)) - 1))] * 1000


async def open_loop(client: httpx.AsyncClient, path: str, body: dict, rate: float, count: int) -> dict:
    """Send count requests at a fixed rate; latency from each request's due time to its complete answer."""
    start = time.perf_counter() + 0.05
    latencies: list[float] = []
    failures = 0

    async def one(i: int) -> None:
        nonlocal failures
        due = start + i / rate
        await asyncio.sleep(max(0.0, due - time.perf_counter()))
        try:
            r = await client.post(path, json=body)
        except httpx.HTTPError:
            failures += 1
            return
        if r.status_code != 200:
            failures += 1
        latencies.append(time.perf_counter() - due)
    await asyncio.gather(*(one(i) for i in range(count)))
    elapsed = time.perf_counter() - start
    return {"n": count, "failures": failures, "p50": pct(latencies, 50), "p99": pct(latencies, 99),
            "max": max(latencies) * 1000, "throughput": count / elapsed}


async def closed_loop(client: httpx.AsyncClient, path: str, body: dict, count: int) -> dict:
    """count requests one after the other (the next when the answer is in): latency without a queue."""
    latencies: list[float] = []
    failures = 0
    start = time.perf_counter()
    for _ in range(count):
        t = time.perf_counter()
        try:
            r = await client.post(path, json=body)
            failures += r.status_code != 200
        except httpx.HTTPError:
            failures += 1
        latencies.append(time.perf_counter() - t)
    return {"n": count, "failures": failures, "p50": pct(latencies, 50), "p99": pct(latencies, 99),
            "throughput": count / (time.perf_counter() - start)}


async def writers(client: httpx.AsyncClient, body: dict, writers_n: int, each: int) -> dict:
    """writers_n concurrent writers, each posting `each` decisions one after the other."""
    latencies: list[float] = []
    acked: list[str] = []

    async def writer(k: int) -> None:
        for i in range(each):
            b = {**body, "evaluate": {**body["evaluate"], "household": {**body["evaluate"]["household"],
                                                                        "id": f"bench-{k}-{i}"}}}
            t = time.perf_counter()
            try:
                r = await client.post("/v1/decisions", json=b)
            except httpx.HTTPError:
                continue
            latencies.append(time.perf_counter() - t)
            if r.status_code == 201:
                acked.append(r.json()["decision_id"])
    started = time.perf_counter()
    await asyncio.gather(*(writer(k) for k in range(writers_n)))
    elapsed = time.perf_counter() - started
    return {"n": writers_n * each, "acked": acked, "p50": pct(latencies, 50), "p99": pct(latencies, 99),
            "throughput": len(acked) / elapsed}


def candidates(n: int) -> list[dict]:
    """n invented candidates (pseudonymous ids), categories and incomes spread as in a portal list."""
    rng = random.Random(17)
    cats = ["regulier", "aandacht", "actief"]
    return [{"id": f"kd-{i:04d}", "size": rng.randint(1, 5), "income": rng.randrange(14000, 70000, 500),
             "category": rng.choice(cats)} for i in range(n)]


def baseline(household: dict, cands: list[dict], reps: int) -> tuple[float, float]:
    """Milliseconds per call of the same work in plain Python: api.evaluate and rank.rank with the JSON text the
    server sends (to_json), no HTTP."""
    import datetime as dt

    from rules_engine.api import evaluate, example_occupancy, load_policy
    from rules_engine.load.inputs import household_from_data
    from rules_engine.load.occupancy import composition
    from rules_engine.allocation.rank import rank

    program = load_policy(str(POLICY))
    occ, date = example_occupancy(program), dt.date(2025, 6, 1)
    h = household_from_data(household)
    t = time.perf_counter()
    for _ in range(reps):
        evaluate(program, h, UNIT, date, occ, "occupancy.yaml").to_json()
    per_eval = (time.perf_counter() - t) / reps * 1000
    hs = [household_from_data(c) for c in cands]
    t = time.perf_counter()
    for _ in range(3):
        rank(program, hs, UNIT, composition(program.policy, occ, date)).to_json()
    return per_eval, (time.perf_counter() - t) / 3 * 1000


def main() -> None:
    """Run the three loads and print their figures."""
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--db", help="Database URL (default: SQLite in a temporary folder).")
    ap.add_argument("--seconds", type=float, default=10)
    ap.add_argument("--rate", type=float, default=100)
    ap.add_argument("--rank-requests", type=int, default=20)
    ap.add_argument("--writes", type=int, default=25, help="Decisions per writer (8 writers).")
    args = ap.parse_args()
    work = Path(tempfile.mkdtemp(prefix="magicmix-bench-serve-"))
    db = args.db or f"sqlite:///{work / 'bench.db'}"
    cli = [sys.executable, str(ROOT / "cli.py")]
    env = {**os.environ, "MAGICMIX_CACHE_DIR": str(work / "cache")}
    tokens = {role: subprocess.run([*cli, "serve", "token", "create", "--role", role, "--db", db], env=env,
                                   capture_output=True, text=True, check=True).stdout.strip()
              for role in ("read", "decide")}
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    log = open(work / "server.log", "wb")
    proc = subprocess.Popen([*cli, "serve", str(POLICY), "--port", str(port), "--db", db, "--no-access-log"],
                            cwd=work, env=env, stdout=log, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}"
    try:
        for _ in range(300):
            try:
                if httpx.get(url + "/healthz").status_code == 200:
                    break
            except httpx.HTTPError:
                time.sleep(0.1)
        household = yaml.safe_load((POLICY / "examples" / "households" / "aandacht-2p.yaml").read_text())
        cands = candidates(300)
        load_before = os.getloadavg()
        print(f"machine: {os.cpu_count()} cores, load average {load_before[0]:.2f} {load_before[1]:.2f} "
              f"{load_before[2]:.2f}; database {db.split('@')[-1]}")
        per_eval, per_rank = baseline(household, cands, 200)
        print(f"baseline in-process: evaluate {per_eval:.2f} ms, rank of 300 {per_rank:.1f} ms")

        async def run() -> None:
            limits = httpx.Limits(max_connections=64, max_keepalive_connections=64)
            read = httpx.AsyncClient(base_url=url, headers={"Authorization": f"Bearer {tokens['read']}"},
                                     timeout=60, limits=limits)
            decide = httpx.AsyncClient(base_url=url, headers={"Authorization": f"Bearer {tokens['decide']}"},
                                       timeout=60, limits=limits)
            body = {"household": household, "unit": UNIT, "date": "2025-06-01"}
            await read.post("/v1/evaluate", json=body)  # warm: first composition, first connection
            e = await open_loop(read, "/v1/evaluate", body, args.rate, int(args.rate * args.seconds))
            print(f"evaluate at {args.rate:.0f}/s: {e['n']} requests, {e['failures']} failed, p50 {e['p50']:.1f} ms, "
                  f"p99 {e['p99']:.1f} ms, max {e['max']:.1f} ms, {e['throughput']:.1f} req/s "
                  f"(p50 / in-process {e['p50'] / per_eval:.1f}x)")
            r = await closed_loop(read, "/v1/rank", {"unit": UNIT, "date": "2025-06-01", "candidates": cands},
                                  args.rank_requests)
            print(f"rank of 300, one at a time: {r['n']} requests, {r['failures']} failed, p50 {r['p50']:.0f} ms, "
                  f"p99 {r['p99']:.0f} ms, {r['throughput']:.2f} req/s (p50 / in-process {r['p50'] / per_rank:.1f}x)")
            w = await writers(decide, {"evaluate": body, "followed": True, "reviewer": "mw-bench"}, 8, args.writes)
            print(f"8 writers x {args.writes}: {len(w['acked'])}/{w['n']} acknowledged, p50 {w['p50']:.0f} ms, "
                  f"p99 {w['p99']:.0f} ms, {w['throughput']:.1f} decisions/s")
            await read.aclose()
            await decide.aclose()
            from rules_engine.service.store import open_store

            store = open_store(db)
            records, broken = store.verify()
            missing = [d for d in w["acked"] if store.record(d) is None]
            print(f"database: {store.count('decision')} decisions, {records} records, chain "
                  f"{'intact' if not broken else f'BROKEN at {broken[:5]}'}, {len(missing)} acknowledged missing")
        asyncio.run(run())
        load_after = os.getloadavg()
        print(f"load average after: {load_after[0]:.2f} {load_after[1]:.2f} {load_after[2]:.2f}")
        if statistics.mean([load_before[0], load_after[0]]) > (os.cpu_count() or 1):
            print("note: the machine was busy with other work; latencies include waiting for a core")
    finally:
        proc.terminate()
        proc.wait(timeout=30)
        log.close()
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
