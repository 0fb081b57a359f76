"""The side-by-side workload: one "magic mix" decision, its inputs, its exact oracle and a lean reference.

The decision, for a household of category c applying for a home in a complex:
  1. income <= 32,000 and rent > 700                  -> "niet toegestaan", LEGAL_INCOME_RENT
  2. (n_c + 1) / (occupied + 1) > target_c + 5 points  -> "ontraden",        MIX_OVER   (after this letting)
  3. n_c / occupied < target_c - 5 points              -> "voorkeur",        MIX_UNDER  (now)
  4. otherwise                                         -> "passend",         MIX_DEFAULT
with targets regulier 50 %, aandacht 35 %, veerkrachtig 15 %. The bands are exact fractions;
an input is a dict (c, n_regulier, n_aandacht, n_veerkrachtig, units, income, rent), and
`units` does not change the decision.
"""

from __future__ import annotations

import random
from fractions import Fraction

CATS = ("regulier", "aandacht", "veerkrachtig")
INCOME_LIMIT = 32_000
RENT_CAP = 700
# band edges as (numerator, denominator): target +- 5 points, exactly
HIGH = {"regulier": (11, 20), "aandacht": (2, 5), "veerkrachtig": (1, 5)}   # 55 %, 40 %, 20 %
LOW = {"regulier": (9, 20), "aandacht": (3, 10), "veerkrachtig": (1, 10)}   # 45 %, 30 %, 10 %
HIGH_TEXT = {"regulier": "0.55", "aandacht": "0.40", "veerkrachtig": "0.20"}  # for policy languages
LOW_TEXT = {"regulier": "0.45", "aandacht": "0.30", "veerkrachtig": "0.10"}

LEGAL = ("niet toegestaan", "LEGAL_INCOME_RENT")
OVER = ("ontraden", "MIX_OVER")
UNDER = ("voorkeur", "MIX_UNDER")
DEFAULT = ("passend", "MIX_DEFAULT")
OUTCOMES = (LEGAL, OVER, UNDER, DEFAULT)

SEED = 20240521


def oracle(x: dict) -> tuple[str, str]:
    """The decision in exact rational arithmetic (fractions.Fraction), written for clarity, not speed."""
    if x["income"] <= INCOME_LIMIT and x["rent"] > RENT_CAP:
        return LEGAL
    c = x["c"]
    n_c = x["n_" + c]
    occupied = sum(x["n_" + k] for k in CATS)
    if Fraction(n_c + 1, occupied + 1) > Fraction(*HIGH[c]):
        return OVER
    if Fraction(n_c, occupied) < Fraction(*LOW[c]):
        return UNDER
    return DEFAULT


def lean_decider():
    """The leanest plain Python of the decision: one tuple lookup, two float divisions.

    Returns decide(input_dict) -> (decision, rule id), the baseline every engine is divided by.
    Exact on these inputs: counts are small integers, so a share that equals a band edge rounds
    to the very double of that edge, and one that does not is at least 1/(20 (occupied + 1))
    away from it; workload() checks it against the oracle on every input all the same."""
    band = {c: ("n_" + c, HIGH[c][0] / HIGH[c][1], LOW[c][0] / LOW[c][1]) for c in CATS}
    legal, over, under, default = LEGAL, OVER, UNDER, DEFAULT

    def decide(x):
        if x["income"] <= 32000 and x["rent"] > 700:
            return legal
        key, high, low = band[x["c"]]
        n = x[key]
        occ = x["n_regulier"] + x["n_aandacht"] + x["n_veerkrachtig"]
        if (n + 1) / (occ + 1) > high:
            return over
        if n / occ < low:
            return under
        return default

    return decide


def _split(rng: random.Random, occupied: int) -> list[int]:
    """Households per category for `occupied` homes, spread around the targets (Dirichlet-multinomial)."""
    g = [rng.gammavariate(a, 1.0) for a in (4.0, 2.8, 1.2)]
    drawn = rng.choices((0, 1, 2), weights=g, k=occupied)
    return [drawn.count(0), drawn.count(1), drawn.count(2)]


