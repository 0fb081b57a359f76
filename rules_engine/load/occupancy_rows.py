"""The checks of an occupancy table's rows (CSV, Excel): a known home, a valid household id with a
known category, a real date, and no home twice on one date; each problem at its row and column."""

from __future__ import annotations

import datetime as dt
from array import array
from itertools import compress
from operator import itemgetter

from ..diagnostics import Diagnostic, PolicyError, hint, make
from ..model.policy import Policy
from .values import Refused, all_household_ids, id_refused, read_date, shown

OCCUPANCY_COLUMNS = ("unit", "household", "category", "valid_from")


def _cell_at(rec, i):
    """A cell as clean text (or a date or number from Excel); '' when missing."""
    value = rec[i] if i is not None and i < len(rec) else None
    if value.__class__ is str:
        return value.strip()
    return "" if value is None else value


def seen_positions(values: array) -> array:
    """The positions whose value is not 0 (homes with a row), in C: cheaper than noting each home as it comes."""
    return array("i", compress(range(len(values)), values))


class FirstRows:
    """Per home, the first row that gave each date: finds a home given twice on one date.

    One day and one row number per home in flat arrays (most homes have one row); only a home's
    further dates go into a dict. Two parts of one file are joined with merge."""

    def __init__(self, homes: int):
        self.day = array("l", [0]) * homes  # first valid_from seen, as an ordinal; 0: none yet
        self.row = array("l", [0]) * homes
        self.more: dict = {}  # (position << 22 | ordinal) -> row, for a home's other dates

    def see(self, i: int, day: int, row: int) -> int:
        """Record that row gives home i a row on day; the earlier row with the same home and day, or 0."""
        first = self.day[i]
        if first == 0:
            self.day[i], self.row[i] = day, row
            return 0
        if first == day:
            return self.row[i]
        key = i << 22 | day  # ordinals stay below 2**22 (year 9999)
        earlier = self.more.get(key)
        if earlier is None:
            self.more[key] = row
            return 0
        return earlier

    def compact(self) -> tuple:
        """What merge needs of these rows, only as long as the homes seen: cheap to send to another process."""
        touched = seen_positions(self.day)  # positions and ordinals fit in 32 bits
        return touched, array("i", map(self.day.__getitem__, touched)), \
            array("l", map(self.row.__getitem__, touched)), self.more

    def merge(self, later: tuple):
        """Take in a later part of the same file (its compact()); yields (position, ordinal, earlier row,
        later row) per clash."""
        touched, days, rows, more = later
        first_day, first_row, see = self.day, self.row, self.see
        for i, day, row in zip(touched, days, rows):
            first = first_day[i]
            if first == 0:  # see(), written out: most homes lie in one part only
                first_day[i], first_row[i] = day, row
                continue
            earlier = first_row[i] if first == day else see(i, day, row)
            if earlier:
                yield i, day, earlier, row
        for key, row in more.items():
            i, day = key >> 22, key & 0x3FFFFF
            earlier = see(i, day, row)
            if earlier:
                yield i, day, earlier, row


def twice(path: str, row: int, column: int | None, unit: str, day: int, earlier: int) -> Diagnostic:
    """The diagnostic of a home given twice on one date: at the later row, naming the earlier."""
    return make("occupancy-twice", path, row, column, unit=unit, date=dt.date.fromordinal(day).isoformat(),
                other=(f"rij {earlier}", f"row {earlier}"))


def checked_positions(path: str, header: list, rows, policy: Policy, text_cells: bool,
                      seen: FirstRows | None = None):
    """checked_rows as (position of the home in policy.units, unit, household, category, valid_from, its ordinal).

    seen keeps the first row of each home and date (a fresh one unless given, to join parts of a file)."""
    diags = []
    categories = set(policy.category_ids)
    units = policy.units
    position_of = units.position_of()
    seen = FirstRows(len(units)) if seen is None else seen
    names = [str(h or "").strip().lower() for h in header]
    missing = [c for c in ("unit", "valid_from") if c not in names]
    if missing:
        raise PolicyError([make("missing-key", path, 1, 1, key=", ".join(missing))])
    col = {name: i for i, name in enumerate(names)}
    i_unit, i_household, i_category, i_from = (col.get(c) for c in OCCUPANCY_COLUMNS)
    c_household, c_category = (i_household or 0) + 1, (i_category or 0) + 1
    dates: dict = {}  # an export repeats few dates many times: parse each once (date, ordinal)
    ids: list = []  # household ids not yet checked, and their rows: checked a block at a time
    id_rows: list = []
    first_day, first_row = seen.day, seen.row
    fast = itemgetter(i_unit, i_household, i_category, i_from) \
        if text_cells and None not in (i_household, i_category) else None
    width = len(names)
    for n, rec in rows:
        if fast is not None and len(rec) >= width:
            unit, household, category, when = fast(rec)
            # strip only what needs it: most exports have no spaces, and millions of strips add up
            if " " in unit or "\t" in unit:
                unit = unit.strip()
            if " " in household or "\t" in household:
                household = household.strip()
            if " " in category or "\t" in category:
                category = category.strip()
        else:
            unit = _cell_at(rec, i_unit)
            household, category, when = _cell_at(rec, i_household), _cell_at(rec, i_category), _cell_at(rec, i_from)
            if unit == "" and all(c in (None, "") for c in rec):
                continue
            unit, category = str(unit), str(category)
            household = household if household.__class__ is str else str(household)
        i = position_of(unit)
        if i is None:
            if unit == "" and all(c in (None, "") or str(c).strip() == "" for c in rec):
                continue
            diags.append(make("unknown-unit", path, n, i_unit + 1, unit=shown(unit), hint=hint(units, unit)))
        elif household and category not in categories:
            code = "category-missing" if category == "" else "unknown-category"
            diags.append(make(code, path, n, c_category, category=shown(category), household=household,
                              hint=hint(policy.category_ids, category)))
        elif not household and category:
            diags.append(make("household-missing", path, n, c_household, category=shown(category)))
        else:
            known = dates.get(when)
            if known is None:
                try:
                    date = read_date(when)
                    known = dates[when] = (date, date.toordinal())
                except Refused as exc:
                    diags.append(exc.diagnostic(path, n, i_from + 1))
            if known is not None:
                date, day = known
                first = first_day[i]
                if first == 0:  # seen.see, written out: this runs for every row of a national export
                    first_day[i], first_row[i] = day, n
                    earlier = 0
                else:
                    earlier = first_row[i] if first == day else seen.see(i, day, n)
                if earlier:
                    diags.append(twice(path, n, i_from + 1, unit, day, earlier))
            if household:
                ids.append(household)
                id_rows.append(n)
                if len(ids) >= 4096:
                    _check_ids(path, ids, id_rows, c_household, diags)
            if not diags:
                yield (i, unit, household, category, date, day) if household else (i, unit, None, None, date, day)
                continue
        if len(diags) >= 100:
            break
    _check_ids(path, ids, id_rows, c_household, diags)
    if diags:
        diags.sort(key=lambda d: d.line or 0)  # household ids are checked a block later
        raise PolicyError(diags[:100])


def _check_ids(path: str, ids: list, rows: list, column: int, diags: list) -> None:
    """Add a diagnostic for every invalid household id of a block, and empty the block."""
    if ids and not all_household_ids(ids):
        diags += [id_refused(h, True).diagnostic(path, n, column) for h, n in zip(ids, rows)
                  if not all_household_ids([h])]
    ids.clear()
    rows.clear()
