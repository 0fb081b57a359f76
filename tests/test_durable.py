"""durable-rules as a second engine: the same fired rules and outcomes as the default engine, and its pitfalls avoided."""

from __future__ import annotations

import datetime as dt
import json
import random
from fractions import Fraction

import pytest

from conftest import DV, OB, run
from rules_engine import example_occupancy, load_policy
from rules_engine.engine import engine_durable
from rules_engine.testing.cases import _synthetic
from rules_engine.engine.evaluate import FIRED, build_facts, combine, rule_statuses
from rules_engine.engine.explain import explain
from rules_engine.lang.facts import Household
from rules_engine.load.occupancy import EMPTY, composition

needs_durable = pytest.mark.skipif(engine_durable.unavailable_reason() is not None,
                                   reason=str((engine_durable.unavailable_reason() or ("", ""))[1]))
DATES = [dt.date(2024, 12, 31), dt.date(2025, 1, 1), dt.date(2025, 6, 30), dt.date(2025, 7, 1), dt.date(2026, 1, 1)]


def _edge_counts(program, unit_id: str, date: dt.date, category: str, rng: random.Random) -> dict:
    """Complex and buurt counts that put the category exactly on (or one household past) a band edge after letting."""
    pol = program.policy
    unit = pol.units[unit_id]
    band = pol.complexes[unit.complex].profile_at(date).mix.bands[category]
    edge = rng.choice([band.high, band.low])
    m = rng.randint(1, 3)
    after_total, after_cat = edge.denominator * m, edge.numerator * m
    if after_cat == 0 or after_total > 60:
        after_total, after_cat = 20, 8
    after_cat += rng.choice([0, 0, 1, -1]) if after_cat > 1 else 0
    others = [c for c in pol.category_ids if c != category]
    rest = max(0, after_total - after_cat)
    split = rng.randint(0, rest) if len(others) > 1 else rest
    counts = {category: max(0, after_cat - 1), others[0]: split}
    if len(others) > 1:
        counts[others[1]] = rest - split
    level = {k: v for k, v in counts.items() if v}
    return {"portiek": {category: rng.randint(0, 5)}, "complex": level, "buurt": dict(level)}


def _inputs(program, n: int, seed: int):
    """n generated lettings: households around every income limit, band edges, empty complexes, dates at changes."""
    rng = random.Random(seed)
    pol = program.policy
    units = sorted(pol.units)
    limits = sorted({v.value for p in pol.parameters.values() if p.unit == "euro_per_year" for v in p.values})
    occupied = example_occupancy(program)
    for i in range(n):
        date = rng.choice(DATES)
        unit = rng.choice(units)
        category = rng.choice(pol.category_ids)
        income = rng.choice(limits) + rng.choice([Fraction(-1, 100), 0, Fraction(1, 100), -5000, 5000]) \
            if limits and rng.random() < 0.7 else Fraction(rng.randint(0, 90000))
        household = Household(f"h{i}", rng.randint(1, 7), max(Fraction(0), income), category,
                               rng.choice([None, 30, 70]), ())
        kind = rng.random()
        if kind < 0.4:
            comp = _synthetic(program, unit, date, _edge_counts(program, unit, date, category, rng))
        elif kind < 0.55:
            comp = composition(pol, EMPTY, date)  # every complex empty
        else:
            comp = composition(pol, occupied, date)
        yield household, unit, comp


@needs_durable
@pytest.mark.parametrize("policy, n", [(OB, 8000), (DV, 2000)], ids=["openbaar-belang", "dragend-vragend"])
def test_both_engines_fire_the_same_rules(policy, n):
    program = load_policy(str(policy))
    durable = engine_durable.durable_program(program)
    seen = set()
    outcomes = set()
    on_edge = empty = 0
    for household, unit, comp in _inputs(program, n, seed=4):
        f = build_facts(program, household, unit, comp)
        band = f.profile.mix.bands[household.category]
        on_edge += f.projected["complex"].share(household.category) in (band.low, band.high)
        empty += f.current["complex"].occupied == 0
        ours = rule_statuses(program, f)
        theirs = durable.engine.statuses(f)
        assert [s.status for s in theirs] == [s.status for s in ours], (household, unit, comp.date)
        assert combine(program, theirs) == combine(program, ours)
        outcomes.add(combine(program, ours)[0])
        seen.update((cr.rule.id, s.status) for cr, s in zip(program.rules, ours))
    # the inputs reach every rule firing, exact band edges and empty complexes (else the comparison proves little)
    assert {rid for rid, st in seen if st == FIRED} == {r.id for r in program.policy.rules}
    assert on_edge > n // 20 and empty > n // 20
    assert "onbeslist" in outcomes  # 2026-01-01 has no aftoppingsgrens: both engines must say so alike
    durable.engine.close()


