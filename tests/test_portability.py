"""Locking and syncing that work where fcntl, os.pread and directory fsync do not exist (as on Windows)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time

import filelock
import pytest

from conftest import OB, ROOT
from rules_engine import atomic
from rules_engine.diagnostics import PolicyError
from rules_engine.file_lock import exclusive, lock_path

# The commands run in a Python without fcntl and os.pread: an import of either fails, as on Windows.
_WITHOUT_POSIX = """
import os, sys
sys.modules["fcntl"] = None
del os.pread
from rules_engine.cli import main
sys.argv = ["magicmix", *sys.argv[1:]]
main()
"""


def _magicmix(*args, cwd):
    env = dict(os.environ, PYTHONPATH=str(ROOT), MAGICMIX_LANG="en")
    return subprocess.run([sys.executable, "-c", _WITHOUT_POSIX, *map(str, args)], capture_output=True, text=True,
                          cwd=cwd, env=env, timeout=120)


def test_log_diff_and_annual_report_work_without_fcntl(tmp_path):
    household = OB / "examples/households/aandacht-2p.yaml"
    steps = [
        ("evaluate", OB, "--unit", "ZW-ASN-01-A09", "--household", household, "--date", "2025-06-01", "--log", "d.log"),
        ("evaluate", OB, "--unit", "ZW-ASN-01-A08", "--household", household, "--date", "2025-06-01", "--log", "d.log"),
        ("log", "list", "d.log"),
        ("log", "replay", "d.log", "--verify"),
        ("diff", OB, OB, "--log", "d.log"),
        ("report", "annual", OB, "--year", "2025", "--occupancy", OB / "examples/bezetting-2024-2025.csv",
         "--log", "d.log", "--format", "markdown"),
    ]
    for step in steps:
        done = _magicmix(*step, cwd=tmp_path)
        assert done.returncode == 0, (step, done.stdout, done.stderr)
        assert "internal error" not in done.stderr and "Traceback" not in done.stderr
    records = [json.loads(line) for line in (tmp_path / "d.log").read_text().splitlines()]
    assert len(records) == 2 and records[1]["prev_hash"] == records[0]["hash"]  # chained: the last record was read
    decision_id = records[0]["decision_id"]
    done = _magicmix("log", "override", decision_id, "--outcome", "passend", "--reason", "begeleiding geregeld",
                     "--log", "d.log", cwd=tmp_path)
    assert done.returncode == 0, done.stderr


def test_the_python_without_fcntl_really_has_none(tmp_path):
    probe = _WITHOUT_POSIX.split("from rules_engine")[0] + "import fcntl\n"
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True)
    assert done.returncode == 1 and ("ModuleNotFoundError" in done.stderr or "ImportError" in done.stderr)


def test_a_held_lock_is_refused_with_a_message_not_waited_on(tmp_path):
    path = str(tmp_path / "d.log")
    holder = subprocess.Popen([sys.executable, "-c", "import filelock, sys, time\n"
                               f"with filelock.FileLock({lock_path(path)!r}):\n"
                               "    print('held', flush=True); time.sleep(30)\n"], stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout.readline().strip() == "held"
        started = time.monotonic()
        with pytest.raises(PolicyError) as caught:
            with exclusive(path, timeout=0.3):
                pass
        assert time.monotonic() - started < 5
        assert caught.value.diagnostics[0].code == "file-locked"
        assert "remove the lock file" in caught.value.diagnostics[0].en
    finally:
        holder.kill()
        holder.wait()
    with exclusive(path, timeout=5):  # free again once the holder is gone
        pass


def test_folder_fsync_and_stale_files_where_processes_cannot_be_asked(tmp_path, monkeypatch):
    stale = tmp_path / f"{atomic.PREFIX}999999-old{atomic.SUFFIX}"
    fresh = tmp_path / f"{atomic.PREFIX}999998-new{atomic.SUFFIX}"
    for path in (stale, fresh):
        path.write_text("half")
    old = time.time() - atomic.STALE_SECONDS - 60
    os.utime(stale, (old, old))
    monkeypatch.setattr(os, "open", lambda *a, **k: pytest.fail("a folder was opened (Windows cannot)"))
    monkeypatch.setattr(os, "kill", lambda *a: pytest.fail("os.kill(pid, 0) sends CTRL_C_EVENT on Windows"))
    monkeypatch.setattr(os, "name", "nt")
    atomic.fsync_directory(str(tmp_path))
    assert atomic.process_gone(999999) is None
    atomic._remove_stale(str(tmp_path))
    monkeypatch.undo()
    assert not stale.exists() and fresh.exists()  # only the old leftover goes


def test_stale_files_of_dead_processes_go_on_posix(tmp_path):
    dead = subprocess.Popen([sys.executable, "-c", "pass"])
    dead.wait()
    leftover = tmp_path / f"{atomic.PREFIX}{dead.pid}-x{atomic.SUFFIX}"
    mine = tmp_path / f"{atomic.PREFIX}{os.getpid()}-x{atomic.SUFFIX}"
    leftover.write_text("half")
    mine.write_text("half")
    atomic.write_text_atomic(str(tmp_path / "out.txt"), "ok")
    assert not leftover.exists() and mine.exists() and (tmp_path / "out.txt").read_text() == "ok"


@pytest.mark.skipif(os.name != "posix", reason="POSIX only")
def test_the_lock_is_a_kernel_lock_here():
    # flock, which the kernel drops when a process dies: a killed writer leaves no lock behind.
    assert filelock.FileLock is filelock.UnixFileLock
