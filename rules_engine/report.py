"""Report stage: decisions, room tables, diagnostics and the fact reference as text, Markdown or JSON."""

from __future__ import annotations

import json

from .annotations import workflow_command
from .diagnostics import Diagnostic
from .escape import md_code, md_text, terminal_text
from .explain import ConditionResult, Decision, RuleResult, undecided_text
from .facts import HIDDEN_FACTS
from .levels import level_word
from .model import OUTCOME_LABELS, PLACEMENT, RuleKind

_STATUS = {
    "fired": ("vuurt", "fired"),
    "not_fired": ("vuurt niet", "not fired"),
    "not_applicable": ("n.v.t.", "not applicable"),
}
_RESULT = {"true": ("waar", "true"), "false": ("onwaar", "false"), "unknown": ("onbekend", "unknown")}


def _t(pair, lang: str) -> str:
    return pair[0] if lang == "nl" else pair[1]


def to_json(data) -> str:
    """Deterministic JSON (sorted keys, UTF-8 kept)."""
    return json.dumps(data, ensure_ascii=False, sort_keys=True, indent=2)


def md_cell(text) -> str:
    """Text from data safe inside a Markdown table cell (escape.md_text: no HTML, image, link, mention or pipe)."""
    return md_text(text)


def _cond_line(c: ConditionResult, lang: str) -> str:
    if c.op is not None:
        values = f"{shown(c.left, lang)} {c.op} {shown(c.right, lang)}"
    else:
        values = ", ".join(f"{v.expr} = {shown(v, lang)}" for v in c.facts)
    result = _t(_RESULT[c.result], lang)
    reason = f" ({c.reason[lang]})" if c.reason else ""
    return f"{c.text}\n        {values + '  ' if values else ''}-> {result}{reason}"


def decision_text(d: Decision, lang: str = "nl") -> str:
    """A decision as plain text: outcome, every rule with values, what would change it, and room."""
    nl = lang == "nl"
    i = d.inputs
    h = i["household"]
    undecided = undecided_text(d)
    lines = [
        f"{'Advies' if nl else 'Advice'}: {d.outcome_label[lang].upper()}"
        + (f" ({undecided[lang]})" if undecided else ""),
        (f"Huishouden {h['id']} ({h['category']}, {h['size']} pers.) voor woning {i['unit']} "
         f"(complex {i['complex']}, portiek {i['portiek'].split('/', 1)[1]}, buurt {i['buurt']}) op {i['date']}")
        if nl else
        (f"Household {h['id']} ({h['category']}, {h['size']} pers.) for home {i['unit']} "
         f"(complex {i['complex']}, portiek {i['portiek'].split('/', 1)[1]}, buurt {i['buurt']}) on {i['date']}"),
        f"{'Beleid' if nl else 'Policy'} {d.policy['id']} {d.policy['version']} ({d.policy['content_hash'][:19]})",
    ]
    if d.outcome == PLACEMENT:  # a route places the household: the mix rules that fired only inform
        info = ", ".join(r.id for r in d.rules if r.status == "fired" and r.kind != "legal") or "-"
        lines.append(f"Plaatsing via route {h.get('route')}; mixregels ter informatie (vuren): {info}" if nl
                     else f"Placement through route {h.get('route')}; mix rules as information (fired): {info}")
    elif d.deciding_rules:
        lines.append(f"{'Beslissend' if nl else 'Deciding'}: {', '.join(d.deciding_rules)}")
    else:
        lines.append("Geen regel vuurt: standaardadvies passend." if nl else "No rule fired: default advice suitable.")
    lines.append("")
    lines.append("Regels:" if nl else "Rules:")
    for r in d.rules:
        lines.extend(_rule_text(r, lang))
    if d.changes:
        lines.append("")
        lines.append("Wat verandert de uitkomst:" if nl else "What would change the outcome:")
        lines.extend(f"  - {c.text[lang]}" for c in d.changes)
    if d.room:
        lines.append("")
        lines.append("Ruimte (voor de band of limiet wordt overschreden):" if nl
                     else "Room (before the band or limit is exceeded):")
        lines.extend(f"  - {r.text[lang]}" for r in d.room)
    return terminal_text("\n".join(lines) + "\n", keep="\n")


