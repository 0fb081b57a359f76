"""magicmix on the workload, in each of its modes, through bench/peers/policy/ (the decision as a policy).

Every mode goes through the public API over counts (rules_engine.api: counts_decider,
evaluate_counts), as a service holding counts rather than occupancy rows would. Per input,
inside the timed loop: a Household (income as the exact integer it is), the home whose rent is
the input's rent (the policy has one per whole euro 450..1000), and the counts of its portiek,
complex and buurt (one and the same group here) from the three counts; nobody moves out. The
answer, (outcome, deciding rules), maps back to the workload's (decision, rule id); any other
answer maps to None and counts as a mismatch. The row "public evaluate_batch, occupancy per
input" keeps the occupancy-rows path beside it.
"""

from __future__ import annotations

import datetime as dt
import os
from fractions import Fraction

from . import CATS, DEFAULT, LEGAL, OVER, UNDER

POLICY = os.path.join(os.path.dirname(os.path.abspath(__file__)), "policy")
DATE = dt.date(2025, 6, 1)
ANSWER = {
    ("niet_toegestaan", ("inkomen-huur",)): LEGAL,
    ("ontraden", ("complex-plafond",)): OVER,
    ("voorkeur", ("complex-ondergrens",)): UNDER,
    ("passend", ()): DEFAULT,
}


def _program():
    from rules_engine import load_policy

    return load_policy(POLICY, use_cache=False)


def _homes() -> dict:
    """The home whose rent is the input's rent (bench/peers/policy has one per whole euro 450..1000)."""
    return {r: f"PB-01-R{r:04d}" for r in range(450, 1001)}


def _marshal(program):
    """marshal(x) -> (household, home id, counts per level) for one input dict."""
    from rules_engine.lang.facts import Household

    home_of_rent = _homes()
    assert CATS == ("regulier", "aandacht", "veerkrachtig")  # the literal below

    def marshal(x):
        counts = {"regulier": x["n_regulier"], "aandacht": x["n_aandacht"], "veerkrachtig": x["n_veerkrachtig"]}
        return (Household("h", 1, x["income"], x["c"]), home_of_rent[x["rent"]],
                {"portiek": counts, "complex": counts, "buurt": counts})

    return marshal


def _deciding(program):
    """decide(x) through api.counts_decider, with marshal()'s work written into it (one call less per input).

    The counts come in the tuple form (engine/counts.py: per level in the policy's order, per
    category in its order), which the compiled rules read without building a dict."""
    from rules_engine.api import counts_decider
    from rules_engine.lang.facts import Household

    decide_counts = counts_decider(program, DATE)  # compiled once for the date
    home_of_rent = _homes()
    answer = ANSWER.get
    assert CATS == ("regulier", "aandacht", "veerkrachtig")  # the literal below

    assert program.policy.levels.keys == ("portiek", "complex", "buurt")  # the order of the tuple form below
    assert program.policy.category_ids == CATS

    def decide(x):
        counts = (x["n_regulier"], x["n_aandacht"], x["n_veerkrachtig"])  # the tuple form: categories in order
        return answer(decide_counts(Household("h", 1, x["income"], x["c"]), home_of_rent[x["rent"]],
                                    (counts, counts, counts)))
    return decide


def _dated(args):
    household, unit, counts = args
    return household, unit, DATE, counts


def decision_only():
    """Outcome and deciding rules only: api.counts_decider, the compiled rules of the date."""
    return _deciding(_program())


def durable_engine():
    """Decision only with --engine durable: durable-rules decides which rules fire."""
    from rules_engine.engine.engine_durable import durable_program, unavailable_reason

    if unavailable_reason():
        raise ImportError(unavailable_reason()[1])
    return _deciding(durable_program(_program()))


def explanation():
    """The full explanation record (a Decision: every condition's values, texts, changes, room)."""
    from rules_engine.api import evaluate_counts

    program = _program()
    marshal = _marshal(program)
    answer = ANSWER.get

    def decide(x):
        d = evaluate_counts(program, *_dated(marshal(x)))
        return answer((d.outcome, d.deciding_rules))
    return decide


