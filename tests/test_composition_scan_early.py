"""The later part of a large occupancy file read while the policy loads (composition_scan.start_early) gives
exactly what reading it after the policy gives: the same composition, the same messages at the same rows, and
nothing of what that early reading found when the homes or categories it read with are not the policy's."""

from __future__ import annotations

import datetime as dt
import random

import pytest

from conftest import OB, run
from rules_engine import load_policy
from rules_engine.diagnostics import PolicyError
from rules_engine.load import home_order, occupancy_rows
from rules_engine.stock import composition_scan
from rules_engine.stock.composition_scan import composition_at, start_early

DATE = dt.date(2025, 1, 1)


@pytest.fixture(scope="module")
def policy():
    return load_policy(str(OB)).policy


@pytest.fixture
def cache(tmp_path, monkeypatch):
    """A cache folder of the test's own, and files counted as large (read in two parts)."""
    folder = tmp_path / "cache"
    folder.mkdir(mode=0o700)
    monkeypatch.setenv("MAGICMIX_CACHE_DIR", str(folder))
    monkeypatch.setattr(composition_scan, "PARALLEL_FROM", 0)
    monkeypatch.setattr(occupancy_rows, "BLOCK", 16)
    return folder


def _export(policy, tmp_path, seed: int = 5, extra: tuple[str, ...] = ()) -> str:
    rng = random.Random(seed)
    cats = list(policy.category_ids)
    lines = []
    for i, unit in enumerate(policy.units):
        if rng.random() < 0.1:
            continue
        for day in ("2020-01-01", "2024-06-01")[:1 + (i % 4 == 0)]:
            household = f"h{i}.{day[:4]}" if rng.random() > 0.1 else ""
            lines.append(f"{unit},{household},{rng.choice(cats) if household else ''},{day}")
    lines += extra
    path = tmp_path / f"export-{seed}.csv"
    path.write_text("unit,household,category,valid_from\n" + "\n".join(lines) + "\n", encoding="utf-8")
    return str(path)


def _figures(comp) -> tuple:
    return {k: (g.homes, g.occupied, dict(g.counts)) for k, g in comp.groups.items()}, dict(comp.by_unit)


def _read_here(monkeypatch) -> list:
    """Records each part of a file that this process reads itself after an early start (none when it counted)."""
    calls: list = []
    later = composition_scan._later_part
    monkeypatch.setattr(composition_scan, "_later_part", lambda *args: calls.append(args[4]) or later(*args))
    return calls


def test_the_part_read_early_gives_the_composition_of_one_pass(policy, tmp_path, cache, monkeypatch):
    path = _export(policy, tmp_path)
    one = _figures(composition_at(path, policy, DATE))
    first = start_early(path, str(OB), DATE)
    assert first is not None and first.order is None and first._halves is None  # no order kept yet: nothing
    # started early, nor the file read before the policy
    assert _figures(composition_at(path, policy, DATE, first)) == one
    first.keep(policy)
    assert home_order.read_order(str(OB)) == home_order.encoded(policy)
    read_here = _read_here(monkeypatch)
    early = start_early(path, str(OB), DATE)
    assert early.order == home_order.encoded(policy) and early._job is not None
    assert _figures(composition_at(path, policy, DATE, early)) == one
    assert read_here == []  # the part read early was used


def _keep(policy, ids=None, categories=None) -> None:
    order = home_order.encoded(policy)
    if ids is not None or categories is not None:
        view = home_order.decoded(order)
        fake = type("Fake", (), {})()
        fake.units, fake.category_ids = (ids or view.units.ids_in_order()), (categories or view.category_ids)
        order = home_order.encoded(fake)
    home_order.keep_order(str(OB), order, None)


@pytest.mark.parametrize("change", ["homes swapped", "a home less", "categories swapped"])
def test_a_part_read_with_other_homes_or_categories_is_not_used(policy, tmp_path, cache, monkeypatch, change):
    path = _export(policy, tmp_path)
    one = _figures(composition_at(path, policy, DATE))
    ids = list(policy.units)
    cats = tuple(policy.category_ids)
    if change == "homes swapped":  # positions of two homes exchanged: the rows of one counted for the other
        ids[-1], ids[-3] = ids[-3], ids[-1]
        _keep(policy, ids=ids)
    elif change == "a home less":
        _keep(policy, ids=ids[:-1])
    else:
        _keep(policy, categories=cats[::-1])
    read_here = _read_here(monkeypatch)
    early = start_early(path, str(OB), DATE)
    assert early._job is not None
    assert _figures(composition_at(path, policy, DATE, early)) == one
    assert read_here == []  # (stopped: the file read in two parts afresh, the second by a new process)
    early.keep(policy)
    assert home_order.read_order(str(OB)) == home_order.encoded(policy)  # the policy's own order kept for next time


def test_another_date_or_file_than_the_one_started_reads_afresh(policy, tmp_path, cache):
    path, other = _export(policy, tmp_path, 5), _export(policy, tmp_path, 6)
    _keep(policy)
    for started, asked, day in ((path, other, DATE), (path, path, dt.date(2024, 7, 1))):
        early = start_early(started, str(OB), DATE)
        assert _figures(composition_at(asked, policy, day, early)) == _figures(composition_at(asked, policy, day))


