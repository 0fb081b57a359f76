"""Small-count suppression for public tables, with complementary suppression.

Hiding a count under the threshold is not enough when the table also shows its total: with one
cell hidden, total minus the others gives it back (24 - 11 - 10 = 3). So, in every group of cells
whose total is published, more cells are hidden (the smallest shown ones first) until the total
leaves every hidden cell at least two possible values.
"""

from __future__ import annotations

from typing import Hashable, Iterable, Mapping

THRESHOLD = 5
_INF = float("inf")


def primary(n: int, threshold: int = THRESHOLD) -> bool:
    """Whether a count is small enough to hide by itself (zero is shown: it singles nobody out)."""
    return 0 < n < threshold


def _bounds(n: int, threshold: int) -> tuple[float, float]:
    """What a reader may assume of a hidden cell: a small count, or (hidden to protect one) zero or at least threshold."""
    if primary(n, threshold):
        return 1, threshold - 1
    return (0 if n == 0 else threshold), _INF


def _derivable(counts: Mapping, hide: set, threshold: int) -> bool:
    """Whether the published total pins any hidden cell to one value, given what a reader may assume of each."""
    total = sum(counts[k] for k in hide)
    bounds = {k: _bounds(counts[k], threshold) for k in hide}
    for k, (lo, hi) in bounds.items():
        others_low = sum(b[0] for j, b in bounds.items() if j != k)
        others_high = sum(b[1] for j, b in bounds.items() if j != k)  # inf when any other is unbounded
        if max(lo, total - others_high) >= min(hi, total - others_low):
            return True
    return False


def hide_in_group(counts: Mapping[Hashable, int], hidden: Iterable[Hashable] = (),
                  threshold: int = THRESHOLD) -> frozenset:
    """The keys to hide in one group of counts whose total is published: the small ones, those already
    hidden elsewhere, and as many complementary ones (smallest first) as keep every hidden cell from being
    derived from the total (a reader is assumed to know which hidden cells are the small ones)."""
    hide = {k for k, n in counts.items() if primary(n, threshold)} | (set(hidden) & set(counts))
    while hide and _derivable(counts, hide, threshold):
        rest = sorted((n == 0, n, str(k), k) for k, n in counts.items() if k not in hide)
        if not rest:
            break  # every cell is hidden; the total itself is then small and hidden with them
        hide.add(rest[0][3])
    return frozenset(hide)


def hide_in_groups(groups: Iterable[Mapping[Hashable, int]], threshold: int = THRESHOLD) -> frozenset:
    """The keys to hide across groups that share cells (the rows and columns of a table with totals):
    each group is suppressed in turn until no group adds a cell."""
    groups = list(groups)
    hide: frozenset = frozenset()
    while True:
        grown = hide
        for counts in groups:
            grown = grown | hide_in_group(counts, grown, threshold)
        if grown == hide:
            return hide
        hide = grown
