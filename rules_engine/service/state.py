"""What the service holds between requests: the loaded policies (swapped whole on reload) and the occupancy
versions it has read from the store.

A request takes one Policies snapshot at its start and uses it to the end, so a reload never changes the
policy under a request in flight. The occupancy used is the newest version in the store (an upload by any
worker), else the policy's own occupancy.yaml (version 0).
"""

from __future__ import annotations

import contextlib
import dataclasses
import datetime as dt
import os
import tempfile
import threading
import time
from types import MappingProxyType

from ..atomic import fsync_directory
from ..api import example_occupancy, example_occupancy_path, load_policy
from ..lang.compile import Program
from ..diagnostics import PolicyError, hint, make
from ..lang.facts import Group
from ..model.levels import group_keys
from ..model.policy import frozen_map
from ..load.movers import HomesIndex
from ..load.occupancy import Composition, Occupancy, composition, load_occupancy
from .store import Store
from ..lang.records import frozen

EXTENSIONS = {"csv": ".csv", "xlsx": ".xlsx", "json": ".json", "yaml": ".yaml"}


@frozen
class Loaded:
    """One policy as the service serves it: the compiled program and where it was read from."""

    program: Program
    root: str

    @property
    def info(self) -> dict:
        """id, version, content hash and name of the policy."""
        p = self.program.policy
        return {"id": p.id, "version": p.version, "content_hash": p.content_hash, "name": p.name}


@frozen
class OccupancyInUse:
    """The occupancy a request uses: its version (0: the policy's occupancy.yaml), data, file and source name."""

    version: int
    occupancy: Occupancy
    path: str | None
    source: str


class Policies:
    """The policies the service was started with, by id; reload() reads them all again and swaps in one step."""

    def __init__(self, roots: list[str]):
        self.roots = list(roots)
        self._by_id = self._load()

    def _load(self) -> MappingProxyType:
        loaded = {}
        for root in self.roots:
            program = load_policy(root)
            loaded.setdefault(program.policy.id, Loaded(program, root))
        return MappingProxyType(loaded)

    def reload(self) -> MappingProxyType:
        """Read every policy folder again; on any error the old policies stay (PolicyError is raised)."""
        fresh = self._load()
        self._by_id = fresh  # one reference swap: requests in flight keep the snapshot they took
        return fresh

    def snapshot(self) -> MappingProxyType:
        """The policies now, by id (first = default)."""
        return self._by_id


def pick(policies: MappingProxyType, policy_id: str | None) -> Loaded:
    """The policy a request names, or the first one; PolicyError naming the known ids otherwise."""
    if policy_id is None:
        return next(iter(policies.values()))
    if policy_id not in policies:
        raise PolicyError([make("bad-input", "policy", problem=(
            f"onbekend beleid '{policy_id}'{hint(policies, policy_id)[0]}",
            f"unknown policy '{policy_id}'{hint(policies, policy_id)[1]}"))])
    return policies[policy_id]


HEAD_SECONDS = 1.0
"""How long a worker trusts the newest occupancy version it read: an upload to another worker process is in use
everywhere within this time (at once in the worker that took it)."""


class Occupancies:
    """The occupancy versions read from the store, loaded once per version and kept as files for the decision
    records (which snapshot the occupancy file they used); compositions per version and date kept too."""

    def __init__(self, store: Store, folder: str):
        self.store, self.folder = store, folder
        self._cache: dict = {}
        self._heads: dict = {}
        self._compositions: dict = {}
        self._homes: dict = {}
        self._lock = threading.Lock()

    def forget_head(self) -> None:
        """Read the newest version from the store at the next request (after an upload)."""
        self._heads.clear()

    def _head(self, policy_id: str):
        now = time.monotonic()
        found = self._heads.get(policy_id)
        if found is None or now - found[0] > HEAD_SECONDS:
            found = self._heads[policy_id] = (now, self.store.occupancy_head(policy_id))
        return found[1]

    def composition(self, loaded: Loaded, occupancy: OccupancyInUse, date: dt.date) -> Composition:
        """The composition of an occupancy version on a date (pure, so kept: the last 64 asked for)."""
        key = (loaded.program.policy.content_hash, occupancy.version, occupancy.path, date)
        comp = self._compositions.get(key)
        if comp is None:
            comp = composition(loaded.program.policy, occupancy.occupancy, date)
            with self._lock:
                if len(self._compositions) >= 64:
                    self._compositions.pop(next(iter(self._compositions)))
                self._compositions[key] = comp
        return comp

    def homes(self, occupancy: OccupancyInUse) -> HomesIndex:
        """Who lives where in an occupancy version, over time (movers.HomesIndex), made once and kept (the last 8)."""
        key = (occupancy.version, occupancy.path, id(occupancy.occupancy))
        kept = self._homes.get(key)
        if kept is None:
            kept = (occupancy, HomesIndex(occupancy.occupancy))  # the occupancy held: its id is not reused while kept
            with self._lock:
                if len(self._homes) >= 8:
                    self._homes.pop(next(iter(self._homes)))
                self._homes[key] = kept
        return kept[1]

    def current(self, loaded: Loaded) -> OccupancyInUse:
        """The newest occupancy of a policy."""
        policy = loaded.program.policy
        head = self._head(policy.id)
        if head is None:
            key = (policy.id, policy.content_hash, 0)
            if key not in self._cache:
                self._cache[key] = OccupancyInUse(0, example_occupancy(loaded.program),
                                                  example_occupancy_path(loaded.program), "occupancy.yaml")
            return self._cache[key]
        key = (policy.id, policy.content_hash, head.version)
        with self._lock:
            if key not in self._cache:
                path = os.path.join(self.folder, f"occupancy-v{head.version}{EXTENSIONS[head.format]}")
                if not os.path.exists(path):
                    write_new(path, self.store.occupancy_content(head.version))
                self._cache[key] = OccupancyInUse(head.version, load_occupancy(path, policy), path,
                                                  f"occupancy v{head.version}")
            return self._cache[key]


