"""magicmix test: run a policy's test cases, with coverage."""

from __future__ import annotations

import click

from . import exits
from .group import Command
from .options import ENGINE, LANG, PolicyPath, format_option, policy_folders, program


@click.command(name="test", cls=Command)
@click.argument("paths", nargs=-1, required=True, type=PolicyPath())
@click.option("-k", "pattern")
@ENGINE
@format_option("test-run", "text")
@click.option("--coverage", is_flag=True)
@click.option("--min-coverage", type=click.FloatRange(0, 100))
@LANG
def test_cmd(paths, pattern, engine, fmt, coverage, min_coverage, lang):
    """Run policy test cases: exit 0 all pass, 1 a failure, none run or low coverage, 2 unreadable input."""
    from ..testing.cases import load_cases, run_cases
    from ..render.renderers import render

    status = exits.OK
    totals = [0, 0]
    folders = [folder for path in paths for folder in policy_folders(path)]
    for folder in folders:
        prog = program(folder, lang, engine)
        cases, diags = load_cases(prog)
        if fmt != "text":
            for d in diags:
                click.echo(d.format(lang), err=True)
        run = run_cases(prog, cases, pattern, tuple(diags))
        click.echo(render("test-run", fmt, run, lang=lang, coverage=coverage or min_coverage is not None,
                          min_coverage=min_coverage), nl=False)
        low = min_coverage is not None and run.coverage.percent < min_coverage
        if low and fmt != "text":
            click.echo(f"{'Regeldekking onder' if lang == 'nl' else 'Rule coverage below'} {min_coverage:g} %",
                       err=True)
        if diags or run.failed or not run.results or low:
            status = exits.FINDINGS
        totals[0] += run.passed
        totals[1] += run.failed
    if len(folders) > 1 and fmt == "text":
        click.echo(f"{'totaal' if lang == 'nl' else 'total'}: {totals[0]} passed, {totals[1]} failed")
    return status
