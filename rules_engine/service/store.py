"""The service's database: decisions and reviews on one hash chain, occupancy versions and API tokens.

One interface (Store), two backends through the same SQL: SQLite, the embedded default (WAL,
synchronous=FULL: a committed write survives a crash or SIGKILL), and PostgreSQL (store_pg.py).
Chain appends are serialized (BEGIN IMMEDIATE on SQLite, a transaction-scoped advisory lock on
PostgreSQL), so concurrent writers, threads or worker processes, never fork the chain: each record's
prev_hash is the hash of the record committed before it, exactly as in the file log (log_chain.py),
and `export` gives the JSON-lines form that `magicmix log replay --verify` reads.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import hashlib
import hmac
import json
import os
import secrets
import sqlite3
import threading
import time
from typing import Callable, Iterator

from ..allocation.log_chain import GENESIS, HASH, PREV, chain, link, record_hash
from ..lang.records import frozen

TOKEN_SECONDS = 30.0
"""How long a token found valid is trusted without asking the database again."""

ROLES = ("read", "decide", "admin")
"""Token roles, each allowed what the ones before it are: read < decide < admin."""

_SCHEMA = (
    "CREATE TABLE IF NOT EXISTS records (seq BIGINT PRIMARY KEY, kind TEXT NOT NULL, record_id TEXT NOT NULL UNIQUE,"
    " decision_id TEXT NOT NULL, unit TEXT, letting_date TEXT, outcome TEXT, created TEXT NOT NULL,"
    " token_id TEXT NOT NULL, occupancy_version BIGINT, hash TEXT NOT NULL, body TEXT NOT NULL)",
    "CREATE INDEX IF NOT EXISTS records_decision ON records (decision_id)",
    "CREATE INDEX IF NOT EXISTS records_unit ON records (unit, letting_date)",
    "CREATE TABLE IF NOT EXISTS occupancy_versions (version BIGINT PRIMARY KEY, policy TEXT NOT NULL,"
    " format TEXT NOT NULL, content_hash TEXT NOT NULL, created TEXT NOT NULL, token_id TEXT NOT NULL,"
    " content {blob} NOT NULL)",
    "CREATE TABLE IF NOT EXISTS tokens (token_id TEXT PRIMARY KEY, secret_hash TEXT NOT NULL, role TEXT NOT NULL,"
    " created TEXT NOT NULL, label TEXT, created_by TEXT)",
)


class Conflict(Exception):
    """A write that contradicts what is stored (a decision reviewed twice)."""


class NotFound(Exception):
    """A record a write refers to is not stored."""


@frozen
class OccupancyVersion:
    """One uploaded occupancy: its number, policy, file format ('csv', 'xlsx', 'json', 'yaml') and content hash."""

    version: int
    policy: str
    format: str
    content_hash: str
    created: str
    token_id: str


@frozen
class Written:
    """What one chain append stored: the records as chained (with prev_hash and hash)."""

    records: tuple[dict, ...]


def unavailable(exc: BaseException) -> bool:
    """Whether an error is the database's (lost connection, server shut down, locked too long): sqlite3's and
    psycopg's OperationalError and their subclasses."""
    return any(c.__name__ == "OperationalError" for c in type(exc).__mro__)


def now() -> str:
    """The current time in UTC, ISO 8601 with milliseconds."""
    return dt.datetime.now(dt.timezone.utc).isoformat(timespec="milliseconds")


def _digest(secret: str) -> str:
    return "sha256:" + hashlib.sha256(secret.encode("utf-8")).hexdigest()


def _row_meta(record: dict) -> tuple:
    """(kind, record id, decision id, unit, letting date, outcome) of a decision or review record."""
    kind = record["type"]
    if kind == "decision":
        inputs = record["decision"]["inputs"]
        return kind, record["decision_id"], record["decision_id"], inputs["unit"], inputs["date"], record["outcome"]
    return kind, record.get("review_id") or record.get("override_id"), record["decision_id"], None, None, \
        record.get("outcome")


