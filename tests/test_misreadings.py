"""Issue 15: values read right, or refused. Every misreading goes through the real commands.

Each case writes one input, runs one command in-process and states either the exact value read
(compared with the same input in its plain form) or the refusal: code, file:line:column (or file
and row) and exit code. None may show a traceback.
"""

from __future__ import annotations

import datetime as dt
import json
import re
import shutil
from pathlib import Path

import pytest

from conftest import OB, run

UNIT = "ZW-ASN-01-A09"
OCC_HEADER = "unit;household;category;valid_from\n"


@pytest.fixture(scope="module")
def pol(tmp_path_factory):
    """A copy of the example policy (its complexes and parameters are changed per case in a copy of it)."""
    root = tmp_path_factory.mktemp("misreadings") / "pol"
    shutil.copytree(OB, root)
    return root


def _household(value: str, key: str = "income") -> str:
    fields = {"id": "hh-t", "size": "2", "income": "24500", "category": "regulier", key: value}
    return "".join(f"{k}: {v}\n" for k, v in fields.items())


def _batch_csv(income: str, sep: str = ",", **cells) -> str:
    row = {"id": "hh-b", "size": "2", "income": income, "category": "regulier", "unit": UNIT, **cells}
    return sep.join(row) + "\n" + sep.join(row.values()) + "\n"


class Raw(str):
    """A JSON value written as is (a number with its digits, not re-printed by json.dumps)."""


def _jsonl_row(**cells) -> str:
    row = {"id": "hh-j", "size": 2, "income": 24500, "category": "regulier", "unit": UNIT, **cells}
    return "{" + ", ".join(f'"{k}": {v if isinstance(v, Raw) else json.dumps(v)}' for k, v in row.items()) + "}\n"


def _occ(*rows: str) -> str:
    return OCC_HEADER + "".join(r + "\n" for r in rows)


# --- what each kind of case runs --------------------------------------------------------------------

def _evaluate_household(pol, tmp: Path, text: str):
    f = tmp / "hh.yaml"
    f.write_text(text, encoding="utf-8")
    return f, run("evaluate", pol, "--unit", UNIT, "--household", f, "--date", "2025-06-01", "--format", "json")


def _batch(pol, tmp: Path, text: str, name: str):
    f = tmp / name
    f.write_text(text, encoding="utf-8")
    return f, run("evaluate", pol, "--batch", f, "--date", "2025-06-01", "--explain", "--on-error", "fail")


def _status(pol, tmp: Path, data: bytes | str, name: str, date: str = "2025-06-01"):
    f = tmp / name
    f.write_bytes(data if isinstance(data, bytes) else data.encode("utf-8"))
    return f, run("room", pol, "--complex", "ZW-ASN-01", "--occupancy", f, "--date", date, "--format", "json")


def _xlsx(tmp: Path, rows: list) -> bytes:
    import openpyxl

    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(["unit", "household", "category", "valid_from"])
    for r in rows:
        sheet.append(r)
    path = tmp / "made.xlsx"
    book.save(path)
    return path.read_bytes()


# --- the cases ----------------------------------------------------------------------------------------
# Refusals: (id, runner, input, code, location regex after the file name, exit code)
# Readings: (id, runner, input, the same input in plain form)  -> outputs must be identical

HH, BATCH_CSV, BATCH_JSONL, OCC_CSV, OCC_YAML, OCC_XLSX = "hh", "csv", "jsonl", "occ.csv", "occ.yaml", "occ.xlsx"

