"""Conditions in domain words: a parsed condition (expr.py's syntax tree) read as a Dutch or English sentence.

`projected.complex.share[household.category] > profile.complex.ceiling[household.category]` with its
values reads "het aandeel <categorie> in het complex is na deze toewijzing 38,5 %, boven de
bovengrens van 35,0 %". Fact paths get labels from the message catalogue (keyed by path, a level as a
placeholder), parameters and definitions their label from the policy (`Labels`); a path without
a label reads as its last name in words, never as an id with underscores. The raw expression stays
in the detail and the JSON record; this module only reads it.
"""

from __future__ import annotations

import re
from dataclasses import field
from functools import lru_cache
from fractions import Fraction
from types import MappingProxyType
from typing import Mapping

from ..lang import expr as ast
from ..model.decision import ConditionResult, Decision, Value
from ..model.levels import DEFAULT as DEFAULT_LEVELS, UNIT_LEVEL
from .messages import capital, has, say
from .numbers import format_euro, format_percent, format_plain
from ..lang.operators import OPERATORS
from ..lang.records import frozen

_EMPTY = MappingProxyType({})


@frozen
class Labels:
    """What ids and paths read as: category ids, param./def. paths and group codes (a buurt's name)."""

    categories: Mapping[str, tuple[str, str]] = field(default_factory=lambda: _EMPTY)
    facts: Mapping[str, tuple[str, str]] = field(default_factory=lambda: _EMPTY)
    groups: Mapping[str, str] = field(default_factory=lambda: _EMPTY)
    levels: Mapping[str, tuple[str, str]] = field(default_factory=lambda: _EMPTY)  # key -> ('de wijk', 'the wijk')

    def category(self, cid: str, lang: str) -> str:
        """A category's label ('Needs attention'), or its id when the policy does not name it."""
        pair = self.categories.get(cid)
        return cid if pair is None else pair[0 if lang == "nl" else 1]

    def group(self, code: str) -> str:
        """A group's name ('Assendorp-Noord'), or its code."""
        return self.groups.get(code) or code

    def the_level(self, key: str, lang: str) -> str:
        """A level with its article: 'het complex', 'de wijk', 'the buurt'."""
        pair = self.levels.get(key)
        if pair is None and key in DEFAULT_LEVELS:
            pair = DEFAULT_LEVELS[key].the
        if pair is None:
            pair = (f"de {key}", f"the {key}")
        return pair[0 if lang == "nl" else 1]


def labels_of(decision: Decision, policy=None) -> Labels:
    """Labels from a decision record (its categories), and from the policy when there is one."""
    cats = {c.id: (c.label.nl, c.label.en) for c in decision.categories}
    if policy is None:
        return Labels(MappingProxyType(cats))
    return policy_labels(policy, cats)


def policy_labels(policy, extra_categories: Mapping | None = None) -> Labels:
    """Labels from a policy: its categories, parameters, definitions, buurten and levels above them."""
    cats = {c.id: (c.label.nl, c.label.en) for c in policy.categories}
    cats.update(extra_categories or {})
    facts = {f"param.{n}": (p.label.nl, p.label.en) for n, p in policy.parameters.items()}
    facts.update({f"def.{n}": (d.label.nl, d.label.en) for n, d in policy.definitions.items()})
    groups = {code: b.name for code, b in policy.buurten.items() if b.name}
    for areas in getattr(policy, "areas", {}).values():
        groups.update({code: a.name for code, a in areas.items() if getattr(a, "name", "")})
    levels = {lv.key: lv.the for lv in getattr(policy, "levels", DEFAULT_LEVELS)}
    return Labels(MappingProxyType(cats), MappingProxyType(facts), MappingProxyType(groups), MappingProxyType(levels))


# --- facts as noun phrases ---------------------------------------------------------------------

_GROUP_FACTS = ("share", "count", "occupied", "homes", "vacant")
_PROFILE_FACTS = ("target", "floor", "ceiling")


@frozen
class Phrase:
    """A fact as words: the noun phrase, and 'na deze toewijzing' when it is the projected value."""

    noun: str
    after: bool = False
    key: tuple = ()  # (kind, level, category): to shorten a second phrase about the same group and category


def words_of(name: str) -> str:
    """An id as words: 'aftoppingsgrens_1_2_personen' -> 'aftoppingsgrens 1 2 personen'."""
    return re.sub(r"[_\s]+", " ", name).strip()


