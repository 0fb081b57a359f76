"""Inputs of an evaluation: the household (YAML or JSON file, or plain data)."""

from __future__ import annotations

from ..diagnostics import Diagnostic, PolicyError, hint, make
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


def read_household(path: str, policy=None) -> tuple[Household, list[Diagnostic]]:
    """A household file and its warnings (an implausible income); raises PolicyError for errors. With the
    policy, a category or route it does not know is an error at its line in the file."""
    source, problems = read_document(path, "household")
    if source is None:
        raise PolicyError(problems)
    household = household_from_data(source.data)
    if policy is not None:
        wrong = unknown_to_policy(policy, household, source, ())
        if wrong:
            raise PolicyError(wrong)
    return household, problems


def unknown_to_policy(policy, household: Household, source, at: tuple) -> list[Diagnostic]:
    """A category or route of a household the policy does not know, each at its line and column in the file (at:
    the household's path in the document)."""
    wrong = []
    if household.category not in policy.category_ids:
        wrong.append(make("unknown-category", source.path, *source.where(at + ("category",)),
                          category=household.category, hint=hint(policy.category_ids, household.category)))
    if household.route is not None and household.route not in policy.routes:
        wrong.append(make("invalid-value", source.path, *source.where(at + ("route",)), value=household.route,
                          choices=", ".join(policy.routes) or "(policy.yaml routes)"))
    return wrong
