"""Explain stage, rules: what every rule did in one decision, from one traced pass over its conditions.

The semantics is evaluate.rule_status's with a tracer (every condition of a judged part is
evaluated and shown; a rule whose applies_when does not hold has its conditions unjudged), here
without a tracer object per decision: the rules' static parts (title, file:line, the evaluators
of each condition) are laid out once per program, each condition's operands are evaluated once
and read again by the rule texts that show them, and the frozen records that show the same
values are shared by the explanations of one program. tests/test_explain_rules.py holds this
pass to the tracer's records (explain.RecordingTracer) on every shipped policy.
"""

from __future__ import annotations

import weakref
from fractions import Fraction

from ..lang.facts import Facts, Unknown
from ..lang.operators import OPERATORS, apply
from ..lang.program import CompiledRule, Condition, Expr, Program
from ..lang.syntax import Attr, Index, Name, Node, Str
from ..lang.templates import Template
from ..model.decision import Bilingual, ConditionResult, RuleResult
from ..model.policy import Policy
from .evaluate import FIRED, NOT_APPLICABLE, NOT_FIRED, RuleStatus
from .explain_reads import household_reads
from .explain_values import expr_value, fill_template, side_key

_SHARED_MAX = 8_192  # kept small: a cache of many objects makes every full garbage collection longer
_SHARED: "weakref.WeakKeyDictionary" = weakref.WeakKeyDictionary()
_PLANS: "weakref.WeakKeyDictionary" = weakref.WeakKeyDictionary()
_FIRED, _NOT_FIRED, _NOT_APPLICABLE = RuleStatus(FIRED), RuleStatus(NOT_FIRED), RuleStatus(NOT_APPLICABLE)


def shared_results(program: Program) -> dict:
    """The records shared by the explanations of one program (they die with it: keys hold ids of its conditions)."""
    d = _SHARED.get(program)
    if d is None:
        d = _SHARED[program] = {}
    return d


def result_key(c: Condition, value, sides):
    """What a comparison's ConditionResult depends on besides the condition: its truth and its two values."""
    if sides is None or (value is not True and value is not False):
        return None
    try:
        return id(c), value, side_key(sides[0]), side_key(sides[1])
    except TypeError:
        return None


def condition_result(c: Condition, v, sides: tuple | None, facts: tuple, policy: Policy) -> ConditionResult:
    """One evaluated condition as the record shows it: its result and the values on both sides."""
    left = right = None
    if sides is not None:
        left = expr_value(c.left, sides[0], policy)
        right = expr_value(c.right, sides[1], policy)
    result = "true" if v is True else "false" if v is False else "unknown"
    used = tuple(expr_value(e, x, policy) for e, x in zip(c.facts, facts))
    reason = Bilingual(v.nl, v.en) if v.__class__ is Unknown else None
    w = c.expr.source.where
    return ConditionResult(c.expr.source.text, w.line, w.column, result, c.op, left, right, used, reason)


def shared_result(c: Condition, v, sides: tuple, shared: dict, policy: Policy) -> ConditionResult:
    """condition_result of a comparison, the frozen record shared with every earlier one of the same values."""
    key = result_key(c, v, sides)
    r = shared.get(key) if key is not None else None
    if r is None:
        r = condition_result(c, v, sides, (), policy)
        if key is not None and len(shared) < _SHARED_MAX:
            shared[key] = r
    return r


def rule_text(templates: tuple[Template, Template], values: tuple, policy: Policy, shared: dict) -> Bilingual:
    """A rule's text in Dutch and English from its placeholders' values (per template, in order); shared with
    earlier explanations that filled in the same values."""
    key = _text_key(templates, values)
    text = shared.get(key) if key is not None else None
    if text is None:
        text = Bilingual(fill_template(templates[0], values[0], "nl", policy),
                         fill_template(templates[1], values[1], "en", policy))
        if key is not None and len(shared) < _SHARED_MAX:
            shared[key] = text
    return text


