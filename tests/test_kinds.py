"""Outcomes and rule kinds are enums declared once (model.py); every text form derives from them."""

from __future__ import annotations

import json

from conftest import ROOT
from rules_engine.model.policy import (OUTCOME_LABELS, OUTCOMES, RULE_KINDS, RULE_OUTCOMES, SEVERITY, UNDECIDED, Outcome,
                                RuleKind)


def test_the_enums_keep_the_string_values_and_order():
    assert OUTCOMES == ("niet_toegestaan", "onbeslist", "ontraden", "passend", "voorkeur", "plaatsing")
    assert "plaatsing" not in RULE_OUTCOMES  # only a placement route gives it, never a rule
    assert all(type(o) is str for o in OUTCOMES + RULE_OUTCOMES + RULE_KINDS + (UNDECIDED,))
    assert [o.severity for o in Outcome] == [0, 1, 2, 3, 4, 5] and SEVERITY["passend"] == Outcome.PASSEND.severity
    assert Outcome("ontraden") == "ontraden" and json.dumps(Outcome.ONTRADEN) == '"ontraden"'
    assert OUTCOME_LABELS[UNDECIDED] == ("onbeslist", "cannot be decided")
    assert RuleKind.LEGAL.label == ("wettelijk", "legal") and RULE_KINDS == ("legal", "advice")


def test_the_schemas_list_the_same_values():
    rules = json.loads((ROOT / "schemas" / "rules.json").read_text(encoding="utf-8"))
    decision = json.loads((ROOT / "schemas" / "decision.json").read_text(encoding="utf-8"))
    text = json.dumps(rules)
    assert f'"enum": {json.dumps(list(RULE_KINDS))}' in text
    assert f'"enum": {json.dumps(list(RULE_OUTCOMES))}' in text
    assert decision["properties"]["outcome"]["enum"] == list(OUTCOMES)


def test_value_types_are_interned_and_read_as_before():
    import pickle

    from rules_engine.lang.facts import CATALOGUE
    from rules_engine.model.value_types import CATEGORY, PERCENT, Kind, parse, vtype

    assert parse("number:percent") is PERCENT is vtype(Kind.NUMBER, "percent") and str(PERCENT) == "number:percent"
    assert parse("category") is CATEGORY and str(CATEGORY) == "category"
    assert pickle.loads(pickle.dumps(PERCENT)) is PERCENT
    for spec in CATALOGUE.values():  # every fact's type, as `magicmix facts` shows it, is a ValueType
        assert str(parse(spec.type)) == spec.type
    assert parse("map:percent").item() is PERCENT
