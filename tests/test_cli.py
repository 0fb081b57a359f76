"""The CLI as a user runs it: evaluate, room, facts, schema, and clear errors on bad input."""

from __future__ import annotations

import json

from jsonschema import Draft202012Validator

from conftest import DV, OB, ROOT, run
from rules_engine.load.schemas_check import schema_text

HH = OB / "examples" / "households" / "aandacht-2p.yaml"


def test_evaluate_text_nl_and_en():
    nl = run("evaluate", OB, "--unit", "ZW-ASN-01-A09", "--household", HH, "--date", "2025-06-01")
    assert nl.exit_code == 0
    assert nl.output.startswith("Advies: ontraden · huishouden Aandacht van twee personen voor woning ZW-ASN-01-A09")
    en = run("evaluate", OB, "--unit", "ZW-ASN-01-A09", "--household", HH, "--date", "2025-06-01", "--lang", "en",
             "--details")
    assert en.output.startswith("Advice: advised against · ")
    assert "38.5% > 35.0%" in en.output


def test_evaluate_json_matches_the_decision_schema():
    out = run("evaluate", OB, "--unit", "ZW-ASN-01-A09", "--household", HH, "--date", "2025-06-01", "--format", "json")
    data = json.loads(out.output)
    validator = Draft202012Validator(json.loads(schema_text("decision")))
    assert list(validator.iter_errors(data)) == []
    assert data["outcome"] == "ontraden"
    assert data["inputs"]["household"]["id"] == "hh-demo-aandacht"
    assert data["policy"]["content_hash"].startswith("sha256:")


def test_evaluate_markdown():
    out = run("evaluate", OB, "--unit", "ZW-ASN-01-A09", "--household", HH, "--date", "2025-06-01",
              "--format", "markdown", "--lang", "en")
    assert out.output.startswith("# Advice: advised against\n")
    assert "| Ceiling of the complex (complex-plafond) · advice, complex, advised against | triggered **(deciding)** |" in out.output


def test_reports_carry_no_name_or_reason(tmp_path):
    # Only the pseudonymous id reaches the output; the schema refuses any other household field.
    h = tmp_path / "h.yaml"
    h.write_text("id: hh-9\nsize: 1\nincome: 20000\ncategory: aandacht\nnaam: Jan Jansen\nreden: opvang\n")
    out = run("evaluate", OB, "--unit", "ZW-ASN-01-A09", "--household", h, "--date", "2025-06-01", "--lang", "en")
    assert out.exit_code == 2
    assert "unknown key 'naam'" in out.output and "unknown key 'reden'" in out.output
    assert "Jan Jansen" not in out.output


def test_bad_inputs_exit_2_with_a_clear_message(tmp_path):
    cases = [
        (["--unit", "ZW-ASN-01-Z99", "--household", HH], "unknown-unit"),
        (["--unit", "ZW-ASN-01-A09", "--household", tmp_path / "nope.yaml"], "file-not-found"),
        (["--unit", "ZW-ASN-01-A09", "--household", HH, "--date", "2025-02-30"], "invalid-date"),
        (["--unit", "ZW-ASN-01-A09", "--household", HH, "--occupancy", tmp_path / "o.yaml"], "file-not-found"),
    ]
    for extra, code in cases:
        out = run("evaluate", OB, *extra, "--date", "2025-06-01") if "--date" not in extra else run("evaluate", OB, *extra)
        assert out.exit_code == 2, (extra, out.output)
        assert f": {code}:" in out.output
        assert "Traceback" not in out.output
    wrong = tmp_path / "w.yaml"
    wrong.write_text("id: hh-1\nsize: twee\nincome: 1\ncategory: regulier\n")
    out = run("evaluate", OB, "--unit", "ZW-ASN-01-A09", "--household", wrong, "--lang", "en")
    assert out.exit_code == 2
    assert f"{wrong}:2:7: wrong-type: expected a whole number, but found: text 'twee'" in out.output


def test_evaluate_on_a_broken_policy_exits_1_as_validate_does(policy_copy):
    (policy_copy / "policy.yaml").write_text("id: [\n")
    out = run("evaluate", "pol", "--unit", "x", "--household", HH)
    assert out.exit_code == 1  # one exit-code table: a policy with errors is 1 from every command (issue 22)
    assert "pol/policy.yaml:2:1: yaml-syntax" in out.output


def test_room_table_and_json():
    text = run("room", OB, "--complex", "ZW-ASN-01", "--date", "2025-06-01", "--lang", "en")
    assert text.exit_code == 0
    assert "complex  ZW-ASN-01" in text.output
    data = json.loads(run("room", OB, "--complex", "ZW-ASN-01", "--date", "2025-06-01", "--format", "json").output)
    cx = {r["category"]: r for r in data["room"] if r["level"] == "complex"}
    assert (cx["aandacht"]["count"], cx["aandacht"]["occupied"], cx["aandacht"]["room"]) == (9, 25, 0)
    # regulier: 14 of 25, ceiling 60 %: k <= (0.6 * 25 - 14) / 0.4 = 2.5, so 2; but 25 of 26 homes are occupied:
    # only 1 can move in. Room: min(2, 1) = 1. actief (ceiling 100 %): the 1 vacant home.
    assert (cx["regulier"]["count"], cx["regulier"]["room"], cx["actief"]["room"]) == (14, 1, 1)
    bad = run("room", OB, "--complex", "ZW-ASN-1")
    assert bad.exit_code == 2 and "unknown-complex" in bad.output


def test_facts_reference_lists_policy_parameters():
    out = run("facts", OB, "--lang", "en")
    assert "projected.complex.share" in out.output
    assert "param.aftoppingsgrens_1_2_personen" in out.output
    assert "def.aftoppingsgrens" in out.output
    md = run("facts", "--format", "markdown")
    assert md.output.startswith("| gegeven | type | betekenis |")


def test_schema_command_prints_the_shipped_schema():
    out = run("schema", "complex")
    assert json.loads(out.output) == json.loads((ROOT / "schemas" / "complex.json").read_text())
    assert run("schema", "nonsense").exit_code == 2


def test_validate_a_folder_of_policies():
    # --date: in a year with every annual amount present; a year without them warns (tests/test_outcomes.py)
    out = run("validate", ROOT / "policies", "--date", "2025-06-01")
    assert out.exit_code == 0
    assert out.output.strip() == "0 fouten, 0 waarschuwingen"


def test_second_policy_evaluates():
    out = run("evaluate", DV, "--unit", "LUN-HOF-105", "--household", DV / "examples/households/vragend.yaml",
              "--date", "2025-03-01", "--lang", "en")
    assert out.exit_code == 0 and out.output.startswith("Advice: not allowed · ")
