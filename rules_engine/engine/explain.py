"""Explain stage: the explanation record of one decision.

For every rule: fired / not fired / not applicable, each condition with its values on
both sides, the rule's file:line and its rendered text in Dutch and English. Then what
would change the outcome: rules whose flip alone changes it, other categories, and the
room left per category at every level (portiek, complex, buurt and any the policy adds).
The rules' part is explain_rules.py, the values' texts explain_values.py, the groups'
explain_groups.py.
"""

from __future__ import annotations

import datetime as dt
from functools import lru_cache
import weakref

from ..version import __version__
from ..model.decision import (Bilingual, CategoryLabel, Change, ConditionResult, Decision, EngineRef, HouseholdInput, Inputs,
                              ParameterInput, Parameters, PolicyRef, RuleResult, decision_from_dict)
from .evaluate import (APPLIES, CONDITIONS, FIRED, NOT_APPLICABLE, NOT_FIRED, RuleStatus, build_facts, combine,
                       compiled, observe, rule_status, rule_statuses, with_category)
from .explain_groups import _composition, _room
from .explain_rules import condition_result, rule_results, shared_result, shared_results, traced_statuses
from .explain_values import display, json_value, render_template  # noqa: F401 - read from here by renderers and tests
from ..lang.facts import Facts, Household, Unknown
from ..model.policy import OUTCOME_LABELS, OUTCOMES, UNDECIDED, Policy
from ..render.numbers import exact_text
from ..render.wording import Labels, fill_form, policy_labels, would_hold, would_hold_form
from ..load.load import gc_paused
from ..load.occupancy import Composition
from ..lang.program import Condition, Program

ENGINE = "magicmix"
RECORD_VERSION = 1


def bilingual(nl: str, en: str) -> dict:
    """A {'nl': ..., 'en': ...} text."""
    return {"nl": nl, "en": en}


def condition_at(c: Condition, f: Facts, policy: Policy) -> ConditionResult:
    """One condition evaluated on its own for a fact set, as the record shows it."""
    tracer = RecordingTracer(policy)
    observe(None, CONDITIONS, c, tracer, f)
    return tracer.results(None, CONDITIONS)[0]


class RecordingTracer:
    """A tracer (evaluate.Tracer) that keeps every judged condition as a ConditionResult, per rule and part.

    Given the program, it shares the (frozen) result of a comparison that gave the same values before
    with the same program: in a ranking or a batch most conditions see the same home and groups."""

    def __init__(self, policy: Policy, program: Program | None = None):
        self.policy = policy
        self.seen: dict[tuple[int, str], list[ConditionResult]] = {}
        self.shared = shared_results(program) if program is not None else None

    def condition(self, cr, part: str, c: Condition, value, sides, facts) -> None:
        """Record one condition's result and values."""
        if self.shared is not None and not facts:
            r = shared_result(c, value, sides, self.shared, self.policy)
        else:
            r = condition_result(c, value, sides, facts, self.policy)
        self.seen.setdefault((id(cr), part), []).append(r)

    def results(self, cr, part: str) -> tuple[ConditionResult, ...]:
        """The recorded conditions of one rule's part ('applies' or 'conditions'), in policy order."""
        return tuple(self.seen.get((id(cr), part), ()))


def traced_by_tracer(program: Program, f: Facts) -> tuple[tuple, list, dict]:
    """As explain_rules.traced_statuses, through rule_statuses with a RecordingTracer: the path of another engine
    (program.engine), which decides the statuses itself while the tracer shows this semantics' values."""
    tracer = RecordingTracer(program.policy, program)
    statuses = rule_statuses(program, f, tracer)
    return statuses, [[st, tracer.results(cr, APPLIES), tracer.results(cr, CONDITIONS), None, None]
                      for cr, st in zip(program.rules, statuses)], {}


# --- what would change the outcome -----------------------------------------------------------

@lru_cache(maxsize=64)
def _labels(policy: Policy) -> Labels:
    return policy_labels(policy)  # frozen: what the policy's ids and fact paths read as, once per policy


