"""A simulation's result as an HTML report: per buurt a chart per category (median line, 10-90 % range,
the band's limits) with a table as its text alternative; the complexes in a table.

Colours are the report's own (report_html): lines and limits at least 3:1 against white, text 4.5:1.
"""

from __future__ import annotations

from ..escape import html_text as esc
from ..report_html import page
from ..version import __version__
from .render import pct, years_text

W, H, LEFT, TOP, BOTTOM = 320, 170, 44, 10, 26
MEDIAN, RANGE, LIMIT = "#1f5f99", "#9ec1e0", "#2f6b2f"  # 6.6:1, fill with a 3:1 outline, 6.3:1 on white


def _xy(t: int, v: float, years: int) -> tuple[float, float]:
    x = LEFT + (W - LEFT - 10) * (t / max(years, 1))
    y = TOP + (H - TOP - BOTTOM) * (1 - v)
    return round(x, 1), round(y, 1)


def chart(result: dict, g: dict, c: str, lang: str) -> str:
    """One category's share over the years in one group, as SVG with a title and a description."""
    nl, years, s = lang == "nl", result["years"], g["shares"][c]
    start = int(result["start"][:4])
    label = result["labels"][c][lang]
    band = g["band"].get(c)
    cid = f"c-{g['level']}-{g['key']}-{c}"
    pts = [_xy(t, s["median"][t], years) for t in range(years + 1)]
    hi = [_xy(t, s["p90"][t], years) for t in range(years + 1)]
    lo = [_xy(t, s["p10"][t], years) for t in reversed(range(years + 1))]
    desc = (f"{label}: mediaan van {pct(s['median'][0], lang)} in {start} naar {pct(s['median'][-1], lang)} in "
            f"{start + years}" if nl else
            f"{label}: median from {pct(s['median'][0], lang)} in {start} to {pct(s['median'][-1], lang)} in {start + years}")
    if band:
        desc += f"; band {pct(band[0], lang)}-{pct(band[1], lang)}"
    parts = [f'<svg class="chart" width="{W}" height="{H}" viewBox="0 0 {W} {H}" role="img" '
             f'aria-labelledby="{esc(cid)}-t {esc(cid)}-d"><title id="{esc(cid)}-t">{esc(label)} · {esc(g["name"])}</title>'
             f'<desc id="{esc(cid)}-d">{esc(desc)}</desc>']
    for v in (0, 0.5, 1):
        x0, y = _xy(0, v, years)
        parts.append(f'<line x1="{LEFT}" x2="{W - 10}" y1="{y}" y2="{y}" stroke="#767676" stroke-width="0.5"/>'
                     f'<text x="{LEFT - 4}" y="{y + 4}" text-anchor="end">{int(v * 100)}%</text>')
    parts.append(f'<polygon points="{" ".join(f"{x},{y}" for x, y in hi + lo)}" fill="{RANGE}" fill-opacity="0.5" '
                 f'stroke="{MEDIAN}" stroke-width="0.6"/>')
    if band:
        for v in band:
            _, y = _xy(0, min(max(v, 0), 1), years)
            parts.append(f'<line x1="{LEFT}" x2="{W - 10}" y1="{y}" y2="{y}" stroke="{LIMIT}" stroke-width="1.5" '
                         f'stroke-dasharray="5 3"/>')
    parts.append(f'<polyline points="{" ".join(f"{x},{y}" for x, y in pts)}" fill="none" stroke="{MEDIAN}" '
                 f'stroke-width="2.5"/>')
    for t in (0, years):
        x, _ = _xy(t, 0, years)
        parts.append(f'<text x="{x}" y="{H - 8}" text-anchor="middle">{start + t}</text>')
    parts.append("</svg>")
    return "".join(parts)


def _table(result: dict, g: dict, lang: str) -> str:
    nl, start = lang == "nl", int(result["start"][:4])
    cats = result["categories"]
    head = "".join(f"<th scope=\"col\">{esc(result['labels'][c][lang])}</th>" for c in cats)
    rows = []
    for t in range(result["years"] + 1):
        cells = "".join(f"<td>{esc(pct(g['shares'][c]['median'][t], lang))} "
                        f"({esc(pct(g['shares'][c]['p10'][t], lang))}-{esc(pct(g['shares'][c]['p90'][t], lang))})</td>"
                        for c in cats)
        rows.append(f"<tr><th scope=\"row\">{start + t}</th>{cells}</tr>")
    caption = ("Aandeel per jaar: mediaan (10-90 % van de runs)" if nl else "Share per year: median (10-90% of runs)")
    return (f"<table><caption>{esc(caption)}</caption><thead><tr><th scope=\"col\">{'jaar' if nl else 'year'}</th>"
            f"{head}</tr></thead><tbody>{''.join(rows)}</tbody></table>")


