"""Benchmark: `magicmix status` over a national-scale stock (2.3 million homes in about 30,000 complexes).

    python bench/status.py [--complexes 30000] [--homes 2300000] [--workdir /tmp/magicmix-national]

Generates (once; shared with bench/batch.py) an invented policy and its occupancy as CSV,
then runs the real command

    magicmix status POLICY --occupancy occupancy.csv --date D --format json -o status.json

and prints the wall-clock time, the time of each stage measured in-process (reading the
policy, reading the occupancy, counting and judging every group), and peak memory.
Target (issue 8): under 10 seconds on a 2-core machine.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import resource
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
sys.path.insert(0, ROOT)
sys.path.insert(0, HERE)

from batch import generate_occupancy, generate_policy  # noqa: E402  (bench/batch.py)

from rules_engine import load_occupancy, load_policy  # noqa: E402
from rules_engine.occupancy import composition  # noqa: E402
from rules_engine.status import portfolio_status  # noqa: E402

DATE = "2025-06-01"


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--complexes", type=int, default=30_000)
    ap.add_argument("--homes", type=int, default=2_300_000)
    ap.add_argument("--workdir", default="/tmp/magicmix-national")
    args = ap.parse_args()
    os.makedirs(args.workdir, exist_ok=True)
    tag = f"{args.complexes}-{args.homes}"
    policy = os.path.join(args.workdir, f"policy-{tag}")
    occupancy = os.path.join(args.workdir, f"occupancy-{tag}.csv")
    if not (os.path.isdir(policy) and os.path.exists(occupancy)):
        generate_occupancy(occupancy, generate_policy(policy, args.complexes, args.homes))
    out = os.path.join(args.workdir, "status.json")
    start = time.perf_counter()
    proc = subprocess.run([sys.executable, os.path.join(ROOT, "cli.py"), "status", policy, "--occupancy", occupancy,
                           "--date", DATE, "--format", "json", "-o", out], capture_output=True, text=True)
    wall = time.perf_counter() - start
    if proc.returncode != 0:
        raise SystemExit(proc.stderr)
    peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    print(f"magicmix status, {args.complexes:,} complexes, {args.homes:,} homes, {os.cpu_count()} cores")
    print(f"  command: {wall:.1f} s wall clock, peak memory {peak:,.0f} MiB; target < 10 s: "
          f"{'met' if wall < 10 else 'NOT met'}")
    t = time.perf_counter()
    program = load_policy(policy)
    t_policy = time.perf_counter() - t
    t = time.perf_counter()
    occ = load_occupancy(occupancy, program.policy)
    t_occ = time.perf_counter() - t
    t = time.perf_counter()
    result = portfolio_status(program.policy, composition(program.policy, occ, dt.date.fromisoformat(DATE)))
    t_status = time.perf_counter() - t
    print(f"  stages in-process: policy {t_policy:.1f} s, occupancy {t_occ:.1f} s, "
          f"composition and status of {len(result.groups):,} groups {t_status:.1f} s")
    os.unlink(out)


if __name__ == "__main__":
    main()
