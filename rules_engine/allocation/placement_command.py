"""`magicmix placement`: which vacant homes absorb a placement (a household through a route) best."""

from __future__ import annotations

import json

import click

from ..cli.group import Command
from ..cli.options import DATE, LANG, OCCUPANCY, date, occupancy, policy_argument, program
from ..render.escape import terminal_text


@click.command(name="placement", cls=Command)
@policy_argument()
@click.option("--household", "household_path", required=True)
@OCCUPANCY
@DATE
@click.option("--top", type=click.IntRange(1, 10_000), default=10, show_default=True)
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True)
@LANG
def placement(policy, household_path, occupancy_path, date_text, top, fmt, lang):
    """List the vacant homes on a date, best fit for a placement first (help text: cli/help_texts.py)."""
    from ..load.inputs import read_household
    from .placement import placement_fits

    day = date(date_text, lang)
    prog = program(policy, lang)
    household, _ = read_household(household_path)
    occ, source = occupancy(prog, occupancy_path)
    fits = placement_fits(prog, household, occ, day, source)
    shown = fits[:top]
    if fmt == "json":
        click.echo(json.dumps({"household": household.id, "route": household.route, "date": day.isoformat(),
                               "vacant": len(fits), "homes": [
                                   {"unit": f.unit, "complex": f.complex, "buurt": f.buurt, "outcome": f.outcome,
                                    "against": list(f.fired), "preferred": list(f.preferred), "room": f.room}
                                   for f in shown]}, ensure_ascii=False))
        return
    nl = lang == "nl"
    if household.route is None:
        click.echo("let op: het huishouden heeft geen route (route:); dit is het gewone advies per woning" if nl else
                   "note: the household has no route (route:); this is the ordinary advice per home", err=True)
    click.echo(f"{len(fits)} {'lege woningen op' if nl else 'vacant homes on'} {day.isoformat()}; "
               f"{'beste eerst' if nl else 'best first'}:")
    for f in shown:
        against, preferred = ", ".join(f.fired) or "-", ", ".join(f.preferred) or "-"
        room = "?" if f.room is None else str(f.room)
        click.echo(terminal_text(f"  {f.unit}  {f.complex}  {f.buurt}  {f.outcome}  "
                                 f"{'zou ontraden' if nl else 'would advise against'}: {against}  "
                                 f"{'voorkeur' if nl else 'prefers'}: {preferred}  {'ruimte' if nl else 'room'}: {room}"))


__all__ = ["placement"]