def _rule_text(r: RuleResult, lang: str) -> list[str]:
    mark = "*" if r.deciding else " "
    kind = RuleKind(r.kind).label[0 if lang == "nl" else 1]
    out = [f" {mark}[{_t(_STATUS[r.status], lang)}] {r.id}: {r.title[lang]} "
           f"({kind}, {level_word(r.level, lang)}, {r.outcome})  {r.source}"]
    for c in r.applies_when:
        out.append(f"      {'geldt als' if lang == 'nl' else 'applies when'}: {_cond_line(c, lang)}")
    for c in r.conditions:
        out.append(f"      {'voorwaarde' if lang == 'nl' else 'condition'}: {_cond_line(c, lang)}")
    if r.reason:
        out.append(f"      {r.reason[lang]}")
    if r.text:
        out.append(f"      {r.text[lang]}")
    return out




def shown(value, lang: str) -> str:
    """A value as shown in a report ('(verborgen)' for hidden facts)."""
    if value is None:
        return ""
    if value.expr in HIDDEN_FACTS:
        return "(verborgen)" if lang == "nl" else "(hidden)"
    return value.display[lang]


def decision_markdown(d: Decision, lang: str = "nl") -> str:
    """A decision as Markdown: summary, rule table, what would change the outcome, room."""
    nl = lang == "nl"
    i = d.inputs
    h = i["household"]
    undecided = undecided_text(d)
    out = [f"# {'Advies' if nl else 'Advice'}: {d.outcome_label[lang]}", ""]
    if undecided:
        out += [md_cell(undecided[lang]), ""]
    out += [
           f"| {'Gegeven' if nl else 'Item'} | {'Waarde' if nl else 'Value'} |", "|---|---|",
           f"| {'Huishouden' if nl else 'Household'} | {md_cell(h['id'])} ({md_cell(h['category'])}, {md_cell(h['size'])}) |",
           f"| {'Woning' if nl else 'Home'} | {md_cell(i['unit'])} |",
           f"| Complex / portiek / buurt | {md_cell(i['complex'])} / {md_cell(i['portiek'])} / {md_cell(i['buurt'])} |",
           f"| {'Datum' if nl else 'Date'} | {md_cell(i['date'])} |",
           f"| {'Beleid' if nl else 'Policy'} | {md_cell(d.policy['id'])} {md_cell(d.policy['version'])} "
           f"{md_code(d.policy['content_hash'][:19])} |",
           f"| {'Beslissend' if nl else 'Deciding'} | {md_cell(', '.join(d.deciding_rules) or '-')} |", "",
           f"## {'Regels' if nl else 'Rules'}", "",
           f"| {'Regel' if nl else 'Rule'} | Status | {'Waarden' if nl else 'Values'} | {'Bron' if nl else 'Source'} |",
           "|---|---|---|---|"]
    for r in d.rules:
        vals = "<br>".join(
            (f"{md_code(c.left.expr)} {md_cell(shown(c.left, lang))} {md_cell(c.op)} {md_code(c.right.expr)} "
             f"{md_cell(shown(c.right, lang))}"
             if c.op else f"{md_code(c.text)} (" + ", ".join(f"{md_cell(v.expr)} = {md_cell(shown(v, lang))}"
                                                            for v in c.facts) + ")")
            + f" → {_t(_RESULT[c.result], lang)}"
            for c in r.applies_when + r.conditions)
        status = _t(_STATUS[r.status], lang) + (" **(beslissend)**" if nl and r.deciding else
                                                " **(deciding)**" if r.deciding else "")
        out.append(f"| {md_cell(r.id)}: {md_cell(r.title[lang])} | {status} | {vals} | {md_code(r.source)} |")
    if d.changes:
        out += ["", f"## {'Wat verandert de uitkomst' if nl else 'What would change the outcome'}", ""]
        out += [f"- {md_cell(c.text[lang])}" for c in d.changes]
    if d.room:
        out += ["", f"## {'Ruimte' if nl else 'Room'}", ""]
        out += [f"- {md_cell(r.text[lang])}" for r in d.room]
    return "\n".join(out) + "\n"


