"""Occupancy rows checked a block at a time, column by column, give exactly what checking them one by
one gives: the same composition, and for a bad row the same messages at the same row and column."""

from __future__ import annotations

import datetime as dt
import random

import pytest

from conftest import OB
from rules_engine import load_policy
from rules_engine.diagnostics import PolicyError
from rules_engine.load import occupancy_rows
from rules_engine.load.occupancy import composition, load_occupancy
from rules_engine.stock import composition_scan
from rules_engine.stock.composition_scan import composition_at

DATE = dt.date(2025, 1, 1)


@pytest.fixture(scope="module")
def policy():
    return load_policy(str(OB)).policy


def _export(policy, rng: random.Random, in_order: bool, repeats: bool) -> list[str]:
    """Rows of an export: most homes once, some without a row, some empty, some (if repeats) on several dates."""
    cats = list(policy.category_ids)
    lines = []
    for i, unit in enumerate(policy.units):
        if rng.random() < 0.1:
            continue  # a home without a row
        days = [dt.date(2020, 1, 1)] + ([dt.date(2024, 6, 1), dt.date(2026, 1, 1)] if repeats and i % 5 == 0 else [])
        for day in days:
            household = f"h{i}.{day.year}" if rng.random() > 0.1 else ""
            lines.append(f"{unit},{household},{rng.choice(cats) if household else ''},{day.isoformat()}")
    if not in_order:
        rng.shuffle(lines)
    return lines


def _outcome(path, policy, monkeypatch, block: int, one_by_one: bool):
    """The composition's figures, or the messages, reading path a block of `block` rows at a time."""
    monkeypatch.setattr(occupancy_rows, "BLOCK", block)
    if one_by_one:
        monkeypatch.setattr(occupancy_rows._Checks, "block", lambda self, chunk: None)
    try:
        comp = composition_at(str(path), policy, DATE)
    except PolicyError as exc:
        return [(d.code, d.line, d.column, d.en) for d in exc.diagnostics]
    finally:
        monkeypatch.undo()
    return {k: (g.homes, g.occupied, dict(g.counts)) for k, g in comp.groups.items()}, dict(comp.by_unit)


def _same_both_ways(path, policy, monkeypatch, blocks=(1, 7, 64, 100_000)):
    slow = _outcome(path, policy, monkeypatch, 50, one_by_one=True)
    for block in blocks:
        assert _outcome(path, policy, monkeypatch, block, one_by_one=False) == slow, block
    return slow


@pytest.mark.parametrize("in_order", [True, False])
@pytest.mark.parametrize("repeats", [True, False])
def test_blocks_give_the_composition_of_one_by_one_and_of_load_occupancy(policy, tmp_path, monkeypatch,
                                                                         in_order, repeats):
    path = tmp_path / "export.csv"
    path.write_text("unit,household,category,valid_from\n" + "\n".join(
        _export(policy, random.Random(7), in_order, repeats)) + "\n", encoding="utf-8")
    groups, by_unit = _same_both_ways(path, policy, monkeypatch)
    plain = composition(policy, load_occupancy(str(path), policy), DATE)
    assert groups == {k: (g.homes, g.occupied, dict(g.counts)) for k, g in plain.groups.items()}
    assert by_unit == dict(plain.by_unit) and len(by_unit) > 50


BAD = {
    "unknown home": lambda u: f"NOPE-{u},hx,regulier,2020-01-01",
    "unknown category": lambda u: f"{u},hx,gewoon,2020-01-01",
    "category without household": lambda u: f"{u},,regulier,2020-01-01",
    "household without category": lambda u: f"{u},hx,,2020-01-01",
    "bad household id": lambda u: f"{u},h x!,regulier,2020-01-01",
    "bad date": lambda u: f"{u},hx,regulier,31-02-2020",
    "short row": lambda u: f"{u},hx",
    "spaces to strip": lambda u: f" {u} , hx ,regulier,2020-01-01",
    "empty row": lambda u: ",,,",
    "the home again on its date": lambda u: f"{u},twin,regulier,2020-01-01",
    "a second household on the row": lambda u: f"{u},hx,regulier,2020-01-01,hy,aandacht",
    "an empty cell past the header": lambda u: f"{u},hx,regulier,2020-01-01,",
}


