"""Portfolio status: every buurt, complex and portiek on a date, shares against targets and bands, worst first.

A complex or buurt is judged from min_households occupied homes on (as the mix rules do);
a category is 'above' when its share is over the band's ceiling and 'below' when under its
floor. A portiek is 'above' when a category passes its maximum number of households.
Room per category is the same exact figure the explanations give (room.py).
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from fractions import Fraction
from functools import cached_property

from .load import gc_paused
from .model import LEVELS, Policy
from .occupancy import Composition
from .room import band_room, limit_room

ABOVE, BELOW, IN_BAND, UNJUDGED = "above", "below", "in_band", "unjudged"
_LEVEL_ORDER = {level: i for i, level in enumerate(reversed(LEVELS))}  # buurt first


@dataclass(frozen=True)
class CategoryStatus:
    """One category in one group: count and share now, against target, band or limit, and the room left."""

    category: str
    count: int
    share: Fraction | None  # None when the group has no households
    target: Fraction | None
    low: Fraction | None
    high: Fraction | None
    limit: int | None  # portiek maximum
    state: str  # above | below | in_band | unjudged
    room: int | None  # None: no band or limit stops this category


@dataclass(frozen=True)
class GroupStatus:
    """A buurt, complex or portiek on the status date."""

    level: str
    key: str
    name: str
    parent: str  # the buurt of a complex, the complex of a portiek
    homes: int
    occupied: int
    judged: bool
    categories: tuple[CategoryStatus, ...]

    @cached_property
    def state(self) -> str:
        """above, below, both ('above and below'), in_band or unjudged."""
        states = {c.state for c in self.categories}
        if ABOVE in states and BELOW in states:
            return "both"
        for s in (ABOVE, BELOW):
            if s in states:
                return s
        return IN_BAND if self.judged else UNJUDGED

    @cached_property
    def deviation(self) -> Fraction:
        """How far the worst category lies outside its band, or over its portiek limit, as a share of the group."""
        worst = Fraction(0)
        for c in self.categories:
            if c.state == ABOVE and c.high is not None:
                worst = max(worst, c.share - c.high)
            elif c.state == BELOW and c.low is not None:
                worst = max(worst, c.low - c.share)
            elif c.state == ABOVE and c.limit is not None:
                # households over the limit, as a share of the portiek: comparable with band deviations
                worst = max(worst, Fraction(c.count - c.limit, max(1, self.occupied)))
        return worst


@dataclass(frozen=True)
class PortfolioStatus:
    """The whole stock on one date, worst groups first."""

    date: str
    policy: dict  # id, version, content_hash
    categories: tuple[str, ...]
    labels: dict  # category -> {'nl', 'en'}
    groups: tuple[GroupStatus, ...]

    def counts(self) -> dict[str, Counter]:
        """Groups per state, per level."""
        out: dict[str, Counter] = {level: Counter() for level in ("buurt", "complex", "portiek")}
        for g in self.groups:
            out[g.level][g.state] += 1
        return out


def _banded(level, key, name, parent, group, mix, min_households, categories) -> GroupStatus:
    judged = group.occupied >= max(1, min_households)
    out = []
    for cid in categories:
        band = mix.bands.get(cid)
        count = group.counts.get(cid, 0)
        share = Fraction(count, group.occupied) if group.occupied else None
        state = UNJUDGED
        if judged and band is not None:
            state = ABOVE if share > band.high else BELOW if share < band.low else IN_BAND
        room = band_room(group, mix.bands, cid) if band is not None else None
        out.append(CategoryStatus(cid, count, share, mix.targets.get(cid), band.low if band else None,
                                  band.high if band else None, None, state, room))
    return GroupStatus(level, key, name, parent, group.homes, group.occupied, judged, tuple(out))


def _portiek(key, parent, group, limits, categories) -> GroupStatus:
    out = []
    for cid in categories:
        count = group.counts.get(cid, 0)
        limit = limits.get(cid)
        state = UNJUDGED if limit is None else ABOVE if count > limit else IN_BAND
        out.append(CategoryStatus(cid, count, Fraction(count, group.occupied) if group.occupied else None, None, None,
                                  None, limit, state, limit_room(group, limits, cid)))
    return GroupStatus("portiek", key, key.split("/", 1)[-1], parent, group.homes, group.occupied, bool(limits),
                       tuple(out))


def _sort_key(g: GroupStatus):
    out_of_band = g.state in (ABOVE, BELOW, "both")
    return (not out_of_band, -g.deviation, _LEVEL_ORDER[g.level], g.key)


def portfolio_status(policy: Policy, comp: Composition, levels: tuple[str, ...] = ("buurt", "complex", "portiek"),
                     progress=None) -> PortfolioStatus:
    """Every buurt, complex and portiek on the composition's date, out-of-band groups first (the worst first)."""
    with gc_paused():
        return _portfolio_status(policy, comp, levels, progress)


def _portfolio_status(policy: Policy, comp: Composition, levels: tuple[str, ...], progress) -> PortfolioStatus:
    cats = policy.category_ids
    groups = []
    date = comp.date
    complexes = list(policy.complexes.values())
    # A buurt is judged like the complexes in it: from the policy's default minimum number of households on.
    default_min = complexes[0].profiles[0].min_households if complexes else 1
    if "buurt" in levels:
        for code, buurt in policy.buurten.items():
            g = comp.groups.get(("buurt", code))
            if g is not None:
                groups.append(_banded("buurt", code, buurt.name, "", g, buurt.mix, default_min, cats))
    for n, cx in enumerate(complexes, 1):
        profile = cx.profile_at(date)
        if "complex" in levels:
            groups.append(_banded("complex", cx.id, cx.name, cx.buurt, comp.group("complex", cx.id), profile.mix,
                                  profile.min_households, cats))
        if "portiek" in levels:
            for key in cx.portieken:
                groups.append(_portiek(key, cx.id, comp.group("portiek", key), profile.portiek_max_households, cats))
        if progress is not None and n % 1000 == 0:
            progress(n, len(complexes))
    groups.sort(key=_sort_key)
    return PortfolioStatus(date.isoformat(), {"id": policy.id, "version": policy.version,
                                              "content_hash": policy.content_hash}, cats,
                           {c.id: {"nl": c.label.nl, "en": c.label.en} for c in policy.categories}, tuple(groups))
