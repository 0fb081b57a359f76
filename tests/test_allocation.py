"""Ranking, reports and the decision log: order with reasons, safe reports, durable appends, replay."""

from __future__ import annotations

import datetime as dt
import json
import os
import random
import re
import shutil
import signal
import subprocess
import sys
import time
from fractions import Fraction
from html.parser import HTMLParser

import pytest

from conftest import OB, ROOT, run
from rules_engine import evaluate, example_occupancy, load_policy
from rules_engine.allocation.decision_log import append_records, decision_record, read_log
from rules_engine.lang.facts import Household
from rules_engine.load.occupancy import composition
from rules_engine.allocation.rank import rank
from rules_engine.allocation.replay import replay_log
from rules_engine.render.report_html import decision_html

D = dt.date(2025, 6, 1)


@pytest.fixture(scope="module")
def program():
    return load_policy(str(OB))


def test_ranking_20_candidates(program):
    # Home ZW-ASN-01-A09 (3 rooms, € 640): aandacht is above the complex ceiling, regulier above the
    # buurt ceiling, an income above € 54.847 (2 persons) exceeds the DAEB limit, 6 persons overcrowd 3 rooms.
    spec = [  # (id, size, income, category) in portal order
        ("p01", 2, 24000, "aandacht"), ("p02", 2, 30000, "actief"), ("p03", 2, 60000, "regulier"),
        ("p04", 1, 26000, "regulier"), ("p05", 3, 33000, "actief"), ("p06", 6, 35000, "actief"),
        ("p07", 2, 27000, "aandacht"), ("p08", 1, 22000, "actief"), ("p09", 2, 58000, "actief"),
        ("p10", 2, 29000, "regulier"), ("p11", 2, 31000, "actief"), ("p12", 1, 20000, "aandacht"),
        ("p13", 3, 36000, "regulier"), ("p14", 2, 25000, "actief"), ("p15", 2, 70000, "aandacht"),
        ("p16", 1, 24000, "regulier"), ("p17", 2, 28000, "actief"), ("p18", 6, 30000, "aandacht"),
        ("p19", 2, 30000, "regulier"), ("p20", 3, 34000, "actief"),
    ]
    hs = [Household(i, s, Fraction(inc), c) for i, s, inc, c in spec]
    r = rank(program, hs, "ZW-ASN-01-A09", composition(program.policy, example_occupancy(program), D))
    # passend (actief, fitting size and income) first in portal order, then ontraden in portal order,
    # niet_toegestaan (DAEB income limit) dropped.
    assert [c.household for c in r.ranked] == [
        "p02", "p05", "p08", "p11", "p14", "p17", "p20",
        "p01", "p04", "p06", "p07", "p10", "p12", "p13", "p16", "p18", "p19"]
    assert [c.rank for c in r.ranked] == list(range(1, 18))
    assert [c.household for c in r.dropped] == ["p03", "p09", "p15"]
    reasons = {c.household: c.reason["en"] for c in r.ranked + r.dropped}
    assert reasons["p02"] == "No rule stands in the way of this letting."
    assert reasons["p01"].startswith("complex-plafond: The share of Needs attention in the complex would become")
    assert reasons["p06"].startswith("woninggrootte: A household of this size (6)")
    assert reasons["p18"].startswith("complex-plafond, woninggrootte: ")
    assert reasons["p03"] == "daeb-inkomensgrens: The income (€60,000) is above the DAEB income limit (€54,847)."


