"""Explain stage over counts per level, compiled: explain()'s record without facts, a composition or a tracer.

For a program of the default engine that compiled_explain.py covers, compiled.py generates per date
an explain_counts function that reads and checks the counts as counts_decider does and computes,
in integers, the key of every rule's record (the values of its operands and placeholders). Here
each rule's status and records are made once per distinct key (from the exact values the key
stands for, by explain_rules.py's own functions) and shared, being frozen; below a rule, each
condition's record is kept per the part of the key it reads, each placeholder's text per its value
and each rule change per the records of the one rule that flips, since a letting new to the process
mostly brings a new combination of values the earlier ones already showed; the groups' records
come from the counts as given (explain_groups.composition_given, room_given); what would change
the outcome is explain.py's own code. Whatever is not covered (a program, a value of another type,
counts the check refuses, a household placed through a route) takes the general path:
explain_traced() over composition_from_counts. tests/test_explain_counts.py holds the two to the same
records on every shipped policy.
"""

from __future__ import annotations

import datetime as dt
import weakref
from fractions import Fraction
from functools import lru_cache
from operator import itemgetter

from ..lang.compiled import compiled_rules
from ..lang.compiled_explain import explain_code, value
from ..lang.facts import Household, Unknown
from ..lang.operators import apply
from ..lang.program import Program
from ..model.decision import Bilingual, Decision, HouseholdInput, Inputs, RuleResult
from ..model.decision_json import KEPT, dumps, record_json
from ..render.numbers import exact_text
from .counts import composition_from_counts, group_homes
from ..model.levels import group_keys
from .evaluate import FIRED, NOT_APPLICABLE, NOT_FIRED, RuleStatus, combine, compiled
from .explain import (RECORD_VERSION, _categories, _category_change, _engine, _improving_flips, _letter, _outcome_label,
                      _parameters, _policy_ref, _rule_change, explain_traced)
from .explain_groups import _exact, composition_given, composition_given_json, room_given
from .explain_rules import _SHARED_MAX, _plan, condition_result
from .explain_values import display
from ..lang.templates import Placeholder
from ..model.policy import OUTCOMES

_FIRED, _NOT_FIRED, _NOT_APPLICABLE = RuleStatus(FIRED), RuleStatus(NOT_FIRED), RuleStatus(NOT_APPLICABLE)


def explain_counts(program: Program, household: Household, unit_id: str, date: dt.date, counts,
                   leaving: str | None = None) -> Decision:
    """explain(program, household, unit_id, composition_from_counts(...)): the same record (PolicyError for
    counts check_counts refuses), by the compiled explainer of the date where there is one."""
    fast = counts_explainer(program, date)
    if fast is None:
        return _general(program, date, household, unit_id, counts, leaving)
    return fast(household, unit_id, counts, leaving)


def explain_counts_json(program: Program, household: Household, unit_id: str, date: dt.date, counts,
                        leaving: str | None = None) -> tuple[str, tuple[str, ...], str]:
    """(outcome, deciding rules, the record's JSON text) of explain_counts: the text its to_json() gives, written
    without building the record where the compiled explainer covers the program."""
    fast = counts_explainer(program, date)
    if fast is None:
        return _general(program, date, household, unit_id, counts, leaving, True)
    return fast(household, unit_id, counts, leaving, True)


def explain_composition(program: Program, household: Household, unit_id: str, comp, occupancy_source: str = "",
                        as_json: bool = False):
    """explain()'s record by the compiled explainer of the composition's date, its counts read from the home's groups
    when they are what counts per level stand for (explain() over composition_from_counts gives the same record, as
    tests/test_explain_counts.py holds): as many homes as the policy gives each group, occupied homes as many as
    their households, whole numbers of the policy's categories, the leaving household counted at every level. None
    when not (or not covered): explain() takes the traced path over the composition as it is. as_json: (outcome,
    deciding rules, the record's JSON text) as explain_counts_json gives them, for a record without an occupancy's
    name (None with one)."""
    fast = counts_explainer(program, comp.date)
    if fast is None or (as_json and occupancy_source):
        return None
    plan = _unit_groups(program.policy, unit_id)
    if plan is None:
        return None
    leaving = comp.by_unit.get(unit_id)
    cats, known = plan[0]
    at = cats.index(leaving) if leaving in known else -1
    if leaving is not None and at < 0:
        return None
    groups = comp.groups
    given = []
    for gk, homes in plan[1]:
        g = groups.get(gk)
        if g is None or g.homes != homes:
            return None
        c = g.counts
        per = tuple([c.get(x, 0) for x in cats])
        if (sum(per) != g.occupied or g.occupied > homes or not c.keys() <= known
                or any([n.__class__ is not int or n < 0 for n in per]) or (at >= 0 and not per[at])):
            return None
        given.append(per)
    d = fast(household, unit_id, tuple(given), leaving, as_json)
    if occupancy_source:
        i = d.inputs
        d = Decision(d.record_version, d.outcome, d.outcome_label, d.deciding_rules, d.rules, d.changes, d.room,
                     d.composition, Inputs(i.household, i.unit, i.complex, i.portiek, i.buurt, i.date, occupancy_source,
                                           i.profile_valid_from, i.parameters), d.policy, d.engine, d.categories)
    return d


