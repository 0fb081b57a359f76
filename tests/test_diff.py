"""magicmix diff: the semantic diff of two policy versions and the decisions that flip."""

from __future__ import annotations

import datetime as dt
import json
import shutil
import subprocess
from fractions import Fraction

import pytest

from conftest import OB, mutate, run
from rules_engine import evaluate, example_occupancy, load_policy
from rules_engine.lang.facts import Household
from rules_engine.change.impact import all_cases, impact, sample_cases
from rules_engine.change.policy_diff import diff_policies, grouped

TARGETS = "targets: {regulier: 50%, aandacht: 35%, actief: 15%}"
LOWER_AANDACHT = "targets: {regulier: 55%, aandacht: 30%, actief: 15%}"
EDGE_CASE = "tests/mix.yaml: precies op de rand van de band (8 van 20 = 40 %) is nog passend"


@pytest.fixture
def lowered(policy_copy):
    """A copy of the example with the buurt aandacht target at 30 % instead of 35 %."""
    mutate(policy_copy / "policy.yaml", TARGETS, LOWER_AANDACHT)
    return policy_copy


def test_lower_aandacht_target_shows_band_change_and_flips(lowered):
    old, new = load_policy(str(OB)), load_policy(str(lowered))
    diff = diff_policies(old.policy, new.policy)
    by_field = {g.field["en"]: g for g in grouped(diff.items)}
    target = by_field["target aandacht"]
    assert (target.old["nl"], target.new["nl"]) == ("35,0 %", "30,0 %")
    band = by_field["band aandacht"]
    assert (band.old["nl"], band.new["nl"]) == ("30,0 % - 40,0 %", "25,0 % - 35,0 %")
    # The default reaches three buurten (Holtenbroek-Oost has its own targets) and the complexes without their own.
    assert [s for s in band.subjects if s.startswith("buurt")] == ["buurt BU01930301", "buurt BU01930302",
                                                                   "buurt BU01930501"]
    assert "complex ZW-ASN-01" in band.subjects and not any(s.startswith("complex ZW-HBO") for s in band.subjects)
    assert {i.section for i in diff.items} == {"mix"}

    cases, errors = all_cases(old, new, tests=True, sample=3000)
    result = impact(old, new, cases)
    assert not errors and dict(result.per_source) == {"tests": 39, "sample": 3000}  # every row of a case, told apart by its number
    assert result.flips and sum(n for _, n in result.transitions()) == len(result.flips)
    assert sum(n for _, n in result.per_group("buurt")) == len(result.flips)
    assert "BU01930702" not in dict(result.per_group("buurt"))  # its own targets did not change
    edge = next(f for f in result.flips if f.case.label == EDGE_CASE)
    assert (edge.old, edge.new) == ("passend", "ontraden")
    rule = edge.rules[0]
    assert (rule.rule, rule.old_status, rule.new_status) == ("complex-plafond", "not_fired", "fired")
    assert rule.where.startswith("rules.yaml:")
    cond = rule.conditions[0]
    assert (cond.old.right.display["nl"], cond.new.right.display["nl"]) == ("40,0 %", "35,0 %")
    assert cond.old.left.display == cond.new.left.display and (cond.old.result, cond.new.result) == ("false", "true")


def test_diff_cli_counts_and_fail_on_change(lowered):
    res = run("diff", OB, lowered, "--sample", "500", "--format", "json", "--fail-on-change")
    assert res.exit_code == 1
    data = json.loads(res.stdout)
    flips = data["impact"]["decisions"]
    assert data["impact"]["flips"] == len(flips) > 0
    assert sum(t["count"] for t in data["impact"]["transitions"]) == len(flips)
    for key in ("from", "to"):
        assert all(t[key] in ("niet_toegestaan", "ontraden", "passend", "voorkeur") for t in data["impact"]["transitions"])
    counted = {}
    for f in flips:
        counted[f["complex"]] = counted.get(f["complex"], 0) + 1
    assert counted == data["impact"]["per_complex"]
    text = run("diff", OB, lowered, "--lang", "en").output
    assert "target aandacht: 35.0% -> 30.0%" in text and "decisions flip" in text
    assert "complex-plafond (rules.yaml:" in text and "40.0% > 40.0% (false) -> 40.0% > 35.0% (true)" in text


