"""durable-rules (a Rete engine) as a second engine, cross-checked against the default one.

durable-rules decides which rules fire; the values it compares come from the shared
condition evaluator, and the explanation record stays the same. Its pitfalls, and what
this wrapper does about each:

- the stock Host starts timer threads that race the caller: `_QuietHost` starts none;
- exceptions in actions are stored in the session state: our actions never raise, and
  anything they catch is raised after the call;
- a ruleset name can be registered only once, and at most 1,024 sessions may live per
  ruleset: every ruleset gets a versioned name, every evaluation a new session id that is
  deleted in `finally`, and `reload` frees the old ruleset;
- it compares doubles, its `/` truncates and its division by zero kills the process: it
  does no arithmetic here. A comparison of two numbers a/b and c/d is handed over as the
  integers a*d and c*b (exact below 2**53; beyond that as the sign of the difference);
- a missing attribute silently makes a test false: every condition comes with a known
  flag, so an unknown value is a decision of ours, never an accident;
- `post` consumes an event at the first matching rule: one fact is asserted per
  evaluation, so every matching rule fires; each pattern starts with a positive type test;
- deleting a session that was never stored aborts the process (seen here: "double free"
  when no rule matched): a catch-all rule makes every evaluation store its session.

Conditions that are not one comparison (`in`, `not`, and/or inside one condition) are
evaluated by the shared evaluator and handed over as a truth value.
"""

from __future__ import annotations

import itertools
import sys
import threading
from fractions import Fraction

from ..diagnostics import PolicyError, make
from .evaluate import FIRED, NOT_APPLICABLE, NOT_FIRED, RuleStatus
from ..lang.facts import Facts, Unknown
from ..lang.operators import OPERATORS, apply
from ..lang.program import Condition, Program

NAME = "durable-rules"
_EXACT = 2 ** 53
_FIRED, _NOT_FIRED = RuleStatus(FIRED), RuleStatus(NOT_FIRED)
_names = itertools.count(1)


def unavailable_reason() -> tuple[str, str] | None:
    """Why durable-rules cannot be used here, in Dutch and English (None when it can)."""
    if sys.version_info >= (3, 13):
        return ("durable-rules 2.0.28 werkt niet op Python 3.13 of nieuwer",
                "durable-rules 2.0.28 does not run on Python 3.13 or newer")
    import importlib.util

    if importlib.util.find_spec("durable") is None or importlib.util.find_spec("durable_rules_engine") is None:
        return ("durable-rules is niet geïnstalleerd: pip install 'magicmix[durable]'",
                "durable-rules is not installed: pip install 'magicmix[durable]'")
    return None


def _field(i: int, part: str, j: int, kind: str) -> str:
    return f"r{i}{part}{j}{kind}"


def _comparison_kind(c: Condition) -> bool:
    """Whether durable-rules can compare the two sides itself (numbers, texts, yes/no)."""
    return c.op is not None and OPERATORS[c.op].durable is not None


def _term(i: int, part: str, j: int, c: Condition) -> dict:
    known = {_field(i, part, j, "k"): 1}
    if _comparison_kind(c):
        left, right = _field(i, part, j, "l"), _field(i, part, j, "r")
        test = OPERATORS[c.op].durable
        test = {left: {"$m": right}} if test == "$eq" else {test: {left: {"$m": right}}}
    else:
        test = {_field(i, part, j, "v"): 1}
    return {"$and": [known, test]}


def ruleset_definition(program: Program, on_fire) -> dict:
    """The policy's rules as a durable-rules ruleset built from data: one rule per policy rule."""
    rules = {}
    for i, cr in enumerate(program.rules):
        applies = [_term(i, "a", j, c) for j, c in enumerate(cr.applies)]
        conds = [_term(i, "c", j, c) for j, c in enumerate(cr.conditions)]
        combined = conds[0] if len(conds) == 1 else {"$and" if cr.rule.mode == "all" else "$or": conds}
        rules[f"r{i}"] = {"all": [{"m": {"$and": [{"t": "letting"}, *applies, combined]}}],
                          "run": on_fire(cr.rule.id)}
    # Every letting is handled by at least this rule, so its session always exists: durable-rules
    # 2.0.28 aborts the process ("double free") when asked to delete a session it never stored.
    rules["seen"] = {"all": [{"m": {"t": "letting"}}], "run": on_fire(None)}
    return rules


def _encode(value):
    if value is True or value is False:
        return int(value)
    return value


def _sides(c: Condition, f: Facts, fact: dict, i: int, part: str, j: int):
    """Put one condition's values (or truth value) into the fact, with its known flag; returns its truth value
    (True, False or an Unknown), as the shared evaluator gives it."""
    if _comparison_kind(c):
        a, b = c.left.fn(f), c.right.fn(f)
        v = apply(c.op, a, b)
        if a.__class__ is Unknown or b.__class__ is Unknown:
            fact[_field(i, part, j, "k")] = 0
            return v
        fact[_field(i, part, j, "k")] = 1
        if isinstance(a, (int, Fraction)) and isinstance(b, (int, Fraction)) and not isinstance(a, bool):
            left, right = a.numerator * b.denominator, b.numerator * a.denominator  # ints and Fractions alike
            if abs(left) >= _EXACT or abs(right) >= _EXACT:
                left, right = (left > right) - (left < right), 0
        elif isinstance(a, (str, bool)) and isinstance(b, (str, bool)) and type(a) is type(b):
            left, right = _encode(a), _encode(b)
        else:  # values of different kinds: the shared evaluator's answer, as two integers
            fact[_field(i, part, j, "k")] = int(v.__class__ is not Unknown)
            left, right = _as_op(c.op, v is True)
        fact[_field(i, part, j, "l")], fact[_field(i, part, j, "r")] = left, right
        return v
    v = c.expr.fn(f)
    fact[_field(i, part, j, "k")] = int(v is True or v is False)
    fact[_field(i, part, j, "v")] = int(v is True)
    return v


