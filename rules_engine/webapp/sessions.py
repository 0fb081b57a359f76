"""Server-side sessions for the pages: a random id in a cookie, everything else on the server, with expiry.

The cookie holds only the session id (HttpOnly, SameSite=Strict, Secure over https); candidates and
the chosen home stay on the server, so no personal data travels in a URL or a cookie. A session ends
after IDLE_SECONDS without a request and at most MAX_SECONDS after it began. Every session carries
its own CSRF token; a form that does not send it back is refused (see render.page_handler).

Two stores with one interface (new, get, save, rotate, end): MemorySessions for one process, and
SharedSessions, a SQLite file the worker processes of `magicmix serve --workers N` share (a request
may reach any worker). Both drop expired sessions when met and whenever a new one starts.
"""

from __future__ import annotations

import contextlib
import hmac
import json
import os
import secrets
import sqlite3
import threading
import time
from dataclasses import dataclass, field
from fractions import Fraction

from ..lang.facts import Household
from ..render.numbers import exact_text

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
    principal: dict | None = None  # {'token_id', 'role', 'reviewer', 'via'} once logged in
    unit: str | None = None
    date: str | None = None  # the letting date, YYYY-MM-DD
    candidates: list = field(default_factory=list)  # Household, portal order
    pending: dict | None = None  # a decision waiting for its confirmation
    recorded: list = field(default_factory=list)  # what the service answered for the decisions taken (newest last)

    def check_csrf(self, token: str | None) -> bool:
        """Whether a form's token is this session's (constant time)."""
        return bool(token) and hmac.compare_digest(token.encode(), self.csrf.encode())


def _fresh(clock, lang: str) -> Session:
    now = clock()
    return Session(secrets.token_urlsafe(32), secrets.token_urlsafe(32), now, now, lang)


class MemorySessions:
    """Sessions by id in this process's memory, thread-safe (one worker)."""

    def __init__(self, idle: float = IDLE_SECONDS, maximum: float = MAX_SECONDS, clock=time.monotonic):
        self.idle, self.maximum, self.clock = idle, maximum, clock
        self._items: dict[str, Session] = {}
        self._lock = threading.Lock()

    def new(self, lang: str = "nl") -> Session:
        """A fresh anonymous session (a login form needs a CSRF token before anyone logged in)."""
        s = _fresh(self.clock, lang)
        with self._lock:
            now = self.clock()
            for sid in [k for k, v in self._items.items() if self._expired(v, now)]:
                del self._items[sid]
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

    def save(self, s: Session) -> None:
        """Nothing to do: the session object itself is what is kept."""

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


def _household(h: Household) -> dict:
    # every field: a session that dropped one (older, route) would rank the household as another
    return {"id": h.id, "size": h.size, "income": exact_text(h.income), "category": h.category, "age": h.age,
            "flags": list(h.flags), "older": h.older, "route": h.route}


def to_json(s: Session) -> str:
    """A session's state as JSON (exact incomes as text; no Python objects)."""
    return json.dumps({"lang": s.lang, "principal": s.principal, "unit": s.unit, "date": s.date,
                       "candidates": [_household(h) for h in s.candidates], "pending": s.pending,
                       "recorded": s.recorded}, ensure_ascii=False)


def from_json(sid: str, csrf: str, created: float, seen: float, text: str) -> Session:
    """A session from its stored JSON."""
    d = json.loads(text)
    return Session(sid, csrf, created, seen, d["lang"], d["principal"], d["unit"], d["date"],
                   [Household(c["id"], c["size"], Fraction(c["income"]), c["category"], c["age"],
                             tuple(c["flags"]), c.get("older", False), c.get("route"))
                    for c in d["candidates"]], d["pending"], d["recorded"])


class SharedSessions(MemorySessions):
    """Sessions in a SQLite file (WAL) that every worker process on this machine reads and writes."""

    def __init__(self, path: str, idle: float = IDLE_SECONDS, maximum: float = MAX_SECONDS, clock=time.time):
        super().__init__(idle, maximum, clock)
        self.path = path
        self._local = threading.local()
        os.makedirs(os.path.dirname(os.path.abspath(path)), exist_ok=True)
        with self._tx() as db:
            db.execute("CREATE TABLE IF NOT EXISTS sessions (id TEXT PRIMARY KEY, csrf TEXT NOT NULL,"
                       " created REAL NOT NULL, seen REAL NOT NULL, body TEXT NOT NULL)")
        with contextlib.suppress(OSError):
            os.chmod(path, 0o600)  # candidates' incomes: readable by the service's user only

    @contextlib.contextmanager
    def _tx(self):
        db = getattr(self._local, "db", None)
        if db is None:
            db = self._local.db = sqlite3.connect(self.path, timeout=30, isolation_level=None)
            db.execute("PRAGMA journal_mode=WAL")
            db.execute("PRAGMA busy_timeout=30000")
        db.execute("BEGIN IMMEDIATE")
        try:
            yield db
        except BaseException:
            db.execute("ROLLBACK")
            raise
        db.execute("COMMIT")

    def new(self, lang: str = "nl") -> Session:
        """A fresh anonymous session, stored; expired ones (and the oldest beyond MAX_SESSIONS) are dropped."""
        s = _fresh(self.clock, lang)
        now = self.clock()
        with self._tx() as db:
            db.execute("DELETE FROM sessions WHERE seen < ? OR created < ?", (now - self.idle, now - self.maximum))
            db.execute("DELETE FROM sessions WHERE id IN (SELECT id FROM sessions ORDER BY seen DESC LIMIT -1 OFFSET ?)",
                       (MAX_SESSIONS - 1,))
            db.execute("INSERT INTO sessions VALUES (?,?,?,?,?)", (s.id, s.csrf, s.created, s.seen, to_json(s)))
        return s

    def get(self, sid: str | None) -> Session | None:
        """The live session with this id (its idle clock restarted), or None."""
        if not sid or len(sid) > 100:
            return None
        now = self.clock()
        with self._tx() as db:
            row = db.execute("SELECT csrf, created, seen, body FROM sessions WHERE id = ?", (sid,)).fetchone()
            if row is None:
                return None
            s = from_json(sid, row[0], row[1], row[2], row[3])
            if self._expired(s, now):
                db.execute("DELETE FROM sessions WHERE id = ?", (sid,))
                return None
            db.execute("UPDATE sessions SET seen = ? WHERE id = ?", (now, sid))
        s.seen = now
        return s

    def save(self, s: Session) -> None:
        """Store the session's state after a request changed it (a session ended meanwhile stays ended)."""
        with self._tx() as db:
            db.execute("UPDATE sessions SET body = ?, seen = ? WHERE id = ?", (to_json(s), s.seen, s.id))

    def rotate(self, s: Session) -> Session:
        """The same state under a new id and CSRF token (at login: no session fixation)."""
        old = s.id
        s.id, s.csrf = secrets.token_urlsafe(32), secrets.token_urlsafe(32)
        s.created = s.seen = self.clock()
        with self._tx() as db:
            db.execute("DELETE FROM sessions WHERE id = ?", (old,))
            db.execute("INSERT INTO sessions VALUES (?,?,?,?,?)", (s.id, s.csrf, s.created, s.seen, to_json(s)))
        return s

    def end(self, s: Session) -> None:
        """Forget a session (log out)."""
        with self._tx() as db:
            db.execute("DELETE FROM sessions WHERE id = ?", (s.id,))