def _unit_groups(policy, unit_id: str):
    """((the categories, as a set), per level ((level, key), the homes of the home's group)) of a home, kept per
    policy while it lives (a service that reloads its policies lets the old ones go); None for a home the policy
    does not have."""
    if unit_id.__class__ is not str:
        return None
    kept = _UNIT_GROUPS.get(policy)
    if kept is None:
        kept = _UNIT_GROUPS[policy] = {}
    plan = kept.get(unit_id)
    if plan is None:
        u = policy.units.get(unit_id)
        if u is None:
            return None
        homes = group_homes(policy)
        keys = tuple(zip(policy.levels.keys, group_keys(policy, u)))
        plan = kept[unit_id] = (policy.category_ids, frozenset(policy.category_ids)), tuple((k, homes[k]) for k in keys)
    return plan


_UNIT_GROUPS: "weakref.WeakKeyDictionary" = weakref.WeakKeyDictionary()


def _general(program: Program, date: dt.date, household: Household, unit_id: str, counts, leaving,
             as_json: bool = False):
    d = explain_traced(program, household, unit_id, composition_from_counts(program.policy, unit_id, date, counts,
                                                                                  leaving))
    return (d.outcome, d.deciding_rules, d.to_json()) if as_json else d


def _slots(operands, consts: list, width: int) -> tuple[int, ...]:
    """Per operand its place in the rule's values: its place in the key, or after the key's its constant's."""
    out = []
    for op in operands:
        if op.kind == "const":
            consts.append(op.const)
            out.append(width + len(consts) - 1)
        else:
            out.append(op.at)
    return tuple(out)


def _values(slots: tuple[int, ...], values: list) -> list:
    return [values[i] for i in slots]


class _RulePlan:
    """One rule as the compiled explainer reads it: where its operands are in its key, and its records so far."""

    __slots__ = ("p", "cr", "applies", "conditions", "fired", "not_fired", "any", "memo", "kinds", "consts",
                 "frames")

    def __init__(self, p, cr, operands, policy):
        self.p, self.cr = p, cr
        kinds: dict = {}
        for sides in operands.applies + operands.conditions + operands.fired + (operands.not_fired or ()):
            kinds.update((op.at, op) for op in sides if op.kind != "const")
        self.kinds = tuple(kinds[i] for i in range(len(kinds)))  # per place in the key, its operand
        consts: list = []
        width = len(kinds)
        self.applies = tuple(_Cond(c, _slots(sides, consts, width), width)
                             for c, sides in zip(cr.applies, operands.applies)) if cr.applies_fns else None
        self.conditions = tuple(_Cond(c, _slots(sides, consts, width), width)
                                for c, sides in zip(cr.conditions, operands.conditions))
        self.consts = consts  # the constants' values, after the key's in a rule's values
        self.fired = _texts(p.fired, operands.fired, self, width, policy)
        self.not_fired = None if operands.not_fired is None else _texts(p.not_fired, operands.not_fired, self, width,
                                                                        policy)
        self.any = cr.rule.mode == "any"
        self.memo: dict = {}
        self.frames: dict = {}  # (status, deciding) -> the rule's JSON text cut at its parts (_rule_json)

    def values(self, key: tuple) -> list:
        """The values a key stands for, the constants' after them."""
        return [value(op, k) for op, k in zip(self.kinds, key)] + self.consts


