"""The compiled decision path (compiled.py) gives exactly the statuses of the one semantics (evaluate.rule_status).

Every policy shipped, the benchmark's and a test policy with every construct the compiler has
code for (three-valued logic, missing values, arithmetic, lists, literal categories) are decided
both ways on many households, homes, dates and compositions, exact thresholds included.
"""

from __future__ import annotations

import datetime as dt
import random
import shutil
from fractions import Fraction

import pytest

from conftest import DV, OB, ROOT, run
from rules_engine import example_occupancy, load_policy
from rules_engine.api import counts_decider, decide_counts, evaluate_counts, rank_counts
from rules_engine.engine.counts import composition_from_counts
from rules_engine.diagnostics import PolicyError
from rules_engine.engine.evaluate import build_facts, combine, compiled, decide, rule_statuses
from rules_engine.lang.facts import Household
from rules_engine.load.occupancy import composition

EXTRA_RULES = """
  - id: t-logic
    title: {nl: T, en: T}
    level: unit
    kind: advice
    outcome: ontraden
    applies_when:
      - not (household.age < 18) or unit.floor >= 2
    any:
      - household.age >= 70 and unit.floor > 3
      - household.income / household.size < param.daeb_inkomensgrens_1p * 30%
      - household.size * 2 > unit.rooms + 3 and unit.daeb == false
    explanation:
      fired: {nl: "t", en: "t"}
  - id: t-lists
    title: {nl: T, en: T}
    level: complex
    kind: advice
    outcome: voorkeur
    all:
      - household.category in ['aandacht', 'actief'] or 'urgent' in household.flags
      - complex.count['aandacht'] + projected.complex.count.actief <= complex.homes - complex.vacant
      - projected.buurt.share['aandacht'] >= profile.buurt.target.aandacht - 10%
      - complex.share[household.category] != profile.complex.target[household.category]
    explanation:
      fired: {nl: "t", en: "t"}
  - id: t-unknown-legal
    title: {nl: T, en: T}
    level: unit
    kind: legal
    outcome: niet_toegestaan
    condition: unit.rent > def.t_kaal and household.income > 0
    explanation:
      fired: {nl: "t", en: "t"}
"""
EXTRA_DEFINITIONS = """
  t_kaal:
    label: {nl: t, en: t}
    unit: euro_per_month
    cases:
      - when: household.size >= 5
        value: param.aftoppingsgrens_3_plus_personen + 100
      - when: household.age > 80
        value: "500"
"""


def _general(program, h, unit, comp):
    return combine(program, rule_statuses(program, build_facts(program, h, unit, comp)), h)


def _households(rnd: random.Random, categories, n: int):
    limits = (0, 21000, 28375, 29400, 32000, 38500, 49669, 54847, 70000)
    for i in range(n):
        income = rnd.choice((rnd.randint(0, 90_000), rnd.choice(limits), Fraction(rnd.randint(0, 9_000_000), 100)))
        age = rnd.choice((None, rnd.randint(16, 95)))
        flags = rnd.choice(((), ("urgent",)))
        yield Household(f"hh-{i}", rnd.randint(1, 8), income, rnd.choice(categories), age, flags)


def _random_counts(rnd: random.Random, policy, unit_id: str):
    """Counts per level that fit the home's groups, nested (a portiek within its complex within its buurt)."""
    from rules_engine.engine.counts import group_homes
    from rules_engine.model.levels import group_keys

    homes = group_homes(policy)
    counts, below = {}, None
    for level, key in zip(policy.levels.keys, group_keys(policy, policy.units[unit_id])):
        room = homes[(level, key)]
        per = dict(below) if below else {c: 0 for c in policy.category_ids}
        extra = rnd.randint(0, max(0, room - sum(per.values())))
        for _ in range(extra):
            c = rnd.choice(policy.category_ids)
            per[c] += 1
        counts[level] = per
        below = per
    return counts


def _as_tuples(policy, counts):
    """The tuple form of counts per level (engine/counts.py): levels and categories in the policy's order."""
    return tuple(tuple(counts[lv].get(c, 0) for c in policy.category_ids) for lv in policy.levels.keys)