@pytest.mark.parametrize("kind", sorted(BAD))
@pytest.mark.parametrize("in_order", [True, False])
def test_a_bad_row_late_in_the_file_gets_the_message_of_one_by_one(policy, tmp_path, monkeypatch, kind, in_order):
    lines = _export(policy, random.Random(3), in_order, repeats=False)
    given = {line.split(",")[0] for line in lines}
    unit = lines[20].split(",")[0] if kind.startswith("the home again") else \
        next(u for u in policy.units if u not in given)
    at = len(lines) - 9
    lines.insert(at, BAD[kind](unit))  # past the first blocks, which are read fast
    path = tmp_path / "bad.csv"
    path.write_text("unit,household,category,valid_from\n" + "\n".join(lines) + "\n", encoding="utf-8")
    outcome = _same_both_ways(path, policy, monkeypatch)
    if kind in ("spaces to strip", "empty row", "an empty cell past the header"):
        assert isinstance(outcome, tuple)  # read as before: stripped, or skipped
    else:
        assert isinstance(outcome, list) and outcome[0][1] == at + 2, outcome
    if kind == "a second household on the row":  # never read as a row of four that drops hy
        assert outcome[0][2] == 5 and "'hy'" in outcome[0][3] and "more cells than the header" in outcome[0][3]


def test_more_than_a_hundred_bad_rows_give_the_first_hundred_as_one_by_one(policy, tmp_path, monkeypatch):
    lines = _export(policy, random.Random(5), in_order=True, repeats=True)
    rng = random.Random(9)
    for k in range(150):
        at = rng.randrange(10, len(lines))
        unit = lines[at].split(",")[0]
        lines.insert(at, rng.choice(list(BAD.values()))(unit))
    path = tmp_path / "many.csv"
    path.write_text("unit,household,category,valid_from\n" + "\n".join(lines) + "\n", encoding="utf-8")
    outcome = _same_both_ways(path, policy, monkeypatch)
    assert isinstance(outcome, list) and len(outcome) == 100


def test_blocks_in_two_halves_give_what_one_pass_gives(policy, tmp_path, monkeypatch):
    lines = _export(policy, random.Random(11), in_order=True, repeats=True)
    lines.append(lines[3].replace(",h", ",twin", 1))  # the home of row 5 again on its date, in the second half
    path = tmp_path / "halves.csv"
    path.write_text("unit,household,category,valid_from\n" + "\n".join(lines) + "\n", encoding="utf-8")
    one = _same_both_ways(path, policy, monkeypatch)
    monkeypatch.setattr(composition_scan, "PARALLEL_FROM", 0)
    monkeypatch.setattr(occupancy_rows, "BLOCK", 16)
    with pytest.raises(PolicyError) as exc:
        composition_at(str(path), policy, DATE)
    assert [(d.code, d.line, d.column, d.en) for d in exc.value.diagnostics] == one
    assert one[0][0] == "occupancy-twice" and one[0][1] == len(lines) + 1


