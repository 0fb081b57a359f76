"""The groups around the letting in an explanation: each level's composition now and after, and the room left.

Part of the explain stage (explain.py builds the record): built from integers (a share's exact
text is cached per count and occupied homes, never divided into a Fraction per decision), and
the records that show the same numbers are shared, being frozen.
"""

from __future__ import annotations

from fractions import Fraction
from functools import lru_cache
from json.encoder import encode_basestring

from ..model.decision import Bilingual, CategoryShare, LevelComposition, RoomLine
from ..model.decision_json import record_json
from ..lang.facts import Facts
from ..model.levels import group_keys
from ..model.policy import Policy
from ..render.messages import LANGUAGES, say
from ..render.numbers import exact_text, ratio_text
from ..load.occupancy import Composition
from ..lang.program import Program


# Caches are keyed on (numerator, denominator): hashing a Fraction itself is slow.
@lru_cache(maxsize=8192)
def _exact(n: int, d: int) -> str:
    return ratio_text(n, d) if d > 0 else exact_text(Fraction(n, d))  # the same text, without a Fraction


def _composition(program: Program, f: Facts, comp: Composition) -> tuple[LevelComposition, ...]:
    u = f.unit
    return _composition_of(program, comp, group_keys(program.policy, u), comp.by_unit.get(u.id),
                           f.household.category, f.profile)


def _bands_per_level(policy: Policy, keys: tuple[str, ...], profile) -> dict:
    """Level -> the bands its group is judged by (levels without a mix: None)."""
    return {lv.key: (None if not lv.mix else profile.mix.bands if lv.key == "complex"
                     else policy.groups_of(lv.key)[key].mix.bands) for lv, key in zip(policy.levels, keys)}


@lru_cache(maxsize=256)
def _composition_of(program: Program, comp: Composition, keys: tuple[str, ...], leaving: str | None, category: str,
                    profile) -> tuple[LevelComposition, ...]:
    # Memoised like the room lines: lettings on one date in one group share it. Shares are never built
    # as Fractions here: their exact texts are cached per (count, occupied), the records per their numbers.
    out = []
    group = comp.groups.__getitem__
    levels, cids, shares, rows = _share_plan(program, keys, profile)
    for level, key, cats in levels:
        now = group((level, key))
        counts, occupied = now.counts, now.occupied
        if leaving is not None:
            occupied -= 1
        after = occupied + 1
        # a level with the same bands and counts as one before it (a buurt of one complex) shows the same row
        row_key = (cats, occupied, leaving, category) + tuple(map(counts.get, cids))
        row = rows.get(row_key)
        if row is not None:
            out.append(LevelComposition(level, key, now.homes, occupied, after, row))
            continue
        row = []
        for cid, low, high, limit in cats:
            n = counts.get(cid, 0) - (cid == leaving)
            a = n + (cid == category)
            r = shares.get((cid, n, a, occupied, low, high, limit))
            if r is None:
                r = CategoryShare(cid, n, a, _share_text(n, occupied), _share_text(a, after), low, high, limit)
                if len(shares) < _PLAN_MAX:  # frozen: one record serves every decision (and level) with these numbers
                    shares[(cid, n, a, occupied, low, high, limit)] = r
            row.append(r)
        row = tuple(row)
        if len(rows) < _PLAN_MAX:
            rows[row_key] = row
        out.append(LevelComposition(level, key, now.homes, occupied, after, row))
    return tuple(out)


_PLAN_MAX = 4096  # records kept per plan: a bound, so that a long batch does not grow it without end


@lru_cache(maxsize=256)
def _share_plan(program: Program, keys: tuple[str, ...], profile) -> tuple:
    """Per level: (level, key, per category (id, low, high, portiek limit) as the composition shows them); the
    categories; and the CategoryShare records and rows of them built so far."""
    policy = program.policy
    return (tuple((level, key, tuple((cid,) + texts for cid, texts in zip(policy.category_ids, row)))
                  for level, key, row in zip(policy.levels.keys, keys, _band_texts(program, keys, profile))),
            policy.category_ids, {}, {})


_SHARE_MAX = 1 << 17  # texts only (no object the garbage collector visits), some MiB at most


def _share_text(n: int, occupied: int) -> str:
    """A share's exact text as facts.Group.share gives it (0 for an empty group), kept per (count, occupied homes):
    a share's pair is met again and again by lettings whose other counts differ."""
    k = (occupied << 33) | n
    text = _SHARES.get(k)
    if text is None:
        text = _exact(0, 1) if occupied == 0 else _exact(n, occupied)
        if len(_SHARES) < _SHARE_MAX:
            _SHARES[k] = text
    return text


