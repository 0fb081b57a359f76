"""Compiled decisions: the decision-only path as Python source generated from the checked syntax tree.

As fastjsonschema and Jinja2 do, the rules of a program become one Python function per
(program, date), compiled once and kept. The source is generated from the syntax trees that
compile.py has parsed and type-checked, never from policy text: every name in it is ours, every
number is `repr` of an int, and every text or date the policy holds is a constant bound by name.

What makes it fast, exactly:
- shares are never built: `share > ceiling` is `count * q > p * occupied` with the band's
  numerator p and denominator q (an empty group's share is 0, as facts.Group.share says);
- numbers are compared by cross-multiplying numerators and denominators, so an income or a rent
  held as a Fraction is never divided; parameters are constants of the date;
- only the facts the rules read are computed (no projected groups for levels no rule reads);
- three-valued logic is code only where a value can be unknown (a missing limit, a parameter
  without a value on the date, a division by zero); elsewhere it is Python's and/or;
- rule statuses become a small integer; the outcome of each combination is computed once by
  evaluate.combine and remembered.

Semantics: the same statuses as evaluate.rule_status, the one semantics (tests/test_compiled.py
compares them on every test policy, exact thresholds included). A program this compiler does
not cover (an operator a test registers, a fact it has no code for) gets None from
`compiled_rules`, and the caller uses the general path.
"""

from __future__ import annotations

import datetime as dt

from .codegen import FIRED_CODE, NOT_APPLICABLE_CODE, NOT_FIRED_CODE, UNKNOWN_CODE, Gen, Unsupported  # noqa: F401
from ..engine.counts import group_homes
from ..model.levels import group_keys
from .program import Program


class CompiledRules:
    """One program's rules compiled for one date: decide from a composition or from counts per level."""

    def __init__(self, source: str, from_composition, from_counts, needed_levels: tuple[str, ...]):
        self.source = source  # the generated Python, for reading and tests
        self.from_composition = from_composition  # (household, unit id, composition) -> (outcome, deciding)
        self.from_counts = from_counts  # (household, unit id, counts per level, leaving) -> (outcome, deciding)
        self.levels = needed_levels  # the levels whose counts the rules read


def compiled_rules(program: Program, date: dt.date, outcome_of, bad_unit, bad_category, general,
                   general_counts, rules_code=None, names=None) -> CompiledRules | None:
    """The program's rules as generated Python for one date, or None when the compiler does not cover them.

    outcome_of(statuses) gives (outcome, deciding rules) for a tuple of status codes (evaluate.combine);
    bad_unit(unit id) and bad_category(category) raise the errors of an unknown home or category;
    general(household, unit id, composition) and general_counts(household, unit id, counts, leaving)
    decide by the general path, for values of a type the rules were not checked for.
    rules_code(gen, program) -> (statements, key) replaces the statuses of the default engine by another
    engine's (durable_code.rules_code), with names (e.g. its `fire`) bound for the generated code."""
    try:
        return _build(program, date, outcome_of, bad_unit, bad_category, general, general_counts, rules_code,
                      names)
    except Unsupported:
        return None
    except (SyntaxError, RecursionError, MemoryError, OverflowError):
        # Python's own compiler refused the code (too deeply nested, say): the general path decides the same
        return None


