"""The ASGI app of `magicmix serve` (Starlette): routes, access control, size limits, errors, access log.

create_app(...) builds it; extra routes (the web pages) are mounted with its `routes` parameter, and reach
the service and the caller through `request.app.state.service` and `authenticate(request, role)`.
"""

from __future__ import annotations

import json
import logging
import os
import re
import sys
import time
import uuid
from typing import Callable, Iterable
from urllib.parse import urlsplit

from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Route

from ..diagnostics import PolicyError
from ..load.values import HOUSEHOLD_ID
from . import handlers as h
from .problems import PROBLEM_TYPE, Problem, body as problem_body, from_diagnostics, language
from .state import Occupancies, Policies
from .store import ROLES, open_store, unavailable

MAX_BODY_BYTES = 16 * 1024 * 1024  # an occupancy upload of a large corporation; JSON requests are far smaller
MAX_JSON_BYTES = 2 * 1024 * 1024  # 1,000 candidates take some 150 KB
ACCESS = logging.getLogger("magicmix.access")
_POINTERS = {"unknown-unit": ("unit",), "unknown-category": ("household", "category")}


def authenticate(request: Request, role: str = "read") -> h.Caller:
    """The caller of a request (bearer token, or the trusted single sign-on header when enabled), at least of
    role; Problem 401 without valid credentials, 403 with too small a role."""
    config = request.app.state.config
    header = request.headers.get("authorization", "")
    caller = None
    if header[:7].lower() == "bearer ":
        found = request.app.state.service.store.check_token(header[7:].strip())
        if found is not None:
            caller = h.Caller(*found)
    elif config.get("trusted_header") and request.headers.get(config["trusted_header"]):
        if request.method not in ("GET", "HEAD") and _cross_site(request):
            # The proxy adds the header to whatever the browser sends, a form on another site included.
            raise Problem(403, "cross-site")
        user = request.headers[config["trusted_header"]].strip()
        if HOUSEHOLD_ID.match(user) and len(user) <= 64:  # a pseudonymous id, as a reviewer's
            wanted = request.headers.get(config.get("trusted_role_header") or "", config.get("trusted_role", "read"))
            caller = h.Caller("sso:" + user, wanted if wanted in ROLES else "read")
    if caller is None:
        raise Problem(401, "unauthorized", headers={"WWW-Authenticate": 'Bearer realm="magicmix"'})
    request.scope["magicmix.token"] = caller.token_id
    caller.require(role)
    return caller


def _cross_site(request: Request) -> bool:
    """Whether a browser sent this request from a page of another site (Sec-Fetch-Site, else Origin)."""
    site = request.headers.get("sec-fetch-site")
    if site is not None:
        return site not in ("same-origin", "none")
    origin = request.headers.get("origin")
    if origin is None:
        return False  # not a browser's cross-site request: browsers send Origin with every cross-site POST
    return urlsplit(origin.strip()).netloc.lower() != request.headers.get("host", "").lower()


def _json_body(request: Request) -> None:
    """Problem 415 when the body is declared as something else than JSON: a form or text/plain post, which a
    browser sends to another site without asking it first, is no API call (a body without a type is read as JSON)."""
    media = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if media and media != "application/json" and not (media.startswith("application/") and media.endswith("+json")):
        raise Problem(415, "unsupported-type", type=media[:80], allowed="application/json")


def problem_response(request: Request, problem: Problem) -> Response:
    """The problem+json response of a problem, in the language the request asks for."""
    lang = language(request.query_params.get("lang"), request.headers.get("accept-language"))
    return Response(problem_body(problem, lang, request.url.path), problem.status, problem.headers,
                    media_type=PROBLEM_TYPE)


def _json(status: int, data, headers: dict) -> Response:
    text = data if isinstance(data, str) else json.dumps(data, ensure_ascii=False, separators=(",", ":"))
    return Response(text.encode("utf-8"), status, headers, media_type="application/json")


