"""Uitleg and Besluit: a candidate's explanation (summary first) and the person's decision on the advice.

A decision takes two steps: the form (follow, or deviate with a coded reason from the policy's
`deviation_reasons`), then a confirmation that says in words what the decision means (for a legal
outcome: which free allocation room it uses and how much of it this year's lettings used already).
Only the confirmation records it, through the service's store (Backend.record).
"""

from __future__ import annotations

import datetime as dt
from fractions import Fraction

from markupsafe import Markup
from starlette.requests import Request

from ..diagnostics import PolicyError
from ..model.deviations import FREE_ROOMS, LEGAL_OUTCOME
from ..render.numbers import format_percent
from ..model.outcomes import OUTCOMES, UNDECIDED
from ..render.report_html import decision_sections
from .pages import ranking_of
from .render import Backend, page_handler, redirect, refused, render
from .text import translate

DECIDING_ROLES = ("decide", "admin")


def _get(item, key, default=None):
    return item.get(key, default) if isinstance(item, dict) else getattr(item, key, default)


def deviation_reasons(policy) -> list[dict]:
    """The policy's coded deviation reasons as {'id', 'nl', 'en', 'legal'} (none when the policy names none)."""
    out = []
    for r in getattr(policy, "deviation_reasons", None) or ():
        label = _get(r, "label")
        nl = _get(r, "nl") or (_get(label, "nl") if label is not None else None) or _get(r, "id")
        en = _get(r, "en") or (_get(label, "en") if label is not None else None) or nl
        out.append({"id": _get(r, "id"), "nl": nl, "en": en, "legal": bool(_get(r, "legal", False))})
    return out


def free_rooms(policy) -> dict:
    """The policy's free allocation room per key (percent of the year's lettings), e.g. {'daeb': 7.5}."""
    room = getattr(policy, "free_allocation_room", None) or {}
    return {str(k): v for k, v in (room.items() if hasattr(room, "items") else room)}


def is_legal(decision) -> bool:
    """Whether the advice is the legal outcome (niet toegestaan) that only the free allocation room may leave."""
    return decision.outcome == LEGAL_OUTCOME


def _candidate(backend: Backend, session, n: int):
    ranking = ranking_of(backend, session)
    if ranking is None:
        return None
    for c in list(ranking.ranked) + list(ranking.dropped):
        if c.position == n:
            return c
    return None


def _choices(form, decision, reasons, rooms, lang) -> tuple[dict, dict]:
    """The decision form read and checked: (values, problems by field)."""
    values = {k: (form.get(k) or "").strip()[:500] for k in ("choice", "outcome", "reason", "note", "free_room")}
    problems = {}
    if values["choice"] not in ("follow", "deviate"):
        problems["choice"] = translate("choice", lang)
    elif values["choice"] == "deviate":
        if values["outcome"] not in OUTCOMES or values["outcome"] in (UNDECIDED, decision.outcome):
            problems["outcome"] = "kies een andere uitkomst dan het advies" if lang == "nl" else \
                "choose an outcome other than the advice"
        codes = {r["id"]: r for r in reasons}
        if values["reason"] not in codes:
            problems["reason"] = "kies een reden uit de lijst" if lang == "nl" else "choose a reason from the list"
        if is_legal(decision):
            if values["free_room"] not in rooms:
                problems["free_room"] = ("afwijken van een wettelijke uitkomst kan alleen binnen de vrije "
                                         "toewijzingsruimte: kies welke" if lang == "nl" else
                                         "deviating from a legal outcome needs the free allocation room: choose which")
            elif values["reason"] in codes and not codes[values["reason"]]["legal"]:
                problems["reason"] = ("deze reden geldt niet voor een wettelijke uitkomst" if lang == "nl" else
                                      "this reason does not apply to a legal outcome")
    return values, problems


