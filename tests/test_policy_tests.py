"""magicmix test: passing suites, readable failures, CI formats, coverage, the pytest plugin and init."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from importlib.metadata import entry_points

import yaml
from junitparser import JUnitXml

from conftest import OB, ROOT, mutate, run


def test_example_policies_pass_with_full_coverage():
    out = run("test", ROOT / "policies", "--coverage", "--min-coverage", "100", "--lang", "en")
    assert out.exit_code == 0, out.output
    assert "Rule coverage: 8 of 8 rules seen both triggered and not triggered (100.0%)" in out.output
    assert out.output.splitlines()[-1].startswith("total: ")


def test_a_changed_threshold_fails_the_specific_cases(policy_copy):
    # Widen the complex tolerance from 5 % to 10 %: the 36 % complex is no longer above its ceiling.
    mutate(policy_copy / "policy.yaml", "  complex:\n    tolerance: 5%", "  complex:\n    tolerance: 10%")
    out = run("test", "pol", "--lang", "en")
    assert out.exit_code == 1
    fails = [line for line in out.output.splitlines() if line.startswith("FAIL ")]
    assert "FAIL pol/tests/mix.yaml:5: aandacht in een complex met al 36 % aandacht wordt ontraden" in fails
    assert "  - expected outcome ontraden, got passend" in out.output
    assert "  - expected deciding complex-plafond, got (none)" in out.output
    assert "40.0%" in out.output  # the explanation with the new ceiling follows the failure
    assert out.output.splitlines()[-1] == f"{39 - len(fails)} passed, {len(fails)} failed"


def test_empty_tests_folder_exits_non_zero(policy_copy):
    for f in (policy_copy / "tests").iterdir():
        f.unlink()
    out = run("test", "pol", "--lang", "en")
    assert out.exit_code == 1
    assert "No tests ran" in out.output
    assert out.output.splitlines()[-1] == "0 passed, 0 failed"


def test_filter_and_coverage_threshold(policy_copy):
    out = run("test", "pol", "-k", "portiek", "--min-coverage", "100", "--lang", "en")
    assert out.exit_code == 1
    # Only the two portiek cases ran: the portiek rule fired once and was not applicable once.
    assert "portiek-limiet: never seen not triggered" in out.output
    assert "pol/rules.yaml:30: passend-toewijzen: never seen not triggered" in out.output
    assert "pol/rules.yaml:52: daeb-inkomensgrens: never triggered" in out.output
    assert out.output.splitlines()[-1] == "2 passed, 0 failed"


def test_junit_reads_with_a_junit_parser(policy_copy, tmp_path):
    mutate(policy_copy / "policy.yaml", "  complex:\n    tolerance: 5%", "  complex:\n    tolerance: 10%")
    out = run("test", "pol", "--format", "junit")
    path = tmp_path / "junit.xml"
    path.write_text(out.output)
    xml = JUnitXml.fromfile(str(path))
    suite = next(iter(xml))
    cases = list(suite)
    assert suite.tests == len(cases) == 39
    names = {c.name for c in cases}
    assert "aandacht in een complex met al 36 % aandacht wordt ontraden" in names
    assert "passend toewijzen, huur € 672,40 op 2024-06-01: niet_toegestaan" in names
    failed = [c for c in cases if c.result]
    assert failed and suite.failures == len(failed)
    assert "verwacht uitkomst ontraden, kreeg passend" in failed[0].result[0].message or \
        any("verwacht" in c.result[0].message for c in failed)


def test_github_annotations_carry_file_and_line(policy_copy):
    mutate(policy_copy / "policy.yaml", "  complex:\n    tolerance: 5%", "  complex:\n    tolerance: 10%")
    out = run("test", "pol", "--format", "github", "--lang", "en")
    first = out.output.splitlines()[0]
    assert first.startswith("::error file=pol/tests/mix.yaml,line=5,title=aandacht in een complex")
    assert "expected outcome ontraden, got passend" in first


def test_tap_and_json():
    tap = run("test", OB, "--format", "tap").output.splitlines()
    assert tap[:2] == ["TAP version 14", "1..39"] and all(l.startswith("ok ") for l in tap[2:-1])
    data = json.loads(run("test", OB, "--format", "json").output)
    assert data["passed"] == 39 and data["coverage"]["percent"] == 100.0


def test_case_errors_point_at_the_case(policy_copy):
    mutate(policy_copy / "tests" / "mix.yaml", "deciding: [complex-plafond]\n      not_fired: [buurt-plafond",
           "deciding: [complex-plafont]\n      not_fired: [buurt-plafond")
    out = run("test", "pol", "--lang", "en")
    assert out.exit_code == 1
    assert "pol/tests/mix.yaml:12:18: bad-input: unknown rule 'complex-plafont'; did you mean 'complex-plafond'?" \
        in out.output
    assert out.output.splitlines()[-1] == "38 passed, 1 failed"


def test_a_bad_date_in_a_case_is_named_as_such(policy_copy):
    (policy_copy / "tests" / "bad.yaml").write_text(
        "tests:\n  - name: x\n    given: {household: {size: 1, income: 1, category: regulier}, "
        "unit: ZW-ASN-01-A09, date: 2025-13-01}\n    expect: {outcome: passend}\n")
    out = run("test", "pol", "--lang", "en")
    assert out.exit_code == 1
    assert out.output.splitlines()[0] == \
        "pol/tests/bad.yaml:3:93: invalid-date: '2025-13-01' is not a real date (write YYYY-MM-DD)"
    assert out.output.splitlines()[-1] == "39 passed, 1 failed"


def _pytest(*args, cwd):
    plugin = [] if any(ep.name == "magicmix" for ep in entry_points(group="pytest11")) \
        else ["-p", "rules_engine.testing.pytest_plugin"]
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    return subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", *plugin, *args],
                          capture_output=True, text=True, cwd=cwd, env=env)


def test_pytest_collects_policy_cases(policy_copy):
    ok = _pytest("pol", cwd=policy_copy.parent)
    assert ok.returncode == 0, ok.stdout + ok.stderr
    assert "39 passed" in ok.stdout
    mutate(policy_copy / "policy.yaml", "  complex:\n    tolerance: 5%", "  complex:\n    tolerance: 10%")
    bad = _pytest("pol", cwd=policy_copy.parent)
    assert bad.returncode == 1
    assert "pol/tests/mix.yaml:5: aandacht in een complex met al 36 % aandacht wordt ontraden" in bad.stdout
    assert "verwacht uitkomst ontraden, kreeg passend" in bad.stdout


def test_init_scaffolds_a_repository_that_validates_and_passes(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    out = run("init", "repo", "--name", "stad-oost")
    assert out.exit_code == 0, out.output
    repo = tmp_path / "repo"
    for rel in (".pre-commit-config.yaml", ".github/workflows/magicmix.yml", ".gitlab-ci.yml",
                "schemas/policy.json", "schemas/testcase.json", "policies/stad-oost/tests/voorbeeld.yaml"):
        assert (repo / rel).is_file(), rel
    assert yaml.safe_load((repo / ".pre-commit-config.yaml").read_text())["repos"][0]["hooks"][0]["id"] == \
        "magicmix-validate"
    first = (repo / "policies/stad-oost/complexes/voorbeeld.yaml").read_text().splitlines()[0]
    assert first == "# yaml-language-server: $schema=../../../schemas/complex.json"
    assert (repo / "policies/stad-oost/complexes" / first.split("=")[1]).resolve() == (repo / "schemas/complex.json")
    assert run("validate", repo / "policies").exit_code == 0
    tested = run("test", repo / "policies", "--min-coverage", "100")
    assert tested.exit_code == 0, tested.output
    workflow = yaml.safe_load((repo / ".github/workflows/magicmix.yml").read_text())
    diff_step = next(step["run"] for step in workflow["jobs"]["impact"]["steps"] if "magicmix diff" in step.get("run", ""))
    assert "policies/stad-oost --sample 10000 --format markdown" in diff_step
    subprocess.run(["git", "init", "-q", str(repo)], check=True)
    subprocess.run(["git", "-C", str(repo), "add", "."], check=True)
    subprocess.run(["git", "-C", str(repo), "-c", "user.email=t@example.org", "-c", "user.name=t", "commit", "-qm",
                    "init"], check=True)
    monkeypatch.chdir(repo)
    impact = run("diff", "git:HEAD", "policies/stad-oost", "--sample", "100", "--format", "markdown")
    assert impact.exit_code == 0 and "| Beslissingen die wijzigen | **0** |" in impact.output
    monkeypatch.chdir(tmp_path)
    again = run("init", "repo")
    assert again.exit_code == 2 and "not empty" in run("init", "repo", "--lang", "en").output


def test_pre_commit_hooks_file_names_real_commands():
    hooks = yaml.safe_load((ROOT / ".pre-commit-hooks.yaml").read_text())
    assert {h["id"] for h in hooks} == {"magicmix-validate", "magicmix-test"}
    for h in hooks:
        out = run(h["entry"].split()[1], *[ROOT / a if a == "policies/" else a for a in h["args"]])
        assert out.exit_code == 0, out.output
