"""Facts a rule can name: the catalogue (types, units, descriptions) and the per-letting fact set.

Composition rules (documented in docs/policy-format.md):
- 'current' groups leave out the home being let: its occupant is moving out;
- 'projected' groups are current plus the applying household;
- the share of a category in a group with no households is 0 (never a division by zero).
"""

from __future__ import annotations

import datetime as dt
from collections import namedtuple
from dataclasses import field, fields
from fractions import Fraction
from functools import lru_cache
from typing import Callable, Mapping

from ..model.levels import DEFAULT, Levels
from ..model.policy import LevelMix, Profile, Unit, frozen_map
from .records import quick, tuple_record
from .records import frozen

GROUP_LEVELS = DEFAULT.keys
"""The group levels of a policy without levels of its own (a policy's: policy.levels.keys)."""


class Unknown:
    """A value that cannot be determined (missing fact, division by zero), with the reason why."""

    __slots__ = ("nl", "en")

    def __init__(self, nl: str, en: str):
        self.nl = nl
        self.en = en

    def __repr__(self) -> str:
        return f"Unknown({self.en!r})"


def no_case(definition: str) -> Unknown:
    """The Unknown of a definition none of whose cases applies (the compiled rules give it too)."""
    return Unknown(f"geen geval van definitie '{definition}' is van toepassing",
                   f"no case of definition '{definition}' applies")


def no_value(parameter: str, date) -> Unknown:
    """The Unknown of a parameter that has no value on the date (its reason names both)."""
    return Unknown(f"parameter '{parameter}' heeft geen waarde op {date.isoformat()}",
                   f"parameter '{parameter}' has no value on {date.isoformat()}")


@frozen
class _HouseholdFields:
    """Household's fields as a frozen dataclass declares them: what dataclasses.fields() and replace() read."""

    id: str
    size: int
    income: Fraction
    category: str
    age: int | None = None
    flags: tuple[str, ...] = ()
    older: bool = False  # an older household (AOW age; VERA isOuderenhuishouden)
    route: str | None = None  # the placement route it comes through (policy.yaml routes), if any


@tuple_record(_HouseholdFields)
class Household(namedtuple("Household", [f.name for f in fields(_HouseholdFields)], defaults=(None, (), False, None))):
    """The applying household: pseudonymous id, size, yearly income, category, age, flags, older, route.

    Built once per decision, so it is a tuple underneath (one allocation; attributes read at C
    speed) that behaves as the frozen dataclass it was: see records.tuple_record."""

    __slots__ = ()


@quick
@frozen
class Group:
    """The composition of a portiek, complex or buurt: homes, occupied homes, households per category."""

    homes: int
    occupied: int
    counts: Mapping[str, int]

    @property
    def vacant(self) -> int:
        """Homes without a household."""
        return self.homes - self.occupied

    def share(self, category: str) -> Fraction:
        """Share of a category among occupied homes; 0 for an empty group."""
        if self.occupied == 0:
            return Fraction(0)
        return Fraction(self.counts.get(category, 0), self.occupied)

    def shares(self) -> dict[str, Fraction]:
        """Shares of every counted category."""
        return {c: self.share(c) for c in self.counts}

    def plus(self, category: str, n: int = 1) -> "Group":
        """The group with n more households of a category."""
        counts = dict(self.counts)
        counts[category] = counts.get(category, 0) + n
        return Group(self.homes, self.occupied + n, counts)


@quick
@frozen
class Facts:
    """Everything the rules may read for one household x home x date."""

    date: dt.date
    household: Household
    unit: Unit
    profile: Profile
    buurt_mix: LevelMix
    current: Mapping[str, Group]  # level -> group
    projected: Mapping[str, Group]
    params: Mapping[str, object]  # name -> DatedValue | None
    above: Mapping[str, tuple[str, LevelMix]] = field(default_factory=lambda: _NONE_ABOVE)  # level above the buurt ->
    # (the home's group there, its mix)


_NONE_ABOVE = frozen_map({})


