"""durable-rules (a Rete engine) as a second engine, cross-checked against the default one.

durable-rules decides which rules fire; the values it compares come from the shared
condition evaluator (or, on the decision-only path, from code generated from the same checked
syntax tree: lang/durable_code.py), and the explanation record stays the same. The rules go
to durable-rules' C core (durable_rules_engine, the module its Python Host drives) as one
ruleset; each letting is one call with one JSON array of events, then one call per rule that
fired. Its pitfalls, and what this wrapper does about each:

- the stock Host starts timer threads that race the caller, wraps every action in a closure,
  a promise and a JSON round trip of the session state, and stores exceptions of actions in
  that state: this wrapper does not use the Host; there are no Python actions, the names of
  the rules that fired are read from the core's answers;
- a ruleset name can be registered only once: every ruleset gets a versioned name, and
  `reload` frees the old ruleset;
- it compares doubles, its `/` truncates and its division by zero kills the process: it
  does no arithmetic here. A comparison of two numbers a/b and c/d is handed over as the
  integers a*d and c*b (exact below 2**53; beyond that as the sign of the difference);
- a missing attribute silently makes a test false: every condition comes with a known
  flag, so an unknown value is a decision of ours, never an accident;
- an event is consumed by the first rule it matches: every rule gets an event of its own
  (`t` names the rule), so every matching rule fires, and nothing stays in the session
  (an event that matches no rule is not stored; a fact would be, and would need deleting);
- deleting a session that was never stored aborts the process ("double free"), at most
  1,024 sessions may live per ruleset, and deleting a ruleset leaves its sessions' memory
  behind: every letting goes to the one session SID, deleted (when it exists) only with
  its ruleset.

Conditions that are not one comparison (`in`, `not`, and/or inside one condition) are
evaluated by the shared evaluator and handed over as a truth value.
"""

from __future__ import annotations

import itertools
import json
import sys
import threading

from ..diagnostics import PolicyError, make
from .evaluate import FIRED, NOT_APPLICABLE, NOT_FIRED, RuleStatus
from ..lang.compiled import CompiledRules, compiled_rules
from ..lang.durable_code import SID, field, handed_as_sides, rules_code, side_values
from ..lang.facts import Facts, Unknown
from ..lang.operators import OPERATORS
from ..lang.program import Condition, Program

NAME = "durable-rules"
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


def _term(i: int, part: str, j: int, c: Condition) -> dict:
    known = {field(i, part, j, "k"): 1}
    if handed_as_sides(c):
        left, right = field(i, part, j, "l"), field(i, part, j, "r")
        test = OPERATORS[c.op].durable
        test = {left: {"$m": right}} if test == "$eq" else {test: {left: {"$m": right}}}
    else:
        test = {field(i, part, j, "v"): 1}
    return {"$and": [known, test]}


def ruleset_definition(program: Program) -> dict:
    """The policy's rules as a durable-rules ruleset built from data: one rule per policy rule, matching the
    event of that rule (its `t`) when its conditions hold."""
    rules = {}
    for i, cr in enumerate(program.rules):
        applies = [_term(i, "a", j, c) for j, c in enumerate(cr.applies)]
        conds = [_term(i, "c", j, c) for j, c in enumerate(cr.conditions)]
        combined = conds[0] if len(conds) == 1 else {"$and" if cr.rule.mode == "all" else "$or": conds}
        rules[f"r{i}"] = {"all": [{"m": {"$and": [{"t": f"r{i}"}, *applies, combined]}}]}
    return rules


def _sides(c: Condition, f: Facts, event: dict, i: int, part: str, j: int):
    """Put one condition's values (or truth value) into rule i's event, with its known flag; returns its truth
    value (True, False or an Unknown), as the shared evaluator gives it."""
    if handed_as_sides(c):
        k, left, right, v = side_values(c.op, c.left.fn(f), c.right.fn(f))
        event[field(i, part, j, "k")] = k
        if k:
            event[field(i, part, j, "l")], event[field(i, part, j, "r")] = left, right
        return v
    v = c.expr.fn(f)
    event[field(i, part, j, "k")] = int(v is True or v is False)
    event[field(i, part, j, "v")] = int(v is True)
    return v


def _events(program: Program, f: Facts) -> tuple[list[dict], tuple[RuleStatus, ...]]:
    """The events durable-rules is given (one per rule), and every rule's status by the one semantics from the
    same values (evaluate.rule_status's three-valued all/any over them: conditions are pure, so evaluating each
    once is enough)."""
    events, statuses = [], []
    for i, cr in enumerate(program.rules):
        event = {"t": f"r{i}", "sid": SID}
        events.append(event)
        applies = [_sides(c, f, event, i, "a", j) for j, c in enumerate(cr.applies)]
        conds = [_sides(c, f, event, i, "c", j) for j, c in enumerate(cr.conditions)]
        ok = _all_or_any(applies, False) if applies else True
        if ok is not True:
            statuses.append(RuleStatus(NOT_APPLICABLE, ok if ok.__class__ is Unknown else None))
            continue
        v = _all_or_any(conds, cr.rule.mode == "any")
        statuses.append(_FIRED if v is True else _NOT_FIRED if v is False else RuleStatus(NOT_APPLICABLE, v))
    return events, tuple(statuses)


