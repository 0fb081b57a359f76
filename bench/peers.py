"""Side-by-side benchmark: one "magic mix" decision in lean plain Python, in peer engines and in magicmix.

    python bench/peers.py --setup            # once: bench/.peers-venv with the peers from PyPI and this checkout
    python bench/peers.py                    # 100,000 inputs, 3 rounds
    python bench/peers.py --quick            # 5,000 inputs, 1 round
    python bench/peers.py --rounds 2 --only plain mm-decide zen
    python bench/peers.py --callgrind 2000 --only plain durable mm-durable mm-decide   # instructions, not time

The inputs come from a fixed seed, a quarter of them exactly on a band edge, the income limit or
the rent cap (bench/peers/__init__.py). The reference decisions are the lean plain-Python
function's, checked against an exact Fraction oracle on every input. Each engine runs in its
own process (bench/peers/child.py), in each round: it is verified against the reference on every
input, then timed over a slice of the last inputs that takes about --budget seconds a pass (all
inputs for the fast ones), best of --passes. The table gives the median over rounds of µs per decision, its ratio to
the lean function, correctness, and the peak memory of the process; the machine's load average
is printed at the start and the end. A peer whose package is not installed is a row that says so.

--callgrind N counts instructions instead (valgrind's callgrind; needs valgrind): each engine runs
under it twice over the first N inputs, with 0 and with --passes passes after its set-up and
warm-up; the difference divided by N x passes is its instructions per decision, a figure the
load of a shared machine does not move (every engine is still verified on those N inputs).
"""

from __future__ import annotations

import argparse
import json
import os
import pickle
import statistics
import subprocess
import sys
import tempfile
import venv

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
VENV = os.path.join(HERE, ".peers-venv")
sys.path.insert(0, HERE)

from peers import workload  # noqa: E402  (bench/peers/)

ORDER = ("plain", "zen", "regorus", "regorus-rvm", "durable", "durable-core", "cedar", "opa",
         "mm-decide", "mm-durable", "mm-public", "mm-explain", "mm-json", "mm-floor")
# Pinned: the versions of the last run in docs/performance.md.
PEER_PACKAGES = ("zen-engine==2.1.3", "gordon-to-regorus==0.13.0", "durable-rules==2.0.28", "cedarpy==4.12.2",
                 "opa-golib-python-bindings==0.4.4")
# The OPA bindings' wheel declares Python >= 3.14 but is a ctypes wrapper around a Go library that
# runs on older Pythons; it is installed past that declaration only when the plain install fails.
IGNORE_REQUIRES_PYTHON = ("opa-golib-python-bindings==0.4.4",)
# One thread each, so that no engine borrows the second core of a shared 2-core machine.
CHILD_ENV = {"PYTHONHASHSEED": "0", "OMP_NUM_THREADS": "1", "RAYON_NUM_THREADS": "1", "TOKIO_WORKER_THREADS": "1",
             "GOMAXPROCS": "1"}


def setup(path: str) -> None:
    """Make the bench's own venv: each peer from PyPI (one at a time, so one failure stops no other) and magicmix."""
    if not os.path.exists(os.path.join(path, "bin", "python")):
        venv.create(path, with_pip=True)
    pip = [os.path.join(path, "bin", "python"), "-m", "pip", "install", "-q"]
    subprocess.run(pip + ["-e", f"{ROOT}[durable]"], check=True)
    for spec in PEER_PACKAGES:
        ok = subprocess.run(pip + [spec]).returncode == 0
        if not ok and spec in IGNORE_REQUIRES_PYTHON:
            ok = subprocess.run(pip + ["--ignore-requires-python", spec]).returncode == 0
            spec += " (installed with --ignore-requires-python)" if ok else ""
        print(f"{spec}: {'installed' if ok else 'NOT installed'}")


def run_child(python: str, key: str, data: str, budget: float, passes: int) -> dict:
    """One engine in its own process; a crash becomes a row that says so."""
    env = dict(os.environ, **CHILD_ENV)
    p = subprocess.run([python, "-m", "peers.child", key, data, "--budget", str(budget), "--passes", str(passes)],
                       cwd=HERE, env=env, capture_output=True, text=True)
    if p.returncode != 0 or not p.stdout.strip():
        last = (p.stderr.strip().splitlines() or ["no output"])[-1]
        return {"key": key, "label": key, "version": "", "status": f"failed: {last[:120]}"}
    return json.loads(p.stdout.strip().splitlines()[-1])