def handlers(backend_of) -> dict:
    """The Uitleg and Besluit endpoints; backend_of(request) gives the Backend."""

    @page_handler(backend_of)
    def uitleg(request: Request, session, form, backend):
        c = _candidate(backend, session, request.path_params["n"])
        if c is None:
            return redirect("kandidaten")
        return render(request, session, "uitleg.html", candidate=c, d=c.decision,
                      report=Markup(decision_sections(c.decision, session.lang)))  # noqa: S704 - escaped by report_html

    @page_handler(backend_of)
    def besluit(request: Request, session, form, backend):
        n = request.path_params["n"]
        c = _candidate(backend, session, n)
        if c is None:
            return redirect("kandidaten")
        policy = backend.program().policy
        reasons, rooms = deviation_reasons(policy), free_rooms(policy)
        values, problems = ({}, {}) if form is None else _choices(form, c.decision, reasons, rooms, session.lang)
        shown = [r for r in reasons if r["legal"]] if is_legal(c.decision) else reasons
        context = dict(candidate=c, d=c.decision, reasons=shown, rooms=rooms, legal=is_legal(c.decision),
                       outcomes=[o for o in OUTCOMES if o not in (UNDECIDED, c.decision.outcome)],
                       values=values, problems=problems, role=session.principal["role"])
        if form is None or problems:
            return render(request, session, "besluit.html", 400 if problems else 200, **context)
        session.pending = {"position": n, "household": c.household, **values}
        return render(request, session, "bevestig.html", **context, meaning=_meaning(backend, c, values, reasons,
                                                                                    rooms, session.lang))

    @page_handler(backend_of)
    def bevestig(request: Request, session, form, backend):
        n = request.path_params["n"]
        c = _candidate(backend, session, n)
        pending = session.pending
        if c is None or not pending or pending["position"] != n or pending["household"] != c.household:
            return redirect("kandidaten")
        if session.principal["role"] not in DECIDING_ROLES:
            return refused(request, session, "forbidden_role", 403, role=session.principal["role"])
        followed = pending["choice"] == "follow"
        review = {"followed": followed, "outcome": c.decision.outcome if followed else pending["outcome"],
                  "reason": None if followed else pending["reason"], "note": pending["note"] or None,
                  "free_room": None if followed else (pending["free_room"] or None),
                  # confirmed on a page that said so: a deviation beyond the year's room is recorded as such
                  "force": not followed,
                  "reviewer": session.principal["reviewer"]}
        try:
            record = backend.record(c.decision, review, session.principal)
        except PolicyError as exc:
            d = exc.diagnostics[0]
            return refused(request, session, "error_detail", 400, detail=d.nl if session.lang == "nl" else d.en)
        session.pending = None
        session.recorded = [*session.recorded[-99:], {**record, "household": c.household, "unit": session.unit}]
        labels = {r["id"]: r[session.lang] for r in deviation_reasons(backend.program().policy)}
        return render(request, session, "vastgelegd.html", candidate=c, d=c.decision, record=record,
                      reason_label=labels.get(record.get("reason"), record.get("reason")))

    return {"uitleg": uitleg, "besluit": besluit, "bevestig": bevestig}


def _meaning(backend: Backend, c, values: dict, reasons: list, rooms: dict, lang: str) -> list[str]:
    """What the decision means, in sentences."""
    advice = c.decision.outcome_label[lang]
    if values["choice"] == "follow":
        return [translate("means_follow", lang, advice=c.decision.outcome_label[lang])]
    reason = next(r for r in reasons if r["id"] == values["reason"])
    from ..model.policy import OUTCOME_LABELS
    out = [translate("means_deviate", lang, advice=advice, reason=reason[lang],
                     outcome=OUTCOME_LABELS[values["outcome"]][0 if lang == "nl" else 1])]
    if is_legal(c.decision):
        key = values["free_room"]
        year = dt.date.fromisoformat(c.decision.inputs["date"]).year
        before = backend.room_use(key, year, None)
        after = backend.room_use(key, year, {"decision_id": "pending", "followed": False, "free_room": key,
                                             "outcome": values["outcome"]})
        label = FREE_ROOMS[key].label if key in FREE_ROOMS else None
        out.append(translate("means_legal", lang, room=(label.nl if lang == "nl" else label.en) if label else key,
                             percent=format_percent(Fraction(str(rooms[key])) / 100, lang), year=year,
                             used=before.used, allowed=after.allowed,
                             lettings=max(after.lettings, after.previous_lettings), after=after.used))
        if after.used > after.allowed:
            out.append(translate("beyond_room", lang, year=year))
    return out
