"""`magicmix log review`: record that a person followed an advice, or deviated from it with a reason code."""

from __future__ import annotations

import sys

import click

from ..cli.group import Command
from ..cli.usage_words import UsageError
from ..cli.options import LANG
from ..diagnostics import PolicyError, make
from ..render.escape import terminal_text


def _fail(diagnostics, lang: str, code: int = 2):
    for d in diagnostics:
        click.echo(terminal_text(d.format(lang)), err=True)
    sys.exit(code)


@click.command(name="review", cls=Command, help_key="log review")
@click.argument("decision_id")
@click.option("--followed", "followed", flag_value=True, default=None)
@click.option("--deviated", "followed", flag_value=False)
@click.option("--outcome")
@click.option("--reason")
@click.option("--note")
@click.option("--reviewer", required=True)
@click.option("--free-room", "free_room")
@click.option("--force", is_flag=True)
@click.option("--policy", "policy_path")
@click.option("--log", "log_path", required=True, envvar="MAGICMIX_LOG")
@LANG
def review(decision_id, followed, outcome, reason, note, reviewer, free_room, force, policy_path, log_path, lang):
    """Record a person's decision on a logged advice (append-only); help text: cli/help_texts.py."""
    from ..api import load_policy
    from .decision_log import append_records, check_chain, find_decision, review_record
    from ..model.deviations import note_warnings
    from .reviews import check_room

    if followed is None:
        raise UsageError("geef --followed of --deviated", "give --followed or --deviated")
    if not followed and outcome is None:
        raise UsageError("--deviated vraagt ook --outcome", "--deviated needs --outcome")
    try:
        read, chain = check_chain(log_path)
        if not chain.intact:
            first = chain.problems[0]
            raise PolicyError([make("log-tampered", log_path, first.line, count=len(chain.problems),
                                    first=(f"{first.location()}: {first.nl}", f"{first.location()}: {first.en}"))])
        decision = find_decision(read.records, decision_id, log_path)
        root = policy_path or (decision.get("policy") or {}).get("root")
        if not isinstance(root, str):
            raise PolicyError([make("bad-input", log_path, problem=(
                "het besluit noemt geen beleidsmap: geef --policy", "the decision names no policy folder: give --policy"))])
        program = load_policy(root)
        record = review_record(decision, followed=followed, outcome=decision.get("outcome") if outcome is None
                               else outcome, reviewer=reviewer, reason=reason, note=note, free_room=free_room,
                               program=program)
        counted: list = []

        def checked(records: list[dict]) -> list[dict]:  # under the log's lock (see append_records)
            earlier = next((r for r in records if r.get("type") == "review"
                            and r.get("decision_id") == decision["decision_id"]), None)
            if earlier is not None:
                raise PolicyError([make("bad-input", log_path, problem=(
                    f"besluit {decision['decision_id']} is al beoordeeld ({earlier.get('review_id')}): "
                    "een beoordeling wordt niet overschreven",
                    f"decision {decision['decision_id']} is reviewed already ({earlier.get('review_id')}): "
                    "a review is not overwritten"))])
            use = check_room(records, program.policy, decision, record, force)
            if use is not None and use.used > use.allowed:
                record["beyond_room"] = True  # forced: the annual report shows it as beyond the room
            counted.append(use)
            return [record]

        append_records(log_path, checked)
        use = counted[0]
    except PolicyError as exc:
        _fail(exc.diagnostics, lang)
    except OSError as exc:
        _fail([make("file-unwritable", log_path, reason=exc.strerror or str(exc))], lang)
    for w in note_warnings(note):
        click.echo(terminal_text(w.format(lang)), err=True)
    if use is not None:
        click.echo(f"{'vrije toewijzingsruimte' if lang == 'nl' else 'free allocation room'} {use.key} {use.year}: "
                   f"{use.used} / {use.allowed}")
    click.echo(f"{'vastgelegd' if lang == 'nl' else 'logged'}: {record['review_id']}")


__all__ = ["review"]
