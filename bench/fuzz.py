"""Fuzzing at scale: at least 10,000 mutated inputs per loader through the real commands, and the hostile inputs timed.

    python bench/fuzz.py [--n 10000] [--jobs 2]

Every input must end in a result (exit 0 or 1) or a clear error (exit 2); a crash (an
exception escaping a command) or a hang (no answer within 10 seconds) is a bug. The
mutator and the targets live in tests/fuzzing.py, which the test suite runs on a small
share. Exit 1 when any crash or hang is found; the first inputs that caused one are saved
under bench/fuzz-findings/. Issue 10's target: 0 crashes and 0 hangs; every hostile input
refused within 2 seconds.
"""

from __future__ import annotations

import argparse
import multiprocessing
import os
import shutil
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, ".."))
sys.path.insert(0, os.path.join(HERE, "..", "tests"))

import fuzzing  # noqa: E402
from click.testing import CliRunner  # noqa: E402
from rules_engine.cli import cli  # noqa: E402

CONDITION = "condition: unit.rent > def.aftoppingsgrens"


def _one_target(args):
    index, n = args
    target = fuzzing.TARGETS[index]
    with tempfile.TemporaryDirectory(prefix="magicmix-fuzz-") as work:
        seeds = fuzzing.prepare(work)
        start = time.perf_counter()
        tally = fuzzing.run_target(work, seeds, target, range(n))
        return target.name, tally, time.perf_counter() - start


def _hostile(work: str) -> list[tuple[str, float, int, str]]:
    """Each hostile input of issue 10 placed in a copy of the example policy, validated and timed."""
    src = os.path.join(HERE, "..", "policies", "openbaar-belang")
    cases = [
        ("alias bomb", "rules.yaml", "\n".join(["a0: &a0 [x, x, x, x, x, x, x, x, x, x]"] + [
            f"a{i}: &a{i} [{', '.join([f'*a{i - 1}'] * 10)}]" for i in range(1, 10)]).encode()),
        ("100 MB file", "complexes/groot.yaml", None),
        ("10,000-deep nesting", "complexes/diep.yaml", b"a: " + b"[" * 10_000 + b"]" * 10_000 + b"\n"),
        ("binary bytes", "complexes/zw-asn-01.yaml", bytes(range(256)) * 4),
        ("non-UTF-8", "complexes/zw-asn-01.yaml", "id: X\nname: Caf\u00e9\n".encode("latin-1")),
        ("__import__", "rules.yaml", CONDITION.replace("unit.rent > def.aftoppingsgrens",
                                                        "\"__import__('os').system('id')\"")),
        ("dunder attribute", "rules.yaml", CONDITION.replace("unit.rent", "household.__class__")),
        ("lambda", "rules.yaml", CONDITION.replace("unit.rent > def.aftoppingsgrens", "\"(lambda: 1) == 1\"")),
        ("comprehension", "rules.yaml", CONDITION.replace("unit.rent > def.aftoppingsgrens",
                                                           "\"[x for x in household.flags] == 1\"")),
        ("template attribute", "rules.yaml", ("({unit.rent|euro}) ligt boven", "({unit.rent.__class__}) ligt boven")),
    ]
    out = []
    runner = CliRunner()
    for name, rel, content in cases:
        pol = os.path.join(work, "pol")
        shutil.rmtree(pol, ignore_errors=True)
        shutil.copytree(src, pol)
        path = os.path.join(pol, rel)
        if content is None:
            with open(path, "wb") as fh:
                fh.truncate(100 * 1024 * 1024)
        elif isinstance(content, (str, tuple)):
            old, new = (CONDITION, content) if isinstance(content, str) else content
            with open(path, encoding="utf-8") as fh:
                text = fh.read()
            with open(path, "w", encoding="utf-8") as fh:
                fh.write(text.replace(old, new, 1))
        else:
            with open(path, "wb") as fh:
                fh.write(content)
        start = time.perf_counter()
        res = runner.invoke(cli, ["validate", pol, "--lang", "en"])
        seconds = time.perf_counter() - start
        first = (res.stdout or "").splitlines()[:1] or (res.stderr or "").splitlines()[:1]
        out.append((name, seconds, res.exit_code, first[0] if first else ""))
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=10_000, help="inputs per loader")
    parser.add_argument("--jobs", type=int, default=os.cpu_count() or 1)
    parser.add_argument("--only", help="only the loader with this name (e.g. occupancy.xlsx)")
    a = parser.parse_args()
    chosen = [i for i, t in enumerate(fuzzing.TARGETS) if a.only in (None, t.name)]
    print(f"magicmix fuzzing: {a.n:,} inputs per loader, {len(chosen)} loaders, {a.jobs} processes")
    print(f"  {'loader':16} {'inputs':>8} {'exit 0':>8} {'exit 1':>8} {'exit 2':>8} {'crashes':>8} {'hangs':>6} "
          f"{'slowest':>8} {'per input':>10}")
    bad = 0
    findings = os.path.join(HERE, "fuzz-findings")
    with multiprocessing.get_context("fork").Pool(a.jobs) as pool:
        for name, t, seconds in pool.imap(_one_target, [(i, a.n) for i in chosen]):
            print(f"  {name:16} {t.inputs:>8,} {t.clean:>8,} {t.refused:>8,} {t.errors:>8,} {t.crashes:>8,} "
                  f"{t.hangs:>6,} {t.slowest:>7.2f}s {seconds / t.inputs * 1000:>8.1f}ms", flush=True)
            bad += t.crashes + t.hangs
            for n, what, data in t.examples[:5]:
                os.makedirs(findings, exist_ok=True)
                with open(os.path.join(findings, f"{name.replace(' ', '-')}-{n}.bin"), "wb") as fh:
                    fh.write(data)
                print(f"      input {n}: {what}")
    print(f"total crashes and hangs: {bad}")
    print("hostile inputs (validate on a copy of the example policy; target: refused within 2 s):")
    with tempfile.TemporaryDirectory(prefix="magicmix-hostile-") as work:
        for name, seconds, code, first in _hostile(work):
            verdict = "OK" if seconds < 2 and code in (1, 2) else "FAIL"
            bad += verdict == "FAIL"
            print(f"  {name:20} exit {code}  {seconds:5.2f} s  {verdict}  {first[-90:]}")
    sys.exit(1 if bad else 0)


if __name__ == "__main__":
    main()
