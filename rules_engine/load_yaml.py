"""Safe YAML reading that keeps the line and column of every node.

Only plain data comes out (dict, list, str, int, Decimal, bool, None); dates stay
text so that validation can say which date does not exist. Duplicate keys, tags,
merge keys, alias bombs, deep nesting and huge files are refused with a diagnostic.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

import yaml
from yaml.nodes import MappingNode, ScalarNode, SequenceNode

from .diagnostics import Diagnostic, PolicyError, make

MAX_BYTES = 20 * 1024 * 1024
MAX_DEPTH = 64
MAX_NODES = 2_000_000
ALIAS_FACTOR = 20  # expanded nodes may be at most this many times the written ones

Path = tuple  # a path into the document: ('rules', 3, 'all', 0)

_STD = "tag:yaml.org,2002:"
_ALLOWED_TAGS = {f"{_STD}{t}" for t in ("str", "int", "float", "bool", "null", "timestamp", "map", "seq")}


@dataclass(frozen=True)
class Source:
    """A YAML document read into plain data, with positions of its nodes."""

    path: str
    data: Any
    marks: dict  # Path -> (line, column) of the value node, 1-based
    key_marks: dict  # Path -> (line, column) of the key naming that value
    quoted: dict  # Path -> column offset of a scalar's first character (1 if quoted)

    def where(self, path: Path, key: bool = False) -> tuple[int | None, int | None]:
        """Line and column of the node at path (or its key), falling back to the nearest parent."""
        table = self.key_marks if key else self.marks
        p = tuple(path)
        while p:
            if p in table:
                return table[p]
            if key and p in self.marks:
                return self.marks[p]
            p = p[:-1]
        return self.marks.get((), (1, 1))


class _TooDeep(Exception):
    def __init__(self, mark):
        self.mark = mark


class _Loader(yaml.SafeLoader):
    """PyYAML's safe loader, composing nodes only, with a depth limit."""

    def __init__(self, stream):
        super().__init__(stream)
        self._depth = 0

    def compose_node(self, parent, index):  # noqa: D102 - PyYAML hook
        self._depth += 1
        try:
            if self._depth > MAX_DEPTH:
                raise _TooDeep(self.peek_event().start_mark)
            return super().compose_node(parent, index)
        finally:
            self._depth -= 1


def _diag(code: str, path: str, mark=None, **args) -> Diagnostic:
    line = mark.line + 1 if mark is not None else None
    col = mark.column + 1 if mark is not None else None
    return make(code, path, line, col, **args)


def read_text(path: str, max_bytes: int = MAX_BYTES) -> str:
    """Read a text file as UTF-8 (a BOM is allowed), refusing huge, binary or non-UTF-8 files."""
    try:
        size = os.stat(path).st_size
    except FileNotFoundError:
        raise PolicyError([make("file-not-found", path)]) from None
    except OSError as exc:
        raise PolicyError([make("file-unreadable", path, reason=exc.strerror or str(exc))]) from None
    if size > max_bytes:
        raise PolicyError([make("file-too-large", path, size=size, limit=max_bytes)])
    try:
        with open(path, "rb") as fh:
            raw = fh.read(max_bytes + 1)
    except IsADirectoryError:
        raise PolicyError([make("file-unreadable", path, reason=("dit is een map", "this is a folder"))]) from None
    except OSError as exc:
        raise PolicyError([make("file-unreadable", path, reason=exc.strerror or str(exc))]) from None
    return decode_text(raw, path)


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


def load_file(path: str, max_bytes: int = MAX_BYTES) -> Source:
    """Read and parse one YAML file; raises PolicyError with positions on any problem."""
    return load_text(read_text(path, max_bytes), path)


def load_text(text: str, path: str) -> Source:
    """Parse YAML text (already decoded) into a Source."""
    loader = _Loader(text)
    try:
        node = loader.get_single_node()
    except _TooDeep as exc:
        raise PolicyError([_diag("too-deep", path, exc.mark, limit=MAX_DEPTH)]) from None
    except yaml.composer.ComposerError as exc:
        if "but found another document" in str(exc.problem):
            raise PolicyError([_diag("multiple-documents", path, exc.problem_mark)]) from None
        raise PolicyError([_syntax(exc, path)]) from None
    except yaml.MarkedYAMLError as exc:
        raise PolicyError([_syntax(exc, path)]) from None
    except RecursionError:
        raise PolicyError([make("too-deep", path, limit=MAX_DEPTH)]) from None
    finally:
        loader.dispose()
    if node is None:
        raise PolicyError([make("empty-document", path, 1, 1)])
    builder = _Builder(path)
    data = builder.build(node, (), 0)
    return Source(path, data, builder.marks, builder.key_marks, builder.quoted)


