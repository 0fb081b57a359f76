"""Benchmark: evaluations per second on the example policy, next to a hand-written plain-Python
function of the same rules, measured in the same run.

    python bench/evaluate.py [--n 20000]

Targets (issue 3): decision-only within 3x of the plain function; full explanation within 30x.
With durable-rules installed (magicmix[durable]) its throughput is printed beside the default engine's.
The plain function is checked to agree with the engine on every pair before timing.
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
from rules_engine.evaluate import build_facts, combine, rule_statuses  # noqa: E402
from rules_engine.explain import explain  # noqa: E402
from rules_engine.facts import Household  # noqa: E402
from rules_engine.occupancy import composition  # noqa: E402

POLICY = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "policies", "openbaar-belang")
SEVERITY = ("niet_toegestaan", "ontraden", "passend", "voorkeur")


def plain_decide(program, comp, h: Household, unit_id: str):
    """The openbaar-belang rules written out by hand in plain Python (the baseline)."""
    pol = program.policy
    date = comp.date
    u = pol.units[unit_id]
    profile = pol.complexes[u.complex].profile_at(date)
    buurt_mix = pol.buurten[u.buurt].mix
    p = {name: param.at(date).value for name, param in pol.parameters.items()}
    leaving = comp.by_unit.get(unit_id)
    cat = h.category

    def group(level, key):
        g = comp.groups[(level, key)]
        counts = dict(g.counts)
        occ = g.occupied
        if leaving is not None:
            counts[leaving] -= 1
            occ -= 1
        return counts, occ

    pk_counts, _ = group("portiek", u.portiek)
    cx_counts, cx_occ = group("complex", u.complex)
    bu_counts, bu_occ = group("buurt", u.buurt)
    cap = p["aftoppingsgrens_1_2_personen"] if h.size <= 2 else p["aftoppingsgrens_3_plus_personen"]
    pt_limit = p["passend_toewijzen_inkomensgrens_1p"] if h.size == 1 else p["passend_toewijzen_inkomensgrens_2p"]
    daeb_limit = p["daeb_inkomensgrens_1p"] if h.size == 1 else p["daeb_inkomensgrens_2p"]
    legal = []
    if u.daeb and h.income <= pt_limit and u.rent > cap:
        legal.append("passend-toewijzen")
    if u.daeb and u.rent <= p["daeb_huurgrens"] and h.income > daeb_limit:
        legal.append("daeb-inkomensgrens")
    if legal:
        return "niet_toegestaan", tuple(legal)
    fired = []
    limit = profile.portiek_max_households.get(cat)
    if limit is not None and pk_counts.get(cat, 0) + 1 > limit:
        fired.append(("portiek-limiet", "ontraden"))
    if cx_occ + 1 >= profile.min_households and \
            Fraction(cx_counts.get(cat, 0) + 1, cx_occ + 1) > profile.mix.bands[cat].high:
        fired.append(("complex-plafond", "ontraden"))
    if bu_occ + 1 >= profile.min_households and \
            Fraction(bu_counts.get(cat, 0) + 1, bu_occ + 1) > buurt_mix.bands[cat].high:
        fired.append(("buurt-plafond", "ontraden"))
    if cx_occ >= profile.min_households and Fraction(cx_counts.get(cat, 0), cx_occ) < profile.mix.bands[cat].low:
        fired.append(("voorkeur-onder-band", "voorkeur"))
    if (h.size == 1 and u.rooms >= 4) or h.size > u.rooms + 1:
        fired.append(("woninggrootte", "ontraden"))
    if not fired:
        return "passend", ()
    worst = min(SEVERITY.index(o) for _, o in fired)
    return SEVERITY[worst], tuple(r for r, o in fired if o == SEVERITY[worst])


def pairs(program, n: int, seed: int = 1):
    rnd = random.Random(seed)
    units = sorted(program.policy.units)
    cats = program.policy.category_ids
    return [(Household(f"hh-{i}", rnd.randint(1, 6), Fraction(rnd.randint(10_000, 70_000)), rnd.choice(cats)),
             rnd.choice(units)) for i in range(n)]


def rate(fn, items) -> float:
    start = time.perf_counter()
    for h, u in items:
        fn(h, u)
    return len(items) / (time.perf_counter() - start)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--n", type=int, default=20_000)
    args = ap.parse_args()
    program = load_policy(POLICY)
    comp = composition(program.policy, example_occupancy(program), dt.date(2025, 6, 1))
    items = pairs(program, args.n)

    def engine(h, u):
        return combine(program, rule_statuses(program, build_facts(program, h, u, comp)))

    mismatches = sum(engine(h, u) != plain_decide(program, comp, h, u) for h, u in items)
    if mismatches:
        sys.exit(f"engine and plain function disagree on {mismatches} pairs")
    plain = rate(lambda h, u: plain_decide(program, comp, h, u), items)
    decision = rate(engine, items)
    full_items = items[: max(1000, args.n // 10)]
    full = rate(lambda h, u: explain(program, h, u, comp), full_items)
    print(f"pairs: {args.n} (agreeing with the plain function: all)")
    print(f"plain Python function:   {plain:12,.0f} evaluations/s")
    print(f"engine, decision only:   {decision:12,.0f} evaluations/s  ratio {plain / decision:5.2f}x  (target <= 3x)")
    print(f"engine, full explanation:{full:12,.0f} evaluations/s  ratio {plain / full:5.2f}x  (target <= 30x)")
    from rules_engine.engine_durable import durable_program, unavailable_reason

    if unavailable_reason():
        print(f"durable-rules engine: not measured ({unavailable_reason()[1]})")
        return
    durable = durable_program(program)

    def durable_engine(h, u):
        return combine(durable, rule_statuses(durable, build_facts(durable, h, u, comp)))

    if any(durable_engine(h, u) != engine(h, u) for h, u in items):
        sys.exit("the durable-rules engine and the default engine disagree")
    rate_durable = rate(durable_engine, items)
    print(f"durable-rules, decision: {rate_durable:12,.0f} evaluations/s  ratio {plain / rate_durable:5.2f}x  "
          f"({decision / rate_durable:.1f}x slower than the default engine; same outcomes on all pairs)")


if __name__ == "__main__":
    main()
