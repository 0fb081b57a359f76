"""Portfolio status: every buurt, complex and portiek on a date, shares against targets and bands, worst first.

A complex or buurt is judged from min_households occupied homes on (as the mix rules do);
a category is 'above' when its share is over the band's ceiling and 'below' when under its
floor. A portiek is 'above' when a category passes its maximum number of households.
Room per category is the same exact figure the explanations give (room.py): at most the
vacant homes, and not judged (None) where the group's shares are not judged.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import field
from fractions import Fraction
from functools import partial
from itertools import compress, repeat
from operator import attrgetter, itemgetter, methodcaller, neg, not_, truediv
from typing import NamedTuple

from ..load.load import gc_paused
from ..model.levels import DEFAULT, Levels
from ..model.policy import Policy
from ..load.occupancy import Composition
from ..engine.room import band_room, judged as shares_judged, limit_room
from ..lang.records import frozen

ABOVE, BELOW, IN_BAND, UNJUDGED = "above", "below", "in_band", "unjudged"
ALL_LEVELS = tuple(reversed(DEFAULT.keys))
"""The levels of a status under the default registry, largest first (buurt, complex, portiek)."""


class CategoryStatus(NamedTuple):
    """One category in one group: count and share now, against target, band or limit, and the room left.

    A named tuple: a national status holds a million of them."""

    category: str
    count: int
    occupied: int  # households in the group
    target: Fraction | None
    low: Fraction | None
    high: Fraction | None
    limit: int | None  # portiek maximum
    state: str  # above | below | in_band | unjudged
    room: int | None  # None: not judged (too few households, or no band or portiek maximum)

    @property
    def share(self) -> Fraction | None:
        """count / occupied; None when the group has no households."""
        return Fraction(self.count, self.occupied) if self.occupied else None


class GroupStatus(NamedTuple):
    """A buurt, complex or portiek on the status date.

    A named tuple, with its state and deviation worked out once in integers: a national status
    has 333,000 groups, and sorting and rendering read both many times."""

    level: str
    key: str
    name: str
    parent: str  # the group one level up: the complex of a portiek, the buurt of a complex ('' at the top)
    homes: int
    occupied: int
    judged: bool
    categories: tuple[CategoryStatus, ...]
    state: str  # above, below, both ('above and below'), in_band or unjudged
    worst: tuple[int, int]  # the deviation as (numerator, denominator)

    @property
    def deviation(self) -> Fraction:
        """How far the worst category lies outside its band, or over its portiek limit, as a share of the group."""
        return Fraction(*self.worst)


@frozen
class PortfolioStatus:
    """The whole stock on one date, worst groups first."""

    date: str
    policy: dict  # id, version, content_hash
    categories: tuple[str, ...]
    labels: dict  # category -> {'nl', 'en'}
    groups: tuple[GroupStatus, ...]
    unvalued: tuple[str, ...] = ()  # parameters without a value on the date: lettings using them are onbeslist
    levels: tuple[str, ...] = ALL_LEVELS  # the policy's levels, largest first
    level_labels: dict = field(default_factory=lambda: _labels(DEFAULT))  # level -> {'nl', 'en'}
    parameter_labels: dict = field(default_factory=dict)  # unvalued parameter -> {'nl', 'en'}, as the policy names it

    def counts(self) -> dict[str, Counter]:
        """Groups per state, per level (largest level first)."""
        out: dict[str, Counter] = {level: Counter() for level in self.levels}
        for (level, state), n in Counter(zip(map(_LEVEL_OF, self.groups), map(_STATE_OF, self.groups))).items():
            out[level][state] += n  # (in the order each state first occurs in the level, as counting one by one)
        return out


def _labels(levels: Levels) -> dict:
    return {lv.key: {"nl": lv.label[0], "en": lv.label[1]} for lv in levels}


_new_category = partial(tuple.__new__, CategoryStatus)  # a named tuple's own __new__ is Python code: slow
_new_group = partial(tuple.__new__, GroupStatus)


def _state(above: bool, below: bool, judged: bool) -> str:
    if above:
        return "both" if below else ABOVE
    return BELOW if below else IN_BAND if judged else UNJUDGED


def _banded(level, key, name, parent, group, mix, min_households, categories) -> GroupStatus:
    occ = group.occupied
    judged = shares_judged(group, min_households)
    counts, bands, targets = group.counts, mix.bands, mix.targets
    out = []
    above = below = False
    wn, wd = 0, 1  # the worst deviation so far, as a fraction
    for cid in categories:
        band = bands.get(cid)
        count = counts.get(cid, 0)
        if band is None:
            out.append(_new_category((cid, count, occ, targets.get(cid), None, None, None, UNJUDGED, None)))
            continue
        low, high = band.low, band.high
        state = UNJUDGED
        if judged:  # count/occ against the band, by cross-multiplication: exact, and far quicker than Fractions
            hn, hd, ln, ld = high.numerator, high.denominator, low.numerator, low.denominator
            if count * hd > hn * occ:
                state, above = ABOVE, True
                n, d = count * hd - hn * occ, occ * hd  # share - high
            elif count * ld < ln * occ:
                state, below = BELOW, True
                n, d = ln * occ - count * ld, ld * occ  # low - share
            else:
                state, n, d = IN_BAND, 0, 1
            if n * wd > wn * d:
                wn, wd = n, d
        out.append(_new_category((cid, count, occ, targets.get(cid), low, high, None, state,
                                  band_room(group, bands, cid, min_households))))
    return _new_group((level, key, name, parent, group.homes, occ, judged, tuple(out), _state(above, below, judged),
                       (wn, wd)))


class _Portieken:
    """Every portiek's status, made column by column in C once all are gathered (a national stock has 300,000).

    What portieken alike share (size, counts and the maximums of their profile: most have a twin) is worked
    out once: by the Group object and the maximums first (portieken with the same homes' codes share one Group,
    see composition_scan.py), else by the values themselves."""

    def __init__(self, categories: tuple[str, ...]):
        self.categories = categories
        self.keys: list[str] = []
        self.parents: list[str] = []
        self.groups: list = []
        self.alike: list[int] = []  # per portiek, the number of its profile's maximums in self.limits
        self.numbers: dict = {}  # tuple(maximums.items()) -> its number
        self.limits: list = []  # per number, the maximums

    def add(self, complex_id: str, keys: list[str], groups: list, limits) -> None:
        """A complex's portieken (keys in order) and their Groups, judged against the maximums limits."""
        alike = tuple(limits.items())
        number = self.numbers.get(alike)
        if number is None:
            number = self.numbers[alike] = len(self.limits)
            self.limits.append(limits)
        self.keys += keys
        self.groups += groups
        self.parents += [complex_id] * len(keys)
        self.alike += [number] * len(keys)

    def statuses(self) -> map:
        """The GroupStatus of every portiek added, in the order added."""
        groups, categories = self.groups, self.categories
        by_object: dict = {}  # (id of the Group, number of the maximums) -> (judged, categories, state, worst)
        by_value: dict = {}  # (homes, occupied, maximums, counts per category) -> the same
        ids = list(zip(map(id, groups), self.alike))  # (the Groups live in the composition while this runs)
        for key, i in dict(zip(ids, range(len(ids)))).items():  # each distinct one once (at its last portiek)
            group, limits = groups[i], self.limits[key[1]]
            shared = (group.homes, group.occupied, tuple(limits.items()), *map(group.counts.get, categories))
            known = by_value.get(shared)
            if known is None:
                known = by_value[shared] = _portiek_categories(group, limits, categories)
            by_object[key] = known
        judged, cats, states, worst = zip(*map(by_object.__getitem__, ids)) if ids else ((),) * 4
        names = map(_LAST, map(_SPLIT, self.keys))
        return map(_new_group, zip(repeat("portiek"), self.keys, names, self.parents, map(_HOMES, groups),
                                   map(_OCCUPIED, groups), judged, cats, states, worst))


