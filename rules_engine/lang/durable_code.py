"""Generated code for --engine durable: the values durable-rules compares, as one JSON text per letting.

durable-rules decides which rules fire; what it is handed are the two sides of every
comparison, exact integers (a share or an amount a/b against c/d becomes a*d against c*b,
below 2**53 so that its doubles hold them exactly, beyond that the sign of the difference
against 0), with a known flag, and for conditions that are not one comparison the truth value
of the one semantics. This module writes that from the checked syntax tree, as codegen.Gen
writes the decision-only rules: one event per rule, `{"t": "r<i>", "sid": ..., fields}`, in one
JSON array built by %-formatting integers into a constant template (texts through json.dumps).
The same values give each rule's own status (rule_status's semantics); the generated code
then hands the text to `fire` (the engine: it returns the bit set of the rules durable-rules
fired, or None when the engine's rules changed since) and combines as the engine's
statuses() does: fired as durable-rules says, why the others did not fire from our own status.

The field names and `side_values` are shared with the general path (engine_durable.py), so
both hand durable-rules the same values for the same ruleset.
"""

from __future__ import annotations

import json
from fractions import Fraction

from .codegen import Gen, Unsupported, _V
from .facts import Unknown
from .operators import OPERATORS, apply
from .program import Condition, Program

EXACT = 2 ** 53  # durable-rules compares doubles: integers below this are exact in them
SID = "0"  # the one session every letting's events go to (events are consumed: nothing stays in it)


def field(i: int, part: str, j: int, kind: str) -> str:
    """The event field of rule i's part ('a' applies_when, 'c' conditions) j: k known, l/r sides, v truth value."""
    return f"r{i}{part}{j}{kind}"


def handed_as_sides(c: Condition) -> bool:
    """Whether durable-rules compares the condition's two sides itself (one comparison it has a test for)."""
    return c.op is not None and OPERATORS[c.op].durable is not None


def _encode(value):
    return int(value) if value is True or value is False else value


def side_values(op: str, a, b) -> tuple[int, object, object, object]:
    """(known, left, right, truth value) of a comparison's two evaluated sides, as durable-rules is given them.

    The truth value is the shared evaluator's (True, False or an Unknown); an unknown side gives known 0."""
    v = apply(op, a, b)
    if a.__class__ is Unknown or b.__class__ is Unknown:
        return 0, 0, 0, v
    if isinstance(a, (int, Fraction)) and isinstance(b, (int, Fraction)) and not isinstance(a, bool):
        left, right = a.numerator * b.denominator, b.numerator * a.denominator  # ints and Fractions alike
        if abs(left) >= EXACT or abs(right) >= EXACT:
            left, right = (left > right) - (left < right), 0
        return 1, left, right, v
    if isinstance(a, (str, bool)) and isinstance(b, (str, bool)) and type(a) is type(b):
        return 1, _encode(a), _encode(b), v
    # values of different kinds: the shared evaluator's answer, as two integers that compare as it says
    fn = OPERATORS[op].fn
    left, right = next(pair for pair in ((0, 0), (0, 1), (1, 0)) if fn(*pair) is (v is True))
    return int(v.__class__ is not Unknown), left, right, v


def _texts(op: str, a, b) -> tuple[int, str, str, object]:
    k, left, right, v = side_values(op, a, b)
    return k, json.dumps(left, ensure_ascii=False), json.dumps(right, ensure_ascii=False), v


