"""Replay a decision log: re-evaluate every decision under the policy version it was made with, and compare."""

from __future__ import annotations

import datetime as dt
import json
import os
import tempfile

from ..api import evaluate, load_policy
from .decision_log import read_log
from ..diagnostics import PolicyError
from ..lang.facts import Household
from ..load.files import require_inside
from ..render.numbers import to_fraction
from ..load.occupancy import EMPTY, load_occupancy
from ..render.report import to_json
from ..load.revision import export_git
from ..lang.records import frozen


@frozen
class ReplayResult:
    """One decision replayed: the same, or the differences found; `reworded`: texts worded otherwise by this
    version of magicmix (a room line or a change in other words, its numbers and outcome the same)."""

    decision_id: str
    same: bool
    differences: tuple[str, ...]
    reworded: tuple[str, ...] = ()


# Texts made from the record's own data: a newer magicmix may word them otherwise. What they say (the outcome a
# change would give, the room in numbers) sits in the fields beside them and is compared as every field is.
_WORDED = ("changes", "room")


def _take_wording(d: dict) -> dict:
    """Take the worded texts out of a record (in place), as {'changes': [{'text': ...}], 'room': [...]}."""
    out = {}
    for key in _WORDED:
        items = d.get(key)
        if isinstance(items, list):
            out[key] = [{"text": item.pop("text", None)} if isinstance(item, dict) else {} for item in items]
    return out


def _differences(old, new, path: str = "", out: list | None = None, limit: int = 10) -> list[str]:
    out = [] if out is None else out
    if len(out) >= limit:
        return out
    if isinstance(old, dict) and isinstance(new, dict):
        for key in sorted(set(old) | set(new)):
            _differences(old.get(key), new.get(key), f"{path}.{key}" if path else key, out, limit)
    elif isinstance(old, list) and isinstance(new, list) and len(old) == len(new):
        for i, (a, b) in enumerate(zip(old, new)):
            _differences(a, b, f"{path}[{i}]", out, limit)
    elif old != new:
        out.append(f"{path}: {_short(old)} -> {_short(new)}")
    return out


def _short(value, limit: int = 120) -> str:
    text = repr(value)
    return text if len(text) <= limit else text[:limit - 3] + "..."


def _relative_sources(d: dict, root: str) -> dict:
    prefix = root.rstrip("/") + "/"
    for r in d["rules"]:
        if r["source"].startswith(prefix):
            r["source"] = r["source"][len(prefix):]
    return d


class _Policies:
    """Policy versions materialised for a replay, cached by content hash."""

    def __init__(self, log_path: str, workdir: str, engine: str = "default"):
        self.base = os.path.dirname(os.path.abspath(log_path))
        self.workdir = workdir
        self.engine = engine
        self.cache: dict = {}

    def get(self, info: dict):
        key = info["content_hash"]
        if key not in self.cache:
            if info.get("snapshot"):
                root = os.path.join(self.base, info["snapshot"])
                require_inside(root, self.base)  # a record cannot send the replay to a folder elsewhere
            else:
                git = info["git"]
                root = os.path.join(self.workdir, key.split(":")[-1][:16])
                export_git(git["top"], git["commit"], git["path"], root)
                root = os.path.join(root, git["path"])
            program = load_policy(root)
            if self.engine == "durable":
                from ..engine.engine_durable import durable_program

                program = durable_program(program)
            self.cache[key] = (program, root)
        return self.cache[key]


def replay_log(path: str, engine: str = "default") -> tuple[list[ReplayResult], tuple[str, ...]]:
    """Re-evaluate every decision in a log (with the default or the durable-rules engine) and compare."""
    read = read_log(path)
    results = []
    base = os.path.dirname(os.path.abspath(path))
    occupancies: dict = {}
    with tempfile.TemporaryDirectory(prefix="magicmix-replay-") as work:
        policies = _Policies(path, work, engine)
        for rec in read.records:
            if rec.get("type") != "decision":
                continue
            did = rec.get("decision_id", "?")
            try:
                program, root = policies.get(rec["policy"])
                if program.policy.content_hash != rec["policy"]["content_hash"]:
                    results.append(ReplayResult(did, False, ("policy content hash differs",)))
                    continue
                occ_info = rec["occupancy"]
                occupancy = EMPTY
                if occ_info.get("snapshot"):
                    occ_path = os.path.join(base, occ_info["snapshot"])
                    key = (occ_path, rec["policy"]["content_hash"])
                    if key not in occupancies:
                        occupancies[key] = load_occupancy(occ_path, program.policy, base)
                    occupancy = occupancies[key]
                old = rec["decision"]
                h = old["inputs"]["household"]
                household = Household(h["id"], h["size"], to_fraction(h["income"]), h["category"], h.get("age"),
                                      tuple(h.get("flags") or ()), bool(h.get("older", False)), h.get("route"))
                decision = evaluate(program, household, old["inputs"]["unit"],
                                    dt.date.fromisoformat(old["inputs"]["date"]), occupancy, occ_info.get("source", ""))
                new = json.loads(to_json(decision.to_dict()))  # the same JSON form as the record
                for d in (old, new):  # which engine decided is not part of the decision
                    d.get("engine", {}).pop("rule_engine", None)
                old_texts, new_texts = _take_wording(old), _take_wording(new)
                diffs = _differences(_relative_sources(old, rec["policy"]["root"]), _relative_sources(new, root))
                reworded = () if diffs else tuple(_differences(old_texts, new_texts))
            except PolicyError as exc:
                results.append(ReplayResult(did, False, tuple(d.format("en") for d in exc.diagnostics) or
                                            ("the policy version could not be recovered",)))
                continue
            except (KeyError, TypeError, ValueError, AttributeError) as exc:
                results.append(ReplayResult(did, False, (f"record incomplete: {type(exc).__name__} {exc}",)))
                continue
            results.append(ReplayResult(did, not diffs, tuple(diffs), reworded))
    return results, read.warnings
