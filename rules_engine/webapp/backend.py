"""The pages' Backend on the service (rules_engine.service): its tokens, policies, occupancy and decision store.

A decision taken on a page goes through the same endpoint function as POST /v1/decisions
(service.handlers.record_decision): the same schema check, the same advice evaluated again from the
same inputs and occupancy version (evaluation is pure), the same decision and review records on the
same hash chain. So GET /v1/decisions lists it like any other.
"""

from __future__ import annotations

import json

from ..allocation import reviews
from ..diagnostics import PolicyError, make
from ..engine.explain import Decision
from ..render.numbers import exact_text
from .render import Backend

_INCOME = "\x00income\x00"  # replaced by the exact decimal after json.dumps (no float ever holds the amount)


def review_body(decision: Decision, review: dict) -> bytes:
    """The JSON body of POST /v1/decisions for a decision taken on a page (advice and review together)."""
    i = decision.inputs
    h = i["household"]
    household = {"id": h["id"], "size": int(h["size"]), "income": _INCOME, "category": h["category"]}
    if h.get("age") is not None:
        household["age"] = int(h["age"])
    # the advice is evaluated again from this body: every input that can change it goes along
    if h.get("flags"):
        household["flags"] = list(h["flags"])
    if h.get("older"):
        household["older"] = True
    if h.get("route") is not None:
        household["route"] = h["route"]
    body = {"evaluate": {"policy": decision.policy["id"], "household": household, "unit": i["unit"],
                         "date": i["date"]},
            "followed": review["followed"], "outcome": review["outcome"], "reviewer": review["reviewer"]}
    for key in ("reason", "note", "free_room", "force"):
        if review.get(key):
            body[key] = review[key]
    from fractions import Fraction
    income = exact_text(Fraction(h["income"]))
    if "/" in income:  # no finite decimal: the form and the readers never give such an amount
        raise PolicyError([make("bad-input", "income", problem=("inkomen zonder eindige decimale vorm",
                                                                "income without a finite decimal form"))])
    return json.dumps(body, ensure_ascii=False).replace(json.dumps(_INCOME), income).encode("utf-8")


def service_backend(svc, config: dict | None = None, allowed_origins: tuple[str, ...] = ()) -> Backend:
    """A Backend over a running service's state (service.handlers.Service) and its configuration (app.state.config:
    the trusted single-sign-on header, when enabled)."""
    from ..service import handlers
    from ..service.app import authenticate as service_caller
    from ..service.problems import Problem
    from ..service.state import pick

    config = config or {}

    def loaded():
        return pick(svc.policies.snapshot(), None)

    def occupancy():
        used = svc.occupancies.current(loaded())
        return used.occupancy, used.source

    def authenticate(token: str):
        found = svc.store.check_token(token) if token else None
        return None if found is None else {"token_id": found[0], "role": found[1]}

    def record(decision: Decision, review: dict, principal: dict) -> dict:
        token = principal["token_id"] or f"sso:{principal['reviewer']}"
        try:
            _, data, _ = handlers.record_decision(svc, handlers.Caller(token, principal["role"]),
                                                  review_body(decision, review))
        except Problem as exc:
            nl, en = exc.texts()
            raise PolicyError([make("bad-input", "besluit", problem=(nl, en))]) from None
        return {**data, "reason": review.get("reason")}

    def room_use(key: str, year: int, extra: dict | None):
        """reviews.room_use over the store's decisions of the year and the year before (its base)."""
        records = handlers.room_records(svc, year)
        if extra is not None:
            records.append({"type": "decision", "decision_id": extra["decision_id"],
                            "decision": {"inputs": {"date": f"{year:04d}-07-01"}}})
        return reviews.room_use(records, loaded().program.policy, key, year, extra)

    def sso(request):
        """The caller of the trusted header, as the service reads it (never a bearer token here)."""
        if not request.headers.get(config["trusted_header"]) or request.headers.get("authorization"):
            return None
        try:
            caller = service_caller(request, "read")
        except Problem:
            return None
        return {"token_id": caller.token_id, "role": caller.role, "reviewer": caller.token_id.removeprefix("sso:")}

    import os

    from .sessions import SharedSessions

    sessions = SharedSessions(os.path.join(os.path.dirname(os.path.abspath(svc.log_path)), "webapp-sessions.db"))
    return Backend(lambda: loaded().program, occupancy, authenticate, record, room_use,
                   sso=sso if config.get("trusted_header") else None, allowed_origins=allowed_origins,
                   sessions=sessions)
