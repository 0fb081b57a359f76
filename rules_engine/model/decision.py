"""The explanation record of one decision, typed end to end: frozen dataclasses, no dict fields.

`Decision.to_dict()` gives the JSON form (the same bytes as ever, schemas/decision.json) by a
direct converter, `Decision.to_json()` its JSON text without the dicts (decision_json.py), and `decision_from_dict` rebuilds the record from it. Every record can also
be read by key as its JSON form names it (`d.inputs["date"]`, `label["nl"]`), so readers of the
JSON and of the record read alike.
"""

from __future__ import annotations

import re
import sys
from dataclasses import fields
from typing import Union

from ..lang.records import quick
from .decision_json import KEPT, record_json
from ..lang.records import frozen

Json = Union[None, bool, int, str, list, dict]


class Record:
    """A frozen record readable by key, with a direct converter to JSON data."""

    def __getitem__(self, key: str):
        try:
            return getattr(self, key)
        except AttributeError:
            raise KeyError(key) from None

    def get(self, key: str, default=None):
        """The field by its JSON name, or default."""
        return getattr(self, key, default)

    def to_dict(self) -> dict:
        """Plain JSON-serialisable data, fields in declaration order (tuples become lists)."""
        cls = self.__class__
        convert = _CONVERTERS.get(cls)
        if convert is None:
            convert = _CONVERTERS[cls] = _converter(cls)
            if "to_dict" not in vars(cls):  # from now on the class's own method: no lookup per record
                convert.__doc__ = Record.to_dict.__doc__
                convert.from_fields = True  # not a JSON form of the class's own (decision_json.py)
                cls.to_dict = convert
        return convert(self)

    def to_json(self) -> str:
        """The JSON text json.dumps(self.to_dict(), ensure_ascii=False, sort_keys=True) writes, written directly
        from the texts of its shared records kept since an earlier explanation (decision_json.py)."""
        text = self.__dict__.get(KEPT)
        return record_json(self) if text is None else text


_CONVERTERS: dict = {}
_AS_IS = frozenset(("str", "int", "bool", "str | None", "int | None", "bool | None"))
_TUPLE_OF = re.compile(r"tuple\[(\w+), \.\.\.\]")
_OPTIONAL = re.compile(r"(\w+) \| None")


def _converter(cls):
    """The to_dict of one record class, written from its fields' declared types (our names only, never data):
    a text or number as it is, a tuple as a list, anything else through plain(); a record by its own to_dict
    when its class has one of its own, else written out in place (no call per record: an explanation has
    about a hundred)."""
    ns = {"plain": plain}
    code = _dict_code(cls, "self", None, [0])
    exec(f"def to_dict(self):\n    return {code}\n", ns)  # noqa: S102 - field names only
    return ns["to_dict"]


def _dict_code(cls, var: str, first: str | None, counter: list) -> str:
    """The dict display of a record's JSON form, the record being var; with first, var is bound to that
    expression where the first field reads it (dict displays evaluate in order)."""
    names = vars(sys.modules[cls.__module__])

    def record(name: str):
        t = names.get(name)
        return t if isinstance(t, type) and issubclass(t, Record) else None

    def value(t: str, v: str) -> str:
        tup, opt = _TUPLE_OF.fullmatch(t), _OPTIONAL.fullmatch(t)
        if t in _AS_IS:
            return v
        if tup and tup.group(1) in ("str", "int"):
            return f"list({v})"
        if tup and record(tup.group(1)):
            x = _fresh(counter)
            return f"[{written(record(tup.group(1)), x, None)} for {x} in {v}]"
        if opt and record(opt.group(1)):
            x = _fresh(counter)
            return f"(None if ({x} := {v}) is None else {written(record(opt.group(1)), x, None)})"
        if record(t):
            return written(record(t), _fresh(counter), v)
        return f"plain({v})"

    def written(rcls, x: str, bind: str | None) -> str:
        if "to_dict" in vars(rcls) or counter[0] > 200:  # its own JSON form, or deep enough
            return f"{bind if bind is not None else x}.to_dict()"
        return _dict_code(rcls, x, bind, counter)

    items = []
    for i, f in enumerate(fields(cls)):
        base = f"({var} := {first})" if first is not None and i == 0 else var
        items.append(f"{f.name!r}: {value(f.type, f'{base}.{f.name}')}")
    return "{" + ", ".join(items) + "}"


