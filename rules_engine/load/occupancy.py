"""Occupancy: who lives where from which date, and the composition of every group on a date.

Rows are dated: from valid_from on, a household of a category lives in a home; a row
without household means the home is empty from that date. A household that is
re-classified gets a new row for the same home with its new category.
"""

from __future__ import annotations

import bisect
import datetime as dt
import os
from collections import defaultdict
from dataclasses import field
from functools import lru_cache, partial
from types import MappingProxyType
from typing import Iterator, Mapping, NamedTuple

from ..diagnostics import PolicyError, hint, make
from .encoding import file_encoding
from ..lang.facts import Group
from .files import open_regular, require_inside
from ..model.levels import groups_above
from .load import gc_paused, read_document
from .load_yaml import Source
from ..model.policy import Policy, frozen_map
from .occupancy_holders import Holding, clash_diagnostics, clashes
from .occupancy_rows import FirstRows, checked_positions
from ..lang.records import frozen, quick


class OccupancyRow(NamedTuple):
    """From valid_from on, this home holds this household of this category (or is empty).

    A named tuple rather than a dataclass: an occupancy export has millions of rows."""

    unit: str
    household: str | None
    category: str | None
    valid_from: dt.date


@frozen
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


@quick
@frozen(eq=False)
class Composition:
    """Groups (portiek, complex, buurt and any level above) on one date, and the category living in each home."""

    date: dt.date
    groups: Mapping[tuple[str, str], Group]  # (level, key) -> group
    by_unit: Mapping[str, str]  # home -> category of its household
    # by_unit by the homes' positions in policy.units, where it is known: 0 for nobody, else 1 + the category's
    # index in policy.category_ids (for code that reads millions of homes by position)
    codes: bytes | None = None
    # What code deciding many lettings on this composition derives from it once (the compiled rules' records per
    # place): kept with the composition, so it lives as long as the composition does and no longer. A composition
    # is never changed once made, so what is derived from it stays true.
    derived: dict = field(default_factory=dict, init=False, repr=False, compare=False)

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
    col = policy.units.columns()
    position, place_of = col.position, col.place
    code = {c: i + 1 for i, c in enumerate(policy.category_ids)}
    codes = bytearray(len(policy.units)) if len(code) < 256 else None
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
        i = position(unit_id)
        if i is None:
            continue
        p = place_of[i]
        cat = row.category
        by_unit[unit_id] = cat
        if codes is not None:
            k = code.get(cat)
            if k is None:  # a category the policy does not know (an Occupancy made by a caller): by id only
                codes = None
            else:
                codes[i] = k
        c = per_place[p]
        if c is None:
            per_place[p] = {cat: 1}
        else:
            c[cat] = c.get(cat, 0) + 1
    return Composition(date, groups_from_places(policy, per_place), frozen_map(by_unit),
                       None if codes is None else bytes(codes))


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
    occupancy = Occupancy(frozen_map((u, tuple(rs)) for u, rs in rows.items()))
    if not diags:
        def where(held: Holding) -> tuple:
            line = first[(held.unit, held.start)]
            return line, (f"regel {line}", f"line {line}")
        diags = clash_diagnostics(source.path, clashes(occupancy.by_unit), where, None)
    return occupancy, diags


MAX_SHEET_BYTES = 200 * 1024 * 1024  # uncompressed size of an .xlsx: refuses zip bombs


def checked_rows(path: str, header: list, rows, policy: Policy, text_cells: bool = False,
                 seen: FirstRows | None = None) -> Iterator[OccupancyRow]:
    """The rows of an occupancy table, each checked: a known home, a valid household id with a known category,
    a real date, and no home twice on one date.

    rows yields (row number, cells); text_cells says every cell is a str (CSV), which allows a faster
    path. Errors name the file, the row and the column; at most 100 are collected, and raised
    together as a PolicyError once the rows are read. seen, when given, keeps the row of every home and date.
    """
    new_row = partial(tuple.__new__, OccupancyRow)  # the named tuple's own __new__ is Python code: slow at millions
    for _, unit, household, category, date, _ in checked_positions(path, header, rows, policy, text_cells, seen):
        yield new_row((unit, household, category, date))


def occupancy_from_rows(path: str, header: list, rows, policy: Policy, text_cells: bool = False) -> Occupancy:
    """Occupancy from a table: a header (unit, household, category, valid_from) and rows of cells (see checked_rows)."""
    out: dict[str, list[OccupancyRow]] = defaultdict(list)
    seen = FirstRows(len(policy.units))  # the row of every home and date: names the rows of a household in two homes
    for row in checked_rows(path, header, rows, policy, text_cells, seen):
        out[row.unit].append(row)
    for items in out.values():
        if len(items) > 1:
            items.sort(key=lambda row: row.valid_from)
    occupancy = Occupancy(frozen_map((u, tuple(rs)) for u, rs in out.items()))
    found = clashes(occupancy.by_unit)
    if found:
        position = policy.units.position_of()

        def where(held: Holding) -> tuple:
            line = seen.row_of(position(held.unit), held.start.toordinal())
            return line, (f"rij {line}", f"row {line}")
        names = [str(h or "").strip().lower() for h in header]
        column = names.index("household") + 1 if "household" in names else None
        raise PolicyError(clash_diagnostics(path, found, where, column))
    return occupancy


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
        start = fh.tell() if fh.seekable() else None
        first = fh.readline() if header_line is None else header_line
        delimiter = ";" if first.count(";") > first.count(",") else ","
        header = first.strip().split(delimiter)
        try:
            return consume(path, header, enumerate(csv.reader(fh, delimiter=delimiter), first_row), policy, True)
        except PolicyError:
            # a cell that ran over lines (a stray quote) shows as a wrong id or category holding the rest of the
            # file: say what happened instead, at the quote's row; a file read whole never holds one (no id,
            # category or date has a line break), so only a refused one is looked at again
            if start is None:
                raise
            fh.seek(start)
            if header_line is None:
                fh.readline()
            found = _cell_over_lines(path, csv.reader(fh, delimiter=delimiter), first_row, delimiter)
            if found is None:
                raise
            raise PolicyError([found]) from None
    except UnicodeDecodeError:
        raise PolicyError([make("not-utf8", path)]) from None
    except csv.Error as exc:
        raise PolicyError([make("bad-input", path, problem=(f"geen geldige CSV: {exc}", f"not valid CSV: {exc}"))]
                          ) from None


def _cell_over_lines(path: str, reader, first_row: int, delimiter: str):
    """The first cell of a CSV that a stray quote ran over a line's end, as a diagnostic at its row and column (None:
    none). Such a cell holds the rest of its line, separators and all; a quoted id with a line break in it and
    nothing else ('hh\n1') is no stray quote, and keeps its own message (invalid-id)."""
    before = 0  # the lines the reader had read before this record: it starts on the next one
    for rec in reader:
        for column, cell in enumerate(rec, 1):
            if ("\n" in cell or "\r" in cell) and delimiter in cell:
                return make("bad-input", path, first_row + before, column, problem=(
                    'een aanhalingsteken (") opent hier een cel die over meer regels doorloopt: sluit het of haal het '
                    "weg (een rij is één regel)",
                    'a quote (") opens a cell here that runs over lines: close it or remove it (a row is one line)'))
        before = reader.line_num
    return None


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


def load_occupancy(path: str | os.PathLike, policy: Policy, root: str | None = None) -> Occupancy:
    """Read an occupancy file (YAML, JSON, CSV or .xlsx; a path as text or a pathlib.Path; inside the folder root,
    when given); raises PolicyError naming file, line (row) and column."""
    path = os.fspath(path)
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
