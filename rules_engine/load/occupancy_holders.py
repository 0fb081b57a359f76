"""One household, one home at a time: the check that no household id holds two homes on one date.

A row gives a home to a household from its valid_from until the home's next row (or for good). A move is
written as a row for the new home and a row for the old one (empty, or the next household) from the day of
the move; a household whose old row is left in place would live in two homes from the later of the two
dates, and every count over both would hold it twice. Such a file is refused at the later row, naming the
other: the data, not the software, must say where the household lives.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from typing import Callable, Iterable, NamedTuple

from ..diagnostics import Diagnostic, make

FOREVER = dt.date.max


class Holding(NamedTuple):
    """A household in a home from start until end (exclusive; FOREVER: still there)."""

    household: str
    unit: str
    start: dt.date
    end: dt.date


class Clash(NamedTuple):
    """A household holding two homes at once, from date on: the earlier holding and the later one."""

    household: str
    earlier: Holding
    later: Holding
    date: dt.date


def holdings(by_unit) -> Iterable[Holding]:
    """Every span a household holds a home, from the rows per home (oldest first) of an Occupancy."""
    for unit, rows in by_unit.items():
        for k, row in enumerate(rows):
            if row.household is not None:
                end = rows[k + 1].valid_from if k + 1 < len(rows) else FOREVER
                yield Holding(row.household, unit, row.valid_from, end)


def clashes(by_unit) -> list[Clash]:
    """Every household that holds two homes on one date, once per pair of homes, in file-independent order.

    Most households hold one home ever: those are set aside in C (one set of household and home pairs)
    before any span is compared."""
    pairs = {(row.household, unit) for unit, rows in by_unit.items() for row in rows if row.household is not None}
    movers = {h for h, n in Counter(h for h, _ in pairs).items() if n > 1}
    if not movers:
        return []
    spans: dict = {}
    for held in holdings(by_unit):
        if held.household in movers:
            spans.setdefault(held.household, []).append(held)
    out = []
    for household in sorted(spans):
        found = set()
        held = sorted(spans[household], key=lambda h: (h.start, h.unit))
        for a_index, a in enumerate(held):
            for b in held[a_index + 1:]:
                if b.start >= a.end:
                    break
                if b.unit != a.unit and (a.unit, b.unit) not in found:
                    found.add((a.unit, b.unit))
                    out.append(Clash(household, a, b, b.start))
    return out


def clash_diagnostics(path: str, found: list[Clash], where: Callable[[Holding], tuple], column: int | None
                      ) -> list[Diagnostic]:
    """The diagnostics of clashes: at the later holding's row (where gives (line, label of that line) of a
    holding), naming the other home and its row."""
    out = []
    for clash in found[:100]:
        line, _ = where(clash.later)
        _, (other_nl, other_en) = where(clash.earlier)
        out.append(make("household-two-homes", path, line, column, household=clash.household,
                        date=clash.date.isoformat(), unit=clash.later.unit, home=clash.earlier.unit,
                        other=(other_nl, other_en)))
    return out
