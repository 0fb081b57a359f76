"""From the runs to what a report shows: per group the share per category each year (median and 10-90 %
range over the runs) against its band, the years until inside the band, lettings and deciding rules.

Quantiles are nearest-rank: the q-quantile of n sorted values is value number ceil(q*n) (at least 1);
a run that never reaches the band counts as 'later than the last year' and sorts last.
"""

from __future__ import annotations

import datetime as dt
import math
from fractions import Fraction

from ..model.policy import Policy
from ..version import __version__
from .model import Model
from .run import month_start
from .stock import Stock

QUANTILES = (("p10", Fraction(1, 10)), ("median", Fraction(1, 2)), ("p90", Fraction(9, 10)))


def quantile(values: list, q: Fraction):
    """The nearest-rank q-quantile of values (None sorts last, as 'never')."""
    ordered = sorted(values, key=lambda v: (v is None, v if v is not None else 0))
    return ordered[max(0, math.ceil(q * len(ordered)) - 1)] if ordered else None


def _num(x: Fraction | float | None, digits: int = 4):
    return None if x is None else round(float(x), digits)


def _band_of(policy: Policy, level: str, key: str, date: dt.date):
    if level == "buurt":
        return policy.buurten[key].mix
    return policy.complexes[key].profile_at(date).mix


def _inside(counts: tuple, mix, categories: tuple) -> bool:
    occupied = sum(counts)
    if occupied == 0:
        return False
    for c, k in zip(categories, counts):
        band = mix.bands.get(c)
        if band is not None and not band.low <= Fraction(k, occupied) <= band.high:
            return False
    return True


def _group(policy: Policy, stock: Stock, level: str, key: str, homes: int, series: list[list[tuple]],
           years: int, start: dt.date) -> dict:
    """The summary of one group from each run's counts per year."""
    cats = stock.categories
    dates = [month_start(start, 12 * t) for t in range(years + 1)]
    mixes = [_band_of(policy, level, key, d) for d in dates]
    shares = {}
    for ci, c in enumerate(cats):
        per_year = []
        for t in range(years + 1):
            values = [Fraction(run[t][ci], sum(run[t])) if sum(run[t]) else Fraction(0) for run in series]
            per_year.append({name: _num(quantile(values, q)) for name, q in QUANTILES})
        shares[c] = {name: [y[name] for y in per_year] for name, _ in QUANTILES}
    last = mixes[-1]
    reached = [next((t for t in range(years + 1) if _inside(run[t], mixes[t], cats)), None) for run in series]
    name = policy.buurten[key].name if level == "buurt" else policy.complexes[key].name
    return {
        "level": level, "key": key, "name": name, "homes": homes,
        "target": {c: _num(last.targets[c]) for c in cats if c in last.targets},
        "band": {c: [_num(last.bands[c].low), _num(last.bands[c].high)] for c in cats if c in last.bands},
        "shares": shares,
        "years_to_band": {**{n: quantile(reached, q) for n, q in QUANTILES},
                          "reached": _num(Fraction(sum(r is not None for r in reached), len(reached))),
                          "inside_last_year": _num(Fraction(sum(_inside(run[-1], last, cats) for run in series),
                                                            len(series)))},
    }


def _spread(values: list[int]) -> dict:
    return {**{n: quantile(values, q) for n, q in QUANTILES}, "mean": _num(Fraction(sum(values), len(values)), 2)}


def summarise(stock: Stock, model: Model, per_run: list[dict], *, seed: int, years: int) -> dict:
    """The simulation's result as plain JSON-ready data, in a fixed order (byte-identical for one seed)."""
    policy, cats = stock.program.policy, stock.categories
    runs = len(per_run)
    groups = []
    for area_key in stock.order():
        area = stock.areas[area_key]
        for level, key in sorted(area.reported, key=lambda g: (g[0] != "buurt", g[1])):
            series = [run[area_key]["yearly"][(level, key)] for run in per_run]
            groups.append(_group(policy, stock, level, key, area.homes[(level, key)], series, years, model.start))
    per_cat = {c: _spread([sum(r[a]["lettings"][i] for a in r) for r in per_run]) for i, c in enumerate(cats)}
    routed = {c: _spread([sum(r[a]["routed"][i] for a in r) for r in per_run]) for i, c in enumerate(cats)}
    rule_ids = [cr.rule.id for cr in stock.program.rules]
    rules = []
    for rid in rule_ids:
        lettings = [sum(r[a]["rules"].get(rid, (0, 0))[0] for a in r) for r in per_run]
        candidates = [sum(r[a]["rules"].get(rid, (0, 0))[1] for a in r) for r in per_run]
        rules.append({"rule": rid, "lettings": _spread(lettings), "candidates": _spread(candidates)})
    outcomes = sorted({o for r in per_run for a in r for o in r[a]["outcomes"]})
    return {
        "magicmix": __version__,
        "policy": {"id": policy.id, "version": policy.version},
        "model": {"turnover_mode": model.turnover_mode, "per_vacancy": model.per_vacancy,
                  "legal_amounts": model.legal_amounts},
        "seed": seed, "runs": runs, "years": years, "start": model.start.isoformat(),
        "categories": list(cats),
        "labels": {c: {"nl": policy.category(c).label.nl, "en": policy.category(c).label.en} for c in cats},
        "groups": groups,
        "lettings": {"per_category": per_cat, "through_routes": routed,
                     "per_outcome": {o: _spread([sum(r[a]["outcomes"].get(o, 0) for a in r) for r in per_run])
                                     for o in outcomes},
                     "months_without_eligible_candidate": _spread([sum(r[a]["unlet"] for a in r) for r in per_run]),
                     "vacant_at_end": _spread([sum(r[a]["vacant"] for a in r) for r in per_run])},
        "rules": rules,
    }


def compare(base: dict, other: dict) -> dict:
    """The difference other - base per group present in both: the median share per category in the last year
    and the median years until inside the band (None where either never reaches it)."""
    theirs = {(g["level"], g["key"]): g for g in other["groups"]}
    rows = []
    for g in base["groups"]:
        o = theirs.get((g["level"], g["key"]))
        if o is None:
            continue
        share = {c: _num(o["shares"][c]["median"][-1] - g["shares"][c]["median"][-1])
                 for c in g["shares"] if c in o["shares"]}
        a, b = g["years_to_band"]["median"], o["years_to_band"]["median"]
        rows.append({"level": g["level"], "key": g["key"], "name": g["name"], "share_last_year": share,
                     "years_to_band": {"base": a, "other": b, "difference": None if a is None or b is None else b - a}})
    lettings = {c: _num(other["lettings"]["per_category"][c]["mean"] - v["mean"], 2)
                for c, v in base["lettings"]["per_category"].items() if c in other["lettings"]["per_category"]}
    return {"groups": rows, "lettings_mean": lettings}
