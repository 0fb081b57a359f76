"""The text encoding of a table file: UTF-8 (with or without BOM) or Windows-1252, detected; nothing else.

Excel NL saves "CSV (gescheiden door lijstscheidingsteken)" as Windows-1252 (cp1252); every other
program magicmix meets writes UTF-8. A file that is neither, or UTF-8 with stray cp1252 bytes (which
would read as garbage either way), is refused with the offset of its first bad byte.
"""

from __future__ import annotations

import re

from ..diagnostics import PolicyError, make
from .files import open_regular

UTF8, CP1252 = "utf-8-sig", "cp1252"
_UTF8_SEQUENCE = re.compile(rb"[\xc2-\xf4][\x80-\xbf]+")  # a multi-byte UTF-8 character


def table_encoding(raw: bytes, path: str) -> str:
    """UTF8 or CP1252 for a table's bytes; raises PolicyError (file, line, column, byte offset) otherwise."""
    if raw.startswith((b"\xff\xfe", b"\xfe\xff")) or b"\x00" in raw:  # UTF-16 or binary
        _refuse(raw, 0 if raw[:2] in (b"\xff\xfe", b"\xfe\xff") else raw.find(b"\x00"), path)
    if raw.isascii():
        return UTF8
    try:
        raw.decode("utf-8")
        return UTF8
    except UnicodeDecodeError as exc:
        utf8_error = exc.start
    if _UTF8_SEQUENCE.search(raw, 0, utf8_error):  # UTF-8 so far, then a stray byte: mixed, not cp1252
        _refuse(raw, utf8_error, path)
    try:
        raw.decode(CP1252)
    except UnicodeDecodeError as exc:
        _refuse(raw, exc.start, path)
    return CP1252


def file_encoding(path: str) -> str:
    """UTF8 or CP1252 for a table file (see table_encoding); an ASCII file, the common case, is only scanned."""
    with open_regular(path) as fh:
        while chunk := fh.read(1 << 20):
            if not chunk.isascii():
                break
        else:
            return UTF8
        fh.seek(0)
        return table_encoding(fh.read(), path)


def _refuse(raw: bytes, offset: int, path: str):
    before = raw[:offset]
    line = before.count(b"\n") + 1
    column = offset - (before.rfind(b"\n") + 1) + 1
    raise PolicyError([make("encoding", path, line, column, offset=offset)])
