"""The composition on one date straight from an occupancy file: for a whole stock at once.

load_occupancy keeps every dated row of every home; `magicmix status` only needs, per home,
the row in force on its date. composition_at reads the file once and keeps just that, with
exactly the checks of load_occupancy (checked_blocks) and the same outcome as
composition(policy, load_occupancy(...), date); a test holds the two together.

A large CSV file is read in two halves at once, the second in a forked process, when it can
be cut at a line break without changing what its rows are (no quotes, no lone carriage
returns). Should that process fail, its half is read here: the outcome never depends on it.
"""

from __future__ import annotations

import datetime as dt
import io
import multiprocessing
import os
from array import array
from bisect import bisect_right
from collections import deque
from functools import lru_cache
from types import MappingProxyType
from itertools import compress
from typing import Mapping

from ..diagnostics import PolicyError, make
from ..load.load import gc_paused
from ..model.policy import Policy
from ..lang.facts import Group
from ..load.occupancy import (Composition, composition, consume_csv, groups_from_places, load_occupancy, load_occupancy_csv,
                              table_reader)
from ..model.levels import groups_above
from ..load.occupancy_rows import FirstRows, checked_blocks, in_order, nonzero_span, seen_positions, twice
from ..load.home_order import decoded, encoded, keep_order, read_order

PARALLEL_FROM = 16 * 1024 * 1024  # bytes of CSV; below this a second process costs more than it saves
# The share of the file read here. The second process also packs what it kept and sends it back (about a
# fifth of its reading time, measured on a national stock), so both finish together when this one reads more.
FIRST_SHARE = 0.58
# The share read here when the second process starts before the policy is loaded (start_early): this one
# loads the policy (about a second at national scale) while the other reads.
EARLY_SHARE = 0.38
MAX_DIAGNOSTICS = 100  # as load_occupancy


