"""What a formatted message looks like to its reader: text with HTML markup parsed away.

Telegram rejects malformed markup with 400 "can't parse entities"; so does the emulator, so a
bot that escapes badly fails here as it would in production.
"""

from __future__ import annotations

import html
import re

from bot.devtools.emulator.errors import ApiError, bad_request

SUPPORTED_TAGS = frozenset(
    {
        "b",
        "strong",
        "i",
        "em",
        "u",
        "ins",
        "s",
        "strike",
        "del",
        "span",
        "tg-spoiler",
        "a",
        "tg-emoji",
        "code",
        "pre",
        "blockquote",
        "tg-time",
    }
)
_TAG = re.compile(r"<(/?)([a-zA-Z][a-zA-Z0-9-]*)(\s[^<>]*)?>")
_ENTITY = re.compile(r"&(#x[0-9a-fA-F]+|#[0-9]+|lt|gt|amp|quot);")


def _entity_error(reason: str) -> ApiError:
    return bad_request(f"can't parse entities: {reason}")


def telegram_length(text: str) -> int:
    """A text's length as Telegram counts it: UTF-16 code units (an emoji outside the Basic
    Multilingual Plane is 2), of the text after entity parsing, leading and trailing
    whitespace trimmed (as Telegram trims a message before it counts)."""
    trimmed = text.strip()
    return len(trimmed.encode("utf-16-le")) // 2


def render(text: str, parse_mode: str | None) -> str:
    """The plain text the reader sees."""
    if not parse_mode:
        return text
    mode = parse_mode.strip().lower()
    if mode == "html":
        return render_html(text)
    if mode in ("markdown", "markdownv2"):
        return text
    raise bad_request("unsupported parse_mode")


def render_html(text: str) -> str:
    pieces: list[str] = []
    open_tags: list[str] = []
    position = 0
    while position < len(text):
        lt = text.find("<", position)
        if lt < 0:
            pieces.append(text[position:])
            break
        pieces.append(text[position:lt])
        match = _TAG.match(text, lt)
        offset = len(text[:lt].encode("utf-8"))
        if match is None:
            raise _entity_error(f"Unsupported start tag at byte offset {offset}")
        closing, name = match.group(1) == "/", match.group(2).lower()
        if name not in SUPPORTED_TAGS:
            raise _entity_error(f'Unsupported start tag "{name}" at byte offset {offset}')
        if closing:
            if not open_tags or open_tags[-1] != name:
                raise _entity_error(f"Unexpected end tag at byte offset {offset}")
            open_tags.pop()
        else:
            open_tags.append(name)
        position = match.end()
    if open_tags:
        raise _entity_error(f'Can\'t find end tag corresponding to start tag "{open_tags[-1]}"')
    return _ENTITY.sub(lambda m: html.unescape(m.group(0)), "".join(pieces))
