"""How each category fares, and the free allocation room: sections of the annual report.

Fairness, per category and quarter of the year, from the decision log: the candidates advised against
(niet toegestaan or ontraden) among the logged decisions, the deviations among the reviewed ones, and
the category's share of the period's lettings. The College voor de Rechten van de Mens judges allocation
distinctions on that kind of evidence (oordeel 2022-145), so the section comes with a plain caution on
what the figures can and cannot show. In the public report every count under 5 is suppressed, and, by
complementary suppression (suppress.py), the counts it could be worked out from: each quarter's count
adds up to the year's row, and the year's lettings per category are the ones the lettings table shows.

Free allocation room, per kind declared in policy.yaml: the lettings that deviated from a legal outcome
using it, against its limit of the year's lettings.
"""

from __future__ import annotations

from collections import Counter
from fractions import Fraction

from .annual import AnnualReport
from ..render.numbers import format_percent
from ..model.outcomes import AGAINST

PERIODS = ("Q1", "Q2", "Q3", "Q4")
YEAR = "jaar"
_METRICS = ("candidates", "against", "reviewed", "deviated", "lettings")

CAUTION = (
    "Deze cijfers tonen verschillen, geen oorzaken. Een categorie kan vaker een negatief advies krijgen door "
    "de woningen die vrijkwamen, door wie er reageerde of doordat het om kleine aantallen gaat; een verschil "
    "bewijst op zichzelf geen ongelijke behandeling, en gelijke cijfers bewijzen geen gelijke behandeling. "
    "Hangt een categorie samen met herkomst, gezondheid of leeftijd, dan vraagt een onderscheid om een "
    "objectieve rechtvaardiging (College voor de Rechten van de Mens, oordeel 2022-145): bespreek grote of "
    "blijvende verschillen. Wachttijd staat hier niet in: het logboek kent de inschrijfduur niet.",
    "These figures show differences, not causes. A category may be advised against more often because of "
    "the homes that came free, who responded, or small numbers; a difference does not by itself prove "
    "unequal treatment, and equal figures do not prove equal treatment. Where a category correlates with "
    "origin, health or age, a distinction needs an objective justification (College voor de Rechten van de "
    "Mens, opinion 2022-145): discuss large or lasting differences. Waiting time is not shown: the log does "
    "not know how long a household was registered.")
"""What the fairness figures can and cannot show, in Dutch and English."""

TITLES = {"free_room": ("Vrije toewijzingsruimte", "Free allocation room"),
          "fairness": ("Hoe elke categorie het vergaat", "How each category fares"),
          "fairness_caution": ("Wat deze cijfers wel en niet laten zien", "What these figures can and cannot show")}
"""Titles of the sections this module adds to the annual report."""


def _quarter(month: int) -> str:
    return PERIODS[(month - 1) // 3]


def fairness_counts(r: AnnualReport) -> dict[tuple, int]:
    """(metric, category, period) -> count, the periods being the quarters and the year."""
    counts: Counter = Counter()
    for c in r.candidates:
        for period in (_quarter(c.date.month), YEAR):
            counts[("candidates", c.category, period)] += 1
            counts[("against", c.category, period)] += c.outcome in AGAINST
            counts[("reviewed", c.category, period)] += c.review is not None
            counts[("deviated", c.category, period)] += c.review == "deviated"
    for x in r.lettings:
        for period in (_quarter(x.date.month), YEAR):
            counts[("lettings", x.category, period)] += 1
            counts[("lettings", "*", period)] += 1
    return counts


def _key(metric: str, category: str, period: str) -> tuple:
    # the year's lettings of a category are the cell the lettings table publishes
    return ("let", category) if metric == "lettings" and period == YEAR else ("fair", metric, category, period)


def public_groups(r: AnnualReport) -> list[dict]:
    """Groups of cells whose total is published (the year's row of each metric and category), for suppression."""
    if not r.log_used:
        return []
    counts = fairness_counts(r)
    return [{_key(m, c, p): counts[(m, c, p)] for p in PERIODS} for m in _METRICS for c in r.categories]


def _share(cells, part: int, part_key: tuple, whole: int, whole_key: tuple | None) -> str:
    shown_part, shown_whole = cells.count(part, part_key), cells.count(whole, whole_key)
    if not whole or not shown_part[:1].isdigit() or not shown_whole[:1].isdigit():
        return "-"
    return format_percent(Fraction(part, whole), cells.lang)


def fairness_rows(r: AnnualReport, cells) -> list[list[str]]:
    """The fairness table: per category and period, advised against, deviations and lettings."""
    nl = cells.lang == "nl"
    counts = fairness_counts(r)
    rows = [["categorie" if nl else "category", "periode" if nl else "period",
             "kandidaten" if nl else "candidates", "ontraden of niet toegestaan" if nl else "advised against",
             "aandeel" if nl else "share", "beoordeeld" if nl else "reviewed", "afgeweken" if nl else "deviated",
             "aandeel" if nl else "share", "verhuringen" if nl else "lettings",
             "aandeel van alle verhuringen" if nl else "share of all lettings"]]
    for c in r.categories:
        for period in PERIODS + (YEAR,):
            n = {m: counts[(m, c, period)] for m in _METRICS}
            keys = {m: _key(m, c, period) for m in _METRICS}
            total = counts[("lettings", "*", period)]
            rows.append([r.labels[c][cells.lang], period if period != YEAR or nl else "year",
                         cells.count(n["candidates"], keys["candidates"]),
                         cells.count(n["against"], keys["against"]),
                         _share(cells, n["against"], keys["against"], n["candidates"], keys["candidates"]),
                         cells.count(n["reviewed"], keys["reviewed"]),
                         cells.count(n["deviated"], keys["deviated"]),
                         _share(cells, n["deviated"], keys["deviated"], n["reviewed"], keys["reviewed"]),
                         cells.count(n["lettings"], keys["lettings"]),
                         _share(cells, n["lettings"], keys["lettings"], total, None)])
    return rows


def room_rows(r: AnnualReport, cells) -> list[list[str]]:
    """The free allocation room table: per kind, the limit, the lettings, the room, its use."""
    nl = cells.lang == "nl"
    rows = [["ruimte" if nl else "room", "grens" if nl else "limit", "verhuringen" if nl else "lettings",
             "ruimte in verhuringen" if nl else "room in lettings", "gebruikt" if nl else "used",
             "waarvan met --force" if nl else "of which with --force", "oordeel" if nl else "verdict"]]
    for room in r.rooms:
        verdict = ("binnen de ruimte", "within the room") if room.within else ("ruimte overschreden", "room exceeded")
        rows.append([room.key, format_percent(room.limit / 100, cells.lang), cells.count(room.lettings),
                     cells.count(room.allowed), cells.count(room.used), cells.count(room.beyond), verdict[0 if nl else 1]])
    return rows


def law_tables(r: AnnualReport, cells) -> dict[str, list[list[str]]]:
    """The annual report's sections from the decision records: free allocation room and fairness (with its caution)."""
    if not r.log_used:
        return {}
    tables = {}
    if r.rooms:
        tables["free_room"] = room_rows(r, cells)
    tables["fairness"] = fairness_rows(r, cells)
    tables["fairness_caution"] = [["let op" if cells.lang == "nl" else "caution"],
                                  [CAUTION[0 if cells.lang == "nl" else 1]]]
    return tables


__all__ = ["CAUTION", "PERIODS", "TITLES", "fairness_counts", "fairness_rows", "law_tables", "public_groups",
           "room_rows"]
