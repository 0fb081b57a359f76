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
from functools import lru_cache
from typing import Mapping

from .diagnostics import PolicyError, hint, make
from .facts import Group
from .load import gc_paused, read_document
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


@lru_cache(maxsize=16)
def _homes(policy: Policy) -> dict:
    """Homes per group (level, key), counted once per policy."""
    homes: dict = defaultdict(int)
    for unit in policy.units.values():
        homes[("portiek", unit.portiek)] += 1
        homes[("complex", unit.complex)] += 1
        homes[("buurt", unit.buurt)] += 1
    return dict(homes)


def composition(policy: Policy, occupancy: Occupancy, date: dt.date) -> Composition:
    """Count households per category in every portiek, complex and buurt on a date."""
    counts: dict = {key: {} for key in _homes(policy)}
    units = policy.units
    by_unit = {}
    for unit_id, rows in occupancy.by_unit.items():
        if len(rows) == 1:
            row = rows[0] if rows[0].valid_from <= date else None
        else:
            i = bisect.bisect_right([r.valid_from for r in rows], date) - 1
            row = rows[i] if i >= 0 else None
        if row is None or row.household is None:
            continue
        unit = units.get(unit_id)
        if unit is None:
            continue
        cat = row.category
        by_unit[unit_id] = cat
        for key in (("portiek", unit.portiek), ("complex", unit.complex), ("buurt", unit.buurt)):
            c = counts[key]
            c[cat] = c.get(cat, 0) + 1
    groups = {k: Group(n, sum(counts[k].values()), frozen_map(counts[k])) for k, n in _homes(policy).items()}
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


OCCUPANCY_COLUMNS = ("unit", "household", "category", "valid_from")
MAX_SHEET_BYTES = 200 * 1024 * 1024  # uncompressed size of an .xlsx: refuses zip bombs


def _date(value) -> dt.date:
    """A date from a cell: a date (Excel), YYYY-MM-DD, or the Dutch DD-MM-YYYY."""
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    text = str(value).strip()
    if len(text) == 10 and text[2] == "-" and text[5] == "-":
        text = f"{text[6:]}-{text[3:5]}-{text[:2]}"
    return dt.date.fromisoformat(text)


def occupancy_from_rows(path: str, header: list, rows, policy: Policy) -> Occupancy:
    """Occupancy from a table: a header (unit, household, category, valid_from) and rows of cells.

    rows yields (row number, cells). Errors name the file, the row and the column; at most 100 are collected.
    """
    diags = []
    out: dict[str, list[OccupancyRow]] = defaultdict(list)
    categories = set(policy.category_ids)
    units = policy.units
    names = [str(h or "").strip().lower() for h in header]
    missing = [c for c in ("unit", "valid_from") if c not in names]
    if missing:
        raise PolicyError([make("missing-key", path, 1, 1, key=", ".join(missing))])
    col = {name: i for i, name in enumerate(names)}
    for n, rec in rows:
        if not rec or all(c in (None, "") for c in rec):
            continue
        if len(diags) >= 100:
            break

        def cell(name):
            i = col.get(name)
            value = rec[i] if i is not None and i < len(rec) else None
            return value.strip() if isinstance(value, str) else ("" if value is None else value)

        unit, household, category, when = (cell(c) for c in OCCUPANCY_COLUMNS)
        unit, household, category = str(unit), str(household), str(category)
        if unit not in units:
            diags.append(make("unknown-unit", path, n, col["unit"] + 1, unit=unit, hint=hint(units, unit)))
            continue
        if household and category not in categories:
            diags.append(make("unknown-category", path, n, col.get("category", 0) + 1, category=category,
                              hint=hint(policy.category_ids, category)))
            continue
        try:
            date = _date(when)
        except ValueError:
            diags.append(make("invalid-date", path, n, col["valid_from"] + 1, value=str(when)))
            continue
        out[unit].append(OccupancyRow(unit, household or None, category if household else None, date))
    if diags:
        raise PolicyError(diags)
    for items in out.values():
        items.sort(key=lambda row: row.valid_from)
    return Occupancy(frozen_map((u, tuple(rs)) for u, rs in out.items()))


