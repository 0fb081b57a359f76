"""Report stage for the whole stock: `magicmix status` as text, JSON, Markdown and HTML (the annual
evaluation, which shares its words for shares and states, is annual_report.py)."""

from __future__ import annotations

import json
from fractions import Fraction
from functools import partial
from operator import attrgetter
from typing import Iterator
from .escape import terminal_text
from .numbers import exact_text, format_percent, format_plain, ratio_text
from .messages import say
from .report import _t, md_cell, to_json
from .report_html import escape, page
from ..stock.status import ABOVE, BELOW, IN_BAND, GroupStatus, PortfolioStatus
from ..stock.suppress import THRESHOLD

SUPPRESS_BELOW = THRESHOLD
STATE_WORDS = {ABOVE: ("boven de band", "above the band"), BELOW: ("onder de band", "below the band"),
          "both": ("boven en onder", "above and below"), IN_BAND: ("in balans", "in balance"),
          "unjudged": ("te klein om te beoordelen", "too small to judge")}


def share_text(v: Fraction | None, lang: str) -> str:
    return "-" if v is None else format_percent(v, lang)


def number_text(v: int, lang: str) -> str:
    return format_plain(v, lang)


def _cell(c, lang: str) -> str:
    """One category in one group: share (band or limit) and room."""
    if c.room is None:
        room = say("stock.not_judged", lang)
    else:
        room = say("stock.room", lang, n=c.room)
    if c.limit is not None:
        return f"{'▲' if c.count > c.limit else ''}{c.count}/{c.limit} ({room})"
    if c.low is None:
        return f"{c.count} ({share_text(c.share, lang)})"
    band = f"{share_text(c.low, lang)}-{share_text(c.high, lang)}" if c.low is not None else "-"
    mark = {ABOVE: "▲", BELOW: "▼"}.get(c.state, "")
    return f"{mark}{share_text(c.share, lang)} [{band}] ({room})"


def _groups(status: PortfolioStatus, only_out: bool):
    return [g for g in status.groups if not only_out or g.state in (ABOVE, BELOW, "both")]


def _summary(status: PortfolioStatus, lang: str) -> list[str]:
    out = []
    for level, counts in status.counts().items():
        if sum(counts.values()):
            out.append(f"{status.level_labels[level][lang]}: " + ", ".join(
                f"{number_text(counts[s], lang)} {_t(STATE_WORDS[s], lang)}" for s in (ABOVE, BELOW, "both", IN_BAND, "unjudged")
                if counts[s]))
    if status.unvalued:
        names = "; ".join(map(partial(_parameter_name, status.parameter_labels, lang), status.unvalued))
        out.append(say("stock.unvalued", lang, date=status.date, names=names))
    return out


def _parameter_name(labels: dict, lang: str, name: str) -> str:
    """A parameter as the policy names it (its label), or its id when it has no label (labels hold commas: joined by "; ")."""
    label = (labels.get(name) or {}).get(lang, "").strip()
    return label or name


_LEVEL, _KEY, _NAME, _HOMES, _OCCUPIED, _STATE, _CATEGORIES = map(attrgetter, ("level", "key", "name", "homes", "occupied",
                                                                          "state", "categories"))


def status_text(status: PortfolioStatus, lang: str = "nl", only_out: bool = False) -> str:
    """The status as a table for a terminal, worst groups first; every group with its name."""
    head = [say("status.title", lang, date=status.date, policy=status.policy["id"], version=status.policy["version"]),
            *_summary(status, lang), ""]
    heading = [say(f"status.col.{k}", lang) for k in ("level", "group", "name", "occupied", "state")]
    groups = _groups(status, only_out)
    levels = {k: v[lang] for k, v in status.level_labels.items()}
    states = {k: _t(v, lang) for k, v in STATE_WORDS.items()}
    # the table column by column, in C; each distinct categories tuple (portieken alike share one, see
    # status.py) written once, and each distinct category entry in it once: a national status has a million
    cells: dict = {}
    shared = dict(zip(map(id, map(_CATEGORIES, groups)), map(_CATEGORIES, groups)))  # (all live while this runs)
    # an entry is known by what _cell reads, its band's bounds by a number per distinct value, found by the
    # bound's identity: hashing its Fractions (in Python) cost more than all else of this loop
    bounds: dict = {id(None): None}
    values: dict = {}
    for key, categories in shared.items():
        row = []
        for c in categories:
            low, high = c.low, c.high
            lo, hi = bounds.get(id(low), False), bounds.get(id(high), False)
            if lo is False:
                lo = bounds[id(low)] = values.setdefault((low.__class__, low), len(values))
            if hi is False:
                hi = bounds[id(high)] = values.setdefault((high.__class__, high), len(values))
            seen = (c.count, c.occupied, lo, hi, c.limit, c.state, c.room)
            text = cells.get(seen)
            if text is None:
                text = cells[seen] = _cell(c, lang)
            row.append(text)
        shared[key] = row
    columns = [[heading[0], *map(levels.__getitem__, map(_LEVEL, groups))], [heading[1], *map(_KEY, groups)],
               [heading[2], *[name or "" for name in map(_NAME, groups)]],
               [heading[3], *map("{}/{}".format, map(_OCCUPIED, groups), map(_HOMES, groups))],
               [heading[4], *map(states.__getitem__, map(_STATE, groups))],
               *zip([status.labels[c][lang] for c in status.categories],
                    *map(shared.__getitem__, map(id, map(_CATEGORIES, groups))))]
    widths = [max(map(len, column)) for column in columns]
    line = "  ".join(f"%-{w}s" for w in widths).__mod__  # %-formatting a row's tuple: 1.6x str.format's speed
    pieces = head + list(map(str.rstrip, map(line, zip(*columns)))) + ["", say("status.legend", lang), ""]
    if all(map(str.isprintable, pieces)):  # then so is the report, newlines apart: nothing for terminal_text to do
        return "\n".join(pieces)
    return terminal_text("\n".join(pieces), keep="\n")


