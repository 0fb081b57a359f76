"""Levels as data (issue 20): the registry, and a policy that adds the wijk above the buurt, through the real commands."""

from __future__ import annotations

import datetime as dt
import json
import shutil

import pytest

from conftest import OB, ROOT, mutate, run
from rules_engine import load_policy
from rules_engine.lang.facts import CATALOGUE, catalogue
from rules_engine.model.levels import DEFAULT, group_keys
from rules_engine.load.occupancy import composition, load_occupancy

WIJK = ROOT / "tests" / "data" / "wijk-zwolle"
CSV = WIJK / "examples" / "bezetting-2024-2025.csv"
HOUSEHOLD = WIJK / "examples" / "households" / "aandacht-2p.yaml"


@pytest.fixture
def wijk_copy(tmp_path, monkeypatch):
    """A copy of the wijk test policy at ./w inside a temporary working folder."""
    monkeypatch.chdir(tmp_path)
    shutil.copytree(WIJK, tmp_path / "w")
    return tmp_path / "w"


def test_the_default_registry_is_todays_three_levels():
    assert DEFAULT.keys == ("portiek", "complex", "buurt")
    assert [lv.mix for lv in DEFAULT] == [False, True, True]  # the portiek has maxima only
    assert [lv.parent for lv in DEFAULT] == ["complex", "buurt", None]
    assert DEFAULT.rule_levels == ("unit", "portiek", "complex", "buurt")
    assert dict(catalogue(DEFAULT)) == dict(CATALOGUE)
    assert not any("wijk" in path for path in CATALOGUE)


def test_the_wijk_policy_declares_its_level_and_its_facts():
    policy = load_policy(str(WIJK)).policy
    assert policy.levels.keys == ("portiek", "complex", "buurt", "wijk")
    assert policy.levels["buurt"].parent == "wijk"
    assert policy.levels["wijk"].the == ("de wijk", "the wijk")
    facts = catalogue(policy.levels)
    for path in ("unit.wijk", "wijk.share", "projected.wijk.count", "profile.wijk.ceiling"):
        assert path in facts
    assert group_keys(policy, policy.units["ZW-HBO-03-205"]) == ("ZW-HBO-03/2", "ZW-HBO-03", "BU01930702", "WK019307")
    # its own targets: Holtenbroek 30 % aandacht, the default per wijk 35 %, both with the wijk's 7.5 % tolerance
    assert str(policy.areas["wijk"]["WK019307"].mix.bands["aandacht"].high) == "3/8"
    assert str(policy.areas["wijk"]["WK019303"].mix.bands["aandacht"].high) == "17/40"


def test_a_wijk_counts_the_buurten_in_it():
    policy = load_policy(str(WIJK)).policy
    comp = composition(policy, load_occupancy(str(CSV), policy), dt.date(2025, 12, 31))
    for code, wijk in policy.areas["wijk"].items():
        buurten = [comp.group("buurt", b) for b, area in policy.buurten.items() if area.up["wijk"] == code]
        assert buurten, code
        g = comp.group("wijk", code)
        assert g.homes == sum(b.homes for b in buurten)
        assert g.occupied == sum(b.occupied for b in buurten)
        for cid in policy.category_ids:
            assert g.counts.get(cid, 0) == sum(b.counts.get(cid, 0) for b in buurten)
    assert comp.group("wijk", "WK019303").homes == 106  # Assendorp-Noord 54 + Assendorp-Zuid 52


def test_the_wijk_policy_validates_and_its_tests_cover_every_rule():
    assert run("validate", WIJK, "--date", "2025-06-01").exit_code == 0
    result = run("test", WIJK, "--coverage", "--min-coverage", "100")
    assert result.exit_code == 0, result.output
    assert "8 van 8 regels zowel aangeslagen als niet aangeslagen (100,0 %)" in result.output
    assert result.output.rstrip().endswith(" passed, 0 failed")
    only_wijk = run("test", WIJK, "-k", "wijk")
    assert only_wijk.exit_code == 0 and only_wijk.output.rstrip().endswith("4 passed, 0 failed")