class _Cond:
    """One condition of a rule plan: where its operands are in the rule's values, and its records so far per the
    part of the key it reads (a condition reads few operands: an income, a share; met again by lettings whose
    other values differ)."""

    __slots__ = ("c", "slots", "part", "memo")

    def __init__(self, c, slots: tuple[int, ...], width: int):
        self.c, self.slots = c, slots
        at = tuple(i for i in slots if i < width)
        self.part = itemgetter(*at) if at else _NOTHING
        self.memo: dict = {}


def _NOTHING(key) -> tuple:
    return ()


def _texts(templates, operands, rp: _RulePlan, width: int, policy) -> tuple:
    """A rule's text (Dutch, English) as per language a %-template of its literal text (constants' texts in it)
    and per placeholder left (its place in the key, its operand, its type and format, its texts so far per value)."""
    out = []
    for t, lang, ops in zip(templates, ("nl", "en"), operands):
        slots = iter(_slots(ops, rp.consts, width))
        template, places = [], []
        for part in t.parts:
            if part.__class__ is not Placeholder:
                template.append(part.replace("%", "%%"))
                continue
            i = next(slots)
            if i >= width:  # a constant: its text once
                shown = display(rp.consts[i - width], part.expr.type, lang, policy, part.fmt)
                template.append(shown.replace("%", "%%"))
            else:
                template.append("%s")
                places.append((i, rp.kinds[i], part.expr.type, part.fmt, {}))
        out.append((lang, "".join(template), tuple(places)))
    return tuple(out)


def _fill(texts: tuple, key: tuple, policy) -> Bilingual:
    """A rule's text from its key: explain_values.fill_template's, each placeholder's text kept per its value."""
    nl_en = []
    for lang, template, places in texts:
        shown = []
        for i, op, typ, fmt, known in places:
            k = key[i]
            text = known.get(k)
            if text is None:
                text = display(value(op, k), typ, lang, policy, fmt)
                if len(known) < _SHARED_MAX and k.__class__ is not Unknown:
                    known[k] = text
            shown.append(text)
        nl_en.append(template % tuple(shown))
    return Bilingual(*nl_en)


def _judge(conds: tuple, rp: _RulePlan, key: tuple, decisive: bool, policy):
    """explain_rules._judge over the values a key stands for: each condition's truth and record kept per the part
    of the key it reads."""
    out = []
    hit = False
    unknown = None
    values = None
    for cond in conds:
        part = cond.part(key)
        known = cond.memo.get(part)
        if known is None:
            if values is None:
                values = rp.values(key)
            c = cond.c
            if c.op is None:  # not one comparison: its truth and the facts it reads
                v, *facts = _values(cond.slots, values)
                known = v, condition_result(c, v, None, tuple(facts), policy)
            else:
                a, b = _values(cond.slots, values)
                v = apply(c.op, a, b)
                known = v, condition_result(c, v, (a, b), (), policy)
            if len(cond.memo) < _SHARED_MAX and v.__class__ is not Unknown:
                cond.memo[part] = known
        v, r = known
        out.append(r)
        if v is decisive:
            hit = True
        elif unknown is None and v.__class__ is Unknown:
            unknown = v
    return tuple(out), (decisive if hit else unknown if unknown is not None else not decisive)


def _entry(rp: _RulePlan, key: tuple, policy) -> list:
    """A rule's [status, applies_when, conditions, record when not deciding, when deciding, letter, key, its JSON
    text when not deciding, when deciding]."""
    applies = conds = ()
    st = None
    if rp.applies is not None:
        applies, v = _judge(rp.applies, rp, key, False, policy)
        if v is not True:
            st = RuleStatus(NOT_APPLICABLE, v) if v.__class__ is Unknown else _NOT_APPLICABLE
    if st is None:
        conds, v = _judge(rp.conditions, rp, key, rp.any, policy)
        st = _FIRED if v is True else _NOT_FIRED if v is False else RuleStatus(NOT_APPLICABLE, v)
    return [st, applies, conds, None, None, _letter(st), key, None, None]


def _text_and_reason(rp: _RulePlan, e: list, policy) -> tuple:
    """A rule's (text, reason) as explain_rules.rule_results gives them."""
    st = e[0]
    status = st.status
    if status == FIRED:
        return _fill(rp.fired, e[6], policy), None
    if status == NOT_FIRED:
        return (_fill(rp.not_fired, e[6], policy) if rp.not_fired else None), None
    if st.reason is not None:
        return None, Bilingual(st.reason.nl, st.reason.en)
    failed = next(a for a in e[1] if a.result == "false")
    return None, Bilingual(f"geldt alleen als {failed.text}", f"applies only when {failed.text}")