# The words of a condition in a change, cut at its values, per (policy, text, operator, category, language,
# negated): the values differ from letting to letting, the words do not.
_forms: dict = {}
_FORMS_MAX = 4096
_MISSING = object()


def _condition_words(policy: Policy, c: ConditionResult, category: str, lang: str, negate: bool) -> str:
    """What a condition would have to be, in words (render/wording.py), with its value now."""
    key = (policy, c.text, c.op, category, lang, negate)
    form = _forms.get(key, _MISSING)
    if form is _MISSING:
        form = would_hold_form(c, category, _labels(policy), lang, negate)
        if len(_forms) < _FORMS_MAX:
            _forms[key] = form
    return fill_form(form, c, lang) if form is not None else would_hold(c, category, _labels(policy), lang, negate)


_BY_LETTER = {"f": RuleStatus(FIRED), "n": RuleStatus(NOT_FIRED), "a": RuleStatus(NOT_APPLICABLE),
              "u": RuleStatus(NOT_APPLICABLE, Unknown("onbekend", "unknown"))}


def _letter(st: RuleStatus) -> str:
    return "f" if st.status == FIRED else "n" if st.status == NOT_FIRED else "a" if st.reason is None else "u"


@lru_cache(maxsize=4096)
def _combined(program: Program, letters: str) -> tuple[str, tuple[str, ...]]:
    """combine() of the statuses spelled by letters (the outcome depends on nothing else), computed once."""
    return combine(program, tuple(_BY_LETTER[c] for c in letters))


@lru_cache(maxsize=4096)
def _improving_flips(program: Program, letters: str, outcome: str) -> tuple[tuple[int, str], ...]:
    """(rule index, the outcome it would give) for every fired or not-fired rule whose flip alone makes the advice
    better (only that helps staff); it depends on the statuses alone, so it is computed once per combination."""
    out = []
    now = OUTCOMES.index(outcome)
    for i, c in enumerate(letters):
        if c == "f" or c == "n":
            new_outcome, _ = _combined(program, letters[:i] + ("n" if c == "f" else "f") + letters[i + 1:])
            if OUTCOMES.index(new_outcome) > now:
                out.append((i, new_outcome))
    return tuple(out)


def _rule_changes(program: Program, statuses, results: list[RuleResult], outcome: str, category: str) -> list[Change]:
    return [_rule_change(program, i, new_outcome, statuses[i].status == FIRED, results[i].conditions, category)
            for i, new_outcome in _improving_flips(program, "".join([_letter(st) for st in statuses]), outcome)]


def _rule_change(program: Program, i: int, new_outcome: str, holds: bool, conditions, category: str) -> Change:
    """What flipping rule i (fired when holds) would need, in words: it depends on that rule's conditions alone."""
    cr = program.rules[i]
    # A fired 'all' rule stops when any one true condition fails; a not-fired 'any' rule fires when
    # any one false condition holds. Otherwise every listed condition must change.
    needed = [c for c in conditions if c.result == ("true" if holds else "false")]
    one_of = len(needed) > 1 and cr.rule.mode == ("all" if holds else "any")
    verb = ("niet zou gelden", "did not hold") if holds else ("zou gelden", "held")
    text = {}
    for k, lang in enumerate(("nl", "en")):
        lead = (f"{_label(new_outcome, lang)} {'als regel' if lang == 'nl' else 'if rule'} '{cr.rule.id}' "
                f"{verb[k]}, {'dus als' if lang == 'nl' else 'that is if'} ")
        if one_of:
            lead += "één van: " if lang == "nl" else "one of: "
        text[lang] = lead + "; ".join(_condition_words(program.policy, c, category, lang, holds) for c in needed)
    return Change("rule", new_outcome, Bilingual(text["nl"], text["en"]))


