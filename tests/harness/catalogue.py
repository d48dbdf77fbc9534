"""Bot text as the catalogue has it, for assertions about which message was sent rather than
its wording: a test that copies a Swedish sentence breaks when the wording is improved,
while one that names the key breaks only when the behaviour does. The conversation scripts
check the wording end to end.

    from tests.harness.catalogue import says, sv
    assert says(chat.last_text(patient), "notes.saved")
    assert says(text, "staff_messages.feedback_later", label="P1", number=2)
    assert result.toast == sv("staff_messages.refused.not_yours")

A key missing from the catalogue raises KeyError, so a renamed key fails the test too.
"""

from __future__ import annotations

import re
from string import Formatter

from bot.i18n import Translator, catalogue

sv = Translator("sv")
en = Translator("en")


def pattern(key: str, /, language: str = "sv", **params: object) -> re.Pattern[str]:
    """Message `key` as a regex: its text, each placeholder named in `params` as that value,
    every other placeholder as any text (the whole text, or a part of a longer message)."""
    parts = []
    for literal, field, _spec, _conversion in Formatter().parse(catalogue(language)[key]):
        parts.append(re.escape(literal))
        if field is not None:
            parts.append(re.escape(str(params[field])) if field in params else "(?:.|\n)*?")
    return re.compile("".join(parts))


def says(message: str, key: str, /, language: str = "sv", **params: object) -> bool:
    """Whether `message` holds message `key` (see `pattern`)."""
    return pattern(key, language, **params).search(message) is not None


def said(messages: list[str], key: str, /, language: str = "sv", **params: object) -> bool:
    """Whether any of `messages` holds message `key`."""
    found = pattern(key, language, **params)
    return any(found.search(message) for message in messages)
