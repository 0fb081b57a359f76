"""One engine in this process: verify it against the reference, then time it; prints one JSON line.

    python -m peers.child ENGINE DATA.pickle [--verify-n N] [--budget S] [--passes P]   (from bench/)
    python -m peers.child ENGINE DATA.pickle --count-passes R        (under callgrind: bench/peers.py --callgrind)

The steps: load the inputs and the reference (and note the memory that takes), set the engine up,
run it over the first --verify-n inputs comparing every answer with the reference (this pass is
also its warm-up), pick a timed slice of the last of those inputs that takes about --budget seconds a pass
(a fast engine goes over all of them, as many times as fill the budget), run one more untimed
pass over it, then --passes timed passes; the best pass counts. The inputs are loaded before the
engine and frozen out of the garbage collector's scans (gc.freeze), the same for every engine.
"""

from __future__ import annotations

import argparse
import gc
import importlib.metadata as md
import json
import os
import pickle
import platform
import sys
import time

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
sys.path.insert(0, ROOT)  # the magicmix of this checkout


def memory_kib() -> tuple[int, int]:
    """(resident, peak resident) memory of this process in KiB."""
    rss = hwm = 0
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                rss = int(line.split()[1])
            elif line.startswith("VmHWM:"):
                hwm = int(line.split()[1])
    return rss, hwm


def factories() -> dict:
    """Every engine key -> (label, PyPI package or None, factory)."""
    from .engines import PEERS
    from .magicmix import MODES

    out = dict(PEERS)
    out.update({k: (label, "magicmix", f) for k, (label, f) in MODES.items()})
    return out


def version(package: str | None) -> str:
    if package is None:
        return "python " + platform.python_version()
    try:
        return f"{package} {md.version(package)}"
    except md.PackageNotFoundError:
        return package


def run(key: str, data: str, verify_n: int, budget: float, passes: int) -> dict:
    label, package, factory = factories()[key]
    res = {"key": key, "label": label, "version": version(package), "load_start": os.getloadavg()[0]}
    with open(data, "rb") as f:
        inputs, reference = pickle.load(f)
    gc.collect()
    # The harness's own inputs (100,000 dicts) are not the engine's: kept out of the collector's scans,
    # so an engine that allocates is not charged for rescanning them. The engine's own objects stay in.
    gc.freeze()
    rss0, _ = memory_kib()
    t0 = time.perf_counter()
    try:
        decide = factory()
    except ImportError as exc:
        res.update(status="not installed", why=str(exc))
        return res
    res["setup_s"] = time.perf_counter() - t0

    checked = inputs[:verify_n] if verify_n else inputs
    bad = []
    t0 = time.perf_counter()
    for i, x in enumerate(checked):
        out = decide(x)
        if out is None or tuple(out) != reference[i]:
            bad.append(i)
    per = (time.perf_counter() - t0) / len(checked)
    res.update(verified=len(checked), mismatches=len(bad),
               examples=[{"input": inputs[i], "want": reference[i]} for i in bad[:3]])

    # the last inputs, not the first: an engine that keeps what it worked out (magicmix's explainer keeps rule
    # records and compositions per their values, in bounded memos that the first inputs fill) is timed on the
    # inputs it holds least, as a service meets new households, not on a slice it has just seen
    timed = checked[-max(1000, min(len(checked), int(budget / per))):]
    # a fast engine goes over the slice several times a pass, so that every pass lasts about `budget`
    repeat = range(max(1, int(budget / (per * len(timed)))))
    for x in timed:
        decide(x)
    wall, cpu = [], []
    for _ in range(passes):
        gc.collect()
        c0 = time.process_time()
        t0 = time.perf_counter()
        for _ in repeat:
            for x in timed:
                decide(x)
        wall.append(time.perf_counter() - t0)
        cpu.append(time.process_time() - c0)
    _, hwm = memory_kib()
    done = len(timed) * len(repeat)
    res.update(status="ok", timed=len(timed), repeat=len(repeat), wall_us=min(wall) / done * 1e6,
               cpu_us=min(cpu) / done * 1e6, passes_s=wall,
               peak_rss_mib=hwm / 1024, inputs_rss_mib=rss0 / 1024, load_end=os.getloadavg()[0])
    return res


def count(key: str, data: str, passes: int) -> dict:
    """For instruction counts (callgrind): set up, verify and warm up over all inputs, then `passes` untimed passes.

    bench/peers.py runs this under callgrind with 0 passes and with R: the difference over R x inputs is the
    instructions of one decision, whatever the load of the machine."""
    label, package, factory = factories()[key]
    with open(data, "rb") as f:
        inputs, reference = pickle.load(f)
    gc.collect()
    gc.freeze()
    try:
        decide = factory()
    except ImportError as exc:
        return {"key": key, "label": label, "version": version(package), "status": "not installed", "why": str(exc)}
    bad = sum(1 for x, want in zip(inputs, reference) if tuple(decide(x) or ()) != want)
    for x in inputs:
        decide(x)
    for _ in range(passes):
        for x in inputs:
            decide(x)
    return {"key": key, "label": label, "version": version(package), "status": "ok", "mismatches": bad,
            "verified": len(inputs)}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("engine")
    ap.add_argument("data")
    ap.add_argument("--verify-n", type=int, default=0, help="verify the first N inputs (0: all)")
    ap.add_argument("--budget", type=float, default=2.0, help="seconds one timed pass should take")
    ap.add_argument("--passes", type=int, default=3)
    ap.add_argument("--count-passes", type=int, help="no timing: this many passes over all inputs (for callgrind)")
    args = ap.parse_args()
    if args.count_passes is not None:
        print(json.dumps(count(args.engine, args.data, args.count_passes)))
        return
    print(json.dumps(run(args.engine, args.data, args.verify_n, args.budget, args.passes)))


if __name__ == "__main__":
    main()
