"""Compile stage: parse every condition, definition and template, resolve fact names, check types,
and turn them into plain Python closures that evaluate a Facts set.

Values are exact Fractions, text, booleans, dates or tuples. A value that cannot be
determined (a missing fact, a division by zero) is an `Unknown` carrying its reason;
and/or/not follow three-valued (Kleene) logic, so 'false and unknown' is false.
"""

from __future__ import annotations

from . import operators
from .bounds import Shapes
from ..diagnostics import Collector, Diagnostic, hint, make
from .expr import (Attr, Binary, Bool, ExprError, Index, ListLit, Logic, Name, Node, Num, Str, Unary, parse,
                   path_text)
from .facts import Facts, Unknown, catalogue, no_case, no_value, prefixes
from ..model.levels import unknown_level
from ..model.policy import Policy, Text, frozen_map
from .operators import and_, not_, or_
from .program import CompiledRule, Condition, Expr, Fn, Program  # noqa: F401 - Program: read here by its old name
from .templates import Placeholder, Template, refuse_hidden, template_parts
from ..model.value_types import BOOL, CATEGORY, EURO, LIST, NUMBER, PERCENT, TEXT, UNIT_TYPES, Kind, ValueType
from ..model.value_types import parse as parse_type
from ..render.numbers import exact_text


# Dutch words staff naturally write in a fact path, mapped to the English fact names.
DUTCH_WORDS = {
    "huishouden": "household", "woning": "unit", "huur": "rent", "kamers": "rooms", "inkomen": "income",
    "grootte": "size", "personen": "size", "leeftijd": "age", "categorie": "category", "kenmerken": "flags",
    "aandeel": "share", "aantal": "count", "bewoond": "occupied", "leeg": "vacant", "woningen": "homes",
    "na": "projected", "verwacht": "projected", "profiel": "profile", "doel": "target", "streef": "target",
    "plafond": "ceiling", "bovengrens": "ceiling", "ondergrens": "floor", "datum": "date", "jaar": "year",
    "verdieping": "floor",
}



def _is_unknown(v) -> bool:
    return v.__class__ is Unknown


