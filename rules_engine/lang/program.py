"""What compiling produces: compiled expressions, conditions and rules, and the Program that evaluates them."""

from __future__ import annotations

from functools import cached_property
from typing import Callable, Mapping

from .expr import Node
from .facts import Facts
from ..model.policy import Policy, Rule, Text
from .templates import Template
from ..model.value_types import ValueType
from .records import frozen

Fn = Callable[[Facts], object]


@frozen
class Expr:
    """A compiled expression: its evaluator, static type, syntax tree and source text."""

    fn: Fn
    type: ValueType
    node: Node
    source: Text

    @cached_property
    def text(self) -> str:
        """The expression as written."""
        return self.source.text if self.node is None else self.source.text[self.node.pos:self.node.end]


@frozen
class Condition:
    """A compiled condition; for a comparison also its two sides, to show them in explanations."""

    expr: Expr
    op: str | None
    left: Expr | None
    right: Expr | None
    facts: tuple[Expr, ...] = ()  # the facts a non-comparison condition reads, to show their values


@frozen
class CompiledRule:
    """A rule with its conditions and templates compiled."""

    rule: Rule
    applies: tuple[Condition, ...]
    conditions: tuple[Condition, ...]
    fired: tuple[Template, Template]
    not_fired: tuple[Template, Template] | None
    uses_category: bool = True  # whether the household's category can change the rule's status
    applies_fns: tuple[Fn, ...] = ()  # the evaluators of applies, in order (read on the decision-only path)
    condition_fns: tuple[Fn, ...] = ()  # the evaluators of conditions, in order


@frozen(eq=False)
class Program:
    """A compiled policy, ready to evaluate any number of lettings."""

    policy: Policy
    rules: tuple[CompiledRule, ...]
    definitions: Mapping[str, Expr]
    engine: object = None  # None: the default engine; else an object whose statuses(facts) decides (durable-rules)
