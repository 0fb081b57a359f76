"""One simulated run of one area, month by month: re-classification, move-outs, then lettings.

Randomness comes from random.Random streams seeded with text made of the seed, the run, the area and
the stream's purpose (turnover, candidates, re-classification): the same in every process and on every
machine (a text seed is hashed with SHA-512, whatever PYTHONHASHSEED says), independent of how runs and
areas are spread over workers, and shared by two policies that are compared. Each month:

1. re-classification: each household changes category with chance (its category's rate per year) / 12;
2. move-outs: with turnover mode random, each occupied home becomes vacant with chance (its complex's
   turnover per year) / 12; with mode fixed, each complex loses exactly its share of homes per year,
   spread evenly over the months (rounded down, carried over), the homes in turn in policy order;
3. lettings, vacancies in the order they arose: with chance routes.share a household of a route moves in
   (unless a legal rule refuses it: then the vacancy goes to the candidates); otherwise per_vacancy
   candidates apply and the one `magicmix rank` puts first moves in. A vacancy without an eligible
   candidate waits for next month's candidates.
"""

from __future__ import annotations

import bisect
import datetime as dt
import math
import random
from dataclasses import fields
from fractions import Fraction

from ..lang.facts import Household
from ..model.outcomes import Outcome
from .letting import counts_judge, first_eligible
from .model import Model, Weighted
from .stock import Area, Stock

REFUSED = frozenset((Outcome.NIET_TOEGESTAAN.value, "onbeslist"))  # a route placement stops only at the law
_ROUTES = "route" in {f.name for f in fields(Household)}  # placement routes (law), when the policy model has them


def stream(seed: int, run: int, area: str, purpose: str) -> random.Random:
    """The random stream of one purpose in one area of one run."""
    return random.Random(f"magicmix-simulate:{seed}:{run}:{area}:{purpose}")


