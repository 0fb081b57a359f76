"""Decision.to_json() writes the bytes json.dumps(to_dict(), ensure_ascii=False, sort_keys=True) writes.

On every shipped policy, the benchmark's and one with every construct the compiler knows, on
many generated lettings (so that records shared between explanations are written once and read
back from what was kept), in rankings, for records read back from JSON, with --engine durable,
and for records holding values of other types than their fields declare or mutable JSON data.
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import replace
from fractions import Fraction

import pytest

from conftest import DV, OB, ROOT
from test_compiled import cases, every_construct_program
from test_decision import GOLDEN, _decisions
from rules_engine import load_policy
from rules_engine.engine.explain import explain, explain_all
from rules_engine.lang.facts import Household
from rules_engine.model.decision import (Bilingual, ConditionResult, EngineRef, HouseholdInput, RoomLine, Value,
                                         decision_from_dict)
from rules_engine.model.decision_json import KEPT

POLICIES = [OB, DV, ROOT / "bench" / "peers" / "policy", ROOT / "tests" / "data" / "wijk-zwolle"]


def _dumps(record) -> str:
    return json.dumps(record.to_dict(), ensure_ascii=False, sort_keys=True)


def _same(record) -> None:
    want = _dumps(record)
    assert record.to_json() == want
    assert record.to_json() == want  # and again, from what the first call kept


def _explanations(program, n: int, seed: int):
    for h, unit, _, comp, _, _ in cases(program, n, seed):
        yield explain(program, h, unit, comp, "occupancy.yaml")


@pytest.mark.parametrize("root", POLICIES)
def test_the_json_text_is_json_dumps_of_the_dict_on_generated_lettings(root):
    program = load_policy(str(root), use_cache=False)
    outcomes = set()
    for d in _explanations(program, 250, 5):
        _same(d)
        outcomes.add(d.outcome)
    assert len(outcomes) >= 2


def test_every_construct_and_unknown_values(tmp_path):
    program = every_construct_program(tmp_path)
    for d in _explanations(program, 250, 7):
        _same(d)
        back = decision_from_dict(json.loads(d.to_json()))  # fresh records, nothing kept on them yet
        assert back.to_json() == d.to_json()


def test_rankings_and_their_shared_records():
    program = load_policy(str(OB), use_cache=False)
    for h, unit, _, comp, _, _ in cases(program, 4, 3):
        households = [Household(f"h{i}", 1 + i % 5, Fraction(15000 + 997 * i), c, 30 + i % 50, ())
                      for i, c in enumerate(program.policy.category_ids * 20)]
        for d in explain_all(program, households, unit, comp):
            _same(d)


def test_the_golden_records_in_sorted_form():
    golden = json.loads(GOLDEN.read_text(encoding="utf-8"))
    root = str(ROOT)
    for key, d in _decisions():
        text = d.to_json().replace(root, "ROOT")
        want = dict(golden[key], engine={**golden[key]["engine"], "version": d.engine.version})
        assert text == json.dumps(want, ensure_ascii=False, sort_keys=True), key


def test_another_engine():
    from rules_engine.engine.engine_durable import durable_program, unavailable_reason

    if unavailable_reason() is not None:
        pytest.skip("the durable extra is not installed")

    program = durable_program(load_policy(str(OB), use_cache=False))
    for d in _explanations(program, 60, 9):
        _same(d)


def test_values_of_other_types_and_text_that_needs_escaping():
    text = Bilingual('"ç"\n\\ \u2028 é', 7)  # a field holding another type than declared is written as dumps does
    line = RoomLine("portiek", "P1", "x", True, text)
    _same(line)
    _same(RoomLine("portiek", "P1", "x", None, Bilingual("a", "b")))
    _same(Value("e", {"b": [1, "2", None, 1.5], "a": True}, text))
    _same(HouseholdInput("h", 2, "3/2", "c", None, ("a", "b"), True, "r"))
    _same(HouseholdInput("h", 2, "3/2", "c", 40, (), False, None))
    _same(EngineRef("m", "1", "durable 2"))
    _same(EngineRef("m", "1"))


def test_mutable_json_data_is_written_every_time():
    shown = Value("household.flags", ["urgent"], Bilingual("urgent", "urgent"))
    cond = ConditionResult("'urgent' in household.flags", 3, 7, "true", None, None, None, (shown,), None)
    first = cond.to_json()
    assert KEPT not in cond.__dict__ and KEPT not in shown.__dict__
    shown.value.append("oud")
    assert cond.to_json() == _dumps(cond) != first
    number = Value("household.size", "2", Bilingual("2", "2"))
    kept = replace(cond, facts=(number,))
    _same(kept)
    assert KEPT in kept.__dict__  # immutable all the way down: kept


def test_what_is_kept_is_not_part_of_the_record():
    program = load_policy(str(OB), use_cache=False)
    d = next(_explanations(program, 1, 1))
    before = (d.to_dict(), repr(d), hash(d.policy))
    d.to_json()
    assert (d.to_dict(), repr(d), hash(d.policy)) == before
    assert d == decision_from_dict(d.to_dict())
    assert dt.date.fromisoformat(d.inputs.date)


def test_batch_explain_lines_are_json_dumps_of_the_record_with_its_dict(tmp_path):
    from conftest import run
    from rules_engine import example_occupancy
    from rules_engine.allocation.batch import explain_line
    from rules_engine.load.occupancy import composition
    from test_batch import _rows

    program = load_policy(str(OB), use_cache=False)
    rows = list(_rows(program, 60)) + [{"id": "hh.x:1", "size": 2, "income": 24500, "category": "aandacht",
                                        "unit": "ZW-ASN-01-A09", "date": "2025-06-01"}]
    src = tmp_path / "in.jsonl"
    src.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    out = tmp_path / "o.jsonl"
    result = run("evaluate", OB, "--batch", src, "--explain", "--output", out)
    assert result.exit_code == 0, result.output
    lines = {json.loads(line)["row"]: line for line in out.read_text(encoding="utf-8").splitlines()}
    assert sorted(lines) == list(range(1, len(rows) + 1)), result.output
    occ = example_occupancy(program)
    for i, r in enumerate(rows):
        line = lines[i + 1]
        date = dt.date.fromisoformat(r["date"])
        h = Household(r["id"], r["size"], Fraction(r["income"]), r["category"])
        d = explain(program, h, r["unit"], composition(program.policy, occ, date))
        record = {"row": i + 1, "household": h.id, "unit": r["unit"], "date": r["date"], "outcome": d.outcome,
                  "deciding": list(d.deciding_rules), "decision": d.to_dict()}
        want = json.dumps(record, ensure_ascii=False, sort_keys=True, default=list)
        assert line == want
        assert explain_line(i + 1, h.id, r["unit"], date, d.outcome, d.deciding_rules, d.to_json()) == want


def test_fields_left_out_when_unset():
    for older in (False, True):
        for route in (None, "doorstroming", 'r"é'):
            for age in (None, 0, 81):
                _same(HouseholdInput("h", 2, "3/2", "c", age, ("a",), older, route))
    _same(HouseholdInput("h", 2, "3/2", "c", None, (), 0, None))  # not of its declared type: through to_dict
    _same(HouseholdInput("h", 2, "3/2", "c", None, (), 1, ""))


def test_a_ranking_with_its_candidates_records():
    from rules_engine.allocation.rank import rank

    program = load_policy(str(OB), use_cache=False)
    for h, unit, _, comp, _, _ in cases(program, 3, 13):
        households = [Household(f"h{i}", 1 + i % 4, Fraction(14000 + 1913 * i), c, 25 + i, ())
                      for i, c in enumerate(program.policy.category_ids * 5)]
        _same(rank(program, households, unit, comp))


def test_a_record_that_can_change_keeps_no_text():
    from dataclasses import dataclass

    from rules_engine.model.decision import Record

    @dataclass
    class Open(Record):
        """A record that is not frozen."""

        name: str
        count: int

    r = Open("a", 1)
    assert r.to_json() == _dumps(r) and KEPT not in r.__dict__
    r.count = 2
    assert r.to_json() == _dumps(r) == '{"count": 2, "name": "a"}'
