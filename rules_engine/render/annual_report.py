"""Report stage of the annual evaluation (`magicmix report annual`): HTML, Markdown and CSV.

The public variant (--public) shows buurten only and suppresses every count under 5 households (and the
share computed from it), and, by complementary suppression (suppress.py), every count it could be worked
out from with a published total.
"""

from __future__ import annotations

import csv
import io
from collections import Counter

from ..stock import fairness
from ..stock.annual import AnnualReport
from .escape import csv_cell
from .numbers import format_percent
from .messages import say
from .report import _t, md_cell
from .report_html import escape, page
from ..stock.status import ABOVE, BELOW, GroupStatus
from ..stock.suppress import hide_in_groups, primary
from .portfolio_report import STATE_WORDS, SUPPRESS_BELOW, number_text, share_text
from ..lang.records import frozen


def _count(n: int, public: bool, lang: str) -> str:
    return f"<{SUPPRESS_BELOW}" if public and primary(n) else number_text(n, lang)


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


@frozen
class _Cells:
    """How the annual tables show counts and shares: all of them, or (public) with the hidden cells left out."""

    lang: str
    public: bool
    hidden: frozenset = frozenset()

    def count(self, n: int, key: tuple | None = None) -> str:
        """A count: '<5' when small, the hidden mark when hidden to protect another, else the number."""
        if self.public and primary(n):
            return f"<{SUPPRESS_BELOW}"
        return HIDDEN_MARK if key in self.hidden else number_text(n, self.lang)

    def share(self, c, key: tuple) -> str:
        """A category's share in a group, '-' when its count is hidden."""
        return "-" if (self.public and primary(c.count)) or key in self.hidden else share_text(c.share, self.lang)


def _annual_cells(r: AnnualReport, lang: str, public: bool) -> _Cells:
    return _Cells(lang, public, _public_hidden(r) if public else frozenset())


def _annual_tables(r: AnnualReport, lang: str, public: bool, cells: _Cells | None = None) -> dict:
    """The report's tables as rows of text cells (shared by Markdown, HTML and CSV)."""
    cells = cells or _annual_cells(r, lang, public)
    cats = [r.labels[c][lang] for c in r.categories]
    mix = [["buurt", say("stock.name", lang), say("stock.occupied_1_jan_31_dec", lang)]
           + [f"{c} ({say('stock.target', lang)})" for c in cats] + [say("stock.state_31_dec", lang)]]
    for a, b in zip(r.buurten_start, r.buurten_end):
        mix.append([a.key, a.name, f"{cells.count(a.occupied)} → {cells.count(b.occupied)}"]
                   + [f"{cells.share(ca, ('mix', 0, a.key, ca.category))} → "
                      f"{cells.share(cb, ('mix', 1, b.key, cb.category))} ({share_text(cb.target, lang)})"
                      for ca, cb in zip(a.categories, b.categories)]
                   + [_t(STATE_WORDS[b.state], lang)])
    per_cat = r.lettings_per("category")
    lettings = [[say("stock.category", lang), say("stock.lettings", lang)]]
    lettings += [[r.labels[c][lang], cells.count(per_cat.get(c, 0), ("let", c))] for c in r.categories]
    lettings.append([say("stock.total", lang), cells.count(len(r.lettings))])
    if public:
        per_buurt = Counter((x.buurt, x.category) for x in r.lettings)
        lettings_buurt = [["buurt"] + cats]
        for g in r.buurten_end:
            lettings_buurt.append([g.key] + [cells.count(per_buurt[(g.key, c)], ("buurt", g.key, c))
                                             for c in r.categories])
    else:
        lettings_buurt = None
    advice = r.advice_counts()
    follow = [[say("stock.advice", lang), say("stock.lettings", lang)],
              [say("stock.followed", lang), cells.count(advice["followed"], ("advice", "followed"))],
              [say("stock.not_followed", lang), cells.count(advice["overridden"], ("advice", "overridden"))],
              [say("stock.placement", lang), cells.count(advice["placement"], ("advice", "placement"))],
              [say("stock.no_advice_logged", lang),
               cells.count(advice["no_advice"], ("advice", "no_advice"))],
              [say("stock.cannot_be_decided_law_not_checkable", lang),
               cells.count(advice["undecided"], ("advice", "undecided"))]]
    norms = [[say("stock.rule", lang), "norm", say("stock.applicable", lang),
              say("stock.kept", lang), say("stock.achieved", lang), say("stock.verdict", lang),
              say("stock.cannot_be_decided", lang)]]
    for nr in r.norms:
        verdict = {True: ("gehaald", "met"), False: ("niet gehaald", "not met"), None: ("geen verhuringen", "no lettings")}
        kept = cells.count(nr.kept, ("norm", nr.rule, "kept"))
        applicable = cells.count(nr.applicable)
        norms.append([nr.title[lang], format_percent(nr.norm, lang), applicable, kept,
                      "-" if nr.share is None or not kept[:1].isdigit() or not applicable[:1].isdigit()
                      else share_text(nr.share, lang),
                      _t(verdict[nr.met], lang), cells.count(nr.undecided)])
    tables = {"mix": mix, "lettings": lettings, "advice": follow, "norms": norms, **fairness.law_tables(r, cells)}
    if lettings_buurt:
        tables["lettings_buurt"] = lettings_buurt
    if not public:
        tables["band"] = [["complex", say("stock.change", lang)]] + \
            [[k, say("stock.moved_into_band", lang)] for k in r.into_band] + \
            [[k, say("stock.moved_out_of_band", lang)] for k in r.out_of_band]
    return tables