def test_a_letting_is_explained_at_wijk_level():
    text = run("evaluate", WIJK, "--unit", "ZW-ASN-01-A09", "--household", HOUSEHOLD, "--date", "2025-06-01",
               "--details").output
    assert "[slaat niet aan] Bovengrens van de wijk (wijk-plafond) · advies, wijk, ontraden" in text
    assert "projected.wijk.share[household.category] > profile.wijk.ceiling[household.category]" in text
    assert "Het aandeel Aandacht in wijk WK019303 blijft met 29,6 % binnen de bovengrens van 42,5 %." in text
    assert "ruimte voor nog 9 huishoudens Aandacht in de wijk" in text
    en = run("evaluate", WIJK, "--unit", "ZW-ASN-01-A09", "--household", HOUSEHOLD, "--date", "2025-06-01",
             "--lang", "en", "--details").output
    assert "room for 9 more Needs attention households in the wijk" in en
    data = json.loads(run("evaluate", WIJK, "--unit", "ZW-ASN-01-A09", "--household", HOUSEHOLD, "--date",
                          "2025-06-01", "--format", "json").output)
    assert [c["level"] for c in data["composition"]] == ["portiek", "complex", "buurt", "wijk"]
    wijk = data["composition"][-1]
    assert (wijk["group"], wijk["homes"]) == ("WK019303", 106)
    assert [r["level"] for r in data["rules"] if r["id"] == "wijk-plafond"] == ["wijk"]
    for fmt in ("markdown", "html"):
        out = run("evaluate", WIJK, "--unit", "ZW-ASN-01-A09", "--household", HOUSEHOLD, "--date", "2025-06-01",
                  "--format", fmt)
        assert out.exit_code == 0 and "wijk-plafond" in out.output


def test_the_wijk_ceiling_decides_a_letting_and_a_ranking(wijk_copy):
    # Holtenbroek on 1 March 2025: 22 aandacht of 60 after this letting (36,7 %), within the wijk's ceiling of 37,5 %;
    # with a tolerance of 5 % for this wijk the ceiling is 35 % and the rule decides.
    mutate(wijk_copy / "policy.yaml", "          targets: {regulier: 55%, aandacht: 30%, actief: 15%}\n",
           "          targets: {regulier: 55%, aandacht: 30%, actief: 15%}\n          tolerance: 5%\n")
    (wijk_copy / "hh.yaml").write_text("id: hh-w\nsize: 2\nincome: 40000\ncategory: aandacht\n", encoding="utf-8")
    text = run("evaluate", "w", "--unit", "ZW-HBO-03-205", "--household", "w/hh.yaml", "--date", "2025-03-01",
               "--details").output
    assert "Beslissend: buurt-plafond, wijk-plafond" in text
    assert " *[slaat aan] Bovengrens van de wijk (wijk-plafond) · advies, wijk, ontraden" in text
    assert "Het aandeel Aandacht in wijk WK019307 komt op 36,7 %, boven de bovengrens van 35,0 %." in text
    (wijk_copy / "kandidaten.yaml").write_text(
        "candidates:\n  - {id: kd-01, size: 2, income: 40000, category: aandacht}\n"
        "  - {id: kd-02, size: 2, income: 40000, category: actief}\n", encoding="utf-8")
    ranked = run("rank", "w", "--unit", "ZW-HBO-03-205", "--candidates", "w/kandidaten.yaml", "--date", "2025-03-01",
                 "--format", "json")
    assert ranked.exit_code == 0, ranked.output
    order = json.loads(ranked.output)["ranked"]
    assert [c["household"] for c in order] == ["kd-02", "kd-01"]
    assert "wijk-plafond" in order[1]["reason"]["nl"]


