"""The pages' plumbing: the Jinja2 environment (autoescape on), the session guard and the form guard.

`page_handler` wraps every handler: it finds the session from its cookie, sends a request without a
logged-in session to the login page (303) or refuses it (a POST: 403), checks the Origin and the
CSRF token of every POST before the handler runs, and adds the security headers to the answer.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass, field
from typing import Callable

from jinja2 import Environment, PackageLoader, select_autoescape
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import HTMLResponse, RedirectResponse, Response

from ..model.policy import OUTCOME_LABELS
from ..version import __version__
from .security import same_origin, secure_headers, set_session_cookie
from .sessions import COOKIE, MemorySessions, Session
from .text import LANGS, translate

BASE = "/app"
MAX_FORM_BYTES = 64 << 10  # a form without a file; an upload may be larger (candidates.MAX_UPLOAD_BYTES)

ENV = Environment(loader=PackageLoader("rules_engine.webapp", "templates"), autoescape=select_autoescape(default=True),
                  trim_blocks=True, lstrip_blocks=True)


@dataclass
class Backend:
    """What the pages need from the service around them (rules_engine.service), as plain callables.

    program() -> the current Program; occupancy() -> (Occupancy, version label);
    authenticate(token) -> {'token_id', 'role'} or None; record(decision, review, principal) -> the
    stored review record (with 'decision_id'); room_use(key, year, extra review or None) -> reviews.RoomUse,
    how much of a free allocation room the year's reviews use; sso(request) -> {'token_id', 'role', 'reviewer'} of the trusted single-sign-on
    header, or None (None itself: single sign-on is off)."""

    program: Callable
    occupancy: Callable
    authenticate: Callable
    record: Callable
    room_use: Callable
    sso: Callable | None = None
    allowed_origins: tuple[str, ...] = ()
    sessions: object = field(default_factory=MemorySessions)  # MemorySessions or SharedSessions


def url(path: str = "") -> str:
    """A page's path under the pages' base."""
    return f"{BASE}/{path}".rstrip("/") if path else f"{BASE}/"


def render(request: Request, session: Session | None, template: str, status: int = 200, **context) -> HTMLResponse:
    """A template as a page, in the session's language, with its CSRF token and the navigation."""
    lang = session.lang if session else "nl"
    body = ENV.get_template(template).render(
        t=lambda key, **a: translate(key, lang, **a), lang=lang, session=session, url=url,
        csrf=session.csrf if session else "", outcome_label=lambda o: OUTCOME_LABELS[o][0 if lang == "nl" else 1],
        version=__version__, current=request.url.path, **context)
    return HTMLResponse(body, status_code=status)


def refused(request: Request, session: Session | None, key: str, status: int = 403, **args) -> Response:
    """A refusal page (403 for a form from elsewhere, a bad token or a role that may not)."""
    return secure_headers(render(request, session, "refused.html", status, message_key=key, message_args=args,
                                 title_key="not_found_title" if status == 404 else None))


def redirect(path: str) -> RedirectResponse:
    """303 See Other: after a POST the browser GETs the next page."""
    return RedirectResponse(url(path), status_code=303)


async def session_of(request: Request, backend: Backend) -> Session | None:
    """The live session of a request's cookie, or None."""
    return await run_in_threadpool(backend.sessions.get, request.cookies.get(COOKIE))


async def form_of(request: Request, max_bytes: int = MAX_FORM_BYTES):
    """The request's form (multipart or urlencoded), refusing a body larger than max_bytes (None then)."""
    length = request.headers.get("content-length")
    if length is None or not (length.isascii() and length.isdigit()) or int(length) > max_bytes:
        return None
    return await request.form(max_files=1, max_fields=50, max_part_size=max_bytes)


def page_handler(backend_of: Callable, login: bool = True, max_bytes: int = MAX_FORM_BYTES):
    """Wrap handler(request, session, form, backend) with the session guard, the Origin and CSRF checks and the
    security headers; backend_of(request) gives the Backend of the app that serves the request."""

    def wrap(handler):
        @functools.wraps(handler)
        async def endpoint(request: Request) -> Response:
            backend = backend_of(request)
            session = await session_of(request, backend)
            form = None
            if request.method == "POST":
                if not same_origin(request, backend.allowed_origins):
                    return refused(request, session, "csrf")
                form = await form_of(request, max_bytes)
                if form is None:
                    return refused(request, session, "csrf", 413)
                if session is None or not session.check_csrf(form.get("csrf")):
                    return refused(request, session, "csrf")
            if login and (session is None or session.principal is None):
                if request.method == "POST":
                    return refused(request, session, "expired", 403)
                gone = session is None and request.cookies.get(COOKIE) is not None  # its session expired
                return secure_headers(redirect("login?verlopen=1" if gone else "login"))
            response = await run_in_threadpool(handler, request, session, form, backend)  # may rank 1,000
            session = getattr(request.state, "session", session)  # a handler may start, rotate or end one
            if session is not None:
                await run_in_threadpool(backend.sessions.save, session)
                if response.status_code < 400:
                    set_session_cookie(response, request, session.id, BASE)
            return secure_headers(response)
        return endpoint
    return wrap


def language(value: str | None) -> str:
    """A supported language code (Dutch when unknown)."""
    return value if value in LANGS else "nl"
