"""The small records the command line shows (room, facts, the log's list, a new repository, a validation) and their
renderings in text, Markdown and JSON, registered in renderers.py like every other output."""

from __future__ import annotations

import os
from fractions import Fraction

from .escape import md_code, md_text, terminal_text
from .numbers import format_percent
from .report import to_json
from ..lang.records import frozen


def _exact(v: Fraction | None) -> str | None:
    return None if v is None else f"{v.numerator}/{v.denominator}"


def diagnostics_json(diags) -> str:
    """A validation as JSON: ok, and every diagnostic."""
    return to_json({"ok": not any(d.severity == "error" for d in diags),
                    "diagnostics": [d.to_dict() for d in diags]}) + "\n"


def record_json(record) -> str:
    """A record with to_dict() (a decision, a ranking) as JSON."""
    return to_json(record.to_dict()) + "\n"


@frozen
class RoomView:
    """The room in one complex on a date: room.complex_room's rows with the policy that labels them."""

    policy: object
    complex_id: str
    date: str
    rows: tuple


def room_json(view: RoomView) -> str:
    """Room per level, group and category as JSON."""
    return to_json({"complex": view.complex_id, "date": view.date, "room": [
        {"level": r.level, "group": r.group, "category": r.category, "room": r.room, "count": r.count,
         "occupied": r.occupied} for r in view.rows]}) + "\n"


def room_text(view: RoomView, lang: str = "nl") -> str:
    """Room as a table: a row per group, a column per category (room (count now, share now))."""
    pol, rows, nl = view.policy, view.rows, lang == "nl"
    no_maximum = "geen maximum" if nl else "no maximum"  # a level without a mix; else too few households to judge
    out = [f"{'Ruimte in' if nl else 'Room in'} {view.complex_id} {'op' if nl else 'on'} {view.date}"]
    header = ["niveau" if nl else "level", "groep" if nl else "group"] + \
        [pol.category(c).label.get(lang) for c in pol.category_ids]
    table = [header]
    seen: list = []
    for r in rows:
        if (r.level, r.group) not in seen:
            seen.append((r.level, r.group))
    for level, group in seen:
        cells = []
        for cid in pol.category_ids:
            r = next(x for x in rows if x.level == level and x.group == group and x.category == cid)
            share = format_percent(Fraction(r.count, r.occupied), lang, 0) if r.occupied else "-"
            none = no_maximum if not pol.levels[level].mix else "niet beoordeeld" if nl else "not judged"
            cells.append(f"{none if r.room is None else r.room} ({r.count}, {share})")
        table.append([level, group] + cells)
    widths = [max(len(row[i]) for row in table) for i in range(len(header))]
    for row in table:
        out.append(terminal_text("  ".join(cell.ljust(w) for cell, w in zip(row, widths)).rstrip()))
    out.append("(ruimte (aantal nu, aandeel nu))" if nl else "(room (count now, share now))")
    return "\n".join(out) + "\n"


@frozen
class Fact:
    """A fact a condition can name: its path, type and meaning in Dutch and English."""

    path: str
    type: str
    nl: str
    en: str


def facts_text(facts: tuple[Fact, ...], lang: str = "nl") -> str:
    """Facts as aligned columns: path, type, meaning."""
    width = max(len(f.path) for f in facts)
    return "".join(terminal_text(f"{f.path.ljust(width)}  {f.type.ljust(22)}  {f.nl if lang == 'nl' else f.en}") + "\n"
                   for f in facts)


def facts_markdown(facts: tuple[Fact, ...], lang: str = "nl") -> str:
    """Facts as a Markdown table."""
    lines = [f"| {'gegeven' if lang == 'nl' else 'fact'} | type | {'betekenis' if lang == 'nl' else 'meaning'} |",
             "|---|---|---|"]
    lines += [f"| {md_code(f.path)} | {f.type} | {md_text(f.nl if lang == 'nl' else f.en)} |" for f in facts]
    return "\n".join(lines) + "\n"


def facts_json(facts: tuple[Fact, ...]) -> str:
    """Facts as JSON: path, type and meaning in both languages."""
    return to_json({"facts": [{"path": f.path, "type": f.type, "meaning": {"nl": f.nl, "en": f.en}}
                              for f in facts]}) + "\n"


@frozen
class LogListing:
    """The decisions of a log, each with the person's decision recorded for it (if any)."""

    decisions: tuple[dict, ...]
    overrides: dict  # decision id -> its last review (an older override read as one: reviews.latest_reviews)


def _get(record, *path):
    for key in path:
        record = record.get(key) if isinstance(record, dict) else None
    return record


