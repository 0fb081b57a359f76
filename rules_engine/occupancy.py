"""Occupancy: who lives where from which date, and the composition of every group on a date.

Rows are dated: from valid_from on, a household of a category lives in a home; a row
without household means the home is empty from that date. A household that is
re-classified gets a new row for the same home with its new category.
"""

from __future__ import annotations

import bisect
from array import array
import datetime as dt
from collections import defaultdict
from dataclasses import dataclass
from functools import lru_cache, partial
from operator import itemgetter
from types import MappingProxyType
from typing import Iterator, Mapping, NamedTuple

from .diagnostics import Diagnostic, PolicyError, hint, make
from .encoding import file_encoding
from .facts import Group
from .files import open_regular, require_inside
from .levels import groups_above
from .load import gc_paused, read_document
from .load_yaml import Source
from .model import Policy, frozen_map
from .values import Refused, all_household_ids, id_refused, read_date, shown


class OccupancyRow(NamedTuple):
    """From valid_from on, this home holds this household of this category (or is empty).

    A named tuple rather than a dataclass: an occupancy export has millions of rows."""

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
    """Groups (portiek, complex, buurt and any level above) on one date, and the category living in each home."""

    date: dt.date
    groups: Mapping[tuple[str, str], Group]  # (level, key) -> group
    by_unit: Mapping[str, str]  # home -> category of its household

    def group(self, level: str, key: str) -> Group:
        """The group for a level ('portiek', 'complex', 'buurt', ...) and its key."""
        return self.groups[(level, key)]


@lru_cache(maxsize=16)
def layout(policy: Policy) -> tuple[list, list]:
    """Every portiek as (portiek, complex, buurt) and its number of homes, counted once per policy."""
    return policy.units.places(), policy.units.homes_per_place()


def composition(policy: Policy, occupancy: Occupancy, date: dt.date) -> Composition:
    """Count households per category in every portiek, complex and buurt on a date."""
    places, _ = layout(policy)
    number = policy.units.place_number
    per_place: list = [None] * len(places)
    by_unit = {}
    for unit_id, rows in occupancy.by_unit.items():
        if len(rows) == 1:
            row = rows[0] if rows[0].valid_from <= date else None
        else:
            i = bisect.bisect_right([r.valid_from for r in rows], date) - 1
            row = rows[i] if i >= 0 else None
        if row is None or row.household is None:
            continue
        p = number(unit_id)
        if p is None:
            continue
        cat = row.category
        by_unit[unit_id] = cat
        c = per_place[p]
        if c is None:
            per_place[p] = {cat: 1}
        else:
            c[cat] = c.get(cat, 0) + 1
    return Composition(date, groups_from_places(policy, per_place), frozen_map(by_unit))


def groups_from_places(policy: Policy, per_place: list) -> Mapping:
    """Every group from the households per category in each portiek (None: nobody).

    Portieken add up into complexes and complexes into buurten: each level counts the one below it."""
    places, homes_per_place = layout(policy)
    groups: dict = {}
    nobody = MappingProxyType({})
    complexes: dict = {}  # complex id -> [homes, counts, buurt]
    for (portiek, complex_id, buurt), c, n in zip(places, per_place, homes_per_place):
        acc = complexes.get(complex_id)
        if acc is None:
            acc = complexes[complex_id] = [0, {}, buurt]
        acc[0] += n
        if c:
            groups[("portiek", portiek)] = Group(n, sum(c.values()), MappingProxyType(c))
            total = acc[1]
            for cat, k in c.items():
                total[cat] = total.get(cat, 0) + k
        else:
            groups[("portiek", portiek)] = Group(n, 0, nobody)
    buurten: dict = {}
    for complex_id, (n, c, buurt) in complexes.items():
        groups[("complex", complex_id)] = Group(n, sum(c.values()), MappingProxyType(c))
        acc = buurten.get(buurt)
        if acc is None:
            acc = buurten[buurt] = [0, {}]
        acc[0] += n
        total = acc[1]
        for cat, k in c.items():
            total[cat] = total.get(cat, 0) + k
    for buurt, (n, c) in buurten.items():
        groups[("buurt", buurt)] = Group(n, sum(c.values()), MappingProxyType(c))
    groups.update(groups_above(policy, groups))
    return MappingProxyType(groups)


