"""Candidates from the browser: an uploaded portal export (CSV, XLSX, YAML or JSON) or one household typed in.

Every value goes through the project's own readers: CSV rows through the batch reader
(batch_rows.row_values and batch_rows.parse_row, which read amounts through values.py; a ';'-separated file
is Dutch Excel: decimal comma, '.' for thousands), YAML and JSON through rank.load_candidates,
and typed fields through values.py in Dutch notation (24.500 is twenty-four thousand five hundred).
An upload with any bad row is refused whole, with the rows named: no candidate list is half read.
"""

from __future__ import annotations

import datetime as dt
import os
import tempfile

from ..load.batch_rows import RowError, header_problems, parse_row, row_values
from ..lang.compile import Program
from ..diagnostics import PolicyError
from ..lang.facts import Household
from ..allocation.rank import load_candidates
from ..load.values import DUTCH, POINT, Refused, read_count, read_id, read_number
from ..lang.records import frozen

MAX_UPLOAD_BYTES = 4 << 20
MAX_CANDIDATES = 1000
MAX_ERRORS_SHOWN = 20
FORM_FIELDS = ("id", "size", "income", "category", "age", "older", "route")
OLDER = "ja"  # the value the form's 'older household' box sends when ticked


@frozen
class Problem:
    """A refused row or field: where (row number or field name) and the message in Dutch and English."""

    where: str
    nl: str
    en: str

    def text(self, lang: str) -> str:
        """The message in a language."""
        return self.nl if lang == "nl" else self.en


class Refusal(Exception):
    """An upload or form that is refused, with its problems."""

    def __init__(self, problems: list[Problem]):
        super().__init__("; ".join(p.en for p in problems))
        self.problems = problems


def _row_problem(err: RowError) -> Problem:
    return Problem(str(err.row), f"rij {err.row}: {err.nl}", f"row {err.row}: {err.en}")


def _check_rows(rows, program: Program, unit: str, date: dt.date) -> list[Household]:
    """Households from (row, values or RowError, notation) rows, for one home; Refusal naming every bad row."""
    out, problems, seen = [], [], {}
    for row, values, notation in rows:
        try:
            if isinstance(values, RowError):
                raise values
            values = {k.strip().lower() if isinstance(k, str) else k: v for k, v in values.items()}
            if values.get("unit") in (None, ""):
                values["unit"] = unit
            household, row_unit, _ = parse_row(values, row, program, date, notation)
            if row_unit != unit:
                raise RowError(row, f"deze rij is voor woning {row_unit}, niet voor {unit}",
                               f"this row is for home {row_unit}, not {unit}")
            if household.id in seen:
                raise RowError(row, f"huishouden {household.id} staat al in rij {seen[household.id]}",
                               f"household {household.id} is already in row {seen[household.id]}")
            seen[household.id] = row
            out.append(household)
        except RowError as exc:
            problems.append(_row_problem(exc))
    if len(out) + len(problems) > MAX_CANDIDATES:
        problems.insert(0, Problem("", f"meer dan {MAX_CANDIDATES} kandidaten", f"more than {MAX_CANDIDATES} candidates"))
    if not out and not problems:
        problems.append(Problem("", "het bestand bevat geen kandidaten", "the file holds no candidates"))
    if problems:
        raise Refusal(problems[:MAX_ERRORS_SHOWN])
    return out


def _check_header(names: list) -> None:
    """Refusal for a header with a column unknown, unnamed or there twice (batch_rows.header_problems)."""
    problems = header_problems(names)
    if problems:
        raise Refusal([Problem("1", f"rij 1: {nl}", f"row 1: {en}") for _, nl, en in problems][:MAX_ERRORS_SHOWN])


def _csv_rows(data: bytes):
    first, _, rest = data.partition(b"\n")
    try:
        first_text = first.decode("utf-8-sig").strip()
    except UnicodeDecodeError:
        raise Refusal([Problem("1", "rij 1: geen geldige UTF-8", "row 1: not valid UTF-8")]) from None
    delimiter = ";" if first_text.count(";") > first_text.count(",") else ","
    header = [h.strip().lower() for h in first_text.split(delimiter)] + [delimiter]
    _check_header(header[:-1])
    notation = DUTCH if delimiter == ";" else POINT
    for row, values in row_values("csv", header, 2, rest):
        yield row, values, notation