def _count_lines(g: Gen, levels: list[int], ncat: int) -> list[str]:
    """from_counts' reading of the counts, checked on every call as check_counts checks them.

    Both forms (engine/counts.py) are read only when every level is there, every count a whole
    number (int, not bool) from 0, no group holding more households than homes, only known
    categories, and a leaving household counted at every level; anything else goes to the general
    path, whose check names the problem (PolicyError). Each form is taken apart into one name per
    count, and those are checked in line by the same code."""
    n_levels = len(g.levels)
    names = [g.const(lv) for lv in g.levels]
    cat_names = [g.const(c) for c in g.program.policy.category_ids]
    back = "return general_counts(h, uid, counts, leaving)"
    ts = [f"t{j}" for j in range(n_levels)]
    cs = [f"c{j}" for j in range(n_levels)]
    vs = [[f"v{j}_{k}" for k in range(ncat)] for j in range(n_levels)]
    flat = [v for row in vs for v in row]
    out = ["    lim = limits_seen(uid)", "    if lim is None:", "        lim = limits(uid)",
           "    if counts.__class__ is tuple:", "        try:", f"            {', '.join(ts)}, = counts",
           f"            if {' or '.join(f'{t}.__class__ is not tuple' for t in ts)}:", f"                {back}"]
    out += [f"            {', '.join(row)}, = {t}" for t, row in zip(ts, vs)]
    out += ["        except (TypeError, ValueError):", f"            {back}",
            "        if lv is not None:", "            li = cat_index.get(lv)",
            f"            if li is None or not ({' and '.join(f'{t}[li]' for t in ts)}):", f"                {back}"]
    for i in levels:
        out += [f"        c{i} = dict(zip(category_ids, t{i}))"] if "map" in g.need[i] else []
        out += [f"        n{i} = t{i}[ci]"] if "n" in g.need[i] else []
    out += ["    else:", "        try:", f"            if len(counts) != {n_levels}:", f"                {back}"]
    out += [f"            {c} = counts[{name}]" for c, name in zip(cs, names)]
    out += ["        except (TypeError, KeyError):", f"            {back}",
            f"        if {' or '.join(f'{c}.__class__ is not dict' for c in cs)} or not "
            f"({' and '.join(f'{c}.keys() <= categories' for c in cs)}):", f"            {back}"]
    out += [f"        {', '.join(row)} = {', '.join(f'{c}.get({k}, 0)' for k in cat_names)}" for c, row in zip(cs, vs)]
    out += ["        if lv is not None:",
            f"            if lv not in cat_index or not ({' and '.join(f'{c}.get(lv)' for c in cs)}):",
            f"                {back}"]
    out += [f"        n{i} = c{i}.get(cat, 0)" for i in levels if "n" in g.need[i]]
    out += [f"    if not ({' is '.join(f'{v}.__class__' for v in flat)} is int) or ({' | '.join(flat)}) < 0:",
            f"        {back}"]
    out += [f"    o{j} = {' + '.join(row)}" for j, row in enumerate(vs)]
    out += [f"    if {' or '.join(f'o{j} > lim[{j}]' for j in range(n_levels))}:", f"        {back}"]
    out += [f"    m{i} = lim[{i}]" for i in levels if "homes" in g.need[i]]
    return out

