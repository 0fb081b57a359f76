"""The magicmix command: the root group, the list of its commands, and the program's entry point."""

from __future__ import annotations

import os
import sys

import click

from ..version import __version__
from . import exits, options
from .group import Group, RootGroup

# Every command, as name -> "module:attribute"; each is imported only when it runs (or its --help is asked).
# A new command is one line here (its help texts go in help_texts.py).
COMMANDS = {
    "validate": "rules_engine.cli.validate:validate",
    "evaluate": "rules_engine.cli.evaluate:evaluate_cmd",
    "rank": "rules_engine.cli.rank:rank",
    "room": "rules_engine.cli.room:room",
    "facts": "rules_engine.cli.facts:facts",
    "test": "rules_engine.cli.policy_tests:test_cmd",
    "init": "rules_engine.cli.init_command:init",
    "status": "rules_engine.cli.status:status",
    "diff": "rules_engine.cli.diff:diff",
    "schema": "rules_engine.cli.schema:schema",
    "placement": "rules_engine.allocation.placement_command:placement",
    "simulate": "rules_engine.simulate.command:simulate",
    "serve": "rules_engine.service.command:serve",
}

# The commands of `magicmix report` (report FILE.json is `report saved FILE.json`).
REPORT_COMMANDS = {
    "saved": "rules_engine.cli.report:report_saved",
    "annual": "rules_engine.cli.report:report_annual",
}

# The commands of `magicmix log`.
LOG_COMMANDS = {
    "list": "rules_engine.cli.log:log_list",
    "override": "rules_engine.cli.log:log_override",
    "replay": "rules_engine.cli.log:log_replay",
    "review": "rules_engine.allocation.review_command:review",
    "export": "rules_engine.service.command:log_export",
}


@click.group(cls=RootGroup, lazy=COMMANDS, help_key="magicmix", context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="magicmix")
def cli() -> None:
    """magicmix: tenant-mix policy as code."""


class _ReportGroup(Group):
    """`report FILE.json` (a saved decision or ranking) next to `report annual ...`."""

    def parse_args(self, ctx, args):  # noqa: D102 - click hook
        if args and args[0] not in self.list_commands(ctx) and args[0] not in ("-h", "--help"):
            args = ["saved", *args]
        return super().parse_args(ctx, args)


@cli.group(cls=_ReportGroup, lazy=REPORT_COMMANDS, help_key="report")
def report() -> None:
    """Reports of saved decisions and rankings, and the annual evaluation."""


@cli.group(name="log", cls=Group, lazy=LOG_COMMANDS, help_key="log")
def log_group() -> None:
    """The decision log."""


def main() -> None:
    """Entry point: run the CLI; an unexpected error is reported without a traceback (exit 3)."""
    options.run_as_program()
    try:
        cli.main(standalone_mode=True)
    except SystemExit as exc:
        if options.kept():  # everything is written and synced; skip freeing what the command kept
            code = exc.code if isinstance(exc.code, int) else 0 if exc.code is None else 1
            sys.stdout.flush()
            sys.stderr.flush()
            os._exit(code)
        raise
    except Exception as exc:  # noqa: BLE001 - last line of defence: never show a traceback to staff
        if os.environ.get("MAGICMIX_DEBUG"):
            raise
        click.echo(f"magicmix: interne fout / internal error: {type(exc).__name__}: {exc}\n"
                   "Meld dit aan de beheerders (zet MAGICMIX_DEBUG=1 voor details).", err=True)
        sys.exit(exits.INTERNAL)


__all__ = ["COMMANDS", "LOG_COMMANDS", "REPORT_COMMANDS", "cli", "main"]
