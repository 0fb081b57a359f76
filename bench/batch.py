"""Benchmark: batch evaluation at national scale.

    python bench/batch.py [--complexes 30000] [--homes 2300000] [--evaluations 8000000] [--jobs 2]

Generates (once, in --workdir) an invented national-scale policy (about 30,000 complexes with
2.3 million homes, based on the example policy's rules and parameters), its occupancy as CSV,
and an input of household x home rows; then runs the real command

    magicmix evaluate POLICY --batch input.csv --occupancy occupancy.csv --date D --jobs N --output out.jsonl

and prints evaluations per second, the ratio against the hand-written plain-Python function of
the same rules (bench/evaluate.py, measured in the same run on a sample of the same rows),
and the peak memory of each process. It runs a smaller input too, to show that memory does
not grow with the input. The policy cache (a folder of its own, emptied first) is filled by
the smaller run, so the large run reads the checked policy from it, as every run after a
policy change does. Target (issue 9): 8 million decision-only evaluations in under 5 minutes
with --jobs 2.
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import os
import random
import resource
import shutil
import subprocess
import sys
import time
from fractions import Fraction

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
sys.path.insert(0, ROOT)
sys.path.insert(0, HERE)

from evaluate import plain_decide  # noqa: E402  (bench/evaluate.py)

from rules_engine import load_policy, load_occupancy  # noqa: E402
from rules_engine.engine.evaluate import build_facts, combine, rule_statuses  # noqa: E402
from rules_engine.lang.facts import Household  # noqa: E402
from rules_engine.load.occupancy import composition  # noqa: E402

EXAMPLE = os.path.join(ROOT, "policies", "openbaar-belang")
CATEGORIES = (("regulier", 50), ("aandacht", 35), ("actief", 15))
DATE = "2025-06-01"


def generate_policy(root: str, complexes: int, homes: int, seed: int = 1) -> list[str]:
    """A policy with the example's rules and parameters and many invented complexes; returns the home ids."""
    rnd = random.Random(seed)
    shutil.rmtree(root, ignore_errors=True)
    os.makedirs(os.path.join(root, "complexes"))
    for name in ("parameters.yaml", "rules.yaml"):
        shutil.copy(os.path.join(EXAMPLE, name), os.path.join(root, name))
    n_buurten = max(1, complexes // 10)
    text = open(os.path.join(EXAMPLE, "policy.yaml"), encoding="utf-8").read()
    head, rest = text.split("buurten:", 1)
    mix = "mix:" + rest.split("\nmix:", 1)[1]
    with open(os.path.join(root, "policy.yaml"), "w", encoding="utf-8") as fh:
        fh.write(head + "buurten:\n")
        for b in range(n_buurten):
            fh.write(f"  - {{code: BU{b:08d}, year: 2025, name: Buurt {b}}}\n")
        fh.write(mix)
    per_complex = homes / complexes
    unit_ids = []
    for c in range(complexes):
        target = int(round(per_complex * (c + 1))) - int(round(per_complex * c))
        portieken = max(1, round(target / 8))
        lines = [f"id: C{c:06d}", f"name: Complex {c}", f"buurt: BU{c % n_buurten:08d}", "portieken:"]
        for p in range(portieken):
            n = target // portieken + (1 if p < target % portieken else 0)
            lines.append(f"  - id: P{p}\n    units:")
            for u in range(n):
                uid = f"C{c:06d}-{p}-{u}"
                unit_ids.append(uid)
                lines.append(f"      - {{id: {uid}, rooms: {rnd.randint(1, 5)}, rent: {rnd.randint(55000, 90000) / 100:.2f}}}")
        with open(os.path.join(root, "complexes", f"c{c:06d}.yaml"), "w", encoding="utf-8") as fh:
            fh.write("\n".join(lines) + "\n")
    return unit_ids


def _category(rnd: random.Random) -> str:
    return rnd.choices([c for c, _ in CATEGORIES], weights=[w for _, w in CATEGORIES])[0]


def generate_occupancy(path: str, unit_ids: list[str], seed: int = 2) -> None:
    rnd = random.Random(seed)
    with open(path, "w", encoding="utf-8", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(["unit", "household", "category", "valid_from"])
        for i, uid in enumerate(unit_ids):
            if rnd.random() < 0.95:
                w.writerow([uid, f"h{i}", _category(rnd), "2020-01-01"])


def generate_input(path: str, unit_ids: list[str], n: int, seed: int = 3) -> None:
    rnd = random.Random(seed)
    with open(path, "w", encoding="utf-8", newline="") as fh:
        fh.write("id,size,income,category,unit\n")
        for i in range(n):
            fh.write(f"c{i},{rnd.randint(1, 6)},{rnd.randint(12000, 70000)},{_category(rnd)},"
                     f"{unit_ids[rnd.randrange(len(unit_ids))]}\n")


def run_cli(policy: str, occupancy: str, data: str, out: str, jobs: int) -> tuple[float, float]:
    """Run the real command in a child process; returns (seconds, peak resident memory in MiB of any process)."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    start = time.perf_counter()
    proc = subprocess.run([sys.executable, os.path.join(ROOT, "cli.py"), "evaluate", policy, "--batch", data,
                           "--occupancy", occupancy, "--date", DATE, "--jobs", str(jobs), "--output", out,
                           "--lang", "en"], capture_output=True, text=True)
    seconds = time.perf_counter() - start
    if proc.returncode != 0:
        sys.exit(f"batch run failed:\n{proc.stderr}{proc.stdout}")
    print("   ", proc.stdout.strip().replace("\n", "\n    "))
    peak = max(before, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)
    return seconds, peak / 1024


def plain_ratio(policy: str, occupancy: str, data: str, sample: int) -> tuple[float, float, float]:
    """Engine decision-only against the plain function on the first rows of the input, in this process."""
    program = load_policy(policy)
    comp = composition(program.policy, load_occupancy(occupancy, program.policy), dt.date.fromisoformat(DATE))
    rows = []
    with open(data, encoding="utf-8") as fh:
        next(fh)
        for _, line in zip(range(sample), fh):
            i, size, income, cat, unit = line.rstrip("\n").split(",")
            rows.append((Household(i, int(size), Fraction(int(income)), cat), unit))
    t = time.perf_counter()
    for h, u in rows:
        plain_decide(program, comp, h, u)
    plain = len(rows) / (time.perf_counter() - t)
    t = time.perf_counter()
    for h, u in rows:
        combine(program, rule_statuses(program, build_facts(program, h, u, comp)))
    engine = len(rows) / (time.perf_counter() - t)
    disagree = sum(plain_decide(program, comp, h, u) != combine(program, rule_statuses(
        program, build_facts(program, h, u, comp))) for h, u in rows[:20000])
    if disagree:
        sys.exit(f"engine and plain function disagree on {disagree} rows")
    return plain, engine, plain / engine


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--complexes", type=int, default=30_000)
    ap.add_argument("--homes", type=int, default=2_300_000)
    ap.add_argument("--evaluations", type=int, default=8_000_000)
    ap.add_argument("--small", type=int, default=1_000_000, help="rows of the smaller run (memory comparison)")
    ap.add_argument("--jobs", type=int, default=2)
    ap.add_argument("--workdir", default="/tmp/magicmix-national")
    ap.add_argument("--sample", type=int, default=200_000, help="rows for the plain-function comparison")
    args = ap.parse_args()
    os.makedirs(args.workdir, exist_ok=True)
    tag = f"{args.complexes}-{args.homes}"
    policy = os.path.join(args.workdir, f"policy-{tag}")
    occupancy = os.path.join(args.workdir, f"occupancy-{tag}.csv")
    big = os.path.join(args.workdir, f"input-{tag}-{args.evaluations}.csv")
    small = os.path.join(args.workdir, f"input-{tag}-{args.small}.csv")
    out = os.path.join(args.workdir, "out.jsonl")
    t = time.perf_counter()
    if not (os.path.isdir(policy) and os.path.exists(occupancy)):
        units = generate_policy(policy, args.complexes, args.homes)
        generate_occupancy(occupancy, units)
    else:
        units = None
    for path, n in ((big, args.evaluations), (small, args.small)):
        if not os.path.exists(path):
            if units is None:
                units = [row[0] for row in csv.reader(open(occupancy, encoding="utf-8"))][1:]
            generate_input(path, units, n)
    print(f"generated/reused national-scale data in {time.perf_counter() - t:.0f} s: {args.complexes:,} complexes, "
          f"{args.homes:,} homes, inputs of {args.evaluations:,} and {args.small:,} rows")

    cache = os.path.join(args.workdir, "cache-batch")
    shutil.rmtree(cache, ignore_errors=True)
    os.environ["MAGICMIX_CACHE_DIR"] = cache
    print(f"batch, {args.small:,} rows, --jobs {args.jobs} (first run: fills the policy cache):")
    small_s, small_mem = run_cli(policy, occupancy, small, out, args.jobs)
    print(f"batch, {args.evaluations:,} rows, --jobs {args.jobs} (policy from the cache):")
    big_s, big_mem = run_cli(policy, occupancy, big, out, args.jobs)
    os.unlink(out)
    plain, engine, ratio = plain_ratio(policy, occupancy, big, args.sample)
    print()
    print(f"{args.evaluations:,} decision-only evaluations with --jobs {args.jobs}: {big_s:.0f} s wall clock "
          f"including loading the policy ({args.evaluations / big_s:,.0f} evaluations/s end to end); "
          f"target < 300 s: {'met' if big_s < 300 else 'NOT met'}")
    print(f"plain Python function: {plain:,.0f}/s; engine decision-only in one process: {engine:,.0f}/s; "
          f"ratio {ratio:.2f}x (same rows, same run)")
    print(f"peak memory per process: {small_mem:,.0f} MiB with {args.small:,} rows, {big_mem:,.0f} MiB with "
          f"{args.evaluations:,} rows (the policy and occupancy dominate; the input is streamed)")


if __name__ == "__main__":
    main()
