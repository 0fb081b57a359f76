"""The web app's plain parts: candidate uploads and the household form read through the project's readers,
sessions that expire, the Origin check, the home search and the decision body sent to the service."""

from __future__ import annotations

import datetime as dt
import io
import json
from decimal import Decimal
from fractions import Fraction

import pytest
from starlette.requests import Request

from conftest import OB
from rules_engine.api import load_policy
from rules_engine.engine.explain import decision_from_dict
from rules_engine.allocation.rank import load_candidates
from rules_engine.webapp.backend import review_body
from rules_engine.webapp.candidates import Refusal, read_form, read_upload
from rules_engine.webapp.security import same_origin
from rules_engine.webapp.sessions import MemorySessions, SharedSessions
from rules_engine.webapp.views import MAX_MATCHES, search_homes

HOME = "ZW-ASN-01-A09"
DAY = dt.date(2025, 6, 1)


@pytest.fixture(scope="module")
def program():
    return load_policy(str(OB))


def test_a_dutch_excel_csv_reads_thousands_and_decimal_commas_exactly(program):
    data = "id;size;income;category\nkd-1;2;24.500;aandacht\nkd-2;1;31.000,50;regulier\n".encode()
    got = read_upload("export.csv", data, program, HOME, DAY)
    assert [(h.id, h.size, h.income, h.category) for h in got] == [
        ("kd-1", 2, Fraction(24500), "aandacht"), ("kd-2", 1, Fraction(62001, 2), "regulier")]


def test_an_upload_with_bad_rows_is_refused_whole_naming_each_row(program):
    data = ("id,size,income,category\nkd-1,2,24500,aandacht\nkd-2,1,1.050,regulier\nkd-3,0,20000,regulier\n"
            "kd-4,2,20000,onbekend\nkd-1,2,20000,regulier\n").encode()
    with pytest.raises(Refusal) as info:
        read_upload("export.csv", data, program, HOME, DAY)
    texts = [p.nl for p in info.value.problems]
    assert [p.where for p in info.value.problems] == ["3", "4", "5", "6"]
    assert "1.050" in texts[0] and "rij 4" in texts[1] and "onbekend" in texts[2] and "rij 2" in texts[3]


def test_a_row_for_another_home_is_refused(program):
    data = b"id,size,income,category,unit\nkd-1,2,24500,aandacht,ZW-ASN-01-A01\n"
    with pytest.raises(Refusal) as info:
        read_upload("export.csv", data, program, HOME, DAY)
    assert "ZW-ASN-01-A01" in info.value.problems[0].en


def test_xlsx_and_yaml_uploads_give_the_same_candidates(program):
    import openpyxl

    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(["id", "size", "income", "category"])
    for c in load_candidates(str(OB / "examples" / "kandidaten.yaml")):
        sheet.append([c.id, c.size, int(c.income), c.category])
    out = io.BytesIO()
    book.save(out)
    from_xlsx = read_upload("export.xlsx", out.getvalue(), program, HOME, DAY)
    from_yaml = read_upload("kandidaten.yaml", (OB / "examples" / "kandidaten.yaml").read_bytes(), program, HOME, DAY)
    assert from_xlsx == from_yaml == load_candidates(str(OB / "examples" / "kandidaten.yaml"))


def test_a_broken_workbook_or_an_unknown_kind_is_refused_with_a_message(program):
    with pytest.raises(Refusal) as info:
        read_upload("export.xlsx", b"PK\x03\x04 not really", program, HOME, DAY)
    assert "Excel" in info.value.problems[0].nl
    with pytest.raises(Refusal):
        read_upload("export.pdf", b"%PDF", program, HOME, DAY)


def test_the_household_form_reads_dutch_amounts_and_names_each_bad_field(program):
    h = read_form({"id": "hh-1", "size": "3", "income": "€ 24.500,50", "category": "actief", "age": ""}, program)
    assert (h.id, h.size, h.income, h.category, h.age) == ("hh-1", 3, Fraction(49001, 2), "actief", None)
    with pytest.raises(Refusal) as info:
        read_form({"id": "hh 1", "size": "0", "income": "24,500", "category": "x", "age": "7"}, program)
    by_field = {p.where: p for p in info.value.problems}
    assert set(by_field) == {"id", "size", "income", "category", "age"}
    assert "24,500" in by_field["income"].nl and "24500" in by_field["income"].nl
    with pytest.raises(Refusal) as info:
        read_form({}, program)
    assert {p.where for p in info.value.problems} == {"id", "size", "income", "category"}


@pytest.mark.parametrize("kind", ["memory", "shared"])
def test_sessions_expire_when_idle_and_at_their_maximum_and_rotate_at_login(kind, tmp_path):
    now = [0.0]
    store = MemorySessions(idle=60, maximum=300, clock=lambda: now[0]) if kind == "memory" else \
        SharedSessions(str(tmp_path / "s.db"), idle=60, maximum=300, clock=lambda: now[0])
    s = store.new()
    old_id, old_csrf = s.id, s.csrf
    store.rotate(s)
    assert store.get(old_id) is None and store.get(s.id).csrf == s.csrf != old_csrf
    now[0] = 59
    assert store.get(s.id) is not None  # seen: its idle clock starts again
    now[0] = 120
    assert store.get(s.id) is None  # 61 s idle
    t = store.new()
    for minute in range(1, 6):
        now[0] = 120 + minute * 59
        assert store.get(t.id).id == t.id
    now[0] = 120 + 301
    assert store.get(t.id) is None  # past its maximum, however busy
    assert not t.check_csrf("") and not t.check_csrf("wrong") and t.check_csrf(t.csrf)


