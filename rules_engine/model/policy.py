"""The policy as immutable data: what load -> validate produces and compile -> evaluate read."""

from __future__ import annotations

import bisect
import datetime as dt
from dataclasses import field
from functools import cached_property
from fractions import Fraction
from types import MappingProxyType
from typing import Mapping

from .levels import DEFAULT as DEFAULT_LEVELS, Levels, UNIT_LEVEL
from .units import Portieken, Unit, UnitTable, Where  # noqa: F401 - part of the model, kept in units.py
from .outcomes import (OUTCOME_LABELS, OUTCOMES, PLACEMENT, RULE_KINDS, RULE_OUTCOMES, SEVERITY, UNDECIDED,  # noqa: F401 - read here by their old names
                       Outcome, RuleKind)
from ..lang.records import frozen

LEVELS = (UNIT_LEVEL,) + DEFAULT_LEVELS.keys
"""What a rule's level may name in a policy without levels of its own (the policy's: Policy.levels.rule_levels)."""


def frozen_map(items) -> Mapping:
    """A read-only mapping (insertion order kept)."""
    return MappingProxyType(dict(items))


@frozen
class Label:
    """Text in Dutch and English."""

    nl: str
    en: str

    def get(self, lang: str) -> str:
        """The text in 'nl' or 'en'."""
        return self.nl if lang == "nl" else self.en


@frozen
class Category:
    """A tenant category defined by the policy."""

    id: str
    label: Label
    description: Label | None


@frozen
class Band:
    """The shares of one category that count as in balance: low <= share <= high."""

    low: Fraction
    high: Fraction


@frozen
class LevelMix:
    """Targets and bands per category for one group (a buurt or a complex)."""

    targets: Mapping[str, Fraction]
    bands: Mapping[str, Band]


@frozen
class Buurt:
    """A CBS buurt with its reference year and its mix targets; also a group of a level above it (a wijk)."""

    code: str
    year: int
    name: str
    mix: LevelMix
    up: Mapping[str, str] = field(default_factory=lambda: frozen_map({}))  # level above -> its group holding this one


@frozen(eq=False)
class Profile:
    """A complex profile version: the complex's mix and portiek limits from valid_from on."""

    valid_from: dt.date
    note: str
    mix: LevelMix
    portiek_max_households: Mapping[str, int]
    min_households: int
    where: Where | None


@frozen
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


@frozen
class DatedValue:
    """A parameter value from a date on, with its source."""

    valid_from: dt.date
    value: Fraction
    source: str
    note: str
    where: Where


@frozen
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


@frozen
class Text:
    """A piece of policy text (condition, value or template) and where it starts."""

    text: str
    where: Where
    offset: int  # columns between the node start and the text's first character (1 for quotes)


@frozen
class Case:
    """One case of a definition: when (None for 'otherwise') and value."""

    when: Text | None
    value: Text


@frozen
class Definition:
    """A named value computed from facts: def.NAME."""

    name: str
    label: Label
    unit: str
    cases: tuple[Case, ...]
    where: Where


@frozen
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


@frozen
class DeviationReason:
    """A code a person may give for not following the advice (policy.yaml `deviation_reasons`)."""

    id: str
    label: Label
    legal: bool  # may be used to deviate from a legal outcome (niet toegestaan)


@frozen
class Route:
    """A placement route the policy declares (policy.yaml `routes`): a household coming through it gets
    plaatsing, never ontraden; legal rules keep their effect and the mix rules are shown as information."""

    id: str
    label: Label
    source: str = ""


@frozen
class RankingStrategy:
    """Which outcomes drop out of a ranking, and the order of the others (portal order kept inside each)."""

    drop: tuple[str, ...] = ("niet_toegestaan", UNDECIDED)
    order: tuple[str, ...] = (PLACEMENT, "voorkeur", "passend", "ontraden")


@frozen(eq=False)
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