def test_status_shows_the_wijken():
    args = ("status", WIJK, "--occupancy", CSV, "--date", "2025-12-31")
    text = run(*args).output
    assert text.splitlines()[1] == "wijk: 3 in balans"
    assert text.splitlines()[2] == "buurt: 2 boven de band, 1 boven en onder, 1 in balans"
    wijk_rows = [line for line in text.splitlines() if line.startswith("wijk ")]
    assert [row.split()[1] for row in wijk_rows] == ["WK019303", "WK019305", "WK019307"]
    assert "51,1 % [42,5 %-57,5 %] (ruimte 12)" in wijk_rows[0]
    assert "37,3 % [22,5 %-37,5 %] (ruimte 0)" in wijk_rows[2]  # Holtenbroek's own targets
    data = json.loads(run(*args, "--format", "json").output)
    assert data["summary"]["wijk"] == {"in_band": 3}
    assert sorted(data["summary"]) == ["buurt", "complex", "portiek", "wijk"]
    parents = {g["key"]: g["parent"] for g in data["groups"] if g["level"] == "buurt"}
    assert parents == {"BU01930301": "WK019303", "BU01930302": "WK019303", "BU01930501": "WK019305",
                       "BU01930702": "WK019307"}
    only = json.loads(run(*args, "--level", "wijk", "--format", "json").output)
    assert {g["level"] for g in only["groups"]} == {"wijk"}
    for fmt in ("markdown", "html"):
        assert "WK019307" in run(*args, "--format", fmt, "--lang", "en").output
    # the buurt rows are exactly those of the same policy without the wijk
    ob = [line for line in run("status", OB, "--occupancy", OB / "examples" / "bezetting-2024-2025.csv", "--date",
                               "2025-12-31", "--level", "buurt").output.splitlines() if line.startswith("buurt ")]
    assert ob == [line for line in run(*args, "--level", "buurt").output.splitlines() if line.startswith("buurt ")]


def test_room_names_the_wijk():
    text = run("room", WIJK, "--complex", "ZW-ASN-01", "--date", "2025-06-01").output
    assert "wijk     WK019303     1 (55, 57 %)" in text
    rows = json.loads(run("room", WIJK, "--complex", "ZW-ASN-01", "--date", "2025-06-01", "--format", "json").output)
    assert {r["level"] for r in rows["room"]} == {"portiek", "complex", "buurt", "wijk"}


def test_facts_lists_the_policys_levels():
    text = run("facts", WIJK).output
    assert "projected.wijk.share" in text and "bovengrens van de band per categorie in de wijk" in text
    assert "wijk" not in run("facts").output


def test_an_unknown_level_for_status_is_refused():
    result = run("status", WIJK, "--date", "2025-06-01", "--level", "wijken", "--lang", "en")
    assert result.exit_code == 2
    assert "--level: unknown-level: unknown level 'wijken'; did you mean 'wijk'?" in result.output
    nl = run("status", OB, "--date", "2025-06-01", "--level", "wijk")
    assert nl.exit_code == 2 and "onbekend niveau 'wijk'; dit beleid kent: portiek, complex, buurt" in nl.output
    assert "Traceback" not in result.output + nl.output


def test_a_rule_naming_an_undeclared_level_is_refused_at_its_place(policy_copy):
    mutate(policy_copy / "rules.yaml", "    condition: projected.buurt.share[household.category] > ",
           "    condition: projected.wijk.share[household.category] > ")
    mutate(policy_copy / "rules.yaml", "    title: {nl: Bovengrens van de buurt, en: Ceiling of the buurt}\n    level: buurt",
           "    title: {nl: Bovengrens van de buurt, en: Ceiling of the buurt}\n    level: wijk")
    nl = run("validate", "pol")
    assert nl.exit_code == 1
    assert ("pol/rules.yaml:110:12: unknown-level: onbekend niveau 'wijk'; dit beleid kent: unit, portiek, complex, "
            "buurt (nieuwe niveaus boven de buurt staan onder levels: in policy.yaml)") in nl.output
    assert "pol/rules.yaml:115:16: expr-syntax: fout in voorwaarde: onbekend niveau 'wijk'" in nl.output
    en = run("validate", "pol", "--lang", "en").output
    assert "pol/rules.yaml:110:12: unknown-level: unknown level 'wijk'; this policy knows: unit, portiek" in en
    assert "pol/rules.yaml:115:16: expr-syntax: error in condition: unknown level 'wijk'" in en


