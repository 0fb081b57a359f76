"""Report stage, HTML: one self-contained file per decision or ranking, fit to show a manager or the municipality.

No external assets: CSS and the SVG chart are inline; a print stylesheet keeps it to paper.
Only the pseudonymous household id, its size and category are shown: never flags, age or
anything else that could hint at the reason behind a category.
"""

from __future__ import annotations

from fractions import Fraction

from .escape import html_text
from ..engine.explain import Decision, undecided_text
from ..model.levels import level_word
from .messages import say
from ..model.policy import OUTCOME_LABELS
from .numbers import format_percent
from .report import candidate_reason, room_texts, rule_heading, shown
from .summary import summary_lines
from .wording import Labels, condition_sentence, labels_of

NBSP = "\u00a0"


def keep_together(text: str) -> str:
    """No line break inside an amount or a percentage: '€ 640,00' and '38,5 %' with a no-break space."""
    return text.replace("€ ", "€" + NBSP).replace(" %", NBSP + "%")


def escape(value) -> str:
    """Text from data for HTML (escape.html_text), amounts and percentages kept on one line."""
    return keep_together(html_text(value))

_CSS = """
:root { --ink:#1d2733; --muted:#5b6673; --line:#d5dbe1; --now:#5f7591; --after:#1f5f99; --band:#e3efe0; --band-edge:#2f6b2f;
        --bad:#a3261b; --warn:#8a4600; --ok:#2f6b2f; --pref:#1f5f99; }
* { box-sizing: border-box; }
body { font: 15px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; color: var(--ink);
       max-width: 60rem; margin: 2rem auto; padding: 0 1.2rem; }
h1 { font-size: 1.6rem; margin: 0 0 .3rem; } h2 { font-size: 1.15rem; margin: 1.8rem 0 .6rem;
     border-bottom: 1px solid var(--line); padding-bottom: .2rem; }
.meta { color: var(--muted); margin: 0 0 1rem; }
.badge { display: inline-block; white-space: nowrap; padding: .15rem .6rem; border-radius: 1rem; color: #fff; font-weight: 600; }
.o-niet_toegestaan { background: var(--bad); } .o-ontraden { background: var(--warn); }
.o-passend { background: var(--ok); } .o-voorkeur { background: var(--pref); }
.o-onbeslist { background: #5b2a86; } .undecided { font-weight: 600; color: #5b2a86; }
table { border-collapse: collapse; width: 100%; margin: .4rem 0; }
th, td { text-align: left; vertical-align: top; padding: .35rem .5rem; border-bottom: 1px solid var(--line); }
th { font-weight: 600; color: var(--muted); font-size: .85rem; }
td.values { font-family: ui-monospace, SFMono-Regular, Menlo, monospace; font-size: .8rem; }
tr.deciding td { background: #fff7e6; }
.status { font-size: .8rem; font-weight: 600; white-space: nowrap; }
.s-fired { color: var(--bad); } .s-not_fired { color: var(--ok); } .s-not_applicable { color: var(--muted); }
.src { color: var(--muted); font-size: .75rem; }
.chart { margin: .3rem 0 1rem; } .chart text { font-size: 12px; fill: var(--ink); }
.legend span { display: inline-block; margin-right: 1rem; font-size: .85rem; }
.legend i { display: inline-block; width: .9rem; height: .6rem; margin-right: .3rem; vertical-align: middle; }
tr.st-above td, tr.st-both td { background: #fbeceb; } tr.st-below td { background: #fff4e5; }
.summary-lines p { margin: .25rem 0; font-size: 1.05rem; } .summary-lines p:first-child { font-weight: 600; }
details.detail { margin-top: 1.5rem; } details.detail > summary { cursor: pointer; font-weight: 600; font-size: 1.1rem; }
.scroll { overflow-x: auto; max-width: 100%; } .chart { max-width: 100%; height: auto; }
li { overflow-wrap: anywhere; } td { overflow-wrap: break-word; } .scroll table { min-width: 42rem; }
.out { color: var(--bad); font-weight: 600; } .chart text.out { fill: var(--bad); font-weight: 600; }
@media (max-width: 40rem) { body { padding: 0 .6rem; margin: 1rem auto; } th, td { padding: .3rem .3rem; } }
footer { margin-top: 2rem; color: var(--muted); font-size: .8rem; border-top: 1px solid var(--line); padding-top: .6rem; }
@media print {
  body { margin: 0; max-width: none; font-size: 11pt; }
  h2 { break-after: avoid; } tr, .chart, section.level { break-inside: avoid; }
  a { color: inherit; text-decoration: none; }
  .badge, tr.deciding td { -webkit-print-color-adjust: exact; print-color-adjust: exact; }
}
"""