def _category_changes(program: Program, f: Facts, statuses, outcome: str, comp: Composition) -> list[Change]:
    policy = program.policy
    fast = compiled(program, comp.date)
    h = f.household
    out = []
    for cid in policy.category_ids:
        if cid == h.category:
            continue
        if fast is not None:  # the same statuses as below (tests/test_compiled.py), without building facts
            # route None: as below, the outcome another category would get is combined from the statuses alone
            other, _ = fast.from_composition(Household(h.id, h.size, h.income, cid, h.age, h.flags, h.older, None),
                                             f.unit.id, comp)
        else:
            g = with_category(f, cid)
            other, _ = combine(program, [rule_status(cr, g) if cr.uses_category else st
                                         for cr, st in zip(program.rules, statuses)])
        if OUTCOMES.index(other) > OUTCOMES.index(outcome):
            out.append(_category_change(policy, cid, other))
    return out


@lru_cache(maxsize=1024)
def _category_change(policy: Policy, cid: str, other: str) -> Change:
    label = policy.category(cid).label  # frozen: one record serves every decision that shows it
    return Change("category", other, Bilingual(f"{_label(other, 'nl')} voor een huishouden van categorie {label.nl}",
                                               f"{_label(other, 'en')} for a household of category {label.en}"))


def _label(outcome: str, lang: str) -> str:
    nl, en = OUTCOME_LABELS[outcome]
    return (nl if lang == "nl" else en).capitalize()


@lru_cache(maxsize=64)
def _categories(policy: Policy) -> tuple[CategoryLabel, ...]:
    return tuple(CategoryLabel(c.id, Bilingual(c.label.nl, c.label.en)) for c in policy.categories)


@lru_cache(maxsize=256)
def _parameters(program: Program, date: dt.date) -> Parameters:
    out = []
    for name, p in sorted(program.policy.parameters.items()):
        dv = p.at(date)
        if dv is not None:
            out.append(ParameterInput(name, exact_text(dv.value), dv.valid_from.isoformat(), dv.source))
    return Parameters(tuple(out))


def undecided_text(d: Decision) -> dict | None:
    """For an onbeslist decision: which legal rules cannot be judged on the date, and why ({nl, en}); else None."""
    if d.outcome != UNDECIDED:
        return None
    date = d.inputs["date"]
    why = [(r.id, r.reason or bilingual("onbekend", "unknown")) for r in d.rules if r.deciding]
    return bilingual(f"wettelijk niet te beoordelen op {date}: "
                     + "; ".join(f"{rid} ({reason['nl']})" for rid, reason in why),
                     f"legal rules cannot be judged on {date}: " + "; ".join(f"{rid} ({reason['en']})" for rid, reason in why))


# --- the record --------------------------------------------------------------------------------

@lru_cache(maxsize=64)
def _engine(program: Program) -> EngineRef:
    if program.engine is None:
        return EngineRef(ENGINE, __version__)
    return EngineRef(ENGINE, __version__, f"{program.engine.name} {program.engine.version}")


TRACED_FIRST = 3  # a program's lettings explained by the traced path before the compiled explainer is built
_explained: "weakref.WeakKeyDictionary" = weakref.WeakKeyDictionary()  # program -> lettings explained (to TRACED_FIRST)


def explain(program: Program, household: Household, unit_id: str, comp: Composition,
            occupancy_source: str = "") -> Decision:
    """Evaluate one letting with the full explanation record: by the compiled explainer of the date where it covers
    the program (explain_counts.explain_composition), else by the traced evaluation (explain_traced); the same
    record either way. A program's first lettings (TRACED_FIRST) take the traced path: building the compiled
    explainer costs some three traced explanations, which a command that explains one letting would only wait for."""
    if program.engine is None:
        seen = _explained.get(program, 0)
        if seen >= TRACED_FIRST:
            d = _compiled_explainer()(program, household, unit_id, comp, occupancy_source)
            if d is not None:
                return d
        else:
            _explained[program] = seen + 1
    return _explain(program, household, unit_id, comp, occupancy_source, None)


