"""Safe YAML reading that keeps the line and column of every node.

Only plain data comes out (dict, list, str, int, Decimal, bool, None); dates stay
text so that validation can say which date does not exist. Duplicate keys, tags,
merge keys, alias bombs, deep nesting and huge files are refused with a diagnostic.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import field, replace
from decimal import Decimal, InvalidOperation
from typing import Any

import yaml

from ..diagnostics import Diagnostic, PolicyError, make
from .files import read_bytes
from .values import MAX_EXPONENT, MAX_NUMBER_CHARS
from ..lang.records import frozen

MAX_BYTES = 20 * 1024 * 1024
MAX_DEPTH = 64
MAX_NODES = 2_000_000
REREAD_LIMIT = 256 * 1024  # characters: larger texts keep libyaml's message instead of a slow re-read
ALIAS_FACTOR = 20  # expanded nodes may be at most this many times the written ones

Path = tuple  # a path into the document: ('rules', 3, 'all', 0)

_STD = "tag:yaml.org,2002:"
_ALLOWED_TAGS = {f"{_STD}{t}" for t in ("str", "int", "float", "bool", "null", "timestamp", "map", "seq")}


@frozen
class Source:
    """A YAML document read into plain data, with positions of its nodes.

    A source read with complete=False keeps positions only for containers and list items
    (a 30,000-file policy sends far less between processes); asked for any other position,
    it reads its file once more, completely, and answers from that.
    """

    path: str
    data: Any
    marks: dict  # Path -> (line, column) of the value node, 1-based
    key_marks: dict  # Path -> (line, column) of the key naming that value
    quoted: dict  # Path -> column offset of a scalar's first character (1 if quoted)
    complete: bool = True
    folder: str | None = None  # the policy folder it must lie in, also when it is read again
    digest: bytes = field(default=b"", compare=False, repr=False)  # sha256 of the bytes read (a file's only)
    _full: list = field(default_factory=list, compare=False, repr=False)  # the complete reading, once made

    def _complete(self) -> "Source":
        if self.complete:
            return self
        if not self._full:
            try:
                fresh = load_file(self.path, root=self.folder)
            except PolicyError:
                fresh = None
            # a file changed since it was read gives no positions: the nearest known one is used instead
            self._full.append(fresh if fresh is not None and fresh.data == self.data else None)
        return self._full[0] or self

    def where(self, path: Path, key: bool = False) -> tuple[int | None, int | None]:
        """Line and column of the node at path (or its key), falling back to the nearest parent."""
        p = tuple(path)
        if not self.complete:
            if not key and p in self.marks:
                return self.marks[p]
            full = self._complete()
            if full is not self:
                return full.where(p, key)
        table = self.key_marks if key else self.marks
        while p:
            if p in table:
                return table[p]
            if key and p in self.marks:
                return self.marks[p]
            p = p[:-1]
        return self.marks.get((), (1, 1))

    def quote_offset(self, path: Path) -> int:
        """Columns between a scalar's node and its first character: 1 when it is quoted, else 0."""
        return self._complete().quoted.get(tuple(path), 0)


def _diag(code: str, path: str, mark=None, **args) -> Diagnostic:
    line = mark.line + 1 if mark is not None else None
    col = mark.column + 1 if mark is not None else None
    return make(code, path, line, col, **args)


def read_text(path: str, max_bytes: int = MAX_BYTES, root: str | None = None) -> str:
    """Read a regular text file (inside the folder root, when given) as UTF-8 (a BOM is allowed),
    refusing huge, binary or non-UTF-8 files, pipes, devices and links out of root."""
    return decode_text(read_bytes(path, max_bytes, root), path)


def decode_text(raw: bytes, path: str) -> str:
    """Decode bytes as UTF-8 text, pointing at the first bad byte when that fails."""
    if b"\x00" in raw:
        return _fail_at_offset(raw, raw.index(b"\x00"), path, "binary-file")
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        return _fail_at_offset(raw, exc.start, path, "not-utf8")
    return text.replace("\r\n", "\n")


