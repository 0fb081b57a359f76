"""The levels a policy steers at, declared once: portiek, complex and buurt, and any a policy adds above the buurt.

Every module that works per level (facts, composition, room, status, explanations, reports)
reads this registry instead of naming levels itself. The default registry holds today's three
levels; a policy may add levels above the buurt in policy.yaml (`levels:`, such as the CBS
wijk), whose groups are named on each buurt (`wijk: WK019303`).
"""

from __future__ import annotations

from functools import cached_property
from types import MappingProxyType
from typing import Mapping
from ..lang.records import frozen

UNIT_LEVEL = "unit"
"""The level of a rule about the home and household themselves: no group."""


@frozen
class Level:
    """One level of groups: its key, the level it lies in, the home's field naming its group, its words, and
    whether it has a mix (targets and bands) or only maxima (the portiek)."""

    key: str
    parent: str | None  # the level its groups lie in; None for the largest
    field: str  # unit.<field> names the home's group at this level
    label: tuple[str, str]  # singular (nl, en): 'portiek'
    plural: tuple[str, str]  # ('portieken', 'portieken')
    the: tuple[str, str]  # with its article, as explanations use it: ('het portiek', 'the portiek')
    mix: bool  # targets and bands; False: maximum numbers of households per category only


def _level(key: str, parent: str | None, nl_plural: str, article: str, mix: bool = True) -> Level:
    return Level(key, parent, key, (key, key), (nl_plural, nl_plural), (f"{article} {key}", f"the {key}"), mix)


@frozen
class Levels:
    """A policy's levels, from the smallest group up (portiek, complex, buurt, then any added above)."""

    levels: tuple[Level, ...]

    @cached_property
    def keys(self) -> tuple[str, ...]:
        """Level keys, smallest first."""
        return tuple(lv.key for lv in self.levels)

    @cached_property
    def _by_key(self) -> dict:
        return {lv.key: lv for lv in self.levels}

    def __getitem__(self, key: str) -> Level:
        return self._by_key[key]

    def __contains__(self, key) -> bool:
        return key in self._by_key

    def __iter__(self):
        return iter(self.levels)

    @cached_property
    def banded(self) -> tuple[Level, ...]:
        """The levels with a mix (targets and bands), smallest first."""
        return tuple(lv for lv in self.levels if lv.mix)

    @cached_property
    def above_buurt(self) -> tuple[Level, ...]:
        """The levels a policy added above the buurt (their groups are named on the buurten), smallest first."""
        return self.levels[self.keys.index("buurt") + 1:]

    @cached_property
    def from_complex(self) -> tuple[Level, ...]:
        """The complex and every level above it: those a complex's groups lie at."""
        return self.levels[self.keys.index("complex"):]

    @cached_property
    def rule_levels(self) -> tuple[str, ...]:
        """What a rule's `level:` may name: the home itself, then every level."""
        return (UNIT_LEVEL,) + self.keys


BASE = (_level("portiek", "complex", "portieken", "het", mix=False), _level("complex", "buurt", "complexen", "het"),
        _level("buurt", None, "buurten", "de"))
"""The three levels every policy has: complex files hold portieken, and complexes lie in buurten."""

DEFAULT = Levels(BASE)
"""The registry of a policy that declares no levels of its own."""


def with_levels_above(declared: list[Level]) -> Levels:
    """The base levels with declared levels above the buurt, each lying in the next."""
    chain = list(BASE)
    for lv in declared:
        chain[-1] = _with_parent(chain[-1], lv.key)
        chain.append(lv)
    return Levels(tuple(chain))


def _with_parent(level: Level, parent: str) -> Level:
    return Level(level.key, parent, level.field, level.label, level.plural, level.the, level.mix)


def group_keys(policy, unit) -> tuple[str, ...]:
    """The key of the home's group at every level of its policy, smallest level first."""
    if not policy.levels.above_buurt:
        return (unit.portiek, unit.complex, unit.buurt)
    return (unit.portiek, unit.complex) + area_keys(policy, unit.buurt)


def area_keys(policy, buurt: str) -> tuple[str, ...]:
    """The buurt and the groups it lies in at every level above it, smallest first."""
    keys, below, key = [buurt], "buurt", buurt
    for lv in policy.levels.above_buurt:  # each group names the group it lies in, one level up
        key = policy.groups_of(below)[key].up[lv.key]
        keys.append(key)
        below = lv.key
    return tuple(keys)


_GROUP_FACTS = frozenset(("homes", "occupied", "vacant", "count", "share"))
_PROFILE_FACTS = frozenset(("target", "floor", "ceiling", "max_households"))


def unknown_level(path: str, levels: Levels) -> str | None:
    """The level a fact path names that the policy does not declare ('wijk' in projected.wijk.share), or None."""
    parts = path.split(".")
    if parts[0] in ("projected", "profile"):
        head, parts = parts[0], parts[1:]
    else:
        head = ""
    if len(parts) < 2 or parts[0] in levels or parts[0] in ("household", "unit", "param", "def", "min_households"):
        return None
    facts = _PROFILE_FACTS if head == "profile" else _GROUP_FACTS
    return parts[0] if parts[1] in facts else None


_NOTHING_ABOVE = MappingProxyType({})


def areas_above(policy, keys: tuple[str, ...]) -> Mapping:
    """Level above the buurt -> (the home's group there, that group's mix), from the home's group_keys."""
    above = policy.levels.above_buurt
    if not above:
        return _NOTHING_ABOVE
    return {lv.key: (key, policy.areas[lv.key][key].mix) for lv, key in zip(above, keys[-len(above):])}


_WORDS = {UNIT_LEVEL: ("woning", "home"), **{lv.key: lv.label for lv in BASE}}


def level_word(key: str, lang: str) -> str:
    """The word for a rule's level in a report ('woning' for unit); a level a policy declares reads as its key."""
    nl, en = _WORDS.get(key, (key, key))
    return nl if lang == "nl" else en


def groups_above(policy, groups: Mapping) -> dict:
    """The group of every level above the buurt, (level, key) -> Group, each counting the groups of the level below."""
    from ..lang.facts import Group  # facts reads this registry: imported when first counted

    out: dict = {}
    below = "buurt"
    for level in policy.levels.above_buurt:
        totals: dict = {}  # key -> [homes, counts]
        for key, area in policy.groups_of(below).items():
            g = groups.get((below, key)) or out.get((below, key))
            if g is None:
                continue  # a group without homes
            acc = totals.setdefault(area.up[level.key], [0, {}])
            acc[0] += g.homes
            for cat, k in g.counts.items():
                acc[1][cat] = acc[1].get(cat, 0) + k
        for key, (n, c) in totals.items():
            out[(level.key, key)] = Group(n, sum(c.values()), MappingProxyType(c))
        below = level.key
    return out
