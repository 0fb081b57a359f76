"""Explain stage: the explanation record of one decision.

For every rule: fired / not fired / not applicable, each condition with its values on
both sides, the rule's file:line and its rendered text in Dutch and English. Then what
would change the outcome: rules whose flip alone changes it, other categories, and the
room left per category at every level (portiek, complex, buurt and any the policy adds).
"""

from __future__ import annotations

import datetime as dt
import weakref
from fractions import Fraction
from functools import lru_cache

from ..version import __version__
from ..model.decision import (Bilingual, CategoryLabel, Change, ConditionResult, Decision, EngineRef, HouseholdInput, Inputs,
                              ParameterInput, Parameters, PolicyRef, RuleResult, Value, decision_from_dict)
from .evaluate import (APPLIES, CONDITIONS, FIRED, NOT_APPLICABLE, NOT_FIRED, RuleStatus, build_facts, combine,
                       compiled, observe, rule_status, rule_statuses, with_category)
from .explain_groups import _composition, _exact, _room
from ..lang.facts import Facts, Household, Unknown
from ..model.policy import OUTCOME_LABELS, OUTCOMES, UNDECIDED, Policy
from ..render.numbers import exact_text, format_euro, format_percent, format_plain
from ..load.occupancy import Composition
from ..lang.operators import OPERATORS
from ..lang.program import Condition, Expr, Program
from ..lang.templates import Template
from ..model.value_types import CATEGORY, ValueType

ENGINE = "magicmix"
RECORD_VERSION = 1


def bilingual(nl: str, en: str) -> dict:
    """A {'nl': ..., 'en': ...} text."""
    return {"nl": nl, "en": en}


# --- values ------------------------------------------------------------------------------------

def json_value(v):
    """An evaluated value as JSON data (exact numbers as text)."""
    cls = v.__class__
    if cls is Fraction or cls is int:
        return _exact(v.numerator, v.denominator)
    if v.__class__ is Unknown:
        return None
    if isinstance(v, bool):
        return v
    if isinstance(v, (Fraction, int)):
        return exact_text(Fraction(v))
    if isinstance(v, dt.date):
        return v.isoformat()
    if isinstance(v, (tuple, list)):
        return [json_value(x) for x in v]
    if isinstance(v, dict) or hasattr(v, "items"):
        return {k: json_value(x) for k, x in v.items()}
    return v


def display(v, typ: ValueType, lang: str, policy: Policy, fmt: str = "auto") -> str:
    """An evaluated value as people read it: '35,0 %', '€ 682,96', a category's label, 'ja'."""
    cls = v.__class__
    if cls is Fraction or cls is int:
        return _display_number(v.numerator, v.denominator, typ, lang, policy, fmt)
    if cls is str or cls is bool:
        return _display_cached(v, typ, lang, policy, fmt)
    return _display(v, typ, lang, policy, fmt)


@lru_cache(maxsize=8192)
def _display_cached(v, typ: ValueType, lang: str, policy: Policy, fmt: str) -> str:
    return _display(v, typ, lang, policy, fmt)


@lru_cache(maxsize=8192)
def _display_number(n: int, d: int, typ: ValueType, lang: str, policy: Policy, fmt: str) -> str:
    return _display(Fraction(n, d), typ, lang, policy, fmt)


def _display(v, typ: ValueType, lang: str, policy: Policy, fmt: str) -> str:
    if v.__class__ is Unknown:
        return "onbekend" if lang == "nl" else "unknown"
    if isinstance(v, bool):
        return ("ja" if v else "nee") if lang == "nl" else ("yes" if v else "no")
    if isinstance(v, dt.date):
        return v.isoformat()
    if isinstance(v, (tuple, list)):
        return ", ".join(str(x) for x in v) or ("(geen)" if lang == "nl" else "(none)")
    if hasattr(v, "items"):
        return ", ".join(f"{k}: {display(x, typ.item(), lang, policy)}" for k, x in v.items())
    if isinstance(v, str):
        if (typ is CATEGORY or fmt == "label") and v in policy.category_ids and fmt != "text":
            return policy.category(v).label.get(lang)
        return v
    unit = typ.unit or ""
    if fmt == "pct" or (fmt == "auto" and unit == "percent"):
        return format_percent(v, lang)
    if fmt == "euro" or (fmt == "auto" and unit.startswith("euro")):
        return format_euro(v, lang, cents=unit in ("euro_per_month", "euro"))
    if fmt == "int":
        return format_plain(Fraction(round(Fraction(v))), lang)
    return format_plain(v, lang)


def _value(e: Expr, v, policy: Policy) -> Value:
    cls = v.__class__
    if cls is Fraction or cls is int:
        return _number_value(e.text, v.numerator, v.denominator, e.type, policy)
    return Value(e.text, json_value(v), Bilingual(display(v, e.type, "nl", policy), display(v, e.type, "en", policy)))


