"""magicmix init: a new policy repository."""

from __future__ import annotations

import click

from .group import Command
from .options import LANG, PolicyPath, format_option, unwritable


@click.command(cls=Command)
@click.argument("directory", type=PolicyPath())
@click.option("--name", default="mijn-beleid", show_default=True)
@click.option("--install")
@format_option("init", "text")
@LANG
def init(directory, name, install, fmt, lang):
    """Create a new policy repository with an example policy, tests, schemas and CI."""
    from ..render.renderers import render
    from ..testing.scaffold import init_repository
    from ..render.tables import NewRepository

    try:
        written = init_repository(directory, name, install)
    except OSError as exc:
        raise unwritable(directory, exc, lang) from None
    click.echo(render("init", fmt, NewRepository(directory, tuple(written)), lang=lang), nl=False)
