"""Benchmark: `magicmix simulate` on a Zwolle-size stock and on the national stock.

    python bench/simulate.py [--national] [--workdir /tmp/magicmix-simulate]

Generates (once) invented stocks the way bench/batch.py and bench/status.py do (the example policy's rules
and parameters, many invented complexes, 95 % of the homes occupied), writes a model file like the example
policy's simulation.yaml, then runs the real command in a child process, as staff would:

    magicmix simulate POLICY --occupancy occupancy.csv --model model.yaml --years 10 --runs R --jobs N
                     --format json -o OUT

  1. Zwolle size: 10,000 homes, 10 years, 100 runs, with --jobs 2 and with --jobs 1 (the speed-up);
     target (issue 24): under a minute with --jobs 2.
  2. the baseline, in this process on a sample of the Zwolle runs: the same simulation with the policy's
     rules replaced by the leanest plain Python of the same rules (bench/evaluate.py's plain_decide), which
     must give the same result; the ratio says what evaluating the policy as data costs.
  3. with --national: 2.3 million homes (about 30,000 complexes), 10 years, 1 run, with --jobs 2 (its areas
     are spread over the workers; the stock is shared with bench/status.py's workdir when it exists).

For each it prints the wall-clock time, the peak memory of the largest process, and the machine's load.
"""

from __future__ import annotations

import argparse
import os
import resource
import shutil
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
sys.path.insert(0, ROOT)
sys.path.insert(0, HERE)

from batch import generate_occupancy, generate_policy  # noqa: E402  (bench/batch.py)

MODEL = """\
start: 2026-01-01
turnover: {mode: random, per_year: 7%}
candidates:
  per_vacancy: 5
  categories: {regulier: 55%, aandacht: 30%, actief: 15%}
  sizes:
    - {size: 1, share: 40%}
    - {size: 2, share: 30%}
    - {size: 3, share: 15%}
    - {size: 4, share: 10%}
    - {size: 5, share: 5%}
  incomes:
    - {from: 14000, to: 24999, share: 35%}
    - {from: 25000, to: 34999, share: 35%}
    - {from: 35000, to: 49999, share: 20%}
    - {from: 50000, to: 70000, share: 10%}
reclassification:
  - {from: aandacht, to: regulier, per_year: 8%}
  - {from: regulier, to: aandacht, per_year: 2%}
  - {from: actief, to: regulier, per_year: 5%}
routes:
  share: 5%
  categories: {aandacht: 70%, regulier: 30%}
legal_amounts: keep
"""
TARGET = 60.0


def stock(workdir: str, complexes: int, homes: int) -> tuple[str, str]:
    """(policy folder, occupancy CSV) of an invented stock, generated once."""
    tag = f"{complexes}-{homes}"
    policy, occupancy = os.path.join(workdir, f"policy-{tag}"), os.path.join(workdir, f"occupancy-{tag}.csv")
    if not (os.path.isdir(policy) and os.path.exists(occupancy)):
        os.makedirs(workdir, exist_ok=True)
        generate_occupancy(occupancy, generate_policy(policy, complexes, homes))
    return policy, occupancy


