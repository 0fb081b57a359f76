"""Request bodies: parsed as untrusted JSON and checked against the JSON Schemas in schemas/ (api.json and the
household and candidates schemas it refers to: one source of truth with the CLI's inputs).

Every problem comes back with the project's error code, its nl/en message and the JSON pointer of the field.
"""

from __future__ import annotations

import json
from decimal import Decimal
from functools import lru_cache

from jsonschema import Draft202012Validator
from referencing import Registry, Resource

from ..diagnostics import make
from ..load.load_json import JsonRefused, parse_json
from ..load.schemas_check import _translate, schema_text
from .problems import Problem, field_error

REFERRED = ("household", "candidates")
"""The CLI input schemas the API's request schemas refer to."""


def api_schema() -> dict:
    """schemas/api.json: the request bodies of the REST API."""
    return json.loads(_api_text())


@lru_cache(maxsize=1)
def _api_text() -> str:
    from ..load.schemas_check import _file_text

    return _file_text("api")


@lru_cache(maxsize=None)
def _validator(name: str) -> Draft202012Validator:
    api = api_schema()
    resources = [(api["$id"], Resource.from_contents(api))]
    for kind in REFERRED:
        schema = json.loads(schema_text(kind))
        resources.append((schema["$id"], Resource.from_contents(schema)))
    registry = Registry().with_resources(resources)
    schema = {"$schema": api["$schema"], "$id": api["$id"].replace("api.json", f"api-{name}.json"),
              "$ref": f"api.json#/$defs/{name}"}
    return Draft202012Validator(schema, registry=registry, format_checker=Draft202012Validator.FORMAT_CHECKER)


class _Body:
    """What schemas_check's translation reads of a document: its name and positions (a request has none)."""

    path = "<request>"

    def where(self, path, key: bool = False):
        return None, None


def _errors(error) -> list[dict]:
    path = tuple(error.absolute_path)
    if error.validator == "oneOf" and not path:
        d = make("bad-input", "<request>", problem=("geef precies één van decision_id en evaluate",
                                                    "give exactly one of decision_id and evaluate"))
        return [field_error(d, path)]
    if error.validator in ("oneOf", "anyOf") and error.context:
        deepest = max(error.context, key=lambda e: len(e.absolute_path))
        return _errors(deepest)
    out = []
    for d in _translate(error, _Body()):
        where = path
        if d.code == "unknown-key":
            # the key refused, not the one suggested ('did you mean ...') that the object may hold as well
            where = path + (next((k for k in error.instance if d.en.startswith(f"unknown key '{k}'")), ""),)
        out.append(field_error(d, where))
    if error.validator in ("maxItems", "maxLength", "maxProperties") and out:
        out[0]["code"] = "too-many"
    return out


def parse_body(raw: bytes) -> object:
    """The JSON of a request body (numbers with a point read exactly, as Decimal); Problem 400 when it is no JSON."""
    try:
        return parse_json(raw, parse_float=Decimal)
    except JsonRefused as exc:
        raise Problem(400, "bad-json", problem=(exc.nl, exc.en)) from None
    except UnicodeDecodeError as exc:  # (json.loads reads UTF-8, -16 and -32; a Latin-1 or Windows-1252 body is none)
        raise Problem(400, "bad-json", problem=(f"de tekst is geen UTF-8 (byte {exc.start + 1}): stuur het verzoek als "
                                                "UTF-8", f"the text is not UTF-8 (byte {exc.start + 1}): send the "
                                                "request as UTF-8")) from None
    except json.JSONDecodeError as exc:
        nl = next((words for start, words in _JSON_WORDS if exc.msg.startswith(start)), "de tekst klopt hier niet")
        raise Problem(400, "bad-json", problem=(f"{nl} (regel {exc.lineno}, kolom {exc.colno})",
                                                f"{exc.msg} (line {exc.lineno}, column {exc.colno})")) from None
    except ValueError:
        raise Problem(400, "bad-json", problem=("de tekst is geen JSON", "the text is no JSON")) from None


# what json's parser says, in Dutch (the English is its own message)
_JSON_WORDS = (("Expecting value", "hier wordt een waarde verwacht"),
               ("Expecting property name", "hier wordt een sleutel tussen dubbele aanhalingstekens verwacht"),
               ("Expecting ':'", "hier wordt een ':' verwacht"), ("Expecting ','", "hier wordt een ',' verwacht"),
               ("Unterminated string", "een tekst wordt niet afgesloten met '\"'"),
               ("Invalid control character", "een besturingsteken (zoals een regelovergang) staat in een tekst"),
               ("Invalid \\escape", "een ongeldige \\-reeks staat in een tekst"),
               ("Invalid \\uXXXX escape", "een ongeldige \\u-reeks staat in een tekst"),
               ("Extra data", "na de JSON staat nog meer tekst"))


def checked(raw: bytes, name: str) -> dict:
    """A request body parsed and checked against api.json#/$defs/<name>; Problem 422 with every error's field."""
    data = parse_body(raw)
    errors = []
    for error in sorted(_validator(name).iter_errors(data), key=lambda e: list(map(str, e.path))):
        errors.extend(_errors(error))
    if errors:
        raise Problem(422, errors[0]["code"], errors[:50])
    return data
