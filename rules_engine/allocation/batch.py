"""Batch evaluation: many household x home rows from JSONL or CSV, streamed, in one or more processes.

The input is read in chunks of raw lines; each chunk is parsed and evaluated by a pure function
(`evaluate_chunk`) so that the same function could be mapped by Dask or Spark. At most a few
chunks are in flight at once, so memory stays flat whatever the input size. The output (JSON
lines) is written to a temporary file and renamed into place only when the run completes.
The rows themselves are read and checked in batch_rows.py. A household that lives in the stock on its row's date
already (doorstroming: its home is still counted as occupied, load/movers.py) is counted and the first of such rows
are named in the summary, as evaluate warns of it for one letting.
"""

from __future__ import annotations

import datetime as dt
import gc
import json
import multiprocessing
import os
import time
from collections import Counter, OrderedDict
from dataclasses import dataclass, field, replace
from fractions import Fraction
from functools import partial
from json.encoder import encode_basestring as _encode  # json.dumps(text, ensure_ascii=False), without the call
from typing import Callable

from ..atomic import atomic_writer
from ..lang.compile import Program
from ..load.batch_rows import (EXPLAIN_BLOCK_BYTES, RowError, csv_households, input_kind, line_blocks, number_notation,
                               parse_row, row_values)
from ..diagnostics import PolicyError
from ..engine.evaluate import compiled, decide
from ..engine.explain import explain_json
from ..lang.facts import Household
from ..load.files import check_regular
from ..load.load import gc_paused
from ..load.movers import kept_homes_index
from ..load.occupancy import Occupancy, composition


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
    movers: int = 0  # evaluated rows whose household lives in the stock on the row's date already
    mover_rows: list = field(default_factory=list)  # the first of them: (row, household id, its home, date)


KEPT_ROWS = 50  # row errors and movers' rows a summary keeps


# --- the pure part: one chunk in, result lines out ----------------------------------------------

_STATE: dict = {}


def _composition(program: Program, occupancy: Occupancy, date: dt.date, cache: OrderedDict):
    comp = cache.get(date)
    if comp is None:
        comp = composition(program.policy, occupancy, date)
        cache[date] = comp
        if len(cache) > 32:
            cache.popitem(last=False)
    return comp


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
    movers: int = 0  # rows whose household lives in the stock on the row's date (Summary.movers)
    mover_rows: list = field(default_factory=list)  # the first KEPT_ROWS of them: (row, household id, home, date)


class _Movers:
    """The rows of a chunk whose household lives in the stock on the row's date: counted, the first KEPT_ROWS kept."""

    __slots__ = ("index", "count", "rows")

    def __init__(self, occupancy: Occupancy):
        self.index = kept_homes_index(occupancy)
        self.count, self.rows = 0, []

    def see(self, row: int, household_id: str, date: dt.date) -> None:
        """Note the row if its household lives in the stock on date (one look-up when it does not)."""
        if household_id in self.index:
            home = self.index.on(household_id, date)
            if home is not None:
                self.count += 1
                if len(self.rows) < KEPT_ROWS:
                    self.rows.append((row, household_id, home, date))


def evaluate_chunk(program: Program, occupancy: Occupancy, kind: str, header: list[str] | None, first_row: int,
                   block, default_date: dt.date | None, full: bool, cache: OrderedDict,
                   stop_at_error: bool = False) -> ChunkResult:
    """Evaluate one block of whole input lines (bytes or str). A pure function of its arguments (the cache
    only remembers compositions); the same function could be mapped over partitions by Dask or Spark."""
    if not full:
        # A chunk makes no reference cycles worth collecting, while the collector's passes over the rows it holds
        # and the groups it reads cost a third of the chunk's time.
        with gc_paused():
            return _decide_chunk(program, occupancy, kind, header, first_row, block, default_date, cache,
                                 stop_at_error)
    out = []
    levels = {r.id: r.level for r in program.policy.rules}
    outcomes: Counter = Counter()
    level_counts: Counter = Counter()
    errors: list = []
    notation = number_notation(kind, header)
    movers = _Movers(occupancy)
    for row, values in row_values(kind, header, first_row, block):
        try:
            if values.__class__ is RowError:
                raise values
            household, unit, date = parse_row(values, row, program, default_date, notation)
            comp = _composition(program, occupancy, date, cache)
            outcome, deciding, text = explain_json(program, household, unit, comp)
            out.append(explain_line(row, household.id, unit, date, outcome, deciding, text))
            movers.see(row, household.id, date)
            outcomes[outcome] += 1
            level_counts[levels[deciding[0]] if deciding else "none"] += 1
        except RowError as exc:
            errors.append((row, (exc.nl, exc.en)))
        except PolicyError as exc:
            errors.append((row, (exc.diagnostics[0].nl, exc.diagnostics[0].en)))
        if errors and stop_at_error:
            break
    return ChunkResult("".join(line + "\n" for line in out), len(out) + len(errors), outcomes, level_counts, errors,
                       movers.count, movers.rows)


