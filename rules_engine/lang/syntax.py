"""The syntax tree of the condition language: immutable nodes, one class per construct, nothing else
(no calls, no attributes of objects, no lambdas). expr.py parses text into these and re-exports them."""

from __future__ import annotations

from fractions import Fraction
from .records import frozen


@frozen
class Node:
    """Base of all syntax nodes; pos and end are offsets in the condition text."""

    pos: int
    end: int


@frozen
class Num(Node):
    """A number literal; unit is 'number', 'percent' (35%) or 'euro' (€ 682.96)."""

    value: Fraction
    unit: str


@frozen
class Str(Node):
    """A text literal in quotes."""

    value: str


@frozen
class Bool(Node):
    """true or false."""

    value: bool


@frozen
class Name(Node):
    """The first word of a fact path, e.g. 'household'."""

    name: str


@frozen
class Attr(Node):
    """base.name."""

    base: Node
    name: str


@frozen
class Index(Node):
    """base[index], e.g. share[household.category]."""

    base: Node
    index: Node


@frozen
class ListLit(Node):
    """A list literal such as ['urgent', 'statushouder']."""

    items: tuple


@frozen
class Unary(Node):
    """-x or not x."""

    op: str
    operand: Node


@frozen
class Binary(Node):
    """A binary operator (operators.OPERATORS) over two operands."""

    op: str
    left: Node
    right: Node


@frozen
class Logic(Node):
    """and / or over two or more operands."""

    op: str
    items: tuple
