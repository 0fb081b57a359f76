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
import os
from dataclasses import field
from typing import Any, Mapping

from ..diagnostics import Diagnostic, PolicyError, make
from .complex_part import ComplexPart
from .files import inside_all, open_regular
from .load_yaml import Source, load_file
from .schemas_check import check
from .value_checks import check_numbers
from ..lang.records import frozen

POLICY_FILE = "policy.yaml"
PARAMETERS_FILE = "parameters.yaml"
RULES_FILE = "rules.yaml"
OCCUPANCY_FILE = "occupancy.yaml"


@frozen
class PolicySources:
    """The schema-valid documents of one policy folder (invalid ones are left out).

    A complex is a Source read now or, when the policy cache kept one for the same bytes (of the file and
    of policy.yaml), its ComplexPart (complex_part.py); complex_reading holds what reading found in each
    complex file read now, parts the cache's store of parts (cache_parts.py) or None."""

    root: str
    policy: Source | None
    parameters: Source | None
    rules: tuple[Source, ...]
    complexes: tuple[Any, ...]
    occupancy: Source | None
    households: tuple[Source, ...]
    content_hash: str
    complex_reading: Mapping[str, tuple] = field(default_factory=dict, compare=False)
    parts: Any = field(default=None, compare=False, repr=False)


def _yaml_files(folder: str) -> list[str]:
    if not os.path.isdir(folder):
        return []
    return sorted(os.path.join(folder, n) for n in os.listdir(folder)
                  if n.endswith((".yaml", ".yml")) and not n.startswith("."))


def read_document(path: str, kind: str, complete: bool = True,
                  root: str | None = None) -> tuple[Source | None, list[Diagnostic]]:
    """Read one YAML file (inside the policy folder root, when given) and check it against the schema of its kind
    (complete: see Source)."""
    source, problems, _ = read_checked(path, kind, complete, root)
    return source, problems


def read_checked(path: str, kind: str, complete: bool = True,
                 root: str | None = None) -> tuple[Source | None, list[Diagnostic], bytes]:
    """read_document, and the sha256 of the bytes read (b'' when the file could not be read as YAML)."""
    try:
        source = load_file(path, complete=complete, root=root)
    except PolicyError as exc:
        return None, list(exc.diagnostics), b""
    problems = check_numbers(source, kind, check(source, kind))
    return (None if any(d.severity == "error" for d in problems) else source), problems, source.digest


PARALLEL_FROM = 400  # files of one kind; below this, starting processes costs more than it saves


def policy_files(root: str) -> list[str]:
    """The files that make up a policy's meaning, relative to root, in content-hash order.

    The content hash, and the snapshots of the decision log, cover exactly these files."""
    out = [n for n in (POLICY_FILE, PARAMETERS_FILE, RULES_FILE) if os.path.isfile(os.path.join(root, n))]
    for folder in ("rules", "complexes"):  # the names as _yaml_files sorts them (one folder: by name), without
        where = os.path.join(root, folder)  # joining and splitting 30,000 paths
        if os.path.isdir(where):
            out += [f"{folder}/{n}" for n in sorted(os.listdir(where)) if n.endswith((".yaml", ".yml"))
                    and not n.startswith(".")]
    return out


def unread_entries(root: str) -> list[str]:
    """What lies in rules/ or complexes/ that policy_files leaves out but an author may have meant to be read:
    a YAML file whose extension is not lower case (x.YAML, x.Yml) or a folder (a hidden name is left alone)."""
    out = []
    for folder in ("rules", "complexes"):
        where = os.path.join(root, folder)
        if not os.path.isdir(where):
            continue
        for n in sorted(os.listdir(where)):
            if n.startswith(".") or n.endswith((".yaml", ".yml")):
                continue
            if n.lower().endswith((".yaml", ".yml")) or os.path.isdir(os.path.join(where, n)):
                out.append(f"{folder}/{n}")
    return out


def unread_diagnostics(root: str, rels: list[str]) -> list[Diagnostic]:
    """An error for each entry of unread_entries: the policy is refused rather than read without it."""
    out = []
    for rel in rels:
        folder, name = rel.split("/", 1)
        path = os.path.join(root, rel)
        if os.path.isdir(path):
            out.append(make("policy-folder-not-read", path, folder=folder))
        else:
            stem, ext = os.path.splitext(name)
            out.append(make("policy-file-not-read", path, folder=folder, name=stem + ext.lower()))
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


