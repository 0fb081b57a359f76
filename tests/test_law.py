"""The law of 2026 in the example: older households, two names for one amount, CBS codes, placement routes."""

from __future__ import annotations

import datetime as dt
import json
import re
from fractions import Fraction

import pytest

from conftest import OB, ROOT, mutate, run
from rules_engine.api import evaluate, example_occupancy, load_policy
from rules_engine.lang.facts import Household
from rules_engine.load.values import CBS_CODES, Refused, cbs_pattern, read_cbs_code


@pytest.fixture(scope="module")
def program():
    return load_policy(str(OB))


def _rule(decision, rule_id):
    return next(r for r in decision.rules if r.id == rule_id)


def test_an_older_one_person_household_at_28800_in_2026_is_judged_by_the_older_limit(program):
    occ = example_occupancy(program)
    day = dt.date(2026, 6, 1)
    older = evaluate(program, Household("hh-o", 1, Fraction(28800), "actief", older=True), "ZW-ASN-01-A02", day, occ)
    rule = _rule(older, "passend-toewijzen")
    # 28.800 is above the older limit (28.775): passend toewijzen does not apply, so the missing 2026
    # aftoppingsgrens does not matter and the DAEB rule (51.537) decides the law.
    assert rule.status == "not_applicable" and older.outcome == "passend"
    income_test = rule.applies_when[1]
    assert (income_test.left.display["nl"], income_test.right.display["nl"]) == ("€ 28.800", "€ 28.775")
    assert older.inputs["parameters"]["passend_toewijzen_inkomensgrens_ouderen_1p"]["value"] == "28775"
    # the same income without AOW age is under the general limit (29.400): the rule applies, and without
    # a confirmed 2026 aftoppingsgrens the law cannot be judged
    other = evaluate(program, Household("hh-g", 1, Fraction(28800), "actief"), "ZW-ASN-01-A02", day, occ)
    assert other.outcome == "onbeslist" and other.deciding_rules == ("passend-toewijzen",)
    assert _rule(other, "passend-toewijzen").applies_when[1].right.display["nl"] == "€ 29.400"
    # two persons: 38.650; and before 2026 no older-household limit is confirmed: onbeslist, never a guess
    two = evaluate(program, Household("hh-2", 2, Fraction(38700), "actief", older=True), "ZW-ASN-01-A02", day, occ)
    assert _rule(two, "passend-toewijzen").status == "not_applicable" and two.outcome == "passend"
    early = evaluate(program, Household("hh-e", 1, Fraction(20000), "actief", older=True), "ZW-ASN-01-A02",
                     dt.date(2025, 6, 1), occ)
    assert early.outcome == "onbeslist"


def test_older_is_read_from_a_household_file_and_kept_out_of_the_text(tmp_path):
    h = tmp_path / "h.yaml"
    h.write_text("id: hh-o\nsize: 1\nincome: 28800\ncategory: actief\nolder: true\n", encoding="utf-8")
    res = run("evaluate", OB, "--unit", "ZW-ASN-01-A02", "--household", h, "--date", "2026-06-01", "--format", "json")
    data = json.loads(res.output)
    assert data["outcome"] == "passend" and data["inputs"]["household"]["older"] is True
    h.write_text("id: hh-o\nsize: 1\nincome: 28800\ncategory: actief\nolder: ja\n", encoding="utf-8")
    bad = run("evaluate", OB, "--unit", "ZW-ASN-01-A02", "--household", h, "--lang", "en")
    assert bad.exit_code == 2 and f"{h}:5:8: wrong-type" in bad.output


def test_the_daeb_rent_limit_and_the_rent_allowance_cap_are_two_parameters_with_one_amount(program):
    params = program.policy.parameters
    daeb, cap = params["daeb_huurgrens"], params["huurtoeslag_maximale_rekenhuur"]
    day = dt.date(2026, 3, 1)
    assert daeb.at(day).value == cap.at(day).value == Fraction("932.93")
    assert daeb.label.en == "DAEB allocation rent limit" and cap.label.en == "Rent allowance calculation cap"
    assert "Dienst Toeslagen" in cap.at(day).source
    # the amounts DOMAIN.md does not confirm stay open: no 2026 aftoppingsgrens
    assert params["aftoppingsgrens_1_2_personen"].at(day) is None
    assert params["aftoppingsgrens_3_plus_personen"].at(day) is None


