"""pytest plugin (entry point pytest11): `pytest policies/` collects every policy test case as a test item."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from ..api import load_policy
from .cases import Case, load_cases, run_cases
from ..diagnostics import PolicyError
from ..render.report import decision_text

_PROGRAMS: dict = {}


def language() -> str:
    """The language of failure reports: MAGICMIX_LANG (nl or en), Dutch by default, as the command line."""
    lang = os.environ.get("MAGICMIX_LANG", "nl")
    return lang if lang in ("nl", "en") else "nl"


def pytest_collect_file(file_path: Path, parent):
    """Collect YAML files in the tests/ folder of a policy folder (one with policy.yaml)."""
    if file_path.suffix in (".yaml", ".yml") and file_path.parent.name == "tests" \
            and (file_path.parent.parent / "policy.yaml").is_file():
        return PolicyTestFile.from_parent(parent, path=file_path)
    return None


class PolicyCaseError(Exception):
    """A policy case failed or could not be read; the message is the readable report."""


class PolicyTestFile(pytest.File):
    """One YAML file of policy test cases."""

    def collect(self):
        root = os.path.relpath(self.path.parent.parent, self.config.invocation_params.dir)
        try:
            program = _PROGRAMS.get(root) or _PROGRAMS.setdefault(root, load_policy(root))
        except PolicyError as exc:
            yield BrokenInput.from_parent(self, name="policy", diagnostics=exc.diagnostics)
            return
        shown = os.path.relpath(self.path, self.config.invocation_params.dir)
        cases, diags = load_cases(program, shown if not shown.startswith("..") else str(self.path))
        if diags:
            yield BrokenInput.from_parent(self, name="cases", diagnostics=tuple(diags))
        for case in cases:
            yield PolicyCaseItem.from_parent(self, name=case.name, program=program, case=case)


class PolicyCaseItem(pytest.Item):
    """One expanded policy test case."""

    def __init__(self, *, program, case: Case, **kw):
        super().__init__(**kw)
        self.program = program
        self.case = case

    def runtest(self) -> None:
        result = run_cases(self.program, [self.case]).results[0]
        if not result.passed:
            lines = [f"{self.case.file}:{self.case.line}: {self.case.name}"]
            lang = language()
            lines += [f"  - {nl if lang == 'nl' else en}" for nl, en in result.failures]
            if result.decision is not None:
                lines += ["    " + line for line in decision_text(result.decision, lang).splitlines()]
            raise PolicyCaseError("\n".join(lines))

    def repr_failure(self, excinfo, style=None):
        if isinstance(excinfo.value, PolicyCaseError):
            return str(excinfo.value)
        return super().repr_failure(excinfo, style)

    def reportinfo(self):
        return self.path, self.case.line - 1, f"policy case: {self.case.name}"


class BrokenInput(pytest.Item):
    """Stands for a policy or test file that could not be read: fails with its diagnostics."""

    def __init__(self, *, diagnostics, **kw):
        super().__init__(**kw)
        self.diagnostics = diagnostics

    def runtest(self) -> None:
        raise PolicyCaseError("\n".join(d.format(language()) for d in self.diagnostics))

    def repr_failure(self, excinfo, style=None):
        return str(excinfo.value)

    def reportinfo(self):
        return self.path, None, f"policy input: {self.name}"
