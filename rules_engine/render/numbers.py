"""Exact numbers: parsing policy amounts and percentages, and formatting them in Dutch or English.

Every amount, share and threshold is a `fractions.Fraction`; binary floats never
enter a comparison (0.35 + 0.05 must equal 0.40 exactly).
"""

from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation
from fractions import Fraction
from math import gcd

PERCENT_RE = re.compile(r"^\s*(-?[0-9]+(?:[.,][0-9]+)?)\s*%\s*$")


def to_fraction(value: object) -> Fraction:
    """Convert an int, Decimal, Fraction or numeric string to an exact Fraction."""
    cls = type(value)
    if cls is Decimal and value.is_finite():
        return Fraction(*value.as_integer_ratio())  # much faster than Fraction(Decimal)
    if cls is int:
        return Fraction(value)
    if isinstance(value, bool):
        raise TypeError("a yes/no value is not a number")
    if isinstance(value, Fraction):
        return value
    if isinstance(value, int):
        return Fraction(value)
    if isinstance(value, Decimal):
        return Fraction(value)
    if isinstance(value, str):
        try:
            return Fraction(Decimal(value.strip().replace(",", ".")))
        except (InvalidOperation, ValueError) as exc:
            raise ValueError(f"not a number: {value!r}") from exc
    if isinstance(value, float):
        # Only reached for values that did not come from policy text.
        return Fraction(Decimal(repr(value)))
    raise TypeError(f"not a number: {value!r}")


def parse_percent(text: str) -> Fraction:
    """Parse '35%', '35 %' or '35,5%' into an exact fraction of one (0.35)."""
    match = PERCENT_RE.match(text)
    if not match:
        raise ValueError(f"not a percentage: {text!r}")
    return to_fraction(match.group(1)) / 100


def exact_text(value: Fraction) -> str:
    """Serialise an exact number: '7', '682.96', or 'p/q' when no finite decimal exists."""
    return ratio_text(value.numerator, value.denominator)


def ratio_text(numerator: int, denominator: int) -> str:
    """exact_text of numerator/denominator (denominator > 0), in integers only: fast for millions of shares."""
    g = gcd(numerator, denominator)
    n, d = numerator // g, denominator // g
    if d == 1:
        return str(n)
    twos = fives = 0
    rest = d
    while rest % 2 == 0:
        rest //= 2
        twos += 1
    while rest % 5 == 0:
        rest //= 5
        fives += 1
    if rest != 1:
        return f"{n}/{d}"
    digits = max(twos, fives)  # n/d = n * (10^digits / d) / 10^digits
    scaled = n * (10**digits // d)
    sign = "-" if scaled < 0 else ""
    text = str(abs(scaled)).rjust(digits + 1, "0")
    return f"{sign}{text[:-digits]}.{text[-digits:]}"


def smaller_reading(sign: str, whole: str, decimals: str) -> str:
    """How to write 1.050 read as a decimal number so that nobody reads thousands in it: 1.05; 682.965 -> 682.9650."""
    text = f"{whole}.{decimals}".rstrip("0").rstrip(".")
    if len(text.partition(".")[2]) == 3:
        text += "0"
    return sign + text


def _round_half_up(value: Fraction | int, decimals: int) -> int:
    # Integer arithmetic only: floor(|n| * 10^d / den + 1/2), with the sign put back.
    n, den = value.numerator, value.denominator
    q = (2 * abs(n) * 10**decimals + den) // (2 * den)
    return -q if n < 0 else q


def _group(integer_text: str, sep: str) -> str:
    out = []
    while len(integer_text) > 3:
        out.insert(0, integer_text[-3:])
        integer_text = integer_text[:-3]
    out.insert(0, integer_text)
    return sep.join(out)


def format_number(value: Fraction | int, decimals: int, lang: str) -> str:
    """Format with grouping: 47.699,50 (nl) or 47,699.50 (en); half-up rounding."""
    units = _round_half_up(value, decimals)
    sign = "-" if units < 0 else ""
    text = str(abs(units)).rjust(decimals + 1, "0")
    whole, frac = (text[:-decimals], text[-decimals:]) if decimals else (text, "")
    thousands, point = (".", ",") if lang == "nl" else (",", ".")
    out = _group(whole, thousands)
    return f"{sign}{out}{point}{frac}" if decimals else f"{sign}{out}"


def format_percent(value: Fraction, lang: str, decimals: int = 1) -> str:
    """A share as a percentage: '35,0 %' (nl) or '35.0%' (en)."""
    text = format_number(Fraction(value.numerator * 100, value.denominator), decimals, lang)
    return f"{text} %" if lang == "nl" else f"{text}%"


def format_euro(value: Fraction | int, lang: str, cents: bool = False) -> str:
    """An amount in euros: '€ 682,96' (nl), '€682.96' (en); whole euros drop the cents unless cents is set.

    An amount finer than a cent (the readers refuse one; the Python API may be given one) is shown with every
    decimal it has: rounded, 54847.001 would read as the limit of 54847 it exceeds."""
    decimals = 0 if value.denominator == 1 and not cents else 2
    if 100 % value.denominator:
        exact = exact_text(value)
        if "/" not in exact:
            decimals = len(exact.partition(".")[2])
    text = format_number(value, decimals, lang)
    return f"€ {text}" if lang == "nl" else f"€{text}"


def format_plain(value: Fraction | int, lang: str) -> str:
    """A plain number: integers as such, others with up to 2 decimals."""
    if value.denominator == 1:
        return format_number(value, 0, lang)
    return format_number(value, 2, lang)