def test_cbs_codes_as_cbs_defines_them():
    assert read_cbs_code("BU0363AB12", "buurt") == "BU0363AB12"  # Amsterdam: letters after the gemeente code
    assert read_cbs_code("WK0363AF", "wijk") == "WK0363AF" and read_cbs_code("GM0193", "gemeente") == "GM0193"
    for code, level, words in (("BU0193x301", "buurt", "character 7 ('x') should be a digit or a capital letter"),
                               ("BU01A30101", "buurt", "character 5 ('A') should be a digit of the gemeente code"),
                               ("BU019303", "buurt", "a CBS buurt code has 10 characters, this one has 8"),
                               ("WK019303AB", "wijk", "a CBS wijk code has 8 characters, this one has 10"),
                               ("GM019", "gemeente", "has 6 characters, this one has 5")):
        with pytest.raises(Refused) as err:
            read_cbs_code(code, level)
        assert words in err.value.texts[1], err.value.texts
    # the schemas write the same patterns
    policy = json.loads((ROOT / "schemas" / "policy.json").read_text(encoding="utf-8"))
    complex_ = json.loads((ROOT / "schemas" / "complex.json").read_text(encoding="utf-8"))
    assert policy["properties"]["buurten"]["items"]["properties"]["code"]["pattern"] == cbs_pattern("buurt")
    assert complex_["properties"]["buurt"]["pattern"] == cbs_pattern("buurt")
    assert set(CBS_CODES) == {"gemeente", "wijk", "buurt"}


def test_a_buurt_code_with_letters_is_accepted_and_a_malformed_one_refused_with_its_position(policy_copy):
    policy = policy_copy / "policy.yaml"
    mutate(policy, "  - {code: BU01930501, year: 2025, name: Diezerpoort-West}",
           "  - {code: BU0193AB01, year: 2025, name: Diezerpoort-West}")
    for path in (policy_copy / "complexes").glob("zw-dpw-*.yaml"):
        mutate(path, "buurt: BU01930501", "buurt: BU0193AB01")
    ok = run("validate", "pol", "--date", "2026-06-01", "--lang", "en")
    assert ok.exit_code == 0 and ok.output.splitlines()[-1].startswith("0 errors"), ok.output
    assert "BU0193AB01" in load_policy(str(policy_copy)).policy.buurten
    mutate(policy, "{code: BU0193AB01,", "{code: BU0193aB01,")
    bad = run("validate", "pol", "--lang", "en")
    assert bad.exit_code == 1
    line = next(n for n, text in enumerate(policy.read_text(encoding="utf-8").splitlines(), 1) if "BU0193aB01" in text)
    # the column is where the code starts (12), the message names its 7th character
    assert (f"pol/policy.yaml:{line}:12: invalid-format: 'BU0193aB01' does not have the right form (character 7 "
            "('a') should be a digit or a capital letter") in bad.output, bad.output
    cx = policy_copy / "complexes" / "zw-dpw-01.yaml"
    mutate(cx, "buurt: BU0193AB01", "buurt: BU0193AB0")
    bad = run("validate", "pol", "--lang", "en")
    assert re.search(r"pol/complexes/zw-dpw-01.yaml:\d+:\d+: invalid-format: 'BU0193AB0' .*has 10 characters, "
                     r"this one has 9", bad.output), bad.output


def test_an_urgent_household_in_a_complex_over_its_ceiling_is_placed_with_the_ceiling_rule_as_information(program):
    occ = example_occupancy(program)
    day = dt.date(2025, 6, 1)
    advised = evaluate(program, Household("hh-u", 2, Fraction(24500), "aandacht"), "ZW-ASN-01-A02", day, occ)
    assert advised.outcome == "ontraden" and advised.deciding_rules == ("complex-plafond",)
    placed = evaluate(program, Household("hh-u", 2, Fraction(24500), "aandacht", route="urgentie"), "ZW-ASN-01-A02",
                      day, occ)
    assert placed.outcome == "plaatsing" and placed.deciding_rules == ()
    ceiling = _rule(placed, "complex-plafond")
    assert ceiling.status == "fired" and not ceiling.deciding  # evaluated and shown, as information
    assert placed.inputs["household"]["route"] == "urgentie"
    from rules_engine.render.report import decision_text
    text = decision_text(placed, "en")
    summary = text.split("\n\n")[0]
    assert summary.startswith("Advice: placement")
    assert "comes through the route urgentie: the mix cannot refuse this placement" in summary
    assert "Placement through route urgentie; mix rules as information (triggered): complex-plafond" in text
    # the law keeps its effect: above the DAEB limit a route does not help
    rich = evaluate(program, Household("hh-r", 1, Fraction(60000), "aandacht", route="statushouder"), "ZW-ASN-01-A02",
                    day, occ)
    assert rich.outcome == "niet_toegestaan"