@quick
@frozen
class FactSpec:
    """One fact in the catalogue: its path, type, and what it means."""

    path: str
    type: str  # number:UNIT | text | category | bool | date | list | map:UNIT
    nl: str
    en: str
    get: Callable[[Facts], object]
    item: Callable[[Facts, str], object] | None = None  # fast lookup of one category in a map fact


def _no_limit(f: Facts, category: str):
    limit = f.profile.portiek_max_households.get(category)
    return no_limit(category) if limit is None else limit


def no_limit(category: str) -> Unknown:
    """The Unknown of a portiek maximum the profile does not set for a category (the compiled rules give it too)."""
    return Unknown(f"geen portieklimiet voor categorie '{category}'", f"no portiek limit for category '{category}'")


AGE_NOT_GIVEN = Unknown("leeftijd van het huishouden is niet opgegeven", "the household's age is not given")
FLOOR_NOT_GIVEN = Unknown("verdieping van de woning is niet opgegeven", "the home's floor is not given")
"""The reasons of a missing age and floor (read by the compiled rules too, so that records say the same)."""


def _age(f: Facts):
    return AGE_NOT_GIVEN if f.household.age is None else f.household.age


def _floor(f: Facts):
    return FLOOR_NOT_GIVEN if f.unit.floor is None else f.unit.floor


def _mix_of(level: str) -> Callable[[Facts], LevelMix]:
    """How the facts give a level's mix: the complex's profile, the buurt's, or a level above the buurt's."""
    if level == "complex":
        return lambda f: f.profile.mix
    if level == "buurt":
        return lambda f: f.buurt_mix
    return lambda f: f.above[level][1]