def _on_edge(rng: random.Random, units: int, c: int, edge: tuple[int, int], after: bool) -> list[int] | None:
    """Counts that put category c exactly on a band edge (after this letting, or now), or None if it does not fit."""
    p, q = edge
    k = rng.randint(1, max(1, (units - 1) // q))
    total = k * q                      # occupied + 1 (after) or occupied (now)
    occupied = total - 1 if after else total
    n_c = k * p - 1 if after else k * p
    if occupied < 1 or occupied > units - 1 or n_c < 0:
        return None
    rest = occupied - n_c
    a = rng.randint(0, rest)
    counts = [0, 0, 0]
    counts[c] = n_c
    others = [i for i in range(3) if i != c]
    counts[others[0]], counts[others[1]] = a, rest - a
    return counts


def generate(n: int, seed: int = SEED) -> list[dict]:
    """n inputs from a fixed seed; about a quarter sit exactly on a band edge, on the income limit or on the rent cap."""
    rng = random.Random(seed)
    inputs = []
    while len(inputs) < n:
        units = rng.randint(10, 200)
        c = rng.randrange(3)
        income = 500 * rng.randint(24, 140)           # 12,000 .. 70,000 in steps of 500
        rent = rng.randint(450, 1000)
        kind = rng.random()
        counts = None
        if kind < 0.10:
            counts = _on_edge(rng, units, c, HIGH[CATS[c]], after=True)
        elif kind < 0.20:
            counts = _on_edge(rng, units, c, LOW[CATS[c]], after=False)
        elif kind < 0.25:
            income, rent = rng.choice(((INCOME_LIMIT, rent), (income, RENT_CAP), (INCOME_LIMIT, RENT_CAP),
                                       (INCOME_LIMIT, RENT_CAP + 1)))
        if counts is None:
            occupied = min(units - 1, max(1, int(units * rng.uniform(0.5, 1.0)) - 1))
            counts = _split(rng, occupied)
        inputs.append({"c": CATS[c], "n_regulier": counts[0], "n_aandacht": counts[1], "n_veerkrachtig": counts[2],
                       "units": units, "income": income, "rent": rent})
    return inputs


def naive_float(x: dict) -> tuple[str, str]:
    """What a float implementation computing target + tolerance at run time decides (to count its errors)."""
    target = {"regulier": 0.50, "aandacht": 0.35, "veerkrachtig": 0.15}[x["c"]]
    if x["income"] <= INCOME_LIMIT and x["rent"] > RENT_CAP:
        return LEGAL
    n_c = x["n_" + x["c"]]
    occupied = x["n_regulier"] + x["n_aandacht"] + x["n_veerkrachtig"]
    if (n_c + 1) / (occupied + 1) > target + 0.05:
        return OVER
    if n_c / occupied < target - 0.05:
        return UNDER
    return DEFAULT


def workload(n: int, seed: int = SEED) -> tuple[list[dict], list[tuple[str, str]], dict]:
    """The inputs, the reference decisions (lean function, checked against the oracle on every input), a summary."""
    inputs = generate(n, seed)
    reference = [lean_decider()(x) for x in inputs]
    wrong = [i for i, (x, r) in enumerate(zip(inputs, reference)) if oracle(x) != r]
    if wrong:
        raise AssertionError(f"the lean reference disagrees with the exact oracle on {len(wrong)} inputs, "
                             f"first {inputs[wrong[0]]}")
    on_high = on_low = 0
    for x in inputs:
        c = x["c"]
        n_c = x["n_" + c]
        occupied = x["n_regulier"] + x["n_aandacht"] + x["n_veerkrachtig"]
        on_high += Fraction(n_c + 1, occupied + 1) == Fraction(*HIGH[c])
        on_low += Fraction(n_c, occupied) == Fraction(*LOW[c])
    summary = {
        "n": n, "seed": seed,
        "decisions": {d: sum(r == o for r in reference) for o in OUTCOMES for d in [o[0]]},
        "exactly_on_upper_edge": on_high,
        "exactly_on_lower_edge": on_low,
        "income_on_limit": sum(x["income"] == INCOME_LIMIT for x in inputs),
        "rent_on_cap": sum(x["rent"] == RENT_CAP for x in inputs),
        "naive_float_wrong": sum(naive_float(x) != r for x, r in zip(inputs, reference)),
    }
    return inputs, reference, summary
