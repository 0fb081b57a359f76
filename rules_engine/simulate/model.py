"""The simulation model file: turnover, inflow of candidates, re-classification and routes, read and checked.

Read safely with positions (load_yaml), checked against schemas/simulation.json, then against the policy
(categories and complexes exist, shares add up to 100 %); every problem is named at file:line:column.
"""

from __future__ import annotations

import datetime as dt
from fractions import Fraction
from typing import Mapping

from ..diagnostics import Diagnostic, PolicyError, hint
from ..load.load import read_document
from ..model.policy import Policy
from ..render.numbers import parse_percent
from ..lang.records import frozen

KIND = "simulation"
ONE = Fraction(1)


@frozen
class Weighted:
    """Values with their cumulative weights (floats, for one bisect per draw)."""

    values: tuple
    cumulative: tuple[float, ...]


@frozen
class Model:
    """Everything a simulation assumes besides the policy and the stock. Shares are exact fractions of one."""

    path: str
    start: dt.date | None
    turnover_mode: str  # "random" or "fixed"
    turnover: Fraction
    turnover_by_complex: Mapping[str, Fraction]
    per_vacancy: int
    categories: Weighted | None  # None when the inflow is a fixed sequence
    sizes: Weighted | None
    incomes: Weighted | None  # values are (low, high) brackets in whole euros
    sequence: tuple[tuple[str, int, int], ...]  # (category, size, income), taken in turn
    reclassification: tuple[tuple[str, str, Fraction], ...]  # (from, to, per year)
    route_share: Fraction
    route_id: str | None
    route_categories: Weighted | None
    legal_amounts: str  # "keep" or "unknown"

    def turnover_of(self, complex_id: str) -> Fraction:
        """Turnover per year of one complex."""
        return self.turnover_by_complex.get(complex_id, self.turnover)


def _diag(code: str, path: str, where: tuple, nl: str, en: str) -> Diagnostic:
    return Diagnostic(code, "error", path, where[0], where[1], nl, en)


def _weighted(pairs: list[tuple[object, Fraction]]) -> Weighted:
    total, cumulative = Fraction(0), []
    for _, w in pairs:
        total += w
        cumulative.append(float(total))
    return Weighted(tuple(v for v, _ in pairs), tuple(cumulative))


class _Checker:
    """Semantic checks of a schema-valid model against the policy, gathering every problem."""

    def __init__(self, source, policy: Policy):
        self.source, self.policy, self.problems = source, policy, []

    def at(self, *path, key: bool = False) -> tuple:
        return self.source.where(path, key=key)

    def category(self, value: str, *path) -> None:
        if value not in self.policy.category_ids:
            nl_hint, en_hint = hint(self.policy.category_ids, value)
            self.problems.append(_diag("simulation-unknown-category", self.source.path, self.at(*path),
                                       f"onbekende categorie '{value}': het beleid kent {', '.join(self.policy.category_ids)}{nl_hint}",
                                       f"unknown category '{value}': the policy has {', '.join(self.policy.category_ids)}{en_hint}"))

    def hundred(self, shares: list[Fraction], *path) -> None:
        total = sum(shares, Fraction(0))
        if total != ONE:
            shown = f"{float(total * 100):g}"
            self.problems.append(_diag("simulation-shares", self.source.path, self.at(*path),
                                       f"de aandelen tellen op tot {shown} % in plaats van 100 %",
                                       f"the shares add up to {shown}% instead of 100%"))

    def shares(self, mapping: dict, *path) -> Weighted:
        pairs = []
        for cid, text in mapping.items():
            self.category(cid, *path, cid)
            pairs.append((cid, parse_percent(text)))
        self.hundred([w for _, w in pairs], *path)
        return _weighted(pairs)


