"""Issue 15: targets name every category, 'cannot be decided' (onbeslist) is never approval, room means one thing."""

from __future__ import annotations

from conftest import mutate, run


# --- targets name every category ---------------------------------------------------------------

def test_targets_leaving_out_a_category_is_an_error_at_its_line(policy_copy):
    mutate(policy_copy / "policy.yaml", "targets: {regulier: 50%, aandacht: 35%, actief: 15%}",
           "targets: {regulier: 65%, aandacht: 35%}")
    result = run("validate", "pol", "--lang", "en")
    assert result.exit_code == 1, result.output
    line = next(x for x in result.output.splitlines() if "targets-missing-category" in x)
    assert line.startswith("pol/policy.yaml:46:5: targets-missing-category:"), line
    assert "'actief'" in line and "actief: 0%" in line
    assert "targets-sum" not in result.output  # 65 + 35 = 100: only the missing category is wrong
    dutch = run("validate", "pol")
    assert "noemen categorie 'actief' niet" in dutch.output


def test_complex_profile_targets_must_name_every_category(policy_copy):
    mutate(policy_copy / "complexes/zw-asz-03.yaml", "targets: {regulier: 60%, aandacht: 25%, actief: 15%}",
           "targets: {regulier: 75%, aandacht: 25%}")
    result = run("validate", "pol", "--lang", "en")
    assert result.exit_code == 1
    assert "pol/complexes/zw-asz-03.yaml:8:5: targets-missing-category:" in result.output, result.output


def test_targets_with_an_explicit_zero_are_accepted(policy_copy):
    mutate(policy_copy / "complexes/zw-asz-03.yaml", "targets: {regulier: 60%, aandacht: 25%, actief: 15%}",
           "targets: {regulier: 75%, aandacht: 25%, actief: 0%}")
    result = run("validate", "pol", "--lang", "en")
    assert "targets-missing-category" not in result.output, result.output


# --- onbeslist: unknown law is not approval ------------------------------------------------------

import json  # noqa: E402

import pytest  # noqa: E402

from conftest import OB, DV  # noqa: E402
from rules_engine.api import load_policy  # noqa: E402
from rules_engine.engine.evaluate import FIRED, NOT_APPLICABLE, NOT_FIRED, RuleStatus, combine  # noqa: E402
from rules_engine.lang.facts import Unknown  # noqa: E402
from rules_engine.model.policy import OUTCOMES, UNDECIDED  # noqa: E402
from rules_engine.load.schemas_check import validator  # noqa: E402

HOUSEHOLD = OB / "examples/households/aandacht-2p.yaml"  # 2 persons, income 24.500: passend toewijzen applies
NO_CAP = "parameter 'aftoppingsgrens_1_2_personen' heeft geen waarde op 2026-06-01"


def test_onbeslist_ranks_above_every_advice_outcome_and_below_a_fired_law():
    assert OUTCOMES.index("niet_toegestaan") < OUTCOMES.index(UNDECIDED) < OUTCOMES.index("ontraden")
    program = load_policy(str(OB))
    ids = [cr.rule.id for cr in program.rules]
    unknown = RuleStatus(NOT_APPLICABLE, Unknown("x", "x"))
    base = {i: RuleStatus(NOT_FIRED) for i in ids}

    def outcome(**changed):
        statuses = dict(base, **{k.replace("_", "-"): v for k, v in changed.items()})
        return combine(program, [statuses[i] for i in ids])

    assert outcome(passend_toewijzen=unknown, complex_plafond=RuleStatus(FIRED)) == (UNDECIDED, ("passend-toewijzen",))
    assert outcome(passend_toewijzen=unknown, daeb_inkomensgrens=RuleStatus(FIRED)) == \
        ("niet_toegestaan", ("daeb-inkomensgrens",))
    # not applicable because a condition is known to be false: the law was checked
    assert outcome(passend_toewijzen=RuleStatus(NOT_APPLICABLE)) == ("passend", ())
    # an advice rule that cannot be judged does not make the decision onbeslist
    assert outcome(woninggrootte=unknown) == ("passend", ())


