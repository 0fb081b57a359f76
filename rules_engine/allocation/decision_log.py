"""The decision log: an append-only JSON-lines audit trail of advice and of the decisions people made.

Every record is written with one write() under an exclusive lock (file_lock), flushed and fsynced
before the command reports success. A torn last line (a crash while writing) is skipped
with a warning when reading; the next writer starts on a fresh line. The policy version of
each decision can be recovered for replay: from git when the policy is committed and clean,
otherwise from a snapshot of its files stored next to the log.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
import shutil
import stat
import tempfile
import uuid
from typing import Callable

from ..atomic import copy_atomic, fsync_directory
from ..model.deviations import LEGAL_OUTCOME
from ..diagnostics import PolicyError, make
from ..file_lock import exclusive
from ..engine.explain import Decision
from ..load.load import policy_files
from ..load.load_json import parse_json
from .log_chain import GENESIS, canonical_hash, chain, link
from ..model.policy import OUTCOMES
from ..load.revision import git_output
from ..load.values import Refused, read_id
from ..lang.records import frozen

RECORD_VERSION = 1


@frozen
class LogRead:
    """The records of a log, the line each starts on, and the warnings met while reading it (skipped lines)."""

    records: tuple[dict, ...]
    warnings: tuple[str, ...]
    lines: tuple[int, ...] = ()
    unreadable: tuple[int, ...] = ()  # lines that are not records, other than a torn last line


def _now() -> str:
    return dt.datetime.now(dt.timezone.utc).isoformat(timespec="milliseconds")


def file_hash(path: str) -> str:
    """sha256 of a file's bytes."""
    with open(path, "rb") as fh:
        return "sha256:" + hashlib.sha256(fh.read()).hexdigest()


def _record(raw: bytes) -> dict | None:
    """One line as a record, or None when it is not one (a torn or unreadable line)."""
    try:
        rec = parse_json(raw.decode("utf-8"))
    except (ValueError, UnicodeDecodeError):
        return None
    return rec if isinstance(rec, dict) and "type" in rec else None


_FIRST_LINE = 8 << 20  # bytes read to find a log's first record (one decision with its explanation: some KB)


def _log_start(head: bytes) -> bool:
    """Whether a file's first bytes start a decision log: empty, a first record, or one torn line (a crash during
    the very first write), which the next append leaves as a line of its own."""
    first, newline, _ = head.partition(b"\n")
    return not head or not newline or _record(first) is not None


def _pread(fd: int, size: int, offset: int) -> bytes:
    """os.pread where it exists (POSIX); elsewhere a seek and a read (appends go to the end all the same)."""
    if hasattr(os, "pread"):
        return os.pread(fd, size, offset)
    os.lseek(fd, offset, os.SEEK_SET)
    return os.read(fd, size)


def _last_link(fd: int, size: int, block: int = 1 << 16) -> str:
    """The link (see log_chain.link) of the last readable record before offset size, or GENESIS."""
    tail, pos = b"", size
    while pos > 0:
        step = min(block, pos)
        pos -= step
        tail = _pread(fd, step, pos) + tail
        lines = tail.split(b"\n")
        complete = lines if pos == 0 else lines[1:]  # the first piece may be the end of a longer line
        for raw in reversed(complete):
            rec = _record(raw) if raw.strip() else None
            if rec is not None:
                return link(rec)
        tail = lines[0] if pos else b""
    return GENESIS


def append_records(path: str, records: list[dict] | Callable[[list[dict]], list[dict]]) -> list[dict]:
    """Append records as JSON lines, chained to the log's last record (see log_chain): locked, one write,
    flushed and fsynced before returning. Returns the records as written (with prev_hash and hash).

    records may be a function of the log's records, called under the lock: what it checks (a decision is not
    reviewed yet, the free allocation room is not used up) still holds when its records are written."""
    with exclusive(path):
        if callable(records):
            records = records(list(read_log(path).records) if os.path.exists(path) else [])
        fd = os.open(path, os.O_RDWR | os.O_CREAT | os.O_APPEND | getattr(os, "O_BINARY", 0), 0o640)
        try:
            info = os.fstat(fd)
            size = info.st_size
            if not stat.S_ISREG(info.st_mode) or not _log_start(_pread(fd, min(size, _FIRST_LINE), 0)):
                # a household file or a CSV given as --log: appending would spoil it, and it is no log
                raise PolicyError([make("not-a-log", path, 1, 1)])
            written_records = chain(records, _last_link(fd, size))  # under the lock: no other writer in between
            payload = "".join(json.dumps(r, sort_keys=True, ensure_ascii=False, separators=(",", ":")) + "\n"
                              for r in written_records).encode("utf-8")
            if size and _pread(fd, 1, size - 1) != b"\n":
                payload = b"\n" + payload  # a torn line from a crash stays a line of its own
            try:
                view = memoryview(payload)
                while view:
                    written = os.write(fd, view)
                    view = view[written:]
                os.fsync(fd)
            except OSError:
                os.ftruncate(fd, size)  # a failed append (disk full) leaves no torn record behind
                raise
        finally:
            os.close(fd)
    fsync_directory(os.path.dirname(os.path.abspath(path)))  # the file's entry survives a crash too
    return written_records


