"""Broken policies, each a mistake policy staff really make: exact file, line, column, code, exit code."""

from __future__ import annotations

import subprocess
import sys

import pytest

from conftest import ROOT, mutate, run

BILLION_LAUGHS = "a: &a [x, x, x, x, x, x, x, x, x, x]\n" + "".join(
    f"{chr(98 + i)}: &{chr(98 + i)} [{', '.join(['*' + chr(97 + i)] * 10)}]\n" for i in range(8))

# (name, file, old text, new text, expected "file:line:col: code")
CASES = [
    ("misspelt key", "policy.yaml", "    tolerance: 5%\n  complex:", "    tolerence: 5%\n  complex:",
     "pol/policy.yaml:47:5: unknown-key"),
    ("targets sum to 99", "policy.yaml", "targets: {regulier: 50%, aandacht: 35%, actief: 15%}",
     "targets: {regulier: 49%, aandacht: 35%, actief: 15%}", "pol/policy.yaml:46:5: targets-sum"),
    ("unknown category", "policy.yaml", "targets: {regulier: 50%, aandacht: 35%, actief: 15%}",
     "targets: {regulier: 50%, aandacht: 35%, aktief: 15%}", "pol/policy.yaml:46:45: unknown-category"),
    ("duplicate key", "policy.yaml", "owner: Team Verhuur\n", "owner: Team Verhuur\nname: Tweede naam\n",
     "pol/policy.yaml:10:1: duplicate-key"),
    ("impossible date", "parameters.yaml", "{valid_from: 2025-01-01, value: 28375,",
     "{valid_from: 2025-02-30, value: 28375,", "pol/parameters.yaml:15:22: invalid-date"),
    ("text where a number belongs", "complexes/zw-asz-03.yaml", "ZW-ASZ-03-A01, rooms: 3,",
     "ZW-ASZ-03-A01, rooms: drie,", "pol/complexes/zw-asz-03.yaml:13:36: wrong-type"),
    ("tab indentation", "policy.yaml", "  complex:\n    tolerance: 5%", "  complex:\n\ttolerance: 5%",
     "pol/policy.yaml:49:1: tab-indentation"),
    ("unterminated quote", "complexes/zw-asz-03.yaml", '"Seniorencomplex, gelijkvloers."',
     '"Seniorencomplex, gelijkvloers.', "pol/complexes/zw-asz-03.yaml:5:14: unterminated-quote"),
    ("unknown buurt", "complexes/zw-asz-03.yaml", "buurt: BU01930302", "buurt: BU01930303",
     "pol/complexes/zw-asz-03.yaml:4:8: unknown-buurt"),
    ("buurt code too short", "complexes/zw-asz-03.yaml", "buurt: BU01930302", "buurt: BU0193030",
     "pol/complexes/zw-asz-03.yaml:4:8: invalid-format"),
    ("home id twice", "complexes/zw-asz-03.yaml", "{id: ZW-ASZ-03-A02,", "{id: ZW-ASZ-03-A01,",
     "pol/complexes/zw-asz-03.yaml:14:14: duplicate-id"),
    ("band does not contain target", "policy.yaml", "actief: {min: 5%, max: 100%}",
     "actief: {min: 20%, max: 100%}", "pol/policy.yaml:52:7: band-outside"),
    ("version written as a number", "policy.yaml", "version: 1.0.0", "version: 1.0",
     "pol/policy.yaml:10:10: wrong-type"),
    ("required key missing", "policy.yaml", "owner: Team Verhuur\n", "",
     "pol/policy.yaml:7:1: missing-key"),
    ("unknown fact in a condition", "rules.yaml", "condition: unit.rent > def.aftoppingsgrens",
     "condition: unit.huur > def.aftoppingsgrens", "pol/rules.yaml:43:16: expr-syntax"),
    ("= instead of ==", "rules.yaml", "- unit.daeb == true\n      - household.income <= def.inkomensgrens_passend",
     "- unit.daeb = true\n      - household.income <= def.inkomensgrens_passend", "pol/rules.yaml:41:19: expr-syntax"),
    ("misspelt parameter", "rules.yaml", "- unit.rent <= param.daeb_huurgrens",
     "- unit.rent <= param.daeb_huurgrenz", "pol/rules.yaml:65:22: expr-syntax"),
    ("dates out of order", "parameters.yaml", "{valid_from: 2026-01-01, value: 29400,",
     "{valid_from: 2024-06-01, value: 29400,", "pol/parameters.yaml:16:22: dates-order"),
    ("unknown outcome", "rules.yaml", "kind: legal\n    outcome: niet_toegestaan\n    source: Woningwet art. 46;",
     "kind: legal\n    outcome: verboden\n    source: Woningwet art. 46;", "pol/rules.yaml:34:14: invalid-value"),
    ("legal rule that only advises", "rules.yaml",
     "kind: legal\n    outcome: niet_toegestaan\n    source: Woningwet art. 46;",
     "kind: legal\n    outcome: ontraden\n    source: Woningwet art. 46;", "pol/rules.yaml:34:14: legal-outcome"),
    ("unknown fact in a text", "rules.yaml", 'nl: "De huur ({unit.rent|euro}) ligt boven',
     'nl: "De huur ({unit.huur|euro}) ligt boven', "pol/rules.yaml:46:24: template-error"),
    ("unknown category in occupancy", "occupancy.yaml", "{unit: ZW-ASN-01-A01, household: hh-0001, category: regulier,",
     "{unit: ZW-ASN-01-A01, household: hh-0001, category: reguliere,", "pol/occupancy.yaml:6:57: unknown-category"),
    ("negative rent", "complexes/zw-asz-03.yaml", "ZW-ASZ-03-A01, rooms: 3, rent: 640.00",
     "ZW-ASZ-03-A01, rooms: 3, rent: -640.00", "pol/complexes/zw-asz-03.yaml:13:45: negative"),
    ("python tag", "complexes/zw-asz-03.yaml", "name: Hofje De Linde", "name: !!python/object:os.system ls",
     "pol/complexes/zw-asz-03.yaml:3:7: unsupported-tag"),
    ("colon in unquoted text", "complexes/zw-asz-03.yaml", '"Seniorencomplex, gelijkvloers."',
     "Seniorencomplex: gelijkvloers", "pol/complexes/zw-asz-03.yaml:5:29: yaml-syntax"),
    ("alias bomb", "complexes/zw-asz-03.yaml", "name: Hofje De Linde\n",
     "name: Hofje De Linde\n" + BILLION_LAUGHS.replace("\n", "\n").replace("a: &a", "x_a: &a"),
     "pol/complexes/zw-asz-03.yaml:7:40: alias-bomb"),
]


