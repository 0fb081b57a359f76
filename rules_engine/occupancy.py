"""Occupancy: who lives where from which date, and the composition of every group on a date.

Rows are dated: from valid_from on, a household of a category lives in a home; a row
without household means the home is empty from that date. A household that is
re-classified gets a new row for the same home with its new category.
"""

from __future__ import annotations

import bisect
import datetime as dt
from collections import defaultdict
from dataclasses import dataclass
from typing import Mapping

from .diagnostics import PolicyError, hint, make
from .facts import Group
from .load import read_document
from .load_yaml import Source
from .model import Policy, frozen_map


@dataclass(frozen=True)
class OccupancyRow:
    """From valid_from on, this home holds this household of this category (or is empty)."""

    unit: str
    household: str | None
    category: str | None
    valid_from: dt.date


@dataclass(frozen=True)
class Occupancy:
    """Dated occupancy rows per home, oldest first."""

    by_unit: Mapping[str, tuple[OccupancyRow, ...]]

    def at(self, date: dt.date) -> dict[str, OccupancyRow]:
        """The row in force per occupied home on a date."""
        out = {}
        for unit, rows in self.by_unit.items():
            i = bisect.bisect_right([r.valid_from for r in rows], date) - 1
            if i >= 0 and rows[i].household is not None:
                out[unit] = rows[i]
        return out


EMPTY = Occupancy(frozen_map({}))


@dataclass(frozen=True, eq=False)
class Composition:
    """Groups (portiek, complex, buurt) on one date, and the category living in each home."""

    date: dt.date
    groups: Mapping[tuple[str, str], Group]  # (level, key) -> group
    by_unit: Mapping[str, str]  # home -> category of its household

    def group(self, level: str, key: str) -> Group:
        """The group for a level ('portiek', 'complex', 'buurt') and its key."""
        return self.groups[(level, key)]


def composition(policy: Policy, occupancy: Occupancy, date: dt.date) -> Composition:
    """Count households per category in every portiek, complex and buurt on a date."""
    homes: dict = defaultdict(int)
    counts: dict = defaultdict(lambda: defaultdict(int))
    occupied: dict = defaultdict(int)
    living = occupancy.at(date)
    by_unit = {}
    for unit in policy.units.values():
        keys = (("portiek", unit.portiek), ("complex", unit.complex), ("buurt", unit.buurt))
        row = living.get(unit.id)
        for key in keys:
            homes[key] += 1
            if row is not None:
                occupied[key] += 1
                counts[key][row.category] += 1
        if row is not None:
            by_unit[unit.id] = row.category
    groups = {k: Group(homes[k], occupied[k], frozen_map(counts[k])) for k in homes}
    return Composition(date, frozen_map(groups), frozen_map(by_unit))


def occupancy_from_source(source: Source, policy: Policy) -> tuple[Occupancy, list]:
    """Build Occupancy from a schema-valid document, checking homes and categories exist."""
    diags = []
    rows: dict[str, list[OccupancyRow]] = defaultdict(list)
    for i, r in enumerate(source.data["occupancy"]):
        path = ("occupancy", i)
        if r["unit"] not in policy.units:
            line, col = source.where(path + ("unit",))
            diags.append(make("unknown-unit", source.path, line, col, unit=r["unit"], hint=hint(policy.units, r["unit"])))
            continue
        household, category = r.get("household"), r.get("category")
        if household is not None and category not in policy.category_ids:
            line, col = source.where(path + ("category",))
            diags.append(make("unknown-category", source.path, line, col, category=category,
                              hint=hint(policy.category_ids, category or "")))
            continue
        rows[r["unit"]].append(OccupancyRow(r["unit"], household, category if household else None,
                                            dt.date.fromisoformat(r["valid_from"])))
    for unit, items in rows.items():
        items.sort(key=lambda row: row.valid_from)
        for a, b in zip(items, items[1:]):
            if a.valid_from == b.valid_from:
                diags.append(make("date-twice", source.path, None, None, date=f"{unit} {a.valid_from.isoformat()}"))
    return Occupancy(frozen_map((u, tuple(rs)) for u, rs in rows.items())), diags


def load_occupancy(path: str, policy: Policy) -> Occupancy:
    """Read an occupancy YAML/JSON file; raises PolicyError naming file, line and column."""
    source, problems = read_document(path, "occupancy")
    if source is None:
        raise PolicyError(problems)
    occupancy, diags = occupancy_from_source(source, policy)
    if diags:
        raise PolicyError(diags)
    return occupancy