def test_rank_cli_text_and_bad_candidates(tmp_path):
    out = run("rank", OB, "--unit", "ZW-ASN-01-A09", "--candidates", OB / "examples" / "kandidaten.yaml",
              "--date", "2025-06-01", "--top", "1", "--lang", "en")
    assert out.exit_code == 0
    assert re.search(r"^1\s+4\s+kd-04\s+suitable\s+No rule stands in the way of this letting\.$", out.output, re.M)
    assert re.search(r"^-\s+3\s+kd-03\s+not allowed\s+By law \(DAEB income limit\): the income is €61,000, above the "
                     r"DAEB income limit for this household of €54,847\.$", out.output, re.M)
    assert "--- rank 1: kd-04 ---" in out.output
    bad = tmp_path / "c.yaml"
    bad.write_text("candidates:\n  - {id: a1, size: 2, income: 1, category: regulier}\n"
                   "  - {id: a1, size: 1, income: 1, category: regulier}\n")
    out = run("rank", OB, "--unit", "ZW-ASN-01-A09", "--candidates", bad, "--lang", "en")
    assert out.exit_code == 2 and f"{bad}:3:10: duplicate-id: candidate 'a1' occurs twice" in out.output
    bad.write_text("candidates:\n  - {id: a1, size: 2, income: 30000, category: regulier}\n"
                   "  - {id: a2, size: 1, income: 30000, category: kwetsbaar, route: vip}\n")
    out = run("rank", OB, "--unit", "ZW-ASN-01-A09", "--candidates", bad, "--lang", "en")  # once: '<input>' alone
    assert out.exit_code == 2 and f"{bad}:3:48: unknown-category: unknown category 'kwetsbaar'" in out.output
    assert f"{bad}:3:66: invalid-value" in out.output


class _Structure(HTMLParser):
    def __init__(self):
        super().__init__()
        self.tags, self.attrs, self.text = [], [], []

    def handle_starttag(self, tag, attrs):
        self.tags.append(tag)
        self.attrs.extend(attrs)

    def handle_data(self, data):
        self.text.append(data)


def test_html_report_structure_and_privacy(program):
    h = Household("hh-7f3a", 2, Fraction(24500), "aandacht", 41, ("vrouwenopvang", "schuldhulp"))
    page = decision_html(evaluate(program, h, "ZW-ASN-01-A09", D, example_occupancy(program)), "nl")
    p = _Structure()
    p.feed(page)
    assert page.startswith("<!DOCTYPE html>") and '<html lang="nl">' in page
    assert p.tags.count("svg") == 3 and "style" in p.tags and "table" in p.tags
    assert "@media print" in page
    # self-contained: no scripts, no external references of any kind
    assert "script" not in p.tags and "link" not in p.tags and "img" not in p.tags
    assert not [a for a in p.attrs if a[0] in ("src", "href")]
    text = " ".join(p.text)
    assert "hh-7f3a" in text and "Aandacht" in text and "Bovengrens van het complex" in text
    for forbidden in ("vrouwenopvang", "schuldhulp", "41 jaar", "flags", "naam"):
        assert forbidden not in page


@pytest.mark.skipif(not shutil.which("chromium"), reason="Chromium from the system packages is not installed")
def test_html_report_renders_in_headless_chromium(program, tmp_path):
    page = tmp_path / "report.html"
    page.write_text(decision_html(evaluate(program, Household("hh-1", 2, Fraction(24500), "aandacht"),
                                           "ZW-ASN-01-A09", D, example_occupancy(program)), "en"))
    shot = tmp_path / "shot.png"
    subprocess.run(["chromium", "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                    "--disable-background-networking", "--disable-component-update", "--disable-sync",
                    f"--user-data-dir={tmp_path / 'profile'}", "--window-size=1000,1400",
                    f"--screenshot={shot}", page.as_uri()], capture_output=True, timeout=120)
    assert shot.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n" and shot.stat().st_size > 20_000


def test_report_command_writes_atomically_and_refuses_garbage(tmp_path):
    dec = tmp_path / "d.json"
    dec.write_text(run("evaluate", OB, "--unit", "ZW-ASN-01-A09", "--household",
                       OB / "examples/households/aandacht-2p.yaml", "--date", "2025-06-01", "--format", "json").output)
    out = run("report", dec, "-o", tmp_path / "r.html", "--lang", "en")
    assert out.exit_code == 0 and (tmp_path / "r.html").read_text().startswith("<!DOCTYPE html>")
    assert not [f for f in os.listdir(tmp_path) if f.endswith(".tmp")]
    md = run("report", dec, "--format", "markdown")
    assert md.output.startswith("# Advies: ontraden")
    junk = tmp_path / "j.json"
    junk.write_text('{"hello": 1}')
    bad = run("report", junk, "--lang", "en")
    assert bad.exit_code == 2 and "not a magicmix decision or ranking" in bad.output


