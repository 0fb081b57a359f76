"""magicmix schema: print a document kind's JSON Schema."""

from __future__ import annotations

import click

from .group import Command
from .options import LANG
from ..load.schemas_check import KINDS

@click.command(cls=Command)
@click.argument("kind", type=click.Choice(list(KINDS)))
@click.option("--format", "fmt", type=click.Choice(["json"]), default="json", show_default=True)
@LANG
def schema(kind, fmt, lang):
    """Print the JSON Schema of a document kind (it is JSON: --format json is the only format)."""
    from ..load.schemas_check import schema_text

    click.echo(schema_text(kind), nl=False)
