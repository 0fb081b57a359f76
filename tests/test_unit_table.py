"""The unit table's columns through pickle (the policy cache): the same homes back, in a few large objects."""

from __future__ import annotations

import pickle
from array import array
from fractions import Fraction

from rules_engine.model.policy import UnitTable


def _table(ids, rents) -> UnitTable:
    table = UnitTable()
    place = table.add_place("C1/A", "C1", "BU00000001")
    file = table.add_file("complexes/c1.yaml")
    for n, (uid, rent) in enumerate(zip(ids, rents)):
        table.add(uid, 3, rent, n % 2 == 0, n or None, place, file, 4 + n, 7)
    return table


def test_a_pickled_table_gives_back_every_home_exactly():
    table = _table(["H-1", "H-2", "H.3"], [Fraction(73_050, 100), Fraction(1, 3), Fraction(0)])
    state = table.__getstate__()
    assert state["_ids"] == "H-1\nH-2\nH.3"  # one text, not a list of millions of small ones
    assert isinstance(state["_rent_num"], array) and isinstance(state["_rent_den"], array)
    back = pickle.loads(pickle.dumps(table))
    assert list(back) == ["H-1", "H-2", "H.3"] and dict(back.items()) == dict(table.items())
    assert back["H-2"].rent == Fraction(1, 3) and back.position_of()("H.3") == 2 and back.distinct()
    assert back.where_text("H.3") == "complexes/c1.yaml:6"


def test_ids_with_a_newline_and_rents_beyond_64_bits_are_kept_as_lists():
    huge = Fraction(2**70 + 1, 3)
    table = _table(["a\nb", "c"], [huge, Fraction(5)])
    state = table.__getstate__()
    assert state["_ids"] == ["a\nb", "c"] and state["_rent_num"] == [2**70 + 1, 5]
    back = pickle.loads(pickle.dumps(table))
    assert list(back) == ["a\nb", "c"] and back["a\nb"].rent == huge and back["c"].rent == 5


def test_an_empty_table_stays_empty():
    back = pickle.loads(pickle.dumps(UnitTable()))
    assert len(back) == 0 and list(back) == []
