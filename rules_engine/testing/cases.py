"""Policy tests as code: load the YAML cases in a policy's tests/ folder, run them, measure rule coverage.

A case gives a household, a home, a date and an occupancy, and states the expected
outcome, deciding rules, rules fired / not fired / not applicable, and text the
explanation must contain. A table-style case has rows that fill {placeholders}.
"""

from __future__ import annotations

import datetime as dt
import os
import re
from collections import defaultdict
from dataclasses import field
from fractions import Fraction

from ..api import example_occupancy_path
from ..lang.compile import Program
from ..diagnostics import Diagnostic, PolicyError, hint, make
from ..engine.explain import Decision, explain
from ..lang.facts import Group, Household
from ..load.files import inside
from ..model.levels import group_keys
from ..load.load import read_document
from ..load.load_yaml import Source
from ..model.policy import OUTCOMES, frozen_map
from ..load.occupancy import EMPTY, Composition, composition, load_occupancy
from ..render.report import decision_text
from ..load.values import Refused, id_refused, read_count, read_date, read_id, read_number
from ..lang.records import frozen

TESTS_DIR = "tests"
_STATUS_NL = {"fired": "gevuurd", "not_fired": "niet gevuurd", "not_applicable": "niet van toepassing"}
_PLACEHOLDER = re.compile(r"\{([A-Za-z_][A-Za-z0-9_]*)\}")


@frozen
class Case:
    """One expanded test case with its position."""

    name: str
    file: str
    line: int
    household: Household
    unit: str
    date: dt.date
    occupancy: object  # 'example' | 'empty' | {'file': path} | {'portiek': {...}, ...}
    expect: dict


@frozen
class CaseResult:
    """The outcome of one case: passed, or the differences (nl, en) between expected and actual."""

    case: Case
    failures: tuple[tuple[str, str], ...]
    decision: Decision | None

    @property
    def passed(self) -> bool:
        """No differences."""
        return not self.failures


@frozen
class RuleCoverage:
    """Whether a rule was seen firing and seen not firing."""

    rule: str
    where: str
    fired: bool
    not_fired: bool


@frozen
class Coverage:
    """Rule coverage (both ways) and category x complex-profile coverage."""

    rules: tuple[RuleCoverage, ...]
    category_profiles_total: int
    category_profiles_seen: int

    @property
    def percent(self) -> Fraction:
        """Share of rules seen both firing and not firing, as a percentage."""
        if not self.rules:
            return Fraction(100)
        return Fraction(100 * sum(r.fired and r.not_fired for r in self.rules), len(self.rules))


@frozen
class TestRun:
    """All results of one `magicmix test` run."""

    policy: str
    results: tuple[CaseResult, ...]
    coverage: Coverage
    diagnostics: tuple[Diagnostic, ...] = field(default=())

    @property
    def passed(self) -> int:
        """Number of passing cases."""
        return sum(r.passed for r in self.results)

    @property
    def failed(self) -> int:
        """Number of failing cases; a case file that cannot be read counts as one failure per error."""
        return len(self.results) - self.passed + sum(d.severity == "error" for d in self.diagnostics)


def _substitute(value, row: dict):
    if isinstance(value, str):
        whole = _PLACEHOLDER.fullmatch(value)
        if whole and whole.group(1) in row:
            return row[whole.group(1)]
        return _PLACEHOLDER.sub(lambda m: str(row[m.group(1)]) if m.group(1) in row else m.group(0), value)
    if isinstance(value, dict):
        return {k: _substitute(v, row) for k, v in value.items()}
    if isinstance(value, list):
        return [_substitute(v, row) for v in value]
    return value


def _leftover(value) -> str | None:
    if isinstance(value, str):
        m = _PLACEHOLDER.search(value)
        return m.group(1) if m else None
    if isinstance(value, dict):
        value = list(value.values())
    if isinstance(value, list):
        for v in value:
            found = _leftover(v)
            if found:
                return found
    return None


