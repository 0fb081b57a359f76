"""Benchmark: evaluations per second on the example policy, next to hand-written plain-Python
functions of the same rules, measured in the same run.

    python bench/evaluate.py [--n 20000] [--candidates 500]

Two baselines: the plain function (plain_decide, written for clarity: it reads the parameters,
profile and groups afresh and copies the counts on every call) and the lean function
(lean_decider: the same rules with what depends only on the policy and the date looked up once,
as compiling does, and integer cross-multiplication for incomes and shares). Every ratio is printed
against both. Targets (issue 3), against the plain function: decision-only within 3x; full
explanation within 30x. With durable-rules installed (magicmix[durable]) its throughput is
printed beside the default engine's. Both baselines are checked to agree with the engine on
every pair before timing; each rate is the best of three passes. "decision only" is
evaluate.decide (the compiled rules, what evaluate_batch runs per pair); "general path" is the
same decision through build_facts and rule_statuses, the one semantics the compiled rules are
checked against. Last, the time to rank --candidates candidates for one home with an
explanation each (rank.rank, best of three), the target of issue 21 being under 50 ms for 500:
the same candidates again, other candidates each pass (only what the program's explanations
share across calls is warm), and beside them as many explanations one by one (explain()).
The machine's load average is printed at the start and the end.
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
from rules_engine.engine.evaluate import build_facts, combine, decide, rule_statuses  # noqa: E402
from rules_engine.engine.explain import explain  # noqa: E402
from rules_engine.lang.facts import Household  # noqa: E402
from rules_engine.load.occupancy import composition  # noqa: E402
from rules_engine.allocation.rank import rank  # noqa: E402

POLICY = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "policies", "openbaar-belang")
SEVERITY = ("niet_toegestaan", "ontraden", "passend", "voorkeur")


def plain_decide(program, comp, h: Household, unit_id: str):
    """The openbaar-belang rules written out by hand in plain Python (the baseline).

    The bench's households are not older households (household.older): the older households' own
    income limits are not written out, here nor in lean_decider."""
    pol = program.policy
    date = comp.date
    u = pol.units[unit_id]
    profile = pol.complexes[u.complex].profile_at(date)
    buurt_mix = pol.buurten[u.buurt].mix
    p = {name: dv.value for name, param in pol.parameters.items() if (dv := param.at(date)) is not None}
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
    rekenhuur = p.get("huurtoeslag_maximale_rekenhuur")  # no value on the date: the rule does not apply
    if rekenhuur is not None and h.income <= pt_limit and u.rent > rekenhuur:
        fired.append(("huurtoeslag-rekengrens", "ontraden"))
    if not fired:
        return "passend", ()
    worst = min(SEVERITY.index(o) for _, o in fired)
    return SEVERITY[worst], tuple(r for r, o in fired if o == SEVERITY[worst])


def lean_decider(program, date: dt.date):
    """The openbaar-belang rules as lean plain Python: decide(comp, household, unit_id) for one date.

    Looked up once per home (policy data at the date, what compile_policy does for the engine):
    the rent against both rent caps and the DAEB rent limit, the profile's bands as integer
    pairs, the portiek limits. Per call, like the engine: the home's groups read from the
    composition, less the household moving out, and the household's income compared exactly."""
    pol = program.policy
    p = {name: dv.value for name, param in pol.parameters.items() if (dv := param.at(date)) is not None}
    # income limits per household size (1, 2 or more) as integer pairs: Fraction comparisons are slow
    pt = {size: (v.numerator, v.denominator) for size, v in
          ((1, p["passend_toewijzen_inkomensgrens_1p"]), (2, p["passend_toewijzen_inkomensgrens_2p"]))}
    daeb_limit = {size: (v.numerator, v.denominator) for size, v in
                  ((1, p["daeb_inkomensgrens_1p"]), (2, p["daeb_inkomensgrens_2p"]))}
    rekenhuur = p.get("huurtoeslag_maximale_rekenhuur")
    homes = {}
    for uid in pol.units:
        u = pol.units[uid]
        profile = pol.complexes[u.complex].profile_at(date)
        cx_bands, bu_bands = profile.mix.bands, pol.buurten[u.buurt].mix.bands
        bands = {c: (cx_bands[c].high.numerator, cx_bands[c].high.denominator, cx_bands[c].low.numerator,
                     cx_bands[c].low.denominator, bu_bands[c].high.numerator, bu_bands[c].high.denominator)
                 for c in cx_bands}
        homes[uid] = (u.daeb, u.rent > p["aftoppingsgrens_1_2_personen"], u.rent > p["aftoppingsgrens_3_plus_personen"],
                      u.rent <= p["daeb_huurgrens"], u.rooms, ("portiek", u.portiek), ("complex", u.complex),
                      ("buurt", u.buurt), profile.portiek_max_households, profile.min_households, bands,
                      rekenhuur is not None and u.rent > rekenhuur)

    def decide(comp, h: Household, unit_id: str):
        (daeb, over_cap_12, over_cap_3, daeb_rent, rooms, kp, kc, kb, max_households, min_h, bands,
         over_rekenhuur) = homes[unit_id]
        size, cat = h.size, h.category
        income = h.income
        n, d = income.numerator, income.denominator
        ln, ld = pt[1 if size == 1 else 2]
        within_pt = n * ld <= ln * d
        if daeb:
            legal = ()
            if within_pt and (over_cap_12 if size <= 2 else over_cap_3):
                legal = ("passend-toewijzen",)
            ln, ld = daeb_limit[1 if size == 1 else 2]
            if daeb_rent and n * ld > ln * d:
                legal += ("daeb-inkomensgrens",)
            if legal:
                return "niet_toegestaan", legal
        groups = comp.groups
        pk, cx, bu = groups[kp], groups[kc], groups[kb]
        pk_k, cx_k, bu_k = pk.counts.get(cat, 0), cx.counts.get(cat, 0), bu.counts.get(cat, 0)
        cx_occ, bu_occ = cx.occupied, bu.occupied
        leaving = comp.by_unit.get(unit_id)
        if leaving is not None:
            if leaving == cat:
                pk_k, cx_k, bu_k = pk_k - 1, cx_k - 1, bu_k - 1
            cx_occ, bu_occ = cx_occ - 1, bu_occ - 1
        hp, hq, lp, lq, bp, bq = bands[cat]
        against = ()
        limit = max_households.get(cat)
        if limit is not None and pk_k + 1 > limit:
            against = ("portiek-limiet",)
        if cx_occ + 1 >= min_h and (cx_k + 1) * hq > hp * (cx_occ + 1):
            against += ("complex-plafond",)
        if bu_occ + 1 >= min_h and (bu_k + 1) * bq > bp * (bu_occ + 1):
            against += ("buurt-plafond",)
        if (size == 1 and rooms >= 4) or size > rooms + 1:
            against += ("woninggrootte",)
        if over_rekenhuur and within_pt:
            against += ("huurtoeslag-rekengrens",)
        if against:
            return "ontraden", against
        # the share of an empty group is 0
        if cx_occ >= min_h and (cx_k * lq < lp * cx_occ if cx_occ else lp > 0):
            return "voorkeur", ("voorkeur-onder-band",)
        return "passend", ()

    return decide


