"""Report stage for the whole stock: `magicmix status` and the annual evaluation, as text, JSON, Markdown, HTML, CSV.

The public variant of the annual report (--public) shows buurten only and suppresses every
count under 5 households (and the share computed from it), and, by complementary suppression
(suppress.py), every count it could be worked out from with a published total.
"""

from __future__ import annotations

import csv
import io
import json
from collections import Counter
from dataclasses import dataclass
from fractions import Fraction
from typing import Iterator

from . import fairness
from .annual import AnnualReport
from .escape import csv_cell, html_text as escape, terminal_text
from .numbers import exact_text, format_percent, format_plain, ratio_text
from .report import _t, md_cell, to_json
from .report_html import page
from .status import ABOVE, BELOW, IN_BAND, GroupStatus, PortfolioStatus
from .suppress import THRESHOLD, hide_in_groups, primary

SUPPRESS_BELOW = THRESHOLD
_STATE = {ABOVE: ("boven de band", "above the band"), BELOW: ("onder de band", "below the band"),
          "both": ("boven en onder", "above and below"), IN_BAND: ("in balans", "in balance"),
          "unjudged": ("te klein om te beoordelen", "too small to judge")}


def _pct(v: Fraction | None, lang: str) -> str:
    return "-" if v is None else format_percent(v, lang)


def _n(v: int, lang: str) -> str:
    return format_plain(v, lang)


def _cell(c, lang: str) -> str:
    """One category in one group: share (band or limit) and room."""
    if c.room is None:
        room = "niet beoordeeld" if lang == "nl" else "not judged"
    else:
        room = f"{'ruimte' if lang == 'nl' else 'room'} {c.room}"
    if c.limit is not None:
        return f"{c.count}/{c.limit} ({room})"
    if c.low is None:
        return f"{c.count} ({_pct(c.share, lang)})"
    band = f"{_pct(c.low, lang)}-{_pct(c.high, lang)}" if c.low is not None else "-"
    mark = {ABOVE: "▲", BELOW: "▼"}.get(c.state, "")
    return f"{mark}{_pct(c.share, lang)} [{band}] ({room})"


def _groups(status: PortfolioStatus, only_out: bool):
    return [g for g in status.groups if not only_out or g.state in (ABOVE, BELOW, "both")]


def _summary(status: PortfolioStatus, lang: str) -> list[str]:
    out = []
    for level, counts in status.counts().items():
        if sum(counts.values()):
            out.append(f"{status.level_labels[level][lang]}: " + ", ".join(
                f"{_n(counts[s], lang)} {_t(_STATE[s], lang)}" for s in (ABOVE, BELOW, "both", IN_BAND, "unjudged")
                if counts[s]))
    if status.unvalued:
        names = ", ".join(status.unvalued)
        out.append(f"bedragen zonder waarde op {status.date}: {names} (wettelijke regels die ze gebruiken: onbeslist)"
                   if lang == "nl" else
                   f"amounts without a value on {status.date}: {names} (legal rules using them: cannot be decided)")
    return out


def status_text(status: PortfolioStatus, lang: str = "nl", only_out: bool = False) -> str:
    """The status as a table for a terminal, worst groups first."""
    nl = lang == "nl"
    head = [f"{'Stand van de mix' if nl else 'Mix status'} {status.date} · {status.policy['id']} "
            f"{status.policy['version']}", *_summary(status, lang), ""]
    cats = [status.labels[c][lang] for c in status.categories]
    table = [("niveau" if nl else "level", "groep" if nl else "group", "bewoond" if nl else "occupied",
              "oordeel" if nl else "state", *cats)]
    levels = {k: v[lang] for k, v in status.level_labels.items()}
    states = {k: _t(v, lang) for k, v in _STATE.items()}
    cells: dict = {}  # each distinct category entry is written once: a national status has a million of them
    for g in _groups(status, only_out):
        row = [levels[g.level], g.key, f"{g.occupied}/{g.homes}", states[g.state]]
        for c in g.categories:
            text = cells.get(c)
            if text is None:
                text = cells[c] = _cell(c, lang)
            row.append(text)
        table.append(row)
    widths = [max(map(len, column)) for column in zip(*table)]
    line = "  ".join(f"{{:<{w}}}" for w in widths).format
    lines = [line(*row).rstrip() for row in table]
    legend = ("aandeel [band] (ruimte: zoveel huishoudens kunnen nog intrekken, hoogstens de lege woningen, voor het "
              "aandeel boven de band komt); portiek: aantal/maximum; ▲ boven, ▼ onder"
              if nl else "share [band] (room: this many households can still move in, at most the empty homes, before "
              "the share passes its band); portiek: count/maximum; ▲ above, ▼ below")
    return terminal_text("\n".join(head + lines + ["", legend, ""]), keep="\n")


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