def _fail_at_offset(raw: bytes, offset: int, path: str, code: str):
    before = raw[:offset]
    line = before.count(b"\n") + 1
    column = offset - (before.rfind(b"\n") + 1) + 1
    raise PolicyError([make(code, path, line, column)])


def load_file(path: str, max_bytes: int = MAX_BYTES, complete: bool = True, root: str | None = None) -> Source:
    """Read and parse one YAML file (inside root, when given); raises PolicyError with positions on any problem.

    The Source carries the sha256 of exactly the bytes it was read from (the policy cache keys per-file results
    by it, so a file that changes while it is read is never kept under its old bytes)."""
    raw = read_bytes(path, max_bytes, root)
    source = load_text(decode_text(raw, path), path, complete)
    return replace(source, folder=root, digest=hashlib.sha256(raw).digest())


def load_text(text: str, path: str, complete: bool = True) -> Source:
    """Parse YAML text (already decoded) into a Source (see Source for complete)."""
    try:
        events = yaml.parse(text, Loader=_FastLoader)
        return _build(events, path, complete)
    except yaml.reader.ReaderError as exc:
        raise PolicyError([_control_character(exc, text, path)]) from None
    except yaml.MarkedYAMLError as fast_error:
        if _is_depth_error(fast_error) or len(text) > REREAD_LIMIT:
            # libyaml's own depth limit, or a file too large for the slow parser: re-reading such a text
            # with the pure-Python parser takes tens of seconds and says nothing new.
            raise PolicyError([_syntax(fast_error, path)]) from None
        # Re-read with PyYAML's own parser so that messages and positions are the same on every machine.
        try:
            for _ in yaml.parse(text, Loader=yaml.SafeLoader):
                pass
        except yaml.reader.ReaderError as exc:
            raise PolicyError([_control_character(exc, text, path)]) from None
        except yaml.MarkedYAMLError as exc:
            raise PolicyError([_syntax(exc, path)]) from None
        raise PolicyError([_syntax(fast_error, path)]) from None


def _control_character(exc: yaml.reader.ReaderError, text: str, path: str) -> Diagnostic:
    """A character YAML does not allow (a control character), at its line and column."""
    pos = exc.position if isinstance(exc.position, int) and 0 <= exc.position <= len(text) else 0
    line = text.count("\n", 0, pos) + 1
    column = pos - (text.rfind("\n", 0, pos) + 1) + 1
    char = exc.character if isinstance(exc.character, str) else chr(exc.character or 0)
    return make("control-character", path, line, column, char=f"U+{ord(char):04X}")


_FastLoader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


class _Frame:
    __slots__ = ("value", "path", "key", "anchor", "start_total", "is_map", "first_line")

    def __init__(self, value, path, anchor, start_total, is_map):
        self.value = value
        self.path = path
        self.key = None  # a mapping's pending key (None: the next scalar is a key)
        self.anchor = anchor
        self.start_total = start_total
        self.is_map = is_map
        self.first_line: dict = {}