def pairs(program, n: int, seed: int = 1):
    rnd = random.Random(seed)
    units = sorted(program.policy.units)
    cats = program.policy.category_ids
    return [(Household(f"hh-{i}", rnd.randint(1, 6), Fraction(rnd.randint(10_000, 70_000)), rnd.choice(cats)),
             rnd.choice(units)) for i in range(n)]


def rate(fn, items, passes: int = 3) -> float:
    """Evaluations per second, best of `passes` passes."""
    best = float("inf")
    for _ in range(passes):
        start = time.perf_counter()
        for h, u in items:
            fn(h, u)
        best = min(best, time.perf_counter() - start)
    return len(items) / best


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--n", type=int, default=20_000)
    ap.add_argument("--candidates", type=int, default=500, help="candidates ranked for one home (default 500)")
    args = ap.parse_args()
    load_start = os.getloadavg()
    print(f"load average at the start: {' '.join(f'{x:.2f}' for x in load_start)} (1, 5, 15 min; "
          f"{os.cpu_count()} cores)")
    program = load_policy(POLICY)
    comp = composition(program.policy, example_occupancy(program), dt.date(2025, 6, 1))
    items = pairs(program, args.n)

    def general(h, u):
        return combine(program, rule_statuses(program, build_facts(program, h, u, comp)))

    def engine(h, u):
        return decide(program, h, u, comp)

    lean_decide = lean_decider(program, comp.date)
    mismatches = sum(engine(h, u) != plain_decide(program, comp, h, u) for h, u in items)
    mismatches += sum(engine(h, u) != lean_decide(comp, h, u) for h, u in items)
    mismatches += sum(engine(h, u) != general(h, u) for h, u in items)
    if mismatches:
        sys.exit(f"engine and plain functions disagree on {mismatches} pairs")
    plain = rate(lambda h, u: plain_decide(program, comp, h, u), items)
    lean = rate(lambda h, u: lean_decide(comp, h, u), items)
    decision = rate(engine, items)
    general_rate = rate(general, items[: max(1000, args.n // 4)])
    full_items = items[: max(1000, args.n // 10)]
    full = rate(lambda h, u: explain(program, h, u, comp), full_items)

    def ratios(r: float) -> str:
        return f"ratio {plain / r:5.2f}x plain, {lean / r:6.1f}x lean"

    print(f"pairs: {args.n} (agreeing with both plain functions: all)")
    print(f"plain Python function:   {plain:12,.0f} evaluations/s")
    print(f"lean plain function:     {lean:12,.0f} evaluations/s  ({lean / plain:.1f}x the plain function)")
    print(f"engine, decision only:   {decision:12,.0f} evaluations/s  {ratios(decision)}  (target <= 3x plain)")
    print(f"engine, general path:    {general_rate:12,.0f} evaluations/s  {ratios(general_rate)}")
    print(f"engine, full explanation:{full:12,.0f} evaluations/s  {ratios(full)}  (target <= 30x plain)")
    home = items[0][1]
    k = args.candidates

    def timed(fn, batches):
        """Best wall and CPU time of fn over each batch of candidates."""
        best = best_cpu = float("inf")
        for batch in batches:
            start, start_cpu = time.perf_counter(), time.process_time()
            fn(batch)
            best = min(best, time.perf_counter() - start)
            best_cpu = min(best_cpu, time.process_time() - start_cpu)
        return best, best_cpu

    candidates = [h for h, _ in items[:k]]
    rank(program, candidates, home, comp)
    same = timed(lambda c: rank(program, c, home, comp), [candidates] * 3)
    # other households each pass: only what the program's explanations share across calls is warm
    fresh = [[h for h, _ in items[i * k:(i + 1) * k]] for i in range(1, 4)]
    new = timed(lambda c: rank(program, c, home, comp), fresh)
    fresh = [[h for h, _ in items[i * k:(i + 1) * k]] for i in range(4, 7)]
    one_by_one = timed(lambda c: [explain(program, h, home, comp) for h in c], fresh)
    for label, (wall, cpu) in ((f"rank of {k} candidates, an explanation each", same),
                               ("  the same, other candidates each pass", new),
                               (f"  {k} explanations one by one (explain)", one_by_one)):
        print(f"{label + ':':52s}{wall * 1000:8.1f} ms ({cpu * 1000:.1f} ms CPU time of this process)")
    print(f"{'':52s}(target: rank of 500 under 50 ms)")
    from rules_engine.engine.engine_durable import durable_program, unavailable_reason

    if unavailable_reason():
        print(f"durable-rules engine: not measured ({unavailable_reason()[1]})")
        print(f"load average at the end: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
        return
    durable = durable_program(program)

    def durable_engine(h, u):
        return combine(durable, rule_statuses(durable, build_facts(durable, h, u, comp)))

    if any(durable_engine(h, u) != engine(h, u) for h, u in items):
        sys.exit("the durable-rules engine and the default engine disagree")
    rate_durable = rate(durable_engine, items)
    print(f"durable-rules, decision: {rate_durable:12,.0f} evaluations/s  {ratios(rate_durable)}  "
          f"({decision / rate_durable:.1f}x slower than the default engine; same outcomes on all pairs)")
    print(f"load average at the end: {' '.join(f'{x:.2f}' for x in os.getloadavg())} (1, 5, 15 min)")


if __name__ == "__main__":
    main()
