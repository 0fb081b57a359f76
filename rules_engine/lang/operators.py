"""The operators of the condition language, declared once.

Each entry says how the operator is written, how tightly it binds, which operand types it
takes and what type it gives, what it computes (exact Fractions and ints, never floats),
its negation and how explanations read it. The tokenizer and parser (expr.py), the type
checker and compiler (compile.py), the explanation's 'what would change the outcome'
(explain.py) and the durable-rules engine read this table; adding an operator is one entry
plus its function (tests/test_operators.py shows it).
"""

from __future__ import annotations

import operator as py
from contextlib import contextmanager
from fractions import Fraction
from typing import Callable, Iterator, Protocol

from ..diagnostics import MESSAGES
from .facts import Unknown
from ..model.value_types import BOOL, NUMBER, PERCENT, Kind, ValueType
from .records import frozen

# Precedence, loosest first: a comparison joins two sums, a sum joins products.
COMPARE, SUM, PRODUCT = 1, 2, 3

MAX_DIGITS = 1000  # of a number computed while evaluating; beyond it the value is unknown
_MAX_BITS = int(MAX_DIGITS * 3.33)
DIVISION_BY_ZERO = ("deling door nul", "division by zero")
TOO_LARGE = tuple(m.format(limit=MAX_DIGITS) for m in MESSAGES["number-too-large"])


class Checker(Protocol):
    """What a type rule may ask of the type checker (compile._Compiler)."""

    def want(self, node, t: ValueType, want: Kind) -> None:
        """Refuse node unless its type t is of kind want (Kind.NUMBER, Kind.BOOL)."""

    def refuse(self, node, nl: str, en: str) -> None:
        """Refuse node with a message in Dutch and English (raises)."""

    def literal_categories(self, node, other_type: ValueType) -> None:
        """When node is a text literal (or a list of them) compared with a category: refuse unknown ones."""


@frozen
class Operator:
    """One binary operator: token as written, precedence, type rule, function, negation and words."""

    token: str  # '<=', or words such as 'not in'
    precedence: int  # COMPARE, SUM or PRODUCT
    types: Callable  # (checker, node, left type, right type) -> result type, or raises ExprError
    fn: Callable  # (a, b) -> value, for two known values; may return an Unknown (division by zero)
    negation: str | None = None  # the token that holds exactly when this one does not
    words: tuple[str, str] = ("", "")  # how it reads in Dutch and English: ('meer dan', 'more than')
    durable: str | None = None  # durable-rules' test for two plain values; None: handed over as a truth value

    @property
    def is_comparison(self) -> bool:
        """Whether it gives a yes/no value (explanations then show both sides)."""
        return self.precedence == COMPARE


# --- type rules -----------------------------------------------------------------------------------

def numbers_to_bool(c: Checker, n, lt: ValueType, rt: ValueType) -> ValueType:
    """An ordering: two numbers, a yes/no value."""
    c.want(n.left, lt, Kind.NUMBER)
    c.want(n.right, rt, Kind.NUMBER)
    return BOOL


def same_kind_to_bool(c: Checker, n, lt: ValueType, rt: ValueType) -> ValueType:
    """An equality: two values of the same kind (a category is a text), a yes/no value."""
    if lt.kind is not rt.kind and not (lt.textual and rt.textual):
        c.refuse(n, "deze twee waarden zijn niet van hetzelfde soort en kunnen niet gelijk zijn",
                 "these two values are of different kinds and can never be equal")
    c.literal_categories(n.left, rt)
    c.literal_categories(n.right, lt)
    return BOOL


def member_to_bool(c: Checker, n, lt: ValueType, rt: ValueType) -> ValueType:
    """A membership: a text or category in a list (or in a per-category map), a yes/no value."""
    if not lt.textual:
        c.refuse(n.left, "links van 'in' hoort een tekst of categorie", "a text or category belongs left of 'in'")
    if rt.kind not in (Kind.LIST, Kind.MAP):
        c.refuse(n.right, "rechts van 'in' hoort een lijst", "a list belongs right of 'in'")
    c.literal_categories(n.right, lt)
    return BOOL


def numbers_to_number(c: Checker, n, lt: ValueType, rt: ValueType) -> ValueType:
    """Arithmetic: two numbers; the unit of the result follows from the units of the operands."""
    c.want(n.left, lt, Kind.NUMBER)
    c.want(n.right, rt, Kind.NUMBER)
    lu, ru = lt.unit, rt.unit
    if n.op in ("+", "-"):
        return lt if lu == ru or ru == "number" else (rt if lu == "number" else NUMBER)
    if n.op == "*":
        return rt if lu == "number" else (lt if ru == "number" else NUMBER)
    if lu == ru:
        return PERCENT if lu == "count" else NUMBER
    return lt if ru == "number" else NUMBER


# --- functions ------------------------------------------------------------------------------------

