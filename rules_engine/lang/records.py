"""Frozen records that are quick to make and quick to build.

`frozen` is @dataclass(frozen=True) whose methods are compiled when first called, not when the
class is made: on Python 3.11 and 3.12 a dataclass compiles six small functions at import time,
which made the class definitions a fifth of the README's evaluate.

A frozen dataclass's own __init__ sets every field through object.__setattr__, a call per
field: for the many small records of an explanation that is most of its cost. `quick` gives
the class an __init__ that writes the fields into the instance's dict at once; the class stays a
frozen dataclass in every other way (equality, hash, repr, fields(), replace(), no assignment).
The source of that __init__ is written from the class's own field names, never from data.
"""

from __future__ import annotations

import dataclasses
from dataclasses import MISSING, FrozenInstanceError, dataclass, fields
import threading

_create_fn = getattr(dataclasses, "_create_fn", None)  # 3.11 and 3.12; 3.13 compiles a class's methods at once
_making = threading.Lock()
_maker: list = [None]  # the thread making a class through frozen (another thread's dataclasses are left as they are)


def frozen(cls=None, /, **options):
    """@dataclass(frozen=True, **options), its generated methods compiled on their first call.

    Until then each method is a stub that compiles the dataclass's own source for it, puts the
    result on the class and calls it; from the first call on, the class is exactly what
    @dataclass(frozen=True) makes (its __repr__ stays behind dataclasses' recursion guard, which
    calls the compiled function). A class without a docstring is made at once: dataclasses would
    write its docstring from __init__'s signature."""
    def make(cls):
        if _create_fn is None or cls.__doc__ is None:
            return dataclass(cls, frozen=True, **options)
        with _making:  # dataclasses reads the module's _create_fn when it makes each method
            _maker[0] = threading.get_ident()
            dataclasses._create_fn = _lazy_create_fn
            try:
                return dataclass(cls, frozen=True, **options)
            finally:
                dataclasses._create_fn = _create_fn
                _maker[0] = None
    return make if cls is None else make(cls)


def _lazy_create_fn(name, args, body, *, globals=None, locals=None, return_type=MISSING):
    """dataclasses._create_fn, deferred: a stub that compiles the method on its first call."""
    if _maker[0] != threading.get_ident():
        return _create_fn(name, args, body, globals=globals, locals=locals, return_type=return_type)
    compiled = None

    def stub(*args_, **kwargs):
        nonlocal compiled
        if compiled is None:
            compiled = _create_fn(name, args, body, globals=globals, locals=locals, return_type=return_type)
            compiled.__qualname__ = stub.__qualname__  # dataclasses set the stub's to Class.method
            owner = next((c for c in type(args_[0]).__mro__ if c.__dict__.get(name) is stub), None)
            if owner is not None:  # not for __repr__, whose recursion guard keeps calling the stub
                setattr(owner, name, compiled)
        return compiled(*args_, **kwargs)

    stub.__name__ = stub.__qualname__ = name
    return stub


def quick(cls):
    """Replace a frozen dataclass's __init__ by one that fills the instance's dict directly (same signature)."""
    ns: dict = {"MISSING": MISSING}
    params, lines = [], []
    for f in fields(cls):
        name = f.name
        if not f.init:  # not a parameter: as the dataclass's own __init__, a factory's value, else the class's default
            if f.default_factory is not MISSING:
                ns[f"_f_{name}"] = f.default_factory
                lines.append(f"    _d__['{name}'] = _f_{name}()")
            continue
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


def tuple_record(spec):
    """Make a namedtuple subclass behave as the frozen dataclass `spec` (the same fields, in the same order).

    For a record built once per decision (facts.Household): a namedtuple is built by one tuple
    allocation, where even `quick` writes a dict. What it keeps of the dataclass: the constructor's
    signature and defaults, dataclasses.fields()/replace()/asdict(), equality with its own class
    only (never with a plain tuple), the same hash, the dataclass repr, no ordering, no assignment
    (FrozenInstanceError), pickling and copying by its fields. It is still a tuple to iterate."""
    names = tuple(f.name for f in fields(spec))

    def decorate(cls):
        if cls._fields != names:
            raise TypeError(f"{cls.__name__}: fields {cls._fields} differ from {spec.__name__}'s {names}")
        eq, ne, tuple_hash = tuple.__eq__, tuple.__ne__, tuple.__hash__

        # Another class's tuple is unequal outright: a NotImplemented would let tuple.__eq__ compare the items.
        def __eq__(self, other):
            if other.__class__ is self.__class__:
                return eq(self, other)
            return False if isinstance(other, tuple) else NotImplemented

        def __ne__(self, other):
            if other.__class__ is self.__class__:
                return ne(self, other)
            return True if isinstance(other, tuple) else NotImplemented

        def __repr__(self):
            return f"{cls.__qualname__}({', '.join(f'{n}={v!r}' for n, v in zip(names, self))})"

        def unordered(self, other):
            return NotImplemented

        def frozen(self, name, value=None):
            raise FrozenInstanceError(f"cannot assign to field {name!r}")

        def __getnewargs__(self):
            return tuple(self)

        for name, fn in (("__eq__", __eq__), ("__ne__", __ne__), ("__repr__", __repr__), ("__lt__", unordered),
                         ("__le__", unordered), ("__gt__", unordered), ("__ge__", unordered),
                         ("__setattr__", frozen), ("__delattr__", frozen), ("__getnewargs__", __getnewargs__)):
            fn.__qualname__ = f"{cls.__qualname__}.{name}"
            setattr(cls, name, fn)
        cls.__hash__ = tuple_hash  # hash(tuple of the fields): the dataclass's own hash
        cls.__dataclass_fields__ = spec.__dataclass_fields__
        cls.__dataclass_params__ = spec.__dataclass_params__
        return cls
    return decorate
