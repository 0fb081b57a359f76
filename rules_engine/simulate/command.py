"""`magicmix simulate`: the thin command over study.simulate (options, output, exit codes)."""

from __future__ import annotations

import os

import click

from ..cli.group import Command
from ..cli.options import LANG, OCCUPANCY, OUTPUT, emit, format_option
from ..diagnostics import Diagnostic, PolicyError
from ..load.values import Refused, read_date


@click.command(cls=Command)
@click.argument("policy")
@click.option("--years", type=click.IntRange(1, 100), default=10, show_default=True)
@click.option("--runs", type=click.IntRange(1, 100_000), default=100, show_default=True)
@click.option("--seed", type=click.IntRange(0, 2**63), default=1, show_default=True)
@click.option("--model", "model_file")
@OCCUPANCY
@click.option("--start", "start_text")
@click.option("--jobs", type=click.IntRange(1, 256), default=os.cpu_count() or 1, show_default="the machine's cores")
@click.option("--scheduler")
@click.option("--compare", "compare_with")
@format_option("simulation", "text")
@OUTPUT
@LANG
def simulate(policy, years, runs, seed, model_file, occupancy_path, start_text, jobs, scheduler, compare_with, fmt,
             output, lang):
    """Simulate the lettings of the coming years under a policy: the mix per buurt and complex over time."""
    from ..render.renderers import render
    from .study import simulate as run_simulation

    start = None
    if start_text is not None:
        try:
            start = read_date(start_text)
        except Refused as exc:
            raise PolicyError([exc.diagnostic("--start")]) from None
        if start.day != 1:
            raise PolicyError([Diagnostic("simulate-start", "error", "--start", None, None,
                                          "--start moet de eerste dag van een maand zijn (JJJJ-MM-01)",
                                          "--start must be the first day of a month (YYYY-MM-01)")])
    result = run_simulation(policy, model_file, years=years, runs=runs, seed=seed, occupancy=occupancy_path,
                            start=start, jobs=jobs, scheduler=scheduler, compare_with=compare_with)
    emit(render("simulation", fmt, result, lang=lang), output, lang)
