"""The rows of a batch input (JSONL or CSV), read and checked: streamed in blocks of whole lines, each row
turned into a household, a home and a date through the project's value readers, or into a RowError that names
the row and says why in Dutch and English.

Row columns (CSV header or JSON keys): id, size, income, category, unit, and optionally
age, flags (CSV: separated by '|'), older, route, date (YYYY-MM-DD; default --date).
"""

from __future__ import annotations

import csv
import datetime as dt
import re
from decimal import Decimal
from fractions import Fraction
from typing import Callable, Iterator

from ..lang.compile import Program
from ..diagnostics import PolicyError, hint, make
from ..lang.facts import Household
from . import headers
from .files import check_regular, open_regular
from .load_json import JsonRefused, parse_json
from .values import DUTCH, HOUSEHOLD_ID_PATTERN, ID_MAX_LENGTH, POINT, Refused, read_count, read_date, read_id, read_number

REQUIRED = ("id", "size", "income", "category", "unit")
OPTIONAL = ("age", "flags", "older", "route", "date")
COLUMNS = frozenset(REQUIRED + OPTIONAL)
# The Dutch a column is likely to be called by: the hint names the column meant.
_DUTCH_NAMES = {"huishouden": "id", "grootte": "size", "personen": "size", "inkomen": "income", "categorie": "category",
                "woning": "unit", "leeftijd": "age", "kenmerken": "flags", "ouder": "older", "datum": "date"}


class RowError(Exception):
    """A row that cannot be evaluated, with its number and the reason in Dutch and English."""

    def __init__(self, row: int, nl: str, en: str):
        super().__init__(en)
        self.row, self.nl, self.en = row, nl, en


MAX_CELL = 64  # characters: longer ids, numbers or dates are refused (no 4,000-digit income)


def _text(value, what: str, row: int) -> str:
    """A cell as text; absurdly long values are a row error, not work for the engine."""
    try:
        text = value if isinstance(value, str) else str(value)
    except ValueError:  # an integer too long to print
        text = "x" * (MAX_CELL + 1)
    if len(text) > MAX_CELL:
        raise RowError(row, f"{what} is te lang (meer dan {MAX_CELL} tekens)",
                       f"{what} is too long (more than {MAX_CELL} characters)")
    return text.strip()


def _show(value) -> str:
    """A cell for a message: its repr, cut short."""
    try:
        shown = repr(value)
    except ValueError:
        shown = "…"
    return shown if len(shown) <= 40 else shown[:37] + "..."


def _read(reader, value, column: str, row: int, *args):
    """A cell through its reader in rules_engine.load.values; a refusal is a RowError naming the column."""
    if isinstance(value, str):
        value = _text(value, column, row)
    try:
        return reader(value, *args)
    except Refused as exc:
        nl, en = exc.texts
        raise RowError(row, f"{column}: {nl}", f"{column}: {en}") from None


def _flags(value, row: int) -> tuple[str, ...]:
    if isinstance(value, str):
        value = [f for f in _text(value, "flags", row).split("|") if f]
    if not isinstance(value, list):
        raise RowError(row, f"flags is geen lijst: {_show(value)}", f"flags is not a list: {_show(value)}")
    return tuple(_read(read_id, f, "flags", row) for f in value)


def header_problems(names: list) -> list[tuple[int, str, str]]:
    """(column number from 1, nl, en) for every column of a batch header that is unknown, unnamed or there twice:
    a 'datum' column would leave every row on --date, a second 'income' column would decide instead of the first."""
    return headers.header_problems(names, REQUIRED + OPTIONAL, _DUTCH_NAMES)


