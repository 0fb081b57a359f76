"""A quick share of the fuzzing (bench/fuzz.py runs 10,000 inputs per loader): no crash, no hang."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import fuzzing


@pytest.fixture(scope="module")
def fuzz_work(tmp_path_factory):
    work = str(tmp_path_factory.mktemp("fuzz"))
    return work, fuzzing.prepare(work)


@pytest.mark.parametrize("target", fuzzing.TARGETS, ids=[t.name for t in fuzzing.TARGETS])
def test_mutated_inputs_give_a_result_or_a_clear_error(fuzz_work, target):
    work, seeds = fuzz_work
    tally = fuzzing.run_target(work, seeds, target, range(40))
    assert (tally.crashes, tally.hangs) == (0, 0), tally.examples
    assert tally.inputs == 40 and tally.clean < 40  # the mutations reach the checks, not only harmless bytes


@settings(max_examples=60, deadline=None, derandomize=True, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(target=st.sampled_from(fuzzing.TARGETS), number=st.integers(0, 2**31))
def test_any_mutation_of_any_input(fuzz_work, target, number):
    work, seeds = fuzz_work
    tally = fuzzing.run_target(work, seeds, target, [number])
    assert (tally.crashes, tally.hangs) == (0, 0), tally.examples


def test_the_mutator_is_deterministic():
    import random

    seed = b"a: 1\nb: [x, y]\n"
    first = [fuzzing.mutate(seed, random.Random(n), [seed]) for n in range(50)]
    assert first == [fuzzing.mutate(seed, random.Random(n), [seed]) for n in range(50)]
    assert len(set(first)) > 40
