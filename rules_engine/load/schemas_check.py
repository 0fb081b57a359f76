"""JSON Schema checking of YAML documents, with errors translated to plain Dutch/English at file:line:column."""

from __future__ import annotations

import datetime as dt
import json
from functools import lru_cache
from pathlib import Path

from ..diagnostics import Diagnostic, hint, make
from .load_yaml import Source
from .values import Refused, read_date

KINDS = ("policy", "complex", "parameters", "rules", "household", "candidates", "occupancy", "testcase", "decision",
         "ranking", "simulation")

_TYPE_WORDS = {
    "string": ("tekst", "text"),
    "number": ("een getal", "a number"),
    "integer": ("een geheel getal", "a whole number"),
    "boolean": ("true of false (in YAML geen ja/nee)", "true or false (in YAML, not yes/no)"),
    "object": ("een lijst van sleutels met waarden", "a mapping of keys to values"),
    "array": ("een lijst (regels die met '-' beginnen)", "a list (lines starting with '-')"),
    "null": ("niets", "nothing"),
}


def _date_problem(f: str, line, col, value) -> Diagnostic:
    """A date not in the policy's form: the form to write when it is a date in another form (1-1-2025), else why."""
    try:
        day = read_date(value)
    except Refused:
        return make("invalid-date", f, line, col, value=value)
    return make("date-iso", f, line, col, value=value, iso=day.isoformat())


def schema_text(kind: str) -> str:
    """The JSON text of the schema for a document kind (as shipped in the wheel); a ranking's schema
    with decision.json filled in, so that a decision's form is written once."""
    if kind not in KINDS:
        raise KeyError(kind)
    if kind == "ranking":
        ranking, decision = json.loads(_file_text("ranking")), json.loads(_file_text("decision"))
        body = {k: v for k, v in decision.items() if k not in ("$schema", "$id", "title", "$defs")}
        ranking["$defs"] = {**decision["$defs"], **ranking["$defs"], "decision": body}
        return json.dumps(ranking, indent=2, ensure_ascii=False) + "\n"
    return _file_text(kind)


_PACKAGE = Path(__file__).resolve().parents[1]
# Installed, the schemas lie in the package (rules_engine/schemas, as pyproject.toml ships them); in a checkout,
# beside it. Read as files: importlib.resources costs every command a hundredth of a second of imports.
SCHEMA_DIR = _PACKAGE / "schemas" if (_PACKAGE / "schemas").is_dir() else _PACKAGE.parent / "schemas"


def schema_path(kind: str) -> str:
    """The file of a document kind's schema (a ranking's schema_text also reads decision.json)."""
    return str(SCHEMA_DIR / f"{kind}.json")


@lru_cache(maxsize=None)
def _file_text(kind: str) -> str:
    with open(schema_path(kind), encoding="utf-8") as fh:
        return fh.read()


# The checkers are built once per process, on first use (importing jsonschema and fastjsonschema costs a
# command that checks no document, such as --help, a tenth of a second), and kept for every later document.
@lru_cache(maxsize=None)
def validator(kind: str):
    """A compiled 2020-12 validator (jsonschema's Draft202012Validator, with date format checking) for a kind."""
    from jsonschema import Draft202012Validator

    schema = json.loads(schema_text(kind))
    return Draft202012Validator(schema, format_checker=Draft202012Validator.FORMAT_CHECKER)


def _real_date(value: str) -> bool:
    try:
        dt.date.fromisoformat(value)
    except (TypeError, ValueError):
        return False
    return True


@lru_cache(maxsize=None)
def fast_validator(kind: str):
    """The schema compiled to Python code by fastjsonschema: a quick yes for valid documents (built once, and kept
    between runs by schema_code.py)."""
    from .schema_code import checker

    return checker(kind, schema_text(kind), {"date": _real_date})


def check(source: Source, kind: str) -> list[Diagnostic]:
    """Check a document against its schema; one diagnostic per problem, at the problem's position.

    The compiled validator answers quickly for valid documents; for any other, jsonschema finds
    every problem (and its verdict is the one that counts).
    """
    from fastjsonschema import JsonSchemaException

    try:
        fast_validator(kind)(source.data)
        return []
    except JsonSchemaException:
        pass
    out: list[Diagnostic] = []
    for error in validator(kind).iter_errors(source.data):
        out.extend(_translate(error, source))
    return out