def simulation_html(result: dict, lang: str = "nl") -> str:
    """The whole report as one self-contained, accessible page."""
    nl, years = lang == "nl", result["years"]
    title = (f"Simulatie {result['policy']['id']} {result['policy']['version']}" if nl
             else f"Simulation {result['policy']['id']} {result['policy']['version']}")
    legend = (f'<p class="legend"><span><i style="background:{MEDIAN}"></i>{"mediaan" if nl else "median"}</span>'
              f'<span><i style="background:{RANGE};outline:1px solid {MEDIAN}"></i>{"10-90 % van de runs" if nl else "10-90% of runs"}</span>'
              f'<span><i style="background:{LIMIT}"></i>{"grenzen van de band" if nl else "limits of the band"}</span></p>')
    body = [f"<main><h1>{esc(title)}</h1>",
            f'<p class="meta">{result["runs"]} runs · {years} {"jaar vanaf" if nl else "years from"} {esc(result["start"])} · '
            f'seed {result["seed"]}</p>', legend]
    complexes = []
    for g in result["groups"]:
        if g["level"] != "buurt":
            complexes.append(g)
            continue
        body.append(f'<section><h2>{esc(g["name"])} ({esc(g["key"])}, {g["homes"]} {"woningen" if nl else "homes"})</h2>'
                    f'<p>{"Binnen de band na" if nl else "Inside the band after"} {esc(years_text(g["years_to_band"], years, lang))}</p>'
                    + "".join(chart(result, g, c, lang) for c in result["categories"])
                    + f"<details><summary>{'Cijfers' if nl else 'Figures'}</summary>{_table(result, g, lang)}</details></section>")
    if complexes:
        cats = result["categories"]
        head = "".join(f"<th scope=\"col\">{esc(result['labels'][c][lang])}</th>" for c in cats)
        rows = "".join(
            f"<tr><th scope=\"row\">{esc(g['key'])} {esc(g['name'])}</th><td>{g['homes']}</td>"
            + "".join(f"<td>{esc(pct(g['shares'][c]['median'][-1], lang))}</td>" for c in cats)
            + f"<td>{esc(years_text(g['years_to_band'], years, lang))}</td></tr>" for g in complexes)
        body.append(f"<section><h2>{'Complexen' if nl else 'Complexes'}</h2><table><caption>"
                    f"{'Mediaan aandeel in het laatste jaar' if nl else 'Median share in the last year'}</caption><thead><tr>"
                    f"<th scope=\"col\">{'complex' if nl else 'complex'}</th><th scope=\"col\">{'woningen' if nl else 'homes'}</th>"
                    f"{head}<th scope=\"col\">{'binnen de band na' if nl else 'inside the band after'}</th></tr></thead>"
                    f"<tbody>{rows}</tbody></table></section>")
    let = result["lettings"]["per_category"]
    lettings = "".join(f"<tr><th scope=\"row\">{esc(result['labels'][c][lang])}</th><td>{let[c]['mean']}</td>"
                       f"<td>{let[c]['p10']}-{let[c]['p90']}</td></tr>" for c in result["categories"])
    body.append(f"<section><h2>{'Verhuringen' if nl else 'Lettings'}</h2><table><caption>"
                f"{'Verhuringen per categorie per run' if nl else 'Lettings per category per run'}</caption><thead><tr>"
                f"<th scope=\"col\">{'categorie' if nl else 'category'}</th><th scope=\"col\">{'gemiddeld' if nl else 'mean'}"
                f"</th><th scope=\"col\">10-90 %</th></tr></thead><tbody>{lettings}</tbody></table></section>")
    rules = "".join(f"<tr><th scope=\"row\">{esc(r['rule'])}</th><td>{r['lettings']['mean']}</td>"
                    f"<td>{r['candidates']['mean']}</td></tr>" for r in result["rules"])
    body.append(f"<section><h2>{'Regels' if nl else 'Rules'}</h2><table><caption>"
                f"{'Hoe vaak besliste elke regel, gemiddeld per run' if nl else 'How often each rule decided, mean per run'}"
                f"</caption><thead><tr><th scope=\"col\">{'regel' if nl else 'rule'}</th><th scope=\"col\">"
                f"{'verhuringen' if nl else 'lettings'}</th><th scope=\"col\">{'kandidaten' if nl else 'candidates'}</th>"
                f"</tr></thead><tbody>{rules}</tbody></table></section></main>")
    return page(title, "\n".join(body), lang, {"name": "magicmix", "version": __version__})
