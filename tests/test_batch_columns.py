"""A batch's columns and keys are read as written or refused: no column ignored, none read twice."""

from __future__ import annotations

import json

import pytest

from conftest import OB, run

ROW = "hh-1,2,24500,aandacht,ZW-ASN-01-A09"


@pytest.mark.parametrize("header, row, where, words", [
    ("id,size,income,category,unit,datum", ROW + ",2026-06-01", "1:30", "unknown column 'datum'; did you mean 'date'?"),
    ("id,size,income,income,category,unit", "hh-1,2,24500,99000,aandacht,ZW-ASN-01-A09", "1:16",
     "column 'income' is in the header twice (columns 3 and 4)"),
    ("id,size,inkomen,category,unit", ROW, "1:9", "unknown column 'inkomen'; did you mean 'income'?"),
    ("id,size,income,category,unit,naam", ROW + ",Jan Jansen", "1:30", "unknown column 'naam'"),
    ("id,size,income,category,unit,", ROW + ",", "1:30", "column 6 has no name"),
])
def test_a_csv_header_with_a_column_unknown_or_twice_is_refused_where_it_is(tmp_path, header, row, where, words):
    path = tmp_path / "b.csv"
    path.write_text(f"{header}\n{row}\n", encoding="utf-8")
    out = tmp_path / "out.jsonl"
    r = run("evaluate", str(OB), "--batch", str(path), "--date", "2025-06-01", "--lang", "en", "--output", str(out))
    assert r.exit_code == 2 and f"b.csv:{where}: " in r.output and words in r.output, r.output
    assert not out.exists()


def test_a_header_in_capitals_reads_as_its_columns(tmp_path):
    path = tmp_path / "b.csv"
    path.write_text(f"ID,Size,Income,Category,Unit\n{ROW}\n", encoding="utf-8")
    r = run("evaluate", str(OB), "--batch", str(path), "--date", "2025-06-01")
    decided = [json.loads(line) for line in r.output.splitlines() if line.startswith('{"row"')]
    assert r.exit_code == 0 and [d["outcome"] for d in decided] == ["ontraden"], r.output


def test_a_json_row_with_a_key_twice_or_unknown_is_skipped_with_its_reason(tmp_path):
    rows = ['{"id":"hh-1","size":2,"income":24500,"income":99000,"category":"aandacht","unit":"ZW-ASN-01-A09"}',
            '{"id":"hh-2","size":2,"income":24500,"naam":"Jan","category":"aandacht","unit":"ZW-ASN-01-A09"}',
            '{"id":"hh-3","size":2,"income":24500,"category":"aandacht","unit":"ZW-ASN-01-A09"}']
    path = tmp_path / "b.jsonl"
    path.write_text("\n".join(rows) + "\n", encoding="utf-8")
    r = run("evaluate", str(OB), "--batch", str(path), "--date", "2025-06-01", "--lang", "en")
    assert "b.jsonl:1: " in r.output and "the key 'income' is in one object twice" in r.output, r.output
    assert "b.jsonl:2: " in r.output and "unknown key 'naam'" in r.output
    decided = [json.loads(line) for line in r.output.splitlines() if line.startswith('{"row"')]
    assert [d["household"] for d in decided] == ["hh-3"]


def test_an_uploaded_candidates_file_with_a_column_twice_is_refused():
    import datetime as dt

    from rules_engine import load_policy
    from rules_engine.webapp.candidates import Refusal, read_upload

    program = load_policy(str(OB))
    data = b"id,size,income,income,category\nkd-1,2,24500,99000,aandacht\n"
    with pytest.raises(Refusal) as refused:
        read_upload("kandidaten.csv", data, program, "ZW-ASN-01-A09", dt.date(2025, 6, 1))
    assert "column 'income' is in the header twice" in refused.value.problems[0].en
    ok = read_upload("kandidaten.csv", b"id,size,income,category\nkd-1,2,24500,aandacht\n", program,
                     "ZW-ASN-01-A09", dt.date(2025, 6, 1))
    assert [h.income for h in ok] == [24500]


@pytest.mark.parametrize("header, words", [
    ("unit;huishouden;categorie;valid_from", "unknown column 'categorie'; did you mean 'category'?"),
    ("unit;valid_from", "the header lacks: household, category"),
    ("unit;household;category;category;valid_from", "column 'category' is in the header twice (columns 3 and 4)"),
])
def test_an_occupancy_header_that_would_read_every_home_as_empty_is_refused(tmp_path, header, words):
    rows = (OB / "examples" / "bezetting-2024-2025.csv").read_text(encoding="utf-8").splitlines()[1:]
    width = header.count(";") + 1
    occ = tmp_path / "occ.csv"
    occ.write_text("\n".join([header] + [";".join((r.split(";") + [""])[:width]) for r in rows]) + "\n",
                   encoding="utf-8")
    for args in (("status", str(OB)), ("evaluate", str(OB), "--unit", "ZW-ASN-01-A09", "--household",
                                        str(OB / "examples" / "households" / "aandacht-2p.yaml"))):
        r = run(*args, "--occupancy", str(occ), "--date", "2025-06-01", "--lang", "en")
        assert r.exit_code == 2 and "occ.csv:1: bad-input" in r.output and words in r.output, (args, r.output)
