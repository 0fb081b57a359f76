"""Households that already live in the stock: an applicant whose id has a home in the occupancy on the date.

Such a household (doorstroming) leaves a home when it moves; the composition counts it there still, so its
advice may be stricter than it should be. Until the engine takes the home it leaves into account, the
commands say so beside the advice instead of leaving it unsaid.
"""

from __future__ import annotations

import datetime as dt

from ..diagnostics import Diagnostic, make
from .occupancy import Occupancy
from .occupancy_holders import holdings


def current_homes(occupancy: Occupancy, date: dt.date, household_ids) -> dict[str, str]:
    """household id -> the home it lives in on the date, for those of household_ids that live in the stock."""
    wanted = set(household_ids)
    out: dict = {}
    if not wanted:
        return out
    for unit, rows in occupancy.by_unit.items():
        if any(r.household in wanted for r in rows):  # the few homes they ever lived in; the row in force decides
            now = [r for r in rows if r.valid_from <= date]
            if now and now[-1].household in wanted:
                out[now[-1].household] = unit
    return out


def mover_warnings(occupancy: Occupancy, date: dt.date, households, file: str) -> list[Diagnostic]:
    """A warning per household of households that lives in the stock on the date (see the module docstring)."""
    homes = current_homes(occupancy, date, (h.id for h in households))
    return [make("household-lives-in-stock", file, severity="warning", household=h.id, home=homes[h.id],
                 date=date.isoformat()) for h in households if h.id in homes]


def homes_index(occupancy: Occupancy) -> dict[str, tuple]:
    """household id -> every span it holds a home (occupancy_holders.Holding), for asking of many households (the
    service keeps one per occupancy version)."""
    out: dict = {}
    for held in holdings(occupancy.by_unit):
        out.setdefault(held.household, []).append(held)
    return {h: tuple(spans) for h, spans in out.items()}


def home_on(index: dict, household_id: str, date: dt.date) -> str | None:
    """The home a household lives in on a date, by homes_index (None: it does not live in the stock then)."""
    return next((held.unit for held in index.get(household_id, ()) if held.start <= date < held.end), None)