def _check_case(program: Program, raw: dict, src: Source, path: tuple) -> list[Diagnostic]:
    """Semantic checks of one expanded case: homes, categories, rules and dates exist."""
    pol = program.policy
    out = []

    def err(code, sub, **args):
        line, col = src.where(path + sub)
        out.append(make(code, src.path, line, col, **args))

    given, expect = raw["given"], raw["expect"]
    if given["unit"] not in pol.units:
        err("unknown-unit", ("given", "unit"), unit=given["unit"], hint=hint(pol.units, str(given["unit"])))
    cat = given["household"]["category"]
    if cat not in pol.category_ids:
        err("unknown-category", ("given", "household", "category"), category=cat, hint=hint(pol.category_ids, str(cat)))
    occ = given.get("occupancy")
    if isinstance(occ, dict) and "file" not in occ:
        for level, counts in occ.items():
            if level not in pol.levels:
                line, col = src.where(path + ("given", "occupancy", level), key=True)
                out.append(make("unknown-level", src.path, line, col, level=level, hint=hint(pol.levels.keys, level),
                                known=", ".join(pol.levels.keys)))
                continue
            for c, n in counts.items():
                if c not in pol.category_ids:
                    err("unknown-category", ("given", "occupancy", level), category=c, hint=hint(pol.category_ids, c))
                elif not isinstance(n, int) or isinstance(n, bool) or n < 0:  # a {placeholder} may fill in anything
                    err("bad-input", ("given", "occupancy", level), problem=(
                        f"aantal huishoudens {c} is geen geheel getal van 0 of meer: {n!r}",
                        f"number of {c} households is not a whole number of 0 or more: {n!r}"))
    if "outcome" in expect and expect["outcome"] not in OUTCOMES:
        err("invalid-value", ("expect", "outcome"), value=expect["outcome"], choices=", ".join(OUTCOMES))
    for rid, status in (expect.get("rules") or {}).items():
        if status not in _STATUS_NL:
            err("invalid-value", ("expect", "rules", rid), value=status, choices=", ".join(_STATUS_NL))
    rule_ids = [r.id for r in pol.rules]
    named = [(key, i, rid) for key in ("deciding", "fired", "not_fired", "not_applicable")
             for i, rid in enumerate(expect.get(key, []))]
    named += [("rules", rid, rid) for rid in expect.get("rules", {})]
    for key, i, rid in named:
        if rid not in rule_ids:
            line, col = src.where(path + ("expect", key, i), key=key == "rules")
            out.append(make("bad-input", src.path, line, col,
                            problem=(f"onbekende regel '{rid}'{hint(rule_ids, rid)[0]}",
                                     f"unknown rule '{rid}'{hint(rule_ids, rid)[1]}")))
    try:
        read_date(given["date"])
    except Refused as exc:
        line, col = src.where(path + ("given", "date"))
        out.append(exc.diagnostic(src.path, line, col))
    left = _leftover([raw["name"], given, expect])
    if left:
        err("bad-input", (), problem=(f"plaatshouder {{{left}}} heeft geen waarde in deze rij",
                                      f"placeholder {{{left}}} has no value in this row"))
    return out


class _Field(Exception):
    """A household value of a case that is refused, with the key it was given under."""

    def __init__(self, key: str, refused: Refused):
        super().__init__(key)
        self.key, self.refused = key, refused


def _household(h: dict) -> Household:
    """The household of an expanded case, every value through its reader (rows skip the schema)."""
    def read(key, reader, *args):
        try:
            return reader(h[key], *args)
        except Refused as exc:
            raise _Field(key, exc) from None

    age = read("age", read_count, "age") if h.get("age") is not None else None
    flags = h.get("flags", [])
    if not isinstance(flags, list) or not all(isinstance(f, str) for f in flags):
        raise _Field("flags", id_refused(flags))
    older, route = h.get("older", False), h.get("route")
    if not isinstance(older, bool):
        raise _Field("older", Refused("invalid-value", value=str(older), choices="true, false"))
    if route is not None:
        route = read("route", read_id)
    return Household(read("id", read_id, True) if "id" in h else "hh-test", read("size", read_count, "size"),
                     read("income", read_number, "income")[0], h["category"], age, tuple(flags), older, route)


