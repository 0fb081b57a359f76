"""One semantics: the decision-only path and the traced explanation judge rules by the same function."""

from __future__ import annotations

import datetime as dt
import random
from pathlib import Path

from conftest import OB
from rules_engine import example_occupancy, load_policy
from rules_engine.engine.evaluate import APPLIES, CONDITIONS, FIRED, NOT_APPLICABLE, build_facts, rule_status, rule_statuses
from rules_engine.engine.explain import RecordingTracer, explain
from rules_engine.lang.facts import Household
from rules_engine.load.occupancy import composition

PROGRAM = load_policy(str(OB))
ROOT = Path(__file__).resolve().parents[1] / "rules_engine"


def _facts(n: int, seed: int = 7):
    rnd = random.Random(seed)
    occ = example_occupancy(PROGRAM)
    units = sorted(PROGRAM.policy.units)
    for i in range(n):
        date = dt.date(2025, 1, 1) + dt.timedelta(days=rnd.randrange(0, 730))
        h = Household(f"hh-{i}", rnd.randint(1, 6), rnd.randint(5_000, 80_000), rnd.choice(PROGRAM.policy.category_ids))
        yield h, rnd.choice(units), composition(PROGRAM.policy, occ, date)


def _key(st):
    return st.status, None if st.reason is None else (st.reason.nl, st.reason.en)


class Counting:
    """A tracer that counts the conditions it is shown."""

    def __init__(self):
        self.seen = []

    def condition(self, cr, part, c, value, sides, facts):
        self.seen.append((cr.rule.id, part, c.expr.source.text, value))


def test_a_tracer_changes_no_status_and_sees_every_condition_of_a_judged_group():
    statuses_seen = set()
    for h, unit, comp in _facts(400):
        f = build_facts(PROGRAM, h, unit, comp)
        plain = rule_statuses(PROGRAM, f)
        tracer = Counting()
        traced = rule_statuses(PROGRAM, f, tracer)
        assert [_key(s) for s in traced] == [_key(s) for s in plain]
        for cr, st in zip(PROGRAM.rules, plain):
            statuses_seen.add(st.status)
            parts = [p for rid, p, _, _ in tracer.seen if rid == cr.rule.id]
            assert parts.count(APPLIES) == len(cr.applies)
            judged = st.status != NOT_APPLICABLE or (st.reason is not None and all(
                v is True for rid, p, _, v in tracer.seen if rid == cr.rule.id and p == APPLIES))
            assert parts.count(CONDITIONS) == (len(cr.conditions) if judged else 0)
    assert statuses_seen == {FIRED, "not_fired", NOT_APPLICABLE}


def test_the_explanation_is_the_recorded_trace():
    h, unit, comp = next(_facts(1, seed=3))
    d = explain(PROGRAM, h, unit, comp)
    f = build_facts(PROGRAM, h, unit, comp)
    tracer = RecordingTracer(PROGRAM.policy)
    for cr, r in zip(PROGRAM.rules, d.rules):
        assert rule_status(cr, f, tracer).status == r.status
        assert tracer.results(cr, APPLIES) == r.applies_when
        assert tracer.results(cr, CONDITIONS) == r.conditions


def test_no_second_copy_of_the_rule_semantics():
    sources = {p.name: p.read_text(encoding="utf-8") for p in ROOT.glob("*.py")}
    for name, text in sources.items():
        assert "def own_statuses" not in text and "def _status(" not in text, name
        assert ("def rule_status(" in text) == (name == "evaluate.py"), name
