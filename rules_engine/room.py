"""Room: how many more households of a category fit in a group before it leaves its band.

For a complex or buurt with bands [low, high] per category, the room for category c is
the largest k >= 0 such that, after adding k households of c,
  - the share of c stays at or below its ceiling, and
  - no other category that is now at or above its floor drops below it.
For a portiek with a maximum number of households per category, room is the limit
minus the current count. None means: no limit applies. All arithmetic is exact.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Mapping

from .facts import Group
from .model import Band


@dataclass(frozen=True)
class Room:
    """Room for one category in one group."""

    level: str  # portiek | complex | buurt
    group: str  # its key
    category: str
    room: int | None  # None: unlimited by the band or limit
    count: int
    occupied: int


def band_room(group: Group, bands: Mapping[str, Band], category: str) -> int | None:
    """Largest k of extra households of a category that keeps the group in band (None = unlimited)."""
    # Integer cross-multiplication: (n_c + k) / (occ + k) <= hn / hd  <=>  k * (hd - hn) <= hn * occ - hd * n_c,
    # and n_d / (occ + k) >= ln / ld  <=>  k * ln <= n_d * ld - occ * ln.
    occ = group.occupied
    counts = group.counts
    best = None
    high = bands[category].high
    hn, hd = high.numerator, high.denominator
    if hn < hd:
        best = (hn * occ - hd * counts.get(category, 0)) // (hd - hn)
    for other, band in bands.items():
        ln, ld = band.low.numerator, band.low.denominator
        if other == category or ln == 0:
            continue
        n_d = counts.get(other, 0)
        if occ and n_d * ld >= ln * occ:
            k = (n_d * ld - occ * ln) // ln
            best = k if best is None else min(best, k)
    return None if best is None else max(0, best)


def limit_room(group: Group, limits: Mapping[str, int], category: str) -> int | None:
    """Households of a category that still fit under a portiek's count limit (None = no limit)."""
    limit = limits.get(category)
    if limit is None:
        return None
    return max(0, limit - group.counts.get(category, 0))


def complex_room(policy, comp, complex_id: str) -> list[Room]:
    """Room per category for every portiek of a complex, the complex itself and its buurt, on the composition's date."""
    cx = policy.complexes[complex_id]
    profile = cx.profile_at(comp.date)
    out: list[Room] = []
    for key in cx.portieken:
        g = comp.group("portiek", key)
        for cid in policy.category_ids:
            out.append(Room("portiek", key, cid, limit_room(g, profile.portiek_max_households, cid),
                            g.counts.get(cid, 0), g.occupied))
    for level, key, bands in (("complex", cx.id, profile.mix.bands),
                              ("buurt", cx.buurt, policy.buurten[cx.buurt].mix.bands)):
        g = comp.group(level, key)
        for cid in policy.category_ids:
            out.append(Room(level, key, cid, band_room(g, bands, cid), g.counts.get(cid, 0), g.occupied))
    return out
