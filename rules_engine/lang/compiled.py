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
from typing import Mapping, NamedTuple

from .codegen import FIRED_CODE, NOT_APPLICABLE_CODE, NOT_FIRED_CODE, UNKNOWN_CODE, Gen, Unsupported  # noqa: F401
from ..engine.counts import group_homes
from ..model.levels import group_keys
from ..model.units import UnitTable
from .program import Program


class _Place(NamedTuple):
    """A place (portiek) as group_keys reads a home: the keys of its portiek, complex and buurt."""

    portiek: str
    complex: str
    buurt: str


class _Records(dict):
    """Records per place of a composition with few groups, filled as places are read (None for one not yet made)."""

    def __missing__(self, key):
        return None


class CompiledRules:
    """One program's rules compiled for one date: decide from a composition or from counts per level."""

    def __init__(self, source: str, from_composition, from_counts, needed_levels: tuple[str, ...],
                 prepare=None, explain_counts=None):
        self.source = source  # the generated Python, for reading and tests
        self.from_composition = from_composition  # (household, unit id, composition) -> (outcome, deciding)
        self.from_counts = from_counts  # (household, unit id, counts per level, leaving) -> (outcome, deciding)
        self.levels = needed_levels  # the levels whose counts the rules read
        self.prepare = prepare  # (composition) -> None: every place's context and groups made now
        self.explain_counts = explain_counts  # with explain_code: (household, unit id, counts, leaving) -> record