def endpoint(handler: Callable, role: str | None, takes: Iterable[str] = (), limit: int = MAX_JSON_BYTES):
    """A Starlette endpoint around a handler(service, caller, *takes): authenticated for role (None: open), the
    body read within limit, the handler run in the thread pool, its errors answered as problem+json."""
    takes = tuple(takes)

    async def run(request: Request) -> Response:
        try:
            args = [request.app.state.service]
            if role is not None:
                args.append(authenticate(request, role))
            for name in takes:
                if name == "raw":
                    if "content_type" not in takes:  # a JSON endpoint (the occupancy upload reads its own types)
                        _json_body(request)
                    args.append(await _read(request, limit))
                elif name == "content_type":
                    args.append(request.headers.get("content-type", ""))
                elif name == "query":
                    args.append(request.query_params)
                else:
                    args.append(request.path_params[name])
            status, data, headers = await run_in_threadpool(handler, *args)
            return _json(status, data, headers)
        except Problem as problem:
            return problem_response(request, problem)
        except PolicyError as exc:
            path = _POINTERS.get(exc.diagnostics[0].code) if exc.diagnostics else None
            return problem_response(request, from_diagnostics(exc.diagnostics, 422, path))
        except Exception as exc:
            if not unavailable(exc):  # the database's trouble, not ours: 503, try again
                raise
            print(json.dumps({"event": "database-unavailable", "error": type(exc).__module__}), file=sys.stderr,
                  flush=True)
            return problem_response(request, Problem(503, "unavailable", headers={"Retry-After": "5"}))
    return run


async def _read(request: Request, limit: int) -> bytes:
    declared = request.headers.get("content-length")
    if declared is not None and (not (declared.isascii() and declared.isdigit()) or int(declared) > limit):
        raise Problem(413, "too-large", limit=limit)
    chunks, size = [], 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > limit:
            raise Problem(413, "too-large", limit=limit)
        chunks.append(chunk)
    return b"".join(chunks)


def api_routes() -> list[BaseRoute]:
    """The REST API under /v1/, /healthz and /openapi.json."""
    from .openapi import openapi_handler

    return [
        Route("/healthz", endpoint(h.health, None), methods=["GET"]),
        Route("/openapi.json", endpoint(openapi_handler, None), methods=["GET"]),
        Route("/v1/evaluate", endpoint(h.evaluate, "read", ["raw"]), methods=["POST"]),
        Route("/v1/rank", endpoint(h.rank, "read", ["raw"]), methods=["POST"]),
        Route("/v1/room/{complex_id}", endpoint(h.room, "read", ["complex_id", "query"]), methods=["GET"]),
        Route("/v1/status", endpoint(h.status, "read", ["query"]), methods=["GET"]),
        Route("/v1/decisions", endpoint(h.record_decision, "decide", ["raw"]), methods=["POST"]),
        Route("/v1/decisions", endpoint(h.list_decisions, "read", ["query"]), methods=["GET"]),
        Route("/v1/decisions/{decision_id}", endpoint(h.get_decision, "read", ["decision_id"]), methods=["GET"]),
        Route("/v1/occupancy", endpoint(h.put_occupancy, "admin", ["raw", "content_type", "query"],
                                        limit=MAX_BODY_BYTES), methods=["PUT"]),
        Route("/v1/policies", endpoint(h.policies, "read"), methods=["GET"]),
        Route("/v1/policies/reload", endpoint(h.reload, "admin"), methods=["POST"]),
        Route("/v1/tokens", endpoint(h.create_token, "admin", ["raw"]), methods=["POST"]),
    ]


class _Guard:
    """ASGI middleware: a request id, the JSON access log, and a problem+json 500 for anything unexpected
    (never a stack trace in a response)."""

    def __init__(self, app, log: bool):
        self.app, self.log = app, log

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        started, request_id = time.perf_counter(), uuid.uuid4().hex[:16]
        seen = {"status": 500, "bytes": 0, "started": False}

        async def sending(message):
            if message["type"] == "http.response.start":
                seen["status"], seen["started"] = message["status"], True
                message = {**message, "headers": [*message.get("headers", []),
                                                  (b"x-request-id", request_id.encode())]}
            elif message["type"] == "http.response.body":
                seen["bytes"] += len(message.get("body", b""))
            await send(message)
        try:
            await self.app(scope, receive, sending)
        except Exception as exc:  # noqa: BLE001 - the last line: log where, answer without details
            tb = exc.__traceback__
            while tb is not None and tb.tb_next is not None:
                tb = tb.tb_next
            where = f"{os.path.basename(tb.tb_frame.f_code.co_filename)}:{tb.tb_lineno}" if tb else "?"
            print(json.dumps({"event": "error", "request_id": request_id, "error": type(exc).__name__,
                              "where": where}), file=sys.stderr, flush=True)
            if not seen["started"]:
                problem = Problem(500, "internal-error", request_id=request_id)
                await Response(problem_body(problem, "nl", scope.get("path", "")), 500,
                               media_type=PROBLEM_TYPE)(scope, receive, sending)
        if self.log:
            ACCESS.info(json.dumps({
                "ts": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()), "request_id": request_id,
                "method": scope.get("method"), "path": _safe_path(scope.get("path", "")), "status": seen["status"],
                "ms": round((time.perf_counter() - started) * 1000, 2), "bytes": seen["bytes"],
                "token": scope.get("magicmix.token"), "pid": os.getpid()}))


