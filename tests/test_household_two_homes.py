"""One household, one home at a time: a household id holding two homes on one date is refused at its row,
through the real commands (evaluate, rank, the service's upload), never counted twice."""

from __future__ import annotations

import pytest

from conftest import OB, run
from rules_engine.api import load_policy
from rules_engine.diagnostics import PolicyError
from rules_engine.load.occupancy import composition, load_occupancy
from rules_engine.load.occupancy_holders import clashes
from rules_engine.service.state import check_upload

CSV = (OB / "examples" / "bezetting-2024-2025.csv").read_text(encoding="utf-8")
HOUSEHOLD = OB / "examples" / "households" / "regulier-1p.yaml"


@pytest.fixture(scope="module")
def policy():
    return load_policy(str(OB))


def _csv(tmp_path, *extra: str):
    path = tmp_path / "bezetting.csv"
    path.write_text(CSV + "".join(line + "\n" for line in extra), encoding="utf-8")
    return path, len(CSV.splitlines()) + 1  # the first extra row's number


def test_household_in_two_homes_is_refused_by_evaluate_at_its_row(tmp_path):
    # hh-0001 lives in ZW-ASN-01-A01 (row 2); moving into A02 without emptying A01 would count it twice
    path, row = _csv(tmp_path, "ZW-ASN-01-A02;hh-0001;regulier;2025-03-01")
    result = run("evaluate", OB, "--unit", "ZW-ASN-01-A03", "--household", HOUSEHOLD, "--occupancy", path,
                 "--date", "2025-06-01")
    assert result.exit_code == 2
    assert f"{path}:{row}:2: household-two-homes: huishouden hh-0001 woont vanaf 2025-03-01 in twee woningen: " \
           "ZW-ASN-01-A02 (deze rij) en ZW-ASN-01-A01 (rij 2)" in result.output
    assert "Traceback" not in result.output


def test_rank_refuses_it_too(tmp_path):
    path, row = _csv(tmp_path, "ZW-ASN-01-A02;hh-0001;regulier;2025-03-01")
    result = run("rank", OB, "--unit", "ZW-ASN-01-A03", "--candidates", OB / "examples" / "kandidaten.yaml",
                 "--occupancy", path, "--date", "2025-06-01")
    assert result.exit_code == 2
    assert f":{row}:2: household-two-homes" in result.output


def test_a_move_with_the_old_home_emptied_is_read_and_counted_once(tmp_path, policy):
    path, _ = _csv(tmp_path, "ZW-ASN-01-A02;hh-0001;regulier;2025-03-01", "ZW-ASN-01-A01;;;2025-03-01")
    occupancy = load_occupancy(str(path), policy.policy)
    comp = composition(policy.policy, occupancy, __import__("datetime").date(2025, 6, 1))
    assert "ZW-ASN-01-A01" not in comp.by_unit and comp.by_unit["ZW-ASN-01-A02"] == "regulier"


def test_the_old_row_ending_a_day_late_is_refused_from_the_day_of_the_move(tmp_path, policy):
    path, row = _csv(tmp_path, "ZW-ASN-01-A02;hh-0001;regulier;2025-03-01", "ZW-ASN-01-A01;;;2025-03-02")
    with pytest.raises(PolicyError) as err:
        load_occupancy(str(path), policy.policy)
    (d,) = err.value.diagnostics
    assert (d.code, d.line, d.column) == ("household-two-homes", row, 2)
    assert "2025-03-01" in d.en and "ZW-ASN-01-A01 (row 2)" in d.en


def test_reclassified_in_the_same_home_is_no_second_home(policy):
    occupancy = load_occupancy(str(OB / "occupancy.yaml"), policy.policy)  # hh-0138 has two rows in one home
    assert clashes(occupancy.by_unit) == []


def test_yaml_occupancy_is_refused_at_its_line(tmp_path, policy):
    path = tmp_path / "occ.yaml"
    path.write_text("occupancy:\n"
                    "  - {unit: ZW-ASN-01-A01, household: hh-1, category: regulier, valid_from: 2024-01-01}\n"
                    "  - {unit: ZW-ASN-01-A02, household: hh-1, category: regulier, valid_from: 2023-01-01}\n",
                    encoding="utf-8")
    with pytest.raises(PolicyError) as err:
        load_occupancy(str(path), policy.policy)
    (d,) = err.value.diagnostics
    assert (d.code, d.line) == ("household-two-homes", 2)  # the later holding (2024) at its line, the other named
    assert "line 3" in d.en and "from 2024-01-01" in d.en


def test_the_service_upload_is_refused(tmp_path, policy):
    raw = (CSV + "ZW-ASN-01-A02;hh-0001;regulier;2025-03-01\n").encode()
    with pytest.raises(PolicyError) as err:
        check_upload(policy.policy, "csv", raw, str(tmp_path))
    assert [d.code for d in err.value.diagnostics] == ["household-two-homes"]
    assert err.value.diagnostics[0].file == "upload.csv"