def _result(rp: _RulePlan, e: list, deciding: bool, policy) -> RuleResult:
    """explain_rules.rule_results for one rule."""
    p = rp.p
    text, reason = _text_and_reason(rp, e, policy)
    rr = e[3 + deciding] = RuleResult(p.id, p.title, p.level, p.kind, p.outcome, e[0].status, deciding, p.source,
                                      e[1], e[2], text, reason)
    return rr


# the markers of a rule's parts in the order its text holds them (keys sorted)
_RULE_MARKS = [f"\x00{part}\x00" for part in ("applies", "conditions", "reason", "text")]


def _rule_json(rp: _RulePlan, e: list, deciding: bool, policy) -> str:
    """record_json(_result(rp, e, deciding, policy)), written without building the record: the rule's text for its
    status and deciding cut once at markers for its parts (decision_json.py's own writer), filled in."""
    status = e[0].status
    frame = rp.frames.get((status, deciding))
    if frame is None:
        p = rp.p
        marks = _RULE_MARKS
        text = record_json(RuleResult(p.id, p.title, p.level, p.kind, p.outcome, status, deciding, p.source, marks[0],
                                       marks[1], marks[3], marks[2]))  # (its text before its reason)
        frame = rp.frames[(status, deciding)] = _cut(text, marks)
    text, reason = _text_and_reason(rp, e, policy)
    out = e[7 + deciding] = "".join((frame[0], _list(e[1]), frame[1], _list(e[2]), frame[2],
                                     "null" if reason is None else record_json(reason), frame[3],
                                     "null" if text is None else record_json(text), frame[4]))
    return out


def _cut(text: str, marks: list[str]) -> tuple[str, ...]:
    """text cut at the JSON texts of marks, each found once, in order."""
    out = []
    for mark in marks:
        before, found, text = text.partition(dumps(mark))
        if not found or dumps(mark) in text:
            raise ValueError(f"not one {mark!r} in the record's text")
        out.append(before)
    return tuple(out) + (text,)


def _list(records) -> str:
    """A tuple of records as its record's writer writes it (decision_json.py)."""
    return "[" + ", ".join([r.__dict__.get(KEPT) or record_json(r) for r in records]) + "]"


def _number_text(x) -> str:
    cls = x.__class__
    return _exact(x.numerator, x.denominator) if cls is int or cls is Fraction else exact_text(x)