def test_identical_and_metadata_only_changes_pass_fail_on_change(policy_copy):
    res = run("diff", OB, policy_copy, "--fail-on-change", "--sample", "200")
    assert res.exit_code == 0, res.output
    assert "Geen wijzigingen in betekenis." in res.output and "0 beslissingen wijzigen" in res.output
    mutate(policy_copy / "policy.yaml", "version: 1.0.0", "version: 1.1.0")
    mutate(policy_copy / "policy.yaml", "description: >\n", "# a comment only\ndescription: >\n")
    res = run("diff", OB, policy_copy, "--fail-on-change", "--format", "json")
    assert res.exit_code == 0
    data = json.loads(res.stdout)
    assert data["meaningful_changes"] == 0
    assert [(c["section"], c["old"]["nl"], c["new"]["nl"]) for c in data["changes"]] == [("metadata", "1.0.0", "1.1.0")]


def test_parameter_rule_and_home_changes_in_policy_language(policy_copy):
    mutate(policy_copy / "parameters.yaml", "value: 29400,", "value: 30000,")
    mutate(policy_copy / "rules.yaml", "condition: unit.rent > def.aftoppingsgrens",
           "condition: unit.rent > def.aftoppingsgrens + 10")
    mutate(policy_copy / "complexes/zw-asn-01.yaml", "{id: ZW-ASN-01-A01, rooms: 3, rent: 640.00}",
           "{id: ZW-ASN-01-A01, rooms: 3, rent: 655.00}")
    old, new = load_policy(str(OB)), load_policy(str(policy_copy))
    items = {(i.section, i.subject, i.field["en"]): i for i in diff_policies(old.policy, new.policy).items}
    param = items[("parameters", "param.passend_toewijzen_inkomensgrens_1p", "value from 2026-01-01")]
    assert (param.old["nl"], param.new["nl"]) == ("€ 29.400", "€ 30.000") and param.where.startswith("parameters.yaml:")
    rule = items[("rules", "regel passend-toewijzen", "condition")]
    assert rule.new["en"] == "unit.rent > def.aftoppingsgrens + 10" and rule.where.startswith("rules.yaml:")
    rent = items[("units", "woning ZW-ASN-01-A01", "rent")]
    assert (rent.old["nl"], rent.new["nl"]) == ("€ 640,00", "€ 655,00")
    assert rent.where.startswith("complexes/zw-asn-01.yaml:")


def test_removed_home_flips_to_not_in_version_from_a_cases_file(policy_copy, tmp_path):
    mutate(policy_copy / "complexes/zw-asn-01.yaml", "      - {id: ZW-ASN-01-A09, rooms: 3, rent: 640.00}\n", "")
    rows = tmp_path / "rows.csv"
    rows.write_text("id;size;income;category;unit;date\nhh-1;2;25000;regulier;ZW-ASN-01-A09;2025-06-01\n"
                    "hh-2;2;25000;regulier;ZW-ASN-01-A08;2025-06-01\nhh-3;2;veel;regulier;ZW-ASN-01-A08;2025-06-01\n",
                    encoding="utf-8")
    res = run("diff", OB, policy_copy, "--no-tests", "--cases", rows, "--format", "json")
    data = json.loads(res.stdout)
    assert data["impact"]["cases"] == 2  # the row with a bad income is reported and skipped
    assert "rows.csv:4: income: 'veel' is geen getal" in res.stderr
    [flip] = data["impact"]["decisions"]
    program = load_policy(str(OB))
    before = evaluate(program, Household("hh-1", 2, Fraction(25000), "regulier", None, ()), "ZW-ASN-01-A09",
                      dt.date(2025, 6, 1), example_occupancy(program))
    assert (flip["unit"], flip["from"], flip["to"]) == ("ZW-ASN-01-A09", before.outcome, None)
    removed = [c for c in data["changes"] if c["section"] == "units"]
    assert [(c["subject"], c["change"]) for c in removed] == [("woning ZW-ASN-01-A09", "removed")]


def test_decision_log_as_case_source(lowered, tmp_path):
    log = tmp_path / "log.jsonl"
    household = tmp_path / "hh.yaml"
    household.write_text("id: hh-9\nsize: 2\nincome: 25000\ncategory: aandacht\n", encoding="utf-8")
    for unit in ("ZW-ASZ-01-A08", "ZW-ASN-01-A01"):
        assert run("evaluate", OB, "--unit", unit, "--household", household, "--date", "2025-06-01",
                   "--log", log).exit_code == 0
    res = run("diff", OB, lowered, "--no-tests", "--log", log, "--format", "json")
    data = json.loads(res.stdout)
    assert data["impact"]["cases"] == 2 and data["impact"]["sources"] == {"log": 2}


