"""Policy versions from git: `git:REF` or `git:REF:path`, read without touching the working tree."""

from __future__ import annotations

import io
import os
import subprocess
import tarfile

from ..diagnostics import PolicyError, make

PREFIX = "git:"


def resolve_commit(top: str, rev: str) -> str | None:
    """The full id of the commit rev names in the repository at top, or None.

    Every revision given to git passes here first, wherever it comes from (an argument, a decision-log
    record): '--output=x' is then a revision that does not exist, never an option of git."""
    if not isinstance(rev, str) or not rev or rev.startswith("-") or any(c in rev for c in "\0\n\r"):
        return None
    commit = git_output(["rev-parse", "--verify", "--quiet", "--end-of-options", f"{rev}^{{commit}}"], top)
    return commit if commit and all(c in "0123456789abcdef" for c in commit) and len(commit) in (40, 64) else None


def export_git(top: str, commit: str, path: str, target: str) -> None:
    """Write the files of path at commit into target, read from git without touching the working tree."""
    if not isinstance(top, str) or not isinstance(path, str) or not os.path.isdir(top):
        raise PolicyError([make("git-failed", f"{PREFIX}{commit}", problem=("geen git-repository", "not a git repository"))])
    if path.startswith(("/", "-")) or ".." in path.split("/"):
        raise PolicyError([make("git-failed", f"{PREFIX}{commit}:{path}", problem=(
            f"'{path}' ligt niet binnen de repository", f"'{path}' does not lie inside the repository"))])
    resolved = resolve_commit(top, commit)
    if resolved is None:
        raise PolicyError([make("git-failed", f"{PREFIX}{commit}", problem=(f"onbekende revisie '{commit}'",
                                                                            f"unknown revision '{commit}'"))])
    try:
        proc = subprocess.run(["git", "-C", top, "archive", "--format=tar", "--end-of-options", resolved, path],
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
    commit = resolve_commit(top, ref)
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
