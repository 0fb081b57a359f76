"""Inputs of an evaluation: the household (YAML or JSON file, or plain data)."""

from __future__ import annotations

from ..diagnostics import Diagnostic, PolicyError
from ..lang.facts import Household
from .load import read_document
from ..render.numbers import to_fraction


def household_from_data(data: dict) -> Household:
    """A Household from schema-valid data."""
    return Household(data["id"], data["size"], to_fraction(data["income"]), data["category"], data.get("age"),
                     tuple(data.get("flags", ())), bool(data.get("older", False)), data.get("route"))


def load_household(path: str) -> Household:
    """Read a household file (YAML or JSON); raises PolicyError naming file, line and column."""
    return read_household(path)[0]


def read_household(path: str) -> tuple[Household, list[Diagnostic]]:
    """A household file and its warnings (an implausible income); raises PolicyError for errors."""
    source, problems = read_document(path, "household")
    if source is None:
        raise PolicyError(problems)
    return household_from_data(source.data), problems
