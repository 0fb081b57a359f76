"""Bounds on the work one expression can ask for, the definitions it reads included.

The levels of the tree that is compiled and run (recursion), and the factors multiplied (a
definition that squares the one before it doubles the digits of its value at every step).
"""

from __future__ import annotations

from . import operators
from .expr import Attr, Binary, ExprError, Index, ListLit, Logic, Name, Node, Unary, parse, path_text
from ..model.policy import Policy
from .operators import PRODUCT, SUM

MAX_LEVELS = 100
MAX_FACTORS = 64
MAX_STEPS = 20_000  # nodes evaluated, each definition counted where it is read: d1 = d0 + d0, d2 = d1 + d1, ... doubles


def children(n: Node) -> tuple:
    """The direct sub-expressions of a node."""
    if isinstance(n, (Logic, ListLit)):
        return n.items
    if isinstance(n, Unary):
        return (n.operand,)
    if isinstance(n, Binary):
        return (n.left, n.right)
    if isinstance(n, Attr):
        return (n.base,)
    if isinstance(n, Index):
        return (n.base, n.index)
    return ()


class Shapes:
    """(levels, factors, steps) of expressions in one policy, each definition measured once."""

    def __init__(self, policy: Policy):
        self.policy = policy
        self.shapes: dict[str, tuple[int, int, int]] = {}

    def shape(self, node: Node, chain: tuple = ()) -> tuple[int, int, int]:
        """(levels, factors, steps) of an expression, counting the definitions it reads (steps: the nodes one
        evaluation may visit, a definition's own where it is read); an explicit stack, no recursion but into
        definitions (each once)."""
        levels, factors, steps = 0, 1, 0
        stack = [(node, 1)]
        while stack:
            n, level = stack.pop()
            levels, steps = max(levels, level), min(steps + 1, MAX_STEPS + 1)
            if isinstance(n, (Name, Attr)) and (p := path_text(n) or "").startswith("def."):
                d_levels, d_factors, d_steps = self.definition_shape(p[4:], chain)
                levels, factors = max(levels, level + d_levels), max(factors, d_factors)
                steps = min(steps + d_steps, MAX_STEPS + 1)
            if isinstance(n, Binary) and operators.OPERATORS[n.op].precedence == PRODUCT:
                factors = max(factors, self.factors(n, chain))
            stack.extend((c, level + 1) for c in children(n))
        return levels, factors, steps

    def factors(self, n: Node, chain: tuple) -> int:
        """How many factors a product multiplies, at most (a sum has as many as its largest term)."""
        if isinstance(n, Binary) and operators.OPERATORS[n.op].precedence == PRODUCT:
            return self.factors(n.left, chain) + self.factors(n.right, chain)
        if isinstance(n, Binary) and operators.OPERATORS[n.op].precedence == SUM or isinstance(n, Unary):
            return max(self.factors(c, chain) for c in children(n))
        if isinstance(n, (Name, Attr)) and (p := path_text(n) or "").startswith("def."):
            return self.definition_shape(p[4:], chain)[1]
        return 1

    def definition_shape(self, name: str, chain: tuple) -> tuple[int, int, int]:
        """(levels, factors, steps) of a definition's cases, the definitions they read included (chain: those being
        read); its steps are those of all its cases (an evaluation may try each)."""
        if name in self.shapes:
            return self.shapes[name]
        d = self.policy.definitions.get(name)
        if d is None or name in chain or len(chain) > MAX_LEVELS:
            return (len(chain), 1, 1)  # unknown or circular: compiling says so; too long a chain: too deep anyway
        shape = (0, 1, 0)
        for case in d.cases:
            for t in ([case.when] if case.when else []) + [case.value]:
                try:
                    levels, factors, steps = self.shape(parse(t.text), chain + (name,))
                except ExprError:
                    continue  # compiling the definition reports it
                shape = (max(shape[0], levels), max(shape[1], factors), min(shape[2] + steps, MAX_STEPS + 1))
        self.shapes[name] = shape
        return shape

    def check(self, node: Node) -> None:
        """Refuse an expression that, with the definitions it reads, is too deep or multiplies too many factors."""
        levels, factors, steps = self.shape(node)
        if steps > MAX_STEPS:
            raise ExprError(0, f"leest definities die samen meer dan {MAX_STEPS} stappen vragen (een definitie die een "
                            "andere twee keer leest, en die weer, verdubbelt het werk): reken een tussenwaarde één keer",
                            f"reads definitions that together take more than {MAX_STEPS} steps (a definition reading "
                            "another twice, and that one again, doubles the work): compute an intermediate value once")
        if levels > MAX_LEVELS:
            raise ExprError(0, f"te diep samengesteld: meer dan {MAX_LEVELS} niveaus, de definities die het leest "
                            "meegeteld", f"built too deep: more than {MAX_LEVELS} levels, counting the definitions it reads")
        if factors > MAX_FACTORS:
            raise ExprError(0, f"vermenigvuldigt meer dan {MAX_FACTORS} factoren (de definities die het leest "
                            "meegeteld): de uitkomst kan duizenden cijfers krijgen",
                            f"multiplies more than {MAX_FACTORS} factors (counting the definitions it reads): "
                            "the result can have thousands of digits")

