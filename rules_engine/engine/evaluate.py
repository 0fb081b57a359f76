"""Evaluate stage: build the facts of one letting and decide, as pure functions.

Outcome (documented in docs/rules.md):
1. A rule is 'not applicable' when one of its applies_when conditions is false or
   cannot be determined, or when its own conditions cannot be determined.
2. If any legal rule fires, the outcome is niet_toegestaan; advice does not count.
3. Otherwise, if a legal rule cannot be judged (not applicable because a value is
   unknown: an amount without a value on the date, a missing fact), the outcome is
   onbeslist and those legal rules decide: an unchecked law is never approval.
3a. Otherwise, a household placed through a route (policy.yaml routes) gets plaatsing:
   the mix rules are evaluated and shown, as information only.
4. Otherwise the most severe outcome of the fired advice rules wins
   (niet_toegestaan > ontraden > passend > voorkeur); all fired rules with that
   outcome are the deciding rules, in policy order.
5. If no rule fires, the outcome is passend.
"""

from __future__ import annotations

import datetime as dt
from fractions import Fraction
from functools import lru_cache, partial
from typing import Protocol

from ..lang.compiled import NOT_APPLICABLE_CODE, UNKNOWN_CODE, CompiledRules, compiled_rules
from .counts import composition_from_counts
from ..diagnostics import PolicyError, hint, make
from ..lang.facts import Facts, Household, Unknown
from ..model.levels import areas_above, group_keys
from ..model.policy import OUTCOMES, PLACEMENT, SEVERITY, UNDECIDED, Outcome, RuleKind
from ..load.occupancy import Composition
from ..lang.operators import apply, kleene
from ..lang.program import CompiledRule, Condition, Program
from ..lang.records import quick
from ..lang.records import frozen

DEFAULT_OUTCOME = Outcome.PASSEND.value
NIET_TOEGESTAAN, LEGAL = Outcome.NIET_TOEGESTAAN.value, RuleKind.LEGAL.value
FIRED, NOT_FIRED, NOT_APPLICABLE = "fired", "not_fired", "not_applicable"


@quick
@frozen
class RuleStatus:
    """Whether a rule fired, and if not applicable, why."""

    status: str
    reason: Unknown | None = None


@lru_cache(maxsize=4096)
def _params_at(program: Program, date: dt.date) -> dict:
    return {name: p.at(date) for name, p in program.policy.parameters.items()}


def _unknown_unit(policy, unit_id: str):
    raise PolicyError([make("unknown-unit", "<invoer>", unit=unit_id, hint=hint(policy.units, unit_id))])


def _unknown_category(policy, category: str):
    raise PolicyError([make("unknown-category", "<invoer>", category=category,
                            hint=hint(policy.category_ids, category))])


# A household's numbers as the rules read them exactly: a float (24500.0) or a text ('24500') is refused, not
# compared as whatever it happens to be. The compiled paths hand such a value to this, the general path.
_WHOLE = ("een geheel getal", "a whole number")
_NUMBERS = {"income": (("een geheel getal of een breuk (Fraction)", "a whole number or a Fraction"), (int, Fraction)),
            "size": (_WHOLE, (int,)), "age": ((_WHOLE[0] + " of niets", _WHOLE[1] + " or None"), (int, type(None)))}


def _check_numbers(household: Household) -> None:
    wrong = [make("wrong-type", "<invoer>", expected=(f"{nl} voor household.{name}", f"{en} for household.{name}"),
                  found=f"{value!r} ({value.__class__.__name__})")
             for name, ((nl, en), kinds) in _NUMBERS.items()
             if (value := getattr(household, name)).__class__ is bool or not isinstance(value, kinds)]
    if wrong:
        raise PolicyError(wrong)


def build_facts(program: Program, household: Household, unit_id: str, comp: Composition) -> Facts:
    """The facts for letting home unit_id to a household, given the composition on the letting date."""
    policy = program.policy
    unit = policy.units.get(unit_id)
    if unit is None:
        _unknown_unit(policy, unit_id)
    if household.category not in policy.category_ids:
        _unknown_category(policy, household.category)
    _check_numbers(household)
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


class Tracer(Protocol):
    """What an evaluation shows an observer: every condition it judges, with its values.

    Pass None (the decision-only path) and nothing is recorded; with a tracer every condition
    of a judged group is evaluated, not only up to the first decisive one, so the record is
    complete. The status is the same either way."""

    def condition(self, cr: CompiledRule, part: str, c: Condition, value, sides: tuple | None,
                  facts: tuple) -> None:
        """One condition of cr's part ('applies' or 'conditions') gave value (True, False or an Unknown);
        sides are the two evaluated operands of a comparison (else None), facts the values of c.facts."""


APPLIES, CONDITIONS = "applies", "conditions"


def observe(cr: CompiledRule | None, part: str, c: Condition, tracer: Tracer, f: Facts):
    """A condition's value, with its operands and the facts it reads shown to the tracer."""
    if c.op is not None:
        a, b = c.left.fn(f), c.right.fn(f)
        v = apply(c.op, a, b)
        tracer.condition(cr, part, c, v, (a, b), ())
    else:
        v = c.expr.fn(f)
        tracer.condition(cr, part, c, v, None, tuple(e.fn(f) for e in c.facts))
    return v


def _judge(cr: CompiledRule, part: str, conds: tuple, fns: tuple, f: Facts, decisive: bool, tracer: Tracer | None):
    """Three-valued all (decisive False) or any (decisive True) over a rule's conditions (operators.kleene);
    with a tracer every condition is evaluated and shown, without one it stops at the decisive one."""
    if tracer is None:
        return kleene(fns, f, decisive)
    return kleene([partial(observe, cr, part, c, tracer) for c in conds], f, decisive, True)