_SHARES: dict = {}  # (occupied << 33) | count -> the share's exact text (counts are far below 2 ** 32)


@lru_cache(maxsize=4096)
def _band_texts(program: Program, keys: tuple[str, ...], profile) -> tuple:
    """Per level, per category: (low, high, portiek limit) as the composition shows them."""
    out = []
    for level, bands in _bands_per_level(program.policy, keys, profile).items():
        row = []
        for cid in program.policy.category_ids:
            band = bands[cid] if bands else None
            limit = profile.portiek_max_households.get(cid) if bands is None else None
            row.append((_exact(*_nd(band.low)) if band else None, _exact(*_nd(band.high)) if band else None, limit))
        out.append(tuple(row))
    return tuple(out)


def _nd(v: Fraction) -> tuple[int, int]:
    return v.numerator, v.denominator


def _room(program: Program, f: Facts, comp: Composition) -> tuple[RoomLine, ...]:
    u = f.unit
    return _room_lines(program, comp, group_keys(program.policy, u), comp.by_unit.get(u.id), f.profile)


@lru_cache(maxsize=256)
def _room_lines(program: Program, comp: Composition, keys: tuple[str, ...], leaving: str | None,
                profile) -> tuple[RoomLine, ...]:
    # Memoised: in a batch, many lettings share the same groups on the same date. room.py's definition, in the
    # integers of the plan: room.band_room for a level with a mix, room.limit_room for the portiek.
    policy = program.policy
    min_households = profile.min_households
    judged_from = max(1, min_households)
    out = []
    group = comp.groups.__getitem__
    for level, where, key, mix, cats, lines in _room_plan(program, keys, profile):
        g = group((level, key))
        counts, occupied = g.counts, g.occupied
        if leaving is not None:
            occupied -= 1
        vacant = g.homes - occupied
        for cid, bound, hd_minus_hn in cats:
            n = counts.get(cid, 0) - (cid == leaving)
            if not mix:
                room = max(0, min(bound - n, vacant))  # bound: the portiek's maximum (categories without one: none)
            elif occupied < judged_from:
                room = None
            elif hd_minus_hn <= 0:  # a ceiling of 100 %: only the vacant homes limit
                room = max(0, vacant)
            else:  # (n + k) / (occ + k) <= hn / hd  <=>  k * (hd - hn) <= hn * occ - hd * n
                hn, hd = bound
                room = max(0, min((hn * occupied - hd * n) // hd_minus_hn, max(0, vacant)))
            # a judged line's words name the room, not the households (room.line): one line per room
            line_key = (cid, room, occupied if room is None else 0)
            line = lines.get(line_key)
            if line is None:
                line = _room_line(policy, level, where, key, cid, room, line_key[2], min_households)
                if len(lines) < _PLAN_MAX:
                    lines[line_key] = line
            out.append(line)
    return tuple(out)


@lru_cache(maxsize=256)
def _room_plan(program: Program, keys: tuple[str, ...], profile) -> tuple:
    """Per level: (level, its words, key, whether it has a mix, per category judged (id, the portiek's maximum or
    the ceiling's (numerator, denominator), denominator - numerator), the RoomLine records built for it so far)."""
    policy = program.policy
    bands_of = _bands_per_level(policy, keys, profile)
    out = []
    for lv, key in zip(policy.levels, keys):
        cats = []
        for cid in policy.category_ids:
            if not lv.mix:
                limit = profile.portiek_max_households.get(cid)
                if limit is not None:  # no maximum for this category: nothing to count against
                    cats.append((cid, limit, 0))
            else:
                high = bands_of[lv.key][cid].high
                cats.append((cid, (high.numerator, high.denominator), high.denominator - high.numerator))
        out.append((lv.key, lv.the, key, lv.mix, tuple(cats), {}))
    return tuple(out)


@lru_cache(maxsize=8192)
def _room_line(policy: Policy, level: str, where: tuple[str, str], key: str, cid: str, room: int | None, occupied: int,
               min_households: int) -> RoomLine:
    # Frozen: one line serves every decision that shows this room in this group. Worded as the reports word it.
    label = policy.category(cid).label
    if room is None:
        text = Bilingual(*(say("room.not_judged", lang, category=getattr(label, lang), where=where[k],
                               minimum=max(1, min_households), households=say("count.households", lang, n=occupied))
                           for k, lang in enumerate(LANGUAGES)))
    else:
        text = Bilingual(*(say("room.line", lang, n=room, category=getattr(label, lang), where=where[k])
                           for k, lang in enumerate(LANGUAGES)))
    return RoomLine(level, key, cid, room, text)


# --- from counts given per level (explain_counts.py): the same records, read from integers ---------------------

@lru_cache(maxsize=256)
def _given_plan(program: Program, keys: tuple[str, ...], profile) -> tuple:
    """The composition's and the room's plans for counts given per level in the order of the policy's categories:
    its share plan; per level (level, words, key, mix, per category judged (its index, id, bound,
    denominator - numerator), lines); the LevelComposition records built so far; per level and category the
    CategoryShare records built so far (one table for the levels that show it with the same band, one tuple
    of them for levels alike in every category); the room
    lines of a level per its counts so far."""
    ids = program.policy.category_ids
    index = {c: k for k, c in enumerate(ids)}
    room = tuple((level, where, key, mix, tuple((index[cid], cid, bound, d) for cid, bound, d in cats), lines)
                 for level, where, key, mix, cats, lines in _room_plan(program, keys, profile))
    plan = _share_plan(program, keys, profile)
    tables: dict = {}  # levels that show a category with the same band share its records (a buurt of one complex)
    alike: dict = {}  # levels whose every category shares its table share one tuple of them
    per_share = tuple(alike.setdefault(tuple(map(id, row)), row)
                      for row in (tuple(tables.setdefault(texts, {}) for texts in cats) for _, _, cats in plan[0]))
    return plan, room, {}, per_share, {}


def composition_given(program: Program, keys: tuple[str, ...], leaving: str | None, category: str, profile,
                      given: tuple, homes: tuple) -> tuple[LevelComposition, ...]:
    """_composition_of for counts given per level (a tuple per level, categories in the policy's order, the
    leaving household included) and the homes of each level's group."""
    (levels, _, _, _), _, made, per_share, _ = _given_plan(program, keys, profile)
    out = []
    left = leaving is not None
    last = None  # (the counts, the tables) of the level before and its row: a buurt of one complex shows the same
    for j, ((level, key, cats), per, m) in enumerate(zip(levels, given, homes)):
        lc = made.get((j, per, leaving, category))
        if lc is None:
            occupied = sum(per) - left
            after = occupied + 1
            tables = per_share[j]
            if last is not None and last[1] is tables and last[0] == per:
                lc = LevelComposition(level, key, m, occupied, after, last[2])
                if len(made) < _PLAN_MAX:
                    made[(j, per, leaving, category)] = lc
                out.append(lc)
                continue
            row = []
            for (cid, low, high, limit), c, shares in zip(cats, per, tables):
                n = c - (cid == leaving)
                at = cid == category
                # one table per category and band: the record is fixed by its count, occupied homes and whether
                # the household joins it, read as one whole number (no tuple to build and hash; counts are at
                # most the homes of a group, far below 2 ** 32)
                r = shares.get(k := (occupied << 33) | (n << 1) | at)
                if r is None:
                    r = CategoryShare(cid, n, n + at, _share_text(n, occupied), _share_text(n + at, after), low, high,
                                      limit)
                    if len(shares) < _PLAN_MAX:
                        shares[k] = r
                row.append(r)
            row = tuple(row)
            last = per, tables, row
            lc = LevelComposition(level, key, m, occupied, after, row)
            if len(made) < _PLAN_MAX:
                made[(j, per, leaving, category)] = lc
        out.append(lc)
    return tuple(out)


def room_given(program: Program, keys: tuple[str, ...], leaving: str | None, profile, given: tuple,
               homes: tuple) -> tuple[RoomLine, ...]:
    """_room_lines for counts given per level, as composition_given reads them."""
    policy = program.policy
    min_households = profile.min_households
    judged_from = max(1, min_households)
    leaving_index = policy.category_ids.index(leaving) if leaving is not None else -1
    out: list = []
    plan = _given_plan(program, keys, profile)
    made = plan[4]
    for j, ((level, where, key, mix, cats, lines), per, m) in enumerate(zip(plan[1], given, homes)):
        # a level's lines are fixed by its counts and the leaving household: kept as the compositions are
        row = made.get((j, per, leaving))
        if row is not None:
            out += row
            continue
        start = len(out)
        occupied = sum(per) - (leaving is not None)
        vacant = m - occupied
        for k, cid, bound, hd_minus_hn in cats:
            # _room_lines' definition, written out again: a call per category cost 7 % of the compiled explanation
            # (CPU, 20.8-22.4 against 23.0 us); tests/test_explain_counts.py holds the two to the same lines
            n = per[k] - (k == leaving_index)
            if not mix:
                room = max(0, min(bound - n, vacant))
            elif occupied < judged_from:
                room = None
            elif hd_minus_hn <= 0:
                room = max(0, vacant)
            else:
                hn, hd = bound
                room = max(0, min((hn * occupied - hd * n) // hd_minus_hn, max(0, vacant)))
            # a judged line's words name the room, not the households (room.line): one line per room
            line_key = (cid, room, occupied if room is None else 0)
            line = lines.get(line_key)
            if line is None:
                line = _room_line(policy, level, where, key, cid, room, line_key[2], min_households)
                if len(lines) < _PLAN_MAX:
                    lines[line_key] = line
            out.append(line)
        if len(made) < _PLAN_MAX:
            made[(j, per, leaving)] = tuple(out[start:])
    return tuple(out)


# --- the same compositions as JSON text, filled in from the counts (explain_counts_json) -----------------------

_MARK = 7_300_000_000  # ten digits: a number no record of a plan writes, the field markers of its text below
_SHARE_TEXTS: dict = {}  # (occupied << 33) | count -> the share's exact text as a JSON string


def _share_json(n: int, occupied: int) -> str:
    text = encode_basestring(_share_text(n, occupied))
    if len(_SHARE_TEXTS) < _SHARE_MAX:
        _SHARE_TEXTS[(occupied << 33) | n] = text
    return text


# the order in which the writer (keys sorted) writes a level's numbers: per category after, now, share_after,
# share_now; then homes, occupied_after, occupied_now (as indices of the markers below)
def _text_order(categories: int) -> list[int]:
    return [i for k in range(categories) for i in (4 + 4 * k, 3 + 4 * k, 6 + 4 * k, 5 + 4 * k)] + [0, 2, 1]


def _template_of(text: str, marks: list[str]) -> str:
    """text as a %-template, each mark's text a %s, checked to hold every mark once and in _text_order (else the
    composition would be filled at the wrong places)."""
    out = text.replace("%", "%%")
    at = []
    for mark in marks:
        if out.count(mark) != 1:
            raise ValueError(f"not one {mark!r} in the composition's text")
        at.append(out.index(mark))
    if sorted(range(len(marks)), key=at.__getitem__) != _text_order((len(marks) - 3) // 4):
        raise ValueError("the composition's text holds its numbers in another order")
    for mark in marks:
        out = out.replace(mark, "%s")
    return out


@lru_cache(maxsize=256)
def _json_plan(program: Program, keys: tuple[str, ...], profile) -> tuple:
    """Per level of _share_plan: (the text decision_json.py writes for its LevelComposition as a %-template, its
    categories), the numbers in _text_order: homes, occupied now and after, per category its count now and
    after and their shares' JSON strings. The text is the records' own writer's, given markers for the numbers."""
    levels = _share_plan(program, keys, profile)[0]
    out = []
    seen: dict = {}
    for level, key, cats in levels:
        marks = [str(_MARK + k) for k in range(3 + 4 * len(cats))]
        shares = tuple(CategoryShare(cid, int(marks[3 + 4 * k]), int(marks[4 + 4 * k]), f"\x00{5 + 4 * k}\x00",
                                     f"\x00{6 + 4 * k}\x00", low, high, limit)
                       for k, (cid, low, high, limit) in enumerate(cats))
        text = record_json(LevelComposition(level, key, int(marks[0]), int(marks[1]), int(marks[2]), shares))
        for k in range(len(cats)):
            marks[5 + 4 * k], marks[6 + 4 * k] = (encode_basestring(f"\x00{5 + 4 * k}\x00"),
                                                  encode_basestring(f"\x00{6 + 4 * k}\x00"))
        cids = tuple(cid for cid, *_ in cats)
        out.append((_template_of(text, marks), seen.setdefault(cids, cids)))  # one tuple: read by identity
    return tuple(out)


def composition_given_json(program: Program, keys: tuple[str, ...], leaving: str | None, category: str, profile,
                           given: tuple, homes: tuple) -> str:
    """The JSON text of composition_given(...) as a list, byte for byte as decision_json.py writes its records,
    filled in from the counts without building them."""
    left = leaving is not None
    texts = _SHARE_TEXTS
    parts = []
    last = None  # the counts of the level before and their numbers: a buurt of one complex has the same
    for (template, cids), per, m in zip(_json_plan(program, keys, profile), given, homes):
        if last is None or last[0] != per or last[1] is not cids:
            occupied = sum(per) - left
            after = occupied + 1
            values: list = []
            for cid, c in zip(cids, per):
                n = c - (cid == leaving)
                a = n + (cid == category)
                values += (a, n, texts.get((after << 33) | a) or _share_json(a, after),
                           texts.get((occupied << 33) | n) or _share_json(n, occupied))  # in _text_order
            last = per, cids, values, after, occupied
        values, after, occupied = last[2:]
        parts.append(template % (*values, m, after, occupied))
    return "[" + ", ".join(parts) + "]"
