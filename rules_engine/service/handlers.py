"""The endpoints as plain functions: each takes the service, the caller and the checked request, and calls the
same functions as the CLI (api.py, rank.py, room.py, status.py, decision_log.py), so /v1/evaluate answers
what `magicmix evaluate --format json` prints and /v1/rank what `magicmix rank --format json` prints.

They return (status, JSON data or text, headers) and raise Problem or PolicyError; app.py turns either into
an HTTP response. They block (database, fsync): the app runs them in its thread pool.
"""

from __future__ import annotations

import datetime as dt
import os

from ..allocation import decision_log, reviews
from ..diagnostics import PolicyError, hint, make
from ..engine.explain import explain
from ..load.inputs import household_from_data
from ..allocation.rank import rank as rank_candidates
from ..engine.room import complex_room
from ..load.values import Refused, check_bounds, read_date
from .problems import Problem, field_error, from_diagnostics
from .requests import checked
from .state import Loaded, Occupancies, Policies, check_upload, composition_for, pick
from .store import ROLES, Conflict, NotFound, Store
from ..lang.records import frozen

MAX_LIST = 1000
UPLOAD_TYPES = {"text/csv": "csv", "application/json": "json", "application/yaml": "yaml",
                "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": "xlsx"}


@frozen
class Caller:
    """Who makes a request: the token id (or 'sso:<pseudonymous id>') and its role."""

    token_id: str
    role: str

    def require(self, role: str) -> None:
        """Problem 403 unless the caller's role is at least role."""
        if ROLES.index(self.role) < ROLES.index(role):
            raise Problem(403, "forbidden", role=self.role, needed=role)


@frozen
class Service:
    """What the endpoints work with: the policies, the store, the occupancy versions and the snapshot folder."""

    policies: Policies
    store: Store
    occupancies: Occupancies
    log_path: str  # where decision records keep their policy and occupancy snapshots (decisions.jsonl.snapshots)


def _only(query, *names: str) -> None:
    """Problem 422 for a query parameter this endpoint does not read: ?levle=buurt would answer every level."""
    allowed = names + ("lang",)  # the language of the answer, read for every endpoint
    for key in query.keys():
        if key not in allowed:
            d = make("unknown-key", key[:64], key=key[:64], hint=hint(allowed, key))
            raise Problem(422, "unknown-key", [field_error(d, (key[:64],))])
        given = len(query.getlist(key))
        if given > 1:  # ?date=2025-06-01&date=2030-01-01 answered for the last one, as duplicate JSON keys would
            d = make("duplicate-parameter", key, key=key, n=given)
            raise Problem(422, "duplicate-parameter", [field_error(d, (key,))])


def _date(value, where: str) -> dt.date:
    if value is None:
        return dt.date.today()
    try:
        return read_date(value)
    except Refused as exc:
        raise from_diagnostics([exc.diagnostic(where)], path=(where,)) from None


def _household(data: dict, path: tuple):
    """A household of a request (schema-checked), its income read as the CLI's readers read one: whole cents only
    (the schema checks its type and range); Problem 422 at its field otherwise."""
    household = household_from_data(data)
    refused = [r for r in check_bounds(household.income, "income") if r.severity == "error"]
    if refused:
        raise from_diagnostics([refused[0].diagnostic("<request>")], path=path + ("income",))
    return household


def _advice(svc: Service, data: dict):
    """(policy, occupancy in use, decision, the households' homes header) for a request with household, unit, date
    and perhaps counts."""
    loaded = pick(svc.policies.snapshot(), data.get("policy"))
    occupancy = svc.occupancies.current(loaded)
    date = _date(data.get("date"), "date")
    comp = composition_for(svc.occupancies, loaded, occupancy, date, data["unit"], data.get("counts"))
    source = "counts" if data.get("counts") else occupancy.source
    household = _household(data["household"], ("household",))
    return (loaded, occupancy, explain(loaded.program, household, data["unit"], comp, source),
            _lives_in(svc, occupancy, date, [household.id]))


LIVES_IN_SHOWN = 100  # households named in Magicmix-Lives-In at most (Magicmix-Lives-In-Count has them all)


def _lives_in(svc: Service, occupancy, date: dt.date, household_ids: list[str]) -> dict:
    """The headers naming the households that live in the stock on the date already (doorstroming) and their homes:
    their advice still counts that home as occupied (docs/rules.md), as evaluate and rank say beside it. Ids and
    homes match [A-Za-z0-9_.:-]+ (their schemas), so they go into a header as they are."""
    index = svc.occupancies.homes(occupancy)
    found = [(h, home) for h in household_ids if (home := index.on(h, date)) is not None]
    if not found:
        return {}
    return {"Magicmix-Lives-In": ", ".join(f"{h}={home}" for h, home in found[:LIVES_IN_SHOWN]),
            "Magicmix-Lives-In-Count": str(len(found))}


