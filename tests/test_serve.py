"""The decision service over real HTTP: `magicmix serve` started as a process on a free loopback port.

Every endpoint, the answers equal to the CLI's JSON, access control, problem+json with the field's path,
and the OpenAPI document checked by a real validator. Helpers here are used by test_serve_writes.py too.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
import uuid
from pathlib import Path

import httpx
import pytest
import yaml

from conftest import OB, run

ROOT = Path(__file__).resolve().parent.parent
CLI = [sys.executable, str(ROOT / "cli.py")]
PG_ENV = "MAGICMIX_TEST_PG"


def free_port() -> int:
    """A TCP port nobody listens on at 127.0.0.1 now."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def new_database(kind: str, tmp_path: Path) -> str:
    """A fresh, empty database URL: a SQLite file, or a new database on the test PostgreSQL server."""
    if kind == "sqlite":
        return f"sqlite:///{tmp_path / 'service.db'}"
    import psycopg

    dsn = os.environ[PG_ENV]
    name = "mm_" + uuid.uuid4().hex[:12]
    with psycopg.connect(dsn, autocommit=True) as conn:
        conn.execute(f"CREATE DATABASE {name}")
    return dsn.rsplit("/", 1)[0] + "/" + name


def create_token(db: str, role: str) -> str:
    """A token made by `magicmix serve token create` (printed once, on stdout)."""
    done = subprocess.run([*CLI, "serve", "token", "create", "--role", role, "--db", db], capture_output=True,
                          text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    return done.stdout.strip()


class Server:
    """A running `magicmix serve` process and HTTP clients for it, one per role."""

    def __init__(self, policies: list[Path], db: str, workdir: Path, extra: tuple = (), cli_tokens: bool = False):
        self.db, self.port, self.workdir = db, free_port(), workdir
        self.policy = str(policies[0])
        if cli_tokens:  # through `magicmix serve token create`; else straight from the store (quicker)
            self.tokens = {role: create_token(db, role) for role in ("read", "decide", "admin")}
        else:
            from rules_engine.service.store import open_store

            store = open_store(db)
            self.tokens = {role: store.create_token(role)[1] for role in ("read", "decide", "admin")}
            store.close()
        self.log = open(workdir / f"server-{self.port}.log", "wb")
        self.proc = subprocess.Popen([*CLI, "serve", *map(str, policies), "--port", str(self.port), "--db", db,
                                      *extra], cwd=workdir, stdout=self.log, stderr=subprocess.STDOUT)
        self.url = f"http://127.0.0.1:{self.port}"
        deadline = time.monotonic() + 30
        while True:
            try:
                if httpx.get(self.url + "/healthz", timeout=2).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            assert self.proc.poll() is None, self.log_text()
            assert time.monotonic() < deadline, "the server did not start: " + self.log_text()
            time.sleep(0.1)

    def client(self, role: str | None = "read", headers: dict | None = None) -> httpx.Client:
        """A client with the token of a role (None: no token) and perhaps more headers."""
        auth = {"Authorization": f"Bearer {self.tokens[role]}"} if role else {}
        return httpx.Client(base_url=self.url, headers={**auth, **(headers or {})}, timeout=30)

    def log_text(self) -> str:
        """What the server wrote (its access log and errors)."""
        if not self.log.closed:
            self.log.flush()
        return (self.workdir / f"server-{self.port}.log").read_text(errors="replace")

    def kill(self) -> None:
        """SIGKILL: no shutdown at all."""
        self.proc.send_signal(signal.SIGKILL)
        self.proc.wait(timeout=30)

    def stop(self) -> int:
        """SIGTERM (graceful shutdown); returns the exit code."""
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        self.log.close()
        return self.proc.returncode


DATABASES = ["sqlite", pytest.param("postgresql", marks=pytest.mark.skipif(
    not os.environ.get(PG_ENV), reason=f"no PostgreSQL server ({PG_ENV} not set; .ci/run starts one)"))]
UNIT = "ZW-ASN-01-A09"
HOUSEHOLD = OB / "examples" / "households" / "aandacht-2p.yaml"
CANDIDATES = OB / "examples" / "kandidaten.yaml"


def household() -> dict:
    """The README example's household as request data."""
    return yaml.safe_load(HOUSEHOLD.read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    """One server on SQLite with a copy of the example policy, for the read-only tests."""
    work = tmp_path_factory.mktemp("serve")
    shutil.copytree(OB, work / "pol")
    srv = Server([work / "pol"], f"sqlite:///{work / 'service.db'}", work, cli_tokens=True)
    yield srv
    assert srv.stop() in (0, -signal.SIGTERM), srv.log_text()  # uvicorn ends on the signal it shut down for


def cli_json(*args) -> dict:
    """What the CLI prints with --format json."""
    result = run(*args, "--format", "json")
    assert result.exit_code == 0, result.output
    return json.loads(result.output)


def assert_problem(response, status: int, code: str, pointer: str | None = None) -> dict:
    """A problem+json answer of this status and code (with the field's pointer), and no stack trace."""
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith("application/problem+json")
    doc = response.json()
    assert doc["status"] == status and doc["code"] == code, doc
    assert doc["title"] and doc["message"]["nl"] and doc["message"]["en"]
    assert "Traceback" not in response.text and ".py" not in response.text
    if pointer is not None:
        assert pointer in [e.get("pointer") for e in doc["errors"]], doc
    return doc


pytestmark = pytest.mark.hang_guard(60)


def test_evaluate_answers_what_the_cli_prints(server):
    with server.client("read") as c:
        r = c.post("/v1/evaluate", json={"household": household(), "unit": UNIT, "date": "2025-06-01"})
    assert r.status_code == 200, r.text
    assert r.headers["magicmix-occupancy-version"] == "0"
    expected = cli_json("evaluate", server.policy, "--unit", UNIT, "--household", str(HOUSEHOLD), "--date", "2025-06-01")
    assert r.json() == expected
    assert r.json()["outcome"] == "ontraden"


def test_an_income_finer_than_a_cent_is_refused_not_rounded(server):
    # decided above a limit of 54847 it would be explained as EUR 54.847,00 > EUR 54.847
    body = json.dumps({"household": {**household(), "income": "INCOME"}, "unit": UNIT, "date": "2025-06-01"})
    with server.client("read") as c:
        r = c.post("/v1/evaluate", content=body.replace('"INCOME"', "54847.0000000000000001"),
                   headers={"content-type": "application/json"})
    doc = assert_problem(r, 422, r.json().get("code"), "/household/income")
    assert "finer-than-cents" in json.dumps(doc) and "54847.0000000000000001" in json.dumps(doc)


def test_rank_answers_what_the_cli_prints(server):
    candidates = yaml.safe_load(CANDIDATES.read_text(encoding="utf-8"))["candidates"]
    with server.client("read") as c:
        r = c.post("/v1/rank", json={"unit": UNIT, "date": "2025-06-01", "candidates": candidates})
    assert r.status_code == 200, r.text
    expected = cli_json("rank", server.policy, "--unit", UNIT, "--candidates", str(CANDIDATES), "--date", "2025-06-01")
    assert r.json() == expected
    assert len(r.json()["ranked"]) + len(r.json()["dropped"]) == len(candidates)


def test_households_that_live_in_the_stock_are_named_in_a_header(server):
    # hh-0001 lives in ZW-ASN-01-A01 from 2023 on and hh-0029 in ZW-ASN-02-104 (the example occupancy): their advice
    # still counts that home as occupied, as evaluate and rank say beside it
    with server.client("read") as c:
        mover = c.post("/v1/evaluate", json={"household": {**household(), "id": "hh-0001"}, "unit": UNIT,
                                            "date": "2025-06-01"})
        before = c.post("/v1/evaluate", json={"household": {**household(), "id": "hh-0001"}, "unit": UNIT,
                                             "date": "2022-06-01"})
        newcomer = c.post("/v1/evaluate", json={"household": household(), "unit": UNIT, "date": "2025-06-01"})
        candidates = [{**household(), "id": i} for i in ("kd-1", "hh-0029", "kd-2", "hh-0001")]
        ranked = c.post("/v1/rank", json={"unit": UNIT, "date": "2025-06-01", "candidates": candidates})
    assert mover.status_code == 200 and mover.headers["magicmix-lives-in"] == "hh-0001=ZW-ASN-01-A01"
    assert mover.headers["magicmix-lives-in-count"] == "1"
    assert mover.json() == newcomer.json() | {"inputs": {**newcomer.json()["inputs"], "household": {
        **newcomer.json()["inputs"]["household"], "id": "hh-0001"}}}  # the record itself is unchanged
    assert before.status_code == 200 and "magicmix-lives-in" not in before.headers  # not yet living there
    assert newcomer.status_code == 200 and "magicmix-lives-in" not in newcomer.headers
    assert ranked.status_code == 200
    assert ranked.headers["magicmix-lives-in"] == "hh-0029=ZW-ASN-02-104, hh-0001=ZW-ASN-01-A01"
    assert ranked.headers["magicmix-lives-in-count"] == "2"


def test_the_homes_index_says_what_current_homes_says():
    import datetime as dt

    from rules_engine.api import example_occupancy, load_policy
    from rules_engine.load.movers import HomesIndex, current_homes

    program = load_policy(OB)
    occ = example_occupancy(program)
    ids = sorted({r.household for rows in occ.by_unit.values() for r in rows if r.household}) + ["nobody"]
    index = HomesIndex(occ)
    for date in (dt.date(2022, 1, 1), dt.date(2023, 1, 1), dt.date(2024, 7, 1), dt.date(2025, 6, 1)):
        assert {h: index.on(h, date) for h in ids if index.on(h, date)} == current_homes(occ, date, ids)


def test_room_and_status_answer_what_the_cli_prints(server):
    with server.client("read") as c:
        room = c.get("/v1/room/ZW-ASN-01", params={"date": "2025-06-01"})
        status = c.get("/v1/status", params=[("level", "buurt"), ("only_out", "true"), ("date", "2025-06-01")])
        unknown = c.get("/v1/room/ZW-NOPE", params={"lang": "en"})
        bad_level = c.get("/v1/status", params={"level": "wijkje"})
        misspelt = c.get("/v1/status", params={"levle": "buurt", "lang": "en"})  # it answered every level
        misspelt_list = c.get("/v1/decisions", params={"outcom": "ontraden"})
        twice = c.get("/v1/room/ZW-ASN-01", params=[("date", "2025-06-01"), ("date", "2030-01-01")])
        dutch = c.get("/v1/status", params={"level": "buurt", "only_out": "ja", "date": "2025-06-01"})
        vague = c.get("/v1/status", params={"only_out": "yes"})
    assert_problem(twice, 422, "duplicate-parameter", "/date")  # it answered for the last date given
    assert dutch.status_code == 200 and dutch.json() == status.json()
    assert_problem(vague, 422, "invalid-value", "/only_out")
    assert_problem(misspelt, 422, "unknown-key", "/levle")
    assert "did you mean 'level'" in misspelt.json()["detail"]
    assert_problem(misspelt_list, 422, "unknown-key", "/outcom")
    assert room.status_code == 200 and status.status_code == 200, room.text + status.text
    assert room.json() == cli_json("room", server.policy, "--complex", "ZW-ASN-01", "--date", "2025-06-01")
    assert status.json() == cli_json("status", server.policy, "--level", "buurt", "--only-out", "--date", "2025-06-01")
    assert {g["level"] for g in status.json()["groups"]} <= {"buurt"}
    doc = assert_problem(unknown, 404, "unknown-complex")
    assert doc["detail"].startswith("unknown complex 'ZW-NOPE'")
    assert_problem(bad_level, 422, "unknown-level", "/level")


def test_policies_health_and_reload(server):
    with server.client("read") as c:
        listed = c.get("/v1/policies").json()["policies"]
        assert_problem(c.post("/v1/policies/reload"), 403, "forbidden")
    assert [p["id"] for p in listed] == ["openbaar-belang"] and listed[0]["content_hash"].startswith("sha256:")
    policy = server.workdir / "pol" / "policy.yaml"
    text = policy.read_text(encoding="utf-8")
    policy.write_text(text.replace("version: 1.0.0", "version: 1.0.1"), encoding="utf-8")
    try:
        with server.client("admin") as c:
            reloaded = c.post("/v1/policies/reload")
            assert reloaded.status_code == 200, reloaded.text
            assert reloaded.json()["policies"][0]["version"] == "1.0.1"
            assert c.get("/v1/policies").json()["policies"][0]["content_hash"] != listed[0]["content_hash"]
            policy.write_text(text.replace("categories:", "categorieen:"), encoding="utf-8")
            broken = c.post("/v1/policies/reload")  # a broken policy is refused; the one loaded stays
            assert broken.status_code == 422 and "policy.yaml" in broken.text, broken.text
            assert c.get("/v1/policies").json()["policies"][0]["version"] == "1.0.1"
    finally:
        policy.write_text(text, encoding="utf-8")
        with server.client("admin") as c:
            assert c.post("/v1/policies/reload").status_code == 200
    health = httpx.get(server.url + "/healthz")
    assert health.status_code == 200 and health.json()["status"] == "ok"


def test_openapi_document_is_valid_openapi_3_1(server):
    from openapi_spec_validator import validate

    doc = httpx.get(server.url + "/openapi.json").json()
    assert doc["openapi"].startswith("3.1")
    validate(doc)
    for path in ("/v1/evaluate", "/v1/rank", "/v1/room/{complex_id}", "/v1/status", "/v1/decisions",
                 "/v1/occupancy", "/v1/policies", "/v1/policies/reload", "/v1/tokens", "/healthz"):
        assert path in doc["paths"], path
    household_schema = json.loads((ROOT / "schemas" / "household.json").read_text())
    assert doc["components"]["schemas"]["household"]["properties"]["income"] == household_schema["properties"]["income"]


def test_no_token_is_401_and_a_read_token_may_not_decide(server):
    body = {"evaluate": {"household": household(), "unit": UNIT}, "followed": True, "reviewer": "mw-1"}
    with server.client(None) as c:
        r = c.post("/v1/evaluate", json={"household": household(), "unit": UNIT})
        assert_problem(r, 401, "unauthorized")
        assert r.headers["www-authenticate"].startswith("Bearer")
    with server.client(None, headers={"Authorization": "Bearer t-000000000000.wrong"}) as c:
        assert_problem(c.get("/v1/policies"), 401, "unauthorized")
    forged = server.tokens["admin"][:-2] + ("xx" if not server.tokens["admin"].endswith("xx") else "yy")
    with server.client(None, headers={"Authorization": f"Bearer {forged}"}) as c:
        assert_problem(c.get("/v1/policies"), 401, "unauthorized")
    with server.client("read") as c:
        doc = assert_problem(c.post("/v1/decisions", json=body), 403, "forbidden")
        assert "decide" in doc["detail"]
        assert_problem(c.put("/v1/occupancy", content=b"x", headers={"content-type": "text/csv"}), 403, "forbidden")
        assert_problem(c.post("/v1/evaluate", json={"household": household(), "unit": UNIT, "log": True}), 403,
                       "forbidden")
    with server.client("decide") as c:
        assert_problem(c.put("/v1/occupancy", content=b"x", headers={"content-type": "text/csv"}), 403, "forbidden")
        assert_problem(c.post("/v1/tokens", json={"role": "admin"}), 403, "forbidden")
    with server.client("admin") as c:
        made = c.post("/v1/tokens", json={"role": "read", "label": "portaal"})
        assert made.status_code == 201 and made.json()["role"] == "read", made.text
        from rules_engine.service.store import open_store

        assert open_store(server.db).token_maker(made.json()["token_id"]) == server.tokens["admin"].split(".")[0]
        assert_problem(c.post("/v1/tokens", json={"role": "root"}), 422, "invalid-value", "/role")
    with server.client(None, headers={"Authorization": f"Bearer {made.json()['token']}"}) as c:
        assert c.get("/v1/policies").status_code == 200
        assert_problem(c.post("/v1/tokens", json={"role": "admin"}), 403, "forbidden")
    log = server.log_text()
    assert '"status": 401' in log and '"status": 403' in log and server.tokens["read"] not in log


def test_malformed_bodies_get_problem_json_with_the_field_path(server):
    h = household()
    with server.client("read") as c:
        wrong = c.post("/v1/evaluate", json={"household": {**h, "income": "veel"}, "unit": UNIT})
        doc = assert_problem(wrong, 422, "wrong-type", "/household/income")
        assert doc["title"].startswith("verwacht")  # Dutch first
        english = c.post("/v1/evaluate?lang=en", json={"household": {**h, "extra": 1}, "unit": UNIT})
        assert assert_problem(english, 422, "unknown-key", "/household/extra")["title"] == "unknown key 'extra'"
        accept = c.post("/v1/rank", json={"unit": UNIT, "candidates": [{**h, "size": 0}]},
                        headers={"Accept-Language": "en-GB,en;q=0.9,nl;q=0.5"})
        assert assert_problem(accept, 422, "out-of-range", "/candidates/0/size")["title"] == "0 is out of range (>= 1)"
        near = c.post("/v1/evaluate?lang=en", json={"household": {**h, "incomes": 1}, "unit": UNIT})
        assert_problem(near, 422, "unknown-key", "/household/incomes")  # not the 'income' it suggests
        missing = c.post("/v1/evaluate", json={"household": h})
        assert_problem(missing, 422, "missing-key")
        cut = assert_problem(c.post("/v1/evaluate", content=b'{"household": '), 400, "bad-json")
        assert cut["message"]["nl"] == "geen geldige JSON: hier wordt een waarde verwacht (regel 1, kolom 15)", cut
        assert cut["message"]["en"] == "not valid JSON: Expecting value (line 1, column 15)", cut
        quotes = assert_problem(c.post("/v1/evaluate", content=b"{'unit': 1}"), 400, "bad-json")
        assert "sleutel tussen dubbele aanhalingstekens" in quotes["message"]["nl"], quotes
        latin1 = json.dumps({"household": {**h, "id": "Zoë"}, "unit": UNIT}, ensure_ascii=False).encode("latin-1")
        body = assert_problem(c.post("/v1/evaluate", content=latin1), 400, "bad-json")
        at = latin1.index("ë".encode("latin-1")) + 1
        assert body["message"]["nl"] == (f"geen geldige JSON: de tekst is geen UTF-8 (byte {at}): stuur het verzoek "
                                         "als UTF-8")
        assert body["message"]["en"].startswith(f"not valid JSON: the text is not UTF-8 (byte {at})"), body
        assert_problem(c.post("/v1/evaluate", content=b"[" * 5000 + b"]" * 5000), 400, "bad-json")
        assert_problem(c.post("/v1/evaluate", json={"household": h, "unit": "ZW-NOPE"}), 422, "unknown-unit", "/unit")
        assert_problem(c.post("/v1/evaluate", json={"household": {**h, "category": "zzz"}, "unit": UNIT}), 422,
                       "unknown-category", "/household/category")
        date = c.post("/v1/evaluate", json={"household": h, "unit": UNIT, "date": "2025-02-30"})
        assert_problem(date, 422, "invalid-date", "/date")
        twice = c.post("/v1/rank", json={"unit": UNIT, "candidates": [h, h]})
        assert_problem(twice, 422, "duplicate-id", "/candidates/1/id")
        many = c.post("/v1/rank", json={"unit": UNIT, "candidates": [{**h, "id": f"c{i}"} for i in range(1001)]})
        assert_problem(many, 422, "too-many", "/candidates")
        huge = c.post("/v1/evaluate", content=b" " * (3 * 1024 * 1024), headers={"content-type": "application/json"})
        assert_problem(huge, 413, "too-large")
        assert_problem(c.get("/v1/nothing-here"), 404, "not-found")
        assert_problem(c.delete("/v1/evaluate"), 405, "method-not-allowed")


def test_counts_instead_of_stored_occupancy(server):
    h = household()
    with server.client("read") as c:
        stored = c.post("/v1/evaluate", json={"household": h, "unit": UNIT, "date": "2025-06-01"}).json()
        # the stored complex less 4 regulier and 6 aandacht and one actief more, and its buurt as much
        emptier = c.post("/v1/evaluate", json={"household": h, "unit": UNIT, "date": "2025-06-01", "counts": {
            "complex": {"regulier": 10, "aandacht": 3, "actief": 3}, "buurt": {"regulier": 23, "aandacht": 9, "actief": 7}}})
        # the stored portiek holds 3 aandacht, so its complex cannot hold none; nor can a complex of 16 households
        # leave 32 of the buurt's 48 in its other 28 homes
        below_portiek = c.post("/v1/evaluate", json={"household": h, "unit": UNIT, "date": "2025-06-01",
                                                     "counts": {"complex": {"regulier": 20, "aandacht": 0, "actief": 5}}})
        buurt_overfull = c.post("/v1/evaluate", json={"household": h, "unit": UNIT, "date": "2025-06-01", "counts": {
            "complex": {"regulier": 10, "aandacht": 3, "actief": 3}}})
        too_many = c.post("/v1/evaluate", json={"household": h, "unit": UNIT,
                                                "counts": {"portiek": {"regulier": 10000}}})
        bad_level = c.post("/v1/evaluate", json={"household": h, "unit": UNIT, "counts": {"wijkje": {"regulier": 1}}})
    assert stored["outcome"] == "ontraden" and "complex-plafond" in stored["deciding_rules"]
    assert emptier.status_code == 200, emptier.text
    assert "complex-plafond" not in emptier.json()["deciding_rules"]
    assert emptier.json()["inputs"]["occupancy"] == "counts"
    assert_problem(too_many, 422, "bad-input")
    assert "only 0" in assert_problem(below_portiek, 422, "bad-input")["message"]["en"]
    assert "32 households outside complex" in assert_problem(buurt_overfull, 422, "bad-input")["message"]["en"]
    assert_problem(bad_level, 422, "unknown-level")
