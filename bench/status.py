"""Benchmark: `magicmix status` over a national-scale stock (2.3 million homes in about 30,000 complexes).

    python bench/status.py [--complexes 30000] [--homes 2300000] [--workdir /tmp/magicmix-national] [--rounds 3]

Generates (once; shared with bench/batch.py) an invented policy and its occupancy as CSV, then
runs the real command, as staff would, with a policy cache of its own (MAGICMIX_CACHE_DIR in the
workdir, emptied first):

    magicmix status POLICY --occupancy occupancy.csv --date D [--format json] -o OUT

  1. first: the first run with an empty cache (reads and checks every file, fills the cache);
  2. warm, text (the default format) and warm, JSON: every later run on the same policy;
  3. cold: the first run after one complex file changed (one home's rent; the file is put back after),
     which reads that file only; its ratio to warm text is printed (issue 21: under 3x).

For each it prints the wall-clock time and the peak memory of that process; then the time of
each stage of a warm run measured in-process. Target (issue 8): under 10 seconds on a 2-core machine.

The baseline (issue 21: warm within 2x a plain pass of Python's csv module over the same file) is
measured in the same run, alternating with the warm text runs: the bare pass (`for row in
csv.reader(f): pass`) and the plain status pass, the leanest plain Python that keeps what a status
needs per row (the home's position by a dict, the row in force on the date, its category), with no
check at all. The ratio printed is the warm run's wall clock over the plain status pass; the machine's
load average is printed with it.
"""

from __future__ import annotations

import argparse
import contextlib
import csv
import datetime as dt
import os
import shutil
from statistics import median
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
sys.path.insert(0, ROOT)
sys.path.insert(0, HERE)

from batch import generate_occupancy, generate_policy  # noqa: E402  (bench/batch.py)

DATE = "2025-06-01"
TARGET = 10.0


