"""Rank the candidates for one home through the policy: groups by outcome, portal order kept inside each."""

from __future__ import annotations


from ..lang.compile import Program
from ..model.decision import Record
from ..engine.explain import Decision, bilingual, explain_all, undecided_text
from ..lang.facts import Household
from ..load.load import read_document
from ..diagnostics import PolicyError
from ..load.inputs import household_from_data, unknown_to_policy
from ..load.occupancy import Composition
from ..lang.records import quick
from ..render.messages import capital, say
from ..lang.records import frozen


@quick
@frozen
class Candidate(Record):
    """One candidate's place: portal position, rank (None when dropped), advice and the one-line reason."""

    position: int
    rank: int | None
    household: str
    outcome: str
    deciding: tuple[str, ...]
    reason: dict
    decision: Decision


@quick
@frozen
class Ranking(Record):
    """The candidates for one home, ranked by the policy's strategy."""

    unit: str
    date: str
    policy: dict
    strategy: dict
    ranked: tuple[Candidate, ...]
    dropped: tuple[Candidate, ...]



def _reason(d: Decision) -> dict:
    """The deciding rules' ids and the first one's text (for onbeslist: what cannot be judged, and why)."""
    undecided = undecided_text(d)
    if undecided:
        return undecided
    ids = ", ".join(d.deciding_rules)
    for r in d.rules:
        if r.deciding and r.text:
            return bilingual(f"{ids}: {r.text['nl']}", f"{ids}: {r.text['en']}")
    return bilingual(capital(say("summary.no_rule", "nl")) + ".", capital(say("summary.no_rule", "en")) + ".")


def rank(program: Program, households: list[Household], unit_id: str, comp: Composition) -> Ranking:
    """Evaluate every candidate for one home and order them by the policy's ranking strategy. Pure."""
    strategy = program.policy.ranking
    evaluated = [(position, h, d) for position, (h, d)
                 in enumerate(zip(households, explain_all(program, households, unit_id, comp)), 1)]
    ranked, dropped = [], []
    for outcome in strategy.order:
        for position, h, d in evaluated:
            if d.outcome == outcome:
                ranked.append(Candidate(position, len(ranked) + 1, h.id, d.outcome, d.deciding_rules, _reason(d), d))
    for position, h, d in evaluated:
        if d.outcome in strategy.drop:
            dropped.append(Candidate(position, None, h.id, d.outcome, d.deciding_rules, _reason(d), d))
    return Ranking(unit_id, comp.date.isoformat(), evaluated[0][2].policy if evaluated else {},
                   {"drop": list(strategy.drop), "order": list(strategy.order)}, tuple(ranked), tuple(dropped))


def load_candidates(path: str, policy=None) -> list[Household]:
    """Read a candidates file (YAML or JSON) in portal order; raises PolicyError naming file, line and column. With
    the policy, a category or route it does not know is an error at its line in the file too."""
    source, problems = read_document(path, "candidates")
    if source is None:
        raise PolicyError(problems)
    ids = [c["id"] for c in source.data["candidates"]]
    for i, cid in enumerate(ids):
        if cid in ids[:i]:
            from ..diagnostics import make
            line, col = source.where(("candidates", i, "id"))
            raise PolicyError([make("duplicate-id", path, line, col, what=("kandidaat", "candidate"), id=cid,
                                    other=f"{path}:{source.where(('candidates', ids.index(cid), 'id'))[0]}")])
    households = [household_from_data(c) for c in source.data["candidates"]]
    if policy is not None:
        wrong = [d for i, h in enumerate(households) for d in unknown_to_policy(policy, h, source, ("candidates", i))]
        if wrong:
            raise PolicyError(wrong[:100])
    return households


def ranking_from_dict(d: dict) -> Ranking:
    """Rebuild a Ranking from its JSON form (rank --format json)."""
    from ..engine.explain import decision_from_dict

    def cand(c):
        return Candidate(c["position"], c["rank"], c["household"], c["outcome"], tuple(c["deciding"]), c["reason"],
                         decision_from_dict(c["decision"]))
    return Ranking(d["unit"], d["date"], d["policy"], d["strategy"], tuple(cand(c) for c in d["ranked"]),
                   tuple(cand(c) for c in d["dropped"]))