def test_evaluate_without_an_amount_on_the_date_is_onbeslist_naming_parameter_and_date():
    res = run("evaluate", OB, "--unit", "ZW-ASN-01-A09", "--household", HOUSEHOLD, "--date", "2026-06-01",
              "--details")
    assert res.exit_code == 0, res.output
    head, reason = res.output.splitlines()[:2]
    # complex-plafond fires (ontraden), but the unchecked law ranks above it
    assert head.startswith("Advies: onbeslist · "), head
    assert reason == ("Passend toewijzen is niet te toetsen: de aftoppingsgrens voor dit huishouden is op 1 juni 2026 "
                      "niet bekend.")
    assert "\nwettelijk niet te beoordelen op 2026-06-01: passend-toewijzen (" + NO_CAP in res.output
    assert "Beslissend: passend-toewijzen" in res.output
    en = run("evaluate", OB, "--unit", "ZW-ASN-01-A09", "--household", HOUSEHOLD, "--date", "2026-06-01",
             "--lang", "en", "--details").output
    assert en.startswith("Advice: cannot be decided · ")
    assert "legal rules cannot be judged on 2026-06-01: passend-toewijzen" in en
    data = json.loads(run("evaluate", OB, "--unit", "ZW-ASN-01-A09", "--household", HOUSEHOLD, "--date",
                          "2026-06-01", "--format", "json").output)
    assert not list(validator("decision").iter_errors(data))
    assert data["outcome"] == "onbeslist" and data["deciding_rules"] == ["passend-toewijzen"]
    assert data["outcome_label"] == {"nl": "onbeslist", "en": "cannot be decided"}
    assert "aftoppingsgrens_1_2_personen" not in data["inputs"]["parameters"]  # no value in 2026
    assert data["inputs"]["parameters"]["daeb_huurgrens"]["valid_from"] == "2026-01-01"
    html = run("evaluate", OB, "--unit", "ZW-ASN-01-A09", "--household", HOUSEHOLD, "--date", "2026-06-01",
               "--format", "html").output
    assert 'class="badge o-onbeslist">onbeslist<' in html and NO_CAP.replace("'", "&#x27;") in html
    md = run("evaluate", OB, "--unit", "ZW-ASN-01-A09", "--household", HOUSEHOLD, "--date", "2026-06-01",
             "--format", "markdown").output
    assert md.startswith("# Advies: onbeslist\n\nHuishouden Aandacht van twee personen voor woning ZW-ASN-01-A09 ")
    assert "  \nPassend toewijzen is niet te toetsen: de aftoppingsgrens voor dit huishouden" in md
    assert "\n\nwettelijk niet te beoordelen op 2026-06-01" in md
    # the same household a year earlier, with every amount known: decided
    assert run("evaluate", OB, "--unit", "ZW-ASN-01-A09", "--household", HOUSEHOLD, "--date",
               "2025-06-01").output.startswith("Advies: ontraden · ")


def test_a_missing_fact_of_a_legal_rule_is_onbeslist_too(policy_copy):
    # a legal rule for older households that needs the age: a household without age cannot be judged
    mutate(policy_copy / "rules.yaml", "      - household.income <= def.inkomensgrens_passend\n",
           "      - household.income <= def.inkomensgrens_passend\n      - household.age < 120\n")
    h = policy_copy / "h.yaml"
    h.write_text("id: hh-x\nsize: 2\nincome: 24500\ncategory: regulier\n", encoding="utf-8")
    res = run("evaluate", "pol", "--unit", "ZW-ASN-01-A09", "--household", h, "--date", "2025-06-01", "--details")
    assert res.output.startswith("Advies: onbeslist · huishouden Regulier van twee personen"), res.output
    assert "Passend toewijzen is niet te toetsen: de leeftijd is op 1 juni 2025 niet bekend." in res.output
    assert ("\nwettelijk niet te beoordelen op 2025-06-01: passend-toewijzen "
            "(leeftijd van het huishouden is niet opgegeven)\n") in res.output, res.output


def test_rank_never_ranks_an_onbeslist_candidate_and_says_what_is_missing():
    res = run("rank", OB, "--unit", "ZW-ASN-01-A09", "--candidates", OB / "examples/kandidaten.yaml",
              "--date", "2026-06-01", "--format", "json")
    assert res.exit_code == 0, res.output
    data = json.loads(res.output)
    dropped = {c["household"]: c for c in data["dropped"]}
    # kd-01 (2 p., 24.500) and kd-02 (1 p., 26.000) are under the passend toewijzen limits of 2026 (39.925, 29.400)
    assert dropped["kd-01"]["outcome"] == dropped["kd-02"]["outcome"] == "onbeslist"
    assert NO_CAP in dropped["kd-01"]["reason"]["nl"]
    assert all(c["outcome"] != "onbeslist" for c in data["ranked"])
    assert "onbeslist" in data["strategy"]["drop"]
    text = run("rank", OB, "--unit", "ZW-ASN-01-A09", "--candidates", OB / "examples/kandidaten.yaml",
               "--date", "2026-06-01").output
    assert "Valt af: niet toegestaan, onbeslist" in text