def compiled_rules(program: Program, date: dt.date, outcome_of, bad_unit, bad_category, general,
                   general_counts, rules_code=None, names=None, explain_code=None) -> CompiledRules | None:
    """The program's rules as generated Python for one date, or None when the compiler does not cover them.

    outcome_of(statuses) gives (outcome, deciding rules) for a tuple of status codes (evaluate.combine);
    bad_unit(unit id) and bad_category(category) raise the errors of an unknown home or category;
    general(household, unit id, composition) and general_counts(household, unit id, counts, leaving)
    decide by the general path, for values of a type the rules were not checked for.
    rules_code(gen, program) -> (statements, key) replaces the statuses of the default engine by another
    engine's (durable_code.rules_code), with names (e.g. its `fire`) bound for the generated code.
    explain_code(gen) -> code of a tuple of values read from the counts adds explain_counts(household, unit id,
    counts, leaving, as_json): the counts read and checked as from_counts reads them, then explain_tail (bound in
    names) called with (household, unit id, counts, leaving, category index, group keys, homes per level, the
    counts per level and category as given, that tuple, as_json), or general_explain (in names) with the
    arguments for whatever from_counts would not decide itself (compiled_explain.py)."""
    try:
        return _build(program, date, outcome_of, bad_unit, bad_category, general, general_counts, rules_code,
                      names, explain_code)
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
    out = ["    lim = place_limits[p]", "    if lim is None:", "        lim = limits(p)",
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


def _explain_lines(g: Gen, levels: list[int], ncat: int, place_lines: list[str], body: list[str],
                   explained: str) -> list[str]:
    """explain_counts: the home, its place and the counts read and checked as from_counts does, every count kept
    as given, then the values explain_code asked for (with the leaving household taken out, as the rules see
    them) handed to explain_tail; anything from_counts would hand to the general path goes to general_explain."""
    back = "return general_explain(h, uid, counts, leaving, as_json)"
    rows = ", ".join("(" + "".join(f"v{j}_{k}, " for k in range(ncat)) + ")" for j in range(len(g.levels)))
    count_lines = [line.replace("return general_counts(h, uid, counts, leaving)", back)
                   for line in _count_lines(g, levels, ncat)]
    return ["", "def explain_counts(h, uid, counts, leaving=None, as_json=False):", "    i = position(uid)", "    if i is None:",
            f"        {back}", "    cat = h.category", "    ci = cat_index.get(cat)",
            f"    if ci is None or h.route is not None or {HOUSEHOLD_NOT_EXACT}:", f"        {back}",
            *place_lines, *count_lines, f"    given = ({rows},)", *body,
            "    try:", f"        k = {explained}", "    except (AttributeError, TypeError):", f"        {back}",
            "    return explain_tail(h, uid, counts, leaving, ci, ks, lim, given, k, as_json)", ""]


# Checked once per letting, before any rule: an int size and age (or no age), an int or Fraction income (bool is an int
# to Python, never a size here). The general path gives such a household its message; see evaluate._check_numbers.
HOUSEHOLD_NOT_EXACT = ("h.size.__class__ is not int or h.income.__class__ is not int and h.income.__class__ is not _F"
                       " or h.age is not None and h.age.__class__ is not int")


def _build(program: Program, date: dt.date, outcome_of, bad_unit, bad_category, general=None,
           general_counts=None, rules_code=None, names=None, explain_code=None) -> CompiledRules:
    g = Gen(program, date)
    policy = program.policy
    if rules_code is None:
        before, statuses = [], [g.rule(cr) for cr in program.rules]
        key = " | ".join(f"{s} << {2 * j}" if j else s for j, s in enumerate(statuses)) or "0"
    else:
        before, key = rules_code(g, program)
    explained = explain_code(g) if explain_code is not None else None
    levels = sorted(g.need)
    ncat = len(policy.category_ids)
    level_name = {i: g.const(g.levels[i]) for i in levels}
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

    # The home is read from the unit table's columns by its position (only the columns the rules read), and what
    # the rules read of its place once per place: no Unit is built, and a row touches few places in memory.
    columns = [f"    {name} = {code}" for need, name, code in (
        ("rent", "rn", "rent_num[i]"), ("rent", "rd", "rent_den[i]"), ("rooms", "u_rooms", "rooms[i]"),
        ("daeb", "u_daeb", "daeb[i] == 1"), ("floor", "u_floor", "floors[i]")) if need in g.unit_need]
    tables_code = [f"    x{j} = w[{j}]" for j in range(len(g.tables))]

    def wrapper(name: str, params: str, place_lines, level_lines) -> list[str]:
        out = [f"def {name}(h, uid, {params}):",
               "    i = position(uid)",
               "    if i is None:",
               "        bad_unit(uid)",
               "    cat = h.category",
               "    try:",
               "        ci = cat_index[cat]",
               "    except KeyError:",
               "        bad_category(cat)"]
        fallback = "general(h, uid, comp)" if name == "from_composition" else "general_counts(h, uid, counts, leaving)"
        # A household placed through a route: combine's outcome depends on more than the statuses. A household whose
        # numbers are not exact (a float or text income, a size of 2.0, a bool): the general path, which refuses it
        # (evaluate.build_facts), whether or not these rules read the value.
        out += ["    if h.route is not None:", f"        return {fallback}", f"    if {HOUSEHOLD_NOT_EXACT}:",
                f"        return {fallback}"]
        out += place_lines + tables_code + columns
        return out + level_lines + body + [line.replace("FALLBACK", fallback) for line in tail]

    def key_code(i: int) -> str:
        return f"ks[{i}]"

    # From a composition, one record per place: the context's tables and keys, then per level the values the rules
    # read of its group (the households per category, flat, then occupied and homes, as needed). It is made once per
    # place and kept with the composition (derived), with the category living in each home by position where the
    # composition has them (Composition.codes).
    offsets, at = {}, len(g.tables) + 1  # after the tables, the keys of the place's groups
    for i in levels:
        for part in ("map", "n", "occ", "homes"):
            if part in g.need[i]:
                offsets[(i, part)] = at
                at += ncat if part == "n" else 1
    # (a composition made for one letting has no entry yet: found by get, as raising KeyError costs more than the rules)
    comp_place = ["    try:", "        e = comp.derived.get(token)", "    except AttributeError:", "        e = None",
                  "    pw, codes = derive(comp) if e is None else e", "    p = place_of[i]", "    w = pw[p]", "    if w is None:",
                  "        w = pw[p] = place_record(comp, p)"]
    comp_lines = [f"    ks = w[{len(g.tables)}]"] if "keys" in g.unit_need else []
    comp_lines.append("    lv = comp.by_unit.get(uid) if codes is None else living[codes[i]]")
    for (i, part), off in offsets.items():
        comp_lines.append({"map": f"    c{i} = w[{off}]", "n": f"    n{i} = w[{off} + ci]",
                           "occ": f"    o{i} = w[{off}]", "homes": f"    m{i} = w[{off}]"}[part])
    counts_place = ["    p = place_of[i]", "    w = place_context[p]", "    if w is None:", "        w = context(p)",
                    "    ks = w[-1]", "    lv = leaving"]
    lines += wrapper("from_composition", "comp", comp_place, comp_lines)
    lines += wrapper("from_counts", "counts, leaving=None", counts_place, _count_lines(g, levels, ncat))
    if explained is not None:
        lines += _explain_lines(g, levels, ncat, counts_place + tables_code + columns, body, explained)
    source = "\n".join(lines)

    tables = tuple(b for _, b in g.tables)
    units = policy.units
    if not isinstance(units, UnitTable):
        raise Unsupported("units")
    col = units.columns()
    places = len(col.places)
    contexts: dict = {}  # (complex, buurt) -> its tables and the keys of its groups from the complex up
    place_context: list = [None] * places  # place number -> (x0, x1, ..., the groups' keys)
    shared: dict = {}  # equal tables are one object: most complexes have the policy's mix, and a row reads it hot

    def one(table):
        key = (table.__class__, tuple(table.items())) if isinstance(table, Mapping) else (table.__class__, table)
        return shared.setdefault(key, table)

    def context(p: int):
        portiek, complex_id, buurt = col.places[p]
        x = contexts.get((complex_id, buurt))
        if x is None:
            prof = policy.complexes[complex_id].profile_at(date)
            keys = group_keys(policy, _Place(portiek, complex_id, buurt))
            mixes = {"complex": prof.mix, "buurt": policy.buurten[buurt].mix}
            for lv, key in zip(policy.levels.keys[3:], keys[3:]):
                mixes[lv] = policy.areas[lv][key].mix
            x = contexts[(complex_id, buurt)] = (tuple(one(b(prof, mixes)) for b in tables), keys[1:])
        w = place_context[p] = x[0] + ((portiek,) + x[1],)
        return w

    # A place's record on a composition: its context, then per level the values the rules read of its group, written
    # out per program (a missing group: KeyError, as a look-up gives). A composition made for one letting reads one
    # place once, so nothing here is shared between places: each of a group's values costs one look-up.
    record = ["def place_record(comp, p):", "    w = place_context[p]", "    if w is None:", "        w = context(p)",
              "    ks = w[-1]", "    groups = comp.groups"]
    values = []
    for i in levels:
        need = g.need[i]
        record.append(f"    g{i} = groups[({level_name[i]}, ks[{i}])]")
        record += [f"    c{i} = g{i}.counts"] if need & {"map", "n"} else []
        values += [f"c{i}"] if "map" in need else []
        values += [f"c{i}.get({g.const(c)}, 0)" for c in policy.category_ids] if "n" in need else []
        values += [f"g{i}.occupied"] if "occ" in need else []
        values += [f"g{i}.homes"] if "homes" in need else []
    record.append(f"    return w + ({''.join(v + ', ' for v in values)})")
    source += "\n\n" + "\n".join(record) + "\n"
    token = object()  # this compiled program's entry in a composition's derived values
    living = (None,) + tuple(policy.category_ids)  # Composition.codes: 0 nobody, else 1 + the category's index

    def derive(comp) -> tuple:
        """Empty records per place of a composition for these rules (a list when it has every group, else a table
        filled as places are read), and its categories by position; kept with it where it can be."""
        pw = [None] * places if len(comp.groups) >= places else _Records()
        codes = getattr(comp, "codes", None)
        entry = (pw, codes if codes is not None and len(codes) == len(units) else None)
        derived = getattr(comp, "derived", None)
        if derived is not None:
            derived[token] = entry
        return entry

    memo: dict | list = [None] * 4 ** n if small_memo else {}

    def outcome(k: int):
        r = outcome_of(tuple((k >> (2 * j)) & 3 for j in range(n)))
        if small_memo or len(memo) < 4096:
            memo[k] = r
        return r

    ns = g.ns
    place_limits: list = [None] * len(col.places)  # place number -> the homes of its groups per level
    categories = frozenset(policy.category_ids)

    def limits(p: int) -> tuple[int, ...]:
        """The homes of the place's group at every level (what no count may exceed), kept per place."""
        per_group = group_homes(policy)  # lru-cached; built on the first call, not for from_composition
        portiek, complex_id, buurt = col.places[p]
        keys = group_keys(policy, _Place(portiek, complex_id, buurt))
        x = place_limits[p] = tuple(per_group.get(k, 0) for k in zip(policy.levels.keys, keys))
        return x

    ns.update(position=col.position, place_of=col.place, place_context=place_context, context=context,
              rent_num=col.rent_num, rent_den=col.rent_den, rooms=col.rooms, daeb=col.daeb, floors=col.floor,
              token=token, derive=derive, living=living, bad_unit=bad_unit,
              place_limits=place_limits, limits=limits, categories=categories,
              cat_index={c: j for j, c in enumerate(policy.category_ids)},
              category_ids=policy.category_ids, memo=memo, memo_get=None if small_memo else memo.get,
              outcome_of=outcome, bad_category=bad_category, general=general, general_counts=general_counts,
              **(names or {}))
    exec(compile(source, f"<magicmix rules {policy.id} {date.isoformat()}>", "exec"), ns)  # noqa: S102 - our source
    place_record = ns["place_record"]

    def prepare(comp) -> None:
        """Make every place's record on comp now, in the order of the unit table (a run that reads most homes
        saves the time each would cost at its first row, read at random)."""
        entry = getattr(comp, "derived", {}).get(token)
        pw = (entry or derive(comp))[0]
        if pw.__class__ is not list:
            return  # a composition of a few groups only: its places are made as they are read
        for p in range(places):
            if pw[p] is None:
                pw[p] = place_record(comp, p)

    return CompiledRules(source, ns["from_composition"], ns["from_counts"], tuple(g.levels[i] for i in levels),
                         prepare, ns.get("explain_counts"))