def _exact(v: Fraction | None) -> str | None:
    return None if v is None else exact_text(v)


def _category_json(c) -> dict:
    return {"category": c.category, "count": c.count, "share": ratio_text(c.count, c.occupied) if c.occupied else None,
            "target": _exact(c.target), "low": _exact(c.low), "high": _exact(c.high), "limit": c.limit,
            "state": c.state, "room": c.room}


def _group_json(g: GroupStatus) -> dict:
    return {"level": g.level, "key": g.key, "name": g.name, "parent": g.parent, "homes": g.homes,
            "occupied": g.occupied, "judged": g.judged, "state": g.state, "deviation": ratio_text(*g.worst),
            "categories": [_category_json(c) for c in g.categories]}


def _group_lines(groups, encode) -> Iterator[str]:
    """Each group as the JSON text encode(_group_json(g)) gives, but each distinct category entry encoded once.

    A national status has a million category entries and only some thousands of distinct ones."""
    known: dict = {}
    string = json.encoder.encode_basestring  # ensure_ascii=False, as encode
    for g in groups:
        parts = []
        for c in g.categories:
            text = known.get(c)
            if text is None:
                text = known[c] = encode(_category_json(c))
            parts.append(text)
        # keys in sorted order, exactly as json.dumps(..., sort_keys=True) writes them
        yield (f'{{"categories": [{", ".join(parts)}], "deviation": {string(ratio_text(*g.worst))}, '
               f'"homes": {g.homes}, "judged": {"true" if g.judged else "false"}, "key": {string(g.key)}, '
               f'"level": {string(g.level)}, "name": {string(g.name)}, "occupied": {g.occupied}, '
               f'"parent": {string(g.parent)}, "state": {string(g.state)}}}')


def status_json(status: PortfolioStatus, only_out: bool = False) -> str:
    """Every group with exact shares (as text), bands, states and room, worst first.

    One group per line: readable and diffable, and written fast enough for a national status
    (333,000 groups), which an indented document written by json's Python encoder is not."""
    head = to_json({"date": status.date, "policy": status.policy, "categories": list(status.categories),
                    "summary": {level: dict(c) for level, c in status.counts().items()},
                    "unvalued_parameters": list(status.unvalued), "groups": []})
    encode = json.JSONEncoder(ensure_ascii=False, sort_keys=True).encode
    rows = ",\n    ".join(_group_lines(_groups(status, only_out), encode))
    before, after = head.split('\n  "groups": []', 1)
    groups = ('\n  "groups": [\n    ', rows, "\n  ]") if rows else ('\n  "groups": []',)
    return "".join((before, *groups, after, "\n"))  # one copy of a text of some hundreds of megabytes, not four


def _named(g: GroupStatus) -> str:
    """A group's code with its name ('BU01930702 Holtenbroek-Oost'); a portiek's name is its own code."""
    return f"{g.key} {g.name}" if g.name and g.name != g.key.split("/")[-1] else g.key


