"""One complex file's part of a policy, and putting the parts together: the unit table and the complexes.

A complex file is checked in two steps. What it means on its own, against policy.yaml (its buurt, its
profile versions, its portieken and homes), is its ComplexPart: built once per file and, at national
scale, kept in the policy cache (cache_parts.py) under the bytes of the file and of policy.yaml. What
depends on the other files (a home id or complex id used twice) is decided by assemble(), over all
parts in file order, exactly as a reading of every file does: a full read and a run that reads one
changed file give the same policy and the same diagnostics, because both go through assemble().
"""

from __future__ import annotations

from array import array
from dataclasses import field
from itertools import repeat
from typing import Callable

from ..diagnostics import Collector, Diagnostic, PolicyError, make
from ..model.policy import Complex, Portieken, Profile, UnitTable, Where
from .load_yaml import Source, load_file
from ..lang.records import frozen


@frozen
class ComplexPart:
    """What one complex file contributes: its own findings and its homes as columns (as in the unit table).

    reading holds the findings of reading and the schema check; built is False for a file those refused
    (nothing below is then filled in); id is None for a built file that is no complex of this policy
    (its buurt is unknown). profiles are the file's own versions, in file order (the policy default
    is put in front when the parts are assembled); portieken are (key, index in the file, homes) per
    portiek, a portiek named twice in the file left out."""

    path: str
    digest: bytes  # sha256 of the bytes the part was built from
    reading: tuple[Diagnostic, ...] = ()
    built: bool = False
    diags: tuple[Diagnostic, ...] = ()  # what the semantic checks of this file alone found
    id: str | None = None
    name: str = ""
    buurt: str = ""
    where: Where | None = None
    profiles: tuple[Profile, ...] = ()
    portieken: tuple[tuple[str, int, int], ...] = ()
    ids: list = field(default_factory=list)
    rooms: array = field(default_factory=lambda: array("q"))
    rent_num: list = field(default_factory=list)
    rent_den: list = field(default_factory=list)
    daeb: bytearray = field(default_factory=bytearray)
    floor: list = field(default_factory=list)
    line: array = field(default_factory=lambda: array("l"))
    column: array = field(default_factory=lambda: array("l"))


_COLUMNS = ("_ids", "_rooms", "_rent_num", "_rent_den", "_daeb", "_floor", "_place", "_places", "_starts", "_file",
            "_files", "_line", "_column")


def _empty_columns() -> dict:
    return {"_ids": [], "_rooms": array("q"), "_rent_num": [], "_rent_den": [], "_daeb": bytearray(), "_floor": [],
            "_place": array("l"), "_places": [], "_starts": array("l"), "_file": array("l"), "_files": [],
            "_line": array("l"), "_column": array("l")}


def assemble(parts: list[ComplexPart], default_of: Callable[[str], Profile], collector: Collector,
             root: str | None) -> tuple[UnitTable, dict[str, Complex]]:
    """The unit table and the complexes of built parts, in file order, with the checks across files.

    A home id already used (in this file or an earlier one) is a duplicate and left out; a complex id
    already used is a duplicate complex (its homes stay in the table, as they always did). Homes are
    put in column by column; only when some id occurs twice is the table built again home by home,
    to name each duplicate as a reading of every file would."""
    units = UnitTable()
    cols = _empty_columns()
    ids, places, starts, place_of, file_of = cols["_ids"], cols["_places"], cols["_starts"], cols["_place"], cols["_file"]
    complexes: dict[str, Complex] = {}
    files, rooms, rent_num, rent_den = cols["_files"], cols["_rooms"], cols["_rent_num"], cols["_rent_den"]
    daeb, floor, lines, columns = cols["_daeb"], cols["_floor"], cols["_line"], cols["_column"]
    for part in parts:
        if part.diags:
            collector.extend(part.diags)
        if part.id is None:
            continue
        file = len(files)
        files.append(part.path)
        numbers: dict[str, int] = {}
        at = len(ids)
        for key, _, count in part.portieken:
            number = numbers[key] = len(places)
            place_of.extend(repeat(number, count))
            places.append((key, part.id, part.buurt))
            starts.append(at)
            at += count
        ids.extend(part.ids)
        rooms.extend(part.rooms)
        rent_num.extend(part.rent_num)
        rent_den.extend(part.rent_den)
        daeb.extend(part.daeb)
        floor.extend(part.floor)
        lines.extend(part.line)
        columns.extend(part.column)
        file_of.extend(repeat(file, len(part.ids)))
        profiles = [default_of(part.buurt), *part.profiles]
        profiles.sort(key=lambda p: p.valid_from)
        cx = Complex(part.id, part.name, part.buurt, tuple(profiles), Portieken(units, numbers), part.where)
        if cx.id in complexes:
            line, col = _position(part, ("id",), root, (part.where.line, part.where.column))
            collector.add(make("duplicate-id", part.path, line, col, what=("complex", "complex"), id=cx.id,
                               other=complexes[cx.id].where.file))
            continue
        complexes[cx.id] = cx
    units.__setstate__(cols)  # the table's own way of being made from its columns (as when it is unpickled)
    if not units.distinct():
        _home_by_home(units, parts, collector, root)
    return units, complexes


def _home_by_home(units: UnitTable, parts: list[ComplexPart], collector: Collector, root: str | None) -> None:
    """Build the table again as a reading of every file does, naming each home id used before (rare: an error)."""
    units.__init__()
    for part in parts:
        if part.id is None:
            continue
        file = units.add_file(part.path)
        k = 0
        for key, index, count in part.portieken:
            place = units.add_place(key, part.id, part.buurt)
            for j in range(count):
                uid = part.ids[k + j]
                if uid in units:
                    line, col = _position(part, ("portieken", index, "units", j, "id"), root,
                                          (part.line[k + j], part.column[k + j]))
                    collector.add(make("duplicate-id", part.path, line, col, what=("woning", "home"), id=uid,
                                       other=units.where_text(uid)))
                    continue
                units.add(uid, part.rooms[k + j], _fraction(part, k + j), bool(part.daeb[k + j]), part.floor[k + j],
                          place, file, part.line[k + j], part.column[k + j])
            k += count


def _fraction(part: ComplexPart, i: int):
    from fractions import Fraction

    return Fraction(part.rent_num[i], part.rent_den[i])


def _position(part: ComplexPart, path: tuple, root: str | None, nearest: tuple[int, int]) -> tuple[int, int]:
    """Line and column of a node of the part's file, read again completely (a part keeps the positions of
    list items only); the nearest known position when the file no longer has the bytes the part was made of."""
    try:
        fresh: Source = load_file(part.path, root=root)
    except PolicyError:
        return nearest
    if fresh.digest != part.digest:
        return nearest
    return fresh.where(path)
