"""One exit-code table (rules_engine/cli/exits.py), asserted for every command: clean, policy error, unreadable
input, usage error; and the conveniences of issue 22 (completion, Dutch help, id prefixes, progress)."""

from __future__ import annotations

import io
import json
import re
import shutil

import pytest
from click.testing import CliRunner

from conftest import OB, run
from rules_engine.cli import cli, exits
from rules_engine.cli.progress import bar, number

HH = OB / "examples/households/aandacht-2p.yaml"
OCC = OB / "examples/bezetting-2024-2025.csv"


def _log(t):
    log = t / "d.log"
    if not log.exists():
        assert run("evaluate", OB, "--unit", "ZW-ASN-01-A09", "--household", HH, "--date", "2025-06-01",
                   "--log", log).exit_code == 0
    return log


# command -> (clean args, args with the policy replaced by P, args with an unreadable input, usage-error args)
TABLE = {
    "validate": (lambda t, p: ("validate", p), None, lambda t: ("validate", t / "nergens"), ("validate",)),
    "evaluate": (lambda t, p: ("evaluate", p, "--unit", "ZW-ASN-01-A09", "--household", HH, "--date", "2025-06-01"),
                 None, lambda t: ("evaluate", OB, "--unit", "ZW-ASN-01-A09", "--household", t / "nope.yaml"),
                 ("evaluate", OB, "--unit", "x")),
    "rank": (lambda t, p: ("rank", p, "--unit", "ZW-ASN-01-A09", "--candidates", OB / "examples/kandidaten.yaml",
                           "--date", "2025-06-01"), None,
             lambda t: ("rank", OB, "--unit", "ZW-ASN-01-A09", "--candidates", t / "nope.yaml"), ("rank", OB)),
    "room": (lambda t, p: ("room", p, "--complex", "ZW-ASN-01", "--date", "2025-06-01"), None,
             lambda t: ("room", OB, "--complex", "ZW-ASN-01", "--occupancy", t / "nope.csv"), ("room", OB)),
    "status": (lambda t, p: ("status", p, "--date", "2025-06-01"), None,
               lambda t: ("status", OB, "--occupancy", t / "nope.csv"), ("status", OB, "--level")),
    "test": (lambda t, p: ("test", p), None, lambda t: ("test", t / "nergens"), ("test",)),
    "facts": (lambda t, p: ("facts", p), None, lambda t: ("facts", t / "nergens"), ("facts", OB, "--format", "x")),
    "diff": (lambda t, p: ("diff", OB, p, "--no-tests"), None, lambda t: ("diff", OB, t / "nergens"), ("diff", OB)),
    "report annual": (lambda t, p: ("report", "annual", p, "--year", "2025", "--occupancy", OCC), None,
                      lambda t: ("report", "annual", OB, "--year", "2025", "--occupancy", t / "nope.csv"),
                      ("report", "annual", OB)),
    "log list": (lambda t, p: ("log", "list", _log(t)), "n/a", lambda t: ("log", "list", t / "nope.log"),
                 ("log", "list")),
    "log replay": (lambda t, p: ("log", "replay", _log(t)), "n/a", lambda t: ("log", "replay", t / "nope.log"),
                   ("log", "replay", "--head")),
    "init": (lambda t, p: ("init", t / "repo"), "n/a", lambda t: ("init", HH), ("init",)),
    "schema": (lambda t, p: ("schema", "household"), "n/a", None, ("schema", "nonsense")),
    "report saved": (lambda t, p: ("report", _saved(t, p)), "n/a", lambda t: ("report", t / "nope.json"),
                     ("report", "saved")),
}


def _saved(t, policy):
    """A saved decision (evaluate --format json)."""
    out = t / "saved.json"
    res = run("evaluate", policy, "--unit", "ZW-ASN-01-A09", "--household", HH, "--date", "2025-06-01",
              "--format", "json")
    out.write_text(res.stdout, encoding="utf-8")
    return out


