"""Report stage: decisions, room tables, diagnostics and the fact reference as text, Markdown or JSON."""

from __future__ import annotations

import json

from .annotations import workflow_command
from ..diagnostics import Diagnostic
from .escape import md_code, md_text, terminal_text
from ..engine.explain import ConditionResult, Decision, RuleResult, undecided_text
from ..lang.facts import HIDDEN_FACTS
from ..model.levels import level_word
from .messages import capital, say
from ..model.policy import OUTCOME_LABELS, PLACEMENT, RuleKind
from .summary import outcome_word, reasons, summary_lines
from .wording import Labels, condition_sentence, labels_of

_STATUS = {k: (say(f"status.{k}", "nl"), say(f"status.{k}", "en")) for k in ("fired", "not_fired", "not_applicable")}
_RESULT = {k: (say(f"result.{k}", "nl"), say(f"result.{k}", "en")) for k in ("true", "false", "unknown")}


def _t(pair, lang: str) -> str:
    return pair[0] if lang == "nl" else pair[1]


def to_json(data) -> str:
    """Deterministic JSON (sorted keys, UTF-8 kept)."""
    return json.dumps(data, ensure_ascii=False, sort_keys=True, indent=2)


def md_cell(text) -> str:
    """Text from data safe inside a Markdown table cell (escape.md_text: no HTML, image, link, mention or pipe)."""
    return md_text(text)


def _cond_line(c: ConditionResult, lang: str, cat: str, labels: Labels) -> str:
    if c.op is not None:
        values = f"{shown(c.left, lang)} {c.op} {shown(c.right, lang)}"
    else:
        values = ", ".join(f"{v.expr} = {shown(v, lang)}" for v in c.facts)
    result = say(f"result.{c.result}", lang)
    reason = f" ({c.reason[lang]})" if c.reason else ""
    # the words say what is the case (a condition that fails, negated); waar/onwaar goes with the condition as written
    words = condition_sentence(c, cat, labels, lang, negate=c.result == "false") if c.result != "unknown" else c.text
    return f"{words}\n        {c.text}{':  ' + values if values else ''}  -> {result}{reason}"


def rule_heading(r: RuleResult, lang: str) -> str:
    """'Bovengrens van het complex (complex-plafond) · advies, complex, ontraden': title, id and labels."""
    kind = RuleKind(r.kind).label[0 if lang == "nl" else 1]
    return f"{r.title[lang]} ({r.id}) · {kind}, {level_word(r.level, lang)}, {outcome_word(r.outcome, lang)}"


def decision_text(d: Decision, lang: str = "nl", details: bool = True, labels: Labels | None = None) -> str:
    """A decision as plain text: the summary first; with details every rule with its values, what would
    change the outcome, and the room per group."""
    labels = labels or labels_of(d)
    lines = list(summary_lines(d, lang, labels))
    h = d.inputs["household"]
    lines += ["", say("report.policy_line", lang, policy=d.policy["id"], version=d.policy["version"],
                      hash=d.policy["content_hash"][:19], household=h["id"])]
    if not details:
        lines.append(say("report.details_hint", lang))
        return terminal_text("\n".join(lines) + "\n", keep="\n")
    lines += ["", say("report.details", lang)]
    undecided = undecided_text(d)
    if undecided:
        lines.append(undecided[lang])
    if d.outcome == PLACEMENT:  # a route places the household: the mix rules that fired only inform
        info = ", ".join(r.id for r in d.rules if r.status == "fired" and r.kind != "legal") or "-"
        lines.append(say("report.placement", lang, route=h.get("route"), rules=info))
    else:
        lines.append(say("report.deciding", lang, rules=", ".join(d.deciding_rules)) if d.deciding_rules
                     else say("report.no_rule_fired", lang))
    lines.append("")
    lines.append(say("report.rules", lang) + ":")
    for r in d.rules:
        lines.extend(_rule_text(r, lang, h["category"], labels))
    if d.changes:
        lines.append("")
        lines.append(say("report.changes", lang) + ":")
        lines.extend(f"  - {c.text[lang]}" for c in d.changes)
    if d.room:
        lines.append("")
        lines.append(say("report.room_heading", lang) + ":")
        lines.extend(f"  - {t}" for t in room_texts(d, lang, labels))
    return terminal_text("\n".join(lines) + "\n", keep="\n")