def _text_key(templates, values: tuple):
    """What a rule's text depends on besides its templates, flat (the templates fix how many values each has): a
    whole number as itself (an int and a Fraction of it read alike), another number as (numerator, denominator),
    a text as itself, a truth value tagged (True reads 'ja', 1 reads '1'); None for anything else."""
    key = [id(templates)]
    for vs in values:
        for v in vs:
            cls = v.__class__
            if cls is int or cls is str:
                key.append(v)
            elif cls is Fraction:
                key.append(v.numerator if v.denominator == 1 else (v.numerator, v.denominator))
            elif cls is bool:
                key.append(("b", v))
            else:
                return None  # not shared: a list, a date, an unknown value
    return tuple(key)


class _Cond:
    """A condition laid out for the traced pass: its operator and operands' evaluators and texts."""

    __slots__ = ("c", "fn", "left", "right", "left_text", "right_text", "expr", "facts", "fact_texts")

    def __init__(self, c: Condition):
        self.c = c
        self.fn = OPERATORS[c.op].fn if c.op is not None else None
        self.left, self.right = (c.left.fn, c.right.fn) if c.op is not None else (None, None)
        self.left_text, self.right_text = (path_key(c.left), path_key(c.right)) if c.op is not None else (None, None)
        self.expr = c.expr.fn
        self.facts = tuple(e.fn for e in c.facts)
        self.fact_texts = tuple(path_key(e) for e in c.facts)


class _Rule:
    """A rule laid out for the traced pass: what its record shows whatever the facts, and its conditions."""

    __slots__ = ("cr", "id", "title", "level", "kind", "outcome", "source", "applies", "conditions", "any",
                 "fired", "fired_paths", "not_fired", "not_fired_paths", "reads")

    def __init__(self, program: Program, cr: CompiledRule):
        r = cr.rule
        self.cr = cr
        self.reads = household_reads(program, cr)
        self.id, self.level, self.kind, self.outcome = r.id, r.level, r.kind, r.outcome
        self.title = Bilingual(r.title.nl, r.title.en)
        self.source = f"{r.where.file}:{r.where.line}"
        self.applies = tuple(_Cond(c) for c in cr.applies) if cr.applies_fns else None
        self.conditions = tuple(_Cond(c) for c in cr.conditions)
        self.any = r.mode == "any"
        self.fired, self.fired_paths = cr.fired, _paths(cr.fired)
        self.not_fired, self.not_fired_paths = cr.not_fired, _paths(cr.not_fired) if cr.not_fired else None


def path_key(e: Expr):
    """A fact path's canonical text ('projected.complex.share[household.category]'), or None for an expression that
    is not one: a condition's operand and a placeholder with the same path read the same fact."""
    return _node_path(e.node) if e.node is not None else None


def _node_path(node: Node):
    if isinstance(node, Name):
        return node.name
    if isinstance(node, Attr):
        base = _node_path(node.base)
        return None if base is None else f"{base}.{node.name}"
    if isinstance(node, Index):
        base = _node_path(node.base)
        index = repr(node.index.value) if isinstance(node.index, Str) else _node_path(node.index)
        return None if base is None or index is None else f"{base}[{index}]"
    return None


def _paths(templates: tuple[Template, Template]) -> tuple:
    """Per template, per placeholder: (its path, its evaluator). The traced pass keeps each condition operand's
    value by path; a placeholder reads it from there instead of evaluating the fact again (one that is not a path
    gets a key nothing else has)."""
    return tuple(tuple((path_key(part.expr) or object(), part.expr.fn) for part in t.parts if not isinstance(part, str))
                 for t in templates)


def _plan(program: Program) -> tuple[_Rule, ...]:
    plan = _PLANS.get(program)
    if plan is None:
        plan = _PLANS[program] = tuple(_Rule(program, cr) for cr in program.rules)
    return plan


