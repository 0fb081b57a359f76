"""What a national status shares between groups alike (one Group, one categories tuple, one row of cells)
gives every group exactly what it would get alone, and the text report is the table written row by row."""

from __future__ import annotations

import dataclasses
import datetime as dt

import pytest

from conftest import OB
from rules_engine import load_policy
from rules_engine.load.occupancy import composition, load_occupancy
from rules_engine.render import portfolio_report
from rules_engine.render.escape import terminal_text
from rules_engine.render.portfolio_report import status_text
from rules_engine.stock import status as status_module
from rules_engine.stock.status import portfolio_status

EXAMPLE = OB / "examples" / "bezetting-2024-2025.csv"
DATE = dt.date(2025, 6, 1)


@pytest.fixture(scope="module")
def stock():
    program = load_policy(str(OB))
    comp = composition(program.policy, load_occupancy(str(EXAMPLE), program.policy), DATE)
    return program.policy, comp, portfolio_status(program.policy, comp)


def test_portieken_alike_get_what_each_would_get_alone(stock):
    policy, comp, status = stock
    portieken = [g for g in status.groups if g.level == "portiek"]
    assert len(portieken) > 20
    shared = {id(g.categories) for g in portieken}
    assert len(shared) < len(portieken)  # some are shared, so the comparison below means something
    for g in portieken:
        limits = policy.complexes[g.parent].profile_at(DATE).portiek_max_households
        alone = status_module._portiek_categories(comp.group("portiek", g.key), limits, policy.category_ids)
        assert (g.judged, g.categories, g.state, g.worst) == alone, g.key
        assert (g.homes, g.occupied) == (comp.group("portiek", g.key).homes, comp.group("portiek", g.key).occupied)


def _row_by_row(status, lang="nl") -> str:
    """status_text as written before groups shared their cells: each row formatted on its own."""
    head = [portfolio_report.say("status.title", lang, date=status.date, policy=status.policy["id"],
                                 version=status.policy["version"]), *portfolio_report._summary(status, lang), ""]
    table = [tuple(portfolio_report.say(f"status.col.{k}", lang) for k in ("level", "group", "name", "occupied", "state"))
             + tuple(status.labels[c][lang] for c in status.categories)]
    states = {k: portfolio_report._t(v, lang) for k, v in portfolio_report.STATE_WORDS.items()}
    for g in status.groups:
        table.append([status.level_labels[g.level][lang], g.key, g.name or "", f"{g.occupied}/{g.homes}",
                      states[g.state], *(portfolio_report._cell(c, lang) for c in g.categories)])
    widths = [max(map(len, column)) for column in zip(*table)]
    line = "  ".join(f"{{:<{w}}}" for w in widths).format
    lines = [line(*row).rstrip() for row in table]
    return terminal_text("\n".join(head + lines + ["", portfolio_report.say("status.legend", lang), ""]), keep="\n")


@pytest.mark.parametrize("lang", ["nl", "en"])
def test_the_text_report_is_the_table_row_by_row(stock, lang):
    _, _, status = stock
    assert status_text(status, lang) == _row_by_row(status, lang)


def test_a_name_with_escape_sequences_is_neutralised_in_the_text_report(stock):
    _, _, status = stock
    first = status.groups[0]._replace(name="Evil\x1b[2J\u202eName\nTwo")
    bad = dataclasses.replace(status, groups=(first,) + status.groups[1:])
    text = status_text(bad)
    assert text == _row_by_row(bad)
    assert "\x1b" not in text and "\u202e" not in text and "Evil\ufffd[2J\ufffdName\nTwo" in text


def test_bands_of_other_objects_and_other_values_get_their_own_text(stock):
    """The text's cells are known by their bands' values (found by identity): equal bounds of other objects share
    a cell, other bounds do not."""
    from fractions import Fraction

    _, _, status = stock

    def copied(c, shift=0):
        fresh = (lambda f: None if f is None else Fraction(f.numerator, f.denominator) + shift)
        return c._replace(low=fresh(c.low), high=fresh(c.high))

    for shift in (0, Fraction(1, 1000)):
        groups = tuple(g._replace(categories=tuple(copied(c, shift if k % 2 else 0) for c in g.categories))
                       for k, g in enumerate(status.groups))
        other = dataclasses.replace(status, groups=groups)
        assert status_text(other) == _row_by_row(other)
        assert (status_text(other) == status_text(status)) == (shift == 0)


def test_counts_per_level_are_those_counted_one_by_one(stock):
    _, _, status = stock
    one_by_one = {level: {} for level in status.levels}
    for g in status.groups:
        one_by_one[g.level][g.state] = one_by_one[g.level].get(g.state, 0) + 1
    assert {level: list(c.items()) for level, c in status.counts().items()} == \
        {level: list(c.items()) for level, c in one_by_one.items()}


@pytest.mark.parametrize("kept", [0, 1, 2])
def test_the_text_report_of_few_or_no_groups_is_the_table_row_by_row(stock, kept):
    """The category columns are taken from the rows one at a time: with no group the table is its heading."""
    _, _, status = stock
    few = dataclasses.replace(status, groups=status.groups[:kept])
    assert status_text(few) == _row_by_row(few)
    assert status_text(few, "en", only_out=True) == _row_by_row(dataclasses.replace(
        few, groups=tuple(g for g in few.groups if g.state in ("above", "below", "both"))), "en")