def test_shared_sessions_carry_the_letting_across_worker_processes(tmp_path):
    from rules_engine.lang.facts import Household

    one, two = SharedSessions(str(tmp_path / "s.db")), SharedSessions(str(tmp_path / "s.db"))  # two workers
    s = one.new("en")
    s.principal = {"token_id": "t-1", "role": "decide", "reviewer": "mw-1", "via": "token"}
    s.unit, s.date = HOME, "2025-06-01"
    s.candidates = [Household("kd-1", 2, Fraction(49001, 2), "aandacht", 40, ("f1",))]
    one.save(s)
    seen = two.get(s.id)
    assert (seen.lang, seen.principal, seen.unit, seen.candidates) == ("en", s.principal, HOME, s.candidates)
    two.end(seen)
    assert one.get(s.id) is None


def _request(headers: dict) -> Request:
    return Request({"type": "http", "method": "POST", "scheme": "http", "server": ("127.0.0.1", 8080), "path": "/",
                    "headers": [(k.lower().encode(), v.encode()) for k, v in headers.items()] +
                    [(b"host", b"127.0.0.1:8080")]})


def test_the_origin_check_takes_origin_then_referer_and_refuses_neither():
    assert same_origin(_request({"Origin": "http://127.0.0.1:8080"}))
    assert not same_origin(_request({"Origin": "http://127.0.0.1:9090"}))
    assert not same_origin(_request({"Origin": "null"}))
    assert same_origin(_request({"Referer": "http://127.0.0.1:8080/app/kandidaten"}))
    assert not same_origin(_request({"Referer": "http://evil.example/app/"}))
    assert not same_origin(_request({}))
    assert same_origin(_request({"Origin": "https://portal.example"}), ("https://portal.example",))


def test_homes_are_found_by_id_address_and_complex(program):
    found, more = search_homes(program, HOME, "nl")
    assert [m.unit for m in found] == [HOME] and not more
    by_address, _ = search_homes(program, "karnebeek", "nl")
    assert HOME in [m.unit for m in by_address] and {m.complex for m in by_address} == {"ZW-ASN-01"}
    by_complex, _ = search_homes(program, "zw-asn-01", "nl")
    assert HOME in [m.unit for m in by_complex]
    many, more = search_homes(program, "ZW", "nl")
    assert len(many) == MAX_MATCHES and more
    assert search_homes(program, "  ", "nl") == ([], False)


def test_the_decision_body_carries_the_income_exactly(program):
    from rules_engine.api import evaluate, example_occupancy
    from rules_engine.lang.facts import Household

    d = evaluate(program, Household("hh-9", 2, Fraction(49001, 2), "aandacht"), HOME, DAY, example_occupancy(program))
    d = decision_from_dict(json.loads(json.dumps(d.to_dict())))
    body = review_body(d, {"followed": True, "outcome": d.outcome, "reviewer": "mw-1", "reason": None})
    data = json.loads(body, parse_float=Decimal)
    assert data["evaluate"]["household"]["income"] == Decimal("24500.5")
    assert data["evaluate"]["unit"] == HOME and data["evaluate"]["date"] == "2025-06-01"
    assert "reason" not in data and data["followed"] is True


def test_older_and_route_survive_every_upload_the_session_and_the_decision_body(program, tmp_path):
    # dropped anywhere, an older household (whose limit for the year is unknown: onbeslist) is ranked passend
    from rules_engine.api import evaluate, example_occupancy, rank
    from rules_engine.load.occupancy import composition

    csv_text = b"id,size,income,category,older,route\nkd-1,1,30000,actief,true,\nkd-2,2,24500,aandacht,,urgentie\n"
    yaml_text = (b"candidates:\n  - {id: kd-1, size: 1, income: 30000, category: actief, older: true}\n"
                 b"  - {id: kd-2, size: 2, income: 24500, category: aandacht, route: urgentie}\n")
    from_csv = read_upload("export.csv", csv_text, program, HOME, DAY)
    from_yaml = read_upload("kandidaten.yaml", yaml_text, program, HOME, DAY)
    assert from_csv == from_yaml
    assert [(h.older, h.route) for h in from_csv] == [(True, None), (False, "urgentie")]
    store = SharedSessions(str(tmp_path / "s.db"))
    s = store.new()
    s.candidates = from_csv
    store.save(s)
    kept = SharedSessions(str(tmp_path / "s.db")).get(s.id).candidates
    assert kept == from_csv
    occupancy = example_occupancy(program)
    ranked = rank(program, list(kept), HOME, composition(program.policy, occupancy, DAY))
    outcomes = {c.household: c.outcome for c in ranked.ranked + ranked.dropped}
    assert outcomes == {"kd-1": "onbeslist", "kd-2": "plaatsing"}
    d = decision_from_dict(json.loads(json.dumps(evaluate(program, kept[0], HOME, DAY, occupancy).to_dict())))
    body = json.loads(review_body(d, {"followed": True, "outcome": d.outcome, "reviewer": "mw-1"}))
    assert body["evaluate"]["household"]["older"] is True


def test_the_household_form_reads_the_older_box_and_a_route_of_the_policy(program):
    base = {"id": "hh-1", "size": "1", "income": "30.000", "category": "actief"}
    h = read_form({**base, "older": "ja", "route": "urgentie"}, program)
    assert (h.older, h.route) == (True, "urgentie")
    assert (read_form(base, program).older, read_form(base, program).route) == (False, None)
    with pytest.raises(Refusal) as info:
        read_form({**base, "older": "misschien", "route": "vip"}, program)
    assert {p.where for p in info.value.problems} == {"older", "route"}