def cases(program, n: int, seed: int):
    """n generated lettings: (household, unit, date, composition, counts, leaving); half of them counted from the
    example occupancy (counts and leaving None), half from random counts per level."""
    rnd = random.Random(seed)
    policy = program.policy
    units = sorted(policy.units)
    occ = example_occupancy(program)
    for h in _households(rnd, policy.category_ids, n):
        date = dt.date(2023, 6, 1) + dt.timedelta(days=rnd.randrange(0, 1600))
        unit = rnd.choice(units)
        counts = leaving = None
        if rnd.random() < 0.5:
            comp = composition(policy, occ, date)
        else:
            counts = _random_counts(rnd, policy, unit)
            leaving = rnd.choice([None] + [c for c, k in counts[policy.levels.keys[0]].items() if k])
            comp = composition_from_counts(policy, unit, date, counts, leaving)
        yield h, unit, date, comp, counts, leaving


def every_construct_program(folder, extra_rules: str = ""):
    """The example policy copied to folder, with every construct the compiler knows (and extra_rules) added."""
    pol = folder / "pol"
    shutil.copytree(OB, pol)
    rules = (pol / "rules.yaml").read_text(encoding="utf-8")
    rules = rules.replace("\ndefinitions:\n", "\ndefinitions:\n" + EXTRA_DEFINITIONS.lstrip("\n"), 1)
    (pol / "rules.yaml").write_text(rules.rstrip("\n") + "\n" + EXTRA_RULES + extra_rules, encoding="utf-8")
    return load_policy(str(pol), use_cache=False)


def _agree(program, n: int, seed: int) -> set:
    policy = program.policy
    seen = set()
    for h, unit, date, comp, counts, leaving in cases(program, n, seed):
        if counts is not None:
            assert counts_decider(program, date)(h, unit, counts, leaving) == _general(program, h, unit, comp)
            assert counts_decider(program, date)(h, unit, _as_tuples(policy, counts), leaving) \
                == _general(program, h, unit, comp)
        fast = compiled(program, date)
        assert fast is not None, "the compiler covers this policy"
        got = fast.from_composition(h, unit, comp)
        assert got == _general(program, h, unit, comp), (h, unit, date)
        seen.add(got[0])
    return seen


@pytest.mark.parametrize("root", [OB, DV, ROOT / "bench" / "peers" / "policy", ROOT / "tests" / "data" / "wijk-zwolle"])
def test_compiled_rules_decide_as_the_one_semantics(root):
    program = load_policy(str(root), use_cache=False)
    assert len(_agree(program, 600, 11)) >= 2


def test_every_construct_of_the_compiler_and_unknown_values_decide_as_the_one_semantics(tmp_path):
    program = every_construct_program(tmp_path)
    outcomes = _agree(program, 1500, 5)
    assert {"onbeslist", "niet_toegestaan", "ontraden"} <= outcomes
    src = compiled(program, dt.date(2025, 6, 1)).source
    # the three-valued and exact-arithmetic paths ran
    assert "_AGE_NOT_GIVEN" in src and "_FLOOR_NOT_GIVEN" in src and "_mul(" in src and "_div(" in src


def test_exact_thresholds_of_the_benchmark_workload():
    import sys

    sys.path.insert(0, str(ROOT / "bench"))
    try:
        from peers import magicmix, workload
    finally:
        sys.path.remove(str(ROOT / "bench"))
    inputs, reference, summary = workload(3000)
    decide_one = magicmix.decision_only()
    assert summary["exactly_on_upper_edge"] > 100 and summary["exactly_on_lower_edge"] > 100
    assert [decide_one(x) for x in inputs] == reference


