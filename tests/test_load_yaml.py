"""The safe YAML loader: positions, plain data, and refusal of hostile input."""

from __future__ import annotations

from decimal import Decimal

import pytest

from rules_engine.diagnostics import PolicyError
from rules_engine.load.load_yaml import MAX_DEPTH, load_file, load_text


def codes(text: str) -> list[tuple]:
    with pytest.raises(PolicyError) as exc:
        load_text(text, "f.yaml")
    return [(d.code, d.line, d.column) for d in exc.value.diagnostics]


def test_plain_data_with_exact_numbers_and_positions():
    src = load_text("a: 1\nb:\n  - 682.96\n  - '0123'\n  - 0123\nc: 2025-02-30\nno: yes\n", "f.yaml")
    assert src.data == {"a": 1, "b": [Decimal("682.96"), "0123", "0123"], "c": "2025-02-30", "no": True}
    assert src.where(("b", 0)) == (3, 5)
    assert src.where(("c",), key=True) == (6, 1)
    assert src.where(("b", 9, "x")) == (3, 3)  # falls back to the nearest known parent


def test_duplicate_key():
    assert codes("a: 1\nb: 2\na: 3\n") == [("duplicate-key", 3, 1)]


def test_alias_bomb_is_refused():
    bomb = "a: &a [x, x, x, x, x, x, x, x, x, x]\n" + "".join(
        f"{chr(98 + i)}: &{chr(98 + i)} [{', '.join(['*' + chr(97 + i)] * 10)}]\n" for i in range(8))
    assert codes(bomb)[0][0] == "alias-bomb"


def test_small_aliases_are_fine():
    src = load_text("base: &b {rooms: 3, rent: 600}\nunits: [*b, *b]\n", "f.yaml")
    assert src.data["units"] == [{"rooms": 3, "rent": 600}] * 2


def test_recursive_alias_is_refused():
    assert codes("a: &a [*a]\n")[0][0] in ("too-deep", "alias-bomb", "yaml-syntax")


@pytest.mark.parametrize("text", ["[" * 10_000 + "]" * 10_000, "a:\n" + "".join(" " * i + "- \n" for i in range(1, 500))])
def test_deep_nesting_is_refused(text):
    found = codes(text)
    assert found[0][0] in ("too-deep", "yaml-syntax")


def test_nesting_limit_is_generous_for_real_files():
    text = "".join("  " * i + f"k{i}:\n" for i in range(MAX_DEPTH - 2)) + "  " * (MAX_DEPTH - 2) + "v: 1\n"
    load_text(text, "f.yaml")


@pytest.mark.parametrize("text,code", [
    ("a: !!python/object/apply:os.system [ls]\n", "unsupported-tag"),
    ("a: !!binary aGVsbG8=\n", "unsupported-tag"),
    ("a: !custom 1\n", "unsupported-tag"),
    ("base: &b {x: 1}\nc:\n  <<: *b\n", "merge-key"),
    ("", "empty-document"),
    ("a: 1\n---\nb: 2\n", "multiple-documents"),
    ("a:\n\t- 1\n", "tab-indentation"),
    ("a: 'open\n", "unterminated-quote"),
    ("? [a, b]\n: c\n", "unsupported-tag"),
])
def test_refused_constructs(text, code):
    assert codes(text)[0][0] == code


def test_file_level_refusals(tmp_path):
    big = tmp_path / "big.yaml"
    with open(big, "wb") as fh:
        fh.truncate(101 * 1024 * 1024)
    for path, code in ((big, "file-too-large"), (tmp_path / "missing.yaml", "file-not-found"), (tmp_path, "file-unreadable")):
        with pytest.raises(PolicyError) as exc:
            load_file(str(path))
        assert exc.value.diagnostics[0].code == code


def test_bom_and_crlf_are_accepted(tmp_path):
    f = tmp_path / "w.yaml"
    f.write_bytes(b"\xef\xbb\xbfa: 1\r\nb: twee\r\n")
    src = load_file(str(f))
    assert src.data == {"a": 1, "b": "twee"}
    assert src.where(("b",)) == (2, 4)
