"""The policy as immutable data: what load -> validate produces and compile -> evaluate read."""

from __future__ import annotations

import bisect
import datetime as dt
from array import array
from dataclasses import dataclass, field
from functools import cached_property, partial
from fractions import Fraction
from types import MappingProxyType
from typing import Iterator, Mapping, NamedTuple

from .levels import DEFAULT as DEFAULT_LEVELS, Levels, UNIT_LEVEL
from .outcomes import (OUTCOME_LABELS, OUTCOMES, PLACEMENT, RULE_KINDS, RULE_OUTCOMES, SEVERITY, UNDECIDED,  # noqa: F401 - read here by their old names
                       Outcome, RuleKind)

LEVELS = (UNIT_LEVEL,) + DEFAULT_LEVELS.keys
"""What a rule's level may name in a policy without levels of its own (the policy's: Policy.levels.rule_levels)."""


def frozen_map(items) -> Mapping:
    """A read-only mapping (insertion order kept)."""
    return MappingProxyType(dict(items))


@dataclass(frozen=True)
class Where:
    """A position in a policy file (1-based line and column)."""

    file: str
    line: int
    column: int

    def __str__(self) -> str:
        return f"{self.file}:{self.line}"


@dataclass(frozen=True)
class Label:
    """Text in Dutch and English."""

    nl: str
    en: str

    def get(self, lang: str) -> str:
        """The text in 'nl' or 'en'."""
        return self.nl if lang == "nl" else self.en


@dataclass(frozen=True)
class Category:
    """A tenant category defined by the policy."""

    id: str
    label: Label
    description: Label | None


@dataclass(frozen=True)
class Band:
    """The shares of one category that count as in balance: low <= share <= high."""

    low: Fraction
    high: Fraction


@dataclass(frozen=True)
class LevelMix:
    """Targets and bands per category for one group (a buurt or a complex)."""

    targets: Mapping[str, Fraction]
    bands: Mapping[str, Band]


@dataclass(frozen=True)
class Buurt:
    """A CBS buurt with its reference year and its mix targets; also a group of a level above it (a wijk)."""

    code: str
    year: int
    name: str
    mix: LevelMix
    up: Mapping[str, str] = field(default_factory=lambda: frozen_map({}))  # level above -> its group holding this one


@dataclass(frozen=True, eq=False)
class Profile:
    """A complex profile version: the complex's mix and portiek limits from valid_from on."""

    valid_from: dt.date
    note: str
    mix: LevelMix
    portiek_max_households: Mapping[str, int]
    min_households: int
    where: Where | None


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

    def positions(self) -> Mapping[str, int]:
        """Home id -> its position (0, 1, ...) in the table, read-only."""
        return MappingProxyType(self._index)

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
        return {name: getattr(self, name) for name in self.__slots__ if name not in ("_index", "_sorted", "_built")}

    def __setstate__(self, state) -> None:
        for name, value in state.items():
            setattr(self, name, value)
        self._index = dict(zip(self._ids, range(len(self._ids))))
        self._sorted = None
        self._built = {}


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


@dataclass(frozen=True)
class Complex:
    """A housing complex with its profile versions and portieken."""

    id: str
    name: str
    buurt: str
    profiles: tuple[Profile, ...]  # oldest first; the first one is the policy default
    portieken: Portieken  # portiek key -> unit ids
    where: Where

    def profile_at(self, date: dt.date) -> Profile:
        """The profile version in force on a date."""
        if len(self.profiles) == 1:
            return self.profiles[0]
        starts = [p.valid_from for p in self.profiles]
        return self.profiles[max(0, bisect.bisect_right(starts, date) - 1)]


@dataclass(frozen=True)
class DatedValue:
    """A parameter value from a date on, with its source."""

    valid_from: dt.date
    value: Fraction
    source: str
    note: str
    where: Where


