"""Batch evaluation: equal to single evaluations, the same with several processes, bad rows, atomic output."""

from __future__ import annotations

import datetime as dt
import json
import os
import random
from fractions import Fraction

import pytest

from conftest import OB, run
from rules_engine import evaluate, example_occupancy, load_policy
from rules_engine.allocation.batch import run_batch
from rules_engine.lang.facts import Household


@pytest.fixture(scope="module")
def program():
    return load_policy(str(OB))


def _rows(program, n, seed=11):
    rnd = random.Random(seed)
    units = sorted(program.policy.units)
    for i in range(n):
        yield {"id": f"hh-{i}", "size": rnd.randint(1, 6), "income": rnd.randint(12_000, 70_000),
               "category": rnd.choice(program.policy.category_ids), "unit": rnd.choice(units),
               "date": f"{rnd.choice((2024, 2025))}-{rnd.randint(1, 12):02d}-01"}


def _run(program, tmp_path, rows, name="in.jsonl", **kw):
    src = tmp_path / name
    if name.endswith(".csv"):
        src.write_text("id;size;income;category;unit;date\n" + "".join(
            f"{r['id']};{r['size']};{r['income']};{r['category']};{r['unit']};{r['date']}\n" for r in rows))
    else:
        src.write_text("".join(json.dumps(r) + "\n" for r in rows))
    out = tmp_path / (name + ".out")
    summary = run_batch(program, str(src), str(out), example_occupancy(program), None, **kw)
    return summary, [json.loads(line) for line in out.read_text().splitlines()]


def test_batch_equals_single_evaluations(program, tmp_path):
    rows = list(_rows(program, 400))
    summary, results = _run(program, tmp_path, rows)
    assert summary.evaluated == 400 and summary.skipped == 0
    occ = example_occupancy(program)
    for r, res in zip(rows, results):
        d = evaluate(program, Household(r["id"], r["size"], Fraction(r["income"]), r["category"]), r["unit"],
                     dt.date.fromisoformat(r["date"]), occ)
        assert (res["outcome"], tuple(res["deciding"])) == (d.outcome, d.deciding_rules)
    assert sum(summary.outcomes.values()) == 400 and sum(summary.levels.values()) == 400


def test_two_processes_give_the_same_output_in_order(program, tmp_path, monkeypatch):
    import rules_engine.load.batch_rows as batch_rows
    monkeypatch.setattr(batch_rows, "BLOCK_BYTES", 777)  # many chunks, so the pool really interleaves
    rows = list(_rows(program, 600, seed=5))
    _, one = _run(program, tmp_path, rows, "a.csv", jobs=1)
    _, two = _run(program, tmp_path, rows, "b.csv", jobs=2)
    assert one == two and [r["row"] for r in one] == list(range(2, 602))


def test_full_explanations_in_batch(program, tmp_path):
    rows = list(_rows(program, 20, seed=2))
    _, results = _run(program, tmp_path, rows, full=True)
    occ = example_occupancy(program)
    r = rows[7]
    d = evaluate(program, Household(r["id"], r["size"], Fraction(r["income"]), r["category"]), r["unit"],
                 dt.date.fromisoformat(r["date"]), occ)
    assert results[7]["decision"] == json.loads(json.dumps(d.to_dict()))


def test_bad_rows_are_reported_and_skipped_or_fail(program, tmp_path):
    src = tmp_path / "in.csv"
    src.write_text("id,size,income,category,unit\n"
                   "a,2,24500,aandacht,ZW-ASN-01-A09\n"
                   "b,twee,24500,aandacht,ZW-ASN-01-A09\n"
                   "c,2,24500,kwetsbaar,ZW-ASN-01-A09\n"
                   "d,2,24500\n"
                   "e,2,24500,regulier,ZW-ASN-01-A01\n")
    out = tmp_path / "out.jsonl"
    summary = run_batch(program, str(src), str(out), example_occupancy(program), dt.date(2025, 6, 1))
    assert (summary.evaluated, summary.skipped) == (2, 3)
    assert [(row, en) for row, (_, en) in summary.errors] == [
        (3, "size: 'twee' is not a number: write e.g. 2"), (4, "unknown category 'kwetsbaar'"),
        (5, "3 columns instead of 5")]
    assert [json.loads(l)["row"] for l in out.read_text().splitlines()] == [2, 6]
    out.unlink()
    failed = run_batch(program, str(src), str(out), example_occupancy(program), dt.date(2025, 6, 1),
                       on_error="fail")
    assert failed.skipped == 1 and not out.exists()
    assert not [f for f in os.listdir(tmp_path) if f.endswith(".tmp")]


