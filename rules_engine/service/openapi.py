"""GET /openapi.json: the OpenAPI 3.1 document of the REST API, built from the JSON Schemas in schemas/.

The request bodies are api.json's definitions and the answers the CLI's output schemas (decision.json,
ranking.json): each schema becomes a component, its own $defs and the references between the files
rewritten to component paths, so the document stands alone.
"""

from __future__ import annotations

import json
from functools import lru_cache

from ..load.schemas_check import schema_text
from ..version import __version__
from .requests import api_schema

_FILES = ("household", "candidates", "decision", "ranking")


def _rewrite(node, kind: str):
    """A schema with '#/$defs/x' pointing into its component and 'other.json#...' to the other's."""
    if isinstance(node, dict):
        out = {}
        for key, value in node.items():
            if key in ("$schema", "$id"):
                continue
            if key == "$ref" and isinstance(value, str):
                target, _, fragment = value.partition("#")
                name = kind if not target else target.removesuffix(".json")
                value = f"#/components/schemas/{name}{fragment}"
            out[key] = _rewrite(value, kind)
        return out
    if isinstance(node, list):
        return [_rewrite(v, kind) for v in node]
    return node


def _ok(schema: dict | None, what: str, headers: dict | None = None) -> dict:
    out: dict = {"description": what}
    if schema is not None:
        out["content"] = {"application/json": {"schema": schema}}
    if headers:
        out["headers"] = {k: {"description": v, "schema": {"type": "string"}} for k, v in headers.items()}
    return out


_PROBLEM = {"$ref": "#/components/responses/problem"}
_ERRORS = {"400": _PROBLEM, "401": _PROBLEM, "403": _PROBLEM, "413": _PROBLEM, "422": _PROBLEM}
_OCCUPANCY = {"Magicmix-Occupancy-Version": "The occupancy version used (0: the policy's occupancy.yaml).",
              "Magicmix-Policy": "Id, version and content hash of the policy used."}
_LIVES_IN = {"Magicmix-Lives-In": "Only when a household of the request lives in the stock on the date already "
                                  "(doorstroming): 'household=home', comma-separated (at most 100). Its advice still "
                                  "counts that home as occupied, so it may be stricter than it should be.",
             "Magicmix-Lives-In-Count": "With Magicmix-Lives-In: how many households of the request live in the stock."}


def _query(name: str, what: str, schema: dict | None = None) -> dict:
    return {"name": name, "in": "query", "required": False, "description": what, "schema": schema or {"type": "string"}}


def _body(ref: str) -> dict:
    return {"required": True, "content": {"application/json": {"schema": {"$ref": ref}}}}


