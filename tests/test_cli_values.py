"""Option values that would silently mean something else are refused: --top of 0 or less, a mistyped --head."""

from __future__ import annotations

from conftest import OB, run


def test_top_below_one_is_refused():
    for top in ("0", "-1"):
        r = run("rank", str(OB), "--unit", "ZW-ASN-01-A09", "--candidates", str(OB / "examples" / "kandidaten.yaml"),
                "--date", "2025-06-01", "--top", top)
        assert r.exit_code == 2 and "--top" in r.output and "Invalid value" in r.output, r.output


def test_a_mistyped_head_is_no_tampering_alarm(tmp_path):
    log = tmp_path / "decisions.log"
    r = run("evaluate", str(OB), "--unit", "ZW-ASN-01-A09", "--household",
            str(OB / "examples" / "households" / "aandacht-2p.yaml"), "--date", "2025-06-01", "--log", str(log))
    assert r.exit_code == 0, r.output
    r = run("log", "replay", str(log), "--verify", "--head", "sha256:zz")
    assert r.exit_code == 2 and "--head" in r.output and "log-head-missing" not in r.output, r.output


def test_a_policy_date_in_another_form_is_answered_with_the_form_to_write(policy_copy):
    from conftest import mutate

    text = (policy_copy / "parameters.yaml").read_text(encoding="utf-8")
    line = next(i for i, t in enumerate(text.splitlines(), 1) if "valid_from: 2024-01-01" in t)
    (policy_copy / "parameters.yaml").write_text(text.replace("valid_from: 2024-01-01", "valid_from: 1-1-2024", 1),
                                                  encoding="utf-8")
    r = run("validate", str(policy_copy), "--lang", "en")
    assert r.exit_code != 0 and f"parameters.yaml:{line}:" in r.output, r.output
    assert "'1-1-2024': write a date in a policy file as YYYY-MM-DD: 2024-01-01" in r.output
    mutate(policy_copy / "parameters.yaml", "valid_from: 1-1-2024", "valid_from: 2024-02-30")
    assert "invalid-date: '2024-02-30' is not a real date" in run("validate", str(policy_copy), "--lang", "en").output


def test_a_hexadecimal_or_binary_number_in_yaml_is_no_amount(tmp_path):
    for text in ("0x10", "0b10", "0o17"):
        household = tmp_path / "h.yaml"
        household.write_text(f"id: hh-1\nsize: 2\nincome: {text}\ncategory: aandacht\n", encoding="utf-8")
        r = run("evaluate", str(OB), "--unit", "ZW-ASN-01-A09", "--household", str(household), "--date", "2025-06-01")
        assert r.exit_code == 2 and "h.yaml:3:9: wrong-type" in r.output, (text, r.output)


def test_the_annual_report_refuses_a_log_of_another_policy(tmp_path):
    from conftest import DV

    log = tmp_path / "decisions.log"
    units = sorted(__import__("rules_engine").load_policy(str(DV)).policy.units)
    household = tmp_path / "h.yaml"
    household.write_text("id: hh-1\nsize: 1\nincome: 18000\ncategory: dragend\n", encoding="utf-8")
    r = run("evaluate", str(DV), "--unit", units[0], "--household", str(household), "--date", "2025-03-01",
            "--log", str(log))
    assert r.exit_code == 0, r.output
    r = run("report", "annual", str(OB), "--year", "2025", "--log", str(log), "--lang", "en")
    assert r.exit_code == 2 and "log-other-policy" in r.output and "'openbaar-belang'" in r.output, r.output


def test_policy_tests_are_told_apart_by_name(policy_copy):
    from conftest import mutate

    tests = policy_copy / "tests" / "mix.yaml"
    r = run("test", str(policy_copy), "-k", "Dobbe", "--format", "json")
    names = [c["name"] for c in __import__("json").loads(r.output)["cases"]]
    assert names == ["het profiel van juli 2025 verruimt de band in Dobbe [1]",
                     "het profiel van juli 2025 verruimt de band in Dobbe [2]"], names
    mutate(tests, "  - name: een urgent huishouden wordt geplaatst, ook boven de bovengrens van het complex",
           "  - name: het profiel van juli 2025 verruimt de band in Dobbe [1]")
    r = run("test", str(policy_copy), "--lang", "en")
    assert r.exit_code == 1 and "mix.yaml:" in r.output and "duplicate-id: test 'het profiel" in r.output, r.output


def test_a_household_that_already_lives_in_the_stock_is_said_to_be_counted_there(tmp_path):
    occ = OB / "examples" / "bezetting-2024-2025.csv"
    household = tmp_path / "h.yaml"
    household.write_text("id: hh-0029\nsize: 2\nincome: 24500\ncategory: aandacht\n", encoding="utf-8")
    r = run("evaluate", str(OB), "--unit", "ZW-ASN-02-101", "--household", str(household), "--occupancy", str(occ),
            "--date", "2025-06-01", "--lang", "en")
    assert r.exit_code == 0 and "household-lives-in-stock (warning): household hh-0029 lives in home ZW-ASN-02-104" \
        in r.output, r.output
    household.write_text("id: hh-9999\nsize: 2\nincome: 24500\ncategory: aandacht\n", encoding="utf-8")
    r = run("evaluate", str(OB), "--unit", "ZW-ASN-02-101", "--household", str(household), "--occupancy", str(occ),
            "--date", "2025-06-01", "--lang", "en")
    assert r.exit_code == 0 and "household-lives-in-stock" not in r.output


def test_schema_limits_are_told_in_words_not_in_the_validator_s_english(tmp_path):
    household = tmp_path / "h.yaml"
    household.write_text("id: hh-1\nsize: 2\nincome: 24500\ncategory: aandacht\nflags: [urgent, urgent]\n",
                         encoding="utf-8")
    r = run("evaluate", str(OB), "--unit", "ZW-ASN-01-A09", "--household", str(household), "--date", "2025-06-01")
    assert r.exit_code == 2 and "h.yaml:5:8: not-unique: een element staat twee keer in deze lijst" in r.output, r.output
    assert "non-unique" not in r.output
