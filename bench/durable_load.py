"""Benchmark: durable-rules under load in one process: 100,000 sequential evaluations and 1,000 policy reloads.

    python bench/durable_load.py [--evaluations 100000] [--reloads 1000]

Prints throughput and the resident memory at checkpoints: it must stay flat (durable-rules
keeps sessions and rulesets in native memory; the wrapper's events are consumed or never stored, and
every replaced ruleset is freed). Every 1,000th evaluation is checked against the default engine.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import random
import sys
import time
from fractions import Fraction

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))

from rules_engine import example_occupancy, load_policy  # noqa: E402
from rules_engine.engine.engine_durable import DurableEngine, unavailable_reason  # noqa: E402
from rules_engine.engine.evaluate import build_facts, rule_statuses  # noqa: E402
from rules_engine.lang.facts import Household  # noqa: E402
from rules_engine.load.occupancy import composition  # noqa: E402

POLICY = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "policies", "openbaar-belang")


def rss_mib() -> float:
    """Resident memory of this process now (not the peak)."""
    with open("/proc/self/statm") as fh:
        return int(fh.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 2 ** 20


class _Counting:
    """durable-rules' C core, counting the rulesets live through it (the engine's first one counts as 1)."""

    def __init__(self, core):
        self.core, self.live = core, 1

    def __getattr__(self, name):
        return getattr(self.core, name)

    def create_ruleset(self, *args):
        self.live += 1
        return self.core.create_ruleset(*args)

    def delete_ruleset(self, handle):
        self.live -= 1
        return self.core.delete_ruleset(handle)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--evaluations", type=int, default=100_000)
    ap.add_argument("--reloads", type=int, default=1_000)
    args = ap.parse_args()
    if unavailable_reason():
        sys.exit(unavailable_reason()[1])
    program = load_policy(POLICY)
    comp = composition(program.policy, example_occupancy(program), dt.date(2025, 6, 1))
    rng = random.Random(5)
    units = sorted(program.policy.units)
    facts = [build_facts(program, Household(f"h{i}", rng.randint(1, 6), Fraction(rng.randint(12000, 70000)),
                                            rng.choice(program.policy.category_ids), None, ()), rng.choice(units), comp)
             for i in range(2000)]
    engine = DurableEngine(program)
    engine._core = core = _Counting(engine._core)
    print(f"durable-rules in one process: {args.evaluations:,} evaluations, then {args.reloads:,} reloads")
    print(f"  start: {rss_mib():.0f} MiB")
    start = time.perf_counter()
    step = max(1, args.evaluations // 5)
    for i in range(args.evaluations):
        f = facts[i % len(facts)]
        statuses = engine.statuses(f)
        if i % 1000 == 0 and [s.status for s in statuses] != [s.status for s in rule_statuses(program, f)]:
            sys.exit(f"evaluation {i}: durable-rules and the default engine disagree")
        if (i + 1) % step == 0:
            print(f"  {i + 1:>9,} evaluations: {rss_mib():6.0f} MiB  "
                  f"({(i + 1) / (time.perf_counter() - start):,.0f}/s)")
    start = time.perf_counter()
    step = max(1, args.reloads // 5)
    for i in range(args.reloads):
        engine.reload(program)
        engine.statuses(facts[i % len(facts)])
        if (i + 1) % step == 0:
            print(f"  {i + 1:>9,} reloads:     {rss_mib():6.0f} MiB  ({(i + 1) / (time.perf_counter() - start):,.0f}/s); "
                  f"live rulesets: {core.live}")
    engine.close()
    print("  no crash; compare the memory figures above: flat means no leak")


if __name__ == "__main__":
    main()
