"""Policy versions from git: `git:REF` or `git:REF:path`, read without touching the working tree."""

from __future__ import annotations

import io
import os
import subprocess
import tarfile

from .diagnostics import PolicyError, make

PREFIX = "git:"


def export_git(top: str, commit: str, path: str, target: str) -> None:
    """Write the files of path at commit into target, read from git without touching the working tree."""
    try:
        proc = subprocess.run(["git", "-C", top, "archive", "--format=tar", commit, "--", path],
                              capture_output=True, timeout=60)
    except (OSError, subprocess.TimeoutExpired) as exc:
        raise PolicyError([make("git-failed", f"{PREFIX}{commit}", problem=str(exc))]) from None
    if proc.returncode != 0:
        problem = proc.stderr.decode("utf-8", "replace").strip().splitlines()
        raise PolicyError([make("git-failed", f"{PREFIX}{commit}:{path}", problem=problem[-1] if problem else "")])
    with tarfile.open(fileobj=io.BytesIO(proc.stdout)) as tar:
        for member in tar.getmembers():
            if not (member.isfile() or member.isdir()) or member.name.startswith("/") or ".." in member.name.split("/"):
                continue  # only plain files inside the exported folder
            tar.extract(member, target, filter="data") if hasattr(tarfile, "data_filter") else tar.extract(member, target)


def git_output(args: list[str], cwd: str) -> str | None:
    """What a git command prints (stripped), or None when git fails or is missing."""
    try:
        out = subprocess.run(["git", *args], cwd=cwd, capture_output=True, text=True, timeout=20)
    except (OSError, subprocess.TimeoutExpired):
        return None
    return out.stdout.strip() if out.returncode == 0 else None


def is_revision(spec: str) -> bool:
    """Whether a policy argument names a git revision (git:REF or git:REF:path)."""
    return spec.startswith(PREFIX)


def materialise(spec: str, other: str | None, workdir: str) -> str:
    """The policy folder for a diff argument: a folder as given, or a git revision exported under workdir.

    `git:REF` takes the path of the other argument (or the current folder) inside its repository;
    `git:REF:path` takes path from the repository's top.
    """
    if not is_revision(spec):
        return spec
    ref, _, path = spec[len(PREFIX):].partition(":")
    base = other if other and not is_revision(other) and os.path.isdir(other) else os.getcwd()
    top = git_output(["rev-parse", "--show-toplevel"], base)
    if not ref or top is None:
        raise PolicyError([make("git-failed", spec, problem=("geen git-repository hier", "not inside a git repository")
                                if top is None else ("geen revisie genoemd", "no revision named"))])
    commit = git_output(["rev-parse", "--verify", "--quiet", f"{ref}^{{commit}}"], top)
    if not commit:
        raise PolicyError([make("git-failed", spec, problem=(f"onbekende revisie '{ref}'", f"unknown revision '{ref}'"))])
    if not path:
        path = os.path.relpath(os.path.abspath(base), top).replace(os.sep, "/")
    path = path.strip("/") or "."
    target = os.path.join(workdir, commit[:12])
    os.makedirs(target, exist_ok=True)
    export_git(top, commit, path, target)
    root = os.path.normpath(os.path.join(target, path))
    if not os.path.isdir(root):
        raise PolicyError([make("git-failed", spec, problem=(f"'{path}' bestaat niet in {ref}", f"'{path}' does not exist in {ref}"))])
    return root
