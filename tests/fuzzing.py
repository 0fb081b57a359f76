"""Mutation fuzzing of every loader through the real commands (used by tests/test_fuzz.py and bench/fuzz.py).

Each target is one input file of one command: a seed file from a scaffolded policy is
mutated (bytes flipped, hostile tokens inserted, lines dropped, duplicated or swapped,
numbers made extreme) and the command is run in-process. The only acceptable outcomes
are a result (exit 0 or 1) or a clear error (exit 2); anything else, an exception that
escapes the command or no answer within the time limit, is counted as a crash or a hang.
"""

from __future__ import annotations

import json
import os
import random
import shutil
import signal
from dataclasses import dataclass
from typing import Callable

from click.testing import CliRunner

from rules_engine.cli import cli
from rules_engine.testing.scaffold import init_repository

POLICY = "policies/fuzz"
UNIT = "VB-01-A3"
DATE = "2025-06-01"

TOKENS = [
    b"&a ", b"*a", b"!!python/object/apply:os.system ['id']", b"!!binary", b"<<: *a", b"? ", b"- ", b": ", b"{", b"}",
    b"[", b"]", b"'", b'"', b"\t", b"\x00", b"\xef\xbb\xbf", b"\r\n", b"\n---\n", b"...", b"%YAML 1.1\n", b"~", b"null",
    b".nan", b".inf", b"-.inf", b"1e999", b"-1", b"0", b"99999999999999999999999", b"2025-02-30", b"0000-00-00",
    b"__class__", b"__import__('os')", b"lambda: 1", b"[x for x in y]", b"{household.__class__}", b"|euro", b"|__x__",
    b"def.", b"param.", b"household.", b"share[", b"[household.category]", b" and ", b" or ", b" not ", b"==", b"/ 0",
    b"\xc3\xa9", b"\xff\xfe", b"\xed\xa0\x80", b"\\u0000", b"A" * 5000, b"[" * 300, b"{" * 300, b"#", b"|\n  ", b">-\n",
    b"yes", b"no", b"on", b"0x1F", b"0o17", b"1_000", b"12:30:00", b"'\\'", b";", b",", b"\"\"\"",
]
NUMBERS = [b"0", b"-1", b"1e308", b"NaN", b"99999999999999999999", b"0.0000000001", b"-0", b"1/3", b"10%", b"101%"]


def mutate(seed: bytes, rng: random.Random, others: list[bytes]) -> bytes:
    """One to four random mutations of seed (a pure function of seed and the random state)."""
    data = bytearray(seed)
    for _ in range(rng.randint(1, 4)):
        kind = rng.randrange(9)
        pos = rng.randint(0, len(data))
        if kind == 0 and data:
            i = rng.randrange(len(data))
            data[i] = rng.randrange(256)
        elif kind in (1, 2):
            data[pos:pos] = rng.choice(TOKENS)
        elif kind == 3 and data:
            end = min(len(data), pos + rng.randint(1, 80))
            del data[pos:end]
        elif kind in (4, 5, 6):
            lines = bytes(data).split(b"\n")
            i, j = rng.randrange(len(lines)), rng.randrange(len(lines))
            if kind == 4:
                lines.insert(i, lines[j])
            elif kind == 5:
                lines[i], lines[j] = lines[j], lines[i]
            else:
                del lines[i]
            data = bytearray(b"\n".join(lines))
        elif kind == 7:
            digits = [i for i, c in enumerate(data) if 48 <= c <= 57]
            if digits:
                i = rng.choice(digits)
                j = i
                while j < len(data) and (48 <= data[j] <= 57 or data[j] in b".,"):
                    j += 1
                data[i:j] = rng.choice(NUMBERS)
        elif kind == 8:
            donor = rng.choice(others).split(b"\n")
            line = rng.choice(donor)
            data[pos:pos] = line + b"\n"
    return bytes(data)


@dataclass(frozen=True)
class Target:
    """One input file of one command."""

    name: str
    file: str  # relative to the work folder
    args: Callable[[str], list[str]]  # work folder -> command arguments
    mutate: Callable[[bytes, random.Random, list[bytes]], bytes] = mutate


def _in_yaml_string(template: bytes, marker: bytes) -> Callable:
    """A mutator for text inside one YAML double-quoted value (a condition, an explanation text)."""
    def run(seed: bytes, rng: random.Random, others: list[bytes]) -> bytes:
        start = seed.index(marker) + len(marker)
        end = seed.index(b"\n", start)
        text = json.loads(seed[start:end]) if seed[start:start + 1] == b'"' else seed[start:end].decode()
        mutated = mutate(text.encode("utf-8"), rng, others).decode("utf-8", "replace")
        return seed[:start] + json.dumps(mutated).encode() + seed[end:]
    return run


