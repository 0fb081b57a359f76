"""Code generation for the compiled rules: Python expressions written from the checked syntax tree.

`Gen` turns the conditions of a program's rules, as compile.py has parsed and type-checked them,
into Python expressions over the few values compiled.py's functions hold (the household, the
home, the counts of the levels the rules read, the complex's profile tables). It writes only
names it makes itself and `repr` of ints; texts, dates and non-integral numbers are constants
bound by name. What it has no code for raises Unsupported (see compiled.py).
"""

from __future__ import annotations

import datetime as dt
import operator as py
from fractions import Fraction

from . import operators
from .expr import Attr, Binary, Bool, Index, ListLit, Logic, Name, Num, Str, Unary, path_text
from .facts import AGE_NOT_GIVEN, FLOOR_NOT_GIVEN, Unknown, no_case, no_limit, no_value
from .program import Program

# Status codes of the generated code, two bits each in the key of a combination.
FIRED_CODE, NOT_FIRED_CODE, NOT_APPLICABLE_CODE, UNKNOWN_CODE = 0, 1, 2, 3
_COMPARE = {"==": py.eq, "!=": py.ne, "<": py.lt, "<=": py.le, ">": py.gt, ">=": py.ge}
_MEMBER = {"in": "in", "not in": "not in"}
_ARITH = {"+": py.add, "-": py.sub}


MAX_CODE = 20_000  # characters of one definition's code: past it, the general path decides (as fast, far smaller)


class Unsupported(Exception):
    """The compiler has no code for this construct: the program takes the general path."""


class _V:
    """A generated value: its code and what is known about it when the source is written."""

    __slots__ = ("code", "kind", "unknown", "integral", "share", "pair", "const", "nd")

    def __init__(self, code, kind, unknown=False, integral=False, share=None, pair=False, const=None, nd=None):
        self.code = code          # a Python expression giving the value (for a share: a Fraction)
        self.kind = kind          # "num", "bool" or "other"
        self.unknown = unknown    # whether it may evaluate to an Unknown
        self.integral = integral  # an int, always
        self.share = share        # (count code, occupied code): the share is count / occupied when occupied > 0
        self.pair = pair          # the code gives a (numerator, denominator) tuple, denominator > 0
        self.const = const        # a number known now (Fraction)
        self.nd = nd              # (numerator code, denominator code) read without evaluating code again


def _share(n: int, occupied: int) -> Fraction:
    """A share as facts.Group.share computes it (0 for an empty group)."""
    return Fraction(0) if occupied == 0 else Fraction(n, occupied)


def _frac(pair: tuple[int, int]) -> Fraction:
    return Fraction(pair[0], pair[1])