def status_markdown(status: PortfolioStatus, lang: str = "nl", only_out: bool = False, limit: int = 200) -> str:
    """The status as Markdown: summary, then the worst groups."""
    nl = lang == "nl"
    groups = _groups(status, only_out)
    out = [f"# {'Stand van de mix' if nl else 'Mix status'} {status.date}", "",
           f"{'Beleid' if nl else 'Policy'} {md_cell(status.policy['id'])} {md_cell(status.policy['version'])}", ""]
    out += [f"- {line}" for line in _summary(status, lang)] + [""]
    cats = [md_cell(status.labels[c][lang]) for c in status.categories]
    out += [f"| {'Niveau' if nl else 'Level'} | {'Groep' if nl else 'Group'} | {'Bewoond' if nl else 'Occupied'} | "
            f"{'Oordeel' if nl else 'State'} | " + " | ".join(cats) + " |", "|---" * (4 + len(cats)) + "|"]
    for g in groups[:limit]:
        out.append(f"| {status.level_labels[g.level][lang]} | {md_cell(g.key)} | {g.occupied}/{g.homes} | "
                   f"{_t(_STATE[g.state], lang)} | " + " | ".join(md_cell(_cell(c, lang)) for c in g.categories) + " |")
    if len(groups) > limit:
        out += ["", f"… {'en' if nl else 'and'} {_n(len(groups) - limit, lang)} {'meer' if nl else 'more'}"]
    return "\n".join(out) + "\n"


def _bar(c, width: int = 160) -> str:
    """A small SVG: the band as a light area, the share as a bar."""
    if c.share is None:
        return ""
    x = float(c.share) * width
    band = ""
    if c.low is not None:
        band = (f'<rect x="{float(c.low) * width:.1f}" y="0" width="{float(c.high - c.low) * width:.1f}" height="14" '
                f'fill="var(--band)"/>')
    colour = {ABOVE: "var(--bad)", BELOW: "var(--warn)"}.get(c.state, "var(--after)")
    return (f'<svg width="{width}" height="14" role="img">{band}<rect x="0" y="4" width="{x:.1f}" height="6" '
            f'fill="{colour}"/></svg>')


def status_html(status: PortfolioStatus, lang: str = "nl", only_out: bool = False, limit: int = 2000) -> str:
    """A self-contained page: summary and the worst groups, with a bar per category against its band."""
    nl = lang == "nl"
    groups = _groups(status, only_out)
    cats = "".join(f"<th>{escape(status.labels[c][lang])}</th>" for c in status.categories)
    rows = []
    for g in groups[:limit]:
        cells = "".join(f"<td>{_bar(c)}<br><small>{escape(_cell(c, lang))}</small></td>" for c in g.categories)
        rows.append(f'<tr class="st-{g.state}"><td>{status.level_labels[g.level][lang]}</td><td>{escape(g.key)}<br>'
                    f'<small>{escape(g.name)}</small></td><td>{g.occupied}/{g.homes}</td>'
                    f'<td>{_t(_STATE[g.state], lang)}</td>{cells}</tr>')
    title = f"{'Stand van de mix' if nl else 'Mix status'} {status.date}"
    body = (f"<header><h1>{escape(title)}</h1><p class=\"meta\">{'Beleid' if nl else 'Policy'} "
            f"{escape(status.policy['id'])} {escape(status.policy['version'])}</p></header>"
            f"<ul>{''.join(f'<li>{escape(line)}</li>' for line in _summary(status, lang))}</ul>"
            f"<table><tr><th>{'Niveau' if nl else 'Level'}</th><th>{'Groep' if nl else 'Group'}</th>"
            f"<th>{'Bewoond' if nl else 'Occupied'}</th><th>{'Oordeel' if nl else 'State'}</th>{cats}</tr>"
            + "".join(rows) + "</table>"
            + (f"<p>… {len(groups) - limit} {'meer' if nl else 'more'}</p>" if len(groups) > limit else ""))
    return page(title, body, lang, {"name": "magicmix"})


# --- the annual evaluation ---------------------------------------------------------------------------

def _count(n: int, public: bool, lang: str) -> str:
    return f"<{SUPPRESS_BELOW}" if public and primary(n) else _n(n, lang)