def _describe(value) -> tuple[str, str]:
    if isinstance(value, bool):
        return ("ja/nee-waarde", "a yes/no value")
    if isinstance(value, dict):
        return ("een lijst van sleutels", "a mapping")
    if isinstance(value, list):
        return ("een lijst", "a list")
    if value is None:
        return ("niets (lege waarde)", "nothing (empty value)")
    if isinstance(value, str):
        return (f"tekst '{value}'", f"text '{value}'")
    return (f"getal {value}", f"number {value}")


def _translate(error, source: Source) -> list[Diagnostic]:
    path = tuple(error.absolute_path)
    line, col = source.where(path)
    kw = error.validator
    f = source.path
    if kw == "additionalProperties":
        allowed = list(error.schema.get("properties", {}))
        extras = [k for k in error.instance if k not in error.schema.get("properties", {})]
        out = []
        for key in extras:
            kline, kcol = source.where(path + (key,), key=True)
            h = hint(allowed, key)
            if " " in key and not h[0]:
                h = ("; staat er een komma in een tekst tussen { }? Zet die tekst dan tussen aanhalingstekens",
                     "; is there a comma in a text between { }? Then put that text in quotes")
            out.append(make("unknown-key", f, kline, kcol, key=key, hint=h))
        return out
    if kw == "required":
        missing = [k for k in error.validator_value if k not in error.instance]
        return [make("missing-key", f, line, col, key=k) for k in missing]
    if kw == "type":
        expected = error.validator_value
        names = expected if isinstance(expected, list) else [expected]
        words = [_TYPE_WORDS.get(n, (n, n)) for n in names if n != "null"]
        exp = (" of ".join(w[0] for w in words), " or ".join(w[1] for w in words))
        return [make("wrong-type", f, line, col, expected=exp, found=_describe(error.instance))]
    if kw == "enum":
        return [make("invalid-value", f, line, col, value=error.instance,
                     choices=", ".join(str(c) for c in error.validator_value))]
    if kw == "format" and error.validator_value == "date":
        return [_date_problem(f, line, col, error.instance)]
    if kw == "pattern" and "propertyNames" in error.schema_path and isinstance(error.instance, str):
        kline, kcol = source.where(path + (error.instance,), key=True)
        return [make("invalid-format", f, kline, kcol, value=error.instance, what="id")]
    if kw == "pattern":
        what = error.schema.get("description", "")
        if "date" in what.lower() and isinstance(error.instance, str):
            return [_date_problem(f, line, col, error.instance)]
        return [make("invalid-format", f, line, col, value=error.instance, what=what)]
    if kw in ("minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum"):
        sign = {"minimum": ">=", "maximum": "<=", "exclusiveMinimum": ">", "exclusiveMaximum": "<"}[kw]
        return [make("out-of-range", f, line, col, value=error.instance, bound=f"{sign} {error.validator_value}")]
    if kw in ("minItems", "minLength", "minProperties"):
        return [make("too-few", f, line, col, limit=error.validator_value)]
    if kw in ("maxItems", "maxLength", "maxProperties"):
        return [make("too-many-items", f, line, col, limit=error.validator_value)]
    if kw == "uniqueItems":
        return [make("not-unique", f, line, col)]
    if kw == "anyOf":
        branches = error.validator_value
        placeholder = {"$ref": "#/$defs/placeholder"}
        if placeholder in branches:
            # A value that may also be a {placeholder}: report what is wrong with the real branch.
            real = [e for e in error.context if branches[e.schema_path[0]] != placeholder]
            if real:
                return _translate(real[0], source)
        return [make("wrong-type", f, line, col, expected=("een getal of een percentage (zoals 95%)",
                                                           "a number or a percentage (such as 95%)"),
                     found=_describe(error.instance))]
    return [make("schema", f, line, col, message=error.message)]