REFUSED = [
    # household files (evaluate): exit 2, file:line:column
    ("hh income 45.500", HH, _household("45.500"), "dutch-thousands", ":3:9", 2),
    ("hh income 1.234.567", HH, _household("1.234.567"), "number-notation", ":3:9", 2),
    ("hh income 1.050,00", HH, _household("1.050,00"), "number-notation", ":3:9", 2),
    ("hh income 1,050", HH, _household("'1,050'"), "dutch-thousands", ":3:9", 2),
    ("hh income 0x + 4000 hex digits", HH, _household("0x" + "f" * 4000), "number-too-long", ":3:9", 2),
    ("hh income 1.0e-100000 (was a 50 s hang)", HH, _household("1.0e-100000"), "number-too-long", ":3:9", 2),
    ("hh income 1.0e+400", HH, _household("1.0e+400"), "number-too-long", ":3:9", 2),
    ("hh income negative", HH, _household("-100"), "negative", ":3:9", 2),
    ("hh income over 10^7", HH, _household("20000000"), "out-of-bounds", ":3:9", 2),
    ("hh income 2_6000 (YAML 1.1 read 26000)", HH, _household("2_6000"), "wrong-type", ":3:9", 2),
    ("hh income 26_000.50", HH, _household("26_000.50"), "wrong-type", ":3:9", 2),
    ("hh income 1_050 (no grouping in YAML either, as in CSV)", HH, _household("1_050"), "wrong-type", ":3:9", 2),
    ("hh income finer than a cent", HH, _household("54847.001"), "finer-than-cents", ":3:9", 2),
    ("hh size 0", HH, _household("0", "size"), "out-of-bounds", ":2:7", 2),
    ("hh id with a name", HH, _household("'Jan Jansen'", "id"), "invalid-format", ":1:5", 2),
    # batch CSV with commas: '.' is the decimal point, so 61.000 is ambiguous
    ("batch , income 61.000", BATCH_CSV, _batch_csv("61.000"), "niet eenduidig", ":2:", 1),
    ("batch , income 1.050,00", BATCH_CSV, _batch_csv('"1.050,00"'), "niet eenduidig", ":2:", 1),
    ("batch , income 10^15", BATCH_CSV, _batch_csv("1000000000000000"), "buiten het toegestane bereik", ":2:", 1),
    ("batch , income negative", BATCH_CSV, _batch_csv("-5"), "niet negatief", ":2:", 1),
    ("batch , income 1e5", BATCH_CSV, _batch_csv("1e5"), "geen getal", ":2:", 1),
    ("batch , id with HTML", BATCH_CSV, _batch_csv("24500", id="<b>x</b>"), "geen geldige id", ":2:", 1),
    ("batch , id with bidi control", BATCH_CSV, _batch_csv("24500", id="hh\u202e1"), "geen geldige id", ":2:", 1),
    ("batch , id with escape code", BATCH_CSV, _batch_csv("24500", id="hh\x1b[31m"), "geen geldige id", ":2:", 1),
    ("batch , id of 60 letters and a space", BATCH_CSV, _batch_csv("24500", id="a" * 60 + " b"), "geen geldige id",
     ":2:", 1),
    ("batch , date 20250101", BATCH_CSV, _batch_csv("24500", date="20250101"), "geen datum in een toegestane vorm",
     ":2:", 1),
    ("batch , date 01-01-23", BATCH_CSV, _batch_csv("24500", date="01-01-23"), "geen datum in een toegestane vorm",
     ":2:", 1),
    ("batch , size 2.5", BATCH_CSV, _batch_csv("24500", size="2.5"), "geheel getal", ":2:", 1),
    # batch CSV with semicolons (Dutch Excel): 1,050 is still ambiguous (English thousands?)
    ("batch ; income 1,050", BATCH_CSV, _batch_csv("1,050", ";"), "niet eenduidig", ":2:", 1),
    # batch JSON lines
    ("jsonl flags 5", BATCH_JSONL, _jsonl_row(flags=5), "flags is geen lijst", ":1:", 1),
    ("jsonl income 61.000", BATCH_JSONL, _jsonl_row(income=Raw("61.000")), "niet eenduidig", ":1:", 1),
    ("jsonl income '61.000'", BATCH_JSONL, _jsonl_row(income="61.000"), "niet eenduidig", ":1:", 1),
    ("jsonl income 1e400", BATCH_JSONL, _jsonl_row(income=Raw("1e400")), "te veel cijfers", ":1:", 1),
    ("jsonl id with NUL", BATCH_JSONL, _jsonl_row(id="hh\u0000x"), "geen geldige id", ":1:", 1),
    # occupancy CSV (room): exit 2, file:row:column
    ("occ csv same home twice on a date", OCC_CSV, _occ(f"{UNIT};hh-1;regulier;2023-01-01",
                                                        f"{UNIT};hh-2;regulier;1-1-2023"),
     "occupancy-twice", ":3:4", 2),
    ("occ csv category without household", OCC_CSV, _occ(f"{UNIT};;regulier;2023-01-01"), "household-missing", ":2:2", 2),
    ("occ csv household without category", OCC_CSV, _occ(f"{UNIT};hh-1;;2023-01-01"), "category-missing", ":2:3", 2),
    ("occ csv household id is a name", OCC_CSV, _occ(f"{UNIT};Jan Jansen;regulier;2023-01-01"), "invalid-id", ":2:2",
     2),
    ("occ csv household id of 200 characters", OCC_CSV, _occ(f"{UNIT};{'h' * 200};regulier;2023-01-01"), "invalid-id",
     ":2:2", 2),
    ("occ csv date 01-01-23", OCC_CSV, _occ(f"{UNIT};hh-1;regulier;01-01-23"), "date-form", ":2:4", 2),
    ("occ csv date 2025-W23-1", OCC_CSV, _occ(f"{UNIT};hh-1;regulier;2025-W23-1"), "date-form", ":2:4", 2),
    ("occ csv date 20250101", OCC_CSV, _occ(f"{UNIT};hh-1;regulier;20250101"), "date-form", ":2:4", 2),
    ("occ csv date 31-2-2025", OCC_CSV, _occ(f"{UNIT};hh-1;regulier;31-2-2025"), "invalid-date", ":2:4", 2),
    ("occ csv UTF-16", OCC_CSV, _occ(f"{UNIT};hh-1;regulier;2023-01-01").encode("utf-16"), "encoding", ":1:1", 2),
    ("occ csv UTF-8 with a stray byte", OCC_CSV, _occ(f"{UNIT};hh-é;regulier;2023-01-01").encode() + b"\x81\n",
     "encoding", ":3:1", 2),
    # occupancy YAML: the same home twice names the line
    ("occ yaml same home twice on a date", OCC_YAML,
     "occupancy:\n"
     f"  - {{unit: {UNIT}, household: hh-1, category: regulier, valid_from: 2023-01-01}}\n"
     f"  - {{unit: {UNIT}, household: hh-2, category: aandacht, valid_from: 2023-01-01}}\n",
     "occupancy-twice", ":3:", 2),
    ("occ yaml household without category", OCC_YAML,
     f"occupancy:\n  - {{unit: {UNIT}, household: hh-1, valid_from: 2023-01-01}}\n", "category-missing", ":2:5", 2),
    # occupancy XLSX: rows
    ("occ xlsx same home twice", OCC_XLSX, [[UNIT, "hh-1", "regulier", dt.datetime(2023, 1, 1)],
                                            [UNIT, "hh-2", "regulier", "2023-01-01"]], "occupancy-twice", ":3:4", 2),
    ("occ xlsx date 01-01-23", OCC_XLSX, [[UNIT, "hh-1", "regulier", "01-01-23"]], "date-form", ":2:4", 2),
    ("occ xlsx household id with HTML", OCC_XLSX, [[UNIT, "<i>x</i>", "regulier", "2023-01-01"]], "invalid-id",
     ":2:2", 2),
]