def _syntax(exc: yaml.MarkedYAMLError, path: str) -> Diagnostic:
    problem = str(exc.problem or exc.context or "syntax error")
    mark = exc.problem_mark or exc.context_mark
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


class _Builder:
    """Turns a composed node graph into plain data, recording marks and refusing abuse."""

    def __init__(self, path: str):
        self.path = path
        self.marks: dict = {}
        self.key_marks: dict = {}
        self.quoted: dict = {}
        self.visited = 0
        self.budget = MAX_NODES
        self.has_alias = False

    def _count(self, node) -> None:
        self.visited += 1
        if self.visited > self.budget:
            raise PolicyError([_diag("alias-bomb", self.path, node.start_mark, limit=self.budget)])

    def build(self, node, path: Path, depth: int):
        if depth == 0:
            written = _count_written(node)
            self.budget = min(MAX_NODES, max(10_000, written * ALIAS_FACTOR))
        if depth > MAX_DEPTH:
            raise PolicyError([_diag("too-deep", self.path, node.start_mark, limit=MAX_DEPTH)])
        self._count(node)
        self.marks[path] = (node.start_mark.line + 1, node.start_mark.column + 1)
        if node.tag not in _ALLOWED_TAGS:
            raise PolicyError([_diag("unsupported-tag", self.path, node.start_mark, tag=node.tag)])
        if isinstance(node, ScalarNode):
            self.quoted[path] = 1 if node.style in ("'", '"') else 0
            return _scalar(node)
        if isinstance(node, SequenceNode):
            return [self.build(child, path + (i,), depth + 1) for i, child in enumerate(node.value)]
        out: dict = {}
        first: dict = {}
        for key_node, value_node in node.value:
            self._count(key_node)
            if key_node.tag == f"{_STD}merge":
                raise PolicyError([_diag("merge-key", self.path, key_node.start_mark)])
            if not isinstance(key_node, ScalarNode):
                raise PolicyError([_diag("unsupported-tag", self.path, key_node.start_mark, tag="complex key")])
            key = key_node.value
            if key in out:
                raise PolicyError([_diag("duplicate-key", self.path, key_node.start_mark,
                                         key=key, first_line=first[key])])
            first[key] = key_node.start_mark.line + 1
            self.key_marks[path + (key,)] = (key_node.start_mark.line + 1, key_node.start_mark.column + 1)
            out[key] = self.build(value_node, path + (key,), depth + 1)
        return out


def _count_written(root) -> int:
    """Number of distinct nodes as written (aliases point to nodes already counted)."""
    seen: set[int] = set()
    stack = [root]
    while stack:
        node = stack.pop()
        if id(node) in seen:
            continue
        seen.add(id(node))
        if isinstance(node, SequenceNode):
            stack.extend(node.value)
        elif isinstance(node, MappingNode):
            for k, v in node.value:
                stack.append(k)
                stack.append(v)
    return len(seen)


_BOOL = {"yes": True, "true": True, "on": True, "no": False, "false": False, "off": False}


def _scalar(node: ScalarNode):
    tag = node.tag[len(_STD):]
    value = node.value
    if tag == "null":
        return None
    if tag == "bool":
        return _BOOL[value.lower()]
    if tag == "int":
        return _int(value)
    if tag == "float":
        try:
            number = Decimal(value.replace("_", ""))
        except InvalidOperation:
            return value
        return number if number.is_finite() else value
    return value  # str and timestamp stay text


def _int(value: str):
    text = value.replace("_", "")
    sign = -1 if text.startswith("-") else 1
    text = text.lstrip("+-")
    try:
        if text.startswith("0b"):
            return sign * int(text[2:], 2)
        if text.startswith("0x"):
            return sign * int(text[2:], 16)
        if text.startswith("0o"):
            return sign * int(text[2:], 8)
        if ":" in text:
            return value  # YAML 1.1 base-60 numbers are a trap; keep as text
        if len(text) > 1 and text.startswith("0"):
            return value  # '0123' is an id, not an octal number
        return sign * int(text)
    except ValueError:
        return value