def _open_failed(path: str, exc: OSError) -> PolicyError:
    return PolicyError([make("file-not-found" if isinstance(exc, FileNotFoundError) else "file-unreadable", path,
                             reason=exc.strerror or str(exc))])


def load_occupancy_csv(path: str, policy: Policy) -> Occupancy:
    """Read occupancy from CSV (comma or semicolon; header unit, household, category, valid_from)."""
    import csv

    try:
        fh = open(path, "r", encoding="utf-8-sig", newline="")
    except OSError as exc:
        raise _open_failed(path, exc) from None
    with fh:
        try:
            first = fh.readline()
            delimiter = ";" if first.count(";") > first.count(",") else ","
            header = first.strip().split(delimiter)
            return occupancy_from_rows(path, header, enumerate(csv.reader(fh, delimiter=delimiter), 2), policy)
        except UnicodeDecodeError:
            raise PolicyError([make("not-utf8", path)]) from None
        except csv.Error as exc:
            raise PolicyError([make("bad-input", path, problem=(f"geen geldige CSV: {exc}", f"not valid CSV: {exc}"))]
                              ) from None


def load_occupancy_xlsx(path: str, policy: Policy) -> Occupancy:
    """Read occupancy from the first sheet of an Excel workbook (.xlsx), with the same columns as the CSV."""
    import zipfile

    try:
        with zipfile.ZipFile(path) as z:
            if sum(i.file_size for i in z.infolist()) > MAX_SHEET_BYTES:
                raise PolicyError([make("file-too-large", path, size=sum(i.file_size for i in z.infolist()),
                                        limit=MAX_SHEET_BYTES)])
    except OSError as exc:
        raise _open_failed(path, exc) from None
    except zipfile.BadZipFile:
        raise PolicyError([make("bad-input", path, problem=("geen Excel-bestand (.xlsx)", "not an Excel file (.xlsx)"))]
                          ) from None
    import openpyxl  # reads XML through defusedxml when installed (a dependency of magicmix)

    try:
        book = openpyxl.load_workbook(path, read_only=True, data_only=True)
    except Exception as exc:  # noqa: BLE001 - openpyxl raises many kinds for a broken workbook
        raise PolicyError([make("bad-input", path, problem=(f"Excel-bestand onleesbaar: {type(exc).__name__}",
                                                            f"Excel file unreadable: {type(exc).__name__}"))]) from None
    try:
        rows = book.worksheets[0].iter_rows(values_only=True)
        header = next(rows, None) or []
        return occupancy_from_rows(path, list(header), enumerate(rows, 2), policy)
    except PolicyError:
        raise
    except Exception as exc:  # noqa: BLE001 - a broken sheet shows only while it is read
        raise PolicyError([make("bad-input", path, problem=(f"Excel-bestand onleesbaar: {type(exc).__name__}",
                                                            f"Excel file unreadable: {type(exc).__name__}"))]) from None
    finally:
        book.close()


def load_occupancy(path: str, policy: Policy) -> Occupancy:
    """Read an occupancy file (YAML, JSON, CSV or .xlsx); raises PolicyError naming file, line (row) and column."""
    with gc_paused():
        return _load_occupancy(path, policy)


def _load_occupancy(path: str, policy: Policy) -> Occupancy:
    if path.lower().endswith(".csv"):
        return load_occupancy_csv(path, policy)
    if path.lower().endswith(".xlsx"):
        return load_occupancy_xlsx(path, policy)
    source, problems = read_document(path, "occupancy")
    if source is None:
        raise PolicyError(problems)
    occupancy, diags = occupancy_from_source(source, policy)
    if diags:
        raise PolicyError(diags)
    return occupancy