def diagnostics_text(diags: list[Diagnostic], lang: str) -> str:
    """One line per diagnostic and a closing count."""
    errors = sum(d.severity == "error" for d in diags)
    warnings = len(diags) - errors
    lines = [d.format(lang) for d in diags]
    if lang == "nl":
        lines.append(f"{errors} fout(en), {warnings} waarschuwing(en)")
    else:
        lines.append(f"{errors} error(s), {warnings} warning(s)")
    return terminal_text("\n".join(lines) + "\n", keep="\n")


def diagnostics_github(diags: list[Diagnostic], lang: str) -> str:
    """GitHub Actions annotation lines (::error file=...,line=...,col=...,title=code::message)."""
    out = [workflow_command("error" if d.severity == "error" else "warning",
                            {"file": d.file, "line": d.line, "col": d.column if d.line is not None else None,
                             "title": d.code}, d.message(lang)) for d in diags]
    return "\n".join(out) + ("\n" if out else "")


def ranking_text(r, lang: str = "nl", top: int = 3) -> str:
    """A ranking as text: one line per candidate, the dropped ones with their reason, full explanations of the top."""
    nl = lang == "nl"
    label = {o: (a if nl else b) for o, (a, b) in OUTCOME_LABELS.items()}
    order = ", ".join(label[o] for o in r.strategy["order"])
    lines = [f"{'Rangorde voor woning' if nl else 'Ranking for home'} {r.unit} {'op' if nl else 'on'} {r.date} "
             f"({'beleid' if nl else 'policy'} {r.policy.get('id')} {r.policy.get('version')})",
             (f"Volgorde: {order}; binnen een groep de volgorde van het portaal." if nl
              else f"Order: {order}; inside each group the portal order."), ""]
    header = ("rang", "portaal", "huishouden", "advies", "reden") if nl else ("rank", "portal", "household", "advice", "reason")
    rows = [header] + [(str(c.rank), str(c.position), c.household, label[c.outcome], c.reason[lang]) for c in r.ranked]
    if r.dropped:
        rows += [("-", str(c.position), c.household, label[c.outcome], c.reason[lang]) for c in r.dropped]
    widths = [max(len(row[i]) for row in rows) for i in range(4)]
    for row in rows:
        lines.append("  ".join(cell.ljust(w) for cell, w in zip(row[:4], widths)) + "  " + row[4])
    if r.dropped:
        lines.append("")
        lines.append(("Valt af: " if nl else "Dropped: ") + ", ".join(label[o] for o in r.strategy["drop"]))
    for c in r.ranked[:top]:
        lines.append("")
        lines.append(f"--- {'rang' if nl else 'rank'} {c.rank}: {c.household} ---")
        lines.append(decision_text(c.decision, lang).rstrip("\n"))
    return terminal_text("\n".join(lines) + "\n", keep="\n")


def ranking_markdown(r, lang: str = "nl", top: int = 3) -> str:
    """A ranking as Markdown: a table of candidates, then the full explanation of the top ones."""
    nl = lang == "nl"
    label = {o: (a if nl else b) for o, (a, b) in OUTCOME_LABELS.items()}
    out = [f"# {'Rangorde voor woning' if nl else 'Ranking for home'} {md_cell(r.unit)}", "",
           f"{'Datum' if nl else 'Date'}: {md_cell(r.date)} · {'Beleid' if nl else 'Policy'}: {md_cell(r.policy.get('id'))} "
           f"{md_cell(r.policy.get('version'))}", "",
           "| " + " | ".join(("Rang", "Portaal", "Huishouden", "Advies", "Reden") if nl
                            else ("Rank", "Portal", "Household", "Advice", "Reason")) + " |", "|---|---|---|---|---|"]
    for c in list(r.ranked) + list(r.dropped):
        out.append(f"| {md_cell(c.rank or '-')} | {md_cell(c.position)} | {md_cell(c.household)} | {label[c.outcome]} | "
                   f"{md_cell(c.reason[lang])} |")
    for c in r.ranked[:top]:
        who = f"{md_cell(c.rank)}: {md_cell(c.household)}"
        out += ["", "<details><summary>" + (f"Rang {who}" if nl else f"Rank {who}")
                + "</summary>", "", decision_markdown(c.decision, lang).replace("# ", "### ", 1), "</details>"]
    return "\n".join(out) + "\n"
