"""A simulation's result as text, JSON and CSV (the HTML report is in simulate/html.py)."""

from __future__ import annotations

import csv
import io
from fractions import Fraction

from ..render.escape import csv_cell, terminal_text
from ..render.numbers import format_number
from ..render.report import to_json

FORMATS = ("text", "json", "csv", "html")


def pct(value: float | None, lang: str) -> str:
    """A share (0..1) as '35,0 %' (nl) or '35.0%' (en); '-' when unknown."""
    if value is None:
        return "-"
    text = format_number(Fraction(str(value)) * 100, 1, lang)
    return f"{text} %" if lang == "nl" else f"{text}%"


def num(value: float | int, lang: str) -> str:
    """A mean such as 71.4 written the language's way (71,4 in Dutch)."""
    return format_number(Fraction(str(value)), 0 if float(value).is_integer() else 2, lang).rstrip("0").rstrip(",.") \
        if not float(value).is_integer() else format_number(Fraction(str(value)), 0, lang)


def years_text(y: dict, years: int, lang: str) -> str:
    """'median 3 (10-90 %: 1-7), 80 % of runs' for the years until inside the band."""
    nl = lang == "nl"

    def one(v):
        return (f">{years}" if v is None else str(v))
    reached = pct(y["reached"], lang)
    if y["median"] is None:
        return (f"niet binnen {years} jaar (in {reached} van de runs wel)" if nl
                else f"not within {years} years (reached in {reached} of runs)")
    return (f"{one(y['median'])} jaar (10-90 %: {one(y['p10'])}-{one(y['p90'])}; in {reached} van de runs)" if nl
            else f"{one(y['median'])} years (10-90%: {one(y['p10'])}-{one(y['p90'])}; in {reached} of runs)")


def _label(result: dict, c: str, lang: str) -> str:
    return result["labels"][c][lang]


def simulation_text(result: dict, lang: str = "nl") -> str:
    """The result for a terminal: per group the last year's shares against the band, years until inside it;
    then lettings per category and how often each rule decided."""
    nl, cats, years = lang == "nl", result["categories"], result["years"]
    out = [f"{'Simulatie' if nl else 'Simulation'} {result['policy']['id']} {result['policy']['version']} · "
           f"{result['runs']} runs · {years} {'jaar' if nl else 'years'} {'vanaf' if nl else 'from'} {result['start']} · "
           f"seed {result['seed']}", ""]
    head = ("niveau" if nl else "level", "groep" if nl else "group", "woningen" if nl else "homes",
            *[_label(result, c, lang) for c in cats], "binnen de band na" if nl else "inside the band after")
    table = [head]
    for g in result["groups"]:
        row = [g["level"], f"{g['key']} {g['name']}", str(g["homes"])]
        for c in cats:
            s = g["shares"][c]
            band = g["band"].get(c)
            band_text = f" [{pct(band[0], lang)}-{pct(band[1], lang)}]" if band else ""
            row.append(f"{pct(s['median'][-1], lang)} ({pct(s['p10'][-1], lang)}-{pct(s['p90'][-1], lang)}){band_text}")
        row.append(years_text(g["years_to_band"], years, lang))
        table.append(row)
    widths = [max(len(r[i]) for r in table) for i in range(len(head))]
    out += ["  ".join(cell.ljust(w) for cell, w in zip(r, widths)).rstrip() for r in table]
    out += ["", ("aandeel in het laatste jaar: mediaan (10-90 % van de runs) [band]" if nl
                 else "share in the last year: median (10-90% of runs) [band]"), ""]
    let = result["lettings"]
    out.append("Verhuringen per run (gemiddeld; mediaan, 10-90 %):" if nl else "Lettings per run (mean; median, 10-90%):")
    for c in cats:
        v, r = let["per_category"][c], let["through_routes"][c]
        routed = f", {'via routes' if nl else 'through routes'} {num(r['mean'], lang)}" if r["mean"] else ""
        out.append(f"  {_label(result, c, lang)}: {num(v['mean'], lang)} ({v['median']}; {v['p10']}-{v['p90']}){routed}")
    waiting = let["months_without_eligible_candidate"]["mean"]
    out.append(f"  {'maanden zonder passende kandidaat' if nl else 'months without an eligible candidate'}: {num(waiting, lang)}")
    out += ["", "Hoe vaak besliste elke regel (gemiddeld per run):" if nl else "How often each rule decided (mean per run):"]
    for r in result["rules"]:
        out.append(f"  {r['rule']}: {num(r['lettings']['mean'], lang)} {'verhuringen' if nl else 'lettings'}, "
                   f"{num(r['candidates']['mean'], lang)} {'kandidaten' if nl else 'candidates'}")
    if "compare" in result:
        out += ["", *compare_lines(result["compare"], result, lang)]
    return terminal_text("\n".join(out) + "\n", keep="\n")


def compare_lines(diff: dict, result: dict, lang: str) -> list[str]:
    """The difference with the other policy, one line per group."""
    nl = lang == "nl"
    out = [f"{'Verschil met' if nl else 'Difference with'} {diff['other_policy']['id']} {diff['other_policy']['version']} "
           f"({'ander min dit beleid, mediaan in het laatste jaar' if nl else 'other minus this policy, median in the last year'}):"]
    for g in diff["groups"]:
        shares = ", ".join(f"{_label(result, c, lang)} {'+' if v > 0 else ''}{format_number(Fraction(str(v)) * 100, 1, lang)}"
                           for c, v in g["share_last_year"].items())
        y = g["years_to_band"]
        out.append(f"  {g['level']} {g['key']}: {shares} {'procentpunt' if nl else 'percentage points'}; "
                   f"{'jaren tot de band' if nl else 'years to band'} {y['base']} -> {y['other']}")
    return out


def simulation_json(result: dict) -> str:
    """Deterministic JSON (sorted keys): byte-identical for the same policy, model and seed."""
    return to_json(result) + "\n"


def simulation_csv(result: dict) -> str:
    """One row per group, year and category: the shares' 10 %, median and 90 % over the runs, and the band."""
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    w.writerow(["level", "group", "name", "year", "category", "p10", "median", "p90", "band_low", "band_high"])
    start = int(result["start"][:4])
    for g in result["groups"]:
        for c in result["categories"]:
            s, band = g["shares"][c], g["band"].get(c, [None, None])
            for t in range(result["years"] + 1):
                w.writerow([csv_cell("" if x is None else x) for x in (g["level"], g["key"], g["name"], start + t, c, s["p10"][t],
                                                  s["median"][t], s["p90"][t], band[0], band[1])])
    return buf.getvalue()
