"""The exit codes of every magicmix command, and the one place where errors become output and an exit code.

| code | meaning |
|---|---|
| 0 | ok: clean, all tests passed, nothing to report |
| 1 | findings: policy errors (from every command that reads the policy: validate, test, evaluate, status...), failed or missing tests, coverage below --min-coverage, a change under
|   | --fail-on-change, a broken log chain or a different replay under --verify, a batch with skipped rows under
|   | --on-error fail or in which every row was skipped |
| 2 | usage or input: a wrong option, an unreadable or broken policy or input file, an unwritable output |
| 3 | internal error (a bug: reported without a traceback; MAGICMIX_DEBUG=1 shows it) |

A batch in which some rows were skipped and others evaluated exits 0 (the skipped rows are named with
their row number on standard error).
"""

from __future__ import annotations

from typing import NamedTuple

import click

from ..diagnostics import Diagnostic, PolicyError
from .usage_words import dutch_of


class ExitCode(NamedTuple):
    """One row of the exit-code table."""

    code: int
    name: str
    nl: str
    en: str


OK = 0
"""Clean: nothing failed, nothing found."""
FINDINGS = 1
"""Policy errors, failed tests, findings (changes, a broken chain), a batch that evaluated nothing."""
INPUT = 2
"""Usage error, or unreadable or broken input (policy, household, occupancy, log), or an unwritable output."""
INTERNAL = 3
"""An internal error: a bug in magicmix."""

TABLE = (
    ExitCode(OK, "ok", "in orde", "ok"),
    ExitCode(FINDINGS, "findings", "beleidsfouten, mislukte tests of bevindingen", "policy errors, failed tests or findings"),
    ExitCode(INPUT, "input", "verkeerd gebruik of onleesbare invoer", "usage error or unreadable input"),
    ExitCode(INTERNAL, "internal", "interne fout", "internal error"),
)
"""The exit codes, as the README lists them."""


def batch_exit(evaluated: int, skipped: int, fail_on_error: bool) -> int:
    """A batch's exit code: 1 when rows were skipped under --on-error fail, or when every row was skipped."""
    if skipped and (fail_on_error or not evaluated):
        return FINDINGS
    return OK


class InputError(click.ClickException):
    """Bad input: the diagnostics are printed (as text on standard error, or as the JSON error document) and the
    command exits 2."""

    exit_code = INPUT

    def __init__(self, diagnostics, lang: str = "nl", fmt: str | None = None, exit_code: int = INPUT):
        self.exit_code = exit_code
        self.diagnostics = tuple(diagnostics)
        self.lang = lang
        self.fmt = fmt
        super().__init__("")

    def show(self, file=None) -> None:  # noqa: D102 - click hook
        from ..render.escape import terminal_text

        for d in self.diagnostics:
            click.echo(terminal_text(d.format(self.lang)), err=True)


class BrokenPolicy(PolicyError):
    """A policy folder that was found but has errors: the same exit (1) from every command, as from validate."""


def exit_code_of(exc: PolicyError) -> int:
    """1 for a broken policy, 2 for any other unreadable input."""
    return FINDINGS if isinstance(exc, BrokenPolicy) else INPUT


def usage_diagnostic(exc: click.ClickException) -> Diagnostic:
    """A click usage error as a diagnostic (code 'usage'; click's own message in English, a Dutch lead-in)."""
    text = exc.format_message()
    ctx = getattr(exc, "ctx", None)
    where = ctx.command_path if ctx is not None else "magicmix"
    return Diagnostic("usage", "error", where, None, None, f"verkeerd gebruik van {where}: {dutch_of(exc) or text}",
                      text)


def show_usage_error(exc: click.UsageError) -> None:
    """A click usage error on standard error as click shows it (usage, help hint), its message in Dutch, then in
    click's English."""
    ctx = exc.ctx
    if ctx is not None:
        lines = [ctx.get_usage()]
        if ctx.command.get_help_option(ctx) is not None:
            option = max(ctx.command.get_help_option_names(ctx), key=len)
            lines.append(f"Zie '{ctx.command_path} {option}' voor hulp / Try '{ctx.command_path} {option}' for help.")
        click.echo("\n".join(lines) + "\n", err=True, color=ctx.color)
    text = exc.format_message()
    nl = dutch_of(exc)
    click.echo(f"Fout: {nl}" if nl is not None else f"Fout: verkeerd gebruik (de melding van click, in het Engels: "
               f"zie hieronder)", err=True, color=None if ctx is None else ctx.color)
    click.echo(f"Error: {text}", err=True, color=None if ctx is None else ctx.color)


def error_document(diagnostics, code: int) -> dict:
    """The JSON error document (on standard output under --format json): every error with its code, its message in
    Dutch and English, and its file, line and column (null where not known)."""
    return {"ok": False, "exit_code": code, "errors": [d.to_dict() for d in diagnostics]}


def wants(args, option: str, value: str) -> bool:
    """Whether an argument list gives option the value (`--format json` or `--format=json`)."""
    args = list(args)
    return any(a == f"{option}={value}" or (a == option and i + 1 < len(args) and args[i + 1] == value)
               for i, a in enumerate(args))


def show_error(exc: click.ClickException, args) -> int:
    """Print a click error as text on standard error (click's way) and, under --format json, the JSON error document
    on standard output as well; returns the exit code."""
    fmt = getattr(exc, "fmt", None)
    ctx = getattr(exc, "ctx", None)
    if fmt is None and ctx is not None:
        fmt = ctx.params.get("fmt")
    if fmt is None and wants(args, "--format", "json"):
        fmt = "json"
    if isinstance(exc, click.UsageError):
        show_usage_error(exc)  # the message for people, on standard error, always: Dutch first, then click's English
    else:
        exc.show()
    if fmt != "json":
        return exc.exit_code
    from ..render.report import to_json

    diags = exc.diagnostics if isinstance(exc, InputError) else (usage_diagnostic(exc),)
    click.echo(to_json(error_document(diags, exc.exit_code)))
    return exc.exit_code


__all__ = ["BrokenPolicy", "exit_code_of", "FINDINGS", "INPUT", "INTERNAL", "OK", "TABLE", "ExitCode", "InputError", "batch_exit", "error_document",
           "show_error", "show_usage_error", "usage_diagnostic", "wants"]
