"""The operator table: declared once, read by the parser, type checker, compiler, explanation and durable engine.

Adding an operator is one table entry plus its function: the test below registers '=~' (about equal:
within 10 %) and its negation '!~', and a policy using them validates, evaluates and explains."""

from __future__ import annotations

import datetime as dt
import operator
from fractions import Fraction

import pytest

from conftest import ROOT, mutate
from rules_engine.engine import engine_durable
from rules_engine import example_occupancy, load_policy
from rules_engine.api import evaluate
from rules_engine.diagnostics import PolicyError
from rules_engine.lang.expr import Binary, ExprError, parse
from rules_engine.lang.facts import Household
from rules_engine.lang.operators import COMPARE, OPERATORS, Operator, numbers_to_bool, registered


def about(a, b):
    """a within 10 % of b, exactly."""
    return abs(Fraction(a) - b) * 10 <= abs(b)


ABOUT = Operator("=~", COMPARE, numbers_to_bool, about, "!~", ("ongeveer", "about"))
NOT_ABOUT = Operator("!~", COMPARE, numbers_to_bool, lambda a, b: not about(a, b), "=~",
                     ("niet ongeveer", "not about"))
RULE = "      - household.size > unit.rooms + 1\n"


def test_every_operator_has_a_function_a_type_rule_and_a_negation_in_the_table():
    for token, op in OPERATORS.items():
        assert op.token == token and callable(op.fn) and callable(op.types) and all(op.words), token
        if op.is_comparison:
            assert OPERATORS[op.negation].negation == token, token  # negation is an involution
            for a, b in ((1, 2), (2, 2), (3, 2)) if op.types is numbers_to_bool else ():
                assert op.fn(a, b) is not OPERATORS[op.negation].fn(a, b), token
    assert {op.token for op in OPERATORS.values() if op.fn in (operator.lt, operator.le)} == {"<", "<="}


def test_the_docs_list_every_operator_with_its_words():
    text = (ROOT / "docs" / "rules.md").read_text(encoding="utf-8")
    for token, op in OPERATORS.items():
        assert f"| `{token}` |" in text and f"| {op.words[0]} | {op.words[1]} |" in text, token


def test_an_unregistered_operator_is_a_syntax_error():
    with pytest.raises(ExprError):
        parse("household.size =~ 3")


def test_a_registered_operator_validates_evaluates_and_explains(policy_copy):
    mutate(policy_copy / "rules.yaml", RULE, RULE.replace(">", "=~"))
    with pytest.raises(PolicyError):  # without the entry the policy does not validate
        load_policy(str(policy_copy), use_cache=False)
    with registered(ABOUT, NOT_ABOUT):
        node = parse("household.size =~ unit.rooms + 1")
        assert isinstance(node, Binary) and node.op == "=~"
        with pytest.raises(ExprError):
            parse("1 =~ 2 =~ 3")  # a comparison like any other: one per condition
        program = load_policy(str(policy_copy), use_cache=False)
        occ = example_occupancy(program)
        unit = "ZW-ASN-01-A01"  # 3 rooms, where only this rule stands between an actief household and passend
        assert program.policy.units[unit].rooms == 3
        fired = evaluate(program, Household("hh-1", 4, Fraction(24500), "actief"), unit, dt.date(2025, 6, 1), occ)
        rule = next(r for r in fired.rules if r.id == "woninggrootte")
        assert rule.status == "fired" and (fired.outcome, fired.deciding_rules) == ("ontraden", ("woninggrootte",))
        cond = next(c for c in rule.conditions if c.op == "=~")
        assert (cond.result, cond.left.value, cond.right.value) == ("true", "4", "4")
        change = next(c for c in fired.changes if c.kind == "rule" and "woninggrootte" in c.text["en"])
        # the negation's words from the registered entry, in domain words, with the value now
        assert "the number of persons were not about the number of rooms plus 1 of 4 (now 4)" in change.text["en"]
        assert "het aantal personen niet ongeveer het aantal kamers plus 1 van 4 was (nu 4)" in change.text["nl"]
        far = evaluate(program, Household("hh-2", 2, Fraction(24500), "actief"), unit, dt.date(2025, 6, 1), occ)
        cond = next(c for r in far.rules if r.id == "woninggrootte" for c in r.conditions if c.op == "=~")
        assert cond.result == "false"
        if engine_durable.unavailable_reason() is None:  # the durable engine reads the same table
            durable = engine_durable.durable_program(program)
            try:
                for d in (fired, far):
                    h = Household(d.inputs["household"]["id"], d.inputs["household"]["size"], Fraction(24500), "actief")
                    assert evaluate(durable, h, unit, dt.date(2025, 6, 1), occ).rules == d.rules
            finally:
                durable.engine.close()
        with pytest.raises(PolicyError):  # the type rule holds: text is no number
            mutate(policy_copy / "rules.yaml", "household.size =~", "unit.complex =~")
            load_policy(str(policy_copy), use_cache=False)