def parse_row(values: dict, row: int, program: Program, default_date: dt.date | None, notation: str = POINT):
    """A household, home and date from one row's values (numbers in notation); raises RowError naming the problem."""
    if not values.keys() <= COLUMNS:  # a JSON row's keys (a CSV header is checked once, by header_problems)
        unknown = sorted(str(k) for k in values.keys() - COLUMNS)
        nl, en = hint(sorted(COLUMNS), unknown[0])
        raise RowError(row, f"onbekende sleutel {_show(unknown[0])}{nl}", f"unknown key {_show(unknown[0])}{en}")
    missing = [k for k in REQUIRED if values.get(k) in (None, "")]
    if missing:
        raise RowError(row, f"kolom ontbreekt of is leeg: {', '.join(missing)}",
                       f"column missing or empty: {', '.join(missing)}")
    household_id = _read(read_id, values["id"], "id", row, True)
    category = _text(values["category"], "category", row)
    if category not in program.policy.category_ids:
        raise RowError(row, f"onbekende categorie {_show(category)}", f"unknown category {_show(category)}")
    unit = _text(values["unit"], "unit", row)
    if unit not in program.policy.units:
        raise RowError(row, f"onbekende woning {_show(unit)}", f"unknown home {_show(unit)}")
    income, _ = _read(read_number, values["income"], "income", row, "income", notation)
    size = _read(read_count, values["size"], "size", row, "size", notation)
    age = values.get("age")
    age = _read(read_count, age, "age", row, "age", notation) if age not in (None, "") else None
    flags = _flags(values.get("flags") or (), row) if values.get("flags") else ()
    older = values.get("older")
    if older in (None, ""):
        older = False
    elif isinstance(older, bool) or older in ("true", "false", "ja", "nee"):
        older = older if isinstance(older, bool) else older in ("true", "ja")
    else:
        raise RowError(row, f"older is geen ja/nee: {_show(older)}", f"older is not yes/no: {_show(older)}")
    route = values.get("route")
    route = _read(read_id, route, "route", row) if route not in (None, "") else None
    if route is not None and route not in program.policy.routes:
        raise RowError(row, f"onbekende route {_show(route)}", f"unknown route {_show(route)}")
    date_text = values.get("date")
    date = _read(read_date, date_text, "date", row) if date_text not in (None, "") else default_date
    if date is None:
        raise RowError(row, "geen datum in de rij en geen --date", "no date in the row and no --date")
    return Household(household_id, size, income, category, age, flags, older, route), unit, date


class _Undecodable(str):
    """A line that is not valid UTF-8 (kept in its place so that row numbers stay right)."""


def _lines(block) -> list:
    """The lines of a block; a line that is not valid UTF-8 becomes an _Undecodable placeholder."""
    try:
        text = block if isinstance(block, str) else block.decode("utf-8")
    except UnicodeDecodeError:
        text, lines = "\r", [_decode_line(line) for line in block.split(b"\n")]
    else:
        lines = text.split("\n")
    if lines and lines[-1] == "":
        lines.pop()
    if "\r" not in text:  # decoded whole, and no line to trim: the common case
        return lines
    return [line if line.__class__ is _Undecodable else line[:-1] if line.endswith("\r") else line for line in lines]


def _decode_line(line: bytes) -> str:
    try:
        return line.decode("utf-8")
    except UnicodeDecodeError:
        return _Undecodable("?")


def _undecodable(row: int) -> RowError:
    return RowError(row, "geen geldige UTF-8: sla het bestand op als UTF-8", "not valid UTF-8: save the file as UTF-8")


def _csv_rows(lines: list, delimiter: str) -> list:
    """Cells per line; a line that is not UTF-8 or not valid CSV becomes a RowError (its row is set by the caller).

    A row is one line: a quote left open would take the lines after it into one cell (a stray '"' swallowed the
    rest of the block, and a quoted line break joined '54' and '848' into 54848), so a line is read alone and a
    quote it leaves open, or text after a closing quote, refuses that line."""
    if not any(line.__class__ is _Undecodable for line in lines):
        try:
            rows = list(csv.reader(lines, delimiter=delimiter, strict=True))  # the common case: one reader
        except csv.Error:
            pass
        else:
            if len(rows) == len(lines):  # no cell ran over a line's end
                return rows
    out: list = []
    for line in lines:
        if line.__class__ is _Undecodable:
            out.append(_undecodable(0))
            continue
        try:
            out.append(next(csv.reader([line], delimiter=delimiter, strict=True), []))
        except csv.Error as exc:
            out.append(_csv_error(str(exc), delimiter))
    return out


def _csv_error(message: str, delimiter: str) -> RowError:
    """A line that is no CSV row, in words (Python's csv module names the problem in English only)."""
    if message == "unexpected end of data":
        return RowError(0, 'een aanhalingsteken (") wordt in deze rij niet gesloten: een cel loopt niet over '
                           "meer regels; sluit het aanhalingsteken of haal het weg",
                        'a quote (") is not closed in this row: a cell does not run over lines; close the quote '
                        "or remove it")
    if message.endswith("expected after '\"'"):
        return RowError(0, f'na een sluitend aanhalingsteken (") staat nog tekst in de cel: zet het hele veld tussen '
                           f'aanhalingstekens of gebruik "{delimiter}" als scheidingsteken',
                        f'text follows a closing quote (") in a cell: quote the whole field or separate it with '
                        f'"{delimiter}"')
    return RowError(0, f"geen geldige CSV: {message}", f"not valid CSV: {message}")