def test_a_policy_may_rank_onbeslist_last_instead(policy_copy):
    mutate(policy_copy / "policy.yaml", "order: [voorkeur, passend, ontraden]", "order: [voorkeur, passend, ontraden, onbeslist]")
    assert run("validate", "pol", "--date", "2025-06-01").exit_code == 0
    data = json.loads(run("rank", "pol", "--unit", "ZW-ASN-01-A09", "--candidates", OB / "examples/kandidaten.yaml",
                          "--date", "2026-06-01", "--format", "json").output)
    assert [c["outcome"] for c in data["ranked"]][-2:] == ["onbeslist", "onbeslist"]
    mutate(policy_copy / "policy.yaml", "drop: [niet_toegestaan]", "drop: [niet_toegestaan, onbeslist]")
    assert "ranking: every outcome appears exactly once" in run("validate", "pol", "--lang", "en").output


def test_batch_summary_counts_onbeslist_apart(tmp_path):
    rows = tmp_path / "rows.csv"
    rows.write_text("id,size,income,category,unit,date\n"
                    "a,2,24500,aandacht,ZW-ASN-01-A09,2026-06-01\n"  # onbeslist
                    "b,2,24500,aandacht,ZW-ASN-01-A09,2025-06-01\n"  # ontraden
                    "c,1,60000,regulier,ZW-ASN-01-A02,2026-06-01\n"  # niet toegestaan (DAEB limit 2026)
                    "d,2,24500,regulier,ZW-ASN-01-A09,2023-06-01\n", encoding="utf-8")  # onbeslist
    out = tmp_path / "out.jsonl"
    res = run("evaluate", OB, "--batch", rows, "--output", out)
    assert res.exit_code == 0, res.output
    assert "per uitkomst: niet_toegestaan 1, onbeslist 2, ontraden 1" in res.output
    lines = [json.loads(x) for x in out.read_text().splitlines()]
    assert [x["outcome"] for x in lines] == ["onbeslist", "ontraden", "niet_toegestaan", "onbeslist"]
    assert lines[3]["deciding"] == ["passend-toewijzen", "daeb-inkomensgrens"]


def test_policy_test_cases_can_expect_onbeslist_under_both_engines():
    for engine in ("default", "durable"):
        res = run("test", DV, "-k", "onbeslist", "--engine", engine)
        if engine == "durable" and res.exit_code == 2:
            pytest.skip("durable-rules is not available here")
        assert res.exit_code == 0 and res.output.splitlines()[-1] == "1 passed, 0 failed", res.output


def test_validate_warns_about_an_annual_amount_missing_in_the_year(policy_copy):
    res = run("validate", "pol", "--date", "2026-03-01", "--lang", "en")
    assert res.exit_code == 0, res.output
    warned = [x for x in res.output.splitlines() if "annual-parameter-stale" in x]
    assert [x.split(":")[1] for x in warned] == ["25", "38"]  # the two aftoppingsgrenzen
    assert warned[0].startswith("pol/parameters.yaml:25:3: annual-parameter-stale (warning): parameter "
                                "'aftoppingsgrens_1_2_personen' changes every year (annual: true) but has no value for 2026")
    assert run("validate", "pol", "--date", "2026-03-01", "--strict").exit_code == 1
    # (the older-household limits start in 2026: before, there is nothing to renew, so no warning)
    assert "annual-parameter-stale" not in run("validate", "pol", "--date", "2025-12-31").output
    # not annual: the 2025 amount stays in force, no warning (and no onbeslist)
    mutate(policy_copy / "parameters.yaml", "unit: euro_per_month\n    annual: true\n    values:\n      - {valid_from: 2024-01-01, value: 650.43",
           "unit: euro_per_month\n    values:\n      - {valid_from: 2024-01-01, value: 650.43")
    assert run("validate", "pol", "--date", "2026-03-01").output.count("annual-parameter-stale") == 1
    assert run("evaluate", "pol", "--unit", "ZW-ASN-01-A09", "--household", HOUSEHOLD, "--date",
               "2026-06-01").output.startswith("Advies: ontraden · ")
    mutate(policy_copy / "parameters.yaml", "    annual: true\n    values:\n      - {valid_from: 2024-01-01, value: 697.07",
           "    annual: ja\n    values:\n      - {valid_from: 2024-01-01, value: 697.07")
    bad = run("validate", "pol", "--lang", "en")
    assert bad.exit_code == 1 and "pol/parameters.yaml:40:13: wrong-type" in bad.output, bad.output


