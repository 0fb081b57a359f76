"""Impact of a policy change: evaluate the same cases under two policy versions and list the decisions that flip.

Cases come from both versions' test suites, a decision log, a CSV or JSONL file of
households x homes (the batch format), or a systematic sample over homes, categories,
households, dates and compositions. Every case is decided under both versions; for each
decision that flips, the rules whose status changed are listed with the conditions that
changed their value.
"""

from __future__ import annotations

import datetime as dt
import math
import os
from collections import Counter
from fractions import Fraction
from typing import Iterable, Iterator

from ..api import example_occupancy_path
from ..load.batch_rows import RowError, parse_row, read_rows
from ..testing.cases import Case, CaseOccupancies, load_cases
from ..lang.compile import Program
from ..allocation.decision_log import read_log
from ..diagnostics import PolicyError
from ..engine.evaluate import FIRED, build_facts, combine, rule_statuses
from ..engine.explain import ConditionResult, condition_at
from ..lang.facts import Household
from ..load.inputs import household_from_data
from ..model.policy import frozen_map
from ..load.occupancy import EMPTY, Composition, Occupancy, OccupancyRow, composition, load_occupancy
from ..lang.records import frozen

_GOLDEN = Fraction(6180339887, 10000000000)
_SAMPLE_SIZES = (1, 2, 3, 5)
_SAMPLE_AGES = (35, 70)


@frozen
class ImpactCase:
    """One letting to decide under both versions; occupancy names how to build its composition."""

    source: str  # tests | log | rows | sample
    label: str
    household: Household
    unit: str
    date: dt.date
    occupancy: object  # 'example' | 'empty' | ('file', path) | ('shift', category) | a test Case


@frozen
class ConditionChange:
    """A condition of a changed rule, as evaluated under the old and the new version (None where absent)."""

    old: ConditionResult | None
    new: ConditionResult | None


@frozen
class RuleChange:
    """A rule whose status (or, when it fired in both, outcome) differs between the versions."""

    rule: str
    old_status: str | None  # None: the rule does not exist in that version
    new_status: str | None
    where: str | None  # file:line in the new version (old when removed), relative to the policy folder
    conditions: tuple[ConditionChange, ...]


@frozen
class Flip:
    """A decision whose outcome differs; None means the home is not in that version (or cannot be evaluated)."""

    case: ImpactCase
    complex: str
    buurt: str
    old: str | None
    new: str | None
    old_deciding: tuple[str, ...]
    new_deciding: tuple[str, ...]
    rules: tuple[RuleChange, ...]


@frozen
class Impact:
    """What a policy change does to a set of cases."""

    cases: int
    per_source: tuple[tuple[str, int], ...]
    flips: tuple[Flip, ...]
    reasons_changed: int  # same outcome, other deciding rules

    def transitions(self) -> list[tuple[tuple[str | None, str | None], int]]:
        """Counts per (old outcome, new outcome), most frequent first."""
        return Counter((f.old, f.new) for f in self.flips).most_common()

    def per_group(self, level: str) -> list[tuple[str, int]]:
        """Flip counts per buurt or complex, most flips first."""
        return Counter(getattr(f, level) for f in self.flips).most_common()


# --- compositions per version --------------------------------------------------------------------

def _shift(occupancy: Occupancy, category: str) -> Occupancy:
    """The occupancy with every third occupied home (in home order) taken by a household of category."""
    out, n = {}, 0
    for unit in sorted(occupancy.by_unit):
        rows = []
        for r in occupancy.by_unit[unit]:
            if r.household is not None:
                n += 1
                if n % 3 == 0:
                    r = OccupancyRow(r.unit, r.household, category, r.valid_from)
            rows.append(r)
        out[unit] = tuple(rows)
    return Occupancy(frozen_map(out))


class Compositions:
    """The composition a case names, under one policy version; occupancies and compositions are cached."""

    def __init__(self, program: Program, occupancy_path: str | None = None):
        self.program = program
        self.occupancy_path = occupancy_path  # replaces 'example' when given
        self.occupancies: dict = {}
        self.compositions: dict = {}
        self.cases = CaseOccupancies(program)

    def _occupancy(self, spec) -> Occupancy:
        if spec not in self.occupancies:
            pol = self.program.policy
            if spec == "empty":
                occ = EMPTY
            elif spec == "example":
                path = self.occupancy_path or example_occupancy_path(self.program)
                occ = EMPTY if path is None else load_occupancy(path, pol, None if self.occupancy_path else pol.root)
            elif spec[0] == "file":
                occ = load_occupancy(spec[1], pol)
            else:
                occ = _shift(self._occupancy("example"), spec[1])
            self.occupancies[spec] = occ
        return self.occupancies[spec]

    def get(self, case: ImpactCase) -> Composition:
        """The composition for a case on its date (raises PolicyError when its occupancy does not fit)."""
        if isinstance(case.occupancy, Case):
            return self.cases.composition(case.occupancy)
        key = (case.occupancy, case.date)
        if key not in self.compositions:
            self.compositions[key] = composition(self.program.policy, self._occupancy(case.occupancy), case.date)
        return self.compositions[key]


