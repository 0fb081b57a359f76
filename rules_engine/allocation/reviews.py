"""A person's decisions on logged advice, read back from the log: reviews (and older overrides read as
reviews), and the use of the free allocation room per year.

The room of a year is its limit (policy.yaml `free_allocation_room`, percent) of that year's lettings.
Until a year is over its lettings are not all known: the larger of this year's reviewed lettings so far
and last year's stands in for them, so the first deviations of January are not refused for want of a base.
"""

from __future__ import annotations

import datetime as dt
from fractions import Fraction

from ..model.deviations import FREE_ROOMS, LEGAL_OUTCOME
from ..diagnostics import PolicyError, make
from ..render.numbers import format_percent
from ..lang.records import frozen

NOT_LET = (LEGAL_OUTCOME, "onbeslist", "ontraden")
"""Outcomes under which a person did not let the home to the household (every other outcome is a letting)."""


def as_review(record: dict, advice: str | None = None) -> dict | None:
    """A review or an older override record as a review (an override reads as deviated, its reason free text,
    whatever outcome it names: `log override` was how a deviation was recorded); else None."""
    kind = record.get("type")
    if kind == "review":
        return record
    if kind == "override":
        return {"type": "review", "review_id": record.get("override_id"), "decision_id": record.get("decision_id"),
                "timestamp": record.get("timestamp"), "advice": advice,
                "followed": False, "outcome": record.get("outcome"),
                "reviewer": None, "reason": record.get("reason"), "note": None, "free_room": None, "legacy": True}
    return None


def latest_reviews(records) -> dict[str, dict]:
    """The last review (or older override, read as a review) of each decision id, in log order."""
    advice = {r.get("decision_id"): r.get("outcome") for r in records if r.get("type") == "decision"}
    out: dict[str, dict] = {}
    for rec in records:
        review = as_review(rec, advice.get(rec.get("decision_id")))
        if review is not None and isinstance(review.get("decision_id"), str):
            out[review["decision_id"]] = review
    return out


def decision_year(decision: dict | None) -> int | None:
    try:
        return dt.date.fromisoformat(decision["decision"]["inputs"]["date"]).year
    except (KeyError, TypeError, ValueError):
        return None


@frozen
class RoomUse:
    """The use of one free allocation room in a year, as the log shows it."""

    key: str
    year: int
    limit: Fraction  # percent of the year's lettings
    used: int  # deviations from a legal outcome that name this room
    lettings: int  # reviewed lettings of the year (outcome a letting)
    previous_lettings: int  # reviewed lettings of the year before: the base until this year has more

    @property
    def allowed(self) -> int:
        """Deviations the room holds: the limit's share of the larger of this and last year's lettings."""
        return int(self.limit * max(self.lettings, self.previous_lettings) / 100)


def room_use(records, policy, key: str, year: int, extra: dict | None = None) -> RoomUse:
    """How much of free allocation room `key` the log's reviews use in `year` (with `extra`, a review about
    to be added, counted in)."""
    decisions = {r.get("decision_id"): r for r in records if r.get("type") == "decision"}
    reviews = latest_reviews(records)
    if extra is not None:
        reviews[extra["decision_id"]] = extra
    used = lettings = previous = 0
    for decision_id, review in reviews.items():
        y = decision_year(decisions.get(decision_id))
        let = review.get("outcome") not in NOT_LET
        if y == year:
            lettings += let
            used += review.get("free_room") == key and not review.get("followed")
        elif y == year - 1:
            previous += let
    return RoomUse(key, year, policy.free_allocation_room.get(key, Fraction(0)), used, lettings, previous)


def check_room(records, policy, decision: dict, review: dict, force: bool = False) -> RoomUse | None:
    """The room a review uses, with it counted in; PolicyError when the review goes beyond it (unless force)."""
    key = review.get("free_room")
    year = decision_year(decision)
    if key is None or year is None:
        return None
    use = room_use(records, policy, key, year, review)
    if use.used > use.allowed and not force:
        label = FREE_ROOMS[key].label if key in FREE_ROOMS else None
        name = (label.nl, label.en) if label else (key, key)
        raise PolicyError([make("bad-input", "--free-room", problem=(
            f"de {name[0]} ({format_percent(use.limit / 100, 'nl')} van {max(use.lettings, use.previous_lettings)} verhuringen "
            f"= {use.allowed}) is in {year} op: dit wordt afwijking {use.used}; gebruik --force om het toch vast "
            "te leggen (het jaarverslag toont het als overschrijding)",
            f"the {name[1]} ({format_percent(use.limit / 100, 'en')} of {max(use.lettings, use.previous_lettings)} lettings "
            f"= {use.allowed}) is used up in {year}: this would be deviation {use.used}; use --force to record it "
            "all the same (the annual report shows it as beyond the room)"))])
    return use