def _as_op(op: str, truth: bool) -> tuple[int, int]:
    """Two integers that compare under op exactly as truth says (found by the operator's own function)."""
    fn = OPERATORS[op].fn
    return next(pair for pair in ((0, 0), (0, 1), (1, 0)) if fn(*pair) is truth)


def _fact(program: Program, f: Facts, sid: str) -> tuple[dict, tuple[RuleStatus, ...]]:
    """The fact durable-rules is given, and every rule's status by the one semantics from the same values
    (evaluate.rule_status's three-valued all/any over them: conditions are pure, so evaluating each once is enough)."""
    fact = {"t": "letting", "sid": sid}
    statuses = []
    for i, cr in enumerate(program.rules):
        applies = [_sides(c, f, fact, i, "a", j) for j, c in enumerate(cr.applies)]
        conds = [_sides(c, f, fact, i, "c", j) for j, c in enumerate(cr.conditions)]
        ok = _all_or_any(applies, False) if applies else True
        if ok is not True:
            statuses.append(RuleStatus(NOT_APPLICABLE, ok if ok.__class__ is Unknown else None))
            continue
        v = _all_or_any(conds, cr.rule.mode == "any")
        statuses.append(_FIRED if v is True else _NOT_FIRED if v is False else RuleStatus(NOT_APPLICABLE, v))
    return fact, tuple(statuses)


def _all_or_any(values: list, decisive: bool):
    """operators.kleene over values: the decisive one wins, else the first unknown, else the other value."""
    if decisive in values and any(v is decisive for v in values):
        return decisive
    return next((v for v in values if v.__class__ is Unknown), not decisive)


class DurableEngine:
    """Rule statuses decided by durable-rules; one lock around evaluation and reload."""

    name = NAME

    def __init__(self, program: Program):
        from durable import engine as durable_engine

        class _QuietHost(durable_engine.Host):
            """A Host without the background dispatch threads (they race the caller)."""

            def _run(self):
                pass

        self._engine = durable_engine
        self._host = _QuietHost()
        self._lock = threading.Lock()
        self._sessions = itertools.count(1)
        self._fired: list[str] = []
        self._errors: list[BaseException] = []
        self.version = getattr(durable_engine, "__version__", "2.0.28")
        self._ruleset = None
        self._load(program)

    def _on_fire(self, rule_id: str):
        def action(c):
            try:
                if rule_id is not None:
                    self._fired.append(rule_id)
            except BaseException as exc:  # noqa: BLE001 - durable-rules would bury it in the state
                self._errors.append(exc)
        return action

    def _load(self, program: Program) -> None:
        name = f"magicmix_{next(_names)}"
        self._host.register_rulesets({name: ruleset_definition(program, self._on_fire)})
        old, self._ruleset, self.program = self._ruleset, name, program
        if old is not None:
            self._free(old)

    def _free(self, name: str) -> None:
        ruleset = self._host._ruleset_directory.pop(name)
        self._host._ruleset_list.remove(ruleset)
        import durable_rules_engine

        durable_rules_engine.delete_ruleset(ruleset._handle)

    def reload(self, program: Program) -> None:
        """Replace the rules by a new policy version's; the old ruleset is freed."""
        with self._lock:
            self._load(program)

    def fired(self, f: Facts) -> frozenset[str]:
        """The ids of the rules durable-rules fires for one fact set."""
        return self._run(f)[0]

    def _run(self, f: Facts) -> tuple[frozenset[str], tuple[RuleStatus, ...]]:
        """The rules durable-rules fires, and the statuses of the shared evaluator from the same values."""
        fact, own = _fact(self.program, f, "")
        with self._lock:
            sid = f"e{next(self._sessions)}"
            self._fired, self._errors = [], []
            try:
                try:
                    fact["sid"] = sid
                    self._host.assert_fact(self._ruleset, fact)
                except self._engine.MessageNotHandledException:
                    pass  # no rule matched
                if self._errors:
                    raise self._errors[0]
                return frozenset(self._fired), own
            finally:
                self._host.delete_state(self._ruleset, sid)

    def statuses(self, f: Facts) -> tuple[RuleStatus, ...]:
        """Fired as durable-rules says; why the others did not fire, from the shared evaluator."""
        fired, own = self._run(f)  # own: the one semantics, from the values handed to durable-rules
        return tuple(_FIRED if cr.rule.id in fired else (_NOT_FIRED if s.status == FIRED else s)
                     for cr, s in zip(self.program.rules, own))

    def close(self) -> None:
        """Free the ruleset."""
        with self._lock:
            if self._ruleset is not None:
                self._free(self._ruleset)
                self._ruleset = None


def durable_program(program: Program) -> Program:
    """The program with durable-rules deciding which rules fire; PolicyError (exit 2) when it cannot run here."""
    from dataclasses import replace

    reason = unavailable_reason()
    if reason:
        raise PolicyError([make("engine-unavailable", "--engine", engine=NAME, reason=reason)])
    return replace(program, engine=DurableEngine(program))


__all__ = ["DurableEngine", "durable_program", "ruleset_definition", "unavailable_reason"]