def _judge(conds: tuple[_Cond, ...], f: Facts, decisive: bool, seen: dict, shared: dict, policy: Policy):
    """Every condition evaluated and recorded; their three-valued all (decisive False) or any (decisive True),
    as operators.kleene combines them."""
    out = []
    hit = False
    unknown = None
    for k in conds:
        c = k.c
        if k.fn is not None:
            a, b = k.left(f), k.right(f)
            seen[k.left_text] = a
            seen[k.right_text] = b
            v = apply(c.op, a, b)
            r = shared_result(c, v, (a, b), shared, policy)
        else:
            v = k.expr(f)
            facts = tuple(fn(f) for fn in k.facts)
            for text, x in zip(k.fact_texts, facts):
                seen[text] = x
            r = condition_result(c, v, None, facts, policy)
        out.append(r)
        if v is decisive:
            hit = True
        elif unknown is None and v.__class__ is Unknown:
            unknown = v
    return tuple(out), (decisive if hit else unknown if unknown is not None else not decisive)


def traced_statuses(program: Program, f: Facts, shared: dict, memo: dict | None = None) -> tuple[tuple, list, dict]:
    """Every rule's status (as rule_statuses gives it), its recorded applies_when and conditions, and the
    operands' values by path; for the default engine (program.engine None).

    memo, for explanations of one home on one date (explain.explain_all): a rule's status and records kept per the
    values of the household's fields it reads (explain_reads.py), and taken from there for the next household
    with the same values."""
    policy = program.policy
    statuses, recorded = [], []
    seen: dict = {}
    h = f.household
    for i, p in enumerate(_plan(program)):
        entry = key = None
        if memo is not None and p.reads is not None:
            key = (i,) + tuple([getattr(h, a) for a in p.reads])
            try:
                entry = memo.get(key)
            except TypeError:  # a field that cannot be a key (flags given as a list): this household on its own
                key = None
            if entry is not None:
                statuses.append(entry[0])
                recorded.append(entry)
                continue
        applies = conds = ()
        st = None
        if p.applies is not None:
            applies, v = _judge(p.applies, f, False, seen, shared, policy)
            if v is not True:
                st = RuleStatus(NOT_APPLICABLE, v) if v.__class__ is Unknown else _NOT_APPLICABLE
        if st is None:
            conds, v = _judge(p.conditions, f, p.any, seen, shared, policy)
            st = _FIRED if v is True else _NOT_FIRED if v is False else RuleStatus(NOT_APPLICABLE, v)
        statuses.append(st)
        entry = [st, applies, conds, None, None]  # and the RuleResult when not deciding, when deciding
        if key is not None:
            memo[key] = entry
        recorded.append(entry)
    return tuple(statuses), recorded, seen


def _values(paths: tuple, f: Facts, seen: dict) -> list:
    out = []
    get = seen.get
    for t in paths:
        vs = []
        for text, fn in t:
            x = get(text, seen)
            vs.append(fn(f) if x is seen else x)
        out.append(vs)
    return out


def rule_results(program: Program, f: Facts, statuses, recorded: list, seen: dict, deciding: tuple[str, ...],
                 shared: dict) -> tuple[RuleResult, ...]:
    """The record of every rule: status, conditions with their values, its text, and why it did not apply."""
    policy = program.policy
    out = []
    for p, st, entry in zip(_plan(program), statuses, recorded):
        is_deciding = p.id in deciding
        rr = entry[3 + is_deciding]
        if rr is None:
            status, applies, conds = st.status, entry[1], entry[2]
            text = reason = None
            if status == FIRED:
                text = rule_text(p.fired, _values(p.fired_paths, f, seen), policy, shared)
            elif status == NOT_FIRED:
                if p.not_fired:
                    text = rule_text(p.not_fired, _values(p.not_fired_paths, f, seen), policy, shared)
            elif st.reason is not None:
                reason = Bilingual(st.reason.nl, st.reason.en)
            else:
                failed = next(a for a in applies if a.result == "false")
                reason = Bilingual(f"geldt alleen als {failed.text}", f"applies only when {failed.text}")
            rr = entry[3 + is_deciding] = RuleResult(p.id, p.title, p.level, p.kind, p.outcome, status, is_deciding,
                                                     p.source, applies, conds, text, reason)
        out.append(rr)
    return tuple(out)