def model_from_source(source, policy: Policy) -> Model:
    """Build the Model from a schema-valid document; raises PolicyError with every semantic problem."""
    data, ck = source.data, _Checker(source, policy)
    turnover = data["turnover"]
    by_complex = {}
    for cid, text in turnover.get("complexes", {}).items():
        if cid not in policy.complexes:
            nl_hint, en_hint = hint(policy.complexes, cid)
            ck.problems.append(_diag("simulation-unknown-complex", source.path, ck.at("turnover", "complexes", cid, key=True),
                                     f"onbekend complex '{cid}'{nl_hint}", f"unknown complex '{cid}'{en_hint}"))
        by_complex[cid] = parse_percent(text)
    c = data["candidates"]
    categories = sizes = incomes = None
    sequence: list = []
    if "sequence" in c:
        for i, item in enumerate(c["sequence"]):
            ck.category(item["category"], "candidates", "sequence", i, "category")
            sequence.append((item["category"], item["size"], item["income"]))
    else:
        categories = ck.shares(c["categories"], "candidates", "categories")
        sizes = _weighted([(s["size"], parse_percent(s["share"])) for s in c["sizes"]])
        ck.hundred([parse_percent(s["share"]) for s in c["sizes"]], "candidates", "sizes")
        brackets = []
        for i, b in enumerate(c["incomes"]):
            if b["from"] > b["to"]:
                ck.problems.append(_diag("simulation-bracket", source.path, ck.at("candidates", "incomes", i, "to"),
                                         f"'to' ({b['to']}) ligt onder 'from' ({b['from']})",
                                         f"'to' ({b['to']}) is below 'from' ({b['from']})"))
            brackets.append(((b["from"], b["to"]), parse_percent(b["share"])))
        ck.hundred([w for _, w in brackets], "candidates", "incomes")
        incomes = _weighted(brackets)
    reclass, leaving = [], {}
    for i, r in enumerate(data.get("reclassification", [])):
        ck.category(r["from"], "reclassification", i, "from")
        ck.category(r["to"], "reclassification", i, "to")
        if r["from"] == r["to"]:
            ck.problems.append(_diag("simulation-reclass-same", source.path, ck.at("reclassification", i, "to"),
                                     "'from' en 'to' zijn dezelfde categorie", "'from' and 'to' are the same category"))
        rate = parse_percent(r["per_year"])
        leaving[r["from"]] = leaving.get(r["from"], Fraction(0)) + rate
        if leaving[r["from"]] > ONE:
            ck.problems.append(_diag("simulation-reclass-total", source.path, ck.at("reclassification", i, "per_year"),
                                     f"samen verandert meer dan 100 % van '{r['from']}' per jaar van categorie",
                                     f"together more than 100% of '{r['from']}' changes category per year"))
        reclass.append((r["from"], r["to"], rate))
    routes = data.get("routes")
    route_categories = ck.shares(routes["categories"], "routes", "categories") if routes else None
    declared = getattr(policy, "routes", None)  # placement routes, where this magicmix's policy model has them
    if routes and routes.get("route") and declared is not None and routes["route"] not in declared:
        nl_hint, en_hint = hint(declared, routes["route"])
        ck.problems.append(_diag("simulation-unknown-route", source.path, ck.at("routes", "route"),
                                 f"onbekende route '{routes['route']}': het beleid noemt hem niet onder routes{nl_hint}",
                                 f"unknown route '{routes['route']}': the policy does not declare it under routes{en_hint}"))
    rates = [parse_percent(turnover["per_year"]), *by_complex.values()] + ([parse_percent(routes["share"])] if routes else [])
    for path, rate in zip([("turnover", "per_year"), *(("turnover", "complexes", k) for k in by_complex)]
                          + ([("routes", "share")] if routes else []), rates):
        if rate > ONE:
            ck.problems.append(_diag("simulation-over-100", source.path, ck.at(*path),
                                     "meer dan 100 %: een woning wordt hooguit eens per maand verhuurd in het model",
                                     "more than 100%: the model lets a home at most once a month"))
    if ck.problems:
        raise PolicyError(ck.problems)
    start = data.get("start")
    return Model(source.path, dt.date.fromisoformat(start) if start else None, turnover.get("mode", "random"),
                 rates[0], by_complex, c["per_vacancy"], categories, sizes, incomes, tuple(sequence),
                 tuple(reclass), parse_percent(routes["share"]) if routes else Fraction(0),
                 routes.get("route") if routes else None, route_categories, data.get("legal_amounts", "keep"))


def load_model(path: str, policy: Policy) -> Model:
    """Read, schema-check and policy-check a model file; raises PolicyError naming file, line and column."""
    source, problems = read_document(path, KIND)
    if source is None:
        raise PolicyError(problems)
    return model_from_source(source, policy)
