"""The outcomes of a decision and the kinds of rules, declared once with their labels and severity.

The enums are the declaration; the tuples and maps below are their plain string values, so every
JSON and text output keeps the text it always had. model.py re-exports them.
"""

from __future__ import annotations

from enum import StrEnum


class _Labelled(StrEnum):
    """A string enum whose members carry a (Dutch, English) label: NAME = value, nl, en."""

    def __new__(cls, value: str, nl: str, en: str):
        member = str.__new__(cls, value)
        member._value_ = value
        member.label = (nl, en)  # how people read it
        return member


class Outcome(_Labelled):
    """The outcomes of a decision, most severe first: when rules disagree the most severe wins.

    An unchecked law is never approval: ONBESLIST (a legal rule that cannot be judged: an amount
    without a value on the date, an unknown fact) ranks above every advice outcome. PLAATSING is no
    rule's outcome: a household placed through a route the policy declares (urgentie, statushouder)
    gets it whatever the mix rules say (they are shown as information); legal rules keep their effect."""

    NIET_TOEGESTAAN = "niet_toegestaan", "niet toegestaan", "not allowed"
    ONBESLIST = "onbeslist", "onbeslist", "cannot be decided"
    ONTRADEN = "ontraden", "ontraden", "advised against"
    PASSEND = "passend", "passend", "suitable"
    VOORKEUR = "voorkeur", "voorkeur", "preferred"
    PLAATSING = "plaatsing", "plaatsing", "placement"  # a household placed through a route (never advised against)

    @property
    def severity(self) -> int:
        """0 for the most severe outcome, counting up."""
        return SEVERITY[self.value]


class RuleKind(_Labelled):
    """What a rule is: the law (LEGAL, its firing forbids the letting) or the corporation's advice."""

    LEGAL = "legal", "wettelijk", "legal"
    ADVICE = "advice", "advies", "advice"


# The plain string values, for data and JSON: every output keeps the text it always had.
UNDECIDED = Outcome.ONBESLIST.value
"""The outcome when a legal rule cannot be judged (an amount without a value on the date, an unknown fact)."""

OUTCOMES = tuple(o.value for o in Outcome)
"""Outcomes from most to least severe (Outcome's order)."""

SEVERITY = {o: i for i, o in enumerate(OUTCOMES)}
"""Outcome value -> its rank, 0 the most severe."""

PLACEMENT = Outcome.PLAATSING.value
"""The outcome of a household placed through a route (policy.yaml routes, household route)."""

RULE_OUTCOMES = tuple(o for o in OUTCOMES if o not in (UNDECIDED, PLACEMENT))
"""The outcomes a rule can give when it fires (onbeslist comes only from a legal rule that cannot be judged,
plaatsing only from a placement route)."""

AGAINST = (Outcome.NIET_TOEGESTAAN.value, Outcome.ONTRADEN.value)
"""Advice against a letting: a letting made all the same did not follow it."""

OUTCOME_LABELS = {o.value: o.label for o in Outcome}
"""Outcome value -> (Dutch, English) label."""

RULE_KINDS = tuple(k.value for k in RuleKind)
