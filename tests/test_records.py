"""records.quick: a frozen record built by a direct __init__ is still a frozen dataclass in every way."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field

import pytest

from rules_engine.model.decision import Bilingual, EngineRef, Value
from rules_engine.lang.facts import Facts, Household
from rules_engine.lang.records import quick


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
