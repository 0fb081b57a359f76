"""The compiled explainer over counts (engine/explain_counts.py) gives explain()'s record over the composition
the counts make, field for field and byte for byte in JSON, or takes the general path (it covers the shipped
policies).

Every shipped policy, the benchmark's and a policy with every construct the compiler knows are explained
both ways on many households, homes, dates and counts (leaving households, both forms of the counts,
exact thresholds of the benchmark workload); a deliberately wrong explainer is caught by the same
comparison; values of another type and counts the check refuses go to the general path.
"""

from __future__ import annotations

import datetime as dt
import random
import sys
from fractions import Fraction

import pytest

from conftest import DV, OB, ROOT
from test_compiled import _as_tuples, _households, _outcome_or_codes, _random_counts, _spoiled, every_construct_program
from rules_engine import load_policy
from rules_engine.api import evaluate_counts, evaluate_counts_json
from rules_engine.engine.counts import composition_from_counts
from rules_engine.engine.explain import explain, explain_traced
from rules_engine.engine.explain_counts import counts_explainer, explain_counts, explain_counts_json
from rules_engine.lang import compiled_explain
from rules_engine.lang.facts import Household
from rules_engine.model.decision import Decision

PEERS = ROOT / "bench" / "peers" / "policy"
POLICIES = [OB, DV, PEERS, ROOT / "tests" / "data" / "wijk-zwolle"]


@pytest.fixture(scope="module")
def every_construct(tmp_path_factory):
    return every_construct_program(tmp_path_factory.mktemp("every"))


def _general(program, h, unit, date, counts, leaving):
    return explain_traced(program, h, unit, composition_from_counts(program.policy, unit, date, counts, leaving))


def _differences(program, n: int, seed: int) -> tuple[int, int]:
    """(lettings explained differently, lettings the compiled explainer covered) over n generated ones."""
    rnd = random.Random(seed)
    policy = program.policy
    units = sorted(policy.units)
    wrong = covered = 0
    for h in _households(rnd, policy.category_ids, n):
        date = dt.date(2023, 6, 1) + dt.timedelta(days=rnd.randrange(0, 1600))
        unit = rnd.choice(units)
        counts = _random_counts(rnd, policy, unit)
        leaving = rnd.choice([None] + [c for c, k in counts[policy.levels.keys[0]].items() if k])
        given = _as_tuples(policy, counts) if rnd.random() < 0.5 else counts
        fast = explain_counts(program, h, unit, date, given, leaving)
        text = explain_counts_json(program, h, unit, date, given, leaving)
        slow = _general(program, h, unit, date, counts, leaving)
        covered += counts_explainer(program, date) is not None
        wrong += (fast != slow or fast.to_json() != slow.to_json() or fast.to_dict() != slow.to_dict()
                  or text != (slow.outcome, slow.deciding_rules, slow.to_json()))
    return wrong, covered


@pytest.mark.parametrize("root", POLICIES)
def test_the_compiled_explainer_gives_the_general_record(root):
    program = load_policy(str(root), use_cache=False)
    wrong, covered = _differences(program, 400, 11)
    assert wrong == 0
    # the shipped policies and the benchmark's are explained by the compiled explainer on every date (parameters
    # without a value, the portiek maxima, an 'and' inside a condition); a level above the buurt is not covered
    assert covered == (0 if root.name == "wijk-zwolle" else 400)


def test_the_compiled_explainer_on_every_construct(every_construct):
    assert _differences(every_construct, 600, 12)[0] == 0


def test_the_benchmark_policy_is_covered_and_a_wrong_explainer_is_caught(monkeypatch):
    program = load_policy(str(PEERS), use_cache=False)
    wrong, covered = _differences(program, 300, 13)
    assert wrong == 0 and covered > 200
    right = compiled_explain.value

    def off_by_one(op, key):  # a share read one household too many: the comparison must see it
        return Fraction(key[0] + 1, key[1] + 1) if op.kind == "share" else right(op, key)

    counts_explainer.cache_clear()
    monkeypatch.setattr("rules_engine.engine.explain_counts.value", off_by_one)
    try:
        assert _differences(load_policy(str(PEERS), use_cache=False), 300, 13)[0] > 100
    finally:
        counts_explainer.cache_clear()


