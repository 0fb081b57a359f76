"""magicmix log list | override | replay: the decision log."""

from __future__ import annotations

import re

import click

from ..diagnostics import PolicyError, make
from ..render.escape import terminal_text
from . import exits
from .complete import complete_decisions, complete_outcomes
from .group import Command
from .options import ENGINE, LANG, FilePath, file_argument, format_option, unwritable


@click.command(name="list", cls=Command, help_key="log list")
@file_argument("file")
@format_option("log", "text")
@LANG
def log_list(file, fmt, lang):
    """One line per decision, with the person's decision if recorded."""
    from ..allocation.decision_log import check_chain
    from ..render.renderers import render
    from ..render.tables import LogListing

    read, chain = check_chain(file)
    for w in read.warnings:
        click.echo(terminal_text(w), err=True)
    if not chain.intact:  # listed all the same: the list is how staff find the record to look at
        first = chain.problems[0]
        click.echo(terminal_text(make("log-tampered", file, first.line, severity="warning", count=len(chain.problems),
                                      first=(f"{first.location()}: {first.nl}", f"{first.location()}: {first.en}"))
                                 .format(lang)), err=True)
    from ..allocation.reviews import latest_reviews

    overrides = latest_reviews(read.records)  # reviews, and older overrides read as reviews
    decisions = tuple(r for r in read.records if r.get("type") == "decision")
    click.echo(render("log", fmt, LogListing(decisions, overrides), lang=lang), nl=False)


def resolve_decision(log_path: str, given: str) -> str:
    """The decision id a unique start of it names in the log (the full id as it is)."""
    from ..allocation.decision_log import decision_id_from_start, read_log

    return decision_id_from_start(read_log(log_path).records, given, log_path)


def resolve_outcome(given: str) -> str:
    """An outcome id from its id or its label in either language ('niet toegestaan', 'Not allowed', 'niet-toegestaan')."""
    from ..model.outcomes import OUTCOME_LABELS

    def norm(text: str) -> str:
        return " ".join(text.replace("_", " ").replace("-", " ").lower().split())

    for outcome, labels in OUTCOME_LABELS.items():
        if norm(given) in {norm(outcome), *(norm(label) for label in labels)}:
            return outcome
    return given  # unknown: override_record names the choices


@click.command(name="override", cls=Command, help_key="log override")
@click.argument("decision_id", shell_complete=complete_decisions)
@click.option("--outcome", required=True, shell_complete=complete_outcomes)
@click.option("--reason", required=True)
@click.option("--log", "log_path", required=True, envvar="MAGICMIX_LOG", type=FilePath())
@format_option("log", "text")
@LANG
def log_override(decision_id, outcome, reason, log_path, fmt, lang):
    """Record the person's decision for an advice (append-only)."""
    from ..allocation.decision_log import append_records, override_record
    from ..render.report import to_json

    record = override_record(log_path, resolve_decision(log_path, decision_id), resolve_outcome(outcome), reason)
    try:
        append_records(log_path, [record])
    except OSError as exc:
        raise unwritable(log_path, exc, lang) from None
    from ..model.deviations import note_warnings

    for w in note_warnings(reason, "--reason"):  # free text: warn of a name or a health term (log review takes codes)
        click.echo(terminal_text(w.format(lang)), err=True)
    if fmt == "json":
        click.echo(to_json({"ok": True, "override_id": record["override_id"], "decision_id": record["decision_id"],
                            "outcome": record["outcome"]}))
    else:
        click.echo(f"{'vastgelegd' if lang == 'nl' else 'logged'}: {record['override_id']}")


def _head(value: str | None) -> str | None:
    # A mistyped head would read as a log cut short or rewritten: a false alarm of tampering.
    if value is not None and not re.fullmatch(r"sha256:[0-9a-f]{64}", value.strip()):
        raise click.BadParameter("geen kop van een logboek: sha256: met 64 hexadecimale tekens / "
                                 "not a log head: sha256: with 64 hexadecimal digits")
    return value.strip() if value is not None else None


@click.command(name="replay", cls=Command, help_key="log replay")
@file_argument("file")
@click.option("--verify", is_flag=True)
@click.option("--head", "kept_head", callback=lambda ctx, param, value: _head(value))
@format_option("log", "text")
@ENGINE
@LANG
def log_replay(file, verify, kept_head, fmt, engine, lang):
    """Check the chain and re-evaluate every decision under its own policy version."""
    from ..allocation.decision_log import check_chain
    from ..allocation.replay import replay_log

    _, chain = check_chain(file, kept_head)
    results, warnings = replay_log(file, engine)
    different = [r for r in results if not r.same]
    failed = verify and (different or not chain.intact)
    if fmt == "json":
        from ..render.report import to_json

        click.echo(to_json({"chain": {"head": chain.head, "records": chain.records, "unchained": chain.unchained,
                                      "intact": chain.intact, "problems": [d.to_dict() for d in chain.problems],
                                      "warnings": [d.to_dict() for d in chain.warnings]},
                            "warnings": list(warnings), "decisions": len(results), "same": len(results) - len(different),
                            "different": [{"decision_id": r.decision_id, "differences": list(r.differences)}
                                          for r in different],
                            "reworded": [{"decision_id": r.decision_id, "texts": list(r.reworded)}
                                         for r in results if r.reworded]}))
        return exits.FINDINGS if failed else exits.OK
    nl = lang == "nl"
    for w in warnings:
        click.echo(terminal_text(w), err=True)
    for d in chain.warnings:
        click.echo(terminal_text(d.format(lang)), err=True)
    for d in chain.problems:
        click.echo(terminal_text(d.format(lang)))
    for r in different:
        click.echo(f"{'ANDERS' if nl else 'DIFFERENT'} {terminal_text(r.decision_id)}")
        for d in r.differences:
            click.echo(f"  {terminal_text(d)}")
    state = ("ongeschonden" if nl else "intact") if chain.intact else \
        (f"{len(chain.problems)} {'probleem/problemen' if nl else 'problem(s)'}")
    click.echo(f"{'keten' if nl else 'chain'}: {chain.records} records, {state}; {'kop' if nl else 'head'} {chain.head}")
    reworded = sum(1 for r in results if r.reworded)
    same = len(results) - len(different)
    in_words = (f" ({reworded} {'met hun teksten anders verwoord' if nl else 'with texts worded otherwise'})"
                if reworded else "")
    click.echo(f"{same} {'gelijk' if nl else 'same'}{in_words}, {len(different)} {'anders' if nl else 'different'} "
               f"({len(results)} {'besluiten' if nl else 'decisions'})")
    return exits.FINDINGS if failed else exits.OK
