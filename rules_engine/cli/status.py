"""magicmix status: every buurt, complex and portiek against its band, out of band first."""

from __future__ import annotations

import gc

import click

from ..diagnostics import PolicyError, hint, make
from .complete import complete_levels
from .exits import InputError
from .group import Command
from .options import DATE, LANG, OCCUPANCY, OUTPUT, date, emit, format_option, keep_until_exit, policy_argument, program
from .progress import bar, busy


@click.command(cls=Command)
@policy_argument()
@OCCUPANCY
@DATE
@click.option("--level", "levels", multiple=True, metavar="[buurt|complex|portiek]", shell_complete=complete_levels)
@click.option("--only-out", is_flag=True)
@format_option("status", "text")
@OUTPUT
@LANG
def status(policy, occupancy_path, date_text, levels, only_out, fmt, output, lang):
    """The whole stock on a date, against the policy's bands."""
    from ..api import example_occupancy
    from ..stock.composition_scan import composition_at, start_early
    from ..load.load import gc_paused
    from ..load.occupancy import composition
    from ..render.renderers import render
    from ..stock.status import portfolio_status

    early = _start_early(occupancy_path, policy, date_text, lang, start_early)
    try:
        prog = program(policy, lang)
        day = date(date_text, lang)
        known = prog.policy.levels.keys
        wrong = [lv for lv in levels if lv not in known]
        if wrong:
            raise PolicyError([make("unknown-level", "--level", level=wrong[0], hint=hint(known, wrong[0]),
                                    known=", ".join(known))])
        with busy(("bezetting lezen", "reading the occupancy"), lang):
            comp = composition(prog.policy, example_occupancy(prog), day) if occupancy_path is None \
                else composition_at(occupancy_path, prog.policy, day, early)
    finally:
        if early is not None:
            early.stop()
    if early is not None:
        early.keep(prog.policy)
    shown = bar(("stand", "status"), lang, None, ("complexen", "complexes"))
    started: list = []

    def progress(done: int, total: int) -> None:
        nonlocal shown
        if not started:
            started.append(total)
            shown.close()
            shown = bar(("stand", "status"), lang, total, ("complexen", "complexes"))
        shown.update_to(done)

    # A national status makes millions of objects and no cycles: collecting would only cost time.
    with gc_paused():
        try:
            result = portfolio_status(prog.policy, comp, tuple(levels) or None, progress)
        finally:
            shown.close()
        text = render("status", fmt, result, lang=lang, only_out=only_out)
        emit(text, output, lang)
        keep_until_exit(prog, comp, result, text)
        gc.freeze()  # nor should the collector walk them once it runs again


def _start_early(occupancy_path, policy: str, date_text, lang: str, start_early):
    """The occupancy's later part read while the policy loads (composition_scan.start_early), or None; a --date
    that is not a date is left to be refused where it always is, after the policy."""
    if occupancy_path is None:
        return None
    try:
        day = date(date_text, lang)
    except InputError:  # refused below, in its usual place
        return None
    return start_early(occupancy_path, policy, day)