def _decision_record(svc: Service, loaded: Loaded, occupancy, decision, caller: Caller, command: str) -> dict:
    context = {"command": command, "service": {"token": caller.token_id, "occupancy_version": occupancy.version}}
    return decision_log.decision_record(decision, loaded.root, svc.log_path, occupancy.path, context)


def _headers(loaded: Loaded, occupancy) -> dict:
    return {"Magicmix-Policy": f"{loaded.info['id']} {loaded.info['version']} {loaded.info['content_hash']}",
            "Magicmix-Occupancy-Version": str(occupancy.version)}


def evaluate(svc: Service, caller: Caller, raw: bytes):
    """POST /v1/evaluate: the decision with its full explanation (decision.json); with log: true also recorded."""
    data = checked(raw, "evaluate")
    if data.get("log"):
        caller.require("decide")
    loaded, occupancy, decision, lives_in = _advice(svc, data)
    headers = {**_headers(loaded, occupancy), **lives_in}
    if data.get("log"):
        record = _decision_record(svc, loaded, occupancy, decision, caller, "evaluate")
        svc.store.append(lambda lookup: [record], caller.token_id, occupancy.version)
        headers["Magicmix-Decision-Id"] = record["decision_id"]
    return 200, decision.to_json(), headers  # the direct writer: the same JSON, several times quicker to write


def rank(svc: Service, caller: Caller, raw: bytes):
    """POST /v1/rank: the candidates grouped by outcome, portal order kept (ranking.json)."""
    data = checked(raw, "rank")
    loaded = pick(svc.policies.snapshot(), data.get("policy"))
    seen: dict = {}
    for i, c in enumerate(data["candidates"]):
        if c["id"] in seen:
            d = make("duplicate-id", "<request>", what=("kandidaat", "candidate"), id=c["id"],
                     other=f"/candidates/{seen[c['id']]}/id")
            raise Problem(422, "duplicate-id", [field_error(d, ("candidates", i, "id"))])
        seen[c["id"]] = i
    occupancy = svc.occupancies.current(loaded)
    date = _date(data.get("date"), "date")
    comp = composition_for(svc.occupancies, loaded, occupancy, date, data["unit"], data.get("counts"))
    households = [_household(c, ("candidates", i)) for i, c in enumerate(data["candidates"])]
    ranking = rank_candidates(loaded.program, households, data["unit"], comp)
    return 200, ranking.to_json(), {**_headers(loaded, occupancy),
                                    **_lives_in(svc, occupancy, date, [h.id for h in households])}


def room(svc: Service, caller: Caller, complex_id: str, query) -> tuple:
    """GET /v1/room/{complex}: room per category in the complex, its portieken and its buurt (as `magicmix room`)."""
    _only(query, "policy", "date")
    loaded = pick(svc.policies.snapshot(), query.get("policy"))
    policy = loaded.program.policy
    if complex_id not in policy.complexes:
        raise Problem(404, "unknown-complex", [field_error(make("unknown-complex", "complex", complex=complex_id,
                                                                hint=hint(policy.complexes, complex_id)), ())])
    occupancy = svc.occupancies.current(loaded)
    date = _date(query.get("date"), "date")
    rows = complex_room(policy, composition_for(svc.occupancies, loaded, occupancy, date, None, None), complex_id)
    return 200, {"complex": complex_id, "date": date.isoformat(), "room": [
        {"level": r.level, "group": r.group, "category": r.category, "room": r.room, "count": r.count,
         "occupied": r.occupied} for r in rows]}, _headers(loaded, occupancy)


def status(svc: Service, caller: Caller, query) -> tuple:
    """GET /v1/status?level=buurt&only_out=true: every group's shares against its bands (as `status --format json`)."""
    _only(query, "policy", "level", "only_out", "date")
    from ..render.portfolio_report import status_json
    from ..stock.status import portfolio_status

    loaded = pick(svc.policies.snapshot(), query.get("policy"))
    policy = loaded.program.policy
    levels = tuple(query.getlist("level"))
    wrong = [lv for lv in levels if lv not in policy.levels.keys]
    if wrong:
        d = make("unknown-level", "level", level=wrong[0], hint=hint(policy.levels.keys, wrong[0]),
                 known=", ".join(policy.levels.keys))
        raise Problem(422, "unknown-level", [field_error(d, ("level",))])
    only_out = _flag(query.get("only_out"), "only_out")
    occupancy = svc.occupancies.current(loaded)
    date = _date(query.get("date"), "date")
    comp = composition_for(svc.occupancies, loaded, occupancy, date, None, None)
    result = portfolio_status(policy, comp, levels or None)
    return 200, status_json(result, only_out), _headers(loaded, occupancy)


