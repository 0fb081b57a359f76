"""Compiled explanations: what each rule's record depends on, as generated Python over the counts.

A rule's record (its conditions with the values on both sides, its text) is a function of the
values of its operands and placeholders alone. For every rule, `operand_code` writes with codegen.Gen,
from the checked syntax tree, the code of a key per operand that is not a constant: integers wherever
the value is a number (a share as its count and occupied homes, never divided; a band item as its
numerator and denominator; an amount as itself when whole, else its numerator and denominator), a text
as itself. compiled.py's explain_counts evaluates them over the counts; engine/explain_counts.py builds
each rule's record once per distinct key and `value` rebuilds the exact value from a key for that.

Covered: comparisons whose operands are numbers, truth values or texts of the household, the home,
its groups and the date, a number, truth value or text that can be unknown included (an Unknown is
its own key), the portiek maxima of the profile (keyed by the mapping's identity), and a condition
that is not one comparison (an `and` inside it: keyed by its truth and the facts it reads). Anything
else raises Unsupported, and the program is explained by the general path.
"""

from __future__ import annotations

from fractions import Fraction
from typing import NamedTuple

from .codegen import Gen, Unsupported, _V
from .expr import Attr, Binary, Name, Str, path_text
from .facts import Unknown
from .program import CompiledRule, Program
from .templates import Placeholder

_TEXT_PATHS = frozenset(("household.category", "household.id", "unit.id", "unit.portiek", "unit.complex",
                         "unit.buurt"))


class Operand(NamedTuple):
    """One operand of a rule's record: how its value is rebuilt from its place in the rule's key, or the
    constant it is."""

    kind: str  # const | share | pair | int | num | bool | text | same
    const: object = None
    at: int = -1  # its place in the rule's key (operands with the same code share one)


class RuleOperands(NamedTuple):
    """A rule's operands: applies_when's and the conditions' (a comparison's (left, right), another condition's
    (truth, facts read...)), its fired and not-fired templates' placeholders (Dutch, English); constants are
    not in the key."""

    applies: tuple[tuple[Operand, ...], ...]
    conditions: tuple[tuple[Operand, ...], ...]
    fired: tuple[tuple[Operand, ...], tuple[Operand, ...]]
    not_fired: tuple[tuple[Operand, ...], tuple[Operand, ...]] | None


def num_key(x):
    """A number's key: an int as itself, a Fraction as (numerator, denominator); anything else TypeError (the
    general path decides: a float, a bool)."""
    cls = x.__class__
    if cls is int:
        return x
    if cls is Fraction:
        return x.numerator, x.denominator
    raise TypeError


def bool_key(x):
    """A truth value as its key (anything else TypeError)."""
    if x is True or x is False:
        return x
    raise TypeError


def text_key(x):
    """A text as its key (anything else TypeError)."""
    if x.__class__ is str:
        return x
    raise TypeError


_SAME_PATHS = frozenset(("profile.portiek.max_households",))  # a profile's own mapping, fixed per profile
_SAME: dict = {}  # id -> the object: held, so that its id is not reused while a key names it
_SAME_MAX = 4096


def same_key(x) -> int:
    """An object read as it is (a profile's mapping) as its key: its id, the object held for value(); TypeError once
    too many are held (the general path decides)."""
    k = id(x)
    if _SAME.get(k) is not x:
        if len(_SAME) >= _SAME_MAX:
            raise TypeError
        _SAME[k] = x
    return k


def value(op: Operand, key):
    """The exact value an operand's key stands for (a number as a Fraction or an int: records read them alike)."""
    if key.__class__ is Unknown:
        return key
    kind = op.kind
    if kind == "share":
        return Fraction(0) if key[1] == 0 else Fraction(key[0], key[1])
    if kind == "pair":
        return Fraction(key[0], key[1])
    if kind == "same":
        return _SAME[key]
    if kind == "int" or kind == "num":
        return key if key.__class__ is int else Fraction(key[0], key[1])
    return key