def _category_of(index: ast.Node | None, household_category: str, labels: Labels, lang: str) -> tuple[str, str]:
    """(id, label) of the category a map fact is read at; ('', 'elke categorie') without an index."""
    if index is None:
        return "", say("word.every_category", lang)
    if ast.path_text(index) == "household.category":
        return household_category, labels.category(household_category, lang)
    if isinstance(index, ast.Str):
        return index.value, labels.category(index.value, lang)
    return "", phrase(index, household_category, labels, lang).noun


def phrase(node: ast.Node, household_category: str, labels: Labels, lang: str, short_of: Phrase | None = None) -> Phrase:
    """A fact path (or literal, or sum) as a noun phrase; short_of: omit what the other side already says."""
    index = None
    if isinstance(node, ast.Index):
        node, index = node.base, node.index
    path = ast.path_text(node)
    if path is None:
        return Phrase(_literal_or_sum(node, household_category, labels, lang))
    parts = path.split(".")
    after = parts[0] == "projected"
    if after:
        parts = parts[1:]
        if not parts:  # 'projected' alone names no fact (a saved record is read as written): shown as it is
            return Phrase(path)
    cid, cat = _category_of(index, household_category, labels, lang)
    if len(parts) == 2 and parts[1] in _GROUP_FACTS and parts[0] not in ("household", "unit", "profile"):
        level = parts[0]
        return Phrase(say(f"fact.group.{parts[1]}", lang, category=cat, where=labels.the_level(level, lang)), after,
                      (parts[1], level, cid))
    if len(parts) == 3 and parts[0] == "profile" and parts[2] in _PROFILE_FACTS:
        key = (parts[2], parts[1], cid)
        if short_of is not None and short_of.key[1:] == key[1:]:
            return Phrase(say(f"fact.profile.{parts[2]}.short", lang), False, key)
        return Phrase(say(f"fact.profile.{parts[2]}", lang, category=cat, where=labels.the_level(parts[1], lang)),
                      False, key)
    if path == "profile.portiek.max_households":
        key = ("max", "portiek", cid)
        if short_of is not None and short_of.key[1:] == key[1:]:
            return Phrase(say("fact.profile.portiek.max_households.short", lang), False, key)
        return Phrase(say("fact.profile.portiek.max_households", lang, category=cat), False, key)
    if path in labels.facts:
        return Phrase(with_article(labels.facts[path][0 if lang == "nl" else 1], lang))
    if has(f"fact.{path}"):
        return Phrase(say(f"fact.{path}", lang))
    return Phrase(with_article(words_of(parts[-1]), lang))


def _literal_or_sum(node: ast.Node, household_category: str, labels: Labels, lang: str) -> str:
    if isinstance(node, ast.Num):
        if node.unit == "percent":
            return format_percent(node.value, lang)
        if node.unit == "euro":
            return format_euro(node.value, lang)
        return format_plain(node.value, lang)
    if isinstance(node, ast.Bool):
        return say("word.yes" if node.value else "word.no", lang)
    if isinstance(node, ast.Str):
        return labels.category(node.value, lang) if node.value in labels.categories else f"'{node.value}'"
    if isinstance(node, ast.ListLit):
        items = [_literal_or_sum(i, household_category, labels, lang) for i in node.items]
        return join_or(items, lang)
    if isinstance(node, ast.Binary) and node.op in OPERATORS:
        word = OPERATORS[node.op].words[0 if lang == "nl" else 1] or node.op
        return (f"{phrase(node.left, household_category, labels, lang).noun} {word} "
                f"{phrase(node.right, household_category, labels, lang).noun}")
    if isinstance(node, ast.Unary) and node.op == "-":
        return f"-{phrase(node.operand, household_category, labels, lang).noun}"
    return say("word.a_value", lang)


def with_article(label: str, lang: str) -> str:
    """A policy's label as a noun phrase: 'DAEB-inkomensgrens' -> 'de DAEB-inkomensgrens' (a policy's amounts are
    limits, 'grenzen': de-words); 'Aftoppingsgrens 1 en 2 personen' -> 'de aftoppingsgrens 1 en 2 personen'."""
    if len(label) > 1 and label[0].isupper() and label[1].islower():
        label = label[0].lower() + label[1:]
    return f"{say('word.the', lang)} {label}"


def join_or(items: list[str], lang: str, word: str = "join.or") -> str:
    """'a, b of c' / 'a, b or c' (word: the catalogue's joiner, 'join.and' for 'en')."""
    if len(items) <= 1:
        return "".join(items)
    return ", ".join(items[:-1]) + say(word, lang) + items[-1]


# --- conditions as sentences -------------------------------------------------------------------