def _csv_cells(header: list[str], first_row: int, block) -> Iterator[tuple[int, object]]:
    """(row number, cells) per CSV row of a block, or (row number, RowError) for a line that is no row of the header."""
    width = len(header) - 1
    delimiter = header[-1] if header[-1] in ",;" else ","
    for offset, raw in enumerate(_csv_rows(_lines(block), delimiter)):
        row = first_row + offset
        if raw.__class__ is RowError:
            raw.row = row
            yield row, raw
        elif not raw:
            continue  # a blank line is no row
        elif len(raw) != width:
            yield row, RowError(row, f"{len(raw)} kolommen in plaats van {width}", f"{len(raw)} columns instead of {width}")
        else:
            yield row, raw


def row_values(kind: str, header: list[str] | None, first_row: int, block) -> Iterator[tuple[int, object]]:
    """(row number, values dict) per row of a block of whole lines, or (row number, RowError) for a bad row."""
    if kind == "csv":
        names = header[:-1]
        for row, raw in _csv_cells(header, first_row, block):
            yield row, raw if raw.__class__ is RowError else dict(zip(names, raw))
        return
    for offset, raw in enumerate(_lines(block)):
        row = first_row + offset
        if raw.__class__ is _Undecodable:
            yield row, _undecodable(row)
            continue
        if not raw.strip():
            continue
        try:
            values = parse_json(raw, parse_float=Decimal)
        except JsonRefused as exc:
            yield row, RowError(row, exc.nl, exc.en)
            continue
        except ValueError:
            yield row, RowError(row, "geen geldige JSON", "not valid JSON")
            continue
        yield row, values if isinstance(values, dict) else RowError(row, "een rij is een JSON-object",
                                                                    "a row is a JSON object")


_QUICK_ID = re.compile(f"{HOUSEHOLD_ID_PATTERN[1:-2]}{{0,{ID_MAX_LENGTH - 1}}}").fullmatch  # no blanks to strip
_MISS = object()
LEARNED = 4096  # distinct cell texts remembered per column (sizes, ages, dates: a handful in practice)


def csv_households(header: list[str], first_row: int, block, program: Program, default_date: dt.date | None,
                   int_income: bool = False) -> Iterator[tuple[int, object]]:
    """(row number, (household, unit, date)) or (row number, RowError) per row of a CSV block: exactly what
    row_values and parse_row give, with the common row read without them.

    A row whose cells all have a plain form (an id of the id characters, an income of at most seven ASCII
    digits, a known category and home as written, and sizes, ages, dates, flags and older cells that an
    earlier row of the block had exactly so) is built directly; any other row goes through parse_row,
    which reads or refuses it with its message, and teaches the block the readings of its cells. Each
    column's reading is a function of that cell's text alone, so a reading learned once is exact
    for every cell of the same text. Category and home ids are id characters (schemas), never blank
    at the edges, so an exact match is what parse_row finds after stripping. With int_income the income
    is an int, exact like a Fraction (numerator, denominator), for the compiled rules."""
    names = header[:-1]
    notation = number_notation("csv", header)
    col = {name: i for i, name in enumerate(names)}  # the last of equal names, as dict(zip()) keeps
    quick = all(k in col for k in REQUIRED) and (default_date is not None or "date" in col)
    i_id, i_size, i_income, i_cat, i_unit = (col.get(k, 0) for k in REQUIRED)
    i_age, i_flags, i_older, i_route, i_date = (col.get(k, -1) for k in ("age", "flags", "older", "route", "date"))
    optional = max(i_age, i_flags, i_older, i_route, i_date) >= 0
    sizes: dict = {}
    ages, flag_sets, olders, dates = {"": None}, {"": ()}, {"": False}, {}
    if default_date is not None:
        dates[""] = default_date
    cats, home_number = frozenset(program.policy.category_ids), program.policy.units.position_of()
    learned = ((i_size, sizes, "size"), (i_age, ages, "age"), (i_flags, flag_sets, "flags"), (i_older, olders, "older"))
    width = len(names)
    delimiter = header[-1] if header[-1] in ",;" else ","
    row = first_row - 1
    for cells in _csv_rows(_lines(block), delimiter):
        row += 1
        if cells.__class__ is RowError:
            cells.row = row
            yield row, cells
            continue
        if len(cells) != width:
            if cells:  # a blank line is no row
                yield row, RowError(row, f"{len(cells)} kolommen in plaats van {width}",
                                    f"{len(cells)} columns instead of {width}")
            continue
        if quick:
            inc = cells[i_income]
            size = sizes.get(cells[i_size], _MISS)
            cat = cells[i_cat]
            unit = cells[i_unit]
            hid = cells[i_id]
            if size is not _MISS and cat in cats and home_number(unit) is not None and len(inc) < 8 \
                    and inc.isdigit() and inc.isascii() and _QUICK_ID(hid):
                if not optional:
                    yield row, (Household(hid, size, int(inc) if int_income else Fraction(int(inc)), cat), unit,
                                default_date)
                    continue
                age = ages.get(cells[i_age], _MISS) if i_age >= 0 else None
                flags = flag_sets.get(cells[i_flags], _MISS) if i_flags >= 0 else ()
                older = olders.get(cells[i_older], _MISS) if i_older >= 0 else False
                date = dates.get(cells[i_date], _MISS) if i_date >= 0 else default_date
                if age is not _MISS and flags is not _MISS and older is not _MISS and date is not _MISS \
                        and (i_route < 0 or not cells[i_route]):
                    yield row, (Household(hid, size, int(inc) if int_income else Fraction(int(inc)), cat, age, flags,
                                          older), unit, date)
                    continue
        item = _slow(cells, names, row, program, default_date, notation)
        if quick and item.__class__ is not RowError:
            household, _, date = item
            for i, seen, attr in learned:
                if i >= 0 and len(seen) < LEARNED:
                    seen[cells[i]] = getattr(household, attr)
            if i_date >= 0 and len(dates) < LEARNED:
                dates[cells[i_date]] = date
        yield row, item


