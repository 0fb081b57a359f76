"""Benchmark: batch evaluation at national scale, against the leanest plain Python loop of the same work.

    python bench/batch.py [--complexes 30000] [--homes 2300000] [--evaluations 8000000] [--jobs 2]

Generates (once, in --workdir) an invented national-scale policy (about 30,000 complexes with
2.3 million homes, the example policy's rules and parameters, copied again when they changed), its
occupancy as CSV, and inputs of household x home rows; then runs the real command

    magicmix evaluate POLICY --batch input.csv --occupancy occupancy.csv --date D --jobs N --output out.jsonl

on a smaller input (it fills the policy cache, a folder of its own emptied first) and on the large
one (the policy read from the cache, as every run after a policy change). The baseline, in the
same run: a plain Python loop (lean_loop) that reads the same CSV with the csv module, decides
every row with the lean rules (the example policy's eight rules written out by hand over a table
of homes built before the loop: lean_homes, not timed) and writes the same JSON lines. Its output
must equal the command's byte for byte, which checks the lean rules against the engine on every
row. Printed: times, rows per second, the ratios (target of issue 21: end to end with --jobs 2
within 2x the lean loop), the peak memory of each process and the machine's load.
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import filecmp
import os
import random
import re
import shutil
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
sys.path.insert(0, ROOT)

from rules_engine import load_policy, load_occupancy  # noqa: E402
from rules_engine.load.occupancy import composition  # noqa: E402
from rules_engine.model.levels import group_keys  # noqa: E402

EXAMPLE = os.path.join(ROOT, "policies", "openbaar-belang")
CATEGORIES = (("regulier", 50), ("aandacht", 35), ("actief", 15))
DATE = "2025-06-01"


def generate_policy(root: str, complexes: int, homes: int, seed: int = 1) -> list[str]:
    """A policy with the example's rules and parameters and many invented complexes; returns the home ids."""
    rnd = random.Random(seed)
    shutil.rmtree(root, ignore_errors=True)
    os.makedirs(os.path.join(root, "complexes"))
    for name in ("parameters.yaml", "rules.yaml"):
        shutil.copy(os.path.join(EXAMPLE, name), os.path.join(root, name))
    n_buurten = max(1, complexes // 10)
    text = open(os.path.join(EXAMPLE, "policy.yaml"), encoding="utf-8").read()
    head, rest = text.split("buurten:", 1)
    mix = "mix:" + rest.split("\nmix:", 1)[1]
    with open(os.path.join(root, "policy.yaml"), "w", encoding="utf-8") as fh:
        fh.write(head + "buurten:\n")
        for b in range(n_buurten):
            fh.write(f"  - {{code: BU{b:08d}, year: 2025, name: Buurt {b}}}\n")
        fh.write(mix)
    per_complex = homes / complexes
    unit_ids = []
    for c in range(complexes):
        target = int(round(per_complex * (c + 1))) - int(round(per_complex * c))
        portieken = max(1, round(target / 8))
        lines = [f"id: C{c:06d}", f"name: Complex {c}", f"buurt: BU{c % n_buurten:08d}", "portieken:"]
        for p in range(portieken):
            n = target // portieken + (1 if p < target % portieken else 0)
            lines.append(f"  - id: P{p}\n    units:")
            for u in range(n):
                uid = f"C{c:06d}-{p}-{u}"
                unit_ids.append(uid)
                lines.append(f"      - {{id: {uid}, rooms: {rnd.randint(1, 5)}, rent: {rnd.randint(55000, 90000) / 100:.2f}}}")
        with open(os.path.join(root, "complexes", f"c{c:06d}.yaml"), "w", encoding="utf-8") as fh:
            fh.write("\n".join(lines) + "\n")
    return unit_ids


def _category(rnd: random.Random) -> str:
    return rnd.choices([c for c, _ in CATEGORIES], weights=[w for _, w in CATEGORIES])[0]


def generate_occupancy(path: str, unit_ids: list[str], seed: int = 2) -> None:
    rnd = random.Random(seed)
    with open(path, "w", encoding="utf-8", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(["unit", "household", "category", "valid_from"])
        for i, uid in enumerate(unit_ids):
            if rnd.random() < 0.95:
                w.writerow([uid, f"h{i}", _category(rnd), "2020-01-01"])


def generate_input(path: str, unit_ids: list[str], n: int, seed: int = 3) -> None:
    rnd = random.Random(seed)
    with open(path, "w", encoding="utf-8", newline="") as fh:
        fh.write("id,size,income,category,unit\n")
        for i in range(n):
            fh.write(f"c{i},{rnd.randint(1, 6)},{rnd.randint(12000, 70000)},{_category(rnd)},"
                     f"{unit_ids[rnd.randrange(len(unit_ids))]}\n")


def load() -> str:
    """The machine's load average (1, 5, 15 minutes) and its cores."""
    return " ".join(f"{x:.2f}" for x in os.getloadavg()) + f" ({os.cpu_count()} cores)"


def run_cli(policy: str, occupancy: str, data: str, out: str, jobs: int) -> tuple[float, float, float]:
    """Run the real command in a child process; returns (seconds, seconds evaluating as its summary says, peak
    resident memory in MiB of any process of this run: os.wait4's, not RUSAGE_CHILDREN's, which keeps the largest
    of every run before)."""
    start = time.perf_counter()
    with tempfile.TemporaryFile("w+") as stdout, tempfile.TemporaryFile("w+") as stderr:
        proc = subprocess.Popen([sys.executable, os.path.join(ROOT, "cli.py"), "evaluate", policy, "--batch", data,
                                 "--occupancy", occupancy, "--date", DATE, "--jobs", str(jobs), "--output", out,
                                 "--lang", "en"], stdout=stdout, stderr=stderr, text=True)
        _, status, usage = os.wait4(proc.pid, 0)
        seconds = time.perf_counter() - start
        stdout.seek(0)
        stderr.seek(0)
        text, errors = stdout.read(), stderr.read()
    if os.waitstatus_to_exitcode(status) != 0:
        sys.exit(f"batch run failed:\n{errors}{text}")
    print("   ", text.strip().replace("\n", "\n    "))
    evaluating = float(re.search(r" in ([0-9.,]+) s", text).group(1).replace(",", ""))
    return seconds, evaluating, usage.ru_maxrss / 1024


# --- the honest baseline: the leanest plain Python loop of the same work --------------------------------------

LEAN_RULES = ("passend-toewijzen", "daeb-inkomensgrens", "portiek-limiet", "complex-plafond", "buurt-plafond",
              "voorkeur-onder-band", "woninggrootte", "huurtoeslag-rekengrens")


def params_at(policy, date: dt.date) -> dict:
    """The policy's parameters with a value on the date."""
    return {name: v.value for name, param in policy.parameters.items() if (v := param.at(date)) is not None}


def lean_homes(program, comp, date: dt.date, only=None) -> dict:
    """uid -> what the lean loop reads of a home, computed once (the policy's data at the date, as a lean program
    that had read the policy and counted the occupancy would hold it; not part of the timed loop)."""
    pol = program.policy
    p = params_at(pol, date)
    if sorted(r.id for r in pol.rules) != sorted(LEAN_RULES):
        sys.exit("the lean loop is written for the example policy's rules; the generated policy has others")
    cap12, cap3, daeb_rent, rekenhuur = (p["aftoppingsgrens_1_2_personen"], p["aftoppingsgrens_3_plus_personen"],
                                         p["daeb_huurgrens"], p["huurtoeslag_maximale_rekenhuur"])
    per_complex: dict = {}
    homes = {}
    groups, by_unit = comp.groups, comp.by_unit
    levels = pol.levels.keys
    for uid in pol.units if only is None else only:
        u = pol.units[uid]
        shared = per_complex.get(u.complex)
        if shared is None:
            profile = pol.complexes[u.complex].profile_at(date)
            cx, bu = profile.mix.bands, pol.buurten[u.buurt].mix.bands
            bands = {c: (cx[c].high.numerator, cx[c].high.denominator, cx[c].low.numerator, cx[c].low.denominator,
                         bu[c].high.numerator, bu[c].high.denominator) for c in cx}
            shared = per_complex[u.complex] = (profile.min_households, dict(profile.portiek_max_households), bands)
        keys = group_keys(pol, u)
        homes[uid] = (u.daeb, u.rent > cap12, u.rent > cap3, u.rent <= daeb_rent, u.rent > rekenhuur, u.rooms,
                      groups[(levels[0], keys[0])], groups[(levels[1], keys[1])], groups[(levels[2], keys[2])],
                      by_unit.get(uid)) + shared
    return homes


def lean_loop(program, homes: dict, date: dt.date, data: str, out: str) -> int:
    """Read the CSV with the csv module, decide every row with the lean rules, write the same JSON lines."""
    p = params_at(program.policy, date)
    pt = {1: p["passend_toewijzen_inkomensgrens_1p"], 2: p["passend_toewijzen_inkomensgrens_2p"]}
    daeb = {1: p["daeb_inkomensgrens_1p"], 2: p["daeb_inkomensgrens_2p"]}
    pt = {k: (v.numerator, v.denominator) for k, v in pt.items()}
    daeb = {k: (v.numerator, v.denominator) for k, v in daeb.items()}
    day = date.isoformat()
    tails: dict = {}
    rows = 0
    with open(data, encoding="utf-8", newline="") as fh, open(out, "w", encoding="utf-8") as w:
        reader = csv.reader(fh)
        if next(reader) != ["id", "size", "income", "category", "unit"]:
            sys.exit("the lean loop reads the generated input's columns only")
        write = w.write
        for row, (hid, size, income, cat, uid) in enumerate(reader, 2):
            size, income = int(size), int(income)
            (is_daeb, over12, over3, daeb_rent, over_reken, rooms, pk, cx, bu, leaving, min_h, max_hh,
             bands) = homes[uid]
            one = 1 if size == 1 else 2
            ln, ld = pt[one]
            within_pt = income * ld <= ln
            legal = ()
            if is_daeb:
                if within_pt and (over12 if size <= 2 else over3):
                    legal = ("passend-toewijzen",)
                dn, dd = daeb[one]
                if daeb_rent and income * dd > dn:
                    legal += ("daeb-inkomensgrens",)
            if legal:
                result = ("niet_toegestaan", legal)
            else:
                pk_k, cx_k, bu_k = pk.counts.get(cat, 0), cx.counts.get(cat, 0), bu.counts.get(cat, 0)
                cx_occ, bu_occ = cx.occupied, bu.occupied
                if leaving is not None:
                    if leaving == cat:
                        pk_k, cx_k, bu_k = pk_k - 1, cx_k - 1, bu_k - 1
                    cx_occ, bu_occ = cx_occ - 1, bu_occ - 1
                hp, hq, lp, lq, bp, bq = bands[cat]
                against = ()
                limit = max_hh.get(cat)
                if limit is not None and pk_k + 1 > limit:
                    against = ("portiek-limiet",)
                if cx_occ + 1 >= min_h and (cx_k + 1) * hq > hp * (cx_occ + 1):
                    against += ("complex-plafond",)
                if bu_occ + 1 >= min_h and (bu_k + 1) * bq > bp * (bu_occ + 1):
                    against += ("buurt-plafond",)
                if (size == 1 and rooms >= 4) or size > rooms + 1:
                    against += ("woninggrootte",)
                if within_pt and over_reken:
                    against += ("huurtoeslag-rekengrens",)
                if against:
                    result = ("ontraden", against)
                elif cx_occ >= min_h and (cx_k * lq < lp * cx_occ if cx_occ else lp > 0):  # an empty group's share: 0
                    result = ("voorkeur", ("voorkeur-onder-band",))
                else:
                    result = ("passend", ())
            tail = tails.get(result)
            if tail is None:
                tail = tails[result] = (f'"outcome": "{result[0]}", "deciding": ['
                                        + ", ".join(f'"{r}"' for r in result[1]) + "]}\n")
            write(f'{{"row": {row}, "household": "{hid}", "unit": "{uid}", "date": "{day}", {tail}')
            rows += 1
    return rows


def lean_setup_for(policy: str, occupancy: str) -> tuple[object, dict, float]:
    """(program, lean table of homes, seconds): the policy and occupancy loaded through magicmix and the lean
    table built, once, before the timed loops."""
    start = time.perf_counter()
    program = load_policy(policy)
    date = dt.date.fromisoformat(DATE)
    comp = composition(program.policy, load_occupancy(occupancy, program.policy), date)
    return program, lean_homes(program, comp, date), time.perf_counter() - start


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--complexes", type=int, default=30_000)
    ap.add_argument("--homes", type=int, default=2_300_000)
    ap.add_argument("--evaluations", type=int, default=8_000_000)
    ap.add_argument("--small", type=int, default=1_000_000, help="rows of the smaller run (memory comparison)")
    ap.add_argument("--jobs", type=int, default=2)
    ap.add_argument("--workdir", default="/tmp/magicmix-national")
    ap.add_argument("--keep-cache", action="store_true", help="keep the policy cache of an earlier run (else emptied)")
    args = ap.parse_args()
    os.makedirs(args.workdir, exist_ok=True)
    tag = f"{args.complexes}-{args.homes}"
    policy = os.path.join(args.workdir, f"policy-{tag}")
    occupancy = os.path.join(args.workdir, f"occupancy-{tag}.csv")
    big = os.path.join(args.workdir, f"input-{tag}-{args.evaluations}.csv")
    small = os.path.join(args.workdir, f"input-{tag}-{args.small}.csv")
    out = os.path.join(args.workdir, "out.jsonl")
    lean_out = os.path.join(args.workdir, "out-lean.jsonl")
    t = time.perf_counter()
    if not (os.path.isdir(policy) and os.path.exists(occupancy)):
        units = generate_policy(policy, args.complexes, args.homes)
        generate_occupancy(occupancy, units)
    else:
        units = None
        for name in ("parameters.yaml", "rules.yaml"):  # a policy generated earlier gets today's rules
            if open(os.path.join(EXAMPLE, name), "rb").read() != open(os.path.join(policy, name), "rb").read():
                shutil.copy(os.path.join(EXAMPLE, name), os.path.join(policy, name))
    for path, n in ((big, args.evaluations), (small, args.small)):
        if not os.path.exists(path):
            if units is None:
                units = [row[0] for row in csv.reader(open(occupancy, encoding="utf-8"))][1:]
            generate_input(path, units, n)
    print(f"generated/reused national-scale data in {time.perf_counter() - t:.0f} s: {args.complexes:,} complexes, "
          f"{args.homes:,} homes, inputs of {args.evaluations:,} and {args.small:,} rows")

    cache = os.path.join(args.workdir, "cache-batch")
    if not args.keep_cache:
        shutil.rmtree(cache, ignore_errors=True)
    os.environ["MAGICMIX_CACHE_DIR"] = cache
    print(f"load average at the start: {load()}")
    print(f"batch, {args.small:,} rows, --jobs {args.jobs} (first run: fills the policy cache unless kept):")
    small_out = out + ".small"
    small_s, small_eval, small_mem = run_cli(policy, occupancy, small, small_out, args.jobs)
    print(f"    load {load()}")
    print(f"batch, {args.evaluations:,} rows, --jobs {args.jobs} (policy from the cache):")
    big_s, big_eval, big_mem = run_cli(policy, occupancy, big, out, args.jobs)
    print(f"    load {load()}")
    # the baseline after the command (not beside it: both hold the policy and occupancy, 3 GB a process)
    program, homes, lean_setup = lean_setup_for(policy, occupancy)
    date = dt.date.fromisoformat(DATE)
    start = time.perf_counter()
    rows = lean_loop(program, homes, date, big, lean_out)
    lean_s = time.perf_counter() - start
    same = filecmp.cmp(out, lean_out, shallow=False)
    print(f"lean plain loop, {rows:,} rows, one process: {lean_s:.1f} s (its setup: loading the policy and occupancy "
          f"and building its table of homes, {lean_setup:.0f} s, not counted); output "
          f"{'byte for byte the same' if same else 'DIFFERENT'}; load {load()}")
    start = time.perf_counter()
    lean_loop(program, homes, date, small, lean_out)
    small_lean = time.perf_counter() - start
    same_small = filecmp.cmp(small_out, lean_out, shallow=False)
    print(f"lean plain loop, {args.small:,} rows: {small_lean:.1f} s; output "
          f"{'byte for byte the same' if same_small else 'DIFFERENT'}; load {load()}")
    os.unlink(small_out)
    os.unlink(out)
    os.unlink(lean_out)
    if not (same and same_small):
        sys.exit("the command's output and the lean loop's differ")
    print()
    print(f"{args.evaluations:,} decision-only evaluations with --jobs {args.jobs}: {big_s:.0f} s end to end, "
          f"{big_eval:.0f} s of it evaluating ({args.evaluations / big_s:,.0f} rows/s end to end)")
    print(f"lean plain loop (csv module, lean rules, the same lines written): {lean_s:.0f} s "
          f"({rows / lean_s:,.0f} rows/s)")
    print(f"ratio, end to end / lean loop: {big_s / lean_s:.2f}x (target: at most 2x: "
          f"{'met' if big_s <= 2 * lean_s else 'NOT met'}); evaluating / lean loop: {big_eval / lean_s:.2f}x; "
          f"end to end / (lean loop + its setup): {big_s / (lean_s + lean_setup):.2f}x")
    print(f"{args.small:,} rows: {small_s:.0f} s end to end, {small_eval:.0f} s evaluating; lean loop {small_lean:.1f} s")
    print(f"peak memory per process: {small_mem:,.0f} MiB with {args.small:,} rows, {big_mem:,.0f} MiB with "
          f"{args.evaluations:,} rows (the policy and occupancy dominate; the input is streamed)")
    print(f"load average at the end: {load()}")

if __name__ == "__main__":
    main()
