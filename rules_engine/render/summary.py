"""The summary of a decision: three to five plain lines a woonconsulent can read aloud.

The advice; the one or two reasons that decide it, in domain words with their numbers; what would
change it ("Wel passend voor een huishouden X, of als er twee huishoudens Y minder in
het complex woonden"); and the room for the household's category where it matters. Built from
the decision record alone (labels from the policy when the caller has it), so a saved record
summarises the same way. Every word comes from the message catalogue.
"""

from __future__ import annotations

import re
from fractions import Fraction

from ..lang import expr as ast
from ..model.decision import ConditionResult, Decision, RuleResult
from .messages import count_word, say
from ..model.outcomes import OUTCOME_LABELS
from .wording import (Labels, parsed, condition_sentence, join_or, labels_of, long_date, sentence, threshold_sentence,
                      unknown_noun, unknown_sentence)

_NO_ROOM_OUTCOMES = ("niet_toegestaan", "onbeslist")
MAX_REASONS = 2


def outcome_word(outcome: str, lang: str) -> str:
    """An outcome's label ('niet toegestaan', 'advised against')."""
    nl, en = OUTCOME_LABELS.get(outcome, (outcome, outcome))
    return nl if lang == "nl" else en


def indefinite(word: str, lang: str) -> str:
    """The indefinite article before a word: 'een'; 'a' or 'an'."""
    article = say("word.a", lang)
    return "an" if article == "a" and word[:1].lower() in "aeiou" else article


def summary_lines(d: Decision, lang: str, labels: Labels | None = None) -> tuple[str, ...]:
    """The summary: the advice, up to two deciding reasons, what would change it, and room; at most five lines."""
    labels = labels or labels_of(d)
    cat = d.inputs["household"]["category"]
    lines = [_advice(d, lang, labels)]
    lines += _reasons(d, cat, labels, lang)[:MAX_REASONS]
    change = _change(d, cat, labels, lang)
    if change:
        lines.append(change)
    room = _room(d, cat, labels, lang)
    if room:
        lines.append(room)
    return tuple(lines[:5])


def reasons(d: Decision, lang: str, labels: Labels | None = None) -> tuple[str, ...]:
    """The one or two sentences that decide the advice (as in the summary), e.g. for a ranking's reason column."""
    labels = labels or labels_of(d)
    return tuple(_reasons(d, d.inputs["household"]["category"], labels, lang)[:MAX_REASONS])


def _advice(d: Decision, lang: str, labels: Labels) -> str:
    i = d.inputs
    h = i["household"]
    who = say("summary.household", lang, n=h["size"], count=count_word(h["size"], lang), category=labels.category(h["category"], lang))
    place = say("summary.place", lang, complex=i["complex"], buurt=labels.group(i["buurt"]))
    return say("summary.advice", lang, outcome=outcome_word(d.outcome, lang), who=who, unit=i["unit"], place=place,
               date=long_date(i["date"], lang))


def _reason_of(r: RuleResult, cat: str, labels: Labels, lang: str) -> str | None:
    held = [c for c in r.conditions if c.result == "true"]
    if not held:
        return None
    text = condition_sentence(held[0], cat, labels, lang)
    if r.kind == "legal":
        text = say("summary.reason.legal", lang, title=r.title[lang], text=text)
    return sentence(text)


def _reasons(d: Decision, cat: str, labels: Labels, lang: str) -> list[str]:
    deciding = [r for r in d.rules if r.deciding]
    if d.outcome == "onbeslist":
        out = []
        for r in deciding:
            unknown = next((c for c in r.applies_when + r.conditions if c.result == "unknown"), None)
            what = (unknown_sentence(unknown, cat, labels, lang, d.inputs["date"]) if unknown
                    else say("word.unknown", lang))
            out.append(sentence(say("summary.reason.undecided", lang, title=r.title[lang], text=what)))
        return out
    if d.outcome == "plaatsing":
        return [sentence(say("summary.reason.placement", lang, route=d.inputs["household"].get("route")))]
    out = [text for text in (_reason_of(r, cat, labels, lang) for r in deciding) if text]
    if out:
        return out
    out = [sentence(say("summary.no_rule", lang))]
    for r in d.rules:  # a mix rule that does not apply here (too few households for shares, say) says why
        failed = next((c for c in r.applies_when if c.result == "false"), None)
        if (r.status == "not_applicable" and r.kind != "legal" and failed is not None
                and "profile.min_households" in failed.text):  # only 'too few households to judge shares' tells
            out.append(sentence(say("summary.not_judged", lang, title=r.title[lang],
                                    text=condition_sentence(failed, cat, labels, lang, negate=True))))
            break
    return out


