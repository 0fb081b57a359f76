"""The click classes every magicmix command is made of: help from the help table in Dutch or English, commands
loaded only when used, PolicyError turned into an exit code in one place, and the exit code a command returns."""

from __future__ import annotations

import importlib
import os
import sys

import click

from ..diagnostics import PolicyError
from . import exits
from .help_texts import text

_HEADINGS = {"Usage: ": "Gebruik: ", "Options": "Opties", "Commands": "Opdrachten"}
_EXTRA = (("[default: ", "[standaard: "), ("; default: ", "; standaard: "), ("env var: ", "omgevingsvariabele: "),
          ("required]", "verplicht]"))


def _short(text_: str, limit: int) -> str:
    """The first sentence of a help text, cut at a word to fit limit (as click shows a command in a list)."""
    first = text_.split("\n\n")[0].replace("\n", " ")
    first = first.split(". ")[0].rstrip(".")
    if len(first) <= limit:
        return first
    return first[:max(limit - 3, 10)].rsplit(" ", 1)[0] + "..."


def help_lang(ctx: click.Context) -> str:
    """The language of --help: that of --lang on the command line, else MAGICMIX_LANG, else English."""
    lang = ctx.meta.get("magicmix.help_lang") or os.environ.get("MAGICMIX_LANG")
    return lang if lang in ("nl", "en") else "en"


def _option_key(param: click.Parameter) -> str:
    return max((o for o in param.opts if o.startswith("--")), key=len, default=param.opts[0])


class _Help:
    """Help from the table: English as click's own text, Dutch swapped in while --help is written in Dutch."""

    help_key = "magicmix"

    def _fill_help(self) -> None:
        self.help = text(self.help_key, "", "en") or self.help  # the table's text, not the docstring (for developers)
        for p in self.params:
            if isinstance(p, click.Option) and not p.help:
                p.help = text(self.help_key, _option_key(p), "en")

    def parse_args(self, ctx, args):  # noqa: D102 - click hook: note --lang before --help is handled
        for i, a in enumerate(args):
            value = a.partition("=")[2] if a.startswith("--lang=") else args[i + 1] if a == "--lang" and i + 1 < len(
                args) else None
            if value in ("nl", "en"):
                ctx.meta["magicmix.help_lang"] = value
        return super().parse_args(ctx, args)

    def format_help(self, ctx, formatter):  # noqa: D102 - click hook
        if help_lang(ctx) != "nl":
            return super().format_help(ctx, formatter)
        saved = [(p, p.help) for p in ctx.command.get_params(ctx) if isinstance(p, click.Option)]
        own = self.help
        try:
            self.help = text(self.help_key, "", "nl") or own
            for p, _ in saved:
                p.help = text(self.help_key, _option_key(p), "nl") or p.help
            super().format_help(ctx, _DutchFormatter(formatter))
        finally:
            self.help = own
            for p, h in saved:
                p.help = h


class _DutchFormatter:
    """Wraps click's HelpFormatter: Dutch headings and Dutch '[standaard: ...]'."""

    def __init__(self, inner: click.HelpFormatter):
        self._inner = inner

    def __getattr__(self, name):
        return getattr(self._inner, name)

    def write_usage(self, prog, args="", prefix=None):  # noqa: D102
        args = args.replace("[OPTIONS]", "[OPTIES]").replace("COMMAND [ARGS]...", "OPDRACHT [ARGUMENTEN]...")
        self._inner.write_usage(prog, args, prefix="Gebruik: ")

    def section(self, name):  # noqa: D102
        return self._inner.section(_HEADINGS.get(name, name))

    def write_dl(self, rows, *a, **kw):  # noqa: D102
        def dutch(s: str) -> str:
            for en, nl in _EXTRA:
                s = s.replace(en, nl)
            return s

        self._inner.write_dl([(k, dutch(v)) for k, v in rows], *a, **kw)


class Command(_Help, click.Command):
    """A magicmix command: help from the table (help_key names its entry); a PolicyError raised anywhere inside
    becomes an InputError (exit 2, text or the JSON error document); an int it returns is the exit code."""

    def __init__(self, *args, help_key: str | None = None, **kw):
        super().__init__(*args, **kw)
        self.help_key = help_key or self.name
        self._fill_help()

    def invoke(self, ctx):  # noqa: D102 - click hook
        try:
            return super().invoke(ctx)
        except PolicyError as exc:
            lang = ctx.params.get("lang") or "nl"
            raise exits.InputError(exc.diagnostics, lang, ctx.params.get("fmt"), exits.exit_code_of(exc)) from None


class Group(_Help, click.Group):
    """A magicmix group: commands named in `lazy` (name -> "module:attribute") are imported when first used, and
    listed in --help from the help table without importing them."""

    command_class = Command

    def __init__(self, *args, lazy: dict[str, str] | None = None, help_key: str | None = None, **kw):
        super().__init__(*args, **kw)
        self.lazy = dict(lazy or {})
        self.help_key = help_key or self.name
        self._fill_help()

    def list_commands(self, ctx):  # noqa: D102 - click hook
        return sorted(set(self.commands) | set(self.lazy))

    def get_command(self, ctx, name):  # noqa: D102 - click hook
        if name not in self.commands and name in self.lazy:
            module, _, attr = self.lazy[name].partition(":")
            self.add_command(getattr(importlib.import_module(module), attr), name)
        return self.commands.get(name)

    def _key(self, name: str) -> str:
        return name if self.help_key == "magicmix" else f"{self.help_key} {name}"

    def format_commands(self, ctx, formatter):  # noqa: D102 - click hook: short help without importing commands
        lang = help_lang(ctx)
        found_rows = []
        for name in self.list_commands(ctx):
            if name in self.commands and self.commands[name].hidden:
                continue
            found = text(self._key(name), "", lang)
            if found is None:
                cmd = self.get_command(ctx, name)
                if cmd is None or cmd.hidden:
                    continue
                found = cmd.short_help or cmd.help or ""
            found_rows.append((name, found))
        limit = formatter.width - 6 - max((len(n) for n, _ in found_rows), default=0)
        rows = [(name, _short(found, limit)) for name, found in found_rows]
        if rows:
            with formatter.section("Commands"):
                formatter.write_dl(rows)

    def invoke(self, ctx):  # noqa: D102 - click hook
        try:
            return super().invoke(ctx)
        except PolicyError as exc:
            raise exits.InputError(exc.diagnostics, "nl", None, exits.exit_code_of(exc)) from None


class RootGroup(Group):
    """The magicmix group: runs a command and turns what it returns or raises into the exit code (exits.py)."""

    def main(self, args=None, prog_name=None, complete_var=None, standalone_mode=True, **extra):  # noqa: D102
        argv = list(sys.argv[1:] if args is None else args)
        if not standalone_mode:
            return super().main(argv, prog_name, complete_var, False, **extra)
        try:
            rv = super().main(argv, prog_name, complete_var, False, **extra)
        except click.ClickException as exc:
            sys.exit(exits.show_error(exc, argv))
        except click.exceptions.Abort:
            click.echo("Aborted!", err=True)
            sys.exit(exits.FINDINGS)
        sys.exit(rv if isinstance(rv, int) else exits.OK)


__all__ = ["Command", "Group", "RootGroup", "help_lang"]