@pytest.mark.parametrize("name,file,old,new,expected", CASES, ids=[c[0] for c in CASES])
def test_broken_policy_is_reported_exactly(policy_copy, name, file, old, new, expected):
    mutate(policy_copy / file, old, new)
    result = run("validate", "pol", "--lang", "en")
    assert result.exit_code == 1, result.output
    lines = result.output.splitlines()
    assert any(line.startswith(expected + ":") for line in lines), result.output
    assert "Traceback" not in result.output


def test_cases_are_distinct():
    assert len({c[0] for c in CASES}) == len(CASES) >= 20
    assert len({(c[1], c[3]) for c in CASES}) == len(CASES)


def test_messages_are_dutch_by_default(policy_copy):
    mutate(policy_copy / "policy.yaml", "    tolerance: 5%\n  complex:", "    tolerence: 5%\n  complex:")
    result = run("validate", "pol")
    assert "onbekende sleutel 'tolerence'; bedoelde u 'tolerance'?" in result.output


def test_binary_and_non_utf8_files(policy_copy):
    (policy_copy / "complexes" / "zw-asz-03.yaml").write_bytes(b"id: ZW\nname: caf\xe9\n")
    (policy_copy / "complexes" / "zw-asz-02.yaml").write_bytes(b"id: \x00\x01\x02")
    result = run("validate", "pol", "--lang", "en")
    assert result.exit_code == 1
    assert "pol/complexes/zw-asz-03.yaml:2:10: not-utf8" in result.output
    assert "pol/complexes/zw-asz-02.yaml:1:5: binary-file" in result.output


def test_missing_folder_exits_2(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    result = run("validate", "nergens")
    assert result.exit_code == 2
    assert "nergens: file-not-found" in result.output


def test_folder_without_policy_exits_2(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "leeg").mkdir()
    result = run("validate", "leeg")
    assert result.exit_code == 2
    assert "leeg: no-policy" in result.output


def test_no_traceback_from_the_installed_entry_point(policy_copy):
    mutate(policy_copy / "policy.yaml", "owner: Team Verhuur\n", "owner: Team Verhuur\nname: Tweede naam\n")
    proc = subprocess.run([sys.executable, str(ROOT / "cli.py"), "validate", "pol"], capture_output=True, text=True,
                          cwd=policy_copy.parent)
    assert proc.returncode == 1
    assert "pol/policy.yaml:10:1: duplicate-key" in proc.stdout
    assert "Traceback" not in proc.stdout + proc.stderr


def test_github_format_and_json(policy_copy):
    mutate(policy_copy / "policy.yaml", "    tolerance: 5%\n  complex:", "    tolerence: 5%\n  complex:")
    gh = run("validate", "pol", "--format", "github", "--lang", "en")
    assert gh.output.startswith("::error file=pol/policy.yaml,line=47,col=5,title=unknown-key::unknown key")
    import json
    js = json.loads(run("validate", "pol", "--format", "json").output)
    assert js["ok"] is False
    assert js["diagnostics"][0]["line"] == 47 and js["diagnostics"][0]["code"] == "unknown-key"


def test_strict_makes_warnings_fail(policy_copy):
    text = (policy_copy / "parameters.yaml").read_text()
    (policy_copy / "parameters.yaml").write_text(text + """  ongebruikt:
    label: {nl: Ongebruikt, en: Unused}
    unit: number
    values:
      - {valid_from: 2025-01-01, value: 1, source: test}
""")
    assert run("validate", "pol").exit_code == 0
    strict = run("validate", "pol", "--strict", "--lang", "en")
    assert strict.exit_code == 1
    assert "unused-parameter (warning)" in strict.output