def _xlsx_rows(data: bytes):
    import io
    import openpyxl  # reads the workbook's XML through defusedxml (a dependency of magicmix)

    try:
        book = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
        rows = list(book.worksheets[0].iter_rows(values_only=True))
        book.close()
    except Exception as exc:  # noqa: BLE001 - openpyxl raises many kinds for a broken workbook
        raise Refusal([Problem("", f"Excel-bestand onleesbaar: {type(exc).__name__}",
                               f"Excel file unreadable: {type(exc).__name__}")]) from None
    if not rows:
        return
    header = [str(h).strip().lower() if h is not None else "" for h in rows[0]]
    while header and header[-1] == "":  # a sheet's empty cells right of the header are no columns
        header.pop()
    _check_header(header)
    for n, cells in enumerate(rows[1:], 2):
        if all(c in (None, "") for c in cells):
            continue
        yield n, dict(zip(header, (c.strip() if isinstance(c, str) else c for c in cells))), POINT


def _document(data: bytes, suffix: str) -> list[Household]:
    """A YAML or JSON candidates file through rank.load_candidates (schema-checked, line and column)."""
    fd, path = tempfile.mkstemp(suffix=suffix, prefix="magicmix-candidates-")
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
        try:
            return load_candidates(path)
        except PolicyError as exc:
            raise Refusal([Problem(str(d.line or ""), f"regel {d.line}: {d.nl}" if d.line else d.nl,
                                   f"line {d.line}: {d.en}" if d.line else d.en)
                           for d in exc.diagnostics[:MAX_ERRORS_SHOWN]]) from None
    finally:
        os.unlink(path)


def read_upload(filename: str, data: bytes, program: Program, unit: str, date: dt.date) -> list[Household]:
    """The candidates of an uploaded file in portal order; raises Refusal naming every bad row."""
    if len(data) > MAX_UPLOAD_BYTES:
        raise Refusal([Problem("", f"bestand groter dan {MAX_UPLOAD_BYTES >> 20} MiB",
                               f"file larger than {MAX_UPLOAD_BYTES >> 20} MiB")])
    name = (filename or "").lower()
    if name.endswith(".xlsx"):
        return _check_rows(_xlsx_rows(data), program, unit, date)
    if name.endswith((".csv", ".txt")):
        return _check_rows(_csv_rows(data), program, unit, date)
    if name.endswith((".yaml", ".yml", ".json")):
        households = _document(data, os.path.splitext(name)[1])
        return _check_rows(((n, {"id": h.id, "size": h.size, "income": h.income, "category": h.category,
                                 "age": h.age, "flags": list(h.flags), "older": h.older, "route": h.route}, POINT)
                            for n, h in enumerate(households, 1)), program, unit, date)
    raise Refusal([Problem("", "kies een CSV-, XLSX-, YAML- of JSON-bestand", "choose a CSV, XLSX, YAML or JSON file")])


def _field(problems: dict, name: str, reader, value, *args):
    try:
        return reader(value, *args)
    except Refused as exc:
        problems[name] = Problem(name, *exc.texts)
        return None


def read_form(form: dict, program: Program) -> Household:
    """One household from the form's fields (Dutch notation); raises Refusal with one Problem per bad field."""
    problems: dict[str, Problem] = {}
    values = {k: (form.get(k) or "").strip() for k in FORM_FIELDS}
    for k in ("id", "size", "income", "category"):
        if not values[k]:
            problems[k] = Problem(k, "vul dit veld in", "fill in this field")
    hid = _field(problems, "id", read_id, values["id"], True) if "id" not in problems else None
    size = _field(problems, "size", read_count, values["size"], "size", DUTCH) if "size" not in problems else None
    income = None
    if "income" not in problems:
        text = values["income"].removeprefix("€").strip()
        found = _field(problems, "income", read_number, text, "income", DUTCH)
        income = found[0] if found else None
    if "category" not in problems and values["category"] not in program.policy.category_ids:
        problems["category"] = Problem("category", "kies een categorie uit de lijst", "choose a category from the list")
    age = _field(problems, "age", read_count, values["age"], "age", DUTCH) if values["age"] else None
    if values["older"] not in ("", OLDER):
        problems["older"] = Problem("older", "vink aan of laat leeg", "tick the box or leave it empty")
    route = values["route"] or None
    if route is not None and route not in program.policy.routes:
        problems["route"] = Problem("route", "kies een route uit de lijst", "choose a route from the list")
    if problems:
        raise Refusal(list(problems.values()))
    return Household(hid, size, income, values["category"], age, (), values["older"] == OLDER, route)