# --- case sources ------------------------------------------------------------------------------------

def suite_cases(old: Program, new: Program) -> list[ImpactCase]:
    """The cases of both versions' test suites (a case in both, by file and name, once)."""
    out, seen = [], set()
    for program in (old, new):
        cases, _ = load_cases(program)
        for c in cases:
            key = (os.path.relpath(c.file, program.policy.root), c.name)
            if key not in seen:
                seen.add(key)
                out.append(ImpactCase("tests", f"{key[0]}: {c.name}", c.household, c.unit, c.date, c))
    return out


def log_cases(path: str) -> list[ImpactCase]:
    """The decisions in a decision log, each with the occupancy snapshot it was made with."""
    base = os.path.dirname(os.path.abspath(path))
    out = []
    for rec in read_log(path).records:
        if rec.get("type") != "decision":
            continue
        try:
            inputs = rec["decision"]["inputs"]
            snapshot = (rec.get("occupancy") or {}).get("snapshot")
            out.append(ImpactCase("log", rec.get("decision_id", "?"), household_from_data(inputs["household"]),
                                  inputs["unit"], dt.date.fromisoformat(inputs["date"]),
                                  ("file", os.path.join(base, snapshot)) if snapshot else "empty"))
        except (KeyError, TypeError, ValueError):
            continue  # an incomplete record has nothing to replay; `log replay` reports it
    return out


def row_cases(path: str, old: Program, new: Program, default_date: dt.date | None) -> tuple[list[ImpactCase], list]:
    """Households x homes from a batch input file (CSV or JSONL); bad rows come back as (row, (nl, en))."""
    out, errors = [], []
    for row, values, notation in read_rows(path):
        try:
            if isinstance(values, RowError):
                raise values
            try:
                household, unit, date = parse_row(values, row, old, default_date, notation)
            except RowError:  # a home only in the new version
                household, unit, date = parse_row(values, row, new, default_date, notation)
        except RowError as exc:
            errors.append((exc.row, (exc.nl, exc.en)))
            continue
        out.append(ImpactCase("rows", f"{os.path.basename(path)}:{row}", household, unit, date, "example"))
    return out, errors


def _sample_dates(old: Program, new: Program) -> list[dt.date]:
    days = set()
    for program in (old, new):
        pol = program.policy
        days.update(v.valid_from for p in pol.parameters.values() for v in p.values)
        days.update(p.valid_from for c in pol.complexes.values() for p in c.profiles)
    days.discard(dt.date.min)
    return sorted(days)


def _sample_households(old: Program, new: Program, dates: list[dt.date]) -> list[tuple[int, Fraction, int]]:
    """(size, income, age): incomes at and just above every yearly amount in force, and far below and above."""
    amounts = set()
    for program in (old, new):
        for p in program.policy.parameters.values():
            if p.unit == "euro_per_year":
                for day in dates:
                    v = p.at(day)
                    if v is not None:
                        amounts.update((v.value, v.value + 1))
    incomes = sorted(amounts) or [Fraction(30000)]
    incomes = [incomes[0] / 2] + incomes + [incomes[-1] * 2]
    return [(s, i, a) for s in _SAMPLE_SIZES for i in incomes for a in _SAMPLE_AGES]


def sample_cases(old: Program, new: Program, n: int, dates: list[dt.date] | None = None) -> list[ImpactCase]:
    """n cases spread evenly over homes x categories x households x dates x compositions.

    The grid is walked with a golden-ratio stride (a Weyl sequence), so any n covers every
    dimension evenly and the same n gives the same cases. Dates default to every date from
    which a parameter value or profile version applies in either version.
    """
    units = sorted(old.policy.units.keys() & new.policy.units.keys())
    categories = [c for c in new.policy.category_ids if c in old.policy.category_ids]
    dates = sorted(dates or _sample_dates(old, new))
    households = _sample_households(old, new, dates)
    variants = ["example", "empty"] + [("shift", c) for c in categories]
    dims = (units, categories, households, dates, variants)
    total = 1
    for d in dims:
        total *= len(d)
    if total == 0 or n <= 0:
        return []
    step = max(1, round(total * _GOLDEN))
    while math.gcd(step, total) != 1:
        step += 1
    out = []
    for i in range(min(n, total)):
        k = (i * step) % total
        picks = []
        for d in reversed(dims):
            k, r = divmod(k, len(d))
            picks.append(d[r])
        variant, date, (size, income, age), category, unit = picks
        household = Household(f"sample-{i + 1}", size, income, category, age, ())
        out.append(ImpactCase("sample", f"sample {i + 1}", household, unit, date, variant))
    return out