def read_log(path: str) -> LogRead:
    """Read every record; lines that are not valid JSON (such as a torn last line) are skipped with a warning."""
    if not os.path.exists(path):
        raise PolicyError([make("file-not-found", path)])
    records, warnings, numbers, unreadable = [], [], [], []
    with open(path, "rb") as fh:
        lines = fh.read().split(b"\n")
    complete = bool(lines) and lines[-1] == b""  # every append ends with a newline: only an unended line is torn
    if complete:
        lines.pop()
    for n, raw in enumerate(lines, 1):
        if not raw.strip():
            continue
        rec = _record(raw)
        if rec is None:
            last = n == len(lines) and not complete
            if not last:
                unreadable.append(n)
            warnings.append(f"{path}:{n}: {'afgebroken laatste regel' if last else 'onleesbare regel'} "
                            f"overgeslagen / {'torn last line' if last else 'unreadable line'} skipped")
            continue
        records.append(rec)
        numbers.append(n)
    return LogRead(tuple(records), tuple(warnings), tuple(numbers), tuple(unreadable))


def check_chain(path: str, kept_head: str | None = None):
    """Read a log and check its hash chain (log_chain.verify); returns (LogRead, ChainCheck)."""
    from .log_chain import verify

    read = read_log(path)
    return read, verify(path, read.records, read.lines, kept_head, read.unreadable)


# --- where the policy version lives -------------------------------------------------------------

def git_location(root: str) -> dict | None:
    """{'commit', 'path'} when the policy folder is committed in git with no uncommitted changes."""
    top = git_output(["rev-parse", "--show-toplevel"], root)
    if not top:
        return None
    commit = git_output(["rev-parse", "HEAD"], root)
    dirty = git_output(["status", "--porcelain", "--", "."], root)
    if not commit or dirty is None or dirty:
        return None
    return {"commit": commit, "top": top,
            "path": os.path.relpath(os.path.abspath(root), top).replace(os.sep, "/")}


def snapshot_dir(log_path: str) -> str:
    """The folder next to a log that holds policy and occupancy snapshots."""
    return log_path + ".snapshots"


def snapshot_policy(log_path: str, root: str, content_hash: str) -> str:
    """Copy the policy's files into the log's snapshot folder once per content hash; returns its relative path."""
    name = "policy-" + content_hash.split(":")[-1][:16]
    base = snapshot_dir(log_path)
    target = os.path.join(base, name)
    if not os.path.isdir(target):
        os.makedirs(base, exist_ok=True)
        tmp = tempfile.mkdtemp(prefix=".tmp-", dir=base)
        try:
            for rel in policy_files(root):
                os.makedirs(os.path.join(tmp, os.path.dirname(rel)), exist_ok=True)
                shutil.copy2(os.path.join(root, rel), os.path.join(tmp, rel))
            os.rename(tmp, target)
        except OSError:
            shutil.rmtree(tmp, ignore_errors=True)
            if not os.path.isdir(target):  # not merely another writer that made it first
                raise
    return os.path.relpath(target, os.path.dirname(os.path.abspath(log_path)))


def snapshot_file(log_path: str, path: str, kind: str) -> tuple[str, str]:
    """Copy an input file (occupancy) into the snapshot folder once per content; returns (hash, relative path)."""
    digest = file_hash(path)
    base = snapshot_dir(log_path)
    target = os.path.join(base, f"{kind}-{digest.split(':')[-1][:16]}{os.path.splitext(path)[1]}")
    if not os.path.exists(target):
        os.makedirs(base, exist_ok=True)
        copy_atomic(path, target, 0o640)  # who lives where: as private as the log itself
    return digest, os.path.relpath(target, os.path.dirname(os.path.abspath(log_path)))