def test_annual_report_counts_onbeslist_lettings_apart(tmp_path):
    occ = tmp_path / "occ.yaml"
    occ.write_text("occupancy:\n"
                   "  - {unit: ZW-ASN-01-A01, household: hh-new1, category: aandacht, valid_from: 2026-04-01}\n"
                   "  - {unit: ZW-ASN-01-A03, household: hh-new2, category: regulier, valid_from: 2026-06-01}\n",
                   encoding="utf-8")
    log = tmp_path / "log.jsonl"
    for hh, unit, income, date in (("hh-new1", "ZW-ASN-01-A01", 20000, "2026-04-01"),
                                   ("hh-new2", "ZW-ASN-01-A03", 45000, "2026-06-01")):
        h = tmp_path / f"{hh}.yaml"
        h.write_text(f"id: {hh}\nsize: 1\nincome: {income}\ncategory: regulier\n", encoding="utf-8")
        assert run("evaluate", OB, "--unit", unit, "--household", h, "--date", date, "--occupancy", occ,
                   "--log", log).exit_code == 0
    from rules_engine.stock.annual import annual_report
    from rules_engine.load.occupancy import load_occupancy
    program = load_policy(str(OB))
    r = annual_report(program.policy, load_occupancy(str(occ), program.policy), 2026, str(log))
    # hh-new1 (20.000, under the passend toewijzen limit of 29.400): no aftoppingsgrens in 2026, onbeslist;
    # hh-new2 (45.000, above it): passend toewijzen does not apply, the DAEB limit (51.537) is kept; the
    # advice was ontraden (woninggrootte) and the household moved in all the same: not followed.
    assert r.advice_counts() == {"undecided": 1, "overridden": 1}
    norms = {n.rule: n for n in r.norms}
    assert (norms["passend-toewijzen"].applicable, norms["passend-toewijzen"].undecided) == (0, 1)
    assert (norms["daeb-inkomensgrens"].applicable, norms["daeb-inkomensgrens"].kept,
            norms["daeb-inkomensgrens"].undecided) == (2, 2, 0)
    md = run("report", "annual", OB, "--year", "2026", "--occupancy", occ, "--log", log, "--format", "markdown").output
    assert "| onbeslist (wet niet te toetsen) | 1 |" in md, md


# --- room means one thing ----------------------------------------------------------------------
# ZW-ASN-01: 26 homes (portiek A 9, B 9, C 8); bands regulier 50-60 %, aandacht 25-35 %, actief 5-100 %;
# min_households 8; at most 4 aandacht per portiek. Room: at most the vacant homes, the category's own
# ceiling, "not judged" below min_households (docs/rules.md).

def _homes():
    return [f"ZW-ASN-01-{p}{n:02d}" for p, last in (("A", 9), ("B", 9), ("C", 8)) for n in range(1, last + 1)]


def _occ(tmp_path, counts: dict[str, int]):
    rows, homes = ["occupancy:"], iter(_homes())
    for category, n in counts.items():
        for i in range(n):
            rows.append(f"  - {{unit: {next(homes)}, household: h-{category}-{i}, category: {category}, "
                        f"valid_from: 2024-01-01}}")
    if len(rows) == 1:
        rows = ["occupancy: []"]
    path = tmp_path / "occ.yaml"
    path.write_text("\n".join(rows) + "\n", encoding="utf-8")
    return path


def _room_json(occ, date="2025-06-01"):
    data = json.loads(run("room", OB, "--complex", "ZW-ASN-01", "--occupancy", occ, "--date", date,
                          "--format", "json").output)
    return {(r["level"], r["category"]): r["room"] for r in data["room"] if r["level"] != "buurt"}, data


def _status_complex(occ):
    data = json.loads(run("status", OB, "--occupancy", occ, "--date", "2025-06-01", "--level", "complex",
                          "--format", "json").output)
    g = next(g for g in data["groups"] if g["key"] == "ZW-ASN-01")
    return {c["category"]: c["room"] for c in g["categories"]}