def month_start(start: dt.date, months: int) -> dt.date:
    """The first day of the month months after start's month."""
    m = start.month - 1 + months
    return dt.date(start.year + m // 12, m % 12 + 1, 1)


def _draw(rng: random.Random, w: Weighted):
    # random() < 1, so the point lies below the last cumulative weight: bisect stays inside the values
    return w.values[bisect.bisect(w.cumulative, rng.random() * w.cumulative[-1])]


def _thinned(rng: random.Random, n: int, p: float):
    """The indices 0..n-1 chosen each with chance p, by geometric jumps (about n*p draws, not n)."""
    if p <= 0:
        return
    if p >= 1:
        yield from range(n)
        return
    log_q = math.log(1.0 - p)
    i = -1
    while True:
        i += 1 + int(math.log(1.0 - rng.random()) / log_q)
        if i >= n:
            return
        yield i


_EUROS: dict = {}  # whole euros -> Fraction, made once per process


class Inflow:
    """The candidates (and route households) of one area: drawn from the model, or its fixed sequence."""

    def __init__(self, model: Model, rng: random.Random, route_id: str | None):
        self.model, self.rng, self.next, self.n, self.route_id = model, rng, 0, 0, route_id

    def household(self, categories: Weighted | None = None, route: bool = False) -> Household:
        m, rng = self.model, self.rng
        self.n += 1
        if m.sequence:
            cat, size, income = m.sequence[self.next % len(m.sequence)]
            self.next += 1
            if categories is not None:
                cat = _draw(rng, categories)
        else:
            cat = _draw(rng, categories or m.categories)
            size = _draw(rng, m.sizes)
            low, high = _draw(rng, m.incomes)
            income = low + int(rng.random() * (high - low + 1))
        extra = {"route": self.route_id} if route and _ROUTES and self.route_id else {}
        amount = _EUROS.get(income)
        if amount is None:
            amount = _EUROS[income] = Fraction(income)
        return Household(f"sim-{self.n}", size, amount, cat, **extra)


def run_area(stock: Stock, model: Model, area: Area, seed: int, run: int, years: int) -> dict:
    """Simulate one area for years; returns plain data (see parallel.merge): counts per reported group at
    the start and after every year, lettings per category, and what decided them."""
    program, cats = stock.program, stock.categories
    cat_index = {c: i for i, c in enumerate(cats)}
    turn, pick, recl = (stream(seed, run, area.key, p) for p in ("turnover", "candidates", "reclassification"))
    inflow = Inflow(model, pick, model.route_id)
    state = list(area.initial)
    counts = {g: [0] * len(cats) for g in area.homes}
    for pairs, c in zip(area.groups, state):
        if c >= 0:
            for g in pairs:
                counts[g][c] += 1
    n = len(state)
    rate = [float(model.turnover_of(c)) / 12 for c in area.complexes]
    top_rate = max(rate, default=0.0)
    leave = [Fraction(0)] * len(cats)
    targets: list = [[] for _ in cats]
    for a, b, r in model.reclassification:
        leave[cat_index[a]] += r
        targets[cat_index[a]].append((cat_index[b], r))
    leave_f = [float(x) / 12 for x in leave]
    top_leave = max(leave_f, default=0.0)
    to_w = [Weighted(tuple(b for b, _ in t), tuple(float(sum(r for _, r in t[:i + 1])) for i in range(len(t))))
            if t else None for t in targets]
    fixed = _fixed_plan(model, area) if model.turnover_mode == "fixed" else None
    reported = area.reported
    yearly = {g: [tuple(counts[g])] for g in reported}
    lettings, routed = [0] * len(cats), [0] * len(cats)
    rules: dict = {}
    outcomes: dict = {}
    waiting = [i for i in range(n) if state[i] < 0]
    unlet = 0

    def move(i: int, old: int, new: int) -> None:
        for g in area.groups[i]:
            row = counts[g]
            if old >= 0:
                row[old] -= 1
            if new >= 0:
                row[new] += 1
        state[i] = new

    for month in range(12 * years):
        date = month_start(model.start, month)
        judges = counts_judge(program, date)
        for i in _thinned(recl, n, top_leave):
            c = state[i]
            if c >= 0 and to_w[c] is not None and recl.random() * top_leave < leave_f[c]:
                move(i, c, _draw(recl, to_w[c]))
        leaving = fixed.month(month, state) if fixed else [
            i for i in _thinned(turn, n, top_rate) if state[i] >= 0 and turn.random() * top_rate < rate[i]]
        for i in leaving:
            move(i, state[i], -1)
            waiting.append(i)
        still = []
        for i in waiting:
            pairs = area.groups[i]
            unit_id = area.units[i]
            judge = judges(unit_id, pairs, [area.homes[g] for g in pairs], [counts[g] for g in pairs], cats)
            if model.route_share and pick.random() < model.route_share:
                h = inflow.household(model.route_categories, route=True)
                _, seen = first_eligible(program, [h], judge)
                if seen[0][0] not in REFUSED:
                    move(i, -1, cat_index[h.category])
                    routed[state[i]] += 1
                    outcomes[seen[0][0]] = outcomes.get(seen[0][0], 0) + 1
                    continue
            candidates = [inflow.household() for _ in range(model.per_vacancy)]
            first, seen = first_eligible(program, candidates, judge)
            for outcome, deciding in seen:
                for r in deciding:
                    rules.setdefault(r, [0, 0])[1] += 1
            if first is None:
                unlet += 1
                still.append(i)
                continue
            outcome, deciding = seen[first]
            for r in deciding:
                rules.setdefault(r, [0, 0])[0] += 1
            outcomes[outcome] = outcomes.get(outcome, 0) + 1
            move(i, -1, cat_index[candidates[first].category])
            lettings[state[i]] += 1
        waiting = still
        if month % 12 == 11:
            for g in reported:
                yearly[g].append(tuple(counts[g]))
    return {"yearly": yearly, "lettings": lettings, "routed": routed, "rules": rules, "outcomes": outcomes,
            "unlet": unlet, "vacant": len(waiting)}


class _FixedPlan:
    """Turnover mode fixed: per complex exactly turnover x homes per year, evenly over the months, in turn."""

    def __init__(self, model: Model, area: Area):
        self.homes: dict = {}
        for i, c in enumerate(area.complexes):
            self.homes.setdefault(c, []).append(i)
        self.rate = {c: model.turnover_of(c) * len(h) for c, h in self.homes.items()}
        self.next = {c: 0 for c in self.homes}

    def month(self, month: int, state: list) -> list[int]:
        out = []
        for c, homes in self.homes.items():
            due = math.floor(self.rate[c] * (month + 1) / 12) - math.floor(self.rate[c] * month / 12)
            tried = 0
            while due and tried < len(homes):
                i = homes[self.next[c] % len(homes)]
                self.next[c] += 1
                tried += 1
                if state[i] >= 0 and i not in out:
                    out.append(i)
                    due -= 1
        return out


def _fixed_plan(model: Model, area: Area) -> _FixedPlan:
    return _FixedPlan(model, area)
