"""Properties of the value readers: every documented notation gives the exact value, and no Dutch
thousands form is ever read as a different number (rules_engine/load/values.py)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from fractions import Fraction

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from rules_engine.diagnostics import PolicyError
from rules_engine.load.load_json import parse_json
from rules_engine.load.load_yaml import load_text
from rules_engine.render.numbers import format_number
from rules_engine.load.values import (DUTCH, POINT, Refused, number_text, number_value, read_date, read_number)

cents = st.integers(min_value=0, max_value=10**9).map(lambda c: Fraction(c, 100))  # 0 to 10^7 euros, in cents
wholes = st.integers(min_value=1000, max_value=10**7)


def _point(value: Fraction, decimals: int) -> str:
    return format_number(value, decimals, "en").replace(",", "")


def _yaml(text: str):
    return number_value(load_text(f"income: {text}\n", "t.yaml").data["income"])


@settings(max_examples=300, deadline=None)
@given(cents)
def test_every_documented_notation_round_trips(value):
    dutch_grouped = format_number(value, 2, "nl")  # 12.345,67
    forms = [
        (_point(value, 2), POINT),  # 12345.67
        (dutch_grouped.replace(".", ""), POINT),  # 12345,67: a decimal comma with two decimals
        (dutch_grouped, DUTCH),
        (dutch_grouped.replace(".", ""), DUTCH),
        (_point(value, 2), DUTCH),  # a point with two decimals cannot group thousands
    ]
    if value.denominator == 1:
        forms += [(str(value.numerator), POINT), (str(value.numerator), DUTCH), (format_number(value, 0, "nl"), DUTCH)]
    for text, notation in forms:
        assert number_text(text, notation) == value, (text, notation)
    assert _yaml(_point(value, 2)) == value
    assert number_value(parse_json(f'{{"i": {_point(value, 2)}}}', parse_float=Decimal)["i"]) == value


@settings(max_examples=300, deadline=None)
@given(wholes, st.sampled_from(["", ",00", ",50"]))
def test_a_dutch_thousands_form_is_never_a_different_number(n, tail):
    text = format_number(Fraction(n), 0, "nl") + tail  # 1.050, 45.500,00, 1.234.567,50
    exact = Fraction(n) + (Fraction(1, 2) if tail == ",50" else 0)
    assert number_text(text, DUTCH) == exact
    for read in (lambda t: number_text(t, POINT), _yaml, lambda t: number_value(t)):
        try:
            got = read(text)
        except Refused:
            continue
        assert got == exact, (text, got)


@settings(max_examples=200, deadline=None)
@given(st.integers(min_value=1, max_value=999), st.integers(min_value=0, max_value=999))
def test_three_decimals_after_a_point_are_refused_as_ambiguous_but_not_in_dutch_csv(whole, part):
    text = f"{whole}.{part:03d}"
    for read in (lambda t: number_text(t, POINT), _yaml):
        with pytest.raises(Refused) as exc:
            read(text)
        assert exc.value.code == "dutch-thousands" and f"{whole}{part:03d}" in exc.value.texts[0]
    assert number_text(text, DUTCH) == whole * 1000 + part


@settings(max_examples=300, deadline=None)
@given(st.dates(min_value=dt.date(1000, 1, 1)))
def test_every_date_form_round_trips(day):
    for text in (day.isoformat(), f"{day.day}-{day.month}-{day.year}", day.strftime("%d-%m-%Y")):
        assert read_date(text) == day
    assert read_date(dt.datetime.combine(day, dt.time())) == day
    for text in (day.strftime("%d-%m-%y"), day.strftime("%Y%m%d"), day.strftime("%G-W%V-%u")):
        with pytest.raises(Refused):
            read_date(text)


@pytest.mark.parametrize("text", ["1" * 41, "1.0e+21", "1.0e-100000", "0x" + "f" * 50])
def test_absurd_numbers_are_refused_before_conversion(text):
    with pytest.raises(Refused) as exc:
        number_text(text)
    assert exc.value.code in ("number-too-long", "not-a-number")  # text forms take no exponents at all
    with pytest.raises(PolicyError) as loaded:
        load_text(f"income: {text}\n", "t.yaml")
    assert [(d.code, d.line, d.column) for d in loaded.value.diagnostics] == [("number-too-long", 1, 9)]


def test_bounds_and_plausibility():
    assert read_number(Fraction(45), "rent")[1][0].code == "implausible"
    assert read_number(Fraction(682), "rent")[1] == []
    with pytest.raises(Refused) as exc:
        read_number(Fraction(-1), "income")
    assert exc.value.code == "negative"
    with pytest.raises(Refused):
        read_number(Fraction(5, 2), "size")


@settings(max_examples=200, deadline=None)
@given(st.integers(min_value=100_000, max_value=10**8), st.integers(min_value=1, max_value=9),
       st.sampled_from(["income", "rent", "amount"]))
def test_an_amount_finer_than_a_cent_is_refused_on_every_path(cents_, extra, kind):
    # rounded to cents it would show as the very limit it exceeds (€ 54.847,00 > € 54.847)
    value = Fraction(cents_ * 10 + extra, 1000) / (100 if kind == "rent" else 1)
    text = _point(value, 5).rstrip("0")
    forms = [text, text.replace(".", ","), float(text)]  # CSV, Dutch Excel, a spreadsheet's float cell
    for form in forms:
        with pytest.raises(Refused) as exc:
            read_number(form, kind, DUTCH if isinstance(form, str) and "," in form else POINT)
        assert exc.value.code == "finer-than-cents", form
    with pytest.raises(Refused) as exc:
        read_number(number_value(parse_json(f'{{"i": {text}}}', parse_float=Decimal)["i"]), kind)
    assert exc.value.code == "finer-than-cents" and text in exc.value.texts[1]


def test_an_amount_in_whole_cents_is_kept_and_shown_exactly_when_given_finer():
    from rules_engine.render.numbers import format_euro

    assert read_number("54847.01", "income")[0] == Fraction(5484701, 100)
    assert format_euro(Fraction(54847001, 1000), "nl") == "€ 54.847,001"  # the Python API may be given one
    assert format_euro(Fraction(54847001, 1000), "en") == "€54,847.001"
    assert format_euro(Fraction(5484701, 100), "nl") == "€ 54.847,01" and format_euro(Fraction(54847), "nl") == "€ 54.847"
