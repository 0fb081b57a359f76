"""Shared fixtures: copies of the example policies and a CLI runner."""

from __future__ import annotations

import atexit
import os
import shutil
import signal
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest
from click.testing import CliRunner

from rules_engine.cli import cli

# The policy cache of the whole session (and of the CLI processes it starts) stays out of the user's home.
_CACHE = tempfile.mkdtemp(prefix="magicmix-test-cache-")
os.environ["MAGICMIX_CACHE_DIR"] = _CACHE
atexit.register(shutil.rmtree, _CACHE, True)
# ... and so does the key that authenticates its entries (XDG_CONFIG_HOME/magicmix/cache.key)
_CONFIG = tempfile.mkdtemp(prefix="magicmix-test-config-")
os.environ["XDG_CONFIG_HOME"] = _CONFIG
atexit.register(shutil.rmtree, _CONFIG, True)

ROOT = Path(__file__).resolve().parent.parent
POLICIES = ROOT / "policies"
OB = POLICIES / "openbaar-belang"
DV = POLICIES / "dragend-vragend"


@pytest.fixture
def policy_copy(tmp_path, monkeypatch):
    """A copy of the openbaar-belang policy at ./pol inside a temporary working folder."""
    monkeypatch.chdir(tmp_path)
    shutil.copytree(OB, tmp_path / "pol")
    return tmp_path / "pol"


@pytest.fixture(scope="session")
def built_dist(tmp_path_factory):
    """(sdist, wheel) of this checkout, built once per session by `python -m build` (the wheel from the sdist)."""
    out = tmp_path_factory.mktemp("dist")
    done = subprocess.run([sys.executable, "-m", "build", "--outdir", str(out), str(ROOT)],
                          capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    return next(out.glob("*.tar.gz")), next(out.glob("*.whl"))


def mutate(path: Path, old: str, new: str) -> None:
    """Replace exactly one occurrence of old by new in a file (fails when old is not there once)."""
    text = path.read_text(encoding="utf-8")
    assert text.count(old) == 1, f"{old!r} occurs {text.count(old)} times in {path}"
    path.write_text(text.replace(old, new), encoding="utf-8")


def run(*args: str):
    """Run the CLI in-process; returns click's Result (exit_code, output)."""
    return CliRunner().invoke(cli, [str(a) for a in args], catch_exceptions=False)


HANG_SECONDS = int(os.environ.get("MAGICMIX_TEST_HANG_SECONDS", "300"))


class Hang(BaseException):
    """A test ran past its hang guard. A BaseException, so no `except Exception` in the code under test hides it."""


def pytest_configure(config):
    config.addinivalue_line("markers", "hang_guard(seconds): fail this test when it runs longer than seconds")


@pytest.hookimpl(wrapper=True)
def pytest_runtest_call(item):
    """Hang guard: the alarm is armed only while the test body runs, so it fails that one test and never
    fires inside pytest's own reporting or another test's teardown (which would stop the whole run)."""
    marker = item.get_closest_marker("hang_guard")
    seconds = marker.args[0] if marker else HANG_SECONDS

    def stop(signum, frame):
        raise Hang(f"no answer within {seconds} seconds: a hang")

    old = signal.signal(signal.SIGALRM, stop)
    signal.alarm(seconds)
    try:
        return (yield)
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, old)


__all__ = ["ROOT", "OB", "DV", "mutate", "run", "os"]
