"""The Python API: every CLI command is a thin layer over these functions."""

from __future__ import annotations

import datetime as dt
import os
import time
import weakref
from typing import Callable, Iterable, Iterator, Mapping

from .load import cache as policy_cache
from .load.cache_parts import part_store
from .lang.compile import Program, compile_policy
from .diagnostics import Collector, Diagnostic, PolicyError, sort_key
from .engine.counts import check_counts, composition_from_counts
from .engine.evaluate import compiled, decide
from .engine.explain import Decision, explain
from .engine.explain_counts import explain_counts, explain_counts_json
from .lang.facts import Household
from .load.inputs import load_household
from .load.load import OCCUPANCY_FILE, PARAMETERS_FILE, RULES_FILE, gc_paused, read_policy
from .load.occupancy import EMPTY, Occupancy, composition, load_occupancy, occupancy_from_source
from .allocation.rank import Ranking, rank
from .load.validate import build_policy

__all__ = ["check_policy", "load_policy", "evaluate", "evaluate_batch", "example_occupancy", "load_household",
           "load_occupancy", "counts_decider", "decide_counts", "evaluate_counts", "rank_counts", "check_counts", "evaluate_counts_json"]


def check_policy(root: str, parts=None) -> tuple[Program | None, list[Diagnostic]]:
    """Load, validate and compile a policy folder; returns the program (None on errors) and all diagnostics.

    parts: the policy cache's store of complex files' parts (load/cache_parts.py), or None to read every file."""
    with gc_paused():
        return _check_policy(root, parts)


def _check_policy(root: str, parts=None) -> tuple[Program | None, list[Diagnostic]]:
    collector = Collector()
    try:
        sources, diags = read_policy(root, parts)
    except PolicyError as exc:
        return None, list(exc.diagnostics)
    collector.extend(diags)
    if sources.policy is None:
        return None, sorted(collector.items, key=sort_key)
    failed = {d.file for d in collector.errors}
    policy = build_policy(sources, collector)
    core_ok = not (failed & {os.path.join(root, n) for n in (PARAMETERS_FILE, RULES_FILE)}) \
        and not any(f.startswith(os.path.join(root, "rules") + os.sep) for f in failed)
    # Expressions name parameters and definitions: compiling after a failed file only adds noise.
    program = compile_policy(policy, collector) if policy is not None and core_ok else None
    complexes_ok = not any(f.startswith(os.path.join(root, "complexes") + os.sep) for f in failed)
    example = None
    if policy is not None and sources.occupancy is not None and complexes_ok:
        example, occ_diags = occupancy_from_source(sources.occupancy, policy)
        collector.extend(occ_diags)
        if occ_diags:
            example = None
    for h in sources.households if policy is not None else ():
        if h.data["category"] not in policy.category_ids:
            from .diagnostics import hint, make
            line, col = h.where(("category",))
            collector.add(make("unknown-category", h.path, line, col, category=h.data["category"],
                               hint=hint(policy.category_ids, h.data["category"])))
    if collector.errors:
        program = None
    elif program is not None and example is not None:
        _EXAMPLES[program.policy] = example
    return program, sorted(set(collector.items), key=sort_key)


# A policy's occupancy.yaml as its check read it (check_policy, or the cache entry): example_occupancy need not read
# and check the file again. Kept while the policy lives (a service that reloads its policies lets the old ones go).
_EXAMPLES: "weakref.WeakKeyDictionary" = weakref.WeakKeyDictionary()


def load_policy(root: str | os.PathLike, use_cache: bool = True) -> Program:
    """Load a policy folder (a path as text or a pathlib.Path) ready for evaluation; raises PolicyError listing every
    error.

    A policy checked before, with the same files and the same magicmix, comes from the cache (cache.py); after
    a change, only the complex files whose bytes changed are read again (cache_parts.py)."""
    root = os.fspath(root)
    key, cached, example = policy_cache.load(root) if use_cache else (None, None, None)
    if cached is not None:
        program = compile_policy(cached, Collector())
        if program is not None:
            if example is not None:
                _EXAMPLES[program.policy] = example
            return program
    started = time.perf_counter()
    parts = part_store(root) if use_cache else None
    program, diags = check_policy(root, parts)
    if parts is not None:
        parts.save(time.perf_counter() - started)
    if program is None:
        raise PolicyError([d for d in diags if d.severity == "error"])
    policy_cache.store(key, program.policy, _EXAMPLES.get(program.policy))
    return program


