"""Output of a policy test run: text, JSON, JUnit XML, TAP and GitHub annotations."""

from __future__ import annotations

import xml.etree.ElementTree as ET

import yaml

from .annotations import workflow_command
from ..testing.cases import TestRun
from .escape import terminal_text
from .messages import say
from .numbers import format_number
from .report import decision_text, to_json


def closing_line(run: TestRun) -> str:
    """'N passed, N failed': the line CI systems read."""
    return f"{run.passed} passed, {run.failed} failed"


def _where(result) -> str:
    return f"{result.case.file}:{result.case.line}"


def coverage_text(run: TestRun, lang: str) -> str:
    """Rule coverage (both ways) with the uncovered rules at file:line, and category x profile coverage."""
    cov = run.coverage
    both = sum(r.fired and r.not_fired for r in cov.rules)
    lines = [say("cases.coverage", lang, both=both, n=len(cov.rules), percent=format_number(cov.percent, 1, lang))]
    for r in cov.rules:
        if r.fired and r.not_fired:
            continue
        missing = [say(key, lang) for key, ok in (("cases.never_fired", r.fired), ("cases.never_not_fired", r.not_fired))
                   if not ok]
        lines.append(f"  {r.where}: {r.rule}: {', '.join(missing)}")
    lines.append(say("cases.category_profiles", lang, seen=cov.category_profiles_seen, total=cov.category_profiles_total))
    return "\n".join(lines) + "\n"


def run_text(run: TestRun, lang: str, coverage: bool, min_coverage: float | None = None) -> str:
    """Failures with expected against actual and the explanation, then coverage and the closing line."""
    out = [d.format(lang) for d in run.diagnostics]
    for r in run.results:
        if r.passed:
            continue
        out.append(f"FAIL {_where(r)}: {r.case.name}")
        out.extend(f"  - {nl if lang == 'nl' else en}" for nl, en in r.failures)
        if r.decision is not None:
            out.extend("    " + line for line in decision_text(r.decision, lang).splitlines())
        out.append("")
    if not run.results and not run.diagnostics:
        out.append(say("cases.none_ran", lang))
    if coverage:
        out.append(coverage_text(run, lang).rstrip("\n"))
    if min_coverage is not None and run.coverage.percent < min_coverage:
        out.append(say("cases.coverage_below", lang, minimum=f"{min_coverage:g}"))
    out.append(closing_line(run))
    return terminal_text("\n".join(out) + "\n", keep="\n")


def run_json(run: TestRun) -> str:
    """The run as JSON: every case with its result, and the coverage."""
    cov = run.coverage
    return to_json({
        "policy": run.policy, "passed": run.passed, "failed": run.failed,
        "cases": [{"name": r.case.name, "file": r.case.file, "line": r.case.line, "passed": r.passed,
                   "outcome": r.decision.outcome if r.decision else None,
                   "failures": [{"nl": nl, "en": en} for nl, en in r.failures]} for r in run.results],
        "coverage": {"percent": float(round(cov.percent, 1)),
                     "rules": [{"rule": r.rule, "where": r.where, "fired": r.fired, "not_fired": r.not_fired}
                               for r in cov.rules],
                     "category_profiles": {"seen": cov.category_profiles_seen,
                                           "total": cov.category_profiles_total}},
    })


def run_junit(run: TestRun, lang: str) -> str:
    """JUnit XML as the common JUnit XSD has it (Jenkins' junit-10.xsd, which pytest's output follows):
    one testsuite per policy, one testcase per case, a failure with the case's file:line and the differences."""
    suites = ET.Element("testsuites", tests=str(len(run.results)), failures=str(run.failed), errors="0")
    suite = ET.SubElement(suites, "testsuite", name=run.policy, tests=str(len(run.results)),
                          failures=str(run.failed), errors="0", skipped="0")
    for r in run.results:
        tc = ET.SubElement(suite, "testcase", classname=f"{run.policy}.{r.case.file}", name=r.case.name)
        if not r.passed:
            text = "\n".join(nl if lang == "nl" else en for nl, en in r.failures)
            fail = ET.SubElement(tc, "failure", message=text.splitlines()[0], type="PolicyTestFailure")
            fail.text = f"{_where(r)}\n{text}" + ("\n\n" + decision_text(r.decision, lang) if r.decision else "")
    return ET.tostring(suites, encoding="unicode", xml_declaration=True) + "\n"


def tap_description(name: str) -> str:
    """A test point description as TAP 14 wants it: '\\' and '#' backslash-escaped, so no name reads as a
    directive (# SKIP, # TODO) or hides the rest of the line."""
    return terminal_text(name).replace("\\", "\\\\").replace("#", "\\#")


def run_tap(run: TestRun, lang: str) -> str:
    """TAP version 14: a YAML block with the file:line and the differences under each failing case."""
    out = ["TAP version 14", f"1..{len(run.results)}"]
    for i, r in enumerate(run.results, 1):
        out.append(f"{'ok' if r.passed else 'not ok'} {i} - {tap_description(r.case.name)}")
        if not r.passed:
            block = {"at": _where(r), "message": [terminal_text(nl if lang == "nl" else en) for nl, en in r.failures]}
            out.append("  ---")
            out.extend("  " + line for line in yaml.safe_dump(block, allow_unicode=True, sort_keys=False).splitlines())
            out.append("  ...")
    out.append(f"# {closing_line(run)}")
    return "\n".join(out) + "\n"


def run_github(run: TestRun, lang: str) -> str:
    """GitHub annotations for failures (at the case's file and line) and the closing line."""
    out = [workflow_command("error", {"file": r.case.file, "line": r.case.line, "title": r.case.name},
                            "\n".join(nl if lang == "nl" else en for nl, en in r.failures))
           for r in run.results if not r.passed]
    out.append(closing_line(run))
    return "\n".join(out) + "\n"