def test_a_route_the_policy_does_not_declare_is_refused(tmp_path):
    h = tmp_path / "h.yaml"
    h.write_text("id: hh-u\nsize: 2\nincome: 24500\ncategory: aandacht\nroute: vip\n", encoding="utf-8")
    res = run("evaluate", OB, "--unit", "ZW-ASN-01-A02", "--household", h, "--date", "2025-06-01", "--lang", "en")
    assert res.exit_code == 2 and "'vip' is not an allowed value; choose from: urgentie, statushouder, contingent" \
        in res.output, res.output


def test_a_ranking_puts_a_placement_first(tmp_path):
    c = tmp_path / "c.yaml"
    c.write_text("candidates:\n"
                 "  - {id: kd-1, size: 2, income: 31000, category: actief}\n"
                 "  - {id: kd-2, size: 2, income: 24500, category: aandacht, route: urgentie}\n", encoding="utf-8")
    res = run("rank", OB, "--unit", "ZW-ASN-01-A02", "--candidates", c, "--date", "2025-06-01", "--format", "json")
    assert res.exit_code == 0, res.output
    data = json.loads(res.output)
    ranked = [x for x in json.dumps(data).split('"household": "')[1:]]
    assert ranked and ranked[0].startswith("kd-2"), res.output[:2000]


def test_placement_lists_the_vacant_homes_that_absorb_a_placement_best(tmp_path):
    h = tmp_path / "u.yaml"
    h.write_text("id: hh-u\nsize: 2\nincome: 24500\ncategory: aandacht\nroute: urgentie\n", encoding="utf-8")
    res = run("placement", OB, "--household", h, "--date", "2025-06-01", "--top", "100", "--format", "json")
    assert res.exit_code == 0, res.output
    data = json.loads(res.output)
    homes = data["homes"]
    assert data["route"] == "urgentie" and len(homes) == data["vacant"] == 15
    outcomes = [x["outcome"] for x in homes]
    # the law first: every home it does not allow comes after every home it does
    assert outcomes == sorted(outcomes, key=lambda o: o != "plaatsing") and "niet_toegestaan" in outcomes
    allowed = [x for x in homes if x["outcome"] == "plaatsing"]
    # fewer rules that would advise against first; the complex over its aandacht ceiling comes after those without
    assert [len(x["against"]) for x in allowed] == sorted(len(x["against"]) for x in allowed)
    assert allowed[0]["against"] == [] and allowed[0]["preferred"] == ["voorkeur-onder-band"]
    a09 = next(x for x in homes if x["unit"] == "ZW-ASN-01-A09")
    assert a09["against"] == ["complex-plafond"] and a09["room"] == 0
    text = run("placement", OB, "--household", h, "--date", "2025-06-01", "--top", "2", "--lang", "en").output
    assert text.startswith("15 vacant homes on 2025-06-01; best first:\n") and len(text.splitlines()) == 3
    bad = run("placement", OB, "--household", tmp_path / "nope.yaml", "--lang", "en")
    assert bad.exit_code == 2 and "nope.yaml" in bad.output


def test_a_batch_reads_older_and_route_columns(tmp_path):
    rows = tmp_path / "b.csv"
    rows.write_text("id,size,income,category,unit,date,older,route\n"
                    "hh-1,1,28800,actief,ZW-ASN-01-A02,2026-06-01,true,\n"
                    "hh-2,2,24500,aandacht,ZW-ASN-01-A02,2025-06-01,,urgentie\n"
                    "hh-3,2,24500,aandacht,ZW-ASN-01-A02,2025-06-01,misschien,\n"
                    "hh-4,2,24500,aandacht,ZW-ASN-01-A02,2025-06-01,,vip\n", encoding="utf-8")
    res = run("evaluate", OB, "--batch", rows, "--lang", "en")
    lines = [json.loads(x) for x in res.output.splitlines() if x.startswith("{")]
    assert [(x["household"], x["outcome"]) for x in lines] == [("hh-1", "passend"), ("hh-2", "plaatsing")]
    assert "b.csv:4: row skipped: older is not yes/no: 'misschien'" in res.output
    assert "b.csv:5: row skipped: unknown route 'vip'" in res.output
