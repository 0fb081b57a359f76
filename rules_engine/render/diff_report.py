"""Report stage of `magicmix diff`: the semantic diff and its impact as text, JSON or Markdown (for a PR comment)."""

from __future__ import annotations

from dataclasses import asdict

from ..engine.explain import ConditionResult
from ..change.impact import Flip, Impact
from ..model.policy import OUTCOME_LABELS
from .messages import say
from .numbers import format_plain
from ..change.policy_diff import PolicyDiff, grouped
from .escape import md_code, terminal_text
from .report import _RESULT, _STATUS as _RULE_STATUS, HIDDEN_FACTS, _t, md_cell, shown, to_json

_STATUS = {**_RULE_STATUS, None: ("bestaat niet", "does not exist")}  # None: the rule is not in that version
_CHANGE = {"added": ("nieuw", "added"), "removed": ("vervallen", "removed"), "changed": ("gewijzigd", "changed")}
_SECTION = {"metadata": ("beleid", "policy"), "categories": ("categorieën", "categories"),
            "parameters": ("parameters", "parameters"), "mix": ("mix", "mix"), "complexes": ("complexen", "complexes"),
            "units": ("woningen", "homes"), "rules": ("regels", "rules"), "definitions": ("definities", "definitions"),
            "ranking": ("rangorde", "ranking")}
_SOURCE = {"tests": ("tests", "tests"), "log": ("beslislog", "decision log"), "rows": ("invoerbestand", "input file"),
           "sample": ("steekproef", "sample")}
_SUBJECTS_SHOWN = 8
CHANGES_SHOWN = 100
"""Kinds of change shown in text and Markdown (a yearly rent increase changes every home); JSON lists all."""


def _section_counts(diff: PolicyDiff) -> list[tuple[str, int]]:
    counts: dict = {}
    for item in diff.meaningful:
        counts[item.section] = counts.get(item.section, 0) + 1
    return list(counts.items())


def _per_section(diff: PolicyDiff, lang: str) -> str:
    return ", ".join(f"{_t(_SECTION[s], lang)} {_n(n, lang)}" for s, n in _section_counts(diff))


def outcome_label(outcome: str | None, lang: str) -> str:
    """An outcome as people read it; None is a home that is not in that version."""
    if outcome is None:
        return say("diff.not_in_this_version", lang)
    return _t(OUTCOME_LABELS[outcome], lang)


def _n(value: int, lang: str) -> str:
    return format_plain(value, lang)


def _subjects(subjects, lang: str) -> str:
    head = ", ".join(subjects[:_SUBJECTS_SHOWN])
    more = len(subjects) - _SUBJECTS_SHOWN
    return head + (" " + say("diff.and_more", lang, n=more) if more > 0 else "")


def _sources(impact: Impact, lang: str) -> str:
    return ", ".join(f"{_t(_SOURCE[s], lang)} {_n(n, lang)}" for s, n in impact.per_source)


def _values(c: ConditionResult | None, lang: str) -> str:
    if c is None:
        return "-"
    if c.op is not None:
        body = f"{shown(c.left, lang)} {c.op} {shown(c.right, lang)}"
    else:
        body = ", ".join(f"{v.expr} = {shown(v, lang)}" for v in c.facts)
    return f"{body} ({_t(_RESULT[c.result], lang)})".strip()


def _flip_lines(f: Flip, lang: str) -> list[str]:
    c = f.case
    head = (f"{c.label}: {outcome_label(f.old, lang)} -> {outcome_label(f.new, lang)} "
            f"({say('diff.home', lang)} {c.unit}, complex {f.complex}, buurt {f.buurt}, "
            f"{c.household.category}, {c.date.isoformat()})")
    out = [head]
    for r in f.rules:
        out.append(f"    {say('diff.rule', lang)} {r.rule} ({r.where}): "
                   f"{_t(_STATUS[r.old_status], lang)} -> {_t(_STATUS[r.new_status], lang)}")
        for cc in r.conditions:
            text = (cc.new or cc.old).text
            if cc.old is not None and cc.new is not None and cc.old.text != cc.new.text:
                text = f"{cc.old.text}  =>  {cc.new.text}"
            out.append(f"        {text}")
            out.append(f"          {_values(cc.old, lang)} -> {_values(cc.new, lang)}")
    return out