def _build(events, path: str, complete: bool = True) -> Source:
    """Plain data from a YAML event stream, with an explicit stack: no recursion, so depth is checked exactly."""
    marks, key_marks, quoted = {}, {}, {}
    anchors: dict = {}
    sizes: dict = {}
    stack: list[_Frame] = []
    root = None
    have_root = False
    documents = 0
    written = 0  # nodes as written
    total = 0  # nodes including what aliases repeat
    repeated = 0

    for ev in events:
        cls = ev.__class__
        if cls is yaml.DocumentStartEvent:
            documents += 1
            if documents > 1:
                raise PolicyError([_diag("multiple-documents", path, ev.start_mark)])
            continue
        if cls in (yaml.StreamStartEvent, yaml.StreamEndEvent, yaml.DocumentEndEvent):
            continue
        mark = ev.start_mark
        top = stack[-1] if stack else None
        expecting_key = top is not None and top.is_map and top.key is None
        if cls is yaml.AliasEvent:
            if ev.anchor not in sizes:
                code = "alias-bomb" if ev.anchor in anchors else "yaml-syntax"
                raise PolicyError([_diag(code, path, mark, limit=0, problem=(
                    f"onbekende alias *{ev.anchor}", f"unknown alias *{ev.anchor}"))])
            if expecting_key:
                raise PolicyError([_diag("unsupported-tag", path, mark, tag="alias as key")])
            total += sizes[ev.anchor]
            repeated += sizes[ev.anchor]
            if total > MAX_NODES or repeated > ALIAS_FACTOR * written + 10_000:
                raise PolicyError([_diag("alias-bomb", path, mark, limit=ALIAS_FACTOR * written + 10_000)])
            value = anchors[ev.anchor]
        elif cls is yaml.ScalarEvent:
            written += 1
            total += 1
            tag = ev.tag if ev.tag not in (None, "!") else _resolve(ev.value, ev.implicit)
            if expecting_key:
                if tag == f"{_STD}merge":
                    raise PolicyError([_diag("merge-key", path, mark)])
                if tag not in _ALLOWED_TAGS:
                    raise PolicyError([_diag("unsupported-tag", path, mark, tag=tag)])
                key = ev.value
                if key in top.value:
                    raise PolicyError([_diag("duplicate-key", path, mark, key=key, first_line=top.first_line[key])])
                top.first_line[key] = mark.line + 1
                top.key = key
                if complete:
                    key_marks[top.path + (key,)] = (mark.line + 1, mark.column + 1)
                continue
            if tag not in _ALLOWED_TAGS:
                raise PolicyError([_diag("unsupported-tag", path, mark, tag=tag)])
            if (tag == _INT or tag == _FLOAT) and _absurd_number(ev.value):
                raise PolicyError([_diag("number-too-long", path, mark, value=_cut(ev.value), limit=MAX_NUMBER_CHARS,
                                         exponent=MAX_EXPONENT)])
            value = _scalar_value(tag, ev.value)
            if complete and (ev.style == "'" or ev.style == '"'):
                quoted[(top.path + ((top.key,) if top.is_map else (len(top.value),))) if top else ()] = 1
            if ev.anchor:
                anchors[ev.anchor] = value
                sizes[ev.anchor] = 1
        elif cls in (yaml.SequenceStartEvent, yaml.MappingStartEvent):
            if expecting_key:
                raise PolicyError([_diag("unsupported-tag", path, mark, tag="complex key")])
            is_map = cls is yaml.MappingStartEvent
            default = f"{_STD}{'map' if is_map else 'seq'}"
            tag = ev.tag if ev.tag not in (None, "!") else default
            if tag != default:
                raise PolicyError([_diag("unsupported-tag", path, mark, tag=tag)])
            if len(stack) >= MAX_DEPTH:
                raise PolicyError([_diag("too-deep", path, mark, limit=MAX_DEPTH)])
            written += 1
            total += 1
            p = (top.path + ((top.key,) if top.is_map else (len(top.value),))) if top else ()
            marks[p] = (mark.line + 1, mark.column + 1)
            if ev.anchor:
                anchors[ev.anchor] = None  # in progress: an alias to it now is a loop
            stack.append(_Frame({} if is_map else [], p, ev.anchor, total - 1, is_map))
            continue
        elif cls in (yaml.SequenceEndEvent, yaml.MappingEndEvent):
            frame = stack.pop()
            if frame.anchor:
                anchors[frame.anchor] = frame.value
                sizes[frame.anchor] = total - frame.start_total
            value = frame.value
            mark = None
            top = stack[-1] if stack else None
        else:
            continue
        # attach the finished value to its parent (or make it the document)
        if top is None:
            root, have_root = value, True
        elif top.is_map:
            if mark is not None and complete:
                marks[top.path + (top.key,)] = (mark.line + 1, mark.column + 1)
            top.value[top.key] = value
            top.key = None
        else:
            if mark is not None:
                marks[top.path + (len(top.value),)] = (mark.line + 1, mark.column + 1)
            top.value.append(value)
    if not have_root:
        raise PolicyError([make("empty-document", path, 1, 1)])
    return Source(path, root, marks, key_marks, quoted, complete)


