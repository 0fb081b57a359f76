"""Explain stage, reads: which of the household's fields a rule can read, found in its syntax trees.

A ranking explains many households for one home on one date: everything a rule reads but the
household is the same for all of them. When a rule reads only the household's category and
size, say, two candidates with the same category and size get the same record for it, and the
ranking builds it once (explain.explain_all). The analysis is static and errs on the safe side:
a fact of the household or its projected groups (which hold its category) counts as read
wherever it appears, a definition is followed into every one of its cases, and anything it
cannot follow (a syntax tree that is not there, a definition that does not parse) makes the
rule read the whole household, so that it is never shared.
"""

from __future__ import annotations

from dataclasses import fields

from ..lang.expr import ExprError, parse
from ..lang.facts import Household
from ..lang.program import CompiledRule, Program
from ..lang.syntax import Attr, Name, Node

_FIELDS = frozenset(f.name for f in fields(Household)) - {"id"}


class _Everything(Exception):
    """The rule may read any of the household's fields."""


def household_reads(program: Program, cr: CompiledRule) -> tuple[str, ...] | None:
    """The household's fields a rule's conditions and texts can read (sorted), or None when that cannot be told."""
    nodes = [c.expr.node for c in cr.applies + cr.conditions]
    for template in cr.fired + (cr.not_fired or ()):
        nodes += [part.expr.node for part in template.parts if not isinstance(part, str)]
    read: set[str] = set()
    try:
        for node in nodes:
            _walk(node, program, read, set())
    except (_Everything, ExprError, RecursionError):
        return None
    return tuple(sorted(read))


def _walk(node, program: Program, read: set, busy: set) -> None:
    if node is None:
        raise _Everything
    if isinstance(node, (Name, Attr)):
        path = _path(node)
        if path is not None:
            _fact(path, program, read, busy)
            return
    for f in fields(node):
        v = getattr(node, f.name)
        if isinstance(v, Node):
            _walk(v, program, read, busy)
        elif isinstance(v, (tuple, list)):
            for x in v:
                if isinstance(x, Node):
                    _walk(x, program, read, busy)


def _path(node) -> str | None:
    if isinstance(node, Name):
        return node.name
    if isinstance(node, Attr):
        base = _path(node.base)
        return None if base is None else f"{base}.{node.name}"
    return None  # an Index: its base and its index are walked on their own


def _fact(path: str, program: Program, read: set, busy: set) -> None:
    head, _, rest = path.partition(".")
    if head == "household":
        field = rest.partition(".")[0]
        if field not in _FIELDS:
            raise _Everything
        read.add(field)
    elif head == "projected":
        read.add("category")  # the projected groups hold the household
    elif head == "def":
        if rest in busy:
            return
        d = program.policy.definitions.get(rest)
        if d is None:
            raise _Everything
        busy.add(rest)
        for case in d.cases:
            for text in (case.when, case.value):
                if text is not None:
                    _walk(parse(text.text), program, read, busy)
    # anything else is a fact of the home, its groups, its profile, the date or a parameter
