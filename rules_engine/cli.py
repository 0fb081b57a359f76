"""The magicmix command line: a thin layer over the Python API (every command calls plain functions)."""

from __future__ import annotations

import datetime as dt
import gc
import os
import sys
import time
from fractions import Fraction

import click

from .version import __version__
from .api import (check_policy, evaluate, example_occupancy, example_occupancy_path, load_occupancy,
                  load_policy)
from .composition_scan import composition_at
from .inputs import read_household
from .diagnostics import Diagnostic, PolicyError, hint, make
from .escape import md_code, md_text, terminal_text
from .facts import catalogue
from .levels import DEFAULT
from .load import gc_paused
from .model import OUTCOMES
from .numbers import format_percent
from .occupancy import composition
from .report import (decision_markdown, decision_text, diagnostics_github, diagnostics_text, to_json)
from .schemas_check import KINDS, schema_text
from .values import Refused, read_date

LANG = click.option("--lang", type=click.Choice(["nl", "en"]), default="nl", envvar="MAGICMIX_LANG",
                    show_default=True, help="Language of messages and explanations.")


class InputError(click.ClickException):
    """Bad input: diagnostics are printed and the command exits 2."""

    exit_code = 2

    def __init__(self, diagnostics, lang: str):
        self.diagnostics = tuple(diagnostics)
        self.lang = lang
        super().__init__("")

    def show(self, file=None) -> None:  # noqa: D102 - click hook
        for d in self.diagnostics:
            click.echo(terminal_text(d.format(self.lang)), err=True)


def _date(value: str | None, lang: str) -> dt.date:
    if value is None:
        return dt.date.today()
    try:
        return read_date(value)
    except Refused as exc:
        raise InputError([exc.diagnostic("--date")], lang) from None


ENGINE = click.option("--engine", type=click.Choice(["default", "durable"]), default="default", show_default=True,
                      envvar="MAGICMIX_ENGINE",
                      help="Rule engine: default, or durable (durable-rules, cross-checked; needs magicmix[durable]).")


def _program(path: str, lang: str, engine: str = "default"):
    try:
        program = load_policy(path)
        if engine == "durable":
            from .engine_durable import durable_program

            program = durable_program(program)
        gc.freeze()  # the policy lives as long as the command: the collector need not walk it again
        return program
    except PolicyError as exc:
        raise InputError(exc.diagnostics, lang) from None


def policy_folders(path: str) -> list[str]:
    """A policy folder itself, or the policy folders directly inside a folder such as policies/."""
    if os.path.isfile(os.path.join(path, "policy.yaml")) or not os.path.isdir(path):
        return [path]
    found = sorted(os.path.join(path, n) for n in os.listdir(path)
                   if os.path.isfile(os.path.join(path, n, "policy.yaml")))
    return found or [path]


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="magicmix")
def cli() -> None:
    """magicmix: tenant-mix policy as code (validate, evaluate, rank, status, test, diff, log, report, room)."""


@cli.command()
@click.argument("paths", nargs=-1, required=True)
@click.option("--format", "fmt", type=click.Choice(["text", "json", "github", "sarif", "codequality"]), default="text",
              show_default=True, help="sarif: GitHub code scanning (SARIF 2.1.0); codequality: GitLab Code Quality.")
@click.option("--strict", is_flag=True, help="Warnings fail too.")
@click.option("--date", "date_text", help="Warn about annual parameters without a value in this date's year; "
                                          "default: today.")
@LANG
def validate(paths, fmt, strict, date_text, lang):
    """Check policy folders (or a folder of policies): schema and meaning.

    Exit 0 clean, 1 policy errors, 2 unreadable input.
    """
    from .validate import stale_parameters

    year = _date(date_text, lang).year
    diags: list[Diagnostic] = []
    unreadable = False
    for path in paths:
        for folder in policy_folders(path):
            program, found = check_policy(folder)
            unreadable |= any(d.code in ("file-not-found", "no-policy") and d.file == folder for d in found)
            diags.extend(found)
            if program is not None:  # the year changes without the policy changing: checked here, never cached
                diags.extend(stale_parameters(program.policy, year))
    if fmt == "json":
        click.echo(to_json({"ok": not any(d.severity == "error" for d in diags),
                            "diagnostics": [d.to_dict() for d in diags]}))
    elif fmt == "github":
        click.echo(diagnostics_github(diags, lang), nl=False)
    elif fmt in ("sarif", "codequality"):
        from .code_scanning import diagnostics_codequality, diagnostics_sarif

        click.echo((diagnostics_sarif if fmt == "sarif" else diagnostics_codequality)(diags, lang), nl=False)
    else:
        click.echo(diagnostics_text(diags, lang), nl=False)
    if unreadable:
        sys.exit(2)
    failing = [d for d in diags if d.severity == "error" or strict]
    sys.exit(1 if failing else 0)


