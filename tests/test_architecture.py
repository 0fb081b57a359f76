"""The direction of flow: import-linter's layers contract (pyproject.toml) holds, and covers every module."""

from __future__ import annotations

import shutil
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PACKAGE = ROOT / "rules_engine"


def _layers() -> list[list[str]]:
    config = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["tool"]["importlinter"]
    (contract,) = [c for c in config["contracts"] if c["id"] == "pipeline"]
    return [[name.strip() for name in layer.replace("|", ":").split(":")] for layer in contract["layers"]]


def _modules() -> set[str]:
    names = set()
    for path in PACKAGE.rglob("*.py"):
        parts = path.relative_to(ROOT).with_suffix("").parts
        if parts[-1] != "__init__":
            names.add(".".join(parts))
    return names


def test_every_module_stands_in_one_layer():
    listed = [name for layer in _layers() for name in layer]
    assert len(listed) == len(set(listed)), "a module stands in two layers"
    assert set(listed) == _modules(), ("modules missing from the layers in pyproject.toml: "
                                       f"{sorted(_modules() - set(listed))}; listed but absent: "
                                       f"{sorted(set(listed) - _modules())}")


def test_no_module_imports_a_layer_above_it():
    lint = shutil.which("lint-imports", path=str(Path(sys.executable).parent)) or shutil.which("lint-imports")
    if lint is None:
        pytest.skip("import-linter is not installed (pip install '.[test]')")
    res = subprocess.run([lint, "--no-cache"], cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert res.returncode == 0, res.stdout + res.stderr
    assert "1 kept, 0 broken" in res.stdout, res.stdout


def test_the_flat_module_paths_of_before_the_subpackages_still_import():
    # code outside the project (benchmarks, scripts) names them: they are the moved modules, not copies
    import importlib

    from rules_engine.moved import NEW

    for old, new in NEW.items():
        assert importlib.import_module(old) is importlib.import_module(new), old
    from rules_engine.model import Policy, frozen_map  # the policy's names, from the package as before
    assert Policy.__module__ == "rules_engine.model.policy" and callable(frozen_map)
    from rules_engine.load import gc_paused  # and load.py's, from the folder of the same name
    from rules_engine.load.load import gc_paused as same
    assert gc_paused is same