def test_the_counts_api_checks_its_input_and_explains_and_ranks():
    program = load_policy(str(OB))
    policy = program.policy
    unit = sorted(policy.units)[0]
    date = dt.date(2025, 6, 1)
    counts = _random_counts(random.Random(3), policy, unit)
    h = Household("hh-1", 2, 30000, policy.category_ids[0])
    d = evaluate_counts(program, h, unit, date, counts)
    assert decide_counts(program, h, unit, date, counts) == (d.outcome, d.deciding_rules)
    assert counts_decider(program, date)(h, unit, counts, leaving=None) == (d.outcome, d.deciding_rules)
    comp = composition_from_counts(policy, unit, date, counts)
    assert decide(program, h, unit, comp) == (d.outcome, d.deciding_rules)
    ranking = rank_counts(program, [h, Household("hh-2", 1, 20000, policy.category_ids[1])], unit, date, counts)
    assert len(ranking.ranked) + len(ranking.dropped) == 2
    bad = dict(counts, complex={**counts["complex"], "nergens": 1, policy.category_ids[0]: -1})
    bad.pop("buurt")
    bad["wijk"] = {}
    with pytest.raises(PolicyError) as exc:
        decide_counts(program, h, unit, date, bad, leaving="niemand")
    codes = sorted(x.code for x in exc.value.diagnostics)
    assert codes == ["missing-key", "out-of-range", "unknown-category", "unknown-category", "unknown-level"]
    too_many = dict(counts, portiek={policy.category_ids[0]: 10_000})
    with pytest.raises(PolicyError) as exc:
        evaluate_counts(program, h, unit, date, too_many)
    assert [x.code for x in exc.value.diagnostics] == ["out-of-range"]
    with pytest.raises(PolicyError) as exc:
        decide_counts(program, h, "GEEN-WONING", date, counts)
    assert exc.value.diagnostics[0].code == "unknown-unit"


def test_counts_as_tuples_are_checked_for_their_shape_and_read_as_the_mapping():
    program = load_policy(str(OB))
    policy = program.policy
    unit = sorted(policy.units)[0]
    date = dt.date(2025, 6, 1)
    counts = _random_counts(random.Random(4), policy, unit)
    rows = _as_tuples(policy, counts)
    h = Household("hh-1", 2, 30000, policy.category_ids[0])
    want = decide_counts(program, h, unit, date, counts)
    assert decide_counts(program, h, unit, date, rows) == want
    assert counts_decider(program, date)(h, unit, rows) == want
    assert evaluate_counts(program, h, unit, date, rows).outcome == want[0]
    short = rows[:-1]
    narrow = (rows[0][:-1],) + rows[1:]
    wide = rows[:1] + (rows[1] + (0,),) + rows[2:]
    listed = rows[:1] + (list(rows[1]),) + rows[2:]
    for bad in (short, narrow, wide, listed):
        for call in (lambda: counts_decider(program, date)(h, unit, bad),
                     lambda: decide_counts(program, h, unit, date, bad),
                     lambda: evaluate_counts(program, h, unit, date, bad)):
            with pytest.raises(PolicyError) as exc:
                call()
            d, = exc.value.diagnostics
            assert d.code == "wrong-type" and ", ".join(policy.category_ids) in d.en and "tuples" in d.nl
    over = rows[:1] + (tuple(n + 10_000 for n in rows[1]),) + rows[2:]
    with pytest.raises(PolicyError) as exc:
        decide_counts(program, h, unit, date, over)
    assert [x.code for x in exc.value.diagnostics] == ["out-of-range"]


def _spoiled(rnd: random.Random, policy, counts: dict) -> tuple[dict, str]:
    """counts with one thing wrong that check_counts refuses (or, for 'fine', nothing), and what it is."""
    levels, cats = policy.levels.keys, policy.category_ids
    out = {lv: dict(per) for lv, per in counts.items()}
    level, cat = rnd.choice(levels), rnd.choice(cats)
    what = rnd.choice(["fine", "negative", "float", "bool", "text", "none", "fraction", "over", "unknown-category",
                       "missing-level", "unknown-level", "not-a-dict"])
    if what in ("negative", "float", "bool", "text", "none", "fraction"):
        out[level][cat] = {"negative": -1, "float": 1.0, "bool": True, "text": "1", "none": None,
                           "fraction": Fraction(1)}[what]
    elif what == "over":
        out[level][cat] = out[level].get(cat, 0) + 100_000
    elif what == "unknown-category":
        out[level]["nergens"] = 0
    elif what == "missing-level":
        del out[level]
    elif what == "unknown-level":
        out["wijk"] = {}
    elif what == "not-a-dict":
        out[level] = list(out[level].values())
    return out, what


