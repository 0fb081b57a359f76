"""Batch evaluation: many household x home rows from JSONL or CSV, streamed, in one or more processes.

The input is read in chunks of raw lines; each chunk is parsed and evaluated by a pure function
(`evaluate_chunk`) so that the same function could be mapped by Dask or Spark. At most a few
chunks are in flight at once, so memory stays flat whatever the input size. The output (JSON
lines) is written to a temporary file and renamed into place only when the run completes.

Row columns (CSV header or JSON keys): id, size, income, category, unit, and optionally
age, flags (CSV: separated by '|'), date (YYYY-MM-DD; default --date).
"""

from __future__ import annotations

import csv
import datetime as dt
import json
import multiprocessing
import os
import time
from collections import Counter, OrderedDict
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Callable, Iterator

from .atomic import atomic_writer
from .compile import Program
from .diagnostics import PolicyError, make
from .evaluate import build_facts, combine, rule_statuses
from .explain import explain
from .facts import Household
from .files import check_regular, open_regular
from .load_json import JsonRefused, parse_json
from .occupancy import Occupancy, composition
from .values import DUTCH, POINT, Refused, read_count, read_date, read_id, read_number

REQUIRED = ("id", "size", "income", "category", "unit")


@dataclass
class Summary:
    """Counts of a batch run: rows, outcomes, levels of the deciding rules, and skipped rows."""

    rows: int = 0
    evaluated: int = 0
    skipped: int = 0
    outcomes: Counter = field(default_factory=Counter)
    levels: Counter = field(default_factory=Counter)
    errors: list = field(default_factory=list)  # the first row errors, for the report
    seconds: float = 0.0


class RowError(Exception):
    """A row that cannot be evaluated, with its number and the reason in Dutch and English."""

    def __init__(self, row: int, nl: str, en: str):
        super().__init__(en)
        self.row, self.nl, self.en = row, nl, en


# --- the pure part: one chunk in, result lines out ----------------------------------------------

_STATE: dict = {}


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
    """A cell through its reader in rules_engine.values; a refusal is a RowError naming the column."""
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


def parse_row(values: dict, row: int, program: Program, default_date: dt.date | None, notation: str = POINT):
    """A household, home and date from one row's values (numbers in notation); raises RowError naming the problem."""
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


def _composition(program: Program, occupancy: Occupancy, date: dt.date, cache: OrderedDict):
    comp = cache.get(date)
    if comp is None:
        comp = composition(program.policy, occupancy, date)
        cache[date] = comp
        if len(cache) > 32:
            cache.popitem(last=False)
    return comp


class _Undecodable(str):
    """A line that is not valid UTF-8 (kept in its place so that row numbers stay right)."""


def _lines(block) -> list:
    """The lines of a block; a line that is not valid UTF-8 becomes an _Undecodable placeholder."""
    if isinstance(block, str):
        lines = block.split("\n")
    else:
        try:
            lines = block.decode("utf-8").split("\n")
        except UnicodeDecodeError:
            lines = [_decode_line(line) for line in block.split(b"\n")]
    if lines and lines[-1] == "":
        lines.pop()
    return [line if line.__class__ is _Undecodable else line[:-1] if line.endswith("\r") else line for line in lines]


def _decode_line(line: bytes) -> str:
    try:
        return line.decode("utf-8")
    except UnicodeDecodeError:
        return _Undecodable("?")


def _undecodable(row: int) -> RowError:
    return RowError(row, "geen geldige UTF-8: sla het bestand op als UTF-8", "not valid UTF-8: save the file as UTF-8")


def _csv_rows(lines: list, delimiter: str) -> list:
    """Cells per line; a line that is not UTF-8 or not valid CSV becomes a RowError (its row is set by the caller)."""
    if not any(line.__class__ is _Undecodable for line in lines):
        try:
            return list(csv.reader(lines, delimiter=delimiter))  # the common case: one reader for the block
        except csv.Error:
            pass
    out: list = []
    for line in lines:
        if line.__class__ is _Undecodable:
            out.append(_undecodable(0))
            continue
        try:
            out.append(next(csv.reader([line], delimiter=delimiter), []))
        except csv.Error as exc:
            out.append(RowError(0, f"geen geldige CSV: {exc}", f"not valid CSV: {exc}"))
    return out


