"""The page handlers: login, Vacatures, Kandidaten (with the ranking) and Buurten.

Each handler reads the session and the form, calls the plain Python functions (views.py,
candidates.py, rank.py) and renders a template. Personal data (the candidates) only ever
arrives in a POST body and stays in the server-side session: no URL carries it.
"""

from __future__ import annotations

import datetime as dt
import threading
from collections import OrderedDict

from starlette.requests import Request
from starlette.responses import JSONResponse

from ..load.movers import current_homes
from ..load.occupancy import composition
from ..allocation.rank import rank
from ..load.values import Refused, read_date, read_id
from .candidates import FORM_FIELDS, MAX_UPLOAD_BYTES, Refusal, read_form, read_upload
from .render import Backend, language, page_handler, redirect, refused, render
from .security import clear_session_cookie
from .text import translate
from .views import search_homes, status_groups, vacancy_mix


def letting_date(session) -> dt.date:
    """The session's letting date (today until one is chosen)."""
    return dt.date.fromisoformat(session.date) if session.date else dt.date.today()


_RANKINGS: OrderedDict = OrderedDict()  # (what, policy, occupancy, home, date, candidates) -> value, this process
_RANKINGS_KEPT = 64
_RANKINGS_LOCK = threading.Lock()


def _kept(what: str, backend: Backend, session, make):
    """make(program, occupancy) for the session's letting, computed once per policy, occupancy, home, date and
    candidate list in this process (None without a home or candidates)."""
    if not (session.unit and session.candidates):
        return None
    program = backend.program()
    occ, occ_label = backend.occupancy()
    key = (what, program.policy.content_hash, occ_label, id(occ), session.unit, session.date,
           tuple(session.candidates))
    with _RANKINGS_LOCK:
        found = _RANKINGS.get(key)
        if found is not None:
            _RANKINGS.move_to_end(key)
            return found
    value = make(program, occ)
    with _RANKINGS_LOCK:
        _RANKINGS[key] = value
        while len(_RANKINGS) > _RANKINGS_KEPT:
            _RANKINGS.popitem(last=False)
    return value


def ranking_of(backend: Backend, session):
    """The ranking of the session's candidates for its home (None without either), kept (_kept)."""
    return _kept("ranking", backend, session, lambda program, occ: rank(
        program, list(session.candidates), session.unit, composition(program.policy, occ, letting_date(session))))


def movers_of(backend: Backend, session) -> dict:
    """Candidates of the session who live in the stock on the letting date -> their home, kept (_kept)."""
    return _kept("movers", backend, session, lambda program, occ: current_homes(
        occ, letting_date(session), [h.id for h in session.candidates])) or {}