def _decisions(program, n, seed=3):
    rnd = random.Random(seed)
    occ = example_occupancy(program)
    units = sorted(program.policy.units)
    for i in range(n):
        h = Household(f"hh-{i}", rnd.randint(1, 6), Fraction(rnd.randint(15_000, 65_000)),
                      rnd.choice(program.policy.category_ids))
        date = dt.date(rnd.choice((2024, 2025, 2026)), rnd.randint(1, 12), 1)
        yield evaluate(program, h, rnd.choice(units), date, occ, "occupancy.yaml")


def test_replay_verifies_1000_logged_decisions(program, tmp_path):
    log = str(tmp_path / "decisions.log")
    occ_path = str(OB / "occupancy.yaml")
    records = [decision_record(d, str(OB), log, occ_path, {"command": "test"}) for d in _decisions(program, 1000)]
    append_records(log, records)
    results, warnings = replay_log(log)
    assert len(results) == 1000 and all(r.same for r in results) and not warnings
    # a changed record is found
    lines = open(log).read().splitlines()
    rec = json.loads(lines[10])
    rec["decision"]["deciding_rules"] = ["made-up"]
    lines[10] = json.dumps(rec)
    open(log, "w").write("\n".join(lines) + "\n")
    results, _ = replay_log(log)
    assert [r.decision_id for r in results if not r.same] == [rec["decision_id"]]


def test_replay_tells_texts_worded_otherwise_from_a_different_decision(program, tmp_path):
    log = str(tmp_path / "decisions.log")
    decisions = [d for d in _decisions(program, 60) if d.changes and d.room]
    append_records(log, [decision_record(d, str(OB), log, str(OB / "occupancy.yaml"), {"command": "test"})
                         for d in decisions[:3]])
    lines = open(log).read().splitlines()
    recs = [json.loads(line) for line in lines]
    # as an earlier magicmix worded them: the same decision, its room and change texts in other words
    for rec in recs:
        rec["decision"]["room"][0]["text"]["nl"] = "ruimte voor nog 1 huishouden(s) X"
        rec["decision"]["changes"][0]["text"]["en"] = "Suitable if rule 'x' did not hold, that is if a <= b"
    # ... and in the second record also a room figure that is not the one this letting has
    recs[1]["decision"]["room"][0]["room"] = 99
    open(log, "w").write("\n".join(json.dumps(r) for r in recs) + "\n")
    results, _ = replay_log(log)
    assert [r.same for r in results] == [True, False, True]
    assert results[0].reworded and all(t.startswith(("changes[0].text.en", "room[0].text.nl")) for t in results[0].reworded)
    assert any(d.startswith("room[0].room: 99") for d in results[1].differences)


def test_replay_from_git_without_touching_the_working_tree(tmp_path, monkeypatch):
    repo = tmp_path / "repo"
    shutil.copytree(OB, repo / "policies" / "ob")
    git = ["git", "-c", "user.email=t@example.invalid", "-c", "user.name=t"]
    subprocess.run(git + ["init", "-q", str(repo)], check=True)
    subprocess.run(git + ["-C", str(repo), "add", "."], check=True)
    subprocess.run(git + ["-C", str(repo), "commit", "-qm", "policy"], check=True)
    monkeypatch.chdir(tmp_path)
    out = run("evaluate", repo / "policies" / "ob", "--unit", "ZW-ASN-01-A09", "--household",
              OB / "examples/households/aandacht-2p.yaml", "--date", "2025-06-01", "--log", "d.log")
    assert out.exit_code == 0
    rec = read_log("d.log").records[0]
    assert rec["policy"]["git"]["path"] == "policies/ob" and rec["policy"]["snapshot"] is None
    # change the working tree afterwards: replay still uses the committed version
    (repo / "policies" / "ob" / "policy.yaml").write_text("broken: [")
    replay = run("log", "replay", "d.log", "--verify", "--lang", "en")
    assert replay.exit_code == 0, replay.output
    assert replay.output.strip().endswith("1 same, 0 different (1 decisions)")