def run_cli(args: list[str], env: dict) -> tuple[float, float, float]:
    """(wall seconds, peak MiB of the largest process so far (the command or one of its workers), CPU seconds of
    the command and its workers: on a machine shared with other work, wall time / CPU time shows the share it got)."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    proc = subprocess.run([sys.executable, os.path.join(ROOT, "cli.py"), *args], env=env, capture_output=True,
                          text=True)
    wall = time.perf_counter() - start
    if proc.returncode != 0:
        raise SystemExit(proc.stderr[-3000:])
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = after.ru_utime + after.ru_stime - before.ru_utime - before.ru_stime
    return wall, after.ru_maxrss / 1024, cpu


def baseline(policy: str, occupancy: str, model_path: str, runs: int) -> tuple[float, float, bool]:
    """(CPU seconds with the policy, CPU seconds with the hand-written rules, same result) over runs, in this
    process (CPU time: on a shared machine wall time measures the neighbours too)."""
    from evaluate import plain_decide  # bench/evaluate.py

    from rules_engine.simulate import letting
    from rules_engine.simulate.render import simulation_json
    from rules_engine.simulate.study import simulate

    args = dict(years=10, runs=runs, seed=1, occupancy=occupancy, jobs=1)
    simulate(policy, model_path, **{**args, "runs": 1})  # warm the policy cache and the code
    t = time.process_time()
    engine = simulation_json(simulate(policy, model_path, **args))
    engine_s = time.process_time() - t
    decide, counts_api = letting.decide, letting._COUNTS_API
    letting.decide = lambda program, h, unit_id, comp: plain_decide(program, comp, h, unit_id)
    letting._COUNTS_API = None  # through the composition, to the hand-written rules
    try:
        t = time.process_time()
        plain = simulation_json(simulate(policy, model_path, **args))
        plain_s = time.process_time() - t
    finally:
        letting.decide, letting._COUNTS_API = decide, counts_api
    return engine_s, plain_s, engine == plain


def _load() -> str:
    return "load average " + " ".join(f"{x:.2f}" for x in os.getloadavg()) + f" on {os.cpu_count()} cores"


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--workdir", default="/tmp/magicmix-simulate")
    ap.add_argument("--national", action="store_true", help="also the national stock (2.3 million homes, 1 run)")
    ap.add_argument("--national-workdir", default="/tmp/magicmix-national", help="bench/status.py's stock, if there")
    ap.add_argument("--national-only", action="store_true", help="only the national stock")
    ap.add_argument("--runs", type=int, default=100)
    ap.add_argument("--baseline-runs", type=int, default=5)
    args = ap.parse_args()
    os.makedirs(args.workdir, exist_ok=True)
    model = os.path.join(args.workdir, "model.yaml")
    with open(model, "w", encoding="utf-8") as fh:
        fh.write(MODEL)
    cache = os.path.join(args.workdir, "cache")
    shutil.rmtree(cache, ignore_errors=True)
    env = {**os.environ, "MAGICMIX_CACHE_DIR": cache}
    os.environ["MAGICMIX_CACHE_DIR"] = cache
    out = os.path.join(args.workdir, "out.json")
    if not args.national_only:
        zwolle(args, model, out, env)
    if args.national or args.national_only:
        national(args, model, out, env)
    if os.path.exists(out):
        os.unlink(out)


def zwolle(args, model: str, out: str, env: dict) -> None:
    """The Zwolle-size figures: --jobs 2 and 1, and the baseline."""
    policy, occupancy = stock(args.workdir, 130, 10_000)
    base = ["simulate", policy, "--occupancy", occupancy, "--model", model, "--years", "10", "--format", "json",
            "-o", out]
    run_cli(base + ["--runs", "1", "--jobs", "1"], env)  # fills the policy cache, as any later run finds it
    print(f"magicmix simulate, Zwolle size: 10,000 homes in 130 complexes, 10 years, {args.runs} runs")
    times = {}
    for jobs in (2, 1):
        print(f"  ({_load()})")
        wall, peak, cpu = run_cli(base + ["--runs", str(args.runs), "--jobs", str(jobs)], env)
        times[jobs] = wall
        verdict = f"; target < {TARGET:.0f} s: {'met' if wall < TARGET else 'NOT met'}" if jobs == 2 else ""
        print(f"  --jobs {jobs}: {wall:.1f} s wall clock, {cpu:.1f} s CPU, peak memory {peak:,.0f} MiB{verdict}")
    print(f"  speed-up from 1 to 2 workers: {times[1] / times[2]:.2f}x")
    engine_s, plain_s, same = baseline(policy, occupancy, model, args.baseline_runs)
    print(f"  baseline, {args.baseline_runs} runs in one process: policy engine {engine_s:.1f} s CPU, hand-written "
          f"rules {plain_s:.1f} s CPU (ratio {engine_s / plain_s:.2f}x; same result: {'yes' if same else 'NO'})")


def national(args, model: str, out: str, env: dict) -> None:
    """The national figure: 2.3 million homes, 10 years, 1 run, --jobs 2."""
    policy, occupancy = stock(args.national_workdir, 30_000, 2_300_000)
    nbase = ["simulate", policy, "--occupancy", occupancy, "--model", model, "--years", "10", "--runs", "1",
             "--format", "json", "-o", out]
    t = time.perf_counter()
    subprocess.run([sys.executable, "-c", "import sys; from rules_engine.api import load_policy; load_policy(sys.argv[1])",
                    policy], env={**env, "PYTHONPATH": ROOT}, check=True)  # fills the policy cache, as after a change
    print(f"magicmix simulate, national: 2,300,000 homes in 30,000 complexes, 10 years, 1 run "
          f"(policy cache filled first: {time.perf_counter() - t:.0f} s)  ({_load()})")
    wall, peak, cpu = run_cli(nbase + ["--jobs", "2"], env)
    print(f"  --jobs 2: {wall:.1f} s wall clock, {cpu:.1f} s CPU, peak memory {peak:,.0f} MiB")


if __name__ == "__main__":
    main()