def test_room_of_a_category_below_its_band_is_its_own_ceiling_within_the_vacancies(tmp_path):
    # 20 households: regulier 10 (50 %, at its floor), aandacht 4 (20 %, below 25 %), actief 6; 6 homes vacant.
    occ = _occ(tmp_path, {"regulier": 10, "aandacht": 4, "actief": 6})
    # aandacht: (4+k)/(20+k) <= 35 % <=> 13k <= 60: k = 4 (a below-band category has room; it was 0 while
    # regulier sat at its floor). regulier: (10+k)/(20+k) <= 60 % <=> k <= 5. actief: the 6 vacant homes.
    room, _ = _room_json(occ)
    assert (room[("complex", "aandacht")], room[("complex", "regulier")], room[("complex", "actief")]) == (4, 5, 6)
    assert _status_complex(occ) == {"regulier": 5, "aandacht": 4, "actief": 6}
    # portiek A (9 homes) holds 9 regulier: full, so 0 however far below its maximum of 4 aandacht;
    # portiek C: C01-C02 occupied (actief), 6 vacant, 0 aandacht: min(4 - 0, 6) = 4.
    _, data = _room_json(occ)
    portiek = {r["group"]: r["room"] for r in data["room"] if r["level"] == "portiek" and r["category"] == "aandacht"}
    assert portiek == {"ZW-ASN-01/A": 0, "ZW-ASN-01/B": 0, "ZW-ASN-01/C": 4}  # B: 1 regulier + 4 aandacht + 4 actief
    # the explanation of a letting into vacant home C05 reads the same figures
    h = tmp_path / "h.yaml"
    h.write_text("id: hh-x\nsize: 2\nincome: 45000\ncategory: aandacht\n", encoding="utf-8")
    text = run("evaluate", OB, "--unit", "ZW-ASN-01-C05", "--household", h, "--occupancy", occ,
               "--date", "2025-06-01", "--details").output
    assert "ruimte voor nog 4 huishoudens Aandacht in het complex" in text
    assert "ruimte voor nog 4 huishoudens Aandacht in het portiek" in text
    assert "ruimte voor nog 6 huishoudens Actief in het complex" in text
    assert "Ruimte voor Aandacht: nog vier huishoudens in het portiek, nog vier huishoudens in het complex" in text


def test_a_full_complex_has_no_room_but_the_home_being_let_counts_as_vacant(tmp_path):
    occ = _occ(tmp_path, {"regulier": 14, "aandacht": 8, "actief": 4})  # 26 of 26
    room, _ = _room_json(occ)
    assert {c: room[("complex", c)] for c in ("regulier", "aandacht", "actief")} == \
        {"regulier": 0, "aandacht": 0, "actief": 0}
    assert _status_complex(occ) == {"regulier": 0, "aandacht": 0, "actief": 0}
    status = run("status", OB, "--occupancy", occ, "--date", "2025-06-01", "--level", "complex").output
    row = next(x for x in status.splitlines() if "ZW-ASN-01 " in x)
    assert "26/26" in row and row.count("(ruimte 0)") == 3, row
    # Letting A09 (its regulier occupant leaves): 25 of 26 remain. regulier 13/25: (13+k)/(25+k) <= 60 % gives
    # k <= 5, the one vacancy 1; aandacht 8/25: (8+k)/(25+k) <= 35 % <=> 13k <= 15: 1; actief: 1.
    h = tmp_path / "h.yaml"
    h.write_text("id: hh-x\nsize: 2\nincome: 45000\ncategory: regulier\n", encoding="utf-8")
    data = json.loads(run("evaluate", OB, "--unit", "ZW-ASN-01-A09", "--household", h, "--occupancy", occ,
                          "--date", "2025-06-01", "--format", "json").output)
    cx = {r["category"]: r["room"] for r in data["room"] if r["level"] == "complex"}
    assert cx == {"regulier": 1, "aandacht": 1, "actief": 1}


def test_an_empty_new_build_complex_is_not_judged_rather_than_full(tmp_path):
    occ = _occ(tmp_path, {})
    room, _ = _room_json(occ)
    assert [room[("complex", c)] for c in ("regulier", "aandacht", "actief")] == [None, None, None]
    assert room[("portiek", "aandacht")] == 4  # a portiek maximum is a count: judged, all homes vacant
    assert _status_complex(occ) == {"regulier": None, "aandacht": None, "actief": None}
    text = run("room", OB, "--complex", "ZW-ASN-01", "--occupancy", occ, "--date", "2025-06-01", "--lang", "en").output
    row = next(x for x in text.splitlines() if x.startswith("complex"))
    assert row.count("not judged") == 3 and " 0 (" not in row, row
    status = run("status", OB, "--occupancy", occ, "--date", "2025-06-01", "--level", "complex",
                 "--format", "markdown").output
    row = next(x for x in status.splitlines() if "ZW-ASN-01 " in x)
    assert row.count("(niet beoordeeld)") == 3 and "ruimte 0" not in row, row
    h = tmp_path / "h.yaml"
    h.write_text("id: hh-x\nsize: 2\nincome: 45000\ncategory: aandacht\n", encoding="utf-8")
    text = run("evaluate", OB, "--unit", "ZW-ASN-01-C05", "--household", h, "--occupancy", occ,
               "--date", "2025-06-01", "--format", "html").output
    assert ("ruimte voor Aandacht in het complex: niet beoordeeld (0 huishoudens, aandelen tellen vanaf 8)"
            in text)


