"""The message catalogue of reports and explanations: every word a report shows, in Dutch and English.

Each language is one module (`messages_nl.py`, `messages_en.py`) holding MESSAGES: key -> text, or, for a text that
depends on a count, key -> {"one": ..., "other": ...} chosen by the parameter `n` (and "zero" where
words read better than the number 0). Placeholders are `str.format` fields filled from plain values. A test keeps both languages at the same keys and
placeholders. Diagnostics (errors and warnings about input) stay in diagnostics.MESSAGES.
"""

from __future__ import annotations

from string import Formatter
from typing import Mapping

from . import messages_en as en, messages_nl as nl

CATALOGUES: Mapping[str, Mapping[str, object]] = {"nl": nl.MESSAGES, "en": en.MESSAGES}
"""Language code -> its messages."""

LANGUAGES = ("nl", "en")


def _lang(lang: str) -> str:
    return lang if lang in CATALOGUES else "en"


def say(key: str, lang: str, /, **params: object) -> str:
    """The message `key` in `lang`, its placeholders filled; a plural entry is chosen by params['n']."""
    entry = CATALOGUES[_lang(lang)][key]
    if isinstance(entry, dict):
        n = params.get("n")
        entry = entry["one"] if n == 1 else entry.get("zero", entry["other"]) if n == 0 else entry["other"]
    return entry.format(**params) if params else entry


def both(key: str, /, **params: object) -> dict:
    """The message in both languages: {'nl': ..., 'en': ...}."""
    return {lang: say(key, lang, **params) for lang in LANGUAGES}


def has(key: str) -> bool:
    """Whether the catalogue has this key."""
    return key in CATALOGUES["nl"]


def placeholders(entry: object) -> frozenset:
    """The placeholder names of an entry (of every plural form)."""
    texts = entry.values() if isinstance(entry, dict) else (entry,)
    return frozenset(name for text in texts for _, name, _, _ in Formatter().parse(text) if name)


_NUMBER_WORDS = {
    "nl": ("nul", "één", "twee", "drie", "vier", "vijf", "zes", "zeven", "acht", "negen", "tien", "elf", "twaalf"),
    "en": ("no", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten", "eleven", "twelve"),
}


def count_word(n: int, lang: str) -> str:
    """A small count in words ('één', 'two'), larger ones in digits, as one reads a count aloud."""
    words = _NUMBER_WORDS[_lang(lang)]
    return words[n] if 0 <= n < len(words) else str(n)


def capital(text: str) -> str:
    """The text with its first letter in capitals (the rest as it is)."""
    return text[:1].upper() + text[1:]
