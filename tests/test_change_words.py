"""What would change the outcome, and the room left, read in domain words in the record itself (its JSON form)."""

from __future__ import annotations

import datetime as dt
import random
import re
from fractions import Fraction

import pytest

from conftest import POLICIES
from rules_engine import example_occupancy, load_policy
from rules_engine.engine.explain import explain
from rules_engine.lang.facts import Household
from rules_engine.load.occupancy import composition

# a fact path, an operator or a subscript as written in a policy
_EXPRESSION = re.compile(r"\b(household|unit|projected|profile|param|def|complex|portiek|buurt)\.\w|\[|<=|>=|==|!=| < | > ")


def _decisions(name: str, n: int):
    program = load_policy(str(POLICIES / name))
    rnd = random.Random(7)
    occ = example_occupancy(program)
    units = sorted(program.policy.units)
    for _ in range(n):
        date = dt.date(rnd.choice((2024, 2025, 2026)), rnd.randint(1, 12), 1)
        h = Household(f"hh-{rnd.randrange(10**6)}", rnd.randint(1, 6), Fraction(rnd.randint(12_000, 70_000)),
                      rnd.choice(program.policy.category_ids), rnd.choice((None, 30, 70)))
        yield program, explain(program, h, rnd.choice(units), composition(program.policy, occ, date))


@pytest.mark.parametrize("name", ["openbaar-belang", "dragend-vragend"])
def test_changes_and_room_speak_in_domain_words_with_their_values(name):
    seen = 0
    for program, d in _decisions(name, 300):
        for ch in d.changes:
            for lang in ("nl", "en"):
                text = ch.text[lang]
                assert not _EXPRESSION.search(text.split("'", 2)[-1]), text  # after the rule's id
                if ch.kind == "rule":
                    seen += 1
                    assert ("(nu " if lang == "nl" else "(now ") in text, text
        for r in d.room:
            assert "(s)" not in r.text.nl + r.text.en
            if r.room == 0:
                assert r.text.nl.startswith("geen ruimte meer voor") and r.text.en.startswith("no room left for")
            elif r.room is not None:
                assert f" {r.room} " in r.text.nl and (" huishouden " if r.room == 1 else " huishoudens ") in r.text.nl
    assert seen > 20  # the policy gives rule changes to judge


def test_a_change_names_the_bound_and_the_value_now():
    program = load_policy(str(POLICIES / "openbaar-belang"))
    comp = composition(program.policy, example_occupancy(program), dt.date(2025, 6, 1))
    d = explain(program, Household("hh-a", 2, Fraction(24500), "aandacht"), "ZW-ASN-01-A02", comp)
    [change] = [c for c in d.changes if c.kind == "rule"]
    assert change.text.nl == ("Passend als regel 'complex-plafond' niet zou gelden, dus als het aandeel Aandacht in "
                              "het complex na deze toewijzing op of onder de bovengrens van 35,0 % was (nu 40,0 %)")
    assert change.text.en == ("Suitable if rule 'complex-plafond' did not hold, that is if the share of Needs attention "
                              "in the complex after this letting were at or below the ceiling of 35.0% (now 40.0%)")


def test_a_condition_that_fails_is_worded_as_what_is_the_case():
    from conftest import OB, run

    r = run("evaluate", str(OB), "--unit", "ZW-ASN-01-A09", "--household",
            str(OB / "examples" / "households" / "aandacht-2p.yaml"), "--date", "2025-06-01", "--details")
    lines = r.output.splitlines()
    i = next(i for i, line in enumerate(lines) if line.strip().startswith("unit.rent > def.aftoppingsgrens"))
    assert lines[i].endswith("-> onwaar")  # the result goes with the condition as written ...
    assert "de huur is € 640,00, op of onder de aftoppingsgrens" in lines[i - 1]  # ... the words with the facts
    assert not any(line.rstrip().endswith(("-> waar", "-> onwaar")) for line in lines if "voorwaarde:" in line)
