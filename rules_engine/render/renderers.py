"""The renderer registry: for each record a command shows, the output formats and the function that writes each.

Declared once: `--format` choices are read from here (formats()), and commands render through render(). Entries
name their module and function as text, so a command imports only the renderer it uses (start-up time). Each
renderer takes the record, then the options its entry names, by name.
"""

from __future__ import annotations

import importlib
from typing import NamedTuple


class Renderer(NamedTuple):
    """Where a renderer lives and which options it takes after the record (by name)."""

    module: str
    function: str
    options: tuple[str, ...] = ("lang",)
    spread: bool = False  # the record is a tuple whose items are the renderer's first arguments


_R = "rules_engine.render.report"
_HTML = "rules_engine.render.report_html"
_PORTFOLIO = "rules_engine.render.portfolio_report"
_ANNUAL = "rules_engine.render.annual_report"
_CASES = "rules_engine.render.cases_report"
_DIFF = "rules_engine.render.diff_report"
_SCAN = "rules_engine.render.code_scanning"
_TABLES = "rules_engine.render.tables"

REGISTRY: dict[str, dict[str, Renderer]] = {
    "diagnostics": {
        "text": Renderer(_R, "diagnostics_text"),
        "json": Renderer(_TABLES, "diagnostics_json", ()),
        "github": Renderer(_R, "diagnostics_github"),
        "sarif": Renderer(_SCAN, "diagnostics_sarif"),
        "codequality": Renderer(_SCAN, "diagnostics_codequality"),
    },
    "decision": {
        "text": Renderer(_R, "decision_text", ("lang", "details", "labels")),
        "json": Renderer(_TABLES, "record_json", ()),
        "markdown": Renderer(_R, "decision_markdown", ("lang", "labels")),
        "html": Renderer(_HTML, "decision_html", ("lang", "labels")),
    },
    "ranking": {
        "text": Renderer(_R, "ranking_text", ("lang", "top", "details", "labels")),
        "json": Renderer(_TABLES, "record_json", ()),
        "markdown": Renderer(_R, "ranking_markdown", ("lang", "top", "labels")),
        "html": Renderer(_HTML, "ranking_html", ("lang", "top", "labels")),
    },
    "room": {
        "text": Renderer(_TABLES, "room_text"),
        "json": Renderer(_TABLES, "room_json", ()),
    },
    "facts": {
        "text": Renderer(_TABLES, "facts_text"),
        "json": Renderer(_TABLES, "facts_json", ()),
        "markdown": Renderer(_TABLES, "facts_markdown"),
    },
    "test-run": {
        "text": Renderer(_CASES, "run_text", ("lang", "coverage", "min_coverage")),
        "json": Renderer(_CASES, "run_json", ()),
        "junit": Renderer(_CASES, "run_junit"),
        "tap": Renderer(_CASES, "run_tap"),
        "github": Renderer(_CASES, "run_github"),
    },
    "status": {
        "text": Renderer(_PORTFOLIO, "status_text", ("lang", "only_out")),
        "json": Renderer(_PORTFOLIO, "status_json", ("only_out",)),
        "markdown": Renderer(_PORTFOLIO, "status_markdown", ("lang", "only_out")),
        "html": Renderer(_PORTFOLIO, "status_html", ("lang", "only_out")),
    },
    "annual": {
        "html": Renderer(_ANNUAL, "annual_html", ("lang", "public", "corporation")),
        "markdown": Renderer(_ANNUAL, "annual_markdown", ("lang", "public", "corporation")),
        "csv": Renderer(_ANNUAL, "annual_csv", ("lang", "public")),
        "json": Renderer(_TABLES, "annual_json", ("public",)),
    },
    "simulation": {
        "text": Renderer("rules_engine.simulate.render", "simulation_text"),
        "json": Renderer("rules_engine.simulate.render", "simulation_json", ()),
        "csv": Renderer("rules_engine.simulate.render", "simulation_csv", ()),
        "html": Renderer("rules_engine.simulate.html", "simulation_html"),
    },
    "diff": {
        "text": Renderer(_DIFF, "diff_text", ("lang", "limit"), spread=True),
        "json": Renderer(_DIFF, "diff_json", (), spread=True),
        "markdown": Renderer(_DIFF, "diff_markdown", ("lang", "limit"), spread=True),
    },
    "log": {
        "text": Renderer(_TABLES, "log_text"),
        "json": Renderer(_TABLES, "log_json", ()),
    },
    "init": {
        "text": Renderer(_TABLES, "init_text"),
        "json": Renderer(_TABLES, "init_json", ()),
    },
}
"""record -> format -> renderer. A new output format is one entry here (and its function)."""


def formats(record: str) -> list[str]:
    """The output formats of a record, in the registry's order (the first is no one's default by itself)."""
    return list(REGISTRY[record])


def renderer(record: str, fmt: str):
    """The rendering function for a record in a format (imported on first use)."""
    entry = REGISTRY[record][fmt]
    return getattr(importlib.import_module(entry.module), entry.function)


def render(record: str, fmt: str, value, **options) -> str:
    """Render a record in a format; the options its entry lists are passed by name (others are ignored; one not
    given takes the renderer's default)."""
    entry = REGISTRY[record][fmt]
    args = tuple(value) if entry.spread else (value,)
    return renderer(record, fmt)(*args, **{name: options[name] for name in entry.options if name in options})


__all__ = ["REGISTRY", "Renderer", "formats", "render", "renderer"]