def _build(program: Program, date: dt.date, outcome_of, bad_unit, bad_category, general=None,
           general_counts=None, rules_code=None, names=None) -> CompiledRules:
    g = Gen(program, date)
    policy = program.policy
    if rules_code is None:
        before, statuses = [], [g.rule(cr) for cr in program.rules]
        key = " | ".join(f"{s} << {2 * j}" if j else s for j, s in enumerate(statuses)) or "0"
    else:
        before, key = rules_code(g, program)
    levels = sorted(g.need)
    level_name = {i: g.const(g.levels[i]) for i in levels}
    args = []
    for i in levels:
        need = g.need[i]
        args += [a for a, k in ((f"c{i}", "c"), (f"o{i}", "occ"), (f"m{i}", "homes")) if k in need]
    body = []
    occ = [i for i in levels if "occ" in g.need[i]]
    ns_ = [i for i in levels if "n" in g.need[i]]
    if occ or ns_:
        body.append("    if lv is not None:")
        body += [f"        o{i} -= 1" for i in occ]
        body += [f"        n{i} -= lv == cat" for i in ns_]
    n = len(program.rules)
    small_memo = n <= 6  # a list of 4 ** n entries (at most 4,096), read by index
    # A value of a type the rules were not checked for (a float income from a caller) takes the general path.
    tail = ["    try:", *("        " + s for s in before), f"        k = {key}", "    except (AttributeError, TypeError):",
            "        return FALLBACK",
            f"    r = {'memo[k]' if small_memo else 'memo_get(k)'}", "    if r is None:", "        r = outcome_of(k)", "    return r", ""]
    lines = []

    def wrapper(name: str, params: str, level_lines) -> list[str]:
        out = [f"def {name}(h, uid, {params}):",
               "    w = homes_seen(uid)",
               "    if w is None:",
               "        w = home(uid)",
               "    u, rn, rd, " + "".join(f"x{i}, " for i in range(len(g.tables))) + "ks = w",
               "    cat = h.category",
               "    try:",
               "        ci = cat_index[cat]",
               "    except KeyError:",
               "        bad_category(cat)"]
        fallback = "general(h, uid, comp)" if name == "from_composition" else "general_counts(h, uid, counts, leaving)"
        # A household placed through a route: combine's outcome depends on more than the statuses.
        out += ["    if h.route is not None:", f"        return {fallback}"]
        out.append("    lv = comp.by_unit.get(uid)" if name == "from_composition" else "    lv = leaving")
        return out + level_lines + body + [line.replace("FALLBACK", fallback) for line in tail]

    def key_code(i: int) -> str:
        return "u.portiek" if i == 0 else f"ks[{i}]"

    comp_lines = ["    groups = comp.groups"] if levels else []
    ncat = len(policy.category_ids)
    for i in levels:
        need = g.need[i]
        comp_lines.append(f"    g{i} = groups[({level_name[i]}, {key_code(i)})]")
        comp_lines += [f"    {a}{i} = g{i}.{attr}" for a, k, attr in (("c", "c", "counts"), ("o", "occ", "occupied"),
                                                                        ("m", "homes", "homes")) if k in need]
        comp_lines += [f"    n{i} = c{i}.get(cat, 0)"] if "n" in need else []
    lines += wrapper("from_composition", "comp", comp_lines)
    lines += wrapper("from_counts", "counts, leaving=None", _count_lines(g, levels, ncat))
    source = "\n".join(lines)

    contexts: dict = {}
    tables = tuple(b for _, b in g.tables)

    def context(u):
        prof = policy.complexes[u.complex].profile_at(date)
        keys = group_keys(policy, u)
        mixes = {"complex": prof.mix, "buurt": policy.buurten[u.buurt].mix}
        for lv, key in zip(policy.levels.keys[3:], keys[3:]):
            mixes[lv] = policy.areas[lv][key].mix
        x = contexts[u.complex] = tuple(b(prof, mixes) for b in tables) + (keys,)  # x0, x1, ..., the groups' keys
        return x

    memo: dict | list = [None] * 4 ** n if small_memo else {}

    def outcome(k: int):
        r = outcome_of(tuple((k >> (2 * j)) & 3 for j in range(n)))
        if small_memo or len(memo) < 4096:
            memo[k] = r
        return r

    ns = g.ns
    seen: dict = {}
    units_get = policy.units.get

    def home(uid: str):
        """(unit, rent numerator, rent denominator, *its complex's context), kept for up to 65,536 homes."""
        u = units_get(uid)
        if u is None:
            bad_unit(uid)
        x = contexts.get(u.complex)
        if x is None:
            x = context(u)
        w = (u, u.rent.numerator, u.rent.denominator) + x
        if len(seen) < 65_536:
            seen[uid] = w
        return w

    limits_of: dict = {}
    categories = frozenset(policy.category_ids)

    def limits(uid: str) -> tuple[int, ...]:
        """The homes of the home's group at every level (what no count may exceed), kept for 65,536 homes."""
        per_group = group_homes(policy)  # lru-cached; built on the first call, not for from_composition
        x = tuple(per_group.get(k, 0) for k in zip(policy.levels.keys, group_keys(policy, policy.units[uid])))
        if len(limits_of) < 65_536:
            limits_of[uid] = x
        return x

    ns.update(homes_seen=seen.get, home=home, limits_seen=limits_of.get, limits=limits, categories=categories, cat_index={c: j for j, c in enumerate(policy.category_ids)},
              category_ids=policy.category_ids, memo=memo, memo_get=None if small_memo else memo.get,
              outcome_of=outcome, bad_category=bad_category, general=general, general_counts=general_counts,
              **(names or {}))
    exec(compile(source, f"<magicmix rules {policy.id} {date.isoformat()}>", "exec"), ns)  # noqa: S102 - our source
    return CompiledRules(source, ns["from_composition"], ns["from_counts"], tuple(g.levels[i] for i in levels))