@pytest.mark.parametrize("in_order", [True, False])
def test_a_clean_export_is_checked_column_by_column(policy, tmp_path, monkeypatch, in_order):
    """The tests above compare the column checks with the one-by-one checks: they must really run."""
    lines = _export(policy, random.Random(13), in_order, repeats=False)
    kinds = []
    block = occupancy_rows._Checks.block

    def counted(self, chunk):
        checked = block(self, chunk)
        kinds.append(None if checked is None else (checked.fresh, checked.positions.__class__.__name__))
        return checked

    monkeypatch.setattr(occupancy_rows._Checks, "block", counted)
    monkeypatch.setattr(occupancy_rows, "BLOCK", 8)
    path = tmp_path / "clean.csv"
    path.write_text("unit,household,category,valid_from\n" + "\n".join(lines) + "\n", encoding="utf-8")
    composition_at(str(path), policy, DATE)
    assert len(kinds) == -(-len(lines) // 8) and None not in kinds and all(fresh for fresh, _ in kinds)
    assert ("range" in {k for _, k in kinds}) == in_order


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_the_composition_counted_per_complex_equals_adding_up_portieken(policy, tmp_path, seed):
    """Complexes counted over their homes at once give the groups, and the order of every group's counts, that
    adding up their portieken gives (groups_from_places)."""
    from rules_engine.load.occupancy import groups_from_places, load_occupancy_csv

    path = tmp_path / "export.csv"
    path.write_text("unit,household,category,valid_from\n" + "\n".join(
        _export(policy, random.Random(seed), in_order=seed % 2 == 0, repeats=True)) + "\n", encoding="utf-8")
    latest = load_occupancy_csv(str(path), policy, composition_scan._Latest(policy, DATE).take)
    fast = latest.composition(policy).groups
    plain = groups_from_places(policy, composition_scan._per_place(policy, bytes(latest.codes)))
    assert list(fast) == list(plain) and fast == plain
    assert [list(g.counts.items()) for g in fast.values()] == [list(g.counts.items()) for g in plain.values()]
    assert any(len(g.counts) > 1 for g in fast.values())


@pytest.mark.parametrize("in_order", [True, False])
def test_two_halves_joined_give_the_composition_of_one_pass(policy, tmp_path, monkeypatch, in_order):
    """In order, the halves share no home and are joined by their spans at once; shuffled, home by home."""
    path = tmp_path / "export.csv"
    path.write_text("unit,household,category,valid_from\n" + "\n".join(
        _export(policy, random.Random(17), in_order, repeats=True)) + "\n", encoding="utf-8")
    one = _outcome(path, policy, monkeypatch, 16, one_by_one=False)
    monkeypatch.setattr(composition_scan, "PARALLEL_FROM", 0)
    monkeypatch.setattr(occupancy_rows, "BLOCK", 16)
    comp = composition_at(str(path), policy, DATE)
    assert ({k: (g.homes, g.occupied, dict(g.counts)) for k, g in comp.groups.items()}, dict(comp.by_unit)) == one


@pytest.fixture
def cached(policy, tmp_path):
    """The policy as the policy cache gives it back: its unit table unpickled, without its index of every id."""
    from rules_engine.load import cache

    path, head, secret = tmp_path / "entry.pickle", b"test-entry\n", b"s" * 32
    cache.write_entry(str(path), head, secret, policy)
    return cache.read_entry(str(path), head, secret, cache._Unpickler)


def _index_built(policy) -> bool:
    from rules_engine.model.units import UnitTable

    try:
        UnitTable._index.__get__(policy.units, UnitTable)  # the slot itself, not the lazy build
    except AttributeError:
        return False
    return True


@pytest.mark.parametrize("repeats", [True, False])
def test_an_export_in_policy_order_is_read_without_the_index_of_every_id(cached, policy, tmp_path, monkeypatch,
                                                                         repeats):
    path = tmp_path / "export.csv"
    path.write_text("unit,household,category,valid_from\n" + "\n".join(
        _export(policy, random.Random(19), True, repeats)) + "\n", encoding="utf-8")
    assert not _index_built(cached)
    for block in (1, 7, 64, 512):
        assert _outcome(path, cached, monkeypatch, block, one_by_one=False) == \
            _outcome(path, policy, monkeypatch, 50, one_by_one=True), block
    assert not _index_built(cached)  # every home found by its stretch of policy order
    assert _outcome(path, cached, monkeypatch, 50, one_by_one=True) == _outcome(path, policy, monkeypatch, 50, True)
    assert _index_built(cached)


@pytest.mark.parametrize("how", ["tail shuffled", "a stretch moved back", "a home far ahead", "unknown home"])
def test_an_export_partly_out_of_order_gives_what_one_by_one_gives(cached, policy, tmp_path, monkeypatch, how):
    """Blocks in order, then some that are not: the index of every id takes over, with the same outcome."""
    rng = random.Random(23)
    lines = _export(policy, rng, True, repeats=True)
    cut = len(lines) * 3 // 5
    if how == "tail shuffled":
        tail = lines[cut:]
        rng.shuffle(tail)
        lines[cut:] = tail
    elif how == "a stretch moved back":
        lines[cut:cut] = lines[40:70]  # homes again, on their dates: a home given twice
        del lines[cut + 30:cut + 60]
    elif how == "a home far ahead":
        lines.insert(cut, lines.pop(len(lines) - 1))
    else:
        lines.insert(cut, "NOPE-1,hx,regulier,2020-01-01")
    path = tmp_path / "export.csv"
    path.write_text("unit,household,category,valid_from\n" + "\n".join(lines) + "\n", encoding="utf-8")
    slow = _outcome(path, policy, monkeypatch, 50, one_by_one=True)
    for block in (1, 7, 64):
        assert _outcome(path, cached, monkeypatch, block, one_by_one=False) == slow, block


def test_a_stray_quote_is_named_at_its_row_not_as_a_category_holding_the_rest_of_the_file(policy, tmp_path):
    lines = _export(policy, random.Random(4), in_order=True, repeats=False)
    unit = lines[30].split(",")[0]
    lines[30] = f'{unit},hq,"regulier,2020-01-01'
    path = tmp_path / "quote.csv"
    path.write_text("unit,household,category,valid_from\n" + "\n".join(lines) + "\n", encoding="utf-8")
    with pytest.raises(PolicyError) as info:
        load_occupancy(str(path), policy)
    (d,) = info.value.diagnostics
    assert (d.line, d.column) == (32, 3) and "quote" in d.en and len(d.en) < 200
