"""magicmix rank: the candidates for a home in the policy's order, a reason each."""

from __future__ import annotations

import click

from .group import Command
from .options import (DATE, ENGINE, LANG, OCCUPANCY, FilePath, date, format_option, log_decisions, occupancy,
                      occupancy_file, policy_argument, program)
from .complete import complete_units


@click.command(cls=Command)
@policy_argument()
@click.option("--unit", "unit_id", required=True, shell_complete=complete_units)
@click.option("--candidates", "candidates_path", required=True, type=FilePath())
@OCCUPANCY
@DATE
@click.option("--top", default=3, show_default=True, type=click.IntRange(min=1))
@format_option("ranking", "text")
@click.option("--log", "log_path", type=FilePath())
@click.option("--details", is_flag=True)
@ENGINE
@LANG
def rank(policy, unit_id, candidates_path, occupancy_path, date_text, top, fmt, log_path, details, engine, lang):
    """Rank the candidates for a home, with a reason per candidate."""
    from ..load.movers import mover_warnings
    from ..load.occupancy import composition
    from ..allocation.rank import load_candidates, rank as rank_candidates
    from ..render.renderers import render

    prog = program(policy, lang, engine)
    day = date(date_text, lang)
    households = load_candidates(candidates_path, prog.policy)
    occ, _ = occupancy(prog, occupancy_path)
    ranking = rank_candidates(prog, households, unit_id, composition(prog.policy, occ, day))
    for d in mover_warnings(occ, day, households, candidates_path):
        click.echo(d.format(lang), err=True)
    if log_path:
        items = [(c.decision, {"command": "rank", "rank": c.rank, "portal_position": c.position})
                 for c in ranking.ranked + ranking.dropped]
        log_decisions(log_path, items, prog, occupancy_file(prog, occupancy_path), lang)
    from ..render.wording import policy_labels

    click.echo(render("ranking", fmt, ranking, lang=lang, top=top, details=details,
                      labels=policy_labels(prog.policy)), nl=False)