# --- evaluation under both versions --------------------------------------------------------------------

def _decide(program: Program, comps: Compositions, case: ImpactCase):
    if case.unit not in program.policy.units:
        return None, (), None
    try:
        f = build_facts(program, case.household, case.unit, comps.get(case))
    except PolicyError:
        return None, (), None
    statuses = rule_statuses(program, f)
    try:
        outcome, deciding = combine(program, statuses, case.household)
    except PolicyError:  # a route this policy version does not declare
        return None, (), None
    return outcome, deciding, (f, statuses)


def _where(rule, root: str) -> str:
    return f"{os.path.relpath(rule.where.file, root).replace(os.sep, '/')}:{rule.where.line}"


def _rule_changes(old: Program, new: Program, a, b) -> tuple[RuleChange, ...]:
    (fa, sa), (fb, sb) = a, b
    olds = {cr.rule.id: (cr, s) for cr, s in zip(old.rules, sa)}
    news = {cr.rule.id: (cr, s) for cr, s in zip(new.rules, sb)}
    ids = [cr.rule.id for cr in new.rules] + [cr.rule.id for cr in old.rules if cr.rule.id not in news]
    out = []
    for rid in ids:
        x, y = olds.get(rid), news.get(rid)
        so = x[1].status if x else None
        sn = y[1].status if y else None
        same_effect = x and y and (x[0].rule.outcome, x[0].rule.kind) == (y[0].rule.outcome, y[0].rule.kind)
        if so == sn and (same_effect or so != FIRED):
            continue
        ca = [condition_at(c, fa, old.policy) for c in x[0].applies + x[0].conditions] if x else []
        cb = [condition_at(c, fb, new.policy) for c in y[0].applies + y[0].conditions] if y else []
        changed = []
        for i in range(max(len(ca), len(cb))):
            p = ca[i] if i < len(ca) else None
            q = cb[i] if i < len(cb) else None
            if p is None or q is None or _differs(p, q):
                changed.append(ConditionChange(p, q))
        where = _where(y[0].rule, new.policy.root) if y else _where(x[0].rule, old.policy.root)
        out.append(RuleChange(rid, so, sn, where, tuple(changed)))
    return tuple(out)


def _differs(p: ConditionResult, q: ConditionResult) -> bool:
    def values(c):
        sides = [v.value for v in (c.left, c.right) if v is not None]
        return c.text, c.result, sides, [v.value for v in c.facts]

    return values(p) != values(q)


def impact(old: Program, new: Program, cases: Iterable[ImpactCase], occupancy_path: str | None = None) -> Impact:
    """Decide every case under both versions; list the flips with the rules and conditions that changed."""
    comps_old = Compositions(old, occupancy_path)
    comps_new = Compositions(new, occupancy_path)
    flips, sources = [], Counter()
    reasons = 0
    n = 0
    for case in cases:
        n += 1
        sources[case.source] += 1
        oa, da, a = _decide(old, comps_old, case)
        ob, db, b = _decide(new, comps_new, case)
        if oa == ob:
            reasons += da != db
            continue
        unit = (new.policy.units.get(case.unit) or old.policy.units[case.unit]) \
            if case.unit in new.policy.units or case.unit in old.policy.units else None
        rules = _rule_changes(old, new, a, b) if a and b else ()
        flips.append(Flip(case, unit.complex if unit else "?", unit.buurt if unit else "?", oa, ob, da, db, rules))
    return Impact(n, tuple(sources.items()), tuple(flips), reasons)


def all_cases(old: Program, new: Program, tests: bool = True, log: str | None = None, rows: str | None = None,
              sample: int = 0, default_date: dt.date | None = None,
              dates: list[dt.date] | None = None) -> tuple[Iterator[ImpactCase], list]:
    """The chosen case sources in a fixed order (tests, log, rows, sample), and any bad rows."""
    parts: list = []
    errors: list = []
    if tests:
        parts.append(suite_cases(old, new))
    if log:
        parts.append(log_cases(log))
    if rows:
        found, errors = row_cases(rows, old, new, default_date)
        parts.append(found)
    if sample:
        parts.append(sample_cases(old, new, sample, dates))
    return (c for part in parts for c in part), errors