class _Latest:
    """Per home (by position in policy.units), the row in force on a date so far: its valid_from and category."""

    def __init__(self, policy: Policy, date: dt.date):
        n = len(policy.units)
        self.date = date
        self.since = array("l", [0]) * n  # valid_from as an ordinal; 0: no row yet
        self.codes = bytearray(n)  # 0: nobody lives there; otherwise 1 + the category's index
        self.code = {c: i + 1 for i, c in enumerate(policy.category_ids)}
        self.code[''] = 0  # an empty home (checked rows have a category with a household only)
        self.seen = FirstRows(n)  # every home's first row per date, as load_occupancy checks them
        self.column: int | None = None  # of valid_from, for a home given twice across two parts

    def take(self, path: str, header: list, rows, policy: Policy, text_cells: bool) -> "_Latest":
        """Keep the checked rows that count on the date (a consumer for the table readers)."""
        since, codes, code, until = self.since, self.codes, self.code, self.date.toordinal()
        names = [str(h or "").strip().lower() for h in header]
        self.column = names.index("valid_from") + 1 if "valid_from" in names else None
        for block in checked_blocks(path, header, rows, policy, text_cells, self.seen):
            if block.__class__ is list:
                for i, _, household, category, _, day in block:
                    if day <= until and day >= since[i]:  # (a home twice on one date was refused by checked_blocks)
                        since[i] = day
                        codes[i] = code[category] if household else 0
            elif block.fresh:  # every home new to this part: nothing kept for it yet, so each row counts
                positions, days, categories = block.positions, block.days, block.categories
                if max(days) <= until and positions.__class__ is range:  # homes side by side: in slices
                    since[positions.start:positions.stop] = array("l", days)
                    codes[positions.start:positions.stop] = bytes(map(code.__getitem__, categories))  # code[''] is 0
                    continue
                if max(days) > until:
                    keep = list(map(until.__ge__, days))
                    positions, days, categories = (list(compress(column, keep)) for column in (positions, days, categories))
                deque(map(since.__setitem__, positions, days), 0)
                deque(map(codes.__setitem__, positions, map(code.__getitem__, categories)), 0)
            else:
                for i, category, day in zip(block.positions, block.categories, block.days):
                    if day <= until and day >= since[i]:
                        since[i] = day
                        codes[i] = code[category]
        return self

    def compact(self) -> tuple:
        """What merge needs of this part: the span of homes it has rows for (cheap to send between processes)."""
        first, end = nonzero_span(self.since)
        return first, self.since[first:end], self.codes[first:end], self.seen.compact(), self.column

    def merge(self, later: tuple, path: str, policy: Policy) -> list:
        """Take in what a later part of the same file kept (its compact()); the diagnostics of homes given twice
        across the parts."""
        start, later_since, later_codes, seen, column = later
        clashes = sorted(self.seen.merge(seen), key=lambda clash: clash[3])  # by row, as in one pass
        if clashes:
            ids = in_order(policy)
            return [twice(path, row, column, ids[i], day, earlier)
                    for i, day, earlier, row in clashes[:MAX_DIAGNOSTICS]]
        since, codes = self.since, self.codes
        end = start + len(later_since)
        if since[start:end] == array("l", [0]) * len(later_since):  # nothing kept here for those homes: in C
            since[start:end], codes[start:end] = later_since, later_codes
            return []
        for k in seen_positions(later_since):
            i, day = start + k, later_since[k]
            if day >= since[i]:
                since[i] = day
                codes[i] = later_codes[k]
        return []

    def composition(self, policy: Policy) -> Composition:
        """Count what was kept into every portiek, complex and buurt."""
        living = _Living(in_order(policy), self.codes, policy.category_ids)  # (the table's list: not copied)
        codes = bytes(self.codes)
        layout = _layout(policy)
        if layout is None:  # a complex's portieken apart in the unit table (not as the loader builds it)
            return Composition(self.date, groups_from_places(policy, _per_place(policy, codes)), living)
        portiek_keys, slices, complexes = layout
        categories = tuple(enumerate(policy.category_ids, 1))
        nobody = MappingProxyType({})
        # every portiek's codes, in C; each distinct one counted once (most portieken have a twin somewhere)
        parts = list(map(codes.__getitem__, slices))
        made = {}
        for part in set(parts):
            counts = {cid: k for code, cid in categories if (k := part.count(code))}
            made[part] = Group(len(part), sum(counts.values()), MappingProxyType(counts) if counts else nobody)
        groups: dict = dict(zip(portiek_keys, map(made.__getitem__, parts)))
        buurten: dict = {}  # buurt -> [homes, counts]
        for complex_id, buurt, first, end, starts in complexes:
            part = codes[first:end]
            counts = {cid: k for code, cid in categories if (k := part.count(code))}
            if len(counts) > 1:  # in the order groups_from_places adds them: by the first portiek that has it
                at = {cid: bisect_right(starts, part.find(code)) for code, cid in categories if cid in counts}
                counts = {cid: counts[cid] for cid in sorted(counts, key=at.__getitem__)}  # (sorted is stable)
            groups[("complex", complex_id)] = Group(end - first, sum(counts.values()), MappingProxyType(counts))
            acc = buurten.get(buurt)
            if acc is None:
                acc = buurten[buurt] = [0, {}]
            acc[0] += end - first
            total = acc[1]
            for cat, k in counts.items():
                total[cat] = total.get(cat, 0) + k
        for buurt, (n, c) in buurten.items():
            groups[("buurt", buurt)] = Group(n, sum(c.values()), MappingProxyType(c))
        groups.update(groups_above(policy, groups))
        return Composition(self.date, MappingProxyType(groups), living)


def _per_place(policy: Policy, codes: bytes) -> list:
    """The households per category in each portiek (None: nobody), for groups_from_places."""
    categories = tuple(enumerate(policy.category_ids, 1))
    per_place: list = []
    for first, end in _ranges(policy):
        part = codes[first:end]
        per_place.append({cid: k for code, cid in categories if (k := part.count(code))} or None)
    return per_place


@lru_cache(maxsize=16)
def _layout(policy: Policy) -> tuple | None:
    """(the key of every portiek's group, a slice of its homes' positions, and per complex (id, buurt, first
    and end position, the offsets in it where its portieken start)), or None when a complex's portieken do not
    lie together."""
    places, ranges = policy.units.places(), policy.units.place_ranges()
    complexes: list = []
    for (_, complex_id, buurt), (first, end) in zip(places, ranges):
        if complexes and complexes[-1][0] == complex_id:
            complexes[-1][3] = end
            complexes[-1][4].append(first - complexes[-1][2])
        else:
            complexes.append([complex_id, buurt, first, end, [0]])
    if len(complexes) != len({c[0] for c in complexes}):
        return None
    return ([("portiek", portiek) for portiek, _, _ in places], [slice(first, end) for first, end in ranges],
            [(cid, buurt, first, end, tuple(starts)) for cid, buurt, first, end, starts in complexes])


@lru_cache(maxsize=16)
def _ranges(policy: Policy) -> list[tuple[int, int]]:
    return policy.units.place_ranges()