@lru_cache(maxsize=8192)
def _number_value(text: str, n: int, d: int, typ: ValueType, policy: Policy) -> Value:
    # Records are frozen, so one Value serves every decision that shows this number for this expression.
    return Value(text, _exact(n, d), Bilingual(_display_number(n, d, typ, "nl", policy, "auto"),
                                               _display_number(n, d, typ, "en", policy, "auto")))


def render_template(t: Template, f: Facts, lang: str, policy: Policy) -> str:
    """Fill an explanation template: placeholders are fact paths only, formatted safely."""
    out = []
    for part in t.parts:
        if isinstance(part, str):
            out.append(part)
        else:
            out.append(display(part.expr.fn(f), part.expr.type, lang, policy, part.fmt))
    return "".join(out)


def _rule_text(templates: tuple[Template, Template], f: Facts, policy: Policy, shared: dict) -> Bilingual:
    """A rule's text in Dutch and English; shared with earlier explanations that filled in the same values."""
    values = tuple(tuple(part.expr.fn(f) for part in t.parts if not isinstance(part, str)) for t in templates)
    try:
        key = (id(templates),) + tuple(tuple(_side_key(v) for v in vs) for vs in values)
    except TypeError:
        key = None
    text = shared.get(key) if key is not None else None
    if text is None:
        text = Bilingual(*(_fill(t, vs, lang, policy) for t, vs, lang in zip(templates, values, ("nl", "en"))))
        if key is not None and len(shared) < _SHARED_MAX:
            shared[key] = text
    return text


def _fill(t: Template, values: tuple, lang: str, policy: Policy) -> str:
    it = iter(values)
    return "".join(part if isinstance(part, str) else display(next(it), part.expr.type, lang, policy, part.fmt)
                   for part in t.parts)


def condition_result(c: Condition, v, sides: tuple | None, facts: tuple, policy: Policy) -> ConditionResult:
    """One evaluated condition as the record shows it: its result and the values on both sides."""
    left = right = None
    if sides is not None:
        left = _value(c.left, sides[0], policy)
        right = _value(c.right, sides[1], policy)
    result = "true" if v is True else "false" if v is False else "unknown"
    used = tuple(_value(e, x, policy) for e, x in zip(c.facts, facts))
    reason = Bilingual(v.nl, v.en) if v.__class__ is Unknown else None
    w = c.expr.source.where
    return ConditionResult(c.expr.source.text, w.line, w.column, result, c.op, left, right, used, reason)


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
        self.shared = _shared_results(program) if program is not None else None

    def condition(self, cr, part: str, c: Condition, value, sides, facts) -> None:
        """Record one condition's result and values."""
        shared = self.shared
        key = _result_key(c, value, sides) if shared is not None and not facts else None
        r = shared.get(key) if key is not None else None
        if r is None:
            r = condition_result(c, value, sides, facts, self.policy)
            if key is not None and len(shared) < _SHARED_MAX:
                shared[key] = r
        self.seen.setdefault((id(cr), part), []).append(r)

    def results(self, cr, part: str) -> tuple[ConditionResult, ...]:
        """The recorded conditions of one rule's part ('applies' or 'conditions'), in policy order."""
        return tuple(self.seen.get((id(cr), part), ()))


_SHARED_MAX = 8_192  # kept small: a cache of many objects makes every full garbage collection longer
_SHARED: "weakref.WeakKeyDictionary" = weakref.WeakKeyDictionary()


def _shared_results(program: Program) -> dict:
    """The condition results shared by the explanations of one program (they die with it: keys hold ids of its
    conditions)."""
    d = _SHARED.get(program)
    if d is None:
        d = _SHARED[program] = {}
    return d


def _side_key(v):
    cls = v.__class__
    if cls is Fraction or cls is int:
        return v.numerator, v.denominator
    if cls is str:
        return v
    if cls is bool:
        return (v,)
    raise TypeError  # not shared: a list, a date, an unknown value


def _result_key(c: Condition, value, sides):
    """What a comparison's ConditionResult depends on besides the condition: its truth and its two values."""
    if sides is None or (value is not True and value is not False):
        return None
    try:
        return id(c), value, _side_key(sides[0]), _side_key(sides[1])
    except TypeError:
        return None


# --- what would change the outcome -----------------------------------------------------------

def _condition_words(cr: ConditionResult, negate: bool, lang: str) -> str:
    op = OPERATORS[cr.op].negation if negate and cr.op is not None else cr.op
    if cr.op is None or op is None:  # not one comparison, or one without a negation in the table
        body = cr.text
        return (f"niet ({body})" if lang == "nl" else f"not ({body})") if negate else body
    now = "nu" if lang == "nl" else "now"
    return (f"{cr.left.expr} {op} {cr.right.expr} ({now} {cr.left.display[lang]} "
            f"{'tegenover' if lang == 'nl' else 'against'} {cr.right.display[lang]})")


_BY_LETTER = {"f": RuleStatus(FIRED), "n": RuleStatus(NOT_FIRED), "a": RuleStatus(NOT_APPLICABLE),
              "u": RuleStatus(NOT_APPLICABLE, Unknown("onbekend", "unknown"))}


