"""Frozen records that are quick to build: a frozen dataclass with a direct __init__.

A frozen dataclass's own __init__ sets every field through object.__setattr__, a call per
field: for the many small records of an explanation that is most of its cost. `quick` gives
the class an __init__ that writes the fields into the instance's dict at once; the class stays a
frozen dataclass in every other way (equality, hash, repr, fields(), replace(), no assignment).
The source of that __init__ is written from the class's own field names, never from data.
"""

from __future__ import annotations

from dataclasses import MISSING, fields


def quick(cls):
    """Replace a frozen dataclass's __init__ by one that fills the instance's dict directly (same signature)."""
    ns: dict = {"MISSING": MISSING}
    params, lines = [], []
    for f in fields(cls):
        if not f.init:
            raise TypeError(f"{cls.__name__}.{f.name}: init=False is not supported")
        name = f.name
        if f.default is not MISSING:
            ns[f"_d_{name}"] = f.default
            params.append(f"{name}=_d_{name}")
            lines.append(f"    _d__['{name}'] = {name}")
        elif f.default_factory is not MISSING:
            ns[f"_f_{name}"] = f.default_factory
            params.append(f"{name}=MISSING")
            lines.append(f"    _d__['{name}'] = _f_{name}() if {name} is MISSING else {name}")
        else:
            params.append(name)
            lines.append(f"    _d__['{name}'] = {name}")
    source = f"def __init__(self, {', '.join(params)}):\n    _d__ = self.__dict__\n" + "\n".join(lines) + "\n"
    exec(source, ns)  # noqa: S102 - the source holds only this class's field names
    init = ns["__init__"]
    init.__qualname__ = f"{cls.__qualname__}.__init__"
    init.__doc__ = cls.__init__.__doc__
    cls.__init__ = init
    return cls
