"""bench/peers: the rows this project measures itself by decide the workload right, in the harness's own child."""

from __future__ import annotations

import json
import pickle
import subprocess
import sys

import pytest

from conftest import ROOT
from rules_engine.engine import engine_durable

BENCH = ROOT / "bench"


def _count(tmp_path, keys, n=400):
    sys.path.insert(0, str(BENCH))
    try:
        from peers import workload
    finally:
        sys.path.remove(str(BENCH))
    inputs, reference, _ = workload(n)
    data = tmp_path / "inputs.pickle"
    data.write_bytes(pickle.dumps((inputs, reference)))
    out = {}
    for key in keys:
        p = subprocess.run([sys.executable, "-m", "peers.child", key, str(data), "--count-passes", "1"], cwd=BENCH,
                           capture_output=True, text=True, timeout=300)
        assert p.returncode == 0, p.stderr[-2000:]
        out[key] = json.loads(p.stdout.strip().splitlines()[-1])
    return out


def test_the_lean_function_and_decision_only_rows_are_right_on_every_input(tmp_path):
    for key, res in _count(tmp_path, ["plain", "mm-decide"]).items():
        assert res["status"] == "ok" and res["verified"] == 400 and res["mismatches"] == 0, key


@pytest.mark.skipif(engine_durable.unavailable_reason() is not None, reason="durable-rules is not available")
def test_the_durable_rows_are_right_on_every_input(tmp_path):
    for key, res in _count(tmp_path, ["durable", "durable-core", "mm-durable"]).items():
        assert res["status"] == "ok" and res["verified"] == 400 and res["mismatches"] == 0, key