@pytest.mark.parametrize("where", ["first part", "second part", "both", "across"])
def test_errors_with_an_early_start_are_those_of_one_pass(policy, tmp_path, cache, monkeypatch, where):
    homes = list(policy.units)
    first_row = open(_export(policy, tmp_path, 7), encoding="utf-8").read().split("\n")[1].split(",")
    bad = {"first part": (), "second part": (f"{homes[2]},hx,nergens,2024-01-01", "ZW-NOPE,h1,regulier,2024-01-01"),
           "both": ("ZW-NOPE,h1,regulier,2024-01-01",),
           "across": (f"{first_row[0]},twin,regulier,{first_row[3]}",)}[where]  # the home of row 2 on its date
    path = _export(policy, tmp_path, 7, extra=bad)
    if where in ("first part", "both"):
        text = open(path, encoding="utf-8").read().split("\n")
        text.insert(3, "ZW-ASN-01-A01,h 1,regulier,2024-01-01")
        open(path, "w", encoding="utf-8").write("\n".join(text))
    monkeypatch.setattr(composition_scan, "PARALLEL_FROM", 10**12)
    with pytest.raises(PolicyError) as exc:
        composition_at(path, policy, DATE)
    one = [(d.code, d.line, d.column, d.en) for d in exc.value.diagnostics]
    monkeypatch.setattr(composition_scan, "PARALLEL_FROM", 0)
    _keep(policy)
    with pytest.raises(PolicyError) as exc:
        composition_at(path, policy, DATE, start_early(path, str(OB), DATE))
    assert [(d.code, d.line, d.column, d.en) for d in exc.value.diagnostics] == one and one


def test_the_order_kept_gives_the_homes_and_categories_back(policy):
    order = home_order.encoded(policy)
    view = home_order.decoded(order)
    assert view.units.ids_in_order() == list(policy.units) and view.category_ids == tuple(policy.category_ids)
    assert len(view.units) == len(policy.units) and view.units.position_of()(list(policy.units)[5]) == 5
    fake = type("Fake", (), {})()
    fake.units, fake.category_ids = ["a\nb", "c"], ("x",)  # a line break in an id: no order to keep
    assert home_order.encoded(fake) is None
    assert home_order.decoded(b"3\nx\ny") is None and home_order.decoded(b"\xff") is None


def test_status_cli_with_an_early_start_writes_what_it_wrote_without(tmp_path, cache):
    csv = _export(load_policy(str(OB)).policy, tmp_path)
    runs = [run("status", OB, "--occupancy", csv, "--date", "2025-01-01", "--lang", lang).output
            for lang in ("nl", "nl", "en")]
    assert home_order.read_order(str(OB)) is not None  # kept by the first run, read early by the second
    assert runs[0] == runs[1] and "Stand" in runs[0] and runs[2] != runs[0]
    wrong = run("status", OB, "--occupancy", csv, "--date", "31-02-2025")
    assert wrong.exit_code != 0 and "--date" in wrong.output


def test_a_part_read_early_that_finds_anything_wrong_gives_nothing(policy, tmp_path):
    """Its messages would lack the policy's hints (a HomeOrder has none): the part is read again with the policy."""
    order = home_order.encoded(policy)
    for extra, kept in (((), True), (("ZW-NOPE,h1,regulier,2024-01-01",), False)):
        path = _export(policy, tmp_path, 7, extra=extra)
        data = open(path, "rb").read()
        header = data[:data.find(b"\n") + 1]
        second = (path, None, DATE, data, len(header), len(data), header.decode(), 2)
        assert (composition_scan._early_part(order, second) is not None) == kept


@pytest.mark.parametrize("early", [False, True])
def test_a_home_twice_across_the_parts_is_found_beside_other_errors_as_in_one_pass(policy, tmp_path, cache,
                                                                                 monkeypatch, early):
    """The parts are joined to find homes given twice across them even when a part found something else."""
    lines = open(_export(policy, tmp_path, 9), encoding="utf-8").read().rstrip("\n").split("\n")
    unit, _, _, day = lines[1].split(",")
    lines += ["ZW-NOPE,h1,regulier,2024-01-01", f"{unit},twin,regulier,{day}", f"{lines[5].split(',')[0]},h 2,x,"]
    path = tmp_path / "twice.csv"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    monkeypatch.setattr(composition_scan, "PARALLEL_FROM", 10**12)
    with pytest.raises(PolicyError) as exc:
        composition_at(str(path), policy, DATE)
    one = [(d.code, d.line, d.column, d.en) for d in exc.value.diagnostics]
    assert [code for code, *_ in one] == ["unknown-unit", "occupancy-twice", "unknown-category"]
    monkeypatch.setattr(composition_scan, "PARALLEL_FROM", 0)
    _keep(policy)
    with pytest.raises(PolicyError) as exc:
        composition_at(str(path), policy, DATE, start_early(str(path), str(OB), DATE) if early else None)
    assert [(d.code, d.line, d.column, d.en) for d in exc.value.diagnostics] == one
