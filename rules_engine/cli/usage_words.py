"""click's own usage errors in Dutch: its English messages (click 8) matched by pattern, the Dutch made from the
same parts. What no pattern matches keeps a Dutch lead-in before click's English, so nothing is lost."""

from __future__ import annotations

import re

import click


class UsageError(click.UsageError):
    """A usage error of magicmix's own, with its Dutch (click's own are put in Dutch by pattern, see dutch)."""

    def __init__(self, nl: str, en: str, ctx: click.Context | None = None):
        super().__init__(en, ctx)
        self.nl = nl

# (pattern of click's English, the Dutch with the pattern's groups); the names in them are the user's own words
_PATTERNS = (
    (r"No such option: (.+)", "onbekende optie: {0}"),
    (r"No such option '(.+?)'\.", "onbekende optie '{0}'."),
    (r"No such command '(.+?)'\.", "onbekende opdracht '{0}'."),
    (r"Missing argument '(.+?)'\.", "het argument '{0}' ontbreekt."),
    (r"Missing option '(.+?)'\.", "de optie '{0}' ontbreekt."),
    (r"Missing parameter '(.+?)'\.", "de parameter '{0}' ontbreekt."),
    (r"Option '(.+?)' requires an argument\.", "de optie '{0}' vraagt een waarde."),
    (r"Option '(.+?)' requires (\d+) arguments\.", "de optie '{0}' vraagt {1} waarden."),
    (r"Option '(.+?)' does not take a value\.", "de optie '{0}' neemt geen waarde."),
    (r"Got unexpected extra arguments? \((.+)\)", "onverwacht extra argument ({0})"),
    (r"Invalid value for '(.+?)': (.+)", "ongeldige waarde voor '{0}': {1}"),
    (r"Invalid value: (.+)", "ongeldige waarde: {0}"),
    (r"'(.*?)' is not a valid integer( range)?\.", "'{0}' is geen geheel getal."),
    (r"'(.*?)' is not a valid float( range)?\.", "'{0}' is geen getal."),
    (r"'(.*?)' is not one of (.+)\.", "'{0}' is niet een van {1}."),
    (r"(.+) is not in the range (.+)\.", "{0} ligt niet in het bereik {1}."),
    (r"(File|Directory|Path) '(.+?)' does not exist\.", "{0} '{1}' bestaat niet."),
    (r"(File|Directory|Path) '(.+?)' is a directory\.", "{0} '{1}' is een map."),
    (r"(File|Directory|Path) '(.+?)' is a file\.", "{0} '{1}' is een bestand."),
    (r"(File|Directory|Path) '(.+?)' is not readable\.", "{0} '{1}' is niet leesbaar."),
    (r"Did you mean (.+)\?", "Bedoelt u {0}?"),
    (r"\(Possible options: (.+)\)", "(mogelijke opties: {0})"),
)
_COMPILED = tuple((re.compile(p), nl) for p, nl in _PATTERNS)
_KIND = {"File": "bestand", "Directory": "map", "Path": "pad"}


def _one(part: str) -> str | None:
    """One sentence of click's in Dutch, or None when no pattern matches it all."""
    for pattern, nl in _COMPILED:
        m = pattern.fullmatch(part)
        if m:
            groups = [_KIND.get(g, g) if g is not None else "" for g in m.groups()]
            if pattern.pattern.startswith("Invalid value") and groups:  # the reason is click's sentence too
                groups[-1] = _one(groups[-1]) or groups[-1]
            return nl.format(*groups)
    return None


def dutch_of(exc: click.ClickException) -> str | None:
    """The Dutch of a usage error: its own (UsageError) or made from click's English; None when unknown."""
    return getattr(exc, "nl", None) or dutch(exc.format_message())


def dutch(message: str) -> str | None:
    """click's usage message in Dutch, sentence by sentence (a 'Did you mean' follows its error); None when a
    sentence is not known (the caller then shows click's English under a Dutch lead-in)."""
    parts = re.split(r"(?<=[.)])\s+(?=Did you mean|\(Possible options)", message.strip())
    out = [_one(p) for p in parts]
    return None if None in out else " ".join(out)
