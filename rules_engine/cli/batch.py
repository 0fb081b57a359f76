"""evaluate --batch: every row of a JSONL or CSV file, streamed, with a progress bar and a summary."""

from __future__ import annotations

import sys

import click

from ..render.escape import terminal_text
from . import exits
from .options import date, occupancy, program, refuse_onto_input, unwritable
from .progress import bar, number


def summary_lines(summary, lang: str) -> list[str]:
    """The batch's summary: counts, time and rate, per outcome, per level of the deciding rule (203.037 under nl)."""
    from ..model.outcomes import OUTCOMES

    nl = lang == "nl"
    rate = summary.evaluated / summary.seconds if summary.seconds else 0
    one = summary.movers == 1
    movers = [] if not summary.movers else [f"{number(summary.movers, lang)} " + (
        ("rij" if one else "rijen") + " met een huishouden dat op de datum van de rij al in de voorraad woont "
        "(doorstroming): het advies telt die woning nog als bewoond en kan strenger zijn dan nodig" if nl else
        ("row" if one else "rows") + " of a household that already lives in the stock on the row's date "
        "(doorstroming): the advice still counts that home as occupied and may be stricter than it should be")]
    return [f"{number(summary.evaluated, lang)} {'beoordeeld' if nl else 'evaluated'}, {number(summary.skipped, lang)} "
            f"{'overgeslagen' if nl else 'skipped'} in {number(summary.seconds, lang, 1)} s ({number(rate, lang)}/s)",
            ("per uitkomst: " if nl else "per outcome: ")
            + ", ".join(f"{o} {number(summary.outcomes[o], lang)}" for o in OUTCOMES if summary.outcomes[o]),
            ("per niveau van de beslissende regel: " if nl else "per level of the deciding rule: ")
            + ", ".join(f"{lv} {number(n, lang)}" for lv, n in sorted(summary.levels.items())), *movers]


def summary_json(summary) -> dict:
    """The batch's summary as JSON (standard error under --format json, the decisions being on standard output)."""
    return {"evaluated": summary.evaluated, "skipped": summary.skipped, "seconds": round(summary.seconds, 3),
            "outcomes": {o: n for o, n in summary.outcomes.items() if n}, "levels": dict(sorted(summary.levels.items())),
            "skipped_rows": [{"row": row, "message": {"nl": nl, "en": en}} for row, (nl, en) in summary.errors],
            "lives_in_stock": summary.movers,
            "lives_in_stock_rows": [{"row": row, "household": household, "home": home, "date": day.isoformat()}
                                    for row, household, home, day in summary.mover_rows]}


PRINTED = 20  # skipped rows and movers' rows named on standard error


def mover_lines(summary, batch_path: str, lang: str) -> list[str]:
    """The first rows whose household lives in the stock already, as evaluate warns of one (file:row: ...)."""
    from ..diagnostics import make

    out = [make("household-lives-in-stock", batch_path, line=row, severity="warning", household=household, home=home,
                date=day.isoformat()).format(lang) for row, household, home, day in summary.mover_rows[:PRINTED]]
    if summary.movers > PRINTED:
        out.append(f"... {summary.movers - PRINTED} " + ("meer rijen van huishoudens in de voorraad" if lang == "nl"
                                                         else "more rows of households in the stock"))
    return [terminal_text(line) for line in out]


def run(policy, batch_path, output_path, full, jobs, on_error, occupancy_path, date_text, fmt, lang, engine) -> int:
    """Run a batch; returns the exit code (exits.batch_exit)."""
    from ..allocation.batch import run_batch
    from ..render.report import to_json

    refuse_onto_input(output_path, {"--batch": batch_path, "--occupancy": occupancy_path}, lang)
    prog = program(policy, lang, engine)
    day = date(date_text, lang) if date_text else None
    occ, _ = occupancy(prog, occupancy_path)
    nl = lang == "nl"
    shown = bar(("beoordelen", "evaluating"), lang, None, ("rijen", "rows"))
    total: list = []

    def progress(rows: int, done: int, size: int) -> None:
        nonlocal shown
        if not total:
            total.append(size)
            shown.close()
            shown = bar(("beoordelen", "evaluating"), lang, size or None, ("rijen", "rows"))
        shown.update_to(done, rows)

    def write(line: str) -> None:
        sys.stdout.write(line)

    try:
        summary = run_batch(prog, batch_path, output_path, occ, day, jobs, full, on_error, progress,
                            None if output_path else write)
    except OSError as exc:
        raise unwritable(output_path or "-", exc, lang) from None
    finally:
        shown.close()
    if fmt == "json":
        click.echo(to_json(summary_json(summary)), err=not output_path)
    else:
        for row, (e_nl, e_en) in summary.errors[:PRINTED]:
            click.echo(terminal_text(f"{batch_path}:{row}: {'rij overgeslagen' if nl else 'row skipped'}: "
                                     f"{e_nl if nl else e_en}"), err=True)
        if len(summary.errors) > PRINTED or summary.skipped > len(summary.errors):
            click.echo(f"... {summary.skipped - min(PRINTED, len(summary.errors))} {'meer' if nl else 'more'}", err=True)
        for line in mover_lines(summary, batch_path, lang):
            click.echo(line, err=True)
        click.echo("\n".join(summary_lines(summary, lang)), err=not output_path)
    return exits.batch_exit(summary.evaluated, summary.skipped, on_error == "fail")
