"""The static types of values in conditions: number:UNIT, text, category, bool, date, list, map:UNIT."""

from __future__ import annotations


def base(t: str) -> str:
    """'number' for 'number:percent', etc."""
    return t.split(":", 1)[0]


def unit_of(t: str) -> str:
    """'percent' for 'number:percent' (or the type itself)."""
    return t.split(":", 1)[1] if ":" in t else t
