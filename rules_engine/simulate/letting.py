"""One letting in the simulation: how the policy judges a candidate for an empty home, and who moves in.

The candidate is the one `magicmix rank` puts first (rank.rank: groups in the strategy's order,
portal order inside each group, the strategy's drop outcomes left out); only the decision itself is
asked for, not the full explanation, and no candidate after the first one with the strategy's best
outcome is evaluated, since none of them can come before it. tests/test_simulate.py checks the choice
against rank.rank.
"""

from __future__ import annotations

import datetime as dt
from functools import lru_cache
from types import MappingProxyType
from typing import Callable

from .. import api
from ..lang.compile import Program
from ..engine.evaluate import decide
from ..lang.facts import Group, Household
from ..load.occupancy import Composition

Judge = Callable[[Household], tuple]  # household -> (outcome, deciding rule ids)
_NOBODY = MappingProxyType({})
_COUNTS_API = getattr(api, "counts_decider", None)  # the public API over counts per level, where this magicmix has it


@lru_cache(maxsize=4096)  # one per program and month: the counts API compiles its decider per date
def counts_judge(program: Program, date: dt.date) -> Callable[[str, tuple, tuple, tuple, tuple], Judge]:
    """The adapter from the simulation's counts to the policy, for one date: (unit_id, the home's (level, key)
    groups, their homes, their households per category, the categories) -> a judge of candidates.

    The home is empty (its last household has left). Through api.counts_decider where it exists, else
    through a composition of the home's groups and evaluate.decide: the same decision either way."""
    if _COUNTS_API is not None:
        fast = _COUNTS_API(program, date)

        def on_counts(unit_id, groups, homes, counts, categories):
            per_level = {g[0]: {c: k for c, k in zip(categories, row) if k} for g, row in zip(groups, counts)}
            return lambda h: fast(h, unit_id, per_level, None)
        return on_counts

    def on_composition(unit_id, groups, homes, counts, categories):
        out = {}
        for g, n, row in zip(groups, homes, counts):
            present = {c: k for c, k in zip(categories, row) if k}
            out[g] = Group(n, sum(present.values()), MappingProxyType(present))
        comp = Composition(date, MappingProxyType(out), _NOBODY)
        return lambda h: decide(program, h, unit_id, comp)
    return on_composition


def composition_judge(program: Program, unit_id: str, comp: Composition) -> Judge:
    """A judge of candidates for a home on a composition read from occupancy (as every other command)."""
    return lambda h: decide(program, h, unit_id, comp)


def first_eligible(program: Program, households: list[Household],
                   judge: Judge) -> tuple[int | None, list[tuple[str, tuple[str, ...]]]]:
    """The index of the candidate rank.rank would put first (None when every candidate drops out), and
    the (outcome, deciding rules) of each candidate evaluated, in portal order."""
    order = program.policy.ranking.order
    best_place, best, seen = len(order), None, []
    for i, h in enumerate(households):
        outcome, deciding = judge(h)
        seen.append((outcome, deciding))
        if outcome in order:
            place = order.index(outcome)
            if place < best_place:
                best_place, best = place, i
                if place == 0:
                    break
    return best, seen
