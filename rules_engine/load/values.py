"""Reading values right, or refusing them: one reader per kind of value, with its bounds in one table.

Every input path (policy YAML, household and candidate files, occupancy YAML/CSV/XLSX, batch
CSV/JSONL, test cases and their rows, CLI options) reads amounts, counts, dates and ids through
here. A value is read exactly or refused with a message that says what to write; a number that
reads as Dutch thousands notation (1.050, 45.500) is never silently taken as a decimal.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from decimal import Decimal
from fractions import Fraction

from ..diagnostics import make
from ..render.numbers import exact_text, format_plain, smaller_reading
from ..lang.records import frozen


@frozen
class Bound:
    """The bounds of one kind of value: hard limits (errors) and plausible limits (warnings)."""

    what: tuple[str, str]  # (nl, en) name of the value in messages
    minimum: int | None
    maximum: int | None
    exclusive_minimum: bool = False  # minimum itself is not allowed
    plausible_low: int | None = None
    plausible_high: int | None = None
    whole: bool = False  # a count: whole numbers only
    cents: bool = False  # an amount in euros: whole cents only (a finer one is shown rounded, so it looks equal)
    example: str = "45500"  # what to write, in a message


# The one table of bounds. The JSON Schemas repeat these numbers; tests/test_misreadings.py holds them equal.
BOUNDS: dict[str, Bound] = {
    "rent": Bound(("huur", "rent"), 0, 10_000, exclusive_minimum=True, plausible_low=100, plausible_high=5_000,
                  cents=True, example="682.96"),
    "income": Bound(("inkomen", "income"), 0, 10_000_000, plausible_low=1_000, cents=True),
    "amount": Bound(("bedrag", "amount"), 0, 10_000_000, cents=True),  # a parameter's value in euros
    "size": Bound(("huishoudgrootte", "household size"), 1, 20, whole=True, example="2"),
    "rooms": Bound(("kamers", "rooms"), 1, 20, whole=True, example="3"),
    "age": Bound(("leeftijd", "age"), 16, 120, whole=True, example="34"),
    "households": Bound(("aantal huishoudens", "number of households"), 0, 1_000_000, whole=True, example="10"),
    "portiek_max": Bound(("maximum per portiek", "maximum per portiek"), 0, 1_000, whole=True, example="4"),
    "min_households": Bound(("minimum aantal huishoudens", "minimum number of households"), 0, 10_000, whole=True,
                            example="8"),
    "floor": Bound(("verdieping", "floor"), -2, 200, whole=True, example="1"),
}

ID_PATTERN = r"^[A-Za-z0-9][A-Za-z0-9_.-]*$"  # homes, complexes, categories, rules
HOUSEHOLD_ID_PATTERN = r"^[A-Za-z0-9][A-Za-z0-9_.:-]*$"  # pseudonymous household ids
ID_MAX_LENGTH = 64
MAX_NUMBER_CHARS = 40  # longer numbers are refused before they are converted
MAX_EXPONENT = 20  # 1e21 or 1e-21 is no amount anyone means
_ID = re.compile(ID_PATTERN)
HOUSEHOLD_ID = re.compile(HOUSEHOLD_ID_PATTERN)
# many household ids at once, one a line: one regex over a block is ten times faster than one per id
_HOUSEHOLD_BLOCK = re.compile(f"(?:{HOUSEHOLD_ID_PATTERN[1:-2]}{{0,{ID_MAX_LENGTH - 1}}}\n)*")

# Notations of a number in text (see docs/policy-format.md, "Numbers, dates and ids").
POINT = "point"  # YAML, JSON and comma-separated CSV: '.' is the decimal point
DUTCH = "dutch"  # semicolon-separated CSV (Dutch Excel): ',' is the decimal comma, '.' groups thousands

_PLAIN = re.compile(r"^-?[0-9]+$")
_ONE_SEP = re.compile(r"^(-?)([0-9]+)([.,])([0-9]+)$")
_DUTCH_GROUPS = re.compile(r"^(-?)([1-9][0-9]{0,2}(?:\.[0-9]{3})+)(?:,([0-9]+))?$")  # 1.234.567 or 1.050,00
_ENGLISH_GROUPS = re.compile(r"^(-?)([1-9][0-9]{0,2}(?:,[0-9]{3})+)(?:\.([0-9]+))?$")  # 1,234,567 or 1,050.00


class Refused(ValueError):
    """A value that is not read: a message code and its arguments (see diagnostics.MESSAGES)."""

    def __init__(self, code: str, severity: str = "error", **args):
        super().__init__(code)
        self.code, self.severity, self.args_ = code, severity, args

    def diagnostic(self, file: str, line: int | None = None, column: int | None = None):
        """This refusal as a Diagnostic at a position."""
        return make(self.code, file, line, column, severity=self.severity, **self.args_)

    @property
    def texts(self) -> tuple[str, str]:
        """(nl, en) message, for callers that report rows themselves."""
        d = self.diagnostic("")
        return d.nl, d.en


def shown(value: object, limit: int = 40) -> str:
    """A value for a message: control and invisible characters escaped, cut short."""
    try:
        text = value if isinstance(value, str) else str(value)
    except ValueError:  # an integer too long to print
        return "…"
    out = "".join(c if c.isprintable() and c not in "\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069"
                  else f"\\u{ord(c):04x}" for c in text[:limit + 1])
    return out if len(out) <= limit else out[:limit - 1] + "…"


def _ambiguous(text: str, sign: str, whole: str, decimals: str) -> Refused:
    """1.050: thousands or a decimal? Say what to write for either meaning."""
    return Refused("dutch-thousands", value=text, whole=f"{sign}{whole}{decimals}",
                   small=smaller_reading(sign, whole, decimals))


def _thousands(text: str, sign: str, groups: str, decimals: str | None, point: str) -> Refused:
    whole = groups.replace(".", "").replace(",", "")
    return Refused("number-notation", value=text, hint=f"{sign}{whole}" + (f"{point}{decimals}" if decimals else ""))


def number_text(text: str, notation: str = POINT) -> Fraction:
    """An exact number from text in a notation (POINT or DUTCH); raises Refused with what to write."""
    text = text.strip()
    if len(text) > MAX_NUMBER_CHARS:
        raise Refused("number-too-long", value=shown(text), limit=MAX_NUMBER_CHARS, exponent=MAX_EXPONENT)
    if _PLAIN.match(text):
        return Fraction(int(text))
    m = _DUTCH_GROUPS.match(text)
    if m and (notation == DUTCH or m.group(3) is not None or text.count(".") > 1):
        sign, groups, decimals = m.groups()
        if notation == DUTCH:
            return Fraction(Decimal(f"{sign}{groups.replace('.', '')}.{decimals or '0'}"))
        raise _thousands(text, sign, groups, decimals, ".")
    m = _ENGLISH_GROUPS.match(text)
    if m and (m.group(3) is not None or text.count(",") > 1):
        raise _thousands(text, m.group(1), m.group(2), m.group(3), "." if notation == POINT else ",")
    m = _ONE_SEP.match(text)
    if m:
        sign, whole, sep, decimals = m.groups()
        if len(decimals) == 3 and 1 <= len(whole) <= 3 and whole[0] != "0":
            if notation == DUTCH and sep == ".":
                return Fraction(int(f"{sign}{whole}{decimals}"))  # Dutch Excel groups thousands with '.'
            raise _ambiguous(text, sign, whole, decimals)  # and 1,050 may be English thousands
        return Fraction(Decimal(f"{sign}{whole}.{decimals}"))
    hint = "45500" if notation == POINT else ("45500 of 45500,00", "45500 or 45500,00")
    raise Refused("not-a-number", value=shown(text), hint=hint)


def number_value(value: object, notation: str = POINT) -> Fraction:
    """An exact number from a parsed value (int, Decimal from YAML or JSON, float from a spreadsheet, or text)."""
    if isinstance(value, bool) or value is None:
        raise Refused("not-a-number", value=shown(value), hint="45500")
    if isinstance(value, int):
        if value.bit_length() > 3.33 * MAX_NUMBER_CHARS:
            raise Refused("number-too-long", value="…", limit=MAX_NUMBER_CHARS, exponent=MAX_EXPONENT)
        return Fraction(value)
    if isinstance(value, Decimal):
        return decimal_value(value)
    if isinstance(value, float):  # a spreadsheet cell: a binary float, read back at its shortest form
        if value != value or value in (float("inf"), float("-inf")):
            raise Refused("not-a-number", value=shown(value), hint="45500")
        return decimal_value(Decimal(repr(value)), written=False)
    if isinstance(value, Fraction):
        return value
    if isinstance(value, str):
        return number_text(value, notation)
    raise Refused("not-a-number", value=shown(value), hint="45500")


def decimal_value(number: Decimal, written: bool = True) -> Fraction:
    """A Decimal as written in a file (its digits and exponent are the source's): refuse 1.050, keep 682.96."""
    if not number.is_finite():
        raise Refused("not-a-number", value=str(number), hint="45500")
    sign, digits, exponent = number.as_tuple()
    if len(digits) > MAX_NUMBER_CHARS or abs(number.adjusted()) > MAX_EXPONENT:
        raise Refused("number-too-long", value=shown(number), limit=MAX_NUMBER_CHARS, exponent=MAX_EXPONENT)
    whole_digits = len(digits) + exponent
    if written and exponent == -3 and 1 <= whole_digits <= 3 and digits[0] != 0:
        text = "".join(map(str, digits))
        s = "-" if sign else ""
        raise _ambiguous(f"{s}{text[:whole_digits]}.{text[whole_digits:]}", s, text[:whole_digits], text[whole_digits:])
    return Fraction(*number.as_integer_ratio())


def check_bounds(value: Fraction, kind: str) -> list[Refused]:
    """The hard bound a value breaks (an error), or the plausible bound (a warning); [] when it is fine."""
    b = BOUNDS[kind]
    if b.whole and value.denominator != 1:
        return [Refused("not-whole", value=_plain(value), what=b.what)]
    if b.cents and 100 % value.denominator:
        return [Refused("finer-than-cents", value=exact_text(value), what=b.what,
                        hint=_plain(Fraction(round(value * 100), 100)))]
    if value < 0 and (b.minimum is None or b.minimum >= 0):
        return [Refused("negative", value=_plain(value), what=b.what)]
    low_bad = b.minimum is not None and (value <= b.minimum if b.exclusive_minimum else value < b.minimum)
    if low_bad or (b.maximum is not None and value > b.maximum):
        low = f"> {b.minimum}" if b.exclusive_minimum else f"{b.minimum}"
        return [Refused("out-of-bounds", value=_plain(value), what=b.what, low=low, high=b.maximum)]
    if (b.plausible_low is not None and value < b.plausible_low) or \
            (b.plausible_high is not None and value > b.plausible_high):
        return [Refused("implausible", "warning", value=_plain(value), what=b.what,
                        low=b.plausible_low if b.plausible_low is not None else b.minimum,
                        high=b.plausible_high if b.plausible_high is not None else b.maximum)]
    return []


def _plain(value: Fraction) -> str:
    return format_plain(value, "en").replace(",", "")


def read_number(value: object, kind: str, notation: str = POINT) -> tuple[Fraction, list[Refused]]:
    """A value of a kind in BOUNDS: the exact number and its warnings; raises Refused for an error."""
    try:
        number = number_value(value, notation)
    except Refused as exc:
        if exc.code != "not-a-number":
            raise
        raise Refused("not-a-number", value=exc.args_["value"], hint=BOUNDS[kind].example) from None
    found = check_bounds(number, kind)
    errors = [r for r in found if r.severity == "error"]
    if errors:
        raise errors[0]
    return number, found


def read_count(value: object, kind: str, notation: str = POINT) -> int:
    """A whole number of a kind in BOUNDS (persons, rooms, age); raises Refused (warnings are dropped)."""
    number, _ = read_number(value, kind, notation)
    return int(number)


_ISO = re.compile(r"^([0-9]{4})-([0-9]{2})-([0-9]{2})$")
_DMY = re.compile(r"^([0-9]{1,2})-([0-9]{1,2})-([0-9]{4})$")


def read_date(value: object) -> dt.date:
    """A date: a spreadsheet date cell, YYYY-MM-DD, D-M-YYYY or DD-MM-YYYY; raises Refused otherwise.

    Two-digit years (01-01-23), compact dates (20250101) and week dates (2025-W23-1) are refused:
    the first is a guess at the century, the others are rarely meant."""
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    text = value.strip() if isinstance(value, str) else None
    if text is None or len(text) > 10:
        raise Refused("date-form", value=shown(value))
    m = _ISO.match(text)
    if m:
        y, mo, d = m.groups()
    else:
        m = _DMY.match(text)
        if not m:
            raise Refused("date-form", value=shown(text))
        d, mo, y = m.groups()
    try:
        return dt.date(int(y), int(mo), int(d))
    except ValueError:
        raise Refused("invalid-date", value=text) from None


def read_id(value: object, household: bool = False) -> str:
    """An id (household: a pseudonymous household id, which may also hold ':'); raises Refused otherwise."""
    text = value if isinstance(value, str) else None
    pattern = HOUSEHOLD_ID if household else _ID
    if text is None or len(text) > ID_MAX_LENGTH or not pattern.fullmatch(text):
        raise id_refused(value, household)
    return text


# CBS area codes (CBS, Toelichting Wijk- en Buurtkaart): the prefix, the gemeente's 4 digits, then 2 (wijk)
# or 4 (buurt) characters, digits or, where a gemeente has 100 or more wijken or buurten, capital letters.
CBS_CODES: dict[str, tuple[str, int, tuple[str, str]]] = {
    "gemeente": ("GM", 0, ("CBS-gemeentecode", "CBS municipality code")),
    "wijk": ("WK", 2, ("CBS-wijkcode", "CBS wijk code")),
    "buurt": ("BU", 4, ("CBS-buurtcode", "CBS buurt code")),
}
"""Level -> (prefix, characters after the gemeente's 4 digits, (nl, en) name); the schemas' patterns agree."""


def cbs_pattern(level: str) -> str:
    """The regular expression of a CBS code of a level, as the schemas write it."""
    prefix, tail, _ = CBS_CODES[level]
    return f"^{prefix}[0-9]{{4}}" + (f"[0-9A-Z]{{{tail}}}" if tail else "") + "$"


def cbs_problem(value: object, level: str) -> tuple[int, str, str] | None:
    """None for a well-formed CBS code of a level, else (1-based position of the first wrong character, nl, en)."""
    prefix, tail, (nl, en) = CBS_CODES[level]
    if not isinstance(value, str):
        return 1, f"een {nl} is tekst, zoals {prefix}0193" + "01" * (tail // 2), \
            f"a {en} is text, such as {prefix}0193" + "01" * (tail // 2)
    example = f"{prefix}0193" + "0101"[:tail]
    for i, ch in enumerate(value[:len(prefix)]):
        if ch != prefix[i]:
            return i + 1, f"een {nl} begint met {prefix} (teken {i + 1} is '{shown(ch)}')", \
                f"a {en} starts with {prefix} (character {i + 1} is '{shown(ch)}')"
    for i in range(len(prefix), min(len(value), len(prefix) + 4)):
        if not ("0" <= value[i] <= "9"):
            return i + 1, (f"teken {i + 1} ('{shown(value[i])}') hoort een cijfer van de gemeentecode te zijn "
                           f"(schrijf bijvoorbeeld {example})"), \
                (f"character {i + 1} ('{shown(value[i])}') should be a digit of the gemeente code "
                 f"(write e.g. {example})")
    for i in range(len(prefix) + 4, min(len(value), len(prefix) + 4 + tail)):
        if not ("0" <= value[i] <= "9" or "A" <= value[i] <= "Z"):
            return i + 1, (f"teken {i + 1} ('{shown(value[i])}') hoort een cijfer of hoofdletter te zijn "
                           f"(schrijf bijvoorbeeld {example})"), \
                (f"character {i + 1} ('{shown(value[i])}') should be a digit or a capital letter "
                 f"(write e.g. {example})")
    length = len(prefix) + 4 + tail
    if len(value) != length:
        at = min(len(value), length) + 1
        return at, (f"een {nl} heeft {length} tekens, deze heeft er {len(value)} (zoals {example})"), \
            (f"a {en} has {length} characters, this one has {len(value)} (such as {example})")
    return None


def read_cbs_code(value: object, level: str) -> str:
    """A CBS code of a level (gemeente, wijk, buurt); raises Refused naming the first wrong character."""
    problem = cbs_problem(value, level)
    if problem is not None:
        _, nl, en = problem
        raise Refused("invalid-format", value=shown(value), what=(nl, en))
    return value


def slug_id(name: str) -> str | None:
    """A name as an id: accents dropped, lower case, every run of other characters one '-'
    ("Woonstede Kampen" -> "woonstede-kampen"); None when nothing of it is left."""
    ascii_name = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode("ascii")
    slug = re.sub(r"[^a-z0-9]+", "-", ascii_name.lower()).strip("-")[:ID_MAX_LENGTH].rstrip("-")
    return slug or None


def all_household_ids(ids: list[str]) -> bool:
    """Whether every text in ids is a valid household id (as read_id(..., household=True) would say)."""
    block = "\n".join(ids) + "\n"
    return block.count("\n") == len(ids) and _HOUSEHOLD_BLOCK.fullmatch(block) is not None


def id_refused(value: object, household: bool = False) -> Refused:
    """The refusal of a value that is no valid id (see read_id)."""
    what = ("huishouden-id", "household id") if household else ("id", "id")
    return Refused("invalid-id", value=shown(value), what=what, limit=ID_MAX_LENGTH,
                   chars=("letters, cijfers, - _ . :", "letters, digits, - _ . :") if household
                   else ("letters, cijfers, - _ .", "letters, digits, - _ ."))