_SPLIT, _LAST = methodcaller("split", "/", 1), itemgetter(-1)  # a portiek's name: its key after the complex's id
_HOMES, _OCCUPIED = attrgetter("homes"), attrgetter("occupied")


def _portiek_categories(group, limits, categories) -> tuple:
    """(judged, categories, state, worst) of a portiek."""
    counts, occ = group.counts, group.occupied
    out = []
    above = False
    wn, wd = 0, 1
    for cid in categories:
        count = counts.get(cid, 0)
        limit = limits.get(cid)
        if limit is None:
            out.append(_new_category((cid, count, occ, None, None, None, None, UNJUDGED, None)))
        elif count > limit:
            above = True
            # households over the limit, as a share of the portiek: comparable with band deviations
            n, d = count - limit, max(1, occ)
            if n * wd > wn * d:
                wn, wd = n, d
            out.append(_new_category((cid, count, occ, None, None, None, limit, ABOVE,
                                      limit_room(group, limits, cid))))
        else:
            out.append(_new_category((cid, count, occ, None, None, None, limit, IN_BAND,
                                      limit_room(group, limits, cid))))
    judged = bool(limits)
    return judged, tuple(out), _state(above, False, judged), (wn, wd)


_OUT = frozenset((ABOVE, BELOW, "both"))
_STATE_OF, _LEVEL_OF, _KEY_OF, _WORST_OF = map(attrgetter, ("state", "level", "key", "worst"))
_FIRST, _SECOND = itemgetter(0), itemgetter(1)


