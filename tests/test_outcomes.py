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