def explain_line(row: int, household_id: str, unit: str, date: dt.date, outcome: str, deciding, decision: str) -> str:
    """One output line of batch --explain (without its newline): json.dumps({row, household, unit, date, outcome,
    deciding, decision: the record's dict}, ensure_ascii=False, sort_keys=True), the record's own text
    (Decision.to_json()) spliced in where its key sorts."""
    head = json.dumps({"date": date.isoformat(), "deciding": list(deciding)}, ensure_ascii=False, default=list)
    tail = json.dumps({"household": household_id, "outcome": outcome, "row": row, "unit": unit}, ensure_ascii=False,
                      sort_keys=True, default=list)
    return head[:-1] + ', "decision": ' + decision + ", " + tail[1:]


def decision_line(row: int, household_id: str, unit: str, date: dt.date, outcome: str, deciding) -> str:
    """One output line of the decision-only batch (the reference the fast writer is held to: tests/test_batch.py)."""
    return json.dumps({"row": row, "household": household_id, "unit": unit, "date": date.isoformat(),
                       "outcome": outcome, "deciding": list(deciding)}, ensure_ascii=False) + "\n"


def _decide_chunk(program, occupancy, kind, header, first_row, block, default_date, cache, stop_at_error):
    """Decision only: each line is written from its parts, the ids escaped as json.dumps escapes them and the
    date and the decision (outcome and deciding rules) as fragments made once; the bytes of decision_line."""
    if kind == "csv":  # incomes as ints for the compiled rules (exact); _general makes them Fractions again
        rows = csv_households(header, first_row, block, program, default_date, program.engine is None)
    else:
        rows = _parsed(row_values(kind, header, first_row, block), program, default_date, number_notation(kind, header))
    out: list = []
    tally: dict = {}  # decision fragment -> rows
    decisions: dict = {}  # decision fragment -> (outcome, deciding)
    errors: list = []
    movers = _Movers(occupancy)
    day = decide_fn = comp = date_text = None
    for row, item in rows:
        if item.__class__ is RowError:
            errors.append((row, (item.nl, item.en)))
            if stop_at_error:
                break
            continue
        household, unit, date = item
        if date != day:
            day, comp, date_text = date, _composition(program, occupancy, date, cache), _encode(date.isoformat())
            fast = compiled(program, date)
            decide_fn = fast.from_composition if fast is not None else partial(_general, program)
        try:
            result = decide_fn(household, unit, comp)
        except PolicyError as exc:
            errors.append((row, (exc.diagnostics[0].nl, exc.diagnostics[0].en)))
            if stop_at_error:
                break
            continue
        tail = _TAILS.get(result)
        if tail is None:
            tail = _tail(*result)
        out.append(f'{{"row": {row}, "household": {_encode(household.id)}, "unit": {_encode(unit)}, '
                   f'"date": {date_text}, {tail}')
        movers.see(row, household.id, date)
        n = tally.get(tail)
        if n is None:
            tally[tail], decisions[tail] = 1, result
        else:
            tally[tail] = n + 1
    levels = {r.id: r.level for r in program.policy.rules}
    outcomes: Counter = Counter()
    level_counts: Counter = Counter()
    for tail, n in tally.items():
        outcome, deciding = decisions[tail]
        outcomes[outcome] += n
        level_counts[levels[deciding[0]] if deciding else "none"] += n
    return ChunkResult("".join(out), len(out) + len(errors), outcomes, level_counts, errors, movers.count,
                       movers.rows)


_TAILS: dict = {}  # (outcome, deciding) -> the end of a line: '"outcome": ..., "deciding": [...]}\n'


def _tail(outcome: str, deciding) -> str:
    """The end of a decision line, as json.dumps writes those two keys after the others."""
    tail = json.dumps({"outcome": outcome, "deciding": list(deciding)}, ensure_ascii=False)[1:] + "\n"
    if len(_TAILS) < 4096:
        _TAILS[(outcome, tuple(deciding))] = tail
    return tail


