"""--format json on every command, and errors as the one JSON error document (exits.error_document)."""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner

from conftest import OB, run
from rules_engine.cli import cli

HH = OB / "examples/households/aandacht-2p.yaml"
OCC = OB / "examples/bezetting-2024-2025.csv"


def _log(tmp_path):
    log = tmp_path / "d.log"
    assert run("evaluate", OB, "--unit", "ZW-ASN-01-A09", "--household", HH, "--date", "2025-06-01",
               "--log", log).exit_code == 0
    return log


def _json(*args):
    res = CliRunner().invoke(cli, [str(a) for a in args] + ["--format", "json"], catch_exceptions=False)
    return res, json.loads(res.stdout)


COMMANDS = {
    "validate": lambda t: ("validate", OB),
    "evaluate": lambda t: ("evaluate", OB, "--unit", "ZW-ASN-01-A09", "--household", HH, "--date", "2025-06-01"),
    "evaluate --batch": None,
    "rank": lambda t: ("rank", OB, "--unit", "ZW-ASN-01-A09", "--candidates", OB / "examples/kandidaten.yaml",
                       "--date", "2025-06-01"),
    "room": lambda t: ("room", OB, "--complex", "ZW-ASN-01", "--date", "2025-06-01"),
    "facts": lambda t: ("facts", OB),
    "test": lambda t: ("test", OB),
    "init": lambda t: ("init", t / "nieuw", "--name", "Woonstede Kampen"),
    "status": lambda t: ("status", OB, "--date", "2025-06-01"),
    "diff": lambda t: ("diff", OB, OB, "--no-tests", "--sample", "5"),
    "report annual": lambda t: ("report", "annual", OB, "--year", "2025", "--occupancy", OCC),
    "report saved": None,
    "log list": lambda t: ("log", "list", _log(t)),
    "log replay": lambda t: ("log", "replay", _log(t)),
    "schema": lambda t: ("schema", "household"),
}


@pytest.mark.parametrize("name", sorted(k for k, v in COMMANDS.items() if v))
def test_every_command_writes_json(name, tmp_path):
    res, data = _json(*COMMANDS[name](tmp_path))
    assert res.exit_code == 0, res.output
    assert isinstance(data, dict) and data


def test_json_content_of_the_new_formats(tmp_path):
    _, facts = _json("facts", OB)
    assert any(f["path"] == "household.income" and f["meaning"]["nl"] for f in facts["facts"])
    _, annual = _json("report", "annual", OB, "--year", "2025", "--occupancy", OCC)
    assert annual["year"] == 2025 and {b["key"] for b in annual["buurten"]["end"]} >= {"BU01930301"}
    _, public = _json("report", "annual", OB, "--year", "2025", "--occupancy", OCC, "--public")
    assert "lettings" not in public and all("categories" not in b for b in public["buurten"]["end"])
    log = _log(tmp_path)
    _, listed = _json("log", "list", log)
    assert listed["decisions"][0]["advice"] == "ontraden" and listed["decisions"][0]["person"] is None
    _, init = _json("init", tmp_path / "repo")
    assert "policies/mijn-beleid/policy.yaml" in init["files"]


def test_a_batch_summary_is_json_and_the_decisions_json_lines(tmp_path):
    rows = tmp_path / "rows.jsonl"
    rows.write_text(json.dumps({"id": "h1", "size": 2, "income": 24500, "category": "aandacht",
                                "unit": "ZW-ASN-01-A09", "date": "2025-06-01"}) + "\n" + "{kapot\n", encoding="utf-8")
    out = tmp_path / "out.jsonl"
    res = run("evaluate", OB, "--batch", rows, "--output", out, "--format", "json")
    assert res.exit_code == 0
    summary = json.loads(res.stdout)
    assert summary["evaluated"] == 1 and summary["skipped"] == 1 and summary["skipped_rows"][0]["row"] == 2
    assert json.loads(out.read_text().splitlines()[0])["outcome"] == "ontraden"


def test_report_of_a_saved_decision_as_json(tmp_path):
    saved = tmp_path / "d.json"
    saved.write_text(run("evaluate", OB, "--unit", "ZW-ASN-01-A09", "--household", HH, "--date", "2025-06-01",
                         "--format", "json").stdout, encoding="utf-8")
    _, data = _json("report", saved)
    assert data["outcome"] == "ontraden"


ERRORS = [
    ("policy error", lambda t: ("evaluate", t / "pol", "--unit", "x", "--household", HH), 1, "yaml-syntax"),
    ("missing file", lambda t: ("evaluate", OB, "--unit", "ZW-ASN-01-A09", "--household", t / "nope.yaml"), 2,
     "file-not-found"),
    ("usage", lambda t: ("room", OB), 2, "usage"),
    ("unknown option", lambda t: ("status", OB, "--nonsense"), 2, "usage"),
    ("log", lambda t: ("log", "list", t / "nope.log"), 2, "file-not-found"),
]


@pytest.mark.parametrize("name,args,code,error", ERRORS, ids=[e[0] for e in ERRORS])
def test_errors_are_one_json_document(name, args, code, error, tmp_path):
    (tmp_path / "pol").mkdir()
    (tmp_path / "pol" / "policy.yaml").write_text("id: [\n", encoding="utf-8")
    res, data = _json(*args(tmp_path))
    assert res.exit_code == code == data["exit_code"] and data["ok"] is False
    first = next(e for e in data["errors"] if e["code"] == error)
    assert set(first) >= {"code", "message", "file", "line", "column"}
    assert first["message"]["nl"] and first["message"]["en"]
    if error == "yaml-syntax":
        assert first["file"].endswith("policy.yaml") and first["line"] == 2 and first["column"] == 1
    assert error in res.stderr or "Error" in res.stderr  # and the message for people on standard error