@pytest.mark.parametrize("kw", [{}, {"jobs": 2}, {"full": True}], ids=["decisions", "two processes", "explain"])
def test_a_quote_never_takes_other_lines_into_a_cell(program, tmp_path, kw):
    # a stray quote swallowed the rows after it, and a quoted line break joined "54" and "848" into 54848
    good = [f"g{i},2,24500,aandacht,ZW-ASN-01-A09" for i in range(30)]
    src = tmp_path / "in.csv"
    src.write_text("id,size,income,category,unit\n" + "\n".join(
        good[:10] + ['s,2,"24500,aandacht,ZW-ASN-01-A09'] + good[10:20] + ['n,2,"54', '848",regulier,ZW-ASN-01-A09']
        + ['t,2,"245"00,aandacht,ZW-ASN-01-A09'] + good[20:]) + "\n")
    out = tmp_path / "out.jsonl"
    summary = run_batch(program, str(src), str(out), example_occupancy(program), dt.date(2025, 6, 1), **kw)
    assert summary.evaluated == 30
    assert [row for row, _ in summary.errors] == [12, 23, 24, 25]
    assert "quote" in summary.errors[0][1][1] and "aanhalingsteken" in summary.errors[0][1][0]
    assert "closing quote" in summary.errors[3][1][1]
    rows = [json.loads(line)["row"] for line in out.read_text().splitlines()]
    assert rows == [*range(2, 12), *range(13, 23), *range(26, 36)]


def _stock_rows(program, occ, n, seed):
    """Rows whose households are half of them households of the occupancy (living in the stock on some dates)."""
    rnd = random.Random(seed)
    ids = sorted({r.household for rows in occ.by_unit.values() for r in rows if r.household})
    for r in _rows(program, n, seed):
        yield {**r, "id": rnd.choice(ids)} if rnd.random() < 0.5 else r


@pytest.mark.parametrize("kw", [{}, {"jobs": 2}, {"full": True}], ids=["decisions", "two processes", "explain"])
def test_households_that_live_in_the_stock_are_counted_and_named(program, tmp_path, monkeypatch, kw):
    from rules_engine.load import batch_rows
    from rules_engine.load.movers import current_homes
    from rules_engine.load.occupancy import load_occupancy

    monkeypatch.setattr(batch_rows, "BLOCK_BYTES", 2000)  # several chunks: the counts add up across them
    occ = load_occupancy(str(OB / "examples" / "bezetting-2024-2025.csv"), program.policy)
    rows = list(_stock_rows(program, occ, 160, seed=4))
    src = tmp_path / "in.csv"
    src.write_text("id;size;income;category;unit;date\n" + "".join(
        f"{r['id']};{r['size']};{r['income']};{r['category']};{r['unit']};{r['date']}\n" for r in rows))
    summary = run_batch(program, str(src), str(tmp_path / "out.jsonl"), occ, None, **kw)
    # the oracle: the scan of every home that evaluate's warning makes, one row at a time
    expected = [(k + 2, r["id"], home, dt.date.fromisoformat(r["date"])) for k, r in enumerate(rows)
                for home in current_homes(occ, dt.date.fromisoformat(r["date"]), [r["id"]]).values()]
    assert 10 < len(expected) < 150  # some rows of movers and some not, on either date
    assert summary.movers == len(expected) and summary.mover_rows == expected[:50]
    assert summary.evaluated == 160