def _workload(n: int):
    sys.path.insert(0, str(ROOT / "bench"))
    try:
        from peers import magicmix, workload
    finally:
        sys.path.remove(str(ROOT / "bench"))
    return magicmix, workload(n)


def test_exact_thresholds_of_the_benchmark_workload_explained_alike():
    magicmix, (inputs, reference, summary) = _workload(1500)
    program = load_policy(str(PEERS), use_cache=False)
    marshal = magicmix._marshal(program)
    assert summary["exactly_on_upper_edge"] > 50 and summary["exactly_on_lower_edge"] > 50
    assert counts_explainer(program, magicmix.DATE) is not None
    for x in inputs:
        h, unit, counts = marshal(x)
        fast = evaluate_counts(program, h, unit, magicmix.DATE, counts)
        slow = _general(program, h, unit, magicmix.DATE, counts, None)
        assert fast == slow and fast.to_json() == slow.to_json(), x
        assert evaluate_counts_json(program, h, unit, magicmix.DATE, counts) == (slow.outcome, slow.deciding_rules,
                                                                                 slow.to_json()), x


def test_the_benchmarks_lower_bound_decides_alike_and_makes_a_whole_record_of_the_same_shape():
    # bench/peers.py's mm-floor row is quoted as the least a full record can cost: it must answer as the reference
    # and make a record an explanation's writer takes whole, with as many rules and levels as a real one
    magicmix, (inputs, reference, _) = _workload(400)
    floor = magicmix.record_floor()
    assert [floor(x) for x in inputs] == reference
    program = load_policy(str(PEERS), use_cache=False)
    real = evaluate_counts(program, *magicmix._dated(magicmix._marshal(program)(inputs[-1])))
    made = floor.last
    assert isinstance(made, Decision) and made.inputs.household.category == inputs[-1]["c"]
    assert [type(r) for r in made.rules] == [type(r) for r in real.rules]
    assert len(made.composition) == len(real.composition) and made.to_json().startswith("{")


def _record_or_error(call):
    """The record, the codes of a PolicyError, or the class of another error (a float the texts cannot show)."""
    try:
        return _outcome_or_codes(call)
    except (AttributeError, TypeError) as exc:
        return exc.__class__


def test_values_of_another_type_and_refused_counts_take_the_general_path():
    program = load_policy(str(PEERS), use_cache=False)
    policy = program.policy
    rnd = random.Random(14)
    date = dt.date(2025, 6, 1)
    units = sorted(policy.units)
    kinds = set()
    for _ in range(300):
        unit = rnd.choice(units)
        good = _random_counts(rnd, policy, unit)
        counts, _ = _spoiled(rnd, policy, good)
        leaving = rnd.choice([None, None, "niemand"] + list(policy.category_ids))
        income = rnd.choice([32000, Fraction(6400001, 200), 32000.0, True])
        h = Household("hh-1", rnd.choice([2, 2.0]), income, rnd.choice(policy.category_ids + ("nergens",)))
        fast = _record_or_error(lambda: explain_counts(program, h, unit, date, counts, leaving))
        slow = _record_or_error(lambda: _general(program, h, unit, date, counts, leaving))
        assert fast == slow
        text = _record_or_error(lambda: explain_counts_json(program, h, unit, date, counts, leaving))
        assert text == (slow if slow.__class__ is not Decision else (slow.outcome, slow.deciding_rules, slow.to_json()))
        kinds.add(type(fast).__name__)
        if fast.__class__ is Decision:
            assert fast.to_json() == slow.to_json()
    assert kinds == {"Decision", "list"}  # records and refusals (counts, a float or bool income, a size of 2.0): no crash


