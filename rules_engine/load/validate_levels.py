"""Validate stage for levels: the levels a policy declares above the buurt, their groups, and where each group lies.

policy.yaml may declare, under `levels:`, levels above the buurt (such as the CBS wijk), each with
its groups and their mix. Every buurt names its group one level up (`wijk: WK019303`), and every
group of a declared level names its group in the next declared level, if there is one.
"""

from __future__ import annotations

from typing import Callable

from ..diagnostics import hint, make
from ..model.levels import BASE, UNIT_LEVEL, Level, Levels, with_levels_above
from ..model.policy import Buurt, frozen_map

AREA_KEYS = ("code", "year", "name", "mix")
"""What a buurt or a group of a level above it holds besides the code of its group one level up."""


def declared_levels(ctx, src, raw: list | None) -> Levels:
    """The policy's levels: the base three and those declared above the buurt (a taken key is an error)."""
    taken = {UNIT_LEVEL} | {lv.key for lv in BASE}
    declared = []
    for i, d in enumerate(raw or []):
        if d["key"] in taken:
            ctx.err("level-taken", src, ("levels", i, "key"), level=d["key"])
            continue
        taken.add(d["key"])
        label, plural = (d["label"]["nl"], d["label"]["en"]), (d["plural"]["nl"], d["plural"]["en"])
        declared.append(Level(d["key"], None, d["key"], label, plural, (f"{d['article']} {label[0]}", f"the {label[1]}"),
                              True))
    return with_levels_above(declared)


def level_areas(ctx, src, raw: list | None, levels: Levels, default_mix: Callable) -> dict[str, dict[str, Buurt]]:
    """The groups of every level above the buurt, by level and code, each with its mix and its group one level up.

    default_mix(path, raw_mix, base, label) resolves (mix, tolerance, bands) on top of a base such triple (None: the
    policy's default per buurt)."""
    out: dict[str, dict[str, Buurt]] = {}
    kept = []  # (path, raw group, level key) of every group taken
    for i, d in enumerate(raw or []):
        if d["key"] not in levels or d["key"] in out:
            continue  # a taken key, reported by declared_levels
        nl, en = d["label"]["nl"], d["label"]["en"]
        level_mix = default_mix(("levels", i, "mix"), d.get("mix"), None, (f"de standaard per {nl}", f"the default per {en}"))
        groups: dict[str, Buurt] = {}
        for j, g in enumerate(d["groups"]):
            path = ("levels", i, "groups", j)
            if g["code"] in groups:
                ctx.err("duplicate-id", src, path + ("code",), what=(nl, en), id=g["code"],
                        other=src.path)
                continue
            mix = default_mix(path + ("mix",), g.get("mix"), level_mix, (f"{nl} {g['code']}", f"{en} {g['code']}"))
            groups[g["code"]] = Buurt(g["code"], g["year"], g["name"], mix[0])
            kept.append((path, g, d["key"]))
        out[d["key"]] = groups
    for path, g, level in kept:  # each group names its group one level up, once all groups are known
        b = out[level][g["code"]]
        out[level][g["code"]] = Buurt(b.code, b.year, b.name, b.mix, group_up(ctx, src, path, g, level, levels, out))
    return out


def group_up(ctx, src, path: tuple, raw: dict, level: str, levels: Levels, areas: dict):
    """The group one level up that a buurt (or a group of a level above it) names, checked, as Buurt.up."""
    i = levels.keys.index(level)
    parent = levels.levels[i + 1] if i + 1 < len(levels.levels) else None
    for key in raw:
        if key not in AREA_KEYS and (parent is None or key != parent.field):
            line, col = src.where(path + (key,), key=True)
            ctx.c.add(make("unknown-key", src.path, line, col, key=key,
                           hint=hint(AREA_KEYS + ((parent.field,) if parent else ()), key)))
    if parent is None:
        return frozen_map({})
    code = raw.get(parent.field)
    if code is None:
        ctx.err("level-missing", src, path, what=levels[level].label, group=raw["code"], level=parent.label)
        return frozen_map({})
    known = areas.get(parent.key, {})
    if code not in known:
        ctx.err("unknown-group", src, path + (parent.field,), level=parent.label, group=code, hint=hint(known, code))
        return frozen_map({})
    return frozen_map({parent.key: code})
