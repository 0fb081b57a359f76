"""Explain stage, values: an evaluated value as the record holds it (exact JSON data) and as people read it.

Read by the explanation's conditions, rule texts and record (explain.py, explain_rules.py); the
texts of numbers are cached per (numerator, denominator), never per Fraction (hashing one is slow).
"""

from __future__ import annotations

import datetime as dt
from fractions import Fraction
from functools import lru_cache

from ..lang.facts import Facts, Unknown
from ..lang.program import Expr
from ..lang.templates import Placeholder, Template
from ..model.decision import Bilingual, Value
from ..model.policy import Policy
from ..model.value_types import CATEGORY, ValueType
from ..render.numbers import exact_text, format_euro, format_percent, format_plain
from .explain_groups import _exact


def json_value(v):
    """An evaluated value as JSON data (exact numbers as text)."""
    cls = v.__class__
    if cls is Fraction or cls is int:
        return _exact(v.numerator, v.denominator)
    if v.__class__ is Unknown:
        return None
    if isinstance(v, bool):
        return v
    if isinstance(v, (Fraction, int)):
        return exact_text(Fraction(v))
    if isinstance(v, dt.date):
        return v.isoformat()
    if isinstance(v, (tuple, list)):
        return [json_value(x) for x in v]
    if isinstance(v, dict) or hasattr(v, "items"):
        return {k: json_value(x) for k, x in v.items()}
    return v


def display(v, typ: ValueType, lang: str, policy: Policy, fmt: str = "auto") -> str:
    """An evaluated value as people read it: '35,0 %', '€ 682,96', a category's label, 'ja'."""
    cls = v.__class__
    if cls is Fraction or cls is int:
        return _display_number(v.numerator, v.denominator, typ, lang, policy, fmt)
    if cls is str or cls is bool:
        return _display_cached(v, typ, lang, policy, fmt)
    return _display(v, typ, lang, policy, fmt)


@lru_cache(maxsize=8192)
def _display_cached(v, typ: ValueType, lang: str, policy: Policy, fmt: str) -> str:
    return _display(v, typ, lang, policy, fmt)


@lru_cache(maxsize=8192)
def _display_number(n: int, d: int, typ: ValueType, lang: str, policy: Policy, fmt: str) -> str:
    return _display(Fraction(n, d), typ, lang, policy, fmt)


def _display(v, typ: ValueType, lang: str, policy: Policy, fmt: str) -> str:
    if v.__class__ is Unknown:
        return "onbekend" if lang == "nl" else "unknown"
    if isinstance(v, bool):
        return ("ja" if v else "nee") if lang == "nl" else ("yes" if v else "no")
    if isinstance(v, dt.date):
        return v.isoformat()
    if isinstance(v, (tuple, list)):
        return ", ".join(str(x) for x in v) or ("(geen)" if lang == "nl" else "(none)")
    if hasattr(v, "items"):
        return ", ".join(f"{k}: {display(x, typ.item(), lang, policy)}" for k, x in v.items())
    if isinstance(v, str):
        if (typ is CATEGORY or fmt == "label") and v in policy.category_ids and fmt != "text":
            return policy.category(v).label.get(lang)
        return v
    unit = typ.unit or ""
    if fmt == "pct" or (fmt == "auto" and unit == "percent"):
        return format_percent(v, lang)
    if fmt == "euro" or (fmt == "auto" and unit.startswith("euro")):
        return format_euro(v, lang, cents=unit in ("euro_per_month", "euro"))
    if fmt == "int":
        return format_plain(Fraction(round(Fraction(v))), lang)
    return format_plain(v, lang)


def expr_value(e: Expr, v, policy: Policy) -> Value:
    """One side of a comparison (or a fact a condition reads) as the record shows it."""
    cls = v.__class__
    if cls is Fraction or cls is int:
        return _number_value(e.text, v.numerator, v.denominator, e.type, policy)
    return Value(e.text, json_value(v), Bilingual(display(v, e.type, "nl", policy), display(v, e.type, "en", policy)))


@lru_cache(maxsize=8192)
def _number_value(text: str, n: int, d: int, typ: ValueType, policy: Policy) -> Value:
    # Records are frozen, so one Value serves every decision that shows this number for this expression.
    return Value(text, _exact(n, d), Bilingual(_display_number(n, d, typ, "nl", policy, "auto"),
                                               _display_number(n, d, typ, "en", policy, "auto")))


def render_template(t: Template, f: Facts, lang: str, policy: Policy) -> str:
    """Fill an explanation template: placeholders are fact paths only, formatted safely."""
    out = []
    for part in t.parts:
        if isinstance(part, str):
            out.append(part)
        else:
            out.append(display(part.expr.fn(f), part.expr.type, lang, policy, part.fmt))
    return "".join(out)


def fill_template(t: Template, values, lang: str, policy: Policy) -> str:
    """A template filled with the values of its placeholders, in order (as render_template gives it)."""
    out = []
    i = 0
    for part in t.parts:
        if part.__class__ is Placeholder:
            out.append(display(values[i], part.expr.type, lang, policy, part.fmt))
            i += 1
        else:  # literal text
            out.append(part)
    return "".join(out)


def side_key(v):
    """A hashable key of a value that can be shared between records (raises TypeError for one that cannot)."""
    cls = v.__class__
    if cls is Fraction or cls is int:
        return v.numerator, v.denominator
    if cls is str:
        return v
    if cls is bool:
        return (v,)
    raise TypeError  # not shared: a list, a date, an unknown value