def _fresh(counter: list) -> str:
    counter[0] += 1
    return f"_r{counter[0]}"


def plain(v):
    """A record's value as JSON data."""
    cls = v.__class__
    if cls is tuple or cls is list:
        return [plain(x) for x in v]
    if isinstance(v, Record):
        return v.to_dict()
    return v


@quick
@frozen
class Bilingual(Record):
    """A text in Dutch and English."""

    nl: str
    en: str


@quick
@frozen
class Value(Record):
    """One side of a comparison: the expression as written, its exact value and how it reads."""

    expr: str
    value: Json  # exact number as text, text, bool, list, or None when unknown
    display: Bilingual


@quick
@frozen
class ConditionResult(Record):
    """A condition with its outcome ('true', 'false' or 'unknown') and values."""

    text: str
    line: int
    column: int
    result: str
    op: str | None
    left: Value | None
    right: Value | None
    facts: tuple[Value, ...]  # for conditions that are not one comparison: the facts they read
    reason: Bilingual | None


@quick
@frozen
class RuleResult(Record):
    """What one rule did in this decision."""

    id: str
    title: Bilingual
    level: str
    kind: str
    outcome: str
    status: str
    deciding: bool
    source: str  # file:line
    applies_when: tuple[ConditionResult, ...]
    conditions: tuple[ConditionResult, ...]
    text: Bilingual | None
    reason: Bilingual | None


@quick
@frozen
class Change(Record):
    """Something that would change the outcome, in words, with the outcome it would give."""

    kind: str  # rule | category
    outcome: str
    text: Bilingual


@quick
@frozen
class RoomLine(Record):
    """Room for one category in one group (None = not judged: too few households for shares), as room.py defines."""

    level: str
    group: str
    category: str
    room: int | None
    text: Bilingual


@quick
@frozen
class CategoryShare(Record):
    """One category in one group, now and after the letting, with its band (or portiek limit); shares as exact text."""

    category: str
    now: int
    after: int
    share_now: str
    share_after: str
    low: str | None
    high: str | None
    limit: int | None


@quick
@frozen
class LevelComposition(Record):
    """One group's composition now and after the letting, with its band (or portiek limit) per category."""

    level: str
    group: str
    homes: int
    occupied_now: int
    occupied_after: int
    categories: tuple[CategoryShare, ...]


@quick
@frozen
class HouseholdInput(Record):
    """The household as evaluated (income as exact text)."""

    id: str
    size: int
    income: str
    category: str
    age: int | None
    flags: tuple[str, ...]
    older: bool = False
    route: str | None = None
    JSON_UNSET = (("older", False), ("route", None))  # left out of the JSON form when so (decision_json.py reads it)

    def to_dict(self) -> dict:
        """As Record.to_dict; older and route only when set (records without them read as before)."""
        out = super().to_dict()
        for key, unset in self.JSON_UNSET:
            if out[key] == unset:
                del out[key]
        return out


@quick
@frozen
class ParameterInput(Record):
    """One parameter's value in force on the date, with where it comes from."""

    name: str
    value: str
    valid_from: str
    source: str

    def to_dict(self) -> dict:
        """The JSON form, without the name (it is the key in Inputs.parameters)."""
        return {"value": self.value, "valid_from": self.valid_from, "source": self.source}


@quick
@frozen
class Parameters(Record):
    """The parameters in force on the date, sorted by name; read one by name: parameters['daeb_huurgrens']."""

    items: tuple[ParameterInput, ...] = ()

    def __getitem__(self, name: str) -> ParameterInput:
        for p in self.items:
            if p.name == name:
                return p
        raise KeyError(name)

    def get(self, name: str, default=None):
        """One parameter by name, or default."""
        try:
            return self[name]
        except KeyError:
            return default

    def __iter__(self):
        return iter(self.items)

    def to_dict(self) -> dict:
        """The JSON form: an object keyed by name."""
        return {p.name: p.to_dict() for p in self.items}


