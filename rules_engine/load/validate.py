"""Validate stage: semantic checks beyond the schema, building the immutable Policy.

Checks: targets of one level name every category and add up to 100 %; bands lie within 0-100 % and contain
their target; every referenced category, buurt and complex exists; dated values are
in order with no date twice; ids are unique. Expressions are checked by compile.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import replace
from fractions import Fraction

from ..diagnostics import Collector, hint, make
from .complex_part import ComplexPart, assemble
from .load import PolicySources
from .load_yaml import Source
from ..model.levels import DEFAULT as DEFAULT_LEVELS, Levels
from ..model.policy import (OUTCOMES, PLACEMENT, UNDECIDED, Band, Buurt, Case, Category, DatedValue, Definition,
                            Label, LevelMix, Outcome, Parameter, Policy, Profile, RankingStrategy, Rule, RuleKind,
                            Text, Where, frozen_map)
from ..render.numbers import format_percent, parse_percent, to_fraction
from .validate_levels import declared_levels, group_up, level_areas
from .validate_review import placement_routes, review_keys, rule_rooms

DEFAULT_MIN_HOUSEHOLDS = 0


class _Ctx:
    """What the checks of one policy share: the collector and the category ids."""

    def __init__(self, collector: Collector, categories: tuple[str, ...], levels: Levels = DEFAULT_LEVELS):
        self.c = collector
        self.categories = categories
        self.levels = levels

    def err(self, code: str, src: Source, path: tuple, key: bool = False, severity: str = "error", **args):
        line, col = src.where(path, key=key)
        self.c.add(make(code, src.path, line, col, severity=severity, **args))

    def percent(self, src: Source, path: tuple, raw: str) -> Fraction:
        """A percentage from the policy; above 100 % is an error at its place (950% for 95%, 150% of tolerance)."""
        value = parse_percent(raw)
        if value > 1:
            self.err("percent-above-100", src, path, value=raw.strip())
        return value

    def known_category(self, src: Source, path: tuple, cid: str) -> bool:
        if cid in self.categories:
            return True
        self.err("unknown-category", src, path, key=True, category=cid, hint=hint(self.categories, cid))
        return False


def where(src: Source, path: tuple) -> Where:
    """The position of a node as a Where."""
    line, col = src.where(path)
    return Where(src.path, line or 1, col or 1)


def text(src: Source, path: tuple, value: str) -> Text:
    """A piece of policy text with its position."""
    return Text(value, where(src, path), src.quote_offset(path))


def _label(raw) -> Label | None:
    return Label(raw["nl"], raw["en"]) if raw else None


def _date(value: str) -> dt.date:
    return dt.date.fromisoformat(value)


def _mix(ctx: _Ctx, src: Source, path: tuple, raw: dict | None, base_targets: dict[str, Fraction],
         base_tolerance: Fraction, base_bands: dict[str, Band], label: tuple[str, str]) -> tuple[LevelMix, Fraction, dict]:
    """Resolve one level's targets and bands on top of a base; check sums and bands."""
    raw = raw or {}
    targets = dict(base_targets)
    if "targets" in raw:
        targets = {}
        for cid, pct in raw["targets"].items():
            if ctx.known_category(src, path + ("targets", cid), cid):
                targets[cid] = ctx.percent(src, path + ("targets", cid), pct)
        for cid in ctx.categories:
            if cid not in raw["targets"]:  # a category left out would silently get 0 %: say 0% explicitly
                ctx.err("targets-missing-category", src, path + ("targets",), key=True, where=label, category=cid)
        total = sum(targets.values(), Fraction(0))
        if total != 1 and len(targets) == len(raw["targets"]):
            ctx.err("targets-sum", src, path + ("targets",), key=True, where=label,
                    total=(format_percent(total, "nl"), format_percent(total, "en")))
    tolerance = ctx.percent(src, path + ("tolerance",), raw["tolerance"]) if "tolerance" in raw else base_tolerance
    explicit = dict(base_bands)
    for cid, band in (raw.get("bands") or {}).items():
        if not ctx.known_category(src, path + ("bands", cid), cid):
            continue
        target = targets.get(cid, Fraction(0))
        low = parse_percent(band["min"]) if "min" in band else max(Fraction(0), target - tolerance)
        high = parse_percent(band["max"]) if "max" in band else min(Fraction(1), target + tolerance)  # band-outside
        if not (0 <= low <= target <= high <= 1):
            ctx.err("band-outside", src, path + ("bands", cid), key=True, category=cid,
                    low=(format_percent(low, "nl"), format_percent(low, "en")),
                    high=(format_percent(high, "nl"), format_percent(high, "en")),
                    target=(format_percent(target, "nl"), format_percent(target, "en")))
        explicit[cid] = Band(low, high)
    bands = {}
    for cid in ctx.categories:
        target = targets.get(cid, Fraction(0))
        bands[cid] = explicit.get(cid) or Band(max(Fraction(0), target - tolerance), min(Fraction(1), target + tolerance))
    mix = LevelMix(frozen_map((c, targets.get(c, Fraction(0))) for c in ctx.categories), frozen_map(bands))
    return mix, tolerance, explicit


