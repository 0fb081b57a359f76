"""Server-side sessions for the pages: a random id in a cookie, everything else in memory, with expiry.

The cookie holds only the session id (HttpOnly, SameSite=Strict, Secure over https); candidates and
the chosen home stay on the server, so no personal data travels in a URL or a cookie. A session ends
after IDLE_SECONDS without a request and at most MAX_SECONDS after it began. Every session carries
its own CSRF token; a form that does not send it back is refused (see security.py).
"""

from __future__ import annotations

import hmac
import secrets
import threading
import time
from dataclasses import dataclass, field

COOKIE = "mm_session"
IDLE_SECONDS = 30 * 60
MAX_SECONDS = 10 * 60 * 60
MAX_SESSIONS = 10_000  # the oldest go first beyond this: a flood of logins cannot exhaust memory


@dataclass
class Session:
    """One browser's state: who logged in (None before login), the language, the letting in progress."""

    id: str
    csrf: str
    created: float
    seen: float
    lang: str = "nl"
    principal: dict | None = None  # {'token_id', 'role', 'reviewer'} once logged in
    unit: str | None = None
    date: str | None = None
    candidates: list = field(default_factory=list)  # Household, portal order
    ranking: object | None = None  # the Ranking of the candidates for the unit, kept until they change
    pending: dict | None = None  # a decision waiting for its confirmation
    recorded: list = field(default_factory=list)  # review records made in this session (newest last)

    def check_csrf(self, token: str | None) -> bool:
        """Whether a form's token is this session's (constant time)."""
        return bool(token) and hmac.compare_digest(token.encode(), self.csrf.encode())


class SessionStore:
    """Sessions by id, in memory, thread-safe; expired ones are dropped when met and on every new session."""

    def __init__(self, idle: float = IDLE_SECONDS, maximum: float = MAX_SECONDS, clock=time.monotonic):
        self.idle, self.maximum, self.clock = idle, maximum, clock
        self._items: dict[str, Session] = {}
        self._lock = threading.Lock()

    def new(self, lang: str = "nl") -> Session:
        """A fresh anonymous session (a login form needs a CSRF token before anyone logged in)."""
        now = self.clock()
        s = Session(secrets.token_urlsafe(32), secrets.token_urlsafe(32), now, now, lang)
        with self._lock:
            self._sweep(now)
            while len(self._items) >= MAX_SESSIONS:
                self._items.pop(next(iter(self._items)))
            self._items[s.id] = s
        return s

    def get(self, sid: str | None) -> Session | None:
        """The live session with this id (its idle clock restarted), or None."""
        if not sid:
            return None
        now = self.clock()
        with self._lock:
            s = self._items.get(sid)
            if s is None:
                return None
            if self._expired(s, now):
                del self._items[sid]
                return None
            s.seen = now
            return s

    def rotate(self, s: Session) -> Session:
        """The same state under a new id and CSRF token (at login: no session fixation)."""
        with self._lock:
            self._items.pop(s.id, None)
            s.id, s.csrf = secrets.token_urlsafe(32), secrets.token_urlsafe(32)
            s.created = s.seen = self.clock()
            self._items[s.id] = s
        return s

    def end(self, s: Session) -> None:
        """Forget a session (log out)."""
        with self._lock:
            self._items.pop(s.id, None)

    def _expired(self, s: Session, now: float) -> bool:
        return now - s.seen > self.idle or now - s.created > self.maximum

    def _sweep(self, now: float) -> None:
        for sid in [k for k, s in self._items.items() if self._expired(s, now)]:
            del self._items[sid]
