"""The policy cache's parts: after a change to one complex file only that file is read again, and the
policy and its diagnostics are exactly those of reading every file (load/cache_parts.py, complex_part.py)."""

from __future__ import annotations

import dataclasses
import os
import pickle
import subprocess
import sys
from array import array
from collections.abc import Mapping

import pytest

from rules_engine.api import check_policy, load_policy
from rules_engine.load import cache, cache_key, cache_parts, load as load_module
from rules_engine.model.policy import Portieken, UnitTable

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


@pytest.fixture
def cache_env(policy_copy, tmp_path, monkeypatch):
    folder = tmp_path / "cache"
    monkeypatch.setenv("MAGICMIX_CACHE_DIR", str(folder))
    monkeypatch.setattr(cache_parts, "MIN_SECONDS", 0.0)  # the example is small: keep its parts all the same
    return folder


@pytest.fixture
def reads(monkeypatch):
    """The complex files read (parsed) from here on."""
    seen: list[str] = []
    real = load_module.load_file

    def counting(path, *args, **kwargs):
        if f"{os.sep}complexes{os.sep}" in path:
            seen.append(os.path.basename(path))
        return real(path, *args, **kwargs)

    monkeypatch.setattr(load_module, "load_file", counting)
    return seen


def canon(x):
    """Everything a policy holds, as plain tuples: two policies are the same policy when these are equal."""
    if isinstance(x, UnitTable):
        return ("units",) + tuple((k, canon(v)) for k, v in sorted(x.__getstate__().items()))
    if isinstance(x, Portieken):
        return ("portieken", tuple(x.__getstate__()[1].items()), tuple((k, x[k]) for k in x))
    if dataclasses.is_dataclass(x) and not isinstance(x, type):
        return (type(x).__name__,) + tuple(canon(getattr(x, f.name)) for f in dataclasses.fields(x))
    if isinstance(x, Mapping):
        return ("map",) + tuple((k, canon(v)) for k, v in x.items())
    if isinstance(x, (list, tuple)):
        return tuple(canon(v) for v in x)
    if isinstance(x, (array, bytearray)):
        return (type(x).__name__, list(x))
    return x


def _shared_defaults(policy) -> int:
    """How many distinct default profiles the complexes share (one per buurt mix, not one per complex)."""
    return len({id(c.profiles[0]) for c in policy.complexes.values()})


def _prime(root="pol"):
    """A run that keeps every part."""
    store = cache_parts.part_store(root)
    check_policy(root, store)
    store.save(10.0)


def _incremental(root="pol"):
    store = cache_parts.part_store(root)
    found = check_policy(root, store)
    store.save(10.0)
    return found


def _same_as_a_full_read(root="pol", reads=None):
    """The incremental run's (program, diagnostics), checked against a full read's; reads: what it read."""
    if reads is not None:
        reads.clear()
    program, diags = _incremental(root)
    read_now = list(reads or ())
    full_program, full_diags = check_policy(root)
    assert diags == full_diags
    assert (program is None) == (full_program is None)
    if program is not None:
        assert canon(program.policy) == canon(full_program.policy)
        assert _shared_defaults(program.policy) == _shared_defaults(full_program.policy)
        assert len(program.rules) == len(full_program.rules)
    if reads is not None:
        reads[:] = read_now
    return program, diags


def _edit(path, old, new, count=1):
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new, count), encoding="utf-8")


COMPLEX = "complexes/zw-asn-02.yaml"


def _first_unit_id(path) -> str:
    return next(line.split("id: ")[1].split(",")[0] for line in path.read_text(encoding="utf-8").splitlines()
                if "{id: " in line)