def _letter(st: RuleStatus) -> str:
    return "f" if st.status == FIRED else "n" if st.status == NOT_FIRED else "a" if st.reason is None else "u"


@lru_cache(maxsize=4096)
def _combined(program: Program, letters: str) -> tuple[str, tuple[str, ...]]:
    """combine() of the statuses spelled by letters (the outcome depends on nothing else), computed once."""
    return combine(program, tuple(_BY_LETTER[c] for c in letters))


def _rule_changes(program: Program, statuses, results: list[RuleResult], outcome: str) -> list[Change]:
    out = []
    keys = [_letter(st) for st in statuses]
    for i, (cr, st) in enumerate(zip(program.rules, statuses)):
        if st.status not in (FIRED, NOT_FIRED):
            continue
        flipped = list(keys)
        flipped[i] = "n" if st.status == FIRED else "f"
        new_outcome, _ = _combined(program, "".join(flipped))
        if OUTCOMES.index(new_outcome) <= OUTCOMES.index(outcome):
            continue  # only what would make the advice better helps staff
        res = results[i]
        holds = st.status == FIRED
        # A fired 'all' rule stops when any one true condition fails; a not-fired 'any' rule fires when
        # any one false condition holds. Otherwise every listed condition must change.
        needed = [c for c in res.conditions if c.result == ("true" if holds else "false")]
        one_of = len(needed) > 1 and cr.rule.mode == ("all" if holds else "any")
        verb = ("niet zou gelden", "did not hold") if holds else ("zou gelden", "held")
        text = {}
        for k, lang in enumerate(("nl", "en")):
            lead = (f"{_label(new_outcome, lang)} {'als regel' if lang == 'nl' else 'if rule'} '{cr.rule.id}' "
                    f"{verb[k]}, {'dus als' if lang == 'nl' else 'that is if'} ")
            if one_of:
                lead += "één van: " if lang == "nl" else "one of: "
            text[lang] = lead + "; ".join(_condition_words(c, holds, lang) for c in needed)
        out.append(Change("rule", new_outcome, Bilingual(text["nl"], text["en"])))
    return out


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
            label = policy.category(cid).label
            out.append(Change("category", other, Bilingual(
                f"{_label(other, 'nl')} voor een huishouden van categorie {label.nl}",
                f"{_label(other, 'en')} for a household of category {label.en}")))
    return out


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


def explain(program: Program, household: Household, unit_id: str, comp: Composition,
            occupancy_source: str = "") -> Decision:
    """Evaluate one letting with the full explanation record."""
    policy = program.policy
    f = build_facts(program, household, unit_id, comp)
    tracer = RecordingTracer(policy, program)
    statuses = rule_statuses(program, f, tracer)
    outcome, deciding = combine(program, statuses, household)
    results = []
    for cr, st in zip(program.rules, statuses):
        r = cr.rule
        applies, conds = tracer.results(cr, APPLIES), tracer.results(cr, CONDITIONS)
        text = None
        if st.status == FIRED:
            text = _rule_text(cr.fired, f, policy, tracer.shared)
        elif st.status == NOT_FIRED and cr.not_fired:
            text = _rule_text(cr.not_fired, f, policy, tracer.shared)
        reason = None
        if st.status == NOT_APPLICABLE:
            if st.reason is not None:
                reason = Bilingual(st.reason.nl, st.reason.en)
            else:
                failed = next(a for a in applies if a.result == "false")
                reason = Bilingual(f"geldt alleen als {failed.text}", f"applies only when {failed.text}")
        results.append(RuleResult(r.id, Bilingual(r.title.nl, r.title.en), r.level, r.kind, r.outcome, st.status,
                                  r.id in deciding, f"{r.where.file}:{r.where.line}", applies, conds, text, reason))
    changes = _rule_changes(program, statuses, results, outcome) + _category_changes(program, f, statuses, outcome, comp)
    h = household
    inputs = Inputs(HouseholdInput(h.id, h.size, exact_text(h.income), h.category, h.age, tuple(h.flags), h.older,
                                   h.route), unit_id,
                    f.unit.complex, f.unit.portiek, f.unit.buurt, comp.date.isoformat(), occupancy_source,
                    None if f.profile.valid_from == dt.date.min else f.profile.valid_from.isoformat(),
                    _parameters(program, comp.date))
    return Decision(RECORD_VERSION, outcome, Bilingual(*OUTCOME_LABELS[outcome]), deciding, tuple(results),
                    tuple(changes), _room(program, f, comp), _composition(program, f, comp), inputs,
                    _policy_ref(policy), _engine(program), _categories(policy))


@lru_cache(maxsize=64)
def _policy_ref(policy: Policy) -> PolicyRef:
    return PolicyRef(policy.id, policy.version, policy.content_hash)


__all__ = ["Decision", "decision_from_dict", "explain", "display", "json_value", "bilingual", "undecided_text"]
