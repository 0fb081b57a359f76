"""Options and steps many commands share: language, engine, date, format (from the renderer registry), paths with
completion, and reading the policy and the occupancy with their errors as InputError."""

from __future__ import annotations

import contextlib
import datetime as dt
import gc
import os

import click

from ..diagnostics import PolicyError, make
from ..render.renderers import formats
from .complete import FilePath, PolicyPath, complete_complexes, complete_units
from .exits import BrokenPolicy, InputError


def _remember(key: str):
    def callback(ctx, param, value):
        ctx.meta[key] = value  # the error handler answers in the command's format and language, even for usage errors
        return value
    return callback


LANG = click.option("--lang", type=click.Choice(["nl", "en"]), default="nl", envvar="MAGICMIX_LANG",
                    show_default=True, callback=_remember("magicmix.lang"), is_eager=True)
"""--lang nl|en (MAGICMIX_LANG): messages, explanations and --help."""

ENGINE = click.option("--engine", type=click.Choice(["default", "durable"]), default="default", show_default=True,
                      envvar="MAGICMIX_ENGINE")
"""--engine default|durable (MAGICMIX_ENGINE)."""

DATE = click.option("--date", "date_text")
"""--date YYYY-MM-DD (read by date())."""

OCCUPANCY = click.option("--occupancy", "occupancy_path", type=FilePath())
"""--occupancy FILE."""

OUTPUT = click.option("-o", "--output", type=FilePath())
"""-o/--output FILE, written atomically."""

UNIT = click.option("--unit", "unit_id", shell_complete=complete_units)
"""--unit ID (completes the policy's homes)."""

COMPLEX = click.option("--complex", "complex_id", required=True, shell_complete=complete_complexes)
"""--complex ID (completes the policy's complexes)."""


def policy_argument(name: str = "policy", **kw):
    """A policy folder argument (completes folders)."""
    return click.argument(name, type=PolicyPath(), **kw)


def file_argument(name: str, **kw):
    """A file argument (completes files)."""
    return click.argument(name, type=FilePath(), **kw)


def format_option(record: str, default: str | None = None, **kw):
    """--format with the choices the renderer registry has for a record."""
    choices = formats(record)
    return click.option("--format", "fmt", type=click.Choice(choices), default=default or choices[0],
                        show_default=True, callback=_remember("magicmix.format"), **kw)


def date(value: str | None, lang: str) -> dt.date:
    """A --date value, or today."""
    from ..load.values import Refused, read_date

    if value is None:
        return dt.date.today()
    try:
        return read_date(value)
    except Refused as exc:
        raise InputError([exc.diagnostic("--date")], lang) from None


def program(path: str, lang: str, engine: str = "default"):
    """The checked, compiled policy (with a progress line while a large one loads); PolicyError propagates."""
    from ..api import load_policy
    from .progress import busy

    try:
        with busy(("beleid lezen", "reading the policy"), lang):
            prog = load_policy(path)
    except PolicyError as exc:
        if any(d.code in ("file-not-found", "no-policy") for d in exc.diagnostics):
            raise  # no policy there: unreadable input (2)
        raise BrokenPolicy(exc.diagnostics) from None  # a policy with errors: 1, as validate says
    if engine == "durable":
        from ..engine.engine_durable import durable_program

        prog = durable_program(prog)
    gc.freeze()  # the policy lives as long as the command: the collector need not walk it again
    return prog


def occupancy(prog, path: str | None):
    """The occupancy (given, or the policy's occupancy.yaml) and its name."""
    from ..api import example_occupancy, load_occupancy

    found = (example_occupancy(prog), "occupancy.yaml") if path is None else (load_occupancy(path, prog.policy), path)
    gc.freeze()
    return found


def occupancy_file(prog, path: str | None) -> str | None:
    """The occupancy file a decision was made with (for the log)."""
    from ..api import example_occupancy_path

    return path if path is not None else example_occupancy_path(prog)


def unwritable(path: str, exc: OSError, lang: str) -> InputError:
    """The error for a file that could not be written."""
    return InputError([make("file-unwritable", path, reason=exc.strerror or str(exc))], lang)


def refuse_onto_input(output: str | None, inputs: dict, lang: str) -> None:
    """InputError when the output file is one of the command's inputs ({what: path}): it would be lost."""
    if not output:
        return
    for what, path in inputs.items():
        with contextlib.suppress(OSError, TypeError, ValueError):
            if path and os.path.samefile(output, path):
                raise InputError([make("output-is-input", output, what=what)], lang)


def emit(text: str, output: str | None, lang: str, inputs: dict | None = None) -> None:
    """Write a report to a file (atomically) or to standard output; never onto one of its inputs ({what: path})."""
    from ..atomic import write_text_atomic

    if not output:
        click.echo(text, nl=False)
        return
    refuse_onto_input(output, inputs or {}, lang)
    try:
        write_text_atomic(output, text)
    except OSError as exc:
        raise unwritable(output, exc, lang) from None


def policy_folders(path: str) -> list[str]:
    """A policy folder itself, or the policy folders directly inside a folder such as policies/."""
    if os.path.isfile(os.path.join(path, "policy.yaml")) or not os.path.isdir(path):
        return [path]
    found = sorted(os.path.join(path, n) for n in os.listdir(path)
                   if os.path.isfile(os.path.join(path, n, "policy.yaml")))
    return found or [path]


def log_decisions(log_path: str, items, prog, occupancy_path: str | None, lang: str) -> list[str]:
    """Append decisions to the log; the command reports success only after the records are on disk."""
    from ..allocation.decision_log import append_records, decision_record

    records = [decision_record(d, prog.policy.root, log_path, occupancy_path, ctx) for d, ctx in items]
    try:
        append_records(log_path, records)
    except OSError as exc:
        raise unwritable(log_path, exc, lang) from None
    for r in records:
        click.echo(f"{'vastgelegd' if lang == 'nl' else 'logged'}: {r['decision_id']}", err=True)
    return [r["decision_id"] for r in records]


_KEPT: list = []
_FAST_EXIT = {"on": False}


def run_as_program() -> None:
    """Called by main(): large results may be kept until the process ends (keep_until_exit)."""
    _FAST_EXIT["on"] = True


def kept() -> bool:
    """Whether a command handed results to the end of the process (then main() exits without freeing them)."""
    return bool(_KEPT)


def keep_until_exit(*objects) -> None:
    """Hand a command's large results to the end of the process (only when run as a program, from main).

    A national status holds millions of small objects: freeing them one by one when the command returns
    and again when the interpreter shuts down takes seconds; the operating system frees the memory at once."""
    if _FAST_EXIT["on"]:
        _KEPT.extend(objects)


__all__ = ["COMPLEX", "DATE", "ENGINE", "LANG", "OCCUPANCY", "OUTPUT", "UNIT", "FilePath", "PolicyPath", "date", "emit",
           "file_argument", "format_option", "keep_until_exit", "kept", "run_as_program", "log_decisions", "occupancy", "occupancy_file",
           "policy_argument", "policy_folders", "program", "unwritable"]