def example_occupancy_path(program: Program) -> str | None:
    """The path of the occupancy shipped with the policy (occupancy.yaml), if there is one."""
    path = os.path.join(program.policy.root, OCCUPANCY_FILE)
    return path if os.path.exists(path) else None


def example_occupancy(program: Program) -> Occupancy:
    """The occupancy shipped with the policy (occupancy.yaml), or an empty one: as the policy's check read it."""
    kept = _EXAMPLES.get(program.policy)
    if kept is not None:
        return kept
    path = example_occupancy_path(program)
    return EMPTY if path is None else load_occupancy(path, program.policy, program.policy.root)


def evaluate(program: Program, household: Household, unit_id: str, date: dt.date,
             occupancy: Occupancy = EMPTY, occupancy_source: str = "") -> Decision:
    """Evaluate one household for one home on a date, with the full explanation. Pure."""
    return explain(program, household, unit_id, composition(program.policy, occupancy, date), occupancy_source)


def evaluate_batch(program: Program, pairs: Iterable[tuple[Household, str]], date: dt.date,
                   occupancy: Occupancy = EMPTY, explain_all: bool = False) -> Iterator:
    """Evaluate many household x home pairs on one date, compiling once and counting the composition once.

    Yields (outcome, deciding rule ids) per pair, or the full Decision when explain_all is set.
    """
    comp = composition(program.policy, occupancy, date)
    for household, unit_id in pairs:
        if explain_all:
            yield explain(program, household, unit_id, comp)
        else:
            yield decide(program, household, unit_id, comp)


# --- over counts: a composition given as households per category in the home's groups (counts.py) ----------

def counts_decider(program: Program, date: dt.date) -> Callable:
    """decide(household, unit_id, counts, leaving=None) -> (outcome, deciding rule ids), for one date, compiled once.

    counts maps every level of the policy to {category: households} in the home's group there,
    the home's own household included (or the tuple form, engine/counts.py); leaving is that
    household's category (None: the home is empty). The fastest path, and as strict as
    decide_counts: counts check_counts would refuse are never decided but refused with the same
    PolicyError (checked in line by the compiled rules, in full by the general path)."""
    fast = compiled(program, date)
    if fast is not None:
        return fast.from_counts

    def decide_one(household: Household, unit_id: str, counts: Mapping, leaving: str | None = None):
        return decide(program, household, unit_id,
                      composition_from_counts(program.policy, unit_id, date, counts, leaving))
    return decide_one


def decide_counts(program: Program, household: Household, unit_id: str, date: dt.date, counts: Mapping,
                  leaving: str | None = None) -> tuple[str, tuple[str, ...]]:
    """Decision only over counts per level, checked first (PolicyError naming every problem). Pure."""
    check_counts(program.policy, unit_id, counts, leaving)
    return counts_decider(program, date)(household, unit_id, counts, leaving)


def evaluate_counts(program: Program, household: Household, unit_id: str, date: dt.date, counts: Mapping,
                    leaving: str | None = None, occupancy_source: str = "") -> Decision:
    """The full explanation over counts per level (checked: PolicyError naming every problem). Pure.

    By the compiled explainer of the date where the program has one (engine/explain_counts.py: the same record)."""
    if not occupancy_source:
        return explain_counts(program, household, unit_id, date, counts, leaving)
    return explain(program, household, unit_id,
                   composition_from_counts(program.policy, unit_id, date, counts, leaving), occupancy_source)


def evaluate_counts_json(program: Program, household: Household, unit_id: str, date: dt.date, counts: Mapping,
                         leaving: str | None = None) -> tuple[str, tuple[str, ...], str]:
    """(outcome, deciding rule ids, the explanation's JSON text) over counts per level: the text
    evaluate_counts(...).to_json() gives, byte for byte, written without building the record where the compiled
    explainer covers the program (engine/explain_counts.py). Checked as evaluate_counts. Pure."""
    return explain_counts_json(program, household, unit_id, date, counts, leaving)


def rank_counts(program: Program, households: list[Household], unit_id: str, date: dt.date, counts: Mapping,
                leaving: str | None = None) -> Ranking:
    """Rank candidates for one home over counts per level (rank.rank on the composition they give). Pure."""
    return rank(program, households, unit_id, composition_from_counts(program.policy, unit_id, date, counts, leaving))
