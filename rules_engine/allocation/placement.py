"""Which vacant homes absorb a placement best: a household that comes through a route is placed, never
advised against, but the mix still tells where it fits.

Every home without a household on the date is evaluated for the household (with its route). Homes the
law does not allow (niet toegestaan, onbeslist) come last; among the others, the fewer mix rules that
would advise against the letting (they fire, as information), the better; then a home where a rule
prefers the household (voorkeur); then the more room the household's category has left in the home's
complex and buurt (room.py); then the home's id.
"""

from __future__ import annotations

import datetime as dt

from ..engine.explain import explain
from ..model.policy import PLACEMENT
from ..model.outcomes import AGAINST, Outcome
from ..load.occupancy import Occupancy, composition
from ..lang.records import frozen


PREFERRED = Outcome.VOORKEUR.value


@frozen
class Fit:
    """One vacant home for a placement: the outcome, the mix rules that fired, the category's room left."""

    unit: str
    complex: str
    buurt: str
    outcome: str
    fired: tuple[str, ...]  # advice rules that would advise against (they fired; information for a placement)
    preferred: tuple[str, ...]  # advice rules that fired with voorkeur
    room: int | None  # the least room left for the category over the home's complex and buurt (None: not judged)

    @property
    def allowed(self) -> bool:
        """Whether the law lets the home go to the household (the outcome is the placement itself)."""
        return self.outcome == PLACEMENT


def placement_fits(program, household, occupancy: Occupancy, date: dt.date, source: str = "") -> list[Fit]:
    """The vacant homes on a date, best fit for the placement first (see the module docstring)."""
    policy = program.policy
    comp = composition(policy, occupancy, date)
    fits = []
    for unit_id in sorted(u for u in policy.units if u not in comp.by_unit):
        d = explain(program, household, unit_id, comp, source)
        rooms = [r.room for r in d.room if r.category == household.category and r.level in ("complex", "buurt")
                 and r.room is not None]
        advice = [r for r in d.rules if r.status == "fired" and r.kind != "legal"]
        fits.append(Fit(unit_id, d.inputs["complex"], d.inputs["buurt"], d.outcome,
                        tuple(r.id for r in advice if r.outcome in AGAINST),
                        tuple(r.id for r in advice if r.outcome == PREFERRED), min(rooms) if rooms else None))
    return sorted(fits, key=lambda f: (not f.allowed, len(f.fired), not f.preferred,
                                       -(f.room if f.room is not None else 10 ** 6), f.unit))


__all__ = ["Fit", "placement_fits"]
