"""The pages' routes under /app, ready to mount on the service's Starlette app (rules_engine.service.app)."""

from __future__ import annotations

from importlib.resources import files

from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles

from . import decide, pages
from .render import BASE, Backend


class _Static(StaticFiles):
    """The stylesheet and script, with the security headers and a cache lifetime."""

    async def get_response(self, path, scope):
        from .security import secure_headers
        return secure_headers(await super().get_response(path, scope), cache=True)


def backend_of_app(request) -> Backend:
    """The Backend of the service app serving a request, made once per app (its sessions live with it)."""
    state = request.app.state
    backend = getattr(state, "webapp_backend", None)
    if backend is None:
        from .backend import service_backend

        backend = state.webapp_backend = service_backend(state.service, getattr(state, "config", {}))
    return backend


def web_routes() -> list:
    """The pages mounted on `magicmix serve`'s app (create_app(routes=web_routes()) or its extensions)."""
    return page_routes(backend_of_app)


def page_routes(backend_of) -> list:
    """The pages as Starlette routes: one Mount at /app; backend_of(request) gives their Backend."""
    h = {**pages.handlers(backend_of), **decide.handlers(backend_of)}
    static = _Static(directory=str(files("rules_engine.webapp") / "static"))
    return [Mount(BASE, routes=[
        Route("/", h["home"], methods=["GET"]),
        Route("/login", h["login"], methods=["GET", "POST"]),
        Route("/logout", h["logout"], methods=["POST"]),
        Route("/taal", h["switch_language"], methods=["POST"]),
        Route("/vacatures", h["vacatures"], methods=["GET", "POST"]),
        Route("/kandidaten", h["kandidaten"], methods=["GET"]),
        Route("/kandidaten/upload", h["upload"], methods=["POST"]),
        Route("/kandidaten/huishouden", h["add_household"], methods=["POST"]),
        Route("/kandidaten/leeg", h["clear"], methods=["POST"]),
        Route("/kandidaten/controle", h["check_field"], methods=["POST"]),
        Route("/uitleg/{n:int}", h["uitleg"], methods=["GET"]),
        Route("/besluit/{n:int}", h["besluit"], methods=["GET", "POST"]),
        Route("/besluit/{n:int}/bevestig", h["bevestig"], methods=["POST"]),
        Route("/buurten", h["buurten"], methods=["GET"]),
        Mount("/static", static, name="static"),
        Route("/{rest:path}", h["not_found"], methods=["GET"]),  # a page, not problem+json, for a wrong link
    ])]