def test_seven_households_are_below_the_minimum_and_eight_are_judged(tmp_path):
    room, _ = _room_json(_occ(tmp_path, {"regulier": 4, "aandacht": 3}))
    assert room[("complex", "aandacht")] is None
    # 8 households: aandacht 3/8 = 37,5 % is above 35 %: 0; regulier 4/8: (4+k)/(8+k) <= 60 % <=> k <= 2.
    room, _ = _room_json(_occ(tmp_path, {"regulier": 4, "aandacht": 3, "actief": 1}))
    assert (room[("complex", "aandacht")], room[("complex", "regulier")], room[("complex", "actief")]) == (0, 2, 18)


def test_status_names_the_amounts_without_a_value_on_its_date():
    text = run("status", OB, "--date", "2026-06-01", "--level", "buurt").output
    assert ("bedragen zonder waarde op 2026-06-01: Aftoppingsgrens 1 en 2 personen; Aftoppingsgrens 3 of meer personen "
            "(wettelijke regels die ze gebruiken: onbeslist)") in text  # the policy's labels, not its ids
    data = json.loads(run("status", OB, "--date", "2026-06-01", "--level", "buurt", "--format", "json").output)
    assert data["unvalued_parameters"] == ["aftoppingsgrens_1_2_personen", "aftoppingsgrens_3_plus_personen"]
    assert json.loads(run("status", OB, "--date", "2025-06-01", "--level", "buurt", "--format",
                          "json").output)["unvalued_parameters"] == ["passend_toewijzen_inkomensgrens_ouderen_1p",
                                                                     "passend_toewijzen_inkomensgrens_ouderen_2p"]
    md = run("status", OB, "--date", "2026-06-01", "--level", "buurt", "--format", "markdown", "--lang", "en").output
    assert "- amounts without a value on 2026-06-01: Rent cap for 1 and 2 persons; Rent cap for 3 or more persons (" in md


def test_status_names_an_unvalued_parameter_by_its_id_where_it_has_no_label():
    from rules_engine.render.portfolio_report import status_text
    from rules_engine.stock.status import PortfolioStatus

    status = PortfolioStatus("2026-06-01", {"id": "p", "version": "1"}, (), {}, (), ("zonder_label", "met_label"),
                             parameter_labels={"met_label": {"nl": "Met label", "en": " "}})
    assert "bedragen zonder waarde op 2026-06-01: zonder_label; Met label (" in status_text(status)
    assert "amounts without a value on 2026-06-01: zonder_label; met_label (" in status_text(status, "en")


def test_diff_shows_a_parameter_becoming_annual_and_the_lettings_that_become_onbeslist(tmp_path):
    import shutil
    old = tmp_path / "old"
    shutil.copytree(OB, old)
    mutate(old / "parameters.yaml", "unit: euro_per_month\n    annual: true\n    values:\n      - {valid_from: 2024-01-01, value: 650.43",
           "unit: euro_per_month\n    values:\n      - {valid_from: 2024-01-01, value: 650.43")
    cases = tmp_path / "cases.jsonl"
    cases.write_text(json.dumps({"id": "hh-1", "size": 2, "income": 24500, "category": "regulier",
                                 "unit": "ZW-ASN-01-A09", "date": "2026-06-01"}) + "\n", encoding="utf-8")
    res = run("diff", old, OB, "--cases", cases, "--sample", "0", "--lang", "en")
    assert res.exit_code == 0, res.output
    assert "[parameters] changed: annual: no -> yes\n      param.aftoppingsgrens_1_2_personen" in res.output
    # in 2026 the 2025 cap no longer holds: the example case and the extra one can no longer be decided
    assert "suitable -> cannot be decided: 3" in res.output and "advised against -> cannot be decided: 1" in res.output
    assert "cases.jsonl:1: advised against -> cannot be decided" in res.output