MOVES = """unit;household;category;valid_from
ZW-ASN-01-A01;hh-m;aandacht;2023-01-01
ZW-ASN-01-A01;;;2025-03-01
ZW-ASN-01-A02;hh-m;aandacht;2025-03-01
ZW-ASN-01-A03;hh-r;regulier;2023-01-01
ZW-ASN-01-A03;;;2024-06-01
ZW-ASN-01-A03;hh-r;aandacht;2025-01-01
ZW-ASN-01-A04;hh-s;regulier;2023-01-01
ZW-ASN-01-A04;hh-s;aandacht;2024-02-01
"""


def test_a_move_a_home_let_again_and_a_skipped_row_are_told_apart(program, tmp_path):
    from rules_engine.load.movers import HomesIndex, current_homes
    from rules_engine.load.occupancy import load_occupancy

    (tmp_path / "occ.csv").write_text(MOVES)
    occ = load_occupancy(str(tmp_path / "occ.csv"), program.policy)
    days = [dt.date(2022, 12, 31), dt.date(2023, 1, 1), dt.date(2024, 6, 1), dt.date(2024, 12, 31),
            dt.date(2025, 2, 28), dt.date(2025, 3, 1), dt.date(2025, 6, 1)]
    index = HomesIndex(occ)
    seen = {(h, d): index.on(h, d) for h in ("hh-m", "hh-r", "hh-s", "nobody") for d in days}
    assert seen == {(h, d): current_homes(occ, d, [h]).get(h) for h, d in seen}
    assert [seen["hh-m", d] for d in days] == [None] + ["ZW-ASN-01-A01"] * 4 + ["ZW-ASN-01-A02"] * 2
    assert [seen["hh-r", d] for d in days] == [None, "ZW-ASN-01-A03", None, None] + ["ZW-ASN-01-A03"] * 3
    src = tmp_path / "in.csv"
    src.write_text("id;size;income;category;unit;date\n" + "".join(
        f"{h};2;24500;aandacht;ZW-ASN-01-A09;{d}\n" for h in ("hh-m", "hh-r") for d in days)
        + "hh-s;2;veel;aandacht;ZW-ASN-01-A09;2025-06-01\n")  # skipped: its household is not counted
    for kw in ({}, {"full": True}):
        summary = run_batch(program, str(src), str(tmp_path / "out.jsonl"), occ, None, **kw)
        assert (summary.evaluated, summary.skipped, summary.movers) == (14, 1, 10)
        assert summary.mover_rows == [(k + 2, h, seen[h, d], d) for k, (h, d) in
                                      enumerate((h, d) for h in ("hh-m", "hh-r") for d in days) if seen[h, d]]


def test_cli_batch_names_the_households_that_live_in_the_stock(tmp_path):
    src = tmp_path / "in.csv"
    src.write_text("id;size;income;category;unit\nhh-0029;2;24500;aandacht;ZW-ASN-02-101\n"
                   "hh-9999;2;24500;aandacht;ZW-ASN-02-101\n")
    occ = OB / "examples" / "bezetting-2024-2025.csv"
    args = ("evaluate", OB, "--batch", src, "--occupancy", occ, "--date", "2025-06-01", "--output", tmp_path / "o")
    out = run(*args, "--lang", "en")
    assert out.exit_code == 0, out.output
    assert (f"{src}:2: household-lives-in-stock (warning): household hh-0029 lives in home ZW-ASN-02-104 on "
            "2025-06-01 already") in out.output and "hh-9999" not in out.output
    assert "1 row of a household that already lives in the stock on the row's date (doorstroming)" in out.output
    assert "1 rij met een huishouden dat op de datum van de rij al in de voorraad woont" in run(*args).output
    summary = json.loads(run(*args, "--format", "json").output)
    assert summary["lives_in_stock"] == 1 and summary["lives_in_stock_rows"] == [
        {"row": 2, "household": "hh-0029", "home": "ZW-ASN-02-104", "date": "2025-06-01"}]
    src.write_text("id;size;income;category;unit\nhh-9999;2;24500;aandacht;ZW-ASN-02-101\n")
    nobody = run(*args, "--lang", "en")
    assert "in the stock" not in nobody.output and "household-lives-in-stock" not in nobody.output, nobody.output


