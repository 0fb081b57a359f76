"""The JSON text of an explanation record, written directly: the bytes json.dumps(record.to_dict(),
ensure_ascii=False, sort_keys=True) writes, without building the dicts or sorting keys per record.

Per record class one writer is generated from its fields (their names only, never data), keys in
sorted order. Records are frozen and shared between explanations (a condition's result, a rule
text, a share), so a record's text is kept on the record the first time it is written and every
later explanation that holds it reuses it: only the records of this decision are written. A
record that holds mutable JSON data (a list or dict value), or of a class that is not frozen, is
written every time, as are its parents. A class with a to_dict of its own is written through it, so
the two forms cannot drift; one whose to_dict only leaves out unset fields names them in JSON_UNSET
(HouseholdInput), and its writer leaves them out alike.
tests/test_decision_json.py holds it to json.dumps(to_dict()) on generated explanations.
"""

from __future__ import annotations

import json
import re
import sys
from dataclasses import fields
from json.encoder import encode_basestring

KEPT = "_json"  # the instance attribute that holds a record's text once written (not a field)
_SCALARS = frozenset((str, int, bool, type(None)))
_TUPLE_OF = re.compile(r"tuple\[(\w+), \.\.\.\]")
_OPTIONAL = re.compile(r"(\w+) \| None")
_SIMPLE = {"str": "s", "int": "i", "bool": "b", "str | None": "s", "int | None": "i", "bool | None": "b"}
_WRITERS: dict = {}


def dumps(data) -> str:
    """json.dumps as the record's JSON is written (UTF-8 kept, keys sorted, default separators)."""
    return json.dumps(data, ensure_ascii=False, sort_keys=True)


def record_json(record) -> str:
    """The compact JSON text of a record (as dumps(record.to_dict()) writes it), kept on the record when it
    is immutable all the way down."""
    text = record.__dict__.get(KEPT)
    if text is None:
        write = _WRITERS.get(record.__class__)
        if write is None:
            write = _WRITERS[record.__class__] = _writer(record.__class__)
        text = write(record)
    return text


def _any(v) -> str:
    """Any value a record field holds, as dumps writes it (a record by record_json)."""
    cls = v.__class__
    if cls is str:
        return encode_basestring(v)
    if cls is int:
        return int.__repr__(v)
    if v is None:
        return "null"
    if v is True:
        return "true"
    if v is False:
        return "false"
    if cls is tuple or cls is list:
        return "[" + ", ".join([_any(x) for x in v]) + "]"
    if hasattr(v, "to_dict") and hasattr(v, "__dict__") and hasattr(v, "__dataclass_fields__"):
        return record_json(v)
    from .decision import plain
    return dumps(plain(v))


def _kept(v) -> bool:
    """Whether a field's value was written once for all: a scalar, a record whose text is kept, or a tuple of those."""
    cls = v.__class__
    if cls in _SCALARS:
        return True
    if cls is tuple:
        return all([_kept(x) for x in v])
    d = getattr(v, "__dict__", None)
    return d is not None and KEPT in d


def _immutable(v) -> bool:
    """Whether a value is immutable all the way down: a scalar, a tuple of such, a frozen record of such."""
    cls = v.__class__
    if cls in _SCALARS:
        return True
    if cls is tuple:
        return all([_immutable(x) for x in v])
    params = getattr(cls, "__dataclass_params__", None)
    return params is not None and params.frozen and all([_immutable(getattr(v, f.name)) for f in fields(v)])


