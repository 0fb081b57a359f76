"""Explanation templates: literal text with {fact.path|format} placeholders (only facts, never code)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from ..diagnostics import MESSAGES
from .expr import Attr, ExprError, Index, Name, Node, parse, path_text
from .facts import HIDDEN_FACTS
from .records import frozen

if TYPE_CHECKING:
    from .compile import Expr

FORMATS = ("auto", "pct", "euro", "number", "int", "label", "text")


@frozen
class Placeholder:
    """A {fact.path|format} slot in an explanation template."""

    expr: Expr
    fmt: str


@frozen
class Template:
    """An explanation text: literal parts and placeholders."""

    parts: tuple  # str | Placeholder


def template_parts(s: str) -> list:
    """The literal texts and the fact slots of a template, in order: a slot is (offset of its text, syntax tree,
    format). Raises ExprError at the offset of a stray brace, an unknown format or a slot that is not a fact."""
    parts: list = []
    i = 0
    buf = []
    while i < len(s):
        ch = s[i]
        if ch == "{" and s.startswith("{{", i):
            buf.append("{")
            i += 2
            continue
        if ch == "}" and s.startswith("}}", i):
            buf.append("}")
            i += 2
            continue
        if ch == "}":
            raise ExprError(i, "losse '}' in tekst (schrijf '}}')", "stray '}' in text (write '}}')")
        if ch == "{":
            end = s.find("}", i)
            if end < 0:
                raise ExprError(i, "'{' wordt niet afgesloten met '}'", "'{' is never closed by '}'")
            expr_text, _, fmt = s[i + 1:end].partition("|")
            fmt = fmt.strip() or "auto"
            if fmt not in FORMATS:
                raise ExprError(i, f"onbekende opmaak '{fmt}'; kies uit {', '.join(FORMATS)}",
                                f"unknown format '{fmt}'; choose from {', '.join(FORMATS)}")
            try:
                node = parse(expr_text)
                if not isinstance(node, (Name, Attr, Index)):
                    raise ExprError(0, "tussen { } staat alleen een gegeven, zoals {unit.rent|euro}",
                                    "only a fact goes between { }, such as {unit.rent|euro}")
            except ExprError as exc:
                raise ExprError(i + 1 + exc.offset, exc.nl, exc.en) from None
            if buf:
                parts.append("".join(buf))
                buf = []
            parts.append((i + 1, node, fmt))
            i = end + 1
            continue
        buf.append(ch)
        i += 1
    if buf:
        parts.append("".join(buf))
    return parts


def refuse_hidden(n: Node) -> None:
    """A template may not print a hidden fact (facts.HIDDEN_FACTS), not even as an index or part of a path."""
    if isinstance(n, Index):
        refuse_hidden(n.base)
        refuse_hidden(n.index)
        return
    path = path_text(n) if isinstance(n, (Name, Attr)) else None
    for hidden in HIDDEN_FACTS:
        if path is not None and (path == hidden or path.startswith(hidden + ".")):
            nl, en = MESSAGES["template-hidden-fact"]
            raise ExprError(n.pos, nl.format(fact=hidden), en.format(fact=hidden))
