"""`magicmix serve POLICY...` (the service under uvicorn), `magicmix serve token create` and `magicmix log export`."""

from __future__ import annotations

import json
import os
import sys

import click

from ..cli.group import Command, Group
from ..diagnostics import PolicyError
from .store import ROLES

DEFAULT_DB = "sqlite:///magicmix.db"
DB = click.option("--db", default=DEFAULT_DB, show_default=True, envvar="MAGICMIX_DB")


class _ServeGroup(Group):
    """`serve POLICY...` runs the service; `serve token ...` manages tokens."""

    def parse_args(self, ctx, args):
        if args and args[0] in self.commands:
            return super().parse_args(ctx, args)
        return super().parse_args(ctx, ["run", *args])


@click.group(cls=_ServeGroup, help_key="serve")
def serve() -> None:
    """The decision service: REST API under /v1/ (see docs/serve.md); `serve token create --role decide`."""


@serve.command(name="run", cls=Command, help_key="serve run")
@click.argument("policies", nargs=-1, required=True)
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=8080, show_default=True, type=click.IntRange(0, 65535))
@DB
@click.option("--workers", default=1, show_default=True, type=click.IntRange(1, 64))
@click.option("--state-dir")
@click.option("--trusted-header")
@click.option("--trusted-role-header")
@click.option("--trusted-role", type=click.Choice(ROLES), default="read", show_default=True)
@click.option("--access-log/--no-access-log", default=True, show_default=True)
@click.option("--extension", "extensions", multiple=True, metavar="MODULE:FUNCTION")
def run(policies, host, port, db, workers, state_dir, trusted_header, trusted_role_header, trusted_role, access_log,
        extensions):
    """Serve the policies over HTTP (uvicorn): evaluate, rank, room, status, decisions, occupancy.

    Tokens: `magicmix serve token create --role read|decide|admin`."""
    import uvicorn

    from .app import create_app, extension_routes

    config = {"policies": [os.path.abspath(p) for p in policies], "db": db, "state_dir": state_dir,
              "trusted_header": trusted_header, "trusted_role_header": trusted_role_header,
              "trusted_role": trusted_role, "access_log": access_log}
    # the web pages under /app (docs/webapp.md) always; then what --extension adds
    extensions = tuple(dict.fromkeys(("rules_engine.webapp.app:web_routes", *extensions)))
    try:
        routes = extension_routes(extensions)  # imported here once: a wrong name stops the service at once
    except (ValueError, ImportError, AttributeError) as exc:
        raise click.UsageError(f"--extension: {exc}") from None
    try:
        if workers == 1:
            app = create_app(config["policies"], **{k: v for k, v in config.items() if k != "policies"},
                             routes=routes)
        else:  # checked here once, so that a broken policy stops the service before any worker starts
            from .state import Policies

            Policies(config["policies"])
            app = None
    except PolicyError as exc:
        for d in exc.diagnostics:
            click.echo(d.format(), err=True)
        sys.exit(2)
    options = dict(host=host, port=port, access_log=False, timeout_graceful_shutdown=30, log_level="warning",
                   server_header=False)
    click.echo(json.dumps({"event": "listening", "url": f"http://{host}:{port}", "workers": workers,
                           "database": db.split("@")[-1] if "://" in db else db}), err=True)
    if app is not None:
        uvicorn.run(app, **options)
    else:  # worker processes build the app themselves, from the same configuration
        os.environ["MAGICMIX_SERVE_CONFIG"] = json.dumps({**config, "extensions": list(extensions)})
        uvicorn.run("rules_engine.service.app:app_from_env", factory=True, workers=workers, **options)


@serve.group(cls=Group, help_key="serve token")
def token() -> None:
    """API tokens (stored hashed; each with a role: read, decide or admin)."""


@token.command(name="create", cls=Command, help_key="serve token create")
@click.option("--role", type=click.Choice(ROLES), required=True)
@click.option("--label")
@DB
def token_create(role, label, db):
    """Create a token and print it once (only its hash is stored)."""
    from .store import open_store

    token_id, secret = open_store(db).create_token(role, label)
    click.echo(f"token id: {token_id} ({role})", err=True)
    click.echo(secret)


@click.command(name="export", cls=Command, help_key="log export")
@DB
@click.option("-o", "--output", required=True)
def log_export(db, output):
    """Write the service's decision records as a JSON-lines log (for `log replay --verify`)."""
    from ..atomic import atomic_writer
    from .store import open_store

    store = open_store(db)
    with atomic_writer(output, 0o640) as fh:  # every decision: as private as a decision log
        for rec in store.export():
            fh.write(json.dumps(rec, sort_keys=True, ensure_ascii=False, separators=(",", ":")) + "\n")
    n, bad = store.verify()
    click.echo(f"{n} records -> {output}" + (f"; chain broken at {bad[:5]}" if bad else "; chain intact"), err=True)
    sys.exit(1 if bad else 0)
