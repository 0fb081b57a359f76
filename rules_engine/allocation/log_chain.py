"""The decision log's hash chain: each record carries the hash of the record before it and of itself.

A record's hash is the sha256 of its canonical JSON form (sorted keys, no spaces, UTF-8) without
the "hash" field, so it covers every other field, including "prev_hash". Changing any field,
deleting, reordering or duplicating a record breaks the chain at that record. A chain cannot show
that its tail was cut off or that the whole chain was rewritten: the head (the last record's hash)
is printed by `log replay` to be kept elsewhere, and `--head` checks a log against a kept head.
"""

from __future__ import annotations

import hashlib
import json

from ..diagnostics import Diagnostic, make
from ..model.policy import OUTCOMES
from ..lang.records import frozen

GENESIS = "sha256:" + "0" * 64
"""The prev_hash of a log's first record."""

PREV, HASH = "prev_hash", "hash"


def canonical_hash(data) -> str:
    """sha256 of the canonical JSON form (sorted keys, no spaces, UTF-8) of data."""
    text = json.dumps(data, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return "sha256:" + hashlib.sha256(text.encode("utf-8")).hexdigest()


def record_hash(record: dict) -> str:
    """The hash a record should carry: over every field except "hash" itself."""
    return canonical_hash({k: v for k, v in record.items() if k != HASH})


def link(record: dict) -> str:
    """What the next record's prev_hash names: a chained record's hash, or the hash of an older record's content."""
    value = record.get(HASH)
    return value if isinstance(value, str) else record_hash(record)


def chain(records: list[dict], prev: str) -> list[dict]:
    """The records with prev_hash and hash filled in, each linked to the one before (the first to prev)."""
    out = []
    for record in records:
        body = {k: v for k, v in record.items() if k not in (PREV, HASH)}
        body[PREV] = prev
        body[HASH] = prev = record_hash(body)
        out.append(body)
    return out


@frozen
class ChainCheck:
    """The verdict on a log's chain: its head, the records checked, and what is wrong."""

    head: str
    records: int
    unchained: int  # records written before the chain (older logs), which cannot be checked
    problems: tuple[Diagnostic, ...]
    warnings: tuple[Diagnostic, ...]

    @property
    def intact(self) -> bool:
        """No problem found (older records without a chain are only a warning)."""
        return not self.problems


def verify(path: str, records, lines, kept_head: str | None = None, unreadable=()) -> ChainCheck:
    """Check the chain of a log's records (lines: each record's line number) and, if given, a kept head;
    unreadable names lines that are no record, other than a torn last line.

    A crash while writing leaves a torn line that the next append follows with a record chained past it,
    so an unreadable line before a record is judged by the chain; after the last record nothing explains one."""
    last = max(lines, default=0)
    problems: list[Diagnostic] = [make("log-record-invalid", path, n, problem=("onleesbare regel", "unreadable line"))
                                  for n in unreadable if n > last]
    prev, chained, unchained = GENESIS, False, 0
    decisions: set = set()
    seen: set = set()
    hashes: set = set()
    for rec, line in zip(records, lines):
        has_chain = PREV in rec or HASH in rec
        if has_chain:
            chained = True
            if rec.get(HASH) != record_hash(rec):
                problems.append(make("log-hash-mismatch", path, line))
            elif rec.get(PREV) != prev:
                problems.append(make("log-chain-break", path, line))
        elif chained:
            problems.append(make("log-unchained", path, line))
        else:
            unchained += 1
        problems.extend(_meaning(rec, path, line, decisions, seen))
        prev = link(rec)
        hashes.add(prev)
    warnings = []
    if unchained:
        warnings.append(make("log-legacy", path, severity="warning", count=unchained))
    if kept_head is not None and kept_head not in hashes:
        problems.append(make("log-head-missing", path, head=kept_head))
    problems.sort(key=lambda d: d.line or 0)
    return ChainCheck(prev, len(records), unchained, tuple(problems), tuple(warnings))


def _meaning(rec: dict, path: str, line: int, decisions: set, seen: set) -> list[Diagnostic]:
    """What a record must say whatever its hashes: one id once, an override or review only of an earlier decision."""
    kind = rec.get("type")
    own = rec.get({"decision": "decision_id", "override": "override_id", "review": "review_id"}.get(kind, ""))
    if not isinstance(own, str) or kind not in ("decision", "override", "review"):
        return [make("log-record-invalid", path, line, problem=("onbekend soort record of geen id",
                                                                "unknown kind of record or no id"))]
    if (kind, own) in seen:
        return [make("log-duplicate-id", path, line, id=own)]
    seen.add((kind, own))
    if kind == "decision":
        decisions.add(own)
        decision = rec.get("decision")
        if not isinstance(decision, dict) or decision.get("outcome") != rec.get("outcome"):
            return [make("log-record-invalid", path, line, problem=(
                "de uitkomst van het record verschilt van die van het besluit",
                "the record's outcome differs from the decision's"))]
        return []
    if rec.get("decision_id") not in decisions:
        return [make("log-override-orphan", path, line, id=str(rec.get("decision_id")))]
    if kind == "review":  # followed: the advice's own outcome; deviated: another one, with a reason code
        followed = rec.get("followed")
        if rec.get("outcome") not in OUTCOMES or not isinstance(followed, bool) or \
                (followed != (rec.get("outcome") == rec.get("advice"))) or \
                (not followed and not (isinstance(rec.get("reason"), str) and rec["reason"].strip())):
            return [make("log-record-invalid", path, line, problem=(
                "beoordeling zonder geldige uitkomst, opgevolgd/afgeweken of reden",
                "review without a valid outcome, followed/deviated or reason"))]
        return []
    if rec.get("outcome") not in OUTCOMES or not isinstance(rec.get("reason"), str) or not rec["reason"].strip():
        return [make("log-record-invalid", path, line, problem=("afwijking zonder geldige uitkomst of reden",
                                                                "override without a valid outcome or reason"))]
    return []
