"""magicmix facts: the facts a condition can name."""

from __future__ import annotations

import click

from .group import Command
from .options import LANG, PolicyPath, format_option, program


@click.command(cls=Command)
@click.argument("policy", required=False, type=PolicyPath())
@format_option("facts", "text")
@LANG
def facts(policy, fmt, lang):
    """The facts a condition can name (and the policy's parameters and definitions)."""
    from ..lang.facts import catalogue
    from ..model.levels import DEFAULT
    from ..render.renderers import render
    from ..render.tables import Fact

    pol = program(policy, lang).policy if policy else None
    rows = [Fact(s.path, s.type, s.nl, s.en) for s in catalogue(pol.levels if pol else DEFAULT).values()]
    if pol is not None:
        rows += [Fact(f"param.{p.name}", f"number:{p.unit}", p.label.get("nl"), p.label.get("en"))
                 for p in pol.parameters.values()]
        rows += [Fact(f"def.{d.name}", d.unit, d.label.get("nl"), d.label.get("en")) for d in pol.definitions.values()]
    click.echo(render("facts", fmt, tuple(rows), lang=lang), nl=False)