def test_cli_batch_summary_and_usage(tmp_path):
    src = tmp_path / "in.jsonl"
    src.write_text('{"id": "a", "size": 2, "income": 24500, "category": "aandacht", "unit": "ZW-ASN-01-A09"}\n\n'
                   '{"id": "b", "size": 2, "income": "x", "category": "aandacht", "unit": "ZW-ASN-01-A09"}\n')
    out = run("evaluate", OB, "--batch", src, "--date", "2025-06-01", "--output", tmp_path / "o.jsonl", "--lang", "en")
    assert out.exit_code == 0
    assert f"{src}:3: row skipped: income: 'x' is not a number: write e.g. 45500" in out.output
    assert "1 evaluated, 1 skipped" in out.output and "per outcome: ontraden 1" in out.output
    assert "per level of the deciding rule: complex 1" in out.output
    assert run("evaluate", OB, "--batch", src, "--unit", "x").exit_code == 2
    assert run("evaluate", OB).exit_code == 2
    missing = run("evaluate", OB, "--batch", tmp_path / "nope.csv", "--lang", "en")
    assert missing.exit_code == 2 and "file-not-found" in missing.output


def test_csv_occupancy_errors_name_row_and_column(tmp_path):
    occ = tmp_path / "o.csv"
    occ.write_text("unit;household;category;valid_from\nZW-ASN-01-A01;x1;aandacht;2024-01-01\n"
                   "ZW-ASN-01-Q;x2;aandacht;2024-01-01\nZW-ASN-01-A02;x3;kwetsbaar;2024-01-01\n")
    out = run("room", OB, "--complex", "ZW-ASN-01", "--occupancy", occ, "--lang", "en")
    assert out.exit_code == 2
    assert f"{occ}:3:1: unknown-unit" in out.output and f"{occ}:4:3: unknown-category" in out.output


def test_parallel_file_reading_equals_serial(monkeypatch, tmp_path):
    import shutil

    import rules_engine.load.load as load
    root = tmp_path / "pol"
    shutil.copytree(OB, root)
    serial = load_policy(str(root))
    monkeypatch.setattr(load, "PARALLEL_FROM", 2)
    parallel = load_policy(str(root))
    assert parallel.policy.content_hash == serial.policy.content_hash
    assert sorted(parallel.policy.units) == sorted(serial.policy.units)
    assert parallel.policy.units["ZW-ASN-01-A09"] == serial.policy.units["ZW-ASN-01-A09"]
    (root / "complexes" / "zw-asz-03.yaml").write_text("id: [\n")
    monkeypatch.setattr(load, "PARALLEL_FROM", 2)
    out = run("validate", root, "--lang", "en")
    assert out.exit_code == 1 and "zw-asz-03.yaml:2:1: yaml-syntax" in out.output


def test_full_explanations_are_made_a_few_hundred_rows_at_a_time(program, tmp_path, monkeypatch):
    # a record is some 15 KB against a row of some 40 bytes: a block of the decisions' size (25,000 rows) once held
    # 375 MB of output at a time, several in flight (2 GB for 20,000 rows, flat but far too large)
    import rules_engine.allocation.batch as batch

    sizes = []
    chunk = batch.evaluate_chunk

    def counted(*args, **kwargs):
        result = chunk(*args, **kwargs)
        sizes.append(result.rows)
        return result
    monkeypatch.setattr(batch, "evaluate_chunk", counted)
    rows = list(_rows(program, 1500, seed=4))
    summary, results = _run(program, tmp_path, rows, "r.csv", full=True)
    assert summary.evaluated == 1500 and len(results) == 1500 and [r["row"] for r in results] == list(range(2, 1502))
    assert len(sizes) > 2 and max(sizes) < 1000, sizes
    sizes.clear()
    _run(program, tmp_path, rows, "d.csv")  # decisions only: one block
    assert sizes == [1500]
