"""What makes `magicmix status` fast on a national stock must not change a single figure.

The columnar unit table, the policy cache, the one-pass composition (in one or two processes)
and the fast JSON writer are each checked against the plain way of getting the same thing.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import pickle
import threading
import random
import subprocess
import sys
from fractions import Fraction

import pytest
from hypothesis import given
from hypothesis import strategies as st

from conftest import OB, ROOT
from rules_engine.load import cache
from rules_engine.stock import composition_scan
from rules_engine import load_policy
from rules_engine.api import check_policy
from rules_engine.stock.composition_scan import composition_at
from rules_engine.diagnostics import PolicyError
from rules_engine.render.numbers import ratio_text
from rules_engine.load.occupancy import composition, load_occupancy
from rules_engine.render.portfolio_report import _group_json, status_json
from rules_engine.stock.status import portfolio_status

EXAMPLE = OB / "examples" / "bezetting-2024-2025.csv"
DATES = [dt.date(2022, 12, 31), dt.date(2023, 1, 1), dt.date(2024, 6, 30), dt.date(2025, 2, 15), dt.date(2026, 1, 1)]


@pytest.fixture(scope="module")
def program():
    return load_policy(str(OB))


# --- the unit table -------------------------------------------------------------------------------

def test_unit_table_reads_like_a_mapping_of_units(program):
    units = program.policy.units
    ids = list(units)
    assert len(units) == len(ids) == len(set(ids)) > 100
    unit = units[ids[5]]
    assert unit.id == ids[5] and ids[5] in units and "no-such-home" not in units
    assert units.get("no-such-home") is None
    assert unit.portiek.startswith(unit.complex + "/")
    assert unit.where.file.endswith(".yaml") and unit.where.line > 1
    assert units.places()[units.place_number(ids[5])] == (unit.portiek, unit.complex, unit.buurt)
    # every complex's portieken hold exactly the homes whose portiek they are
    for cx in program.policy.complexes.values():
        for key, homes in cx.portieken.items():
            assert all(units[h].portiek == key and units[h].complex == cx.id for h in homes)
    assert sum(units.homes_per_place()) == len(units)
    first, end = units.place_ranges()[0]
    assert {units[h].portiek for h in ids[first:end]} == {units.places()[0][0]}


def test_unit_table_survives_pickling_unchanged(program):
    units = program.policy.units
    copy = pickle.loads(pickle.dumps(units))
    assert list(copy) == list(units)
    assert all(copy[u] == units[u] for u in units)


# --- the policy cache -----------------------------------------------------------------------------

@pytest.fixture
def cache_dir(tmp_path, monkeypatch):
    folder = tmp_path / "cache"
    monkeypatch.setenv("MAGICMIX_CACHE_DIR", str(folder))
    return folder


def _entries(folder):
    return sorted(folder.glob("policy-*.pickle")) if folder.exists() else []


def test_the_example_occupancy_is_the_one_the_check_read_and_the_entry_carries_it(policy_copy, cache_dir, monkeypatch):
    """example_occupancy() gives the occupancy.yaml as the policy's check read it, from the check and from the cache
    entry alike, without reading the file again; an entry whose second part is no occupancy is refused."""
    from rules_engine import api
    from rules_engine.load.occupancy import load_occupancy

    program = load_policy("pol")
    expected = load_occupancy("pol/occupancy.yaml", program.policy)
    monkeypatch.setattr(api, "load_occupancy", lambda *a: pytest.fail("read occupancy.yaml again"))
    assert api.example_occupancy(program) == expected
    api._EXAMPLES.clear()
    monkeypatch.setattr(api, "check_policy", lambda *a: pytest.fail("read the files again"))
    again = load_policy("pol")  # from the entry
    assert again.policy is not program.policy and api.example_occupancy(again) == expected
    [entry] = _entries(cache_dir)
    key = entry.name[len("policy-"):-len(".pickle")]
    secret = cache.entry_key(str(cache_dir))
    cache.write_entry(str(entry), cache._MAGIC + key.encode("ascii"), secret, (again.policy, "not an occupancy"))
    assert cache.load("pol")[1] is None and not entry.exists()


def test_a_cached_policy_is_the_policy(policy_copy, cache_dir, monkeypatch):
    first = load_policy("pol")
    assert len(_entries(cache_dir)) == 1
    monkeypatch.setattr("rules_engine.api.check_policy", lambda root: pytest.fail("read the files again"))
    second = load_policy("pol")
    a, b = first.policy, second.policy
    assert b is not a and b.content_hash == a.content_hash
    assert list(b.units) == list(a.units) and all(b.units[u] == a.units[u] for u in a.units)
    assert [r.where for r in b.rules] == [r.where for r in a.rules]
    assert b.complexes.keys() == a.complexes.keys()


def test_a_changed_file_is_read_again(policy_copy, cache_dir):
    load_policy("pol")
    rent = next((policy_copy / "complexes").glob("*.yaml"))
    rent.write_text(rent.read_text(encoding="utf-8") + "\n# een opmerking\n", encoding="utf-8")
    before = len(_entries(cache_dir))
    again = load_policy("pol")
    assert before == 1 and len(_entries(cache_dir)) == 2
    assert again.policy.content_hash == check_policy("pol")[0].policy.content_hash


def test_a_damaged_or_foreign_entry_is_ignored_and_removed(policy_copy, cache_dir):
    load_policy("pol")
    [entry] = _entries(cache_dir)
    head = entry.read_bytes()[:len(cache._MAGIC) + 64]
    entry.write_bytes(head + pickle.dumps(os.system))  # names a function: never called, refused
    assert load_policy("pol").policy.id == "openbaar-belang"
    assert len(_entries(cache_dir)) == 1 and entry.read_bytes() != head + pickle.dumps(os.system)
    entry.write_bytes(entry.read_bytes()[:1000])  # cut short
    assert load_policy("pol").policy.id == "openbaar-belang"


def test_the_entry_read_early_is_used_only_when_the_key_is_its_own(policy_copy, cache_dir, monkeypatch):
    """While the key is made, the entry of the folder's last key is read and checked in a thread; a folder that
    changed, a guess that names another entry, or an entry damaged since, is read the ordinary way (or missed)."""
    first = load_policy("pol").policy
    [entry] = _entries(cache_dir)
    [last] = cache_dir.glob("digests-*.last")
    assert entry.name == f"policy-{last.read_text()}.pickle"
    reads = []
    real = cache.verified_entry
    monkeypatch.setattr(cache, "verified_entry", lambda *a: reads.append(threading.current_thread().name) or real(*a))
    from rules_engine import api

    check = api.check_policy
    monkeypatch.setattr(api, "check_policy", lambda root, parts=None: pytest.fail("read the files again"))
    again = load_policy("pol").policy
    assert reads == [reads[0]] and reads[0] != threading.main_thread().name  # read once, in the thread
    assert again.content_hash == first.content_hash and list(again.units) == list(first.units)
    monkeypatch.setattr(cache, "verified_entry", real)
    last.write_text("0" * 64)  # a guess of no entry: read the ordinary way
    assert load_policy("pol").policy.content_hash == first.content_hash and last.read_text() != "0" * 64
    other = cache_dir / f"policy-{'1' * 64}.pickle"  # a guess naming another (valid) entry: its bytes are not used
    other.write_bytes(entry.read_bytes())
    last.write_text("1" * 64)
    reads.clear()
    monkeypatch.setattr(cache, "verified_entry", lambda *a: reads.append(a[0]) or real(*a))
    assert load_policy("pol").policy.content_hash == first.content_hash
    assert sorted(reads) == sorted([str(other), str(entry)])
    head = entry.read_bytes()[:len(cache._MAGIC) + 64 + cache._MAC]
    damaged = head + pickle.dumps(os.system)
    entry.write_bytes(damaged)  # damaged since: refused in the thread and again, removed (and written anew)
    monkeypatch.setattr(cache, "verified_entry", real)
    monkeypatch.setattr(api, "check_policy", check)
    assert load_policy("pol").policy.id == "openbaar-belang" and entry.read_bytes() != damaged


def test_no_cache_when_turned_off_or_the_folder_is_open_to_others(policy_copy, cache_dir, monkeypatch):
    monkeypatch.setenv("MAGICMIX_CACHE", "off")
    load_policy("pol")
    assert _entries(cache_dir) == []
    monkeypatch.delenv("MAGICMIX_CACHE")
    cache_dir.mkdir()
    os.chmod(cache_dir, 0o777)
    load_policy("pol")
    assert _entries(cache_dir) == []


def test_a_small_policy_is_cached_too_but_gets_no_parts(policy_copy, tmp_path, monkeypatch):
    """The example policy is checked in a tenth of a second, and its entry still loads faster than its files are
    read and checked; packs of complex parts are kept for policies that took cache_parts.MIN_SECONDS to check."""
    monkeypatch.setenv("MAGICMIX_CACHE_DIR", str(tmp_path / "c"))
    load_policy("pol")
    assert len(_entries(tmp_path / "c")) == 1 and not list((tmp_path / "c").glob("parts-*"))
    monkeypatch.setattr("rules_engine.api.check_policy", lambda *a: pytest.fail("read the files again"))
    assert load_policy("pol").policy.id == "openbaar-belang"


# --- the composition in one pass ------------------------------------------------------------------

def _same(a, b):
    assert a.date == b.date
    assert dict(a.groups) == dict(b.groups)
    assert dict(a.by_unit) == dict(b.by_unit)


@pytest.mark.parametrize("two_halves", [False, True])
def test_composition_at_equals_loading_every_row(program, two_halves, monkeypatch):
    if two_halves:
        monkeypatch.setattr(composition_scan, "PARALLEL_FROM", 0)
    occ = load_occupancy(str(EXAMPLE), program.policy)
    for date in DATES:
        _same(composition_at(str(EXAMPLE), program.policy, date), composition(program.policy, occ, date))


def _shuffled_rows(program, tmp_path, seed: int):
    """An export in random order, with moves and empty homes (a home twice on one date is refused: test_misreadings)."""
    rng = random.Random(seed)
    homes = list(program.policy.units)[:120]
    cats = program.policy.category_ids
    rows = []
    for unit in homes:
        days = {dt.date(2023, 1, 1) + dt.timedelta(days=rng.randint(0, 900)) for _ in range(rng.randint(1, 3))}
        for day in sorted(days):
            rows.append((unit, f"h{rng.randint(1, 10**6)}" if rng.random() > 0.15 else "", rng.choice(cats), day))
    rng.shuffle(rows)
    path = tmp_path / f"export-{seed}.csv"
    path.write_text("unit,household,category,valid_from\n" + "".join(
        f"{u},{h},{c if h else ''},{d.strftime('%d-%m-%Y') if i % 2 else d.isoformat()}\n"
        for i, (u, h, c, d) in enumerate(rows)), encoding="utf-8")
    return path


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_composition_at_in_two_halves_equals_one_pass_on_shuffled_exports(program, tmp_path, monkeypatch, seed):
    path = _shuffled_rows(program, tmp_path, seed)
    occ = load_occupancy(str(path), program.policy)
    one = [composition_at(str(path), program.policy, d) for d in DATES]
    monkeypatch.setattr(composition_scan, "PARALLEL_FROM", 0)
    for date, single in zip(DATES, one):
        two = composition_at(str(path), program.policy, date)
        _same(two, single)
        _same(two, composition(program.policy, occ, date))


def test_errors_in_both_halves_name_their_rows(program, tmp_path, monkeypatch):
    lines = ["unit,household,category,valid_from"] + [f"{u},h{i},regulier,2024-01-01"
                                                      for i, u in enumerate(list(program.policy.units)[:40])]
    lines[3] = "ZW-NIET-01,h,regulier,2024-01-01"  # row 4, first half
    lines[35] = f"{list(program.policy.units)[34]},h,regulier,31-02-2024"  # row 36, second half
    path = tmp_path / "bad.csv"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    expected = None
    for parallel in (10**9, 0):
        monkeypatch.setattr(composition_scan, "PARALLEL_FROM", parallel)
        with pytest.raises(PolicyError) as exc:
            composition_at(str(path), program.policy, dt.date(2025, 1, 1))
        found = [(d.code, d.line, d.column) for d in exc.value.diagnostics]
        assert found == [("unknown-unit", 4, 1), ("invalid-date", 36, 4)]
        expected = expected or found
        assert found == expected


def test_a_quoted_file_is_read_in_one_pass(program, tmp_path, monkeypatch):
    monkeypatch.setattr(composition_scan, "PARALLEL_FROM", 0)
    path = tmp_path / "quoted.csv"
    path.write_text(EXAMPLE.read_text(encoding="utf-8").replace(";regulier;", ';"regulier";'), encoding="utf-8")
    assert composition_scan._halves(str(path)) is None
    occ = load_occupancy(str(path), program.policy)
    _same(composition_at(str(path), program.policy, DATES[3]), composition(program.policy, occ, DATES[3]))


# --- exact shares as text, and the JSON writer ----------------------------------------------------

@given(st.integers(-10**9, 10**9), st.integers(1, 10**6))
def test_ratio_text_is_exact(n, d):
    text = ratio_text(n, d)
    assert Fraction(text) == Fraction(n, d)
    finite = Fraction(n, d).denominator
    for p in (2, 5):
        while finite % p == 0:
            finite //= p
    assert ("/" in text) == (finite != 1)


def test_status_json_lines_are_what_the_json_module_writes(program):
    occ = load_occupancy(str(EXAMPLE), program.policy)
    status = portfolio_status(program.policy, composition(program.policy, occ, dt.date(2025, 6, 1)))
    data = json.loads(status_json(status))
    assert data["groups"] == [json.loads(json.dumps(_group_json(g))) for g in status.groups]
    assert len(data["groups"]) == len(status.groups) > 20
    worst = status.groups[0]
    assert worst.state in ("above", "below", "both") and worst.deviation == Fraction(data["groups"][0]["deviation"])


def test_status_as_a_program_exits_cleanly_and_writes_everything(tmp_path):
    out = tmp_path / "s.json"
    proc = subprocess.run([sys.executable, str(ROOT / "cli.py"), "status", str(OB), "--occupancy", str(EXAMPLE),
                           "--date", "2025-06-01", "--format", "json", "-o", str(out)], capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr
    assert len(json.loads(out.read_text(encoding="utf-8"))["groups"]) > 20
    proc = subprocess.run([sys.executable, str(ROOT / "cli.py"), "status", str(OB), "--occupancy",
                           str(tmp_path / "nope.csv")], capture_output=True, text=True)
    assert proc.returncode == 2 and "Traceback" not in proc.stderr


# --- sources read with positions of containers and list items only --------------------------------

def test_a_partial_source_answers_every_position_exactly(tmp_path):
    from rules_engine.load.load_yaml import load_file

    path = next((OB / "complexes").glob("*.yaml"))
    full, partial = load_file(str(path)), load_file(str(path), complete=False)
    assert partial.data == full.data and len(partial.marks) < len(full.marks)
    for p in list(full.marks)[:200]:
        assert partial.where(p) == full.where(p)
    for p in list(full.key_marks)[:50]:
        assert partial.where(p, key=True) == full.where(p, key=True)
        assert partial.quote_offset(p) == full.quote_offset(p)


def test_a_partial_source_of_a_changed_file_falls_back_to_what_it_knows(tmp_path):
    from rules_engine.load.load_yaml import load_file

    path = tmp_path / "c.yaml"
    path.write_text("id: C1\nportieken:\n  - id: A\n    units:\n      - {id: U1, rooms: 2, rent: 500}\n", encoding="utf-8")
    partial = load_file(str(path), complete=False)
    path.write_text("id: C2\n", encoding="utf-8")
    unit = ("portieken", 0, "units", 0)
    assert partial.where(unit) == (5, 9)
    assert partial.where(unit + ("rent",)) == (5, 9)  # the home's own position: the file no longer says more


def test_composition_at_reads_excel_and_yaml_like_load_occupancy(program, tmp_path):
    openpyxl = pytest.importorskip("openpyxl")
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(["unit", "household", "category", "valid_from"])
    rows = [r.split(";") for r in EXAMPLE.read_text(encoding="utf-8").splitlines()[1:]]
    for unit, household, category, when in rows:
        sheet.append([unit, household or None, category or None, dt.date.fromisoformat(when)])
    path = tmp_path / "bezetting.xlsx"
    book.save(path)
    yaml_path = OB / "occupancy.yaml"
    for source in (path, yaml_path):
        occ = load_occupancy(str(source), program.policy)
        for date in DATES:
            _same(composition_at(str(source), program.policy, date), composition(program.policy, occ, date))


def test_hints_for_a_mistyped_home_come_from_its_sorted_neighbours(program, monkeypatch):
    from rules_engine.diagnostics import hint

    units = program.policy.units
    ordered = sorted(units)
    known = ordered[40]
    typo = known + "x"
    near = units.similar(typo, around=3)
    assert known in near and near == ordered[ordered.index(near[0]):ordered.index(near[0]) + len(near)]
    full = hint(list(units), typo)
    assert full[1] == f"; did you mean '{known}'?"
    monkeypatch.setattr("rules_engine.diagnostics.len", lambda c: 10**7, raising=False)  # as if national
    assert hint(units, typo) == full


def test_a_changed_schema_or_module_misses_the_cache(policy_copy, cache_dir, tmp_path, monkeypatch):
    load_policy("pol")
    key = cache.policy_key("pol")
    other = tmp_path / "other-schema.json"
    other.write_text("{}")
    with monkeypatch.context() as m:
        m.setattr(cache, "schema_path", lambda kind: str(other))
        cache._code_digest.cache_clear()
        assert cache.policy_key("pol") != key
    cache._code_digest.cache_clear()
    assert cache.policy_key("pol") == key


def test_when_the_second_process_fails_its_half_is_read_here(program, tmp_path, monkeypatch):
    path = _shuffled_rows(program, tmp_path, 4)
    single = composition_at(str(path), program.policy, DATES[3])
    monkeypatch.setattr(composition_scan, "PARALLEL_FROM", 0)
    monkeypatch.setattr(composition_scan, "_send_result", lambda connection, fn, args: os._exit(9))  # it dies
    _same(composition_at(str(path), program.policy, DATES[3]), single)


def test_the_cache_keeps_the_most_recently_used_entries(policy_copy, cache_dir, monkeypatch):
    monkeypatch.setattr(cache, "KEEP", 2)
    complex_file = next((policy_copy / "complexes").glob("*.yaml"))
    text = complex_file.read_text(encoding="utf-8")
    keys = []
    for n in range(3):
        complex_file.write_text(text + f"\n# versie {n}\n", encoding="utf-8")
        load_policy("pol")
        keys.append(cache.policy_key("pol"))
    assert sorted(p.name for p in _entries(cache_dir)) == sorted(f"policy-{k}.pickle" for k in keys[1:])


def test_an_unpickled_unit_table_builds_its_index_when_first_read(program):
    from rules_engine.model.units import UnitTable

    units = program.policy.units
    copy = pickle.loads(pickle.dumps(units))
    with pytest.raises(AttributeError):
        UnitTable._index.__get__(copy, UnitTable)  # not built by unpickling
    assert copy.ids_in_order() == list(units) and copy.distinct()
    find = copy.position_of()
    assert [find(u) for u in units] == list(range(len(units))) and find("no-such-home") is None
    assert "no-such-home" not in copy and copy.get("no-such-home") is None
    with pytest.raises(AttributeError):
        copy._no_such_column  # noqa: B018 - only the index is built on demand
