"""`magicmix simulate`: the thin command over study.simulate (options, output, exit codes)."""

from __future__ import annotations

import os
import sys

import click

from ..atomic import write_text_atomic
from ..diagnostics import Diagnostic, PolicyError
from ..escape import terminal_text
from ..values import Refused, read_date
from .html import simulation_html
from .render import FORMATS, simulation_csv, simulation_json, simulation_text

RENDER = {"text": simulation_text, "json": lambda r, lang: simulation_json(r), "csv": lambda r, lang: simulation_csv(r),
          "html": simulation_html}


def _fail(diagnostics, lang: str) -> None:
    for d in diagnostics:
        click.echo(terminal_text(d.format(lang)), err=True)
    sys.exit(2)


@click.command()
@click.argument("policy")
@click.option("--years", type=click.IntRange(1, 100), default=10, show_default=True, help="Years to simulate.")
@click.option("--runs", type=click.IntRange(1, 100_000), default=100, show_default=True, help="Monte Carlo runs.")
@click.option("--seed", type=click.IntRange(0, 2**63), default=1, show_default=True,
              help="Seed of the random streams: the same seed gives the same result on any executor.")
@click.option("--model", "model_file", help="Model file (YAML); default: the policy's simulation.yaml.")
@click.option("--occupancy", "occupancy_path", help="Occupancy at the start; default: the policy's occupancy.yaml.")
@click.option("--start", "start_text", help="First month (YYYY-MM-01); default: the model's start, else next month.")
@click.option("--jobs", type=click.IntRange(1, 256), default=os.cpu_count() or 1, show_default="the machine's cores",
              help="Worker processes on this machine (1: in this process).")
@click.option("--scheduler", help="Run on Dask instead: local:N (a cluster of N workers here) or tcp://HOST:PORT.")
@click.option("--compare", "compare_with", help="Another policy (a folder or git:REF) to run on the same streams.")
@click.option("--format", "fmt", type=click.Choice(FORMATS), default="text", show_default=True)
@click.option("-o", "--output", help="Write the report to this file (atomically) instead of standard output.")
@click.option("--lang", type=click.Choice(["nl", "en"]), default="nl", envvar="MAGICMIX_LANG", show_default=True)
def simulate(policy, years, runs, seed, model_file, occupancy_path, start_text, jobs, scheduler, compare_with, fmt,
             output, lang):
    """Simulate the lettings of the coming years under a policy: the mix per buurt and complex over time."""
    from .study import simulate as run_simulation

    try:
        start = None
        if start_text is not None:
            start = read_date(start_text)
            if start.day != 1:
                raise PolicyError([Diagnostic("simulate-start", "error", "--start", None, None,
                                              "--start moet de eerste dag van een maand zijn (JJJJ-MM-01)",
                                              "--start must be the first day of a month (YYYY-MM-01)")])
        result = run_simulation(policy, model_file, years=years, runs=runs, seed=seed, occupancy=occupancy_path,
                                start=start, jobs=jobs, scheduler=scheduler, compare_with=compare_with)
    except Refused as exc:
        _fail([exc.diagnostic("--start")], lang)
    except PolicyError as exc:
        _fail(exc.diagnostics, lang)
    text = RENDER[fmt](result, lang)
    if output:
        try:
            write_text_atomic(output, text)
        except OSError as exc:
            click.echo(terminal_text(f"{output}: {exc.strerror or exc}"), err=True)
            sys.exit(2)
    else:
        click.echo(text, nl=False)