@pytest.mark.parametrize("root", POLICIES, ids=lambda p: p.name)
def test_a_household_whose_numbers_are_not_exact_is_refused_on_every_path(root):
    """A float or text income, a size of 2.0 or True, an age of 40.0: refused with the field named, by the compiled
    decisions, the compiled explainer and the traced path alike, whether or not the policy's rules read the value."""
    from rules_engine.api import counts_decider
    from rules_engine.diagnostics import PolicyError
    from rules_engine.engine.evaluate import decide
    from rules_engine.load.occupancy import composition
    from rules_engine import example_occupancy

    program = load_policy(str(root), use_cache=False)
    policy = program.policy
    date = dt.date(2025, 6, 1)
    comp = composition(policy, example_occupancy(program), date)
    unit = sorted(policy.units)[1]
    counts = _random_counts(random.Random(3), policy, unit)
    cat = policy.category_ids[0]
    for _ in range(4):  # past explain()'s first lettings: the compiled explainer is asked too
        explain(program, Household("x", 2, 24500, cat), unit, comp)
    paths = {"decide": lambda h: decide(program, h, unit, comp),
             "counts_decider": lambda h: counts_decider(program, date)(h, unit, counts),
             "explain": lambda h: explain(program, h, unit, comp), "traced": lambda h: explain_traced(program, h, unit, comp),
             "evaluate_counts": lambda h: evaluate_counts(program, h, unit, date, counts),
             "evaluate_counts_json": lambda h: evaluate_counts_json(program, h, unit, date, counts)}
    wrong = {"income": [24500.0, "24500", None, True], "size": [2.0, True, "2"], "age": [40.0, "40"]}
    for field, values in wrong.items():
        for value in values:
            h = Household("h", 2, 24500, cat, 40)._replace(**{field: value})
            for name, path in paths.items():
                with pytest.raises(PolicyError) as refused:
                    path(h)
                (d,) = refused.value.diagnostics
                assert d.code == "wrong-type" and f"household.{field}, but found: {value!r}" in d.en, (name, d.en)
    good = Household("h", 2, Fraction(49001, 2), cat, 40)
    assert len({str(path(good))[:0] for path in paths.values()}) == 1  # every path takes an exact household


@pytest.mark.parametrize("root", POLICIES)
def test_the_groups_from_counts_as_given_are_the_general_records(root):
    """composition_given, its JSON text and room_given (read from the counts as given) against _composition_of and
    _room_lines (read from the composition the counts make) on every shipped policy, portiek limits and leaving
    households included, whether or not its rules are covered."""
    from rules_engine.engine.counts import group_homes
    from rules_engine.engine.evaluate import build_facts
    from rules_engine.engine.explain_groups import (_composition, _room, composition_given, composition_given_json,
                                                    room_given)
    from rules_engine.model.decision_json import record_json
    from rules_engine.model.levels import group_keys

    program = load_policy(str(root), use_cache=False)
    policy = program.policy
    rnd = random.Random(15)
    units = sorted(policy.units)
    homes_of = group_homes(policy)
    for h in _households(rnd, policy.category_ids, 300):
        date = dt.date(2024, 1, 1) + dt.timedelta(days=rnd.randrange(0, 900))
        unit = rnd.choice(units)
        counts = _random_counts(rnd, policy, unit)
        leaving = rnd.choice([None] + [c for c, k in counts[policy.levels.keys[0]].items() if k])
        comp = composition_from_counts(policy, unit, date, counts, leaving)
        f = build_facts(program, h, unit, comp)
        keys = group_keys(policy, policy.units[unit])
        homes = tuple(homes_of[k] for k in zip(policy.levels.keys, keys))
        given = _as_tuples(policy, counts)
        records = _composition(program, f, comp)
        assert composition_given(program, keys, leaving, h.category, f.profile, given, homes) == records
        assert composition_given_json(program, keys, leaving, h.category, f.profile, given, homes) \
            == "[" + ", ".join(record_json(r) for r in records) + "]"
        assert room_given(program, keys, leaving, f.profile, given, homes) == _room(program, f, comp)


@pytest.mark.parametrize("root", POLICIES)
def test_explain_over_an_occupancy_gives_the_traced_record(root):
    """explain() reads the counts of the home's groups from the composition and explains by the compiled explainer:
    over the policy's own occupancy, on dates across its history and for households of every category and of the
    stock (leaving households included: the home let may be occupied), the record and its JSON are the traced
    path's, the occupancy's name included."""
    from rules_engine import example_occupancy
    from rules_engine.engine.explain_counts import explain_composition
    from rules_engine.load.occupancy import composition

    program = load_policy(str(root), use_cache=False)
    policy = program.policy
    occupancy = example_occupancy(program)
    rnd = random.Random(21)
    units = sorted(policy.units)
    used = 0
    for k, h in enumerate(_households(rnd, policy.category_ids, 240)):
        date = dt.date(2023, 1, 1) + dt.timedelta(days=rnd.randrange(0, 1100))
        comp = composition(policy, occupancy, date)
        unit = rnd.choice(units)
        source = "" if k % 3 else "occupancy.yaml"
        fast = explain(program, h, unit, comp, source)
        slow = explain_traced(program, h, unit, comp, source)
        assert fast == slow and fast.to_json() == slow.to_json(), (h, unit, date)
        used += explain_composition(program, h, unit, comp, source) is not None
    covered = root != POLICIES[-1]  # wijk-zwolle has a level above the buurt: not covered
    assert (used > 200) if covered else used == 0, used