def file_digests(root: str, rels: list[str], known: Mapping[str, bytes] | None = None) -> dict[str, bytes]:
    """file_digest(path, root) of each file of a policy folder (relative paths), the inside check done for all at
    once; known: digests already made of files not yet checked to lie inside (the cache key's)."""
    known = known or {}
    paths = {rel: os.path.join(root, rel) for rel in rels}
    ok = inside_all(list(paths.values()), root)
    return {rel: (known[rel] if rel in known else file_digest(path)) if path in ok else b""
            for rel, path in paths.items()}


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
    return read_checked(path, kind, complete=False, root=root)


def _read_many(paths: list[str], kind: str, root: str) -> list:
    """Read and check many independent files (inside root), in several processes when there are many of them."""
    workers = min(os.cpu_count() or 1, 8)
    if len(paths) >= PARALLEL_FROM and workers >= 2:
        import multiprocessing  # some 20 ms of imports at every command's start, for large policies only

        if "fork" in multiprocessing.get_all_start_methods():
            with multiprocessing.get_context("fork").Pool(workers) as pool:
                return pool.map(_read_one, [(p, kind, root) for p in paths],
                                chunksize=max(1, len(paths) // (workers * 8)))
    return [_read_one((p, kind, root)) for p in paths]


def read_policy(root: str, parts=None) -> tuple[PolicySources, list[Diagnostic]]:
    """Read every document of a policy folder; returns the valid ones and all diagnostics.

    With parts (the policy cache's store of complex parts, cache_parts.py), a complex file whose bytes,
    and policy.yaml's, are those of a kept part is not read: its part stands in for it, with what its
    reading found."""
    diags: list[Diagnostic] = []
    if not os.path.exists(root):
        raise PolicyError([make("file-not-found", root)])
    if not os.path.isdir(root) or not os.path.isfile(os.path.join(root, POLICY_FILE)):
        raise PolicyError([make("no-policy", root)])
    files = policy_files(root)
    digests = file_digests(root, files, parts.digests if parts is not None else None)  # hashed for the cache key
    digest = hashlib.sha256()
    for rel in files:
        digest.update(rel.encode() + b"\0" + digests[rel])

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
    context = policy.digest if policy is not None and parts is not None else b""
    found, wanted = {}, []
    for rel in files:
        if rel.startswith("complexes/"):
            part = parts.get(parts.key(context, os.path.join(root, rel), digests[rel])) if context and digests[rel] \
                else None
            if part is None:
                wanted.append(rel)
            else:
                found[rel] = part
    read = dict(zip(wanted, _read_many([os.path.join(root, rel) for rel in wanted], "complex", root)))
    complexes, reading = [], {}
    for rel in files:
        if rel in found:
            diags.extend(found[rel].reading)
            if found[rel].built:
                complexes.append(found[rel])
        elif rel in read:
            source, problems, bytes_digest = read[rel]
            diags.extend(problems)
            if source is not None:
                complexes.append(source)
                reading[source.path] = tuple(problems)
            elif context and bytes_digest:  # refused by the schema: kept too, so that it is not read again
                path = os.path.join(root, rel)
                parts.put(parts.key(context, path, bytes_digest), _refused(path, bytes_digest, problems))
    occupancy = optional(OCCUPANCY_FILE, "occupancy")
    households = tuple(s for s in (doc(p, "household")
                                   for p in _yaml_files(os.path.join(root, "examples", "households")))
                       if s is not None)
    diags.extend(unread_diagnostics(root, unread_entries(root)))
    if not rule_paths:
        diags.append(make("no-rules", root))
    sources = PolicySources(root, policy, parameters, rules, tuple(complexes), occupancy, households,
                            "sha256:" + digest.hexdigest(), reading, parts if context else None)
    return sources, diags


def _refused(path: str, digest: bytes, problems: list[Diagnostic]) -> ComplexPart:
    return ComplexPart(path, digest, tuple(problems))