def write_new(path: str, content: bytes) -> None:
    """Write a file whole (temporary file, fsync, rename) in its folder."""
    folder = os.path.dirname(path)
    os.makedirs(folder, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=".occupancy-", dir=folder)
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(content)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise
    fsync_directory(folder)


def check_upload(policy, fmt: str, content: bytes, folder: str) -> Occupancy:
    """Check an uploaded occupancy as the CLI checks a file; raises PolicyError naming row and column of
    'upload.csv' (or .xlsx, .json, .yaml): the temporary file's name is nobody's business."""
    os.makedirs(folder, exist_ok=True)
    fd, path = tempfile.mkstemp(prefix=".upload-", suffix=EXTENSIONS[fmt], dir=folder)
    shown = "upload" + EXTENSIONS[fmt]
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(content)
        return load_occupancy(path, policy)
    except PolicyError as exc:
        raise PolicyError([dataclasses.replace(d, file=shown, nl=d.nl.replace(path, shown), en=d.en.replace(path, shown))
                           for d in exc.diagnostics]) from None
    finally:
        os.unlink(path)


def composition_from_counts(policy, base: Composition, unit_id: str, counts: dict, date: dt.date) -> Composition:
    """The composition of the stored occupancy with the home's own groups set to the counts given per level
    (the adapter for `counts` in a request; the home itself counts as vacant). Raises PolicyError for an
    unknown level, category or home, or more households than a group has homes."""
    unit = policy.units.get(unit_id)
    if unit is None:
        raise PolicyError([make("unknown-unit", "unit", unit=unit_id, hint=hint(policy.units, unit_id))])
    keys = dict(zip(policy.levels.keys, group_keys(policy, unit)))
    groups = dict(base.groups)
    for level, per_category in counts.items():
        if level not in keys:
            raise PolicyError([make("unknown-level", f"counts/{level}", level=level, hint=hint(keys, level),
                                    known=", ".join(keys))])
        for cid in per_category:
            if cid not in policy.category_ids:
                raise PolicyError([make("unknown-category", f"counts/{level}/{cid}", category=cid,
                                        hint=hint(policy.category_ids, cid))])
        homes = base.group(level, keys[level]).homes
        occupied = sum(per_category.values())
        if occupied > homes:
            raise PolicyError([make("bad-input", f"counts/{level}", problem=(
                f"{occupied} huishoudens in {level} {keys[level]}, dat {homes} woningen heeft",
                f"{occupied} households in {level} {keys[level]}, which has {homes} homes"))])
        groups[(level, keys[level])] = Group(homes, occupied, MappingProxyType(dict(per_category)))
    if counts:
        _check_nesting(policy, keys, groups, counts)
    by_unit = {u: c for u, c in base.by_unit.items() if u != unit.id}
    return Composition(date, MappingProxyType(groups), frozen_map(by_unit))


def _check_nesting(policy, keys: dict, groups: dict, counts: dict) -> None:
    """PolicyError when the home's groups, counts given and stored ones together, cannot all be true: a group lies
    in the group of the level above it, so it holds at most as many households of each category, and the rest of
    the group above at most as many as its other homes (8 aandacht in a portiek of a complex said to have none was
    evaluated against both)."""
    for lv in policy.levels:
        if lv.parent is None or (lv.key not in counts and lv.parent not in counts):
            continue
        inner, outer = groups[(lv.key, keys[lv.key])], groups[(lv.parent, keys[lv.parent])]
        where = lv.parent if lv.parent in counts else lv.key
        for cid in policy.category_ids:
            n, m = inner.counts.get(cid, 0), outer.counts.get(cid, 0)
            if n > m:
                raise PolicyError([make("bad-input", f"counts/{where}", problem=(
                    f"{lv.key} {keys[lv.key]} telt {n} huishoudens {cid}, maar {lv.parent} {keys[lv.parent]}, waar het "
                    f"in ligt, maar {m}: geef beide niveaus, of tellingen die samen kunnen kloppen",
                    f"{lv.key} {keys[lv.key]} counts {n} {cid} households, but {lv.parent} {keys[lv.parent]}, which it "
                    f"lies in, only {m}: give both levels, or counts that can hold together"))])
        rest, room = outer.occupied - inner.occupied, outer.homes - inner.homes
        if rest > room:
            raise PolicyError([make("bad-input", f"counts/{where}", problem=(
                f"{lv.parent} {keys[lv.parent]} telt buiten {lv.key} {keys[lv.key]} {rest} huishoudens op {room} "
                "woningen: geef beide niveaus, of tellingen die samen kunnen kloppen",
                f"{lv.parent} {keys[lv.parent]} counts {rest} households outside {lv.key} {keys[lv.key]} in {room} "
                "homes: give both levels, or counts that can hold together"))])


def composition_for(occupancies: Occupancies, loaded: Loaded, occupancy: OccupancyInUse, date: dt.date,
                    unit_id: str | None, counts: dict | None) -> Composition:
    """The composition a request is evaluated against: the stored occupancy's, or with counts given."""
    base = occupancies.composition(loaded, occupancy, date)
    if counts:
        return composition_from_counts(loaded.program.policy, base, unit_id, counts, date)
    return base