def callgrind_ir(python: str, key: str, data: str, passes: int) -> tuple[int | None, dict]:
    """The instructions callgrind counts for one child process (None when it failed), and the child's answer."""
    with tempfile.TemporaryDirectory() as tmp:
        cmd = ["valgrind", "--tool=callgrind", f"--callgrind-out-file={os.path.join(tmp, 'out')}", python, "-m",
               "peers.child", key, data, "--count-passes", str(passes)]
        p = subprocess.run(cmd, cwd=HERE, env=dict(os.environ, **CHILD_ENV), capture_output=True, text=True)
    found = [line for line in p.stderr.splitlines() if "Collected :" in line]
    if p.returncode != 0 or not found or not p.stdout.strip():
        last = (p.stderr.strip().splitlines() or ["no output"])[-1]
        return None, {"key": key, "label": key, "version": "", "status": f"failed: {last[:120]}"}
    return int(found[-1].split(":")[-1]), json.loads(p.stdout.strip().splitlines()[-1])


def callgrind_table(python: str, keys: list[str], data: str, n: int, passes: int) -> list[str]:
    """Instructions per decision of every engine and their ratio to the lean function's (see --callgrind)."""
    out = ["| engine | version | instructions/decision | × plain Python | correct (of the first inputs) |",
           "|---|---|---:|---:|---|"]
    base = None
    for key in keys:
        ir0, res = callgrind_ir(python, key, data, 0)
        ir1, res1 = callgrind_ir(python, key, data, passes) if ir0 is not None and res["status"] == "ok" else (None, res)
        print(f"  {key:<11} {res1.get('status')}", file=sys.stderr, flush=True)
        if ir1 is None or res1.get("status") != "ok":
            out.append(f"| {res1.get('label', key)} | {res1.get('version', '')} | | | {res1.get('status')} |")
            continue
        per = (ir1 - ir0) / (n * passes)
        base = per if key == "plain" else base
        correct = "yes" if res1["mismatches"] == 0 else f"NO: {res1['mismatches']} wrong"
        out.append(f"| {res1['label']} | {res1['version']} | {per:,.0f} | {per / base:,.1f} | {correct} |"
                   if base else f"| {res1['label']} | {res1['version']} | {per:,.0f} | ? | {correct} |")
    return out


def median(xs):
    return statistics.median(xs) if xs else None