_RESOLVER = yaml.resolver.Resolver()
_IMPLICIT = _RESOLVER.yaml_implicit_resolvers
_STR = f"{_STD}str"


def _resolve(value: str, implicit) -> str:
    """The tag of an untagged scalar, as PyYAML's resolver gives it (YAML 1.1 rules)."""
    if implicit[0]:
        for tag, regexp in _IMPLICIT.get(value[:1] if value else "", ()):
            if regexp.match(value):
                return tag
    return _STR


def _is_depth_error(exc: yaml.MarkedYAMLError) -> bool:
    return "nesting depth" in str(exc.problem or "") or "nesting depth" in str(exc.context or "")


def _syntax(exc: yaml.MarkedYAMLError, path: str) -> Diagnostic:
    problem = str(exc.problem or exc.context or "syntax error")
    mark = exc.problem_mark or exc.context_mark
    if _is_depth_error(exc):
        return _diag("too-deep", path, mark, limit=MAX_DEPTH)
    if "'\\t'" in problem or "\\t" in problem and "cannot start any token" in problem:
        return _diag("tab-indentation", path, mark)
    if exc.context and "quoted scalar" in str(exc.context) and "end of stream" in problem:
        return _diag("unterminated-quote", path, exc.context_mark)
    return _diag("yaml-syntax", path, mark, problem=_translate(problem))


_PROBLEMS_NL = {
    "mapping values are not allowed here": "hier mag geen dubbele punt met waarde staan (controleer inspringing of zet de tekst tussen aanhalingstekens)",
    "could not find expected ':'": "verwachtte een dubbele punt ':' na de sleutel",
    "expected <block end>, but found '-'": "een lijstelement '-' staat niet goed ingesprongen",
    "found undefined alias": "onbekende alias (een *naam zonder bijbehorende &naam)",
}


def _translate(problem: str) -> tuple[str, str]:
    for en, nl in _PROBLEMS_NL.items():
        if problem.startswith(en):
            return (nl, problem)
    return (problem, problem)


_INT, _FLOAT = f"{_STD}int", f"{_STD}float"
_EXPONENT = re.compile(r"[eE]([+-]?[0-9]+)")


def _absurd_number(text: str) -> bool:
    """Too many characters, or an exponent beyond +-20: converting it could take a minute (1.0e-100000)."""
    if len(text) > MAX_NUMBER_CHARS:
        return True
    m = _EXPONENT.search(text)
    return m is not None and abs(int(m.group(1))) > MAX_EXPONENT


def _cut(text: str) -> str:
    return text if len(text) <= 40 else text[:39] + "…"


_BOOL = {"yes": True, "true": True, "on": True, "no": False, "false": False, "off": False}


def _scalar_value(full_tag: str, value: str):
    tag = full_tag[len(_STD):]
    if tag == "null":
        return None
    if tag == "bool":
        return _BOOL[value.lower()]
    if tag == "int":
        return _int(value)
    if tag == "float":
        if "_" in value:
            return value  # as _int
        try:
            number = Decimal(value)
        except InvalidOperation:
            return value
        return number if number.is_finite() else value
    return value  # str and timestamp stay text


def _int(value: str):
    if "_" in value:
        return value  # YAML 1.1 reads 2_6000 as 26000: text, which the schema refuses, as the CSV reader refuses 1_000
    text = value
    sign = -1 if text.startswith("-") else 1
    text = text.lstrip("+-")
    try:
        if text.startswith(("0b", "0x", "0o")):
            return value  # 'income: 0x10' is no amount anyone writes: text, which the schema refuses, not 16
        if ":" in text:
            return value  # YAML 1.1 base-60 numbers are a trap; keep as text
        if len(text) > 1 and text.startswith("0"):
            return value  # '0123' is an id, not an octal number
        return sign * int(text)
    except ValueError:
        return value
