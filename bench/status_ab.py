"""A/B of a warm `magicmix status` between two checkouts, alternating, on one stock.

    python bench/status_ab.py OLD_CHECKOUT NEW_CHECKOUT --policy DIR --occupancy FILE [--rounds 4]

Each checkout needs its own venv at CHECKOUT/.venv (`python -m venv .venv && .venv/bin/pip install -e .`).
Each runs the real command (`CHECKOUT/cli.py status POLICY --occupancy FILE --date 2025-06-01 -o OUT`) with a
policy cache and key of its own (in the workdir), once to warm its cache, then ROUNDS times, alternating, so
that both see the same load. Prints per checkout the sorted wall-clock and CPU times (`os.wait4`: both of
status's processes) and the peak memory, and the load average. docs/status.md has the figures against df01d36.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import tempfile
import time


def run(checkout: str, policy: str, occupancy: str, workdir: str, name: str) -> tuple[float, float, float]:
    """(wall s, CPU s, peak MiB) of one warm-cache status run of a checkout."""
    env = dict(os.environ, MAGICMIX_CACHE_DIR=os.path.join(workdir, f"cache-{name}"),
               XDG_CONFIG_HOME=os.path.join(workdir, f"cfg-{name}"))
    start = time.perf_counter()
    proc = subprocess.Popen([os.path.join(checkout, ".venv", "bin", "python"), os.path.join(checkout, "cli.py"),
                             "status", policy, "--occupancy", occupancy, "--date", "2025-06-01",
                             "-o", os.path.join(workdir, f"out-{name}")],
                            env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    _, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - start
    err = proc.stderr.read().decode(errors="replace")
    proc.stderr.close()
    if os.waitstatus_to_exitcode(status) != 0:
        raise SystemExit(f"{name} ({checkout}) failed:\n{err[-2000:]}")
    return wall, usage.ru_utime + usage.ru_stime, usage.ru_maxrss / 1024


def main() -> None:
    """Parse the arguments, warm both caches, alternate the runs and print the figures."""
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("old")
    ap.add_argument("new")
    ap.add_argument("--policy", required=True)
    ap.add_argument("--occupancy", required=True)
    ap.add_argument("--rounds", type=int, default=4)
    args = ap.parse_args()
    codes = {"old": os.path.abspath(args.old), "new": os.path.abspath(args.new)}
    with tempfile.TemporaryDirectory(prefix="magicmix-ab-") as workdir:
        os.chmod(workdir, 0o700)
        for name, checkout in codes.items():
            run(checkout, args.policy, args.occupancy, workdir, name)  # fills its cache
        results: dict[str, list] = {name: [] for name in codes}
        for _ in range(args.rounds):
            for name, checkout in codes.items():
                results[name].append(run(checkout, args.policy, args.occupancy, workdir, name))
    for name, rs in results.items():
        print(f"{name} {codes[name]}: wall {sorted(round(r[0], 2) for r in rs)} s, "
              f"CPU {sorted(round(r[1], 2) for r in rs)} s, peak {max(r[2] for r in rs):,.0f} MiB")
    print("load average at the end: " + ", ".join(f"{x:.2f}" for x in os.getloadavg()))


if __name__ == "__main__":
    main()
