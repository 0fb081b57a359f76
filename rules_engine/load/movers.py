"""Households that already live in the stock: an applicant whose id has a home in the occupancy on the date.

Such a household (doorstroming) leaves a home when it moves; the composition counts it there still, so its
advice may be stricter than it should be. Until the engine takes the home it leaves into account, the
commands say so beside the advice instead of leaving it unsaid: evaluate and rank as a warning, the service in a
header, the web app beside the candidate, and evaluate --batch in its summary (the rows, the first of them named).
"""

from __future__ import annotations

import bisect
import datetime as dt

from ..diagnostics import Diagnostic, make
from .occupancy import Occupancy


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


class HomesIndex:
    """Who lives where over time in one occupancy: asked, per household and date, for the home it lives in then.

    Made for asking of many households (a batch, the service keeps one per occupancy version): one pass over the
    homes notes the homes each household ever holds; the row in force on the date, read at asking, decides."""

    __slots__ = ("_homes", "_by_unit")

    def __init__(self, occupancy: Occupancy):
        homes: dict = {}  # household id -> its home, or a tuple of its homes (households that moved)
        get = homes.get
        for unit, rows in occupancy.by_unit.items():
            for row in rows:
                household = row.household
                if household is not None:
                    held = get(household)
                    if held is None:
                        homes[household] = unit
                    elif held.__class__ is str:
                        if held != unit:
                            homes[household] = (held, unit)
                    elif unit not in held:
                        homes[household] = held + (unit,)
        self._homes, self._by_unit = homes, occupancy.by_unit

    def __contains__(self, household_id: str) -> bool:
        """Whether the household holds a home in the stock on some date."""
        return household_id in self._homes

    def on(self, household_id: str, date: dt.date) -> str | None:
        """The home the household lives in on the date (None: it does not live in the stock then)."""
        held = self._homes.get(household_id)
        if held is None:
            return None
        for unit in (held,) if held.__class__ is str else held:
            rows = self._by_unit[unit]
            k = bisect.bisect_right([r.valid_from for r in rows], date) if len(rows) > 1 else (
                1 if rows[0].valid_from <= date else 0)
            if k and rows[k - 1].household == household_id:
                return unit
        return None


_LAST: list = [None, None]  # the last occupancy asked of and its index (held: a batch reads one occupancy)


def kept_homes_index(occupancy: Occupancy) -> HomesIndex:
    """HomesIndex(occupancy), made once and kept for the last occupancy asked of (a batch asks it per chunk; a
    caller mapping evaluate_chunk over partitions gives each process one Occupancy object, not a copy per chunk)."""
    if _LAST[0] is not occupancy:
        _LAST[:] = [occupancy, HomesIndex(occupancy)]
    return _LAST[1]