def _occupancy_file(program, path: str | None) -> str | None:
    return path if path is not None else example_occupancy_path(program)


def _log(log_path: str, items, program, occupancy_path: str | None, lang: str) -> list[str]:
    """Append decisions to the log; the command reports success only after the records are on disk."""
    from .decision_log import append_records, decision_record

    try:
        records = [decision_record(d, program.policy.root, log_path, occupancy_path, ctx) for d, ctx in items]
        append_records(log_path, records)
    except PolicyError as exc:
        raise InputError(exc.diagnostics, lang) from None
    except OSError as exc:
        raise InputError([make("file-unwritable", log_path, reason=exc.strerror or str(exc))], lang) from None
    for r in records:
        click.echo(f"{'vastgelegd' if lang == 'nl' else 'logged'}: {r['decision_id']}", err=True)
    return [r["decision_id"] for r in records]


def _occupancy(program, path: str | None, lang: str):
    try:
        if path is None:
            found = example_occupancy(program), "occupancy.yaml"
        else:
            found = load_occupancy(path, program.policy), path
    except PolicyError as exc:
        raise InputError(exc.diagnostics, lang) from None
    gc.freeze()
    return found


@cli.command(name="evaluate")
@click.argument("policy")
@click.option("--unit", "unit_id", help="Id of the home being let.")
@click.option("--household", "household_path", help="Household file (YAML or JSON).")
@click.option("--batch", "batch_path", help="Evaluate every row of a JSONL or CSV file (id, size, income, category, "
                                            "unit, and optionally age, flags, date).")
@click.option("--output", "output_path", help="With --batch: write the decisions (JSON lines) to this file, atomically.")
@click.option("--explain", "full", is_flag=True, help="With --batch: include the full explanation of every decision.")
@click.option("--jobs", default=1, show_default=True, type=click.IntRange(1, 64), help="With --batch: processes.")
@click.option("--on-error", type=click.Choice(["skip", "fail"]), default="skip", show_default=True,
              help="With --batch: skip bad rows (reported with their row number) or stop at the first.")
@click.option("--occupancy", "occupancy_path", help="Occupancy file; default: the policy's occupancy.yaml.")
@click.option("--date", "date_text", help="Letting date (YYYY-MM-DD); default: today.")
@click.option("--format", "fmt", type=click.Choice(["text", "json", "markdown", "html"]), default="text",
              show_default=True)
@click.option("--log", "log_path", help="Append the decision to this decision log (JSON lines).")
@ENGINE
@LANG
def evaluate_cmd(policy, unit_id, household_path, batch_path, output_path, full, jobs, on_error, occupancy_path,
                 date_text, fmt, log_path, engine, lang):
    """Advise on letting a home to a household, with the full explanation (or many rows with --batch)."""
    if batch_path:
        if unit_id or household_path or log_path:
            raise click.UsageError("--batch goes without --unit, --household and --log")
        return _batch(policy, batch_path, output_path, full, jobs, on_error, occupancy_path, date_text, lang, engine)
    if not unit_id or not household_path:
        raise click.UsageError("give --unit and --household (or --batch FILE)")
    program = _program(policy, lang, engine)
    date = _date(date_text, lang)
    try:
        household, warnings = read_household(household_path)
    except PolicyError as exc:
        raise InputError(exc.diagnostics, lang) from None
    for d in warnings:  # an implausible income is shown, not hidden: the advice may rest on a typo
        click.echo(d.format(lang), err=True)
    occupancy, occ_source = _occupancy(program, occupancy_path, lang)
    try:
        decision = evaluate(program, household, unit_id, date, occupancy, occ_source)
    except PolicyError as exc:
        raise InputError(exc.diagnostics, lang) from None
    if log_path:
        _log(log_path, [(decision, {"command": "evaluate"})], program, _occupancy_file(program, occupancy_path), lang)
    click.echo(_render_decision(decision, fmt, lang), nl=False)


