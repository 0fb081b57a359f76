"""`magicmix init`: scaffold a new policy repository (written to a temporary folder, then moved in place)."""

from __future__ import annotations

import os
import shutil
import tempfile
from importlib import resources

from .diagnostics import PolicyError, make
from .schemas_check import KINDS, schema_text

# Files in the package's scaffold/ folder and where they go (dotfiles cannot ship as package data reliably).
_PLACES = {
    "README.md": "README.md",
    "pre-commit-config.yaml": ".pre-commit-config.yaml",
    "github-workflow.yml": ".github/workflows/magicmix.yml",
    "gitlab-ci.yml": ".gitlab-ci.yml",
}


def init_repository(target: str, name: str = "mijn-beleid") -> list[str]:
    """Create a policy repository at target (which must not exist or be empty); returns the files written."""
    if os.path.exists(target) and (not os.path.isdir(target) or os.listdir(target)):
        raise PolicyError([make("bad-input", target, problem=("de map bestaat al en is niet leeg",
                                                              "the folder already exists and is not empty"))])
    parent = os.path.dirname(os.path.abspath(target))
    os.makedirs(parent, exist_ok=True)
    tmp = tempfile.mkdtemp(prefix=".magicmix-init-", dir=parent)
    written = []
    try:
        base = resources.files("rules_engine").joinpath("scaffold")
        for src, dest in _PLACES.items():
            text = base.joinpath(src).read_text(encoding="utf-8").replace("policies/mijn-beleid", f"policies/{name}")
            written.append(_write(tmp, dest, text))
        policy = base.joinpath("policy")
        for rel in ("policy.yaml", "parameters.yaml", "rules.yaml", "occupancy.yaml",
                    "complexes/voorbeeld.yaml", "tests/voorbeeld.yaml"):
            text = policy.joinpath(rel).read_text(encoding="utf-8")
            if rel == "policy.yaml":
                text = text.replace("id: mijn-beleid", f"id: {name}")
            written.append(_write(tmp, f"policies/{name}/{rel}", text))
        for kind in KINDS:
            written.append(_write(tmp, f"schemas/{kind}.json", schema_text(kind)))
        if os.path.isdir(target):
            os.rmdir(target)
        os.replace(tmp, target)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    return written


def _write(root: str, rel: str, text: str) -> str:
    path = os.path.join(root, *rel.split("/"))
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "w", encoding="utf-8") as fh:
        fh.write(text)
    return rel
