"""Start-up of the command line: `magicmix --help` and the README's evaluate against `python -c pass`.

Runs each command N times in fresh processes (the policy cache warm, as from a user's second run on) and prints the
median wall time, its ratio to `python -c pass`, and the machine's load. Usage: python bench/startup.py [N [CHECKOUT]]
(CHECKOUT: another checkout of magicmix to time the same way, such as a worktree of an older commit).
"""

from __future__ import annotations

import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(sys.argv[2]).resolve() if len(sys.argv) > 2 else Path(__file__).resolve().parent.parent
OB = ROOT / "policies" / "openbaar-belang"
CLI = [sys.executable, str(ROOT / "cli.py")]
CASES = {
    "python -c pass": [sys.executable, "-c", "pass"],
    "magicmix --help": CLI + ["--help"],
    "magicmix evaluate (README)": CLI + ["evaluate", str(OB), "--unit", "ZW-ASN-01-A09", "--household",
                                         str(OB / "examples/households/aandacht-2p.yaml"), "--date", "2025-06-01"],
}


# As an installed magicmix runs: pip writes the bytecode at install time, so the children may write and read theirs
# (PYTHONDONTWRITEBYTECODE would make every run compile every module from source).
ENV = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}


def median_seconds(cmd: list[str], n: int) -> float:
    """The median wall time of n runs of cmd (after one run that warms the caches)."""
    subprocess.run(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=False, cwd=ROOT, env=ENV)
    times = []
    for _ in range(n):
        started = time.perf_counter()
        subprocess.run(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=False, cwd=ROOT, env=ENV)
        times.append(time.perf_counter() - started)
    return statistics.median(times)


def main() -> None:
    """Print the table."""
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 15
    load = os.getloadavg()[0]
    results = {name: median_seconds(cmd, n) for name, cmd in CASES.items()}
    base = results["python -c pass"]
    print(f"start-up of {ROOT}, median of {n} runs, load average {load:.2f} on {os.cpu_count()} cores")
    print(f"{'command':<30} {'ms':>8} {'x python -c pass':>18}")
    for name, seconds in results.items():
        print(f"{name:<30} {seconds * 1000:8.1f} {seconds / base:18.1f}")


if __name__ == "__main__":
    main()
