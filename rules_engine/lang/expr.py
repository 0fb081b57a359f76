"""The condition language: tokenizer and parser producing an immutable syntax tree (its nodes: syntax.py).

Grammar (lowest precedence first):
    expr       := or
    or         := and ('or' and)*
    and        := not ('and' not)*
    not        := 'not' not | comparison
    comparison := sum (COMPARE-operator sum)?
    sum        := product (SUM-operator product)*
    product    := unary (PRODUCT-operator unary)*
    unary      := '-' unary | postfix
    postfix    := primary ('.' NAME | '[' expr ']')*
    primary    := NUMBER ['%'] | '€' NUMBER | STRING | 'true' | 'false' | NAME | '(' expr ')'
                | '[' (expr (',' expr)*)? ']'

The binary operators and their precedence come from operators.OPERATORS (by default
== != < <= > >= in, not in; + -; * /). Only these node types exist; there are no calls, attributes of objects, or lambdas,
so a condition can only read facts. Policy text is never handed to eval or exec.
"""

from __future__ import annotations

from fractions import Fraction
from functools import lru_cache

from . import operators
from .operators import COMPARE
from ..render.numbers import smaller_reading
from .syntax import Attr, Binary, Bool, Index, ListLit, Logic, Name, Node, Num, Str, Unary  # noqa: F401 - the tree, re-exported
from .records import frozen

MAX_LENGTH = 2000
MAX_DEPTH = 50
MAX_OPERATORS = 100  # operators (+ * and . [ ...) in one condition: each deepens the tree that is compiled and run
MAX_NUMBER = 40  # characters of one number
_KEYWORDS = frozenset({"and", "or", "not", "true", "false"})


def keywords() -> set[str]:
    """The words that cannot name a fact: logic, truth values and the operators' words."""
    return _KEYWORDS | operators.words()


class ExprError(Exception):
    """A syntax error at an offset in the condition text, in Dutch and English."""

    def __init__(self, offset: int, nl: str, en: str):
        super().__init__(en)
        self.offset = offset
        self.nl = nl
        self.en = en


@frozen
class Token:
    kind: str  # num, str, name, op, end
    text: str
    pos: int
    value: object = None


def tokenize(text: str) -> list[Token]:
    """Split condition text into tokens, or raise ExprError at the first bad character."""
    if len(text) > MAX_LENGTH:
        raise ExprError(0, f"voorwaarde is te lang (meer dan {MAX_LENGTH} tekens)",
                        f"condition is too long (more than {MAX_LENGTH} characters)")
    out: list[Token] = []
    i, n = 0, len(text)
    signs = operators.symbols()
    while i < n:
        ch = text[i]
        if ch in " \t\r\n":
            i += 1
            continue
        start = i
        if ch.isdigit() and ch.isascii():
            while i < n and text[i].isdigit() and text[i].isascii():
                i += 1
            if i + 1 < n and text[i] == "." and text[i + 1].isdigit():
                i += 1
                while i < n and text[i].isdigit() and text[i].isascii():
                    i += 1
            if i + 1 < n and text[i] == "," and text[i + 1].isdigit() and (i + 2 >= n or not text[i + 2].isspace()):
                raise ExprError(i, "gebruik een punt als decimaalteken in voorwaarden (682.96, niet 682,96)",
                                "use a point as decimal separator in conditions (682.96, not 682,96)")
            if i - start > MAX_NUMBER:
                raise ExprError(start, f"getal is te lang (meer dan {MAX_NUMBER} tekens)",
                                f"number is too long (more than {MAX_NUMBER} characters)")
            whole, point, decimals = text[start:i].partition(".")
            if point and len(decimals) == 3 and len(whole) <= 3 and whole[0] != "0":
                # 49.669 is how a Dutch amount of 49669 reads: a decimal number says so with a fourth decimal
                small = smaller_reading("", whole, decimals)
                raise ExprError(start, f"'{text[start:i]}' is niet eenduidig: een punt voor drie cijfers kan "
                                       f"duizendtallen scheiden; schrijf {whole}{decimals} (of {small} als u "
                                       f"het kleinere getal bedoelt)",
                                f"'{text[start:i]}' is ambiguous: a point before three digits may separate thousands; "
                                f"write {whole}{decimals} (or {small} if you mean the smaller number)")
            out.append(Token("num", text[start:i], start, Fraction(text[start:i])))
            continue
        if ch.isalpha() or ch == "_":
            while i < n and (text[i].isalnum() or text[i] == "_"):
                i += 1
            word = text[start:i]
            if not word.isascii():
                raise ExprError(start, f"onbekend teken in '{word}'", f"unexpected character in '{word}'")
            if word.startswith("__"):
                raise ExprError(start, "namen die met '__' beginnen zijn niet toegestaan",
                                "names starting with '__' are not allowed")
            out.append(Token("name", word, start))
            continue
        if ch in "'\"":
            end = text.find(ch, i + 1)
            if end < 0:
                raise ExprError(start, "aanhalingsteken wordt niet afgesloten", "quotation mark is never closed")
            out.append(Token("str", text[start:end + 1], start, text[i + 1:end]))
            i = end + 1
            continue
        sign = next((t for t in signs if text.startswith(t, i)), None)
        if sign is not None:
            out.append(Token("op", sign, start))
            i += len(sign)
            continue
        if ch == "=":
            raise ExprError(start, "gebruik '==' om te vergelijken", "use '==' to compare")
        if ch in "()[],.%€":
            out.append(Token("op", ch, start))
            i += 1
            continue
        raise ExprError(start, f"onverwacht teken '{ch}'", f"unexpected character '{ch}'")
    out.append(Token("end", "", n))
    return out