_TITLES = {"mix": ("Mix per buurt, begin en eind van het jaar", "Mix per buurt, start and end of the year"),
           "lettings": ("Verhuringen per categorie", "Lettings per category"),
           "lettings_buurt": ("Verhuringen per buurt", "Lettings per buurt"),
           "advice": ("Advies opgevolgd of afgeweken", "Advice followed or overridden"),
           "norms": ("Wettelijke normen", "Legal norms"),
           "band": ("Complexen die van oordeel veranderden", "Complexes whose state changed"), **fairness.TITLES}


def _intro(r: AnnualReport, lang: str, public: bool) -> list[str]:
    lines = [f"{say('stock.policy', lang)} {r.policy['id']} {r.policy['version']}."]
    lines.append(f"{_count(len(r.lettings), public, lang)} {say('stock.lettings', lang)}, "
                 f"{_count(r.reclassified, public, lang)} {say('stock.re_classifications', lang)}, "
                 f"{_count(r.vacated, public, lang)} {say('stock.homes_vacated', lang)}.")
    if not r.log_used:
        lines.append(say("stock.no_log", lang))
    if public:
        lines.append(say("stock.public", lang, below=SUPPRESS_BELOW, mark=HIDDEN_MARK))
    return lines


def annual_markdown(r: AnnualReport, lang: str = "nl", public: bool = False, corporation: str = "") -> str:
    """The annual evaluation as Markdown, naming the corporation and the period."""
    out = [f"# {say('stock.annual_evaluation_of_the_mix_policy', lang)} {r.year}", "",
           f"**{md_cell(_period(r, corporation, lang))}**", ""]
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
    """Per category: the band, the share on 1 January (thin) and on 31 December (thick), on a 0-100 % axis,
    with the figures as its text alternative."""
    width, left, row = 420, 110, 26
    lang = cells.lang
    axis_y = row * len(b.categories) + 6
    alt = escape(f"{b.key} {b.name}: " + "; ".join(
        f"{labels[cb.category][lang]} {cells.share(ca, ('mix', 0, a.key, ca.category))} → "
        f"{cells.share(cb, ('mix', 1, b.key, cb.category))}"
        + (f" (band {format_percent(cb.low, lang)} – {format_percent(cb.high, lang)})" if cb.low is not None else "")
        for ca, cb in zip(a.categories, b.categories)))
    parts = [f'<svg class="chart" width="{left + width + 90}" height="{axis_y + 20}" '
             f'viewBox="0 0 {left + width + 90} {axis_y + 20}" role="img" aria-label="{alt}"><title>{alt}</title>',
             f'<line x1="{left}" y1="{axis_y}" x2="{left + width}" y2="{axis_y}" stroke="var(--ink)"/>']
    for p in range(5):
        x = left + width * p / 4
        parts.append(f'<line x1="{x:.1f}" y1="{axis_y - 3}" x2="{x:.1f}" y2="{axis_y + 3}" stroke="var(--ink)"/>'
                     f'<text x="{x:.1f}" y="{axis_y + 15}" text-anchor="middle">{p * 25}\u00a0%</text>')
    for i, (ca, cb) in enumerate(zip(a.categories, b.categories)):
        y = 4 + i * row
        parts.append(f'<text x="{left - 8}" y="{y + 14}" text-anchor="end">{escape(labels[cb.category][cells.lang])}</text>')
        if cb.low is not None:
            parts.append(f'<rect x="{left + float(cb.low) * width:.1f}" y="{y}" '
                         f'width="{float(cb.high - cb.low) * width:.1f}" height="20" fill="var(--band)" '
                         f'stroke="var(--band-edge)" stroke-width="1.2"/>')
        for day, c, h, dy, colour in ((0, ca, 4, 3, "var(--now)"), (1, cb, 8, 10, "var(--after)")):
            if c.share is not None and cells.share(c, ("mix", day, b.key, c.category)) != "-":
                parts.append(f'<rect x="{left}" y="{y + dy}" width="{float(c.share) * width:.1f}" height="{h}" '
                             f'fill="{colour}"/>')
        if cb.target is not None:
            x = left + float(cb.target) * width
            parts.append(f'<line x1="{x:.1f}" x2="{x:.1f}" y1="{y}" y2="{y + 20}" stroke="var(--ink)"/>')
        out = cb.state in (ABOVE, BELOW)
        sign = ("▲ " if cb.state == ABOVE else "▼ ") if out else ""
        parts.append(f'<text x="{left + width + 6}" y="{y + 14}"{" class=" + chr(34) + "out" + chr(34) if out else ""}>'
                     f'{escape(sign + cells.share(cb, ("mix", 1, b.key, cb.category)))}</text>')
    parts.append("</svg>")
    return "".join(parts)