def operand_code(g: Gen, node, codes: list[str]) -> Operand:
    """The operand of node: its key's code in codes (once per code), unless it is a constant."""
    op = _operand(g, node, codes)
    if op.kind == "const":
        return op
    code = codes.pop()
    at = codes.index(code) if code in codes else len(codes)
    if at == len(codes):
        codes.append(code)
    return op._replace(at=at)


def _operand(g: Gen, node, codes: list[str]) -> Operand:
    if node is None:
        raise Unsupported("no syntax tree")
    if isinstance(node, Str):
        return Operand("const", node.value)
    v = g.node(node)
    if v.unknown:
        # a value or an Unknown (a definition whose parameter is not set for the date): the Unknown is its own key
        # and value (its reason goes into the record as it is), anything else keyed as the known value would be
        if v.share is not None or v.pair or v.nd is not None or v.const is not None:
            raise Unsupported("a share or pair that can be unknown")
        t = g.temp()
        op = _known(node, _V(t, v.kind, integral=v.integral), codes)
        codes[-1] = f"({t} if ({t} := {v.code}).__class__ is _U else {codes[-1]})"
        return op
    return _known(node, v, codes)


def _known(node, v: _V, codes: list[str]) -> Operand:
    if v.const is not None:
        return Operand("const", v.const)
    if v.share is not None:
        codes.append(f"({v.share[0]}, {v.share[1]})")
        return Operand("share")
    if v.pair:
        codes.append(v.code)
        return Operand("pair")
    if v.nd is not None:
        codes.append(f"({v.nd[0]}, {v.nd[1]})")
        return Operand("pair")
    if v.kind == "num":
        codes.append(v.code if v.integral else f"_num_key({v.code})")
        return Operand("int" if v.integral else "num")
    if v.kind == "bool":
        codes.append(f"_bool_key({v.code})")
        return Operand("bool")
    if isinstance(node, (Name, Attr)) and path_text(node) in _TEXT_PATHS:
        codes.append(v.code if v.code == "cat" else f"_text_key({v.code})")
        return Operand("text")
    if isinstance(node, Attr) and path_text(node) in _SAME_PATHS:
        codes.append(f"_same_key({v.code})")
        return Operand("same")
    raise Unsupported("an operand of another type")


def _condition(g: Gen, c, codes: list[str]) -> tuple[Operand, ...]:
    """A comparison's (left, right); another condition's (its truth, then the facts it reads), as its record
    shows them (explain_rules.condition_result)."""
    node = c.expr.node
    if c.op is None:
        return (operand_code(g, node, codes),) + tuple(operand_code(g, e.node, codes) for e in c.facts)
    if not isinstance(node, Binary) or node.op != c.op:
        raise Unsupported("not one comparison")
    return operand_code(g, node.left, codes), operand_code(g, node.right, codes)


def _placeholders(g: Gen, t, codes: list[str]) -> tuple[Operand, ...]:
    return tuple(operand_code(g, part.expr.node, codes) for part in t.parts if part.__class__ is Placeholder)


def rule_operands(g: Gen, cr: CompiledRule, codes: list[str]) -> RuleOperands:
    """One rule's operands, their keys' codes in codes (Unsupported for what is not covered)."""
    return RuleOperands(tuple(_condition(g, c, codes) for c in cr.applies),
                        tuple(_condition(g, c, codes) for c in cr.conditions),
                        tuple(_placeholders(g, t, codes) for t in cr.fired),
                        None if not cr.not_fired else tuple(_placeholders(g, t, codes) for t in cr.not_fired))


def explain_code(program: Program, plans: list):
    """explain_code for compiled.compiled_rules: the code of a tuple of every rule's key tuple; the rules'
    RuleOperands are appended to plans."""
    def code(g: Gen) -> str:
        g.ns.update(_num_key=num_key, _bool_key=bool_key, _text_key=text_key, _same_key=same_key)
        per_rule = []
        for cr in program.rules:
            codes: list[str] = []
            plans.append(rule_operands(g, cr, codes))
            per_rule.append("(" + "".join(f"{c}, " for c in codes) + ")")
        return "(" + "".join(f"{c}, " for c in per_rule) + ")"
    return code
