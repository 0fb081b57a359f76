"""Load stage: find a policy folder's files, read them safely and check each against its schema.

A policy folder holds:
  policy.yaml            metadata, categories, buurten, default mix targets
  parameters.yaml        dated legal amounts
  rules.yaml or rules/   definitions and rules
  complexes/*.yaml       one complex per file
  occupancy.yaml         (optional) example occupancy
  examples/households/   (optional) example households
"""

from __future__ import annotations

import contextlib
import gc
import hashlib
import multiprocessing
import os
from dataclasses import dataclass

from ..diagnostics import Diagnostic, PolicyError, make
from .files import open_regular
from .load_yaml import Source, load_file
from .schemas_check import check
from .value_checks import check_numbers

POLICY_FILE = "policy.yaml"
PARAMETERS_FILE = "parameters.yaml"
RULES_FILE = "rules.yaml"
OCCUPANCY_FILE = "occupancy.yaml"


@dataclass(frozen=True)
class PolicySources:
    """The schema-valid documents of one policy folder (invalid ones are left out)."""

    root: str
    policy: Source | None
    parameters: Source | None
    rules: tuple[Source, ...]
    complexes: tuple[Source, ...]
    occupancy: Source | None
    households: tuple[Source, ...]
    content_hash: str


def _yaml_files(folder: str) -> list[str]:
    if not os.path.isdir(folder):
        return []
    return sorted(os.path.join(folder, n) for n in os.listdir(folder)
                  if n.endswith((".yaml", ".yml")) and not n.startswith("."))


def read_document(path: str, kind: str, complete: bool = True,
                  root: str | None = None) -> tuple[Source | None, list[Diagnostic]]:
    """Read one YAML file (inside the policy folder root, when given) and check it against the schema of its kind
    (complete: see Source)."""
    try:
        source = load_file(path, complete=complete, root=root)
    except PolicyError as exc:
        return None, list(exc.diagnostics)
    problems = check_numbers(source, kind, check(source, kind))
    return (None if any(d.severity == "error" for d in problems) else source), problems


PARALLEL_FROM = 400  # files of one kind; below this, starting processes costs more than it saves


def policy_files(root: str) -> list[str]:
    """The files that make up a policy's meaning, relative to root, in content-hash order.

    The content hash, and the snapshots of the decision log, cover exactly these files."""
    out = [n for n in (POLICY_FILE, PARAMETERS_FILE, RULES_FILE) if os.path.isfile(os.path.join(root, n))]
    for folder in ("rules", "complexes"):
        out += [f"{folder}/{os.path.basename(p)}" for p in _yaml_files(os.path.join(root, folder))]
    return out


def file_digest(path: str, root: str | None = None) -> bytes:
    """The sha256 of a regular file's bytes (b'' when it cannot be read, is no regular file or lies outside root);
    a file over 16 MB is hashed in blocks."""
    try:
        with open_regular(path, root) as fh:
            if os.fstat(fh.fileno()).st_size > 1 << 24:
                return hashlib.file_digest(fh, "sha256").digest()
            return hashlib.sha256(fh.read()).digest()
    except (OSError, PolicyError):
        return b""


def _hash_file(digest, root: str, path: str) -> None:
    digest.update(os.path.relpath(path, root).replace(os.sep, "/").encode() + b"\0" + file_digest(path, root))


@contextlib.contextmanager
def gc_paused():
    """Pause the cyclic garbage collector while millions of long-lived objects are built.

    Loading makes no reference cycles worth collecting, but every full collection walks the
    growing heap again: at national scale that costs a third of the loading time.
    """
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def _read_one(args):
    # Positions of containers and list items only: a complex's homes are list items, and the rest
    # of its positions is read again in the rare case a diagnostic needs one.
    path, kind, root = args
    return read_document(path, kind, complete=False, root=root)


def _read_many(paths: list[str], kind: str, root: str) -> list:
    """Read and check many independent files (inside root), in several processes when there are many of them."""
    workers = min(os.cpu_count() or 1, 8)
    if len(paths) < PARALLEL_FROM or workers < 2 or "fork" not in multiprocessing.get_all_start_methods():
        return [_read_one((p, kind, root)) for p in paths]
    with multiprocessing.get_context("fork").Pool(workers) as pool:
        return pool.map(_read_one, [(p, kind, root) for p in paths], chunksize=max(1, len(paths) // (workers * 8)))


def read_policy(root: str) -> tuple[PolicySources, list[Diagnostic]]:
    """Read every document of a policy folder; returns the valid ones and all diagnostics."""
    diags: list[Diagnostic] = []
    if not os.path.exists(root):
        raise PolicyError([make("file-not-found", root)])
    if not os.path.isdir(root) or not os.path.isfile(os.path.join(root, POLICY_FILE)):
        raise PolicyError([make("no-policy", root)])
    files = policy_files(root)
    digest = hashlib.sha256()
    for rel in files:
        _hash_file(digest, root, os.path.join(root, rel))

    def doc(path: str, kind: str) -> Source | None:
        source, problems = read_document(path, kind, root=root)
        diags.extend(problems)
        return source

    def optional(name: str, kind: str) -> Source | None:
        path = os.path.join(root, name)
        return doc(path, kind) if os.path.exists(path) else None

    policy = optional(POLICY_FILE, "policy")
    parameters = optional(PARAMETERS_FILE, "parameters")
    rule_paths = [os.path.join(root, rel) for rel in files if rel == RULES_FILE or rel.startswith("rules/")]
    rules = tuple(s for s in (doc(p, "rules") for p in rule_paths) if s is not None)
    read = _read_many([os.path.join(root, rel) for rel in files if rel.startswith("complexes/")], "complex", root)
    for _, problems in read:
        diags.extend(problems)
    complexes = tuple(s for s, _ in read if s is not None)
    occupancy = optional(OCCUPANCY_FILE, "occupancy")
    households = tuple(s for s in (doc(p, "household")
                                   for p in _yaml_files(os.path.join(root, "examples", "households")))
                       if s is not None)
    if not rule_paths:
        diags.append(make("no-rules", root))
    sources = PolicySources(root, policy, parameters, rules, complexes, occupancy, households,
                            "sha256:" + digest.hexdigest())
    return sources, diags
