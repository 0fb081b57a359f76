"""Bounded JSON reading: every JSON input (batch rows, decision-log records, saved reports) goes through here.

json.loads alone turns deep nesting into a RecursionError, reads NaN and Infinity, and converts
numbers of any length; here each of those is a refusal (JsonRefused, a ValueError) that callers
report with their own file and row.
"""

from __future__ import annotations

import json
import math

from .load_yaml import MAX_DEPTH

MAX_NUMBER_CHARS = 40  # longer numbers are refused before they are converted


class JsonRefused(ValueError):
    """A JSON text that is read no further; nl and en say why, in plain words."""

    def __init__(self, nl: str, en: str):
        super().__init__(en)
        self.nl, self.en = nl, en


def _number(text: str, convert):
    if len(text) > MAX_NUMBER_CHARS:
        raise JsonRefused(f"getal van {len(text)} tekens is te lang (maximaal {MAX_NUMBER_CHARS})",
                          f"number of {len(text)} characters is too long (at most {MAX_NUMBER_CHARS})")
    value = convert(text)
    if isinstance(value, float) and not math.isfinite(value):
        raise JsonRefused(f"getal {text} is te groot", f"number {text} is too large")
    return value


def _constant(name: str):
    raise JsonRefused(f"{name} is geen getal", f"{name} is not a number")


def _object(pairs: list) -> dict:
    d = dict(pairs)
    if len(d) != len(pairs):  # json.loads keeps the last of equal keys: the value read would not be the one meant
        seen: set = set()
        key = next(k for k, _ in pairs if k in seen or seen.add(k))
        shown = key if len(key) <= 40 else key[:37] + "..."
        raise JsonRefused(f"de sleutel {shown!r} staat twee keer in één object", f"the key {shown!r} is in one object twice")
    return d


def parse_json(text: str | bytes, max_depth: int = MAX_DEPTH, parse_float=float):
    """Parse one JSON text; raises JsonRefused when it nests deeper than max_depth or has absurd numbers,
    and json's ValueError when it is not JSON at all."""
    too_deep = JsonRefused(f"de nesting is te diep (meer dan {max_depth} niveaus)",
                           f"nesting is too deep (more than {max_depth} levels)")
    try:
        data = json.loads(text, parse_int=lambda s: _number(s, int), parse_constant=_constant,
                          parse_float=lambda s: _number(s, parse_float), object_pairs_hook=_object)
    except RecursionError:
        raise too_deep from None
    stack = [(data, 1)]
    while stack:  # an explicit stack: checking the depth cannot itself recurse too deep
        value, depth = stack.pop()
        if isinstance(value, dict):
            value = value.values()
        elif not isinstance(value, list):
            continue
        if depth > max_depth:
            raise too_deep
        stack.extend((item, depth + 1) for item in value)
    return data
