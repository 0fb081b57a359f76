"""The plain functions behind `magicmix simulate`: one policy, or two compared on the same random streams."""

from __future__ import annotations

import dataclasses
import datetime as dt
import os
import tempfile

from ..api import load_policy
from ..lang.compile import Program
from ..diagnostics import Diagnostic, PolicyError
from ..load.revision import materialise
from .model import Model, load_model
from .parallel import simulate_runs
from .stock import StockKey, build_stock
from .summary import compare, summarise

MODEL_FILE = "simulation.yaml"


def model_path(policy_root: str, given: str | None) -> str:
    """The model file: as given, or the policy's own simulation.yaml."""
    path = given or os.path.join(policy_root, MODEL_FILE)
    if given is None and not os.path.isfile(path):
        raise PolicyError([Diagnostic("simulate-no-model", "error", path, None, None,
                                      f"geen modelbestand: geef --model of leg {MODEL_FILE} in de beleidsmap",
                                      f"no model file: give --model or put {MODEL_FILE} in the policy folder")])
    return path


def next_month(today: dt.date | None = None) -> dt.date:
    """The first day of the month after today."""
    today = today or dt.date.today()
    return dt.date(today.year + today.month // 12, today.month % 12 + 1, 1)


def _simulate(program: Program, model: Model, *, years: int, runs: int, seed: int, occupancy: str | None,
              jobs: int, scheduler: str | None) -> dict:
    key = StockKey(os.path.abspath(program.policy.root), occupancy and os.path.abspath(occupancy), model.start,
                   model.legal_amounts)
    stock = build_stock(key, program)
    per_run = simulate_runs(key, stock, model, seed, runs, years, jobs, scheduler)
    return summarise(stock, model, per_run, seed=seed, years=years)


def simulate(policy_root: str, model_file: str | None = None, *, years: int, runs: int, seed: int,
             occupancy: str | None = None, start: dt.date | None = None, jobs: int = 1,
             scheduler: str | None = None, compare_with: str | None = None) -> dict:
    """Simulate a policy (and, with compare_with, a folder or git:REF on the same streams); the result as
    plain data (summary.summarise), with a 'compare' entry when compared. Raises PolicyError on bad input."""
    program = load_policy(policy_root)
    path = model_path(policy_root, model_file)
    model = load_model(path, program.policy)
    model = dataclasses.replace(model, start=start or model.start or next_month())
    args = dict(years=years, runs=runs, seed=seed, occupancy=occupancy, jobs=jobs, scheduler=scheduler)
    result = _simulate(program, model, **args)
    if compare_with is not None:
        with tempfile.TemporaryDirectory(prefix="magicmix-simulate-") as work:
            other_root = materialise(compare_with, policy_root, work)
            other_program = load_policy(other_root, use_cache=False)
            load_model(path, other_program.policy)  # its categories and complexes must fit the other policy too
            other = _simulate(other_program, model, **args)
        result["compare"] = {"other_policy": other["policy"], "other_spec": compare_with, **compare(result, other),
                             "other": other}
    return result
