"""The PostgreSQL backend of the service's store: the same SQL as SQLite, through psycopg 3.

Each write is one transaction that first takes a transaction-scoped advisory lock, so chain
appends from any number of threads, workers or servers are serialized; COMMIT returns once
PostgreSQL has the transaction durably in its WAL.
"""

from __future__ import annotations

from .store import Store

CHAIN_LOCK = 0x6D6D6978  # 'mmix': the advisory lock every write of the service takes


class PostgresStore(Store):
    """The store on a PostgreSQL server (postgresql://user@host:port/db)."""

    BLOB = "BYTEA"
    name = "postgresql"

    def _connect(self):
        try:
            import psycopg
        except ImportError as exc:  # the driver is an extra: pip install 'magicmix[postgresql]'
            raise RuntimeError("PostgreSQL needs psycopg: pip install 'magicmix[postgresql]'") from exc
        return psycopg.connect(self.url, autocommit=True, connect_timeout=10)

    def _begin_write(self, conn) -> None:
        conn.execute("BEGIN")
        conn.execute("SELECT pg_advisory_xact_lock(%s)", (CHAIN_LOCK,))

    def _sql(self, sql: str) -> str:
        return sql.replace("?", "%s")