def test_override_and_list(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    run("evaluate", OB, "--unit", "ZW-ASN-01-A09", "--household", OB / "examples/households/aandacht-2p.yaml",
        "--date", "2025-06-01", "--log", "d.log")
    did = read_log("d.log").records[0]["decision_id"]
    bad = run("log", "override", "d-nope", "--outcome", "passend", "--reason", "x", "--log", "d.log", "--lang", "en")
    assert bad.exit_code == 2 and "decision 'd-nope' is not in the log" in bad.output
    bad = run("log", "override", did, "--outcome", "ja", "--reason", "x", "--log", "d.log")
    assert bad.exit_code == 2 and "invalid-value" in bad.output
    ok = run("log", "override", did, "--outcome", "passend", "--reason", "begeleiding geregeld", "--log", "d.log")
    assert ok.exit_code == 0
    listed = run("log", "list", "d.log").output
    assert f"{did}" in listed and "ontraden  -> passend (begeleiding geregeld)" in listed


def test_torn_last_line_is_skipped_and_the_next_append_starts_fresh(tmp_path):
    log = str(tmp_path / "d.log")
    append_records(log, [{"type": "note", "n": 1}])
    with open(log, "ab") as fh:
        fh.write(b'{"type": "note", "n": 2, "tru')
    read = read_log(log)
    assert [r["n"] for r in read.records] == [1] and "torn last line skipped" in read.warnings[0]
    append_records(log, [{"type": "note", "n": 3}])
    read = read_log(log)
    assert [r["n"] for r in read.records] == [1, 3] and "unreadable line skipped" in read.warnings[0]


WRITER = """
import sys
sys.path.insert(0, {root!r})
from rules_engine.allocation.decision_log import append_records
log, name, count = sys.argv[1], sys.argv[2], int(sys.argv[3])
for i in range(count):
    append_records(log, [{{"type": "note", "writer": name, "n": i, "pad": "x" * 2000}}])
    print(f"{{name}}-{{i}}", flush=True)  # acknowledged only after the record is on disk
"""


def _writer(tmp_path, log, name, count):
    # One script per writer: rewriting a shared one while another writer starts could hand it an empty file.
    script = tmp_path / f"writer-{name}.py"
    script.write_text(WRITER.format(root=str(ROOT)))
    return subprocess.Popen([sys.executable, str(script), log, name, str(count)], stdout=subprocess.PIPE, text=True)


def test_sigkill_during_appends_loses_nothing_acknowledged(tmp_path):
    log = str(tmp_path / "d.log")
    proc = _writer(tmp_path, log, "w", 100_000)
    acknowledged = []
    deadline = time.time() + 30
    while len(acknowledged) < 300 and time.time() < deadline:
        acknowledged.append(proc.stdout.readline().strip())
    os.kill(proc.pid, signal.SIGKILL)
    rest, _ = proc.communicate(timeout=30)
    acknowledged += [line for line in rest.splitlines() if line]
    read = read_log(log)  # never breaks, whatever the kill left behind
    logged = {f"{r['writer']}-{r['n']}" for r in read.records}
    assert len(acknowledged) >= 300
    assert set(acknowledged) <= logged
    assert len(read.warnings) <= 1


def test_four_concurrent_writers_lose_nothing(tmp_path):
    log = str(tmp_path / "d.log")
    procs = [_writer(tmp_path, log, f"w{k}", 150) for k in range(4)]
    for p in procs:
        p.communicate(timeout=120)
        assert p.returncode == 0
    read = read_log(log)
    assert not read.warnings
    assert sorted((r["writer"], r["n"]) for r in read.records) == sorted(
        (f"w{k}", i) for k in range(4) for i in range(150))