_PATH_SAFE = re.compile(r"[^A-Za-z0-9/_.:-]")


def _safe_path(path: str) -> str:
    """The request path cut to 200 characters and to id characters (no control characters in the log)."""
    return _PATH_SAFE.sub("?", path[:200])


def create_app(policy_roots: list[str], db: str = "sqlite:///magicmix.db", *, state_dir: str | None = None,
               routes: Iterable[BaseRoute] = (), trusted_header: str | None = None,
               trusted_role_header: str | None = None, trusted_role: str = "read", access_log: bool = True) -> Starlette:
    """The service's ASGI app for policy folders and a database URL (sqlite:///path or postgresql://...).

    state_dir holds the policy and occupancy snapshots the decision records name (default: beside the SQLite
    file, or ./magicmix-state for PostgreSQL). routes are mounted before the API's (the web pages); they find
    the Service in request.app.state.service and the caller through authenticate(request, role).
    trusted_header enables single sign-on behind a reverse proxy that sets it (see docs/serve.md)."""
    store = open_store(db)
    if state_dir is None:
        from .store import sqlite_path

        state_dir = (os.path.dirname(os.path.abspath(sqlite_path(db))) if store.name == "sqlite" else "."
                     ) + os.sep + "magicmix-state"
    policies = Policies(policy_roots)
    service = h.Service(policies, store, Occupancies(store, os.path.join(state_dir, "occupancy")),
                        os.path.join(state_dir, "decisions.jsonl"))

    async def not_found(request: Request, exc) -> Response:
        code = "method-not-allowed" if getattr(exc, "status_code", 404) == 405 else "not-found"
        return problem_response(request, Problem(getattr(exc, "status_code", 404), code, what=request.url.path[:200]))
    app = Starlette(routes=[*routes, *api_routes()], exception_handlers={404: not_found, 405: not_found})
    app.state.service = service
    app.state.config = {"trusted_header": trusted_header, "trusted_role_header": trusted_role_header,
                        "trusted_role": trusted_role}
    app.add_middleware(_Guard, log=access_log)
    if access_log and not ACCESS.handlers:  # in every worker process too: one JSON object per line on stderr
        handler = logging.StreamHandler(sys.stderr)
        handler.setFormatter(logging.Formatter("%(message)s"))
        ACCESS.addHandler(handler)
        ACCESS.setLevel(logging.INFO)
        ACCESS.propagate = False
    return app


def extension_routes(specs: Iterable[str]) -> list[BaseRoute]:
    """The routes of extensions named "package.module:function" (a function returning Starlette routes, such as
    the web pages); only modules of this package are imported."""
    import importlib

    routes: list = []
    for spec in specs:
        module, _, name = spec.partition(":")
        if not module.startswith("rules_engine.") or not name.isidentifier():
            raise ValueError(f"not an extension of magicmix: {spec!r}")
        routes.extend(getattr(importlib.import_module(module), name)())
    return routes


def app_from_env() -> Starlette:
    """The app as `magicmix serve` configures it for uvicorn's worker processes (MAGICMIX_SERVE_CONFIG, JSON)."""
    config = json.loads(os.environ["MAGICMIX_SERVE_CONFIG"])
    extra = extension_routes(config.pop("extensions", []))
    return create_app(config.pop("policies"), config.pop("db"), routes=extra, **config)
