"""Numbers in conditions are read exactly or refused: a Dutch thousands dot, and a share against a count, an amount
or a bare number such as 35 (which would be 3500 %), are errors at file:line:column."""

from __future__ import annotations

import pytest

from conftest import mutate, run

CEILING = "projected.complex.share[household.category] > profile.complex.ceiling[household.category]"
INCOME = "condition: household.income > def.daeb_inkomensgrens"


@pytest.mark.parametrize("old, new, column, words", [
    (INCOME, "condition: household.income > € 49.669", 37, "'49.669' is ambiguous"),
    (INCOME, "condition: household.income > 24.500", 35, "write 24500 (or 24.5 if you mean the smaller number)"),
    (CEILING, "projected.complex.share[household.category] > 35", 62, "write 35% (35 without % is 3500%)"),
    (CEILING, "projected.complex.count[household.category] > 35%", 16, "a count cannot be compared with a share"),
    (CEILING, "projected.complex.share[household.category] > household.income", 16,
     "a share or percentage cannot be compared with an amount"),
])
def test_a_misread_number_in_a_condition_is_refused_where_it_is_written(policy_copy, old, new, column, words):
    mutate(policy_copy / "rules.yaml", old, new)
    line = next(i for i, text in enumerate((policy_copy / "rules.yaml").read_text().splitlines(), 1) if new in text)
    r = run("validate", str(policy_copy), "--lang", "en")
    assert r.exit_code != 0 and "Traceback" not in r.output
    assert f"rules.yaml:{line}:{column}: expr-syntax" in r.output and words in r.output, r.output


@pytest.mark.parametrize("old, new", [
    (INCOME, "condition: household.income > € 49669"),
    (INCOME, "condition: household.income > 24.5"),
    (INCOME, "condition: household.income > 0.125"),  # a leading zero: no thousands in it
    (CEILING, "projected.complex.share[household.category] > 0.35"),  # the share itself, 35 %
    (CEILING, "projected.complex.share[household.category] > 0"),
    (CEILING, "projected.complex.count[household.category] / projected.complex.occupied > 35%"),
])
def test_what_reads_one_way_only_is_accepted(policy_copy, old, new):
    mutate(policy_copy / "rules.yaml", old, new)
    r = run("validate", str(policy_copy))
    assert r.exit_code == 0 and "expr-syntax" not in r.output, r.output


def test_the_hint_for_an_ambiguous_amount_is_itself_unambiguous(tmp_path, policy_copy):
    household = tmp_path / "h.yaml"
    household.write_text("id: hh-1\nsize: 2\nincome: 682.965\ncategory: aandacht\n", encoding="utf-8")
    r = run("evaluate", str(policy_copy), "--unit", "ZW-ASN-01-A09", "--household", str(household),
            "--date", "2025-06-01", "--lang", "en")
    assert r.exit_code == 2 and "h.yaml:3:9: dutch-thousands" in r.output
    assert "(or 682.9650 if you mean the smaller number)" in r.output, r.output


@pytest.mark.parametrize("file, old, new, words", [
    ("rules.yaml", "norm: 95%", "norm: 950%", "950% is more than 100%"),
    ("policy.yaml", "tolerance: 5%", "tolerance: 150%", "150% is more than 100%"),
])
def test_a_percentage_above_100_is_refused_where_it_is_written(policy_copy, file, old, new, words):
    text = (policy_copy / file).read_text(encoding="utf-8")
    line = next(i for i, t in enumerate(text.splitlines(), 1) if old in t)
    (policy_copy / file).write_text(text.replace(old, new, 1), encoding="utf-8")
    r = run("validate", str(policy_copy), "--lang", "en")
    assert r.exit_code != 0 and f"{file}:{line}:" in r.output and "percent-above-100" in r.output, r.output
    assert words in r.output
