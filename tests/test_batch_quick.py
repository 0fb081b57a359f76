"""The batch's quick path (rows read without the general readers, lines written from fragments) against the
general path it stands for: the same households, homes, dates and row errors, and the same output bytes."""

from __future__ import annotations

import datetime as dt
import gc
import json
import random

import pytest

from conftest import OB
from rules_engine import example_occupancy, load_policy
from rules_engine.allocation import batch
from rules_engine.allocation.batch import decision_line, run_batch
from rules_engine.engine.evaluate import build_facts, combine, rule_statuses
from rules_engine.load.batch_rows import RowError, csv_households, line_blocks, parse_row, row_values
from rules_engine.load.occupancy import composition

DAY = dt.date(2025, 6, 1)


@pytest.fixture(scope="module")
def program():
    return load_policy(str(OB))


def _cell(rnd: random.Random, good: str, odd: list[str]) -> str:
    return good if rnd.random() < 0.8 else rnd.choice(odd)


def _text(program, n: int, sep: str, seed: int, columns: tuple[str, ...]) -> str:
    """A CSV of mostly plain rows and many that are odd in one cell (padded, Dutch dots, out of range, ...)."""
    rnd = random.Random(seed)
    units = sorted(program.policy.units)[:40]
    cats = list(program.policy.category_ids)
    odd = {
        "id": ["", " hh-1", "hh 1", "<b>x</b>", "a" * 64, "a" * 65, "hh:1.x_y-z", "hh\u202e1", "é1"],
        "size": ["", "0", "02", " 2", "21", "2.5", "2,0", "twee", "20", "1"],
        "income": ["", "61.000", "61.000,50", "1,050", "1.050", "10000000", "10000001", "-5", "1e5", " 24500",
                   "0024500", "24500.5", "24500,5", "٤٥٠٠٠", "12345678", "1234567"],
        "category": ["", " aandacht", "kwetsbaar", "Aandacht"],
        "unit": ["", "nope", units[0] + " ", units[1].lower()],
        "age": ["", "15", "16", "34", "120", "121", " 40", "veertig"],
        "flags": ["", "a|b", "|", "x y", "ok"],
        "older": ["", "ja", "nee", "true", "false", "misschien", "Ja"],
        "route": ["", "urgentie", "onbekend"],
        "date": ["", "2025-06-01", "1-6-2025", "01-06-2025", "2024-02-30", "20250101", "2026-01-01", "2024-12-31"],
    }
    lines = [sep.join(columns)]
    for i in range(n):
        good = {"id": f"hh-{i}", "size": str(rnd.randint(1, 6)), "income": str(rnd.randint(12_000, 70_000)),
                "category": rnd.choice(cats), "unit": rnd.choice(units), "age": "", "flags": "", "older": "",
                "route": "", "date": ""}
        cells = [_cell(rnd, good[c], odd[c]) for c in columns]
        cells = [f'"{c}"' if sep in c else c for c in cells]
        r = rnd.random()
        lines.append("" if r < 0.01 else sep.join(cells[:-1]) if r < 0.02 else sep.join(cells))
    return "\n".join(lines) + "\n"


def _general(program, header, first, block, default):
    """The general path: row_values and parse_row for every row."""
    notation = "dutch" if header[-1] == ";" else "point"
    for row, values in row_values("csv", header, first, block):
        if values.__class__ is RowError:
            yield row, values
            continue
        try:
            yield row, parse_row(values, row, program, default, notation)
        except RowError as exc:
            yield row, exc


def _shown(item):
    if item.__class__ is RowError:
        return ("error", item.row, item.nl, item.en)
    household, unit, date = item
    return ("row", household.id, household.size, household.income, household.category, household.age,
            household.flags, household.older, household.route, unit, date)


@pytest.mark.parametrize("sep", [",", ";"])
@pytest.mark.parametrize("columns,default", [
    (("id", "size", "income", "category", "unit"), DAY),
    (("unit", "category", "income", "size", "id", "age", "flags", "older", "route", "date"), DAY),
    (("id", "size", "income", "category", "unit", "date"), None),
])  # a column twice is refused with the header (tests/test_batch_columns.py)
def test_quick_rows_equal_the_general_readers(program, tmp_path, sep, columns, default):
    src = tmp_path / "rows.csv"
    src.write_text(_text(program, 1500, sep, len(columns) + ord(sep), columns), encoding="utf-8")
    quick = general = 0
    for _, header, first, block in line_blocks(str(src), "csv", None):
        expected = [(row, _shown(item)) for row, item in _general(program, header, first, block, default)]
        for int_income in (False, True):
            got = [(row, _shown(item)) for row, item in csv_households(header, first, block, program, default,
                                                                        int_income)]
            assert got == expected
        quick += sum(1 for _, item in expected if item[0] == "row")
        general += len(expected)
    assert general > 1450 and 0 < quick < general  # both kinds of row are there


def _reference_lines(program, path, default):
    """What the batch wrote before the quick path: json.dumps of each row's decision by the general path."""
    occ = example_occupancy(program)
    lines = []
    for _, header, first, block in line_blocks(str(path), "csv", None):
        for row, item in _general(program, header, first, block, default):
            if item.__class__ is not RowError:
                household, unit, date = item
                facts = build_facts(program, household, unit, composition(program.policy, occ, date))
                outcome, deciding = combine(program, rule_statuses(program, facts), household)
                lines.append(json.dumps({"row": row, "household": household.id, "unit": unit,
                                         "date": date.isoformat(), "outcome": outcome, "deciding": list(deciding)},
                                        ensure_ascii=False) + "\n")
    return "".join(lines)


@pytest.mark.parametrize("jobs", [1, 2])
@pytest.mark.parametrize("warm", [True, False])  # the places made before the rows (a large input) or as read
def test_batch_output_is_byte_for_byte_the_general_one(program, tmp_path, monkeypatch, jobs, warm):
    monkeypatch.setattr(batch, "ROW_BYTES", 1 if warm else 10 ** 9)
    columns = ("id", "size", "income", "category", "unit", "older", "route", "date")
    src = tmp_path / "rows.csv"
    src.write_text(_text(program, 1500, ";", 7, columns), encoding="utf-8")
    out = tmp_path / "out.jsonl"
    gc.unfreeze()  # as a program calling run_batch: nothing frozen (an in-process CLI test may have frozen some)
    summary = run_batch(program, str(src), str(out), example_occupancy(program), DAY, jobs=jobs)
    assert gc.get_freeze_count() == 0  # the workers' frozen collector is theirs, not the caller's
    text = out.read_text(encoding="utf-8")
    assert text == _reference_lines(program, src, DAY)
    results = [json.loads(line) for line in text.splitlines()]
    assert summary.evaluated == len(results) and summary.skipped > 0
    assert sum(summary.outcomes.values()) == len(results)
    assert {r["outcome"] for r in results} >= {"niet_toegestaan", "ontraden", "plaatsing"}


def test_a_decision_line_is_what_json_dumps_writes():
    line = decision_line(12, "hh:1", "ZW-ASN-01-A09", DAY, "ontraden", ("portiek-limiet", "woninggrootte"))
    assert line == ('{"row": 12, "household": "hh:1", "unit": "ZW-ASN-01-A09", "date": "2025-06-01", '
                    '"outcome": "ontraden", "deciding": ["portiek-limiet", "woninggrootte"]}\n')
