"""records: frozen records made lazily (frozen) or built by a direct __init__ (quick) stay frozen dataclasses."""

from __future__ import annotations

import copy
import dataclasses
from dataclasses import dataclass, field

import pytest

from rules_engine.model.decision import Bilingual, EngineRef, Value
from rules_engine.lang.facts import Facts, Household
from rules_engine.lang.records import frozen, quick


@quick
@dataclass(frozen=True)
class Sample:
    """A record with a plain field, a default and a default factory."""

    a: int
    b: str = "x"
    c: list = field(default_factory=list)


def test_a_quick_record_keeps_defaults_equality_hash_and_frozenness():
    s = Sample(1)
    assert (s.a, s.b, s.c) == (1, "x", [])
    assert Sample(1).c is not s.c  # a fresh default from the factory each time
    assert Sample(2, "y", [3]) == Sample(a=2, b="y", c=[3])
    assert repr(Sample(1, "z", [])) == "Sample(a=1, b='z', c=[])"
    with pytest.raises(dataclasses.FrozenInstanceError):
        s.a = 5
    with pytest.raises(TypeError):
        Sample()  # a is required
    assert dataclasses.replace(s, b="q") == Sample(1, "q", [])
    assert hash(Household("h", 1, 2, "k")) == hash(Household("h", 1, 2, "k"))


def test_a_quick_record_sets_its_fields_outside_init_as_the_dataclass_does():
    made = []
    for decorate in (lambda c: quick(dataclass(frozen=True, eq=False)(c)), dataclass(frozen=True, eq=False)):
        @decorate
        class Kept:
            """A record with a field outside __init__ (a factory) and one with a plain default."""

            a: int
            kept: dict = field(default_factory=dict, init=False, compare=False)
            mark: str = field(default="m", init=False)
        made.append(Kept)
    fast, slow = (cls(1) for cls in made)
    assert vars(fast) == vars(slow) == {"a": 1, "kept": {}} and fast.mark == slow.mark == "m"
    assert made[0](2).kept is not fast.kept  # a fresh dict from the factory for each record
    with pytest.raises(TypeError):
        made[0](1, {})  # not a parameter, as in the dataclass's own __init__
    with pytest.raises(dataclasses.FrozenInstanceError):
        fast.kept = {}
    assert dataclasses.replace(fast, a=3).a == 3


def test_a_composition_is_quick_to_make_and_holds_its_own_derived_values():
    import datetime as dt
    from types import MappingProxyType

    from rules_engine.load.occupancy import Composition

    made = Composition(dt.date(2025, 1, 1), MappingProxyType({}), MappingProxyType({}))
    assert Composition.__init__.__qualname__ == "Composition.__init__" and "_d__" in Composition.__init__.__code__.co_varnames
    assert (made.codes, made.derived) == (None, {})
    assert Composition(made.date, made.groups, made.by_unit).derived is not made.derived


def test_the_records_of_the_engine_are_quick_and_convert_as_declared():
    v = Value("x", "1", Bilingual("een", "one"))
    assert v.to_dict() == {"expr": "x", "value": "1", "display": {"nl": "een", "en": "one"}}
    assert EngineRef("m", "1").to_dict() == {"name": "m", "version": "1"}  # its own to_dict is kept
    assert [f.name for f in dataclasses.fields(Facts)][-1] == "above"
    with pytest.raises(dataclasses.FrozenInstanceError):
        v.expr = "y"


def test_the_household_is_a_tuple_that_behaves_as_its_frozen_dataclass():
    import copy
    import pickle

    h = Household("h", 2, 30000, "aandacht", flags=("urgent",))
    assert (h.id, h.size, h.income, h.category, h.age, h.flags, h.older, h.route) == \
        ("h", 2, 30000, "aandacht", None, ("urgent",), False, None)
    assert repr(h) == ("Household(id='h', size=2, income=30000, category='aandacht', age=None, flags=('urgent',), "
                       "older=False, route=None)")
    same = Household(id="h", size=2, income=30000, category="aandacht", flags=("urgent",))
    assert h == same and not h != same and hash(h) == hash(same) and {h: 1}[same] == 1
    assert h != tuple(h) and not h == tuple(h) and not tuple(h) == h  # equal only to its own class
    assert h != Household("h", 2, 30000, "regulier", flags=("urgent",))
    assert pickle.loads(pickle.dumps(h)) == h and copy.deepcopy(h) == h and copy.copy(h) == h
    assert dataclasses.is_dataclass(h) and [f.name for f in dataclasses.fields(h)][-1] == "route"
    assert dataclasses.replace(h, route="r").route == "r" and dataclasses.asdict(h)["flags"] == ("urgent",)
    for assign in (lambda: setattr(h, "income", 1), lambda: setattr(h, "new", 1), lambda: delattr(h, "id")):
        with pytest.raises(dataclasses.FrozenInstanceError):
            assign()
    with pytest.raises(TypeError):
        h < same  # noqa: B015 - no order, as the dataclass had none
    with pytest.raises(TypeError):
        Household("h", 2)  # income and category are required