class _Writer:
    """Statements of one generated function body, with the JSON template and its values in order."""

    def __init__(self, g: Gen):
        self.g, self.lines, self.template, self.values = g, [], [], []

    def name(self, stem: str) -> str:
        return f"{stem}{self.g.temp()}"

    def comparison(self, i: int, part: str, j: int, c: Condition, node) -> _V:
        g = self.g
        a, b = g.node(node.left), g.node(node.right)
        k, v = self.name("_k"), self.name("_v")
        left, right = self.name("_l"), self.name("_r")
        fmt = "%d"
        if a.kind == "num" and b.kind == "num":
            ta, tb = a, b
            checks = []
            for side in (a, b):
                if side.unknown:  # bound once, then read as a plain number
                    t = self.name("_s")
                    self.lines.append(f"{t} = {g.value(side).code}")
                    checks.append(t)
                    bound = _V(t, "num", integral=side.integral)
                    ta, tb = (bound, tb) if side is a else (ta, bound)
            lc, rc, guards = g.cross(ta, tb)
            fast = [f"{left} = {lc}", f"{right} = {rc}",
                    f"if not (-{EXACT} < {left} < {EXACT} and -{EXACT} < {right} < {EXACT}):",
                    f"    {left}, {right} = ({left} > {right}) - ({left} < {right}), 0"]
            if guards:  # a share of an empty group is 0: the Fractions of the one semantics then
                fast = [f"if {' and '.join(f'{x} > 0' for x in guards)}:", *("    " + s for s in fast), "else:",
                        f"    _, {left}, {right}, _ = _sides({g.const(c.op)}, {g.value(ta).code}, {g.value(tb).code})"]
            fast.append(f"{v} = {left} {c.op} {right}")
            if checks:
                first = "".join(f"{t} if {t}.__class__ is _U else " for t in checks)  # left first, as apply
                self.lines += [f"{v} = {first}None", f"if {v} is not None:", f"    {k} = {left} = {right} = 0",
                               "else:", f"    {k} = 1", *("    " + s for s in fast)]
            else:
                self.lines += fast
                k = "1"  # always known: a constant of the template
        else:  # texts, yes/no values: the general path's rules, at run time
            fmt = "%s"
            self.lines.append(f"{k}, {left}, {right}, {v} = _texts({g.const(c.op)}, {g.value(a).code}, "
                              f"{g.value(b).code})")
        self.template += [f'"{field(i, part, j, "k")}":' + ("1" if k == "1" else "%d"),
                          f'"{field(i, part, j, "l")}":{fmt}', f'"{field(i, part, j, "r")}":{fmt}']
        self.values += [left, right] if k == "1" else [k, left, right]
        return _V(v, "bool", unknown=bool(a.unknown or b.unknown or fmt == "%s"))

    def truth(self, i: int, part: str, j: int, node) -> _V:
        value = self.g.node(node)
        if value.kind != "bool":
            raise Unsupported("condition")
        v = self.name("_v")
        self.lines.append(f"{v} = {value.code}")
        self.template += [f'"{field(i, part, j, "k")}":%d', f'"{field(i, part, j, "v")}":%d']
        self.values += [f"({v} is True or {v} is False)", f"({v} is True)"]
        return _V(v, "bool", unknown=value.unknown)


def rules_code(g: Gen, program: Program) -> tuple[list[str], str]:
    """(statements, key expression) of the durable-rules path for compiled.py: the statements build the events,
    call fire(text) and return FALLBACK when it gives None; the key holds each rule's combined status code."""
    from .codegen import NOT_FIRED_CODE
    from .expr import Binary, parse

    g.ns.update(_sides=side_values, _texts=_texts)
    w = _Writer(g)
    events, own = [], []
    for i, cr in enumerate(program.rules):
        start = len(w.template)
        values = {}
        for part, conds in (("a", cr.applies), ("c", cr.conditions)):
            out = values[part] = []
            for j, c in enumerate(conds):
                node = parse(c.expr.source.text)
                if handed_as_sides(c):
                    if not isinstance(node, Binary) or node.op != c.op:
                        raise Unsupported("comparison")
                    out.append(w.comparison(i, part, j, c, node))
                else:
                    out.append(w.truth(i, part, j, node))
        events.append("{" + f'"t":"r{i}","sid":"{SID}",' + ",".join(w.template[start:]) + "}")
        own.append(g.status(cr, values["a"], values["c"]))
    template = g.const("[" + ",".join(events) + "]")
    w.lines += [f"_o{i} = {s}" for i, s in enumerate(own)]
    w.lines += [f"_f = fire({template} % ({''.join(f'{x}, ' for x in w.values)}))", "if _f is None:",
                "    return FALLBACK"]
    key = " | ".join(f"(0 if _f & {1 << i} else (_o{i} or {NOT_FIRED_CODE})) << {2 * i}"
                     for i in range(len(own))) or "0"
    return w.lines, key