def _batch(policy, batch_path, output_path, full, jobs, on_error, occupancy_path, date_text, lang, engine="default"):
    from .batch import run_batch

    program = _program(policy, lang, engine)
    date = _date(date_text, lang) if date_text else None
    occupancy, _ = _occupancy(program, occupancy_path, lang)
    nl = lang == "nl"
    show = sys.stderr.isatty()
    last = [0.0]
    started = time.perf_counter()

    def progress(rows: int, done: int, size: int) -> None:
        now = time.perf_counter()
        if show and now - last[0] > 0.5:
            last[0] = now
            rate = rows / max(now - started, 1e-9)
            pct = 100 * done / size if size else 100
            click.echo(f"\r{rows:,} {'rijen' if nl else 'rows'} · {rate:,.0f}/s · {pct:5.1f} %", err=True, nl=False)

    def write(line: str) -> None:
        sys.stdout.write(line)

    try:
        summary = run_batch(program, batch_path, output_path, occupancy, date, jobs, full, on_error, progress,
                            None if output_path else write)
    except PolicyError as exc:
        raise InputError(exc.diagnostics, lang) from None
    except OSError as exc:
        raise InputError([make("file-unwritable", output_path or "-", reason=exc.strerror or str(exc))], lang) from None
    if show:
        click.echo("", err=True)
    for row, (e_nl, e_en) in summary.errors[:20]:
        click.echo(terminal_text(f"{batch_path}:{row}: {'rij overgeslagen' if nl else 'row skipped'}: "
                                 f"{e_nl if nl else e_en}"), err=True)
    if len(summary.errors) > 20 or summary.skipped > len(summary.errors):
        click.echo(f"... {summary.skipped - min(20, len(summary.errors))} {'meer' if nl else 'more'}", err=True)
    rate = summary.evaluated / summary.seconds if summary.seconds else 0
    lines = [f"{summary.evaluated:,} {'beoordeeld' if nl else 'evaluated'}, {summary.skipped:,} "
             f"{'overgeslagen' if nl else 'skipped'} in {summary.seconds:.1f} s ({rate:,.0f}/s)"]
    lines.append(("per uitkomst: " if nl else "per outcome: ")
                 + ", ".join(f"{o} {summary.outcomes[o]:,}" for o in OUTCOMES if summary.outcomes[o]))
    lines.append(("per niveau van de beslissende regel: " if nl else "per level of the deciding rule: ")
                 + ", ".join(f"{lv} {n:,}" for lv, n in sorted(summary.levels.items())))
    click.echo("\n".join(lines), err=not output_path)
    if on_error == "fail" and summary.skipped:
        sys.exit(1)


def _render_decision(decision, fmt: str, lang: str) -> str:
    from .report_html import decision_html

    return {"json": lambda: to_json(decision.to_dict()) + "\n", "markdown": lambda: decision_markdown(decision, lang),
            "html": lambda: decision_html(decision, lang), "text": lambda: decision_text(decision, lang)}[fmt]()


@cli.command()
@click.argument("policy")
@click.option("--unit", "unit_id", required=True, help="Id of the home being let.")
@click.option("--candidates", "candidates_path", required=True, help="Candidates file (YAML or JSON), portal order.")
@click.option("--occupancy", "occupancy_path", help="Occupancy file; default: the policy's occupancy.yaml.")
@click.option("--date", "date_text", help="Letting date (YYYY-MM-DD); default: today.")
@click.option("--top", default=3, show_default=True, help="Show the full explanation of this many top candidates.")
@click.option("--format", "fmt", type=click.Choice(["text", "json", "markdown", "html"]), default="text",
              show_default=True)
@click.option("--log", "log_path", help="Append one decision per candidate to this decision log.")
@ENGINE
@LANG
def rank(policy, unit_id, candidates_path, occupancy_path, date_text, top, fmt, log_path, engine, lang):
    """Rank the candidates for a home by the policy's ranking strategy, with a reason per candidate."""
    from .rank import load_candidates, rank as rank_candidates

    program = _program(policy, lang, engine)
    date = _date(date_text, lang)
    try:
        households = load_candidates(candidates_path)
        occupancy, _ = _occupancy(program, occupancy_path, lang)
        ranking = rank_candidates(program, households, unit_id, composition(program.policy, occupancy, date))
    except PolicyError as exc:
        raise InputError(exc.diagnostics, lang) from None
    if log_path:
        items = [(c.decision, {"command": "rank", "rank": c.rank, "portal_position": c.position})
                 for c in ranking.ranked + ranking.dropped]
        _log(log_path, items, program, _occupancy_file(program, occupancy_path), lang)
    click.echo(_render_ranking(ranking, fmt, lang, top), nl=False)


def _render_ranking(ranking, fmt: str, lang: str, top: int) -> str:
    from .report import ranking_markdown, ranking_text
    from .report_html import ranking_html

    return {"json": lambda: to_json(ranking.to_dict()) + "\n", "markdown": lambda: ranking_markdown(ranking, lang, top),
            "html": lambda: ranking_html(ranking, lang, top), "text": lambda: ranking_text(ranking, lang, top)}[fmt]()


