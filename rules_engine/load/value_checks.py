"""Which values of a YAML document are amounts and counts, read through rules_engine.load.values.

The schema checks types and the same hard bounds; here each amount is read from the digits it
was written with (1.050 is refused as ambiguous, 682.96 is kept), a value outside the bounds of
rules_engine.load.values.BOUNDS is an error in its words, and a value outside its plausible bounds a
warning (an error under `validate --strict`).
"""

from __future__ import annotations

from ..diagnostics import Diagnostic, make
from .load_yaml import Source
from ..render.numbers import PERCENT_RE, format_euro, parse_percent
from .values import POINT, Refused, cbs_problem, check_bounds, number_value

ANY = "*"

# document kind -> (path pattern, value kind); ANY matches every key or list index
NUMBER_PATHS: dict[str, tuple[tuple[tuple, str], ...]] = {
    "complex": ((("portieken", ANY, "units", ANY, "rent"), "rent"),),
    "household": ((("income",), "income"), (("size",), "size")),
    "candidates": ((("candidates", ANY, "income"), "income"), (("candidates", ANY, "size"), "size")),
    "parameters": ((("parameters", ANY, "values", ANY, "value"), "amount"),),
    "testcase": ((("tests", ANY, "given", "household", "income"), "income"),
                 (("tests", ANY, "given", "household", "size"), "size")),
}
# document kind -> (path pattern, CBS level) of the CBS codes in it; a level above the buurt named wijk or
# gemeente (policy.yaml levels) holds CBS codes too, found by _cbs_paths
CODE_PATHS: dict[str, tuple[tuple[tuple, str], ...]] = {
    "policy": ((("buurten", ANY, "code"), "buurt"),),
    "complex": ((("buurt",), "buurt"),),
}
_NOTATION_CODES = ("dutch-thousands", "number-notation", "number-too-long")
_SCHEMA_CODES = ("wrong-type", "out-of-range")


def _walk(data, pattern: tuple, path: tuple = ()):
    if not pattern:
        yield path, data
        return
    head, rest = pattern[0], pattern[1:]
    if isinstance(data, dict):
        keys = list(data) if head == ANY else [head] if head in data else []
        for k in keys:
            yield from _walk(data[k], rest, path + (k,))
    elif isinstance(data, list) and head == ANY:
        for i, item in enumerate(data):
            yield from _walk(item, rest, path + (i,))


def _is_money(source: Source, path: tuple) -> bool:
    """A parameter's value is an amount only when its unit is euros (a 'number' may have three decimals)."""
    if path[0] != "parameters":
        return True
    unit = source.data["parameters"][path[1]].get("unit", "")
    return isinstance(unit, str) and unit.startswith("euro")


_UNIT_WORDS = {"euro_per_year": ("euro per jaar", "euros per year"), "euro_per_month": ("euro per maand",
                                                                                    "euros per month")}


def _percent_for_amount(source: Source, path: tuple, value: str) -> Diagnostic:
    """A percentage written as the value of a parameter in euros: read as a share, '95%' became EUR 0.95, and a
    legal limit of 95 cents turned a refusal into an approval."""
    unit = source.data["parameters"][path[1]]["unit"]
    nl, en = _UNIT_WORDS.get(unit, (unit, unit))
    amount = parse_percent(value)
    return make("percent-for-amount", source.path, *source.where(path), name=path[1], unit=(nl, en),
                value=value.strip(), example="38500" if unit == "euro_per_year" else "682.96",
                amount=(format_euro(amount, "nl", True), format_euro(amount, "en", True)))


def _cbs_paths(source: Source, kind: str):
    """(path, level) of every CBS code in a document: the fixed places, and the groups of a wijk or gemeente level."""
    yield from CODE_PATHS.get(kind, ())
    levels = source.data.get("levels") if kind == "policy" and isinstance(source.data, dict) else None
    for i, lv in enumerate(levels if isinstance(levels, list) else ()):
        key = lv.get("key") if isinstance(lv, dict) else None
        if key in ("wijk", "gemeente"):
            yield ("levels", i, "groups", ANY, "code"), key
            yield ("buurten", ANY, key), key


def check_codes(source: Source, kind: str, schema_problems: list[Diagnostic]) -> list[Diagnostic]:
    """The schema's problems, a malformed CBS code said with the position of its first wrong character
    instead of the schema's bare 'not the right form' (at the same line and column: the code's start)."""
    found: list[Diagnostic] = []
    starts = set()
    for pattern, level in _cbs_paths(source, kind):
        for path, value in _walk(source.data, pattern):
            problem = cbs_problem(value, level)
            if problem is None:
                continue
            line, col = source.where(path)
            starts.add((line, col))
            found.append(make("invalid-format", source.path, line, col, value=str(value)[:40], what=problem[1:]))
    if not found:
        return schema_problems
    kept = [d for d in schema_problems if not (d.code in ("invalid-format", "wrong-type") and (d.line, d.column) in starts)]
    return kept + found


def check_numbers(source: Source, kind: str, schema_problems: list[Diagnostic]) -> list[Diagnostic]:
    """The schema's problems, with number notation refusals and plausibility warnings added, and CBS codes
    checked (check_codes).

    A text such as '1.234.567' that the schema calls 'not a number' gets the message saying what to write."""
    schema_problems = check_codes(source, kind, schema_problems)
    found: list[Diagnostic] = []
    for pattern, value_kind in NUMBER_PATHS.get(kind, ()):
        for path, value in _walk(source.data, pattern):
            if isinstance(value, bool) or not isinstance(value, (int, str)) and value.__class__.__name__ != "Decimal":
                continue
            if not _is_money(source, path):
                continue
            if isinstance(value, str) and PERCENT_RE.match(value) and path[0] == "parameters":
                found.append(_percent_for_amount(source, path, value))
                continue
            try:
                number = number_value(value, POINT)
            except Refused as refused:
                if isinstance(value, str) and refused.code not in _NOTATION_CODES:
                    continue  # plain text: the schema's 'expected a number' says it
                found.append(refused.diagnostic(source.path, *source.where(path)))
                continue
            if isinstance(value, str):
                continue  # a number in quotes: the schema refuses it
            found += [r.diagnostic(source.path, *source.where(path)) for r in check_bounds(number, value_kind)]
    if not found:
        return schema_problems
    # the schema's word on the same value ('expected a number', '>= 0') gives way to the reader's
    taken = {(d.line, d.column) for d in found}
    kept = [d for d in schema_problems if not (d.code in _SCHEMA_CODES and (d.line, d.column) in taken)]
    return kept + found