@needs_durable
def test_explanations_are_the_same_record_but_for_the_engine_name():
    program = load_policy(str(OB))
    durable = engine_durable.durable_program(program)
    for household, unit, comp in _inputs(program, 300, seed=9):
        a = explain(program, household, unit, comp).to_dict()
        b = explain(durable, household, unit, comp).to_dict()
        assert b["engine"].pop("rule_engine") == "durable-rules 2.0.28"
        assert a == b


class _Counting:
    """durable-rules' C core, counting the rulesets created and deleted through it."""

    def __init__(self, core):
        self.core, self.live = core, 0

    def __getattr__(self, name):
        return getattr(self.core, name)

    def create_ruleset(self, *args):
        self.live += 1
        return self.core.create_ruleset(*args)

    def delete_ruleset(self, handle):
        self.live -= 1
        return self.core.delete_ruleset(handle)


@needs_durable
def test_reloads_free_the_old_ruleset_and_nothing_piles_up_in_the_session():
    program = load_policy(str(OB))
    engine = engine_durable.DurableEngine(program)
    comp = composition(program.policy, example_occupancy(program), dt.date(2025, 6, 1))
    f = build_facts(program, Household("h", 2, Fraction(25000), "aandacht", None, ()), "ZW-ASN-01-A09", comp)
    first = engine.fired(f)
    assert first == {cr.rule.id for cr, s in zip(program.rules, rule_statuses(program, f)) if s.status == FIRED}
    engine._core = counting = _Counting(engine._core)
    for _ in range(30):
        engine.reload(program)
    assert counting.live == 0  # every reload freed the ruleset it replaced
    for _ in range(1500):  # beyond durable-rules' 1,024 live sessions per ruleset
        assert engine.fired(f) == first
    # every event was consumed by its rule or stored nowhere: the one session holds no event and no fact
    assert json.loads(counting.get_events(engine._handle, engine_durable.SID)) == []
    assert json.loads(counting.get_facts(engine._handle, engine_durable.SID)) == []
    engine.close()
    assert counting.live == -1 and engine._handle is None
    with pytest.raises(RuntimeError):
        engine.fired(f)


@needs_durable
def test_cli_engine_durable_on_evaluate_test_rank_replay_diff_and_batch(tmp_path):
    args = ("evaluate", OB, "--unit", "ZW-ASN-01-A09", "--household", OB / "examples/households/aandacht-2p.yaml",
            "--date", "2025-06-01", "--format", "json")
    default, durable = json.loads(run(*args).output), json.loads(run(*args, "--engine", "durable").output)
    assert durable["engine"].pop("rule_engine") == "durable-rules 2.0.28" and durable == default
    tested = run("test", OB.parent, "--engine", "durable")
    assert tested.exit_code == 0 and tested.output.splitlines()[-1].endswith("0 failed")
    ranked = run("rank", OB, "--unit", "ZW-ASN-01-A09", "--candidates", OB / "examples/kandidaten.yaml",
                 "--date", "2025-06-01", "--engine", "durable")
    assert ranked.exit_code == 0
    rows = tmp_path / "rows.csv"
    rows.write_text("id,size,income,category,unit\nh1,2,25000,aandacht,ZW-ASN-01-A09\nh2,1,30000,regulier,ZW-ASN-01-A01\n")
    log = tmp_path / "log.jsonl"
    assert run(*args[:-2], "--log", log).exit_code == 0
    replayed = run("log", "replay", log, "--verify", "--engine", "durable")
    assert replayed.exit_code == 0 and "1 gelijk, 0 anders" in replayed.output
    diffed = run("diff", OB, OB, "--sample", "200", "--engine", "durable", "--fail-on-change")
    assert diffed.exit_code == 0, diffed.output
    batch = [run("evaluate", OB, "--batch", rows, "--date", "2025-06-01", "--jobs", jobs, "--engine", engine).stdout
             for engine, jobs in (("default", "1"), ("durable", "1"), ("durable", "2"))]
    assert batch[0] == batch[1] == batch[2]


def test_engine_durable_unavailable_exits_2(monkeypatch):
    monkeypatch.setattr(engine_durable, "unavailable_reason",
                        lambda: ("durable-rules 2.0.28 werkt niet op Python 3.13 of nieuwer",
                                 "durable-rules 2.0.28 does not run on Python 3.13 or newer"))
    res = run("evaluate", OB, "--unit", "ZW-ASN-01-A09", "--household", OB / "examples/households/aandacht-2p.yaml",
              "--date", "2025-06-01", "--engine", "durable", "--lang", "en")
    assert res.exit_code == 2
    assert "engine durable-rules cannot be used here: durable-rules 2.0.28 does not run on Python 3.13" in res.output
    assert "Traceback" not in res.output
    res = run("test", OB, "--engine", "durable")
    assert res.exit_code == 2 and "werkt niet op Python 3.13" in res.output