def occupancy_from_source(source: Source, policy: Policy) -> tuple[Occupancy, list]:
    """Build Occupancy from a schema-valid document, checking homes and categories exist and no home is
    given twice on one date."""
    diags = []
    rows: dict[str, list[OccupancyRow]] = defaultdict(list)
    first: dict = {}  # (home, date) -> line of its first row
    for i, r in enumerate(source.data["occupancy"]):
        path = ("occupancy", i)
        if r["unit"] not in policy.units:
            line, col = source.where(path + ("unit",))
            diags.append(make("unknown-unit", source.path, line, col, unit=r["unit"], hint=hint(policy.units, r["unit"])))
            continue
        household, category = r.get("household"), r.get("category")
        if household is not None and category is None:
            line, col = source.where(path)
            diags.append(make("category-missing", source.path, line, col, household=household))
            continue
        if household is None and category is not None:
            line, col = source.where(path + ("category",))
            diags.append(make("household-missing", source.path, line, col, category=category))
            continue
        if household is not None and category not in policy.category_ids:
            line, col = source.where(path + ("category",))
            diags.append(make("unknown-category", source.path, line, col, category=category,
                              hint=hint(policy.category_ids, category or "")))
            continue
        valid_from = dt.date.fromisoformat(r["valid_from"])
        line, col = source.where(path + ("valid_from",))
        earlier = first.setdefault((r["unit"], valid_from), line)
        if earlier != line:
            diags.append(make("occupancy-twice", source.path, line, col, unit=r["unit"], date=valid_from.isoformat(),
                              other=(f"regel {earlier}", f"line {earlier}")))
            continue
        rows[r["unit"]].append(OccupancyRow(r["unit"], household, category if household else None, valid_from))
    for items in rows.values():
        items.sort(key=lambda row: row.valid_from)
    return Occupancy(frozen_map((u, tuple(rs)) for u, rs in rows.items())), diags


OCCUPANCY_COLUMNS = ("unit", "household", "category", "valid_from")
MAX_SHEET_BYTES = 200 * 1024 * 1024  # uncompressed size of an .xlsx: refuses zip bombs


def _cell_at(rec, i):
    """A cell as clean text (or a date or number from Excel); '' when missing."""
    value = rec[i] if i is not None and i < len(rec) else None
    if value.__class__ is str:
        return value.strip()
    return "" if value is None else value


class FirstRows:
    """Per home, the first row that gave each date: finds a home given twice on one date.

    One day and one row number per home in flat arrays (most homes have one row); only a home's
    further dates go into a dict. Two parts of one file are joined with merge."""

    def __init__(self, homes: int):
        self.day = array("l", [0]) * homes  # first valid_from seen, as an ordinal; 0: none yet
        self.row = array("l", [0]) * homes
        self.more: dict = {}  # (position << 22 | ordinal) -> row, for a home's other dates
        self.touched = array("l")

    def see(self, i: int, day: int, row: int) -> int:
        """Record that row gives home i a row on day; the earlier row with the same home and day, or 0."""
        first = self.day[i]
        if first == 0:
            self.day[i], self.row[i] = day, row
            self.touched.append(i)
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
        touched = self.touched  # positions and ordinals fit in 32 bits
        return array("i", touched), array("i", map(self.day.__getitem__, touched)), \
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
                self.touched.append(i)
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


def checked_rows(path: str, header: list, rows, policy: Policy, text_cells: bool = False) -> Iterator[OccupancyRow]:
    """The rows of an occupancy table, each checked: a known home, a valid household id with a known category,
    a real date, and no home twice on one date.

    rows yields (row number, cells); text_cells says every cell is a str (CSV), which allows a faster
    path. Errors name the file, the row and the column; at most 100 are collected, and raised
    together as a PolicyError once the rows are read.
    """
    new_row = partial(tuple.__new__, OccupancyRow)  # the named tuple's own __new__ is Python code: slow at millions
    for _, unit, household, category, date, _ in checked_positions(path, header, rows, policy, text_cells):
        yield new_row((unit, household, category, date))


def checked_positions(path: str, header: list, rows, policy: Policy, text_cells: bool,
                      seen: FirstRows | None = None):
    """checked_rows as (position of the home in policy.units, unit, household, category, valid_from, its ordinal).

    seen keeps the first row of each home and date (a fresh one unless given, to join parts of a file)."""
    diags = []
    categories = set(policy.category_ids)
    units = policy.units
    position = units.positions()
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
    first_day, first_row, touched = seen.day, seen.row, seen.touched
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
        i = position.get(unit)
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
                    touched.append(i)
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


def occupancy_from_rows(path: str, header: list, rows, policy: Policy, text_cells: bool = False) -> Occupancy:
    """Occupancy from a table: a header (unit, household, category, valid_from) and rows of cells (see checked_rows)."""
    out: dict[str, list[OccupancyRow]] = defaultdict(list)
    for row in checked_rows(path, header, rows, policy, text_cells):
        out[row.unit].append(row)
    for items in out.values():
        if len(items) > 1:
            items.sort(key=lambda row: row.valid_from)
    return Occupancy(frozen_map((u, tuple(rs)) for u, rs in out.items()))


