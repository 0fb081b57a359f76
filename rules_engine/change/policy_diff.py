"""Semantic diff of two policy versions: what changed in meaning, in policy language, not as YAML text.

Compares the validated policies (after defaults are filled in), so a changed default
shows up in every buurt or complex it reaches, and a reformatted file shows nothing.
"""

from __future__ import annotations

import datetime as dt
import os
from collections import defaultdict
from fractions import Fraction

from ..model.policy import Band, LevelMix, Policy, Where
from ..render.numbers import format_euro, format_percent, format_plain
from ..lang.records import frozen

SECTIONS = ("metadata", "categories", "parameters", "mix", "complexes", "units", "rules", "definitions", "ranking")
INFORMATIONAL = ("metadata",)
"""Sections whose changes do not change a decision (a new version number, another owner)."""


@frozen
class DiffItem:
    """One change: in a section, about a subject, one field from an old to a new value (both texts nl/en)."""

    section: str
    subject: str
    change: str  # added | removed | changed
    field: dict  # {'nl', 'en'}
    old: dict | None  # {'nl', 'en'} as people read it; None when added
    new: dict | None  # None when removed
    where: str | None  # file:line in the new version (the old one when removed), relative to the policy folder


@frozen
class PolicyDiff:
    """All semantic changes between two policy versions."""

    old_id: str
    new_id: str
    old_version: str
    new_version: str
    old_hash: str
    new_hash: str
    items: tuple[DiffItem, ...]

    @property
    def meaningful(self) -> tuple[DiffItem, ...]:
        """The changes that can change a decision (all but metadata)."""
        return tuple(i for i in self.items if i.section not in INFORMATIONAL)


def _both(fn) -> dict:
    return {"nl": fn("nl"), "en": fn("en")}


def _same(text: str) -> dict:
    return {"nl": text, "en": text}


def _label(nl: str, en: str) -> dict:
    return {"nl": nl, "en": en}


def _where(w: Where | None, root: str) -> str | None:
    if w is None:
        return None
    return f"{os.path.relpath(w.file, root).replace(os.sep, '/')}:{w.line}"


def _pct(v: Fraction) -> dict:
    return _both(lambda lang: format_percent(v, lang))


def _band(b: Band) -> dict:
    return _both(lambda lang: f"{format_percent(b.low, lang)} - {format_percent(b.high, lang)}")


def _amount(v: Fraction, unit: str) -> dict:
    if unit.startswith("euro"):
        return _both(lambda lang: format_euro(v, lang, cents=unit in ("euro", "euro_per_month")))
    if unit == "percent":
        return _pct(v)
    return _both(lambda lang: format_plain(v, lang))