def row_values(kind: str, header: list[str] | None, first_row: int, block) -> Iterator[tuple[int, object]]:
    """(row number, values dict) per row of a block of whole lines, or (row number, RowError) for a bad row."""
    lines = _lines(block)
    if kind == "csv":
        names = header[:-1]
        delimiter = header[-1] if header[-1] in ",;" else ","
        for offset, raw in enumerate(_csv_rows(lines, delimiter)):
            row = first_row + offset
            if raw.__class__ is RowError:
                raw.row = row
                yield row, raw
                continue
            if not raw:
                continue  # a blank line is no row
            if len(raw) != len(names):
                yield row, RowError(row, f"{len(raw)} kolommen in plaats van {len(names)}",
                                    f"{len(raw)} columns instead of {len(names)}")
            else:
                yield row, dict(zip(names, raw))
        return
    for offset, raw in enumerate(lines):
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


def _notation(kind: str, header: list[str] | None) -> str:
    """How numbers are written: a ';'-separated CSV comes from Dutch Excel (decimal comma, '.' for thousands)."""
    return DUTCH if kind == "csv" and header and header[-1] == ";" else POINT


def read_rows(path: str) -> Iterator[tuple[int, object, str]]:
    """Every row of a JSONL or CSV input file as (row number, values dict or RowError, number notation), streamed."""
    check_regular(path)
    kind = input_kind(path)
    for _, header, first_row, block in _chunks(path, kind, None):
        notation = _notation(kind, header)
        for row, values in row_values(kind, header, first_row, block):
            yield row, values, notation


class _Stopped(Exception):
    """Stops a run at the first bad row, so that no output file is written."""


@dataclass
class ChunkResult:
    """What one chunk gives: its output lines as one text, counts, and its row errors."""

    text: str
    rows: int
    outcomes: Counter
    levels: Counter
    errors: list  # (row, (nl, en))


def evaluate_chunk(program: Program, occupancy: Occupancy, kind: str, header: list[str] | None, first_row: int,
                   block, default_date: dt.date | None, full: bool, cache: OrderedDict,
                   stop_at_error: bool = False) -> ChunkResult:
    """Evaluate one block of whole input lines (bytes or str). A pure function of its arguments (the cache
    only remembers compositions); the same function could be mapped over partitions by Dask or Spark."""
    out = []
    levels = {r.id: r.level for r in program.policy.rules}
    outcomes: Counter = Counter()
    level_counts: Counter = Counter()
    errors: list = []
    notation = _notation(kind, header)
    for row, values in row_values(kind, header, first_row, block):
        try:
            if values.__class__ is RowError:
                raise values
            household, unit, date = parse_row(values, row, program, default_date, notation)
            comp = _composition(program, occupancy, date, cache)
            if full:
                d = explain(program, household, unit, comp)
                outcome, deciding = d.outcome, d.deciding_rules
                record = {"row": row, "household": household.id, "unit": unit, "date": date.isoformat(),
                          "outcome": outcome, "deciding": list(deciding), "decision": d.to_dict()}
                line = json.dumps(record, ensure_ascii=False, sort_keys=True, default=list)
            else:
                outcome, deciding = combine(program, rule_statuses(program, build_facts(program, household, unit, comp)),
                                            household)
                line = json.dumps({"row": row, "household": household.id, "unit": unit, "date": date.isoformat(),
                                   "outcome": outcome, "deciding": list(deciding)}, ensure_ascii=False)
            out.append(line)
            outcomes[outcome] += 1
            level_counts[levels[deciding[0]] if deciding else "none"] += 1
        except RowError as exc:
            errors.append((row, (exc.nl, exc.en)))
        except PolicyError as exc:
            errors.append((row, (exc.diagnostics[0].nl, exc.diagnostics[0].en)))
        if errors and stop_at_error:
            break
    return ChunkResult("".join(line + "\n" for line in out), len(out) + len(errors), outcomes, level_counts, errors)