READ = [
    # (id, runner, input, plain form): the outputs must be equal, so the value read is exactly the plain one
    ("hh income 45500.50", HH, _household("45500.50"), _household("45500.5")),
    ("batch , income '45500,50' (decimal comma)", BATCH_CSV, _batch_csv('"45500,50"'), _batch_csv("45500.5")),
    ("batch ; income 61.000 (Dutch Excel)", BATCH_CSV, _batch_csv("61.000", ";"), _batch_csv("61000")),
    ("batch ; income 61.000,50", BATCH_CSV, _batch_csv("61.000,50", ";"), _batch_csv("61000.5")),
    ("batch ; income 1.234.567", BATCH_CSV, _batch_csv("1.234.567", ";"), _batch_csv("1234567")),
    ("batch , date 1-6-2025", BATCH_CSV, _batch_csv("24500", date="1-6-2025"), _batch_csv("24500", date="2025-06-01")),
    ("occ csv date 1-1-2023", OCC_CSV, _occ(f"{UNIT};hh-1;aandacht;1-1-2023"), _occ(f"{UNIT};hh-1;aandacht;2023-01-01")),
    ("occ csv date 01-01-2023", OCC_CSV, _occ(f"{UNIT};hh-1;aandacht;01-01-2023"),
     _occ(f"{UNIT};hh-1;aandacht;2023-01-01")),
    ("occ csv cp1252 (Excel NL)", OCC_CSV, _occ(f"{UNIT};hh-1;aandacht;2023-01-01", "ZW-ASN-01-A01;hh-2;regulier;2023-01-01")
     .replace("unit;", "unit;").encode("cp1252").replace(b"\n", b"\r\n"),
     _occ(f"{UNIT};hh-1;aandacht;2023-01-01", "ZW-ASN-01-A01;hh-2;regulier;2023-01-01")),
    ("occ csv UTF-8 with BOM", OCC_CSV, b"\xef\xbb\xbf" + _occ(f"{UNIT};hh-1;aandacht;2023-01-01").encode(),
     _occ(f"{UNIT};hh-1;aandacht;2023-01-01")),
    ("occ csv empty household and category: an empty home", OCC_CSV,
     _occ("ZW-ASN-01-A01;hh-1;aandacht;2023-01-01", "ZW-ASN-01-A01;;;2024-01-01"),
     _occ("ZW-ASN-01-A02;hh-1;aandacht;2023-01-01", "ZW-ASN-01-A02;;;2024-01-01")),
    ("occ xlsx date cell", OCC_XLSX, [[UNIT, "hh-1", "aandacht", dt.datetime(2023, 1, 1)]],
     _occ(f"{UNIT};hh-1;aandacht;2023-01-01")),
]