def _twins(**options):
    """The same class made by records.frozen and by @dataclass(frozen=True), with a recursive field."""
    made = []
    for decorate in (frozen(**options), dataclass(frozen=True, **options)):
        @decorate
        class Twin:
            """A record with a default, a factory and a field left out of comparison."""

            a: int
            b: tuple = ()
            c: list = field(default_factory=list, compare=False)
        made.append(Twin)
    return made


@pytest.mark.parametrize("options", [{}, {"eq": False}])
def test_a_frozen_record_compiles_its_methods_when_first_called_and_is_then_the_dataclass(options):
    lazy, eager = _twins(**options)
    assert lazy.__init__.__code__.co_name == "stub"  # nothing compiled yet for this class
    assert dataclasses.is_dataclass(lazy) and repr(lazy.__dataclass_params__) == repr(eager.__dataclass_params__)
    assert [f.name for f in dataclasses.fields(lazy)] == [f.name for f in dataclasses.fields(eager)]
    x, y = lazy(1, (2,)), eager(1, (2,))
    assert lazy.__init__.__code__.co_name == "__init__" and lazy.__init__.__qualname__ == eager.__init__.__qualname__
    assert repr(x).replace("lazy", "") == repr(y).replace("eager", "")
    assert (x == lazy(1, (2,), [9])) is (y == eager(1, (2,), [9])) and (x != lazy(2)) is (y != eager(2))
    assert (hash(x) == hash(lazy(1, (2,)))) is (hash(y) == hash(eager(1, (2,))))
    for record in (x, y):
        with pytest.raises(dataclasses.FrozenInstanceError, match="cannot assign to field 'a'"):
            record.a = 5
        with pytest.raises(dataclasses.FrozenInstanceError, match="cannot delete field 'a'"):
            del record.a
    assert dataclasses.replace(x, a=3) == lazy(3, (2,)) if not options else dataclasses.replace(x, a=3).a == 3
    assert copy.deepcopy(x).b == (2,) and dataclasses.asdict(x) == dataclasses.asdict(y)
    with pytest.raises(TypeError):
        lazy()  # a is still required


def test_a_frozen_record_repr_keeps_the_recursion_guard_and_subclasses_compile_their_own():
    lazy, _ = _twins()
    loop = lazy(1, (), [])
    loop.c.append(loop)
    assert repr(loop).endswith("c=[...])")
    assert repr(loop).endswith("c=[...])")  # the guard's stub called again, compiled once

    @frozen
    class Child(lazy):
        """A subclass with a field of its own."""

        d: int = 0
    assert Child(1, d=2) == Child(1, d=2) and Child(1) != lazy(1) and repr(Child(1, d=2)).endswith("d=2)")


def test_a_class_without_a_docstring_is_made_at_once_as_dataclasses_would_write_its_docstring():
    @frozen
    class Bare:
        a: int
    assert Bare.__doc__ == "Bare(a: 'int')" and Bare.__init__.__code__.co_name == "__init__"


def test_only_the_thread_making_a_frozen_record_gets_deferred_methods(monkeypatch):
    """While frozen makes a class, dataclasses' _create_fn is the deferring one for the whole process: a dataclass
    another thread makes meanwhile gets its methods compiled at once, as dataclasses makes them."""
    import threading

    from rules_engine.lang import records

    made = []
    monkeypatch.setattr(records, "_maker", [threading.get_ident()])
    worker = threading.Thread(target=lambda: made.append(records._lazy_create_fn("f", ["x"], ["return x + 1"])))
    worker.start()
    worker.join()
    assert made[0].__code__.co_name == "f" and made[0](1) == 2
    here = records._lazy_create_fn("f", ["x"], ["return x + 1"])
    assert here.__code__.co_name == "stub"
