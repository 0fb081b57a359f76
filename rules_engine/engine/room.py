"""Room: how many more households of a category can move in before its share leaves its band or a limit is exceeded.

One definition (docs/rules.md), read by the explanation, `magicmix room` and `magicmix status`:
- never more than the group's vacant homes: a full group has room 0, and in an explanation the
  home being let counts as vacant (its occupant is moving out);
- complex or buurt: the largest k such that (count + k) / (occupied + k) stays at or below the
  category's ceiling; 0 when the share is above it already. A category below its floor has room:
  more of it brings the share up into its band;
- portiek: the category's maximum minus its count; a category without a maximum is not judged;
- not judged (None, never 0) where shares are not judged: fewer households than min_households,
  or none at all (an empty new-build complex).
All arithmetic is exact, in integers.
"""

from __future__ import annotations

from typing import Mapping

from ..lang.facts import Group
from ..model.levels import area_keys
from ..model.policy import Band
from ..lang.records import frozen


@frozen
class Room:
    """Room for one category in one group."""

    level: str  # a level key: portiek, complex, buurt, ...
    group: str  # its key
    category: str
    room: int | None  # None: not judged (too few households, or no portiek maximum)
    count: int
    occupied: int


def judged(group: Group, min_households: int) -> bool:
    """Whether a group's shares are judged: it has households, at least min_households of them."""
    return group.occupied >= max(1, min_households)


def band_room(group: Group, bands: Mapping[str, Band], category: str, min_households: int) -> int | None:
    """Households of a category that can still move in before its share passes its ceiling (None = not judged)."""
    if not judged(group, min_households):
        return None
    vacant = max(0, group.vacant)
    high = bands[category].high
    hn, hd = high.numerator, high.denominator
    if hn >= hd:  # a ceiling of 100 %: only the vacant homes limit
        return vacant
    # (n + k) / (occ + k) <= hn / hd  <=>  k * (hd - hn) <= hn * occ - hd * n
    k = (hn * group.occupied - hd * group.counts.get(category, 0)) // (hd - hn)
    return max(0, min(k, vacant))


def limit_room(group: Group, limits: Mapping[str, int], category: str) -> int | None:
    """Households of a category that still fit under a portiek's maximum and in its vacant homes (None = no maximum)."""
    limit = limits.get(category)
    if limit is None:
        return None
    return max(0, min(limit - group.counts.get(category, 0), group.vacant))


def complex_room(policy, comp, complex_id: str) -> list[Room]:
    """Room per category for every portiek of a complex, the complex itself and the groups it lies in (its buurt and
    any level above), on the composition's date."""
    cx = policy.complexes[complex_id]
    profile = cx.profile_at(comp.date)
    out: list[Room] = []
    for key in cx.portieken:
        g = comp.group("portiek", key)
        for cid in policy.category_ids:
            out.append(Room("portiek", key, cid, limit_room(g, profile.portiek_max_households, cid),
                            g.counts.get(cid, 0), g.occupied))
    for lv, key in zip(policy.levels.from_complex, (cx.id,) + area_keys(policy, cx.buurt)):
        bands = profile.mix.bands if lv.key == "complex" else policy.groups_of(lv.key)[key].mix.bands
        g = comp.group(lv.key, key)
        for cid in policy.category_ids:
            out.append(Room(lv.key, key, cid, band_room(g, bands, cid, profile.min_households),
                            g.counts.get(cid, 0), g.occupied))
    return out