def explanation_json():
    """The full explanation record as JSON text, the text `--batch --explain` writes per decision
    (Decision.to_json(): json.dumps(to_dict(), ensure_ascii=False, sort_keys=True), byte for byte), by
    api.evaluate_counts_json, which writes it without building the record."""
    from rules_engine.api import evaluate_counts_json

    program = _program()
    marshal = _marshal(program)
    answer = ANSWER.get

    def decide(x):
        outcome, deciding, decide.last = evaluate_counts_json(program, *_dated(marshal(x)))  # the text is the product
        return answer((outcome, deciding))
    return decide


def record_floor():
    """Not an explanation: a lower bound of one. The decision only (as decision_only), then the records a full
    explanation must make new for each letting, copied from one explanation made at set-up: its household and
    inputs, the three levels' compositions, each rule's result and text, the record itself. Every other part
    (each category's share, the room lines, the conditions, the changes) is taken as it is, as though every memo
    held it; no rule is judged and no text is filled. What this costs is the least any full record of this shape
    (frozen records, as Decision's API gives them) can cost, however its values are worked out."""
    from rules_engine.api import evaluate_counts
    from rules_engine.model.decision import Bilingual, Decision, HouseholdInput, Inputs, LevelComposition, RuleResult

    program = _program()
    decide_only = decision_only()
    x = {"n_regulier": 10, "n_aandacht": 7, "n_veerkrachtig": 3, "income": 30_000, "rent": 700, "c": "aandacht"}
    d = evaluate_counts(program, *_dated(_marshal(program)(x)))
    i, h = d.inputs, d.inputs.household
    assert len(d.rules) == 3 and len(d.composition) == 3 and all(r.text is not None for r in d.rules)

    def decide(x):
        answer = decide_only(x)
        hh = HouseholdInput(h.id, h.size, h.income, x["c"], h.age, (), h.older, h.route)
        inputs = Inputs(hh, i.unit, i.complex, i.portiek, i.buurt, i.date, "", i.profile_valid_from, i.parameters)
        levels = tuple([LevelComposition(c.level, c.group, c.homes, c.occupied_now, c.occupied_after, c.categories)
                        for c in d.composition])
        rules = tuple([RuleResult(r.id, r.title, r.level, r.kind, r.outcome, r.status, r.deciding, r.source,
                                  r.applies_when, r.conditions, Bilingual(r.text.nl, r.text.en), r.reason)
                       for r in d.rules])
        decide.last = Decision(d.record_version, d.outcome, d.outcome_label, d.deciding_rules, rules, d.changes, d.room,
                               levels, inputs, d.policy, d.engine, d.categories)
        return answer
    return decide


def public_batch():
    """The public API alone: evaluate_batch() of one pair, with an occupancy built per input.

    The public API counts one occupancy for many pairs; this row shows what an occupancy per
    decision costs (one row per occupied home, counted by composition() every time)."""
    from rules_engine import evaluate_batch
    from rules_engine.lang.facts import Household
    from rules_engine.load.occupancy import Occupancy, OccupancyRow

    program = _program()
    units = sorted(program.policy.units)
    since = dt.date(2024, 1, 1)
    answer = ANSWER.get

    def decide(x):
        let = f"PB-01-R{x['rent']:04d}"
        others = (u for u in units if u != let)
        rows = {}
        for c in CATS:
            for _ in range(x["n_" + c]):
                u = next(others)
                rows[u] = (OccupancyRow(u, "h" + u, c, since),)
        pair = (Household("h", 1, Fraction(x["income"]), x["c"]), let)
        for res in evaluate_batch(program, (pair,), DATE, Occupancy(rows)):
            return answer(res)
    return decide


# key -> (row label, factory)
MODES = {
    "mm-decide": ("magicmix, decision only", decision_only),
    "mm-durable": ("magicmix --engine durable, decision only", durable_engine),
    "mm-public": ("magicmix public evaluate_batch, occupancy per input", public_batch),
    "mm-explain": ("magicmix, full explanation record", explanation),
    "mm-json": ("magicmix, explanation as JSON", explanation_json),
    "mm-floor": ("magicmix, decision + only the records new per letting (a lower bound, not an explanation)",
                 record_floor),
}