def _entry(listing: LogListing, r: dict) -> dict:
    o = listing.overrides.get(r.get("decision_id"))
    return {"decision_id": _get(r, "decision_id"), "timestamp": _get(r, "timestamp"),
            "unit": _get(r, "decision", "inputs", "unit"), "household": _get(r, "decision", "inputs", "household", "id"),
            "advice": _get(r, "outcome"),
            "person": None if o is None else {"outcome": _get(o, "outcome"), "followed": bool(o.get("followed")),
                                              "reason": _get(o, "reason")}}


def log_text(listing: LogListing, lang: str = "nl") -> str:
    """One line per decision: id, time, home, household, advice, and '-> outcome (reason)' when recorded."""
    def shown(value) -> str:
        return terminal_text("?" if value is None else value)

    lines = []
    for r in listing.decisions:
        e = _entry(listing, r)
        p = e["person"]
        why = ("opgevolgd" if lang == "nl" else "followed") if p and p["followed"] else shown(p and p["reason"])
        person = f"  -> {shown(p['outcome'])} ({why})" if p else ""
        lines.append(f"{shown(e['decision_id'])}  {shown(e['timestamp'])}  {shown(e['unit'])}  "
                     f"{shown(e['household'])}  {shown(e['advice'])}{person}\n")
    return "".join(lines)


def log_json(listing: LogListing) -> str:
    """The decisions as JSON (the override's reason is the person's own text: no names belong in it)."""
    return to_json({"decisions": [_entry(listing, r) for r in listing.decisions]}) + "\n"


@frozen
class NewRepository:
    """What `magicmix init` wrote: the folder and the files in it."""

    directory: str
    written: tuple[str, ...]


def init_text(repo: NewRepository, lang: str = "nl") -> str:
    """The files written, then how to go on."""
    files = "".join(os.path.join(repo.directory, rel) + "\n" for rel in repo.written)
    return files + ("Klaar. Probeer: cd {d} && magicmix validate policies/ && magicmix test policies/\n"
                    "CI installeert magicmix uit requirements.txt: magicmix staat niet op PyPI, zet daar een wheel "
                    "of git-URL (of gebruik init --install).\n" if lang == "nl"
                    else "Done. Try: cd {d} && magicmix validate policies/ && magicmix test policies/\n"
                    "CI installs magicmix from requirements.txt: magicmix is not on PyPI, put a wheel or git URL "
                    "there (or use init --install).\n").format(d=repo.directory)


def init_json(repo: NewRepository) -> str:
    """The files written, as JSON."""
    return to_json({"ok": True, "directory": repo.directory, "files": list(repo.written)}) + "\n"


def _group_json(g, public: bool) -> dict:
    out = {"level": g.level, "key": g.key, "name": g.name, "state": g.state}
    if not public:  # counts and shares of small groups could point at households: the public report has neither
        out["occupied"] = g.occupied
        out["categories"] = {c.category: {"count": c.count, "share": _exact(c.share), "target": _exact(c.target),
                                          "low": _exact(c.low), "high": _exact(c.high)} for c in g.categories}
    return out


def annual_json(r, public: bool = False) -> str:
    """The annual evaluation as JSON: the buurten on 1 January and 31 December, lettings per category and advice,
    the legal norms. With public: buurten and their state only, the norms met or not, and no count at all (a count
    under 5 could point at a household, and one hidden count is found again from the others)."""
    per_category = r.lettings_per("category")
    data = {"year": r.year, "policy": r.policy, "categories": list(r.categories), "public": public,
            "buurten": {"start": [_group_json(g, public) for g in r.buurten_start],
                        "end": [_group_json(g, public) for g in r.buurten_end]},
            "norms": [{"rule": n.rule, "title": n.title, "norm": _exact(n.norm), "met": n.met} for n in r.norms],
            "into_band": list(r.into_band), "out_of_band": list(r.out_of_band), "log_used": r.log_used}
    if not public:
        data["lettings"] = {"total": len(r.lettings), "per_category": {c: per_category[c] for c in r.categories},
                            "advice": dict(sorted(r.advice_counts().items()))}
        data["reclassified"], data["vacated"] = r.reclassified, r.vacated
        for entry, n in zip(data["norms"], r.norms):
            entry.update(applicable=n.applicable, kept=n.kept, undecided=n.undecided, share=_exact(n.share))
    return to_json(data) + "\n"


__all__ = ["Fact", "LogListing", "NewRepository", "RoomView", "annual_json", "diagnostics_json", "facts_json",
           "facts_markdown", "facts_text", "init_json", "init_text", "log_json", "log_text", "record_json",
           "room_json", "room_text"]