class _Compiler:
    def __init__(self, policy: Policy):
        self.policy = policy
        self.categories = policy.category_ids
        self.catalogue, self.prefixes = catalogue(policy.levels), prefixes(policy.levels)  # the policy's levels
        self.defs: dict[str, tuple[Fn, str]] = {}
        self.busy: set[str] = set()
        self.used_params: set[str] = set()
        self.def_errors: list[Diagnostic] = []
        self.bounds = Shapes(policy)
        self.reads_category: dict[str, bool] = {}  # definition -> whether it reads the household's category

    # --- names -------------------------------------------------------------------------------
    def _known_names(self) -> list[str]:
        return list(self.catalogue) + [f"param.{p}" for p in self.policy.parameters] + \
            [f"def.{d}" for d in self.policy.definitions]

    def _category(self, node: Node, value: str) -> None:
        if value not in self.categories:
            h = hint(self.categories, value)
            raise ExprError(node.pos, f"onbekende categorie '{value}'{h[0]}", f"unknown category '{value}'{h[1]}")

    def path(self, node: Node, path: str) -> tuple[Fn, str]:
        spec = self.catalogue.get(path)
        if spec is not None:
            return spec.get, parse_type(spec.type)
        head, _, rest = path.partition(".")
        if head == "param" and rest:
            return self.param(node, rest)
        if head == "def" and rest:
            return self.definition(node, rest)
        parent, _, last = path.rpartition(".")
        pspec = self.catalogue.get(parent)
        if pspec is not None and parse_type(pspec.type).kind is Kind.MAP:
            self._category(node, last)
            return self._item(pspec, lambda f, k=last: k), parse_type(pspec.type).item()
        if path in self.prefixes:
            options = sorted(p for p in self._known_names() if p.startswith(path + "."))[:6]
            raise ExprError(node.pos, f"'{path}' is geen gegeven op zich; bijvoorbeeld: {', '.join(options)}",
                            f"'{path}' is not a fact by itself; for example: {', '.join(options)}")
        self._known_level(node, path)
        dutch = ".".join(DUTCH_WORDS.get(part, part) for part in path.split("."))
        h = (f"; bedoelde u '{dutch}'?", f"; did you mean '{dutch}'?") if dutch in self.catalogue \
            else hint(self._known_names(), path)
        raise ExprError(node.pos, f"onbekend gegeven '{path}'{h[0]} (zie 'magicmix facts')",
                        f"unknown fact '{path}'{h[1]} (see 'magicmix facts')")

    def _known_level(self, node: Node, path: str) -> None:
        """Refuse a path that names a level the policy does not declare (projected.wijk.share without a wijk)."""
        level = unknown_level(path, self.policy.levels)
        if level is not None:
            d = make("unknown-level", "", level=level, hint=hint(self.policy.levels.keys, level),
                     known=", ".join(self.policy.levels.keys))
            raise ExprError(node.pos, d.nl, d.en)

    def param(self, node: Node, name: str) -> tuple[Fn, str]:
        p = self.policy.parameters.get(name)
        if p is None:
            h = hint(self.policy.parameters, name)
            raise ExprError(node.pos, f"onbekende parameter '{name}'{h[0]}", f"unknown parameter '{name}'{h[1]}")
        self.used_params.add(name)

        def get(f: Facts, name=name):
            dv = f.params.get(name)
            return no_value(name, f.date) if dv is None else dv.value

        return get, UNIT_TYPES[p.unit]

    def definition(self, node: Node, name: str) -> tuple[Fn, str]:
        if name in self.defs:
            return self.defs[name]
        d = self.policy.definitions.get(name)
        if d is None:
            h = hint(self.policy.definitions, name)
            raise ExprError(node.pos, f"onbekende definitie '{name}'{h[0]}", f"unknown definition '{name}'{h[1]}")
        if not d.cases:  # validation has reported why
            raise ExprError(node.pos if node is not None else 0, f"definitie '{name}' heeft geen geldig geval",
                            f"definition '{name}' has no valid case")
        if name in self.busy:
            raise ExprError(node.pos, f"definitie '{name}' verwijst (via andere) naar zichzelf",
                            f"definition '{name}' refers (through others) to itself")
        self.busy.add(name)
        try:
            cases = []
            value_type = None
            for case in d.cases:
                when = self.condition_text(case.when) if case.when else None
                value = self.expr_text(case.value)
                if value_type is not None and value.type.kind is not value_type.kind:
                    raise _At(case.value, ExprError(0, "alle gevallen van een definitie geven hetzelfde soort waarde",
                                                    "all cases of a definition give the same kind of value"))
                value_type = value.type
                cases.append((when.fn if when else None, value.fn))
        finally:
            self.busy.discard(name)
        declared = UNIT_TYPES.get(d.unit, NUMBER)
        typ = declared if declared.kind is value_type.kind else value_type
        cases_t = tuple(cases)

        def get(f: Facts, cases=cases_t, name=name):
            for when, value in cases:
                if when is None:
                    return value(f)
                w = when(f)
                if w is True:
                    return value(f)
                if _is_unknown(w):
                    return w
            return no_case(name)

        self.defs[name] = (get, typ)
        return get, typ

    def _item(self, spec, key: Fn, key_node: Node | None = None) -> Fn:
        if spec.item is not None:
            item = spec.item
            if key_node is not None and path_text(key_node) == "household.category":
                return lambda f: item(f, f.household.category)  # the common case, never unknown
            return lambda f: _item_or_unknown(item, f, key(f))
        get = spec.get
        return lambda f: get(f).get(key(f), 0)

    # --- nodes -------------------------------------------------------------------------------
    def node(self, n: Node) -> tuple[Fn, str]:
        if isinstance(n, Num):
            v = n.value
            return (lambda f: v), {"percent": PERCENT, "euro": EURO}.get(n.unit, NUMBER)
        if isinstance(n, Str):
            s = n.value
            return (lambda f: s), TEXT
        if isinstance(n, Bool):
            b = n.value
            return (lambda f: b), BOOL
        if isinstance(n, (Name, Attr)):
            p = path_text(n)
            if p is None:
                raise ExprError(n.pos, "hier hoort een gegeven", "a fact is expected here")
            return self.path(n, p)
        if isinstance(n, Index):
            return self.index(n)
        if isinstance(n, ListLit):
            items = [self.node(i) for i in n.items]
            for (fn, t), item in zip(items, n.items):
                if not t.textual:
                    raise ExprError(item.pos, "een lijst bevat alleen teksten", "a list holds only texts")
            fns = tuple(fn for fn, _ in items)
            return (lambda f: tuple(fn(f) for fn in fns)), LIST
        if isinstance(n, Unary):
            fn, t = self.node(n.operand)
            if n.op == "not":
                self._want(n.operand, t, Kind.BOOL)
                return not_(fn), BOOL
            self._want(n.operand, t, Kind.NUMBER)
            return (lambda f: v if _is_unknown(v := fn(f)) else -v), t
        if isinstance(n, Logic):
            fns = []
            for item in n.items:
                fn, t = self.node(item)
                self._want(item, t, Kind.BOOL)
                fns.append(fn)
            return (and_ if n.op == "and" else or_)(tuple(fns)), BOOL
        if isinstance(n, Binary):
            return self.binary(n)
        raise ExprError(n.pos, "dit is in een voorwaarde niet toegestaan", "this is not allowed in a condition")

    def index(self, n: Index) -> tuple[Fn, str]:
        p = path_text(n.base)
        spec = self.catalogue.get(p) if p else None
        if spec is None and p:
            self._known_level(n, p)
        if spec is None or parse_type(spec.type).kind is not Kind.MAP:
            raise ExprError(n.pos, "alleen een gegeven per categorie (zoals share of count) kan met [...] worden gelezen",
                            "only a per-category fact (such as share or count) can be read with [...]")
        kfn, kt = self.node(n.index)
        if not kt.textual:
            raise ExprError(n.index.pos, "tussen [ ] hoort een categorie", "a category belongs between [ ]")
        if isinstance(n.index, Str):
            self._category(n.index, n.index.value)
        return self._item(spec, kfn, n.index), parse_type(spec.type).item()

    def _want(self, node: Node, t: ValueType, want: Kind) -> None:
        if t.kind is not want:
            words = {"bool": ("een ja/nee-waarde (een vergelijking)", "a yes/no value (a comparison)"),
                     "number": ("een getal", "a number")}[want]
            raise ExprError(node.pos, f"hier hoort {words[0]}", f"{words[1]} is expected here")

    # --- the operators' type rules ask these (operators.Checker) ---------------------------------
    want = _want

    def refuse(self, node: Node, nl: str, en: str) -> None:
        raise ExprError(node.pos, nl, en)

    def literal_categories(self, node: Node, other_type: ValueType) -> None:
        if other_type is not CATEGORY:
            return
        for item in node.items if isinstance(node, ListLit) else (node,):
            if isinstance(item, Str):
                self._category(item, item.value)

    def binary(self, n: Binary) -> tuple[Fn, str]:
        lf, lt = self.node(n.left)
        rf, rt = self.node(n.right)
        typ = operators.OPERATORS[n.op].types(self, n, lt, rt)
        if operators.OPERATORS[n.op].is_comparison and lt.kind is Kind.NUMBER and rt.kind is Kind.NUMBER:
            _comparable(n, lt, rt)
        return operators.compiled(n.op, lf, rf), typ

    def _reads_category(self, node: Node, seen: frozenset = frozenset()) -> bool:
        """Whether an expression reads the household's category, directly, via projected groups or a definition."""
        for leaf in _fact_nodes(node):
            p = path_text(leaf.base if isinstance(leaf, Index) else leaf) or ""
            if p.startswith(("household.category", "projected.")):
                return True
            if isinstance(leaf, Index) and self._reads_category(leaf.index, seen):
                return True
            if p.startswith("def."):
                name = p.split(".", 1)[1]
                d = self.policy.definitions.get(name)
                if d is None or name in seen:
                    continue
                if name not in self.reads_category:  # once per definition: a chain that reads one twice is not 2^n
                    self.reads_category[name] = any(
                        self._reads_category(parse(t.text), seen | {name})
                        for case in d.cases for t in ([case.when] if case.when else []) + [case.value])
                if self.reads_category[name]:
                    return True
        return False

    # --- entry points --------------------------------------------------------------------------
    def expr_text(self, text: Text) -> Expr:
        try:
            node = parse(text.text)
            self.bounds.check(node)
            fn, t = self.node(node)
        except ExprError as exc:
            raise _At(text, exc) from None
        return Expr(fn, t, node, text)

    def condition_text(self, text: Text) -> Expr:
        e = self.expr_text(text)
        if e.type.kind is not Kind.BOOL:
            raise _At(text, ExprError(0, "een voorwaarde moet waar of onwaar zijn (gebruik een vergelijking zoals > of ==)",
                                      "a condition must be true or false (use a comparison such as > or ==)"))
        return e

    def condition(self, text: Text) -> Condition:
        e = self.condition_text(text)
        n = e.node
        if isinstance(n, Binary) and operators.OPERATORS[n.op].is_comparison:
            lf, lt = self.node(n.left)
            rf, rt = self.node(n.right)
            return Condition(e, n.op, Expr(lf, lt, n.left, text), Expr(rf, rt, n.right, text))
        used = []
        for leaf in _fact_nodes(n):
            fn, t = self.node(leaf)
            if not any(u.node == leaf for u in used):
                used.append(Expr(fn, t, leaf, text))
        return Condition(e, None, None, None, tuple(used))

    def template(self, text: Text) -> Template:
        parts: list = []
        try:
            pieces = template_parts(text.text)
        except ExprError as exc:
            raise _At(text, exc) from None
        for part in pieces:
            if isinstance(part, str):
                parts.append(part)
                continue
            offset, node, fmt = part
            try:
                fn, t = self.node(node)
                refuse_hidden(node)
            except ExprError as exc:
                raise _At(text, ExprError(offset + exc.offset, exc.nl, exc.en)) from None
            parts.append(Placeholder(Expr(fn, t, node, text), fmt))
        return Template(tuple(parts))