@lru_cache(maxsize=4096)
def parsed(text: str) -> ast.Node | None:
    """The syntax tree of a condition text (immutable; one policy has few distinct texts), or None."""
    try:
        return ast.parse(text)
    except ast.ExprError:
        return None


def _shown(v: Value | None, lang: str) -> str:
    if v is None or v.value is None:
        return say("word.unknown", lang)
    return v.display[lang]


def _is_literal(node: ast.Node) -> bool:
    return isinstance(node, (ast.Num, ast.Bool, ast.Str, ast.ListLit))


def condition_sentence(c: ConditionResult, household_category: str, labels: Labels, lang: str,
                       negate: bool = False) -> str:
    """One condition with its values as a sentence (no capital, no full stop); negate: what does not hold."""
    tree = parsed(c.text)
    if tree is None:
        return c.text
    if isinstance(tree, ast.Binary) and tree.op in OPERATORS and c.op is not None and c.left is not None:
        op = OPERATORS[tree.op].negation if negate else tree.op
        if op is None:
            return say("sentence.not", lang, what=_bare(tree, household_category, labels, lang))
        return _comparison(tree, op, c.left, c.right, household_category, labels, lang)
    text = _bare(tree, household_category, labels, lang)
    if negate:
        text = say("sentence.not", lang, what=text)
    shown = [f"{phrase(parsed(v.expr) or ast.Name(0, 0, v.expr), household_category, labels, lang).noun} "
             f"{_shown(v, lang)}" for v in c.facts]
    return text + (say("sentence.now_values", lang, values=", ".join(shown)) if shown else "")


def _comparison(tree: ast.Binary, op: str, left: Value, right: Value | None, cat: str, labels: Labels, lang: str) -> str:
    lp = phrase(tree.left, cat, labels, lang)
    if op in ("in", "not in") and isinstance(tree.right, (ast.Name, ast.Attr)):  # a category among a map's keys
        key = f"fact.{ast.path_text(tree.right)}.{'in' if op == 'in' else 'not_in'}"
        if has(key):
            return say(key, lang, value=_shown(left, lang))
        return say("sentence.in_map", lang, noun=lp.noun, value=_shown(left, lang), relation=say(f"relation.{op}", lang),
                   other=phrase(tree.right, cat, labels, lang).noun)
    if isinstance(tree.right, ast.Bool) and tree.op in ("==", "!="):
        holds = (tree.right.value == (op == "=="))
        key = f"fact.{ast.path_text(tree.left)}.{'true' if holds else 'false'}"
        if has(key):
            return say(key, lang)
    verb = say("sentence.is_after" if lp.after else "sentence.is", lang, noun=lp.noun, value=_shown(left, lang))
    rel_key = f"relation.{op}"
    rel = say(rel_key, lang) if has(rel_key) else OPERATORS[op].words[0 if lang == "nl" else 1]
    if _is_literal(tree.right):
        return say("sentence.against_value", lang, claim=verb, relation=rel, value=_shown(right, lang))
    rp = phrase(tree.right, cat, labels, lang, short_of=lp)
    return say("sentence.against", lang, claim=verb, relation=rel, other=rp.noun, value=_shown(right, lang))


def _bare(node: ast.Node, cat: str, labels: Labels, lang: str) -> str:
    """A condition without its values: 'het aantal personen is gelijk aan 1 en het aantal kamers is ten minste 4'."""
    if isinstance(node, ast.Logic):
        return join_or([_bare(i, cat, labels, lang) for i in node.items], lang,
                       "join.and" if node.op == "and" else "join.or")
    if isinstance(node, ast.Unary) and node.op == "not":
        return say("sentence.not", lang, what=_bare(node.operand, cat, labels, lang))
    if isinstance(node, ast.Binary) and node.op in OPERATORS and OPERATORS[node.op].precedence == OPERATORS["=="].precedence:
        word = OPERATORS[node.op].words[0 if lang == "nl" else 1]
        return say("sentence.bare", lang, noun=phrase(node.left, cat, labels, lang).noun, relation=word,
                   other=phrase(node.right, cat, labels, lang).noun)
    return phrase(node, cat, labels, lang).noun


def unknown_sentence(c: ConditionResult, household_category: str, labels: Labels, lang: str, date: str) -> str:
    """What is not known for a condition that cannot be judged: 'de aftoppingsgrens is op 1 juni 2026 niet bekend'."""
    return say("sentence.unknown", lang, noun=unknown_noun(c, household_category, labels, lang), date=long_date(date, lang))


