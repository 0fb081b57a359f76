"""The distributions: the sdist carries what its tests and README need, both pass twine check, the sdist's
own tests run, and the wheel carries every file magicmix init writes."""

from __future__ import annotations

import os
import re
import subprocess
import sys
import tarfile
import zipfile
from pathlib import Path

from conftest import ROOT

SDIST_FOLDERS = ("policies", "docs", "tests", "schemas", "bench")
SDIST_FILES = ("README.md", "pyproject.toml", "cli.py", ".pre-commit-hooks.yaml")


def _checkout_files() -> set[str]:
    """The files of this checkout the sdist must carry (git's list where there is one: no local leftovers)."""
    if (ROOT / ".git").exists():
        listed = subprocess.run(["git", "-C", str(ROOT), "ls-files", "--", *SDIST_FOLDERS, *SDIST_FILES],
                                capture_output=True, text=True, check=True).stdout.splitlines()
        return {f for f in listed if (ROOT / f).exists()}
    return {str(p.relative_to(ROOT)).replace(os.sep, "/") for folder in SDIST_FOLDERS for p in (ROOT / folder).rglob("*")
            if p.is_file() and "__pycache__" not in p.parts and not any(part.startswith(".") for part in p.parts)}


def _sdist_files(sdist: Path) -> set[str]:
    with tarfile.open(sdist) as tar:
        return {m.name.split("/", 1)[1] for m in tar.getmembers() if m.isfile()}


def test_sdist_carries_policies_docs_tests_schemas_and_bench(built_dist):
    sdist, _ = built_dist
    missing = _checkout_files() - _sdist_files(sdist)
    assert not missing, sorted(missing)[:20]


def test_readme_links_resolve_inside_the_sdist(built_dist):
    sdist, _ = built_dist
    files = _sdist_files(sdist)
    links = {m.split("#")[0] for m in re.findall(r"\]\(([^)]+)\)", (ROOT / "README.md").read_text(encoding="utf-8"))
             if "://" not in m and not m.startswith("#")}
    assert links and links <= files, sorted(links - files)


def test_twine_check_passes(built_dist):
    done = subprocess.run([sys.executable, "-m", "twine", "check", "--strict", *map(str, built_dist)],
                          capture_output=True, text=True)
    assert done.returncode == 0, done.stdout + done.stderr


def test_wheel_carries_every_scaffold_file(built_dist):
    _, wheel = built_dist
    names = set(zipfile.ZipFile(wheel).namelist())
    scaffold = {str(p.relative_to(ROOT)).replace(os.sep, "/") for p in (ROOT / "rules_engine/scaffold").rglob("*")
                if p.is_file() and "__pycache__" not in p.parts}
    assert scaffold and scaffold <= names, sorted(scaffold - names)
    assert {"rules_engine/schemas/policy.json", "rules_engine/schemas/testcase.json"} <= names


def test_the_sdist_runs_its_own_tests(built_dist, tmp_path):
    sdist, _ = built_dist
    with tarfile.open(sdist) as tar:
        tar.extractall(tmp_path, filter="data")
    root = next(tmp_path.iterdir())
    env = dict(os.environ, PYTHONPATH=str(root))  # the sdist's rules_engine, not this checkout's
    done = subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "-p", "no:magicmix",
                           "tests/test_policy_tests.py", "-k", "example_policies or pre_commit_hooks or tap_and_json"],
                          cwd=root, env=env, capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-2000:]
    assert "3 passed" in done.stdout
    probe = subprocess.run([sys.executable, "-c", "import rules_engine; print(rules_engine.__file__)"],
                           cwd=tmp_path, env=env, capture_output=True, text=True)
    assert probe.stdout.startswith(str(root))
