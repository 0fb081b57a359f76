"""validate's findings for code review tools: SARIF 2.1.0 (GitHub code scanning) and GitLab Code Quality JSON."""

from __future__ import annotations

import hashlib
import os
import re
from urllib.parse import quote

from ..version import __version__
from ..diagnostics import MESSAGES, Diagnostic
from .report import to_json

SARIF_SCHEMA = "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json"
_SARIF_LEVEL = {"error": "error", "warning": "warning"}
_CODE_QUALITY_SEVERITY = {"error": "major", "warning": "minor"}
_PLACEHOLDER = re.compile(r"\{\w+\}")


def repo_path(path: str) -> str:
    """A file's path as review tools want it: relative to the working folder (the repository) where it lies
    inside it, with forward slashes."""
    if os.path.isabs(path):
        rel = os.path.relpath(path)
        path = path if rel.startswith("..") else rel
    return path.replace(os.sep, "/")


def _uri(path: str) -> str:
    """A file path as a relative URI reference (spaces and the like percent-encoded)."""
    return quote(repo_path(path))


def diagnostics_sarif(diags: list[Diagnostic], lang: str) -> str:
    """One SARIF 2.1.0 run: a rule per diagnostic code (its text from the catalogue), a result per diagnostic."""
    codes = sorted({d.code for d in diags})
    index = {code: i for i, code in enumerate(codes)}
    rules = [{"id": code, "shortDescription": {"text": _PLACEHOLDER.sub("…", MESSAGES[code][0 if lang == "nl" else 1])}}
             for code in codes]
    results = []
    for d in diags:
        location = {"artifactLocation": {"uri": _uri(d.file)}}
        if d.line is not None:
            location["region"] = {"startLine": d.line, **({"startColumn": d.column} if d.column else {})}
        results.append({"ruleId": d.code, "ruleIndex": index[d.code], "level": _SARIF_LEVEL[d.severity],
                        "message": {"text": d.message(lang)}, "locations": [{"physicalLocation": location}]})
    return to_json({"$schema": SARIF_SCHEMA, "version": "2.1.0", "runs": [{
        "tool": {"driver": {"name": "magicmix", "version": __version__, "rules": rules}},
        "results": results}]}) + "\n"


def diagnostics_codequality(diags: list[Diagnostic], lang: str) -> str:
    """GitLab Code Quality: a list of issues with description, check_name, fingerprint, severity and location.

    The fingerprint is the sha256 of the finding itself (file, position, code, message): the same finding
    keeps its fingerprint from one pipeline to the next, so a merge request shows only new ones as new."""
    issues, seen = [], {}
    for d in diags:
        key = "\0".join(str(part) for part in (repo_path(d.file), d.line, d.column, d.code, d.en))
        seen[key] = seen.get(key, 0) + 1
        key += f"\0{seen[key]}" if seen[key] > 1 else ""  # GitLab shows one issue per fingerprint
        issues.append({"description": d.message(lang), "check_name": d.code,
                       "fingerprint": hashlib.sha256(key.encode("utf-8")).hexdigest(),
                       "severity": _CODE_QUALITY_SEVERITY[d.severity],
                       "location": {"path": repo_path(d.file), "lines": {"begin": d.line or 1}}})
    return to_json(issues) + "\n"