@quick
@frozen
class Inputs(Record):
    """What the decision was made on: household, home and its groups, date, occupancy, profile and parameters."""

    household: HouseholdInput
    unit: str
    complex: str
    portiek: str
    buurt: str
    date: str
    occupancy: str
    profile_valid_from: str | None
    parameters: Parameters


@quick
@frozen
class PolicyRef(Record):
    """The policy version that decided."""

    id: str
    version: str
    content_hash: str


@quick
@frozen
class EngineRef(Record):
    """The engine that decided; rule_engine names another engine deciding which rules fire, if any."""

    name: str
    version: str
    rule_engine: str | None = None

    def to_dict(self) -> dict:
        """The JSON form: rule_engine only when there is one."""
        d = {"name": self.name, "version": self.version}
        if self.rule_engine is not None:
            d["rule_engine"] = self.rule_engine
        return d


@quick
@frozen
class CategoryLabel(Record):
    """A category with its label, so a saved record renders without the policy."""

    id: str
    label: Bilingual


@quick
@frozen
class Decision(Record):
    """The explanation record: outcome, reasons, values, and what would change the outcome."""

    record_version: int
    outcome: str
    outcome_label: Bilingual
    deciding_rules: tuple[str, ...]
    rules: tuple[RuleResult, ...]
    changes: tuple[Change, ...]
    room: tuple[RoomLine, ...]
    composition: tuple[LevelComposition, ...]
    inputs: Inputs
    policy: PolicyRef
    engine: EngineRef
    categories: tuple[CategoryLabel, ...] = ()


# --- from JSON ---------------------------------------------------------------------------------

def _text(d: dict | None) -> Bilingual | None:
    return None if d is None else Bilingual(d["nl"], d["en"])


def _value(v: dict | None) -> Value | None:
    return None if v is None else Value(v["expr"], v["value"], _text(v["display"]))


def _cond(c: dict) -> ConditionResult:
    return ConditionResult(c["text"], c["line"], c["column"], c["result"], c["op"], _value(c["left"]),
                           _value(c["right"]), tuple(_value(x) for x in c.get("facts", ())), _text(c["reason"]))


def _inputs(i: dict) -> Inputs:
    h = i["household"]
    household = HouseholdInput(h["id"], h["size"], h["income"], h["category"], h.get("age"), tuple(h.get("flags", ())),
                               bool(h.get("older", False)), h.get("route"))
    params = Parameters(tuple(ParameterInput(name, p["value"], p["valid_from"], p["source"])
                              for name, p in i.get("parameters", {}).items()))
    return Inputs(household, i["unit"], i["complex"], i["portiek"], i["buurt"], i["date"], i.get("occupancy", ""),
                  i.get("profile_valid_from"), params)


def decision_from_dict(d: dict) -> Decision:
    """Rebuild a Decision from its JSON form (as written by evaluate --format json or the decision log)."""
    rules = tuple(RuleResult(r["id"], _text(r["title"]), r["level"], r["kind"], r["outcome"], r["status"],
                             r["deciding"], r["source"], tuple(_cond(c) for c in r["applies_when"]),
                             tuple(_cond(c) for c in r["conditions"]), _text(r["text"]), _text(r["reason"]))
                  for r in d["rules"])
    composition = tuple(LevelComposition(c["level"], c["group"], c["homes"], c["occupied_now"], c["occupied_after"],
                                         tuple(CategoryShare(**x) for x in c["categories"])) for c in d["composition"])
    e, p = d["engine"], d["policy"]
    return Decision(d["record_version"], d["outcome"], _text(d["outcome_label"]), tuple(d["deciding_rules"]), rules,
                    tuple(Change(c["kind"], c["outcome"], _text(c["text"])) for c in d["changes"]),
                    tuple(RoomLine(r["level"], r["group"], r["category"], r["room"], _text(r["text"]))
                          for r in d["room"]),
                    composition, _inputs(d["inputs"]), PolicyRef(p["id"], p["version"], p["content_hash"]),
                    EngineRef(e["name"], e["version"], e.get("rule_engine")),
                    tuple(CategoryLabel(c["id"], _text(c["label"])) for c in d.get("categories", ())))