def _outcome_or_codes(call):
    try:
        return call()
    except PolicyError as exc:
        return sorted(d.code for d in exc.diagnostics)


@pytest.mark.parametrize("root", [OB, ROOT / "bench" / "peers" / "policy", ROOT / "tests" / "data" / "wijk-zwolle"])
def test_the_fast_counts_path_refuses_exactly_what_the_checked_one_refuses(root):
    """counts_decider reads the counts at full speed but never advises on counts check_counts refuses: a count
    below 0, not a whole number (a bool, float, text or Fraction), more households than homes, an unknown
    category or level, a level missing, a leaving household not counted, in the mapping and the tuple form."""
    program = load_policy(str(root))
    policy = program.policy
    rnd = random.Random(21)
    units = sorted(policy.units)
    date = dt.date(2025, 6, 1)
    decide_fast = counts_decider(program, date)
    kinds = set()
    for _ in range(600):
        unit = rnd.choice(units)
        good = _random_counts(rnd, policy, unit)
        counts, what = _spoiled(rnd, policy, good)
        leaving = rnd.choice([None, None, "niemand"] + list(policy.category_ids))
        h = Household("hh-1", 2, rnd.choice([20000, 32000, 45000]), rnd.choice(policy.category_ids))
        checked = _outcome_or_codes(lambda: decide_counts(program, h, unit, date, counts, leaving))
        assert _outcome_or_codes(lambda: decide_fast(h, unit, counts, leaving)) == checked, (what, leaving)
        if what in ("negative", "float", "bool", "text", "none", "fraction", "over"):
            rows = tuple(tuple(counts[lv].get(c, 0) for c in policy.category_ids) for lv in policy.levels.keys)
            assert _outcome_or_codes(lambda: decide_fast(h, unit, rows, leaving)) \
                == _outcome_or_codes(lambda: decide_counts(program, h, unit, date, rows, leaving)), (what, leaving)
        kinds.add((what, isinstance(checked, list)))
    assert ("fine", False) in kinds and all((w, True) in kinds for w in ("negative", "bool", "over", "missing-level"))


def test_a_program_the_compiler_does_not_cover_takes_the_general_path():
    from rules_engine.lang import operators

    program = load_policy(str(OB))
    date = dt.date(2025, 6, 2)
    with operators.registered(operators.Operator("<", operators.COMPARE, operators.numbers_to_bool,
                                                 lambda a, b: a < b, ">=", ("minder dan", "less than"), "$lt")):
        compiled.cache_clear()
        try:
            assert compiled(program, date) is None
            h = Household("hh-1", 2, 30000, program.policy.category_ids[0])
            comp = composition(program.policy, example_occupancy(program), date)
            unit = sorted(program.policy.units)[0]
            assert decide(program, h, unit, comp) == _general(program, h, unit, comp)
        finally:
            compiled.cache_clear()


def test_generated_source_holds_no_policy_text():
    program = load_policy(str(OB))
    src = compiled(program, dt.date(2025, 6, 1)).source
    for cat in program.policy.category_ids:
        assert cat not in src
    assert "'" not in src and '"' not in src  # texts are constants bound by name, never written in the source



def test_a_value_of_another_type_takes_the_general_path():
    program = load_policy(str(OB))
    date = dt.date(2025, 6, 1)
    comp = composition(program.policy, example_occupancy(program), date)
    unit = sorted(program.policy.units)[2]
    for income in (28375.0, 28375.5, 99999.25):  # a float from a caller: not exact, refused on either path alike
        h = Household("hh-1", 1, income, program.policy.category_ids[1])
        for path in (decide, _general):
            with pytest.raises(PolicyError) as refused:
                path(program, h, unit, comp)
            assert f"a whole number or a Fraction for household.income, but found: {income!r} (float)" \
                in refused.value.diagnostics[0].en


