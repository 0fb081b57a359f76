"""Benchmark: `magicmix diff` over 10,000 cases, end to end (load both versions, semantic diff, impact, report).

    python bench/diff.py [--n 10000]

Target (issue 6): 10,000 cases diffed in under 10 seconds on a 2-core machine. Two case sources
are timed: a CSV of households x homes (--cases) and the systematic sample (--sample), each with
the aandacht target lowered from 35 % to 30 % in a copy of the example policy, so that decisions
flip and their changed conditions are worked out.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import resource
import shutil
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.join(HERE, "..")
POLICY = os.path.join(ROOT, "policies", "openbaar-belang")
TARGETS = "targets: {regulier: 50%, aandacht: 35%, actief: 15%}"


def _changed_copy(work: str) -> str:
    new = os.path.join(work, "nieuw")
    shutil.copytree(POLICY, new)
    path = os.path.join(new, "policy.yaml")
    with open(path, encoding="utf-8") as fh:
        text = fh.read()
    with open(path, "w", encoding="utf-8") as fh:
        fh.write(text.replace(TARGETS, "targets: {regulier: 55%, aandacht: 30%, actief: 15%}"))
    return new


def _rows(work: str, n: int) -> str:
    sys.path.insert(0, ROOT)
    from rules_engine import load_policy

    program = load_policy(POLICY)
    units = sorted(program.policy.units)
    rng = random.Random(6)
    path = os.path.join(work, "rows.csv")
    with open(path, "w", encoding="utf-8") as fh:
        fh.write("id;size;income;category;unit;date\n")
        for i in range(n):
            fh.write(f"hh-{i};{rng.randint(1, 5)};{rng.randint(12000, 70000)};"
                     f"{rng.choice(program.policy.category_ids)};{rng.choice(units)};"
                     f"{rng.choice(['2024-03-01', '2025-06-01', '2026-02-01'])}\n")
    return path


def _run(args: list[str]) -> tuple[float, dict]:
    start = time.perf_counter()
    proc = subprocess.run([sys.executable, os.path.join(ROOT, "cli.py"), "diff", *args, "--format", "json"],
                          capture_output=True, text=True)
    seconds = time.perf_counter() - start
    if proc.returncode not in (0, 1):
        raise SystemExit(proc.stderr)
    return seconds, json.loads(proc.stdout)["impact"]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=10_000)
    n = parser.parse_args().n
    with tempfile.TemporaryDirectory(prefix="magicmix-bench-diff-") as work:
        new = _changed_copy(work)
        rows = _rows(work, n)
        print(f"magicmix diff, {n:,} cases, openbaar-belang -> aandacht target 30 %, {os.cpu_count()} cores")
        for name, args in (("--cases CSV", ["--no-tests", "--cases", rows]),
                           ("--sample", ["--no-tests", "--sample", str(n)])):
            seconds, impact = _run([POLICY, new, *args])
            verdict = "OK" if seconds < 10 else "OVER"
            print(f"  {name:12} {impact['cases']:>7,} cases  {impact['flips']:>6,} flips  {seconds:6.2f} s  "
                  f"({impact['cases'] / seconds:,.0f} cases/s)  target < 10 s: {verdict}")
    peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    print(f"  peak memory of a diff process: {peak:.0f} MiB")


if __name__ == "__main__":
    main()