def _t(key: str, lang: str) -> str:
    return say(f"html.{key}", lang)


def _level(key: str, lang: str) -> str:
    """A level's word as a heading; a saved record of a policy with its own levels names them by key."""
    return level_word(key, lang).capitalize()


def _label(decision: Decision, cid: str, lang: str) -> str:
    for c in decision.categories:
        if c["id"] == cid:
            return c["label"][lang]
    return cid


def _mark(c) -> str:
    """'▲' above the band (or over the portiek maximum), '▼' below it, '' inside."""
    if c["limit"] is not None:
        return "▲" if c["after"] > c["limit"] else ""
    if c["low"] is None:
        return ""
    share = Fraction(c["share_after"])
    return "▲" if share > Fraction(c["high"]) else "▼" if share < Fraction(c["low"]) else ""


def _chart_text(decision: Decision, level, lang: str) -> str:
    """The chart in words, its text alternative: every category now, after the letting, and its band."""
    parts = []
    for c in level.categories:
        text = (f'{_label(decision, c["category"], lang)}: {_t("now", lang)} {format_percent(Fraction(c["share_now"]), lang)}, '
                f'{_t("after", lang)} {format_percent(Fraction(c["share_after"]), lang)}')
        if c["low"] is not None:
            text += (f', {_t("band", lang)} {format_percent(Fraction(c["low"]), lang)} – '
                     f'{format_percent(Fraction(c["high"]), lang)}')
        if c["limit"] is not None:
            text += f', {c["after"]} / max {c["limit"]}'
        mark = _mark(c)
        if mark:
            text += f' ({mark} {_t("over_limit" if c["limit"] is not None else "above" if mark == "▲" else "below", lang)})'
        parts.append(text)
    return f'{_level(level.level, lang)} {level.group}: ' + "; ".join(parts)


def _level_svg(decision: Decision, level, lang: str) -> str:
    """Bars per category: share now and after the letting, against the band (or the portiek limit), with an axis
    and a text alternative; a value out of its band is drawn red and marked ▲ or ▼."""
    cats = level.categories
    width, left, right, row = 680, 150, 110, 34
    span = width - left - right
    top = 8
    axis_y = top + row * len(cats) + 2
    height = axis_y + 34
    alt = escape(_chart_text(decision, level, lang))
    parts = [f'<svg class="chart" role="img" xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
             f'viewBox="0 0 {width} {height}" aria-label="{alt}"><title>{alt}</title>']
    for pct in (0, 25, 50, 75, 100):
        x = left + span * pct / 100
        parts.append(f'<line x1="{x:.1f}" y1="{top}" x2="{x:.1f}" y2="{axis_y + 4}" stroke="#8a959f" stroke-width="0.6"/>'
                     f'<text x="{x:.1f}" y="{axis_y + 16}" text-anchor="middle">{pct}{NBSP}%</text>')
    parts.append(f'<line x1="{left}" y1="{axis_y}" x2="{left + span}" y2="{axis_y}" stroke="#1d2733"/>'
                 f'<text x="{left + span / 2:.1f}" y="{axis_y + 30}" text-anchor="middle">{escape(_t("axis", lang))}</text>')
    for i, c in enumerate(cats):
        y = top + i * row
        mark = _mark(c)
        parts.append(f'<text x="{left - 8}" y="{y + 15}" text-anchor="end">{escape(_label(decision, c["category"], lang))}</text>')
        if c["low"] is not None:
            lo, hi = float(Fraction(c["low"])), float(Fraction(c["high"]))
            parts.append(f'<rect x="{left + span * lo:.1f}" y="{y}" width="{max(span * (hi - lo), 1.5):.1f}" height="24" '
                         f'fill="#e3efe0" stroke="#2f6b2f" stroke-width="1.5"/>')
        now, after = float(Fraction(c["share_now"])), float(Fraction(c["share_after"]))
        parts.append(f'<rect x="{left}" y="{y + 3}" width="{span * now:.1f}" height="8" fill="#5f7591"/>')
        parts.append(f'<rect x="{left}" y="{y + 13}" width="{span * after:.1f}" height="8" '
                     f'fill="{"#a3261b" if mark else "#1f5f99"}"/>')
        note = format_percent(Fraction(c["share_after"]), lang, 0)
        if c["limit"] is not None:
            note = f'{c["after"]} / max {c["limit"]}'
        cls = ' class="out"' if mark else ""
        parts.append(f'<text x="{left + span + 6}" y="{y + 15}"{cls}>{escape((mark + " " if mark else "") + note)}</text>')
    parts.append("</svg>")
    return "".join(parts)