class _Differ:
    def __init__(self, old: Policy, new: Policy):
        self.old, self.new = old, new
        self.items: list[DiffItem] = []

    def add(self, section, subject, change, field, old=None, new=None, where=None, in_old=False):
        root = self.old.root if in_old else self.new.root
        self.items.append(DiffItem(section, subject, change, field, old, new, _where(where, root)))

    def value(self, section, subject, field, a, b, where, show=_same) -> None:
        if a != b:
            self.add(section, subject, "changed", field, None if a is None else show(a),
                     None if b is None else show(b), where)

    def keyed(self, section, old: dict, new: dict, subject, field, show, compare, where) -> None:
        """Added, removed and (via compare) changed entries of two mappings keyed alike."""
        for key in old.keys() - new.keys():
            self.add(section, subject(key), "removed", field(key), show(old[key]), None, where(old[key]), in_old=True)
        for key in new.keys() - old.keys():
            self.add(section, subject(key), "added", field(key), None, show(new[key]), where(new[key]))
        for key in sorted(old.keys() & new.keys(), key=str):
            compare(key, old[key], new[key])

    # --- sections --------------------------------------------------------------------------------

    def metadata(self) -> None:
        for name in ("name", "version", "owner"):
            self.value("metadata", "policy", _label({"name": "naam", "version": "versie", "owner": "eigenaar"}[name],
                                                    name), getattr(self.old, name), getattr(self.new, name), None)

    def categories(self) -> None:
        old = {c.id: c for c in self.old.categories}
        new = {c.id: c for c in self.new.categories}

        def compare(cid, a, b):
            if a.label != b.label:
                self.add("categories", cid, "changed", _label("naam", "label"),
                         {"nl": a.label.nl, "en": a.label.en}, {"nl": b.label.nl, "en": b.label.en})

        self.keyed("categories", old, new, str, lambda k: _label("categorie", "category"),
                   lambda c: {"nl": c.label.nl, "en": c.label.en}, compare, lambda c: None)

    def parameters(self) -> None:
        def compare(name, a, b):
            subject = f"param.{name}"
            self.value("parameters", subject, _label("eenheid", "unit"), a.unit, b.unit, b.where)
            self.value("parameters", subject, _label("jaarlijks (annual)", "annual"), a.annual, b.annual, b.where,
                       lambda v: _label("ja", "yes") if v else _label("nee", "no"))
            olds = {v.valid_from: v for v in a.values}
            news = {v.valid_from: v for v in b.values}
            for day in sorted(olds.keys() | news.keys()):
                field = _label(f"waarde vanaf {day.isoformat()}", f"value from {day.isoformat()}")
                va, vb = olds.get(day), news.get(day)
                if va is None:
                    self.add("parameters", subject, "added", field, None, _amount(vb.value, b.unit), vb.where)
                elif vb is None:
                    self.add("parameters", subject, "removed", field, _amount(va.value, a.unit), None, va.where,
                             in_old=True)
                elif va.value != vb.value:
                    self.add("parameters", subject, "changed", field, _amount(va.value, a.unit),
                             _amount(vb.value, b.unit), vb.where)
                elif va.source != vb.source:
                    self.add("parameters", subject, "changed", _label(f"bron vanaf {day.isoformat()}",
                                                                      f"source from {day.isoformat()}"),
                             _same(va.source), _same(vb.source), vb.where)

        self.keyed("parameters", dict(self.old.parameters), dict(self.new.parameters), lambda k: f"param.{k}",
                   lambda k: _label("parameter", "parameter"),
                   lambda p: _amount(p.values[-1].value, p.unit) if p.values else _same("-"), compare,
                   lambda p: p.where)

    def _mix(self, subject: str, a: LevelMix, b: LevelMix, where) -> None:
        for cat in sorted(a.targets.keys() | b.targets.keys()):
            ta, tb = a.targets.get(cat), b.targets.get(cat)
            if ta != tb:
                self.add("mix", subject, "changed", _label(f"streefaandeel {cat}", f"target {cat}"),
                         None if ta is None else _pct(ta), None if tb is None else _pct(tb), where)
        for cat in sorted(a.bands.keys() | b.bands.keys()):
            ba, bb = a.bands.get(cat), b.bands.get(cat)
            if ba != bb:
                self.add("mix", subject, "changed", _label(f"band {cat}", f"band {cat}"),
                         None if ba is None else _band(ba), None if bb is None else _band(bb), where)

    def buurten(self) -> None:
        """The buurten and the groups of every level above them (a wijk): names, years, mixes, where each lies."""
        for policy, other, kind in ((self.new, self.old, "added"), (self.old, self.new, "removed")):
            for lv in policy.levels.above_buurt:
                if lv.key not in other.levels:
                    groups = _same(", ".join(policy.groups_of(lv.key)))
                    self.add("mix", f"{lv.key}", kind, _label("niveau boven de buurt", "level above the buurt"),
                             groups if kind == "removed" else None, groups if kind == "added" else None, None,
                             in_old=kind == "removed")
        levels = ["buurt"] + [lv.key for lv in self.new.levels.above_buurt if lv.key in self.old.levels]
        for level in levels:
            def compare(code, a, b, level=level):
                self.value("mix", f"{level} {code}", _label("naam", "name"), a.name, b.name, None)
                self.value("mix", f"{level} {code}", _label("peiljaar", "reference year"), a.year, b.year, None,
                           lambda y: _same(str(y)))
                self._mix(f"{level} {code}", a.mix, b.mix, None)
                for up in sorted(a.up.keys() | b.up.keys()):
                    self.value("mix", f"{level} {code}", _label(up, up), a.up.get(up), b.up.get(up), None)

            self.keyed("mix", dict(self.old.groups_of(level)), dict(self.new.groups_of(level)),
                       lambda k, level=level: f"{level} {k}", lambda k, level=level: _label(level, level),
                       lambda b: _same(b.name), compare, lambda b: None)

    def complexes(self) -> None:
        def compare(cid, a, b):
            subject = f"complex {cid}"
            self.value("complexes", subject, _label("naam", "name"), a.name, b.name, b.where)
            self.value("complexes", subject, _label("buurt", "buurt"), a.buurt, b.buurt, b.where)
            pa = {p.valid_from: p for p in a.profiles}
            pb = {p.valid_from: p for p in b.profiles}
            for day in sorted(pa.keys() | pb.keys()):
                sub = subject if day == dt.date.min else f"{subject} @{day.isoformat()}"
                x, y = pa.get(day), pb.get(day)
                if x is None or y is None:
                    field = _label(f"profielversie vanaf {day.isoformat()}", f"profile version from {day.isoformat()}")
                    if x is None:
                        self.add("complexes", subject, "added", field, None, _same(y.note or "-"), y.where or b.where)
                    else:
                        self.add("complexes", subject, "removed", field, _same(x.note or "-"), None,
                                 x.where or a.where, in_old=True)
                    continue
                where = y.where or b.where
                self._mix(sub, x.mix, y.mix, where)
                for cat in sorted(x.portiek_max_households.keys() | y.portiek_max_households.keys()):
                    self.value("mix", sub, _label(f"portiek-maximum {cat}", f"portiek maximum {cat}"),
                               x.portiek_max_households.get(cat), y.portiek_max_households.get(cat), where,
                               lambda n: _same(str(n)))
                self.value("mix", sub, _label("minimum huishoudens voor banden", "minimum households for bands"),
                           x.min_households, y.min_households, where, lambda n: _same(str(n)))

        self.keyed("complexes", dict(self.old.complexes), dict(self.new.complexes), lambda k: f"complex {k}",
                   lambda k: _label("complex", "complex"),
                   lambda c: _both(lambda lang: f"{c.name}, {len([u for p in c.portieken.values() for u in p])} "
                                                f"{'woningen' if lang == 'nl' else 'homes'}"),
                   compare, lambda c: c.where)

    def units(self) -> None:
        fields = (("rooms", "kamers", "rooms", lambda v: _same(str(v))),
                  ("rent", "huur", "rent", lambda v: _amount(v, "euro")),
                  ("daeb", "DAEB", "DAEB", lambda v: _label("ja" if v else "nee", "yes" if v else "no")),
                  ("floor", "verdieping", "floor", lambda v: _same("-" if v is None else str(v))),
                  ("portiek", "portiek", "portiek", _same))

        def compare(uid, a, b):
            for name, nl, en, show in fields:
                self.value("units", f"woning {uid}", _label(nl, en), getattr(a, name), getattr(b, name), b.where,
                           show)

        # Homes of an added or removed complex are listed with that complex, not one by one.
        old = {k: u for k, u in self.old.units.items() if u.complex in self.new.complexes}
        new = {k: u for k, u in self.new.units.items() if u.complex in self.old.complexes}
        self.keyed("units", old, new, lambda k: f"woning {k}", lambda k: _label("woning", "home"),
                   lambda u: _both(lambda lang: f"{u.portiek}, {u.rooms} {'kamers' if lang == 'nl' else 'rooms'}, "
                                                f"{format_euro(u.rent, lang, cents=True)}"),
                   compare, lambda u: u.where)

    def rules(self) -> None:
        old = {r.id: r for r in self.old.rules}
        new = {r.id: r for r in self.new.rules}

        def texts(items) -> dict:
            return _same(" | ".join(t.text for t in items) or "-")

        def compare(rid, a, b):
            subject = f"regel {rid}"
            for name, nl, en in (("level", "niveau", "level"), ("kind", "soort", "kind"),
                                 ("outcome", "uitkomst", "outcome"), ("mode", "combinatie", "mode"),
                                 ("source", "bron", "source")):
                self.value("rules", subject, _label(nl, en), getattr(a, name), getattr(b, name), b.where)
            self.value("rules", subject, _label("norm", "norm"), a.norm, b.norm, b.where, _pct)
            if a.title != b.title:
                self.add("rules", subject, "changed", _label("titel", "title"), {"nl": a.title.nl, "en": a.title.en},
                         {"nl": b.title.nl, "en": b.title.en}, b.where)
            for name, nl, en in (("conditions", "voorwaarde", "condition"), ("applies_when", "geldt als", "applies when")):
                ta, tb = [t.text for t in getattr(a, name)], [t.text for t in getattr(b, name)]
                if ta != tb:
                    first = getattr(b, name)[0].where if getattr(b, name) else b.where
                    self.add("rules", subject, "changed", _label(nl, en), texts(getattr(a, name)),
                             texts(getattr(b, name)), first)
            fa = tuple(t.text for t in a.fired_text) + tuple(t.text for t in a.not_fired_text or ())
            fb = tuple(t.text for t in b.fired_text) + tuple(t.text for t in b.not_fired_text or ())
            if fa != fb:
                self.add("rules", subject, "changed", _label("uitlegtekst", "explanation text"),
                         {"nl": a.fired_text[0].text, "en": a.fired_text[1].text},
                         {"nl": b.fired_text[0].text, "en": b.fired_text[1].text}, b.fired_text[0].where)

        self.keyed("rules", old, new, lambda k: f"regel {k}", lambda k: _label("regel", "rule"),
                   lambda r: _both(lambda lang: f"{r.title.get(lang)} ({r.outcome})"), compare, lambda r: r.where)

    def definitions(self) -> None:
        def cases(d) -> dict:
            return _same(" | ".join(f"{c.when.text if c.when else 'anders/otherwise'} -> {c.value.text}"
                                    for c in d.cases))

        def compare(name, a, b):
            if cases(a) != cases(b):
                self.add("definitions", f"def.{name}", "changed", _label("gevallen", "cases"), cases(a), cases(b),
                         b.where)
            self.value("definitions", f"def.{name}", _label("eenheid", "unit"), a.unit, b.unit, b.where)

        self.keyed("definitions", dict(self.old.definitions), dict(self.new.definitions), lambda k: f"def.{k}",
                   lambda k: _label("definitie", "definition"), cases, compare, lambda d: d.where)

    def ranking(self) -> None:
        for name, nl, en in (("drop", "valt af", "drops out"), ("order", "volgorde", "order")):
            self.value("ranking", "ranking", _label(nl, en), getattr(self.old.ranking, name),
                       getattr(self.new.ranking, name), None, lambda v: _same(", ".join(v) or "-"))


