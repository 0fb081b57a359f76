"""The explanation's one traced pass (explain_rules.py) records what the tracer records, and explain_all, which
shares a rule's record between households that agree on what it reads, gives every household its own record.

Every shipped policy, the benchmark's and a policy with every construct the compiler knows
(three-valued logic, unknown values, definitions, lists) are explained both ways on many
households, homes, dates and compositions.
"""

from __future__ import annotations

import datetime as dt
import random

import pytest

from conftest import DV, OB, ROOT
from test_compiled import _households, cases, every_construct_program
from rules_engine import example_occupancy, load_policy
from rules_engine.engine.evaluate import build_facts, combine
from rules_engine.engine.explain import explain, explain_all, explain_traced, traced_by_tracer
from rules_engine.engine.explain_rules import _plan, rule_results, traced_statuses
from rules_engine.lang.facts import Household
from rules_engine.load.occupancy import composition

POLICIES = [OB, DV, ROOT / "bench" / "peers" / "policy", ROOT / "tests" / "data" / "wijk-zwolle"]


@pytest.fixture(scope="module")
def every_construct(tmp_path_factory):
    return every_construct_program(tmp_path_factory.mktemp("every"))


def _cases(program, n: int, seed: int):
    for h, unit, _, comp, _, _ in cases(program, n, seed):
        yield h, unit, comp


def _words(statuses) -> list:
    """Statuses comparable by value (an Unknown reason is compared by its texts)."""
    return [(s.status, None if s.reason is None else (s.reason.nl, s.reason.en)) for s in statuses]


def _same_records(program, n: int, seed: int) -> set:
    statuses_seen = set()
    for h, unit, comp in _cases(program, n, seed):
        f = build_facts(program, h, unit, comp)
        st, rec, seen = traced_statuses(program, f, {})
        st_t, rec_t, seen_t = traced_by_tracer(program, f)
        assert _words(st) == _words(st_t), (h, unit, comp.date)
        assert [e[1:3] for e in rec] == [e[1:3] for e in rec_t], (h, unit, comp.date)
        _, deciding = combine(program, st, h)
        # the texts from the operands the pass kept are the texts from the facts evaluated afresh
        assert (rule_results(program, f, st, rec, seen, deciding, {})
                == rule_results(program, f, st_t, rec_t, seen_t, deciding, {}))
        statuses_seen.update(s.status for s in st)
    return statuses_seen


@pytest.mark.parametrize("root", POLICIES)
def test_the_traced_pass_records_what_the_tracer_records(root):
    program = load_policy(str(root), use_cache=False)
    assert len(_same_records(program, 400, 3)) >= 2


def test_the_traced_pass_on_every_construct_and_unknown_values(every_construct):
    assert _same_records(every_construct, 1000, 7) == {"fired", "not_fired", "not_applicable"}


def _ranking_households(rnd: random.Random, categories, n: int):
    """Candidates that often agree on category, size and age but not on income: what explain_all shares."""
    base = list(_households(rnd, categories, n))
    return [Household(h.id, rnd.choice((1, 2, 3)), h.income, rnd.choice(categories[:2]), rnd.choice((None, 40, 85)),
                      h.flags, rnd.random() < 0.3) for h in base]


@pytest.mark.parametrize("which", ["ob", "every"])
def test_explain_all_gives_each_household_its_own_record(which, every_construct):
    program = load_policy(str(OB), use_cache=False) if which == "ob" else every_construct
    rnd = random.Random(5)
    policy = program.policy
    outcomes = set()
    for _, unit, comp in _cases(program, 12, 9):
        households = _ranking_households(rnd, policy.category_ids, 60)
        got = [d.to_dict() for d in explain_all(program, households, unit, comp)]
        assert got == [explain_traced(program, h, unit, comp).to_dict() for h in households]
        outcomes.update(d["outcome"] for d in got)
    assert len(outcomes) >= 2


@pytest.mark.parametrize("root", POLICIES, ids=lambda p: p.name)
def test_explain_all_takes_the_compiled_explainer_once_the_program_has_explained_a_few(monkeypatch, root):
    """A command's one ranking is traced (building the explainer would not pay); later ones, as explain() after its
    first lettings, take the compiled explainer (which hands a level above the buurt back to the traced path):
    the same records either way."""
    import rules_engine.engine.explain as explain_module

    program = load_policy(str(root), use_cache=False)  # a program of its own: nothing explained yet
    real, calls = explain_module._compiled_explainer(), []
    monkeypatch.setattr(explain_module, "_compiled_explainer",
                        lambda: lambda *args: calls.append(args[1].id) or real(*args))
    rnd = random.Random(8)
    cases = list(_cases(program, 6, 4))
    for k, (_, unit, comp) in enumerate(cases):
        households = _ranking_households(rnd, program.policy.category_ids, 40)
        got = [d.to_dict() for d in explain_all(program, households, unit, comp)]
        assert got == [explain_traced(program, h, unit, comp).to_dict() for h in households]
        assert calls == ([] if k == 0 else [h.id for h in households]), k
        calls.clear()


def test_what_a_rule_reads_of_the_household(every_construct):
    reads = {r.id: r.reads for r in _plan(every_construct)}
    assert reads["complex-plafond"] == ("category",)  # projected.complex.share[household.category]
    assert reads["woninggrootte"] == ("size",)
    assert {"income", "older", "size"} <= set(reads["passend-toewijzen"])  # through def.inkomensgrens_passend
    assert reads["t-unknown-legal"] == ("age", "income", "size")  # through def.t_kaal's cases
    assert set(reads["t-lists"]) == {"category", "flags"}


def test_explain_all_takes_a_household_whose_fields_cannot_be_keys(every_construct):
    program = every_construct  # t-lists reads household.flags
    comp = composition(program.policy, example_occupancy(program), dt.date(2025, 6, 1))
    unit = sorted(program.policy.units)[0]
    households = [Household("a", 2, 30000, "regulier", None, ["urgent"]), Household("b", 2, 30000, "regulier")]
    got = explain_all(program, households, unit, comp)
    assert [d.to_dict() for d in got] == [explain(program, h, unit, comp).to_dict() for h in households]
