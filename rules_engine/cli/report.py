"""magicmix report FILE.json | report annual: reports of a saved decision or ranking, and the annual evaluation."""

from __future__ import annotations

import click

from ..diagnostics import PolicyError, make
from .group import Command
from .options import LANG, OCCUPANCY, OUTPUT, FilePath, emit, file_argument, format_option, occupancy, policy_argument, program


@click.command(name="saved", cls=Command, help_key="report saved")
@file_argument("file")
@format_option("decision", "html")  # a ranking has the same formats (renderers.py)
@click.option("--top", default=3, show_default=True, type=click.IntRange(min=1))
@OUTPUT
@LANG
def report_saved(file, fmt, top, output, lang):
    """A report of a saved decision or ranking."""
    from ..engine.explain import decision_from_dict
    from ..load.load_yaml import load_file
    from ..allocation.rank import ranking_from_dict
    from ..render.renderers import render
    from ..load.schemas_check import check

    source = load_file(file)  # JSON is YAML: read with positions, so a schema error names its line
    kind = "ranking" if isinstance(source.data, dict) and "ranked" in source.data else "decision"
    problems = check(source, kind)  # a saved file is checked before any of it is rendered
    if problems:
        raise PolicyError([make("bad-input", file, problem=(
            f"geen besluit of rangorde van magicmix volgens het schema {kind}",
            f"not a magicmix decision or ranking by the {kind} schema")), *problems])
    try:
        record = ranking_from_dict(source.data) if kind == "ranking" else decision_from_dict(source.data)
    except (ValueError, KeyError, TypeError) as exc:
        raise PolicyError([make("bad-input", file, problem=(
            f"geen besluit of rangorde van magicmix ({type(exc).__name__}: {exc})",
            f"not a magicmix decision or ranking ({type(exc).__name__}: {exc})"))]) from None
    emit(render(kind, fmt, record, lang=lang, top=top), output, lang, {"FILE": file})


@click.command(name="annual", cls=Command, help_key="report annual")
@policy_argument()
@click.option("--year", type=click.IntRange(1900, 2200), required=True)
@OCCUPANCY
@click.option("--log", "log_path", type=FilePath())
@click.option("--public", is_flag=True)
@format_option("annual", "html")
@OUTPUT
@LANG
def report_annual(policy, year, occupancy_path, log_path, public, fmt, output, lang):
    """The annual evaluation (occupancy: the one given, else the policy's occupancy.yaml)."""
    from ..stock.annual import annual_report
    from ..render.renderers import render

    prog = program(policy, lang)
    occ, _ = occupancy(prog, occupancy_path)
    r = annual_report(prog.policy, occ, year, log_path)
    emit(render("annual", fmt, r, lang=lang, public=public, corporation=prog.policy.name), output, lang,
         {"--occupancy": occupancy_path, "--log": log_path})