# every kind of one-file edit: (what, how)
EDITS = {
    "a rent": lambda p: _edit(p / COMPLEX, "rent: ", "rent: 1", 1),
    "a comment": lambda p: _edit(p / COMPLEX, "portieken:", "# opmerking\nportieken:"),
    "a home added": lambda p: _edit(p / COMPLEX, "units:\n", "units:\n      - {id: NIEUW-1, rooms: 2, rent: 500.00}\n"),
    "a schema error": lambda p: _edit(p / COMPLEX, "rooms: ", "rooms: twee", 1),
    "a YAML syntax error": lambda p: _edit(p / COMPLEX, "portieken:", "portieken: [\n"),
    "an unknown buurt": lambda p: _edit(p / COMPLEX, "buurt: BU", "buurt: XX"),
    "a portiek twice": lambda p: _edit(p / COMPLEX, "portieken:\n", "portieken:\n  - id: 'A'\n    units: []\n"),
    "a home id twice in the file": lambda p: _edit(
        p / COMPLEX, "units:\n", "units:\n      - {id: %s, rooms: 2, rent: 500.00}\n" % _first_unit_id(p / COMPLEX)),
    "a home id of an earlier file": lambda p: _edit(
        p / COMPLEX, "units:\n", "units:\n      - {id: %s, rooms: 2, rent: 500.00}\n"
        % _first_unit_id(p / "complexes/zw-asn-01.yaml")),
    "a home id of a later file": lambda p: _edit(
        p / COMPLEX, "units:\n", "units:\n      - {id: %s, rooms: 2, rent: 500.00}\n"
        % _first_unit_id(p / "complexes/zw-hbo-03.yaml")),
    "a complex id of another file": lambda p: _edit(p / COMPLEX, "id: ZW-ASN-02\n", "id: ZW-ASN-01\n"),
    "a profile date twice": lambda p: _edit(
        p / "complexes/zw-asn-01.yaml", "profile:\n", "profile:\n  - valid_from: 2024-01-01\n"
        "    targets: {regulier: 55%, aandacht: 30%, actief: 15%}\n"),
    "a file added": lambda p: (p / "complexes/zz-nieuw.yaml").write_text(
        (p / COMPLEX).read_text(encoding="utf-8").replace("ZW-ASN-02", "ZZ-NIEUW"), encoding="utf-8"),
    "a file removed": lambda p: (p / COMPLEX).unlink(),
}


@pytest.mark.parametrize("what", sorted(EDITS))
def test_one_changed_complex_file_is_all_that_is_read_and_the_result_is_a_full_reads(
        policy_copy, cache_env, reads, what):
    _prime()
    EDITS[what](policy_copy)
    _same_as_a_full_read(reads=reads)
    changed = {"a file added": ["zz-nieuw.yaml"], "a file removed": [],
               "a profile date twice": ["zw-asn-01.yaml"]}.get(what, [os.path.basename(COMPLEX)])
    assert reads == changed


def test_a_table_made_again_from_its_columns_is_not_rebuilt_home_by_home(policy_copy, cache_env, monkeypatch):
    """The table of the parts is checked for ids used twice by its index; with distinct ids it is used as made
    (a stale index left by UnitTable() made every first run after a change rebuild 2.3 million homes one by one)."""
    from rules_engine.load import complex_part

    _prime()
    EDITS["a rent"](policy_copy)
    rebuilt = []
    real = complex_part._home_by_home
    monkeypatch.setattr(complex_part, "_home_by_home", lambda *a: rebuilt.append(1) or real(*a))
    _same_as_a_full_read()
    assert rebuilt == []
    table = UnitTable()
    table.__setstate__(pickle.loads(pickle.dumps(load_policy(str(policy_copy)).policy.units)).__getstate__())
    assert table.distinct() and len(table) == len(load_policy(str(policy_copy)).policy.units)


def test_an_unchanged_policy_reads_no_complex_file_and_a_second_edit_builds_on_the_first(
        policy_copy, cache_env, reads):
    _prime()
    reads.clear()
    program, diags = _incremental()
    assert reads == [] and program is not None
    EDITS["a rent"](policy_copy)
    _incremental()
    assert reads == ["zw-asn-02.yaml"]
    _edit(policy_copy / "complexes/zw-hbo-01.yaml", "rent: ", "rent: 2", 1)
    _same_as_a_full_read(reads=reads)
    assert reads == ["zw-hbo-01.yaml"]


