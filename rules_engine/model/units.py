"""The homes of a policy: one Unit per home, kept by column in a UnitTable (2.3 million homes fit), and the
portieken of a complex read from that table. Part of the model (model.py re-exports these names)."""

from __future__ import annotations

import bisect
import contextlib
from array import array
from functools import partial
from fractions import Fraction
from typing import Callable, Iterator, Mapping, NamedTuple, Sequence
from ..lang.records import frozen


@frozen
class Where:
    """A position in a policy file (1-based line and column)."""

    file: str
    line: int
    column: int

    def __str__(self) -> str:
        return f"{self.file}:{self.line}"


class Unit(NamedTuple):
    """A home: its rooms and rent, and where it lies (portiek, complex, buurt).

    A named tuple, built from the unit table's columns each time a home is read: quick to make."""

    id: str
    rooms: int
    rent: Fraction
    daeb: bool
    floor: int | None
    portiek: str  # "<complex id>/<portiek id>"
    complex: str
    buurt: str
    where: Where


_new_unit = partial(tuple.__new__, Unit)  # a named tuple's own __new__ is Python code


class Columns(NamedTuple):
    """A unit table's columns, read by position (for code that reads millions of homes without building a Unit).

    position(uid) gives a home's position or None; every other field is indexed by that position,
    except places, indexed by place (a portiek: its key, complex id and buurt code)."""

    position: Callable[[str], int | None]
    rooms: Sequence[int]
    rent_num: Sequence[int]  # the rent as a Fraction's numerator and denominator (in lowest terms)
    rent_den: Sequence[int]
    daeb: Sequence[int]  # 1 for a DAEB home, 0 otherwise
    floor: Sequence[int | None]
    place: Sequence[int]  # the home's place number
    places: Sequence[tuple[str, str, str]]


_BUILT_KEPT = 65_536  # a unit table of at most this many homes keeps them built once read