class _Living(Mapping):
    """Home id -> category of the household living there, read from what _Latest kept."""

    def __init__(self, ids: list, codes: bytearray, categories: tuple[str, ...]):
        self._ids, self._codes, self._categories = ids, codes, categories
        self._positions: dict | None = None

    def __getitem__(self, uid: str) -> str:
        if self._positions is None:
            self._positions = {u: i for i, u in enumerate(self._ids) if self._codes[i]}
        i = self._positions[uid]
        return self._categories[self._codes[i] - 1]

    def __iter__(self):
        return (u for u, code in zip(self._ids, self._codes) if code)

    def __len__(self) -> int:
        return len(self._codes) - self._codes.count(0)


def composition_at(path: str, policy: Policy, date: dt.date, early: "Early | None" = None) -> Composition:
    """The composition on a date from an occupancy file, with the checks and outcome of load_occupancy (but for a
    CSV or Excel file not household-two-homes: no household ids are kept here; docs/status.md).

    early: the later part of the same file already being read (start_early), used when it was read with
    this policy's homes and categories, else stopped."""
    with gc_paused():
        if early is not None:
            latest = early.latest(path, policy, date)
            if latest is not None:
                return latest.composition(policy)
        reader = table_reader(path)
        if reader is None:
            return composition(policy, load_occupancy(path, policy), date)
        halves = _halves(path) if reader is load_occupancy_csv else None
        if halves is None:
            return reader(path, policy, _Latest(policy, date).take).composition(policy)
        return _two_halves(path, policy, date, *halves).composition(policy)


def _halves(path: str, share: float = FIRST_SHARE) -> tuple[bytes, int] | None:
    """The file's bytes and where to cut them in two (about share of them before the cut), when a second
    process is worth it and safe."""
    if (os.cpu_count() or 1) < 2 or "fork" not in multiprocessing.get_all_start_methods():
        return None
    try:
        if os.path.getsize(path) < PARALLEL_FROM:
            return None
        with open(path, "rb") as fh:
            data = fh.read()
    except OSError:
        return None  # the ordinary reader reports it
    # A quoted field may hold a line break, and a lone CR ends a row: then rows are not lines. A file that
    # is not UTF-8 (cp1252 from Excel NL, or refused) is read in one pass. (Counting CRs byte by byte takes a
    # tenth of a second at national scale; most exports have none, which `in` finds in C at once.)
    if b'"' in data or (b"\r" in data and data.count(b"\r") != data.count(b"\r\n")) or not _is_utf8(data):
        return None
    header_end = data.find(b"\n")
    cut = data.find(b"\n", max(header_end + 1, int(len(data) * share)))
    if header_end < 0 or cut < 0 or cut + 1 >= len(data):
        return None
    return data, cut + 1


def _is_utf8(data: bytes) -> bool:
    if data.isascii():  # the common case, and a hundred times faster to tell
        return True
    try:
        data.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return True


def _decode(path: str, raw: bytes, encoding: str) -> str:
    try:
        return raw.decode(encoding)
    except UnicodeDecodeError:
        raise PolicyError([make("not-utf8", path)]) from None


def _part(path: str, policy: Policy, date: dt.date, data: bytes, start: int, end: int,
          header_line: str | None, first_row: int) -> tuple[_Latest, list]:
    """What one part of a CSV file keeps, and its diagnostics (rows numbered as in the whole file)."""
    latest = _Latest(policy, date)
    try:
        text = _decode(path, data[start:end], "utf-8-sig" if start == 0 else "utf-8")
        consume_csv(path, io.StringIO(text, newline=""), policy, latest.take, header_line, first_row)
        return latest, []
    except PolicyError as exc:
        return latest, list(exc.diagnostics)


def _later_part(*args) -> tuple[tuple, list]:
    """_part, with what it kept in compact form (see _Latest.compact)."""
    latest, problems = _part(*args)
    return latest.compact(), problems


def _two_halves(path: str, policy: Policy, date: dt.date, data: bytes, cut: int, result=None) -> _Latest:
    """The two parts of the file read at once, the later in a second process (result: one already started)."""
    header_line = _decode(path, data[:data.find(b"\n") + 1], "utf-8-sig")
    second = (path, policy, date, data, cut, len(data), header_line, data.count(b"\n", 0, cut) + 1)
    if result is None:
        result = _Forked(_later_part, second).result
    first, problems = _part(path, policy, date, data, 0, cut, None, 2)
    if any(d.code == "missing-key" for d in problems):
        result()  # the header is wrong: the second half only repeats that
        raise PolicyError(problems)
    later = result() or _later_part(*second)
    # the homes given twice across the parts too when either part found something else, all by row as one
    # pass lists them (a clash before the later part's other messages at its row: one pass notes it first)
    found = problems + first.merge(later[0], path, policy) + later[1]
    if found:
        raise PolicyError(sorted(found, key=_row)[:MAX_DIAGNOSTICS])
    return first