def test_an_error_then_its_fix(policy_copy, cache_env, reads):
    _prime()
    EDITS["a home id of an earlier file"](policy_copy)
    program, diags = _same_as_a_full_read()
    assert program is None and any(d.code == "duplicate-id" for d in diags)
    _edit(policy_copy / COMPLEX, "      - {id: ZW-ASN-01", "      - {id: ZW-FIX-01", 1)
    program, _ = _same_as_a_full_read()
    assert program is not None and "ZW-FIX-01-A01" in program.policy.units


def test_a_change_to_policy_yaml_reads_every_complex_file_again(policy_copy, cache_env, reads):
    _prime()
    reads.clear()
    _edit(policy_copy / "policy.yaml", "name: ", "name: X", 1)
    _incremental()
    assert len(reads) == len(list((policy_copy / "complexes").glob("*.yaml")))
    reads.clear()
    _edit(policy_copy / "rules.yaml", "title:", "title:", 1)  # rules do not change what a complex file means
    _incremental()
    assert reads == []


def test_load_policy_after_one_change_is_a_full_load(policy_copy, cache_env, reads):
    load_policy("pol")
    EDITS["a rent"](policy_copy)
    reads.clear()
    program = load_policy("pol")
    assert reads == ["zw-asn-02.yaml"]
    assert canon(program.policy) == canon(load_policy("pol", use_cache=False).policy)


def test_the_delta_is_merged_into_a_new_base_when_it_grows(policy_copy, cache_env, monkeypatch):
    _prime()
    packs = lambda kind: sorted(cache_env.glob(f"parts-*-{kind}.pickle"))  # noqa: E731
    assert len(packs("base")) == 1 and packs("delta") == []
    EDITS["a rent"](policy_copy)
    _incremental()
    assert len(packs("delta")) == 1
    monkeypatch.setattr(cache_parts, "DELTA_SHARE", 1000)
    _edit(policy_copy / "complexes/zw-hbo-01.yaml", "rent: ", "rent: 2", 1)
    _incremental()
    assert packs("delta") == []
    assert _same_as_a_full_read()[0] is not None


