"""Semantic checks of policy.yaml's decision-review keys (`deviation_reasons`, `free_allocation_room`) and of
its placement routes (`routes`).

The schema checks their form (slug ids, known room keys, percentages within the legal maximum); here:
no reason code twice, and a free allocation room that no reason may use (no reason with legal: true).
"""

from __future__ import annotations

from typing import Mapping

from ..diagnostics import Collector, make
from .load_yaml import Source
from ..model.policy import DeviationReason, Label, Route, frozen_map
from ..render.numbers import exact_text, to_fraction


def review_keys(collector: Collector, src: Source, raw: dict) -> tuple[tuple[DeviationReason, ...], Mapping]:
    """(the deviation reasons, the free allocation room per key in percent) of a policy.yaml, checked."""
    reasons: list[DeviationReason] = []
    seen: dict[str, int] = {}
    for i, r in enumerate(raw.get("deviation_reasons") or ()):
        line, col = src.where(("deviation_reasons", i, "id"))
        if r["id"] in seen:
            collector.add(make("duplicate-id", src.path, line, col, what=("afwijkingsreden", "deviation reason"),
                               id=r["id"], other=f"{src.path}:{seen[r['id']]}"))
            continue
        seen[r["id"]] = line
        reasons.append(DeviationReason(r["id"], Label(r["nl"], r["en"]), bool(r.get("legal", False))))
    room = {key: to_fraction(value) for key, value in (raw.get("free_allocation_room") or {}).items()}
    for key, value in room.items():
        if 0 < value < 1:  # written as a fraction of one (0.075), it is read as percent: 0.075 %, not 7.5 %
            line, col = src.where(("free_allocation_room", key))
            shown_value = exact_text(value)
            collector.add(make("bad-input", src.path, line, col, severity="warning", problem=(
                f"free_allocation_room {key}: {shown_value} is {shown_value.replace('.', ',')} % van de toewijzingen "
                f"van het jaar (de waarde is in procenten): bedoelt u {exact_text(value * 100)}?",
                f"free_allocation_room {key}: {shown_value} is {shown_value} % of the year's lettings (the value is in "
                f"percent): did you mean {exact_text(value * 100)}?")))
    if room and not any(r.legal for r in reasons):
        line, col = src.where(("free_allocation_room",), key=True)
        collector.add(make("bad-input", src.path, line, col, severity="warning", problem=(
            "free_allocation_room is opgegeven, maar geen afwijkingsreden heeft legal: true: zonder zo'n reden kan "
            "niemand binnen de vrije toewijzingsruimte van een wettelijke uitkomst afwijken",
            "free_allocation_room is given, but no deviation reason has legal: true: without one nobody can "
            "deviate from a legal outcome within the free allocation room")))
    return tuple(reasons), frozen_map(room)


def placement_routes(collector: Collector, src: Source, raw: dict) -> Mapping[str, Route]:
    """The placement routes of a policy.yaml (`routes`), by id; a route id twice is an error."""
    routes: dict[str, Route] = {}
    for i, r in enumerate(raw.get("routes") or ()):
        if r["id"] in routes:
            line, col = src.where(("routes", i, "id"))
            collector.add(make("duplicate-id", src.path, line, col, what=("route", "route"), id=r["id"], other=src.path))
            continue
        routes[r["id"]] = Route(r["id"], Label(r["nl"], r["en"]), r.get("source", ""))
    return frozen_map(routes)


def rule_rooms(collector: Collector, rules, free_room: Mapping) -> None:
    """A rule's free_room: only on a legal rule, and (when the policy declares free_allocation_room) one it declares."""
    for r in rules:
        if r.free_room is None:
            continue
        if r.kind != "legal":
            collector.add(make("bad-input", r.where.file, r.where.line, r.where.column, problem=(
                f"regel '{r.id}': free_room hoort alleen bij een wettelijke regel (kind: legal)",
                f"rule '{r.id}': free_room belongs to a legal rule only (kind: legal)")))
        elif free_room and r.free_room not in free_room:
            collector.add(make("bad-input", r.where.file, r.where.line, r.where.column, severity="warning", problem=(
                f"regel '{r.id}' gebruikt de vrije ruimte '{r.free_room}', die free_allocation_room in policy.yaml "
                "niet noemt", f"rule '{r.id}' uses the free room '{r.free_room}', which free_allocation_room in "
                "policy.yaml does not name")))


__all__ = ["placement_routes", "review_keys", "rule_rooms"]
