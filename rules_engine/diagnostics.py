"""Diagnostics: what is wrong, where (file:line:column), in Dutch and English.

Every message a user can see is written here, once, in both languages.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from .lang.records import frozen

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
    "percent-above-100": ("{value} is meer dan 100 %: een aandeel, band, marge of norm ligt tussen 0 % en 100 %",
                          "{value} is more than 100%: a share, band, tolerance or norm lies between 0% and 100%"),
    "output-is-input": ("dit bestand wordt door deze opdracht ook gelezen ({what}); schrijf de uitvoer naar een ander "
                        "bestand, dan blijft de invoer bewaard", "this file is also read by this command ({what}); "
                        "write the output to another file, so that the input is kept"),
    "household-lives-in-stock": (
        "huishouden {household} woont op {date} al in woning {home}: het advies telt die woning nog als bewoond "
        "(doorstroming wordt nog niet verrekend), en kan daardoor strenger zijn dan nodig",
        "household {household} lives in home {home} on {date} already: the advice still counts that home as "
        "occupied (a move within the stock is not yet taken into account) and may be stricter than it should be"),
    "log-other-policy": ("geen van de besluiten in dit logboek (aantal: {count}) is genomen onder beleid '{policy}': "
                         "geef het logboek van dit beleid", "none of the decisions in this log (number: {count}) was "
                         "made under policy '{policy}': give this policy's log"),
    "not-a-log": ("dit bestand is geen beslissingslog (de eerste regel is geen logrecord); er is niets aan toegevoegd",
                  "this file is not a decision log (its first line is no log record); nothing was added to it"),
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
    "yaml-syntax": ("YAML-fout: {problem}. Tip: sleutels van één lijst beginnen in dezelfde kolom en wat eronder "
                    "valt springt verder in, met spaties",
                    "YAML error: {problem}. Hint: the keys of one mapping start in the same column and what belongs "
                    "under a key is indented further, with spaces"),
    "control-character": ("onzichtbaar stuurteken {char} in de tekst: haal het weg (vaak meegekopieerd uit een ander programma)",
                          "invisible control character {char} in the text: remove it (often pasted from another program)"),
    "unterminated-quote": (
        "aanhalingsteken wordt niet afgesloten",
        "quotation mark is never closed",
    ),
    "duplicate-parameter": ("parameter '{key}' staat {n} keer in het adres: geef hem één keer",
                            "parameter '{key}' appears {n} times in the address: give it once"),
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
    "date-iso": ("'{value}': schrijf een datum in een beleidsbestand als JJJJ-MM-DD: {iso}",
                 "'{value}': write a date in a policy file as YYYY-MM-DD: {iso}"),
    "invalid-date": (
        "'{value}' is geen bestaande datum (schrijf JJJJ-MM-DD)",
        "'{value}' is not a real date (write YYYY-MM-DD)",
    ),
    "out-of-range": ("{value} ligt buiten het toegestane bereik ({bound})", "{value} is out of range ({bound})"),
    "too-few": ("te weinig elementen: minimaal {limit}", "too few items: at least {limit}"),
    "too-many-items": ("te veel elementen of tekens: hoogstens {limit}", "too many items or characters: at most {limit}"),
    "not-unique": ("een element staat twee keer in deze lijst", "an item is in this list twice"),
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
    # outcomes, targets, room (issue 15)
    "targets-missing-category": (
        "de streefpercentages van {where} noemen categorie '{category}' niet: geef elke categorie een streefpercentage "
        "(schrijf {category}: 0% als zij er niet hoort)",
        "the targets of {where} do not name category '{category}': give every category a target "
        "(write {category}: 0% if it does not belong)",
    ),
    "annual-parameter-stale": (
        "parameter '{name}' verandert elk jaar (annual: true) maar heeft geen waarde voor {year} (laatste vanaf {latest}): "
        "wettelijke regels die hem gebruiken zijn in {year} onbeslist tot het bedrag met zijn bron is toegevoegd",
        "parameter '{name}' changes every year (annual: true) but has no value for {year} (latest from {latest}): "
        "legal rules that use it cannot be decided in {year} until the amount is added with its source",
    ),
    # inputs
    "bad-input": ("{problem}", "{problem}"),
    # reading values (issue 15)
    "dutch-thousands": (
        "'{value}' is niet eenduidig: een punt of komma voor drie cijfers kan duizendtallen scheiden; "
        "schrijf {whole} of {whole}.00 (of {small} als u het kleinere getal bedoelt)",
        "'{value}' is ambiguous: a point or comma before three digits may separate thousands; "
        "write {whole} or {whole}.00 (or {small} if you mean the smaller number)",
    ),
    "number-notation": ("'{value}' is in deze vorm niet eenduidig te lezen: schrijf {hint}",
                        "'{value}' cannot be read unambiguously in this form: write {hint}"),
    "not-a-number": ("'{value}' is geen getal: schrijf bijvoorbeeld {hint}", "'{value}' is not a number: write e.g. {hint}"),
    "number-too-long": (
        "getal '{value}' heeft te veel cijfers of een te grote exponent (maximaal {limit} tekens, exponent tot {exponent}): "
        "schrijf het getal gewoon uit",
        "number '{value}' has too many digits or too large an exponent (at most {limit} characters, exponent up to "
        "{exponent}): write the number out",
    ),
    "not-whole": ("{what} moet een geheel getal zijn, niet {value}", "{what} must be a whole number, not {value}"),
    "percent-for-amount": ("parameter '{name}' is in {unit}, maar '{value}' is een percentage: schrijf het bedrag, "
                           "bijvoorbeeld {example} (als percentage zou het {amount} worden)",
                           "parameter '{name}' is in {unit}, but '{value}' is a percentage: write the amount, for "
                           "example {example} (as a percentage it would become {amount})"),
    "finer-than-cents": ("{what} {value} heeft meer dan twee decimalen: een bedrag is in hele centen (schrijf {hint})",
                         "{what} {value} has more than two decimals: an amount is in whole cents (write {hint})"),
    "negative": ("{what} mag niet negatief zijn: {value}", "{what} cannot be negative: {value}"),
    "out-of-bounds": ("{what} {value} ligt buiten het toegestane bereik ({low} tot en met {high})",
                      "{what} {value} is outside the allowed range ({low} to {high})"),
    "implausible": ("{what} {value} is onwaarschijnlijk (gewoonlijk tussen {low} en {high}): controleer het getal",
                    "{what} {value} is implausible (usually between {low} and {high}): check the number"),
    "date-form": (
        "'{value}' is geen datum in een toegestane vorm: schrijf JJJJ-MM-DD (2025-01-31), D-M-JJJJ (31-1-2025) of "
        "DD-MM-JJJJ (31-01-2025); geen jaartal van twee cijfers, weeknummer of datum zonder streepjes",
        "'{value}' is not a date in an accepted form: write YYYY-MM-DD (2025-01-31), D-M-YYYY (31-1-2025) or "
        "DD-MM-YYYY (31-01-2025); no two-digit year, week number or date without dashes",
    ),
    "invalid-id": (
        "{what} '{value}' is geen geldige id: alleen {chars}, beginnend met een letter of cijfer, hoogstens {limit} tekens "
        "(geen namen)",
        "{what} '{value}' is not a valid id: only {chars}, starting with a letter or digit, at most {limit} characters "
        "(no names)",
    ),
    "occupancy-twice": ("woning {unit} staat op {date} twee keer in de bezetting (ook op {other})",
                        "home {unit} appears twice on {date} in the occupancy (also at {other})"),
    "policy-file-not-read": ("dit bestand wordt niet gelezen: in {folder}/ worden alleen bestanden op .yaml of .yml "
                             "(kleine letters) gelezen; hernoem het naar {name}, of haal het weg als het niet bij "
                             "het beleid hoort", "this file is not read: {folder}/ reads only files ending in .yaml "
                             "or .yml (lower case); rename it to {name}, or remove it if it is not part of the policy"),
    "policy-folder-not-read": ("deze map wordt niet gelezen: {folder}/ leest alleen de bestanden direct erin, geen "
                               "submappen; zet de bestanden direct in {folder}/, of haal de map weg",
                               "this folder is not read: {folder}/ reads only the files directly in it, no "
                               "subfolders; put the files directly in {folder}/, or remove the folder"),
    "household-two-homes": ("huishouden {household} woont vanaf {date} in twee woningen: {unit} (deze rij) en {home} "
                            "({other}); een verhuizing vraagt ook een rij voor de oude woning vanaf die datum (leeg, of "
                            "met de volgende bewoner), anders telt het huishouden twee keer mee",
                            "household {household} lives in two homes from {date}: {unit} (this row) and {home} "
                            "({other}); a move also needs a row for the old home from that date (empty, or with the "
                            "next household), or the household is counted twice"),
    "household-missing": ("de rij noemt categorie '{category}' maar geen huishouden: vul het huishouden in, of laat "
                          "ook de categorie leeg als de woning leeg komt",
                          "the row names category '{category}' but no household: fill in the household, or leave "
                          "the category empty too if the home becomes empty"),
    "category-missing": ("huishouden '{household}' heeft geen categorie: vul de categorie in",
                         "household '{household}' has no category: fill in the category"),
    "encoding": ("tekst is geen UTF-8 en geen Windows-1252 (byte {offset}): sla het bestand op als UTF-8",
                 "text is neither UTF-8 nor Windows-1252 (byte {offset}): save the file as UTF-8"),
    # audit and output (issue 16)
    "log-hash-mismatch": ("dit record past niet bij zijn hash: het is na het schrijven gewijzigd",
                          "this record does not match its hash: it was changed after it was written"),
    "log-chain-break": ("de hashketen is hier verbroken: een record ervoor is verwijderd, verplaatst of verdubbeld",
                        "the hash chain breaks here: a record before it was deleted, moved or duplicated"),
    "log-unchained": ("record zonder hashketen na het begin van de keten: het is later ingevoegd",
                      "record without a hash chain after the chain began: it was inserted later"),
    "log-legacy": ("{count} record(s) van voor de hashketen: een wijziging daarin is niet aan te tonen",
                   "{count} record(s) from before the hash chain: a change in them cannot be shown"),
    "log-head-missing": ("de bewaarde kop {head} staat niet in het logboek: het is ingekort of herschreven",
                         "the kept head {head} is not in the log: it was truncated or rewritten"),
    "log-duplicate-id": ("id '{id}' staat al eerder in het logboek", "id '{id}' is already earlier in the log"),
    "log-override-orphan": ("afwijking van besluit '{id}', dat niet eerder in het logboek staat",
                            "override of decision '{id}', which is not earlier in the log"),
    "log-record-invalid": ("onbruikbaar record: {problem}", "unusable record: {problem}"),
    "log-tampered": ("het logboek is niet ongeschonden ({count} probleem/problemen, eerste: {first}); "
                     "controleer het met 'magicmix log replay --verify'",
                     "the log is not intact ({count} problem(s), first: {first}); "
                     "check it with 'magicmix log replay --verify'"),
    "template-hidden-fact": ("'{fact}' mag niet in een uitlegtekst: het kan de reden achter een categorie verraden",
                             "'{fact}' may not appear in an explanation text: it could reveal the reason behind a category"),
    # security (issue 16)
    "not-regular-file": ("dit is {kind}, geen gewoon bestand: alleen gewone bestanden worden gelezen",
                         "this is {kind}, not a regular file: only regular files are read"),
    "outside-policy": ("dit bestand ligt buiten de beleidsmap (via een symbolische koppeling of '..') en wordt niet gelezen",
                       "this file lies outside the policy folder (through a symbolic link or '..') and is not read"),
    "number-too-large": ("de berekening geeft een getal van meer dan {limit} cijfers: zo'n getal rekent magicmix niet uit",
                         "the calculation gives a number of more than {limit} digits: magicmix does not compute such a number"),
    # ecosystem (issue 22)
    "file-locked": ("een ander proces houdt dit bestand al {seconds} seconden vast (slot {lock}); draait er geen "
                    "magicmix meer, verwijder dan het slotbestand",
                    "another process has held this file for {seconds} seconds (lock {lock}); if no magicmix is "
                    "running any more, remove the lock file"),
    "init-name": ("'{name}' geeft geen id: gebruik letters of cijfers", "'{name}' gives no id: use letters or digits"),
    "init-install": ("'{value}' is geen versie (0.1.0), bestaand wheel (.whl) of git-URL (git+https://...)",
                     "'{value}' is no version (0.1.0), existing wheel (.whl) or git URL (git+https://...)"),
    # levels (issue 20)
    "unknown-level": ("onbekend niveau '{level}'{hint}; dit beleid kent: {known} (nieuwe niveaus boven de buurt "
                      "staan onder levels: in policy.yaml)",
                      "unknown level '{level}'{hint}; this policy knows: {known} (new levels above the buurt "
                      "are declared under levels: in policy.yaml)"),
    "level-missing": ("{what} '{group}' noemt geen {level}: schrijf {level}: en de code van de {level} waarin die ligt",
                      "{what} '{group}' names no {level}: write {level}: and the code of the {level} it lies in"),
    "unknown-group": ("onbekende {level} '{group}' (elke {level} staat onder levels: in policy.yaml){hint}",
                      "unknown {level} '{group}' (every {level} is listed under levels: in policy.yaml){hint}"),
    "level-taken": ("niveau '{level}' bestaat al: kies een andere naam voor een niveau boven de buurt",
                    "level '{level}' exists already: choose another name for a level above the buurt"),
}


@frozen
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

    def location(self, lang: str = "nl") -> str:
        """'file:line:column', as far as known."""
        parts = ["<input>" if self.file == "<invoer>" and lang != "nl" else self.file]
        if self.line is not None:
            parts.append(str(self.line))
            if self.column is not None:
                parts.append(str(self.column))
        return ":".join(parts)

    def format(self, lang: str = "nl") -> str:
        """'file:line:col: code: message' (warnings marked as such)."""
        label = self.code if self.severity == "error" else f"{self.code} ({'waarschuwing' if lang == 'nl' else 'warning'})"
        return f"{self.location(lang)}: {label}: {self.message(lang)}"

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


# The YAML parser's own words (English) that the YAML reader leaves untranslated, in Dutch.
_YAML_PROBLEMS_NL = (
    ("expected <block end>, but found", "deze regel springt anders in dan de regels erboven van dezelfde lijst"),
    ("expected <block mapping start>", "hier verwachtte YAML een sleutel met dubbele punt, even ver ingesprongen"),
    ("found character '\\t'", "een tab-teken: spring in met spaties"),
    ("expected ',' or ']'", "een lijst tussen [ ] wordt niet goed afgesloten: controleer komma's en de ']'"),
    ("expected ',' or '}'", "een lijst tussen { } wordt niet goed afgesloten: controleer komma's en de '}'"),
    ("found unexpected end of stream", "het bestand houdt midden in een waarde op"),
)


def _yaml_problem(problem: object) -> object:
    """A YAML parser's problem in Dutch where the reader passed it on in English only."""
    if isinstance(problem, tuple) and problem[0] == problem[1]:
        for en, nl in _YAML_PROBLEMS_NL:
            if str(problem[1]).startswith(en):
                return (nl, problem[1])
    return problem


def make(code: str, file: str, line: int | None = None, column: int | None = None,
         severity: str = "error", **args: object) -> Diagnostic:
    """Build a diagnostic from the message catalogue; args fill the placeholders."""
    nl, en = MESSAGES[code]
    if code == "yaml-syntax" and "problem" in args:
        args["problem"] = _yaml_problem(args["problem"])
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

    def __reduce__(self):
        # Raised in a worker process (batch --jobs, simulate), it must arrive with its diagnostics, not their text.
        return PolicyError, (self.diagnostics,)


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
