"""What `expect`, `expect-no` and `@capture` look for, and how `expect` consumes.

A message "contains" a text when its searchable form (rendered text or caption, then its
button labels, as printed; Unicode NFC) contains it case-insensitively, or when a regex
(`/.../`, always case-insensitive) finds it there.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

from bot.devtools.emulator.world import Entry

_REGEX_FORM = re.compile(r"^/(?P<pattern>.*)/(?P<flags>i?)$", re.DOTALL)


@dataclass(frozen=True)
class Matcher:
    source: str  # as written in the script
    text: str | None = None
    pattern: re.Pattern[str] | None = None

    @classmethod
    def parse(cls, payload: str) -> Matcher:
        """`/regex/` or `/regex/i` is a regex; anything else is text. Raises re.error."""
        found = _REGEX_FORM.match(payload) if len(payload) >= 2 else None
        if found:
            pattern = unicodedata.normalize("NFC", found.group("pattern"))
            return cls(source=payload, pattern=re.compile(pattern, re.IGNORECASE))
        return cls(source=payload, text=unicodedata.normalize("NFC", payload).casefold())

    def search(self, entry: Entry) -> re.Match[str] | bool:
        haystack = entry.searchable
        if self.pattern is not None:
            return self.pattern.search(haystack) or False
        assert self.text is not None
        return self.text in haystack.casefold()

    def describe(self) -> str:
        return f"matches {self.source}" if self.pattern is not None else f'contains "{self.source}"'


def expect(unconsumed: list[Entry], matcher: Matcher) -> Entry | None:
    """The oldest matching entry, consumed with every older one; None when none matches."""
    for index, entry in enumerate(unconsumed):
        if matcher.search(entry):
            for older in unconsumed[: index + 1]:
                older.consumed = True
            return entry
    return None


def capture(unconsumed: list[Entry], pattern: re.Pattern[str]) -> str | None:
    """Group 1 (or the whole match) of the newest entry the pattern finds; consumes nothing."""
    for entry in reversed(unconsumed):
        found = pattern.search(entry.searchable)
        if found:
            return found.group(1) if found.re.groups else found.group(0)
    return None