@lru_cache(maxsize=64)
def counts_explainer(program: Program, date: dt.date):
    """The compiled explainer of a program for one date: (household, unit id, counts, leaving) -> Decision, or None
    when the program is not covered (another engine, a construct compiled_explain.py has no code for)."""
    if program.engine is not None:
        return None
    policy = program.policy
    decide = compiled(program, date)
    if decide is None:
        return None
    plans: list = []
    rule_plans: list = []
    combined: dict = {}
    rule_changes: dict = {}
    rank = {o: k for k, o in enumerate(OUTCOMES)}
    parameters, policy_ref, engine, categories = (_parameters(program, date), _policy_ref(policy), _engine(program),
                                                  _categories(policy))
    places: dict = {}
    other_categories = {c: tuple(x for x in policy.category_ids if x != c) for c in policy.category_ids}
    date_text = date.isoformat()
    from_counts = decide.from_counts

    def general(h, uid, counts, leaving, as_json=False):
        return _general(program, date, h, uid, counts, leaving, as_json)

    def frame(od: list) -> tuple:
        """The record's JSON text around its parts for one combination (its outcome and deciding rules): the text
        the record's own writer gives for a record holding a marker in each part, cut at the markers."""
        marks = [f"\x00{part}\x00" for part in ("changes", "composition", "inputs", "room", "rules")]
        text = Decision(RECORD_VERSION, od[0], od[3], od[1], marks[4], marks[0], marks[3], marks[1], marks[2],
                        policy_ref, engine, categories).to_json()
        out = od[6] = _cut(text, marks)
        return out

    def place(uid: str) -> tuple:
        u = policy.units[uid]
        prof = policy.complexes[u.complex].profile_at(date)
        since = None if prof.valid_from == dt.date.min else prof.valid_from.isoformat()
        mark = "\x00household\x00"
        text = Inputs(mark, uid, u.complex, u.portiek, u.buurt, date_text, "", since, parameters).to_json()
        x = places[uid] = (u.complex, u.portiek, u.buurt, prof, since, _cut(text, [mark]))
        return x

    def tail(h, uid, counts, leaving, ci, ks, homes, given, keys, as_json):
        entries = []
        for rp, key in zip(rule_plans, keys):
            try:
                e = rp.memo.get(key)
            except TypeError:  # a value that is no key: the general path
                return general(h, uid, counts, leaving)
            if e is None:
                e = _entry(rp, key, policy)
                if len(rp.memo) < _SHARED_MAX:
                    rp.memo[key] = e
            entries.append(e)
        letters = "".join([e[5] for e in entries])
        od = combined.get(letters)
        if od is None:
            od = combined[letters] = combination(letters, entries)
        outcome, deciding, flips, label, now, flags = od[:6]
        if as_json:
            results = "[" + ", ".join([e[7 + d] or _rule_json(rp, e, d, policy)
                                       for rp, e, d in zip(rule_plans, entries, flags)]) + "]"
        else:
            results = tuple([e[3 + d] or _result(rp, e, d, policy) for rp, e, d in zip(rule_plans, entries, flags)])
        # the rules whose flip alone makes the advice better (as _rule_changes finds them): each one's change depends
        # on its status and its conditions' records (shared records, met again by lettings whose other values
        # differ) and the category the words name: kept per those (held by the value, so that their ids are not
        # reused while it is kept)
        changes = []
        for i, new_outcome in flips:
            held = entries[i][2]  # the rule's conditions' records
            ck = (i, new_outcome, letters[i], h.category) + tuple([id(c) for c in held])
            kept = rule_changes.get(ck)
            if kept is None:
                kept = (held, _rule_change(program, i, new_outcome, letters[i] == "f", held, h.category))
                if len(rule_changes) < _SHARED_MAX:
                    rule_changes[ck] = kept
            changes.append(kept[1])
        cat = h.category
        for cid in other_categories[cat]:
            # the counts in the tuple form (checked already): the same outcome as from the mapping, read faster
            other, _ = from_counts(Household(h.id, h.size, h.income, cid, h.age, h.flags, h.older, None), uid, given,
                                   leaving)
            if rank[other] > now:
                changes.append(_category_change(policy, cid, other))
        pl = places.get(uid) or place(uid)
        prof = pl[3]
        household = HouseholdInput(h.id, h.size, _number_text(h.income), cat, h.age, tuple(h.flags), h.older, h.route)
        if as_json:
            f = od[6] or frame(od)
            inputs = pl[5]
            return outcome, deciding, "".join((
                f[0], _list(changes), f[1],
                composition_given_json(program, ks, leaving, cat, prof, given, homes), f[2],
                inputs[0], record_json(household), inputs[1], f[3],
                _list(room_given(program, ks, leaving, prof, given, homes)), f[4], results, f[5]))
        inputs = Inputs(household, uid, pl[0], pl[1], pl[2], date_text, "", pl[4], parameters)
        return Decision(RECORD_VERSION, outcome, label, deciding, results, tuple(changes),
                        room_given(program, ks, leaving, prof, given, homes),
                        composition_given(program, ks, leaving, cat, prof, given, homes), inputs,
                        policy_ref, engine, categories)

    def combination(letters: str, entries: list) -> list:
        """For one combination of statuses: [outcome, deciding rules, the rules whose flip alone makes the advice
        better, the outcome's label, its rank, per rule whether it decides, the JSON around the parts or None]."""
        outcome, deciding = combine(program, [e[0] for e in entries])
        flips = _improving_flips(program, letters, outcome)
        return [outcome, deciding, flips, _outcome_label(outcome), rank[outcome],
                tuple(rp.p.id in deciding for rp in rule_plans), None]

    built = compiled_rules(program, date, None, None, None, None, None,
                           names={"explain_tail": tail, "general_explain": general},
                           explain_code=explain_code(program, plans))
    if built is None or built.explain_counts is None:
        return None
    rule_plans.extend(_RulePlan(p, cr, ops, policy) for p, cr, ops in zip(_plan(program), program.rules, plans))
    return built.explain_counts