def _fact_nodes(n: Node):
    """The fact paths (Name/Attr/Index chains) inside an expression, left to right."""
    if isinstance(n, (Name, Attr, Index)):
        yield n
    elif isinstance(n, Logic) or isinstance(n, ListLit):
        for item in n.items:
            yield from _fact_nodes(item)
    elif isinstance(n, Unary):
        yield from _fact_nodes(n.operand)
    elif isinstance(n, Binary):
        yield from _fact_nodes(n.left)
        yield from _fact_nodes(n.right)


class _At(Exception):
    """An ExprError tied to the policy text it occurred in."""

    def __init__(self, text: Text, error: ExprError):
        super().__init__(error.en)
        self.text = text
        self.error = error

    def diagnostic(self, code: str = "expr-syntax") -> Diagnostic:
        w = self.text.where
        col = w.column + self.text.offset + self.error.offset
        if code == "template-error":
            return make(code, w.file, w.line, col, problem=(self.error.nl, self.error.en))
        return make("expr-syntax", w.file, w.line, col, problem=(self.error.nl, self.error.en))


def _item_or_unknown(item, f, key):
    if _is_unknown(key):
        return key
    return item(f, key)


def compile_policy(policy: Policy, collector: Collector | None = None) -> Program | None:
    """Compile every rule and definition; errors go to the collector (None is returned if any)."""
    collector = collector if collector is not None else Collector()
    before = len(collector.errors)
    c = _Compiler(policy)
    definitions = {}
    for name in policy.definitions:
        if not policy.definitions[name].cases:
            continue  # validation has reported the broken cases
        try:
            fn, t = c.definition(None, name)
            d = policy.definitions[name]
            definitions[name] = Expr(fn, t, None, d.cases[0].value)
        except _At as exc:
            collector.add(exc.diagnostic())
        except ExprError:  # cycle detected at a reference inside another definition
            w = policy.definitions[name].where
            collector.add(make("definition-cycle", w.file, w.line, w.column, name=name))
    rules = []
    for rule in policy.rules:
        try:
            applies = tuple(c.condition(t) for t in rule.applies_when)
            conditions = tuple(c.condition(t) for t in rule.conditions)
        except _At as exc:
            collector.add(exc.diagnostic())
            continue
        try:
            fired = (c.template(rule.fired_text[0]), c.template(rule.fired_text[1]))
            not_fired = (c.template(rule.not_fired_text[0]), c.template(rule.not_fired_text[1])) \
                if rule.not_fired_text else None
        except _At as exc:
            collector.add(exc.diagnostic("template-error"))
            continue
        uses = any(c._reads_category(cond.expr.node) for cond in applies + conditions)
        rules.append(CompiledRule(rule, applies, conditions, fired, not_fired, uses, tuple(c.expr.fn for c in applies),
                                  tuple(c.expr.fn for c in conditions)))
    for name, p in policy.parameters.items():
        if name not in c.used_params:
            w = p.where or p.values[0].where
            collector.add(make("unused-parameter", w.file, w.line, w.column, severity="warning", name=name))
    if len(collector.errors) > before:
        return None
    return Program(policy, tuple(rules), frozen_map(definitions))


