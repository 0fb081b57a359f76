"""The condition language: what parses, what is refused and where, exact arithmetic, unknown values."""

from __future__ import annotations

import datetime as dt
from fractions import Fraction

import pytest

from conftest import OB
from rules_engine import load_policy
from rules_engine.lang.compile import _At, _Compiler
from rules_engine.engine.evaluate import build_facts
from rules_engine.lang.expr import ExprError, parse
from rules_engine.lang.facts import Household, Unknown
from rules_engine.model.policy import Text, Where
from rules_engine.load.occupancy import EMPTY, composition


@pytest.fixture(scope="module")
def program():
    return load_policy(str(OB))


@pytest.fixture(scope="module")
def facts(program):
    h = Household("hh-1", 2, Fraction(24500), "aandacht", None, ("urgent",))
    comp = composition(program.policy, EMPTY, dt.date(2025, 6, 1))
    return build_facts(program, h, "ZW-ASN-01-A09", comp)


def value(program, facts, text):
    c = _Compiler(program.policy)
    return c.expr_text(Text(text, Where("t", 1, 1), 0)).fn(facts)


def compile_error(program, text):
    c = _Compiler(program.policy)
    with pytest.raises(_At) as exc:
        c.condition_text(Text(text, Where("t", 1, 1), 0))
    return exc.value.error


@pytest.mark.parametrize("text,expected", [
    ("35% + 5% == 40%", True),
    ("0.35 + 0.05 == 0.40", True),
    ("unit.rent == € 640.00", True),
    ("household.size * 2 - 1", 3),
    ("household.income / 12", Fraction(24500, 12)),
    ("household.category in ['aandacht', 'regulier']", True),
    ("household.category not in ['aandacht']", False),
    ("'urgent' in household.flags", True),
    ("not (household.size > 1)", False),
    ("household.size > 1 and unit.rooms >= 3 or false", True),
    ("projected.complex.count.aandacht", 1),
    ("profile.complex.ceiling['aandacht']", Fraction(35, 100)),
    ("-household.size", -2),
])
def test_values(program, facts, text, expected):
    assert value(program, facts, text) == expected


def test_unknown_values_follow_three_valued_logic(program, facts):
    assert isinstance(value(program, facts, "household.age > 30"), Unknown)  # age not given
    assert value(program, facts, "household.age > 30 and household.size > 5") is False
    assert value(program, facts, "household.age > 30 or household.size == 2") is True
    assert isinstance(value(program, facts, "not (household.age > 30)"), Unknown)
    division = value(program, facts, "household.size / complex.occupied")  # empty complex
    assert isinstance(division, Unknown) and division.en == "division by zero"


@pytest.mark.parametrize("text,offset,fragment", [
    ("unit.rent >", 11, "expected a value"),
    ("household.size = 2", 15, "use '==' to compare"),
    ("__import__('os')", 0, "names starting with '__'"),
    ("household.__class__", 10, "names starting with '__'"),
    ("lambda: 1", 6, "unexpected character ':'"),
    ("[x for x in household.flags]", 3, "expected ']'"),
    ("open('f')", 4, "expected the end of the condition"),
    ("unit.rent > 682,96", 15, "use a point as decimal separator"),
    ("1 < household.size < 3", 19, "write two comparisons joined by 'and'"),
    ("household.category == 'x", 22, "quotation mark is never closed"),
    ("", 0, "the condition is empty"),
    ("unit.rent ; 1", 10, "unexpected character ';'"),
])
def test_syntax_errors_point_at_the_token(text, offset, fragment):
    with pytest.raises(ExprError) as exc:
        parse(text)
    assert exc.value.offset == offset
    assert fragment in exc.value.en


@pytest.mark.parametrize("text,offset,fragment", [
    ("unit.huur > 1", 0, "did you mean 'unit.rent'"),
    ("param.aftoppingsgrens > 1", 0, "unknown parameter"),
    ("household.category == 'aandach'", 22, "did you mean 'aandacht'"),
    ("complex.share.kwetsbaar > 0", 0, "unknown category 'kwetsbaar'"),
    ("household.size", 0, "must be true or false"),
    ("household.size > 'twee'", 17, "a number is expected here"),
    ("household.category == 1", 0, "can never be equal"),
    ("household", 0, "not a fact by itself"),
    ("household.size + true > 1", 17, "a number is expected here"),
    ("unit.rent[household.category] > 1", 0, "only a per-category fact"),
])
def test_compile_errors(program, text, offset, fragment):
    err = compile_error(program, text)
    assert fragment in err.en
    assert err.offset == offset


def test_deep_nesting_is_refused_quickly():
    with pytest.raises(ExprError) as exc:
        parse("(" * 10_000 + "1" + ")" * 10_000)
    assert "nested too deeply" in exc.value.en or "too long" in exc.value.en
    with pytest.raises(ExprError):
        parse("not " * 200 + "true")
    with pytest.raises(ExprError) as exc:  # list literals nest too (found by bench/fuzz.py)
        parse("unit.rent > x[" + "[" * 300)
    assert "nested too deeply" in exc.value.en
