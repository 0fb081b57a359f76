"""A simulation's result as an HTML report: per buurt a chart per category (median line, 10-90 % range,
the band's limits) with a table as its text alternative; the complexes in a table.

Colours are the report's own (report_html): lines and limits at least 3:1 against white, text 4.5:1.
"""

from __future__ import annotations

from ..render.escape import html_text as esc
from ..render.report_html import page
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
    for t, anchor in ((0, "start"), (years, "end")):
        x, _ = _xy(t, 0, years)
        parts.append(f'<text x="{x}" y="{H - 8}" text-anchor="{anchor}">{start + t}</text>')
    parts.append("</svg>")
    return (f'<figure style="display:inline-block;margin:0 1rem 1rem 0"><figcaption><strong>{esc(label)}</strong>'
            f"</figcaption>{''.join(parts)}</figure>")


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


_WORDS = {
    "median": ("mediaan", "median"), "range": ("10-90 % van de runs", "10-90% of runs"),
    "limits": ("grenzen van de band", "limits of the band"), "from": ("jaar vanaf", "years from"),
    "homes": ("woningen", "homes"), "after": ("Binnen de band na", "Inside the band after"),
    "figures": ("Cijfers", "Figures"), "complexes": ("Complexen", "Complexes"), "complex": ("complex", "complex"),
    "last": ("Mediaan aandeel in het laatste jaar", "Median share in the last year"),
    "inside": ("binnen de band na", "inside the band after"), "lettings": ("Verhuringen", "Lettings"),
    "per_category": ("Verhuringen per categorie per run", "Lettings per category per run"),
    "category": ("categorie", "category"), "mean": ("gemiddeld", "mean"), "rules": ("Regels", "Rules"),
    "rules_caption": ("Hoe vaak besliste elke regel, gemiddeld per run", "How often each rule decided, mean per run"),
    "rule": ("regel", "rule"), "let": ("verhuringen", "lettings"), "candidates": ("kandidaten", "candidates"),
}


def _w(key: str, lang: str) -> str:
    return _WORDS[key][0 if lang == "nl" else 1]


def _section(title: str, caption: str, head: list[str], rows: list[list[str]]) -> str:
    """A section with one table: escaped title, caption and header; rows of HTML cells, the first a row header."""
    ths = "".join(f'<th scope="col">{esc(h)}</th>' for h in head)
    trs = "".join(f'<tr><th scope="row">{r[0]}</th>' + "".join(f"<td>{c}</td>" for c in r[1:]) + "</tr>" for r in rows)
    return (f"<section><h2>{esc(title)}</h2><table><caption>{esc(caption)}</caption><thead><tr>{ths}</tr></thead>"
            f"<tbody>{trs}</tbody></table></section>")


def simulation_html(result: dict, lang: str = "nl") -> str:
    """The whole report as one self-contained, accessible page."""
    years, cats, labels = result["years"], result["categories"], result["labels"]
    title = f"{'Simulatie' if lang == 'nl' else 'Simulation'} {result['policy']['id']} {result['policy']['version']}"
    legend = (f'<p class="legend"><span><i style="background:{MEDIAN}"></i>{_w("median", lang)}</span>'
              f'<span><i style="background:{RANGE};outline:1px solid {MEDIAN}"></i>{_w("range", lang)}</span>'
              f'<span><i style="background:{LIMIT}"></i>{_w("limits", lang)}</span></p>')
    body = [f"<main><h1>{esc(title)}</h1>",
            f'<p class="meta">{result["runs"]} runs · {years} {_w("from", lang)} {esc(result["start"])} · '
            f'seed {result["seed"]}</p>', legend]
    complexes = []
    for g in result["groups"]:
        if g["level"] != "buurt":
            complexes.append(g)
            continue
        body.append(f'<section><h2>{esc(g["name"])} ({esc(g["key"])}, {g["homes"]} {_w("homes", lang)})</h2>'
                    f'<p>{_w("after", lang)}: {esc(years_text(g["years_to_band"], years, lang))}</p>'
                    + "".join(chart(result, g, c, lang) for c in cats)
                    + f"<details><summary>{_w('figures', lang)}</summary>{_table(result, g, lang)}</details></section>")
    if complexes:
        rows = [[f"{esc(g['key'])} {esc(g['name'])}", str(g["homes"]),
                 *[esc(pct(g["shares"][c]["median"][-1], lang)) for c in cats],
                 esc(years_text(g["years_to_band"], years, lang))] for g in complexes]
        body.append(_section(_w("complexes", lang), _w("last", lang),
                             [_w("complex", lang), _w("homes", lang), *[labels[c][lang] for c in cats],
                              _w("inside", lang)], rows))
    let = result["lettings"]["per_category"]
    body.append(_section(_w("lettings", lang), _w("per_category", lang), [_w("category", lang), _w("mean", lang), "10-90 %"],
                         [[esc(labels[c][lang]), str(let[c]["mean"]), f"{let[c]['p10']}-{let[c]['p90']}"] for c in cats]))
    body.append(_section(_w("rules", lang), _w("rules_caption", lang),
                         [_w("rule", lang), _w("let", lang), _w("candidates", lang)],
                         [[esc(r["rule"]), str(r["lettings"]["mean"]), str(r["candidates"]["mean"])]
                          for r in result["rules"]]) + "</main>")
    return page(title, "\n".join(body), lang, {"name": "magicmix", "version": __version__})