def _writer(cls):
    """The writer of one record class: generated from its fields' declared types, or its own to_dict."""
    names = vars(sys.modules[cls.__module__])
    frozen = cls.__dataclass_params__.frozen  # a record that can change keeps no text
    own = vars(cls).get("to_dict")
    omit = dict(getattr(cls, "JSON_UNSET", ()))
    if own is not None and not getattr(own, "from_fields", False):  # a JSON form of its own: written through it
        def write_own(r):
            text = dumps(r.to_dict())
            if frozen and _immutable(r):
                r.__dict__[KEPT] = text
            return text
        if not omit:
            return write_own
    elif omit:
        raise TypeError(f"{cls.__name__}: JSON_UNSET needs a to_dict that leaves those fields out")
    ns = {"enc": encode_basestring, "irepr": int.__repr__, "any": _any, "rj": record_json, "kept": _kept,
          "KEPT": KEPT, "SCALARS": _SCALARS, "slow": write_own if omit else None}
    fast_tests, fast_text, fast_kept = [], [], []
    lines, pieces = [], ["'{'"]
    for i, f in enumerate(sorted(fields(cls), key=lambda f: f.name)):
        t, p, x = f.type, f"p{i}", f"x{i}"
        kind = _SIMPLE.get(t)
        optional = t.endswith(" | None")
        tup, opt = _TUPLE_OF.fullmatch(t), _OPTIONAL.fullmatch(t)
        key = ("" if i == 0 else ", ") + json.dumps(f.name) + ": "
        get = f"({x} := r.{f.name})"
        lines.append(f"x = r.{f.name}")
        null = f'"null" if {x} is None else ' if optional else ""
        if kind is not None:  # the class checks keep the text exact whatever a field holds
            test, text = {"s": ("x.__class__ is str", "enc(x)"), "i": ("x.__class__ is int", "irepr(x)"),
                          "b": ("x is True or x is False", "('true' if x else 'false')")}[kind]
            lines += [f"if {test}:", f"    {p} = {text}", "elif x is None:" if optional else "elif False:",
                      f"    {p} = 'null'", "else:", f"    {p} = any(x)", "    k = k and kept(x)"]
            ftest = test.replace("x", x, 1).replace(" x ", f" {x} ")
            fast_tests.append(f"({ftest.replace(x, get, 1)}{f' or {x} is None' if optional else ''})")
            fast_text.append("{" + null + {"s": f"enc({x})", "i": x, "b": f'("true" if {x} else "false")'}[kind] + "}")
        elif tup and _is_record(names.get(tup.group(1))):
            rec = ns[tup.group(1)] = names[tup.group(1)]
            name = rec.__name__
            lines += ["if x.__class__ is tuple:",
                      f"    {p} = '[' + ', '.join([rj(y) if y.__class__ is {name} else any(y) for y in x]) + ']'",
                      f"    k = k and all([y.__class__ is {name} and KEPT in y.__dict__ for y in x])",
                      "else:", f"    {p} = any(x)", "    k = k and kept(x)"]
            fast_tests.append(f"{get}.__class__ is tuple")
            fast_text.append(f'[{{", ".join([(y.__dict__.get(KEPT) or rj(y)) if y.__class__ is {name} else any(y) '
                             f'for y in {x}])}}]')
            fast_kept.append(f"all([y.__class__ is {name} and KEPT in y.__dict__ for y in {x}])")
        elif (opt and _is_record(names.get(opt.group(1)))) or _is_record(names.get(t)):
            name = opt.group(1) if opt else t
            ns[name] = names[name]
            lines += ["if x is None:" if opt else "if False:", f"    {p} = 'null'",
                      f"elif x.__class__ is {name}:", f"    {p} = rj(x)", "    k = k and KEPT in x.__dict__",
                      "else:", f"    {p} = any(x)", "    k = k and kept(x)"]
            fast_tests.append(f"({get}.__class__ is {name}{f' or {x} is None' if optional else ''})")
            fast_text.append("{" + null + f"({x}.__dict__.get(KEPT) or rj({x}))" + "}")  # no call once kept
            fast_kept.append(f"({x} is None or KEPT in {x}.__dict__)" if optional else f"KEPT in {x}.__dict__")
        else:  # a tuple of texts, JSON data: any() (a list or dict is not kept)
            lines += [f"{p} = any(x)", "k = k and (x.__class__ in SCALARS or kept(x))"]
            fast_tests.append(f"{get} is {x}")
            fast_text.append(f"{{any({x})}}")
            fast_kept.append(f"({x}.__class__ in SCALARS or kept({x}))")
        pieces += [repr(key), p]
        if f.name in omit:  # left out when unset, as the class's to_dict does (never the first key)
            if i == 0 or kind is None or omit[f.name] not in (None, False):
                raise TypeError(f"{cls.__name__}.{f.name}: only a later text, number or truth value may be left out")
            ns[f"K{i}"] = key
            fast_text[-1] = f"{{'' if {x} is {omit[f.name]} else K{i} + ({fast_text[-1][1:-1]})}}"
        else:
            fast_text[-1] = key + fast_text[-1]
    pieces.append("'}'")
    slow = (f"def slow(r):\n    k = {frozen}\n" + "".join(f"    {line}\n" for line in lines)
            + f"    text = ''.join(({', '.join(pieces)}))\n"
            + "    if k:\n        r.__dict__[KEPT] = text\n    return text\n")
    # the common case, every field of its declared type: one f-string (the slow path checks field by field)
    fast = (f"def write(r):\n    if not ({' and '.join(fast_tests)}):\n        return slow(r)\n"
            f"    text = f'''{{{{{''.join(fast_text)}}}}}'''\n"
            + f"    if {' and '.join([str(frozen)] + fast_kept)}:\n"
            + "        r.__dict__[KEPT] = text\n    return text\n")
    if not omit:
        exec(slow, ns)  # noqa: S102 - field names and type names only
    exec(fast, ns)  # noqa: S102 - field names and type names only
    return ns["write"]


def _is_record(t) -> bool:
    return isinstance(t, type) and hasattr(t, "to_dict") and hasattr(t, "__dataclass_fields__")