def table(rows: dict[str, list[dict]]) -> list[str]:
    """The ratio table: medians over rounds, divided by the lean function's."""
    def ok(rs):
        return [r for r in rs if r.get("status") == "ok"]

    plain = ok(rows.get("plain", []))
    base_wall = median([r["wall_us"] for r in plain])
    base_cpu = median([r["cpu_us"] for r in plain])
    out = ["| engine | version | µs/decision | × plain Python | × plain Python (CPU time) | correct | verified / timed"
           " | peak RSS MiB (over inputs) |",
           "|---|---|---:|---:|---:|---|---|---:|"]
    for key, rs in rows.items():
        first = rs[0]
        good = ok(rs)
        if not good:
            out.append(f"| {first['label']} | {first.get('version', '')} | | | | {first['status']} | | |")
            continue
        wall = median([r["wall_us"] for r in good])
        cpu = median([r["cpu_us"] for r in good])
        bad = sum(r["mismatches"] for r in good)
        verified = min(r["verified"] for r in good)
        correct = "yes" if bad == 0 else f"NO: {bad} wrong"
        if len(good) < len(rs):
            correct += f" ({len(rs) - len(good)} round(s) failed)"
        peak = max(r["peak_rss_mib"] for r in good)
        over = max(r["peak_rss_mib"] - r["inputs_rss_mib"] for r in good)
        ratio = f"{wall / base_wall:,.1f}" if base_wall else "?"
        ratio_cpu = f"{cpu / base_cpu:,.1f}" if base_cpu else "?"
        out.append(f"| {first['label']} | {first['version']} | {wall:,.2f} | {ratio} | {ratio_cpu} | {correct} "
                   f"| {verified:,} / {min(r['timed'] for r in good):,} | {peak:.0f} (+{over:.0f}) |")
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--setup", action="store_true", help="make the bench's venv (peers from PyPI) and stop")
    ap.add_argument("--venv", default=VENV, help=f"the venv the engines run in (default {VENV})")
    ap.add_argument("--quick", action="store_true", help="a smoke run: 5,000 inputs, 1 round")
    ap.add_argument("--n", type=int, help="inputs (default 100,000)")
    ap.add_argument("--rounds", type=int, help="rounds, each engine in a new process every round (default 3)")
    ap.add_argument("--passes", type=int, default=3, help="timed passes per process, best counts (default 3)")
    ap.add_argument("--budget", type=float, help="seconds a timed pass should take (default 2)")
    ap.add_argument("--only", nargs="+", choices=ORDER, help="these engines (plain is always run: it is the baseline)")
    ap.add_argument("--json", help="write every process's result here")
    ap.add_argument("--callgrind", type=int, metavar="N", help="count instructions over the first N inputs instead of timing")
    args = ap.parse_args()
    if args.setup:
        setup(args.venv)
        return
    n = args.n or (5_000 if args.quick else 100_000)
    rounds = args.rounds or (1 if args.quick else 3)
    budget = args.budget or (0.5 if args.quick else 2.0)
    python = os.path.join(args.venv, "bin", "python")
    if not os.path.exists(python):
        print(f"no venv at {args.venv} (python bench/peers.py --setup makes it): running in this interpreter")
        python = sys.executable
    keys = ["plain"] + [k for k in ORDER if k != "plain" and (not args.only or k in args.only)]

    load_start = os.getloadavg()
    inputs, reference, summary = workload(n)
    print(f"inputs: {n:,} (seed {summary['seed']}); reference = lean plain Python, equal to the exact Fraction "
          f"oracle on all {n:,}")
    print(f"  exactly on the upper edge {summary['exactly_on_upper_edge']:,}, on the lower edge "
          f"{summary['exactly_on_lower_edge']:,}, income on the limit {summary['income_on_limit']:,}, rent on the cap "
          f"{summary['rent_on_cap']:,}; a float implementation computing target + tolerance at run time gets "
          f"{summary['naive_float_wrong']:,} wrong")
    print("  decisions: " + ", ".join(f"{d} {k:,}" for d, k in summary["decisions"].items()))
    print(f"load average at the start: {' '.join(f'{x:.2f}' for x in load_start)} (1, 5, 15 min; {os.cpu_count()} cores)")
    if args.callgrind:
        with tempfile.TemporaryDirectory() as tmp:
            data = os.path.join(tmp, "inputs.pickle")
            with open(data, "wb") as f:
                pickle.dump((inputs[:args.callgrind], reference[:args.callgrind]), f, protocol=pickle.HIGHEST_PROTOCOL)
            lines = callgrind_table(python, keys, data, args.callgrind, args.passes)
        print(f"\ninstructions per decision (callgrind), over the first {args.callgrind:,} inputs x {args.passes} passes "
              "(runs with 0 passes subtracted); × = ratio to the lean plain-Python function\n")
        print("\n".join(lines))
        return
    rows: dict[str, list[dict]] = {k: [] for k in keys}
    with tempfile.TemporaryDirectory() as tmp:
        data = os.path.join(tmp, "inputs.pickle")
        with open(data, "wb") as f:
            pickle.dump((inputs, reference), f, protocol=pickle.HIGHEST_PROTOCOL)
        for r in range(rounds):
            for k in keys:
                res = run_child(python, k, data, budget, args.passes)
                res["round"] = r + 1
                rows[k].append(res)
                shown = f"{res['wall_us']:,.2f} µs" if res.get("status") == "ok" else res.get("status")
                print(f"  round {r + 1} {k:<11} {shown}", file=sys.stderr, flush=True)
    load_end = os.getloadavg()
    print()
    print(f"{rounds} round(s); µs/decision = median over rounds of the best of {args.passes} timed passes (wall clock); "
          "× = ratio to the lean plain-Python function measured in the same run")
    print()
    print("\n".join(table(rows)))
    print()
    print("per round, µs/decision (1-min load average when the process started):")
    for k, rs in rows.items():
        cells = [f"{r['wall_us']:,.2f} ({r['load_start']:.1f})" if r.get("status") == "ok" else "-" for r in rs]
        print(f"  {k:<11} " + "  ".join(cells))
    for k, rs in rows.items():
        wrong = [e for r in rs if r.get("status") == "ok" for e in r["examples"]]
        if wrong:
            print(f"{k} is wrong, for example on {wrong[0]['input']} (want {wrong[0]['want']})")
    print(f"load average at the end: {' '.join(f'{x:.2f}' for x in load_end)} (1, 5, 15 min)")
    if args.json:
        with open(args.json, "w") as f:
            json.dump({"n": n, "rounds": rounds, "summary": summary, "load_start": load_start, "load_end": load_end,
                       "results": rows}, f, indent=1, default=str)


if __name__ == "__main__":
    main()