# What a number measures, for comparisons: a share never equals an amount or a count, whatever their numbers.
_MEASURES = {"percent": ("een aandeel of percentage", "a share or percentage"), "count": ("een aantal", "a count"),
             "euro": ("een bedrag", "an amount"), "euro_per_month": ("een bedrag", "an amount"),
             "euro_per_year": ("een bedrag", "an amount")}


def _comparable(n: Binary, lt: ValueType, rt: ValueType) -> None:
    """Refuse a comparison of numbers that measure different things (a share with a count or an amount), and a
    share with a bare number above 1 such as 35, which would be 3500 %: 35% is what is meant (0.35 is 35 %)."""
    lm, rm = _MEASURES.get(lt.unit), _MEASURES.get(rt.unit)
    if lm and rm and lm != rm:
        raise ExprError(n.pos, f"{lm[0]} is niet te vergelijken met {rm[0]}", f"{lm[1]} cannot be compared with {rm[1]}")
    for side, other in ((n.left, rt), (n.right, lt)):
        if other.unit == "percent" and isinstance(side, Num) and side.unit == "number" and side.value > 1:
            text, means = exact_text(side.value), exact_text(side.value * 100)
            raise ExprError(side.pos, f"een aandeel vergelijkt u met een percentage: schrijf {text}% "
                                      f"({text} zonder % is {means} %)",
                            f"compare a share with a percentage: write {text}% ({text} without % is {means}%)")