def _period(r: AnnualReport, corporation: str, lang: str) -> str:
    """'Magische mix Openbaar Belang · 1 januari – 31 december 2025': who and which period."""
    period = say("stock.period", lang, year=r.year)
    return f"{corporation} · {period}" if corporation else period


def annual_html(r: AnnualReport, lang: str = "nl", public: bool = False, corporation: str = "") -> str:
    """The annual evaluation as a self-contained page with a chart per buurt, naming the corporation and the
    period; no decision footer (it reports a year, it advises on no letting)."""
    title = f"{say('stock.annual_evaluation_of_the_mix_policy', lang)} {r.year}"
    header = (f"<header><h1>{escape(title)}</h1><p class=\"meta\"><b>{escape(_period(r, corporation, lang))}</b></p>"
              + "".join(f'<p class="meta">{escape(line)}</p>' for line in _intro(r, lang, public)) + "</header>")
    body = []
    legend = (f'<p class="legend"><span><i style="background:var(--now)"></i>{say("stock.1_january", lang)}</span>'
              f'<span><i style="background:var(--after)"></i>{say("stock.31_december", lang)}</span>'
              f'<span><i style="background:var(--band);outline:1.2px solid var(--band-edge)"></i>band</span>'
              f'<span>| {say("stock.target_2", lang)}</span></p>')
    body.append(f"<h2>{escape(_t(_TITLES['mix'], lang))}</h2>{legend}")
    cells = _annual_cells(r, lang, public)
    for a, b in zip(r.buurten_start, r.buurten_end):
        body.append(f'<section class="level"><h3>{escape(b.key)} {escape(b.name)} · {_t(STATE_WORDS[b.state], lang)}</h3>'
                    f"{_mix_chart(a, b, r.labels, cells)}</section>")
    for key, rows in _annual_tables(r, lang, public, cells).items():
        if key in ("advice", "norms") and not r.log_used:
            continue
        head = "".join(f"<th scope=\"col\">{escape(c)}</th>" for c in rows[0])
        body_rows = "".join("<tr>" + "".join(f"<td>{escape(c)}</td>" for c in row) + "</tr>" for row in rows[1:])
        body.append(f"<h2>{escape(_t(_TITLES[key], lang))}</h2><div class=\"scroll\" tabindex=\"0\"><table><tr>{head}</tr>{body_rows}"
                    "</table></div>")
    return page(title, "\n".join(body), lang, {"name": "magicmix"}, footer=False, header=header)
