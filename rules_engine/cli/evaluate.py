"""magicmix evaluate: advice on one letting with its explanation, or a batch of rows."""

from __future__ import annotations

import click

from ..diagnostics import hint, make
from .exits import InputError
from .usage_words import UsageError
from .group import Command
from .options import (DATE, ENGINE, LANG, OCCUPANCY, UNIT, FilePath, date, emit, format_option, log_decisions,
                      occupancy, occupancy_file, policy_argument, program, refuse_onto_input)


@click.command(name="evaluate", cls=Command)
@policy_argument()
@UNIT
@click.option("--household", "household_path", type=FilePath())
@click.option("--batch", "batch_path", type=FilePath())
@click.option("--output", "output_path", type=FilePath())
@click.option("--explain", "full", is_flag=True)
@click.option("--jobs", default=1, show_default=True, type=click.IntRange(1, 64))
@click.option("--on-error", type=click.Choice(["skip", "fail"]), default="skip", show_default=True)
@OCCUPANCY
@DATE
@format_option("decision", "text")
@click.option("--log", "log_path", type=FilePath())
@click.option("--details", is_flag=True)
@ENGINE
@LANG
def evaluate_cmd(policy, unit_id, household_path, batch_path, output_path, full, jobs, on_error, occupancy_path,
                 date_text, fmt, log_path, details, engine, lang):
    """Advise on one letting, or evaluate every row of a batch file."""
    if batch_path:
        if unit_id or household_path or log_path:
            raise UsageError("--batch gaat zonder --unit, --household en --log",
                             "--batch goes without --unit, --household and --log")
        from .batch import run

        return run(policy, batch_path, output_path, full, jobs, on_error, occupancy_path, date_text, fmt, lang, engine)
    if not unit_id or not household_path:
        raise UsageError("geef --unit en --household (of --batch BESTAND)",
                         "give --unit and --household (or --batch FILE)")
    from ..api import evaluate
    from ..load.inputs import read_household
    from ..load.movers import mover_warnings
    from ..render.renderers import render

    refuse_onto_input(output_path, {"--household": household_path, "--occupancy": occupancy_path, "--log": log_path},
                      lang)  # before the decision is logged: a refused command leaves nothing behind
    prog = program(policy, lang, engine)
    day = date(date_text, lang)
    if unit_id not in prog.policy.units:
        raise InputError([make("unknown-unit", "--unit", unit=unit_id, hint=hint(prog.policy.units, unit_id))], lang)
    household, warnings = read_household(household_path, prog.policy)
    for d in warnings:  # an implausible income is shown, not hidden: the advice may rest on a typo
        click.echo(d.format(lang), err=True)
    occ, occ_source = occupancy(prog, occupancy_path)
    decision = evaluate(prog, household, unit_id, day, occ, occ_source)
    for d in mover_warnings(occ, day, [household], household_path):
        click.echo(d.format(lang), err=True)
    if log_path:
        log_decisions(log_path, [(decision, {"command": "evaluate"})], prog, occupancy_file(prog, occupancy_path), lang)
    from ..render.wording import policy_labels

    emit(render("decision", fmt, decision, lang=lang, details=details, labels=policy_labels(prog.policy)),
         output_path, lang)  # its inputs were checked against the output before anything was logged
