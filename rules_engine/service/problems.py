"""Errors as application/problem+json (RFC 9457): the project's error codes, nl/en messages, the failing field.

A problem names its `code` (a diagnostics.py code where the CLI has one, else one of SERVICE_MESSAGES),
`title` and `detail` in the language asked for (Accept-Language or ?lang=), and `errors`: one entry per
diagnostic with the JSON pointer of the field (RFC 6901, "/household/income") or the file position of
an uploaded table, with both languages. Never a stack trace.
"""

from __future__ import annotations

import json

from ..diagnostics import Diagnostic

PROBLEM_TYPE = "application/problem+json"
TYPE_BASE = "https://magicmix.invalid/problems/"

SERVICE_MESSAGES = {
    "unauthorized": ("geef een geldig API-token (Authorization: Bearer ...)", "give a valid API token "
                     "(Authorization: Bearer ...)"),
    "forbidden": ("dit token (rol {role}) mag dit niet; nodig: {needed}", "this token (role {role}) may not do this; "
                  "needed: {needed}"),
    "not-found": ("niet gevonden: {what}", "not found: {what}"),
    "cross-site": ("een verzoek vanaf een pagina van een andere site wordt met single sign-on niet uitgevoerd",
                   "a request from a page of another site is not carried out under single sign-on"),
    "method-not-allowed": ("deze methode kan hier niet", "this method is not allowed here"),
    "too-large": ("het verzoek is te groot (meer dan {limit} bytes)", "the request is too large (more than {limit} bytes)"),
    "bad-json": ("geen geldige JSON: {problem}", "not valid JSON: {problem}"),
    "unsupported-type": ("soort inhoud '{type}' wordt hier niet gelezen; gebruik {allowed}",
                         "content type '{type}' is not read here; use {allowed}"),
    "invalid-request": ("het verzoek klopt niet", "the request is not valid"),
    "conflict": ("{what}", "{what}"),
    "unavailable": ("de database is niet bereikbaar; probeer het later opnieuw",
                    "the database cannot be reached; try again later"),
    "internal-error": ("interne fout; meld dit aan de beheerders (kenmerk {request_id})",
                       "internal error; report it to the administrators (reference {request_id})"),
}


class Problem(Exception):
    """An HTTP error to answer with problem+json: status, code, message arguments, and diagnostics per field."""

    def __init__(self, status: int, code: str, errors: list[dict] | None = None, headers: dict | None = None,
                 **args):
        self.status, self.code, self.errors, self.headers = status, code, errors or [], headers or {}
        self.args_ = args
        super().__init__(code)

    def texts(self) -> tuple[str, str]:
        """(nl, en) of the problem's own message; from its first diagnostic when it has no own message."""
        if self.code in SERVICE_MESSAGES:
            nl, en = SERVICE_MESSAGES[self.code]
            nl_args = {k: (v[0] if isinstance(v, tuple) else v) for k, v in self.args_.items()}
            en_args = {k: (v[1] if isinstance(v, tuple) else v) for k, v in self.args_.items()}
            return nl.format(**nl_args), en.format(**en_args)
        if self.errors:
            return self.errors[0]["message"]["nl"], self.errors[0]["message"]["en"]
        return self.code, self.code


def pointer(path) -> str:
    """The JSON pointer (RFC 6901) of a path of keys and indexes; '' is the whole document."""
    return "".join("/" + str(p).replace("~", "~0").replace("/", "~1") for p in path)


def field_error(d: Diagnostic, path=None) -> dict:
    """One entry of a problem's errors: code, nl/en message and where (JSON pointer, or file:line:column)."""
    entry = {"code": d.code, "message": {"nl": d.nl, "en": d.en}}
    if path is not None:
        entry["pointer"] = pointer(path)
    else:
        entry["location"] = {"file": d.file, "line": d.line, "column": d.column}
    return entry


def from_diagnostics(diagnostics, status: int = 422, path=None) -> Problem:
    """A problem from the diagnostics of a PolicyError (the same codes and texts as the CLI's)."""
    errors = [field_error(d, path) for d in diagnostics if d.severity == "error"] or \
        [field_error(d, path) for d in diagnostics]
    code = errors[0]["code"] if errors else "invalid-request"
    return Problem(status, code, errors)


def language(query_lang: str | None, accept: str | None) -> str:
    """'nl' or 'en': ?lang= first, then the first of nl/en in Accept-Language (q-values honoured), else nl."""
    if query_lang in ("nl", "en"):
        return query_lang
    best, best_q = "nl", -1.0
    for part in (accept or "").split(",")[:20]:
        tag, _, params = part.strip().partition(";")
        q = 1.0
        if params.strip().startswith("q="):
            try:
                q = float(params.strip()[2:])
            except ValueError:
                q = 0.0
        primary = tag.strip().lower().split("-")[0]
        if primary in ("nl", "en") and q > best_q:
            best, best_q = primary, q
    return best


def body(problem: Problem, lang: str, instance: str) -> bytes:
    """The problem+json document of a problem in a language."""
    nl, en = problem.texts()
    doc = {"type": TYPE_BASE + problem.code, "title": nl if lang == "nl" else en, "status": problem.status,
           "detail": nl if lang == "nl" else en, "instance": instance, "code": problem.code,
           "message": {"nl": nl, "en": en}}
    if problem.errors:
        doc["errors"] = problem.errors
    return json.dumps(doc, ensure_ascii=False).encode("utf-8")