class _Parser:
    def __init__(self, text: str):
        self.text = text
        self.tokens = tokenize(text)
        self.i = 0
        self.depth = 0
        self.operators = 0

    @property
    def tok(self) -> Token:
        return self.tokens[self.i]

    def take(self) -> Token:
        t = self.tokens[self.i]
        self.i += 1
        return t

    def operator(self) -> Token:
        """Take an operator token, counting it against MAX_OPERATORS."""
        self.operators += 1
        if self.operators > MAX_OPERATORS:
            raise ExprError(self.tok.pos, f"voorwaarde heeft te veel bewerkingen (meer dan {MAX_OPERATORS}): splits haar "
                            "op in definities", f"condition has too many operations (more than {MAX_OPERATORS}): split it "
                            "into definitions")
        return self.take()

    def at(self, kind: str, text: str | None = None) -> bool:
        t = self.tok
        return t.kind == kind and (text is None or t.text == text)

    def expect(self, text: str) -> Token:
        if not self.at("op", text):
            self.fail(f"verwachtte '{text}'", f"expected '{text}'")
        return self.take()

    def fail(self, nl: str, en: str):
        t = self.tok
        found_nl = "het einde van de voorwaarde" if t.kind == "end" else f"'{t.text}'"
        found_en = "the end of the condition" if t.kind == "end" else f"'{t.text}'"
        raise ExprError(t.pos, f"{nl}, maar vond {found_nl}", f"{en}, but found {found_en}")

    def nest(self):
        self.depth += 1
        if self.depth > MAX_DEPTH:
            raise ExprError(self.tok.pos, "voorwaarde is te diep genest", "condition is nested too deeply")

    def parse(self) -> Node:
        if self.at("end"):
            raise ExprError(0, "de voorwaarde is leeg", "the condition is empty")
        node = self.or_()
        if not self.at("end"):
            self.fail("verwachtte einde van de voorwaarde of 'and'/'or'",
                      "expected the end of the condition or 'and'/'or'")
        return node

    def _logic(self, word: str, sub) -> Node:
        first = sub()
        items = [first]
        while self.at("name", word):
            self.operator()
            items.append(sub())
        if len(items) == 1:
            return first
        return Logic(first.pos, items[-1].end, word, tuple(items))

    def or_(self) -> Node:
        return self._logic("or", self.and_)

    def and_(self) -> Node:
        return self._logic("and", self.not_)

    def not_(self) -> Node:
        if self.at("name", "not"):
            t = self.operator()
            self.nest()
            operand = self.not_()
            self.depth -= 1
            return Unary(t.pos, operand.end, "not", operand)
        return self.comparison()

    def binary_operator(self, precedence: int) -> str | None:
        """The operator of this precedence at the current token, if any (words like 'not in' span tokens)."""
        for op in operators.at_level(precedence):
            worded = op.token[0].isalpha()
            parts = op.token.split() if worded else [op.token]
            ahead = self.tokens[self.i:self.i + len(parts) + 1]  # the last token is always 'end'
            if len(ahead) > len(parts) and all(t.kind == ("name" if worded else "op") and t.text == part
                                               for t, part in zip(ahead, parts)):
                return op.token
        return None

    def comparison(self) -> Node:
        left = self.sum_()
        op = self.binary_operator(COMPARE)
        if op is None:
            return left
        self.i += len(op.split()) if op[0].isalpha() else 1
        right = self.sum_()
        if self.tok.kind == "op" and self.binary_operator(COMPARE) is not None:
            self.fail("schrijf twee vergelijkingen met 'and' ertussen", "write two comparisons joined by 'and'")
        return Binary(left.pos, right.end, op, left, right)

    def sum_(self, level: int = 0) -> Node:
        """Left-associative binary operators, one precedence level (operators.levels()) at a time."""
        levels = operators.levels()
        if level >= len(levels):
            return self.unary()
        left = self.sum_(level + 1)
        while (op := self.binary_operator(levels[level])) is not None:
            self.operator()
            self.i += len(op.split()) - 1 if op[0].isalpha() else 0
            right = self.sum_(level + 1)
            left = Binary(left.pos, right.end, op, left, right)
        return left

    def unary(self) -> Node:
        if self.at("op", "-"):
            t = self.operator()
            self.nest()
            operand = self.unary()
            self.depth -= 1
            return Unary(t.pos, operand.end, "-", operand)
        return self.postfix()

    def postfix(self) -> Node:
        node = self.primary()
        while True:
            if self.at("op", "."):
                self.operator()
                if not self.at("name") or self.tok.text in keywords():
                    self.fail("verwachtte een naam na '.'", "expected a name after '.'")
                t = self.take()
                node = Attr(node.pos, t.pos + len(t.text), node, t.text)
            elif self.at("op", "[") and isinstance(node, (Name, Attr, Index)):
                self.operator()
                self.nest()
                index = self.or_()
                self.depth -= 1
                close = self.expect("]")
                node = Index(node.pos, close.pos + 1, node, index)
            else:
                return node

    def primary(self) -> Node:
        t = self.tok
        if t.kind == "num":
            self.take()
            if self.at("op", "%"):
                pct = self.take()
                return Num(t.pos, pct.pos + 1, t.value / 100, "percent")
            return Num(t.pos, t.pos + len(t.text), t.value, "number")
        if self.at("op", "€"):
            self.take()
            if not self.at("num"):
                self.fail("verwachtte een bedrag na '€'", "expected an amount after '€'")
            n = self.take()
            return Num(t.pos, n.pos + len(n.text), n.value, "euro")
        if t.kind == "str":
            self.take()
            return Str(t.pos, t.pos + len(t.text), t.value)
        if t.kind == "name":
            if t.text in ("true", "false"):
                self.take()
                return Bool(t.pos, t.pos + len(t.text), t.text == "true")
            if t.text in keywords():
                self.fail("verwachtte een waarde", "expected a value")
            self.take()
            return Name(t.pos, t.pos + len(t.text), t.text)
        if self.at("op", "("):
            self.take()
            self.nest()
            node = self.or_()
            self.depth -= 1
            self.expect(")")
            return node
        if self.at("op", "["):
            start = self.take()
            self.nest()
            items = []
            if not self.at("op", "]"):
                items.append(self.or_())
                while self.at("op", ","):
                    self.take()
                    items.append(self.or_())
            self.depth -= 1
            close = self.expect("]")
            return ListLit(start.pos, close.pos + 1, tuple(items))
        self.fail("verwachtte een waarde (getal, tekst of gegeven)", "expected a value (number, text or fact)")
        raise AssertionError("unreachable")


# The trees are frozen, so one serves every reader of the same text: the loader, the compiler, the compiled rules'
# code and the explainer each parse a policy's conditions (260 parses of 46 texts for the README's evaluate).
@lru_cache(maxsize=4096)
def parse(text: str) -> Node:
    """Parse condition text into a syntax tree, or raise ExprError with the offset of the bad token."""
    return _Parser(text).parse()


def path_text(node: Node) -> str | None:
    """The dotted path of a Name/Attr chain ('household.size'), or None for other nodes."""
    if isinstance(node, Name):
        return node.name
    if isinstance(node, Attr):
        base = path_text(node.base)
        return None if base is None else f"{base}.{node.name}"
    return None