def test_a_buurt_without_its_wijk_is_refused_at_its_place(wijk_copy):
    mutate(wijk_copy / "policy.yaml", "name: Assendorp-Zuid, wijk: WK019303}", "name: Assendorp-Zuid}")
    mutate(wijk_copy / "policy.yaml", "name: Diezerpoort-West, wijk: WK019305}", "name: Diezerpoort-West, wijk: WK019395}")
    mutate(wijk_copy / "policy.yaml", "    wijk: WK019307\n", "    wjik: WK019307\n")
    nl = run("validate", "w")
    assert nl.exit_code == 1
    assert ("w/policy.yaml:35:5: level-missing: buurt 'BU01930302' noemt geen wijk: schrijf wijk: en de code van "
            "de wijk waarin die ligt") in nl.output
    assert ("w/policy.yaml:36:66: unknown-group: onbekende wijk 'WK019395' (elke wijk staat onder levels: in "
            "policy.yaml); bedoelde u 'WK019305'?") in nl.output
    assert "w/policy.yaml:40:5: unknown-key: onbekende sleutel 'wjik'; bedoelde u 'wijk'?" in nl.output
    en = run("validate", "w", "--lang", "en").output
    assert "w/policy.yaml:35:5: level-missing: buurt 'BU01930302' names no wijk" in en
    assert "w/policy.yaml:36:66: unknown-group: unknown wijk 'WK019395'" in en
    refused = run("evaluate", "w", "--unit", "ZW-ASN-01-A09", "--household", HOUSEHOLD, "--date", "2025-06-01")
    assert refused.exit_code == 1 and "level-missing" in refused.output and "Traceback" not in refused.output


def test_a_level_key_that_exists_already_is_refused(wijk_copy):
    mutate(wijk_copy / "policy.yaml", "  - key: wijk\n", "  - key: buurt\n")
    out = run("validate", "w").output
    assert "w/policy.yaml:47:10: level-taken: niveau 'buurt' bestaat al" in out


def test_a_test_case_naming_an_undeclared_level_is_refused(policy_copy):
    mutate(policy_copy / "tests" / "mix.yaml", "occupancy: {portiek: {aandacht: 2, regulier: 2}, complex:",
           "occupancy: {wijk: {aandacht: 2}, portiek: {aandacht: 2, regulier: 2}, complex:")
    out = run("test", "pol")
    assert out.exit_code != 0
    assert "unknown-level: onbekend niveau 'wijk'" in out.output


def test_the_second_engine_agrees_on_the_wijk_policy():
    pytest.importorskip("durable")
    result = run("test", WIJK, "--engine", "durable")
    assert result.exit_code == 0 and result.output.rstrip().endswith("35 passed, 0 failed")


def test_a_saved_wijk_decision_renders_as_a_report(tmp_path):
    saved = tmp_path / "besluit.json"
    saved.write_text(run("evaluate", WIJK, "--unit", "ZW-ASN-01-A09", "--household", HOUSEHOLD, "--date", "2025-06-01",
                         "--format", "json").output, encoding="utf-8")
    html = run("report", saved, "--format", "html")
    assert html.exit_code == 0, html.output
    assert "Wijk WK019303" in html.output
    md = run("report", saved, "--format", "markdown")
    assert md.exit_code == 0 and "wijk-plafond" in md.output


def test_a_cached_wijk_policy_keeps_its_levels(wijk_copy, tmp_path, monkeypatch):
    monkeypatch.setenv("MAGICMIX_CACHE_DIR", str(tmp_path / "cache"))
    first = load_policy("w").policy
    monkeypatch.setattr("rules_engine.api.check_policy", lambda root: pytest.fail("read the files again"))
    second = load_policy("w").policy
    assert second is not first
    assert second.levels == first.levels and second.levels.keys == ("portiek", "complex", "buurt", "wijk")
    assert dict(second.areas["wijk"]) == dict(first.areas["wijk"])
    assert second.buurten["BU01930702"].up == {"wijk": "WK019307"}


def test_diff_names_a_new_level_and_a_changed_wijk(wijk_copy):
    added = run("diff", OB, "w")
    assert added.exit_code == 0
    assert "[mix] nieuw: niveau boven de buurt: - -> WK019303, WK019305, WK019307" in added.output
    assert "[mix] gewijzigd: wijk: - -> WK019307\n      buurt BU01930702" in added.output
    shutil.copytree(wijk_copy, "w2")
    mutate(wijk_copy.parent / "w2" / "policy.yaml", "      tolerance: 7.5%\n", "      tolerance: 10%\n")
    changed = run("diff", "w", "w2", "--lang", "en").output
    assert "[mix] changed: band aandacht: 27.5% - 42.5% -> 25.0% - 45.0%\n      wijk WK019303, wijk WK019305" in changed
    assert "[mix] changed: band aandacht: 22.5% - 37.5% -> 20.0% - 40.0%\n      wijk WK019307" in changed
