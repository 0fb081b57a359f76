"""Output encoding: every value that comes from data (policy text, ids, saved files, logs) passes one of these
on its way out, so that it reads as text in each format and never as markup, a formula or a terminal command.
"""

from __future__ import annotations

import re
import unicodedata

_BIDI = frozenset("\u061c\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")
REPLACEMENT = "\ufffd"


def _html_escape(text: str, quote: bool) -> str:
    from html import escape  # when first needed: html imports its table of entities, which printing text never reads

    return escape(text, quote=quote)


def html_text(value) -> str:
    """A value as HTML text or attribute content: &, <, >, " and ' escaped."""
    return _html_escape(str(value), quote=True)


def terminal_text(value, keep: str = "") -> str:
    """A value safe to print on a terminal: control characters (escape sequences), bidi overrides and other
    invisible format characters become U+FFFD, so nothing can move the cursor, recolour or reorder the line.
    keep names characters to leave alone (such as a newline in a multi-line report)."""
    text = str(value)
    # isprintable() is False for every Cc, Cf (each of _BIDI), Zl and Zp character: a text that passes it,
    # the common case, has nothing to replace, and it is told in one pass in C, however long the report.
    if (_without(text, keep) if keep else text).isprintable():
        return text
    # Only characters outside printable ASCII can need replacing: look at those alone.
    return _NOT_PLAIN.sub(lambda m: "".join(ch if ch in keep or not _unsafe(ch) else REPLACEMENT
                                            for ch in m.group()), text)


_NOT_PLAIN = re.compile(r"[^ -~]+")


def _unsafe(ch: str) -> bool:
    return unicodedata.category(ch) in ("Cc", "Cf", "Zl", "Zp") or ch in _BIDI


def _without(text: str, chars: str) -> str:
    for ch in chars:
        text = text.replace(ch, "")
    return text


_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
_PLAIN_NUMBER = re.compile(r"-?\d[\d.,]*( ?%)?|-")


def csv_cell(value) -> str:
    """A CSV cell a spreadsheet will not run: text starting with =, +, -, @, tab or CR gets a leading
    apostrophe (OWASP's advice). A plain number ('-3', '-1,5 %') and a lone '-' stay as they are:
    a spreadsheet reads them as values, not formulas."""
    text = str(value)
    if text.startswith(_FORMULA_START) and not _PLAIN_NUMBER.fullmatch(text):
        return "'" + text
    return text


_MD_LINK = re.compile(r"([\\\[\]])")
_MENTION_OR_URL = re.compile(r"@(?=\w)|(?<=\w)(?=://)|(?<=www)(?=\.)", re.IGNORECASE)


def md_text(value) -> str:
    """Text from data inside Markdown (a table cell or a list item): it can make no image, link, mention or HTML.

    HTML is escaped (so no tag and no <autolink>); brackets are backslash-escaped (so no image or link);
    pipes and line breaks cannot end a cell; @mentions and bare URLs get an invisible word joiner, so that
    GitHub neither notifies anyone nor makes a link. Emphasis is left alone: it cannot reach anything."""
    text = terminal_text(value, keep="\r\n").replace("\r", " ").replace("\n", " ")
    text = _MD_LINK.sub(r"\\\1", _html_escape(text, quote=False)).replace("|", "&#124;")
    return _MENTION_OR_URL.sub(lambda m: m.group(0) + "\u2060" if m.group(0) == "@" else "\u2060", text)


def md_code(value) -> str:
    """Text from data as inline code: a code span whose fence is longer than any backtick run inside it."""
    text = terminal_text(value, keep="\r\n").replace("\r", " ").replace("\n", " ").replace("|", "\\|")
    longest = max((len(m) for m in re.findall(r"`+", text)), default=0)
    fence = "`" * (longest + 1)
    pad = " " if text.startswith("`") or text.endswith("`") else ""
    return f"{fence}{pad}{text}{pad}{fence}"