def test_markdown_is_a_pull_request_comment(lowered):
    out = run("diff", OB, lowered, "--format", "markdown", "--limit", "3").output
    lines = out.splitlines()
    assert lines[0].startswith("## magicmix diff: openbaar-belang") and lines[2].startswith("| Wat | Aantal |")
    assert out.count("<details>") == out.count("</details>") == 3
    assert out.index("Beslissingen die wijzigen") < out.index("<details>")
    table = [line for line in lines if line.startswith("| ") and "plafond" in line]
    assert table and all(line.count(" | ") == 4 for line in table)  # no stray pipes split a cell


def test_sample_is_systematic_and_deterministic():
    program = load_policy(str(OB))
    a, b = sample_cases(program, program, 400), sample_cases(program, program, 400)
    assert [(c.unit, c.household, c.date, c.occupancy) for c in a] == [(c.unit, c.household, c.date, c.occupancy)
                                                                      for c in b]
    assert len({c.household.category for c in a}) == 3
    assert {c.occupancy if isinstance(c.occupancy, str) else c.occupancy[0] for c in a} == {"example", "empty", "shift"}
    assert len({c.unit for c in a}) > 100 and len({(c.unit, c.household, c.date, c.occupancy) for c in a}) == 400
    assert not impact(program, program, a).flips


def test_git_revision_against_working_tree(tmp_path, monkeypatch):
    repo = tmp_path / "repo"
    shutil.copytree(OB, repo / "beleid")
    git = ["git", "-C", str(repo), "-c", "user.email=t@example.org", "-c", "user.name=t"]
    subprocess.run(["git", "init", "-q", str(repo)], check=True)
    subprocess.run(git + ["add", "."], check=True)
    subprocess.run(git + ["commit", "-qm", "beleid"], check=True)
    mutate(repo / "beleid" / "policy.yaml", TARGETS, LOWER_AANDACHT)
    before = subprocess.run(git + ["status", "--porcelain"], capture_output=True, text=True).stdout
    monkeypatch.chdir(repo / "beleid")
    for old in ("git:HEAD", "git:HEAD:beleid"):
        res = run("diff", old, ".", "--format", "json", "--fail-on-change")
        assert res.exit_code == 1, res.output
        data = json.loads(res.stdout)
        assert data["impact"]["flips"] > 0
        assert any(c["field"]["en"] == "target aandacht" for c in data["changes"])
    assert subprocess.run(git + ["status", "--porcelain"], capture_output=True, text=True).stdout == before
    assert run("diff", "git:HEAD", "git:HEAD", "--fail-on-change").exit_code == 0


@pytest.mark.parametrize("args, message", [
    (("git:geen-tak", "."), "onbekende revisie 'geen-tak'"),
    (("git:HEAD:nergens", "."), "nergens"),
    ((str(OB), "bestaat-niet"), "bestand of map niet gevonden"),
])
def test_bad_versions_exit_2_with_a_message(tmp_path, monkeypatch, args, message):
    repo = tmp_path / "repo"
    shutil.copytree(OB, repo)
    subprocess.run(["git", "init", "-q", str(repo)], check=True)
    subprocess.run(["git", "-C", str(repo), "add", "."], check=True)
    subprocess.run(["git", "-C", str(repo), "-c", "user.email=t@example.org", "-c", "user.name=t", "commit", "-qm", "x"],
                   check=True)
    monkeypatch.chdir(repo)
    res = run("diff", *args)
    assert res.exit_code == 2 and message in res.output
    assert "Traceback" not in res.output


def test_a_yearly_rent_increase_stays_readable(policy_copy):
    import re

    n = 0
    for path in sorted((policy_copy / "complexes").glob("*.yaml")):
        def bump(m):
            nonlocal n
            n += 1
            return f"rent: {int(m.group(1)) + n}.{m.group(2)}"  # every home its own new rent
        path.write_text(re.sub(r"rent: (\d+)\.(\d+)", bump, path.read_text(encoding="utf-8")), encoding="utf-8")
    data = json.loads(run("diff", OB, policy_copy, "--no-tests", "--format", "json").stdout)
    assert data["meaningful_changes"] == n == 218 and {c["section"] for c in data["changes"]} == {"units"}
    md = run("diff", OB, policy_copy, "--no-tests", "--format", "markdown").output
    assert "| … woningen | 218 |" in md and "… 118 meer; zie --format json" in md
    assert sum(line.startswith("| woningen |") for line in md.splitlines()) == 100
