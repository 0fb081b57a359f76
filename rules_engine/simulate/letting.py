"""One letting in the simulation: the composition the policy sees, and the candidate who moves in.

The candidate is the one `magicmix rank` puts first (rank.rank: groups in the strategy's order,
portal order inside each group, the strategy's drop outcomes left out); only the decision itself is
asked for (evaluate.decide), not the full explanation, and no candidate after the first one with the
strategy's best outcome is evaluated, since none of them can come before it. tests/test_simulate.py
checks the choice against rank.rank.
"""

from __future__ import annotations

import datetime as dt
from types import MappingProxyType

from ..compile import Program
from ..evaluate import decide
from ..facts import Group, Household
from ..occupancy import Composition

_NOBODY = MappingProxyType({})


def composition_of(date: dt.date, groups: tuple, homes: tuple, counts: tuple, categories: tuple) -> Composition:
    """The composition of one home's groups, from the simulation's counts per category (the adapter).

    groups are the home's (level, key) pairs, homes their numbers of homes, counts one list per group
    of households per category (in the order of categories). The home itself is empty: its last
    household has left, so no household of it is counted and nobody is 'leaving'."""
    out = {}
    for g, n, c in zip(groups, homes, counts):
        present = {cat: k for cat, k in zip(categories, c) if k}
        out[g] = Group(n, sum(present.values()), MappingProxyType(present))
    return Composition(date, MappingProxyType(out), _NOBODY)


def first_eligible(program: Program, households: list[Household], unit_id: str,
                   comp: Composition) -> tuple[int | None, list[tuple[str, tuple[str, ...]]]]:
    """The index of the candidate rank.rank would put first (None when every candidate drops out), and
    the (outcome, deciding rules) of each candidate evaluated, in portal order."""
    order = program.policy.ranking.order
    best_place, best, seen = len(order), None, []
    for i, h in enumerate(households):
        outcome, deciding = decide(program, h, unit_id, comp)
        seen.append((outcome, deciding))
        if outcome in order:
            place = order.index(outcome)
            if place < best_place:
                best_place, best = place, i
                if place == 0:
                    break
    return best, seen