def too_large(a, b) -> bool:
    """Whether a product or quotient of a and b could exceed MAX_DIGITS, known before it is computed.

    Only * and / are checked: sums grow a number by a bit or so per term, products double it."""
    try:
        return (a.numerator.bit_length() + a.denominator.bit_length() + b.numerator.bit_length()
                + b.denominator.bit_length()) > _MAX_BITS
    except AttributeError:  # not a number: the type check has refused it already
        return False


def _mul(a, b):
    return Unknown(*TOO_LARGE) if too_large(a, b) else a * b


def _div(a, b):
    if b == 0:
        return Unknown(*DIVISION_BY_ZERO)
    return Unknown(*TOO_LARGE) if too_large(a, b) else Fraction(a) / b


def _member(a, b):
    return a in b


def _not_member(a, b):
    return a not in b


OPERATORS: dict[str, Operator] = {op.token: op for op in (
    Operator("==", COMPARE, same_kind_to_bool, py.eq, "!=", ("gelijk aan", "equal to"), "$eq"),
    Operator("!=", COMPARE, same_kind_to_bool, py.ne, "==", ("ongelijk aan", "not equal to"), "$neq"),
    Operator("<", COMPARE, numbers_to_bool, py.lt, ">=", ("minder dan", "less than"), "$lt"),
    Operator("<=", COMPARE, numbers_to_bool, py.le, ">", ("ten hoogste", "at most"), "$lte"),
    Operator(">", COMPARE, numbers_to_bool, py.gt, "<=", ("meer dan", "more than"), "$gt"),
    Operator(">=", COMPARE, numbers_to_bool, py.ge, "<", ("ten minste", "at least"), "$gte"),
    Operator("in", COMPARE, member_to_bool, _member, "not in", ("een van", "one of")),
    Operator("not in", COMPARE, member_to_bool, _not_member, "in", ("geen van", "none of")),
    Operator("+", SUM, numbers_to_number, py.add, words=("plus", "plus")),
    Operator("-", SUM, numbers_to_number, py.sub, words=("min", "minus")),
    Operator("*", PRODUCT, numbers_to_number, _mul, words=("maal", "times")),
    Operator("/", PRODUCT, numbers_to_number, _div, words=("gedeeld door", "divided by")),
)}
"""Every binary operator, by token. Read it at the time of use: a test may extend it (see registered)."""


@contextmanager
def registered(*ops: Operator) -> Iterator[None]:
    """The table extended by ops for the duration of a with-block (for tests and experiments)."""
    before = dict(OPERATORS)
    OPERATORS.update({op.token: op for op in ops})
    try:
        yield
    finally:
        OPERATORS.clear()
        OPERATORS.update(before)


def at_level(precedence: int) -> list[Operator]:
    """The operators of one precedence, longest token first (so 'not in' is tried before 'in')."""
    return sorted((op for op in OPERATORS.values() if op.precedence == precedence), key=lambda op: -len(op.token))


def levels() -> list[int]:
    """The precedences above COMPARE, loosest first."""
    return sorted({op.precedence for op in OPERATORS.values()} - {COMPARE})


def symbols() -> list[str]:
    """The tokens written with signs (not words), longest first, for the tokenizer."""
    return sorted((t for t in OPERATORS if not t[0].isalpha()), key=len, reverse=True)


def words() -> set[str]:
    """The words operators are written with ('in', 'not'): they cannot be fact names."""
    return {w for t in OPERATORS if t[0].isalpha() for w in t.split()}


def apply(token: str, a, b):
    """'a token b' for two evaluated values, in three-valued logic: an unknown operand is the result."""
    if a.__class__ is Unknown:
        return a
    if b.__class__ is Unknown:
        return b
    return OPERATORS[token].fn(a, b)


def compiled(token: str, left: Callable, right: Callable) -> Callable:
    """A closure evaluating 'left token right' for a Facts set (the right side only when the left is known)."""
    fn = OPERATORS[token].fn
    unknown = Unknown

    def run(f):
        a = left(f)
        if a.__class__ is unknown:
            return a
        b = right(f)
        if b.__class__ is unknown:
            return b
        return fn(a, b)
    return run


# --- the logic connectives (and, or, not are words of the grammar, not binary table entries) ----------

def not_(fn: Callable) -> Callable:
    """Three-valued not: an unknown stays unknown."""
    def run(f):
        v = fn(f)
        return v if v.__class__ is Unknown else not v
    return run


def kleene(fns, f, decisive: bool, exhaustive: bool = False):
    """Combine three-valued results: the decisive value (False for 'and', True for 'or') wins,
    else the first unknown, else the other value. Exhaustive: every fn runs (for a tracer), same result."""
    unknown = None
    hit = False
    for fn in fns:
        v = fn(f)
        if v is decisive:
            if not exhaustive:
                return v
            hit = True
        elif unknown is None and v.__class__ is Unknown:
            unknown = v
    if hit:
        return decisive
    return unknown if unknown is not None else not decisive


def and_(fns) -> Callable:
    """Three-valued and over evaluators (Kleene)."""
    return lambda f: kleene(fns, f, False)


def or_(fns) -> Callable:
    """Three-valued or over evaluators (Kleene)."""
    return lambda f: kleene(fns, f, True)