def decision_sections(d: Decision, lang: str, labels: Labels | None = None) -> str:
    """The body of a decision report (also used inside a ranking report): the summary, the composition
    charts, and the rule-by-rule detail in a fold-out."""
    labels = labels or labels_of(d)
    i = d.inputs
    h = i["household"]
    lines = summary_lines(d, lang, labels)
    out = ['<section class="summary-lines" aria-label="' + _t("summary", lang) + '">'
           + "".join(f"<p>{escape(line)}</p>" for line in lines) + "</section>"]
    out.append(f'<section class="composition"><h2>{_t("composition", lang)}</h2>'
               f'<p class="legend"><span><i style="background:#5f7591"></i>{_t("now", lang)}</span>'
               f'<span><i style="background:#1f5f99"></i>{_t("after", lang)}</span>'
               f'<span><i style="background:#e3efe0;outline:1.5px solid #2f6b2f"></i>{_t("band", lang)}</span>'
               f'<span class="out">▲ {_t("above", lang)} · ▼ {_t("below", lang)}</span></p>')
    for level in d.composition:
        out.append(f'<section class="level"><h3>{escape(_level(level.level, lang))} {escape(labels.group(level.group))}</h3>'
                   f'<div class="scroll" tabindex="0">{_level_svg(d, level, lang)}</div></section>')
    out.append("</section>")
    out.append(f'<details class="detail"><summary>{_t("details", lang)}</summary>')
    out += ['<section class="inputs"><table>',
            f'<tr><th scope="row">{_t("household", lang)}</th><td>{escape(h["id"])} · '
            f'{escape(say("count.persons", lang, n=h["size"]))} · {escape(_label(d, h["category"], lang))}</td></tr>',
            f'<tr><th scope="row">{_t("home", lang)}</th><td>{escape(i["unit"])} · complex {escape(i["complex"])} · portiek '
            f'{escape(i["portiek"].split("/", 1)[-1])} · buurt {escape(labels.group(i["buurt"]))} ({escape(i["buurt"])})</td></tr>',
            f'<tr><th scope="row">{_t("date", lang)}</th><td>{escape(i["date"])}</td></tr>',
            f'<tr><th scope="row">{_t("policy", lang)}</th><td>{escape(d.policy["id"])} {escape(d.policy["version"])} '
            f'<span class="src">{escape(d.policy["content_hash"][:23])}</span></td></tr>',
            f'<tr><th scope="row">{_t("deciding", lang)}</th><td>{escape(", ".join(d.deciding_rules) or _t("none", lang))}</td></tr>',
            "</table></section>"]
    undecided = undecided_text(d)
    if undecided:
        out.append(f'<p class="undecided">{escape(undecided[lang])}</p>')
    out.append(f'<section class="rules"><h2>{_t("rules", lang)}</h2><div class="scroll" tabindex="0"><table><tr><th scope="col">{_t("rule", lang)}</th>'
               f'<th scope="col">{_t("status", lang)}</th><th scope="col">{_t("values", lang)}</th><th scope="col">{_t("text", lang)}</th></tr>')
    for r in d.rules:
        vals = "<br>".join(
            escape(condition_sentence(c, h["category"], labels, lang, negate=c.result == "false")
                   if c.result != "unknown" else c.text)
            + '<br><span class="src">' + escape(f"{c.text}: {shown(c.left, lang)} {c.op} {shown(c.right, lang)}" if c.op
                   else f"{c.text} ({', '.join(f'{v.expr} = {shown(v, lang)}' for v in c.facts)})")
            + f"</span> → {_t(c.result, lang)}" for c in r.applies_when + r.conditions)
        text = (r.text or r.reason or {}).get(lang, "")
        out.append(f'<tr class="{"deciding" if r.deciding else ""}"><td><b>{escape(r.title[lang])}</b><br>'
                   f'<span class="src">{escape(rule_heading(r, lang).split(" (", 1)[-1])} · {escape(r.source)}</span></td>'
                   f'<td class="status s-{escape(r.status)}">{escape(say("status." + r.status, lang))}</td><td class="values">{vals}</td>'
                   f'<td>{escape(text)}</td></tr>')
    out.append("</table></div></section>")
    if d.changes:
        out.append(f'<section class="changes"><h2>{_t("changes", lang)}</h2><ul>'
                   + "".join(f"<li>{escape(c.text[lang])}</li>" for c in d.changes) + "</ul></section>")
    if d.room:
        out.append(f'<section class="room"><h2>{_t("room", lang)}</h2><ul>'
                   + "".join(f"<li>{escape(t)}</li>" for t in room_texts(d, lang, labels)) + "</ul></section>")
    out.append("</details>")
    return "\n".join(out)