HIDDEN_MARK = "x"
"""A count hidden so that a small one cannot be derived from a total (complementary suppression)."""


def _public_hidden(r: AnnualReport) -> frozenset:
    """Every cell of the public report to hide: counts under 5 and, per published total, the cells that would
    give them back. A cell's key names its table: ('mix', day, buurt, category), ('let', category),
    ('buurt', buurt, category), ('advice', kind), ('norm', rule, 'kept' | 'not_kept')."""
    groups = []
    for day, status in enumerate((r.buurten_start, r.buurten_end)):
        for g in status:  # the buurt's occupied count is published
            groups.append({("mix", day, g.key, c.category): c.count for c in g.categories})
    per_cat = r.lettings_per("category")
    groups.append({("let", c): per_cat.get(c, 0) for c in r.categories})  # the total is published
    per_buurt = Counter((x.buurt, x.category) for x in r.lettings)
    for c in r.categories:  # each category's lettings are published: a column total of lettings per buurt
        groups.append({("buurt", g.key, c): per_buurt[(g.key, c)] for g in r.buurten_end})
    advice = r.advice_counts()
    groups.append({("advice", k): advice[k] for k in ("followed", "overridden", "no_advice", "undecided", "placement")})
    groups += fairness.public_groups(r)
    for nr in r.norms:  # applicable is published, so kept gives away the lettings that did not keep the rule
        groups.append({("norm", nr.rule, "kept"): nr.kept, ("norm", nr.rule, "not_kept"): nr.applicable - nr.kept})
    return hide_in_groups(groups)


@dataclass(frozen=True)
class _Cells:
    """How the annual tables show counts and shares: all of them, or (public) with the hidden cells left out."""

    lang: str
    public: bool
    hidden: frozenset = frozenset()

    def count(self, n: int, key: tuple | None = None) -> str:
        """A count: '<5' when small, the hidden mark when hidden to protect another, else the number."""
        if self.public and primary(n):
            return f"<{SUPPRESS_BELOW}"
        return HIDDEN_MARK if key in self.hidden else _n(n, self.lang)

    def share(self, c, key: tuple) -> str:
        """A category's share in a group, '-' when its count is hidden."""
        return "-" if (self.public and primary(c.count)) or key in self.hidden else _pct(c.share, self.lang)


def _annual_cells(r: AnnualReport, lang: str, public: bool) -> _Cells:
    return _Cells(lang, public, _public_hidden(r) if public else frozenset())