# --- what would change it ----------------------------------------------------------------------

def _rule_of_change(d: Decision, text: str) -> RuleResult | None:
    m = re.search(r"'([^']+)'", text)
    return next((r for r in d.rules if m and r.id == m.group(1)), None)


def _fewer(d: Decision, c: ConditionResult, cat: str, labels: Labels, lang: str) -> str | None:
    """'als er twee huishoudens X minder in het complex woonden': fewer of this category that would do."""
    tree = parsed(c.text)
    if not (isinstance(tree, ast.Binary) and tree.op in (">", ">=") and isinstance(tree.left, ast.Index)
            and ast.path_text(tree.left.index) == "household.category" and c.right is not None
            and c.right.value is not None):
        return None
    path = (ast.path_text(tree.left.base) or "").split(".")
    after = path[0] == "projected"
    path = path[1:] if after else path
    if len(path) != 2 or path[1] not in ("share", "count"):
        return None
    level = next((lc for lc in d.composition if lc.level == path[0]), None)
    share = next((x for x in level.categories if x.category == cat), None) if level else None
    if share is None:
        return None
    bound = Fraction(c.right.value)
    mine, total = (share.after, level.occupied_after) if after else (share.now, level.occupied_now)
    for k in range(1, mine + 1):
        value = Fraction(mine - k) if path[1] == "count" else Fraction(mine - k, max(total - k, 1))
        if value < bound or (tree.op == ">" and value == bound):
            return say("summary.change.fewer", lang, n=k, count=count_word(k, lang),
                       category=labels.category(cat, lang), where=labels.the_level(path[0], lang))
    return None


def _change_parts(d: Decision, cat: str, labels: Labels, lang: str) -> dict[str, list[str]]:
    parts: dict[str, list[str]] = {}
    others = [c for c in d.categories if c.id != cat]
    for ch in d.changes:
        what = None
        if ch.kind == "category":
            named = next((c for c in others if ch.text["nl"].endswith(c.label.nl)), None)
            if named is not None:
                label = labels.category(named.id, lang)
                what = say("summary.change.category", lang, category=label, a=indefinite(label, lang))
        else:
            r = _rule_of_change(d, ch.text["en"])
            held = [c for c in r.conditions if c.result == "true"] if r is not None and r.status == "fired" else []
            if len(held) == 1:
                what = _fewer(d, held[0], cat, labels, lang) or (
                    (lambda t: t and say("summary.change.if", lang, text=t))(
                        threshold_sentence(held[0], cat, labels, lang)))
        if what and what not in parts.get(ch.outcome, []):
            parts.setdefault(ch.outcome, []).append(what)
    return parts


def _change(d: Decision, cat: str, labels: Labels, lang: str) -> str | None:
    if d.outcome == "onbeslist":
        r = next((r for r in d.rules if r.deciding), None)
        unknown = next((c for c in r.applies_when + r.conditions if c.result == "unknown"), None) if r else None
        noun = unknown_noun(unknown, cat, labels, lang) if unknown else say("word.every_value", lang)
        return sentence(say("summary.change.undecided", lang, noun=noun))
    parts = _change_parts(d, cat, labels, lang)
    if not parts:
        return None
    what = "; ".join(f"{outcome_word(o, lang)} {join_or(p[:2], lang, 'join.comma_or')}" for o, p in parts.items())
    return sentence(say("summary.change", lang, what=what))


def _room(d: Decision, cat: str, labels: Labels, lang: str) -> str | None:
    if d.outcome in _NO_ROOM_OUTCOMES:
        return None
    places = []
    for r in d.room:
        if r.category != cat:
            continue
        where = labels.the_level(r.level, lang)
        if r.room is None:
            places.append(say("summary.room.not_judged", lang, where=where))
        elif r.room == 0:
            places.append(say("summary.room.none", lang, where=where))
        else:
            places.append(say("summary.room.place", lang, n=r.room, count=count_word(r.room, lang), where=where))
    if not places:
        return None
    return sentence(say("summary.room", lang, category=labels.category(cat, lang), places=join_or(places, lang,
                                                                                                 "join.and")))