@dataclass(frozen=True)
class Parameter:
    """A named value that changes over time (OpenFisca style)."""

    name: str
    label: Label
    unit: str
    values: tuple[DatedValue, ...]
    where: Where | None = None
    annual: bool = False  # set anew every calendar year: a value holds until 31 December of its year

    def at(self, date: dt.date) -> DatedValue | None:
        """The value in force on a date, or None before the first one (or, if annual, in a year without one)."""
        starts = [v.valid_from for v in self.values]
        i = bisect.bisect_right(starts, date) - 1
        if i < 0 or (self.annual and self.values[i].valid_from.year < date.year):
            return None
        return self.values[i]


@dataclass(frozen=True)
class Text:
    """A piece of policy text (condition, value or template) and where it starts."""

    text: str
    where: Where
    offset: int  # columns between the node start and the text's first character (1 for quotes)


@dataclass(frozen=True)
class Case:
    """One case of a definition: when (None for 'otherwise') and value."""

    when: Text | None
    value: Text


@dataclass(frozen=True)
class Definition:
    """A named value computed from facts: def.NAME."""

    name: str
    label: Label
    unit: str
    cases: tuple[Case, ...]
    where: Where


@dataclass(frozen=True)
class Rule:
    """A rule as written: conditions, outcome and explanation templates."""

    id: str
    title: Label
    level: str
    kind: str  # legal | advice
    outcome: str
    mode: str  # all | any
    conditions: tuple[Text, ...]
    applies_when: tuple[Text, ...]
    fired_text: tuple[Text, Text]  # nl, en
    not_fired_text: tuple[Text, Text] | None
    source: str
    where: Where
    norm: Fraction | None = None  # share of lettings that must keep a legal rule (annual report)
    free_room: str | None = None  # the free allocation room a deviation from this legal rule uses


@dataclass(frozen=True)
class DeviationReason:
    """A code a person may give for not following the advice (policy.yaml `deviation_reasons`)."""

    id: str
    label: Label
    legal: bool  # may be used to deviate from a legal outcome (niet toegestaan)


@dataclass(frozen=True)
class Route:
    """A placement route the policy declares (policy.yaml `routes`): a household coming through it gets
    plaatsing, never ontraden; legal rules keep their effect and the mix rules are shown as information."""

    id: str
    label: Label
    source: str = ""


@dataclass(frozen=True)
class RankingStrategy:
    """Which outcomes drop out of a ranking, and the order of the others (portal order kept inside each)."""

    drop: tuple[str, ...] = ("niet_toegestaan", UNDECIDED)
    order: tuple[str, ...] = (PLACEMENT, "voorkeur", "passend", "ontraden")


@dataclass(frozen=True, eq=False)
class Policy:
    """A whole policy: metadata, categories, buurten, complexes, parameters, definitions and rules."""

    root: str
    id: str
    name: str
    owner: str
    version: str
    description: str
    categories: tuple[Category, ...]
    buurten: Mapping[str, Buurt]
    complexes: Mapping[str, Complex]
    units: UnitTable
    parameters: Mapping[str, Parameter]
    definitions: Mapping[str, Definition]
    rules: tuple[Rule, ...]
    content_hash: str
    ranking: RankingStrategy = RankingStrategy()
    levels: Levels = DEFAULT_LEVELS
    areas: Mapping[str, Mapping[str, Buurt]] = field(default_factory=lambda: frozen_map({}))  # levels above the buurt
    deviation_reasons: tuple[DeviationReason, ...] = ()  # codes a person may give when not following the advice
    free_allocation_room: Mapping[str, Fraction] = field(default_factory=lambda: frozen_map({}))  # key -> percent
    routes: Mapping[str, Route] = field(default_factory=lambda: frozen_map({}))  # placement routes by id

    def groups_of(self, level: str) -> Mapping[str, Buurt]:
        """The groups of the buurt level or a level above it, by code."""
        return self.buurten if level == "buurt" else self.areas[level]

    @cached_property
    def category_ids(self) -> tuple[str, ...]:
        """Category ids in policy order."""
        return tuple(c.id for c in self.categories)

    @cached_property
    def _by_id(self) -> Mapping[str, Category]:
        return frozen_map((c.id, c) for c in self.categories)

    def category(self, cid: str) -> Category:
        """The category with this id."""
        return self._by_id[cid]
