"""The stock a simulation starts from: the compiled policy and, per area, its homes, groups and households.

An area is a group of the policy's highest level (the buurt, or a wijk above it): no rule looks across
areas, so each area is simulated on random streams of its own and the areas of one run can be computed
anywhere, in any grouping, with the same result.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from types import MappingProxyType

from ..api import example_occupancy, load_occupancy, load_policy
from ..lang.compile import Program
from ..model.levels import group_keys
from ..load.occupancy import composition
from ..lang.records import frozen

REPORTED = ("complex", "buurt")  # the levels whose shares a simulation reports


@frozen
class StockKey:
    """What a worker needs to build the same stock: all of it plain, picklable text."""

    policy: str
    occupancy: str | None  # None: the policy's own occupancy.yaml
    start: dt.date
    legal_amounts: str  # "keep" or "unknown" (see model.Model)


@frozen
class Area:
    """The homes of one area in policy order, with their groups and the households living there at the start."""

    key: str
    units: tuple[str, ...]
    complexes: tuple[str, ...]  # per home
    groups: tuple[tuple, ...]  # per home: its (level, key) pairs, smallest level first (one tuple per portiek)
    homes: dict  # (level, key) -> number of homes
    initial: tuple[int, ...]  # per home: index of its household's category, -1 for an empty home
    reported: tuple[tuple[str, str], ...]  # the area's complexes and buurten, in policy order


@frozen(eq=False)
class Stock:
    """The compiled policy and its areas, sorted by key."""

    program: Program
    categories: tuple[str, ...]
    areas: dict  # area key -> Area

    def order(self) -> tuple[str, ...]:
        """The area keys in a fixed order."""
        return tuple(sorted(self.areas))


def with_kept_amounts(program: Program) -> Program:
    """The program with every annual legal amount held after its last year (model legal_amounts: keep)."""
    policy = program.policy
    kept = {name: dataclasses.replace(p, annual=False) for name, p in policy.parameters.items()}
    return dataclasses.replace(program, policy=dataclasses.replace(policy, parameters=MappingProxyType(kept)))


def build_stock(key: StockKey, program: Program | None = None) -> Stock:
    """Load (or take) the policy, read the occupancy on the start date and split the homes into areas."""
    program = program or load_policy(key.policy)
    occupancy = example_occupancy(program) if key.occupancy is None else load_occupancy(key.occupancy, program.policy)
    if key.legal_amounts == "keep":
        program = with_kept_amounts(program)
    policy = program.policy
    categories = policy.category_ids
    index = {c: i for i, c in enumerate(categories)}
    living = composition(policy, occupancy, key.start).by_unit
    levels = policy.levels.keys
    parts: dict = {}
    shared: dict = {}  # portiek -> its pairs tuple, made once
    for unit in policy.units.values():
        pairs = shared.get(unit.portiek)
        if pairs is None:
            pairs = shared[unit.portiek] = tuple(zip(levels, group_keys(policy, unit)))
        area = pairs[-1][1]
        acc = parts.get(area)
        if acc is None:
            acc = parts[area] = ([], [], [], {}, [], {})
        units, complexes, groups, homes, initial, reported = acc
        units.append(unit.id)
        complexes.append(unit.complex)
        groups.append(pairs)
        for g in pairs:
            homes[g] = homes.get(g, 0) + 1
            if g[0] in REPORTED:
                reported[g] = None
        cat = living.get(unit.id)
        initial.append(-1 if cat is None else index[cat])
    areas = {k: Area(k, tuple(u), tuple(c), tuple(g), h, tuple(i), tuple(r)) for k, (u, c, g, h, i, r) in parts.items()}
    return Stock(program, categories, areas)


_STOCKS: dict = {}  # StockKey -> Stock, per process: built once, reused by every task (inherited on fork)


def stock_for(key: StockKey) -> Stock:
    """The stock for a key, built once per process."""
    stock = _STOCKS.get(key)
    if stock is None:
        stock = _STOCKS[key] = build_stock(key)
    return stock


def keep(key: StockKey, stock: Stock) -> None:
    """Remember a stock built here, so that tasks in this process (and forked workers) need not build it."""
    _STOCKS[key] = stock
