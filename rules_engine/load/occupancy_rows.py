"""The checks of an occupancy table's rows (CSV, Excel): a known home, a valid household id with a
known category, a real date, and no home twice on one date; each problem at its row and column."""

from __future__ import annotations

import datetime as dt
from array import array
from collections import deque
from itertools import compress, islice
from operator import itemgetter, not_
from typing import NamedTuple

from .headers import header_problems
from ..diagnostics import Diagnostic, PolicyError, hint, make
from ..model.policy import Policy
from .values import Refused, all_household_ids, id_refused, read_date, shown

OCCUPANCY_COLUMNS = ("unit", "household", "category", "valid_from")
# The Dutch an export is likely to call a column by: the message names the column meant.
_DUTCH_NAMES = {"woning": "unit", "eenheid": "unit", "huishouden": "household", "categorie": "category",
                "vanaf": "valid_from", "ingangsdatum": "valid_from", "datum": "valid_from"}


def _cell_at(rec, i):
    """A cell as clean text (or a date or number from Excel); '' when missing."""
    value = rec[i] if i is not None and i < len(rec) else None
    if value.__class__ is str:
        return value.strip()
    return "" if value is None else value


def nonzero_span(values: array) -> tuple[int, int]:
    """(first, end) of the positions whose value is not 0, in C ((0, 0) when there is none)."""
    raw = values.tobytes()
    first = (len(raw) - len(raw.lstrip(b"\0"))) // values.itemsize
    end = -(-len(raw.rstrip(b"\0")) // values.itemsize)
    return (first, end) if end > first else (0, 0)


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

    def row_of(self, i: int, day: int) -> int:
        """The first row that gave home i a row on day (one that see() was given)."""
        return self.row[i] if self.day[i] == day else self.more[i << 22 | day]

    def compact(self) -> tuple:
        """What merge needs of these rows: the span of homes seen (cheap to send to another process)."""
        first, end = nonzero_span(self.day)
        return first, self.day[first:end], self.row[first:end], self.more

    def merge(self, later: tuple):
        """Take in a later part of the same file (its compact()); yields (position, ordinal, earlier row,
        later row) per clash."""
        start, days, rows, more = later
        first_day, first_row, see = self.day, self.row, self.see
        end = start + len(days)
        if first_day[start:end] == array("l", [0]) * len(days):  # no home of that part seen here (most exports)
            first_day[start:end], first_row[start:end] = days, rows  # where it saw nothing, this had nothing
            touched = ()
        else:
            touched = seen_positions(days)
        for k in touched:
            i, day, row = start + k, days[k], rows[k]
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


BLOCK = 512  # rows checked together, column by column (small enough to stay in the processor's cache)


class CheckedBlock(NamedTuple):
    """Checked rows of a table, column by column (household and category '' for an empty home).

    fresh: every home of the block appears here for the first time in the file (so none is given twice)."""

    positions: list  # of the homes in policy.units
    units: tuple
    households: tuple
    categories: tuple
    whens: tuple  # valid_from as written
    days: list  # valid_from as ordinals
    fresh: bool

    def rows(self, dates: dict):
        """The block as checked_positions gives its rows; dates maps a valid_from as written to its date."""
        date = map(dates.__getitem__, self.whens)
        for i, unit, household, category, valid_from, day in zip(self.positions, self.units, self.households,
                                                                 self.categories, date, self.days):
            yield (i, unit, household, category, valid_from, day) if household else (i, unit, None, None, valid_from, day)


def checked_positions(path: str, header: list, rows, policy: Policy, text_cells: bool,
                      seen: FirstRows | None = None):
    """checked_rows as (position of the home in policy.units, unit, household, category, valid_from, its ordinal).

    seen keeps the first row of each home and date (a fresh one unless given, to join parts of a file)."""
    checks = _Checks(path, header, policy, text_cells, seen)
    for block in checks.blocks(rows):
        if block.__class__ is list:
            yield from block
        else:
            yield from block.rows(checks.date_of)


def checked_blocks(path: str, header: list, rows, policy: Policy, text_cells: bool, seen: FirstRows | None = None):
    """The rows of checked_positions a block at a time: a CheckedBlock, or a list of its row tuples."""
    return _Checks(path, header, policy, text_cells, seen).blocks(rows)


def in_order(policy: Policy) -> list:
    """The ids of the homes in their order in policy.units (the table's own list where it has one: read only)."""
    ids_in_order = getattr(policy.units, "ids_in_order", None)
    return list(policy.units) if ids_in_order is None else ids_in_order()


AHEAD = 1 << 16  # how far past the previous block a block's first home is looked for, in policy order


class _Checks:
    """The checks of one table's rows and what they have seen so far.

    A block of rows is checked column by column in C (every home known, ids by one pattern match over
    the block, categories and dates by their distinct values, homes new to the file by their first
    rows); only a block where that finds something is checked row by row, which gives each message
    exactly as before."""

    def __init__(self, path: str, header: list, policy: Policy, text_cells: bool, seen: FirstRows | None):
        self.path, self.policy = path, policy
        self.diags: list = []
        self.categories = set(policy.category_ids)
        self._position_of = None  # the unit table's index of every id, built when a block is out of order
        self.order = in_order(policy)
        self.after = None  # where the previous block's last home lies in policy order (None: not yet found)
        self.seen = FirstRows(len(policy.units)) if seen is None else seen
        names = [str(h or "").strip().lower() for h in header]
        named = list(names)
        while named and named[-1] == "":  # a sheet's empty cells right of the header are no columns
            named.pop()
        problems = header_problems(named, OCCUPANCY_COLUMNS, _DUTCH_NAMES)
        if problems:  # 'categorie' for category read every home as empty: the advice saw an empty stock
            raise PolicyError([make("bad-input", path, 1, None, problem=(nl, en)) for _, nl, en in problems])
        missing = [c for c in OCCUPANCY_COLUMNS if c not in names]
        if missing:  # without household and category every home would read as empty
            raise PolicyError([make("bad-input", path, 1, None, problem=(
                f"de kopregel mist: {', '.join(missing)}; kolommen: {', '.join(OCCUPANCY_COLUMNS)}",
                f"the header lacks: {', '.join(missing)}; columns: {', '.join(OCCUPANCY_COLUMNS)}"))])
        col = {name: i for i, name in enumerate(names)}
        self.columns = tuple(col.get(c) for c in OCCUPANCY_COLUMNS)
        self.width = len(names)
        self.text_cells = text_cells and None not in self.columns
        self.dates: dict = {}  # an export repeats few dates many times: parse each once (date, ordinal)
        self.date_of: dict = {}  # valid_from as written -> date
        self.day_of: dict = {}  # valid_from as written -> ordinal
        self.ids: list = []  # household ids not yet checked, and their rows: checked a block at a time
        self.id_rows: list = []

    def blocks(self, rows):
        """Check every row (a CheckedBlock or a list of row tuples per block); raise PolicyError at the end."""
        rows = iter(rows)
        diags = self.diags
        while len(diags) < 100:
            chunk = list(islice(rows, BLOCK))
            if not chunk:
                break
            block = self.block(chunk) if self.text_cells and not diags else None
            if block is None:
                block = self.one_by_one(chunk)
            if not diags:
                yield block
        _check_ids(self.path, self.ids, self.id_rows, (self.columns[1] or 0) + 1, diags)
        if diags:
            diags.sort(key=lambda d: d.line or 0)  # household ids are checked a block later
            raise PolicyError(diags[:100])

    def block(self, chunk: list) -> CheckedBlock | None:
        """The rows checked column by column, or None when any needs a closer look (then one_by_one does)."""
        numbers, recs = zip(*chunk)
        if min(map(len, recs)) < self.width or max(map(len, recs)) > self.width:
            return None
        cells = tuple(zip(*recs))
        i_unit, i_household, i_category, i_from = self.columns
        units, households, categories, whens = cells[i_unit], cells[i_household], cells[i_category], cells[i_from]
        # (no cell to strip needs a look here: a space or tab never matches a home or category id, nor passes
        # the household id pattern, so such a block goes one_by_one, which strips)
        positions = self.in_window(units)
        if positions is None:
            positions = list(map(self.position_of(), units))
            if None in positions:
                return None
        first = positions[0]
        if "" in households:
            if any(compress(categories, map(not_, households))):  # a category without a household
                return None
            ids = list(filter(None, households))
            if not self.categories.issuperset(compress(categories, households)):
                return None
        else:
            ids = households
            if not self.categories.issuperset(categories):
                return None
        if ids and not all_household_ids(ids):
            return None
        day_of = self.day_of
        for when in set(whens).difference(day_of):
            try:
                date = read_date(when)
            except Refused:
                return None
            self.date_of[when], day_of[when] = date, date.toordinal()
        days = list(map(day_of.__getitem__, whens))
        seen = self.seen
        if positions.__class__ is range:
            end = positions.stop
            fresh = seen.day[first:end] == array("l", [0]) * len(positions)
            if fresh:
                seen.day[first:end], seen.row[first:end] = array("l", days), array("l", numbers)
        else:
            fresh = len(set(positions)) == len(positions) and not any(map(seen.day.__getitem__, positions))
            if fresh:  # as seen.see for each row, in C
                deque(map(seen.day.__setitem__, positions, days), 0)
                deque(map(seen.row.__setitem__, positions, numbers), 0)
        if not fresh:
            see, column = seen.see, i_from + 1
            for i, day, n, unit in zip(positions, days, numbers, units):
                earlier = see(i, day, n)
                if earlier:
                    self.diags.append(twice(self.path, n, column, unit, day, earlier))
                    if len(self.diags) >= 100:
                        break
        return CheckedBlock(positions, units, households, categories, whens, days, fresh)

    def position_of(self):
        """The unit table's lookup of a home's position by id (its index is built on the first call)."""
        if self._position_of is None:
            self._position_of = self.policy.units.position_of()
        return self._position_of

    def in_window(self, units: tuple) -> range | list | None:
        """The positions of a block's homes when the block lies in policy order, as most exports do, found
        without the index of every id (which a warm status then never builds): its first home looked for
        just past the previous block's last one, its last home a little further, and the homes in between by
        a small index of that stretch. None when any home lies outside that stretch (then the index of
        every id decides). Exact: ids are distinct, so an id found at a position is the home at it."""
        order, n, after = self.order, len(units), self.after
        if after is False:  # an export out of policy order: the index of every id, as before
            return None
        try:
            first = order.index(units[0]) if after is None else order.index(units[0], after, after + AHEAD)
            last = order.index(units[-1], first, first + 16 * n)
        except ValueError:
            self.after = False
            return None
        self.after = last  # (a home's later rows may open the next block)
        if last - first + 1 == n and order[first:last + 1] == list(units):
            return range(first, last + 1)  # the homes side by side
        stretch = dict(zip(order[first:last + 1], range(first, last + 1)))
        positions = list(map(stretch.get, units))
        return None if None in positions else positions

    def one_by_one(self, chunk: list) -> list:
        """The rows of a block checked one at a time, each problem with its own message."""
        path, policy, diags, seen = self.path, self.policy, self.diags, self.seen
        categories, units, position_of = self.categories, policy.units, self.position_of()
        i_unit, i_household, i_category, i_from = self.columns
        c_household, c_category = (i_household or 0) + 1, (i_category or 0) + 1
        dates, ids, id_rows = self.dates, self.ids, self.id_rows
        first_day, first_row = seen.day, seen.row
        fast = itemgetter(i_unit, i_household, i_category, i_from) if self.text_cells else None
        width = self.width
        out: list = []
        for n, rec in chunk:
            # a filled cell past the header's columns (a second household on one row, a column without a name):
            # read as a row of four, it would silently drop what the exporter meant
            past = next((k for k, c in enumerate(rec[width:]) if c is not None and str(c).strip() != ""),
                        None) if len(rec) > width else None
            if past is not None:
                extra = rec[width + past]
                diags.append(make("bad-input", path, n, width + 1 + past, problem=(
                    f"de rij heeft meer cellen dan de kopregel kolommen ({width}): '{shown(extra)}' staat buiten "
                    "de kolommen; haal het weg of zet het in een eigen rij",
                    f"the row has more cells than the header has columns ({width}): '{shown(extra)}' lies outside "
                    "the columns; remove it or put it in a row of its own")))
                if len(diags) >= 100:
                    break
                continue
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
                    out.append((i, unit, household, category, date, day) if household else (i, unit, None, None, date, day))
                    continue
            if len(diags) >= 100:
                break
        return out


def _check_ids(path: str, ids: list, rows: list, column: int, diags: list) -> None:
    """Add a diagnostic for every invalid household id of a block, and empty the block."""
    if ids and not all_household_ids(ids):
        diags += [id_refused(h, True).diagnostic(path, n, column) for h, n in zip(ids, rows)
                  if not all_household_ids([h])]
    ids.clear()
    rows.clear()