@cli.command()
@click.argument("policy")
@click.option("--complex", "complex_id", required=True, help="Complex id.")
@click.option("--occupancy", "occupancy_path", help="Occupancy file; default: the policy's occupancy.yaml.")
@click.option("--date", "date_text", help="Date (YYYY-MM-DD); default: today.")
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True)
@LANG
def room(policy, complex_id, occupancy_path, date_text, fmt, lang):
    """How many more households of each category fit in a complex, its portieken and its buurt."""
    from .room import complex_room

    program = _program(policy, lang)
    pol = program.policy
    if complex_id not in pol.complexes:
        raise InputError([make("unknown-complex", "--complex", complex=complex_id,
                               hint=hint(pol.complexes, complex_id))], lang)
    date = _date(date_text, lang)
    occupancy, _ = _occupancy(program, occupancy_path, lang)
    rows = complex_room(pol, composition(pol, occupancy, date), complex_id)
    if fmt == "json":
        click.echo(to_json({"complex": complex_id, "date": date.isoformat(), "room": [
            {"level": r.level, "group": r.group, "category": r.category, "room": r.room, "count": r.count,
             "occupied": r.occupied} for r in rows]}))
        return
    nl = lang == "nl"
    no_maximum = "geen maximum" if nl else "no maximum"  # a level without a mix; else too few households to judge
    click.echo(f"{'Ruimte in' if nl else 'Room in'} {complex_id} {'op' if nl else 'on'} {date.isoformat()}")
    header = ["niveau" if nl else "level", "groep" if nl else "group"] + \
        [pol.category(c).label.get(lang) for c in pol.category_ids]
    table = [header]
    seen = []
    for r in rows:
        if (r.level, r.group) not in seen:
            seen.append((r.level, r.group))
    for level, group in seen:
        cells = []
        for cid in pol.category_ids:
            r = next(x for x in rows if x.level == level and x.group == group and x.category == cid)
            share = format_percent(Fraction(r.count, r.occupied), lang, 0) if r.occupied else "-"
            none = no_maximum if not pol.levels[level].mix else "niet beoordeeld" if nl else "not judged"
            cells.append(f"{none if r.room is None else r.room} ({r.count}, {share})")
        table.append([level, group] + cells)
    widths = [max(len(row[i]) for row in table) for i in range(len(header))]
    for row in table:
        click.echo(terminal_text("  ".join(cell.ljust(w) for cell, w in zip(row, widths)).rstrip()))
    click.echo("(ruimte (aantal nu, aandeel nu))" if nl else "(room (count now, share now))")


@cli.command()
@click.argument("policy", required=False)
@click.option("--format", "fmt", type=click.Choice(["text", "markdown"]), default="text", show_default=True)
@LANG
def facts(policy, fmt, lang):
    """The facts a condition can name (with the policy's parameters and definitions when given)."""
    pol = _program(policy, lang).policy if policy else None
    rows = [(s.path, s.type, s.nl if lang == "nl" else s.en) for s in catalogue(pol.levels if pol else DEFAULT).values()]
    if policy:
        rows += [(f"param.{p.name}", f"number:{p.unit}", p.label.get(lang)) for p in pol.parameters.values()]
        rows += [(f"def.{d.name}", d.unit, d.label.get(lang)) for d in pol.definitions.values()]
    if fmt == "markdown":
        click.echo(f"| {'gegeven' if lang == 'nl' else 'fact'} | type | {'betekenis' if lang == 'nl' else 'meaning'} |")
        click.echo("|---|---|---|")
        for path, typ, text in rows:
            click.echo(f"| {md_code(path)} | {typ} | {md_text(text)} |")
        return
    width = max(len(r[0]) for r in rows)
    for path, typ, text in rows:
        click.echo(terminal_text(f"{path.ljust(width)}  {typ.ljust(22)}  {text}"))


@cli.command(name="test")
@click.argument("paths", nargs=-1, required=True)
@click.option("-k", "pattern", help="Only cases whose name contains this text.")
@ENGINE
@click.option("--format", "fmt", type=click.Choice(["text", "json", "junit", "tap", "github"]), default="text",
              show_default=True)