@lru_cache(maxsize=16)
def catalogue(levels: Levels = DEFAULT) -> Mapping[str, FactSpec]:
    """Every fact path a condition may use under a policy's levels, except param.NAME and def.NAME."""
    specs = [
        FactSpec("date", "date", "datum van de toewijzing", "date of the letting", lambda f: f.date),
        FactSpec("year", "number:count", "jaar van de toewijzing", "year of the letting", lambda f: f.date.year),
        FactSpec("household.id", "text", "pseudoniem van het huishouden", "pseudonymous household id",
                 lambda f: f.household.id),
        FactSpec("household.size", "number:count", "aantal personen in het huishouden", "number of persons",
                 lambda f: f.household.size),
        FactSpec("household.income", "number:euro_per_year", "inkomen van het huishouden per jaar",
                 "household income per year", lambda f: f.household.income),
        FactSpec("household.category", "category", "categorie van het huishouden", "the household's category",
                 lambda f: f.household.category),
        FactSpec("household.age", "number:count", "leeftijd van de hoofdaanvrager", "age of the main applicant", _age),
        FactSpec("household.older", "bool", "ouderenhuishouden (AOW-leeftijd bereikt)",
                 "older household (AOW age reached)", lambda f: f.household.older),
        FactSpec("household.route", "text", "plaatsingsroute van het huishouden (leeg: geen)",
                 "the household's placement route (empty: none)", lambda f: f.household.route or ""),
        FactSpec("household.flags", "list", "kenmerken van het huishouden (zoals urgent)",
                 "markers of the household (such as urgent)", lambda f: f.household.flags),
        FactSpec("unit.id", "text", "woningnummer", "home id", lambda f: f.unit.id),
        FactSpec("unit.rent", "number:euro_per_month", "kale huur per maand", "net rent per month",
                 lambda f: f.unit.rent),
        FactSpec("unit.rooms", "number:count", "aantal kamers", "number of rooms", lambda f: f.unit.rooms),
        FactSpec("unit.daeb", "bool", "DAEB-woning (sociale huur)", "DAEB (social) home", lambda f: f.unit.daeb),
        FactSpec("unit.floor", "number:count", "verdieping", "floor", _floor),
        FactSpec("unit.portiek", "text", "portiek", "portiek", lambda f: f.unit.portiek),
        FactSpec("unit.complex", "text", "complex", "complex", lambda f: f.unit.complex),
        FactSpec("unit.buurt", "text", "buurtcode", "buurt code", lambda f: f.unit.buurt),
        *(FactSpec(f"unit.{lv.field}", "text", f"code van {lv.the[0]}", f"code of {lv.the[1]}",
                   lambda f, k=lv.key: f.above[k][0]) for lv in levels.above_buurt),
        FactSpec("profile.min_households", "number:count",
                 "minimum aantal huishoudens voor een oordeel over aandelen",
                 "minimum number of households for judging shares", lambda f: f.profile.min_households),
        FactSpec("profile.portiek.max_households", "map:count", "maximum aantal huishoudens per categorie per portiek",
                 "maximum households per category per portiek", lambda f: f.profile.portiek_max_households,
                 _no_limit),
    ]
    for lv in levels.banded:
        level, (nl_level, en_level), mix_of = lv.key, lv.the, _mix_of(lv.key)
        specs += [
            FactSpec(f"profile.{level}.target", "map:percent", f"streefaandeel per categorie in {nl_level}",
                     f"target share per category in {en_level}", lambda f, m=mix_of: m(f).targets,
                     lambda f, k, m=mix_of: m(f).targets[k]),
            FactSpec(f"profile.{level}.floor", "map:percent", f"ondergrens van de band per categorie in {nl_level}",
                     f"lower band limit per category in {en_level}",
                     lambda f, m=mix_of: {c: b.low for c, b in m(f).bands.items()},
                     lambda f, k, m=mix_of: m(f).bands[k].low),
            FactSpec(f"profile.{level}.ceiling", "map:percent", f"bovengrens van de band per categorie in {nl_level}",
                     f"upper band limit per category in {en_level}",
                     lambda f, m=mix_of: {c: b.high for c, b in m(f).bands.items()},
                     lambda f, k, m=mix_of: m(f).bands[k].high),
        ]
    for when, nl_when, en_when in (("", "nu", "now"), ("projected.", "na deze toewijzing", "after this letting")):
        for level, (nl_l, en_l) in ((lv.key, lv.the) for lv in levels):

            def grp(f, w=when, lv=level):
                return (f.projected if w else f.current)[lv]

            specs += [
                FactSpec(f"{when}{level}.homes", "number:count", f"aantal woningen in {nl_l}",
                         f"number of homes in {en_l}", lambda f, g=grp: g(f).homes),
                FactSpec(f"{when}{level}.occupied", "number:count", f"bewoonde woningen in {nl_l} {nl_when}",
                         f"occupied homes in {en_l} {en_when}", lambda f, g=grp: g(f).occupied),
                FactSpec(f"{when}{level}.vacant", "number:count", f"lege woningen in {nl_l} {nl_when}",
                         f"empty homes in {en_l} {en_when}", lambda f, g=grp: g(f).vacant),
                FactSpec(f"{when}{level}.count", "map:count", f"huishoudens per categorie in {nl_l} {nl_when}",
                         f"households per category in {en_l} {en_when}", lambda f, g=grp: g(f).counts,
                         lambda f, k, g=grp: g(f).counts.get(k, 0)),
                FactSpec(f"{when}{level}.share", "map:percent", f"aandeel per categorie in {nl_l} {nl_when}",
                         f"share per category in {en_l} {en_when}", lambda f, g=grp: g(f).shares(),
                         lambda f, k, g=grp: g(f).share(k)),
            ]
    return frozen_map((s.path, s) for s in specs)


CATALOGUE: Mapping[str, FactSpec] = catalogue(DEFAULT)
"""Every fact path a condition may use under the default levels, except param.NAME and def.NAME (from the policy)."""

HIDDEN_FACTS = ("household.flags", "household.age", "household.older")
"""Facts never shown in a report or an explanation text: they could hint at the reason behind a category."""

@lru_cache(maxsize=16)
def prefixes(levels: Levels = DEFAULT) -> frozenset:
    """Path prefixes that are not facts by themselves ('household', 'projected.complex', ...) under a policy's levels."""
    return frozenset(p.rsplit(".", 1)[0] for p in catalogue(levels) if "." in p) | {"param", "def"}


PREFIXES = prefixes(DEFAULT)
"""Path prefixes that are not facts by themselves under the default levels."""