def status_markdown(status: PortfolioStatus, lang: str = "nl", only_out: bool = False, limit: int = 200) -> str:
    """The status as Markdown: summary, then the worst groups."""
    groups = _groups(status, only_out)
    out = [f"# {say('stock.mix_status', lang)} {status.date}", "",
           f"{say('stock.policy', lang)} {md_cell(status.policy['id'])} {md_cell(status.policy['version'])}", ""]
    out += [f"- {line}" for line in _summary(status, lang)] + [""]
    cats = [md_cell(status.labels[c][lang]) for c in status.categories]
    out += [f"| {say('stock.level', lang)} | {say('stock.group', lang)} | {say('stock.occupied', lang)} | "
            f"{say('stock.state', lang)} | " + " | ".join(cats) + " |", "|---" * (4 + len(cats)) + "|"]
    for g in groups[:limit]:
        out.append(f"| {status.level_labels[g.level][lang]} | {md_cell(_named(g))} | {g.occupied}/{g.homes} | "
                   f"{_t(STATE_WORDS[g.state], lang)} | " + " | ".join(md_cell(_cell(c, lang)) for c in g.categories) + " |")
    if len(groups) > limit:
        out += ["", f"… {say('stock.and', lang)} {number_text(len(groups) - limit, lang)} {say('stock.more', lang)}"]
    return "\n".join(out) + "\n"


def _bar(c, label: str, lang: str, width: int = 160) -> str:
    """A small SVG with its text alternative: the band as an outlined area on a 0-100 % axis, the share as a bar
    (red and marked ▲/▼ when out of its band, in the cell's text beside it)."""
    if c.share is None:
        return ""
    x = float(c.share) * width
    band = ""
    if c.low is not None:
        band = (f'<rect x="{float(c.low) * width:.1f}" y="0" width="{float(c.high - c.low) * width:.1f}" height="14" '
                f'fill="var(--band)" stroke="var(--band-edge)" stroke-width="1.2"/>')
    colour = {ABOVE: "var(--bad)", BELOW: "var(--warn)"}.get(c.state, "var(--after)")
    alt = escape(f"{label}: {_cell(c, lang)}")
    axis = (f'<line x1="0" y1="15.5" x2="{width}" y2="15.5" stroke="var(--ink)"/>'
            + "".join(f'<line x1="{width * p / 4:.1f}" y1="13" x2="{width * p / 4:.1f}" y2="18" stroke="var(--ink)"/>'
                      for p in range(5)))
    return (f'<svg class="bar" width="{width}" height="18" viewBox="0 0 {width} 18" role="img" aria-label="{alt}">'
            f'<title>{alt}</title>{band}<rect x="0" y="4" width="{x:.1f}" height="6" fill="{colour}"/>{axis}</svg>')


def _axis_note(lang: str) -> str:
    return say("stock.axis_note", lang)


def status_html(status: PortfolioStatus, lang: str = "nl", only_out: bool = False, limit: int = 2000) -> str:
    """A self-contained page: summary and the worst groups, with a bar per category against its band."""
    groups = _groups(status, only_out)
    cats = "".join(f"<th scope=\"col\">{escape(status.labels[c][lang])}</th>" for c in status.categories)
    rows = []
    for g in groups[:limit]:
        cells = "".join(f"<td>{_bar(c, status.labels[c.category][lang], lang)}<br><small>{escape(_cell(c, lang))}</small></td>"
                        for c in g.categories)
        rows.append(f'<tr class="st-{g.state}"><td>{status.level_labels[g.level][lang]}</td><td>{escape(g.key)}<br>'
                    f'<small>{escape(g.name)}</small></td><td>{g.occupied}/{g.homes}</td>'
                    f'<td>{_t(STATE_WORDS[g.state], lang)}</td>{cells}</tr>')
    title = f"{say('stock.mix_status', lang)} {status.date}"
    header = (f"<header><h1>{escape(title)}</h1><p class=\"meta\">{say('stock.policy', lang)} "
              f"{escape(status.policy['id'])} {escape(status.policy['version'])}</p></header>")
    body = (f"<ul>{''.join(f'<li>{escape(line)}</li>' for line in _summary(status, lang))}</ul>"
            + f"<p>{escape(_axis_note(lang))}</p>"
            f"<div class=\"scroll\" tabindex=\"0\"><table><tr><th scope=\"col\">{say('stock.level', lang)}</th>"
            f"<th scope=\"col\">{say('stock.group', lang)}</th>"
            f"<th scope=\"col\">{say('stock.occupied', lang)}</th><th scope=\"col\">{say('stock.state', lang)}</th>{cats}</tr>"
            + "".join(rows) + "</table></div>"
            + (f"<p>… {len(groups) - limit} {say('stock.more', lang)}</p>" if len(groups) > limit else ""))
    return page(title, body, lang, {"name": "magicmix"}, footer=False, header=header)
