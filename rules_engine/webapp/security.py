"""The pages' protections: security headers (a CSP without inline script), the Origin check and the cookie.

Every state-changing request (POST) must come from this site: its Origin header (or, when a browser
sends none, its Referer) must be the site's own origin or one named in `allowed_origins`, and its
form must carry the session's CSRF token. Either failing is a 403, before any handler runs.
"""

from __future__ import annotations

from urllib.parse import urlsplit

from starlette.requests import Request
from starlette.responses import Response

from .sessions import COOKIE, IDLE_SECONDS

CSP = ("default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; "
       "form-action 'self'; frame-ancestors 'none'; base-uri 'none'")

HEADERS = {
    "Content-Security-Policy": CSP,
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
    "X-Frame-Options": "DENY",
    "Cross-Origin-Opener-Policy": "same-origin",
    "Permissions-Policy": "camera=(), microphone=(), geolocation=()",
}


def secure_headers(response: Response, cache: bool = False) -> Response:
    """Add the security headers; pages (which may show candidates) are never cached."""
    for k, v in HEADERS.items():
        response.headers[k] = v
    response.headers["Cache-Control"] = "public, max-age=3600" if cache else "no-store"
    return response


def is_https(request: Request) -> bool:
    """Whether the browser reached us over https (directly, or through a proxy uvicorn trusts)."""
    return request.url.scheme == "https"


def own_origin(request: Request) -> str:
    """scheme://host[:port] of this site as the browser addressed it."""
    return f"{request.url.scheme}://{request.url.netloc}".lower()


def same_origin(request: Request, allowed: tuple[str, ...] = ()) -> bool:
    """Whether a request comes from a page of this site (Origin, else Referer); no header at all is refused."""
    origin = request.headers.get("origin")
    if not origin or origin == "null":
        referer = request.headers.get("referer")
        if not referer:
            return False
        parts = urlsplit(referer)
        origin = f"{parts.scheme}://{parts.netloc}"
    origin = origin.lower().rstrip("/")
    return origin == own_origin(request) or origin in {a.lower().rstrip("/") for a in allowed}


def set_session_cookie(response: Response, request: Request, sid: str, path: str) -> None:
    """The session cookie: HttpOnly, SameSite=Strict, Secure over https, limited to the pages' path."""
    response.set_cookie(COOKIE, sid, max_age=IDLE_SECONDS * 20, path=path, httponly=True, samesite="strict",
                        secure=is_https(request))


def clear_session_cookie(response: Response, request: Request, path: str) -> None:
    """Remove the session cookie (log out)."""
    response.delete_cookie(COOKIE, path=path, httponly=True, samesite="strict", secure=is_https(request))