def test_a_programs_first_lettings_are_traced_and_the_later_ones_compiled(monkeypatch):
    """explain() of a program's first TRACED_FIRST lettings takes the traced path (a command that explains one letting
    does not wait for the compiled explainer to be built); every later one the compiled explainer, with the same
    record."""
    from rules_engine.engine import explain as explain_module
    from rules_engine import example_occupancy
    from rules_engine.load.occupancy import composition

    program = load_policy(str(OB), use_cache=False)
    comp = composition(program.policy, example_occupancy(program), dt.date(2025, 6, 1))
    real, calls = explain_module._compiled_explainer(), []

    def counted(*args):
        calls.append(args[2])
        return real(*args)
    monkeypatch.setattr(explain_module, "_compiled_explainer", lambda: counted)
    h = Household("h", 2, Fraction(24500), program.policy.category_ids[0])
    records = [explain(program, h, "ZW-ASN-01-A09", comp) for _ in range(explain_module.TRACED_FIRST + 2)]
    assert calls == ["ZW-ASN-01-A09"] * 2
    assert all(r == records[0] and r.to_json() == records[0].to_json() for r in records)


def test_a_composition_that_is_not_what_counts_stand_for_is_explained_as_it_is():
    """Groups that counts per level could not give (more households than homes, occupied homes that are not their
    households, a category the policy lacks) are explained by the traced path, over the composition as it is."""
    from rules_engine.engine.explain_counts import explain_composition
    from rules_engine.lang.facts import Group
    from rules_engine.load.occupancy import Composition

    program = load_policy(str(OB), use_cache=False)
    policy = program.policy
    unit = sorted(policy.units)[0]
    date = dt.date(2025, 6, 1)
    base = composition_from_counts(policy, unit, date, _random_counts(random.Random(3), policy, unit))
    h = Household("h", 2, Fraction(24500), policy.category_ids[0])
    assert explain_composition(program, h, unit, base) is not None
    key, group = next(iter(base.groups.items()))
    for wrong in (Group(group.homes, group.occupied + 1, group.counts),  # occupied homes not its households
                  Group(group.homes + 1, group.occupied, group.counts),  # not the policy's homes
                  Group(group.homes, group.occupied + 1, {**group.counts, "onbekend": 1})):
        comp = Composition(date, {**base.groups, key: wrong}, base.by_unit)
        assert explain_composition(program, h, unit, comp) is None
        assert explain(program, h, unit, comp) == explain_traced(program, h, unit, comp)


def test_a_missing_age_or_floor_gives_the_traced_reason(policy_copy):
    """An age or floor that is not given is unknown for the reason the facts give ('leeftijd van het huishouden is
    niet opgegeven'), in the compiled rules as in the traced path: once the compiled record said 'onbekend'."""
    from conftest import mutate
    from rules_engine import example_occupancy
    from rules_engine.engine.explain_counts import explain_composition
    from rules_engine.load.occupancy import composition

    mutate(policy_copy / "rules.yaml", "      - household.income <= def.inkomensgrens_passend\n",
           "      - household.income <= def.inkomensgrens_passend\n      - household.age < 120\n"
           "      - unit.floor < 30\n")
    program = load_policy(str(policy_copy), use_cache=False)
    comp = composition(program.policy, example_occupancy(program), dt.date(2025, 6, 1))
    reasons = set()
    for age in (None, 40):
        h = Household("hh-x", 2, Fraction(24500), "regulier", age)
        fast = explain_composition(program, h, "ZW-ASN-01-A09", comp)
        slow = explain_traced(program, h, "ZW-ASN-01-A09", comp)
        assert fast is not None and fast == slow and fast.to_json() == slow.to_json()
        reasons |= {c.reason.nl for r in fast.rules for c in r.applies_when + r.conditions if c.reason is not None}
    assert {"leeftijd van het huishouden is niet opgegeven", "verdieping van de woning is niet opgegeven"} <= reasons