def _general(program: Program, household: Household, unit: str, comp):
    """evaluate.decide for a program without compiled rules, the income a Fraction as the general path reads it."""
    if household.income.__class__ is int:
        household = replace(household, income=Fraction(household.income))
    return decide(program, household, unit, comp)


def _parsed(values, program, default_date, notation):
    """(row, (household, unit, date) or RowError) from row_values' (row, values or RowError)."""
    for row, item in values:
        if item.__class__ is not RowError:
            try:
                item = parse_row(item, row, program, default_date, notation)
            except RowError as exc:
                item = exc
        yield row, item


def _worker_init(state: dict) -> None:
    _STATE.update(state)
    _STATE.setdefault("cache", OrderedDict())
    program = _STATE["program"]
    if program.engine is not None:  # an engine's native state is not shared across processes: a fresh one
        from dataclasses import replace

        from ..engine.engine_durable import durable_program

        _STATE["program"] = durable_program(replace(program, engine=None))


def _worker_run(args):
    kind, header, first_row, block = args
    s = _STATE
    return evaluate_chunk(s["program"], s["occupancy"], kind, header, first_row, block, s["date"], s["full"],
                          s["cache"], s.get("stop", False))


# --- the streaming part -----------------------------------------------------------------------------


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
        summary.errors.extend(result.errors[:max(0, KEPT_ROWS - len(summary.errors))])
        summary.movers += result.movers
        summary.mover_rows.extend(result.mover_rows[:max(0, KEPT_ROWS - len(summary.mover_rows))])
        if result.errors and on_error == "fail":
            return False
        write(result.text)
        if progress:
            progress(summary.rows, bytes_read[0], size)
        return True

    def run_all() -> bool:
        chunks = line_blocks(input_path, kind, on_chunk, EXPLAIN_BLOCK_BYTES if full else None)
        if jobs <= 1:
            cache: OrderedDict = OrderedDict()
            if _large(program, size):
                _warm(program, occupancy, default_date, full, cache)
            for k, header, first, block in chunks:
                if not consume(evaluate_chunk(program, occupancy, k, header, first, block, default_date, full, cache,
                                              on_error == "fail")):
                    return False
            return True
        return _parallel(program, occupancy, default_date, full, jobs, chunks, consume, on_error == "fail",
                         _large(program, size))

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


ROW_BYTES = 40  # about the size of a plain CSV row (id, size, income, category, home)


def _large(program: Program, size: int) -> bool:
    """Whether an input of size bytes has about as many rows as the policy has places (portieken), or more."""
    return size >= ROW_BYTES * len(program.policy.units.columns().places)


def _warm(program: Program, occupancy: Occupancy, default_date: dt.date | None, full: bool, cache: OrderedDict
          ) -> None:
    """Before the rows: the composition on the default date and its compiled rules, and for decisions only, every
    place's context and groups made in order (an input that reads most homes would make each at its first row,
    at random, at twice the cost)."""
    if default_date is None:
        return
    comp = _composition(program, occupancy, default_date, cache)
    fast = compiled(program, default_date)  # kept in evaluate.compiled's cache
    if fast is not None and fast.prepare is not None and not full:
        with gc_paused():
            fast.prepare(comp)


def _parallel(program, occupancy, default_date, full, jobs, chunks, consume, stop: bool, large: bool = False
              ) -> bool:
    """Chunks to a process pool, at most 2 x jobs in flight, results consumed in input order."""
    methods = multiprocessing.get_all_start_methods()
    ctx = multiprocessing.get_context("fork" if "fork" in methods else "spawn")
    state = {"program": program, "occupancy": occupancy, "date": default_date, "full": full, "stop": stop}
    if ctx.get_start_method() == "fork":
        # Inherited by the forked workers: nothing to send or load again, and the composition on
        # the default date is counted once here rather than once per worker.
        cache: OrderedDict = OrderedDict()
        if large:
            _warm(program, occupancy, default_date, full, cache)
        elif default_date is not None:
            cache[default_date] = composition(program.policy, occupancy, default_date)
            compiled(program, default_date)  # the compiled rules too, kept in evaluate.compiled's cache
        kept_homes_index(occupancy)  # who lives where: made once here, inherited by the workers
        _STATE.update(state, cache=cache)
        thaw = gc.get_freeze_count() == 0  # a caller that froze its own objects (the CLI does) keeps them frozen
        gc.freeze()  # what the workers inherit is never walked by their collectors (nor copied for it)
        initargs: tuple = ({},)
    else:
        initargs, thaw = (state,), False
    pending = []
    try:
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
    finally:
        if thaw:  # the workers keep theirs; a calling process that froze nothing collects as before
            gc.unfreeze()
