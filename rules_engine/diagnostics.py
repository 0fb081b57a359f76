"""Diagnostics: what is wrong, where (file:line:column), in Dutch and English.

Every message a user can see is written here, once, in both languages.
"""

from __future__ import annotations

from dataclasses import dataclass, field

# code -> (Dutch, English). Placeholders are filled from plain values we create.
MESSAGES: dict[str, tuple[str, str]] = {
    # reading files
    "file-not-found": ("bestand of map niet gevonden", "file or folder not found"),
    "engine-unavailable": ("engine {engine} is hier niet te gebruiken: {reason}",
                           "engine {engine} cannot be used here: {reason}"),
    "git-failed": ("beleidsversie niet te lezen uit git: {problem}", "policy version cannot be read from git: {problem}"),
    "file-unreadable": ("bestand kan niet gelezen worden: {reason}", "file cannot be read: {reason}"),
    "file-unwritable": ("bestand kan niet geschreven worden: {reason}; er is niets half geschreven achtergebleven",
                        "file cannot be written: {reason}; nothing half-written was left behind"),
    "file-too-large": (
        "bestand is te groot ({size} bytes; maximaal {limit})",
        "file is too large ({size} bytes; at most {limit})",
    ),
    "binary-file": ("dit is geen tekstbestand (het bevat NUL-bytes)", "this is not a text file (it contains NUL bytes)"),
    "not-utf8": (
        "tekst is geen geldige UTF-8: sla het bestand op als UTF-8",
        "text is not valid UTF-8: save the file as UTF-8",
    ),
    "tab-indentation": (
        "een tab-teken mag in YAML niet voor inspringen gebruikt worden: gebruik spaties",
        "a tab character cannot be used for indentation in YAML: use spaces",
    ),
    "yaml-syntax": ("YAML-fout: {problem}", "YAML error: {problem}"),
    "control-character": ("onzichtbaar stuurteken {char} in de tekst: haal het weg (vaak meegekopieerd uit een ander programma)",
                          "invisible control character {char} in the text: remove it (often pasted from another program)"),
    "unterminated-quote": (
        "aanhalingsteken wordt niet afgesloten",
        "quotation mark is never closed",
    ),
    "duplicate-key": (
        "sleutel '{key}' staat twee keer in dezelfde lijst (eerder op regel {first_line})",
        "key '{key}' appears twice in the same mapping (first on line {first_line})",
    ),
    "too-deep": (
        "de nesting is te diep (meer dan {limit} niveaus)",
        "nesting is too deep (more than {limit} levels)",
    ),
    "alias-bomb": (
        "te veel herhaling via YAML-aliassen (meer dan {limit} knopen): dit lijkt op een 'alias bomb'",
        "too much repetition through YAML aliases (more than {limit} nodes): this looks like an alias bomb",
    ),
    "unsupported-tag": (
        "YAML-tag '{tag}' is niet toegestaan",
        "YAML tag '{tag}' is not allowed",
    ),
    "merge-key": (
        "samenvoegsleutels (<<) worden niet ondersteund: schrijf de waarden uit",
        "merge keys (<<) are not supported: write the values out",
    ),
    "empty-document": ("het bestand is leeg", "the file is empty"),
    "multiple-documents": (
        "het bestand bevat meer dan één YAML-document (---)",
        "the file contains more than one YAML document (---)",
    ),
    # schema
    "unknown-key": ("onbekende sleutel '{key}'{hint}", "unknown key '{key}'{hint}"),
    "missing-key": ("verplichte sleutel '{key}' ontbreekt", "required key '{key}' is missing"),
    "wrong-type": (
        "verwacht {expected}, maar gevonden: {found}",
        "expected {expected}, but found: {found}",
    ),
    "invalid-value": (
        "'{value}' is geen toegestane waarde; kies uit: {choices}",
        "'{value}' is not an allowed value; choose from: {choices}",
    ),
    "invalid-format": (
        "'{value}' heeft niet de juiste vorm ({what})",
        "'{value}' does not have the right form ({what})",
    ),
    "invalid-date": (
        "'{value}' is geen bestaande datum (schrijf JJJJ-MM-DD)",
        "'{value}' is not a real date (write YYYY-MM-DD)",
    ),
    "out-of-range": ("{value} ligt buiten het toegestane bereik ({bound})", "{value} is out of range ({bound})"),
    "too-few": ("te weinig elementen: minimaal {limit}", "too few items: at least {limit}"),
    "schema": ("{message}", "{message}"),
    # semantics
    "targets-sum": (
        "de streefpercentages van {where} tellen op tot {total} in plaats van 100 %",
        "the targets of {where} add up to {total} instead of 100%",
    ),
    "band-outside": (
        "de bandbreedte van '{category}' ({low} tot {high}) valt buiten 0-100 % of bevat het streefpercentage {target} niet",
        "the band of '{category}' ({low} to {high}) lies outside 0-100% or does not contain the target {target}",
    ),
    "unknown-category": ("onbekende categorie '{category}'{hint}", "unknown category '{category}'{hint}"),
    "unknown-buurt": ("onbekende buurt '{buurt}'{hint}", "unknown buurt '{buurt}'{hint}"),
    "unknown-complex": ("onbekend complex '{complex}'{hint}", "unknown complex '{complex}'{hint}"),
    "unknown-unit": ("onbekende woning '{unit}'{hint}", "unknown home '{unit}'{hint}"),
    "duplicate-id": (
        "{what} '{id}' komt twee keer voor (ook in {other})",
        "{what} '{id}' occurs twice (also in {other})",
    ),
    "dates-order": (
        "datums moeten oplopen: {date} komt na {previous}",
        "dates must increase: {date} comes after {previous}",
    ),
    "date-twice": ("datum {date} staat er twee keer", "date {date} appears twice"),
    "condition-shape": (
        "een regel heeft precies één van 'condition', 'all' of 'any'",
        "a rule has exactly one of 'condition', 'all' or 'any'",
    ),
    "legal-outcome": (
        "een wettelijke regel (kind: legal) heeft als uitkomst niet_toegestaan",
        "a legal rule (kind: legal) has the outcome niet_toegestaan",
    ),
    "no-policy": (
        "geen beleid gevonden: de map mist policy.yaml",
        "no policy found: the folder lacks policy.yaml",
    ),
    "no-rules": ("het beleid heeft geen regels", "the policy has no rules"),
    "unused-parameter": (
        "parameter '{name}' wordt door geen enkele regel gebruikt",
        "parameter '{name}' is not used by any rule",
    ),
    # expressions
    "expr-syntax": ("fout in voorwaarde: {problem}", "error in condition: {problem}"),
    "expr-unknown-fact": ("onbekend gegeven '{name}'{hint}", "unknown fact '{name}'{hint}"),
    "expr-type": ("{problem}", "{problem}"),
    "template-error": ("fout in uitlegtekst: {problem}", "error in explanation text: {problem}"),
    "definition-cycle": (
        "definitie '{name}' verwijst (via andere) naar zichzelf",
        "definition '{name}' refers (through others) to itself",
    ),
    # inputs
    "bad-input": ("{problem}", "{problem}"),
    # security (issue 16)
    "not-regular-file": ("dit is {kind}, geen gewoon bestand: alleen gewone bestanden worden gelezen",
                         "this is {kind}, not a regular file: only regular files are read"),
    "outside-policy": ("dit bestand ligt buiten de beleidsmap (via een symbolische koppeling of '..') en wordt niet gelezen",
                       "this file lies outside the policy folder (through a symbolic link or '..') and is not read"),
    "number-too-large": ("de berekening geeft een getal van meer dan {limit} cijfers: zo'n getal rekent magicmix niet uit",
                         "the calculation gives a number of more than {limit} digits: magicmix does not compute such a number"),
}


