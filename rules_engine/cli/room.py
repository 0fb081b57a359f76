"""magicmix room: how many more households of each category fit in a complex, its portieken and its buurt."""

from __future__ import annotations

import click

from ..diagnostics import PolicyError, hint, make
from .group import Command
from .options import COMPLEX, DATE, LANG, OCCUPANCY, date, format_option, occupancy, policy_argument, program


@click.command(cls=Command)
@policy_argument()
@COMPLEX
@OCCUPANCY
@DATE
@format_option("room", "text")
@LANG
def room(policy, complex_id, occupancy_path, date_text, fmt, lang):
    """The room per category in a complex, its portieken and its buurt."""
    from ..load.occupancy import composition
    from ..render.renderers import render
    from ..engine.room import complex_room
    from ..render.tables import RoomView

    prog = program(policy, lang)
    pol = prog.policy
    if complex_id not in pol.complexes:
        raise PolicyError([make("unknown-complex", "--complex", complex=complex_id, hint=hint(pol.complexes, complex_id))])
    day = date(date_text, lang)
    occ, _ = occupancy(prog, occupancy_path)
    rows = complex_room(pol, composition(pol, occ, day), complex_id)
    click.echo(render("room", fmt, RoomView(pol, complex_id, day.isoformat(), tuple(rows)), lang=lang), nl=False)
