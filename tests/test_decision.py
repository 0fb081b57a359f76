"""The Decision record is typed end to end, and its JSON form is the one written before it was typed."""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
from fractions import Fraction

import pytest

from conftest import POLICIES, ROOT
from rules_engine import __version__, example_occupancy, load_policy
from rules_engine.engine import engine_durable
from rules_engine.model.decision import Record, Value
from rules_engine.engine.explain import decision_from_dict, explain
from rules_engine.lang.facts import Household
from rules_engine.load.occupancy import composition

GOLDEN = ROOT / "tests" / "golden" / "decisions.json"  # written by the dict-based record (main, 2dc9258); room and change texts since in domain words
CASES = [("openbaar-belang", ("hh-a", 2, 24500, "aandacht", 40, ("urgent",)), "ZW-ASN-01-A02", "2025-06-01"),
         ("openbaar-belang", ("hh-b", 4, 52000, "actief", None, ()), "ZW-ASN-01-A01", "2026-01-01"),
         ("dragend-vragend", ("hh-c", 1, 18000, None, 70, ()), None, "2025-03-01")]


def _decisions(engine=None):
    for pol, (hid, size, income, cat, age, flags), unit, date in CASES:
        program = load_policy(str(POLICIES / pol))
        if engine:
            program = engine(program)
        cat = cat or program.policy.category_ids[0]
        unit = unit or sorted(program.policy.units)[0]
        comp = composition(program.policy, example_occupancy(program), dt.date.fromisoformat(date))
        yield (f"{pol} {hid} {unit} {date}",
               explain(program, Household(hid, size, Fraction(income), cat, age, flags), unit, comp, "occupancy.yaml"))


def _json(d) -> str:
    root = str(POLICIES.parent)
    return json.dumps(d.to_dict()).replace(root, "ROOT").replace(f'"version": "{__version__}"', '"version": "V"')


def test_the_json_form_is_byte_identical_to_the_untyped_record():
    golden = json.loads(GOLDEN.read_text(encoding="utf-8").replace('"version": "0.1.0"', '"version": "V"'))
    for key, d in _decisions():
        assert _json(d) == json.dumps(golden[key]), key


def test_a_record_read_back_from_json_is_the_same_record():
    for _, d in _decisions():
        back = decision_from_dict(json.loads(json.dumps(d.to_dict())))
        assert back == d and back.to_dict() == d.to_dict()


def _dict_fields(v, path="decision"):
    if isinstance(v, dict):
        yield path
    elif isinstance(v, (tuple, list)):
        for i, x in enumerate(v):
            yield from _dict_fields(x, f"{path}[{i}]")
    elif dataclasses.is_dataclass(v):
        assert isinstance(v, Record), path
        for f in dataclasses.fields(v):
            if not (isinstance(v, Value) and f.name == "value"):  # the value itself is JSON data
                yield from _dict_fields(getattr(v, f.name), f"{path}.{f.name}")


def test_no_field_of_the_record_is_a_dict():
    for key, d in _decisions():
        assert list(_dict_fields(d)) == [], key
        for p in d.inputs.parameters:  # read by name, as in the JSON form
            assert d.inputs["parameters"][p.name]["value"] == d.to_dict()["inputs"]["parameters"][p.name]["value"]


@pytest.mark.skipif(engine_durable.unavailable_reason() is not None, reason="durable-rules is not available")
def test_a_durable_record_names_its_rule_engine_and_else_equals_the_default():
    for (key, d), (_, e) in zip(_decisions(), _decisions(engine_durable.durable_program)):
        assert e.engine.rule_engine.startswith("durable-rules") and "rule_engine" in e.to_dict()["engine"]
        assert "rule_engine" not in d.to_dict()["engine"]
        assert dataclasses.replace(e, engine=d.engine) == d, key


def test_the_public_api_takes_paths_as_text_or_as_pathlib_paths(tmp_path):
    from rules_engine import evaluate, load_household, load_occupancy

    ob = ROOT / "policies" / "openbaar-belang"  # a pathlib.Path, as another program would hand it
    by_path = load_policy(ob, use_cache=False)
    by_text = load_policy(str(ob), use_cache=False)
    household = load_household(ob / "examples" / "households" / "aandacht-2p.yaml")
    date = dt.date(2025, 6, 1)
    occupancy = load_occupancy(ob / "occupancy.yaml", by_path.policy)
    assert occupancy.by_unit == load_occupancy(str(ob / "occupancy.yaml"), by_text.policy).by_unit
    assert (evaluate(by_path, household, "ZW-ASN-01-A09", date, occupancy).to_json()
            == evaluate(by_text, household, "ZW-ASN-01-A09", date, occupancy).to_json())
