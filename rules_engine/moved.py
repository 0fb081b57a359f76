"""The flat module paths of before the subpackages (rules_engine.facts, rules_engine.evaluate, ...) keep
importing, as their new modules: code outside the project (benchmarks, a corporation's scripts) that names
them goes on working. It answers for those names only (rules_engine/scaffold/ is a folder of data, not the
module), so it costs nothing for any other import."""

from __future__ import annotations

import importlib
import sys
from importlib.machinery import ModuleSpec

PARTS = {
    "model": ("units", "levels", "outcomes", "value_types", "decision", "deviations"),
    "lang": ("expr", "syntax", "operators", "facts", "compile", "program", "bounds", "templates", "codegen",
             "compiled", "records"),
    "load": ("load_yaml", "load_json", "files", "encoding", "values", "value_checks", "schemas_check", "schema_code",
             "validate", "validate_levels", "validate_review", "occupancy", "occupancy_rows", "batch_rows", "inputs",
             "cache", "cache_key", "revision"),
    "engine": ("evaluate", "explain", "explain_groups", "room", "engine_durable", "counts"),
    "render": ("report", "report_html", "portfolio_report", "annual_report", "diff_report", "cases_report", "tables",
               "renderers", "escape", "summary", "wording", "messages", "messages_nl", "messages_en", "numbers",
               "code_scanning", "annotations"),
    "allocation": ("rank", "batch", "placement", "placement_command", "decision_log", "log_chain", "replay",
                   "reviews", "review_command"),
    "stock": ("status", "composition_scan", "annual", "fairness", "suppress"),
    "change": ("policy_diff", "impact"),
    "testing": ("cases", "pytest_plugin", "scaffold"),
}
"""Where each module of the flat package went (rules_engine.load and rules_engine.model are packages now:
rules_engine.model gives the policy's names, rules_engine.load.load what load.py held)."""

NEW = {f"rules_engine.{m}": f"rules_engine.{part}.{m}" for part, mods in PARTS.items() for m in mods}


class _Alias:
    """A finder and loader of the old names (the protocol of sys.meta_path; importlib.abc's base classes would
    import importlib.resources, a tenth of magicmix --help)."""

    def find_spec(self, name, path=None, target=None):
        return ModuleSpec(name, self) if name in NEW else None

    def create_module(self, spec):
        return importlib.import_module(NEW[spec.name])  # the module itself, under its old name too

    def exec_module(self, module) -> None:
        """Nothing to run: the new module ran when it was imported."""


def install() -> None:
    """Let the old paths import (first: the old name rules_engine.scaffold is also a data folder's)."""
    if not any(isinstance(f, _Alias) for f in sys.meta_path):
        sys.meta_path.insert(0, _Alias())