@pytest.fixture
def broken(tmp_path):
    pol = tmp_path / "broken"
    shutil.copytree(OB, pol)
    (pol / "rules.yaml").write_text("rules: [\n", encoding="utf-8")
    return pol


@pytest.mark.parametrize("command", sorted(TABLE))
def test_exit_code_table(command, tmp_path, broken):
    clean, policy_error, unreadable, usage = TABLE[command]
    res = run(*clean(tmp_path, OB))
    assert res.exit_code == exits.OK, res.output
    if policy_error is None:
        res = run(*clean(tmp_path, broken))
        assert res.exit_code == exits.FINDINGS, res.output
        assert "rules.yaml:2:1: yaml-syntax" in res.output and "Traceback" not in res.output
    if unreadable is not None:
        res = run(*unreadable(tmp_path))
        assert res.exit_code == exits.INPUT, res.output
    res = run(*usage)
    assert res.exit_code == exits.INPUT and "Traceback" not in res.output


def test_a_batch_exits_by_the_table(tmp_path):
    good = json.dumps({"id": "h1", "size": 2, "income": 24500, "category": "aandacht", "unit": "ZW-ASN-01-A09",
                       "date": "2025-06-01"})
    some, none = tmp_path / "some.jsonl", tmp_path / "none.jsonl"
    some.write_text(good + "\n{kapot\n", encoding="utf-8")
    none.write_text("{kapot\n", encoding="utf-8")
    assert run("evaluate", OB, "--batch", some).exit_code == 0
    assert run("evaluate", OB, "--batch", some, "--on-error", "fail").exit_code == 1
    assert run("evaluate", OB, "--batch", none).exit_code == 1
    assert exits.batch_exit(0, 0, False) == 0


def test_exit_table_is_in_the_readme():
    from conftest import ROOT

    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    for row in exits.TABLE:
        assert re.search(rf"^\| {row.code} \|", readme, re.M), row


def _complete(words: str):
    env = {"_MAGICMIX_COMPLETE": "bash_complete", "COMP_WORDS": words, "COMP_CWORD": str(len(words.split()) - 1)}
    res = CliRunner().invoke(cli, [], prog_name="magicmix", env=env)
    return res.output.splitlines()


def test_completion_of_paths_and_policy_ids(tmp_path):
    assert "dir," in _complete(f"magicmix status {OB.parent}/")[0]
    assert "file," in _complete(f"magicmix evaluate {OB} --household x")[0]
    complexes = _complete(f"magicmix room {OB} --complex ZW-ASN-0")
    assert "plain,ZW-ASN-01" in complexes and all(c.startswith("plain,ZW-ASN-0") for c in complexes)
    units = _complete(f"magicmix evaluate {OB} --unit ZW-ASN-01-A0")
    assert "plain,ZW-ASN-01-A09" in units
    did = json.loads(run("log", "list", _log(tmp_path), "--format", "json").stdout)["decisions"][0]["decision_id"]
    assert f"plain,{did}" in _complete(f"magicmix log override --log {_log(tmp_path)} {did[:6]}")


def test_help_in_dutch(monkeypatch):
    en = run("evaluate", "--help").output
    nl = run("evaluate", "--lang", "nl", "--help").output
    assert "Household file (YAML or JSON)." in en and "Options:" in en
    assert "Huishoudbestand (YAML of JSON)." in nl and "Opties:" in nl and "[standaard: text]" in nl
    monkeypatch.setenv("MAGICMIX_LANG", "nl")
    top = run("--help").output
    assert "Opdrachten:" in top and "Controleer beleidsmappen" in top


def test_override_by_id_prefix_and_outcome_label(tmp_path):
    log = _log(tmp_path)
    did = json.loads(run("log", "list", log, "--format", "json").stdout)["decisions"][0]["decision_id"]
    res = run("log", "override", did[:8], "--outcome", "niet toegestaan", "--reason", "urgentie", "--log", log)
    assert res.exit_code == 0, res.output
    listed = json.loads(run("log", "list", log, "--format", "json").stdout)["decisions"][0]
    assert listed["person"] == {"outcome": "niet_toegestaan", "followed": False, "reason": "urgentie"}