@click.option("--coverage", is_flag=True, help="Show rule coverage (each rule seen firing and not firing).")
@click.option("--min-coverage", type=click.FloatRange(0, 100), help="Fail when rule coverage is below N percent.")
@LANG
def test_cmd(paths, pattern, engine, fmt, coverage, min_coverage, lang):
    """Run a policy's test cases (its tests/ folder); the last line reads 'N passed, N failed'.

    Exit 0 when all pass, 1 on a failure, on no test run, or under --min-coverage; 2 on unreadable input.
    """
    from .cases import load_cases, run_cases
    from .cases_report import run_github, run_json, run_junit, run_tap, run_text

    status = 0
    totals = [0, 0]
    folders = [folder for path in paths for folder in policy_folders(path)]
    for folder in folders:
        program = _program(folder, lang, engine)
        cases, diags = load_cases(program)
        if fmt != "text":
            for d in diags:
                click.echo(d.format(lang), err=True)
        run = run_cases(program, cases, pattern, tuple(diags))
        render = {"json": lambda r: run_json(r), "junit": lambda r: run_junit(r, lang),
                  "tap": lambda r: run_tap(r, lang), "github": lambda r: run_github(r, lang),
                  "text": lambda r: run_text(r, lang, coverage or min_coverage is not None, min_coverage)}[fmt]
        click.echo(render(run), nl=False)
        low = min_coverage is not None and run.coverage.percent < min_coverage
        if low and fmt != "text":
            click.echo(f"{'Regeldekking onder' if lang == 'nl' else 'Rule coverage below'} {min_coverage:g} %",
                       err=True)
        if diags or run.failed or not run.results or low:
            status = 1
        totals[0] += run.passed
        totals[1] += run.failed
    if len(folders) > 1 and fmt == "text":
        click.echo(f"{'totaal' if lang == 'nl' else 'total'}: {totals[0]} passed, {totals[1]} failed")
    sys.exit(status)


@cli.command()
@click.argument("directory")
@click.option("--name", default="mijn-beleid", show_default=True,
              help="Name of the new policy; its id is the name as a slug ('Woonstede Kampen': woonstede-kampen).")
@click.option("--install", help="Where CI installs magicmix from (requirements.txt): a version, a wheel file "
                                "(copied into the repository) or a git+https:// URL; default this version.")
@LANG
def init(directory, name, install, lang):
    """Create a new policy repository: an example policy with tests, schemas, pre-commit and CI examples."""
    from .scaffold import init_repository

    try:
        written = init_repository(directory, name, install)
    except PolicyError as exc:
        raise InputError(exc.diagnostics, lang) from None
    except OSError as exc:
        raise InputError([make("file-unwritable", directory, reason=exc.strerror or str(exc))], lang) from None
    for rel in written:
        click.echo(os.path.join(directory, rel))
    click.echo(("Klaar. Probeer: cd {d} && magicmix validate policies/ && magicmix test policies/\n"
                "CI installeert magicmix uit requirements.txt: magicmix staat niet op PyPI, zet daar een wheel "
                "of git-URL (of gebruik init --install)." if lang == "nl"
                else "Done. Try: cd {d} && magicmix validate policies/ && magicmix test policies/\n"
                "CI installs magicmix from requirements.txt: magicmix is not on PyPI, put a wheel or git URL there "
                "(or use init --install).").format(d=directory))


def _emit(text: str, output: str | None, lang: str) -> None:
    """Write a report to a file (atomically) or to standard output."""
    from .atomic import write_text_atomic

    if not output:
        click.echo(text, nl=False)
        return
    try:
        write_text_atomic(output, text)
    except OSError as exc:
        raise InputError([make("file-unwritable", output, reason=exc.strerror or str(exc))], lang) from None


class _ReportGroup(click.Group):
    """`report FILE.json` (a saved decision or ranking) next to `report annual ...`."""

    def parse_args(self, ctx, args):
        if args and args[0] not in self.commands and args[0] not in ("-h", "--help"):
            args = ["saved", *args]
        return super().parse_args(ctx, args)


@cli.group(cls=_ReportGroup)
def report() -> None:
    """Reports: of a saved decision or ranking (report FILE.json), or the annual evaluation (report annual)."""


@report.command(name="saved")
@click.argument("file")
@click.option("--format", "fmt", type=click.Choice(["html", "markdown", "text", "json"]), default="html",
              show_default=True)
@click.option("--top", default=3, show_default=True, help="For a ranking: full explanations of this many.")
@click.option("-o", "--output", help="Write the report to this file (atomically) instead of standard output.")
@LANG
def report_saved(file, fmt, top, output, lang):
    """A report of a saved decision or ranking (the JSON of evaluate/rank --format json)."""
    from .explain import decision_from_dict
    from .load_yaml import load_file
    from .rank import ranking_from_dict
    from .schemas_check import check

    try:
        source = load_file(file)  # JSON is YAML: read with positions, so a schema error names its line
        kind = "ranking" if isinstance(source.data, dict) and "ranked" in source.data else "decision"
        problems = check(source, kind)  # a saved file is checked before any of it is rendered
        if problems:
            raise PolicyError([make("bad-input", file, problem=(
                f"geen besluit of rangorde van magicmix volgens het schema {kind}",
                f"not a magicmix decision or ranking by the {kind} schema")), *problems])
        data = source.data
        if kind == "ranking":
            text = _render_ranking(ranking_from_dict(data), fmt, lang, top)
        else:
            text = _render_decision(decision_from_dict(data), fmt, lang)
    except PolicyError as exc:
        raise InputError(exc.diagnostics, lang) from None
    except (ValueError, KeyError, TypeError) as exc:
        raise InputError([make("bad-input", file, problem=(
            f"geen besluit of rangorde van magicmix ({type(exc).__name__}: {exc})",
            f"not a magicmix decision or ranking ({type(exc).__name__}: {exc})"))], lang) from None
    _emit(text, output, lang)