def _all_or_any(values: list, decisive: bool):
    """operators.kleene over values: the decisive one wins, else the first unknown, else the other value."""
    if decisive in values and any(v is decisive for v in values):
        return decisive
    return next((v for v in values if v.__class__ is Unknown), not decisive)


def _version() -> str:
    import importlib.metadata as md

    try:
        return md.version("durable-rules")
    except md.PackageNotFoundError:  # pragma: no cover - unavailable_reason() has refused it before
        return "2.0.28"


class DurableEngine:
    """Rule statuses decided by durable-rules; one lock around each letting's calls and around reload."""

    name = NAME

    def __init__(self, program: Program):
        import durable_rules_engine

        self._core = durable_rules_engine
        self._lock = threading.Lock()
        self._handle = None
        # Read by ../shared/peerbench's adapter, written against the engine of before: the ruleset's name, and a
        # count of the sessions made per letting (none now: every letting's events go to one session, left empty).
        self._ruleset: str | None = None
        self._sessions = itertools.count(1)
        self.version = _version()
        self._load(program)

    def _load(self, program: Program) -> None:
        definition = json.dumps(ruleset_definition(program), ensure_ascii=False)
        self._ruleset = f"magicmix_{next(_names)}"
        handle = self._core.create_ruleset(self._ruleset, definition)
        old, self._handle, self.program = self._handle, handle, program
        self._bits = {f"r{i}": 1 << i for i in range(len(program.rules))}
        self._fire = self.firing()
        if old is not None:
            self._free(old)

    def _free(self, handle) -> None:
        # its session first: durable-rules frees a ruleset's own memory, not its sessions' (seen here: 0.2 MiB a
        # reload); asking for the state of a session it never stored is an error it reports, not a crash
        try:
            self._core.get_state(handle, SID)
        except self._core.error:
            pass
        else:
            self._core.delete_state(handle, SID)
        self._core.delete_ruleset(handle)

    def reload(self, program: Program) -> None:
        """Replace the rules by a new policy version's; the old ruleset is freed."""
        with self._lock:
            self._load(program)

    def firing(self):
        """fire(events as JSON text) -> the bit set of the rules (bit i: rule i) durable-rules fires for them, or
        None once the rules are reloaded or closed (the generated code then takes the general path)."""
        core, lock, handle, bits = self._core, self._lock, self._handle, self._bits
        assert_events, start, complete = core.assert_events, core.start_action_for_state, core.complete_and_start_action
        engine = self

        def fire(text: str) -> int | None:
            fired = 0
            with lock:
                if engine._handle is not handle:
                    return None
                state = assert_events(handle, text)[1]
                action = start(handle, state)
                if action is not None:
                    message = action[1]
                    try:
                        while message:
                            fired |= bits[message[2:message.index('"', 2)]]  # '{"r0":{"m":...}}': rule r0 fired
                            message = complete(handle, state)
                    except BaseException:
                        core.abandon_action(handle, state)
                        raise
            return fired
        return fire

    def fired(self, f: Facts) -> frozenset[str]:
        """The ids of the rules durable-rules fires for one fact set."""
        return self._run(f)[0]

    def _run(self, f: Facts) -> tuple[frozenset[str], tuple[RuleStatus, ...]]:
        """The rules durable-rules fires, and the statuses of the shared evaluator from the same values."""
        events, own = _events(self.program, f)
        fired = self._fire(json.dumps(events, ensure_ascii=False))
        if fired is None:
            raise RuntimeError("the durable-rules engine is closed")
        return frozenset(cr.rule.id for i, cr in enumerate(self.program.rules) if fired >> i & 1), own

    def statuses(self, f: Facts) -> tuple[RuleStatus, ...]:
        """Fired as durable-rules says; why the others did not fire, from the shared evaluator."""
        fired, own = self._run(f)  # own: the one semantics, from the values handed to durable-rules
        return tuple(_FIRED if cr.rule.id in fired else (_NOT_FIRED if s.status == FIRED else s)
                     for cr, s in zip(self.program.rules, own))

    def compiled_rules(self, program: Program, date, outcome_of, bad_unit, bad_category, general,
                       general_counts) -> CompiledRules | None:
        """The decision-only path with durable-rules deciding (lang/compiled.py with durable_code.rules_code):
        the same answers as statuses() and combine give, without building Facts. None when not covered."""
        if program.rules is not self.program.rules:
            return None
        return compiled_rules(program, date, outcome_of, bad_unit, bad_category, general, general_counts,
                              rules_code, {"fire": self.firing()})

    def close(self) -> None:
        """Free the ruleset."""
        with self._lock:
            if self._handle is not None:
                self._free(self._handle)
                self._handle = None


def durable_program(program: Program) -> Program:
    """The program with durable-rules deciding which rules fire; PolicyError (exit 2) when it cannot run here."""
    from dataclasses import replace

    reason = unavailable_reason()
    if reason:
        raise PolicyError([make("engine-unavailable", "--engine", engine=NAME, reason=reason)])
    return replace(program, engine=DurableEngine(program))


__all__ = ["DurableEngine", "durable_program", "ruleset_definition", "unavailable_reason"]
