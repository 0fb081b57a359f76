"""The summary a woonconsulent reads first: pinned in Dutch and English for the README example and five other
decisions, in domain words (no fact path, no underscore id, no '(s)'); and the message catalogue complete."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from rules_engine import diagnostics
from rules_engine.render import messages
from rules_engine.api import load_policy
from rules_engine.testing.cases import CaseOccupancies, load_cases
from rules_engine.model.decision import decision_from_dict
from rules_engine.engine.explain import explain
from rules_engine.render.report import decision_markdown, decision_text
from rules_engine.render.report_html import decision_html
from rules_engine.render.summary import summary_lines
from rules_engine.render.wording import labels_of, policy_labels

ROOT = Path(__file__).resolve().parent.parent
GOLDEN = json.loads((ROOT / "tests" / "golden" / "summaries.json").read_text(encoding="utf-8"))
CASES = {  # golden key -> the policy test case of policies/openbaar-belang whose decision it summarises
    "readme": "aandacht in een complex met al 36 % aandacht wordt ontraden",
    "legal-refusal": "inkomen boven de DAEB-grens",
    "portiek-limit": "het derde aandachtshuishouden in een portiek wordt ontraden",
    "preference": "voorkeur voor een actieve bewoner waar die ontbreekt",
    "empty-new-build": "een leeg nieuwbouwcomplex krijgt geen oordeel over aandelen",
    "unknown-parameter": "zonder aftoppingsgrens voor 2026 is passend toewijzen onbeslist, nooit passend",
}


@pytest.fixture(scope="module")
def decisions():
    program = load_policy(str(ROOT / "policies" / "openbaar-belang"))
    cases, _ = load_cases(program)
    occ = CaseOccupancies(program)
    out = {}
    for key, name in CASES.items():
        case = next(c for c in cases if c.name == name)
        out[key] = explain(program, case.household, case.unit, occ.composition(case))
    return program, out


@pytest.mark.parametrize("key", list(CASES))
@pytest.mark.parametrize("lang", ["nl", "en"])
def test_summary_lines_are_pinned(decisions, key, lang):
    program, ds = decisions
    lines = summary_lines(ds[key], lang, policy_labels(program.policy))
    assert list(lines) == GOLDEN[key][lang]
    assert 3 <= len(lines) <= 5
    for line in lines:
        assert not re.search(r"\b(household|unit|profile|projected|param|def)\.[a-z]", line), line
        assert "_" not in line and "(s)" not in line and "/" not in line.split(" (")[0], line


def test_the_summary_comes_first_in_every_format(decisions):
    program, ds = decisions
    d = ds["readme"]
    labels = policy_labels(program.policy)
    first = summary_lines(d, "nl", labels)
    text = decision_text(d, "nl", details=False, labels=labels)
    assert text.splitlines()[:len(first)] == list(first) and "Toelichting per regel" not in text
    detailed = decision_text(d, "nl", details=True, labels=labels)
    assert detailed.index(first[1]) < detailed.index("Toelichting per regel") < detailed.index("38,5 % > 35,0 %")
    md = decision_markdown(d, "en", labels)
    assert md.index(summary_lines(d, "en", labels)[1]) < md.index("## Rule by rule")
    html = decision_html(d, "nl", labels)
    assert html.index("Het aandeel Aandacht in het complex") < html.index('<details class="detail">')
    assert "38,5\u00a0%" in html and "€ " not in html


def test_a_saved_record_summarises_without_the_policy(decisions):
    _, ds = decisions
    d = decision_from_dict(json.loads(json.dumps(ds["readme"].to_dict())))
    lines = summary_lines(d, "nl", labels_of(d))
    assert lines[1] == GOLDEN["readme"]["nl"][1] and "BU01930301" in lines[0]  # no buurt name in the record


def test_every_message_exists_in_both_languages_with_the_same_placeholders():
    nl, en = messages.CATALOGUES["nl"], messages.CATALOGUES["en"]
    assert set(nl) == set(en), sorted(set(nl) ^ set(en))
    for key in nl:
        assert messages.placeholders(nl[key]) == messages.placeholders(en[key]), key
        assert isinstance(nl[key], dict) == isinstance(en[key], dict), key
        if isinstance(nl[key], dict):
            assert set(nl[key]) == set(en[key]) and {"one", "other"} <= set(nl[key]) <= {"zero", "one", "other"}, key
    for code, (dutch, english) in diagnostics.MESSAGES.items():
        assert messages.placeholders(dutch) == messages.placeholders(english), code


def test_plural_forms_are_chosen_by_count():
    assert messages.say("count.households", "nl", n=1) == "1 huishouden"
    assert messages.say("count.households", "nl", n=0) == "0 huishoudens"
    assert messages.say("room.line", "en", n=2, category="Regular", where="the complex") == \
        "room for 2 more Regular households in the complex"


def test_a_badly_indented_key_is_explained_in_dutch_with_a_hint(tmp_path):
    import shutil

    from click.testing import CliRunner

    from rules_engine.cli import cli

    pol = tmp_path / "pol"
    shutil.copytree(ROOT / "policies" / "openbaar-belang", pol)
    text = (pol / "policy.yaml").read_text(encoding="utf-8")
    (pol / "policy.yaml").write_text(text.replace("  - id: aandacht\n    label", "  - id: aandacht\n   label"),
                                     encoding="utf-8")
    res = CliRunner().invoke(cli, ["validate", str(pol)])
    assert res.exit_code == 1
    line = res.output.splitlines()[0]
    assert line.startswith(f"{pol / 'policy.yaml'}:") and ": yaml-syntax: YAML-fout: deze regel springt anders in" in line
    assert "Tip: sleutels van één lijst beginnen in dezelfde kolom" in line and "block end" not in line


def test_schema_descriptions_for_hover_help_are_dutch_first():
    found = []

    def walk(node):
        if isinstance(node, dict):
            for key, value in node.items():
                if key == "description" and isinstance(value, str):
                    found.append(value)
                else:
                    walk(value)
        elif isinstance(node, list):
            for item in node:
                walk(item)

    for kind in ("policy", "complex", "parameters", "rules", "household", "occupancy", "testcase", "candidates"):
        walk(json.loads((ROOT / "schemas" / f"{kind}.json").read_text(encoding="utf-8")))
    assert len(found) > 150
    for text in found:
        dutch, _, english = text.partition(" / ")
        assert dutch and english and dutch != english, text
    assert "Kale huur in euro per maand. / Net rent (kale huur) in euros per month." in found


def test_the_files_magicmix_init_writes_are_commented_in_dutch():
    folder = ROOT / "rules_engine" / "scaffold"
    files = sorted(folder.glob("policy/**/*.yaml")) + [folder / "pre-commit-config.yaml", folder / "github-workflow.yml",
                                                        folder / "gitlab-ci.yml"]
    for path in files:
        comments = [line for line in path.read_text(encoding="utf-8").splitlines()
                    if line.lstrip().startswith("#") and line.strip("# ") and "yaml-language-server" not in line]
        assert comments, path
        assert re.search(r"\b(het|de|een|elke|wie|controleert)\b", comments[0].lower()), (path, comments[0])


def _luminance(hex_colour: str) -> float:
    channels = [int(hex_colour[i:i + 2], 16) / 255 for i in (1, 3, 5)]
    r, g, b = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def _contrast(a: str, b: str = "#ffffff") -> float:
    hi, lo = sorted((_luminance(a), _luminance(b)), reverse=True)
    return (hi + 0.05) / (lo + 0.05)


def test_chart_marks_stand_out_at_least_three_to_one_and_out_of_band_values_carry_a_sign(decisions):
    program, ds = decisions
    html = decision_html(ds["readme"], "nl", policy_labels(program.policy))
    fills = set(re.findall(r'(?:fill|stroke)="(#[0-9a-fA-F]{6})"', html)) - {"#e3efe0"}  # the band's inside: edged
    assert fills and all(_contrast(c) >= 3 for c in fills), {c: round(_contrast(c), 2) for c in fills}
    assert 'fill="#e3efe0" stroke="#2f6b2f"' in html
    # 10 of 26 aandacht after the letting, above the complex's 35 %: red, and marked with a sign in words and text
    assert 'class="out">▲ 38\u00a0%</text>' in html
    assert "(▲ boven de band)" in html and html.count("<svg") + 1 == html.count("<title>")  # + the page's title


def test_the_annual_report_names_the_corporation_and_the_period_without_a_decision_footer():
    from click.testing import CliRunner

    from rules_engine.cli import cli

    ob = ROOT / "policies" / "openbaar-belang"
    res = CliRunner().invoke(cli, ["report", "annual", str(ob), "--year", "2025", "--occupancy",
                                   str(ob / "examples" / "bezetting-2024-2025.csv"), "--format", "html"])
    assert res.exit_code == 0, res.output
    assert "Magische mix Openbaar Belang · 1 januari – 31 december 2025" in res.output
    assert "<footer>" not in res.output and "een medewerker beslist" not in res.output and "<main>" in res.output
