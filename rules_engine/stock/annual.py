"""The annual evaluation: what the mix policy achieved in a year, from the dated occupancy and the decision log.

- the mix per buurt on 1 January and on 31 December (shares against targets and bands);
- lettings per category: a household moving into a home during the year (a new row for
  another household); a re-classification (same household, other category) is counted
  apart, as are homes that became empty;
- advice followed or deviated: the last logged decision for the letting's household and
  home on or before the letting date, and the last review of it (or an older override, read as
  deviated). A letting made against niet toegestaan or ontraden did not follow the advice,
  reviewed or not; a placement through a route (advice plaatsing) is counted apart;
- the free allocation room per kind (policy.yaml free_allocation_room): deviations from a legal
  outcome that used it, against its limit of the year's lettings;
- each legal rule with a norm: the share of lettings, among those where the rule applied,
  that kept it (passend toewijzen 95 %, DAEB 92,5 %); lettings whose advice was onbeslist
  (the rule could not be judged) are counted apart, never as kept;
- complexes that moved into or out of their band between the two dates.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from fractions import Fraction

from ..allocation.decision_log import check_chain
from ..diagnostics import PolicyError, make
from ..model.policy import PLACEMENT, UNDECIDED, Policy
from ..model.outcomes import AGAINST
from ..allocation.reviews import latest_reviews
from ..load.occupancy import Occupancy, composition
from .status import ABOVE, BELOW, IN_BAND, GroupStatus, portfolio_status
from ..lang.records import frozen

_OUT = (ABOVE, BELOW, "both")


@frozen
class Letting:
    """A household that moved into a home during the year, with the advice logged for it (if any)."""

    unit: str
    complex: str
    buurt: str
    household: str
    category: str
    date: dt.date
    advice: str | None  # outcome of the logged decision
    decision: str | None  # its decision id
    person: str | None  # the outcome a person recorded in a review (or an older override), if any
    rules: tuple[tuple[str, str], ...]  # (rule id, status) of the logged decision
    undecided: tuple[str, ...] = ()  # legal rules the logged decision could not judge (advice onbeslist)
    deviated: bool = False  # a review (or override) recorded that the person did not follow the advice
    free_room: str | None = None  # the free allocation room a deviation from a legal outcome used
    beyond_room: bool = False  # recorded with --force beyond the year's free room

    @property
    def followed(self) -> bool | None:
        """True when the advice was followed, False when not, None without logged advice. A letting against
        niet toegestaan or ontraden did not follow it, whatever was recorded: the household moved in."""
        if self.advice is None:
            return None
        return not self.deviated and self.advice not in AGAINST


@frozen
class Candidate:
    """A logged decision of the year, as the fairness section counts it: no household id, no reason."""

    category: str
    date: dt.date
    outcome: str
    review: str | None  # 'followed', 'deviated' or None (no review recorded)


@frozen
class RoomResult:
    """One free allocation room against the year's lettings."""

    key: str
    limit: Fraction  # percent
    lettings: int
    used: int  # lettings that deviated from a legal outcome using this room
    beyond: int  # of which recorded beyond the room (--force)

    @property
    def allowed(self) -> int:
        """Lettings the room holds this year: the limit's share of the year's lettings, rounded down."""
        return int(self.limit * self.lettings / 100)

    @property
    def within(self) -> bool:
        """Whether the year's use stayed within the room."""
        return self.used <= self.allowed


@frozen
class NormResult:
    """A legal rule's norm against what the year's lettings achieved."""

    rule: str
    title: dict
    norm: Fraction
    applicable: int  # lettings with logged advice where the rule applied
    kept: int
    undecided: int = 0  # lettings with logged advice where the rule could not be judged (onbeslist)

    @property
    def share(self) -> Fraction | None:
        """Share of applicable lettings that kept the rule (None without any)."""
        return Fraction(self.kept, self.applicable) if self.applicable else None

    @property
    def met(self) -> bool | None:
        """Whether the norm was met (None without applicable lettings)."""
        return None if self.share is None else self.share >= self.norm


@frozen
class AnnualReport:
    """Everything the annual evaluation shows."""

    year: int
    policy: dict
    categories: tuple[str, ...]
    labels: dict  # category -> {'nl', 'en'}
    buurten_start: tuple[GroupStatus, ...]
    buurten_end: tuple[GroupStatus, ...]
    lettings: tuple[Letting, ...]
    reclassified: int
    vacated: int
    norms: tuple[NormResult, ...]
    into_band: tuple[str, ...]
    out_of_band: tuple[str, ...]
    log_used: bool
    rooms: tuple[RoomResult, ...] = ()
    candidates: tuple[Candidate, ...] = ()  # every logged decision dated in the year (fairness)

    def lettings_per(self, key: str = "category") -> Counter:
        """Lettings counted per category (or per buurt)."""
        return Counter(getattr(x, key) for x in self.lettings)

    def advice_counts(self) -> Counter:
        """Lettings whose advice was followed, not followed ('overridden'), not logged, onbeslist ('undecided': a
        person decided without the legal check) or plaatsing ('placement': through a route); the last two are
        counted apart, never as followed."""
        return Counter("undecided" if x.advice == UNDECIDED else "placement" if x.advice == PLACEMENT else
                       {True: "followed", False: "overridden", None: "no_advice"}[x.followed] for x in self.lettings)