def _annual_tables(r: AnnualReport, lang: str, public: bool, cells: _Cells | None = None) -> dict:
    """The report's tables as rows of text cells (shared by Markdown, HTML and CSV)."""
    nl = lang == "nl"
    cells = cells or _annual_cells(r, lang, public)
    cats = [r.labels[c][lang] for c in r.categories]
    mix = [["buurt", "naam" if nl else "name", "bewoond 1/1 → 31/12" if nl else "occupied 1 Jan → 31 Dec"]
           + [f"{c} ({'streef' if nl else 'target'})" for c in cats] + ["oordeel 31/12" if nl else "state 31 Dec"]]
    for a, b in zip(r.buurten_start, r.buurten_end):
        mix.append([a.key, a.name, f"{cells.count(a.occupied)} → {cells.count(b.occupied)}"]
                   + [f"{cells.share(ca, ('mix', 0, a.key, ca.category))} → "
                      f"{cells.share(cb, ('mix', 1, b.key, cb.category))} ({_pct(cb.target, lang)})"
                      for ca, cb in zip(a.categories, b.categories)]
                   + [_t(_STATE[b.state], lang)])
    per_cat = r.lettings_per("category")
    lettings = [["categorie" if nl else "category", "verhuringen" if nl else "lettings"]]
    lettings += [[r.labels[c][lang], cells.count(per_cat.get(c, 0), ("let", c))] for c in r.categories]
    lettings.append(["totaal" if nl else "total", cells.count(len(r.lettings))])
    if public:
        per_buurt = Counter((x.buurt, x.category) for x in r.lettings)
        lettings_buurt = [["buurt"] + cats]
        for g in r.buurten_end:
            lettings_buurt.append([g.key] + [cells.count(per_buurt[(g.key, c)], ("buurt", g.key, c))
                                             for c in r.categories])
    else:
        lettings_buurt = None
    advice = r.advice_counts()
    follow = [["advies" if nl else "advice", "verhuringen" if nl else "lettings"],
              ["opgevolgd" if nl else "followed", cells.count(advice["followed"], ("advice", "followed"))],
              ["niet opgevolgd (afgeweken, of verhuurd tegen het advies in)" if nl
               else "not followed (deviated, or let against the advice)",
               cells.count(advice["overridden"], ("advice", "overridden"))],
              ["plaatsing via een route (apart geteld)" if nl else "placement through a route (counted apart)",
               cells.count(advice["placement"], ("advice", "placement"))],
              ["geen advies vastgelegd" if nl else "no advice logged",
               cells.count(advice["no_advice"], ("advice", "no_advice"))],
              ["onbeslist (wet niet te toetsen)" if nl else "cannot be decided (law not checkable)",
               cells.count(advice["undecided"], ("advice", "undecided"))]]
    norms = [["regel" if nl else "rule", "norm", "van toepassing" if nl else "applicable",
              "nageleefd" if nl else "kept", "behaald" if nl else "achieved", "oordeel" if nl else "verdict",
              "onbeslist" if nl else "cannot be decided"]]
    for nr in r.norms:
        verdict = {True: ("gehaald", "met"), False: ("niet gehaald", "not met"), None: ("geen verhuringen", "no lettings")}
        kept = cells.count(nr.kept, ("norm", nr.rule, "kept"))
        applicable = cells.count(nr.applicable)
        norms.append([nr.title[lang], format_percent(nr.norm, lang), applicable, kept,
                      "-" if nr.share is None or not kept[:1].isdigit() or not applicable[:1].isdigit()
                      else _pct(nr.share, lang),
                      _t(verdict[nr.met], lang), cells.count(nr.undecided)])
    tables = {"mix": mix, "lettings": lettings, "advice": follow, "norms": norms, **fairness.law_tables(r, cells)}
    if lettings_buurt:
        tables["lettings_buurt"] = lettings_buurt
    if not public:
        tables["band"] = [["complex", "verandering" if nl else "change"]] + \
            [[k, "in de band gekomen" if nl else "moved into band"] for k in r.into_band] + \
            [[k, "uit de band geraakt" if nl else "moved out of band"] for k in r.out_of_band]
    return tables


_TITLES = {"mix": ("Mix per buurt, begin en eind van het jaar", "Mix per buurt, start and end of the year"),
           "lettings": ("Verhuringen per categorie", "Lettings per category"),
           "lettings_buurt": ("Verhuringen per buurt", "Lettings per buurt"),
           "advice": ("Advies opgevolgd of afgeweken", "Advice followed or overridden"),
           "norms": ("Wettelijke normen", "Legal norms"),
           "band": ("Complexen die van oordeel veranderden", "Complexes whose state changed"), **fairness.TITLES}


def _intro(r: AnnualReport, lang: str, public: bool) -> list[str]:
    nl = lang == "nl"
    lines = [f"{'Beleid' if nl else 'Policy'} {r.policy['id']} {r.policy['version']}."]
    lines.append(f"{_count(len(r.lettings), public, lang)} {'verhuringen' if nl else 'lettings'}, "
                 f"{_count(r.reclassified, public, lang)} {'herindelingen' if nl else 're-classifications'}, "
                 f"{_count(r.vacated, public, lang)} {'keer een woning leeg' if nl else 'homes vacated'}.")
    if not r.log_used:
        lines.append("Geen beslislog gegeven: advies en normen zijn niet gemeten (gebruik --log)." if nl else
                     "No decision log given: advice and norms were not measured (use --log).")
    if public:
        lines.append(f"Openbare versie: alleen buurten; aantallen onder {SUPPRESS_BELOW} zijn weggelaten, en met "
                     f"'{HIDDEN_MARK}' ook de aantallen waaruit ze terug te rekenen zouden zijn." if nl else
                     f"Public version: buurten only; counts under {SUPPRESS_BELOW} are suppressed, and so, marked "
                     f"'{HIDDEN_MARK}', are the counts they could be worked out from.")
    return lines


def annual_markdown(r: AnnualReport, lang: str = "nl", public: bool = False) -> str:
    """The annual evaluation as Markdown."""
    nl = lang == "nl"
    out = [f"# {'Jaarevaluatie mixbeleid' if nl else 'Annual evaluation of the mix policy'} {r.year}", ""]
    out += _intro(r, lang, public)
    for key, rows in _annual_tables(r, lang, public).items():
        if key in ("advice", "norms") and not r.log_used:
            continue
        out += ["", f"## {_t(_TITLES[key], lang)}", "", "| " + " | ".join(md_cell(c) for c in rows[0]) + " |",
                "|---" * len(rows[0]) + "|"]
        out += ["| " + " | ".join(md_cell(c) for c in row) + " |" for row in rows[1:]]
        if len(rows) == 1:
            out.append("| " + " | ".join(["-"] * len(rows[0])) + " |")
    return "\n".join(out) + "\n"