@report.command(name="annual")
@click.argument("policy")
@click.option("--year", type=click.IntRange(1900, 2200), required=True, help="The year to evaluate.")
@click.option("--occupancy", "occupancy_path", required=True,
              help="Dated occupancy (CSV, .xlsx, YAML or JSON) covering the year.")
@click.option("--log", "log_path", help="Decision log: advice followed or overridden, and the legal norms.")
@click.option("--public", is_flag=True, help="Buurten only; counts under 5 households suppressed.")
@click.option("--format", "fmt", type=click.Choice(["html", "markdown", "csv"]), default="html", show_default=True)
@click.option("-o", "--output", help="Write the report to this file (atomically) instead of standard output.")
@LANG
def report_annual(policy, year, occupancy_path, log_path, public, fmt, output, lang):
    """The annual evaluation: mix at the start and end of the year, lettings, advice followed, legal norms."""
    from .annual import annual_report
    from .portfolio_report import annual_csv, annual_html, annual_markdown

    program = _program(policy, lang)
    occupancy, _ = _occupancy(program, occupancy_path, lang)
    try:
        r = annual_report(program.policy, occupancy, year, log_path)
    except PolicyError as exc:
        raise InputError(exc.diagnostics, lang) from None
    render = {"html": annual_html, "markdown": annual_markdown, "csv": annual_csv}[fmt]
    _emit(render(r, lang, public), output, lang)


@cli.command()
@click.argument("policy")
@click.option("--occupancy", "occupancy_path", help="Occupancy (CSV, .xlsx, YAML or JSON); default: occupancy.yaml.")
@click.option("--date", "date_text", help="Status on this date (YYYY-MM-DD); default: today.")
@click.option("--level", "levels", multiple=True, metavar="[buurt|complex|portiek]",
              help="Only these levels (repeat the option), or a level the policy declares (wijk); default: all.")
@click.option("--only-out", is_flag=True, help="Only groups above or below their band or limit.")
@click.option("--format", "fmt", type=click.Choice(["text", "json", "markdown", "html"]), default="text",
              show_default=True)
@click.option("-o", "--output", help="Write to this file (atomically) instead of standard output.")
@LANG
def status(policy, occupancy_path, date_text, levels, only_out, fmt, output, lang):
    """Every buurt, complex and portiek: shares against targets and bands, out of band first, room per category."""
    from .portfolio_report import status_html, status_json, status_markdown, status_text
    from .status import portfolio_status

    started = time.perf_counter()
    show = sys.stderr.isatty()
    if show:
        click.echo("beleid lezen..." if lang == "nl" else "reading the policy...", err=True, nl=False)
    program = _program(policy, lang)
    date = _date(date_text, lang)
    known = program.policy.levels.keys
    wrong = [lv for lv in levels if lv not in known]
    if wrong:
        raise InputError([make("unknown-level", "--level", level=wrong[0], hint=hint(known, wrong[0]),
                               known=", ".join(known))], lang)
    if show:
        click.echo("\r" + ("bezetting lezen..." if lang == "nl" else "reading the occupancy..."), err=True, nl=False)
    try:
        comp = composition(program.policy, example_occupancy(program), date) if occupancy_path is None \
            else composition_at(occupancy_path, program.policy, date)
    except PolicyError as exc:
        raise InputError(exc.diagnostics, lang) from None

    def progress(done: int, total: int) -> None:
        if show:
            click.echo(f"\r{done:,}/{total:,} complexen ({time.perf_counter() - started:.1f} s)", err=True, nl=False)

    # A national status makes millions of objects and no cycles: collecting would only cost time.
    with gc_paused():
        result = portfolio_status(program.policy, comp, tuple(levels) or None, progress)
        if show:
            click.echo("\r" + " " * 60 + "\r", err=True, nl=False)
        text = {"text": lambda: status_text(result, lang, only_out), "json": lambda: status_json(result, only_out),
                "markdown": lambda: status_markdown(result, lang, only_out),
                "html": lambda: status_html(result, lang, only_out)}[fmt]()
        _emit(text, output, lang)
        _keep_until_exit(program, comp, result, text)
        gc.freeze()  # nor should the collector walk them once it runs again