def _by_level_and_key(groups: list[GroupStatus], ranked: list[str]) -> list[GroupStatus]:
    """The groups by level (in the order of ranked) and, within a level, by key: a sort of text keys per level, in C."""
    levels = list(map(_LEVEL_OF, groups))
    out: list[GroupStatus] = []
    for level in ranked:
        bucket = list(compress(groups, map(level.__eq__, levels)))
        bucket.sort(key=_KEY_OF)
        out += bucket
    if len(out) != len(groups):
        raise KeyError("a group of a level the policy does not have")
    return out


def _sorted(groups: list[GroupStatus], levels: Levels) -> list[GroupStatus]:
    """Out-of-band groups first, the worst first, then the others; each by level (the largest first) and key.

    As one sort by (in band, -deviation, level, key) would give: sorts are stable, so sorting by level and key
    and then by deviation orders by all three, ties kept as they came; but every sort here compares text or
    floats only, in C, which a national status's 333,000 groups need (twice as fast as tuples of a key function)."""
    ranked = list(reversed(levels.keys))  # the largest level first
    out = list(map(_OUT.__contains__, map(_STATE_OF, groups)))
    worst = _by_level_and_key(list(compress(groups, out)), ranked)
    deviations = list(map(_WORST_OF, worst))  # a float only orders; reports show the exact value
    keys = list(map(neg, map(truediv, map(_FIRST, deviations), map(_SECOND, deviations))))
    first = list(map(worst.__getitem__, sorted(range(len(worst)), key=keys.__getitem__)))
    return first + _by_level_and_key(list(compress(groups, map(not_, out))), ranked)


def portfolio_status(policy: Policy, comp: Composition, levels: tuple[str, ...] | None = None,
                     progress=None) -> PortfolioStatus:
    """Every group at the given levels (default: all of the policy's) on the composition's date, out-of-band groups
    first (the worst first)."""
    with gc_paused():
        return _portfolio_status(policy, comp, policy.levels.keys if levels is None else levels, progress)


def _portfolio_status(policy: Policy, comp: Composition, levels: tuple[str, ...], progress) -> PortfolioStatus:
    cats = policy.category_ids
    groups = []
    date = comp.date
    complexes = list(policy.complexes.values())
    # A buurt (or a group above it) is judged like the complexes in it: from the policy's default minimum on.
    default_min = complexes[0].profiles[0].min_households if complexes else 1
    found = comp.groups
    portieken = _Portieken(cats)
    for lv in policy.levels.from_complex[1:]:  # the buurt and every level above it
        if lv.key in levels:
            for code, area in policy.groups_of(lv.key).items():
                g = found.get((lv.key, code))
                if g is not None:
                    groups.append(_banded(lv.key, code, area.name, next(iter(area.up.values()), ""), g, area.mix,
                                          default_min, cats))
    for n, cx in enumerate(complexes, 1):
        profile = cx.profile_at(date)
        if "complex" in levels:
            groups.append(_banded("complex", cx.id, cx.name, cx.buurt, found[("complex", cx.id)], profile.mix,
                                  profile.min_households, cats))
        if "portiek" in levels:
            keys = list(cx.portieken)
            portieken.add(cx.id, keys, list(map(found.__getitem__, zip(repeat("portiek"), keys))),
                          profile.portiek_max_households)
        if progress is not None and n % 1000 == 0:
            progress(n, len(complexes))
    groups += portieken.statuses()  # (the order before sorting does not matter: every level's keys are distinct)
    groups = _sorted(groups, policy.levels)
    unvalued = tuple(name for name, p in policy.parameters.items() if p.at(date) is None)
    return PortfolioStatus(date.isoformat(), {"id": policy.id, "version": policy.version,
                                              "content_hash": policy.content_hash}, cats,
                           {c.id: {"nl": c.label.nl, "en": c.label.en} for c in policy.categories}, tuple(groups),
                           unvalued, tuple(reversed(policy.levels.keys)), _labels(policy.levels),
                           {n: {"nl": policy.parameters[n].label.nl, "en": policy.parameters[n].label.en}
                            for n in unvalued if policy.parameters[n].label is not None})