def diff_policies(old: Policy, new: Policy) -> PolicyDiff:
    """Every semantic change from old to new, section by section in a fixed order."""
    d = _Differ(old, new)
    for step in (d.metadata, d.categories, d.parameters, d.buurten, d.complexes, d.units, d.rules, d.definitions,
                 d.ranking):
        step()
    order = {s: i for i, s in enumerate(SECTIONS)}
    items = sorted(d.items, key=lambda i: (order[i.section], i.subject, i.field["en"]))
    return PolicyDiff(old.id, new.id, old.version, new.version, old.content_hash, new.content_hash, tuple(items))


@frozen
class GroupedItem:
    """Identical changes to several subjects, shown once (a changed default reaches many buurten)."""

    section: str
    change: str
    field: dict
    old: dict | None
    new: dict | None
    subjects: tuple[str, ...]
    where: tuple[str, ...]


def grouped(items) -> tuple[GroupedItem, ...]:
    """Items that differ only in their subject, merged; first-seen order kept."""
    groups: dict = defaultdict(list)
    for item in items:
        key = (item.section, item.change, item.field["en"], item.field["nl"],
               tuple(sorted((item.old or {}).items())), tuple(sorted((item.new or {}).items())))
        groups[key].append(item)
    return tuple(GroupedItem(v[0].section, v[0].change, v[0].field, v[0].old, v[0].new,
                             tuple(i.subject for i in v), tuple(i.where for i in v if i.where))
                 for v in groups.values())
