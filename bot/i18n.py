"""Bot text in gettext catalogues (`bot/locales/<lang>/LC_MESSAGES/messages.po`).

Message ids are symbolic keys (`consent.body`); every language has a full catalogue and a
test checks that they hold the same keys. Placeholders use `{name}`.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path

from babel.messages.pofile import read_po

LANGUAGES = ("sv", "en")
DEFAULT_LANGUAGE = "sv"
_LOCALES = Path(__file__).parent / "locales"


@cache
def catalogue(language: str) -> dict[str, str]:
    path = _LOCALES / language / "LC_MESSAGES" / "messages.po"
    with path.open("rb") as handle:
        parsed = read_po(handle, locale=language)
    return {message.id: message.string for message in parsed if message.id and message.string}


def language_for(language_code: str | None, default: str = DEFAULT_LANGUAGE) -> str:
    """The catalogue language for a Telegram user's `language_code` ('en-GB' -> 'en')."""
    if language_code:
        base = language_code.split("-")[0].lower()
        if base in LANGUAGES:
            return base
    return default


class Translator:
    """`t("key", name=value)` in one language; a missing key is a bug, so it raises."""

    def __init__(self, language: str):
        self.language = language if language in LANGUAGES else DEFAULT_LANGUAGE
        self._messages = catalogue(self.language)

    def has(self, key: str) -> bool:
        return key in self._messages

    def __call__(self, key: str, **params: object) -> str:
        text = self._messages[key]
        return text.format(**params) if params else text