def diff_text(diff: PolicyDiff, impact: Impact | None, lang: str = "nl", limit: int = 20) -> str:
    """The diff for a terminal: changes in meaning grouped, then the impact with the first flips in detail."""
    out = [f"{say('diff.policy', lang)} {diff.old_id} {diff.old_version} ({diff.old_hash[:19]}) -> "
           f"{diff.new_id} {diff.new_version} ({diff.new_hash[:19]})", ""]
    groups = grouped(diff.items)
    if not groups:
        out.append(say('diff.no_changes_in_meaning', lang))
    else:
        out.append(f"{say('diff.changes_in_meaning', lang)}: {_n(len(diff.meaningful), lang)}"
                   f" ({_n(len(groups), lang)} {say('diff.kinds', lang)}; {_per_section(diff, lang)}):")
        for g in groups[:CHANGES_SHOWN]:
            old = g.old[lang] if g.old else "-"
            new = g.new[lang] if g.new else "-"
            out.append(f"  [{_t(_SECTION[g.section], lang)}] {_t(_CHANGE[g.change], lang)}: {g.field[lang]}: "
                       f"{old} -> {new}")
            out.append(f"      {_subjects(g.subjects, lang)}" + (f"  ({', '.join(g.where[:3])})" if g.where else ""))
        if len(groups) > CHANGES_SHOWN:
            out.append(f"  … {_n(len(groups) - CHANGES_SHOWN, lang)} {say('diff.more_format_json_lists_all', lang)}")
    if impact is not None:
        out += ["", _impact_line(impact, lang)]
        for (a, b), n in impact.transitions():
            out.append(f"  {outcome_label(a, lang)} -> {outcome_label(b, lang)}: {_n(n, lang)}")
        for level, title in (("buurt", ("Per buurt", "Per buurt")), ("complex", ("Per complex", "Per complex"))):
            rows = impact.per_group(level)
            if rows:
                out.append(f"{_t(title, lang)}:")
                out += [f"  {key}: {_n(n, lang)}" for key, n in rows[:limit]]
        if impact.flips:
            shown_flips = impact.flips[:limit]
            out.append(f"{say('diff.changed_decisions', lang)}"
                       f"{'' if len(shown_flips) == len(impact.flips) else (say('diff.first', lang)) + str(limit) + ')'}:")
            for f in shown_flips:
                lines = _flip_lines(f, lang)
                out.append(f"  - {lines[0]}")
                out += [f"  {line}" for line in lines[1:]]
    return terminal_text("\n".join(out) + "\n", keep="\n")


def _impact_line(impact: Impact, lang: str) -> str:
    return say("diff.impact", lang, cases=_n(impact.cases, lang),
               sources=_sources(impact, lang) or say("diff.no_source", lang), flips=_n(len(impact.flips), lang),
               reasons=_n(impact.reasons_changed, lang))


# --- JSON ----------------------------------------------------------------------------------------------

def _scrub(c: ConditionResult | None) -> dict | None:
    """A condition as JSON with hidden facts (flags, age) blanked."""
    if c is None:
        return None
    d = asdict(c)
    for side in [d["left"], d["right"], *d["facts"]]:
        if side and side["expr"] in HIDDEN_FACTS:
            side["value"], side["display"] = None, {lang: say("report.hidden", lang) for lang in ("nl", "en")}
    return d


def _flip_json(f: Flip) -> dict:
    c = f.case
    return {"source": c.source, "case": c.label, "household": c.household.id, "category": c.household.category,
            "unit": c.unit, "complex": f.complex, "buurt": f.buurt, "date": c.date.isoformat(),
            "from": f.old, "to": f.new, "deciding_from": list(f.old_deciding), "deciding_to": list(f.new_deciding),
            "rules": [{"rule": r.rule, "where": r.where, "from": r.old_status, "to": r.new_status,
                       "conditions": [{"old": _scrub(cc.old), "new": _scrub(cc.new)} for cc in r.conditions]}
                      for r in f.rules]}


def diff_json(diff: PolicyDiff, impact: Impact | None) -> str:
    """Everything as deterministic JSON: every change and every flip."""
    data = {
        "old": {"id": diff.old_id, "version": diff.old_version, "content_hash": diff.old_hash},
        "new": {"id": diff.new_id, "version": diff.new_version, "content_hash": diff.new_hash},
        "changes": [asdict(i) for i in diff.items],
        "meaningful_changes": len(diff.meaningful),
    }
    if impact is not None:
        data["impact"] = {
            "cases": impact.cases, "sources": dict(impact.per_source), "flips": len(impact.flips),
            "reasons_changed": impact.reasons_changed,
            "transitions": [{"from": a, "to": b, "count": n} for (a, b), n in impact.transitions()],
            "per_buurt": dict(impact.per_group("buurt")), "per_complex": dict(impact.per_group("complex")),
            "decisions": [_flip_json(f) for f in impact.flips],
        }
    return to_json(data) + "\n"


# --- Markdown --------------------------------------------------------------------------------------------