def _portiek_max(ctx: _Ctx, src: Source, path: tuple, raw: dict | None, base: dict) -> dict:
    out = dict(base)
    for cid, n in (raw or {}).items():
        if ctx.known_category(src, path + (cid,), cid):
            out[cid] = n
    return out


def _check_dates(ctx: _Ctx, src: Source, path: tuple, items: list, field: str = "valid_from") -> None:
    previous = None
    for i, item in enumerate(items):
        current = _date(item[field])
        if previous is not None and current == previous:
            ctx.err("date-twice", src, path + (i, field), date=item[field])
        elif previous is not None and current < previous:
            ctx.err("dates-order", src, path + (i, field), date=item[field], previous=previous.isoformat())
        previous = current


def build_policy(sources: PolicySources, collector: Collector) -> Policy | None:
    """Run the semantic checks and build the Policy; None when policy.yaml itself is unusable."""
    psrc = sources.policy
    if psrc is None:
        return None
    raw = psrc.data
    seen: dict[str, int] = {}
    categories = []
    for i, c in enumerate(raw["categories"]):
        if c["id"] in seen:
            line, col = psrc.where(("categories", i, "id"))
            collector.add(make("duplicate-id", psrc.path, line, col, what=("categorie", "category"),
                               id=c["id"], other=f"{psrc.path}:{seen[c['id']]}"))
            continue
        seen[c["id"]] = psrc.where(("categories", i, "id"))[0]
        categories.append(Category(c["id"], _label(c["label"]), _label(c.get("description"))))
    ctx = _Ctx(collector, tuple(c.id for c in categories))
    ctx.levels = levels = declared_levels(ctx, psrc, raw.get("levels"))

    mix_raw = raw["mix"]
    buurt_mix, buurt_tol, buurt_bands = _mix(ctx, psrc, ("mix", "buurt"), mix_raw["buurt"], {}, Fraction(0), {},
                                             ("de standaard per buurt", "the default per buurt"))
    base_targets = dict(buurt_mix.targets)
    complex_mix, complex_tol, complex_bands = _mix(ctx, psrc, ("mix", "complex"), mix_raw.get("complex"),
                                                   base_targets, buurt_tol, {},
                                                   ("de standaard per complex", "the default per complex"))
    portiek_max = _portiek_max(ctx, psrc, ("mix", "portiek_max_households"), mix_raw.get("portiek_max_households"), {})
    min_households = mix_raw.get("min_households", DEFAULT_MIN_HOUSEHOLDS)

    def area_mix(path: tuple, raw_mix: dict | None, base: tuple | None, label: tuple[str, str]) -> tuple:
        """(mix, tolerance, bands) of a level above the buurt or one of its groups, on top of base (None: per buurt)."""
        mix, tol, bands = base or (buurt_mix, buurt_tol, buurt_bands)
        if raw_mix is None:
            return mix, tol, bands
        return _mix(ctx, psrc, path, raw_mix, dict(mix.targets), tol, bands, label)

    areas = level_areas(ctx, psrc, raw.get("levels"), levels, area_mix)
    buurten = {}
    for i, b in enumerate(raw["buurten"]):
        if b["code"] in buurten:
            ctx.err("duplicate-id", psrc, ("buurten", i, "code"), what=("buurt", "buurt"), id=b["code"], other=psrc.path)
            continue
        mix = buurt_mix
        if "mix" in b:
            mix, _, _ = _mix(ctx, psrc, ("buurten", i, "mix"), b["mix"], base_targets, buurt_tol, buurt_bands,
                             (f"buurt {b['code']}", f"buurt {b['code']}"))
        buurten[b["code"]] = Buurt(b["code"], b["year"], b["name"], mix,
                                   group_up(ctx, psrc, ("buurten", i), b, "buurt", levels, areas))

    parameters = _parameters(ctx, sources.parameters)
    complex_raw = mix_raw.get("complex") or {}
    # One mix and one default profile per buurt, shared by its complexes: immutable, and at national
    # scale 30,000 copies would cost seconds to build, cache and load.
    mix_of_buurt: dict[str, LevelMix] = {}
    defaults: dict[int, Profile] = {}
    default_by_code: dict[str, Profile] = {}

    def default_of(code: str) -> Profile:
        """The default profile of a complex in buurt code."""
        found = default_by_code.get(code)
        if found is not None:
            return found
        b = buurten.get(code)
        mix_here = complex_mix
        if b is not None and "targets" not in complex_raw:
            # Without complex-level targets, a complex follows the targets of its own buurt.
            mix_here = mix_of_buurt.get(b.code)
            if mix_here is None:
                mix_here = mix_of_buurt[b.code] = _mix(
                    _Ctx(Collector(), ctx.categories), psrc, ("mix", "complex"),
                    {k: v for k, v in complex_raw.items() if k != "targets"}, dict(b.mix.targets), buurt_tol, {},
                    ("", ""))[0]
        default = defaults.get(id(mix_here))
        if default is None:
            default = defaults[id(mix_here)] = Profile(dt.date.min, "", mix_here, frozen_map(portiek_max),
                                                       min_households, None)
        default_by_code[code] = default
        return default

    parts = []
    for item in sources.complexes:  # a Source read now, or a part the cache kept for the same bytes
        if isinstance(item, Source):
            part = _complex_part(ctx, item, buurten, default_of(item.data["buurt"]), complex_tol, complex_bands,
                                 portiek_max, sources.complex_reading.get(item.path, ()))
            if sources.parts is not None and item.digest:
                sources.parts.put(sources.parts.key(psrc.digest, item.path, item.digest), part)
            item = part
        parts.append(item)
    units, complexes = assemble(parts, default_of, collector, sources.root)
    definitions, rules = {}, []
    rule_seen: dict[str, Where] = {}
    for src in sources.rules:
        for name, d in (src.data.get("definitions") or {}).items():
            if name in definitions:
                ctx.err("duplicate-id", src, ("definitions", name), key=True, what=("definitie", "definition"),
                        id=name, other=str(definitions[name].where))
                continue
            definitions[name] = _definition(ctx, src, name, d)
        for i, r in enumerate(src.data["rules"]):
            rule = _rule(ctx, src, i, r)
            if rule is None:
                continue
            if rule.id in rule_seen:
                ctx.err("duplicate-id", src, ("rules", i, "id"), what=("regel", "rule"), id=rule.id,
                        other=str(rule_seen[rule.id]))
                continue
            rule_seen[rule.id] = rule.where
            rules.append(rule)
    ranking = RankingStrategy()
    if "ranking" in raw:
        r = raw["ranking"]
        drop, order = tuple(r.get("drop", ())), tuple(r["order"])
        if UNDECIDED not in drop + order:  # a candidate whose legal check cannot be done is never ranked unasked
            drop += (UNDECIDED,)
        if PLACEMENT not in drop + order:  # a placement through a route goes first unless the policy says otherwise
            order = (PLACEMENT,) + order
        if sorted(drop + order) != sorted(OUTCOMES):
            line, col = psrc.where(("ranking",), key=True)
            collector.add(make("schema", psrc.path, line, col, message=(
                "ranking: elke uitkomst staat precies één keer in drop of order",
                "ranking: every outcome appears exactly once in drop or order")))
        ranking = RankingStrategy(drop, order)
    reasons, free_room = review_keys(collector, psrc, raw)
    rule_rooms(collector, rules, free_room)
    return Policy(
        root=sources.root, id=raw["id"], name=raw["name"], owner=raw["owner"], version=raw["version"],
        description=raw.get("description", ""), categories=tuple(categories), buurten=frozen_map(buurten),
        complexes=frozen_map(complexes), units=units, parameters=frozen_map(parameters),
        definitions=frozen_map(definitions), rules=tuple(rules), content_hash=sources.content_hash,
        ranking=ranking, levels=levels, areas=frozen_map((k, frozen_map(v)) for k, v in areas.items()),
        deviation_reasons=reasons, free_allocation_room=free_room, routes=placement_routes(collector, psrc, raw))