@lru_cache(maxsize=1)
def openapi_document() -> dict:
    """The OpenAPI 3.1 document (JSON data)."""
    schemas = {kind: _rewrite(json.loads(schema_text(kind)), kind) for kind in _FILES}
    schemas["api"] = _rewrite(api_schema(), "api")
    lang = _query("lang", "Language of messages: nl (default) or en; else Accept-Language.",
                  {"type": "string", "enum": ["nl", "en"]})
    policy = _query("policy", "Policy id; default: the first.")
    date = _query("date", "Date (YYYY-MM-DD); default: today.", {"type": "string", "format": "date"})
    security = [{"token": []}]
    paths = {
        "/healthz": {"get": {"summary": "Liveness and database check", "security": [],
                             "responses": {"200": _ok({"type": "object"}, "Up.")}}},
        "/openapi.json": {"get": {"summary": "This document", "security": [],
                                  "responses": {"200": _ok({"type": "object"}, "OpenAPI 3.1.")}}},
        "/v1/evaluate": {"post": {
            "summary": "Advise on letting a home to a household, with the full explanation (role read; log: decide)",
            "parameters": [lang], "requestBody": _body("#/components/schemas/api/$defs/evaluate"),
            "responses": {"200": _ok({"$ref": "#/components/schemas/decision"}, "The decision (as evaluate --format "
                                     "json).", {**_OCCUPANCY, **_LIVES_IN,
                                                "Magicmix-Decision-Id": "With log: the decision's id."}),
                          **_ERRORS}}},
        "/v1/rank": {"post": {
            "summary": "Rank up to 1,000 candidates for a vacancy (role read)", "parameters": [lang],
            "requestBody": _body("#/components/schemas/api/$defs/rank"),
            "responses": {"200": _ok({"$ref": "#/components/schemas/ranking"}, "The ranking (as rank --format json).",
                                     {**_OCCUPANCY, **_LIVES_IN}), **_ERRORS}}},
        "/v1/room/{complex_id}": {"get": {
            "summary": "Room per category in a complex, its portieken and buurt (role read)",
            "parameters": [{"name": "complex_id", "in": "path", "required": True, "description": "Complex id.",
                            "schema": {"type": "string"}}, date, policy, lang],
            "responses": {"200": _ok({"type": "object"}, "As room --format json.", _OCCUPANCY), "404": _PROBLEM,
                          **_ERRORS}}},
        "/v1/status": {"get": {
            "summary": "Every group's shares against its bands, worst first (role read)",
            "parameters": [_query("level", "Only this level (repeatable): buurt, complex, portiek or a declared one.",
                                  {"type": "array", "items": {"type": "string"}}),
                           _query("only_out", "Only groups out of band.", {"type": "boolean"}), date, policy, lang],
            "responses": {"200": _ok({"type": "object"}, "As status --format json.", _OCCUPANCY), **_ERRORS}}},
        "/v1/decisions": {
            "post": {"summary": "Record what a person decided: followed or deviated with a coded reason (role decide)",
                     "parameters": [lang], "requestBody": _body("#/components/schemas/api/$defs/review"),
                     "responses": {"201": _ok({"type": "object"}, "Recorded (committed to the database).", _LIVES_IN),
                                   "404": _PROBLEM, "409": _PROBLEM, **_ERRORS}},
            "get": {"summary": "Logged decisions with their review, oldest first (role read)",
                    "parameters": [date, _query("from", "From this letting date."), _query("to", "To this date."),
                                   _query("unit", "Only this home."), _query("outcome", "Only this advice."),
                                   _query("limit", "At most this many (1-1000, default 100).", {"type": "integer"}),
                                   _query("after", "After this sequence number (the previous page's next).",
                                          {"type": "integer"}), lang],
                    "responses": {"200": _ok({"type": "object"}, "Decisions."), **_ERRORS}}},
        "/v1/decisions/{decision_id}": {"get": {
            "summary": "One decision record and its reviews (role read)",
            "parameters": [{"name": "decision_id", "in": "path", "required": True, "description": "Decision id.",
                            "schema": {"type": "string"}}, lang],
            "responses": {"200": _ok({"type": "object"}, "The record."), "404": _PROBLEM, **_ERRORS}}},
        "/v1/occupancy": {"put": {
            "summary": "Upload the occupancy (CSV, .xlsx, JSON or YAML), checked and swapped in at once (role admin)",
            "parameters": [policy, lang],
            "requestBody": {"required": True, "content": {t: {"schema": {"type": "string", "format": "binary"}}
                                                          for t in ("text/csv", "application/json", "application/yaml",
                                                                    "application/vnd.openxmlformats-officedocument."
                                                                    "spreadsheetml.sheet")}},
            "responses": {"201": _ok({"type": "object"}, "The new occupancy version."), "415": _PROBLEM, **_ERRORS}}},
        "/v1/policies": {"get": {"summary": "The policies served: id, version, content hash (role read)",
                                 "responses": {"200": _ok({"type": "object"}, "Policies."), **_ERRORS}}},
        "/v1/policies/reload": {"post": {"summary": "Read the policy folders again and swap at once (role admin)",
                                         "responses": {"200": _ok({"type": "object"}, "Policies now."), **_ERRORS}}},
        "/v1/tokens": {"post": {"summary": "Create an API token of a role, shown once (role admin)", "parameters": [lang],
                                "requestBody": _body("#/components/schemas/api/$defs/token"),
                                "responses": {"201": _ok({"type": "object"}, "The token (only its hash is kept)."),
                                              **_ERRORS}}},
    }
    return {
        "openapi": "3.1.0",
        "info": {"title": "magicmix decision service", "version": __version__,
                 "description": "Advice on lettings under a magic-mix policy, with explanations; decisions recorded on "
                                "a hash chain. Errors are application/problem+json (RFC 9457)."},
        "jsonSchemaDialect": "https://json-schema.org/draft/2020-12/schema",
        "servers": [{"url": "/"}],
        "security": security,
        "paths": paths,
        "components": {
            "schemas": schemas,
            "securitySchemes": {"token": {"type": "http", "scheme": "bearer",
                                          "description": "magicmix serve token create --role read|decide|admin"}},
            "responses": {"problem": {"description": "A problem (RFC 9457): code, nl/en message, the field's pointer.",
                                      "content": {"application/problem+json": {"schema": {"type": "object"}}}}},
        },
    }


def openapi_handler(service) -> tuple:
    """The endpoint's answer: (status, document, headers)."""
    return 200, openapi_document(), {}
