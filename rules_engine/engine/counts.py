"""Counts per level: the composition around one home given as numbers, for callers without occupancy rows.

A caller such as the decision service, or another system, knows how many households of each
category live in the home's portiek, complex and buurt (and any level the policy adds), not who
lives where. `counts` maps every level of the policy to {category: households} in the home's
group at that level on the letting date, the home's own current household included; `leaving`
names that household's category when the home is occupied (it moves out: the 'current' groups
of the facts leave it out, as with occupancy rows).

The same counts may come as tuples instead (the cheaper form, for a caller deciding many
lettings): a tuple per level in the order of the policy's levels (policy.levels.keys), each a
tuple of whole numbers in the order of its categories (policy.category_ids). Both forms are
checked on every call, by every entry point (the compiled rules of api.counts_decider in line);
`as_mapping` gives the mapping a tuple form stands for.
"""

from __future__ import annotations

import datetime as dt
from functools import lru_cache
from types import MappingProxyType
from typing import Mapping

from ..diagnostics import PolicyError, hint, make
from ..lang.facts import Group
from ..model.levels import group_keys
from ..model.policy import Policy, frozen_map
from ..load.occupancy import Composition, groups_from_places, layout

INPUT = "<invoer>"


@lru_cache(maxsize=16)
def group_homes(policy) -> dict:
    """(level, key) -> homes of every group of a policy (what an empty composition holds)."""
    places, _ = layout(policy)
    return {k: g.homes for k, g in groups_from_places(policy, [None] * len(places)).items()}


def as_mapping(policy: Policy, counts):
    """Counts in either form as {level: {category: households}}; the tuple form's shape is checked (PolicyError)."""
    if counts.__class__ is not tuple:
        return counts
    levels, cats = policy.levels.keys, policy.category_ids
    if len(counts) != len(levels) or any(per.__class__ is not tuple or len(per) != len(cats) for per in counts):
        found = "(" + ", ".join(f"{len(per)} values" if isinstance(per, tuple) else type(per).__name__
                                for per in counts) + ")"
        raise PolicyError([make("wrong-type", INPUT, found=found, expected=(
            f"{len(levels)} tuples ({', '.join(levels)}) van elk {len(cats)} aantallen ({', '.join(cats)})",
            f"{len(levels)} tuples ({', '.join(levels)}) of {len(cats)} counts each ({', '.join(cats)})"))])
    return {level: dict(zip(cats, per)) for level, per in zip(levels, counts)}


def check_counts(policy: Policy, unit_id: str, counts, leaving: str | None = None) -> None:
    """Refuse counts that do not fit the home's groups (PolicyError, every problem named, Dutch and English).

    Every level of the policy, only the policy's categories, whole numbers from 0, at most as many
    households as the group has homes, and a leaving category counted at every level. Either form (see above)."""
    counts = as_mapping(policy, counts)
    if unit_id not in policy.units:
        raise PolicyError([make("unknown-unit", INPUT, unit=unit_id, hint=hint(policy.units, unit_id))])
    if not isinstance(counts, Mapping):
        raise PolicyError([make("wrong-type", INPUT, expected=("een object per niveau", "an object per level"),
                                found=type(counts).__name__)])
    problems = []
    levels = policy.levels.keys
    for level in counts:
        if level not in levels:
            problems.append(make("unknown-level", INPUT, level=level, hint=hint(levels, str(level)),
                                 known=", ".join(levels)))
    if leaving is not None and leaving not in policy.category_ids:
        problems.append(make("unknown-category", INPUT, category=leaving, hint=hint(policy.category_ids, str(leaving))))
    homes = group_homes(policy)
    for level, key in zip(levels, group_keys(policy, policy.units[unit_id])):
        per = counts.get(level)
        if per is None:
            problems.append(make("missing-key", INPUT, key=level))
            continue
        if not isinstance(per, Mapping):
            problems.append(make("wrong-type", INPUT, expected=("aantallen per categorie", "counts per category"),
                                 found=type(per).__name__))
            continue
        total = 0
        for cat, n in per.items():
            if cat not in policy.category_ids:
                problems.append(make("unknown-category", INPUT, category=cat, hint=hint(policy.category_ids, str(cat))))
            elif n.__class__ is not int or n < 0:
                problems.append(make("out-of-range", INPUT, value=f"{level}.{cat}: {n!r}",
                                     bound=("een geheel getal vanaf 0", "a whole number from 0")))
            else:
                total += n
        limit = homes.get((level, key), 0)
        if total > limit:
            problems.append(make("out-of-range", INPUT, value=f"{level} {key}: {total}",
                                 bound=(f"ten hoogste {limit} woningen", f"at most {limit} homes")))
        if leaving is not None and leaving in policy.category_ids and not per.get(leaving):
            problems.append(make("out-of-range", INPUT, value=f"{level}.{leaving}: 0",
                                 bound=("het vertrekkende huishouden telt mee", "the leaving household is counted")))
    if problems:
        raise PolicyError(problems)


def composition_from_counts(policy: Policy, unit_id: str, date: dt.date, counts: Mapping,
                            leaving: str | None = None, check: bool = True) -> Composition:
    """The composition of the home's groups from counts per level (checked by check_counts unless check is False:
    for counts the caller's own code counted)."""
    counts = as_mapping(policy, counts)
    if check:
        check_counts(policy, unit_id, counts, leaving)
    homes = group_homes(policy)
    groups = {}
    for level, key in zip(policy.levels.keys, group_keys(policy, policy.units[unit_id])):
        per = {c: n for c, n in counts[level].items() if n}
        groups[(level, key)] = Group(homes[(level, key)], sum(per.values()), MappingProxyType(per))
    return Composition(date, MappingProxyType(groups), frozen_map({unit_id: leaving} if leaving else {}))