def _parameters(ctx: _Ctx, src: Source | None) -> dict[str, Parameter]:
    out = {}
    if src is None:
        return out
    for name, p in src.data["parameters"].items():
        path = ("parameters", name, "values")
        _check_dates(ctx, src, path, p["values"])
        values = []
        for i, v in enumerate(p["values"]):
            raw = v["value"]
            value = ctx.percent(src, path + (i, "value"), raw) if isinstance(raw, str) else to_fraction(raw)
            values.append(DatedValue(_date(v["valid_from"]), value, v["source"], v.get("note", ""),
                                     where(src, path + (i,))))
        values.sort(key=lambda dv: dv.valid_from)
        line, col = src.where(("parameters", name), key=True)
        out[name] = Parameter(name, _label(p["label"]), p["unit"], tuple(values), Where(src.path, line, col),
                              p.get("annual", False))
    return out


def stale_parameters(policy: Policy, year: int) -> list:
    """Warnings for annual parameters without a value for a calendar year (the current one, as validate asks);
    a parameter whose first value lies after that year has nothing to renew yet (its rules are onbeslist then)."""
    out = []
    for p in policy.parameters.values():
        if p.values and p.values[0].valid_from.year > year:
            continue
        if p.annual and p.at(dt.date(year, 12, 31)) is None and p.where is not None:
            latest = p.values[-1].valid_from.isoformat() if p.values else "-"
            out.append(make("annual-parameter-stale", p.where.file, p.where.line, p.where.column, severity="warning",
                            name=p.name, year=year, latest=latest))
    return out