def test_no_parts_when_the_cache_is_off_or_for_validate(policy_copy, cache_env, monkeypatch):
    monkeypatch.setenv("MAGICMIX_CACHE", "off")
    assert cache_parts.part_store("pol") is None
    load_policy("pol")
    assert not cache_env.exists() or list(cache_env.glob("parts-*")) == []
    monkeypatch.delenv("MAGICMIX_CACHE")
    env = {**os.environ, "PYTHONPATH": ROOT}
    done = subprocess.run([sys.executable, os.path.join(ROOT, "cli.py"), "validate", "pol"], env=env,
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert not cache_env.exists() or list(cache_env.glob("parts-*")) == []


def _payload(marker) -> bytes:
    class Evil:
        def __reduce__(self):
            return (os.system, (f"touch {marker}",))
    return pickle.dumps({b"k" * 32: Evil()})


def test_a_crafted_or_damaged_pack_never_runs_code_and_is_removed(policy_copy, cache_env, tmp_path):
    _prime()
    [base] = cache_env.glob("parts-*-base.pickle")
    store = cache_parts.part_store("pol")
    head = store._head("base")
    marker = tmp_path / "ran"
    secret = cache_key.entry_key(str(cache_env))
    for forged in (False, True):  # without the user's key, and with it (the unpickler still names no function)
        data = head + b"\0" * cache._MAC + _payload(marker)
        if forged:
            data = head + cache._mac(secret, data, len(head) + cache._MAC) + data[len(head) + cache._MAC:]
        base.write_bytes(data)
        os.chmod(base, 0o600)
        program, diags = _same_as_a_full_read()
        assert program is not None and not marker.exists()
        assert not base.exists() or base.read_bytes() != data  # removed, then written again whole
    base.write_bytes(base.read_bytes()[:1000] if base.exists() else b"x")  # cut off
    assert cache_parts.part_store("pol")._base == {}


def test_a_pack_open_to_others_is_not_read(policy_copy, cache_env, reads):
    _prime()
    [base] = cache_env.glob("parts-*-base.pickle")
    os.chmod(base, 0o666)
    reads.clear()
    _incremental()
    assert len(reads) == len(list((policy_copy / "complexes").glob("*.yaml")))


def _at(path, text: str) -> tuple[int, int]:
    """Line and column (1-based) of the first occurrence of text in a file."""
    for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if text in line:
            return n, line.index(text) + 1
    raise AssertionError(text)


def test_ids_used_twice_across_files_are_named_where_a_full_read_names_them(policy_copy, cache_env):
    _prime()
    earlier = _first_unit_id(policy_copy / "complexes/zw-asn-01.yaml")
    EDITS["a home id of an earlier file"](policy_copy)
    EDITS["a complex id of another file"](policy_copy)
    program, diags = _same_as_a_full_read()
    homes = [d for d in diags if d.code == "duplicate-id" and earlier in d.nl]
    complexes = [d for d in diags if d.code == "duplicate-id" and "ZW-ASN-01" in d.nl and d not in homes]
    line, _ = _at(policy_copy / COMPLEX, earlier)
    assert [(d.file, d.line, d.column) for d in homes] == [
        (os.path.join("pol", COMPLEX), line, _at(policy_copy / COMPLEX, earlier)[1])]
    assert f"zw-asn-01.yaml:{_at(policy_copy / 'complexes/zw-asn-01.yaml', earlier)[0]}" in homes[0].nl
    assert [(d.line, d.column) for d in complexes] == [_at(policy_copy / COMPLEX, "ZW-ASN-01\n".strip())]


def test_inside_all_decides_as_inside_does(tmp_path, monkeypatch):
    from rules_engine.load.files import inside, inside_all

    root = tmp_path / "pol"
    (root / "complexes").mkdir(parents=True)
    (tmp_path / "outside.yaml").write_text("x: 1\n")
    (root / "complexes" / "a.yaml").write_text("x: 1\n")
    (root / "complexes" / "in.yaml").symlink_to(root / "complexes" / "a.yaml")
    (root / "complexes" / "out.yaml").symlink_to(tmp_path / "outside.yaml")
    (root / "complexes" / "dangling.yaml").symlink_to(tmp_path / "nowhere.yaml")
    (root / "linked").symlink_to(tmp_path)  # a folder that leads out
    paths = [str(root / "complexes" / n) for n in ("a.yaml", "in.yaml", "out.yaml", "dangling.yaml", "missing.yaml")]
    paths += [str(root / "linked" / "outside.yaml"), str(root / "complexes" / ".."), os.path.join("pol", "policy.yaml")]
    monkeypatch.chdir(tmp_path)
    assert inside_all(paths, str(root)) == {p for p in paths if inside(p, str(root))}
    assert str(root / "complexes" / "a.yaml") in inside_all(paths, str(root))
    assert str(root / "complexes" / "out.yaml") not in inside_all(paths, str(root))


def test_two_overlapping_runs_leave_valid_packs(policy_copy, cache_env):
    _prime()
    first, second = cache_parts.part_store("pol"), cache_parts.part_store("pol")
    EDITS["a rent"](policy_copy)
    check_policy("pol", first)
    _edit(policy_copy / "complexes/zw-hbo-01.yaml", "rent: ", "rent: 2", 1)
    check_policy("pol", second)
    second.save(10.0)
    first.save(10.0)  # written last, from a run that saw the other file unchanged: its parts are valid all the same
    assert _same_as_a_full_read()[0] is not None