@cli.command()
@click.argument("old")
@click.argument("new")
@click.option("--tests/--no-tests", "use_tests", default=True, show_default=True,
              help="Use both versions' test cases as cases.")
@click.option("--log", "log_path", help="Also use the decisions in this decision log.")
@click.option("--cases", "cases_path", help="Also use households x homes from this CSV or JSONL file (batch format).")
@click.option("--sample", type=click.IntRange(0, 10_000_000), default=0,
              help="Also use N cases spread over homes, categories, households, dates and compositions.")
@click.option("--date", "dates", multiple=True, help="Date for --cases rows without one, and the dates --sample uses.")
@click.option("--occupancy", "occupancy_path", help="Occupancy to use instead of each version's occupancy.yaml.")
@click.option("--format", "fmt", type=click.Choice(["text", "json", "markdown"]), default="text", show_default=True)
@click.option("--limit", type=click.IntRange(0), default=None,
              help="Changed decisions shown in detail (text 20, Markdown 50; JSON lists all).")
@click.option("--fail-on-change", is_flag=True, help="Exit 1 when the meaning changed or a decision flips (for CI).")
@ENGINE
@LANG
def diff(old, new, use_tests, log_path, cases_path, sample, dates, occupancy_path, fmt, limit, fail_on_change, engine,
         lang):
    """What a policy change does: changes in meaning and the decisions that flip, OLD -> NEW.

    OLD and NEW are policy folders or git revisions: git:REF (the other argument's folder at
    REF) or git:REF:path. Exit 0; 1 with --fail-on-change when something changed; 2 on bad input.
    """
    import tempfile

    from .diff_report import diff_json, diff_markdown, diff_text
    from .impact import all_cases, impact
    from .policy_diff import diff_policies
    from .revision import materialise

    days = [_date(d, lang) for d in dates]
    with tempfile.TemporaryDirectory(prefix="magicmix-diff-") as work:
        try:
            old_root = materialise(old, new, os.path.join(work, "old"))
            new_root = materialise(new, old, os.path.join(work, "new"))
        except PolicyError as exc:
            raise InputError(exc.diagnostics, lang) from None
        a, b = _program(old_root, lang, engine), _program(new_root, lang, engine)
        semantic = diff_policies(a.policy, b.policy)
        try:
            cases, errors = all_cases(a, b, use_tests, log_path, cases_path, sample, days[0] if days else None,
                                      days or None)
            result = impact(a, b, cases, occupancy_path)
        except PolicyError as exc:
            raise InputError(exc.diagnostics, lang) from None
        for row, (nl, en) in errors[:20]:
            click.echo(terminal_text(f"{cases_path}:{row}: {nl if lang == 'nl' else en}"), err=True)
        if len(errors) > 20:
            click.echo(f"... {len(errors) - 20} {'rijen meer overgeslagen' if lang == 'nl' else 'more rows skipped'}",
                       err=True)
        if fmt == "json":
            text = diff_json(semantic, result)
        elif fmt == "markdown":
            text = diff_markdown(semantic, result, lang, 50 if limit is None else limit)
        else:
            text = diff_text(semantic, result, lang, 20 if limit is None else limit)
    click.echo(text, nl=False)
    sys.exit(1 if fail_on_change and (semantic.meaningful or result.flips) else 0)


@cli.group(name="log")
def log_group() -> None:
    """The decision log: list, record a person's decision (override), replay."""


@log_group.command(name="list")
@click.argument("file")
@LANG
def log_list(file, lang):
    """One line per decision: id, time, home, household, advice, and the person's decision if recorded."""
    from .decision_log import check_chain

    try:
        read, chain = check_chain(file)
    except PolicyError as exc:
        raise InputError(exc.diagnostics, lang) from None
    for w in read.warnings:
        click.echo(terminal_text(w), err=True)
    if not chain.intact:  # listed all the same: the list is how staff find the record to look at
        first = chain.problems[0]
        click.echo(terminal_text(make("log-tampered", file, first.line, severity="warning", count=len(chain.problems),
                                      first=(f"{first.location()}: {first.nl}", f"{first.location()}: {first.en}"))
                                 .format(lang)), err=True)

    def get(record, *path):
        for key in path:
            record = record.get(key) if isinstance(record, dict) else None
        return terminal_text("?" if record is None else record)

    from .reviews import latest_reviews

    overrides = latest_reviews(read.records)  # reviews, and older overrides read as reviews
    for r in read.records:
        if r.get("type") != "decision":
            continue
        o = overrides.get(r.get("decision_id"))
        person = "" if not o else f"  -> {get(o, 'outcome')} ({'opgevolgd' if lang == 'nl' else 'followed'})" \
            if o.get("followed") else f"  -> {get(o, 'outcome')} ({get(o, 'reason')})"
        click.echo(f"{get(r, 'decision_id')}  {get(r, 'timestamp')}  {get(r, 'decision', 'inputs', 'unit')}  "
                   f"{get(r, 'decision', 'inputs', 'household', 'id')}  {get(r, 'outcome')}{person}")