def _complex_part(ctx: _Ctx, src: Source, buurten: dict, default: Profile, tol: Fraction, bands: dict,
                  portiek_max: dict, reading: tuple) -> ComplexPart:
    """What one complex file means on its own, against policy.yaml (see complex_part.py)."""
    raw = src.data
    own = _Ctx(Collector(), ctx.categories, ctx.levels)
    if raw["buurt"] not in buurten:
        own.err("unknown-buurt", src, ("buurt",), buurt=raw["buurt"], hint=hint(buurten, raw["buurt"]))
        return ComplexPart(src.path, src.digest, reading, True, tuple(own.c.items))
    complex_mix, min_households = default.mix, default.min_households
    profiles = []
    _check_dates(own, src, ("profile",), raw.get("profile", []))
    for i, p in enumerate(raw.get("profile", [])):
        path = ("profile", i)
        mix, _, _ = _mix(own, src, path, p, dict(complex_mix.targets), tol, bands,
                         (f"het profiel van {raw['id']} vanaf {p['valid_from']}",
                          f"the profile of {raw['id']} from {p['valid_from']}"))
        pmax = _portiek_max(own, src, path + ("portiek_max_households",), p.get("portiek_max_households"), portiek_max)
        profiles.append(Profile(_date(p["valid_from"]), p.get("note", ""), mix, frozen_map(pmax),
                                p.get("min_households", min_households), where(src, path)))
    part = ComplexPart(src.path, src.digest, reading, True, (), raw["id"], raw["name"], raw["buurt"], where(src, ()),
                       tuple(profiles))
    portieken = []
    seen: set[str] = set()
    marks = src.marks
    for i, pk in enumerate(raw["portieken"]):
        key = f"{raw['id']}/{pk['id']}"
        if key in seen:
            own.err("duplicate-id", src, ("portieken", i, "id"), what=("portiek", "portiek"), id=pk["id"], other=src.path)
            continue
        seen.add(key)
        for j, u in enumerate(pk["units"]):
            line, col = marks.get(("portieken", i, "units", j)) or src.where(("portieken", i, "units", j))
            rent = to_fraction(u["rent"])
            part.ids.append(u["id"])
            part.rooms.append(u["rooms"])
            part.rent_num.append(rent.numerator)
            part.rent_den.append(rent.denominator)
            part.daeb.append(1 if u.get("daeb", True) else 0)
            part.floor.append(u.get("floor"))
            part.line.append(line or 1)
            part.column.append(col or 1)
        portieken.append((key, i, len(pk["units"])))
    return replace(part, diags=tuple(own.c.items), portieken=tuple(portieken))