def test_a_household_placed_through_a_route_is_decided_as_the_one_semantics():
    program = load_policy(str(OB))
    policy = program.policy
    route = next(iter(policy.routes))
    comp = composition(policy, example_occupancy(program), dt.date(2025, 6, 1))
    seen = set()
    for i, unit in enumerate(sorted(policy.units)[:40]):
        h = Household(f"hh-{i}", 1 + i % 4, 20_000 + 1_500 * i, policy.category_ids[i % 3], route=route)
        got = decide(program, h, unit, comp)
        assert got == combine(program, rule_statuses(program, build_facts(program, h, unit, comp)), h)
        seen.add(got[0])
    assert "plaatsing" in seen



def _with_rule(pol, definitions: str, rule: str) -> None:
    r = (pol / "rules.yaml").read_text(encoding="utf-8")
    r = r.replace("\ndefinitions:\n", "\ndefinitions:\n" + definitions, 1)
    (pol / "rules.yaml").write_text(r.rstrip("\n") + "\n" + rule, encoding="utf-8")


_T = "    title: {nl: T, en: T}\n    level: unit\n    kind: advice\n    outcome: ontraden\n"
_FIRED = "    explanation:\n      fired: {nl: t, en: t}\n"


def _decisions_both_ways(pol, household):
    from rules_engine.engine import evaluate as engine

    program = load_policy(str(pol))
    comp = composition(program.policy, example_occupancy(program), dt.date(2025, 6, 1))
    compiled = engine.decide(program, household, "ZW-ASN-01-A09", comp)
    f = engine.build_facts(program, household, "ZW-ASN-01-A09", comp)
    general = engine.combine(program, engine.rule_statuses(program, f), household)
    return program, compiled, general


def _doubling(steps: int) -> str:
    """Definitions d1..d<steps>, each reading the one before twice: the work doubles at every step."""
    defs = "  d0:\n    label: {nl: d, en: d}\n    unit: count\n    cases:\n      - otherwise: household.size\n"
    for i in range(1, steps + 1):
        defs += (f"  d{i}:\n    label: {{nl: d, en: d}}\n    unit: count\n    cases:\n"
                 f"      - when: household.age > {i}\n        value: def.d{i - 1} + def.d{i - 1}\n"
                 f"      - otherwise: def.d{i - 1}\n")
    return defs


def test_definitions_whose_inlined_code_doubles_take_the_general_path(policy_copy):
    # 6 steps: 5,466 steps to evaluate (allowed), but the code inlined 3**6 times over: not generated
    _with_rule(policy_copy, _doubling(6), "  - id: t-def\n" + _T + "    condition: def.d6 > 5\n" + _FIRED)
    from rules_engine.lang.compiled import compiled_rules

    program, compiled, general = _decisions_both_ways(policy_copy, Household("hh-d", 2, Fraction(24500), "aandacht",
                                                                              45))
    assert compiled == general and "t-def" in compiled[1]  # 2 * 2**6 > 5 at age 45: it fires
    assert compiled_rules(program, dt.date(2025, 6, 1), None, None, None, None, None) is None


def test_definitions_that_double_the_work_past_the_bound_are_refused_at_validate(policy_copy):
    _with_rule(policy_copy, _doubling(16), "  - id: t-def\n" + _T + "    condition: def.d16 > 5\n" + _FIRED)
    res = run("validate", policy_copy, "--lang", "en")
    assert res.exit_code == 1, res.output
    assert "reads definitions that together take more than 20000 steps" in res.output
    assert "rules.yaml:" in res.output and "Traceback" not in res.output


def test_a_condition_python_cannot_compile_takes_the_general_path(policy_copy):
    # 70 items of `any:` nest deeper than Python's parser allows ("too many nested parentheses")
    items = "".join(f"      - household.age > {i}\n" for i in range(70))
    _with_rule(policy_copy, "", "  - id: t-any\n" + _T + "    any:\n" + items + _FIRED)
    _, compiled, general = _decisions_both_ways(policy_copy, Household("hh-a", 2, Fraction(24500), "aandacht", 30))
    assert compiled == general and "t-any" in compiled[1]