def _mutate_workbook(seed: bytes, rng: random.Random, others: list[bytes]) -> bytes:
    """An .xlsx from mutated CSV text (cells of any kind), or, one time in four, the workbook's bytes mutated."""
    import datetime as dt
    import io

    import openpyxl

    if rng.random() < 0.25:
        return mutate(seed, rng, others)
    text = mutate(b"unit;household;category;valid_from\nVB-01-A1;h1;regulier;2024-01-01\n"
                  b"VB-01-A2;h2;aandacht;01-02-2024\n", rng, others).decode("utf-8", "replace")
    book = openpyxl.Workbook()
    sheet = book.active
    for line in text.splitlines():
        row = line.split(";")
        cells = []
        for cell in row[:50]:
            pick = rng.random()
            cells.append(dt.datetime(2024, 1, 1) if pick < 0.05 else rng.randint(-5, 10**6) if pick < 0.1 else
                         "".join(c for c in cell if c.isprintable())[:300])
        sheet.append(cells)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _p(work: str) -> str:
    return os.path.join(work, POLICY)


TARGETS = [
    Target("policy.yaml", f"{POLICY}/policy.yaml", lambda w: ["validate", _p(w)]),
    Target("parameters.yaml", f"{POLICY}/parameters.yaml", lambda w: ["validate", _p(w)]),
    Target("rules.yaml", f"{POLICY}/rules.yaml", lambda w: ["validate", _p(w)]),
    Target("complex", f"{POLICY}/complexes/voorbeeld.yaml", lambda w: ["validate", _p(w)]),
    Target("occupancy.yaml", f"{POLICY}/occupancy.yaml", lambda w: ["validate", _p(w)]),
    Target("expression", f"{POLICY}/rules.yaml", lambda w: ["validate", _p(w)],
           _in_yaml_string(b"", b"    condition: ")),
    Target("template", f"{POLICY}/rules.yaml", lambda w: ["validate", _p(w)],
           _in_yaml_string(b"", b"        nl: ")),
    Target("test cases", f"{POLICY}/tests/voorbeeld.yaml", lambda w: ["test", _p(w)]),
    Target("household", "household.yaml",
           lambda w: ["evaluate", _p(w), "--unit", UNIT, "--household", os.path.join(w, "household.yaml"),
                      "--date", DATE, "--occupancy", os.path.join(w, "occupancy.csv")]),
    Target("candidates", "candidates.yaml",
           lambda w: ["rank", _p(w), "--unit", UNIT, "--candidates", os.path.join(w, "candidates.yaml"), "--date", DATE]),
    Target("occupancy.csv", "occupancy.csv",
           lambda w: ["room", _p(w), "--complex", "VB-01", "--occupancy", os.path.join(w, "occupancy.csv"),
                      "--date", DATE]),
    Target("occupancy.xlsx", "occupancy.xlsx",
           lambda w: ["status", _p(w), "--occupancy", os.path.join(w, "occupancy.xlsx"), "--date", DATE],
           _mutate_workbook),
    Target("batch.csv", "rows.csv", lambda w: ["evaluate", _p(w), "--batch", os.path.join(w, "rows.csv"), "--date", DATE,
                                                "--on-error", "fail"]),
    Target("batch.jsonl", "rows.jsonl",
           lambda w: ["evaluate", _p(w), "--batch", os.path.join(w, "rows.jsonl"), "--date", DATE, "--explain",
                      "--on-error", "fail"]),
    Target("decision log", "log/log.jsonl",
           lambda w: ["log", "replay", os.path.join(w, "log", "log.jsonl"), "--verify"]),
    Target("saved decision", "decision.json",
           lambda w: ["report", os.path.join(w, "decision.json"), "--format", "markdown"]),
    Target("saved ranking", "ranking.json",
           lambda w: ["report", os.path.join(w, "ranking.json"), "--format", "html"]),
]