def unknown_noun(c: ConditionResult, household_category: str, labels: Labels, lang: str) -> str:
    """The side of a condition that has no value, as a noun phrase ('de aftoppingsgrens voor dit huishouden')."""
    tree = parsed(c.text)
    side = None
    if isinstance(tree, ast.Binary):
        side = tree.right if c.right is not None and c.right.value is None else tree.left
    if side is not None:
        return phrase(side, household_category, labels, lang).noun
    return _bare(tree, household_category, labels, lang) if tree is not None else c.text


def long_date(iso: str, lang: str) -> str:
    """'2025-06-01' as '1 juni 2025' / '1 June 2025'."""
    try:
        y, m, d = (int(x) for x in iso.split("-"))
    except ValueError:
        return iso
    return f"{d} {say(f'month.{m}', lang)} {y}"


def threshold_sentence(c: ConditionResult, household_category: str, labels: Labels, lang: str) -> str | None:
    """For a fired comparison of a fact with a bound, what the fact would have to be: 'het inkomen ten hoogste € 54.847'."""
    tree = parsed(c.text)
    if not (isinstance(tree, ast.Binary) and c.op in OPERATORS and c.right is not None and c.right.value is not None):
        return None
    op = OPERATORS[c.op].negation
    if op is None or op not in ("<", "<=", ">", ">="):
        return None
    lp = phrase(tree.left, household_category, labels, lang)
    return say("sentence.would_be", lang, noun=lp.noun, relation=OPERATORS[op].words[0 if lang == "nl" else 1],
               value=c.right.display[lang])


_HOLES = {"\x00": "value", "\x01": "now"}  # stand-ins no label or catalogue text holds (control characters)


def would_hold_form(c: ConditionResult, household_category: str, labels: Labels, lang: str,
                    negate: bool) -> tuple[str, ...] | None:
    """would_hold's sentence for a comparison, cut at its two values: (text, 'value' or 'now', text, ..., text),
    the same for every decision on this condition and category; None when it is not one comparison."""
    tree = parsed(c.text)
    if not (isinstance(tree, ast.Binary) and c.op in OPERATORS and c.left is not None and c.right is not None
            and c.left.value is not None and c.right.value is not None and not isinstance(tree.right, ast.Bool)):
        return None
    op = OPERATORS[c.op].negation if negate else c.op
    words = OPERATORS[op].words[0 if lang == "nl" else 1] if op in OPERATORS else None
    if op in ("in", "not in") or not (has(f"relation.{op}") or words):
        return None
    lp = phrase(tree.left, household_category, labels, lang)
    parts = {"noun": lp.noun, "after": say("word.after_letting", lang) if lp.after else "",
             "relation": say(f"relation.{op}", lang) if has(f"relation.{op}") else words, "value": "\x00", "now": "\x01"}
    if _is_literal(tree.right):
        text = say("sentence.would_hold_value", lang, **parts)
    else:
        text = say("sentence.would_hold", lang, other=phrase(tree.right, household_category, labels, lang,
                                                             short_of=lp).noun, **parts)
    pieces = re.split("([\x00\x01])", text)
    if len(pieces) != 5:  # a label holding a stand-in: no form, would_hold words it in full
        return None
    return tuple(_HOLES.get(p, p) if i % 2 else p for i, p in enumerate(pieces))


def fill_form(form: tuple[str, ...], c: ConditionResult, lang: str) -> str:
    """A would_hold_form filled with the condition's values."""
    value, now = c.right.display[lang], c.left.display[lang]
    return "".join((value if p == "value" else now) if i % 2 else p for i, p in enumerate(form))


def would_hold(c: ConditionResult, household_category: str, labels: Labels, lang: str, negate: bool) -> str:
    """What a judged condition would have to be, with its value now: 'het aandeel Aandacht in het complex na deze
    toewijzing op of onder de bovengrens van 35,0 % was (nu 38,5 %)'; negate: the condition would have to fail."""
    form = would_hold_form(c, household_category, labels, lang, negate)
    if form is not None:
        return fill_form(form, c, lang)
    return condition_sentence(c, household_category, labels, lang, negate)


def fraction(text: str | None) -> Fraction | None:
    """An exact share from the record ('3/8', '0.375'), or None."""
    return None if text is None else Fraction(text)


def sentence(text: str) -> str:
    """A clause as a sentence: a capital and a full stop."""
    text = text.strip()
    return capital(text) + ("" if text.endswith((".", "!", "?")) else ".")


__all__ = ["Labels", "parsed", "labels_of", "policy_labels", "phrase", "condition_sentence", "unknown_sentence",
           "threshold_sentence", "would_hold", "would_hold_form", "fill_form",
           "long_date", "sentence", "join_or", "words_of", "UNIT_LEVEL"]
