"""The syntax tree of the condition language: immutable nodes, one class per construct, nothing else
(no calls, no attributes of objects, no lambdas). expr.py parses text into these and re-exports them."""

from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction


@dataclass(frozen=True)
class Node:
    """Base of all syntax nodes; pos and end are offsets in the condition text."""

    pos: int
    end: int


@dataclass(frozen=True)
class Num(Node):
    """A number literal; unit is 'number', 'percent' (35%) or 'euro' (€ 682.96)."""

    value: Fraction
    unit: str


@dataclass(frozen=True)
class Str(Node):
    """A text literal in quotes."""

    value: str


@dataclass(frozen=True)
class Bool(Node):
    """true or false."""

    value: bool


@dataclass(frozen=True)
class Name(Node):
    """The first word of a fact path, e.g. 'household'."""

    name: str


@dataclass(frozen=True)
class Attr(Node):
    """base.name."""

    base: Node
    name: str


@dataclass(frozen=True)
class Index(Node):
    """base[index], e.g. share[household.category]."""

    base: Node
    index: Node


@dataclass(frozen=True)
class ListLit(Node):
    """A list literal such as ['urgent', 'statushouder']."""

    items: tuple


@dataclass(frozen=True)
class Unary(Node):
    """-x or not x."""

    op: str
    operand: Node


@dataclass(frozen=True)
class Binary(Node):
    """A binary operator (operators.OPERATORS) over two operands."""

    op: str
    left: Node
    right: Node


@dataclass(frozen=True)
class Logic(Node):
    """and / or over two or more operands."""

    op: str
    items: tuple