def _flag(value: str | None, name: str) -> bool:
    """A yes/no query parameter: true or false (OpenAPI's boolean), or ja/nee; any other text is refused."""
    if value in (None, "", "false", "nee"):
        return False
    if value in ("true", "ja"):
        return True
    d = make("invalid-value", name, value=value, choices="true, false, ja, nee")
    raise Problem(422, "invalid-value", [field_error(d, (name,))])


def room_records(svc: Service, year: int) -> list[dict]:
    """The decisions of a year and the year before (the base of its free allocation room) with their reviews,
    as the file log holds them: what reviews.room_use counts."""
    records, after = [], 0
    while True:
        rows = svc.store.decisions(date_from=f"{year - 1:04d}-01-01", date_to=f"{year:04d}-12-31", limit=1000,
                                   after=after)
        for row in rows:
            records.append(row["record"])
            if row["review"] is not None:
                records.append(row["review"])
        if len(rows) < 1000:
            return records
        after = rows[-1]["seq"]


def _review(svc: Service, record: dict, data: dict, program) -> dict:
    """The review record of a person's decision on a logged advice (decision_log.review_record), its use of the
    free allocation room counted as `magicmix log review` counts it (beyond the room only with force, and then
    marked); its refusals come back at the field of the request they are about."""
    followed = data["followed"]
    outcome = data.get("outcome") or (record["outcome"] if followed else None)
    if outcome is None:
        raise Problem(422, "missing-key", [field_error(make("missing-key", "outcome", key="outcome"), ("outcome",))])
    try:
        review = decision_log.review_record(record, followed=followed, outcome=outcome, reviewer=data["reviewer"],
                                            reason=data.get("reason"), note=data.get("note"),
                                            free_room=data.get("free_room"), program=program)
        year = reviews.decision_year(record)
        if review.get("free_room") and year is not None:
            records = room_records(svc, year)
            if not any(r.get("decision_id") == record["decision_id"] for r in records):
                records.append(record)  # advised now, in the same write: its letting counts too
            use = reviews.check_room(records, program.policy, record, review, data.get("force", False))
            if use is not None and use.used > use.allowed:
                review["beyond_room"] = True  # forced: the annual report shows it as beyond the room
        return review
    except PolicyError as exc:
        field = exc.diagnostics[0].file.removeprefix("--").replace("-", "_") if exc.diagnostics else ""
        raise from_diagnostics(exc.diagnostics, path=(field,) if field in _REVIEW_FIELDS else ()) from None


_REVIEW_FIELDS = ("outcome", "reviewer", "reason", "free_room", "note", "decision_id")


def record_decision(svc: Service, caller: Caller, raw: bytes):
    """POST /v1/decisions: record what a person decided, on a logged advice or on one given now (both together)."""
    caller.require("decide")
    data = checked(raw, "review")
    if "evaluate" in data:
        loaded, occupancy, decision, lives_in = _advice(svc, data["evaluate"])
        record = _decision_record(svc, loaded, occupancy, decision, caller, "decisions")
        # the room is counted under the store's write lock: two deviations at once cannot both take its last place
        written = svc.store.append(lambda lookup: [record, _review(svc, record, data, loaded.program)],
                                   caller.token_id, occupancy.version)
        version = occupancy.version
    else:
        version, lives_in = None, {}
        policies = svc.policies.snapshot()

        def build(lookup):
            record = lookup(data["decision_id"])
            if record is None or record.get("type") != "decision":
                raise NotFound(data["decision_id"])
            if svc.store.reviews_of(data["decision_id"]):
                raise Conflict(data["decision_id"])
            return [_review(svc, record, data, pick(policies, record["policy"]["id"]).program)]
        try:
            written = svc.store.append(build, caller.token_id, None)
        except NotFound:
            raise Problem(404, "not-found", what=f"decision {data['decision_id']}") from None
        except Conflict:
            raise Problem(409, "conflict", what=(f"besluit {data['decision_id']} is al beoordeeld",
                                                 f"decision {data['decision_id']} is reviewed already")) from None
    review = written.records[-1]
    return 201, {"decision_id": review["decision_id"], "review_id": review["review_id"], "advice": review["advice"],
                 "followed": review["followed"], "outcome": review["outcome"], "hash": review["hash"],
                 "token_id": caller.token_id, "occupancy_version": version}, \
        {"Location": f"/v1/decisions/{review['decision_id']}", **lives_in}


