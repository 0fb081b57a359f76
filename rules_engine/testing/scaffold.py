"""`magicmix init`: scaffold a new policy repository (written to a temporary folder, then moved in place)."""

from __future__ import annotations

import json
import os
import re
import shutil
import tempfile
from importlib import resources

from ..version import __version__
from ..diagnostics import PolicyError, make
from ..load.schemas_check import KINDS, schema_text
from ..load.values import Refused, read_id, slug_id

# Files in the package's scaffold/ folder and where they go (dotfiles cannot ship as package data reliably).
_PLACES = {
    "README.md": "README.md",
    "requirements.txt": "requirements.txt",
    "gitignore": ".gitignore",
    "pre-commit-config.yaml": ".pre-commit-config.yaml",
    "github-workflow.yml": ".github/workflows/magicmix.yml",
    "gitlab-ci.yml": ".gitlab-ci.yml",
}
_POLICY_FILES = ("policy.yaml", "parameters.yaml", "rules.yaml", "occupancy.yaml",
                 "complexes/voorbeeld.yaml", "tests/voorbeeld.yaml")
TEMPLATE_ID = "mijn-beleid"
WHEELS = "wheels"  # a wheel given to --install is copied here, so that CI finds it in the repository
_VERSION = re.compile(r"\d+(\.\d+)*([.+-]?[A-Za-z0-9]+)*")


def policy_id(name: str) -> str:
    """The policy id for a name given to init: the name itself when it is an id, else its slug."""
    try:
        return read_id(name)
    except Refused:
        slug = slug_id(name)
        if slug is None:
            raise PolicyError([make("init-name", "--name", name=name)]) from None
        return slug


def requirement(install: str | None) -> tuple[str, str | None]:
    """The requirements.txt line for --install (a version, a wheel file or a git URL; default this version),
    and the wheel to copy into the repository, if any."""
    if install is None or _VERSION.fullmatch(install):
        return f"magicmix=={install or __version__}", None
    if install.startswith("git+"):
        return f"magicmix @ {install}", None
    if install.endswith(".whl") and os.path.isfile(install):
        return f"./{WHEELS}/{os.path.basename(install)}", install
    raise PolicyError([make("init-install", "--install", value=install)])


def init_repository(target: str, name: str = TEMPLATE_ID, install: str | None = None) -> list[str]:
    """Create a policy repository at target (which must not exist or be empty); returns the files written."""
    if os.path.exists(target) and (not os.path.isdir(target) or os.listdir(target)):
        raise PolicyError([make("bad-input", target, problem=("de map bestaat al en is niet leeg",
                                                              "the folder already exists and is not empty"))])
    pid = policy_id(name)
    line, wheel = requirement(install)
    parent = os.path.dirname(os.path.abspath(target))
    os.makedirs(parent, exist_ok=True)
    tmp = tempfile.mkdtemp(prefix=".magicmix-init-", dir=parent)
    written = []
    try:
        base = resources.files("rules_engine").joinpath("scaffold")
        for src, dest in _PLACES.items():
            text = base.joinpath(src).read_text(encoding="utf-8").replace(f"policies/{TEMPLATE_ID}", f"policies/{pid}")
            if src == "requirements.txt":
                text = text.replace("\nmagicmix\n", f"\n{line}\n")
            written.append(_write(tmp, dest, text))
        if wheel:
            dest = f"{WHEELS}/{os.path.basename(wheel)}"
            os.makedirs(os.path.join(tmp, WHEELS))
            shutil.copyfile(wheel, os.path.join(tmp, *dest.split("/")))
            written.append(dest)
        policy = base.joinpath("policy")
        for rel in _POLICY_FILES:
            text = policy.joinpath(rel).read_text(encoding="utf-8")
            if rel == "policy.yaml":
                text = text.replace(f"id: {TEMPLATE_ID}", f"id: {pid}")
                if name != pid:  # the name as the people who wrote it know it
                    text = re.sub(r"(?m)^name: .*$", lambda _: f"name: {json.dumps(name, ensure_ascii=False)}", text)
            written.append(_write(tmp, f"policies/{pid}/{rel}", text))
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