def rule_status(cr: CompiledRule, f: Facts, tracer: Tracer | None = None) -> RuleStatus:
    """The one semantics of a rule: fired, not fired, or not applicable (with the unknown value
    that made it so, or None when an applies_when condition is false). See the module docstring."""
    fns = cr.applies_fns
    if fns:
        # One condition without a tracer: its own value is the three-valued all/any of it.
        applies = fns[0](f) if tracer is None and len(fns) == 1 else _judge(cr, APPLIES, cr.applies, fns, f, False,
                                                                            tracer)
        if applies is not True:
            return RuleStatus(NOT_APPLICABLE, applies if applies.__class__ is Unknown else None)
    fns = cr.condition_fns
    result = fns[0](f) if tracer is None and len(fns) == 1 else _judge(cr, CONDITIONS, cr.conditions, fns, f,
                                                                       cr.rule.mode == "any", tracer)
    return _FIRED if result is True else _NOT_FIRED if result is False else RuleStatus(NOT_APPLICABLE, result)


def rule_statuses(program: Program, f: Facts, tracer: Tracer | None = None) -> tuple[RuleStatus, ...]:
    """The status of every rule for one fact set, in policy order. Another engine (program.engine)
    decides which rules fire; a tracer still sees this semantics' values, which that engine compares."""
    if program.engine is None:
        return tuple([rule_status(cr, f, tracer) for cr in program.rules])
    if tracer is not None:
        for cr in program.rules:
            rule_status(cr, f, tracer)
    return program.engine.statuses(f)


_FIRED = RuleStatus(FIRED)
_NOT_FIRED = RuleStatus(NOT_FIRED)


def combine(program: Program, statuses, household: Household | None = None) -> tuple[str, tuple[str, ...]]:
    """Outcome and deciding rule ids from rule statuses (see the module docstring); a household placed
    through a route gets plaatsing once the legal rules allow it (step 3a), its mix rules only inform."""
    fired = [cr.rule for cr, s in zip(program.rules, statuses) if s.status == FIRED]
    legal = [r for r in fired if r.kind == LEGAL]
    if legal:
        return NIET_TOEGESTAAN, tuple(r.id for r in legal)
    undecided = tuple(cr.rule.id for cr, s in zip(program.rules, statuses) if s.reason is not None
                      and cr.rule.kind == LEGAL and s.status == NOT_APPLICABLE)
    if undecided:
        return UNDECIDED, undecided
    route = household.route if household is not None else None
    if route is not None:
        if route not in program.policy.routes:
            raise PolicyError([make("invalid-value", "route", value=route,
                                    choices=", ".join(program.policy.routes) or "(policy.yaml routes)")])
        return PLACEMENT, ()
    if not fired:
        return DEFAULT_OUTCOME, ()
    outcome = OUTCOMES[min(SEVERITY[r.outcome] for r in fired)]
    return outcome, tuple(r.id for r in fired if r.outcome == outcome)


_UNKNOWN_REASON = Unknown("onbekend", "unknown")  # the compiled path knows that a value was unknown, not why
_BY_CODE = {0: _FIRED, 1: _NOT_FIRED, NOT_APPLICABLE_CODE: RuleStatus(NOT_APPLICABLE),
            UNKNOWN_CODE: RuleStatus(NOT_APPLICABLE, _UNKNOWN_REASON)}


@lru_cache(maxsize=64)
def compiled(program: Program, date: dt.date) -> CompiledRules | None:
    """The program's rules compiled to Python for one date (compiled.py), or None: then the general path decides.

    Another engine (program.engine) compiles its own (engine_durable: durable-rules still decides which rules
    fire), or gets None when it has no compiled path."""
    build = None if program.engine is None else getattr(program.engine, "compiled_rules", None)
    if program.engine is not None and build is None:
        return None
    policy = program.policy

    def outcome_of(codes: tuple[int, ...]) -> tuple[str, tuple[str, ...]]:
        return combine(program, tuple(_BY_CODE[c] for c in codes))

    def general(household: Household, unit_id: str, comp: Composition):
        return combine(program, rule_statuses(program, build_facts(program, household, unit_id, comp)), household)

    def general_counts(household: Household, unit_id: str, counts, leaving: str | None = None):
        return general(household, unit_id, composition_from_counts(policy, unit_id, date, counts, leaving))

    return (build or compiled_rules)(program, date, outcome_of, partial(_unknown_unit, policy),
                                     partial(_unknown_category, policy), general, general_counts)


def decide(program: Program, household: Household, unit_id: str, comp: Composition) -> tuple[str, tuple[str, ...]]:
    """Decision only: the outcome and deciding rules for one household and home.

    Through the compiled rules when the program has them (the same statuses as rule_status gives,
    tests/test_compiled.py), else through build_facts and rule_statuses."""
    fast = compiled(program, comp.date)
    if fast is not None:
        return fast.from_composition(household, unit_id, comp)
    return combine(program, rule_statuses(program, build_facts(program, household, unit_id, comp)), household)


def with_category(f: Facts, category: str) -> Facts:
    """The same letting for a household of another category (for 'what would change the outcome')."""
    h = f.household
    household = Household(h.id, h.size, h.income, category, h.age, h.flags, h.older, h.route)
    projected = {lv: g.plus(h.category, -1).plus(category) for lv, g in f.projected.items()}
    return Facts(f.date, household, f.unit, f.profile, f.buurt_mix, f.current, projected, f.params, f.above)