def _run(pol, tmp: Path, runner: str, data, tag: str = ""):
    if runner == HH:
        return _evaluate_household(pol, tmp, data)
    if runner in (BATCH_CSV, BATCH_JSONL):
        return _batch(pol, tmp, data, f"rows{tag}.{runner}")
    if runner == OCC_XLSX:
        return _status(pol, tmp, _xlsx(tmp, data), f"occ{tag}.xlsx")
    return _status(pol, tmp, data, f"occ{tag}.{runner.split('.')[1]}")


@pytest.mark.parametrize("name,runner,data,code,where,exit_code", REFUSED, ids=[c[0] for c in REFUSED])
def test_a_misreading_is_refused_at_its_place(pol, tmp_path, name, runner, data, code, where, exit_code):
    path, res = _run(pol, tmp_path, runner, data)
    assert "Traceback" not in res.output
    assert res.exit_code == exit_code, res.output
    if runner in (BATCH_CSV, BATCH_JSONL):  # file:row: row skipped: column: message
        assert re.search(re.escape(f"{path}{where}") + r" rij overgeslagen: .*" + re.escape(code), res.output), res.output
    else:  # file:line:column: code: message
        assert re.search(re.escape(f"{path}{where}") + r"[0-9]*: " + re.escape(code) + ":", res.output), res.output


@pytest.mark.parametrize("name,runner,data,plain", READ, ids=[c[0] for c in READ])
def test_a_notation_is_read_as_its_plain_form(pol, tmp_path, name, runner, data, plain):
    _, res = _run(pol, tmp_path, runner, data, "-a")
    plain_runner = OCC_CSV if runner == OCC_XLSX else runner
    _, expected = _run(pol, tmp_path, plain_runner, plain, "-b")
    assert res.exit_code == 0 and expected.exit_code == 0, res.output + expected.output
    assert "Traceback" not in res.output
    assert res.stdout == expected.stdout


def test_the_batch_reads_61000_so_the_daeb_rule_fires(pol, tmp_path):
    _, res = _batch(pol, tmp_path, _batch_csv("61.000", ";"), "daeb.csv")
    record = json.loads(res.stdout.splitlines()[0])
    assert record["decision"]["inputs"]["household"]["income"] == "61000"
    assert record["deciding"] == ["daeb-inkomensgrens"]


@pytest.mark.parametrize("text,expected", [("1-6-2025", "2025-06-01"), ("01-06-2025", "2025-06-01"),
                                           ("2025-06-01", "2025-06-01")])
def test_date_option_reads_the_dutch_forms(tmp_path, text, expected):
    f = tmp_path / "hh.yaml"
    f.write_text(_household("24500"), encoding="utf-8")
    res = run("evaluate", OB, "--unit", UNIT, "--household", f, "--date", text, "--format", "json")
    assert res.exit_code == 0 and json.loads(res.stdout)["inputs"]["date"] == expected