def prepare(work: str) -> dict[str, bytes]:
    """Build the seed files in work (a scaffolded policy plus inputs); returns each target file's seed bytes."""
    init_repository(os.path.join(work, "repo"))
    shutil.move(os.path.join(work, "repo", "policies", "mijn-beleid"), _p(work))
    files = {
        "household.yaml": "id: hh-1\nsize: 2\nincome: 24500\ncategory: aandacht\nage: 40\nflags: [x]\n",
        "candidates.yaml": "vacancy: V-1\ncandidates:\n  - {id: k1, size: 2, income: 24500, category: aandacht}\n"
                           "  - {id: k2, size: 1, income: 30000, category: regulier}\n",
        "occupancy.csv": "unit;household;category;valid_from\nVB-01-A1;h1;regulier;2024-01-01\n"
                         "VB-01-A2;h2;aandacht;2024-01-01\nVB-01-A2;h2;regulier;2025-01-01\n",
        "rows.csv": "id,size,income,category,unit,age,flags,date\nh1,2,24500,aandacht,VB-01-A3,40,a|b,2025-06-01\n"
                    "h2,1,\"30000,50\",regulier,VB-01-A1,,,\n",
        "rows.jsonl": '{"id": "h1", "size": 2, "income": "24500", "category": "aandacht", "unit": "VB-01-A3"}\n'
                      '{"id": "h2", "size": 1, "income": 30000.5, "category": "regulier", "unit": "VB-01-A1", '
                      '"date": "2025-02-01"}\n',
    }
    for rel, text in files.items():
        with open(os.path.join(work, rel), "w", encoding="utf-8") as fh:
            fh.write(text)
    import openpyxl

    book = openpyxl.Workbook()
    for row in (["unit", "household", "category", "valid_from"], ["VB-01-A1", "h1", "regulier", "2024-01-01"]):
        book.active.append(row)
    book.save(os.path.join(work, "occupancy.xlsx"))
    runner = CliRunner()
    res = runner.invoke(cli, ["evaluate", _p(work), "--unit", UNIT, "--household", os.path.join(work, "household.yaml"),
                              "--date", DATE, "--format", "json"])
    with open(os.path.join(work, "decision.json"), "w", encoding="utf-8") as fh:
        fh.write(res.stdout)
    res = runner.invoke(cli, ["rank", _p(work), "--unit", UNIT, "--candidates", os.path.join(work, "candidates.yaml"),
                              "--date", DATE, "--format", "json"])
    with open(os.path.join(work, "ranking.json"), "w", encoding="utf-8") as fh:
        fh.write(res.stdout)
    os.makedirs(os.path.join(work, "log"))
    log = os.path.join(work, "log", "log.jsonl")
    for _ in range(2):  # two decisions and an override: a chain whose links the mutations can break
        runner.invoke(cli, ["evaluate", _p(work), "--unit", UNIT, "--household", os.path.join(work, "household.yaml"),
                            "--date", DATE, "--log", log])
    with open(log, encoding="utf-8") as fh:
        first = json.loads(fh.readline())["decision_id"]
    runner.invoke(cli, ["log", "override", first, "--outcome", "passend", "--reason", "maatwerk", "--log", log])
    seeds = {}
    for t in TARGETS:
        res = runner.invoke(cli, t.args(work))
        if res.exit_code != 0:
            raise AssertionError(f"the unmutated seed of {t.name} does not pass: {res.output}")
        with open(os.path.join(work, t.file), "rb") as fh:
            seeds[t.file] = fh.read()
    return seeds


class Hang(Exception):
    """An input kept a command busy beyond the time limit."""


def _alarm(signum, frame):
    raise Hang()


@dataclass
class Tally:
    """Counts per target: inputs run, exit 0, exit 1 (refused or failing), exit 2 (clear input error), crashes, hangs."""

    inputs: int = 0
    clean: int = 0
    refused: int = 0
    errors: int = 0
    crashes: int = 0
    hangs: int = 0
    slowest: float = 0.0
    examples: list = None


def run_target(work: str, seeds: dict[str, bytes], target: Target, seed_numbers, limit_seconds: int = 10) -> Tally:
    """Run mutated inputs for one target; returns the tally. The seed file is restored afterwards."""
    import time

    tally = Tally(examples=[])
    runner = CliRunner()
    path = os.path.join(work, target.file)
    others = list(seeds.values())
    old = signal.signal(signal.SIGALRM, _alarm)
    try:
        for n in seed_numbers:
            rng = random.Random(f"{target.name}:{n}")
            data = target.mutate(seeds[target.file], rng, others)
            with open(path, "wb") as fh:
                fh.write(data)
            start = time.perf_counter()
            signal.alarm(limit_seconds)
            try:
                res = runner.invoke(cli, target.args(work), catch_exceptions=True)
                code, exc = res.exit_code, res.exception
            except Hang:
                code, exc = None, Hang()
            finally:
                signal.alarm(0)
            tally.slowest = max(tally.slowest, time.perf_counter() - start)
            tally.inputs += 1
            if isinstance(exc, Hang):
                tally.hangs += 1
                tally.examples.append((n, "hang", data[:300]))
            elif exc is not None and not isinstance(exc, SystemExit):
                # click's runner reports an escaped exception as exit 1: it is a crash whatever the code
                tally.crashes += 1
                tally.examples.append((n, f"exit {code}: {type(exc).__name__}: {exc}", data[:300]))
            elif code == 0:
                tally.clean += 1
            elif code == 1:
                tally.refused += 1
            elif code == 2:
                tally.errors += 1
            else:
                tally.crashes += 1
                tally.examples.append((n, f"exit {code}: {type(exc).__name__}: {exc}", data[:300]))
    finally:
        signal.signal(signal.SIGALRM, old)
        with open(path, "wb") as fh:
            fh.write(seeds[target.file])
    return tally