def _slow(cells: list, names: list, row: int, program: Program, default_date: dt.date | None, notation: str):
    """One row through parse_row: (household, unit, date), or the RowError it raises."""
    try:
        return parse_row(dict(zip(names, cells)), row, program, default_date, notation)
    except RowError as exc:
        return exc


def number_notation(kind: str, header: list[str] | None) -> str:
    """How numbers are written: a ';'-separated CSV comes from Dutch Excel (decimal comma, '.' for thousands)."""
    return DUTCH if kind == "csv" and header and header[-1] == ";" else POINT


def read_rows(path: str) -> Iterator[tuple[int, object, str]]:
    """Every row of a JSONL or CSV input file as (row number, values dict or RowError, number notation), streamed."""
    check_regular(path)
    kind = input_kind(path)
    for _, header, first_row, block in line_blocks(path, kind, None):
        notation = number_notation(kind, header)
        for row, values in row_values(kind, header, first_row, block):
            yield row, values, notation


BLOCK_BYTES = 1 << 20
# --explain writes a record of some 15 KB per row of some 40 bytes: blocks of 1 MiB (25,000 rows) would hold
# 375 MB of output each, several of them in flight; 16 KiB (about 400 rows) holds some 6 MB
EXPLAIN_BLOCK_BYTES = 1 << 14


def line_blocks(path: str, kind: str, progress: Callable[[int], None] | None, block_bytes: int | None = None
                ) -> Iterator[tuple]:
    """Yield (kind, header, first row number, text block of whole lines of about block_bytes, default BLOCK_BYTES);
    the parent never splits rows.

    CSV headers end with the detected delimiter."""
    with open_regular(path) as fh:
        header = None
        row = 1
        if kind == "csv":
            try:
                first = fh.readline().decode("utf-8-sig")
            except UnicodeDecodeError:
                raise PolicyError([make("not-utf8", path, 1, 1)]) from None
            delimiter = ";" if first.count(";") > first.count(",") else ","
            header = [h.strip().lower() for h in first.strip().split(delimiter)] + [delimiter]
            problems = header_problems(header[:-1])
            if problems:
                starts = [0]
                for cell in first.rstrip("\r\n").split(delimiter):
                    starts.append(starts[-1] + len(cell) + 1)
                raise PolicyError([make("bad-input", path, 1, starts[i - 1] + 1, problem=(nl, en))
                                   for i, nl, en in problems])
            row = 2
        read = fh.tell()
        while True:
            block = fh.read(block_bytes or BLOCK_BYTES)
            if not block:
                break
            if not block.endswith(b"\n"):
                block += fh.readline()  # complete the last line
            read += len(block)
            yield kind, header, row, block
            row += block.count(b"\n") + (0 if block.endswith(b"\n") else 1)
            if progress:
                progress(read)


def input_kind(path: str) -> str:
    """'csv' or 'jsonl' by the file's name."""
    return "csv" if path.lower().endswith((".csv", ".txt")) else "jsonl"