class Store:
    """The database behind the service; this class is the SQLite backend, store_pg.PostgresStore the other.

    Connections are per thread (the server answers requests from a thread pool)."""

    BLOB = "BLOB"
    name = "sqlite"

    def __init__(self, url: str):
        self.url = url
        self._local = threading.local()
        self._valid: dict = {}  # (token id, digest) -> (when checked, (token id, role))
        with self._write():
            for statement in _SCHEMA:
                self._conn().execute(statement.format(blob=self.BLOB))

    # --- backend hooks -------------------------------------------------------------------------

    def _connect(self):
        path = sqlite_path(self.url)
        if os.path.dirname(path):
            os.makedirs(os.path.dirname(path), exist_ok=True)
        if not os.path.exists(path):  # decisions and token hashes: the owner's only (SQLite gives -wal and -shm
            os.close(os.open(path, os.O_WRONLY | os.O_CREAT, 0o600))  # the database file's mode)
        conn = sqlite3.connect(path, isolation_level=None, timeout=60, check_same_thread=False)
        conn.execute("PRAGMA journal_mode=WAL")
        conn.execute("PRAGMA synchronous=FULL")  # in WAL: every commit is fsynced before it returns
        conn.execute("PRAGMA busy_timeout=60000")
        return conn

    def _begin_write(self, conn) -> None:
        conn.execute("BEGIN IMMEDIATE")  # the write lock first: no other writer reads the chain's head meanwhile

    def _sql(self, sql: str) -> str:
        return sql

    # --- plumbing ------------------------------------------------------------------------------

    def _conn(self):
        conn = getattr(self._local, "conn", None)
        if conn is None:
            conn = self._local.conn = self._connect()
        return conn

    def _run(self, sql: str, params: tuple = ()):
        try:
            return self._conn().execute(self._sql(sql), params)
        except Exception as exc:
            if unavailable(exc) and not getattr(self._local, "in_write", False):
                self._drop()  # a lost connection: the next request of this thread connects anew
            raise

    @contextlib.contextmanager
    def _write(self) -> Iterator[None]:
        conn = self._conn()
        try:
            self._begin_write(conn)
        except Exception:
            self._drop()
            raise
        self._local.in_write = True
        try:
            yield
        except BaseException:
            try:
                conn.execute("ROLLBACK")
            except Exception:  # noqa: BLE001 - a connection that cannot roll back is dropped
                self._drop()
            raise
        finally:
            self._local.in_write = False
        try:
            conn.execute("COMMIT")
        except Exception:
            self._drop()
            raise

    def _drop(self) -> None:
        conn = getattr(self._local, "conn", None)
        self._local.conn = None
        if conn is not None:
            with contextlib.suppress(Exception):
                conn.close()

    def close(self) -> None:
        """Close this thread's connection."""
        self._drop()

    # --- the chain -----------------------------------------------------------------------------

    def append(self, build: Callable[[Callable[[str], dict | None]], list[dict]], token_id: str,
               occupancy_version: int | None) -> Written:
        """Chain and store the records build(lookup) returns, in one transaction that holds the write lock.

        build is called under the lock with lookup(record_id) -> stored record or None, so what it checks
        (a decision exists, is not reviewed yet) still holds when its records are committed."""
        with self._write():
            records = build(self._lookup)
            head = self._run("SELECT seq, hash FROM records ORDER BY seq DESC LIMIT 1").fetchone()
            seq, prev = (head[0], head[1]) if head else (0, GENESIS)
            written = chain(records, prev)
            for rec in written:
                seq += 1
                kind, record_id, decision_id, unit, date, outcome = _row_meta(rec)
                self._run("INSERT INTO records (seq, kind, record_id, decision_id, unit, letting_date, outcome,"
                          " created, token_id, occupancy_version, hash, body) VALUES (?,?,?,?,?,?,?,?,?,?,?,?)",
                          (seq, kind, record_id, decision_id, unit, date, outcome, now(), token_id,
                           occupancy_version, rec[HASH], json.dumps(rec, sort_keys=True, ensure_ascii=False)))
        return Written(tuple(written))

    def _lookup(self, record_id: str) -> dict | None:
        row = self._run("SELECT body FROM records WHERE record_id = ?", (record_id,)).fetchone()
        return json.loads(row[0]) if row else None

    def reviews_of(self, decision_id: str) -> list[dict]:
        """The review (and older override) records of one decision, oldest first."""
        rows = self._run("SELECT body FROM records WHERE decision_id = ? AND kind <> 'decision' ORDER BY seq",
                         (decision_id,)).fetchall()
        return [json.loads(r[0]) for r in rows]

    def record(self, record_id: str) -> dict | None:
        """One stored record by its id (decision_id or review_id), or None."""
        return self._lookup(record_id)

    def decisions(self, *, date_from: str | None = None, date_to: str | None = None, unit: str | None = None,
                  outcome: str | None = None, limit: int = 100, after: int = 0) -> list[dict]:
        """Decisions (with their review, if any), oldest first, filtered by letting date range, home and advice."""
        where, params = ["kind = 'decision'", "seq > ?"], [after]
        for clause, value in (("letting_date >= ?", date_from), ("letting_date <= ?", date_to), ("unit = ?", unit),
                              ("outcome = ?", outcome)):
            if value is not None:
                where.append(clause)
                params.append(value)
        rows = self._run(f"SELECT seq, body, token_id, occupancy_version FROM records WHERE {' AND '.join(where)}"
                         " ORDER BY seq LIMIT ?", (*params, limit)).fetchall()
        reviews: dict = {}
        ids = [json.loads(r[1])["decision_id"] for r in rows]
        for start in range(0, len(ids), 500):
            part = ids[start:start + 500]
            for (body,) in self._run("SELECT body FROM records WHERE kind <> 'decision' AND decision_id IN ("
                                     + ",".join("?" * len(part)) + ") ORDER BY seq", tuple(part)).fetchall():
                rec = json.loads(body)
                reviews[rec["decision_id"]] = rec
        return [{"seq": seq, "record": json.loads(body), "token_id": token, "occupancy_version": version,
                 "review": reviews.get(json.loads(body)["decision_id"])} for seq, body, token, version in rows]

    def export(self) -> Iterator[dict]:
        """Every record in chain order, as the file log holds them."""
        last = 0
        while True:
            rows = self._run("SELECT seq, body FROM records WHERE seq > ? ORDER BY seq LIMIT 1000", (last,)).fetchall()
            if not rows:
                return
            for seq, body in rows:
                yield json.loads(body)
            last = rows[-1][0]

    def count(self, kind: str | None = None) -> int:
        """The number of stored records (of one kind)."""
        if kind is None:
            return self._run("SELECT COUNT(*) FROM records").fetchone()[0]
        return self._run("SELECT COUNT(*) FROM records WHERE kind = ?", (kind,)).fetchone()[0]

    def verify(self) -> tuple[int, list[int]]:
        """Check the whole chain: (records, sequence numbers of records whose hash or link is wrong)."""
        prev, bad, n = GENESIS, [], 0
        for n, rec in enumerate(self.export(), 1):
            if rec.get(HASH) != record_hash(rec) or rec.get(PREV) != prev:
                bad.append(n)
            prev = link(rec)
        return n, bad

    # --- occupancy versions --------------------------------------------------------------------

    def add_occupancy(self, policy: str, fmt: str, content: bytes, token_id: str) -> OccupancyVersion:
        """Store a checked occupancy upload as the policy's newest version."""
        digest = "sha256:" + hashlib.sha256(content).hexdigest()
        created = now()
        with self._write():
            head = self._run("SELECT MAX(version) FROM occupancy_versions").fetchone()[0]
            version = (head or 0) + 1
            self._run("INSERT INTO occupancy_versions (version, policy, format, content_hash, created, token_id,"
                      " content) VALUES (?,?,?,?,?,?,?)", (version, policy, fmt, digest, created, token_id, content))
        return OccupancyVersion(version, policy, fmt, digest, created, token_id)

    def occupancy_head(self, policy: str) -> OccupancyVersion | None:
        """The newest occupancy version of a policy, or None (then the policy's own occupancy.yaml is used)."""
        row = self._run("SELECT version, policy, format, content_hash, created, token_id FROM occupancy_versions"
                        " WHERE policy = ? ORDER BY version DESC LIMIT 1", (policy,)).fetchone()
        return OccupancyVersion(*row) if row else None

    def occupancy_content(self, version: int) -> bytes:
        """The bytes of one occupancy version."""
        return bytes(self._run("SELECT content FROM occupancy_versions WHERE version = ?", (version,)).fetchone()[0])

    # --- tokens --------------------------------------------------------------------------------

    def create_token(self, role: str, label: str | None = None, created_by: str | None = None) -> tuple[str, str]:
        """A new API token of a role: (token id, the token itself). Only its sha256 is stored, with the token that
        made it (None: `magicmix serve token create`)."""
        if role not in ROLES:
            raise ValueError(role)
        token_id = "t-" + secrets.token_hex(6)
        secret = secrets.token_urlsafe(32)
        with self._write():
            self._run("INSERT INTO tokens (token_id, secret_hash, role, created, label, created_by)"
                      " VALUES (?,?,?,?,?,?)", (token_id, _digest(secret), role, now(), label, created_by))
        return token_id, f"{token_id}.{secret}"

    def token_maker(self, token_id: str) -> str | None:
        """The token id that made a token (None: made on the command line)."""
        row = self._run("SELECT created_by FROM tokens WHERE token_id = ?", (token_id,)).fetchone()
        return row[0] if row else None

    def check_token(self, token: str) -> tuple[str, str] | None:
        """(token id, role) of a valid token, else None; the secret is compared in constant time.

        A token found valid is trusted for TOKEN_SECONDS without asking the database again (kept by its hash)."""
        token_id, _, secret = token.partition(".")
        if not token_id.startswith("t-") or not secret or len(token) > 200:
            return None
        digest = _digest(secret)
        known = self._valid.get((token_id, digest))
        if known is not None and time.monotonic() - known[0] < TOKEN_SECONDS:
            return known[1]
        row = self._run("SELECT secret_hash, role FROM tokens WHERE token_id = ?", (token_id,)).fetchone()
        if row is None:
            hmac.compare_digest(digest, _digest(""))  # the same work whether or not the id exists
            return None
        if not hmac.compare_digest(digest, row[0]):
            return None
        if len(self._valid) > 10_000:
            self._valid.clear()
        self._valid[(token_id, digest)] = (time.monotonic(), (token_id, row[1]))
        return token_id, row[1]


def sqlite_path(url: str) -> str:
    """The file of a sqlite:///path URL (or a plain path)."""
    if url.startswith("sqlite:///"):
        return url[len("sqlite:///"):]  # sqlite:///relative/path, sqlite:////absolute/path
    return url


def open_store(url: str) -> Store:
    """The store for a database URL: postgresql://... (or postgres://) or sqlite:///path (or a plain file path)."""
    if url.startswith(("postgresql://", "postgres://")):
        from .store_pg import PostgresStore

        return PostgresStore(url)
    return Store(url)
