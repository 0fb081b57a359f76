"""magicmix validate: check policy folders, schema and meaning."""

from __future__ import annotations

import click

from . import exits
from .group import Command
from .options import DATE, LANG, PolicyPath, date, format_option, policy_folders
from .progress import busy


@click.command(cls=Command)
@click.argument("paths", nargs=-1, required=True, type=PolicyPath())
@format_option("diagnostics", "text")
@click.option("--strict", is_flag=True)
@DATE
@LANG
def validate(paths, fmt, strict, date_text, lang):
    """Check policy folders: exit 0 clean, 1 policy errors, 2 unreadable input."""
    from ..api import check_policy
    from ..render.renderers import render
    from ..load.validate import stale_parameters

    year = date(date_text, lang).year
    diags = []
    unreadable = False
    for path in paths:
        for folder in policy_folders(path):
            with busy(("beleid controleren", "checking the policy"), lang):
                program, found = check_policy(folder)
            unreadable |= any(d.code in ("file-not-found", "no-policy") and d.file == folder for d in found)
            diags.extend(found)
            if program is not None:  # the year changes without the policy changing: checked here, never cached
                diags.extend(stale_parameters(program.policy, year))
    click.echo(render("diagnostics", fmt, diags, lang=lang), nl=False)
    if unreadable:
        return exits.INPUT
    return exits.FINDINGS if any(d.severity == "error" or strict for d in diags) else exits.OK