def _row(diagnostic) -> int:
    return diagnostic.line or 0


class _Forked:
    """fn(*args) run in a forked process (which shares this one's memory at the fork)."""

    def __init__(self, fn, args: tuple):
        ctx = multiprocessing.get_context("fork")
        self._receive, send = ctx.Pipe(duplex=False)
        self._process = ctx.Process(target=_send_result, args=(send, fn, args), daemon=True)
        self._process.start()
        send.close()

    def result(self):
        """Wait for its result; None when the process failed."""
        try:
            return self._receive.recv()
        except (EOFError, OSError):
            return None
        finally:
            self._receive.close()
            self._process.join()

    def stop(self) -> None:
        """End the process without its result."""
        self._process.terminate()
        self._process.join()
        self._receive.close()



def _send_result(connection, fn, args: tuple) -> None:
    try:
        connection.send(fn(*args))
    except BaseException:  # noqa: BLE001 - the parent does the work itself when nothing arrives
        pass
    finally:
        connection.close()


class Early:
    """A large CSV occupancy file whose later part is read in a second process while the policy loads.

    That process reads with the order of the policy's homes and its categories as an earlier run kept them
    (load/home_order.py). What it finds is used only when the policy loaded encodes to the very bytes it
    read with, and only when it found nothing wrong (else the part is read again here, with the policy, so
    every message is as ever); keep() keeps this policy's order for the next run."""

    def __init__(self, root: str, path: str, date: dt.date, order: bytes | None, halves: tuple[bytes, int] | None):
        self.root, self.path, self.date, self.order = root, path, date, order
        self._policy_order: bytes | None = None
        self._halves = halves
        self._job = None
        if order is not None and halves is not None:
            data, cut = halves
            header_line = data[:data.find(b"\n") + 1].decode("utf-8-sig")  # (_halves: UTF-8)
            second = (path, None, date, data, cut, len(data), header_line, data.count(b"\n", 0, cut) + 1)
            self._job = _Forked(_early_part, (order, second))

    def latest(self, path: str, policy: Policy, date: dt.date) -> _Latest | None:
        """What both parts keep, read with policy; None (and the second process stopped) when the part read
        early does not count for this policy, file and date."""
        job, self._job = self._job, None
        if job is None:
            return None
        self._policy_order = encoded(policy)
        if path != self.path or date != self.date or self._policy_order != self.order:
            job.stop()
            self._halves = None
            return None
        (data, cut), self._halves = self._halves, None
        return _two_halves(path, policy, date, data, cut, job.result)

    def keep(self, policy: Policy) -> None:
        """Keep the order of policy's homes for the next run, when it is not what this run started with."""
        keep_order(self.root, self._policy_order if self._policy_order is not None else encoded(policy), self.order)
        self.order = self._policy_order = self._halves = None

    def stop(self) -> None:
        """Stop the second process, if it still runs (the command ends without reading the occupancy)."""
        job, self._job = self._job, None
        if job is not None:
            job.stop()


def start_early(path: str | None, root: str, date: dt.date) -> Early | None:
    """Start reading the later part of a large CSV occupancy file before the policy of folder root is loaded;
    None for any other occupancy (read as ever once the policy is there)."""
    if path is None or table_reader(path) is not load_occupancy_csv:
        return None
    order = read_order(root)
    if order is None:  # nothing to read with yet (a first run): the file is read once the policy is there
        try:
            large = os.path.getsize(path) >= PARALLEL_FROM
        except OSError:
            return None
        return Early(root, path, date, None, None) if large else None  # (to keep the order for the next run)
    halves = _halves(path, EARLY_SHARE)
    if halves is None:
        return None
    return Early(root, path, date, order, halves)


def _early_part(order: bytes, second: tuple) -> tuple[tuple, list] | None:
    """_later_part with the homes and categories of order (home_order.encoded); None when it found anything
    wrong (that part is then read again with the policy)."""
    view = decoded(order)
    if view is None:
        return None
    path, _, *rest = second
    latest, problems = _part(path, view, *rest)
    return None if problems else (latest.compact(), [])
