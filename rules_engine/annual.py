"""The annual evaluation: what the mix policy achieved in a year, from the dated occupancy and the decision log.

- the mix per buurt on 1 January and on 31 December (shares against targets and bands);
- lettings per category: a household moving into a home during the year (a new row for
  another household); a re-classification (same household, other category) is counted
  apart, as are homes that became empty;
- advice followed or overridden: the last logged decision for the letting's household and
  home on or before the letting date, and any override of it;
- each legal rule with a norm: the share of lettings, among those where the rule applied,
  that kept it (passend toewijzen 95 %, DAEB 92,5 %); lettings whose advice was onbeslist
  (the rule could not be judged) are counted apart, never as kept;
- complexes that moved into or out of their band between the two dates.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from dataclasses import dataclass
from fractions import Fraction

from .decision_log import check_chain
from .diagnostics import PolicyError, make
from .model import UNDECIDED, Policy
from .occupancy import Occupancy, composition
from .status import ABOVE, BELOW, IN_BAND, GroupStatus, portfolio_status

_OUT = (ABOVE, BELOW, "both")


@dataclass(frozen=True)
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
    person: str | None  # the outcome a person recorded in an override, if any
    rules: tuple[tuple[str, str], ...]  # (rule id, status) of the logged decision
    undecided: tuple[str, ...] = ()  # legal rules the logged decision could not judge (advice onbeslist)

    @property
    def followed(self) -> bool | None:
        """True when the advice was followed, False when overridden, None without logged advice."""
        if self.advice is None:
            return None
        return self.person is None or self.person == self.advice


@dataclass(frozen=True)
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


@dataclass(frozen=True)
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

    def lettings_per(self, key: str = "category") -> Counter:
        """Lettings counted per category (or per buurt)."""
        return Counter(getattr(x, key) for x in self.lettings)

    def advice_counts(self) -> Counter:
        """Lettings whose advice was followed, overridden, not logged, or onbeslist ('undecided': a person decided
        without the legal check; counted apart, never as followed)."""
        return Counter("undecided" if x.advice == UNDECIDED else
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


def _log_index(path: str | None):
    """Decisions per (household, unit), oldest first, and the last override per decision id."""
    decisions: dict = {}
    overrides: dict = {}
    if path is None:
        return decisions, overrides
    read, chain = check_chain(path)
    if not chain.intact:  # an annual report must not count an edited, deleted or forged record
        first = chain.problems[0]
        raise PolicyError([make("log-tampered", path, first.line, count=len(chain.problems),
                                first=(f"{first.location()}: {first.nl}", f"{first.location()}: {first.en}"))])
    for rec in read.records:
        try:
            if rec.get("type") == "decision":
                inputs = rec["decision"]["inputs"]
                key = (inputs["household"]["id"], inputs["unit"])
                decisions.setdefault(key, []).append((dt.date.fromisoformat(inputs["date"]), rec))
            elif rec.get("type") == "override":
                overrides[rec["decision_id"]] = rec["outcome"]
        except (KeyError, TypeError, ValueError):
            continue  # `magicmix log replay` reports incomplete records
    for items in decisions.values():
        items.sort(key=lambda x: x[0])
    return decisions, overrides


def annual_report(policy: Policy, occupancy: Occupancy, year: int, log_path: str | None = None) -> AnnualReport:
    """The annual evaluation of one year (see the module docstring)."""
    start, end = dt.date(year, 1, 1), dt.date(year, 12, 31)
    begin = portfolio_status(policy, composition(policy, occupancy, start), ("buurt", "complex"))
    close = portfolio_status(policy, composition(policy, occupancy, end), ("buurt", "complex"))
    moves, reclassified, vacated = _moves(occupancy, start, end)
    decisions, overrides = _log_index(log_path)
    lettings = []
    for unit_id, household, category, date in moves:
        unit = policy.units[unit_id]
        found = [rec for day, rec in decisions.get((household, unit_id), []) if day <= date]
        rec = found[-1] if found else None
        lettings.append(Letting(
            unit_id, unit.complex, unit.buurt, household, category, date,
            rec["outcome"] if rec else None, rec["decision_id"] if rec else None,
            overrides.get(rec["decision_id"]) if rec else None,
            tuple((r["id"], r["status"]) for r in rec["decision"]["rules"]) if rec else (),
            tuple(rec["decision"]["deciding_rules"]) if rec and rec["outcome"] == UNDECIDED else ()))
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
                        tuple(sorted(into)), tuple(sorted(out)), log_path is not None)