def room_texts(d: Decision, lang: str, labels: Labels | None = None) -> list[str]:
    """The room lines in words, with proper singular and plural: 'ruimte voor nog 1 huishouden X in het portiek'."""
    labels = labels or labels_of(d)
    minimum = next((v.display[lang] for r in d.rules for c in r.applies_when + r.conditions
                    for v in (c.right, c.left) if v is not None and v.expr == "profile.min_households"), "?")
    occupied = {(lc.level, lc.group): lc.occupied_now for lc in d.composition}
    out = []
    for r in d.room:
        where, cat = labels.the_level(r.level, lang), labels.category(r.category, lang)
        if r.room is None:
            n = occupied.get((r.level, r.group), 0)
            out.append(say("room.not_judged", lang, category=cat, where=where, minimum=minimum,
                           households=say("count.households", lang, n=n)))
        else:
            out.append(say("room.line", lang, n=r.room, category=cat, where=where))
    return out


def _rule_text(r: RuleResult, lang: str, cat: str, labels: Labels) -> list[str]:
    mark = "*" if r.deciding else " "
    out = [f" {mark}[{say(f'status.{r.status}', lang)}] {rule_heading(r, lang)}  {r.source}"]
    for c in r.applies_when:
        out.append(f"      {say('report.applies_when', lang)}: {_cond_line(c, lang, cat, labels)}")
    for c in r.conditions:
        out.append(f"      {say('report.condition', lang)}: {_cond_line(c, lang, cat, labels)}")
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
        return say("report.hidden", lang)
    return value.display[lang]


def decision_markdown(d: Decision, lang: str = "nl", labels: Labels | None = None) -> str:
    """A decision as Markdown: the summary, then the detail: inputs, rule table, what would change the outcome, room."""
    labels = labels or labels_of(d)
    i = d.inputs
    h = i["household"]
    undecided = undecided_text(d)
    lines = summary_lines(d, lang, labels)
    who = capital(lines[0].split(" · ", 1)[-1]) + "."  # the advice is the heading; the household, home and date follow it
    out = [f"# {say('report.advice', lang)}: {outcome_word(d.outcome, lang)}", ""]
    out += [md_cell(line) + "  " for line in (who, *lines[1:])] + [""]
    out += [f"## {say('report.details', lang)}", ""]
    if undecided:
        out += [md_cell(undecided[lang]), ""]
    cat = labels.category(h["category"], lang)
    out += [
           f"| {say('report.item', lang)} | {say('report.value', lang)} |", "|---|---|",
           f"| {say('report.household', lang)} | {md_cell(h['id'])} ({md_cell(cat)}, "
           f"{md_cell(say('count.persons', lang, n=h['size']))}) |",
           f"| {say('report.home', lang)} | {md_cell(i['unit'])} |",
           f"| Complex / portiek / buurt | {md_cell(i['complex'])} / {md_cell(i['portiek'])} / "
           f"{md_cell(labels.group(i['buurt']))} ({md_cell(i['buurt'])}) |",
           f"| {say('report.date', lang)} | {md_cell(i['date'])} |",
           f"| {say('report.policy', lang)} | {md_cell(d.policy['id'])} {md_cell(d.policy['version'])} "
           f"{md_code(d.policy['content_hash'][:19])} |",
           f"| {say('report.deciding_heading', lang)} | {md_cell(', '.join(d.deciding_rules) or '-')} |", "",
           f"## {say('report.rules', lang)}", "",
           f"| {say('report.rule', lang)} | Status | {say('report.values', lang)} | {say('report.source', lang)} |",
           "|---|---|---|---|"]
    for r in d.rules:
        vals = "<br>".join(
            md_cell(condition_sentence(c, h["category"], labels, lang, negate=c.result == "false")
                    if c.result != "unknown" else c.text) + ": "
            + (f"{md_code(c.left.expr)} {md_cell(shown(c.left, lang))} {md_cell(c.op)} {md_code(c.right.expr)} "
               f"{md_cell(shown(c.right, lang))}"
               if c.op else f"{md_code(c.text)} (" + ", ".join(f"{md_cell(v.expr)} = {md_cell(shown(v, lang))}"
                                                              for v in c.facts) + ")")
            + f" → {say(f'result.{c.result}', lang)}"
            for c in r.applies_when + r.conditions)
        status = say(f"status.{r.status}", lang) + (f" **({say('report.deciding_word', lang)})**" if r.deciding else "")
        out.append(f"| {md_cell(rule_heading(r, lang))} | {status} | {vals} | {md_code(r.source)} |")
    if d.changes:
        out += ["", f"## {say('report.changes', lang)}", ""]
        out += [f"- {md_cell(c.text[lang])}" for c in d.changes]
    if d.room:
        out += ["", f"## {say('report.room', lang)}", ""]
        out += [f"- {md_cell(t)}" for t in room_texts(d, lang, labels)]
    return "\n".join(out) + "\n"


