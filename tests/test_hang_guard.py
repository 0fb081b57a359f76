"""The hang guard fails the one test that hangs and lets the rest of the run go on."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent

INNER = '''
import time
import pytest


@pytest.mark.hang_guard(1)
def test_busy_forever():
    while True:
        sum(range(1000))


@pytest.mark.hang_guard(1)
def test_sleeps_forever():
    time.sleep(3600)


def test_after_the_hangs():
    assert 1 + 1 == 2
'''


def test_a_hang_fails_one_test_and_the_run_goes_on(tmp_path):
    shutil.copy(HERE / "conftest.py", tmp_path / "conftest.py")
    (tmp_path / "test_inner.py").write_text(INNER, encoding="utf-8")
    res = subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", str(tmp_path)],
                         capture_output=True, text=True, timeout=120, cwd=tmp_path)
    out = res.stdout + res.stderr
    assert res.returncode == 1, out
    assert "2 failed, 1 passed" in out, out
    assert "no answer within 1 seconds: a hang" in out, out
    assert "INTERNALERROR" not in out, out
