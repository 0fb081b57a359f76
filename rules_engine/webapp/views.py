"""What each page shows, as plain data: built from the Python API (room.py, rank.py, status.py), no HTML here.

Pure functions of the policy, the composition and the session's inputs; the page handlers
(pages.py) call them and hand the result to a template.
"""

from __future__ import annotations

from fractions import Fraction

from ..lang.compile import Program
from ..render.numbers import format_euro, format_percent
from ..load.occupancy import Composition
from ..engine.room import complex_room
from ..stock.status import portfolio_status
from ..lang.records import frozen

MAX_MATCHES = 25


@frozen
class HomeMatch:
    """A home found by the search."""

    unit: str
    complex: str
    complex_name: str
    portiek: str
    buurt: str
    buurt_name: str
    rooms: int
    rent: str


def _match(policy, unit_id: str, lang: str) -> HomeMatch:
    u = policy.units[unit_id]
    cx = policy.complexes[u.complex]
    b = policy.buurten.get(u.buurt)
    return HomeMatch(u.id, cx.id, cx.name, u.portiek.split("/", 1)[-1], u.buurt, b.name if b else u.buurt, u.rooms,
                     format_euro(u.rent, lang, cents=True))


def search_homes(program: Program, query: str, lang: str) -> tuple[list[HomeMatch], bool]:
    """Homes whose id, complex id or complex name (its address) contains the query, at most MAX_MATCHES
    (and whether there were more). An exact home id comes first."""
    policy = program.policy
    q = " ".join(query.split()).lower()[:100]
    if not q:
        return [], False
    if query.strip() in policy.units:
        return [_match(policy, query.strip(), lang)], False
    found: list[HomeMatch] = []
    for cx in policy.complexes.values():
        whole = q in cx.id.lower() or q in cx.name.lower()
        for units in cx.portieken.values():
            for uid in units:
                if whole or q in uid.lower():
                    if len(found) == MAX_MATCHES:
                        return found, True
                    found.append(_match(policy, uid, lang))
    return found, False


@frozen
class MixRow:
    """One category in one group: count, share, band (or portiek maximum) and room."""

    category: str
    label: str
    count: int
    share: str
    share_value: float  # 0..1, for the chart's bar
    low: float | None
    high: float | None
    band: str
    room: str
    state: str  # above | below | in_band | unjudged


@frozen
class MixGroup:
    """A portiek, complex or buurt with its mix."""

    level: str
    key: str
    name: str
    homes: int
    occupied: int
    rows: tuple[MixRow, ...]
    state: str = "unjudged"  # above, below, both, in_band or unjudged
    deviation: str = ""  # how far the worst category lies outside its band (status page)


def _state(count: int, occupied: int, low, high, limit, judged: bool) -> str:
    if limit is not None:
        return "above" if count > limit else "in_band"
    if not judged or low is None:
        return "unjudged"
    if count * high.denominator > high.numerator * occupied:
        return "above"
    return "below" if count * low.denominator < low.numerator * occupied else "in_band"


def vacancy_mix(program: Program, comp: Composition, unit_id: str, lang: str, t) -> tuple[HomeMatch, list[MixGroup]]:
    """The chosen home and, for its portiek, complex and buurt (and any level above), the mix and the room."""
    policy = program.policy
    home = _match(policy, unit_id, lang)
    cx = policy.complexes[home.complex]
    profile = cx.profile_at(comp.date)
    labels = {c.id: (c.label.nl if lang == "nl" else c.label.en) for c in policy.categories}
    rooms = complex_room(policy, comp, cx.id)
    unit = policy.units[unit_id]
    keep = {("portiek", unit.portiek)} | {(r.level, r.group) for r in rooms if r.level != "portiek"}
    groups: list[MixGroup] = []
    for level, key in dict.fromkeys((r.level, r.group) for r in rooms if (r.level, r.group) in keep):
        g = comp.group(level, key)
        if level == "portiek":
            bands, limits, name = {}, profile.portiek_max_households, key.split("/", 1)[-1]
        elif level == "complex":
            bands, limits, name = profile.mix.bands, {}, cx.name
        else:
            area = policy.groups_of(level)[key]
            bands, limits, name = area.mix.bands, {}, area.name
        judged = g.occupied >= max(1, profile.min_households)
        rows = []
        for r in (r for r in rooms if r.level == level and r.group == key):
            band, limit = bands.get(r.category), limits.get(r.category)
            share = Fraction(r.count, r.occupied) if r.occupied else None
            if limit is not None:
                band_text = f"max {limit}"
            elif band is not None:
                band_text = f"{format_percent(band.low, lang, 0)} – {format_percent(band.high, lang, 0)}"
            else:
                band_text = "–"
            rows.append(MixRow(r.category, labels[r.category], r.count,
                               format_percent(share, lang) if share is not None else "–",
                               float(share or 0), float(band.low) if band else None, float(band.high) if band else None,
                               band_text, t("not_judged") if r.room is None else str(r.room),
                               _state(r.count, r.occupied, band.low if band else None, band.high if band else None,
                                      limit, judged)))
        groups.append(MixGroup(level, key, name, g.homes, g.occupied, tuple(rows), _group_state(rows)))
    return home, groups


def status_groups(program: Program, comp: Composition, lang: str, t, limit: int = 200) -> tuple[list[MixGroup], int]:
    """Buurten and complexes on the composition's date, out of band first (the worst first), as MixGroups; and how
    many groups there are in all (the page shows at most limit)."""
    st = portfolio_status(program.policy, comp, tuple(k for k in program.policy.levels.keys if k != "portiek"))
    out = []
    for g in st.groups[:limit]:
        rows = []
        for c in g.categories:
            share = Fraction(c.count, c.occupied) if c.occupied else None
            band = (f"{format_percent(c.low, lang, 0)} – {format_percent(c.high, lang, 0)}"
                    if c.low is not None else "–")
            rows.append(MixRow(c.category, st.labels[c.category][lang], c.count,
                               format_percent(share, lang) if share is not None else "–", float(share or 0),
                               float(c.low) if c.low is not None else None, float(c.high) if c.high is not None else None,
                               band, t("not_judged") if c.room is None else str(c.room), c.state))
        out.append(MixGroup(g.level, g.key, g.name, g.homes, g.occupied, tuple(rows), g.state,
                              format_percent(g.deviation, lang) if g.deviation else ""))
    return out, len(st.groups)


def _group_state(rows) -> str:
    states = {r.state for r in rows}
    if "above" in states:
        return "both" if "below" in states else "above"
    if "below" in states:
        return "below"
    return "in_band" if "in_band" in states else "unjudged"