def _worker_init(state: dict) -> None:
    _STATE.update(state)
    _STATE.setdefault("cache", OrderedDict())
    program = _STATE["program"]
    if program.engine is not None:  # an engine's native state is not shared across processes: a fresh one
        from dataclasses import replace

        from .engine_durable import durable_program

        _STATE["program"] = durable_program(replace(program, engine=None))


def _worker_run(args):
    kind, header, first_row, block = args
    s = _STATE
    return evaluate_chunk(s["program"], s["occupancy"], kind, header, first_row, block, s["date"], s["full"],
                          s["cache"], s.get("stop", False))


# --- the streaming part -----------------------------------------------------------------------------

BLOCK_BYTES = 1 << 20


def _chunks(path: str, kind: str, progress: Callable[[int], None] | None) -> Iterator[tuple]:
    """Yield (kind, header, first row number, text block of whole lines); the parent never splits rows.

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
            header = [h.strip() for h in first.strip().split(delimiter)] + [delimiter]
            row = 2
        read = fh.tell()
        while True:
            block = fh.read(BLOCK_BYTES)
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


def run_batch(program: Program, input_path: str, output_path: str | None, occupancy: Occupancy,
              default_date: dt.date | None, jobs: int = 1, full: bool = False, on_error: str = "skip",
              progress: Callable[[int, int, int], None] | None = None, write: Callable[[str], None] | None = None
              ) -> Summary:
    """Evaluate every row of input_path; write JSON lines to output_path (atomically) or through write()."""
    check_regular(input_path)
    size = os.path.getsize(input_path)
    kind = input_kind(input_path)
    summary = Summary()
    start = time.perf_counter()
    bytes_read = [0]

    def on_chunk(read: int) -> None:
        bytes_read[0] = read

    def consume(result: ChunkResult) -> bool:
        summary.rows += result.rows
        summary.evaluated += result.rows - len(result.errors)
        summary.skipped += len(result.errors)
        summary.outcomes.update(result.outcomes)
        summary.levels.update(result.levels)
        summary.errors.extend(result.errors[:max(0, 50 - len(summary.errors))])
        if result.errors and on_error == "fail":
            return False
        write(result.text)
        if progress:
            progress(summary.rows, bytes_read[0], size)
        return True

    def run_all() -> bool:
        chunks = _chunks(input_path, kind, on_chunk)
        if jobs <= 1:
            cache: OrderedDict = OrderedDict()
            for k, header, first, block in chunks:
                if not consume(evaluate_chunk(program, occupancy, k, header, first, block, default_date, full, cache,
                                              on_error == "fail")):
                    return False
            return True
        return _parallel(program, occupancy, default_date, full, jobs, chunks, consume, on_error == "fail")

    if output_path:
        try:
            with atomic_writer(output_path) as out_fh:
                write = out_fh.write
                if not run_all():
                    raise _Stopped
        except _Stopped:
            pass  # --on-error fail: the output is not written at all
    else:
        run_all()
    summary.seconds = time.perf_counter() - start
    return summary


def _parallel(program, occupancy, default_date, full, jobs, chunks, consume, stop: bool) -> bool:
    """Chunks to a process pool, at most 2 x jobs in flight, results consumed in input order."""
    methods = multiprocessing.get_all_start_methods()
    ctx = multiprocessing.get_context("fork" if "fork" in methods else "spawn")
    state = {"program": program, "occupancy": occupancy, "date": default_date, "full": full, "stop": stop}
    if ctx.get_start_method() == "fork":
        # Inherited by the forked workers: nothing to send or load again, and the composition on
        # the default date is counted once here rather than once per worker.
        cache: OrderedDict = OrderedDict()
        if default_date is not None:
            cache[default_date] = composition(program.policy, occupancy, default_date)
        _STATE.update(state, cache=cache)
        initargs: tuple = ({},)
    else:
        initargs = (state,)
    pending = []
    with ctx.Pool(jobs, initializer=_worker_init, initargs=initargs) as pool:
        for chunk in chunks:
            pending.append(pool.apply_async(_worker_run, (chunk,)))
            if len(pending) >= 2 * jobs:
                if not consume(pending.pop(0).get()):
                    pool.terminate()
                    return False
        while pending:
            if not consume(pending.pop(0).get()):
                pool.terminate()
                return False
    return True