class UnitTable(Mapping):
    """Every home of a policy by id, stored by column; reading one gives a Unit.

    A national stock has millions of homes: as columns they are built, cached and counted in a
    fraction of the time and memory that as many Unit objects would take. Read-only once built.
    """

    __slots__ = ("_ids", "_index", "_rooms", "_rent_num", "_rent_den", "_daeb", "_floor", "_place", "_places",
                 "_starts", "_file", "_files", "_line", "_column", "_sorted", "_built")

    def __init__(self):
        self._ids: list[str] = []
        self._index: dict[str, int] = {}
        self._rooms, self._daeb = array("q"), bytearray()
        self._rent_num: list[int] = []
        self._rent_den: list[int] = []
        self._floor: list = []
        self._place = array("l")  # index into _places: one (portiek, complex, buurt) per portiek
        self._places: list[tuple[str, str, str]] = []
        self._starts = array("l")  # position of each portiek's first home: a portiek's homes lie together
        self._file = array("l")
        self._files: list[str] = []
        self._line, self._column = array("l"), array("l")
        self._sorted: list[str] | None = None  # ids in sorted order, made when a hint first needs them
        self._built: dict[str, Unit] = {}  # homes already read (small tables only): evaluations reread them

    def add_place(self, portiek: str, complex_id: str, buurt: str) -> int:
        """Register a portiek (while building); returns the number that add() takes."""
        self._places.append((portiek, complex_id, buurt))
        self._starts.append(len(self._ids))
        return len(self._places) - 1

    def add_file(self, path: str) -> int:
        """Register a complex file (while building); returns the number that add() takes."""
        self._files.append(path)
        return len(self._files) - 1

    def add(self, uid: str, rooms: int, rent: Fraction, daeb: bool, floor, place: int, file: int, line: int,
            column: int) -> None:
        """Add a home (while building); the id must be new."""
        self._index[uid] = len(self._ids)
        self._ids.append(uid)
        self._rooms.append(rooms)
        self._rent_num.append(rent.numerator)
        self._rent_den.append(rent.denominator)
        self._daeb.append(1 if daeb else 0)
        self._floor.append(floor)
        self._place.append(place)
        self._file.append(file)
        self._line.append(line)
        self._column.append(column)

    def distinct(self) -> bool:
        """Whether no home id occurs twice: always so for a table built with add(); a table made from its columns
        (the policy cache's parts, load/complex_part.py) is checked with this."""
        return len(self._index) == len(self._ids)

    def similar(self, word: str, around: int = 50) -> list[str]:
        """The ids next to word in sorted order: where the hint for a mistyped id is looked for.

        Comparing a word with 2.3 million ids takes seconds per message; its sorted neighbours do."""
        if self._sorted is None:
            self._sorted = sorted(self._ids)
        i = bisect.bisect_left(self._sorted, word)
        return self._sorted[max(0, i - around):i + around]

    def where_text(self, uid: str) -> str:
        """file:line of a home, without building its Unit."""
        i = self._index[uid]
        return f"{self._files[self._file[i]]}:{self._line[i]}"

    def places(self) -> list[tuple[str, str, str]]:
        """Every portiek as (portiek key, complex id, buurt code), in policy order."""
        return list(self._places)

    def position_of(self):
        """A function: home id -> its position, or None. The table's own lookup, for millions of rows (a
        read-only view's get costs twice as much)."""
        return self._index.get

    def columns(self) -> Columns:
        """The table's columns as they are (read-only by contract): no copy, no Unit built."""
        return Columns(self._index.get, self._rooms, self._rent_num, self._rent_den, self._daeb, self._floor,
                       self._place, self._places)

    def place_number(self, uid: str) -> int | None:
        """The number of a home's portiek in places(), or None for an unknown home (for fast counting)."""
        i = self._index.get(uid)
        return None if i is None else self._place[i]

    def homes_of_place(self, number: int) -> tuple[str, ...]:
        """The ids of the homes in portiek number of places()."""
        first = self._starts[number]
        end = self._starts[number + 1] if number + 1 < len(self._starts) else len(self._ids)
        return tuple(self._ids[first:end])

    def place_ranges(self) -> list[tuple[int, int]]:
        """The positions of each portiek's homes, as (first, end) per portiek of places()."""
        ends = list(self._starts[1:]) + [len(self._ids)]
        return list(zip(self._starts, ends))

    def homes_per_place(self) -> list[int]:
        """The number of homes in each portiek of places()."""
        return [end - first for first, end in self.place_ranges()]

    def __getitem__(self, uid: str) -> Unit:
        unit = self._built.get(uid)
        if unit is None:
            unit = self._build(uid)
            if len(self._ids) <= _BUILT_KEPT:  # a larger stock is read at random: keeping would not pay
                self._built[uid] = unit
        return unit

    def get(self, uid: str, default=None):
        """The home with this id, or default."""
        return self[uid] if uid in self._index else default

    def _build(self, uid: str) -> Unit:
        i = self._index[uid]
        portiek, complex_id, buurt = self._places[self._place[i]]
        return _new_unit((uid, self._rooms[i], Fraction(self._rent_num[i], self._rent_den[i]), bool(self._daeb[i]),
                          self._floor[i], portiek, complex_id, buurt,
                          Where(self._files[self._file[i]], self._line[i], self._column[i])))

    def __contains__(self, uid) -> bool:
        return uid in self._index

    def __iter__(self) -> Iterator[str]:
        return iter(self._ids)

    def __len__(self) -> int:
        return len(self._ids)

    def __getstate__(self):
        """The columns as a few large objects where they allow it (the policy cache unpickles millions of homes):
        the ids as one text (split in C when read) and the rents as arrays of 64-bit integers."""
        state = {name: getattr(self, name) for name in self.__slots__ if name not in ("_index", "_sorted", "_built")}
        joined = "\n".join(self._ids)
        if self._ids and joined.count("\n") == len(self._ids) - 1:  # no id holds a newline: split gives them back
            state["_ids"] = joined
        for name in ("_rent_num", "_rent_den"):
            with contextlib.suppress(OverflowError):  # a rent beyond 64 bits stays a list of ints
                state[name] = array("q", state[name])
        return state

    def __setstate__(self, state) -> None:
        for name, value in state.items():
            setattr(self, name, value.split("\n") if name == "_ids" and isinstance(value, str) else value)
        self._sorted = None
        self._built = {}
        # _index is left unset until first read (__getattr__): the dict of 2.3 million ids takes most of a second
        # to build, and `magicmix status` finds its homes by position (load/occupancy_rows.py) without it. A table
        # made by __init__ and then from columns (the cache's parts, complex_part.assemble) drops its old index.
        with contextlib.suppress(AttributeError):
            del self._index

    def __getattr__(self, name: str):
        if name != "_index":  # only an unset slot comes here; _index is the only one left unset (__setstate__)
            raise AttributeError(name)
        index = self._index = dict(zip(self._ids, range(len(self._ids))))
        return index

    def ids_in_order(self) -> list[str]:
        """The ids of every home in position order: the table's own list, not a copy (read it, never change it)."""
        return self._ids


class Portieken(Mapping):
    """A complex's portieken: portiek key -> the ids of its homes, read from the policy's unit table.

    Holding a portiek's number rather than its homes keeps 2.3 million ids out of the complexes."""

    __slots__ = ("_units", "_numbers")

    def __init__(self, units: UnitTable, numbers: dict[str, int]):
        self._units, self._numbers = units, numbers

    def __getitem__(self, key: str) -> tuple[str, ...]:
        return self._units.homes_of_place(self._numbers[key])

    def __iter__(self) -> Iterator[str]:
        return iter(self._numbers)

    def __len__(self) -> int:
        return len(self._numbers)

    def __getstate__(self):
        return self._units, self._numbers

    def __setstate__(self, state) -> None:
        self._units, self._numbers = state
