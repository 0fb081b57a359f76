"""Evaluate stage: build the facts of one letting and decide, as pure functions.

Outcome (documented in docs/rules.md):
1. A rule is 'not applicable' when one of its applies_when conditions is false or
   cannot be determined, or when its own conditions cannot be determined.
2. If any legal rule fires, the outcome is niet_toegestaan; advice does not count.
3. Otherwise, if a legal rule cannot be judged (not applicable because a value is
   unknown: an amount without a value on the date, a missing fact), the outcome is
   onbeslist and those legal rules decide: an unchecked law is never approval.
4. Otherwise the most severe outcome of the fired advice rules wins
   (niet_toegestaan > ontraden > passend > voorkeur); all fired rules with that
   outcome are the deciding rules, in policy order.
5. If no rule fires, the outcome is passend.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from functools import lru_cache

from .compile import Program
from .diagnostics import PolicyError, hint, make
from .facts import Facts, Household, Unknown
from .levels import areas_above, group_keys
from .model import OUTCOMES, UNDECIDED
from .occupancy import Composition

DEFAULT_OUTCOME = "passend"
FIRED, NOT_FIRED, NOT_APPLICABLE = "fired", "not_fired", "not_applicable"


@dataclass(frozen=True)
class RuleStatus:
    """Whether a rule fired, and if not applicable, why."""

    status: str
    reason: Unknown | None = None


@lru_cache(maxsize=4096)
def _params_at(program: Program, date: dt.date) -> dict:
    return {name: p.at(date) for name, p in program.policy.parameters.items()}


def build_facts(program: Program, household: Household, unit_id: str, comp: Composition) -> Facts:
    """The facts for letting home unit_id to a household, given the composition on the letting date."""
    policy = program.policy
    unit = policy.units.get(unit_id)
    if unit is None:
        raise PolicyError([make("unknown-unit", "<invoer>", unit=unit_id, hint=hint(policy.units, unit_id))])
    if household.category not in policy.category_ids:
        raise PolicyError([make("unknown-category", "<invoer>", category=household.category,
                                hint=hint(policy.category_ids, household.category))])
    leaving = comp.by_unit.get(unit.id)
    current, projected = {}, {}
    keys = group_keys(policy, unit)
    for level, key in zip(policy.levels.keys, keys):
        g = comp.group(level, key)
        if leaving is not None:
            g = g.plus(leaving, -1)
        current[level] = g
        projected[level] = g.plus(household.category)
    complex_ = policy.complexes[unit.complex]
    return Facts(comp.date, household, unit, complex_.profile_at(comp.date), policy.buurten[unit.buurt].mix,
                 current, projected, _params_at(program, comp.date), areas_above(policy, keys))


def rule_status(cr, f: Facts) -> RuleStatus:
    """The status of one compiled rule for a fact set."""
    applies = cr.applies_fn(f) if cr.applies_fn is not None else True
    if applies is not True:
        return RuleStatus(NOT_APPLICABLE, applies if applies.__class__ is Unknown else None)
    result = cr.conditions_fn(f)
    if result is True:
        return _FIRED
    if result is False:
        return _NOT_FIRED
    return RuleStatus(NOT_APPLICABLE, result)


def own_statuses(program: Program, f: Facts) -> tuple[RuleStatus, ...]:
    """The status of every rule by the default engine, in policy order."""
    return tuple(rule_status(cr, f) for cr in program.rules)


def rule_statuses(program: Program, f: Facts) -> tuple[RuleStatus, ...]:
    """The status of every rule for one fact set, in policy order, by the program's engine."""
    if program.engine is not None:
        return program.engine.statuses(f)
    return tuple(rule_status(cr, f) for cr in program.rules)


_FIRED = RuleStatus(FIRED)
_NOT_FIRED = RuleStatus(NOT_FIRED)


def combine(program: Program, statuses) -> tuple[str, tuple[str, ...]]:
    """Outcome and deciding rule ids from rule statuses (see the module docstring)."""
    fired = [cr.rule for cr, s in zip(program.rules, statuses) if s.status == FIRED]
    legal = [r for r in fired if r.kind == "legal"]
    if legal:
        return "niet_toegestaan", tuple(r.id for r in legal)
    undecided = tuple(cr.rule.id for cr, s in zip(program.rules, statuses) if s.reason is not None
                      and cr.rule.kind == "legal" and s.status == NOT_APPLICABLE)
    if undecided:
        return UNDECIDED, undecided
    if not fired:
        return DEFAULT_OUTCOME, ()
    worst = min(OUTCOMES.index(r.outcome) for r in fired)
    outcome = OUTCOMES[worst]
    return outcome, tuple(r.id for r in fired if r.outcome == outcome)


def decide(program: Program, household: Household, unit_id: str, comp: Composition) -> tuple[str, tuple[str, ...]]:
    """Decision only: the outcome and deciding rules for one household and home."""
    return combine(program, rule_statuses(program, build_facts(program, household, unit_id, comp)))


def with_category(f: Facts, category: str) -> Facts:
    """The same letting for a household of another category (for 'what would change the outcome')."""
    h = f.household
    household = Household(h.id, h.size, h.income, category, h.age, h.flags)
    projected = {lv: g.plus(h.category, -1).plus(category) for lv, g in f.projected.items()}
    return Facts(f.date, household, f.unit, f.profile, f.buurt_mix, f.current, projected, f.params, f.above)