# --- records --------------------------------------------------------------------------------------

def decision_record(decision: Decision, policy_root: str, log_path: str, occupancy_path: str | None,
                    context: dict) -> dict:
    """A log record for one decision, with what is needed to replay it."""
    git = git_location(policy_root)
    snapshot = None if git else snapshot_policy(log_path, policy_root, decision.policy["content_hash"])
    occupancy = {"source": decision.inputs["occupancy"], "content_hash": None, "snapshot": None}
    if occupancy_path and os.path.exists(occupancy_path):
        occupancy["content_hash"], occupancy["snapshot"] = snapshot_file(log_path, occupancy_path, "occupancy")
    inputs = decision.inputs.to_dict()
    return {
        "type": "decision", "record_version": RECORD_VERSION, "decision_id": "d-" + uuid.uuid4().hex,
        "timestamp": _now(),
        "policy": {**decision.policy.to_dict(), "root": policy_root, "git": git, "snapshot": snapshot},
        "input_hash": canonical_hash({"household": inputs["household"], "unit": inputs["unit"],
                                      "date": inputs["date"], "occupancy": occupancy["content_hash"]}),
        "occupancy": occupancy, "engine": decision.engine.to_dict(), "outcome": decision.outcome,
        "deciding_rules": list(decision.deciding_rules), "context": context, "decision": decision.to_dict(),
    }


def override_record(log_path: str, decision_id: str, outcome: str, reason: str) -> dict:
    """A person's decision that differs from (or confirms) the advice; the decision id must be in the log."""
    if outcome not in OUTCOMES:
        raise PolicyError([make("invalid-value", "--outcome", value=outcome, choices=", ".join(OUTCOMES))])
    if not reason.strip():
        raise PolicyError([make("bad-input", "--reason", problem=("geef de reden van de afwijking",
                                                                  "give the reason for the override"))])
    ids = {r.get("decision_id") for r in read_log(log_path).records if r.get("type") == "decision"}
    if decision_id not in ids:
        raise PolicyError([make("bad-input", log_path, problem=(f"besluit '{decision_id}' staat niet in het logboek",
                                                                f"decision '{decision_id}' is not in the log"))])
    return {"type": "override", "record_version": RECORD_VERSION, "override_id": "o-" + uuid.uuid4().hex,
            "decision_id": decision_id, "timestamp": _now(), "outcome": outcome, "reason": reason.strip()}


# --- reviews: a person's decision on an advice ------------------------------------------------

def _refuse(where: str, nl: str, en: str) -> PolicyError:
    return PolicyError([make("bad-input", where, problem=(nl, en))])