def page(title: str, body: str, lang: str, engine: dict, footer: bool = True, header: str = "") -> str:
    """A self-contained HTML page: inline CSS (with a print stylesheet), the body in a <main> landmark, and
    (for a decision) a footer saying a person decides, naming the engine."""
    foot = (f'<footer>{_t("footer", lang)} · {escape(engine.get("name", ""))} {escape(engine.get("version", ""))}'
            f"</footer>") if footer else ""
    return (f'<!DOCTYPE html>\n<html lang="{lang}"><head><meta charset="utf-8">'
            f'<meta name="viewport" content="width=device-width, initial-scale=1">'
            f"<title>{escape(title)}</title><style>{_CSS}</style></head><body>\n{header}<main>\n{body}\n</main>"
            f"{foot}</body></html>\n")


def _outcome_badge(outcome: str, lang: str) -> str:
    nl, en = OUTCOME_LABELS[outcome]
    return f'<span class="badge o-{escape(outcome)}">{escape(nl if lang == "nl" else en)}</span>'


def decision_html(d: Decision, lang: str = "nl", labels: Labels | None = None) -> str:
    """One decision as a self-contained HTML page."""
    i = d.inputs
    title = f'{_t("advice", lang)}: {d.outcome_label[lang]} · {i["unit"]} · {i["date"]}'
    header = (f'<header><h1>{_t("advice", lang)} {_outcome_badge(d.outcome, lang)}</h1>'
              f'<p class="meta">{escape(i["unit"])} · {escape(i["date"])}</p></header>\n')
    return page(title, decision_sections(d, lang, labels), lang, d.engine, header=header)


def ranking_html(r, lang: str = "nl", top: int = 3, labels: Labels | None = None) -> str:
    """A ranking as a self-contained HTML page: the candidate table and the top explanations."""
    rows = []
    for c in list(r.ranked) + list(r.dropped):
        rows.append(f"<tr><td>{escape(c.rank or '–')}</td><td>{escape(c.position)}</td><td>{escape(c.household)}</td>"
                    f"<td>{_outcome_badge(c.outcome, lang)}</td><td>{escape(candidate_reason(c, lang, labels))}</td></tr>")
    header = (f'<header><h1>{_t("ranking", lang)} {escape(r.unit)}</h1><p class="meta">{escape(r.date)} · '
              f'{_t("policy", lang)} {escape(str(r.policy.get("id")))} {escape(str(r.policy.get("version")))}</p></header>')
    body = [f'<div class="scroll" tabindex="0"><table><tr><th scope="col">{_t("rank", lang)}</th><th scope="col">{_t("portal", lang)}</th>'
            f'<th scope="col">{_t("household", lang)}</th><th scope="col">{_t("advice", lang)}</th>'
            f'<th scope="col">{_t("reason", lang)}</th></tr>{"".join(rows)}</table></div>']
    for c in r.ranked[:top]:
        body.append(f'<h2>{_t("rank", lang)} {escape(c.rank)}: {escape(c.household)} {_outcome_badge(c.outcome, lang)}</h2>')
        body.append(decision_sections(c.decision, lang, labels))
    engine = r.ranked[0].decision.engine if r.ranked else (r.dropped[0].decision.engine if r.dropped else {})
    return page(f'{_t("ranking", lang)} {r.unit}', "\n".join(body), lang, engine, header=header)
