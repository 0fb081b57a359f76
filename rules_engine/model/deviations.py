"""What a person may give when not following an advice: reason codes, the free allocation room, and the
check that keeps a free-text note free of names and health terms; and the placement routes past the mix.

The law leaves part of a year's lettings free of its income rules (vrije toewijzingsruimte): 7,5 % of
DAEB lettings (up to 15 % by local agreement) and 5 % for passend toewijzen. A deviation from a legal
outcome (niet toegestaan) uses that room and is counted against it per year.
"""

from __future__ import annotations

import re
from fractions import Fraction

from ..diagnostics import Diagnostic, make
from .policy import DeviationReason, Label, Route  # noqa: F401 - part of the model, named here too
from ..lang.records import frozen


@frozen
class FreeRoom:
    """A kind of free allocation room the law knows, with its legal maximum in percent of the year's lettings."""

    key: str
    label: Label
    maximum: Fraction
    source: str


FREE_ROOMS: dict[str, FreeRoom] = {r.key: r for r in (
    FreeRoom("daeb", Label("vrije toewijzingsruimte DAEB", "DAEB free allocation room"), Fraction(15),
             "Woningwet art. 48: 7,5 % vrij, tot 15 % bij lokale afspraak"),
    FreeRoom("passend_toewijzen", Label("vrije ruimte passend toewijzen", "passend toewijzen free room"), Fraction(5),
             "Woningwet art. 46: ten minste 95 % passend"),
)}
"""The free allocation rooms a policy may declare (free_allocation_room), by key; the schema lists the same keys."""

LEGAL_OUTCOME = "niet_toegestaan"
"""The advice a deviation may leave only within the free allocation room."""

# Words that point at health, care or a shelter history (GDPR art. 9): a note is no place for them.
_HEALTH = re.compile(
    r"\b(ziek\w*|diagnose\w*|psych\w*|ggz|verslav\w*|depress\w*|autis\w*|adhd|dementie|alzheimer|kanker|"
    r"medicij\w*|medicat\w*|therap\w*|ziekenhuis\w*|opname|opgenomen|behandel\w*|beperking\w*|handicap\w*|"
    r"rolstoel\w*|invalid\w*|zwanger\w*|hiv|aids|schizo\w*|bipola\w*|burn-?out|trauma\w*|suïcid\w*|suicid\w*|"
    r"vrouwenopvang|blijf-van-mijn-lijfhuis|maatschappelijke opvang|beschermd wonen|detox|alcohol\w*|drugs|"
    r"wajong|wmo|indicatie\w*|illness\w*|disease\w*|mental\w*|addict\w*|hospital\w*|disabilit\w*|pregnan\w*|"
    r"shelter\w*|medical\w*|treatment\w*)\b", re.IGNORECASE)
_TITLE = re.compile(r"\b(mevrouw|mevr|mw|meneer|mijnheer|dhr|heer|mr|mrs|ms|miss)\b\.?\s+\S", re.IGNORECASE)
_WORD = re.compile(r"[^\W\d_][\w'-]*", re.UNICODE)
_SENTENCE_END = (".", "!", "?", ":", ";")


def _capitalised_inside(note: str) -> list[str]:
    """Words with a capital that do not start a sentence: likely names (a heuristic; ids and codes aside)."""
    found = []
    for m in _WORD.finditer(note):
        word = m.group(0)
        before = note[:m.start()].rstrip()
        if not before or before.endswith(_SENTENCE_END):
            continue
        head = re.split(r"[-']", word)[0]
        if word[0].isupper() and not head.isupper():  # DAEB, GGD-team: an abbreviation, not a name
            found.append(word)
    return found


def note_warnings(note: str | None, where: str = "--note") -> list[Diagnostic]:
    """Warnings for a note that likely holds a name or a health term; the note is kept all the same."""
    if not note:
        return []
    out = []
    health = sorted({m.group(0).lower() for m in _HEALTH.finditer(note)})
    if health:
        out.append(make("bad-input", where, severity="warning", problem=(
            f"de notitie lijkt gezondheids- of zorggegevens te bevatten ({', '.join(health)}): schrijf geen "
            "reden achter een kwetsbaarheid op (AVG art. 9)",
            f"the note seems to hold health or care details ({', '.join(health)}): do not write down the reason "
            "behind a vulnerability (GDPR art. 9)")))
    names = _capitalised_inside(note)
    if names or _TITLE.search(note):
        shown = ", ".join(dict.fromkeys(names)) or "mevrouw/meneer"
        out.append(make("bad-input", where, severity="warning", problem=(
            f"de notitie lijkt een naam te bevatten ({shown}): noem geen personen, gebruik het pseudonieme id",
            f"the note seems to hold a name ({shown}): name no persons, use the pseudonymous id")))
    return out


__all__ = ["DeviationReason", "FREE_ROOMS", "FreeRoom", "LEGAL_OUTCOME", "Route", "note_warnings"]
