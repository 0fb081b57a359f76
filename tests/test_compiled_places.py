"""The compiled rules read a home from the unit table's columns and its place from one record per place of the
composition (compiled.py): decided exactly as the one semantics whichever way the records were made.

Records made before the rows (CompiledRules.prepare) or as each place is first read, a composition with or
without the categories by position (Composition.codes), one that holds no derived values at all, and one
compiled program reading several compositions in turn all decide as evaluate.rule_status does.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import random
from types import SimpleNamespace

import pytest

from conftest import OB, ROOT
from test_compiled import cases, every_construct_program
from rules_engine import example_occupancy, load_policy
from rules_engine.engine.evaluate import build_facts, combine, compiled, rule_statuses
from rules_engine.lang.facts import Household
from rules_engine.load.occupancy import EMPTY, Occupancy, OccupancyRow, composition
from rules_engine.model.policy import frozen_map

DATE = dt.date(2025, 6, 1)

PLACE_RULES = """
  - id: t-place
    title: {nl: T, en: T}
    level: unit
    kind: advice
    outcome: voorkeur
    any:
      - unit.complex in ['ZW-ASN-01', 'ZW-ASN-02'] and unit.rooms >= 3
      - unit.buurt == 'BU01930302' or unit.portiek == 'ZW-ASN-01/A'
      - unit.id == 'ZW-ASN-01-A03'
    explanation:
      fired: {nl: "t", en: "t"}
"""


def _general(program, h, unit, comp):
    return combine(program, rule_statuses(program, build_facts(program, h, unit, comp)), h)


def _households(policy, n: int, seed: int):
    rnd = random.Random(seed)
    for i in range(n):
        yield Household(f"hh-{i}", rnd.randint(1, 6), rnd.choice((rnd.randint(0, 70_000), 28375, 38500, 49669)),
                        rnd.choice(policy.category_ids), rnd.choice((None, rnd.randint(17, 90))))


def _every_home(program, comp, seed: int = 1) -> int:
    """Decide every home of the policy for a few households both ways; returns how many decisions agreed."""
    fast = compiled(program, comp.date)
    n = 0
    for h in _households(program.policy, 6, seed):
        for unit in program.policy.units:
            assert fast.from_composition(h, unit, comp) == _general(program, h, unit, comp), (h, unit)
            n += 1
    return n


@pytest.mark.parametrize("root", [OB, ROOT / "tests" / "data" / "wijk-zwolle"])
def test_records_made_before_the_rows_decide_as_those_made_at_the_first_row(root):
    program = load_policy(str(root), use_cache=False)
    occ = example_occupancy(program)
    prepared, lazy = composition(program.policy, occ, DATE), composition(program.policy, occ, DATE)
    compiled(program, DATE).prepare(prepared)
    assert _every_home(program, prepared) == _every_home(program, lazy) > 1000


def test_the_homes_place_and_columns_read_by_the_rules_decide_as_the_one_semantics(tmp_path):
    program = every_construct_program(tmp_path, PLACE_RULES)
    src = compiled(program, DATE).source
    assert "ks[1]" in src and "uid ==" in src and "u_floor" in src and "u_rooms" in src  # every column and key
    assert _every_home(program, composition(program.policy, example_occupancy(program), DATE)) > 1000
    fired = set()
    at = [cr.rule.id for cr in program.rules].index("t-place")
    for h, unit, date, comp, counts, leaving in cases(program, 800, 3):
        assert compiled(program, date).from_composition(h, unit, comp) == _general(program, h, unit, comp)
        fired.add(rule_statuses(program, build_facts(program, h, unit, comp))[at].status)
    assert len(fired) >= 2  # the rule on the home's place both fired and did not


def test_compositions_without_codes_or_derived_values_decide_the_same():
    program = load_policy(str(OB))
    comp = composition(program.policy, example_occupancy(program), DATE)
    assert comp.codes is not None
    without_codes = dataclasses.replace(comp, codes=None)
    plain = SimpleNamespace(date=comp.date, groups=comp.groups, by_unit=comp.by_unit, group=comp.group)  # no codes,
    # nothing derived
    assert _every_home(program, without_codes) == _every_home(program, plain) == _every_home(program, comp)


def test_one_compiled_program_reads_several_compositions_in_turn():
    program = load_policy(str(OB))
    policy = program.policy
    occ = example_occupancy(program)
    units = list(policy.units)
    moved = dict(occ.by_unit)
    for uid in units[:60]:  # another occupancy: the first 60 homes empty or of the next category
        cats = policy.category_ids
        row = moved.get(uid, (OccupancyRow(uid, "x", cats[0], dt.date(2020, 1, 1)),))[-1]
        nxt = None if row.household is None else cats[(cats.index(row.category) + 1) % len(cats)]
        moved[uid] = (OccupancyRow(uid, "y" if nxt else None, nxt, dt.date(2020, 1, 1)),)
    comps = [composition(policy, occ, DATE), composition(policy, Occupancy(frozen_map(moved)), DATE),
             composition(policy, EMPTY, DATE)]
    fast = compiled(program, DATE)
    rnd = random.Random(4)
    for h in _households(policy, 300, 9):
        comp, unit = rnd.choice(comps), rnd.choice(units)
        assert fast.from_composition(h, unit, comp) == _general(program, h, unit, comp)


def test_the_categories_by_position_are_those_by_home():
    program = load_policy(str(OB))
    policy = program.policy
    comp = composition(policy, example_occupancy(program), DATE)
    by_position = {uid: comp.codes[i] for i, uid in enumerate(policy.units)}
    assert {uid: policy.category_ids[k - 1] for uid, k in by_position.items() if k} == dict(comp.by_unit)
    uid = next(iter(policy.units))
    odd = Occupancy(frozen_map({uid: (OccupancyRow(uid, "h", "elsewhere", dt.date(2020, 1, 1)),)}))
    assert composition(policy, odd, DATE).codes is None  # a category the policy does not know: by id only