@pytest.mark.parametrize("text", ["20250601", "2025-W23-1", "01-06-25", "2025-6-1", "32-1-2025"])
def test_date_option_refuses_other_forms(text):
    res = run("status", OB, "--date", text)
    assert res.exit_code == 2 and "--date: " in res.output and "Traceback" not in res.output
    assert "date-form" in res.output or "invalid-date" in res.output


def test_a_household_income_under_1000_is_a_warning_that_evaluate_shows(tmp_path):
    f = tmp_path / "hh.yaml"
    f.write_text(_household("45.50"), encoding="utf-8")
    res = run("evaluate", OB, "--unit", UNIT, "--household", f, "--date", "2025-06-01", "--format", "json")
    assert res.exit_code == 0 and f"{f}:3:9: implausible (waarschuwing)" in res.stderr
    assert json.loads(res.stdout)["inputs"]["household"]["income"] == "45.5"


# --- policy files (validate) ------------------------------------------------------------------------

COMPLEX = "complexes/zw-asn-01.yaml"
FIRST_RENT = "{id: ZW-ASN-01-A01, rooms: 3, rent: 640.00}"


@pytest.mark.parametrize("file,old,new,code,where,exit_code,strict_exit", [
    (COMPLEX, FIRST_RENT, FIRST_RENT.replace("640.00", "1.050"), "dutch-thousands", ":14:45", 1, 1),
    (COMPLEX, FIRST_RENT, FIRST_RENT.replace("640.00", "1.234.567"), "number-notation", ":14:45", 1, 1),
    (COMPLEX, FIRST_RENT, FIRST_RENT.replace("640.00", "1.0e+400"), "number-too-long", ":14:45", 1, 1),
    (COMPLEX, FIRST_RENT, FIRST_RENT.replace("640.00", "45"), "implausible", ":14:45", 0, 1),
    (COMPLEX, FIRST_RENT, FIRST_RENT.replace("640.00", "6000"), "implausible", ":14:45", 0, 1),
    (COMPLEX, FIRST_RENT, FIRST_RENT.replace("rooms: 3", "rooms: 0"), "out-of-range", ":14:36", 1, 1),
    ("parameters.yaml", "value: 27725,", "value: -27725,", "negative", ":10:", 1, 1),
    ("parameters.yaml", "value: 27725,", "value: 27.725,", "dutch-thousands", ":10:", 1, 1),
    ("parameters.yaml", "value: 27725,", "value: 1.0e+5000,", "number-too-long", ":10:", 1, 1),
    ("parameters.yaml", "value: 27725,", "value: 95%,", "percent-for-amount", ":10:", 1, 1),  # once EUR 0.95
    ("parameters.yaml", "value: 27725,", "value: 27725.001,", "finer-than-cents", ":10:", 1, 1),
    (COMPLEX, FIRST_RENT, FIRST_RENT.replace("640.00", "640.0051"), "finer-than-cents", ":14:45", 1, 1),
])
def test_policy_files_refuse_or_warn(policy_copy, file, old, new, code, where, exit_code, strict_exit):
    from conftest import mutate

    mutate(policy_copy / file, old, new)
    if where.endswith(":"):  # the line is where the new text is (other changes to the example may move it)
        lines = (policy_copy / file).read_text(encoding="utf-8").splitlines()
        where = f":{next(n for n, text in enumerate(lines, 1) if new in text)}:"
    for strict, expected in ((), exit_code), (("--strict",), strict_exit):
        res = run("validate", "pol", *strict)
        assert res.exit_code == expected and "Traceback" not in res.output, res.output
        assert re.search(re.escape(f"pol/{file}{where}") + r"[0-9]*: " + re.escape(code), res.output), res.output


def test_a_rent_with_two_decimals_is_clear(policy_copy):
    from conftest import mutate

    mutate(policy_copy / COMPLEX, FIRST_RENT, FIRST_RENT.replace("640.00", "682.96"))
    res = run("validate", "pol", "--strict")
    assert f"pol/{COMPLEX}:14:" not in res.output and "Traceback" not in res.output, res.output
    assert run("validate", "pol").exit_code == 0


# --- test cases and their rows (magicmix test) -------------------------------------------------------