def handlers(backend_of) -> dict:
    """The page endpoints by name; backend_of(request) gives the Backend of the app serving a request."""
    guard = page_handler

    @guard(backend_of, login=False)
    def login(request: Request, session, form, backend):
        if session is None:
            session = backend.sessions.new(language(request.query_params.get("lang")))
            request.state.session = session
        sso = backend.sso(request) if backend.sso else None
        if request.method == "GET":
            return render(request, session, "login.html", sso=bool(sso), problems={},
                          request_expired=request.query_params.get("verlopen") == "1")
        problems = {}
        if form.get("sso"):
            if not sso:
                return refused(request, session, "login_bad", 401)
            principal = {**sso, "via": "sso"}
        else:
            found = backend.authenticate((form.get("token") or "").strip())
            if found is None:
                problems["token"] = translate("login_bad", session.lang)
            reviewer = (form.get("reviewer") or "").strip()
            try:
                read_id(reviewer)  # as decision_log.review_record reads a reviewer
            except Refused as exc:
                nl, en = exc.texts
                problems["reviewer"] = nl if session.lang == "nl" else en
            if problems:
                return render(request, session, "login.html", 401, sso=bool(sso), problems=problems,
                              reviewer=reviewer)
            principal = {**found, "reviewer": reviewer, "via": "token"}
        backend.sessions.rotate(session)
        session.principal = principal
        return redirect("vacatures")

    @guard(backend_of)
    def logout(request: Request, session, form, backend):
        backend.sessions.end(session)
        request.state.session = None
        response = redirect("login")
        clear_session_cookie(response, request, "/app")
        return response

    @guard(backend_of, login=False)
    def switch_language(request: Request, session, form, backend):
        session.lang = language(form.get("lang"))
        back = form.get("back") or ""
        return redirect(back if back.isidentifier() else ("vacatures" if session.principal else "login"))

    @guard(backend_of)
    def not_found(request: Request, session, form, backend):
        return refused(request, session, "not_found", 404)

    @guard(backend_of)
    def home(request: Request, session, form, backend):
        return redirect("vacatures")

    @guard(backend_of)
    def vacatures(request: Request, session, form, backend):
        program = backend.program()
        problems = {}
        if request.method == "POST":
            unit = (form.get("unit") or "").strip()
            date_text = (form.get("date") or "").strip()
            try:
                date = read_date(date_text) if date_text else letting_date(session)
            except Refused as exc:
                nl, en = exc.texts
                problems["date"] = nl if session.lang == "nl" else en
                date = None
            if unit not in program.policy.units:
                problems["unit"] = translate("no_match", session.lang) + f" {unit[:64]}"
            if not problems:
                session.unit, session.date = unit, date.isoformat()
                return redirect("vacatures")
        query = request.query_params.get("q", "")[:100]
        matches, more = search_homes(program, query, session.lang) if query else ([], False)
        home = groups = None
        if session.unit and session.unit in program.policy.units:
            occ, occ_version = backend.occupancy()
            comp = composition(program.policy, occ, letting_date(session))
            home, groups = vacancy_mix(program, comp, session.unit, session.lang,
                                       lambda k, **a: translate(k, session.lang, **a))
        return render(request, session, "vacatures.html", 400 if problems else 200, query=query, matches=matches,
                      more=more, home=home, groups=groups or [], problems=problems,
                      date=session.date or dt.date.today().isoformat())

    @guard(backend_of)
    def kandidaten(request: Request, session, form, backend):
        return _kandidaten(backend, request, session, {}, [], {})

    def _kandidaten(backend, request, session, field_problems, upload_problems, values, status=200):
        program = backend.program()
        ranking = ranking_of(backend, session)
        movers = movers_of(backend, session)  # who lives in the stock already: the advice still counts that home
        return render(request, session, "kandidaten.html", status, ranking=ranking, movers=movers,
                      field_problems=field_problems,
                      upload_problems=upload_problems, values=values, categories=program.policy.categories,
                      routes=tuple(program.policy.routes.values()),
                      count=len(session.candidates),
                      decided={r["household"] for r in session.recorded if r.get("unit") == session.unit})

    @guard(backend_of, max_bytes=MAX_UPLOAD_BYTES + (64 << 10))
    def upload(request: Request, session, form, backend):
        if not session.unit:
            return redirect("vacatures")
        file = form.get("file")
        if file is None or not hasattr(file, "read"):
            return _kandidaten(backend, request, session, {}, [translate("upload_help", session.lang)], {}, 400)
        data = file.file.read(MAX_UPLOAD_BYTES + 1)
        try:
            households = read_upload(file.filename or "", data, backend.program(), session.unit, letting_date(session))
        except Refusal as exc:
            return _kandidaten(backend, request, session, {}, [p.text(session.lang) for p in exc.problems], {}, 400)
        session.candidates = households
        return redirect("kandidaten#rangorde")

    @guard(backend_of)
    def check_field(request: Request, session, form, backend):
        """One field of the household form checked as it is left (app.js): its message, or none."""
        name = form.get("field") or ""
        if name not in FORM_FIELDS:
            return JSONResponse({"message": None}, 400)
        try:
            read_form({name: (form.get("value") or "")[:100]}, backend.program())
        except Refusal as exc:
            mine = [p.text(session.lang) for p in exc.problems if p.where == name]
            if mine and (form.get("value") or "").strip():  # an empty field is told at submit, not while typing
                return JSONResponse({"message": mine[0]})
        return JSONResponse({"message": None})

    @guard(backend_of)
    def add_household(request: Request, session, form, backend):
        if not session.unit:
            return redirect("vacatures")
        values = {k: (form.get(k) or "")[:100] for k in FORM_FIELDS}
        try:
            household = read_form(values, backend.program())
        except Refusal as exc:
            return _kandidaten(backend, request, session, {p.where: p.text(session.lang) for p in exc.problems}, [], values, 400)
        if any(h.id == household.id for h in session.candidates):
            return _kandidaten(backend, request, session, {"id": translate("duplicate", session.lang)}, [], values, 400)
        session.candidates = [*session.candidates, household]
        return redirect("kandidaten#rangorde")

    @guard(backend_of)
    def clear(request: Request, session, form, backend):
        session.candidates = []
        return redirect("kandidaten")

    @guard(backend_of)
    def buurten(request: Request, session, form, backend):
        program = backend.program()
        problems = {}
        date_text = request.query_params.get("date", "")[:20]
        date = letting_date(session)
        if date_text:
            try:
                date = read_date(date_text)
            except Refused as exc:
                nl, en = exc.texts
                problems["date"] = nl if session.lang == "nl" else en
        occ, occ_version = backend.occupancy()
        groups, total = status_groups(program, composition(program.policy, occ, date), session.lang,
                                      lambda k, **a: translate(k, session.lang, **a))
        return render(request, session, "buurten.html", 400 if problems else 200, groups=groups, total=total,
                      date=date.isoformat(), problems=problems, policy=program.policy, occupancy=occ_version)

    return {"login": login, "logout": logout, "switch_language": switch_language, "home": home, "not_found": not_found,
            "vacatures": vacatures, "kandidaten": kandidaten, "upload": upload, "add_household": add_household,
            "check_field": check_field,
            "clear": clear, "buurten": buurten}
