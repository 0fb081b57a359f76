"""The decision-only path of --engine durable (durable_code.py): durable-rules decides, as the default engine would.

The generated code hands durable-rules the sides of every comparison as exact integers, one event
per rule; its answer must be the default engine's (the one semantics) on every shipped policy, the
benchmark's, and the test policy with every construct the compiler has code for, exact band
edges, empty groups, unknown values and leaving households included.
"""

from __future__ import annotations

import datetime as dt
import random

import pytest

from conftest import DV, OB, ROOT
from test_compiled import _general, _households, cases, every_construct_program
from rules_engine import example_occupancy, load_policy
from rules_engine.api import counts_decider
from rules_engine.engine import engine_durable
from rules_engine.engine.evaluate import compiled, decide
from rules_engine.load.occupancy import composition

TEXT_RULES = """
  - id: t-texts
    title: {nl: T, en: T}
    level: unit
    kind: advice
    outcome: voorkeur
    all:
      - household.category == 'aandacht'
      - unit.complex != 'ZW-ASN-01'
      - household.older == false
    explanation:
      fired: {nl: "t", en: "t"}
"""

pytestmark = pytest.mark.skipif(engine_durable.unavailable_reason() is not None, reason="durable-rules is not available")


def _agree(program, n: int, seed: int) -> set:
    """Decide n generated lettings by the compiled durable path and by the default engine; returns the outcomes."""
    durable = engine_durable.durable_program(program)
    seen = set()
    for h, unit, date, comp, counts, leaving in cases(program, n, seed):
        fast = compiled(durable, date)
        assert fast is not None and "fire(" in fast.source, "the durable path is compiled for this policy"
        want = _general(program, h, unit, comp)
        if counts is not None:
            assert counts_decider(durable, date)(h, unit, counts, leaving) == want
        assert fast.from_composition(h, unit, comp) == want, (h, unit, date)
        assert decide(durable, h, unit, comp) == want
        seen.add(want[0])
    durable.engine.close()
    return seen


@pytest.mark.parametrize("root", [OB, DV, ROOT / "bench" / "peers" / "policy", ROOT / "tests" / "data" / "wijk-zwolle"])
def test_compiled_durable_path_decides_as_the_default_engine(root):
    program = load_policy(str(root), use_cache=False)
    assert len(_agree(program, 500, 12)) >= 2


def test_every_construct_and_unknown_values_through_durable_rules(tmp_path):
    program = every_construct_program(tmp_path, TEXT_RULES)
    assert {"onbeslist", "niet_toegestaan", "ontraden", "voorkeur"} <= _agree(program, 1200, 6)
    src = compiled(engine_durable.durable_program(program), dt.date(2025, 6, 1)).source
    assert "_texts(" in src and "_AGE_NOT_GIVEN" in src  # texts and yes/no values went through the run-time sides


def test_exact_thresholds_of_the_benchmark_workload_through_durable_rules():
    import sys

    sys.path.insert(0, str(ROOT / "bench"))
    try:
        from peers import magicmix, workload
    finally:
        sys.path.remove(str(ROOT / "bench"))
    inputs, reference, summary = workload(3000)
    assert summary["exactly_on_upper_edge"] > 100 and summary["exactly_on_lower_edge"] > 100
    decide_one = magicmix.durable_engine()
    assert [decide_one(x) for x in inputs] == reference


def test_durable_rules_decides_which_rules_fire():
    """What durable-rules answers is what counts: an engine that fires nothing gives passend everywhere."""
    program = load_policy(str(OB))
    durable = engine_durable.durable_program(program)
    date = dt.date(2025, 6, 1)
    comp = composition(program.policy, example_occupancy(program), date)
    rnd = random.Random(3)
    pairs = [(h, rnd.choice(sorted(program.policy.units))) for h in _households(rnd, program.policy.category_ids, 300)]
    calls = []
    fast = compiled(durable, date)
    real = fast_fire = fast.from_composition.__globals__["fire"]

    def counted(text):
        calls.append(text)
        return real(text)
    fast.from_composition.__globals__["fire"] = counted
    try:
        got = [fast.from_composition(h, u, comp) for h, u in pairs]
        assert got == [_general(program, h, u, comp) for h, u in pairs]
        assert len(calls) == len(pairs)  # one call into durable-rules per letting
        assert {o for o, _ in got} - {"passend"}  # the sample has rules firing ...
        fast.from_composition.__globals__["fire"] = lambda text: 0  # ... and when durable-rules fires none of them:
        assert {fast.from_composition(h, u, comp)[0] for h, u in pairs} <= {"passend", "onbeslist"}
    finally:
        fast.from_composition.__globals__["fire"] = fast_fire
    durable.engine.reload(program)  # a reload: the compiled code sees it and takes the general path, still right
    assert [fast.from_composition(h, u, comp) for h, u in pairs[:50]] == [_general(program, h, u, comp)
                                                                        for h, u in pairs[:50]]
    durable.engine.close()