def diagnostics_text(diags: list[Diagnostic], lang: str) -> str:
    """One line per diagnostic and a closing count."""
    errors = sum(d.severity == "error" for d in diags)
    warnings = len(diags) - errors
    lines = [d.format(lang) for d in diags]
    lines.append(say("report.diagnostics_count", lang, errors=say("count.errors", lang, n=errors),
                     warnings=say("count.warnings", lang, n=warnings)))
    return terminal_text("\n".join(lines) + "\n", keep="\n")


def diagnostics_github(diags: list[Diagnostic], lang: str) -> str:
    """GitHub Actions annotation lines (::error file=...,line=...,col=...,title=code::message)."""
    out = [workflow_command("error" if d.severity == "error" else "warning",
                            {"file": d.file, "line": d.line, "col": d.column if d.line is not None else None,
                             "title": d.code}, d.message(lang)) for d in diags]
    return "\n".join(out) + ("\n" if out else "")


def candidate_reason(c, lang: str, labels: Labels | None = None) -> str:
    """A candidate's reason in domain words: the summary's deciding sentences of its decision."""
    return " ".join(reasons(c.decision, lang, labels)) if c.decision is not None else c.reason[lang]


def ranking_text(r, lang: str = "nl", top: int = 3, details: bool = False, labels: Labels | None = None) -> str:
    """A ranking as text: one line per candidate, the dropped ones with their reason, the summary of the top
    (with details: their full explanations)."""
    label = {o: outcome_word(o, lang) for o in OUTCOME_LABELS}
    order = ", ".join(label[o] for o in r.strategy["order"])
    lines = [say("ranking.title", lang, unit=r.unit, date=r.date, policy=r.policy.get("id"),
                 version=r.policy.get("version")), say("ranking.order", lang, order=order), ""]
    header = tuple(say(f"ranking.col.{k}", lang) for k in ("rank", "portal", "household", "advice", "reason"))
    rows = [header] + [(str(c.rank), str(c.position), c.household, label[c.outcome], candidate_reason(c, lang, labels))
                       for c in r.ranked]
    if r.dropped:
        rows += [("-", str(c.position), c.household, label[c.outcome], candidate_reason(c, lang, labels))
                 for c in r.dropped]
    widths = [max(len(row[i]) for row in rows) for i in range(4)]
    for row in rows:
        lines.append("  ".join(cell.ljust(w) for cell, w in zip(row[:4], widths)) + "  " + row[4])
    if r.dropped:
        lines.append("")
        lines.append(say("ranking.dropped", lang) + ": " + ", ".join(label[o] for o in r.strategy["drop"]))
    for c in r.ranked[:top]:
        lines.append("")
        lines.append(f"--- {say('ranking.col.rank', lang)} {c.rank}: {c.household} ---")
        lines.append(decision_text(c.decision, lang, details, labels).rstrip("\n"))
    return terminal_text("\n".join(lines) + "\n", keep="\n")


def ranking_markdown(r, lang: str = "nl", top: int = 3, labels: Labels | None = None) -> str:
    """A ranking as Markdown: a table of candidates, then the full explanation of the top ones."""
    label = {o: outcome_word(o, lang) for o in OUTCOME_LABELS}
    out = [f"# {say('ranking.heading', lang)} {md_cell(r.unit)}", "",
           f"{say('report.date', lang)}: {md_cell(r.date)} · {say('report.policy', lang)}: {md_cell(r.policy.get('id'))} "
           f"{md_cell(r.policy.get('version'))}", "",
           "| " + " | ".join(capital(say(f"ranking.col.{k}", lang))
                            for k in ("rank", "portal", "household", "advice", "reason")) + " |", "|---|---|---|---|---|"]
    for c in list(r.ranked) + list(r.dropped):
        out.append(f"| {md_cell(c.rank or '-')} | {md_cell(c.position)} | {md_cell(c.household)} | {label[c.outcome]} | "
                   f"{md_cell(candidate_reason(c, lang, labels))} |")
    for c in r.ranked[:top]:
        who = f"{md_cell(c.rank)}: {md_cell(c.household)}"
        out += ["", "<details><summary>" + capital(say("ranking.col.rank", lang)) + f" {who}"
                + "</summary>", "", decision_markdown(c.decision, lang, labels).replace("# ", "### ", 1), "</details>"]
    return "\n".join(out) + "\n"