def _code(text: str) -> str:
    """Policy text as inline code in a Markdown cell (escape.md_code)."""
    return md_code(text)


def diff_markdown(diff: PolicyDiff, impact: Impact | None, lang: str = "nl", limit: int = 50) -> str:
    """A pull-request comment: a summary table first, the details folded."""
    out = [f"## magicmix diff: {md_cell(diff.old_id)} {md_cell(diff.old_version)} → {md_cell(diff.new_id)} {md_cell(diff.new_version)}",
           "", f"| {say('diff.what', lang)} | {say('diff.count', lang)} |", "|---|---:|",
           f"| {say('diff.changes_in_meaning', lang)} | {_n(len(diff.meaningful), lang)} |"]
    out += [f"| … {_t(_SECTION[section], lang)} | {_n(n, lang)} |" for section, n in _section_counts(diff)]
    if impact is not None:
        out += [f"| {say('diff.cases', lang)} ({md_cell(_sources(impact, lang))}) | {_n(impact.cases, lang)} |",
                f"| {say('diff.decisions_that_flip', lang)} | **{_n(len(impact.flips), lang)}** |",
                f"| {say('diff.same_outcome_other_reason', lang)} | "
                f"{_n(impact.reasons_changed, lang)} |"]
        if impact.flips:
            out += ["", f"| {say('diff.from', lang)} | {say('diff.to', lang)} | {say('diff.count', lang)} |",
                    "|---|---|---:|"]
            out += [f"| {outcome_label(a, lang)} | {outcome_label(b, lang)} | {_n(n, lang)} |"
                    for (a, b), n in impact.transitions()]
    groups = grouped(diff.items)
    if groups:
        out += ["", f"<details><summary>{say('diff.policy_changes', lang)} "
                    f"({_n(len(diff.items), lang)})</summary>", "",
                f"| {say('diff.section', lang)} | {say('diff.what', lang)} | {say('diff.old', lang)} | "
                f"{say('diff.new', lang)} | {say('diff.where', lang)} |", "|---|---|---|---|---|"]
        for g in groups[:CHANGES_SHOWN]:
            where = ", ".join(_code(w) for w in g.where[:3])
            out.append(f"| {_t(_SECTION[g.section], lang)} | {md_cell(g.field[lang])}: {md_cell(_subjects(g.subjects, lang))} | "
                       f"{md_cell(g.old[lang]) if g.old else '-'} | {md_cell(g.new[lang]) if g.new else '-'} | {where} |")
        if len(groups) > CHANGES_SHOWN:
            out += ["", f"… {_n(len(groups) - CHANGES_SHOWN, lang)} {say('diff.more_see_format_json', lang)}"]
        out += ["", "</details>"]
    if impact is not None and impact.flips:
        out += ["", f"<details><summary>{say('diff.per_buurt_and_complex', lang)}</summary>", "",
                "| Buurt | " + (say('diff.count', lang)) + " |", "|---|---:|"]
        out += [f"| {md_cell(k)} | {_n(n, lang)} |" for k, n in impact.per_group("buurt")]
        out += ["", "| Complex | " + (say('diff.count', lang)) + " |", "|---|---:|"]
        out += [f"| {md_cell(k)} | {_n(n, lang)} |" for k, n in impact.per_group("complex")[:limit]]
        out += ["", "</details>"]
        flips = impact.flips[:limit]
        more = len(impact.flips) - len(flips)
        out += ["", f"<details><summary>{say('diff.changed_decisions', lang)} "
                    f"({_n(len(impact.flips), lang)})</summary>", "",
                f"| {say('diff.case', lang)} | {say('diff.home_2', lang)} | {say('diff.from', lang)} | "
                f"{say('diff.to', lang)} | {say('diff.what_changed', lang)} |", "|---|---|---|---|---|"]
        for f in flips:
            why = "<br>".join(
                f"{_code(r.rule)} {_t(_STATUS[r.old_status], lang)} → {_t(_STATUS[r.new_status], lang)}"
                + "".join(f"<br>{_code((cc.new or cc.old).text)}: {md_cell(_values(cc.old, lang))} → "
                          f"{md_cell(_values(cc.new, lang))}" for cc in r.conditions)
                for r in f.rules) or "-"
            out.append(f"| {md_cell(f.case.label)} | {md_cell(f.case.unit)} ({md_cell(f.case.household.category)}, "
                       f"{f.case.date.isoformat()}) | {outcome_label(f.old, lang)} | {outcome_label(f.new, lang)} | {why} |")
        if more > 0:
            out += ["", f"… {say('diff.and', lang)} {_n(more, lang)} {say('diff.more_see_format_json', lang)}"]
        out += ["", "</details>"]
    return "\n".join(out) + "\n"