def _moves(occupancy: Occupancy, start: dt.date, end: dt.date):
    """(lettings as (unit, household, category, date), re-classifications, homes vacated) within [start, end]."""
    lettings, reclassified, vacated = [], 0, 0
    for unit, rows in occupancy.by_unit.items():
        previous = None
        for r in rows:
            if start <= r.valid_from <= end:
                if r.household is None:
                    vacated += previous is not None and previous.household is not None
                elif previous is not None and previous.household == r.household:
                    reclassified += previous.category != r.category
                else:
                    lettings.append((unit, r.household, r.category, r.valid_from))
            previous = r
    return sorted(lettings, key=lambda x: (x[3], x[0])), reclassified, vacated


def _log_index(path: str | None, policy_id: str):
    """Decisions under this policy per (household, unit), oldest first, and the last review (or override) per
    decision id; PolicyError when the log holds decisions of other policies only (a log given by mistake)."""
    decisions: dict = {}
    others = 0
    if path is None:
        return decisions, {}
    read, chain = check_chain(path)
    if not chain.intact:  # an annual report must not count an edited, deleted or forged record
        first = chain.problems[0]
        raise PolicyError([make("log-tampered", path, first.line, count=len(chain.problems),
                                first=(f"{first.location()}: {first.nl}", f"{first.location()}: {first.en}"))])
    for rec in read.records:
        try:
            if rec.get("type") == "decision":
                if rec["decision"]["policy"]["id"] != policy_id:
                    others += 1
                    continue
                inputs = rec["decision"]["inputs"]
                key = (inputs["household"]["id"], inputs["unit"])
                decisions.setdefault(key, []).append((dt.date.fromisoformat(inputs["date"]), rec))
        except (KeyError, TypeError, ValueError):
            continue  # `magicmix log replay` reports incomplete records
    if others and not decisions:
        raise PolicyError([make("log-other-policy", path, count=others, policy=policy_id)])
    for items in decisions.values():
        items.sort(key=lambda x: x[0])
    return decisions, latest_reviews(read.records)


def _candidates(decisions: dict, reviews: dict, start: dt.date, end: dt.date) -> tuple[Candidate, ...]:
    out = []
    for items in decisions.values():
        for day, rec in items:
            if start <= day <= end:
                review = reviews.get(rec["decision_id"])
                out.append(Candidate(rec["decision"]["inputs"]["household"]["category"], day, rec["outcome"],
                                     None if review is None else "followed" if review.get("followed") else "deviated"))
    return tuple(sorted(out, key=lambda c: (c.date, c.category, c.outcome)))


def annual_report(policy: Policy, occupancy: Occupancy, year: int, log_path: str | None = None) -> AnnualReport:
    """The annual evaluation of one year (see the module docstring)."""
    start, end = dt.date(year, 1, 1), dt.date(year, 12, 31)
    begin = portfolio_status(policy, composition(policy, occupancy, start), ("buurt", "complex"))
    close = portfolio_status(policy, composition(policy, occupancy, end), ("buurt", "complex"))
    moves, reclassified, vacated = _moves(occupancy, start, end)
    decisions, reviews = _log_index(log_path, policy.id)
    lettings = []
    for unit_id, household, category, date in moves:
        unit = policy.units[unit_id]
        found = [rec for day, rec in decisions.get((household, unit_id), []) if day <= date]
        rec = found[-1] if found else None
        review = reviews.get(rec["decision_id"]) if rec else None
        deviated = review is not None and not review.get("followed")
        lettings.append(Letting(
            unit_id, unit.complex, unit.buurt, household, category, date,
            rec["outcome"] if rec else None, rec["decision_id"] if rec else None,
            review.get("outcome") if review else None,
            tuple((r["id"], r["status"]) for r in rec["decision"]["rules"]) if rec else (),
            tuple(rec["decision"]["deciding_rules"]) if rec and rec["outcome"] == UNDECIDED else (),
            deviated, review.get("free_room") if deviated else None, bool(deviated and review.get("beyond_room"))))
    rooms = tuple(RoomResult(key, limit, len(lettings), sum(x.free_room == key for x in lettings),
                             sum(x.free_room == key and x.beyond_room for x in lettings))
                  for key, limit in policy.free_allocation_room.items())
    norms = []
    for rule in policy.rules:
        if rule.norm is None:
            continue
        logged = [x for x in lettings if x.advice is not None]
        statuses = [dict(x.rules).get(rule.id) for x in logged]
        applicable = sum(s in ("fired", "not_fired") for s in statuses)
        norms.append(NormResult(rule.id, {"nl": rule.title.nl, "en": rule.title.en}, rule.norm, applicable,
                                sum(s == "not_fired" for s in statuses), sum(rule.id in x.undecided for x in logged)))
    before = {g.key: g for g in begin.groups if g.level == "complex"}
    into, out = [], []
    for g in close.groups:
        if g.level != "complex" or g.key not in before or not (g.judged and before[g.key].judged):
            continue
        was, now = before[g.key].state, g.state
        if was in _OUT and now == IN_BAND:
            into.append(g.key)
        elif was == IN_BAND and now in _OUT:
            out.append(g.key)

    def buurten(status):
        return tuple(sorted((g for g in status.groups if g.level == "buurt"), key=lambda g: g.key))

    return AnnualReport(year, begin.policy, policy.category_ids,
                        {c.id: {"nl": c.label.nl, "en": c.label.en} for c in policy.categories},
                        buurten(begin), buurten(close), tuple(lettings), reclassified, vacated, tuple(norms),
                        tuple(sorted(into)), tuple(sorted(out)), log_path is not None, rooms if log_path else (),
                        _candidates(decisions, reviews, start, end))