def load_cases(program: Program, root: str | None = None) -> tuple[list[Case], list[Diagnostic]]:
    """Read and expand every case in the policy's tests/ folder (or one file)."""
    root = root or os.path.join(program.policy.root, TESTS_DIR)
    if os.path.isfile(root):
        files = [root]
    elif os.path.isdir(root):
        files = sorted(os.path.join(root, n) for n in os.listdir(root) if n.endswith((".yaml", ".yml")))
    else:
        files = []
    cases, diags = [], []
    named: dict[str, str] = {}  # a case's name -> where it was first given (results and JUnit are keyed by name)
    # the policy's own tests/ folder is part of the policy: a link in it may not lead out
    within = program.policy.root if inside(root, program.policy.root) else None
    for path in files:
        src, problems = read_document(path, "testcase", root=within)
        diags.extend(problems)
        if src is None:
            continue
        for i, raw in enumerate(src.data["tests"]):
            rows = raw.get("rows") or [{}]
            for j, row in enumerate(rows):
                expanded = _substitute({k: v for k, v in raw.items() if k != "rows"}, row)
                base = ("tests", i, "rows", j) if "rows" in raw else ("tests", i)
                problems = _check_case(program, expanded, src, ("tests", i))
                if problems:
                    if "rows" in raw:
                        line, col = src.where(base)
                        problems = [make(p.code, p.file, line, col, problem=(p.nl, p.en)) if p.code == "bad-input"
                                    else p for p in problems]
                    diags.extend(problems)
                    continue
                g = expanded["given"]
                try:
                    household = _household(g["household"])
                except _Field as exc:
                    # a value from a row is shown at that row; a value written in the case, at itself
                    where = base if "rows" in raw else ("tests", i, "given", "household", exc.key)
                    diags.append(exc.refused.diagnostic(src.path, *src.where(where)))
                    continue
                line = src.where(base)[0] or 1
                name = expanded["name"]
                if "rows" in raw and len(rows) > 1 and name == raw["name"]:
                    name = f"{name} [{j + 1}]"  # the rows of one case, told apart in results and JUnit
                if name in named:  # the same name twice: results and JUnit would not tell the two apart
                    diags.append(make("duplicate-id", src.path, line, src.where(base)[1], what=("test", "test"), id=name,
                                      other=named[name]))
                    continue
                named[name] = f"{os.path.basename(path)}:{line}"
                cases.append(Case(name, path, line, household, g["unit"],
                                  read_date(g["date"]), g.get("occupancy", "example"), expanded["expect"]))
    return cases, diags


def _synthetic(program: Program, unit_id: str, date: dt.date, counts: dict) -> Composition:
    """A composition for one home's groups from counts per level (a missing level counts as the one below)."""
    pol = program.policy
    unit = pol.units[unit_id]
    homes = composition(pol, EMPTY, date)
    groups = dict(homes.groups)
    c: dict = {}
    for level, key in zip(pol.levels.keys, group_keys(pol, unit)):
        c = counts.get(level, c)
        groups[(level, key)] = Group(homes.group(level, key).homes, sum(c.values()), frozen_map(c))
    return Composition(date, frozen_map(groups), frozen_map({}))