CASE = """tests:
  - name: "rij {n}"
    given:
      household: {size: "{s}", income: "{i}", category: regulier}
      unit: ZW-ASN-01-A09
      date: 2025-06-01
    expect: {outcome: passend}
    rows:
      - {n: 1, s: ROW_S, i: ROW_I}
"""


@pytest.mark.parametrize("size,income,code", [("twee", "24500", "not-a-number"), ("0", "24500", "out-of-bounds"),
                                              ("2", "-5", "negative"), ("2", "1.0e+400", "number-too-long"),
                                              ("2", "45.500", "dutch-thousands"), ("true", "24500", "not-a-number"),
                                              ("2", "20000000", "out-of-bounds")])
def test_test_case_rows_go_through_the_readers(policy_copy, size, income, code):
    shutil.rmtree(policy_copy / "tests")
    (policy_copy / "tests").mkdir()
    f = policy_copy / "tests" / "rows.yaml"
    f.write_text(CASE.replace("ROW_S", size).replace("ROW_I", income), encoding="utf-8")
    res = run("test", "pol")
    assert res.exit_code == 1 and "Traceback" not in res.output, res.output
    assert re.search(r"pol/tests/rows\.yaml:9:[0-9]+: " + re.escape(code), res.output), res.output


# --- the table and the schemas agree ---------------------------------------------------------------

def test_schema_bounds_equal_the_table():
    from rules_engine.load.schemas_check import schema_text
    from rules_engine.load.values import BOUNDS, HOUSEHOLD_ID_PATTERN, ID_MAX_LENGTH, ID_PATTERN

    def at(kind, *path):
        node = json.loads(schema_text(kind))
        for p in path:
            node = node[p]
        return node

    unit = ("properties", "portieken", "items", "properties", "units", "items", "properties")
    profile = ("properties", "profile", "items", "properties")
    places = {
        "rent": [at("complex", *unit, "rent")],
        "rooms": [at("complex", *unit, "rooms")],
        "floor": [at("complex", *unit, "floor")],
        "income": [at(k, *p, "income") for k, p in (("household", ("properties",)),
                                                     ("candidates", ("properties", "candidates", "items", "properties")))],
        "size": [at(k, *p, "size") for k, p in (("household", ("properties",)),
                                                 ("candidates", ("properties", "candidates", "items", "properties")))],
        "age": [at("household", "properties", "age")],
        "amount": [at("parameters", "properties", "parameters", "additionalProperties", "properties", "values",
                      "items", "properties", "value", "anyOf", 0)],
        "min_households": [at(k, *p, "min_households") for k, p in (("policy", ("properties", "mix", "properties")),
                                                                     ("complex", profile))],
        "portiek_max": [at(k, *p, "portiek_max_households", "additionalProperties")
                        for k, p in (("policy", ("properties", "mix", "properties")), ("complex", profile))],
        "households": [at("testcase", "$defs", "case", "properties", "given", "properties", "occupancy", "anyOf", 2,
                          "properties", level, "additionalProperties", "anyOf", 0)
                       for level in ("portiek", "complex", "buurt")],
    }
    for kind, nodes in places.items():
        b = BOUNDS[kind]
        for node in nodes:
            low = node.get("exclusiveMinimum" if b.exclusive_minimum else "minimum")
            assert (low, node.get("maximum")) == (b.minimum, b.maximum), kind
    tc = at("testcase", "$defs", "case", "properties", "given", "properties", "household", "properties")
    assert tc["income"]["anyOf"][0]["maximum"] == BOUNDS["income"].maximum
    for kind in ("policy", "complex", "parameters", "household", "candidates", "occupancy", "testcase"):
        assert at(kind, "$defs", "id", "pattern") == ID_PATTERN and at(kind, "$defs", "id", "maxLength") == ID_MAX_LENGTH
    for kind, path in (("household", ("properties", "id")), ("occupancy", ("properties", "occupancy", "items",
                                                                            "properties", "household")),
                       ("candidates", ("properties", "candidates", "items", "properties", "id"))):
        assert at(kind, *path, "pattern") == HOUSEHOLD_ID_PATTERN and at(kind, *path, "maxLength") == ID_MAX_LENGTH


def test_there_are_at_least_40_misreadings():
    assert len(REFUSED) + len(READ) >= 40