def annual_csv(r: AnnualReport, lang: str = "nl", public: bool = False) -> str:
    """The annual evaluation as one CSV (semicolon, for Dutch spreadsheets): table, then its rows."""
    buf = io.StringIO()
    w = csv.writer(buf, delimiter=";", lineterminator="\n")
    for key, rows in _annual_tables(r, lang, public).items():
        if key in ("advice", "norms") and not r.log_used:
            continue
        for row in rows:
            w.writerow([csv_cell(c) for c in (key, *row)])
    return buf.getvalue()


def _mix_chart(a: GroupStatus, b: GroupStatus, labels: dict, cells: _Cells) -> str:
    """Per category: the band, the share on 1 January (thin) and on 31 December (thick)."""
    width, left, row = 420, 110, 26
    parts = [f'<svg class="chart" width="{left + width + 60}" height="{row * len(b.categories) + 8}" role="img" '
             f'aria-label="{escape(b.key)}">']
    for i, (ca, cb) in enumerate(zip(a.categories, b.categories)):
        y = 4 + i * row
        parts.append(f'<text x="{left - 8}" y="{y + 14}" text-anchor="end">{escape(labels[cb.category][cells.lang])}</text>')
        if cb.low is not None:
            parts.append(f'<rect x="{left + float(cb.low) * width:.1f}" y="{y}" '
                         f'width="{float(cb.high - cb.low) * width:.1f}" height="20" fill="var(--band)"/>')
        for day, c, h, dy, colour in ((0, ca, 4, 3, "var(--now)"), (1, cb, 8, 10, "var(--after)")):
            if c.share is not None and cells.share(c, ("mix", day, b.key, c.category)) != "-":
                parts.append(f'<rect x="{left}" y="{y + dy}" width="{float(c.share) * width:.1f}" height="{h}" '
                             f'fill="{colour}"/>')
        if cb.target is not None:
            x = left + float(cb.target) * width
            parts.append(f'<line x1="{x:.1f}" x2="{x:.1f}" y1="{y}" y2="{y + 20}" stroke="var(--ink)"/>')
        parts.append(f'<text x="{left + width + 6}" y="{y + 14}">{escape(cells.share(cb, ("mix", 1, b.key, cb.category)))}</text>')
    parts.append("</svg>")
    return "".join(parts)


def annual_html(r: AnnualReport, lang: str = "nl", public: bool = False) -> str:
    """The annual evaluation as a self-contained page with a chart per buurt."""
    nl = lang == "nl"
    title = f"{'Jaarevaluatie mixbeleid' if nl else 'Annual evaluation of the mix policy'} {r.year}"
    body = [f"<header><h1>{escape(title)}</h1>" + "".join(f'<p class="meta">{escape(line)}</p>'
                                                         for line in _intro(r, lang, public)) + "</header>"]
    legend = (f'<p class="legend"><span><i style="background:var(--now)"></i>{"1 januari" if nl else "1 January"}</span>'
              f'<span><i style="background:var(--after)"></i>{"31 december" if nl else "31 December"}</span>'
              f'<span><i style="background:var(--band)"></i>band</span>'
              f'<span>| {"streefaandeel" if nl else "target"}</span></p>')
    body.append(f"<h2>{escape(_t(_TITLES['mix'], lang))}</h2>{legend}")
    cells = _annual_cells(r, lang, public)
    for a, b in zip(r.buurten_start, r.buurten_end):
        body.append(f'<section class="level"><h3>{escape(b.key)} {escape(b.name)} · {_t(_STATE[b.state], lang)}</h3>'
                    f"{_mix_chart(a, b, r.labels, cells)}</section>")
    for key, rows in _annual_tables(r, lang, public, cells).items():
        if key in ("advice", "norms") and not r.log_used:
            continue
        head = "".join(f"<th>{escape(c)}</th>" for c in rows[0])
        body_rows = "".join("<tr>" + "".join(f"<td>{escape(c)}</td>" for c in row) + "</tr>" for row in rows[1:])
        body.append(f"<h2>{escape(_t(_TITLES[key], lang))}</h2><table><tr>{head}</tr>{body_rows}</table>")
    return page(title, "\n".join(body), lang, {"name": "magicmix"})
