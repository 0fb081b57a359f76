"""Operating the service: single sign-on through a trusted header only when enabled, graceful shutdown with a
request in flight, and worker processes writing one hash chain."""

from __future__ import annotations

import json
import os
import shutil
import signal
import socket
import threading
import time

import pytest
from click.testing import CliRunner

from conftest import OB
from test_serve import PG_ENV, UNIT, Server, assert_problem, household, new_database
from test_serve_writes import _writer
from rules_engine.cli import cli
from rules_engine.service.store import open_store

pytestmark = pytest.mark.hang_guard(60)


@pytest.fixture
def policy(tmp_path):
    shutil.copytree(OB, tmp_path / "pol")
    return tmp_path / "pol"


def test_only_magicmix_modules_mount_as_extensions(policy):
    from conftest import run

    for spec in ("os:system", "rules_engine.service.app:nothing_here", "rules_engine.nowhere:routes"):
        result = CliRunner().invoke(cli, ["serve", str(policy), "--extension", spec])
        assert result.exit_code == 2 and "--extension" in result.output, result.output
    assert run("serve", "token", "--help").exit_code == 0


def test_trusted_header_only_when_enabled(policy, tmp_path):
    plain = Server([policy], f"sqlite:///{tmp_path / 'a.db'}", tmp_path)
    try:
        with plain.client(None, headers={"X-Remote-User": "mw-5"}) as c:
            assert_problem(c.get("/v1/policies"), 401, "unauthorized")  # not enabled: the header means nothing
    finally:
        plain.stop()
    sso = Server([policy], f"sqlite:///{tmp_path / 'b.db'}", tmp_path,
                 extra=("--trusted-header", "X-Remote-User", "--trusted-role-header", "X-Remote-Role"))
    try:
        body = {"evaluate": {"household": household(), "unit": UNIT}, "followed": True, "reviewer": "mw-5"}
        with sso.client(None, headers={"X-Remote-User": "mw-5"}) as c:
            assert c.get("/v1/policies").status_code == 200
            assert_problem(c.post("/v1/decisions", json=body), 403, "forbidden")  # default role: read
        with sso.client(None, headers={"X-Remote-User": "mw-5", "X-Remote-Role": "decide"}) as c:
            made = c.post("/v1/decisions", json=body)
            assert made.status_code == 201, made.text
            assert made.json()["token_id"] == "sso:mw-5"
        # a form on another site, posted by the browser of a signed-in member of staff (the proxy adds the header)
        with sso.client(None, headers={"X-Remote-User": "mw-5", "X-Remote-Role": "decide"}) as c:
            plain = c.post("/v1/decisions", content=json.dumps(body), headers={"content-type": "text/plain"})
            assert_problem(plain, 415, "unsupported-type")
            for cross in ({"Origin": "https://evil.example"}, {"Sec-Fetch-Site": "cross-site"}):
                assert_problem(c.post("/v1/decisions", json=body, headers=cross), 403, "cross-site")
                assert_problem(c.post("/v1/policies/reload", headers=cross), 403, "cross-site")
            same = c.post("/v1/decisions", json=body, headers={"Sec-Fetch-Site": "same-origin"})
            assert same.status_code == 201, same.text
        with sso.client(None, headers={"X-Remote-User": "Jan Jansen"}) as c:  # not a pseudonymous id
            assert_problem(c.get("/v1/policies"), 401, "unauthorized")
        assert '"token": "sso:mw-5"' in sso.log_text()
    finally:
        sso.stop()


def test_sigterm_lets_the_request_in_flight_finish(policy, tmp_path):
    srv = Server([policy], f"sqlite:///{tmp_path / 'c.db'}", tmp_path)
    body = json.dumps({"household": household(), "unit": UNIT, "date": "2025-06-01"}).encode()
    head = (f"POST /v1/evaluate HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer {srv.tokens['read']}\r\n"
            f"Content-Type: application/json\r\nContent-Length: {len(body)}\r\nConnection: close\r\n\r\n").encode()
    try:
        with socket.create_connection(("127.0.0.1", srv.port), timeout=30) as s:
            s.sendall(head + body[:20])  # the request is in flight: the server waits for the rest of the body
            time.sleep(0.3)
            srv.proc.send_signal(signal.SIGTERM)
            time.sleep(0.5)
            assert srv.proc.poll() is None, "the server stopped with a request in flight"
            s.sendall(body[20:])
            answer = b""
            while chunk := s.recv(65536):
                answer += chunk
        assert answer.startswith(b"HTTP/1.1 200"), answer[:300]
        assert json.loads(answer.split(b"\r\n\r\n", 1)[1])["outcome"] == "ontraden"
        srv.proc.wait(timeout=30)
        with pytest.raises(OSError):  # and then it is gone
            socket.create_connection(("127.0.0.1", srv.port), timeout=2).close()
    finally:
        srv.stop()


def test_worker_processes_write_one_chain(policy, tmp_path):
    srv = Server([policy], f"sqlite:///{tmp_path / 'd.db'}", tmp_path, extra=("--workers", "2"))
    try:
        acked: list = []
        errors: list = []
        threads = [threading.Thread(target=_writer, args=(srv, 6, f"p{k}", acked, errors)) for k in range(4)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        assert errors == [] and len(acked) == 24
        pids = {json.loads(line)["pid"] for line in srv.log_text().splitlines()
                if line.startswith("{") and '"path": "/v1/decisions"' in line}
        assert pids and srv.proc.pid not in pids  # answered by the worker processes, not the supervisor
    finally:
        srv.stop()
    assert open_store(srv.db).verify() == (48, [])


@pytest.mark.skipif(not os.environ.get(PG_ENV), reason=f"no PostgreSQL server ({PG_ENV} not set)")
def test_a_lost_database_is_503_and_the_service_recovers(policy, tmp_path):
    import psycopg

    db = new_database("postgresql", tmp_path)
    srv = Server([policy], db, tmp_path)
    body = {"evaluate": {"household": household(), "unit": UNIT}, "followed": True, "reviewer": "mw-5"}
    admin_dsn = os.environ[PG_ENV]
    name = db.rsplit("/", 1)[1]
    try:
        with srv.client("decide") as c:
            assert c.post("/v1/decisions", json=body).status_code == 201
            with psycopg.connect(admin_dsn, autocommit=True) as conn:  # the database goes away under the service
                conn.execute(f"ALTER DATABASE {name} ALLOW_CONNECTIONS false")
                conn.execute("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = %s", (name,))
            down = c.post("/v1/decisions", json=body)
            assert_problem(down, 503, "unavailable")
            with psycopg.connect(admin_dsn, autocommit=True) as conn:
                conn.execute(f"ALTER DATABASE {name} ALLOW_CONNECTIONS true")
            assert c.post("/v1/decisions", json=body).status_code == 201
    finally:
        srv.stop()
    assert open_store(db).verify() == (4, [])