def test_a_home_twice_across_the_two_halves_of_a_large_file_is_found_as_in_one_pass(tmp_path, monkeypatch):
    from rules_engine.stock import composition_scan
    from rules_engine import load_policy
    from rules_engine.stock.composition_scan import composition_at
    from rules_engine.diagnostics import PolicyError
    from rules_engine.load.occupancy import load_occupancy

    policy = load_policy(str(OB)).policy
    homes = list(policy.units)
    lines = [f"{u},h{i},regulier,2024-01-01" for i, u in enumerate(homes[:60])]
    lines.append(f"{homes[3]},twin,aandacht,1-1-2024")  # row 62, in the second half; its first row is row 5
    path = tmp_path / "twice.csv"
    path.write_text("unit,household,category,valid_from\n" + "\n".join(lines) + "\n", encoding="utf-8")
    found = []
    for parallel in (10**9, 0):  # one pass, then two halves (the second in a forked process)
        monkeypatch.setattr(composition_scan, "PARALLEL_FROM", parallel)
        with pytest.raises(PolicyError) as exc:
            composition_at(str(path), policy, dt.date(2025, 1, 1))
        found.append([(d.code, d.line, d.column, d.en) for d in exc.value.diagnostics])
    with pytest.raises(PolicyError) as exc:
        load_occupancy(str(path), policy)
    found.append([(d.code, d.line, d.column, d.en) for d in exc.value.diagnostics])
    assert found[0] == found[1] == found[2] == [
        ("occupancy-twice", 62, 4, f"home {homes[3]} appears twice on 2024-01-01 in the occupancy (also at row 5)")]


def test_a_home_twice_on_its_second_date_across_the_two_halves_is_found_as_in_one_pass(tmp_path, monkeypatch):
    from rules_engine.stock import composition_scan
    from rules_engine import load_policy
    from rules_engine.stock.composition_scan import composition_at
    from rules_engine.diagnostics import PolicyError

    policy = load_policy(str(OB)).policy
    homes = list(policy.units)
    lines = [f"{u},h{i},regulier,2024-01-01" for i, u in enumerate(homes[:60])]
    lines[10:10] = [f"{homes[3]},moved,actief,2024-06-01"]  # row 12: home 3's second date, first half
    lines += [f"{homes[7]},later,actief,2024-06-01", f"{homes[7]},twin,actief,2024-01-01",  # rows 63, 64
              f"{homes[3]},twin,aandacht,2024-06-01"]  # row 65: home 3 on its second date again
    path = tmp_path / "twice.csv"
    path.write_text("unit,household,category,valid_from\n" + "\n".join(lines) + "\n", encoding="utf-8")
    found = []
    for parallel in (10**9, 0):
        monkeypatch.setattr(composition_scan, "PARALLEL_FROM", parallel)
        with pytest.raises(PolicyError) as exc:
            composition_at(str(path), policy, dt.date(2025, 1, 1))
        found.append([(d.code, d.line, d.en.split("(also at ")[1]) for d in exc.value.diagnostics])
    assert found[0] == found[1] == [("occupancy-twice", 64, "row 9)"), ("occupancy-twice", 65, "row 12)")]


@pytest.mark.parametrize("bad", ["hh\n1", "a" * 65, "hh 1", "-hh", "hh\u00e91"])
def test_a_bad_household_id_among_thousands_is_found_at_its_row(tmp_path, bad):
    """Household ids are checked a block at a time: the bad one is still named at its own row."""
    from rules_engine import load_policy
    from rules_engine.diagnostics import PolicyError
    from rules_engine.load.occupancy import load_occupancy

    policy = load_policy(str(OB)).policy
    homes = list(policy.units)
    rows = [[homes[k % len(homes)], f"hh-{k}", "regulier", (dt.date(2020, 1, 1) + dt.timedelta(k // len(homes)))
             .isoformat()] for k in range(6000)]
    rows[4500][1] = bad
    import csv

    path = tmp_path / "many.csv"
    with open(path, "w", encoding="utf-8", newline="") as fh:
        writer = csv.writer(fh)
        writer.writerow(["unit", "household", "category", "valid_from"])
        writer.writerows(rows)
    with pytest.raises(PolicyError) as exc:
        load_occupancy(str(path), policy)
    assert [(d.code, d.line, d.column) for d in exc.value.diagnostics] == [("invalid-id", 4502, 2)]