def _run(args: list[str], env: dict) -> tuple[float, float]:
    """(wall seconds, peak MiB) of one command in its own process."""
    start = time.perf_counter()
    proc = subprocess.Popen([sys.executable, os.path.join(ROOT, "cli.py"), *args], env=env,
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    _, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - start
    proc.returncode = os.waitstatus_to_exitcode(status)
    if proc.returncode != 0:
        raise SystemExit(proc.stderr.read().decode())
    proc.stderr.close()
    return wall, usage.ru_maxrss / 1024


@contextlib.contextmanager
def _one_complex_edited(policy: str):
    """One complex file (the middle one) with a small hunk, one home's rent, as an author edits it; put back after."""
    names = sorted(os.listdir(os.path.join(policy, "complexes")))
    path = os.path.join(policy, "complexes", names[len(names) // 2])
    with open(path, "rb") as fh:
        original = fh.read()
    with open(path, "wb") as fh:
        fh.write(original.replace(b"rent: ", b"rent: 1", 1))
    try:
        yield
    finally:
        with open(path, "wb") as fh:
            fh.write(original)


def plain_pass(occupancy: str) -> float:
    """Seconds of the bare csv pass over the file: every row read, nothing done with it."""
    start = time.perf_counter()
    with open(occupancy, newline="", encoding="utf-8") as fh:
        for _ in csv.reader(fh):
            pass
    return time.perf_counter() - start


def plain_status_pass(occupancy: str, position: dict, code: dict) -> float:
    """Seconds of the leanest plain-Python status pass: per row the home's position, the row in force on DATE
    (ISO dates compare as text) and its category's code; no check of any kind."""
    start = time.perf_counter()
    since = [""] * len(position)
    codes = bytearray(len(position))
    with open(occupancy, newline="", encoding="utf-8") as fh:
        rows = csv.reader(fh)
        next(rows)
        for unit, _household, category, valid_from in rows:
            i = position[unit]
            if DATE >= valid_from >= since[i]:
                since[i] = valid_from
                codes[i] = code[category]
    return time.perf_counter() - start


def _stages(policy: str, occupancy: str) -> str:
    """The stages of a warm run, timed in this process (the cache is warm by now)."""
    from rules_engine import load_policy
    from rules_engine.stock.composition_scan import composition_at, start_early
    from rules_engine.load.load import gc_paused
    from rules_engine.render.portfolio_report import status_json, status_text
    from rules_engine.stock.status import portfolio_status

    times = {}
    with gc_paused():
        t = time.perf_counter()
        early = start_early(occupancy, policy, dt.date.fromisoformat(DATE))  # as the command: the later part
        program = load_policy(policy)  # of the occupancy is read in a second process while the policy loads
        times["policy (cache; the occupancy's later part read alongside)"] = time.perf_counter() - t
        t = time.perf_counter()
        comp = composition_at(occupancy, program.policy, dt.date.fromisoformat(DATE), early)
        times["occupancy and composition"] = time.perf_counter() - t
        t = time.perf_counter()
        result = portfolio_status(program.policy, comp)
        times[f"status of {len(result.groups):,} groups"] = time.perf_counter() - t
        t = time.perf_counter()
        status_text(result)
        times["text"] = time.perf_counter() - t
        t = time.perf_counter()
        status_json(result)
        times["JSON"] = time.perf_counter() - t
    return ", ".join(f"{name} {seconds:.1f} s" for name, seconds in times.items())


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--complexes", type=int, default=30_000)
    ap.add_argument("--homes", type=int, default=2_300_000)
    ap.add_argument("--workdir", default="/tmp/magicmix-national")
    ap.add_argument("--rounds", type=int, default=3, help="warm text runs, each followed by the plain passes")
    args = ap.parse_args()
    os.makedirs(args.workdir, exist_ok=True)
    tag = f"{args.complexes}-{args.homes}"
    policy = os.path.join(args.workdir, f"policy-{tag}")
    occupancy = os.path.join(args.workdir, f"occupancy-{tag}.csv")
    if not (os.path.isdir(policy) and os.path.exists(occupancy)):
        generate_occupancy(occupancy, generate_policy(policy, args.complexes, args.homes))
    cache = os.path.join(args.workdir, "cache")
    shutil.rmtree(cache, ignore_errors=True)
    env = {**os.environ, "MAGICMIX_CACHE_DIR": cache}
    os.environ["MAGICMIX_CACHE_DIR"] = cache
    base = ["status", policy, "--occupancy", occupancy, "--date", DATE]
    out = os.path.join(args.workdir, "status.out")
    print(f"magicmix status, {args.complexes:,} complexes, {args.homes:,} homes, {os.cpu_count()} cores")
    wall, peak = _run(base + ["-o", out], env)
    print(f"  first run (empty cache: reads and checks every file), text: {wall:.1f} s wall clock, peak memory {peak:,.0f} MiB")
    from rules_engine import load_policy

    program = load_policy(policy)  # from the cache: the plain pass gets the homes and categories as given
    position = {uid: i for i, uid in enumerate(program.policy.units)}
    code = {c: i + 1 for i, c in enumerate(program.policy.category_ids)} | {"": 0}
    warm, bare, lean, loads = [], [], [], []
    for _ in range(args.rounds):  # alternating, so that both see the same load
        wall, peak = _run(base + ["-o", out], env)
        warm.append(wall)
        bare.append(plain_pass(occupancy))
        lean.append(plain_status_pass(occupancy, position, code))
        loads.append(os.getloadavg()[0])
    verdict = "met" if median(warm) < TARGET else "NOT met"
    print(f"  warm, text (the default format): {median(warm):.1f} s wall clock (median of {args.rounds}: "
          f"{', '.join(f'{w:.2f}' for w in warm)}), peak memory {peak:,.0f} MiB, "
          f"output {os.path.getsize(out) / 2**20:,.0f} MiB; target < {TARGET:.0f} s: {verdict}")
    print(f"  plain csv pass over the same file: {median(bare):.2f} s; plain status pass (csv, the home by a dict, "
          f"the row in force, its category; no checks): {median(lean):.2f} s")
    ratio = median(warm) / median(lean)
    print(f"  warm text / plain status pass: {ratio:.1f}x (target issue 21: at most 2x: "
          f"{'met' if ratio <= 2 else 'NOT met'}); / bare csv pass: {median(warm) / median(bare):.1f}x; "
          f"load average {', '.join(f'{x:.1f}' for x in loads)}")
    wall, peak = _run(base + ["--format", "json", "-o", out], env)
    print(f"  warm, JSON: {wall:.1f} s wall clock, peak memory {peak:,.0f} MiB, "
          f"output {os.path.getsize(out) / 2**20:,.0f} MiB")
    with _one_complex_edited(policy):
        wall, peak = _run(base + ["-o", out], env)
    ratio = wall / median(warm)
    print(f"  cold: first run after one complex file changed (one rent), text: {wall:.1f} s wall clock, peak memory "
          f"{peak:,.0f} MiB (load {os.getloadavg()[0]:.1f})")
    print(f"  cold (one complex file changed) / warm text: {ratio:.2f}x; target (issue 21) < 3x: "
          f"{'met' if ratio < 3 else 'NOT met'}")
    print(f"  stages of a warm run, in-process: {_stages(policy, occupancy)}")
    os.unlink(out)


if __name__ == "__main__":
    main()