def _summary(row: dict) -> dict:
    rec, review = row["record"], row["review"]
    inputs = rec["decision"]["inputs"]
    out = {"decision_id": rec["decision_id"], "timestamp": rec["timestamp"], "unit": inputs["unit"],
           "date": inputs["date"], "household": inputs["household"]["id"], "advice": rec["outcome"],
           "deciding_rules": rec["deciding_rules"],
           "policy": {k: rec["policy"][k] for k in ("id", "version", "content_hash")},
           "occupancy_version": row["occupancy_version"], "token_id": row["token_id"], "hash": rec["hash"],
           "review": None}
    if review is not None:
        out["review"] = {k: review.get(k) for k in ("review_id", "timestamp", "followed", "outcome", "reviewer",
                                                    "reason", "free_room")}
    return out


def list_decisions(svc: Service, caller: Caller, query) -> tuple:
    """GET /v1/decisions?date=&from=&to=&unit=&outcome=&limit=&after=: logged decisions with their review."""
    _only(query, "date", "from", "to", "unit", "outcome", "limit", "after")
    day = query.get("date")
    start, end = (day, day) if day else (query.get("from"), query.get("to"))
    for name, value in (("from", start), ("to", end)):
        if value is not None:
            _date(value, "date" if day else name)
    limit = _number(query.get("limit"), "limit", 100, 1, MAX_LIST)
    after = _number(query.get("after"), "after", 0, 0, 1 << 62)
    rows = svc.store.decisions(date_from=start, date_to=end, unit=query.get("unit"), outcome=query.get("outcome"),
                               limit=limit, after=after)
    return 200, {"decisions": [_summary(r) for r in rows], "next": rows[-1]["seq"] if len(rows) == limit else None}, {}


def get_decision(svc: Service, caller: Caller, decision_id: str) -> tuple:
    """GET /v1/decisions/{id}: the full decision record and its review."""
    record = svc.store.record(decision_id)
    if record is None or record.get("type") != "decision":
        raise Problem(404, "not-found", what=f"decision {decision_id}")
    reviews = svc.store.reviews_of(decision_id)
    if ROLES.index(caller.role) < ROLES.index("decide"):  # a review's note is for those who decide only
        reviews = [{k: v for k, v in r.items() if k != "note"} for r in reviews]
    return 200, {"record": record, "reviews": reviews}, {}


def _number(value: str | None, name: str, default: int, low: int, high: int) -> int:
    if value is None:
        return default
    if not (value.isascii() and value.isdigit()) or not low <= int(value) <= high:  # "²" is a digit to isdigit
        d = make("out-of-range", name, value=value, bound=f"{low}..{high}")
        raise Problem(422, "out-of-range", [field_error(d, (name,))])
    return int(value)


def put_occupancy(svc: Service, caller: Caller, raw: bytes, content_type: str, query) -> tuple:
    """PUT /v1/occupancy: check an upload (CSV, .xlsx, JSON or YAML) as the CLI checks a file, then make it the
    newest version in one commit; decisions from then on record that version."""
    caller.require("admin")
    _only(query, "policy")
    fmt = UPLOAD_TYPES.get(content_type.split(";")[0].strip().lower())
    if fmt is None:
        raise Problem(415, "unsupported-type", type=content_type[:80], allowed=", ".join(UPLOAD_TYPES))
    loaded = pick(svc.policies.snapshot(), query.get("policy"))
    try:
        occupancy = check_upload(loaded.program.policy, fmt, raw, svc.occupancies.folder)
    except PolicyError as exc:
        raise from_diagnostics(exc.diagnostics) from None  # at file:row:column of the upload, not a field
    version = svc.store.add_occupancy(loaded.program.policy.id, fmt, raw, caller.token_id)
    svc.occupancies.forget_head()
    return 201, {"version": version.version, "policy": version.policy, "format": fmt,
                 "content_hash": version.content_hash, "homes": len(occupancy.by_unit),
                 "token_id": caller.token_id}, {}


def policies(svc: Service, caller: Caller) -> tuple:
    """GET /v1/policies: id, version and content hash of every policy served (the first is the default)."""
    return 200, {"policies": [lp.info for lp in svc.policies.snapshot().values()]}, {}


def reload(svc: Service, caller: Caller) -> tuple:
    """POST /v1/policies/reload: read the policy folders again and swap them in at once (on error: the old stay)."""
    caller.require("admin")
    svc.policies.reload()
    return policies(svc, caller)


def create_token(svc: Service, caller: Caller, raw: bytes) -> tuple:
    """POST /v1/tokens: a new token of a role, shown in this answer only (the database keeps its sha256)."""
    caller.require("admin")
    data = checked(raw, "token")
    token_id, token = svc.store.create_token(data["role"], data.get("label"), caller.token_id)
    return 201, {"token_id": token_id, "role": data["role"], "token": token, "created_by": caller.token_id}, {}


def health(svc: Service) -> tuple:
    """GET /healthz: ok when the policies are loaded and the database answers."""
    svc.store.count("decision")
    return 200, {"status": "ok", "database": svc.store.name, "policies": len(svc.policies.snapshot()),
                 "pid": os.getpid()}, {}