def review_record(decision: dict, *, followed: bool, outcome: str, reviewer: str, reason: str | None,
                  note: str | None, free_room: str | None, program) -> dict:
    """A person's review of a logged decision: the advice followed, or deviated from with a reason code.

    Refused (PolicyError) when deviating without a reason code or with a code the policy does not list;
    when deviating from a legal outcome (niet toegestaan) without naming the free allocation room it uses,
    or with a reason that may not be used for that (legal: false); when followed names another outcome than
    the advice; when the reviewer is not a valid pseudonymous id. The note is kept in the log only."""
    policy = program.policy
    advice = decision.get("outcome")
    decision_id = decision.get("decision_id")
    if decision.get("type") != "decision" or not isinstance(decision_id, str) or advice not in OUTCOMES:
        raise _refuse("decision", "dit is geen besluit uit het logboek", "this is not a decision from the log")
    if outcome not in OUTCOMES:
        raise PolicyError([make("invalid-value", "--outcome", value=outcome, choices=", ".join(OUTCOMES))])
    try:
        reviewer = read_id(reviewer)
    except Refused as exc:
        raise PolicyError([exc.diagnostic("--reviewer")]) from None
    reasons = {r.id: r for r in policy.deviation_reasons}
    note = note.strip() if isinstance(note, str) and note.strip() else None
    if followed:
        if outcome != advice:
            raise _refuse("--outcome", f"opgevolgd, maar de uitkomst '{outcome}' is niet het advies '{advice}'",
                          f"followed, but the outcome '{outcome}' is not the advice '{advice}'")
        if free_room is not None:
            raise _refuse("--free-room", "wie het advies opvolgt, gebruikt geen vrije toewijzingsruimte",
                          "following the advice uses no free allocation room")
    else:
        if outcome == advice:
            raise _refuse("--outcome", f"afgeweken, maar de uitkomst '{outcome}' is het advies zelf",
                          f"deviated, but the outcome '{outcome}' is the advice itself")
        if not reason:
            raise _refuse("--reason", "geef de code van de reden van de afwijking",
                          "give the code of the reason for the deviation")
        if reason not in reasons:
            known = ", ".join(reasons) or ("(het beleid noemt geen redenen: deviation_reasons in policy.yaml)",
                                           "(the policy lists none: deviation_reasons in policy.yaml)")
            raise PolicyError([make("invalid-value", "--reason", value=reason, choices=known)])
        if advice == LEGAL_OUTCOME:
            if free_room is None:
                raise _refuse("--free-room", "afwijken van een wettelijke uitkomst (niet toegestaan) kan alleen "
                                             "binnen de vrije toewijzingsruimte: noem welke (--free-room)",
                              "deviating from a legal outcome (niet toegestaan) is possible only within the free "
                              "allocation room: name which (--free-room)")
            if not reasons[reason].legal:
                raise _refuse("--reason", f"reden '{reason}' mag niet worden gebruikt om van een wettelijke "
                                          "uitkomst af te wijken (legal: false)",
                              f"reason '{reason}' may not be used to deviate from a legal outcome (legal: false)")
            if free_room not in policy.free_allocation_room:
                choices = ", ".join(policy.free_allocation_room) or ("(geen: free_allocation_room in policy.yaml)",
                                                                      "(none: free_allocation_room in policy.yaml)")
                raise PolicyError([make("invalid-value", "--free-room", value=free_room, choices=choices)])
            deciding = decision.get("deciding_rules") or ()
            rooms = sorted({r.free_room for r in policy.rules if r.id in deciding and r.free_room})
            if rooms and free_room not in rooms:
                raise _refuse("--free-room", f"de wettelijke regel die besliste, gebruikt de ruimte {', '.join(rooms)}, "
                                             f"niet {free_room}",
                              f"the legal rule that decided uses the room {', '.join(rooms)}, not {free_room}")
        elif free_room is not None:
            raise _refuse("--free-room", f"het advies '{advice}' is geen wettelijke uitkomst: deze afwijking "
                                         "gebruikt geen vrije toewijzingsruimte",
                          f"the advice '{advice}' is no legal outcome: this deviation uses no free allocation room")
    return {"type": "review", "record_version": RECORD_VERSION, "review_id": "r-" + uuid.uuid4().hex,
            "decision_id": decision_id, "timestamp": _now(), "advice": advice, "followed": bool(followed),
            "outcome": outcome, "reviewer": reviewer, "reason": None if followed else reason, "note": note,
            "free_room": free_room}


def decision_id_from_start(records, given: str, log_path: str) -> str:
    """The decision id a unique start of it names among the records (the full id as it is; one the log does not
    hold as given); PolicyError when the start names more than one."""
    ids = {r.get("decision_id") for r in records if r.get("type") == "decision"}
    if given in ids or not given:
        return given
    matches = sorted(i for i in ids if isinstance(i, str) and i.startswith(given))
    if len(matches) > 1:
        shown = ", ".join(matches[:5]) + (" ..." if len(matches) > 5 else "")
        raise _refuse(log_path, f"'{given}' is het begin van {len(matches)} besluiten ({shown}): geef meer tekens",
                      f"'{given}' starts {len(matches)} decisions ({shown}): give more characters")
    return matches[0] if matches else given


def find_decision(records, decision_id: str, log_path: str) -> dict:
    """The decision record with this id or a unique start of it; PolicyError when the log does not hold it."""
    decision_id = decision_id_from_start(records, decision_id, log_path)
    for rec in records:
        if rec.get("type") == "decision" and rec.get("decision_id") == decision_id:
            return rec
    raise _refuse(log_path, f"besluit '{decision_id}' staat niet in het logboek",
                  f"decision '{decision_id}' is not in the log")
