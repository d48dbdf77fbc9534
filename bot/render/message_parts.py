"""Telegram's lengths, and an HTML text cut into parts that each fit them.

Telegram counts a message's length after entity parsing: the text the reader sees, with the
HTML tags removed and `&lt;`-style entities as the one character they stand for, in UTF-16
code units (an emoji outside the Basic Multilingual Plane counts 2). A text of 4,096 is the
most one message may hold, a caption 1,024.

A text over the limit is cut at the best boundary before the limit: a blank line, else a
line break, else a space, as long as that keeps at least half of the limit in the part;
otherwise at the limit itself (never inside a tag, an entity or a surrogate pair, and not
inside an emoji sequence or before a combining mark). The whitespace at a cut is dropped.
Formatting open at a cut (`<b>`, `<i>`, `<a href=…>`, …) is closed at the end of the part
and opened again, with the same attributes, at the start of the next, so every part is
well-formed HTML on its own.
"""

from __future__ import annotations

import html
import re
import unicodedata
from dataclasses import dataclass

TEXT_LIMIT = 4096
CAPTION_LIMIT = 1024
# The size of each part of a split text: below TEXT_LIMIT, so the line that marks a safety
# alert repeated after a crash (storage.outbox.REPEAT_NOTE) still fits in front of it.
PART_LIMIT = 4000

_TOKEN = re.compile(
    r"(?P<tag></?(?P<name>[a-zA-Z][a-zA-Z0-9-]*)(?:\s[^<>]*)?>)"
    r"|(?P<entity>&(?:#x[0-9a-fA-F]+|#[0-9]+|[a-zA-Z]+);)"
    r"|(?P<char>.)",
    re.DOTALL,
)
_SPLIT_KINDS = ("paragraph", "line", "space")  # the boundaries to cut at, best first
_JOINERS = {"\u200d", "\ufe0f", "\ufe0e"}  # zero-width joiner, variation selectors


@dataclass(frozen=True)
class _Token:
    raw: str  # as written in the HTML
    visible: str  # what the reader sees ("" for a tag)
    tag: str | None = None  # a tag's name, lower-case
    closing: bool = False

    @property
    def units(self) -> int:
        return utf16_length(self.visible)


def utf16_length(text: str) -> int:
    """Length as Telegram counts it: UTF-16 code units."""
    return len(text.encode("utf-16-le", "surrogatepass")) // 2  # a lone surrogate is one unit


def fits(text: str, limit: int) -> bool:
    """Whether a text's visible length is within `limit`. Parsing never makes a text longer
    (tags go, entities shrink), so a raw text within the limit fits without parsing: the
    common case, checked for every reply, costs one encode."""
    return utf16_length(text) <= limit or visible_length(text) <= limit


def _tokens(text: str) -> list[_Token]:
    found = []
    for match in _TOKEN.finditer(text):
        if match.group("tag"):
            raw = match.group("tag")
            found.append(_Token(raw, "", match.group("name").lower(), raw.startswith("</")))
        elif match.group("entity"):
            raw = match.group("entity")
            found.append(_Token(raw, html.unescape(raw)))
        else:
            char = match.group("char")
            found.append(_Token(char, char))
    return found


def visible_text(text: str) -> str:
    """What the reader sees of an HTML text."""
    return "".join(token.visible for token in _tokens(text))


def visible_length(text: str, parse_mode: str | None = "HTML") -> int:
    """A text's length as Telegram counts it (after entity parsing, in UTF-16 units)."""
    if parse_mode and parse_mode.upper() == "HTML":
        return utf16_length(visible_text(text))
    return utf16_length(text)


def split_html(text: str, limit: int = PART_LIMIT, first_limit: int | None = None) -> list[str]:
    """The text as parts of at most `limit` visible units each (the first part at most
    `first_limit`, e.g. a caption's); a text that fits is returned whole, unchanged."""
    first = limit if first_limit is None else first_limit
    if fits(text, first):
        return [text]
    tokens = _tokens(text)
    parts: list[str] = []
    start = 0
    reopen: list[_Token] = []  # the tags open where the previous part was cut
    while start < len(tokens):
        while start < len(tokens) and _is_space(tokens[start]):
            start += 1  # the whitespace at a cut is dropped
        cut, still_open = _cut(tokens, start, reopen, first if not parts else limit)
        end = cut
        while end > start and _is_space(tokens[end - 1]):
            end -= 1
        part = "".join(t.raw for t in reopen + tokens[start:end]) + _closing(still_open)
        if visible_text(part).strip():
            parts.append(part)
        reopen, start = still_open, max(cut, start + 1)
    return parts or [text]


def _is_space(token: _Token) -> bool:
    return token.tag is None and token.visible.isspace()


def _cut(
    tokens: list[_Token], start: int, reopen: list[_Token], limit: int
) -> tuple[int, list[_Token]]:
    """Where the part that begins at `start` ends, and the tags open there."""
    open_tags = list(reopen)
    units = 0
    latest: dict[str, tuple[int, list[_Token], int]] = {}  # boundary kind -> (cut, open, units)
    index = start
    while index < len(tokens):
        token = tokens[index]
        if token.tag is not None:
            _follow(open_tags, token)
        elif units + token.units > limit:
            for kind in _SPLIT_KINDS:
                if kind in latest and latest[kind][2] >= limit // 2:
                    return latest[kind][0], latest[kind][1]
            return _hard_cut(tokens, start, index), open_tags
        else:
            units += token.units
            kind = _boundary(tokens, index)
            if kind:
                latest[kind] = (index + 1, list(open_tags), units)
        index += 1
    return index, open_tags


def _hard_cut(tokens: list[_Token], start: int, index: int) -> int:
    """A cut at the limit itself, moved back out of an emoji sequence or away from a
    combining mark, when that leaves something in the part."""
    cut = index
    while cut > start + 1 and _joined(tokens[cut - 1], tokens[cut]):
        cut -= 1
    return index if _joined(tokens[cut - 1], tokens[cut]) else cut


def _joined(before: _Token, after: _Token) -> bool:
    """Whether a cut between these two would break one visible character apart."""
    if before.tag or after.tag or not before.visible or not after.visible:
        return False
    first, second = before.visible[-1], after.visible[0]
    return (
        first in _JOINERS
        or second in _JOINERS
        or unicodedata.category(second).startswith("M")
        or 0x1F3FB <= ord(second) <= 0x1F3FF  # a skin tone belongs to the emoji before it
    )


def _boundary(tokens: list[_Token], at: int) -> str | None:
    """The kind of boundary a cut just after token `at` would be, if any."""
    visible = tokens[at].visible
    if visible == "\n":
        return "paragraph" if _previous_visible(tokens, at) == "\n" else "line"
    if visible.isspace():
        return "space"
    return None


def _previous_visible(tokens: list[_Token], before: int) -> str:
    for index in range(before - 1, -1, -1):
        if tokens[index].tag is None:
            return tokens[index].visible
    return ""


def _follow(open_tags: list[_Token], tag: _Token) -> None:
    """Keep the list of open tags up to date with one more tag."""
    if not tag.closing:
        open_tags.append(tag)
        return
    for index in range(len(open_tags) - 1, -1, -1):
        if open_tags[index].tag == tag.tag:
            del open_tags[index]
            return


def _closing(open_tags: list[_Token]) -> str:
    return "".join(f"</{tag.tag}>" for tag in reversed(open_tags))