class CaseOccupancies:
    """The composition a test case names, under one policy; caches the occupancy files read."""

    def __init__(self, program: Program):
        self.program = program
        self.files: dict[str, object] = {}

    def composition(self, case: Case) -> Composition:
        """The composition of the case's occupancy on the case's date."""
        spec = case.occupancy
        pol = self.program.policy
        if spec == "empty":
            return composition(pol, EMPTY, case.date)
        if spec == "example":
            path = example_occupancy_path(self.program)
            return composition(pol, EMPTY if path is None else self._file(path), case.date)
        if "file" in spec:
            # a named file stays inside the policy (or, for cases kept elsewhere, inside the cases' own folder)
            folder = pol.root if inside(case.file, pol.root) else os.path.dirname(case.file)
            return composition(pol, self._file(os.path.join(os.path.dirname(case.file), spec["file"]), folder), case.date)
        return _synthetic(self.program, case.unit, case.date, spec)

    def _file(self, path: str, root: str | None = None):
        if path not in self.files:
            self.files[path] = load_occupancy(path, self.program.policy, root or self.program.policy.root)
        return self.files[path]


def _compare(case: Case, d: Decision) -> list[tuple[str, str]]:
    e = case.expect
    out = []
    status = {r.id: r.status for r in d.rules}
    if "outcome" in e and e["outcome"] != d.outcome:
        out.append((f"verwacht uitkomst {e['outcome']}, kreeg {d.outcome}",
                    f"expected outcome {e['outcome']}, got {d.outcome}"))
    if "deciding" in e and tuple(e["deciding"]) != d.deciding_rules:
        out.append((f"verwacht beslissend {', '.join(e['deciding']) or '(geen)'}, kreeg {', '.join(d.deciding_rules) or '(geen)'}",
                    f"expected deciding {', '.join(e['deciding']) or '(none)'}, got {', '.join(d.deciding_rules) or '(none)'}"))
    wanted = [(rid, key) for key in ("fired", "not_fired", "not_applicable") for rid in e.get(key, [])]
    wanted += list(e.get("rules", {}).items())
    for rid, want in wanted:
        if status.get(rid) != want:
            out.append((f"verwacht dat {rid} {_STATUS_NL[want]} is, maar het is {_STATUS_NL[status.get(rid)]}",
                        f"expected {rid} to be {want.replace('_', ' ')}, but it is {status.get(rid).replace('_', ' ')}"))
    lang = e.get("lang", "nl")
    texts = e.get("contains", [])
    text = decision_text(d, lang)
    for t in [texts] if isinstance(texts, str) else texts:
        if t not in text:
            out.append((f"uitleg bevat niet: {t!r}", f"explanation does not contain: {t!r}"))
    return out


def run_cases(program: Program, cases: list[Case], pattern: str | None = None,
              diagnostics: tuple[Diagnostic, ...] = ()) -> TestRun:
    """Run the cases (those whose name contains pattern, case-insensitively) and measure coverage.

    Diagnostics from reading the case files are carried along and count as failures."""
    occupancies = CaseOccupancies(program)
    selected = [c for c in cases if not pattern or pattern.lower() in c.name.lower()]
    results, diags = [], list(diagnostics)
    seen: dict[str, set] = defaultdict(set)
    cat_profiles: set = set()
    for case in selected:
        try:
            d = explain(program, case.household, case.unit, occupancies.composition(case))
        except PolicyError as exc:
            diags.extend(exc.diagnostics)
            results.append(CaseResult(case, tuple((x.nl, x.en) for x in exc.diagnostics), None))
            continue
        for r in d.rules:
            seen[r.id].add(r.status)
        unit = program.policy.units[case.unit]
        profile = program.policy.complexes[unit.complex].profile_at(case.date)
        cat_profiles.add((case.household.category, unit.complex, profile.valid_from))
        results.append(CaseResult(case, tuple(_compare(case, d)), d))
    rules = tuple(RuleCoverage(r.id, str(r.where), "fired" in seen[r.id], "not_fired" in seen[r.id])
                  for r in program.policy.rules)
    pol = program.policy
    # The policy default before a complex's first own version is not counted as a profile of its own.
    total = len(pol.category_ids) * sum(max(1, len(cx.profiles) - 1) for cx in pol.complexes.values())
    return TestRun(pol.id, tuple(results), Coverage(rules, total, len(cat_profiles)), tuple(diags))