def _definition(ctx: _Ctx, src: Source, name: str, d: dict) -> Definition:
    path = ("definitions", name)
    cases = []
    if ("value" in d) == ("cases" in d):
        ctx.err("schema", src, path, key=True, message=("een definitie heeft 'value' of 'cases' (precies één)",
                                                        "a definition has 'value' or 'cases' (exactly one)"))
    if "value" in d:
        cases.append(Case(None, text(src, path + ("value",), d["value"])))
    for i, c in enumerate(d.get("cases", [])):
        cpath = path + ("cases", i)
        last = i == len(d["cases"]) - 1
        if "otherwise" in c and not ("when" in c or "value" in c) and last:
            cases.append(Case(None, text(src, cpath + ("otherwise",), c["otherwise"])))
        elif "when" in c and "value" in c and "otherwise" not in c:
            cases.append(Case(text(src, cpath + ("when",), c["when"]), text(src, cpath + ("value",), c["value"])))
        else:
            ctx.err("schema", src, cpath, message=(
                "een geval heeft 'when' en 'value'; alleen het laatste mag 'otherwise' zijn",
                "a case has 'when' and 'value'; only the last one may be 'otherwise'"))
    return Definition(name, _label(d["label"]), d.get("unit", "number"), tuple(cases), where(src, path))


def _rule(ctx: _Ctx, src: Source, i: int, r: dict) -> Rule | None:
    path = ("rules", i)
    shapes = [k for k in ("condition", "all", "any") if k in r]
    if len(shapes) != 1:
        ctx.err("condition-shape", src, path)
        return None
    if r["kind"] == RuleKind.LEGAL and r["outcome"] != Outcome.NIET_TOEGESTAAN:
        ctx.err("legal-outcome", src, path + ("outcome",))
    if r["level"] not in ctx.levels.rule_levels:
        ctx.err("unknown-level", src, path + ("level",), level=r["level"], hint=hint(ctx.levels.rule_levels, r["level"]),
                known=", ".join(ctx.levels.rule_levels))
    mode = "any" if shapes[0] == "any" else "all"
    raw_conds = [r["condition"]] if shapes[0] == "condition" else r[shapes[0]]
    cpath = path + (shapes[0],)
    conditions = tuple(text(src, cpath if shapes[0] == "condition" else cpath + (j,), c)
                       for j, c in enumerate(raw_conds))
    applies = tuple(text(src, path + ("applies_when", j), c) for j, c in enumerate(r.get("applies_when", [])))
    expl = r["explanation"]

    def pair(key):
        return (text(src, path + ("explanation", key, "nl"), expl[key]["nl"]),
                text(src, path + ("explanation", key, "en"), expl[key]["en"]))

    return Rule(r["id"], _label(r["title"]), r["level"], r["kind"], r["outcome"], mode, conditions, applies,
                pair("fired"), pair("not_fired") if "not_fired" in expl else None, r.get("source", ""),
                where(src, path), ctx.percent(src, path + ("norm",), r["norm"]) if "norm" in r else None,
                r.get("free_room"))