def explain_json(program: Program, household: Household, unit_id: str, comp: Composition) -> tuple[str, tuple, str]:
    """(outcome, deciding rules, explain(...).to_json()), the JSON written without building the record where the
    compiled explainer covers the program (batch --explain writes a record per row)."""
    if program.engine is None:
        out = _compiled_explainer()(program, household, unit_id, comp, "", True)
        if out is not None:
            return out
    d = explain(program, household, unit_id, comp)
    return d.outcome, d.deciding_rules, d.to_json()


def explain_traced(program: Program, household: Household, unit_id: str, comp: Composition,
                   occupancy_source: str = "") -> Decision:
    """explain() by the traced evaluation alone: the general path, which the compiled explainer is held to."""
    return _explain(program, household, unit_id, comp, occupancy_source, None)


@lru_cache(maxsize=1)
def _compiled_explainer():
    from .explain_counts import explain_composition  # (explain_counts.py builds on this module)

    return explain_composition


def explain_all(program: Program, households, unit_id: str, comp: Composition) -> list[Decision]:
    """explain() of every household for one home on the composition's date, in order (the same records).

    Once the process has explained a program's first lettings (TRACED_FIRST, the households of a ranking
    counted), by the compiled explainer where it covers the program, as explain() does: a ranking in a service
    or the web app, whose candidates are new each time. Before that (a command ranking one list, for which
    building the explainer would cost more than it saves) and where it does not cover the program, by the traced
    path, on which a rule that reads only some of the household's fields (explain_reads.py) is judged and
    recorded once per distinct values of those fields. The collector is paused meanwhile: the records hold no
    cycles, and its full passes over the explainers' kept records could take several times the ranking's own."""
    households = list(households)
    compiled = None
    if program.engine is None:
        seen = _explained.get(program, 0)
        if seen >= TRACED_FIRST:
            compiled = _compiled_explainer()
        else:
            _explained[program] = seen + len(households)
    memo: dict = {}
    out = []
    with gc_paused():
        for h in households:
            d = None if compiled is None else compiled(program, h, unit_id, comp, "")
            out.append(d if d is not None else _explain(program, h, unit_id, comp, "", memo))
    return out


def _explain(program: Program, household: Household, unit_id: str, comp: Composition, occupancy_source: str,
             memo: dict | None) -> Decision:
    policy = program.policy
    f = build_facts(program, household, unit_id, comp)
    shared = shared_results(program)
    if program.engine is None:
        statuses, recorded, seen = traced_statuses(program, f, shared, memo)
    else:
        statuses, recorded, seen = traced_by_tracer(program, f)
    outcome, deciding = combine(program, statuses, household)
    results = rule_results(program, f, statuses, recorded, seen, deciding, shared)
    changes = (_rule_changes(program, statuses, results, outcome, household.category)
               + _category_changes(program, f, statuses, outcome, comp))
    h = household
    inputs = Inputs(HouseholdInput(h.id, h.size, exact_text(h.income), h.category, h.age, tuple(h.flags), h.older,
                                   h.route), unit_id,
                    f.unit.complex, f.unit.portiek, f.unit.buurt, comp.date.isoformat(), occupancy_source,
                    None if f.profile.valid_from == dt.date.min else f.profile.valid_from.isoformat(),
                    _parameters(program, comp.date))
    return Decision(RECORD_VERSION, outcome, _outcome_label(outcome), deciding, results,
                    tuple(changes), _room(program, f, comp), _composition(program, f, comp), inputs,
                    _policy_ref(policy), _engine(program), _categories(policy))


@lru_cache(maxsize=64)
def _outcome_label(outcome: str) -> Bilingual:
    return Bilingual(*OUTCOME_LABELS[outcome])


@lru_cache(maxsize=64)
def _policy_ref(policy: Policy) -> PolicyRef:
    return PolicyRef(policy.id, policy.version, policy.content_hash)


__all__ = ["Decision", "decision_from_dict", "explain", "explain_json", "explain_traced", "explain_all", "display",
           "json_value", "bilingual", "undecided_text"]