def test_an_ambiguous_prefix_is_refused(tmp_path):
    log = _log(tmp_path)
    run("evaluate", OB, "--unit", "ZW-ASN-01-A09", "--household", HH, "--date", "2025-06-01", "--log", log)
    res = run("log", "override", "d-", "--outcome", "passend", "--reason", "x", "--log", log, "--lang", "en")
    assert res.exit_code == 2 and "starts 2 decisions" in res.output


def test_report_annual_without_occupancy_uses_the_policys():
    res = run("report", "annual", OB, "--year", "2025", "--format", "markdown")
    assert res.exit_code == 0 and "BU01930301" in res.output


class _Tty(io.StringIO):
    def isatty(self):
        return True


def test_progress_in_dutch_and_silent_off_a_terminal():
    assert number(203037, "nl") == "203.037" and number(203037, "en") == "203,037"
    assert number(64.75, "nl", 1) == "64,8"
    out = _Tty()
    shown = bar(("beoordelen", "evaluating"), "nl", 1000, ("rijen", "rows"), stream=out)
    shown.update_to(648, 203037)
    shown._bar.refresh()
    assert "203.037 rijen" in out.getvalue() and "64,8 %" in out.getvalue()
    shown.close()
    quiet = io.StringIO()
    silent = bar(("beoordelen", "evaluating"), "nl", 1000, ("rijen", "rows"), stream=quiet)
    silent.update_to(500, 10)
    silent.close()
    assert quiet.getvalue() == ""


def test_diff_from_the_repository_root_names_revisions_not_temporary_folders(tmp_path, monkeypatch):
    import subprocess

    repo = tmp_path / "repo"
    shutil.copytree(OB, repo / "policies" / "ob")
    subprocess.run(["git", "init", "-q", str(repo)], check=True)
    subprocess.run(["git", "-C", str(repo), "add", "."], check=True)
    subprocess.run(["git", "-C", str(repo), "-c", "user.email=t@example.org", "-c", "user.name=t", "commit", "-qm",
                    "x"], check=True)
    monkeypatch.chdir(repo)
    res = run("diff", "git:HEAD", ".", "--no-tests")
    assert res.exit_code == 0, res.output
    assert "Geen wijzigingen in betekenis" in res.output and "magicmix-diff-" not in res.output
    (repo / "policies" / "ob" / "rules.yaml").write_text("rules: [\n", encoding="utf-8")
    res = run("diff", ".", "git:HEAD", "--no-tests")
    assert res.exit_code == 1 and "yaml-syntax" in res.output and "magicmix-diff-" not in res.output


def test_pytest_plugin_honours_magicmix_lang(tmp_path, monkeypatch):
    from rules_engine.testing import pytest_plugin

    monkeypatch.setenv("MAGICMIX_LANG", "en")
    assert pytest_plugin.language() == "en"
    monkeypatch.setenv("MAGICMIX_LANG", "xx")
    assert pytest_plugin.language() == "nl"


def test_the_busy_line_shows_only_on_a_terminal_for_a_long_step():
    import time

    from rules_engine.cli.progress import busy

    out = _Tty()
    with busy(("beleid lezen", "reading the policy"), "nl", stream=out, after=0.05):
        time.sleep(0.8)
    assert "beleid lezen..." in out.getvalue()
    quick, quiet = _Tty(), io.StringIO()
    with busy(("beleid lezen", "reading the policy"), "nl", stream=quick, after=5):
        pass
    with busy(("beleid lezen", "reading the policy"), "nl", stream=quiet, after=0):
        time.sleep(0.2)
    assert quick.getvalue() == "" and quiet.getvalue() == ""
