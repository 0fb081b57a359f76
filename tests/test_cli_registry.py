"""The CLI's declarations: every command listed once, every help text in both languages, --format read from the
renderer registry, every renderer importable; schema checkers kept between runs, authenticated."""

from __future__ import annotations

import click
import pytest

from rules_engine.render import renderers
from rules_engine.cli import cli
from rules_engine.cli.help_texts import text
from rules_engine.load.schemas_check import KINDS, schema_text


def _commands():
    ctx = click.Context(cli)
    for name in cli.list_commands(ctx):
        cmd = cli.get_command(ctx, name)
        if isinstance(cmd, click.Group):
            sub = click.Context(cmd, parent=ctx)
            for child in cmd.list_commands(sub):
                yield f"{name} {child}", cmd.get_command(sub, child)
        yield name, cmd


def test_every_help_text_in_dutch_and_english():
    from rules_engine.cli.group import Command, Group

    missing = []
    for name, cmd in _commands():
        if not isinstance(cmd, (Command, Group)):
            continue  # a command of another part, registered as a plain click command: its own help
        key = getattr(cmd, "help_key", name)
        for lang in ("nl", "en"):
            if not text(key, "", lang):
                missing.append((name, lang))
            for p in cmd.params:
                if isinstance(p, click.Option):
                    opt = max((o for o in p.opts if o.startswith("--")), key=len, default=p.opts[0])
                    if not text(key, opt, lang):
                        missing.append((name, opt, lang))
    assert not missing


def test_format_choices_come_from_the_renderer_registry():
    checked = 0
    for name, cmd in _commands():
        for p in cmd.params:
            if p.name == "fmt" and name != "schema":
                choices = list(p.type.choices)
                assert any(choices == renderers.formats(r) for r in renderers.REGISTRY), (name, choices)
                assert "json" in choices, name
                checked += 1
    assert checked >= 14


@pytest.mark.parametrize("record,fmt", [(r, f) for r, fs in renderers.REGISTRY.items() for f in fs])
def test_every_renderer_resolves(record, fmt):
    assert callable(renderers.renderer(record, fmt))


def test_schema_checkers_are_kept_and_authenticated(tmp_path, monkeypatch):
    from rules_engine.load import schema_code

    monkeypatch.setenv("MAGICMIX_CACHE_DIR", str(tmp_path / "cache"))
    formats = {"date": lambda v: True}
    first = schema_code.checker("household", schema_text("household"), formats)
    (entry,) = (tmp_path / "cache").glob("schema-household-*.code")
    kept = schema_code.checker("household", schema_text("household"), formats)
    good = {"id": "hh-1", "size": 2, "income": 24500, "category": "aandacht"}
    assert kept(good) == first(good)
    with pytest.raises(Exception):
        kept({"id": "hh-1", "size": "twee"})
    data = bytearray(entry.read_bytes())
    data[-5] ^= 0xFF  # a changed byte in the code: not the user's entry any more
    entry.write_bytes(bytes(data))
    head = data[:data.index(b"\n", len(b"magicmix-schema-code-1\n")) + 1]
    from rules_engine.load.cache_key import entry_key

    assert schema_code._load(str(entry), bytes(head), entry_key(str(tmp_path / "cache"))) is None
    rebuilt = schema_code.checker("household", schema_text("household"), formats)
    assert rebuilt(good) == first(good) and entry.exists()


def test_schema_command_kinds_are_the_checkers_kinds():
    assert set(KINDS) == set(click.Context(cli).command.get_command(click.Context(cli), "schema").params[0].type.choices)