@dataclass(frozen=True)
class Diagnostic:
    """One finding: an error or warning at a position, with its text in both languages."""

    code: str
    severity: str  # "error" or "warning"
    file: str
    line: int | None
    column: int | None
    nl: str
    en: str

    def message(self, lang: str = "nl") -> str:
        """The message in the given language ('nl' or 'en')."""
        return self.nl if lang == "nl" else self.en

    def location(self) -> str:
        """'file:line:column', as far as known."""
        parts = [self.file]
        if self.line is not None:
            parts.append(str(self.line))
            if self.column is not None:
                parts.append(str(self.column))
        return ":".join(parts)

    def format(self, lang: str = "nl") -> str:
        """'file:line:col: code: message' (warnings marked as such)."""
        label = self.code if self.severity == "error" else f"{self.code} ({'waarschuwing' if lang == 'nl' else 'warning'})"
        return f"{self.location()}: {label}: {self.message(lang)}"

    def to_dict(self) -> dict:
        """JSON form."""
        return {
            "file": self.file,
            "line": self.line,
            "column": self.column,
            "code": self.code,
            "severity": self.severity,
            "message": {"nl": self.nl, "en": self.en},
        }


def make(code: str, file: str, line: int | None = None, column: int | None = None,
         severity: str = "error", **args: object) -> Diagnostic:
    """Build a diagnostic from the message catalogue; args fill the placeholders."""
    nl, en = MESSAGES[code]
    nl_args = {k: (v[0] if isinstance(v, tuple) else v) for k, v in args.items()}
    en_args = {k: (v[1] if isinstance(v, tuple) else v) for k, v in args.items()}
    return Diagnostic(code, severity, file, line, column, nl.format(**nl_args), en.format(**en_args))


def hint(candidates, word: str) -> tuple[str, str]:
    """A '; bedoelde u ...?' suffix (nl, en) naming the closest known word, or empty."""
    import difflib

    if len(candidates) > 5000 and hasattr(candidates, "similar"):
        candidates = candidates.similar(str(word))  # a national stock: look among the sorted neighbours only
    close = difflib.get_close_matches(str(word), [str(c) for c in candidates], n=1, cutoff=0.6)
    if not close:
        return ("", "")
    return (f"; bedoelde u '{close[0]}'?", f"; did you mean '{close[0]}'?")


class PolicyError(Exception):
    """Raised when input cannot be used; carries the diagnostics that say why."""

    def __init__(self, diagnostics: list[Diagnostic] | tuple[Diagnostic, ...]):
        self.diagnostics = tuple(diagnostics)
        super().__init__("\n".join(d.format("en") for d in self.diagnostics))


def sort_key(d: Diagnostic):
    """Order diagnostics by file, line, column, code."""
    return (d.file, d.line or 0, d.column or 0, d.code)


@dataclass
class Collector:
    """Gathers diagnostics during one validation run."""

    items: list[Diagnostic] = field(default_factory=list)

    def add(self, d: Diagnostic) -> None:
        """Record one diagnostic."""
        self.items.append(d)

    def extend(self, ds) -> None:
        """Record several diagnostics."""
        self.items.extend(ds)

    @property
    def errors(self) -> list[Diagnostic]:
        """Only the errors."""
        return [d for d in self.items if d.severity == "error"]