def _open_failed(path: str, exc: OSError) -> PolicyError:
    return PolicyError([make("file-not-found" if isinstance(exc, FileNotFoundError) else "file-unreadable", path,
                             reason=exc.strerror or str(exc))])


def load_occupancy_csv(path: str, policy: Policy, consume=occupancy_from_rows):
    """Read occupancy from CSV (comma or semicolon; header unit, household, category, valid_from; UTF-8 or cp1252).

    consume(path, header, rows, policy, text_cells) makes the result (default: the Occupancy)."""
    import io

    with open_regular(path) as raw, io.TextIOWrapper(raw, encoding=file_encoding(path), newline="") as fh:
        return consume_csv(path, fh, policy, consume)


def consume_csv(path: str, fh, policy: Policy, consume, header_line: str | None = None, first_row: int = 2):
    """consume(...) over CSV text (a file or a part of one after header_line), naming the file on bad CSV or UTF-8."""
    import csv

    try:
        first = fh.readline() if header_line is None else header_line
        delimiter = ";" if first.count(";") > first.count(",") else ","
        header = first.strip().split(delimiter)
        return consume(path, header, enumerate(csv.reader(fh, delimiter=delimiter), first_row), policy, True)
    except UnicodeDecodeError:
        raise PolicyError([make("not-utf8", path)]) from None
    except csv.Error as exc:
        raise PolicyError([make("bad-input", path, problem=(f"geen geldige CSV: {exc}", f"not valid CSV: {exc}"))]
                          ) from None


def load_occupancy_xlsx(path: str, policy: Policy, consume=occupancy_from_rows):
    """Read occupancy from the first sheet of an Excel workbook (.xlsx), with the same columns as the CSV.

    consume makes the result, as for load_occupancy_csv."""
    import zipfile

    unreadable = PolicyError([make("bad-input", path, problem=("geen Excel-bestand (.xlsx)", "not an Excel file (.xlsx)"))])
    with open_regular(path) as fh:
        try:
            with zipfile.ZipFile(fh) as z:
                size = sum(i.file_size for i in z.infolist())
        except OSError as exc:
            raise _open_failed(path, exc) from None
        except (zipfile.BadZipFile, NotImplementedError, UnicodeDecodeError, ValueError, EOFError):
            # a damaged header: zipfile names an unknown version, a bad name or a bad offset
            raise unreadable from None
        if size > MAX_SHEET_BYTES:
            raise PolicyError([make("file-too-large", path, size=size, limit=MAX_SHEET_BYTES)])
        import openpyxl  # reads XML through defusedxml when installed (a dependency of magicmix)

        fh.seek(0)
        try:
            book = openpyxl.load_workbook(fh, read_only=True, data_only=True)
        except Exception as exc:  # noqa: BLE001 - openpyxl raises many kinds for a broken workbook
            raise PolicyError([make("bad-input", path, problem=(f"Excel-bestand onleesbaar: {type(exc).__name__}",
                                                                f"Excel file unreadable: {type(exc).__name__}"))]
                              ) from None
        return _sheet(path, book, policy, consume)


def _sheet(path: str, book, policy: Policy, consume):
    try:
        rows = book.worksheets[0].iter_rows(values_only=True)
        header = next(rows, None) or []
        return consume(path, list(header), enumerate(rows, 2), policy, False)
    except PolicyError:
        raise
    except Exception as exc:  # noqa: BLE001 - a broken sheet shows only while it is read
        raise PolicyError([make("bad-input", path, problem=(f"Excel-bestand onleesbaar: {type(exc).__name__}",
                                                            f"Excel file unreadable: {type(exc).__name__}"))]) from None
    finally:
        book.close()


def load_occupancy(path: str, policy: Policy, root: str | None = None) -> Occupancy:
    """Read an occupancy file (YAML, JSON, CSV or .xlsx; inside the folder root, when given);
    raises PolicyError naming file, line (row) and column."""
    require_inside(path, root)
    with gc_paused():
        return _load_occupancy(path, policy)


def table_reader(path: str):
    """The reader of a table file (CSV or .xlsx), or None for a YAML or JSON document."""
    if path.lower().endswith(".csv"):
        return load_occupancy_csv
    if path.lower().endswith(".xlsx"):
        return load_occupancy_xlsx
    return None


def _load_occupancy(path: str, policy: Policy) -> Occupancy:
    reader = table_reader(path)
    if reader is not None:
        return reader(path, policy)
    source, problems = read_document(path, "occupancy")
    if source is None:
        raise PolicyError(problems)
    occupancy, diags = occupancy_from_source(source, policy)
    if diags:
        raise PolicyError(diags)
    return occupancy
