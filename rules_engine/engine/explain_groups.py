"""The groups around the letting in an explanation: each level's composition now and after, and the room left.

Part of the explain stage (explain.py builds the record): built from integers (a share's exact
text is cached per count and occupied homes, never divided into a Fraction per decision), and
the records that show the same numbers are shared, being frozen.
"""

from __future__ import annotations

from fractions import Fraction
from functools import lru_cache

from ..model.decision import Bilingual, CategoryShare, LevelComposition, RoomLine
from ..lang.facts import Facts
from ..model.levels import group_keys
from ..model.policy import Policy
from ..render.numbers import exact_text
from ..load.occupancy import Composition
from ..lang.program import Program
from .room import band_room, limit_room


# Caches are keyed on (numerator, denominator): hashing a Fraction itself is slow.
@lru_cache(maxsize=8192)
def _exact(n: int, d: int) -> str:
    return exact_text(Fraction(n, d))


def _composition(program: Program, f: Facts, comp: Composition) -> tuple[LevelComposition, ...]:
    u = f.unit
    return _composition_of(program, comp, group_keys(program.policy, u), comp.by_unit.get(u.id),
                           f.household.category, f.profile)


def _bands_per_level(policy: Policy, keys: tuple[str, ...], profile) -> dict:
    """Level -> the bands its group is judged by (levels without a mix: None)."""
    return {lv.key: (None if not lv.mix else profile.mix.bands if lv.key == "complex"
                     else policy.groups_of(lv.key)[key].mix.bands) for lv, key in zip(policy.levels, keys)}


@lru_cache(maxsize=256)
def _composition_of(program: Program, comp: Composition, keys: tuple[str, ...], leaving: str | None, category: str,
                    profile) -> tuple[LevelComposition, ...]:
    # Memoised like the room lines: lettings on one date in one group share it. Shares are never built
    # as Fractions here: their exact texts are cached per (count, occupied).
    out = []
    policy = program.policy
    for (level, key), bands in zip(zip(policy.levels.keys, keys), _band_texts(program, keys, profile)):
        now = comp.group(level, key)
        counts, occupied = now.counts, now.occupied
        if leaving is not None:
            occupied -= 1
        after = occupied + 1
        cats = []
        for cid, (low, high, limit) in zip(policy.category_ids, bands):
            n = counts.get(cid, 0) - (cid == leaving)
            a = n + (cid == category)
            cats.append(_category_share(cid, n, a, _share_text(n, occupied), _share_text(a, after), low, high, limit))
        out.append(LevelComposition(level, key, now.homes, occupied, after, tuple(cats)))
    return tuple(out)


@lru_cache(maxsize=8192)
def _category_share(*fields) -> CategoryShare:
    return CategoryShare(*fields)  # frozen: one record serves every decision that shows these numbers


def _share_text(n: int, occupied: int) -> str:
    """A share's exact text as facts.Group.share gives it (0 for an empty group)."""
    return _exact(0, 1) if occupied == 0 else _exact(n, occupied)


@lru_cache(maxsize=4096)
def _band_texts(program: Program, keys: tuple[str, ...], profile) -> tuple:
    """Per level, per category: (low, high, portiek limit) as the composition shows them."""
    out = []
    for level, bands in _bands_per_level(program.policy, keys, profile).items():
        row = []
        for cid in program.policy.category_ids:
            band = bands[cid] if bands else None
            limit = profile.portiek_max_households.get(cid) if bands is None else None
            row.append((_exact(*_nd(band.low)) if band else None, _exact(*_nd(band.high)) if band else None, limit))
        out.append(tuple(row))
    return tuple(out)


def _nd(v: Fraction) -> tuple[int, int]:
    return v.numerator, v.denominator


def _room(program: Program, f: Facts, comp: Composition) -> tuple[RoomLine, ...]:
    u = f.unit
    return _room_lines(program, comp, group_keys(program.policy, u), comp.by_unit.get(u.id), f.profile)


@lru_cache(maxsize=256)
def _room_lines(program: Program, comp: Composition, keys: tuple[str, ...], leaving: str | None,
                profile) -> tuple[RoomLine, ...]:
    # Memoised: in a batch, many lettings share the same groups on the same date.
    policy = program.policy
    out = []
    bands_of = _bands_per_level(policy, keys, profile)
    for lv, key in zip(policy.levels, keys):
        level, where = lv.key, lv.the
        g = comp.group(level, key)
        if leaving is not None:
            g = g.plus(leaving, -1)
        for cid in policy.category_ids:
            if not lv.mix:
                room = limit_room(g, profile.portiek_max_households, cid)
                if room is None:
                    continue  # no maximum for this category: nothing to count against
            else:
                room = band_room(g, bands_of[level], cid, profile.min_households)
            out.append(_room_line(policy, level, where, key, cid, room, g.occupied, profile.min_households))
    return tuple(out)


@lru_cache(maxsize=8192)
def _room_line(policy: Policy, level: str, where: tuple[str, str], key: str, cid: str, room: int | None, occupied: int,
               min_households: int) -> RoomLine:
    # Frozen: one line serves every decision that shows this room in this group.
    label = policy.category(cid).label
    if room is None:
        text = Bilingual(f"ruimte voor {label.nl} in {where[0]}: niet beoordeeld ({occupied} huishouden(s), "
                         f"aandelen tellen vanaf {max(1, min_households)})",
                         f"room for {label.en} in {where[1]}: not judged ({occupied} household(s), "
                         f"shares count from {max(1, min_households)})")
    else:
        text = Bilingual(f"ruimte voor nog {room} huishouden(s) {label.nl} in {where[0]}",
                         f"room for {room} more {label.en} household(s) in {where[1]}")
    return RoomLine(level, key, cid, room, text)
