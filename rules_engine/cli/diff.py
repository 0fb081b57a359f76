"""magicmix diff: what a policy change does, OLD -> NEW; folders or git revisions, never a temporary path shown."""

from __future__ import annotations

import json
import os

import click

from ..diagnostics import Diagnostic, PolicyError
from ..render.escape import terminal_text
from . import exits
from .group import Command
from .options import ENGINE, LANG, OCCUPANCY, FilePath, PolicyPath, date, format_option, program


def policies_under(folder: str) -> list[str]:
    """The policy folders in a folder that is not one itself (such as a repository's root: policies/*), relative to
    it; empty when folder is a policy folder or holds none."""
    if not os.path.isdir(folder) or os.path.isfile(os.path.join(folder, "policy.yaml")):
        return []
    found = []
    for top in sorted(os.listdir(folder)):
        path = os.path.join(folder, top)
        if top.startswith(".") or not os.path.isdir(path):
            continue
        if os.path.isfile(os.path.join(path, "policy.yaml")):
            found.append(top)
            continue
        found += [f"{top}/{n}" for n in sorted(os.listdir(path))
                  if os.path.isfile(os.path.join(path, n, "policy.yaml"))]
    return found


def _pairs(old: str, new: str) -> list[tuple[str, str]]:
    """(old, new) per policy: one pair, or for `git:REF FOLDER` with FOLDER a repository's root, one per policy in it."""
    from ..load.revision import is_revision

    for rev, local, rev_first in ((old, new, True), (new, old, False)):
        if is_revision(rev) and ":" not in rev[4:] and not is_revision(local):
            inside = policies_under(local)
            if inside:
                pairs = [(f"{rev}:{_in_repo(local, rel)}", os.path.join(local, rel)) for rel in inside]
                return pairs if rev_first else [(b, a) for a, b in pairs]
    return [(old, new)]


def _in_repo(local: str, rel: str) -> str:
    from ..load.revision import git_output

    top = git_output(["rev-parse", "--show-toplevel"], local) or local
    return os.path.relpath(os.path.abspath(os.path.join(local, rel)), top).replace(os.sep, "/")


def _shown(spec: str, root: str) -> str:
    from ..load.revision import is_revision

    return spec if is_revision(spec) else root


def _scrub(diags, roots: dict) -> list[Diagnostic]:
    """Diagnostics with every temporary folder replaced by the revision it holds."""
    out = []
    for d in diags:
        texts = [d.file, d.nl, d.en]
        for tmp, label in roots.items():
            texts = [t.replace(tmp, label) for t in texts]
        out.append(Diagnostic(d.code, d.severity, texts[0], d.line, d.column, texts[1], texts[2]))
    return out


@click.command(cls=Command)
@click.argument("old", type=PolicyPath())
@click.argument("new", type=PolicyPath())
@click.option("--tests/--no-tests", "use_tests", default=True, show_default=True)
@click.option("--log", "log_path", type=FilePath())
@click.option("--cases", "cases_path", type=FilePath())
@click.option("--sample", type=click.IntRange(0, 10_000_000), default=0)
@click.option("--date", "dates", multiple=True)
@OCCUPANCY
@format_option("diff", "text")
@click.option("--limit", type=click.IntRange(0), default=None)
@click.option("--fail-on-change", is_flag=True)
@ENGINE
@LANG
def diff(old, new, use_tests, log_path, cases_path, sample, dates, occupancy_path, fmt, limit, fail_on_change, engine,
         lang):
    """Changes in meaning and the decisions that flip, OLD -> NEW (folders or git:REF[:path])."""
    import tempfile

    from ..render.renderers import render
    from ..load.revision import materialise

    days = [date(d, lang) for d in dates]
    pairs = _pairs(old, new)
    texts, changed = [], False
    for a_spec, b_spec in pairs:
        with tempfile.TemporaryDirectory(prefix="magicmix-diff-") as work:
            roots: dict = {}
            try:
                a_root = materialise(a_spec, b_spec, os.path.join(work, "old"))
                roots[a_root] = _shown(a_spec, a_root)
                b_root = materialise(b_spec, a_spec, os.path.join(work, "new"))
                roots[b_root] = _shown(b_spec, b_root)
                roots = {k: v for k, v in roots.items() if k != v}
                text, flipped = _one(a_root, b_root, use_tests, log_path, cases_path, sample, days, occupancy_path,
                                     fmt, limit, engine, lang, render)
            except PolicyError as exc:
                raise type(exc)(_scrub(exc.diagnostics, roots)) from None
            for tmp, label in roots.items():  # what is shown names the revision, never a temporary folder
                text = text.replace(tmp, json.dumps(label)[1:-1] if fmt == "json" else label)
        changed |= flipped
        texts.append((b_spec if len(pairs) > 1 else None, text))
    if len(texts) == 1:
        click.echo(texts[0][1], nl=False)
    elif fmt == "json":
        click.echo(json.dumps({"policies": [{"path": p, "diff": json.loads(t)} for p, t in texts]},
                              ensure_ascii=False, sort_keys=True, indent=2))
    else:
        click.echo("\n".join(f"{'#' if fmt == 'markdown' else '=='} {p}\n\n{t}" for p, t in texts), nl=False)
    return exits.FINDINGS if fail_on_change and changed else exits.OK


def _one(a_root, b_root, use_tests, log_path, cases_path, sample, days, occupancy_path, fmt, limit, engine, lang,
         render) -> tuple[str, bool]:
    from ..change.impact import all_cases, impact
    from ..change.policy_diff import diff_policies

    a, b = program(a_root, lang, engine), program(b_root, lang, engine)
    semantic = diff_policies(a.policy, b.policy)
    cases, errors = all_cases(a, b, use_tests, log_path, cases_path, sample, days[0] if days else None, days or None)
    result = impact(a, b, cases, occupancy_path)
    for row, (nl, en) in errors[:20]:
        click.echo(terminal_text(f"{cases_path}:{row}: {nl if lang == 'nl' else en}"), err=True)
    if len(errors) > 20:
        click.echo(f"... {len(errors) - 20} {'rijen meer overgeslagen' if lang == 'nl' else 'more rows skipped'}",
                   err=True)
    default_limit = 50 if fmt == "markdown" else 20
    text = render("diff", fmt, (semantic, result), lang=lang, limit=default_limit if limit is None else limit)
    return text, bool(semantic.meaningful or result.flips)
