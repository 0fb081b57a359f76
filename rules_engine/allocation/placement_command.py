"""`magicmix placement`: which vacant homes absorb a placement (a household through a route) best."""

from __future__ import annotations

import json
import sys

import click

from ..diagnostics import PolicyError
from ..render.escape import terminal_text


@click.command(name="placement")
@click.argument("policy")
@click.option("--household", "household_path", required=True, help="Household file with its route (route: urgentie).")
@click.option("--occupancy", "occupancy_path", help="Occupancy file; default: the policy's occupancy.yaml.")
@click.option("--date", "date_text", help="Date (YYYY-MM-DD); default: today.")
@click.option("--top", type=click.IntRange(1, 10_000), default=10, show_default=True, help="Homes to show.")
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True)
@click.option("--lang", type=click.Choice(["nl", "en"]), default="nl", envvar="MAGICMIX_LANG", show_default=True,
              help="Language of messages.")
def placement(policy, household_path, occupancy_path, date_text, top, fmt, lang):
    """List the vacant homes on a date, best fit for a placement first: the law allows it, the fewest mix rules
    fire (as information), the most room is left for the household's category."""
    import datetime as dt

    from ..api import example_occupancy, load_occupancy, load_policy
    from ..load.inputs import read_household
    from .placement import placement_fits
    from ..load.values import Refused, read_date

    try:
        date = dt.date.today() if date_text is None else read_date(date_text)
        program = load_policy(policy)
        household, _ = read_household(household_path)
        if occupancy_path is None:
            occupancy, source = example_occupancy(program), "occupancy.yaml"
        else:
            occupancy, source = load_occupancy(occupancy_path, program.policy), occupancy_path
        fits = placement_fits(program, household, occupancy, date, source)
    except Refused as exc:
        _fail([exc.diagnostic("--date")], lang)
    except PolicyError as exc:
        _fail(exc.diagnostics, lang)
    shown = fits[:top]
    if fmt == "json":
        click.echo(json.dumps({"household": household.id, "route": household.route, "date": date.isoformat(),
                               "vacant": len(fits), "homes": [
                                   {"unit": f.unit, "complex": f.complex, "buurt": f.buurt, "outcome": f.outcome,
                                    "against": list(f.fired), "preferred": list(f.preferred), "room": f.room}
                                   for f in shown]}, ensure_ascii=False))
        return
    nl = lang == "nl"
    if household.route is None:
        click.echo("let op: het huishouden heeft geen route (route:); dit is het gewone advies per woning" if nl else
                   "note: the household has no route (route:); this is the ordinary advice per home", err=True)
    click.echo(f"{len(fits)} {'lege woningen op' if nl else 'vacant homes on'} {date.isoformat()}; "
               f"{'beste eerst' if nl else 'best first'}:")
    for f in shown:
        against, preferred = ", ".join(f.fired) or "-", ", ".join(f.preferred) or "-"
        room = "?" if f.room is None else str(f.room)
        click.echo(terminal_text(f"  {f.unit}  {f.complex}  {f.buurt}  {f.outcome}  "
                                 f"{'zou ontraden' if nl else 'would advise against'}: {against}  "
                                 f"{'voorkeur' if nl else 'prefers'}: {preferred}  {'ruimte' if nl else 'room'}: {room}"))


def _fail(diagnostics, lang: str):
    for d in diagnostics:
        click.echo(terminal_text(d.format(lang)), err=True)
    sys.exit(2)


__all__ = ["placement"]