class Gen:
    """Writes the source of one program's rules for one date."""

    def __init__(self, program: Program, date: dt.date):
        self.program, self.policy, self.date = program, program.policy, date
        self.levels = self.policy.levels.keys
        self.ns: dict = {"_U": Unknown, "_AGE_NOT_GIVEN": AGE_NOT_GIVEN, "_FLOOR_NOT_GIVEN": FLOOR_NOT_GIVEN,
                         "_no_limit": no_limit, "_mul": operators._mul, "_div": operators._div, "_share": _share,
                         "_frac": _frac, "_F": Fraction}
        self.consts: dict = {}
        self.definitions_made: dict = {}
        self.temps = 0
        self.tables: list = []  # (key, builder(profile, mixes)) for the per-complex context
        self.need: dict[int, set] = {}  # level index -> {"c", "map", "n", "occ", "homes"}
        self.unit_need: set = set()  # the home's columns the rules read: "rent", "rooms", "daeb", "floor", "keys"

    # --- names we emit ----------------------------------------------------------------------------
    def temp(self) -> str:
        self.temps += 1
        return f"_t{self.temps}"

    def const(self, value) -> str:
        """A name for a constant (text, date, Fraction): never written into the source."""
        key = (type(value), value)
        name = self.consts.get(key)
        if name is None:
            name = self.consts[key] = f"K{len(self.consts)}"
            self.ns[name] = value
        return name

    def number(self, value) -> _V:
        v = Fraction(value)
        if v.denominator == 1:
            return _V(repr(int(v.numerator)), "num", integral=True, const=v)
        return _V(self.const(v), "num", const=v)

    def table(self, key, builder) -> str:
        for i, (k, _) in enumerate(self.tables):
            if k == key:
                return f"x{i}"
        self.tables.append((key, builder))
        return f"x{len(self.tables) - 1}"

    # --- facts --------------------------------------------------------------------------------------
    def path(self, p: str) -> _V:
        simple = {
            "household.size": lambda: _V("h.size", "num", integral=True),
            "household.income": lambda: _V("h.income", "num"),
            "household.category": lambda: _V("cat", "other"),
            "household.id": lambda: _V("h.id", "other"),
            "household.flags": lambda: _V("h.flags", "other"),
            "household.older": lambda: _V("h.older", "bool"),
            "household.route": lambda: _V(f"(h.route or {self.const('')})", "other"),
            "household.age": lambda: self.maybe_none("h.age", "_AGE_NOT_GIVEN"),
            # the home's values as compiled.py's functions read them from the unit table's columns
            "unit.id": lambda: _V("uid", "other"), "unit.portiek": lambda: self.column("keys", _V("ks[0]", "other")),
            "unit.complex": lambda: self.column("keys", _V("ks[1]", "other")),
            "unit.buurt": lambda: self.column("keys", _V("ks[2]", "other")),
            "unit.rent": lambda: self.column("rent", _V("_F(rn, rd)", "num", nd=("rn", "rd"))),
            "unit.rooms": lambda: self.column("rooms", _V("u_rooms", "num", integral=True)),
            "unit.daeb": lambda: self.column("daeb", _V("u_daeb", "bool")),
            "unit.floor": lambda: self.column("floor", self.maybe_none("u_floor", "_FLOOR_NOT_GIVEN")),
            "date": lambda: _V(self.const(self.date), "other"),
            "year": lambda: self.number(self.date.year),
            "profile.min_households": lambda: _V(self.table(("min",), min_households), "num", integral=True),
            "profile.portiek.max_households": lambda: _V(self.table(("max",), max_households), "other"),
        }
        if p in simple:
            return simple[p]()
        head, _, rest = p.partition(".")
        if head == "param" and rest in self.policy.parameters:
            dv = self.policy.parameters[rest].at(self.date)
            # the reason the general path gives (explanations show it), fixed for the date the code is for
            return _V(self.const(no_value(rest, self.date)), "num", unknown=True) if dv is None \
                else self.number(dv.value)
        if head == "def" and rest in self.policy.definitions:
            return self.definition(rest)
        parts = p.split(".")
        projected = parts[0] == "projected"
        if projected:
            parts = parts[1:]
        if len(parts) == 2 and parts[0] in self.levels:
            i = self.levels.index(parts[0])
            attr = parts[1]
            if attr == "occupied":
                self.need.setdefault(i, set()).add("occ")
                return _V(f"(o{i} + 1)" if projected else f"o{i}", "num", integral=True)
            if attr == "homes":
                self.need.setdefault(i, set()).add("homes")
                return _V(f"m{i}", "num", integral=True)
            if attr == "vacant":
                self.need.setdefault(i, set()).update(("homes", "occ"))
                return _V(f"(m{i} - o{i} - 1)" if projected else f"(m{i} - o{i})", "num", integral=True)
        # a map fact's item written with a dot: complex.share.<category>
        parent, _, last = p.rpartition(".")
        if last in self.policy.category_ids and parent:
            return self.item(parent, _V(self.const(last), "other"), last)
        raise Unsupported(p)

    def column(self, name: str, v: _V) -> _V:
        """A value of the home read from the unit table's column name (compiled.py reads only those needed)."""
        self.unit_need.add(name)
        return v

    def item(self, p: str, key: _V, literal: str | None = None) -> _V:
        """The item of a per-category fact for a key (the household's category or a literal)."""
        if key.unknown:
            raise Unsupported("unknown key")
        parts = p.split(".")
        if parts[:2] == ["profile", "portiek"] and parts[2:] == ["max_households"]:
            t, m = self.temp(), self.table(("max",), max_households)
            return _V(f"(_no_limit({key.code}) if ({t} := {m}.get({key.code})) is None else {t})", "num", unknown=True,
                      integral=True)
        if parts[0] == "profile" and len(parts) == 3 and parts[2] in ("target", "floor", "ceiling") \
                and parts[1] in self.levels and self.policy.levels[parts[1]].mix:
            level, what = parts[1], parts[2]
            if what == "target":
                def build(prof, mixes, lv=level):
                    return {c: (v.numerator, v.denominator) for c, v in mixes[lv].targets.items()}
            else:
                def build(prof, mixes, lv=level, low=what == "floor"):
                    return {c: ((b.low if low else b.high).numerator, (b.low if low else b.high).denominator)
                            for c, b in mixes[lv].bands.items()}
            return _V(f"{self.table((level, what), build)}[{key.code}]", "num", pair=True)
        projected = parts[0] == "projected"
        if projected:
            parts = parts[1:]
        if len(parts) != 2 or parts[0] not in self.levels or parts[1] not in ("count", "share"):
            raise Unsupported(p)
        i = self.levels.index(parts[0])
        need = self.need.setdefault(i, set())
        need.add("c")
        if key.code == "cat":
            need.add("n")
            n = f"(n{i} + 1)" if projected else f"n{i}"
        else:
            need.add("map")  # the counts as a mapping (from_counts builds one from the tuple form)
            n = f"(c{i}.get({key.code}, 0) - (lv == {key.code})" + (f" + ({key.code} == cat))" if projected else ")")
        if parts[1] == "count":
            return _V(n, "num", integral=True)
        need.add("occ")
        occ = f"(o{i} + 1)" if projected else f"o{i}"
        return _V(f"_share({n}, {occ})", "num", share=(n, occ))

    def definition(self, name: str) -> _V:
        # A definition is inlined where it is used: one used twice by the next, and so on, doubles the code at
        # each step. Each is made once, and a program whose code would grow past MAX_CODE takes the general path.
        made = self.definitions_made.get(name)
        if made is None:
            made = self.definitions_made[name] = self._definition(name)
            if len(made.code) > MAX_CODE:
                raise Unsupported(name)
        return made

    def _definition(self, name: str) -> _V:
        d = self.policy.definitions[name]
        if not d.cases:
            raise Unsupported(name)
        from .expr import parse

        code, unknown, kinds, integral = self.const(no_case(name)), True, set(), True
        for case in reversed(d.cases):
            value = self.value(self.node(parse(case.value.text)))
            kinds.add(value.kind)
            integral = integral and value.integral
            if case.when is None:
                code, unknown = value.code, value.unknown
                continue
            when = self.node(parse(case.when.text))
            if when.kind != "bool":
                raise Unsupported("when")
            if when.unknown:
                w = self.temp()
                code = f"({value.code} if ({w} := {when.code}) is True else ({w} if {w}.__class__ is _U else {code}))"
            else:
                code = f"({value.code} if {when.code} else {code})"
            unknown = unknown or when.unknown or value.unknown
        if len(kinds) != 1:
            raise Unsupported("kinds")
        return _V(code, kinds.pop(), unknown=unknown, integral=integral)

    def maybe_none(self, code: str, why: str) -> _V:
        """A count that may be missing (an age, a floor): unknown when it is, for the reason the facts give (why: its
        name in the namespace)."""
        t = self.temp()
        return _V(f"({why} if ({t} := {code}) is None else {t})", "num", unknown=True, integral=True)

    # --- expressions --------------------------------------------------------------------------------
    def value(self, v: _V) -> _V:
        """The value as a plain Python value (a share or band item becomes a Fraction)."""
        if v.share is not None or v.pair:
            return _V(v.code if v.share is not None else f"_frac({v.code})", v.kind, v.unknown)
        return v

    def node(self, n) -> _V:
        if isinstance(n, Num):
            return self.number(n.value)
        if isinstance(n, Str):
            return _V(self.const(n.value), "other")
        if isinstance(n, Bool):
            return _V("True" if n.value else "False", "bool")
        if isinstance(n, (Name, Attr)):
            p = path_text(n)
            if p is None:
                raise Unsupported("path")
            return self.path(p)
        if isinstance(n, Index):
            p = path_text(n.base)
            key = path_text(n.index)
            if p is None:
                raise Unsupported("index")
            if key == "household.category":
                return self.item(p, _V("cat", "other"))
            if isinstance(n.index, Str):
                return self.item(p, _V(self.const(n.index.value), "other"))
            raise Unsupported("index key")
        if isinstance(n, ListLit):
            items = [self.value(self.node(i)) for i in n.items]
            if any(i.unknown for i in items):
                raise Unsupported("list")
            return _V("(" + "".join(f"{i.code}, " for i in items) + ")", "other")
        if isinstance(n, Unary):
            v = self.value(self.node(n.operand))
            op = "not " if n.op == "not" else "-"
            kind = "bool" if n.op == "not" else "num"
            if not v.unknown:
                return _V(f"({op}{v.code})", kind, integral=v.integral)
            t = self.temp()
            return _V(f"({t} if ({t} := {v.code}).__class__ is _U else {op}{t})", kind, unknown=True)
        if isinstance(n, Logic):
            return self.logic([self.node(i) for i in n.items], n.op == "or")
        if isinstance(n, Binary):
            return self.binary(n)
        raise Unsupported(type(n).__name__)

    def logic(self, items: list[_V], decisive: bool) -> _V:
        """Three-valued and (decisive False) / or (decisive True), left to right as operators.kleene."""
        if any(i.kind != "bool" for i in items):
            raise Unsupported("logic")
        if not any(i.unknown for i in items):
            word = " or " if decisive else " and "
            return _V("(" + word.join(i.code for i in items) + ")", "bool")
        d = "True" if decisive else "False"
        code = items[-1].code
        for item in reversed(items[:-1]):
            x, y = self.temp(), self.temp()
            code = (f"({d} if ({x} := {item.code}) is {d} else ({d} if ({y} := {code}) is {d} else "
                    f"({x} if {x}.__class__ is _U else {y})))")
        return _V(code, "bool", unknown=True)

    def binary(self, n: Binary) -> _V:
        op = operators.OPERATORS.get(n.op)
        a, b = self.node(n.left), self.node(n.right)
        if op is None:
            raise Unsupported(n.op)
        if n.op in _COMPARE and op.fn is _COMPARE[n.op]:
            return self.guarded(a, b, lambda x, y: self.compare(n.op, x, y), "bool")
        if n.op in _MEMBER and op.fn in (operators._member, operators._not_member):
            return self.guarded(self.value(a), self.value(b), lambda x, y: _V(f"({x.code} {n.op} {y.code})", "bool"),
                                "bool")
        if n.op in _ARITH and op.fn is _ARITH[n.op]:
            return self.guarded(self.value(a), self.value(b), lambda x, y: _V(
                f"({x.code} {n.op} {y.code})", "num", integral=x.integral and y.integral), "num")
        if (n.op, op.fn) in (("*", operators._mul), ("/", operators._div)):
            fn = "_mul" if n.op == "*" else "_div"
            v = self.guarded(self.value(a), self.value(b), lambda x, y: _V(f"{fn}({x.code}, {y.code})", "num"), "num")
            v.unknown = True
            return v
        raise Unsupported(n.op)

    def guarded(self, a: _V, b: _V, make, kind: str) -> _V:
        """make(a, b), with an unknown operand as the result (left first, as operators.compiled)."""
        if not a.unknown and not b.unknown:
            return make(a, b)
        ta, tb = a, b
        code_a = code_b = None
        if a.unknown:
            t = self.temp()
            code_a, ta = (t, a.code), _V(t, a.kind, integral=a.integral)
        if b.unknown:
            t = self.temp()
            code_b, tb = (t, b.code), _V(t, b.kind, integral=b.integral)
        code = make(ta, tb).code
        if code_b:
            code = f"({code_b[0]} if ({code_b[0]} := {code_b[1]}).__class__ is _U else {code})"
        if code_a:
            code = f"({code_a[0]} if ({code_a[0]} := {code_a[1]}).__class__ is _U else {code})"
        return _V(code, kind, unknown=True)

    def compare(self, op: str, a: _V, b: _V) -> _V:
        if a.kind != "num" or b.kind != "num":
            a, b = self.value(a), self.value(b)
            return _V(f"({a.code} {op} {b.code})", "bool")
        if _runtime(a) and b.integral:  # an amount read at run time against a count or whole constant: an int
            t = self.temp()            # (most incomes) is compared as it is, a Fraction cross-multiplied
            return _V(f"({t} {op} {b.code} if ({t} := {a.code}).__class__ is int else "
                      f"{t}.numerator {op} {b.code} * {t}.denominator)", "bool")
        left, right, guards = self.cross(a, b)
        fast = f"({left} {op} {right})"
        if not guards:
            return _V(fast, "bool")
        slow = f"({self.value(a).code} {op} {self.value(b).code})"
        return _V(f"({fast} if {' and '.join(f'{g} > 0' for g in guards)} else {slow})", "bool")

    def cross(self, a: _V, b: _V) -> tuple[str, str, list[str]]:
        """Two numbers as integers that compare as they do (numerator times the other's denominator), read left
        first; guards: the occupied counts that must be above 0 for that (a share of an empty group is 0)."""
        an, ad = self.parts(a, first_num=True)
        bn, bd = self.parts(b, first_num=bd_is_one(b))
        left = an if bd is None else f"{an} * {bd}"
        right = bn if ad is None else f"{bn} * {ad}"
        return left, right, [s[1] for s in (a.share, b.share) if s is not None]

    def parts(self, v: _V, first_num: bool) -> tuple[str, str | None]:
        """Numerator and denominator code (None: 1); a runtime value is bound where it is first read."""
        if v.integral:
            return v.code, None
        if v.const is not None:
            return repr(int(v.const.numerator)), repr(int(v.const.denominator))
        if v.share is not None:
            return v.share
        if v.nd is not None:
            return v.nd
        t = self.temp()
        num, den = ("[0]", "[1]") if v.pair else (".numerator", ".denominator")
        if first_num:
            return f"({t} := {v.code}){num}", f"{t}{den}"
        return f"{t}{num}", f"({t} := {v.code}){den}"

    # --- rules -----------------------------------------------------------------------------------
    def rule(self, cr) -> str:
        from .expr import parse

        applies = [self.node(parse(c.expr.source.text)) for c in cr.applies]
        conds = [self.node(parse(c.expr.source.text)) for c in cr.conditions]
        return self.status(cr, applies, conds)

    def status(self, cr, applies: list[_V], conds: list[_V]) -> str:
        """The code of a rule's status code from its applies_when and condition values (rule_status's semantics)."""
        if any(c.kind != "bool" for c in applies + conds):
            raise Unsupported("condition")
        body = self.logic(conds, cr.rule.mode == "any") if len(conds) > 1 else conds[0]
        if body.unknown:
            t = self.temp()
            status = (f"({FIRED_CODE} if ({t} := {body.code}) is True else {NOT_FIRED_CODE} if {t} is False "
                      f"else {UNKNOWN_CODE})")
        else:
            status = f"({FIRED_CODE} if {body.code} else {NOT_FIRED_CODE})"
        if not applies:
            return status
        guard = self.logic(applies, False) if len(applies) > 1 else applies[0]
        if guard.unknown:
            t = self.temp()
            return (f"({status} if ({t} := {guard.code}) is True else {NOT_APPLICABLE_CODE} if {t} is False "
                    f"else {UNKNOWN_CODE})")
        return f"({status} if {guard.code} else {NOT_APPLICABLE_CODE})"


def _runtime(v: _V) -> bool:
    """Whether a number is read at run time with nothing known of it (parts() binds it to a temporary)."""
    return not (v.integral or v.const is not None or v.share is not None or v.nd is not None or v.pair)


def bd_is_one(v: _V) -> bool:
    """Whether a right-hand operand has no denominator to multiply by (its numerator is read first then)."""
    return v.integral or (v.const is not None and v.const.denominator == 1)


def min_households(prof, mixes):
    return prof.min_households


def max_households(prof, mixes):
    return prof.portiek_max_households
