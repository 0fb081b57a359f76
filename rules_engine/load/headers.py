"""The header row of a table (a batch, the candidates of a letting, an occupancy export): every column known,
named and there once, or a message per column that is not, naming the column meant where it can be guessed."""

from __future__ import annotations

from typing import Mapping, Sequence

from ..diagnostics import hint
from .values import shown


def header_problems(names: Sequence, columns: Sequence[str], dutch: Mapping[str, str]) -> list[tuple[int, str, str]]:
    """(column number from 1, nl, en) for every column of a header that is not one of columns, has no name or is
    there twice: a column read under another name, or a second column of one name, would be read silently wrong.
    dutch: the Dutch a column is likely to be called by -> the column meant."""
    out, seen, known = [], {}, set(columns)
    listed = ", ".join(columns)
    for i, name in enumerate(names, 1):
        if name == "":
            out.append((i, f"kolom {i} heeft geen naam", f"column {i} has no name"))
        elif name in seen:
            out.append((i, f"kolom '{shown(name)}' staat twee keer in de kopregel (kolom {seen[name]} en {i})",
                        f"column '{shown(name)}' is in the header twice (columns {seen[name]} and {i})"))
        elif name not in known:
            meant = dutch.get(name)
            nl, en = (f"; bedoelde u '{meant}'?", f"; did you mean '{meant}'?") if meant else hint(sorted(known), str(name))
            out.append((i, f"onbekende kolom '{shown(name)}'{nl}; kolommen: {listed}",
                        f"unknown column '{shown(name)}'{en}; columns: {listed}"))
        seen.setdefault(name, i)
    return out
