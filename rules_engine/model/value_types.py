"""The static types of values in conditions: a kind (number, text, category, bool, date, list, map)
and, for numbers and per-category maps, a unit (percent, euro_per_month, count, ...).

Types are interned: equal types are the same object, so comparing and hashing them is cheap
(they key the display caches). Their text form is the one `magicmix facts` shows: 'number:percent'.
"""

from __future__ import annotations

from enum import StrEnum
from ..lang.records import frozen


class Kind(StrEnum):
    """What sort of value: the part of a type the type rules check."""

    NUMBER = "number"
    TEXT = "text"
    CATEGORY = "category"
    BOOL = "bool"
    DATE = "date"
    LIST = "list"
    MAP = "map"  # per category, of numbers in a unit


@frozen(eq=False)
class ValueType:
    """A static type: kind and unit (None for kinds without one). Build with vtype() or parse()."""

    kind: Kind
    unit: str | None = None

    def __str__(self) -> str:
        return self.kind.value if self.unit is None else f"{self.kind.value}:{self.unit}"

    def __repr__(self) -> str:
        return f"ValueType({str(self)!r})"

    def __reduce__(self):  # unpickled types are the interned ones
        return vtype, (self.kind, self.unit)

    @property
    def textual(self) -> bool:
        """A text or a category (a category is a text the policy defines)."""
        return self.kind in (Kind.TEXT, Kind.CATEGORY)

    def item(self) -> ValueType:
        """The type of one entry of a per-category map: a number in the map's unit."""
        return vtype(Kind.NUMBER, self.unit)


_INTERNED: dict[tuple[Kind, str | None], ValueType] = {}


def vtype(kind: Kind, unit: str | None = None) -> ValueType:
    """The one ValueType of this kind and unit."""
    key = (Kind(kind), unit)
    t = _INTERNED.get(key)
    if t is None:
        t = _INTERNED.setdefault(key, ValueType(*key))
    return t


def parse(text: str) -> ValueType:
    """A type from its text form: 'number:percent', 'category', 'map:count'."""
    kind, _, unit = text.partition(":")
    return vtype(Kind(kind), unit or None)


NUMBER = vtype(Kind.NUMBER, "number")
PERCENT = vtype(Kind.NUMBER, "percent")
EURO = vtype(Kind.NUMBER, "euro")
TEXT = vtype(Kind.TEXT)
CATEGORY = vtype(Kind.CATEGORY)
BOOL = vtype(Kind.BOOL)
LIST = vtype(Kind.LIST)

UNIT_TYPES = {"euro_per_month": vtype(Kind.NUMBER, "euro_per_month"),
              "euro_per_year": vtype(Kind.NUMBER, "euro_per_year"), "percent": PERCENT, "number": NUMBER,
              "count": vtype(Kind.NUMBER, "count"), "text": TEXT, "yes_no": BOOL}
"""The type of a parameter or definition by its declared unit."""
