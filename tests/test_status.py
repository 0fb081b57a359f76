"""Portfolio status, occupancy import (CSV, Excel) and the annual evaluation, against hand-computed figures."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import subprocess
import sys
from fractions import Fraction

import pytest

from conftest import OB, ROOT, run
from rules_engine import load_policy
from rules_engine.stock.annual import annual_report
from rules_engine.load.occupancy import composition, load_occupancy
from rules_engine.render.annual_report import annual_csv, annual_markdown
from rules_engine.stock.status import portfolio_status

EXAMPLE = OB / "examples" / "bezetting-2024-2025.csv"


@pytest.fixture(scope="module")
def program():
    return load_policy(str(OB))


def _occupancy(tmp_path, rows: list[tuple[str, str | None, str | None, str]]):
    lines = ["occupancy:"]
    for unit, household, category, date in rows:
        if household:
            lines.append(f"  - {{unit: {unit}, household: {household}, category: {category}, valid_from: {date}}}")
        else:
            lines.append(f"  - {{unit: {unit}, valid_from: {date}}}")
    path = tmp_path / "occ.yaml"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def _fill(prefix: str, counts: dict[str, int]) -> list:
    """Households for the homes of ZW-ASN-01 in order (portiek A has 9 homes, B 9, C 8)."""
    homes = [f"ZW-ASN-01-{p}{n:02d}" for p, last in (("A", 9), ("B", 9), ("C", 8)) for n in range(1, last + 1)]
    rows, i = [], 0
    for category, n in counts.items():
        for _ in range(n):
            rows.append((homes[i], f"{prefix}{i}", category, "2024-01-01"))
            i += 1
    return rows


def test_complex_shares_bands_and_room_by_hand(program, tmp_path):
    # ZW-ASN-01: targets 55/30/15 with 5 % tolerance -> regulier 50-60 %, aandacht 25-35 %; actief 5-100 %.
    path = _occupancy(tmp_path, _fill("h", {"regulier": 10, "aandacht": 6, "actief": 4}))
    occ = load_occupancy(str(path), program.policy)
    status = portfolio_status(program.policy, composition(program.policy, occ, dt.date(2025, 1, 1)))
    cx = next(g for g in status.groups if g.key == "ZW-ASN-01")
    assert (cx.occupied, cx.homes, cx.state) == (20, 26, "in_band")
    by = {c.category: c for c in cx.categories}
    assert [by[c].share for c in ("regulier", "aandacht", "actief")] == [Fraction(1, 2), Fraction(3, 10), Fraction(1, 5)]
    assert (by["aandacht"].low, by["aandacht"].high) == (Fraction(1, 4), Fraction(7, 20))
    # Room is the category's own ceiling, within the 6 vacant homes (docs/rules.md):
    # aandacht: (6+k)/(20+k) <= 35 % <=> 13k <= 20, so k = 1. regulier: (10+k)/(20+k) <= 60 % <=> k <= 5.
    assert (by["aandacht"].room, by["regulier"].room, by["actief"].room) == (1, 5, 6)
    # portiek A holds the first 9 households, all regulier, in its 9 homes: the aandacht maximum there is 4,
    # but no home is vacant.
    portiek = next(g for g in status.groups if g.key == "ZW-ASN-01/A")
    aandacht = next(c for c in portiek.categories if c.category == "aandacht")
    assert (aandacht.count, aandacht.limit, aandacht.room, portiek.state) == (0, 4, 0, "in_band")


def test_out_of_band_first_and_portiek_over_its_limit(program, tmp_path):
    rows = [(f"ZW-ASN-01-A0{n}", f"a{n}", "aandacht", "2024-01-01") for n in range(1, 7)]  # 6 aandacht, limit 4
    rows += [(f"ZW-ASN-01-B0{n}", f"r{n}", "regulier", "2024-01-01") for n in range(1, 3)]
    occ = load_occupancy(str(_occupancy(tmp_path, rows)), program.policy)
    status = portfolio_status(program.policy, composition(program.policy, occ, dt.date(2025, 1, 1)))
    first = status.groups[0]
    assert first.state in ("above", "both")
    states = [g.state for g in status.groups]
    assert states.index("in_band") > max(i for i, s in enumerate(states) if s in ("above", "below", "both"))
    portiek = next(g for g in status.groups if g.key == "ZW-ASN-01/A")
    assert portiek.state == "above" and portiek.deviation == Fraction(6 - 4, 6)
    cx = next(g for g in status.groups if g.key == "ZW-ASN-01")
    # 8 occupied homes, exactly the minimum: judged; aandacht 6/8 = 75 % is above its 35 % ceiling.
    assert cx.judged and cx.state in ("above", "both") and cx.deviation >= Fraction(3, 4) - Fraction(7, 20)


def test_status_cli_formats_and_levels(tmp_path):
    res = run("status", OB, "--date", "2025-06-01", "--format", "json", "--level", "complex")
    data = json.loads(res.output)
    assert res.exit_code == 0 and {g["level"] for g in data["groups"]} == {"complex"} and len(data["groups"]) == 12
    assert sum(data["summary"]["complex"].values()) == 12
    text = run("status", OB, "--date", "2025-06-01", "--only-out", "--lang", "en").output
    assert "in balance" not in text.split("\n\n", 1)[1].split("\n\n")[0]  # the table holds out-of-band groups only
    html = tmp_path / "stand.html"
    assert run("status", OB, "--date", "2025-06-01", "--format", "html", "-o", html).exit_code == 0
    assert html.read_text().startswith("<!DOCTYPE html>") and "<svg" in html.read_text()
    md = run("status", OB, "--date", "2025-06-01", "--format", "markdown").output
    assert md.startswith("# Stand van de mix 2025-06-01")


def test_occupancy_csv_semicolon_dutch_dates_and_errors(program, tmp_path):
    good = tmp_path / "bezetting.csv"
    good.write_text("unit;household;category;valid_from\nZW-ASN-01-A01;h1;regulier;01-02-2024\n"
                    "ZW-ASN-01-A01;h1;actief;2025-03-01\n", encoding="utf-8")
    occ = load_occupancy(str(good), program.policy)
    rows = occ.by_unit["ZW-ASN-01-A01"]
    assert [(r.category, r.valid_from) for r in rows] == [("regulier", dt.date(2024, 2, 1)), ("actief", dt.date(2025, 3, 1))]
    bad = tmp_path / "fout.csv"
    bad.write_text("unit,household,category,valid_from\nZW-ASN-01-A01,h1,regulier,2024-13-01\n"
                   "ZW-XXX,h2,regulier,2024-01-01\nZW-ASN-01-A02,h3,kwetsbaar,2024-01-01\n", encoding="utf-8")
    res = run("status", OB, "--occupancy", bad, "--lang", "en")
    assert res.exit_code == 2
    assert f"{bad}:2:4: invalid-date" in res.output and f"{bad}:3:1: unknown-unit" in res.output
    assert f"{bad}:4:3: unknown-category" in res.output


def test_occupancy_from_excel(program, tmp_path):
    openpyxl = pytest.importorskip("openpyxl")
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(["unit", "household", "category", "valid_from"])
    sheet.append(["ZW-ASN-01-A01", "h1", "regulier", dt.datetime(2024, 1, 1)])
    sheet.append(["ZW-ASN-01-A02", "h2", "aandacht", "01-02-2024"])
    path = tmp_path / "bezetting.xlsx"
    book.save(path)
    occ = load_occupancy(str(path), program.policy)
    assert occ.by_unit["ZW-ASN-01-A02"][0].valid_from == dt.date(2024, 2, 1)
    sheet.append(["ZW-ASN-01-A03", "h3", "kwetsbaar", "2024-01-01"])
    book.save(path)
    res = run("status", OB, "--occupancy", path, "--lang", "en")
    assert res.exit_code == 2 and f"{path}:4:3: unknown-category" in res.output
    path.write_bytes(b"PK\x03\x04 not really a workbook")
    res = run("status", OB, "--occupancy", path, "--lang", "en")
    assert res.exit_code == 2 and "Excel" in res.output and "Traceback" not in res.output


@pytest.fixture
def year_with_log(tmp_path):
    occ = _occupancy(tmp_path, [
        ("ZW-ASN-01-A01", "hh-a", "regulier", "2023-01-01"),
        ("ZW-ASN-01-A01", None, None, "2025-03-01"),  # moved out
        ("ZW-ASN-01-A01", "hh-new1", "aandacht", "2025-04-01"),  # letting 1 (rent 640,00: within the cap)
        ("ZW-ASN-01-A02", "hh-b", "regulier", "2023-01-01"),
        ("ZW-ASN-01-A02", "hh-b", "actief", "2025-05-01"),  # re-classified, no letting
        ("ZW-ASN-01-A03", "hh-new2", "regulier", "2025-06-01"),  # letting 2 (rent 690,25: above the cap)
        ("ZW-ASN-01-A04", "hh-new3", "actief", "2024-06-01"),  # a letting of the year before
    ])
    log = tmp_path / "log.jsonl"
    for hh, unit, cat, date in (("hh-new1", "ZW-ASN-01-A01", "aandacht", "2025-04-01"),
                                ("hh-new2", "ZW-ASN-01-A03", "regulier", "2025-06-01")):
        h = tmp_path / f"{hh}.yaml"
        h.write_text(f"id: {hh}\nsize: 1\nincome: 20000\ncategory: {cat}\n", encoding="utf-8")
        assert run("evaluate", OB, "--unit", unit, "--household", h, "--date", date, "--occupancy", occ,
                   "--log", log).exit_code == 0
    last = json.loads(log.read_text().splitlines()[-1])["decision_id"]
    assert run("log", "override", last, "--outcome", "passend", "--reason", "vrije toewijzingsruimte",
               "--log", log).exit_code == 0
    return occ, log


def test_annual_figures_by_hand(program, year_with_log):
    occ_path, log = year_with_log
    r = annual_report(program.policy, load_occupancy(str(occ_path), program.policy), 2025, str(log))
    assert [(x.household, x.category, x.date) for x in r.lettings] == [
        ("hh-new1", "aandacht", dt.date(2025, 4, 1)), ("hh-new2", "regulier", dt.date(2025, 6, 1))]
    assert (r.reclassified, r.vacated) == (1, 1)
    assert r.advice_counts() == {"followed": 1, "overridden": 1}
    norms = {n.rule: n for n in r.norms}
    # Both households earn 20.000 (passend toewijzen target group); only the second home's rent is above the cap.
    assert (norms["passend-toewijzen"].applicable, norms["passend-toewijzen"].kept) == (2, 1)
    assert norms["passend-toewijzen"].share == Fraction(1, 2) and norms["passend-toewijzen"].met is False
    assert norms["daeb-inkomensgrens"].share == 1 and norms["daeb-inkomensgrens"].met is True
    start = {g.key: g for g in r.buurten_start}["BU01930301"]
    end = {g.key: g for g in r.buurten_end}["BU01930301"]
    # 1 January: hh-a, hh-b and hh-new3 (since 2024); 31 December: hh-new1, hh-b, hh-new2 and hh-new3.
    assert (start.occupied, end.occupied) == (3, 4)


def test_public_report_suppresses_small_counts(program, year_with_log):
    occ_path, log = year_with_log
    r = annual_report(program.policy, load_occupancy(str(occ_path), program.policy), 2025, str(log))
    public = annual_markdown(r, "en", public=True)
    assert "counts under 5 are suppressed" in public and "<5" in public
    assert "hh-new" not in public and "ZW-ASN-01" not in public  # buurten only
    rows = list(csv.reader(io.StringIO(annual_csv(r, "en", public=True)), delimiter=";"))
    assert all(cell in ("<5", "0") or not cell.isdigit() or int(cell) >= 5 for row in rows for cell in row[1:])
    assert {row[0] for row in rows} == {"mix", "lettings", "lettings_buurt", "advice", "norms", "free_room", "fairness",
                                        "fairness_caution"}


def test_example_two_years_annual_report_cli(tmp_path):
    for year in (2024, 2025):
        res = run("report", "annual", OB, "--year", year, "--occupancy", EXAMPLE, "--format", "markdown")
        assert res.exit_code == 0, res.output
        assert res.output.startswith(f"# Jaarevaluatie mixbeleid {year}")
        assert "Geen beslislog gegeven" in res.output
    out = tmp_path / "jaar.html"
    assert run("report", "annual", OB, "--year", "2025", "--occupancy", EXAMPLE, "-o", out, "--lang", "en").exit_code == 0
    html = out.read_text()
    assert html.count('<section class="level">') == 4 and "Lettings per category" in html
    # the old `report FILE.json` form still works next to `report annual`
    assert run("report", "nergens.json").exit_code == 2


def test_status_cli_shows_no_traceback_on_bad_occupancy(tmp_path):
    bad = tmp_path / "b.csv"
    bad.write_bytes(b"unit;valid_from\n\x81\x8d;x\n")  # neither UTF-8 nor cp1252 (which would read \xff\xfe)
    res = subprocess.run([sys.executable, str(ROOT / "cli.py"), "status", str(OB), "--occupancy", str(bad)],
                         capture_output=True, text=True)
    assert res.returncode == 2 and "Traceback" not in res.stderr and "UTF-8" in res.stderr


def test_loading_leaves_the_garbage_collector_as_it_found_it(tmp_path):
    import gc

    from rules_engine.load.load import gc_paused

    assert gc.isenabled()
    program = load_policy(str(OB))
    load_occupancy(str(EXAMPLE), program.policy)
    assert gc.isenabled()
    gc.disable()
    try:
        with gc_paused():
            pass
        assert not gc.isenabled()
        with pytest.raises(ValueError), gc_paused():
            raise ValueError("a failing load")
        assert not gc.isenabled()
    finally:
        gc.enable()
    with pytest.raises(ValueError), gc_paused():
        raise ValueError("a failing load")
    assert gc.isenabled()


def test_groups_are_ordered_worst_first_then_by_level_and_key_ties_kept_as_built():
    import random

    from rules_engine.model.levels import DEFAULT
    from rules_engine.stock.status import GroupStatus, _sorted

    order = {key: i for i, key in enumerate(reversed(DEFAULT.keys))}

    def reference(g):  # the one sort by a key function that the order is defined by
        if g.state in ("above", "below", "both"):
            return (False, -g.worst[0] / g.worst[1], order[g.level], g.key)
        return (True, 0.0, order[g.level], g.key)

    rng = random.Random(7)
    groups = [GroupStatus(rng.choice(DEFAULT.keys), f"K{rng.randrange(40)}", f"n{i}", "", 10, 8, True, (),
                          rng.choice(("above", "below", "both", "in_band", "unjudged")),
                          rng.choice(((1, 8), (2, 16), (3, 8), (0, 1), (1, 3))))
              for i in range(3000)]  # many ties: the same level, key and deviation (1/8 and 2/16 alike)
    got = _sorted(groups, DEFAULT)
    assert [g.name for g in got] == [g.name for g in sorted(groups, key=reference)]
    assert _sorted([], DEFAULT) == []
