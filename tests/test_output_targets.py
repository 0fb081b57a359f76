"""Where output goes: a pipe or device is written into, never replaced; an input is never overwritten; a file that
is no decision log is never appended to."""

from __future__ import annotations

import os
import stat
import threading

import pytest

from conftest import OB, run

HOUSEHOLD = OB / "examples" / "households" / "aandacht-2p.yaml"
EVALUATE = ("evaluate", str(OB), "--unit", "ZW-ASN-01-A09", "--household", str(HOUSEHOLD), "--date", "2025-06-01")


@pytest.fixture
def decision(tmp_path):
    path = tmp_path / "dec.json"
    r = run(*EVALUATE, "--format", "json", "--output", str(path))
    assert r.exit_code == 0, r.output
    return path


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="no named pipes here")
def test_a_report_into_a_named_pipe_is_written_through_it_and_the_pipe_stays(tmp_path, decision):
    fifo = tmp_path / "out.fifo"
    os.mkfifo(fifo)
    got = []
    reader = threading.Thread(target=lambda: got.append(fifo.read_bytes()))
    reader.start()
    r = run("report", str(decision), "--output", str(fifo))
    reader.join(30)
    assert r.exit_code == 0, r.output
    assert stat.S_ISFIFO(os.stat(fifo).st_mode) and b"<html" in got[0].lower()


def test_dev_null_stays_a_device(decision):
    r = run("report", str(decision), "--output", os.devnull)
    assert r.exit_code == 0 and stat.S_ISCHR(os.stat(os.devnull).st_mode), r.output


def test_an_output_onto_an_input_is_refused_and_the_input_kept(tmp_path, decision):
    before = decision.read_bytes()
    r = run("report", str(decision), "--output", str(decision), "--lang", "en")
    assert r.exit_code == 2 and "output-is-input" in r.output and decision.read_bytes() == before, r.output
    rows = tmp_path / "b.csv"
    rows.write_text("id,size,income,category,unit\nhh-1,2,24500,aandacht,ZW-ASN-01-A09\n", encoding="utf-8")
    kept = rows.read_bytes()
    r = run("evaluate", str(OB), "--batch", str(rows), "--date", "2025-06-01", "--output", str(rows))
    assert r.exit_code == 2 and "output-is-input" in r.output and rows.read_bytes() == kept, r.output


def test_a_folder_as_output_is_an_error_not_a_traceback(tmp_path, decision):
    r = run("report", str(decision), "--output", str(tmp_path))
    assert r.exit_code == 2 and "file-unwritable" in r.output, r.output


def test_a_household_file_given_as_the_log_is_not_appended_to(tmp_path):
    household = tmp_path / "h.yaml"
    household.write_bytes(HOUSEHOLD.read_bytes())
    r = run("evaluate", str(OB), "--unit", "ZW-ASN-01-A09", "--household", str(household), "--date", "2025-06-01",
            "--log", str(household))
    assert r.exit_code == 2 and "h.yaml:1:1: not-a-log" in r.output, r.output
    assert household.read_bytes() == HOUSEHOLD.read_bytes()
    log = tmp_path / "decisions.log"
    for _ in range(2):  # a new log, then one with a record in it
        assert run(*EVALUATE, "--log", str(log)).exit_code == 0
    assert len(log.read_text().splitlines()) == 2


def test_an_unknown_category_or_home_is_named_where_it_is_written(tmp_path):
    household = tmp_path / "h.yaml"
    household.write_text("id: hh-1\nsize: 2\nincome: 24500\ncategory: Aandacht\n", encoding="utf-8")
    r = run("evaluate", str(OB), "--unit", "ZW-ASN-01-A09", "--household", str(household), "--date", "2025-06-01",
            "--lang", "en")
    assert r.exit_code == 2 and "h.yaml:4:11: unknown-category" in r.output and "did you mean 'aandacht'" in r.output
    r = run("evaluate", str(OB), "--unit", "ZW-ASN-01-A9", "--household", str(HOUSEHOLD), "--date", "2025-06-01",
            "--lang", "en")
    assert r.exit_code == 2 and r.output.startswith("--unit: unknown-unit: unknown home 'ZW-ASN-01-A9'"), r.output
    assert "<invoer>" not in r.output