@log_group.command(name="override")
@click.argument("decision_id")
@click.option("--outcome", required=True, help="The decision the person made.")
@click.option("--reason", required=True, help="Why (no names, no reason behind a category).")
@click.option("--log", "log_path", required=True, envvar="MAGICMIX_LOG", help="The decision log.")
@LANG
def log_override(decision_id, outcome, reason, log_path, lang):
    """Record the person's decision for an advice in the log (append-only)."""
    from .decision_log import append_records, override_record

    try:
        record = override_record(log_path, decision_id, outcome, reason)
        append_records(log_path, [record])
    except PolicyError as exc:
        raise InputError(exc.diagnostics, lang) from None
    except OSError as exc:
        raise InputError([make("file-unwritable", log_path, reason=exc.strerror or str(exc))], lang) from None
    click.echo(f"{'vastgelegd' if lang == 'nl' else 'logged'}: {record['override_id']}")


@log_group.command(name="replay")
@click.argument("file")
@click.option("--verify", is_flag=True, help="Exit 1 when the hash chain is broken or any decision comes out different.")
@click.option("--head", "kept_head", help="A head kept elsewhere (sha256:...): the log must still contain it.")
@ENGINE
@LANG
def log_replay(file, verify, kept_head, engine, lang):
    """Check the log's hash chain, re-evaluate every decision under the policy version it was made with,
    and list any that differ; the last line names the chain's head, to keep elsewhere."""
    from .decision_log import check_chain
    from .replay import replay_log

    try:
        _, chain = check_chain(file, kept_head)
        results, warnings = replay_log(file, engine)
    except PolicyError as exc:
        raise InputError(exc.diagnostics, lang) from None
    for w in warnings:
        click.echo(terminal_text(w), err=True)
    for d in chain.warnings:
        click.echo(terminal_text(d.format(lang)), err=True)
    for d in chain.problems:
        click.echo(terminal_text(d.format(lang)))
    different = [r for r in results if not r.same]
    for r in different:
        click.echo(f"{'ANDERS' if lang == 'nl' else 'DIFFERENT'} {terminal_text(r.decision_id)}")
        for d in r.differences:
            click.echo(f"  {terminal_text(d)}")
    state = ("ongeschonden" if lang == "nl" else "intact") if chain.intact else \
        (f"{len(chain.problems)} {'probleem/problemen' if lang == 'nl' else 'problem(s)'}")
    click.echo(f"{'keten' if lang == 'nl' else 'chain'}: {chain.records} records, {state}; "
               f"{'kop' if lang == 'nl' else 'head'} {chain.head}")
    same = len(results) - len(different)
    click.echo(f"{same} {'gelijk' if lang == 'nl' else 'same'}, {len(different)} "
               f"{'anders' if lang == 'nl' else 'different'} ({len(results)} "
               f"{'besluiten' if lang == 'nl' else 'decisions'})")
    if verify and (different or not chain.intact):
        sys.exit(1)


@cli.command()
@click.argument("kind", type=click.Choice(list(KINDS)))
def schema(kind):
    """Print the JSON Schema of a document kind."""
    click.echo(schema_text(kind), nl=False)


from .service.command import log_export, serve  # noqa: E402 - the service registers its commands here
cli.add_command(serve)
log_group.add_command(log_export)

_KEPT: list = []  # see _keep_until_exit
_FAST_EXIT = {"on": False}


def _keep_until_exit(*objects) -> None:
    """Hand a command's large results to the end of the process (only when run as a program, from main).

    A national status holds millions of small objects: freeing them one by one when the command returns
    and again when the interpreter shuts down takes seconds; the operating system frees the memory at once."""
    if _FAST_EXIT["on"]:
        _KEPT.extend(objects)


def main() -> None:
    """Entry point: run the CLI; an unexpected error is reported without a traceback (exit 3)."""
    _FAST_EXIT["on"] = True
    try:
        cli.main(standalone_mode=True)
    except SystemExit as exc:
        if _KEPT:  # everything is written and synced; skip freeing what the command kept
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
        sys.exit(3)


from .review_command import review as _review; log_group.add_command(_review)  # noqa: E402,E702 - magicmix log review
from .placement_command import placement as _placement; cli.add_command(_placement)  # noqa: E402,E702 - magicmix placement


if __name__ == "__main__":
    main()

__all__ = ["cli", "main"]
